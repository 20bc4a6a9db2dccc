from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

from computefit import facts, prices, pricing, warmth
from computefit import model as m
from computefit.check import (
    HIGH, INFO, LOW, MEDIUM, WARNING, Check, CheckContext, Finding, Option, Violation, setting_evidence,
)
from computefit.pricing import CostLine

_LMI_URL = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances.html"


@dataclass
class Volume:
    """How busy a function is, and where each part of the figure came from."""

    runs: pricing.Runs
    per_month: float | None  # runs a month (capped by reserved concurrency), None: unknown
    duration_s: float | None
    duration_from_usage: m.Setting | None  # request_duration_ms of the usage file
    notes: list[str] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return self.per_month is not None and self.duration_s is not None

    @property
    def concurrency(self) -> float | None:
        if not self.known:
            return None
        return self.per_month * self.duration_s / float(facts.meta("seconds_per_month"))

    @property
    def from_usage(self) -> bool:
        """Both the runs and their duration are the usage file's (not an upper bound)."""
        return self.runs.from_usage is not None and self.duration_from_usage is not None

    @property
    def upper_bound(self) -> bool:
        """The duration is the timeout: the figure is the most the function can run."""
        return self.duration_from_usage is None


@dataclass
class SteadyLambda(Violation):
    """A function busy enough all month that a container would run it for less."""

    volume: Volume
    memory_mb: int
    arch: str
    provisioned: list[tuple[m.Qualifier, int]]  # static provisioned concurrency (no scalable target)
    current: CostLine
    fargate: CostLine
    tasks: int
    break_even: str  # the volume (or utilization) above which the Fargate service costs less
    reasons: list[str]


