from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from computefit import facts, pricing
from computefit import model as m
from computefit.check import (
    HIGH, WARNING, Check, CheckContext, CostLine, Finding, Option, Violation, setting_evidence,
)


def _interval(seconds: float) -> str:
    if seconds % 60 == 0:
        n = int(seconds // 60)
        return f"{n} minute{'s' if n != 1 else ''}"
    return f"{seconds:g} s"


@dataclass
class Daemon(Violation):
    """A scheduled function that runs most of the interval between its runs, like a daemon."""

    timeout: m.Setting
    timeout_s: int
    trigger: m.Trigger  # the most frequent schedule
    interval_s: float


class ScheduledLambdaRunsLikeADaemon(Check):
    """
    ## What it does
    Flags a Lambda function run by a schedule (an EventBridge rule, an EventBridge Scheduler
    schedule, a SAM `Schedule` / `ScheduleV2` event) every 5 minutes or more often - `rate()` or
    `cron()`, the shortest gap between two runs counts - whose timeout is at least half the
    interval. Quiet for schedules less frequent than every 5 minutes and for timeouts below half
    the interval.

    ## Why is this bad?
    A function woken every minute with a 60-second timeout is a polling loop: it checks a queue, a
    table or an API for work and may keep one execution environment busy around the clock. Lambda
    bills that by the millisecond at its on-demand rate - a 1 GB function busy all month costs
    about $44 - where a small always-on Fargate task costs about $9, and an event source that
    invokes the function only when there is work costs nothing while there is none. When the
    timeout is longer than the interval, runs overlap and each one is billed.

    ## Example
    ```yaml
    PollerFunction:
      Type: AWS::Serverless::Function
      Properties:
        Runtime: python3.12
        Handler: poll.handler
        Timeout: 60
        Events:
          EveryMinute:
            Type: ScheduleV2
            Properties:
              ScheduleExpression: rate(1 minute)
    ```
    ```hcl
    resource "aws_cloudwatch_event_rule" "poll" {
      schedule_expression = "rate(2 minutes)"
    }
    resource "aws_lambda_function" "poller" {
      timeout = 90
    }
    ```

    ## Use instead
    Let the source invoke the function when there is work: an SQS queue (event source mapping), an
    EventBridge rule on the event itself, S3 event notifications, or a DynamoDB or Kinesis stream.
    If the work must run continuously, run it as one small always-on Fargate task. If each run is
    in fact short, keep the schedule and lower the timeout to what a run needs.
    ```yaml
    PollerFunction:
      Type: AWS::Serverless::Function
      Properties:
        Timeout: 30
        Events:
          Work:
            Type: SQS
            Properties:
              Queue: !GetAtt WorkQueue.Arn
    ```

    ## Options
    - `max_interval_minutes`: schedules running at least this often are checked (default 5).
    - `timeout_fraction`: the share of the interval at or above which the timeout counts as a
      daemon's (default 0.5).

    ## References
    - [Lambda pricing](https://aws.amazon.com/lambda/pricing/)
    - [Fargate pricing](https://aws.amazon.com/fargate/pricing/)
    - [Lambda event source mappings](https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html)
    - [EventBridge Scheduler schedule types](https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html)
    - [Reserved concurrency](https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html)
    """

    id = "CF205"
    name = "scheduled-lambda-runs-like-a-daemon"
    severity = WARNING
    summary = "Lambda scheduled every few minutes with a timeout of half the interval or more: a polling daemon billed per millisecond"
    tags = ("aws", "lambda", "eventbridge", "schedule", "cost", "compute-model")
    options = {
        "max_interval_minutes": Option(5, "schedules at least this frequent (minutes between runs) are checked"),
        "timeout_fraction": Option(0.5, "share of the interval at or above which the timeout counts", float),
    }

    applies_to = (m.LAMBDA_FUNCTION,)

    def detect(self, unit: m.ComputeUnit, ctx: CheckContext) -> Iterable[Daemon]:
        setting = unit.setting(m.TIMEOUT)
        if setting is None or not setting.known or isinstance(setting.value, bool) \
                or not isinstance(setting.value, (int, float)):
            return
        timeout = int(setting.value)
        max_interval = float(ctx.option("max_interval_minutes")) * 60
        fraction = float(ctx.option("timeout_fraction"))
        frequent = [(t.schedule.interval_seconds, t) for t in unit.triggers_of(m.SCHEDULE)
                    if t.schedule is not None and getattr(t.schedule, "interval_seconds", None)
                    and t.schedule.interval_seconds <= max_interval]
        if not frequent:
            return
        interval, trigger = min(frequent, key=lambda x: x[0])
        if timeout >= fraction * interval:
            yield Daemon(unit, setting, timeout, trigger, interval)

    def explain(self, v: Daemon, ctx: CheckContext) -> Finding:
        unit, t = v.subject, v.trigger
        expr = t.schedule.expression
        share = v.timeout_s / v.interval_s
        message = (
            f"{unit.name} runs every {_interval(v.interval_s)} ({expr}, {t.resource}) with a timeout of "
            f"{v.timeout_s} s ({v.timeout.describe_origin()}), {share:.0%} of the interval: a polling loop "
            "that can keep an execution environment busy for as long as it is scheduled, billed by the "
            "millisecond like an always-on server.")
        if v.timeout_s > v.interval_s:
            message += " Its runs can overlap, and each one is billed."
        evidence: dict[str, Any] = {
            "timeout": setting_evidence(v.timeout),
            "schedule": {"resource": t.resource, "at": str(t.location), "expression": expr,
                         "interval_seconds": v.interval_s, "runs_per_day": t.schedule.runs_per_day,
                         **({"set_at": str(t.settings[m.SCHEDULE_EXPRESSION].location)}
                            if t.settings.get(m.SCHEDULE_EXPRESSION) is not None
                            and t.settings[m.SCHEDULE_EXPRESSION].location is not None else {})},
            "timeout_fraction_of_interval": round(share, 3),
            "memory_size": setting_evidence(unit.setting(m.MEMORY_SIZE)),
            "reserved_concurrency": setting_evidence(unit.setting(m.RESERVED_CONCURRENCY)),
        }
        if unit.notes:
            evidence["notes"] = list(unit.notes)
        recommendation = (
            "If it polls a source for work, let the source invoke it instead: an SQS queue (event source "
            "mapping), an EventBridge rule on the event, S3 event notifications, or a DynamoDB or Kinesis "
            "stream. If the work must run continuously, run it as one small always-on Fargate task (cost below). "
            f"If each run is in fact short, keep the schedule and lower the timeout well below the interval "
            f"({_interval(v.interval_s)}).")
        return self.finding(unit, message, recommendation, at=v.timeout, confidence=HIGH,
                            evidence=evidence, costs=self._costs(unit, v, ctx.usage(unit)))

    @staticmethod
    def _costs(unit: m.ComputeUnit, v: Daemon, usage) -> list[CostLine]:
        memory = unit.value(m.MEMORY_SIZE)
        if not isinstance(memory, int) or isinstance(memory, bool):
            return [CostLine("current: Lambda", None, ["memory size could not be resolved"])]
        arch = pricing.lambda_architecture(unit.value(m.ARCHITECTURES))
        runs = pricing.runs_per_month(v.trigger.schedule.runs_per_day)
        month = float(facts.meta("seconds_per_month"))
        reserved = unit.value(m.RESERVED_CONCURRENCY)
        if not (isinstance(reserved, int) and not isinstance(reserved, bool) and reserved > 0):
            reserved = None
        environments = reserved or 1
        busy = min(runs * v.timeout_s, environments * month)
        current = pricing.lambda_job(runs, busy / runs, memory, arch,
                                     option=f"current: Lambda {memory} MB, {runs:,.0f} runs a month, at most")
        bound = f"upper bound: every run lasts the full {v.timeout_s} s timeout"
        if busy < runs * v.timeout_s:
            bound += (f", capped at {reserved} execution environment(s) busy all month (reserved concurrency)"
                      if reserved else
                      ", capped at one execution environment busy all month (runs assumed not to overlap; with "
                      "no reserved concurrency to stop them, overlapping runs would bill more)")
        inputs = [f"{runs:,.1f} runs/month from schedule {v.trigger.resource} ({v.trigger.schedule.expression})",
                  pricing.input_note("memory", unit.setting(m.MEMORY_SIZE), f"{memory} MB"),
                  pricing.input_note("timeout", v.timeout, f"{v.timeout_s} s")]
        current.assumptions[:0] = [bound, *inputs]
        lower = pricing.lambda_job(runs, 0.1, memory, arch,
                                   option=f"current: Lambda {memory} MB, {runs:,.0f} runs a month of 100 ms each")
        lower.assumptions[:0] = ["lower bound: each run finds no work and returns in 100 ms", *inputs[:2]]
        vcpu, gb, rule = pricing.fargate_for_lambda(memory)
        far = pricing.fargate_job(1, month, vcpu, gb, arch,
                                  option=f"Fargate task {vcpu:g} vCPU / {gb:g} GB, always on")
        far.assumptions[:0] = ["one task running all month, sized to the function's memory and CPU share", rule]
        given = usage.get("request_duration_ms")
        if given is not None:  # the usage file says how long a run takes: one figure, not two bounds
            duration = min(given.value / 1000, v.timeout_s)
            count, capped = pricing.capped_runs(runs, duration, unit.value(m.RESERVED_CONCURRENCY))
            known = pricing.lambda_job(count, duration, memory, arch,
                                       option=f"current: Lambda {memory} MB, {count:,.0f} runs a month of {duration:g} s")
            known.assumptions[:0] = [pricing.input_note("each run", given, f"{given.value:,} ms"), *capped, *inputs[:2]]
            return [known, far]
        return [current, lower, far]
