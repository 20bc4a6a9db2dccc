from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from computefit import facts, pricing, runtimes, warmth
from computefit import model as m
from computefit.check import (
    MEDIUM, WARNING, Check, CheckContext, CostLine, Finding, Violation, setting_evidence,
)

_LABEL = {
    m.SCHEDULE: "schedule", m.SQS: "SQS queue", m.S3: "S3 notification", m.SNS: "SNS subscription",
    m.EVENTBRIDGE: "EventBridge rule", m.STEP_FUNCTIONS: "state machine", m.KINESIS: "Kinesis stream",
    m.DYNAMODB_STREAM: "DynamoDB stream", m.KAFKA: "Kafka topic", m.MQ: "Amazon MQ broker", m.IOT: "IoT rule",
    m.CLOUDWATCH_LOGS: "log subscription",
}


@dataclass
class WarmForNoOne(Violation):
    """Provisioned concurrency on a function no latency-sensitive caller waits for."""

    warm: list[tuple[m.Qualifier, int]]  # the qualifiers with provisioned concurrency


class ProvisionedConcurrencyWithoutLatencyNeed(Check):
    """
    ## What it does
    Flags provisioned concurrency on a Lambda alias or version when every caller of the function
    in the scanned code is a background source: SQS, Kinesis, DynamoDB streams, Kafka, Amazon MQ,
    schedules, S3, SNS, EventBridge rules, Step Functions, IoT rules or log subscriptions. No
    REST or HTTP API, load balancer, function URL, AppSync resolver or API Gateway authorizer
    invokes it.

    A function with no caller in the scanned code is not reported (it may be invoked from
    elsewhere), nor is one with a WebSocket API or a caller the linker cannot classify. Callers
    outside the scanned code (an SDK `Invoke` from another service) cannot be seen, so the finding
    has medium confidence. Provisioned concurrency that cannot be resolved is not reported.

    ## Why is this bad?
    Provisioned concurrency keeps execution environments initialised around the clock and bills
    them whether or not they run: about $11 per GB of memory per month on x86 ($8.76 on arm64)
    for each environment. It exists to remove cold starts from a user's wait. A queue or stream
    consumer, a scheduled job or an event handler has no user waiting: a cold start delays a
    message by a fraction of a second, and Lambda retries or buffers meanwhile.

    ## Example
    ```yaml
    OrderConsumer:
      Type: AWS::Serverless::Function
      Properties:
        Runtime: java21
        AutoPublishAlias: live
        ProvisionedConcurrencyConfig:
          ProvisionedConcurrentExecutions: 5
        Events:
          Orders:
            Type: SQS
            Properties:
              Queue: !GetAtt OrdersQueue.Arn
    ```
    ```hcl
    resource "aws_lambda_provisioned_concurrency_config" "consumer" {
      function_name                     = aws_lambda_function.consumer.function_name
      qualifier                         = aws_lambda_alias.live.name
      provisioned_concurrent_executions = 5
    }
    resource "aws_lambda_event_source_mapping" "orders" {
      event_source_arn = aws_sqs_queue.orders.arn
      function_name    = aws_lambda_alias.live.arn
    }
    ```

    ## Use instead
    Remove the provisioned concurrency. If initialisation is slow enough to hold back throughput,
    enable SnapStart (Java 11+, Python 3.12+, .NET 8+; free for Java, a snapshot cache and restore
    charge for Python and .NET) and keep the consumer on a published version; to bound parallelism use the event source's maximum
    concurrency (or reserved concurrency), not provisioned concurrency.
    ```yaml
    OrderConsumer:
      Type: AWS::Serverless::Function
      Properties:
        Runtime: java21
        AutoPublishAlias: live
        SnapStart:
          ApplyOn: PublishedVersions
    ```

    ## References
    - [Configuring provisioned concurrency](https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html)
    - [Lambda pricing: provisioned concurrency](https://aws.amazon.com/lambda/pricing/)
    - [Serverless Applications Lens: cost optimisation](https://docs.aws.amazon.com/wellarchitected/latest/serverless-applications-lens/cost-optimization.html)
    - [Lambda SnapStart](https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html)
    """

    id = "CF303"
    name = "provisioned-concurrency-without-latency-need"
    severity = WARNING
    summary = "Provisioned concurrency on a Lambda that only queues, streams, schedules or events invoke: warm capacity no user waits for"

    tags = ("aws", "lambda", "provisioned-concurrency", "cost")
    confidence = MEDIUM  # the lowest confidence its findings can have (SARIF precision)
    applies_to = (m.LAMBDA_FUNCTION,)

    def detect(self, unit: m.ComputeUnit, ctx: CheckContext) -> Iterable[WarmForNoOne]:
        warm = warmth.provisioned(unit)
        if warm and warmth.only_background_callers(unit):
            yield WarmForNoOne(unit, warm)

    def explain(self, v: WarmForNoOne, ctx: CheckContext) -> Finding:
        unit = v.subject
        callers = ", ".join(f"{_LABEL.get(t.kind, t.kind)} {t.resource}" for t in unit.triggers)
        warm = "; ".join(f"{n} on {warmth.describe_qualifier(q)}" for q, n in v.warm)
        total = sum(n for _, n in v.warm)
        costs = self._costs(unit, v.warm, *pricing.pc_hours_from_usage(ctx, [q for q, _n in v.warm]))
        idle = costs[0].monthly_usd
        message = (f"{unit.name} keeps provisioned concurrency warm ({warm}), but only background callers "
                   f"invoke it ({callers}): none holds a user's request open, so a cold start delays no one "
                   f"waiting and the {total} warm environment(s) "
                   + (f"cost ${idle:,.2f} a month for no user-facing latency." if idle is not None
                      else "are billed around the clock for no user-facing latency."))
        used = [q for q, _ in v.warm if warmth.callers_of(unit, q)]
        if not used:
            message += (" No caller even invokes the provisioned "
                        + ("qualifier" if len(v.warm) == 1 else "qualifiers")
                        + f" (they invoke {self._invoked(unit)}), so the warm environments never serve a request.")
        rt = runtimes.parse(unit.value(m.RUNTIME), unit.value(m.PACKAGE_TYPE))
        recommendation = f"Remove the provisioned concurrency ({self._where(unit)})."
        if rt.snapstart_supported:
            free = rt.family in facts.value("lambda.snapstart_free_runtimes")
            recommendation += (f" If initialisation is slow enough to hold back throughput, enable SnapStart on "
                               f"{rt.label()} instead ("
                               + ("no extra charge" if free else "a snapshot cache and restore charge instead of warm environments")
                               + "), with the callers on a published version.")
        else:
            recommendation += (" If initialisation is slow enough to hold back throughput, shorten it (smaller "
                               "package, lazy clients) rather than keep environments warm.")
        recommendation += (" To bound parallelism, use the event source's maximum concurrency or reserved "
                           "concurrency, not provisioned concurrency.")
        evidence: dict[str, Any] = {
            "provisioned_concurrency": [
                {"qualifier": warmth.describe_qualifier(q), "resource": q.resource, "executions": n,
                 "invoked_by": [t.resource for t in warmth.callers_of(unit, q)],
                 **setting_evidence(q.provisioned_concurrency)} for q, n in v.warm],
            "triggers": [{"kind": t.kind, "resource": t.resource, "at": str(t.location),
                          "invokes": warmth.describe_qualifier(t.qualifier)} for t in unit.triggers],
            "memory_size": setting_evidence(unit.setting(m.MEMORY_SIZE)),
            "architecture": pricing.lambda_architecture(unit.value(m.ARCHITECTURES)),
        }
        return self.finding(unit, message, recommendation, at=v.warm[0][0].provisioned_concurrency,
                            confidence=MEDIUM, evidence=evidence, costs=costs)

    @staticmethod
    def _invoked(unit: m.ComputeUnit) -> str:
        seen: list[str] = []
        for t in unit.triggers:
            d = warmth.describe_qualifier(t.qualifier)
            if d not in seen:
                seen.append(d)
        return ", ".join(seen)

    @staticmethod
    def _where(unit: m.ComputeUnit) -> str:
        if unit.resource_type == "AWS::Serverless::Function":
            return "ProvisionedConcurrencyConfig"
        if unit.source_format == "cloudformation":
            return "ProvisionedConcurrencyConfig on the alias or version"
        if unit.resource_type.startswith("module:"):
            return "provisioned_concurrent_executions"
        return "the aws_lambda_provisioned_concurrency_config"

    @staticmethod
    def _costs(unit: m.ComputeUnit, warm: list[tuple[m.Qualifier, int]], hours: float | None = None,
               hours_note: str | None = None) -> list[CostLine]:
        memory = unit.value(m.MEMORY_SIZE)
        arch = pricing.lambda_architecture(unit.value(m.ARCHITECTURES))
        total = sum(n for _, n in warm)
        if isinstance(memory, int) and not isinstance(memory, bool):
            shown = "730 h a month" if hours is None else f"{hours:g} h a month from the usage file"
            current = pricing.provisioned_concurrency(
                total, memory, arch, hours=hours,
                option=f"current: provisioned concurrency, {total} environment(s) at {memory} MB, {shown}")
            if hours_note:
                current.assumptions.insert(0, hours_note)
        else:
            current = CostLine(f"current: provisioned concurrency, {total} environment(s)", None,
                               ["memory size could not be resolved"])
        without = CostLine("without provisioned concurrency: no warm capacity", 0.0, [
            "no idle charge; invocations are billed at the on-demand duration rate instead of the lower "
            "provisioned rate (not included in either line: it depends on volume)"])
        return [current, without]
