from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from computefit import pricing
from computefit import model as m
from computefit.check import (
    HIGH, INFO, Check, CheckContext, CostLine, Finding, Violation, setting_evidence,
)
from computefit.linker import parse_schedule


@dataclass
class ScheduledRule(Violation):
    expression: m.Setting
    ecs_tasks: list[str] = field(default_factory=list)  # the task definitions it runs (a scheduled ECS task)


class ScheduledRuleInsteadOfScheduler(Check):
    """
    ## What it does
    Flags an EventBridge rule that runs on a schedule (`AWS::Events::Rule` or
    `aws_cloudwatch_event_rule` with a `ScheduleExpression`, a SAM `Schedule` event, a `rules`
    entry of the terraform-aws-modules eventbridge module with a `schedule_expression`). AWS
    documents scheduled rules as legacy and recommends EventBridge Scheduler instead. Rules that
    match an event pattern, and Scheduler schedules (`AWS::Scheduler::Schedule`,
    `aws_scheduler_schedule`, SAM `ScheduleV2`), are not reported.

    This is advice (`info`): a scheduled rule works, and does not fail a build by default.

    A rule that runs an ECS task (a target with `EcsParameters`, or an `aws_cloudwatch_event_target`
    with `ecs_target`) is a scheduled ECS task: the right compute model for a scheduled job, which
    no check asks to move. It is still reported, because the advice concerns only the scheduler
    (time zones, retries, a dead-letter queue apply to a RunTask as to any target): the message
    says the task is already the right model and the recommendation keeps the task definition and
    moves only its schedule, with the same `EcsParameters`.

    ## Why is this bad?
    A scheduled rule runs in UTC only, so a 09:00 local job moves by an hour twice a year; it has
    no one-time schedules and no flexible time window. EventBridge Scheduler evaluates cron in
    the IANA time zone you give (daylight saving handled), retries delivery with a retry policy
    (up to 185 attempts within 24 hours) and sends what it could not deliver to a dead-letter
    queue, runs one-time `at()` schedules, and scales to millions of schedules. The first 14
    million invocations a month are free.

    ## Example
    ```yaml
    NightlyExportRule:
      Type: AWS::Events::Rule
      Properties:
        ScheduleExpression: cron(0 2 * * ? *)
        Targets:
          - Id: export
            Arn: !GetAtt ExportFunction.Arn
    ```
    ```hcl
    resource "aws_cloudwatch_event_rule" "nightly" {
      schedule_expression = "cron(0 2 * * ? *)"
    }
    ```

    ## Use instead
    ```yaml
    NightlyExport:
      Type: AWS::Scheduler::Schedule
      Properties:
        ScheduleExpression: cron(0 2 * * ? *)
        ScheduleExpressionTimezone: Europe/London
        FlexibleTimeWindow: {Mode: "OFF"}
        Target:
          Arn: !GetAtt ExportFunction.Arn
          RoleArn: !GetAtt SchedulerRole.Arn     # Scheduler assumes a role to invoke the target
          RetryPolicy: {MaximumRetryAttempts: 3}
          DeadLetterConfig: {Arn: !GetAtt ExportDlq.Arn}
    ```
    ```hcl
    resource "aws_scheduler_schedule" "nightly" {
      schedule_expression          = "cron(0 2 * * ? *)"
      schedule_expression_timezone = "Europe/London"
      flexible_time_window { mode = "OFF" }
      target {
        arn      = aws_lambda_function.export.arn
        role_arn = aws_iam_role.scheduler.arn
      }
    }
    ```
    For a rule that runs an ECS task, keep the task definition and give the schedule the rule
    target's ECS parameters (the target is the cluster):
    ```yaml
    NightlyExport:
      Type: AWS::Scheduler::Schedule
      Properties:
        ScheduleExpression: cron(0 3 * * ? *)
        FlexibleTimeWindow: {Mode: "OFF"}
        Target:
          Arn: !GetAtt Cluster.Arn
          RoleArn: !GetAtt SchedulerRunTaskRole.Arn   # ecs:RunTask and iam:PassRole
          EcsParameters:
            TaskDefinitionArn: !Ref ExportTask
            LaunchType: FARGATE
            NetworkConfiguration:
              AwsvpcConfiguration: {Subnets: [subnet-0123456789abcdef0]}
    ```
    ```hcl
    resource "aws_scheduler_schedule" "nightly_export" {
      schedule_expression = "cron(0 3 * * ? *)"
      flexible_time_window { mode = "OFF" }
      target {
        arn      = aws_ecs_cluster.main.arn
        role_arn = aws_iam_role.scheduler_run_task.arn
        ecs_parameters {
          task_definition_arn = aws_ecs_task_definition.export.arn
          launch_type         = "FARGATE"
          network_configuration { subnets = ["subnet-0123456789abcdef0"] }
        }
      }
    }
    ```
    In SAM, change the event's `Type: Schedule` to `Type: ScheduleV2` (its `Schedule` property
    becomes `ScheduleExpression`). A schedule has one target: a rule with several targets becomes
    one schedule per target.

    ## References
    - [Scheduled rules (legacy)](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html) ("We recommend that you use EventBridge Scheduler")
    - [What is EventBridge Scheduler?](https://docs.aws.amazon.com/scheduler/latest/UserGuide/what-is-scheduler.html)
    - [Schedule types and time zones](https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html)
    - [EventBridge pricing](https://aws.amazon.com/eventbridge/pricing/) (Scheduler: 14 million invocations a month free)
    """

    id = "CF402"
    name = "scheduled-rule-instead-of-scheduler"
    severity = INFO
    summary = "EventBridge rule with a schedule: AWS calls scheduled rules legacy and recommends EventBridge Scheduler"

    tags = ("aws", "eventbridge", "scheduler", "schedule", "best-practice")
    applies_to = ("eventbridge_rule",)

    def detect(self, res: m.Resource, ctx: CheckContext) -> Iterable[ScheduledRule]:
        expr = res.setting(m.SCHEDULE_EXPRESSION)
        if expr is not None:
            tasks = [u.name for u, _t in ctx.model.invoked_by(res) if u.kind == m.ECS_TASK]
            yield ScheduledRule(res, expr, list(dict.fromkeys(tasks)))

    def explain(self, v: ScheduledRule, ctx: CheckContext) -> Finding:
        res = v.subject
        expr = v.expression
        written = (f"'{expr.value}'" if isinstance(expr.value, str)
                   else f"that is not known statically ({expr.value.reason})" if m.is_unknown(expr.value) else "")
        schedule = parse_schedule(expr)
        runs = pricing.runs_per_month(schedule.runs_per_day) if schedule.known else None
        ecs_text = "" if not v.ecs_tasks else (
            f" that runs the ECS task {', '.join(v.ecs_tasks)}: a scheduled ECS task is already the right "
            "compute model for a scheduled job, and only the scheduler that starts it is legacy")
        message = (f"{res.name} is an EventBridge rule run on a schedule {written} ({expr.describe_origin()}){ecs_text}; "
                   "AWS documents scheduled rules as legacy and recommends EventBridge Scheduler, which adds "
                   "time zones, retries with a dead-letter queue and one-time schedules (scheduled rules run "
                   "in UTC only).")
        n_targets = len(res.edges_via("target"))
        role = (" The rule target's role (ecs:RunTask, iam:PassRole) becomes the schedule's execution role, "
                "trusted by scheduler.amazonaws.com instead of events.amazonaws.com" if v.ecs_tasks else
                " Scheduler invokes the target with an execution role it assumes, not the resource permission a "
                "rule uses")
        recommendation = (self._ecs_replacement(res) if v.ecs_tasks else self._replacement(res)) + (
            role + (f"; a schedule has one target, so this rule's {n_targets} targets become one "
                           "schedule each" if n_targets > 1 else "")
            + ". Give it a time zone if the job is meant to follow local time, and a retry policy and a "
            "dead-letter queue so that missed runs are visible.")
        targets = [{"resource": e.target} if e.target else
                   {"arn": e.literal if isinstance(e.literal, str) else str(e.literal)}
                   for e in res.edges_via("target")]
        evidence = {
            "expression": setting_evidence(expr),
            "schedule": schedule.description,
            "runs_per_month": None if runs is None else round(runs, 1),
        }
        if targets:
            evidence["targets"] = targets
        if v.ecs_tasks:
            evidence["ecs_tasks"] = v.ecs_tasks
        rule_cost = CostLine("current: EventBridge scheduled rule", None, [
            "scheduled rule invocations are not priced on file (EventBridge lists no separate charge for them)"])
        costs = [rule_cost, pricing.scheduler_schedule(runs, option="EventBridge Scheduler schedule")]
        return self.finding(res, message, recommendation, severity=INFO, confidence=HIGH,
                            evidence=evidence, costs=costs)

    @staticmethod
    def _ecs_replacement(res: m.Resource) -> str:
        """A rule that runs an ECS task: keep the task, move only its schedule."""
        if res.type.startswith("module:"):
            return ("Keep the task definition and move only the schedule: move the entry from the module's rules "
                    "(and targets) input to its schedules input, with arn set to the cluster's ARN and the target's "
                    "ecs_target as ecs_parameters (task_definition_arn, launch_type, network_configuration): the "
                    "module then creates an aws_scheduler_schedule that runs the task.")
        if res.source_format == "terraform":
            return ("Keep the task definition and move only the schedule: replace the rule and its "
                    "aws_cloudwatch_event_target with an aws_scheduler_schedule whose target arn is the cluster's ARN "
                    "with an ecs_parameters block (task_definition_arn, launch_type or capacity_provider_strategy, "
                    "network_configuration) carried over from the target's ecs_target.")
        return ("Keep the task definition and move only the schedule: replace the rule with an "
                "AWS::Scheduler::Schedule whose Target.Arn is the cluster's ARN and whose Target.EcsParameters "
                "(TaskDefinitionArn, LaunchType or CapacityProviderStrategy, NetworkConfiguration) are the rule "
                "target's EcsParameters.")

    @staticmethod
    def _replacement(res: m.Resource) -> str:
        if res.type.startswith("SAM event"):
            return (f"Change the event's Type from {res.type.split()[-1]} to ScheduleV2 (its Schedule property "
                    "becomes ScheduleExpression, with ScheduleExpressionTimezone beside it): SAM then creates an "
                    "AWS::Scheduler::Schedule and its role.")
        if res.type.startswith("module:"):
            return ("Move the entry from the module's rules (and targets) input to its schedules input "
                    "(schedule_expression, timezone, arn): the module then creates an aws_scheduler_schedule and "
                    "its role.")
        if res.source_format == "terraform":
            return ("Replace the rule and its aws_cloudwatch_event_target with an aws_scheduler_schedule "
                    "(schedule_expression, schedule_expression_timezone, a target block with arn and role_arn).")
        return ("Replace the rule with an AWS::Scheduler::Schedule (ScheduleExpression, "
                "ScheduleExpressionTimezone, FlexibleTimeWindow, a Target with Arn and RoleArn).")