class SteadyHighVolumeLambda(Check):
    """
    ## What it does
    Flags a Lambda function whose known volume keeps execution environments busy all month: its
    average concurrency (runs a month x duration / 2,628,000 s, the seconds of a 730-hour month) is
    at least `min_average_concurrency`, or its on-demand cost is at least `min_monthly_spend_usd`,
    or it keeps `min_provisioned_environments` or more environments of provisioned concurrency that
    no Application Auto Scaling target scales. The finding prices the function as it runs today and
    a Fargate service sized to the same work, and states the break-even volume above which the
    service costs less. It fires only when the service costs less at the known volume (or, for
    provisioned concurrency alone, when a break-even utilization below 100 % exists).

    The volume comes from, in this order:
    - a usage file (`--usage-file`): `monthly_requests` and `request_duration_ms` of the function
      (infracost's keys). The finding is then a **warning**;
    - the function's schedules (every schedule counts), each run lasting the function's timeout:
      an **upper bound**, said so in the message and the cost lines, and the finding stays **info**
      (so does a usage file's `monthly_requests` without `request_duration_ms`);
    - provisioned concurrency written in the code (an alias, a version, SAM
      `ProvisionedConcurrencyConfig`, `aws_lambda_provisioned_concurrency_config`), static: no
      scalable target.

    A reserved concurrency caps the runs at what it can bill in a month. An upper bound from a
    schedule every few minutes with a timeout near the interval is CF205's finding (a polling
    loop), not repeated here. It stays quiet when no
    volume is known (an API or a queue without a usage file), when memory or duration cannot be
    resolved, and when the Fargate service would not cost less (a small function whose
    environment costs less than the smallest task).

    ## Why is this bad?
    Lambda bills every millisecond of every invocation at the same on-demand rate, however steady
    the load: one 1 GB environment busy all month costs about $43.80 (x86), and a function busy
    around the clock pays that for each concurrent environment. A container task of the same CPU
    share costs less per hour and serves many requests at once, so for steady load a Fargate
    service (or Lambda Managed Instances, which run the function on EC2 instances in your account at
    EC2 prices plus a management fee, with Savings Plans applying) costs less. AWS's own startup
    guidance puts the turning point at about $300-500 a month of steady Lambda spend. Provisioned
    concurrency kept at a fixed level is paid 730 hours a month whether or not it is used.

    ## Example
    ```yaml
    Ingest:
      Type: AWS::Serverless::Function
      Properties:
        Runtime: python3.12
        MemorySize: 1024
        Events:
          Api: {Type: HttpApi}
    ```
    with a usage file
    ```yaml
    version: 0.1
    resource_usage:
      Ingest:
        monthly_requests: 50000000
        request_duration_ms: 200
    ```
    ```hcl
    resource "aws_lambda_provisioned_concurrency_config" "live" {
      function_name                     = aws_lambda_function.ingest.function_name
      qualifier                         = aws_lambda_alias.live.name
      provisioned_concurrent_executions = 20
    }
    ```

    ## Use instead
    Run the steady part of the load as an ECS service on Fargate (at least two tasks across
    Availability Zones, behind the same API or an Application Load Balancer; Graviton tasks cost
    about 20 % less), or move the function to Lambda Managed Instances and buy a Compute Savings
    Plan. Keep Lambda for spiky traffic that scales to zero; if only the peaks are steady, scale
    provisioned concurrency with Application Auto Scaling instead (CF304).

    The Fargate service is sized one task per busy environment, each task the function's CPU share
    (its memory / 1,769 MB per vCPU, the nearest Fargate size), at least `min_fargate_tasks` tasks:
    a container serving several requests at once needs fewer, so the service's figure is an upper
    bound (set `requests_per_task` when you know how many it serves). Free tier, load balancer and data transfer are not counted.

    ## Options
    - `min_average_concurrency`: average concurrent executions that make a function steady
      (default 1: one environment busy all month).
    - `min_monthly_spend_usd`: on-demand Lambda cost a month that makes a function worth moving
      (default 300, AWS's startup guidance).
    - `min_provisioned_environments`: static provisioned concurrency that makes a function steady
      (default 10).
    - `min_fargate_tasks`: the fewest tasks of the Fargate service, for availability across zones
      (default 2).
    - `requests_per_task`: concurrent requests one Fargate task of the function's CPU share serves
      (default 1, one task per busy environment; an I/O-bound service serves more).

    ## References
    - [Lambda pricing](https://aws.amazon.com/lambda/pricing/) (duration, provisioned concurrency, Managed Instances fees)
    - [Fargate pricing](https://aws.amazon.com/fargate/pricing/)
    - [Lambda Managed Instances](https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances.html)
    - [Fargate task sizes](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size)
    - [Understanding Lambda concurrency](https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html)
    - [infracost usage file](https://www.infracost.io/docs/features/usage_based_resources/)
    """

    id = "CF501"
    name = "steady-high-volume-lambda"
    severity = INFO  # a warning when the usage file gives the volume
    summary = "Lambda function busy all month (or with large static provisioned concurrency) that a Fargate service would run for less"
    tags = ("aws", "lambda", "fargate", "cost", "compute-model", "usage")
    confidence = LOW  # an upper bound (runs x timeout) can make a finding
    kinds = (m.LAMBDA_FUNCTION,)
    options = {
        "min_average_concurrency": Option(1.0, "average concurrent executions that make a function steady", float),
        "min_monthly_spend_usd": Option(300.0, "on-demand Lambda cost a month that makes a function steady", float),
        "min_provisioned_environments": Option(10, "static provisioned concurrency that makes a function steady"),
        "min_fargate_tasks": Option(2, "the fewest tasks of the Fargate service (availability across zones)"),
        "requests_per_task": Option(1, "concurrent requests one Fargate task serves (1: one task per busy environment)"),
    }

    applies_to = (m.LAMBDA_FUNCTION,)

    def detect(self, unit: m.ComputeUnit, ctx: CheckContext) -> Iterable[SteadyLambda]:
        memory = unit.value(m.MEMORY_SIZE)
        if not isinstance(memory, int) or isinstance(memory, bool) or memory <= 0:
            return
        reserved = unit.value(m.RESERVED_CONCURRENCY)
        if reserved == 0:
            return  # throttled: it never runs
        volume = _volume(unit, ctx.usage(unit))
        floor = int(ctx.option("min_provisioned_environments"))
        static = [(q, n) for q, n in warmth.provisioned(unit) if not q.scaled_by and not q.maybe_scaled_by]
        warm = sum(n for _q, n in static)
        arch = pricing.lambda_architecture(unit.value(m.ARCHITECTURES))
        reasons = []
        current = None
        if volume.known:
            current = _current(volume, memory, arch, warm)
            c = volume.concurrency
            if c >= float(ctx.option("min_average_concurrency")):
                reasons.append("concurrency")
            if not warm and current.monthly_usd >= float(ctx.option("min_monthly_spend_usd")):
                reasons.append("spend")
        if static and warm >= floor:
            reasons.append("provisioned")
            if current is None:
                current = _busy_warm(warm, memory, arch)
        if not reasons or current is None or current.monthly_usd is None:
            return
        if volume.upper_bound and not static and _polling_daemon(unit, ctx):
            return  # CF205 reports a frequent schedule with a long timeout, and prices it
        min_tasks = max(1, int(ctx.option("min_fargate_tasks")))
        busy = max(volume.concurrency or 0.0, float(warm))
        per_task = max(1, int(ctx.option("requests_per_task")))
        tasks = max(min_tasks, math.ceil(busy / per_task - 1e-9))
        vcpu, gb, rule = pricing.fargate_for_lambda(memory)
        fargate = pricing.fargate_hours(tasks * pricing.hours_per_month(), vcpu, gb, arch,
                                        option=f"Fargate service {tasks} x {vcpu:g} vCPU / {gb:g} GB ({arch}), always on")
        fargate.assumptions[:0] = [
            rule,
            (f"{tasks} tasks: one per busy environment ({busy:,.1f}), at least {min_tasks} (option min_fargate_tasks); "
             "a task serving several requests at once needs fewer (option requests_per_task), so this is an upper bound"
             if per_task == 1 else
             f"{tasks} tasks: {per_task} concurrent requests per task (option requests_per_task) for {busy:,.1f} busy "
             f"environments, at least {min_tasks} (option min_fargate_tasks)")]
        fargate.assumptions.append("load balancer, data transfer and free tier not counted")
        break_even = _break_even(volume, memory, arch, warm, fargate.monthly_usd / tasks, min_tasks, per_task)
        if break_even is None:
            return  # the service never costs less
        if volume.known and fargate.monthly_usd >= current.monthly_usd:
            return
        yield SteadyLambda(unit, volume, memory, arch, static, current, fargate, tasks, break_even, reasons)

    def explain(self, v: SteadyLambda, ctx: CheckContext) -> Finding:
        unit, vol = v.subject, v.volume
        cur, far = v.current.monthly_usd, v.fargate.monthly_usd
        warm = sum(n for _q, n in v.provisioned)
        if vol.known:
            source = ("the usage file" if vol.runs.from_usage is not None else
                      "its schedule" if len(unit.triggers_of(m.SCHEDULE)) == 1 else "its schedules")
            runs = f"{vol.per_month:,.0f} runs a month from {source}" + (
                ", other callers not counted" if vol.runs.lower_bound else "")
            if vol.upper_bound:
                what = (f"keeps up to {vol.concurrency:,.1f} execution environments busy all month if every run "
                        f"lasts its {vol.duration_s:g} s timeout ({runs}; an upper bound)")
                cost = f"up to ${cur:,.2f} a month on Lambda"
            else:
                if vol.runs.from_usage is not None:
                    volume = f"{vol.per_month:,.0f} runs a month x {vol.duration_s:g} s, from the usage file"
                else:
                    volume = f"{runs} x {vol.duration_s:g} s from the usage file"
                what = f"keeps about {vol.concurrency:,.1f} execution environments busy all month ({volume})"
                cost = f"${cur:,.2f} a month on Lambda"
            if warm:
                what += f" with {_environments(warm)} of provisioned concurrency no scalable target scales"
        else:
            what = f"keeps {_environments(warm)} of provisioned concurrency that no scalable target scales"
            idle = pricing.provisioned_concurrency(warm, v.memory_mb, v.arch).monthly_usd
            cost = f"${cur:,.2f} a month on Lambda if they are busy all month (${idle:,.2f} idle)"
        saving = f" (about ${cur - far:,.2f} less)" if vol.known and not vol.upper_bound else ""
        message = (f"{unit.name} {what}: {cost} against ${far:,.2f} for a Fargate service of {v.tasks} tasks"
                   f"{saving}; break-even: {v.break_even}.")
        recommendation = (
            "If the load is steady, run it as an ECS service on Fargate (at least two tasks across Availability "
            "Zones behind the same API or an Application Load Balancer; Graviton tasks cost about 20 % less), or "
            "move the function to Lambda Managed Instances (EC2 instances in your account at EC2 prices plus a "
            f"management fee, Compute Savings Plans apply: {_LMI_URL}). Keep Lambda if the traffic is spiky or "
            "idles for long periods"
            + ("; if only business hours are busy, scale the provisioned concurrency with Application Auto Scaling "
               "instead (CF304)." if v.provisioned else "."))
        usage = ctx.usage(unit)
        evidence: dict[str, Any] = {
            "memory_size": setting_evidence(unit.setting(m.MEMORY_SIZE)),
            "timeout": setting_evidence(unit.setting(m.TIMEOUT)),
            "architecture": v.arch,
            "reserved_concurrency": setting_evidence(unit.setting(m.RESERVED_CONCURRENCY)),
            "volume": ({
                "runs_per_month": round(vol.per_month, 1),
                "duration_s": vol.duration_s,
                "average_concurrency": round(vol.concurrency, 3),
                "source": ("usage file" if vol.from_usage else "upper bound (timeout)" if vol.upper_bound
                           else "schedules, usage-file duration"),
                "notes": vol.runs.notes + vol.notes,
            } if vol.known else {"source": "provisioned concurrency, assumed busy all month",
                                 "notes": vol.runs.notes}),
            "provisioned_concurrency": [
                {"qualifier": warmth.describe_qualifier(q), "resource": q.resource, "executions": n,
                 **setting_evidence(q.provisioned_concurrency)} for q, n in v.provisioned],
            "fargate_tasks": v.tasks,
            "break_even": v.break_even,
            "triggers": [{"kind": t.kind, "resource": t.resource, "at": str(t.location)} for t in unit.triggers],
        }
        if usage:
            evidence["usage"] = {k: setting_evidence(usage.get(k)) for k in sorted(usage.settings)}
        if vol.from_usage:
            severity, confidence = WARNING, HIGH
        elif vol.known and not vol.upper_bound and not vol.runs.lower_bound:
            severity, confidence = INFO, MEDIUM
        else:  # an upper bound, or provisioned concurrency assumed busy all month
            severity, confidence = INFO, LOW
        # the line to look at: the provisioned concurrency, the timeout behind an upper bound, else the function
        at = (v.provisioned[0][0].provisioned_concurrency if v.provisioned
              else unit.setting(m.TIMEOUT) if vol.known and vol.upper_bound else None)
        return self.finding(unit, message, recommendation, at=at if isinstance(at, m.Setting) else None,
                            severity=severity, confidence=confidence, evidence=evidence,
                            costs=[v.current, v.fargate], related=[q.resource for q, _n in v.provisioned])


