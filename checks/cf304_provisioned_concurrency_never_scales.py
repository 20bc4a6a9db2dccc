from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from computefit import pricing, warmth
from computefit import model as m
from computefit.check import (
    INFO, MEDIUM, Check, CheckContext, CostLine, Finding, Option, Violation, setting_evidence,
)


@dataclass
class StaticWarmCapacity(Violation):
    """A fixed provisioned concurrency with nothing that scales it."""

    qualifier: m.Qualifier
    executions: int


class ProvisionedConcurrencyNeverScales(Check):
    """
    ## What it does
    Flags provisioned concurrency of 2 or more execution environments (option
    `min_environments`) on a Lambda alias or version that no Application Auto Scaling scalable
    target scales: no `AWS::ApplicationAutoScaling::ScalableTarget` / `aws_appautoscaling_target`
    with `ScalableDimension: lambda:function:ProvisionedConcurrency` whose `ResourceId`
    (`function:<name>:<alias or version>`) names that alias or version. It reads provisioned
    concurrency from `AWS::Lambda::Alias` / `AWS::Lambda::Version`, SAM
    `ProvisionedConcurrencyConfig`, `aws_lambda_provisioned_concurrency_config` and the registry
    lambda module's `provisioned_concurrent_executions`, and resolves a scalable target's
    `ResourceId` written with `!Sub`, Terraform interpolation of a function, alias or registry
    module (`module.x.lambda_function_name`, `lambda_function_version`) or a literal name.

    Quiet with a scalable target on the qualifier, for a function only background callers invoke
    (CF303 recommends removing the provisioned concurrency there), for a function with SnapStart
    enabled (the two cannot deploy together: CF302), or with one in the same template or module
    whose `ResourceId` cannot be resolved (it may scale it), and for a single environment.
    Scaling defined in another stack cannot be seen, so the finding has medium confidence.

    ## Why is this bad?
    Provisioned concurrency is billed for every hour it is configured, used or not. A fixed
    number of environments sized for the daily peak is paid for 730 hours a month, nights and
    weekends included. Application Auto Scaling can lower it outside business hours (scheduled
    actions) or follow the traffic (target tracking on `LambdaProvisionedConcurrencyUtilization`,
    around 70 %).

    ## Example
    ```yaml
    CheckoutFunction:
      Type: AWS::Serverless::Function
      Properties:
        Runtime: java21
        AutoPublishAlias: live
        ProvisionedConcurrencyConfig:
          ProvisionedConcurrentExecutions: 20
    ```
    ```hcl
    resource "aws_lambda_provisioned_concurrency_config" "live" {
      function_name                     = aws_lambda_function.checkout.function_name
      qualifier                         = aws_lambda_alias.live.name
      provisioned_concurrent_executions = 20
    }
    ```

    ## Use instead
    Register the alias as a scalable target and scale it, on a schedule or by utilisation.
    ```yaml
    CheckoutScalableTarget:
      Type: AWS::ApplicationAutoScaling::ScalableTarget
      Properties:
        ServiceNamespace: lambda
        ScalableDimension: lambda:function:ProvisionedConcurrency
        ResourceId: !Sub function:${CheckoutFunction}:live
        MinCapacity: 1
        MaxCapacity: 20
        ScheduledActions:
          - ScheduledActionName: business-hours
            Schedule: cron(0 8 ? * MON-FRI *)
            ScalableTargetAction: {MinCapacity: 20, MaxCapacity: 20}
          - ScheduledActionName: night
            Schedule: cron(0 20 ? * MON-FRI *)
            ScalableTargetAction: {MinCapacity: 1, MaxCapacity: 1}
    ```
    ```hcl
    resource "aws_appautoscaling_target" "live" {
      service_namespace  = "lambda"
      scalable_dimension = "lambda:function:ProvisionedConcurrency"
      resource_id        = "function:${aws_lambda_function.checkout.function_name}:${aws_lambda_alias.live.name}"
      min_capacity       = 1
      max_capacity       = 20
    }
    resource "aws_appautoscaling_policy" "live" {
      name               = "pc-utilisation"
      policy_type        = "TargetTrackingScaling"
      service_namespace  = aws_appautoscaling_target.live.service_namespace
      scalable_dimension = aws_appautoscaling_target.live.scalable_dimension
      resource_id        = aws_appautoscaling_target.live.resource_id
      target_tracking_scaling_policy_configuration {
        target_value = 0.7
        predefined_metric_specification {
          predefined_metric_type = "LambdaProvisionedConcurrencyUtilization"
        }
      }
    }
    ```

    ## Options
    - `min_environments`: the smallest static provisioned concurrency reported (default 2).
    - `business_hours_per_day`, `business_days_per_month`: the schedule the scheduled-scaling cost
      assumes (default 12 h x 22 days).
    - `target_utilization`: the target-tracking utilisation named in the advice (default 0.7).

    ## References
    - [Configuring provisioned concurrency: Application Auto Scaling](https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html)
    - [Application Auto Scaling for Lambda](https://docs.aws.amazon.com/autoscaling/application/userguide/services-that-can-integrate-lambda.html)
    - [Scheduled scaling for Application Auto Scaling](https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-scheduled-scaling.html)
    - [Lambda pricing: provisioned concurrency](https://aws.amazon.com/lambda/pricing/)
    """

    id = "CF304"
    name = "provisioned-concurrency-never-scales"
    severity = INFO
    summary = "Static provisioned concurrency of 2 or more environments with no Application Auto Scaling target: warm capacity billed around the clock"
    tags = ("aws", "lambda", "provisioned-concurrency", "autoscaling", "cost")
    confidence = MEDIUM  # the lowest confidence its findings can have (SARIF precision)
    options = {
        "min_environments": Option(2, "smallest static provisioned concurrency reported"),
        "business_hours_per_day": Option(12, "hours a day the scheduled-scaling cost keeps the capacity", float),
        "business_days_per_month": Option(22, "days a month the scheduled-scaling cost keeps the capacity", float),
        "target_utilization": Option(0.7, "target-tracking utilisation named in the advice", float),
    }

    applies_to = (m.LAMBDA_FUNCTION,)

    def detect(self, unit: m.ComputeUnit, ctx: CheckContext) -> Iterable[StaticWarmCapacity]:
        if warmth.only_background_callers(unit):
            return  # CF303: the provisioned concurrency should go, not scale
        if warmth.snapstart_on(unit):
            return  # with SnapStart the provisioned concurrency cannot deploy: CF302's error
        floor = max(1, int(ctx.option("min_environments")))
        for q, n in warmth.provisioned(unit):
            if n >= floor and not q.scaled_by and not q.maybe_scaled_by:
                yield StaticWarmCapacity(unit, q, n)

    def explain(self, v: StaticWarmCapacity, ctx: CheckContext) -> Finding:
        unit, q, n = v.subject, v.qualifier, v.executions
        hours = float(ctx.option("business_hours_per_day")) * float(ctx.option("business_days_per_month"))
        utilization = float(ctx.option("target_utilization"))
        costs = self._costs(unit, n, hours, utilization, *pricing.pc_hours_from_usage(ctx, [v.qualifier]))
        full = costs[0].monthly_usd
        message = (f"{unit.name} keeps {n} environments of provisioned concurrency on {warmth.describe_qualifier(q)} "
                   "with no Application Auto Scaling target (lambda:function:ProvisionedConcurrency) on it: the "
                   "warm capacity is billed 730 hours a month, nights and weekends included"
                   + (f" (${full:,.2f} a month)." if full is not None else "."))
        recommendation = (f"Register {warmth.describe_qualifier(q)} as a scalable target and scale it: scheduled "
                          f"actions that keep {n} environments for business hours only, or target tracking on "
                          f"LambdaProvisionedConcurrencyUtilization at {utilization:.0%}. {self._how(unit, q)}")
        evidence: dict[str, Any] = {
            "provisioned_concurrency": {"qualifier": warmth.describe_qualifier(q), "resource": q.resource,
                                        "executions": n, **setting_evidence(q.provisioned_concurrency)},
            "scalable_targets": "none on this alias or version in the scanned code",
            "memory_size": setting_evidence(unit.setting(m.MEMORY_SIZE)),
            "architecture": pricing.lambda_architecture(unit.value(m.ARCHITECTURES)),
            "min_environments": int(ctx.option("min_environments")),
        }
        return self.finding(unit, message, recommendation, at=q.provisioned_concurrency, severity=INFO,
                            confidence=MEDIUM, evidence=evidence, costs=costs)

    @staticmethod
    def _how(unit: m.ComputeUnit, q: m.Qualifier) -> str:
        if unit.source_format == "cloudformation":
            target = f"{q.name}" if q.kind == "alias" and isinstance(q.name, str) else "<alias or version>"
            return ("In CloudFormation: an AWS::ApplicationAutoScaling::ScalableTarget with ServiceNamespace lambda, "
                    "ScalableDimension lambda:function:ProvisionedConcurrency and ResourceId "
                    f"!Sub function:${{{unit.name}}}:{target}, with ScheduledActions or an "
                    "AWS::ApplicationAutoScaling::ScalingPolicy.")
        if unit.resource_type.startswith("module:"):
            rid = f"function:${{{unit.name}.lambda_function_name}}:${{{unit.name}.lambda_function_version}}"
        elif q.kind == "alias" and q.resource.startswith("aws_lambda_alias."):
            rid = f"function:${{{unit.name}.function_name}}:${{{q.resource}.name}}"
        else:
            rid = f"function:${{{unit.name}.function_name}}:<alias or version>"
        return ("In Terraform: an aws_appautoscaling_target with service_namespace = \"lambda\", scalable_dimension = "
                f"\"lambda:function:ProvisionedConcurrency\" and resource_id = \"{rid}\", with "
                "aws_appautoscaling_scheduled_action or an aws_appautoscaling_policy.")

    @staticmethod
    def _costs(unit: m.ComputeUnit, n: int, hours: float, utilization: float, enabled: float | None = None,
               enabled_note: str | None = None) -> list[CostLine]:
        memory = unit.value(m.MEMORY_SIZE)
        arch = pricing.lambda_architecture(unit.value(m.ARCHITECTURES))
        if not (isinstance(memory, int) and not isinstance(memory, bool)):
            why = ["memory size could not be resolved"]
            return [CostLine(f"current: {n} environments, 730 h a month", None, why),
                    CostLine(f"scheduled scaling: {n} environments for {hours:g} h a month", None, list(why))]
        shown = "730 h a month" if enabled is None else f"{enabled:g} h a month from the usage file"
        current = pricing.provisioned_concurrency(n, memory, arch, hours=enabled,
                                                  option=f"current: {n} environments at {memory} MB, {shown}")
        if enabled_note:
            current.assumptions.insert(0, enabled_note)
        scheduled = pricing.provisioned_concurrency(
            n, memory, arch, hours=hours, option=f"scheduled scaling: {n} environments at {memory} MB for business hours only")
        scheduled.assumptions.append(f"business hours: {hours:g} h a month (options business_hours_per_day x "
                                     "business_days_per_month); none kept warm outside them")
        tracking = CostLine(f"target tracking at {utilization:.0%} utilisation", None, [
            f"provisioned concurrency follows the concurrency actually used (about concurrency / {utilization:g}); "
            "the cost depends on traffic, which is not in the code"])
        return [current, scheduled, tracking]
