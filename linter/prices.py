"""Unit prices per region, the region a scan is priced in, and a team's own rates.

The prices live in ``data/prices/aws.json`` (rebuilt by ``scripts/refresh_prices.py`` from the AWS
Price List bulk offer files), each entry naming its source; the file is read the first time a cost
is computed, never at start-up. :mod:`computefit.pricing` asks :func:`unit` for a price and gets it
for the region of the :class:`Basis` in use (:func:`using`), with a note when that region has no
price of its own on file (then us-east-1's is used, and the cost line says so).

The region of a document, first found first: ``--region``, the configuration's ``region``, the
Terraform default ``provider "aws"`` block's ``region`` (resolved by the evaluator; aliased
providers are not the default), ``AWS_REGION``, ``AWS_DEFAULT_REGION``, else us-east-1
(:func:`resolve_region`).

A price override (``[tool.computefit.prices]`` or ``--price-file FILE``) applies a ``discount``
(a fraction off every on-demand price) and/or explicit rates (``"ec2.m5.large" = 0.07``,
``"lambda_gb_second.x86_64" = 0.000015``, ``"fargate_vcpu_hour" = 0.035``): an explicit rate wins
over the discount, and every cost block says that an override is in use.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
from dataclasses import dataclass, field
from typing import Any

from .lazyre import LazyPattern as _lazy

PRICES_FILE = os.path.join(os.path.dirname(__file__), "data", "prices", "aws.json")
DEFAULT_REGION = "us-east-1"
_REGION_RE = _lazy(r"^[a-z]{2}(-[a-z]+)+-\d+$")


@functools.lru_cache(maxsize=1)
def data() -> dict:
    """The price file, read once, the first time a price is asked for."""
    with open(PRICES_FILE, encoding="utf-8") as fh:
        return json.load(fh)


def regions_on_file() -> list[str]:
    return sorted(data()["regions"])


def as_of() -> str:
    return data()["prices_as_of"]


def currency() -> str:
    return data()["currency"]


def source(source_id: str) -> dict:
    """``{"title", "url", "as_of"}`` of a source named in the price file."""
    return data()["sources"][source_id]


# --------------------------------------------------------------------------------------------------
# Overrides
# --------------------------------------------------------------------------------------------------


class PriceFileError(ValueError):
    """A price override that cannot be used: names the file and the key."""


@dataclass(frozen=True)
class Overrides:
    """A team's discount and own rates. ``where`` names the file (or the configuration table)."""

    where: str
    discount: float = 0.0
    rates: tuple[tuple[str, float], ...] = ()

    def rate(self, key: str) -> float | None:
        for k, v in self.rates:
            if k == key:
                return v
        return None

    def describe(self) -> str:
        parts = []
        if self.discount:
            parts.append(f"{self.discount * 100:g}% discount")
        if self.rates:
            parts.append(f"{len(self.rates)} own rate{'s' if len(self.rates) != 1 else ''}")
        return f"price override from {self.where} ({', '.join(parts) or 'no change'})"


def parse_overrides(table: Any, where: str) -> Overrides:
    """An override table (``discount`` and dotted price keys) checked key by key."""
    if not isinstance(table, dict):
        raise PriceFileError(f"{where}: the price override must be a table of keys and numbers")
    if isinstance(table.get("prices"), dict) and len(table) == 1:  # a file with a [prices] table
        table = table["prices"]
    discount = 0.0
    rates: list[tuple[str, float]] = []
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PriceFileError(f"{where}: {key} must be a number, got {value!r}")
        if key == "discount":
            if not 0 <= value < 1:
                raise PriceFileError(f"{where}: discount is a fraction from 0 to below 1 (0.1 for 10%), got {value!r}")
            discount = float(value)
            continue
        problem = _key_problem(key)
        if problem:
            raise PriceFileError(f"{where}: {key}: {problem}")
        if value < 0:
            raise PriceFileError(f"{where}: {key} must not be negative")
        rates.append((key, float(value)))
    return Overrides(where, discount, tuple(rates))


def _key_problem(key: str) -> str | None:
    if key.startswith("ec2."):
        return None if key[4:] else "name an instance type (ec2.m5.large)"
    name = key.split(".", 1)[0]
    known = set(data()["regions"][DEFAULT_REGION])
    if name not in known:
        return f"unknown price; expected discount, ec2.TYPE or one of {', '.join(sorted(known))}"
    return None