def _polling_daemon(unit: m.ComputeUnit, ctx: CheckContext) -> bool:
    """Whether CF205 (a schedule every few minutes with a timeout near the interval) reports the
    function, with its default options: an upper bound from that schedule is its finding."""
    from computefit.checks.cf205_scheduled_lambda_runs_like_a_daemon import ScheduledLambdaRunsLikeADaemon as CF205

    return any(True for _ in CF205().detect(unit, CheckContext(CF205.default_options(), ctx.model)))


def _volume(unit: m.ComputeUnit, usage) -> Volume:
    """Runs a month (usage file, else schedules) and their duration (usage file, else the timeout)."""
    runs = pricing.lambda_runs(unit, usage)
    given = usage.get("request_duration_ms") if usage else None
    notes: list[str] = []
    if given is not None:
        duration = float(given.value) / 1000
        notes.append(pricing.input_note("request duration", given, f"{given.value:g} ms"))
    else:
        timeout = unit.value(m.TIMEOUT)
        duration = (float(min(timeout, facts.value("lambda.timeout_max")))
                    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0 else None)
        if duration is not None:
            notes.append(pricing.input_note("every run lasts the timeout (an upper bound)", unit.setting(m.TIMEOUT),
                                            f"{duration:g} s")
                         + "; give request_duration_ms in a usage file")
    per_month = runs.per_month
    if per_month is not None and duration:
        per_month, capped = pricing.capped_runs(per_month, duration, unit.value(m.RESERVED_CONCURRENCY))
        notes += capped
    return Volume(runs, per_month, duration, given, notes)


