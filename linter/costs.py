"""``computefit costs``: every compute resource of a scan priced under its current model and
under the alternatives the checks know, whether or not a check fires (issue 12 item 4): Lambda
functions with their provisioned concurrency, EC2 instances, auto scaling groups, ECS services, and
Step Functions state machines (Standard: state transitions per 1,000 executions).

Volumes come through one place, :func:`volumes_for` (a hook a usage file replaces: pass
``volumes=`` to :func:`bill`); by default they are what the code says (a schedule's runs), and
where the code says nothing the option gives the cost per 1,000 runs instead of a monthly figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from . import model as m
from . import prices, pricing
from .pricing import CostLine

PER_RUNS = 1000  # the cost of this many runs stands in for a monthly figure when volume is unknown


@dataclass
class Volumes:
    """What a resource does in a month: runs (None: unknown), each run's duration in seconds (None:
    the timeout, an upper bound), and where the figures came from."""

    runs_per_month: float | None = None
    duration_s: float | None = None
    source: str = "the code"
    notes: list[str] = field(default_factory=list)


def volumes_for(unit: m.ComputeUnit, usage=None) -> Volumes:
    """A unit's volumes: the usage file's ``monthly_requests`` / ``request_duration_ms`` when
    ``usage`` (its :class:`computefit.usage.Usage`) gives them, else the runs of every schedule
    that invokes it (:func:`computefit.pricing.lambda_runs`: a lower bound when other callers add
    an unknown number), else unknown."""
    runs = pricing.lambda_runs(unit, usage)
    dur = usage.get("request_duration_ms") if usage is not None else None
    notes = list(runs.notes)
    if dur is not None:
        notes.append(pricing.input_note("each run", dur, f"{dur.value:g} ms"))
    source = ("the usage file" if runs.from_usage is not None else "its schedules in the code" if runs.known
              else "unknown")
    return Volumes(runs.per_month, None if dur is None else float(dur.value) / 1000, source, notes)


@dataclass
class Priced:
    resource: str
    resource_type: str
    file: str
    line: int
    options: list[CostLine]

    def to_dict(self) -> dict:
        # the contract: each option is exactly {option, monthly_usd, assumptions} (the cost
        # per 1,000 runs of an unknown volume is its last assumption)
        return {"resource": self.resource, "resource_type": self.resource_type, "file": self.file,
                "line": self.line, "options": [{k: v for k, v in c.to_dict().items() if k != "per_1000_runs_usd"}
                                               for c in self.options]}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _lambda(unit: m.ComputeUnit, vol: Volumes) -> list[CostLine]:
    from . import warmth

    memory, timeout = _int(unit.value(m.MEMORY_SIZE)), unit.value(m.TIMEOUT)
    arch = pricing.lambda_architecture(unit.value(m.ARCHITECTURES))
    if memory is None or not isinstance(timeout, (int, float)) or isinstance(timeout, bool):
        return [CostLine("current: Lambda of unknown memory or timeout", None,
                         ["memory size or timeout could not be resolved"])]
    duration = vol.duration_s if vol.duration_s is not None else float(timeout)
    bound = [] if vol.duration_s is not None else ["every run lasts the full timeout (an upper bound)"]
    known = vol.runs_per_month is not None
    runs = vol.runs_per_month if known else PER_RUNS
    what = f"x {runs:,.0f} runs/month" if known else f"per {PER_RUNS:,} runs (runs/month unknown)"
    *fargate, fargate_rule = pricing.fargate_for_lambda(memory)

    def line(cost: CostLine, *extra: str) -> CostLine:
        cost.assumptions[:0] = bound + list(vol.notes) + list(extra)
        cost.assumed = not (known and vol.duration_s is not None)
        if not known:  # a cost per 1,000 runs is not a month's: never shown as one
            month = f"{PER_RUNS:,.1f} runs/month"
            cost.assumptions = [f"{PER_RUNS:,} runs" + a[len(month):] if a.startswith(month) else a
                                for a in cost.assumptions]
            if cost.monthly_usd is not None:
                cost.assumptions.append(f"${cost.monthly_usd:,.4f} per {PER_RUNS:,} runs")
                cost.per_1000_runs = cost.monthly_usd * 1000 / PER_RUNS
            cost.monthly_usd = None
        return cost

    options = [line(pricing.lambda_job(runs, duration, memory, arch,
                                       option=f"current: Lambda {arch} {memory} MB, {duration:g} s {what}"))]
    for q, n in warmth.provisioned(unit):
        options.append(pricing.provisioned_concurrency(
            n, memory, arch, option=f"current: provisioned concurrency {n} x {memory} MB on "
                                    f"{warmth.describe_qualifier(q)}, 730 h a month"))
    if arch == "x86_64":
        options.append(line(pricing.lambda_job(runs, duration, memory, "arm64",
                                               option=f"Lambda arm64 {memory} MB, {duration:g} s {what}")))
    options.append(line(pricing.fargate_job(runs, duration, *fargate, arch,
                                            option=f"Fargate task {fargate[0]:g} vCPU / {fargate[1]:g} GB, "
                                                   f"{duration:g} s {what}"), fargate_rule))
    return options


def _servers(unit: m.ComputeUnit, count: int | None, usage=None, model: m.Model | None = None) -> list[CostLine]:
    itype = unit.value(m.INSTANCE_TYPE)
    given_n = usage.get("instances") if usage is not None else None
    given_h = usage.get("monthly_hrs") if usage is not None else None
    if given_n is not None:
        count = int(given_n.value)
    n = count if count is not None else 1
    itype = itype if isinstance(itype, str) else None
    if given_h is not None:
        hours = min(float(given_h.value), pricing.hours_per_month())
        current = pricing.ec2_hours(itype, hours, n, f"current: {n} x {itype or 'EC2 instance of unknown type'}, "
                                                     f"{hours:g} h/month from the usage file")
        current.assumptions.append(pricing.input_note("hours a month", given_h, f"{given_h.value:g} h"))
        current.assumed = False
    else:
        hours = pricing.hours_per_month()
        current = pricing.ec2_always_on(itype, n)
    if given_n is not None:
        current.assumptions.insert(0, pricing.input_note("instances", given_n))
    elif count is None:
        current.assumptions.append("group size unknown: priced for 1 instance")
        current.assumed = True
    # the EBS volumes and public IPv4 addresses written in the source, as the checks count them
    pricing.with_extras(current, pricing.ec2_extras(unit, model, hours), n)
    options = [current]
    size = pricing.ec2_size(itype)
    if size is not None:
        vcpu, gib = pricing.fargate_size(*size)
        arch = pricing.ec2_architecture(itype)
        options.append(pricing.fargate_hours(n * hours, vcpu, gib, arch,
                                             option=f"Fargate {n} x {vcpu:g} vCPU / {gib:g} GB task(s) for the "
                                                    "same hours"))
    return options


def _ecs(unit: m.ComputeUnit) -> list[CostLine]:
    from .checks.cf102_container_service_running_a_scheduler import task_size

    size = task_size(unit)
    count = _int(unit.value(m.DESIRED_COUNT))
    n = count if count is not None else 1
    if size is None:
        return [CostLine("current: ECS service of unknown task size", None, ["task CPU or memory could not be resolved"])]
    arch = "arm64" if str(unit.value(m.CPU_ARCHITECTURE, "")).upper() == "ARM64" else "x86_64"
    line = pricing.fargate_hours(n * pricing.hours_per_month(), size[0], size[1], arch,
                                 option=f"current: {n} x Fargate task {size[0]:g} vCPU / {size[1]:g} GB always on")
    if count is None:
        line.assumptions.append("desired count unknown: priced for 1 task")
    line.assumed = count is None
    options = [line]
    if arch == "x86_64":  # the same tasks on Graviton: 20 % less, for an arm64 (or multi-arch) image
        arm = pricing.fargate_hours(n * pricing.hours_per_month(), size[0], size[1], "arm64",
                                    option=f"{n} x Fargate task {size[0]:g} vCPU / {size[1]:g} GB on arm64 (Graviton), "
                                           "always on")
        arm.assumptions.append("needs an arm64 or multi-architecture image (runtime_platform cpu_architecture ARM64)")
        arm.assumed = line.assumed
        options.append(arm)
    return options


def _state_machine(res: m.Resource) -> list[CostLine]:
    """A Standard workflow's state transitions per 1,000 executions (each state entered once: a
    lower bound, loops and Map iterations add more); an Express one is not priced (its duration and
    memory are not in the code)."""
    from . import stepfunctions

    wt = res.setting("workflow_type")
    kind = str(wt.value).upper() if wt is not None and isinstance(wt.value, str) else "STANDARD"
    if kind == "EXPRESS":
        price = prices.unit("sfn_express_request")
        return [CostLine("current: Step Functions Express workflow", None, [
            f"${price.value * 1e6:.2f}/M requests plus duration x memory per GB-s: each run's duration "
            "and memory are not in the code, so no figure", *price.notes])]
    defn = stepfunctions.definition(res)
    if defn is None or not isinstance(defn.doc, dict):
        return [CostLine("current: Step Functions Standard workflow", None, ["definition could not be read"])]
    n = sum(1 for _ in stepfunctions.states(defn.doc))
    price = prices.unit("sfn_standard_transition")
    per = PER_RUNS * n * price.value
    return [CostLine(f"current: Step Functions Standard workflow of {n} states, per {PER_RUNS:,} executions "
                     "(executions/month unknown)", None, [
        f"at least {n} state transitions per execution (each state once; retries, loops and Map "
        "iterations add more)", f"${price.value * 1000:.3f} per 1,000 state transitions", *price.notes,
        f"${per:,.4f} per {PER_RUNS:,} runs"])]


def bill(model: m.Model, volumes: Callable[[m.ComputeUnit], Volumes] | None = None,
         choice: prices.RegionChoice | None = None, usage=None) -> list[tuple[prices.Basis, Priced]]:
    """Every compute unit of ``model`` with its options, current first, priced at its document's
    region. ``volumes`` gives each unit's volumes (the one place usage feeds in); by default
    :func:`volumes_for` with ``usage`` (a loaded :class:`computefit.usage.UsageFile`) when given."""
    if volumes is None:
        def volumes(unit: m.ComputeUnit) -> Volumes:
            return volumes_for(unit, usage.lookup(unit) if usage is not None else None)
    out: list[tuple[prices.Basis, Priced]] = []
    for doc in model.documents:
        basis = prices.resolve_region(choice, doc.region, doc.region_at)
        with prices.using(basis):
            for unit in doc.units:
                given = usage.lookup(unit) if usage is not None else None
                if unit.kind == m.LAMBDA_FUNCTION:
                    options = _lambda(unit, volumes(unit))
                elif unit.kind == m.EC2_INSTANCE:
                    options = _servers(unit, 1, given, model)
                elif unit.kind == m.AUTO_SCALING_GROUP:
                    options = _servers(unit, _int(unit.value(m.DESIRED_CAPACITY, unit.value(m.MIN_SIZE))), given,
                                       model)
                elif unit.kind == m.ECS_SERVICE:
                    options = _ecs(unit)
                else:
                    continue
                out.append((basis, Priced(unit.name, unit.resource_type, unit.location.file, unit.location.line,
                                          options)))
            for res in doc.resources:
                if res.kind == "state_machine":
                    out.append((basis, Priced(res.address, res.type, res.location.file, res.location.line,
                                              _state_machine(res))))
    return out


def report(billed: list[tuple[prices.Basis, Priced]]) -> dict:
    """The JSON document: ``{"version": 1, "currency", "region", "prices_as_of", "resources"}``
    (``region``: the one region priced, or a list when the documents differ)."""
    regions = list(dict.fromkeys(b.region for b, _ in billed)) or [prices.resolve_region(None).region]
    return {"version": 1, "currency": prices.currency(), "region": regions[0] if len(regions) == 1 else regions,
            "prices_as_of": prices.as_of(), "resources": [p.to_dict() for _, p in billed]}


def render_text(billed: list[tuple[prices.Basis, Priced]]) -> str:
    from .reporters.common import money, report_path

    out: list[str] = []
    headers = list(dict.fromkeys(b.header() for b, _ in billed))
    out.append(f"Monthly costs ({'; '.join(headers) or prices.Basis().header()})")
    out.append("")
    for _, p in billed:
        out.append(f"{report_path(p.file)}:{p.line}  {p.resource} ({p.resource_type})")
        for c in p.options:
            per = [a for a in c.assumptions if a.endswith(f" per {PER_RUNS:,} runs") and a.startswith("$")]
            out.append(f"  {c.option}: {per[-1] if c.monthly_usd is None and per else money(c.monthly_usd)}")
            out.extend(f"      - {a}" for a in c.assumptions)
        out.append("")
    if not billed:
        out.append("No compute resources found.")
    else:
        current = [p.options[0].monthly_usd for _, p in billed if p.options[0].monthly_usd is not None]
        out.append(f"{len(billed)} compute resource{'s' if len(billed) != 1 else ''}; current monthly cost of the "
                   f"{len(current)} with a known figure: {money(sum(current))}"
                   + (f" ({len(billed) - len(current)} depend on volumes the code does not give)"
                      if len(current) < len(billed) else ""))
    return "\n".join(out).rstrip("\n") + "\n"
