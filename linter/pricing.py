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
    #: When the runs per month are unknown: the cost of 1,000 runs (monthly_usd is then None).
    per_1000_runs: float | None = None

    def to_dict(self) -> dict:
        out = {
            "option": self.option,
            "monthly_usd": None if self.monthly_usd is None else round(self.monthly_usd, 2),
            "assumptions": list(self.assumptions),
        }
        if self.per_1000_runs is not None:
            out["per_1000_runs_usd"] = round(self.per_1000_runs, 4)
        return out


def _p(x: float) -> str:
    """A unit price without scientific notation: 0.0000166667 -> '0.0000166667'."""
    return f"{x:.10f}".rstrip("0").rstrip(".")


def fargate_sizes() -> list[tuple[float, tuple[float, ...]]]:
    """The valid Fargate task sizes: each CPU size (vCPU) with the memory values (GB) it accepts."""
    out = []
    for row in facts.value("fargate.task_sizes"):
        if "memory_gb" in row:
            mems = tuple(float(g) for g in row["memory_gb"])
        else:
            mems = tuple(float(g) for g in range(int(row["min_gb"]), int(row["max_gb"]) + 1, int(row["step_gb"])))
        out.append((float(row["vcpu"]), mems))
    return out


def fargate_size(vcpu_needed: float, memory_gb_needed: float) -> tuple[float, float]:
    """The smallest valid Fargate task size with at least this CPU and memory (the largest size
    when none is big enough)."""
    sizes = fargate_sizes()
    for vcpu, mems in sizes:
        if vcpu < vcpu_needed - 1e-9:
            continue
        fit = [g for g in mems if g >= memory_gb_needed - 1e-9]
        if fit:
            return vcpu, fit[0]
    vcpu, mems = sizes[-1]  # nothing is big enough: the largest CPU size
    return vcpu, next((g for g in mems if g >= memory_gb_needed - 1e-9), mems[-1])


def fargate_for_lambda(memory_mb: int) -> tuple[float, float, str]:
    """The Fargate task size of a Lambda function's share: Lambda gives a function CPU in
    proportion to its memory (one vCPU at 1,769 MB), so the vCPU is its memory / 1,769 MB rounded
    to the NEAREST Fargate CPU size (not always up), with the smallest memory that size accepts of
    at least the function's memory (a larger CPU size when that size cannot hold it). Returns
    (vCPU, GB, the rule as an assumption line)."""
    per = float(facts.value("lambda.mb_per_vcpu"))
    want_vcpu, want_gb = memory_mb / per, memory_mb / 1024
    sizes = fargate_sizes()
    nearest = min(range(len(sizes)), key=lambda i: (abs(sizes[i][0] - want_vcpu), -sizes[i][0]))
    vcpu, gb = sizes[-1][0], sizes[-1][1][-1]
    for cpu, mems in sizes[nearest:]:
        fit = [g for g in mems if g >= want_gb - 1e-9]
        if fit:
            vcpu, gb = cpu, fit[0]
            break
    rule = (f"Fargate size from the function's CPU share: {memory_mb:,} MB / {per:,.0f} MB per vCPU = "
            f"{want_vcpu:.2f} vCPU, the nearest Fargate CPU size {vcpu:g} vCPU, with the smallest memory it "
            f"accepts of at least {want_gb:g} GB ({facts.fact('fargate.task_sizes').url})")
    return vcpu, gb, rule


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


@dataclass
class Runs:
    """How many times a month a function runs, and where each part of the figure came from."""

    per_month: float | None  # None: unknown
    #: The figure counts only some callers (its schedules); others add an unknown number.
    lower_bound: bool = False
    notes: list[str] = field(default_factory=list)
    #: The usage file's monthly_requests, when it gave the figure.
    from_usage: object = None

    @property
    def known(self) -> bool:
        return self.per_month is not None


def lambda_runs(unit, usage=None) -> Runs:
    """Runs a month of a compute unit: the usage file's ``monthly_requests`` when it gives one
    (every caller's invocations), else the runs of every schedule that invokes it (each one
    counts, whatever other callers it has), a lower bound when other callers add an unknown
    number; unknown when nothing counts them."""
    from . import model as m

    given = usage.get("monthly_requests") if usage is not None else None
    if given is not None:
        return Runs(float(given.value), False, [f"{given.value:,} runs/month from the usage file ({given.location})"],
                    from_usage=given)
    total, notes, unread, others = 0.0, [], [], []
    for t in unit.triggers:
        if t.kind != m.SCHEDULE:
            others.append(f"{m.TRIGGER_LABELS.get(t.kind, t.kind)} {t.resource}")
        elif t.schedule is None or t.schedule.runs_per_day is None:
            unread.append(t.resource)
        else:
            n = runs_per_month(t.schedule.runs_per_day)
            total += n
            notes.append(f"{n:,.1f} runs/month from schedule {t.resource} ({t.schedule.expression})")
    unknown = ([f"schedule {r} could not be read" for r in unread]
               + [f"invocations by {o} are not in the code" for o in others])
    if not notes:
        why = ("; ".join(unknown) if unknown else "no caller in the scanned code")
        return Runs(None, False, [f"runs per month unknown: {why}; give monthly_requests in a usage file"])
    if unknown:
        notes.append(f"a lower bound: {'; '.join(unknown)} (give monthly_requests in a usage file)")
    return Runs(total, bool(unknown), notes)