def _current(volume: Volume, memory: int, arch: str, warm: int) -> CostLine:
    """The function's monthly cost at its volume: on demand, or on its provisioned concurrency
    (``warm`` environments) with what does not fit on it billed on demand."""
    runs, duration = volume.per_month, volume.duration_s
    basis = list(volume.runs.notes) + list(volume.notes)
    if not warm:
        line = pricing.lambda_job(runs, duration, memory, arch,
                                  option=f"current: Lambda {memory} MB on demand ({arch})")
        line.assumptions[:0] = basis
        return line
    pc = pricing.provisioned_concurrency(warm, memory, arch)
    share = min(1.0, warm / volume.concurrency) if volume.concurrency else 1.0
    on_pc = runs * share
    rate = prices.rate("lambda_pc_duration_gb_second", arch)
    gb_s = on_pc * duration * memory / 1024
    spill = pricing.lambda_job(runs - on_pc, duration, memory, arch)
    total = pc.monthly_usd + gb_s * rate + on_pc * prices.rate("lambda_request") + spill.monthly_usd
    return CostLine(
        f"current: Lambda {memory} MB with provisioned concurrency {warm} ({arch})", total,
        basis + pc.assumptions[:1]
        + [f"{on_pc:,.0f} runs on it: {gb_s:,.0f} GB-s x ${pricing._p(rate)}/GB-s + requests",
           f"{runs - on_pc:,.0f} runs beyond it on demand: ${spill.monthly_usd:,.2f}"])


