from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from computefit import facts, pricing
from computefit import model as m
from computefit.check import (
    ERROR, HIGH, WARNING, Check, CheckContext, Finding, Option, Violation, setting_evidence,
)


def _threshold_default() -> int:
    return int(facts.value("lambda.timeout_max") * 0.8)


@dataclass
class NearTimeout(Violation):
    """A function whose timeout is at or above the threshold, near Lambda's hard limit."""

    setting: m.Setting  # the timeout, where it is set
    timeout: int
    threshold: int
    limit: int


class LambdaNearTimeoutLimit(Check):
    """
    ## What it does
    Flags a Lambda function whose effective timeout is at or above 80 % of Lambda's 900-second hard
    limit (720 s by default), whatever set it: the function itself, SAM `Globals`, a CloudFormation
    parameter default, a Terraform variable default or `.tfvars` file, or a module input. A timeout
    above 900 s is an error: the deployment is rejected.

    A Lambda durable function (`DurableConfig` / `durable_config`) is already on the model this check
    recommends: it checkpoints and replays, each invocation resuming where the last one stopped, so
    a long invocation timeout is by design and the check stays quiet for it (above 900 s it is
    still an error).

    ## Why is this bad?
    A function configured to run for 12-15 minutes is doing long-running work on a platform built
    for short tasks. There is no headroom: as the data grows the job hits the hard limit and is
    killed mid-way, asynchronous invocations are retried twice (paying up to three times for a run
    that cannot finish), and queue messages become visible again and are processed twice. Lambda
    also bills the whole wall-clock time at its per-GB-second rate, roughly twice Fargate's price
    for a vCPU-hour of steady work.

    ## Example
    ```yaml
    Globals:
      Function:
        Timeout: 900          # every function inherits 15 minutes
    Resources:
      NightlyExport:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: export.handler
    ```
    ```hcl
    variable "export_timeout" {
      default = 900
    }
    resource "aws_lambda_function" "export" {
      timeout = var.export_timeout
    }
    ```

    ## Use instead
    Split multi-step work into a Step Functions state machine (a `Map` state, or Distributed Map
    for large fan-out) or Lambda durable functions (checkpointed, up to a year), keeping each
    invocation short. Run one long task as an ECS task on Fargate or an AWS Batch job, started by
    EventBridge Scheduler or Step Functions (`.sync`).
    ```yaml
    ExportJob:
      Type: AWS::Scheduler::Schedule
      Properties:
        ScheduleExpression: cron(30 1 * * ? *)
        Target:
          Arn: !GetAtt ExportCluster.Arn          # ECS RunTask on Fargate
          RoleArn: !GetAtt SchedulerRole.Arn
          EcsParameters:
            TaskDefinitionArn: !Ref ExportTask
            LaunchType: FARGATE
    ```

    The recommendation depends on what invokes the function: a queue (a smaller batch, partial
    batch responses, a visibility timeout of six times the function timeout), a stream (smaller
    batches, bisecting failed batches), a Step Functions state machine (already orchestrated: split
    the state, or run it as an ECS task with `ecs:runTask.sync`), a CloudFormation custom resource
    (a shorter timeout, or asynchronous completion), an API or other synchronous caller (it gives up
    first, see CF202; a Regional or private REST API can raise its integration timeout above 29 s,
    an edge-optimized one or an HTTP API cannot), or a schedule (EventBridge Scheduler starting an
    ECS task with RunTask).

    The costs compare the function on Lambda with a Fargate task of its CPU share (memory / 1,769 MB
    per vCPU, rounded to the nearest valid Fargate size) over its runs a month: a usage file's
    `monthly_requests`, else the runs of every schedule that invokes it (a lower bound when other
    callers add runs); each run lasts the usage file's `request_duration_ms`, else the full timeout
    (an upper bound), and the runs are capped by what reserved concurrency can bill (730 h per
    environment). When nothing counts the runs, the lines give the cost per 1,000 runs.

    ## Options
    - `threshold_seconds`: the timeout at or above which the check warns (default 720 = 80 % of 900).

    ## References
    - [Lambda quotas](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html) (900 s limit)
    - [Lambda durable functions](https://docs.aws.amazon.com/lambda/latest/dg/durable-basic-concepts.html)
    - [Asynchronous invocation retries](https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html)
    - [AWS Batch: when to use Fargate](https://docs.aws.amazon.com/batch/latest/userguide/when-to-use-fargate.html)
    """

    id = "CF201"
    name = "lambda-near-timeout-limit"
    severity = WARNING
    summary = "Lambda timeout at or near the 15-minute hard limit: long-running work on the wrong model"
    tags = ("aws", "lambda", "timeout", "reliability", "cost", "compute-model")
    kinds = (m.LAMBDA_FUNCTION,)
    options = {
        "threshold_seconds": Option(_threshold_default(), "timeout (s) at or above which to warn"),
    }

    applies_to = (m.LAMBDA_FUNCTION,)

    def detect(self, unit: m.ComputeUnit, ctx: CheckContext) -> Iterable[NearTimeout]:
        threshold = int(ctx.option("threshold_seconds"))
        limit = int(facts.value("lambda.timeout_max"))
        setting = unit.setting(m.TIMEOUT)
        if setting is None or not setting.known or not isinstance(setting.value, (int, float)):
            return
        timeout = int(setting.value)
        if timeout < threshold:
            return
        if timeout <= limit and self._durable(unit):
            return  # checkpointed and replayed: a long invocation timeout is by design
        yield NearTimeout(unit, setting, timeout, threshold, limit)

    def explain(self, v: NearTimeout, ctx: CheckContext) -> Finding:
        return self._finding(v.subject, v.setting, v.timeout, v.threshold, v.limit, ctx)

    @staticmethod
    def _durable(unit) -> bool:
        """A Lambda durable function (DurableConfig / durable_config), known to be configured."""
        s = unit.setting(m.DURABLE_EXECUTION_TIMEOUT)
        return s is not None and s.known

    def _finding(self, unit, setting, timeout, threshold, limit, ctx: CheckContext) -> Finding:
        where = setting.describe_origin()
        if timeout > limit:
            severity = ERROR
            message = (
                f"{unit.name} has a timeout of {timeout} s ({where}), above Lambda's hard limit of "
                f"{limit} s: the deployment will be rejected."
            )
        else:
            severity = WARNING
            message = (
                f"{unit.name} has a timeout of {timeout} s ({where}), {timeout / limit:.0%} of Lambda's "
                f"{limit}-second hard limit: work this long has no headroom and is retried or killed "
                "as it grows."
            )
        recommendation = _recommendation(unit)
        costs = self._costs(unit, setting, min(timeout, limit), ctx.usage(unit))
        evidence = {
            "timeout": setting_evidence(setting),
            "threshold_seconds": threshold,
            "hard_limit_seconds": limit,
            "triggers": [{"kind": t.kind, "resource": t.resource, "at": str(t.location)} for t in unit.triggers],
        }
        if unit.notes:
            evidence["notes"] = list(unit.notes)
        return self.finding(unit, message, recommendation, at=setting, severity=severity,
                            confidence=HIGH, evidence=evidence, costs=costs)


    @staticmethod
    def _costs(unit: m.ComputeUnit, timeout: m.Setting, timeout_s: int, usage) -> list[pricing.CostLine]:
        """The function on Lambda and as a Fargate task of its size, over its runs a month (the
        usage file's, or its schedules'), each run its usage-file duration or the full timeout (an
        upper bound), capped by what its reserved concurrency can bill; per 1,000 runs when the runs
        a month are unknown."""
        mem_setting = unit.setting(m.MEMORY_SIZE)
        memory = mem_setting.value if mem_setting is not None else None
        if not isinstance(memory, int) or isinstance(memory, bool):
            return []
        arch = pricing.lambda_architecture(unit.value(m.ARCHITECTURES))
        given = usage.get("request_duration_ms")
        if given is not None:
            duration = min(given.value / 1000, timeout_s)
            dur_note = pricing.input_note("each run", given, f"{given.value:,} ms")
            if given.value / 1000 > timeout_s:
                dur_note += f" (more than the timeout: {timeout_s} s counted)"
        else:
            duration = timeout_s
            dur_note = (f"every run lasts the full timeout, {timeout_s} s (an upper bound; give "
                        "request_duration_ms in a usage file)")
        inputs = [pricing.input_note("memory", mem_setting, f"{memory} MB"),
                  pricing.input_note("timeout", timeout, f"{timeout.value} s")]
        runs = pricing.lambda_runs(unit, usage)
        vcpu, gb, rule = pricing.fargate_for_lambda(memory)
        lam_label = f"current: Lambda {memory} MB, {duration:g} s"
        far_label = f"Fargate task {vcpu:g} vCPU / {gb:g} GB, {duration:g} s"
        if not runs.known:
            lam = pricing.per_1000_runs(pricing.lambda_job(1000, duration, memory, arch, option=f"{lam_label} per run"),
                                        [dur_note, *runs.notes, *inputs])
            far = pricing.per_1000_runs(pricing.fargate_job(1000, duration, vcpu, gb, arch, option=f"{far_label} per run"),
                                        [dur_note, *runs.notes, rule])
            return [lam, far]
        count, capped = pricing.capped_runs(runs.per_month, duration, unit.value(m.RESERVED_CONCURRENCY))
        label = f"x {count:,.0f} runs/month" + (" (at least)" if runs.lower_bound else "")
        lam = pricing.lambda_job(count, duration, memory, arch, option=f"{lam_label} {label}")
        lam.assumptions[:0] = [dur_note, *runs.notes, *capped, *inputs]
        far = pricing.fargate_job(count, duration, vcpu, gb, arch, option=f"{far_label} {label}")
        far.assumptions[:0] = [dur_note, *runs.notes, *capped, rule]
        # known usage when the runs are counted in full (a usage file, or schedules only) and each
        # run's duration is given; the full timeout is an upper bound, an assumption
        lam.assumed = far.assumed = runs.lower_bound or given is None
        return [lam, far]