def read_price_file(path: str) -> Overrides:
    """A ``--price-file`` (TOML: ``discount = 0.1``, ``"ec2.m5.large" = 0.07``, top level or under
    ``[prices]``)."""
    try:
        import tomllib as toml  # Python 3.11+
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as toml  # type: ignore[no-redef]
    try:
        with open(path, "rb") as fh:
            table = toml.load(fh)
    except OSError as exc:
        raise PriceFileError(f"{path}: cannot be read: {exc.strerror or exc}")
    except toml.TOMLDecodeError as exc:
        raise PriceFileError(f"{path}: not valid TOML: {exc}")
    return parse_overrides(table, path)


# --------------------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Basis:
    """What a document's costs are priced at: a region (and how it was chosen) and any override."""

    region: str = DEFAULT_REGION
    region_from: str = "default (no --region, configuration, provider region or AWS_REGION)"
    overrides: Overrides | None = None

    def on_file(self) -> bool:
        return self.region in data()["regions"]

    def header(self) -> str:
        """``USD, eu-west-1 on-demand, prices as of 2026-08-21`` (+ the fallback and override)."""
        return header_of(self.to_dict())

    def to_dict(self) -> dict:
        d = {"currency": currency(), "region": self.region, "region_from": self.region_from,
             "prices_as_of": as_of()}
        if not self.on_file():
            d["prices_region"] = DEFAULT_REGION
        if self.overrides is not None:
            d["price_override"] = self.overrides.describe()
        return d


def header_of(basis: dict | None) -> str:
    """The cost-block header of a :meth:`Basis.to_dict` (the default basis for None):
    ``USD, eu-west-1 on-demand, prices as of 2026-08-21``, then the region's fallback and the
    override in use, when any."""
    d = basis or Basis().to_dict()
    text = f"{d['currency']}, {d['region']} on-demand, prices as of {d['prices_as_of']}"
    if d.get("prices_region"):
        text += f" ({d['region']} has no prices on file: {d['prices_region']}'s used)"
    if d.get("price_override"):
        text += f"; {d['price_override']}"
    return text


@dataclass(frozen=True)
class RegionChoice:
    """The run's region settings before a document's provider is known."""

    cli: str | None = None
    config: str | None = None
    config_source: str | None = None
    overrides: Overrides | None = None
    environ: tuple[tuple[str, str], ...] = field(default_factory=lambda: tuple(
        (k, os.environ[k]) for k in ("AWS_REGION", "AWS_DEFAULT_REGION") if os.environ.get(k)))


def region_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not _REGION_RE.match(value):
        return f"not an AWS region name (such as eu-west-1): {value!r}"
    return None


def resolve_region(choice: RegionChoice | None, provider_region: Any = None,
                   provider_at: str | None = None) -> Basis:
    """The Basis of one document: ``--region``, the configuration, the Terraform provider's region,
    ``AWS_REGION`` / ``AWS_DEFAULT_REGION``, else us-east-1."""
    choice = choice or RegionChoice(environ=())
    overrides = choice.overrides
    if choice.cli:
        return Basis(choice.cli, "--region", overrides)
    if choice.config:
        return Basis(choice.config, f"region in {choice.config_source or 'the configuration'}", overrides)
    if isinstance(provider_region, str) and region_problem(provider_region) is None:
        where = f' at {provider_at}' if provider_at else ""
        return Basis(provider_region, f'provider "aws" region{where}', overrides)
    for name, value in choice.environ:
        if region_problem(value) is None:
            return Basis(value, name, overrides)
    return Basis(DEFAULT_REGION, Basis.region_from, overrides)


# --------------------------------------------------------------------------------------------------
# The basis in use, and unit prices
# --------------------------------------------------------------------------------------------------

_active: Basis = Basis()


def current() -> Basis:
    return _active


@contextlib.contextmanager
def using(basis: Basis | None):
    """Price what is computed inside at ``basis`` (the runner sets each document's)."""
    global _active
    before = _active
    _active = basis or Basis()
    try:
        yield _active
    finally:
        _active = before


@dataclass
class Price:
    """A unit price (a number, or tiers ``[(up_to or None, rate), ...]``), where it came from, and
    a note when it is not the region's own or not AWS's list price."""

    value: Any
    source_id: str
    notes: list[str] = field(default_factory=list)
    #: the entry's other fields (``free_per_month`` of the Scheduler)
    extra: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """The (first-tier) rate."""
        return self.value[0][1] if isinstance(self.value, list) else self.value

    @property
    def url(self) -> str:
        return source(self.source_id)["url"]


def _discounted(value: Any, discount: float) -> Any:
    if not discount:
        return value
    if isinstance(value, list):
        return [[up, rate * (1 - discount)] for up, rate in value]
    return value * (1 - discount)


