"""Monthly cost arithmetic for findings. Unit prices come from ``data/facts.toml``; every function
returns a :class:`CostLine` whose assumptions say what the number rests on."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import facts


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
    return facts.value("price.ec2_linux_hour").get(instance_type)


def ec2_size(instance_type: str | None) -> tuple[float, float] | None:
    """(vCPUs, memory GiB) of an instance type, or None when it is not on file (or not known)."""
    if not isinstance(instance_type, str):
        return None
    spec = facts.value("ec2.instance_size").get(instance_type)
    return None if spec is None else (float(spec["vcpu"]), float(spec["memory_gib"]))


def ec2_always_on(instance_type: str | None, count: int = 1, option: str | None = None) -> CostLine:
    """An always-on Linux instance (or ``count`` of them), compute only."""
    label = option or (
        f"current: {count} x {instance_type} always on" if isinstance(instance_type, str)
        else "current: EC2 instance of unknown type, always on"
    )
    return ec2_hours(instance_type, hours_per_month(), count, label)


def ec2_hours(instance_type: str | None, hours: float, count: int = 1, option: str | None = None) -> CostLine:
    """A Linux instance (or ``count`` of them) running ``hours`` a month, compute only."""
    price = ec2_hourly(instance_type) if isinstance(instance_type, str) else None
    label = option or (f"current: {count} x {instance_type}, {hours:.0f} h/month" if isinstance(instance_type, str)
                       else f"current: EC2 instance of unknown type, {hours:.0f} h/month")
    if price is None:
        why = (f"no on-demand price on file for {instance_type}" if isinstance(instance_type, str)
               else "instance type could not be resolved")
        return CostLine(label, None, [why])
    return CostLine(
        label,
        price * hours * count,
        [f"{instance_type} Linux on-demand ${price}/h x {hours:.0f} h/month"
         + (f" x {count} instances" if count != 1 else ""),
         "excludes EBS storage, public IPv4 and data transfer"],
    )


def lambda_job(runs_per_month: float, duration_s: float, memory_mb: int,
               architecture: str | None = None, option: str = "Lambda") -> CostLine:
    """A Lambda function run ``runs_per_month`` times for ``duration_s`` each, before free tier."""
    arch = _arch(architecture)
    gb_s_price = facts.value("price.lambda_gb_second")[arch]
    req_price = facts.value("price.lambda_request")
    gb = memory_mb / 1024
    cost = runs_per_month * (req_price + duration_s * gb * gb_s_price)
    return CostLine(
        option,
        cost,
        [f"{runs_per_month:,.1f} runs/month x {duration_s:g} s at {memory_mb} MB ({arch})",
         f"${_p(gb_s_price)}/GB-s + ${req_price * 1e6:.2f}/M requests; free tier not subtracted"],
    )


def fargate_job(runs_per_month: float, duration_s: float, vcpu: float, memory_gb: float,
                architecture: str | None = None, option: str = "Fargate task") -> CostLine:
    arch = _arch(architecture)
    vcpu_h = facts.value("price.fargate_vcpu_hour")[arch]
    gb_h = facts.value("price.fargate_gb_hour")[arch]
    minimum = facts.value("price.fargate_minimum_seconds")
    billed_s = max(duration_s, minimum)
    cost = runs_per_month * billed_s / 3600 * (vcpu * vcpu_h + memory_gb * gb_h)
    return CostLine(
        option,
        cost,
        [f"{runs_per_month:,.1f} runs/month x {billed_s:,.0f} s billed, {vcpu:g} vCPU / {memory_gb:g} GB ({arch})"
         if billed_s >= 10000 else
         f"{runs_per_month:,.1f} runs/month x {billed_s:g} s billed, {vcpu:g} vCPU / {memory_gb:g} GB ({arch})",
         f"${_p(vcpu_h)}/vCPU-h + ${_p(gb_h)}/GB-h, 1-minute minimum"],
    )


def fargate_hours(hours: float, vcpu: float, memory_gb: float, architecture: str | None = None,
                  option: str = "Fargate tasks") -> CostLine:
    """Fargate task-hours (``hours`` a month in total) of one task size."""
    arch = _arch(architecture)
    vcpu_h = facts.value("price.fargate_vcpu_hour")[arch]
    gb_h = facts.value("price.fargate_gb_hour")[arch]
    return CostLine(
        option,
        hours * (vcpu * vcpu_h + memory_gb * gb_h),
        [f"{hours:,.1f} task-hours/month, {vcpu:g} vCPU / {memory_gb:g} GB ({arch})",
         f"${_p(vcpu_h)}/vCPU-h + ${_p(gb_h)}/GB-h"],
    )


def scheduler(runs_per_month: float) -> float:
    """EventBridge Scheduler cost for one schedule (free below the monthly free tier)."""
    table = facts.raw("price.scheduler_invocation")
    billable = max(0.0, runs_per_month - table.get("free_per_month", 0))
    return billable * table["value"]


def scheduler_schedule(runs_per_month: float | None, option: str = "EventBridge Scheduler") -> CostLine:
    """One EventBridge Scheduler schedule firing ``runs_per_month`` times, as a cost line."""
    table = facts.raw("price.scheduler_invocation")
    free = table.get("free_per_month", 0)
    terms = f"first {free / 1e6:g} M invocations/month free, then ${table['value'] * 1e6:.2f}/M"
    if runs_per_month is None:
        return CostLine(option, None, ["runs per month unknown (schedule could not be read)", terms])
    return CostLine(option, scheduler(runs_per_month),
                    [f"{runs_per_month:,.1f} invocations/month", terms + " (per account and region)"])


def provisioned_concurrency(executions: int, memory_mb: int, architecture: str | None = None,
                            option: str | None = None, hours: float | None = None) -> CostLine:
    """Provisioned concurrency kept warm all month (or ``hours`` a month), before any invocation
    is billed."""
    arch = _arch(architecture)
    pc_price = facts.value("price.lambda_pc_gb_second")[arch]
    seconds = float(facts.meta("seconds_per_month")) if hours is None else hours * 3600
    gb = memory_mb / 1024
    cost = executions * gb * seconds * pc_price
    return CostLine(
        option or f"provisioned concurrency: {executions} x {memory_mb} MB",
        cost,
        [f"{executions} environment(s) x {gb:g} GB x {seconds:,.0f} s/month x ${_p(pc_price)}/GB-s ({arch})",
         "warm capacity only; invocations on it are billed at the lower provisioned duration rate"],
    )
