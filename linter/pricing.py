"""Monthly cost arithmetic for findings. Unit prices come from ``data/facts.toml``; every function
returns a :class:`CostLine` whose assumptions say what the number rests on."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import facts, prices


@dataclass
class CostLine:
    """One option's monthly cost, with the assumptions it rests on."""

    option: str  # "current: t3.medium EC2 instance, always on"
    monthly_usd: float | None  # None when it cannot be computed (unknown instance type)
    assumptions: list[str] = field(default_factory=list)
    #: False when every volume it rests on is known (written in the code or given in a usage
    #: file); None or True: it rests on an assumed volume (a stated default, an upper bound).
    assumed: bool | None = None

    def to_dict(self) -> dict:
        return {
            "option": self.option,
            "monthly_usd": None if self.monthly_usd is None else round(self.monthly_usd, 2),
            "assumptions": list(self.assumptions),
        }


def _p(x: float) -> str:
    """A unit price without scientific notation: 0.0000166667 -> '0.0000166667'."""
    return f"{x:.10f}".rstrip("0").rstrip(".")


#: Fargate task CPU sizes (vCPU); memory must be at least 0.5 GB for 0.25 vCPU and 2x vCPU above.
FARGATE_VCPU = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)


def fargate_size(vcpu_needed: float, memory_gb_needed: float) -> tuple[float, float]:
    """The smallest Fargate task size with at least this CPU and memory (whole GB above 0.5)."""
    import math

    vcpu = next((v for v in FARGATE_VCPU if v >= vcpu_needed - 1e-9), FARGATE_VCPU[-1])
    gb = max(memory_gb_needed, vcpu * 2)  # the smallest memory of each size: 0.25 vCPU 0.5 GB, 0.5 vCPU 1 GB, n vCPU 2n GB
    gb = 0.5 if gb <= 0.5 else float(math.ceil(gb))
    return vcpu, min(gb, float(facts.value("fargate.max_memory_gb")))


def _arch(architecture: str | None) -> str:
    return "arm64" if architecture == "arm64" else "x86_64"


def lambda_architecture(architectures) -> str:
    """The price architecture of a Lambda function's ARCHITECTURES setting value (a list such as
    ``["arm64"]``): its first entry, or the service default x86_64 when unset or unreadable."""
    first = architectures[0] if isinstance(architectures, list) and architectures else None
    return _arch(first if isinstance(first, str) else None)


def hours_per_month() -> float:
    return float(facts.meta("hours_per_month"))


def runs_per_month(runs_per_day: float) -> float:
    """Runs a month of a schedule that runs ``runs_per_day`` times a day (730-hour month)."""
    return runs_per_day * hours_per_month() / 24


def scheduled_runs_per_month(unit) -> float | None:
    """Runs a month of a compute unit invoked only by schedules (the linker parsed each one), or
    None when it has another caller, no schedule, or a schedule whose runs cannot be counted."""
    from . import model as m

    schedules = unit.triggers_of(m.SCHEDULE)
    if not schedules or len(schedules) != len(unit.triggers):
        return None
    total = 0.0
    for t in schedules:
        if t.schedule is None or t.schedule.runs_per_day is None:
            return None
        total += runs_per_month(t.schedule.runs_per_day)
    return total


def ec2_architecture(instance_type: str | None) -> str:
    """arm64 for Graviton families (t4g, m7g, c6gn...), else x86_64."""
    import re

    if instance_type and re.search(r"\dg", instance_type.split(".", 1)[0]):
        return "arm64"
    return "x86_64"


def ec2_hourly(instance_type: str) -> float | None:
    """The Linux on-demand hourly price of an instance type in the region priced, or None."""
    price = prices.ec2_hour(instance_type)
    return None if price is None else price.value


def ec2_size(instance_type: str | None) -> tuple[float, float] | None:
    """(vCPUs, memory GiB) of an instance type, or None when it is not on file (or not known)."""
    if not isinstance(instance_type, str):
        return None
    spec = prices.ec2_type(instance_type)
    return None if spec is None else (float(spec["vcpu"]), float(spec["memory_gib"]))


def ec2_always_on(instance_type: str | None, count: int = 1, option: str | None = None) -> CostLine:
    """An always-on Linux instance (or ``count`` of them), compute only."""
    label = option or (
        f"current: {count} x {instance_type} always on" if isinstance(instance_type, str)
        else "current: EC2 instance of unknown type, always on"
    )
    line = ec2_hours(instance_type, hours_per_month(), count, label)
    line.assumed = False  # always on: the hours follow from the code
    return line