_GENERIC = ("Split multi-step work into Step Functions (Standard, with a Map state) or Lambda durable "
            "functions so each invocation stays short; run one long task as an ECS task on Fargate or "
            "an AWS Batch job started by EventBridge Scheduler or Step Functions.")


def _names(triggers: list[m.Trigger]) -> str:
    return ", ".join(dict.fromkeys(t.resource for t in triggers))


def _recommendation(unit: m.ComputeUnit) -> str:
    """What to do, by what invokes the function: its callers each change the advice."""
    from computefit.checks.cf202_lambda_timeout_exceeds_caller_limit import LambdaTimeoutExceedsCallerLimit

    parts = []
    # the callers a client waits on (a Step Functions Task's own timeout is advised on below)
    waiting = [(t, c) for t in unit.triggers if t.kind != m.STEP_FUNCTIONS
               and (c := LambdaTimeoutExceedsCallerLimit.limit(t)) is not None]
    if waiting:
        t, c = min(waiting, key=lambda x: x[1].limit_ms)
        text = (f"Its caller {t.resource} gives up after {c.limit_ms / 1000:g} s (CF202), so the rest of this "
                "timeout runs, and bills, after the client has received an error: return 202 and do the work "
                "asynchronously (a queue or a Step Functions execution, and a status endpoint)")
        if any(x.kind in (m.REST_API, m.HTTP_API, m.API_GATEWAY) for x, _c in waiting):
            text += ", or stream the response (a function URL or REST response streaming, up to 15 minutes)"
        if any(x.kind == m.REST_API for x, _c in waiting):
            text += ("; a Regional or private REST API can also raise its integration timeout above 29 s "
                     "(an edge-optimized one cannot)")
        parts.append(text + ".")
    queues = unit.triggers_of(m.SQS)
    if queues:
        parts.append(f"It consumes SQS ({_names(queues)}): take fewer messages per invocation (a smaller "
                     "BatchSize), report partial batch failures (ReportBatchItemFailures) so one slow message "
                     "does not send the whole batch back to the queue, and keep the queue's visibility timeout "
                     "at least six times the function timeout; a Fargate service scaled on queue depth takes jobs "
                     "of any length.")
    streams = unit.triggers_of(m.KINESIS, m.DYNAMODB_STREAM, m.KAFKA, m.MQ)
    if streams:
        parts.append(f"It reads {_names(streams)}: smaller batches (BatchSize), partial batch responses and "
                     "BisectBatchOnFunctionError keep one slow record from holding up its shard or partition.")
    machines = unit.triggers_of(m.STEP_FUNCTIONS)
    if machines:
        parts.append(f"It already runs in a Step Functions state machine ({_names(machines)}): split this task "
                     "into smaller states (a Map state over its items, or a loop that carries a checkpoint), or "
                     "run it from the state machine as an ECS task on Fargate (ecs:runTask.sync), rather than "
                     "adding another workflow.")
    custom = unit.triggers_of(m.CUSTOM_RESOURCE)
    if custom:
        parts.append(f"It backs a CloudFormation custom resource ({_names(custom)}): keep the handler short (a "
                     "lower timeout, so a failure is reported at once instead of leaving the stack waiting), or "
                     "complete asynchronously: start the work, return, and send the response to the pre-signed "
                     "URL when it ends (the CDK Provider framework's isComplete handler does this).")
    schedules = unit.triggers_of(m.SCHEDULE)
    if schedules:
        parts.append(f"It runs on a schedule ({_names(schedules)}): point the schedule at an ECS task on Fargate "
                     "instead (EventBridge Scheduler with an ECS RunTask target), which has no 15-minute limit.")
    if not parts:
        return _GENERIC
    if not machines:
        parts.append("Multi-step work can also be split into Step Functions or Lambda durable functions so each "
                     "invocation stays short.")
    return " ".join(parts)

