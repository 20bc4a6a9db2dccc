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
    origin = setting.describe_origin()
    loc = getattr(setting, "location", None)
    where = f" at {loc}" if loc is not None and f"at {loc}" not in origin else ""
    return f"{name} {shown}: {origin}{where}"


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


@dataclass
class Extras:
    """What an instance costs beyond its compute, from what the source writes: EBS volumes and
    public IPv4 addresses (each a line saying where it was written), per instance a month."""

    monthly_usd: float = 0.0
    notes: list[str] = field(default_factory=list)


def ec2_extras(unit, model=None, hours: float | None = None, volume_hours: float | None = None) -> Extras:
    """The EBS volumes (root_block_device, ebs_block_device, BlockDeviceMappings, the launch
    template's block devices) and public IPv4 addresses (associate_public_ip_address, Elastic IPs
    attached in ``model``) written for ``unit``, priced a month per instance. ``hours``: the hours
    an instance runs (an auto-assigned public IP is billed while it runs; Elastic IPs all month);
    ``volume_hours``: the hours its volumes exist (all month unless instances are terminated
    outside a window)."""
    from . import model as m

    out = Extras()
    month = hours_per_month()
    default_type = facts.fact("ec2.default_volume_type")
    volumes = []
    for key in (m.ROOT_BLOCK_DEVICE, m.BLOCK_DEVICES):
        s = unit.setting(key)
        if s is None:
            continue
        if m.is_unknown(s.value):
            out.notes.append(f"EBS volumes at {s.location}: unknown ({s.value.reason}), not priced")
            continue
        for item in s.value if isinstance(s.value, list) else []:
            vol = _volume(item)
            if vol is not None:
                volumes.append((vol, s.location))
    for (size, vtype), where in volumes:
        if m.is_unknown(size) or m.is_unknown(vtype):
            why = size.reason if m.is_unknown(size) else vtype.reason
            out.notes.append(f"EBS volume at {where}: unknown ({why}), not priced")
            continue
        if size is None:
            out.notes.append(f"EBS volume at {where}: size not written (the AMI's snapshot size), not priced")
            continue
        stated = vtype is None
        vtype = vtype or default_type.value
        try:
            found = prices.unit("ebs_gb_month", str(vtype).lower())
        except KeyError:
            found = None
        if found is None or found.value is None:
            out.notes.append(f"EBS volume at {where}: {size} GB {vtype}, no price on file, not priced")
            continue
        price = found.value
        share = 1.0 if volume_hours is None else min(volume_hours / month, 1.0)
        cost = size * price * share
        out.monthly_usd += cost
        out.notes.append(f"EBS {size} GB {vtype} at {where}: ${_p(price)}/GB-month"
                         + ("" if share == 1.0 else f" x {volume_hours:,.0f} h of {month:.0f}") + f" = ${cost:,.2f}"
                         + (f" (type not written: {vtype}, the EC2 default, {default_type.url})" if stated else "")
                         + f" ({prices.source(found.source_id)['url']})" + "".join(f"; {n}" for n in found.notes))
    ipv4_price = prices.unit("public_ipv4_hour")
    ipv4_h, ipv4_url = ipv4_price.value, prices.source(ipv4_price.source_id)["url"]
    run_h = month if hours is None else hours
    public = unit.setting(m.PUBLIC_IP)
    eips = _elastic_ips(unit, model)
    if eips and public is not None and _truthy(public.value):  # an Elastic IP replaces the public IP
        out.notes.append(f"public IPv4 (associate_public_ip_address at {public.location}) replaced by the "
                         "Elastic IP below: counted once")
    elif public is not None and _truthy(public.value):
        out.monthly_usd += ipv4_h * run_h
        out.notes.append(f"public IPv4 (associate_public_ip_address at {public.location}): ${_p(ipv4_h)}/h x "
                         f"{run_h:,.0f} h = ${ipv4_h * run_h:,.2f} ({ipv4_url})")
    elif public is not None and m.is_unknown(public.value):
        out.notes.append(f"public IPv4 at {public.location}: unknown ({public.value.reason}), not priced")
    for eip in eips:
        out.monthly_usd += ipv4_h * month
        out.notes.append(f"Elastic IP {eip.address} ({eip.location}): ${_p(ipv4_h)}/h x {month:,.0f} h = "
                         f"${ipv4_h * month:,.2f}, billed while allocated ({ipv4_url})")
    return out


def _truthy(v) -> bool:
    if isinstance(v, list):
        return any(_truthy(x) for x in v)
    return v is True or (isinstance(v, str) and v.lower() == "true")