def ec2_hours(instance_type: str | None, hours: float, count: int = 1, option: str | None = None) -> CostLine:
    """A Linux instance (or ``count`` of them) running ``hours`` a month, compute only."""
    found = prices.ec2_hour(instance_type) if isinstance(instance_type, str) else None
    label = option or (f"current: {count} x {instance_type}, {hours:.0f} h/month" if isinstance(instance_type, str)
                       else f"current: EC2 instance of unknown type, {hours:.0f} h/month")
    if found is None:
        why = (f"no on-demand price on file for {instance_type} in {prices.current().region}"
               if isinstance(instance_type, str) else "instance type could not be resolved")
        return CostLine(label, None, [why])
    price = found.value
    return CostLine(
        label,
        price * hours * count,
        [f"{instance_type} Linux on-demand ${_p(round(price, 10))}/h x {hours:.0f} h/month"
         + (f" x {count} instances" if count != 1 else ""),
         "excludes EBS storage, public IPv4 and data transfer", *found.notes],
    )


def lambda_job(runs_per_month: float, duration_s: float, memory_mb: int,
               architecture: str | None = None, option: str = "Lambda") -> CostLine:
    """A Lambda function run ``runs_per_month`` times for ``duration_s`` each, before free tier."""
    arch = _arch(architecture)
    duration = prices.unit("lambda_gb_second", arch)
    request = prices.unit("lambda_request", arch)
    gb_s = runs_per_month * duration_s * memory_mb / 1024
    cost = runs_per_month * request.value + prices.tiered(gb_s, duration.value)
    return CostLine(
        option,
        cost,
        [f"{runs_per_month:,.1f} runs/month x {duration_s:g} s at {memory_mb} MB ({arch})",
         f"${_p(duration.rate)}/GB-s + ${request.rate * 1e6:.2f}/M requests; free tier not subtracted",
         *_tier_notes(gb_s, duration, arch), *_notes(duration, request)],
    )


def _notes(*found: "prices.Price") -> list[str]:
    """The notes of the prices used (region fallback, override), each once."""
    out: list[str] = []
    for p in found:
        out.extend(n for n in p.notes if n not in out)
    return out


def _tier_notes(gb_s: float, duration: "prices.Price", arch: str) -> list[str]:
    """Lambda duration beyond AWS's first tier (6 B GB-s a month x86, 7.5 B arm64): the tiers used,
    or, for a region whose tiers are not on file, that the first-tier rate was used."""
    if not isinstance(duration.value, list):  # an own flat rate (price override): no tiers
        return []
    tiers = duration.value
    first = tiers[0][0]
    if first is None:
        us_first = prices.unit("lambda_gb_second", arch, prices.Basis()).value[0][0]
        if gb_s > us_first:
            return [f"{gb_s / 1e9:,.2f} B GB-s/month: the lower rates above {us_first / 1e9:g} B GB-s are not on "
                    f"file for {prices.current().region}, the first-tier rate is used (an upper bound)"]
        return []
    if gb_s <= first:
        return []
    return ["{:,.2f} B GB-s/month in AWS's duration tiers: ".format(gb_s / 1e9) + ", ".join(
        (f"first {up / 1e9:g} B at ${_p(rate)}" if i == 0 else
         f"next {up / 1e9:g} B at ${_p(rate)}" if up is not None else f"the rest at ${_p(rate)}")
        for i, (up, rate) in enumerate(tiers))]


def fargate_job(runs_per_month: float, duration_s: float, vcpu: float, memory_gb: float,
                architecture: str | None = None, option: str = "Fargate task") -> CostLine:
    arch = _arch(architecture)
    vcpu_p, gb_p = prices.unit("fargate_vcpu_hour", arch), prices.unit("fargate_gb_hour", arch)
    vcpu_h, gb_h = vcpu_p.value, gb_p.value
    minimum = facts.value("fargate.minimum_seconds")
    billed_s = max(duration_s, minimum)
    cost = runs_per_month * billed_s / 3600 * (vcpu * vcpu_h + memory_gb * gb_h)
    return CostLine(
        option,
        cost,
        [f"{runs_per_month:,.1f} runs/month x {billed_s:,.0f} s billed, {vcpu:g} vCPU / {memory_gb:g} GB ({arch})"
         if billed_s >= 10000 else
         f"{runs_per_month:,.1f} runs/month x {billed_s:g} s billed, {vcpu:g} vCPU / {memory_gb:g} GB ({arch})",
         f"${_p(vcpu_h)}/vCPU-h + ${_p(gb_h)}/GB-h, 1-minute minimum", *_notes(vcpu_p, gb_p)],
    )