_SERVICES = {"lambda": "Lambda", "fargate": "Fargate", "scheduler": "EventBridge Scheduler", "ebs": "EBS",
             "public": "public IPv4", "sfn": "Step Functions", "apigw": "API Gateway"}


def unit(key: str, arch: str | None = None, basis: Basis | None = None) -> Price:
    """The price ``key`` (``lambda_gb_second``, ``fargate_vcpu_hour``...) for ``arch`` (or the
    sub-key such as ``gp3``) in the basis' region, else us-east-1's with a note."""
    basis = basis or _active
    regions = data()["regions"]
    notes: list[str] = []
    entry = regions.get(basis.region, {}).get(key)
    value = None if entry is None else (entry["value"] if arch is None else entry["value"].get(arch))
    src = None if entry is None else entry.get(f"source_{arch}", entry["source"])
    if value is None:
        entry = regions[DEFAULT_REGION][key]
        value = entry["value"] if arch is None else entry["value"][arch]
        src = entry.get(f"source_{arch}", entry["source"])
        if basis.region != DEFAULT_REGION and basis.on_file():
            notes.append(f"{_SERVICES.get(key.split('_')[0], key)} prices for {basis.region} not on file: "
                         f"{DEFAULT_REGION}'s used")
    out = Price(value, src, notes, {k: v for k, v in entry.items()
                                    if k not in ("value", "source") and not k.startswith("source_")})
    ov = basis.overrides
    if ov is not None:
        own = ov.rate(f"{key}.{arch}") if arch else None
        own = own if own is not None else ov.rate(key)
        if own is not None:
            out.value, out.notes = own, [f"own rate from {ov.where}"]
        elif ov.discount:
            out.value = _discounted(value, ov.discount)
            out.notes.append(f"{ov.discount * 100:g}% discount from {ov.where}")
    return out


def tiered(units: float, tiers: Any) -> float:
    """The cost of ``units`` priced in ``tiers`` (``[(up_to or None, rate), ...]`` or one rate)."""
    if not isinstance(tiers, list):
        return units * tiers
    cost, left = 0.0, units
    for up_to, rate in tiers:
        take = left if up_to is None else min(left, up_to)
        cost += take * rate
        left -= take
        if left <= 0:
            break
    return cost


def ec2_type(instance_type: str) -> dict | None:
    """``{"vcpu", "memory_gib", "linux_hour": {region: rate}}`` of an instance type, or None."""
    return data()["ec2"]["types"].get(instance_type)


def ec2_hour(instance_type: str, basis: Basis | None = None) -> Price | None:
    """The Linux on-demand hourly price of an instance type in the basis' region (us-east-1's with
    a note when the region has none on file), or None when no price is on file."""
    basis = basis or _active
    ov = basis.overrides
    own = ov.rate(f"ec2.{instance_type}") if ov is not None else None
    spec = ec2_type(instance_type)
    ec2 = data()["ec2"]
    if own is not None:
        return Price(own, ec2["size_source"], [f"own rate from {ov.where}"])
    if spec is None:
        return None
    rates = spec["linux_hour"]
    notes = []
    region = basis.region
    if region not in rates:
        if DEFAULT_REGION not in rates:
            return None
        if basis.region != DEFAULT_REGION and basis.on_file():
            notes.append(f"{instance_type} price for {basis.region} not on file: {DEFAULT_REGION}'s used")
        region = DEFAULT_REGION
    src = ec2["price_source_by_type"].get(instance_type) or ec2["price_sources"].get(region) or ec2["size_source"]
    price = Price(rates[region], src, notes)
    if ov is not None and ov.discount:
        price.value = rates[region] * (1 - ov.discount)
        price.notes.append(f"{ov.discount * 100:g}% discount from {ov.where}")
    return price


def rate(key: str, arch: str | None = None, basis: Basis | None = None) -> float:
    """The (first-tier) rate of ``key`` in the basis' region: ``rate("lambda_request")``,
    ``rate("fargate_vcpu_hour", "arm64")``, ``rate("ebs_gb_month", "gp3")``; a per-architecture
    price without ``arch`` is the x86_64 one."""
    if key.startswith("ec2."):
        found = ec2_hour(key[4:], basis)
        if found is None:
            raise KeyError(f"no price on file for {key[4:]}")
        return found.value
    value = data()["regions"][DEFAULT_REGION][key]["value"]
    if isinstance(value, dict) and arch is None:
        arch = "x86_64"
    return unit(key, arch, basis).rate