def capped_runs(runs: float, duration_s: float, reserved) -> tuple[float, list[str]]:
    """``runs`` a month of ``duration_s`` each, capped by what the function can bill: 730 h x its
    reserved concurrency when set (more runs are throttled). The notes say when the cap applies,
    and how many environments the runs keep busy all month when that is more than one."""
    month_s = float(facts.meta("seconds_per_month"))
    notes: list[str] = []
    if duration_s <= 0:
        return runs, notes
    if isinstance(reserved, int) and not isinstance(reserved, bool) and reserved >= 0:
        most = month_s * reserved / duration_s
        if runs > most:
            notes.append(f"capped at {most:,.1f} runs/month: reserved concurrency {reserved} x "
                         f"{hours_per_month():.0f} h is the most the function can bill; more runs are throttled")
            return most, notes
    busy = runs * duration_s / month_s
    if busy > 1:
        notes.append(f"{runs:,.1f} runs x {duration_s:g} s keep {busy:,.1f} environments busy all month (runs overlap)")
    return runs, notes


def input_note(name: str, setting, shown: str | None = None) -> str:
    """Where one input of a cost came from, for its assumptions: ``memory 1024 MB: set on the
    resource at main.tf:9``, ``monthly_requests 3,000: usage file: resource_usage fn at u.yml:4``,
    ``timeout 3 s: AWS default (not set in the source): ...``."""
    if setting is None:
        return f"{name}: not set in the source"
    shown = shown if shown is not None else f"{setting.value}"
    where = f" at {setting.location}" if getattr(setting, "location", None) is not None else ""
    return f"{name} {shown}: {setting.describe_origin()}{where}"


def per_1000_runs(line: CostLine, why: list[str]) -> CostLine:
    """A line priced for 1,000 runs made into one whose monthly cost is unknown (the runs per
    month are), giving the cost per 1,000 runs instead."""
    assumptions = [a.replace("1,000.0 runs/month x ", "per 1,000 runs: ") for a in line.assumptions]
    return CostLine(line.option, None, list(why) + assumptions, per_1000_runs=line.monthly_usd)


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


def _gb(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else None


def server_storage(unit) -> tuple[float, list[str]]:
    """The monthly cost of what a server's source writes besides the instance: its EBS volumes
    (Terraform ``root_block_device``, CloudFormation ``BlockDeviceMappings``, a launch template's
    first mapping) and a public IPv4 address asked for (``associate_public_ip_address``,
    ``AssociatePublicIpAddress``). Returns (USD a month, one assumption line per part, and what
    is not counted)."""
    from . import model as m

    ebs = facts.value("price.ebs_gb_month")
    default_type = str(facts.value("ec2.default_volume_type"))
    total, notes = 0.0, []

    def volume(size, vtype, where: str, written_size: bool = True, extras: bool = False) -> None:
        nonlocal total
        gb = _gb(size)
        if gb is None:
            why = ("size could not be resolved" if written_size and size is not None
                   else "size not written (the AMI's)")
            notes.append(f"EBS volume at {where}: {why}, not counted")
            return
        written = isinstance(vtype, str) and vtype.lower() in ebs
        kind = vtype.lower() if written else default_type
        cost = gb * ebs[kind]
        total += cost
        why = ("" if written else " (type not written: the EC2 default)" if vtype is None
               else " (type could not be resolved: the EC2 default assumed)")
        notes.append(f"EBS {gb:g} GB {kind}{why} x "
                     f"${ebs[kind]}/GB-month = ${cost:,.2f} (at {where})"
                     + ("; provisioned IOPS or throughput are billed extra, not counted"
                        if extras or kind in ("io1", "io2") else ""))

    size, vtype = unit.setting(m.VOLUME_SIZE), unit.setting(m.VOLUME_TYPE)
    if size is not None:
        volume(size.value, vtype.value if vtype is not None else None, str(size.location))
    mappings = unit.setting(m.BLOCK_DEVICE_MAPPINGS)
    if mappings is not None:
        if isinstance(mappings.value, list):
            for item in mappings.value:
                e = item.get("Ebs") if isinstance(item, dict) else None
                if isinstance(e, dict):
                    volume(e.get("VolumeSize"), e.get("VolumeType"), str(mappings.location),
                           "VolumeSize" in e, "Iops" in e or "Throughput" in e)
        elif unit.source_format == "terraform":
            notes.append(f"ebs_block_device volumes at {mappings.location} not counted")
        else:
            notes.append(f"block device mappings at {mappings.location} could not be read, not counted")
    if size is None and mappings is None:
        notes.append("EBS: no volume written in the source (the AMI's root volume is not counted)")
    ip = unit.setting(m.PUBLIC_IP)
    if ip is not None and ip.value is True:
        price = float(facts.value("price.public_ipv4_hour"))
        cost = price * hours_per_month()
        total += cost
        notes.append(f"public IPv4 address ${price}/h x {hours_per_month():.0f} h = ${cost:,.2f} (at {ip.location})")
    else:
        notes.append("public IPv4: none asked for on the instance (an Elastic IP or an address the subnet assigns is not counted)")
    return total, notes


def http_api(requests: float) -> tuple[float, str]:
    """API Gateway HTTP API requests a month: the cost and its assumption line (first tier)."""
    price = float(facts.value("price.http_api_request"))
    return requests * price, (f"HTTP API {requests:,.0f} requests x ${price * 1e6:.2f}/M (first 300 M/month tier; "
                              "12-month free tier not subtracted)")