def _busy_warm(warm: int, memory: int, arch: str) -> CostLine:
    """Provisioned concurrency of unknown use, its environments busy all month (the steady load
    the check is about): the warm capacity plus its duration at the provisioned rate."""
    pc = pricing.provisioned_concurrency(warm, memory, arch)
    month_s = float(facts.meta("seconds_per_month"))
    rate = prices.rate("lambda_pc_duration_gb_second", arch)
    busy = warm * memory / 1024 * month_s * rate
    return CostLine(
        f"current: Lambda provisioned concurrency {warm} x {memory} MB, busy all month (steady load assumed)",
        pc.monthly_usd + busy,
        pc.assumptions[:1]
        + [f"invocations unknown: the {warm} environments assumed busy all month, {warm * memory / 1024 * month_s:,.0f} "
           f"GB-s x ${pricing._p(rate)}/GB-s = ${busy:,.2f}",
           f"idle, the warm capacity alone costs ${pc.monthly_usd:,.2f} a month; request charges not counted"])


def _break_even(volume: Volume, memory: int, arch: str, warm: int, task_month: float,
                min_tasks: int, per_task: int = 1) -> str | None:
    """Where the Fargate service starts to cost less, in words: for provisioned concurrency, the
    share of the month its environments must be busy; for runs at their timeout (an upper bound),
    the average duration a run must exceed; else the runs a month (at the known duration) above
    which the function costs more than ``min_tasks`` tasks. None when the service never costs
    less."""
    month_s = float(facts.meta("seconds_per_month"))
    gb = memory / 1024
    gb_s = prices.rate("lambda_gb_second", arch)
    request = float(prices.rate("lambda_request"))
    if warm:
        tasks = max(min_tasks, math.ceil(warm / per_task))
        warm_cost = pricing.provisioned_concurrency(warm, memory, arch).monthly_usd
        busy_cost = warm * gb * month_s * prices.rate("lambda_pc_duration_gb_second", arch)
        u = (tasks * task_month - warm_cost) / busy_cost
        if u >= 1:
            return None
        if u <= 0:
            return f"the service costs less even while the {_environments(warm)} of provisioned concurrency idle"
        return (f"the service costs less once the {_environments(warm)} of provisioned concurrency are busy more than "
                f"{max(u, 0):.0%} of the month on average (request charges not counted)")
    env_month = month_s * (request / volume.duration_s + gb * gb_s)  # one environment busy all month
    if task_month / per_task > env_month:
        return None  # an environment costs less than a task: the service never does
    if volume.upper_bound:
        runs = volume.per_month
        d = (min_tasks * task_month / runs - request) / (gb * gb_s)
        if d >= volume.duration_s:
            return None
        return (f"at {runs:,.0f} runs a month the service costs less only if a run lasts more than "
                f"{max(d, 0):,.0f} s on average (give request_duration_ms in a usage file)")
    per_run = request + volume.duration_s * gb * gb_s
    n = min_tasks * task_month / per_run
    return (f"the service ({min_tasks} tasks) costs less than the function above {_count(n)} runs a month at "
            f"{volume.duration_s:g} s a run")


def _environments(n: int) -> str:
    return "1 environment" if n == 1 else f"{n} environments"


def _count(n: float) -> str:
    """A volume for a sentence: ``10.2 M``, ``45,600``."""
    return f"about {n / 1e6:,.1f} M" if n >= 1e6 else f"about {n:,.0f}"