def fargate_hours(hours: float, vcpu: float, memory_gb: float, architecture: str | None = None,
                  option: str = "Fargate tasks") -> CostLine:
    """Fargate task-hours (``hours`` a month in total) of one task size."""
    arch = _arch(architecture)
    vcpu_p, gb_p = prices.unit("fargate_vcpu_hour", arch), prices.unit("fargate_gb_hour", arch)
    vcpu_h, gb_h = vcpu_p.value, gb_p.value
    return CostLine(
        option,
        hours * (vcpu * vcpu_h + memory_gb * gb_h),
        [f"{hours:,.1f} task-hours/month, {vcpu:g} vCPU / {memory_gb:g} GB ({arch})",
         f"${_p(vcpu_h)}/vCPU-h + ${_p(gb_h)}/GB-h", *_notes(vcpu_p, gb_p)],
    )


def scheduler(runs_per_month: float) -> float:
    """EventBridge Scheduler cost for one schedule (free below the monthly free tier)."""
    price = prices.unit("scheduler_invocation")
    billable = max(0.0, runs_per_month - price.extra.get("free_per_month", 0))
    return billable * price.value


def scheduler_schedule(runs_per_month: float | None, option: str = "EventBridge Scheduler") -> CostLine:
    """One EventBridge Scheduler schedule firing ``runs_per_month`` times, as a cost line."""
    price = prices.unit("scheduler_invocation")
    free = price.extra.get("free_per_month", 0)
    terms = f"first {free / 1e6:g} M invocations/month free, then ${price.value * 1e6:.2f}/M"
    if runs_per_month is None:
        return CostLine(option, None, ["runs per month unknown (schedule could not be read)", terms, *price.notes])
    return CostLine(option, scheduler(runs_per_month),
                    [f"{runs_per_month:,.1f} invocations/month", terms + " (per account and region)", *price.notes])


def provisioned_concurrency(executions: int, memory_mb: int, architecture: str | None = None,
                            option: str | None = None, hours: float | None = None) -> CostLine:
    """Provisioned concurrency kept warm all month (or ``hours`` a month), before any invocation
    is billed."""
    arch = _arch(architecture)
    found = prices.unit("lambda_pc_gb_second", arch)
    pc_price = found.value
    seconds = float(facts.meta("seconds_per_month")) if hours is None else hours * 3600
    gb = memory_mb / 1024
    cost = executions * gb * seconds * pc_price
    return CostLine(
        option or f"provisioned concurrency: {executions} x {memory_mb} MB",
        cost,
        [f"{executions} environment(s) x {gb:g} GB x {seconds:,.0f} s/month x ${_p(pc_price)}/GB-s ({arch})",
         "warm capacity only; invocations on it are billed at the lower provisioned duration rate",
         *found.notes],
        assumed=False if hours is None else None,
    )


def _known(usd) -> bool:
    import math

    return usd is not None and math.isfinite(usd)


def cheapest(costs: list[CostLine]) -> tuple[CostLine, CostLine | None, float | None] | None:
    """(the current option, the cheapest alternative or None, its monthly cost) of a finding's
    cost lines, or None without a current option. A line whose option is the first part of others
    (``EventBridge Scheduler`` of ``EventBridge Scheduler + Lambda``) is a part they share, added to
    each of them, not an alternative of its own."""
    current = [c for c in costs if c.option.lower().startswith("current")]
    others = [c for c in costs if not c.option.lower().startswith("current")]
    if not current:
        return None
    parts = [c for c in others if any(o.option.startswith(c.option + " + ") for o in others)]
    best: tuple[CostLine, float] | None = None
    for c in others:
        if c in parts and len(parts) < len(others):
            continue
        shared = [p.monthly_usd for p in parts if c.option.startswith(p.option + " + ")]
        if _known(c.monthly_usd) and all(_known(v) for v in shared):
            total = c.monthly_usd + sum(shared)
            if best is None or total < best[1]:
                best = (c, total)
    return (current[0], None, None) if best is None else (current[0], best[0], best[1])


def cost_summary(costs: list[CostLine]) -> dict:
    """``current``, ``cheapest_alternative`` and ``monthly_saving`` of a finding's costs (the JSON
    report's): each option with its monthly cost (None when unknown), the saving None unless both
    are known, and ``usage`` ``known`` when both rest only on known volumes, else ``assumed``."""
    found = cheapest(costs)
    if found is None:
        return {}
    now, best, best_usd = found
    now_usd = round(now.monthly_usd, 2) if _known(now.monthly_usd) else None
    saving = None if now_usd is None or best_usd is None else round(now.monthly_usd - best_usd, 2) + 0.0
    known = now.assumed is False and best is not None and best.assumed is False
    return {
        "current": {"option": now.option, "monthly_usd": now_usd},
        "cheapest_alternative": None if best is None else {"option": best.option, "monthly_usd": round(best_usd, 2)},
        "monthly_saving": saving,
        "usage": "known" if known else "assumed",
    }