def _volume(item) -> tuple | None:
    """(size GB, type) of one block device (Terraform root/ebs block, launch template block with
    an ebs block, CloudFormation mapping with Ebs), or None for one without an EBS volume."""
    if not isinstance(item, dict):
        return None
    ebs = item
    for key in ("Ebs", "ebs"):
        if key in item:
            ebs = item[key]
            ebs = ebs[0] if isinstance(ebs, list) and ebs else ebs
            break
    else:
        if "NoDevice" in item or "VirtualName" in item or "virtual_name" in item or "no_device" in item:
            return None
    if not isinstance(ebs, dict):
        return None
    size = ebs.get("VolumeSize", ebs.get("volume_size"))
    vtype = ebs.get("VolumeType", ebs.get("volume_type"))
    if isinstance(size, str) and size.isdigit():
        size = int(size)
    if size is not None and (isinstance(size, bool) or not isinstance(size, (int, float))) and not _is_unknown(size):
        from .model import Unknown

        size = Unknown("the size could not be resolved")  # written, but not a number here (a Ref, a Sub)
    return size, vtype if vtype is None or isinstance(vtype, str) or _is_unknown(vtype) else str(vtype)


def _is_unknown(v) -> bool:
    from .model import is_unknown

    return is_unknown(v)


def _elastic_ips(unit, model) -> list:
    """The Elastic IPs (and EIP associations) of ``model`` attached to ``unit``'s instance."""
    if model is None or unit.resource is None:
        return []
    return [r for r in model.resources if r.kind in ("eip", "eip_association")
            and any(e.target == unit.resource.address for e in r.edges_via("instance"))]


def with_extras(line: CostLine, extras: Extras, count: int = 1) -> CostLine:
    """``line`` (an instance's compute) with its volumes and public IPv4 added, ``count`` instances
    (a line whose compute is unknown stays as it is: the total is unknown whatever they add)."""
    if line.monthly_usd is None:
        return line
    line.monthly_usd += extras.monthly_usd * count
    line.assumptions = [a for a in line.assumptions if a != _EXCLUDES]
    line.assumptions += extras.notes
    if count != 1 and extras.monthly_usd:
        line.assumptions.append(f"volumes and addresses x {count} instances")
    line.assumptions.append("counts the EBS volumes and public IPv4 addresses written in the source (not an "
                            "AMI's own root volume); excludes data transfer, snapshots and extra IOPS/throughput")
    return line


_EXCLUDES = "excludes EBS storage, public IPv4 and data transfer"


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


def pc_hours_from_usage(ctx, qualifiers) -> tuple[float | None, str | None]:
    """Hours a month provisioned concurrency is enabled, from the usage file's
    ``monthly_duration_hrs`` of the qualifiers' provisioned-concurrency resources
    (``aws_lambda_provisioned_concurrency_config``), with where it came from; (None, None) when it
    gives none (then it is enabled all month). Several values: the largest, stated."""
    found = []
    for q in qualifiers:
        pc = q.provisioned_concurrency
        # the config resource that sets it (its setting's line), else the qualifier's own resource
        owners = [r for r in ctx.model.resources if r.kind == "lambda_provisioned_concurrency"
                  and pc is not None and r.setting("provisioned_concurrency") is not None
                  and r.setting("provisioned_concurrency").location == pc.location]
        if not owners and q.resource:
            owners = [r for r in [ctx.model.resource(q.resource, near=q.location)] if r is not None]
        for res in owners:
            s = ctx.usage(res).get("monthly_duration_hrs")
            if s is not None:
                found.append(s)
    if not found:
        return None, None
    s = max(found, key=lambda x: x.value)
    hours = min(float(s.value), hours_per_month())
    note = input_note("hours a month enabled", s, f"{s.value:g} h")
    if float(s.value) > hours_per_month():
        note += f" (more than a month: {hours_per_month():g} h counted)"
    return hours, note


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


def http_api(requests: float) -> tuple[float, str]:
    """API Gateway HTTP API requests a month (in AWS's tiers): the cost and its assumption line."""
    price = prices.unit("apigw_http_request")
    cost = prices.tiered(requests, price.value)
    return cost, (f"HTTP API {requests:,.0f} requests x ${price.rate * 1e6:.2f}/M (tiered; "
                  f"{prices.source(price.source_id)['url']}; 12-month free tier not subtracted)"
                  + "".join(f"; {n}" for n in price.notes))
