from __future__ import annotations

from typing import Iterable

from computefit import facts, pricing
from computefit import model as m
from computefit.check import ERROR, HIGH, WARNING, Check, CheckContext, Finding, Option, setting_evidence


def _threshold_default() -> int:
    return int(facts.value("lambda.timeout_max") * 0.8)


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

    def run(self, model: m.Model, ctx: CheckContext) -> Iterable[Finding]:
        threshold = int(ctx.option("threshold_seconds"))
        limit = int(facts.value("lambda.timeout_max"))
        for unit in model.units_of(m.LAMBDA_FUNCTION):
            setting = unit.setting(m.TIMEOUT)
            if setting is None or not setting.known or not isinstance(setting.value, (int, float)):
                continue
            timeout = int(setting.value)
            if timeout < threshold:
                continue
            if timeout <= limit and self._durable(unit):
                continue  # checkpointed and replayed: a long invocation timeout is by design
            yield self._finding(unit, setting, timeout, threshold, limit)

    @staticmethod
    def _durable(unit) -> bool:
        """A Lambda durable function (DurableConfig / durable_config), known to be configured."""
        s = unit.setting(m.DURABLE_EXECUTION_TIMEOUT)
        return s is not None and s.known

    def _finding(self, unit, setting, timeout, threshold, limit) -> Finding:
        where = setting.describe_origin()
        kinds = sorted({t.kind for t in unit.triggers})
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
        sync = [k for k in kinds if k in (m.REST_API, m.HTTP_API, m.APPSYNC)]
        recommendation = (
            "Split multi-step work into Step Functions (Standard, with a Map state) or Lambda durable "
            "functions so each invocation stays short; run one long task as an ECS task on Fargate or "
            "an AWS Batch job started by EventBridge Scheduler or Step Functions."
        )
        if sync:
            api_ms = min(int(facts.value("integration.rest_api_timeout_ms")),
                         int(facts.value("integration.http_api_timeout_ms")))
            recommendation += (
                f" Its API caller gives up after about {api_ms // 1000} s, so the rest of this timeout only "
                "runs (and bills) after the client has received an error: return 202 and do the work "
                "asynchronously."
            )
        memory = unit.value(m.MEMORY_SIZE)
        arch = pricing.lambda_architecture(unit.value(m.ARCHITECTURES))
        costs = []
        if isinstance(memory, int):
            runs = self._runs_per_month(unit)
            basis = runs if runs is not None else 1.0
            label = f"x {runs:,.0f} runs/month" if runs is not None else "one run"
            duration = min(timeout, limit)
            lam = pricing.lambda_job(basis, duration, memory, arch,
                                     option=f"current: Lambda {memory} MB, {duration} s {label}")
            lam.assumptions.insert(0, "every run lasts the full timeout (an upper bound)")
            vcpu, gb = pricing.fargate_size(memory / facts.value("lambda.mb_per_vcpu"), memory / 1024)
            far = pricing.fargate_job(basis, duration, vcpu, gb, arch,
                                      option=f"Fargate task {vcpu:g} vCPU / {gb:g} GB, {duration} s {label}")
            costs = [lam, far]
            if runs is None:
                for c in costs:
                    c.assumptions.append("one run; no schedule was found to count runs per month")
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
    def _runs_per_month(unit) -> float | None:
        total = 0.0
        found = False
        for t in unit.triggers_of(m.SCHEDULE):
            expr = t.settings.get(m.SCHEDULE_EXPRESSION)
            if expr is None or not expr.known or not isinstance(expr.value, str):
                return None
            from computefit.schedules import parse_aws

            sched = parse_aws(expr.value)
            if sched.runs_per_day is None:
                return None
            total += pricing.runs_per_month(sched.runs_per_day)
            found = True
        if not found or len(unit.triggers) != len(unit.triggers_of(m.SCHEDULE)):
            return None
        return total
