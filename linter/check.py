"""The check API: what a check is, what it returns, and the registry that finds them.

A check is a class in its own module under ``checks/`` (installed as ``computefit.checks``). Its
docstring is its documentation, written like ruff's rule docs, with these sections in this order::

    ## What it does
    ## Why is this bad?
    ## Example
    ## Use instead
    ## Options            (optional: the configurable thresholds)
    ## References

``computefit explain ID`` prints it, and ``docs/checks/ID.md`` is generated from it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable

from .model import ComputeUnit, Location, Model, Setting, Trigger

# Severities, lowest first.
INFO = "info"
WARNING = "warning"
ERROR = "error"
SEVERITIES = (INFO, WARNING, ERROR)
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}

# How sure a finding is.
HIGH = "high"
MEDIUM = "medium"
LOW = "low"


@dataclass
class CostLine:
    """One option's monthly cost, with the assumptions it rests on."""

    option: str  # "current: t3.medium EC2 instance, always on"
    monthly_usd: float | None  # None when it cannot be computed (unknown instance type)
    assumptions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "option": self.option,
            "monthly_usd": None if self.monthly_usd is None else round(self.monthly_usd, 2),
            "assumptions": list(self.assumptions),
        }


@dataclass
class Finding:
    check_id: str
    check_name: str
    severity: str
    message: str  # one sentence: what is wrong with which resource, and why it matters
    recommendation: str  # what to do instead
    resource: str
    resource_type: str
    location: Location  # the line a user should look at (the setting's line, else the resource's)
    confidence: str = HIGH
    evidence: dict[str, Any] = field(default_factory=dict)
    costs: list[CostLine] = field(default_factory=list)
    #: The resource's own location, when the finding points at a different line (a Globals line,
    #: a variable default). Suppressions and baselines key on the resource.
    resource_location: Location | None = None

    @property
    def file(self) -> str:
        return self.location.file

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def resource_at(self) -> Location:
        """Where the resource is declared (suppressions, baselines and fingerprints key on it),
        which may differ from where the finding points."""
        return self.resource_location or self.location

    def to_dict(self) -> dict:
        d = {
            "check_id": self.check_id,
            "check_name": self.check_name,
            "severity": self.severity,
            "confidence": self.confidence,
            "message": self.message,
            "recommendation": self.recommendation,
            "resource": self.resource,
            "resource_type": self.resource_type,
            "file": self.location.file,
            "line": self.location.line,
            "evidence": self.evidence,
        }
        if self.costs:
            from . import facts

            d["costs"] = {
                "currency": facts.meta("currency"),
                "region": facts.meta("region"),
                "prices_as_of": facts.meta("prices_as_of"),
                "options": [c.to_dict() for c in self.costs],
            }
        return d


@dataclass(frozen=True)
class Option:
    """A configurable threshold of a check."""

    default: Any
    description: str
    type: type = int


class CheckContext:
    """What a check gets besides the model: its effective options."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.options = options or {}

    def option(self, name: str) -> Any:
        return self.options[name]


class Rule:
    """What every rule has, whoever produces its findings: an ID, a name, a default severity, a
    one-line summary, options, and its documentation (the class docstring)."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]  # the default severity; a finding may use a lower one (CF301's info)
    summary: ClassVar[str]  # one line for `computefit checks`
    options: ClassVar[dict[str, Option]] = {}
    #: Keywords for SARIF rule ``tags`` (GitHub shows the first 10): the service, the concern.
    tags: ClassVar[tuple[str, ...]] = ()
    #: The lowest confidence its findings can have: the rule's SARIF ``precision``.
    confidence: ClassVar[str] = HIGH
    #: The compute-unit kinds (model.LAMBDA_FUNCTION, ...) it examines: reports that list what
    #: passed (JUnit) name each of these resources without a finding as a passing testcase.
    kinds: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def default_options(cls) -> dict[str, Any]:
        return {k: o.default for k, o in cls.options.items()}


class Check(Rule):
    """A rule that reads the model: the runner calls :meth:`run` once per scan."""

    def run(self, model: Model, ctx: CheckContext) -> Iterable[Finding]:  # pragma: no cover
        raise NotImplementedError

    # helpers -------------------------------------------------------------------------------
    def finding(
        self,
        unit: ComputeUnit | Trigger,
        message: str,
        recommendation: str,
        *,
        at: Setting | Location | None = None,
        severity: str | None = None,
        confidence: str = HIGH,
        evidence: dict[str, Any] | None = None,
        costs: list[CostLine] | None = None,
    ) -> Finding:
        """Build a finding about ``unit``; ``at`` is the setting (or location) to point at."""
        loc = unit.location
        if isinstance(at, Setting) and at.location is not None:
            loc = at.location
        elif isinstance(at, Location):
            loc = at
        return Finding(
            check_id=self.id,
            check_name=self.name,
            severity=severity or self.severity,
            message=message,
            recommendation=recommendation,
            resource=unit.name if isinstance(unit, ComputeUnit) else unit.resource,
            resource_type=unit.resource_type,
            location=loc,
            confidence=confidence,
            evidence=evidence or {},
            costs=costs or [],
            resource_location=unit.location,
        )


def setting_evidence(setting: Setting | None) -> dict[str, Any]:
    """Evidence entry for a setting: its value, where it was set and how."""
    if setting is None:
        return {"value": None, "set_by": "not set"}
    from .model import is_unknown

    value = setting.value
    out: dict[str, Any] = {
        "value": f"unknown ({value.reason})" if is_unknown(value) else value,
        "set_by": setting.describe_origin(),
    }
    if setting.location is not None:
        out["at"] = str(setting.location)
    return out


# --------------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------------

_REGISTRY: dict[str, type[Check]] | None = None


def _collect(modules, base: type, found: dict) -> dict:
    """Add to ``found`` every subclass of ``base`` defined in ``modules``, keyed by ID."""
    for mod in modules:
        for obj in vars(mod).values():
            if (isinstance(obj, type) and issubclass(obj, base) and obj is not base
                    and obj.__module__ == mod.__name__):
                if obj.id in found:
                    raise RuntimeError(f"duplicate rule id {obj.id}")
                found[obj.id] = obj
    return found


def all_checks() -> dict[str, type[Check]]:
    """Every check class in ``computefit.checks``, keyed and sorted by ID."""
    global _REGISTRY
    if _REGISTRY is None:
        from . import checks as pkg  # computefit.checks

        modules = [importlib.import_module(f"{pkg.__name__}.{info.name}")
                   for info in pkgutil.iter_modules(pkg.__path__) if not info.name.startswith("_")]
        _REGISTRY = dict(sorted(_collect(modules, Check, {}).items()))
    return _REGISTRY


def get_check(check_id: str) -> type[Check] | None:
    return all_checks().get(check_id.upper())


class EngineRule(Rule):
    """A rule whose findings come from a stage of the engine, not from a check reading the model.

    The suppression stage reports unused, expired and invalid suppressions (CF001-CF003). These
    rules are documented, selectable and configurable like checks (``computefit explain CF001``,
    ``ignore = ["CF001"]``, a severity override), but they have no ``run()``: the runner never calls
    them. Their findings are built by the stage named in ``stage``, from what that stage saw.
    """

    stage: ClassVar[str]  # the engine stage that reports this rule's findings, e.g. "suppressions"


#: Modules (under ``computefit``) that define the engine rules.
ENGINE_RULE_MODULES = ("suppress",)

_RULES: dict[str, type[Rule]] | None = None


def all_rules() -> dict[str, type[Rule]]:
    """Every check and every engine rule, keyed and sorted by ID (for ``computefit checks``,
    ``explain`` and configuration validation)."""
    global _RULES
    if _RULES is None:
        modules = [importlib.import_module(f"{__package__}.{name}") for name in ENGINE_RULE_MODULES]
        _RULES = dict(sorted(_collect(modules, EngineRule, dict(all_checks())).items()))
    return _RULES


def get_rule(rule_id: str) -> type[Rule] | None:
    return all_rules().get(rule_id.upper())
