from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from computefit import model as m
from computefit import schedule_syntax as syn
from computefit.check import (
    ERROR, HIGH, MEDIUM, WARNING, Check, CheckContext, Finding, Option, Violation, setting_evidence,
)

#: The dialect of each subject kind, and the attributes holding its expression and time zone.
_DIALECT = {
    "eventbridge_rule": (syn.RULE, m.SCHEDULE_EXPRESSION, None),
    "scheduler_schedule": (syn.SCHEDULER, m.SCHEDULE_EXPRESSION, m.SCHEDULE_TIMEZONE),
    "autoscaling_scheduled_action": (syn.AUTOSCALING, "recurrence", "time_zone"),
}
#: Problems whose corrected expression names the days of the week.
_DAY_KINDS = ("dow-zero", "dow-unix-weekdays", "field-count", "not-wrapped", "day-fields")
_WHAT = {syn.RULE: "schedule expression", syn.SCHEDULER: "schedule expression", syn.AUTOSCALING: "Recurrence"}


@dataclass
class BadSchedule(Violation):
    """A schedule expression the service would reject, or read otherwise than meant."""

    service: str
    expression: m.Setting
    timezone: m.Setting | None
    problems: list[syn.Problem]  # of the expression
    tz_problems: list[syn.Problem]  # of the time zone


class InvalidScheduleExpression(Check):
    """
    ## What it does
    Reads the schedule expression of every EventBridge rule, EventBridge Scheduler schedule and EC2
    Auto Scaling scheduled action (CloudFormation, SAM `Schedule` / `ScheduleV2` events, Terraform,
    and the `rules` / `schedules` inputs of the terraform-aws-modules eventbridge and autoscaling
    modules) and reports one that AWS rejects, or reads differently from what was almost certainly
    meant:

    - the wrong number of fields: AWS `cron()` has 6 (Minutes Hours Day-of-month Month Day-of-week
      Year); an Auto Scaling `Recurrence` is a Unix cron line of 5;
    - both or neither of Day-of-month and Day-of-week set to `?` in AWS cron;
    - on an EventBridge rule, `rate(1 minutes)` or `rate(5 minute)` (singular for 1, plural
      above; Scheduler accepts both); a rate in seconds (the minimum is one minute) or a value that
      is not a positive number;
    - a Day-of-week `0` in AWS cron (AWS numbers the days 1-7 from Sunday; 0 is Unix's Sunday);
    - values out of range (hour 24, minute 60, month 13), one-time `at()` on an EventBridge rule
      (only Scheduler has one-time schedules), an `at()` that is not `yyyy-mm-ddThh:mm:ss`, and a
      Scheduler `ScheduleExpressionTimezone` or Auto Scaling `TimeZone` that is not an IANA name.

    These are errors: the deployment fails. A Day-of-week of `1-5` in AWS cron is a warning: AWS
    accepts it and runs Sunday to Thursday, while in Unix cron `1-5` is Monday to Friday, so it is
    almost always a crontab line ported verbatim. The message gives the corrected expression when
    one follows from what was written. Valid expressions stay quiet, including `MON-FRI`, `L`,
    `W` and `#`; an expression that cannot be resolved statically is not judged. A documented rule
    that deployed code suggests AWS does not enforce (a Year past 2199, used as "never"; an empty
    list item such as `5,`) is reported with medium confidence.

    ## Why is this bad?
    An expression AWS rejects fails the deployment (or, in a module with many schedules, the one
    change that touches it) and is only discovered at deploy time. The Day-of-week mix-up is
    worse: nothing fails, and a weekday job quietly runs on Sundays and never on Fridays.

    ## Example
    ```yaml
    NightlyReport:
      Type: AWS::Events::Rule
      Properties:
        ScheduleExpression: cron(0 6 * * 1-5)     # 5 fields, Unix numbering
    ```
    ```hcl
    resource "aws_autoscaling_schedule" "scale_down" {
      recurrence = "cron(0 20 ? * MON-FRI *)"    # Auto Scaling takes Unix cron, 5 fields
    }
    ```

    ## Use instead
    ```yaml
    NightlyReport:
      Type: AWS::Events::Rule
      Properties:
        ScheduleExpression: cron(0 6 ? * MON-FRI *)
    ```
    ```hcl
    resource "aws_autoscaling_schedule" "scale_down" {
      recurrence = "0 20 * * MON-FRI"
    }
    ```
    Day names (`MON-FRI`) read the same in AWS and Unix cron.

    ## Options
    - `weekday_warning`: warn for an AWS Day-of-week of `1-5` (default true).

    ## References
    - [EventBridge cron expressions](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html)
    - [EventBridge rate expressions](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html)
    - [Schedule types in EventBridge Scheduler](https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html) (rate, cron, one-time `at()`, time zones)
    - [EC2 Auto Scaling `Recurrence`](https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_ScheduledUpdateGroupActionRequest.html) (Unix cron, five fields)
    """

    id = "CF401"
    name = "invalid-schedule-expression"
    severity = ERROR
    summary = "Schedule expression that EventBridge, EventBridge Scheduler or EC2 Auto Scaling rejects or misreads"
    tags = ("aws", "eventbridge", "scheduler", "autoscaling", "schedule", "correctness")
    confidence = MEDIUM  # the lowest confidence its findings can have (SARIF precision)
    options = {
        "weekday_warning": Option(True, "warn for an AWS cron Day-of-week of 1-5 (Sunday to Thursday)", bool),
    }

    applies_to = tuple(_DIALECT)

    def detect(self, res: m.Resource, ctx: CheckContext) -> Iterable[BadSchedule]:
        service, expr_key, tz_key = _DIALECT[res.kind]
        expr = res.setting(expr_key)
        problems: list[syn.Problem] = []
        if expr is not None and isinstance(expr.value, str):
            if service == syn.AUTOSCALING:
                problems = syn.unix_cron(expr.value)
            else:
                problems = syn.aws_expression(expr.value, service)
        if not ctx.option("weekday_warning"):
            problems = [p for p in problems if p.kind != "dow-unix-weekdays"]
        tz = res.setting(tz_key) if tz_key else None
        tz_problems = syn.timezone(tz.value) if tz is not None and isinstance(tz.value, str) else []
        if problems or tz_problems:
            yield BadSchedule(res, service, expr, tz, problems, tz_problems)

    def explain(self, v: BadSchedule, ctx: CheckContext) -> Finding:
        res = v.subject
        label = syn.SERVICE_LABEL[v.service]
        errors = [p for p in v.problems + v.tz_problems if p.severity == syn.ERROR]
        severity = ERROR if errors else WARNING
        parts = []
        if v.expression is not None and v.problems:
            what = _WHAT[v.service]
            written = f"{what} '{v.expression.value}' ({v.expression.describe_origin()})"
            details = "; ".join(p.detail for p in v.problems)
            expr_errors = [p for p in v.problems if p.severity == syn.ERROR]
            if expr_errors and all(not p.certain for p in expr_errors):
                parts.append(f"The {written} does not follow {label}'s documented syntax: {details}; "
                             f"{label} may reject it or read it differently.")
            elif expr_errors:
                parts.append(f"{label} rejects the {written}: {details}.")
            else:
                parts.append(f"The {written} does not run when it appears to: {details}.")
        if v.tz_problems:
            parts.append(f"{label} rejects the time zone '{v.timezone.value}' "
                         f"({v.timezone.describe_origin()}): {v.tz_problems[0].detail}.")
        message = f"{res.name}: " + " ".join(parts)
        fix = next((p.fix for p in v.problems if p.fix), None)
        rec = []
        if fix:
            if any(p.kind == "dow-unix-weekdays" for p in v.problems) and not errors:
                rec.append(f"If Monday to Friday was meant, write '{fix}'; if Sunday to Thursday is intended, "
                           "write SUN-THU so that it reads that way.")
            else:
                rec.append(f"Write it as '{fix}'.")
        elif any(p.kind == "at-on-rule" for p in v.problems):
            rec.append("Create the one-time schedule in EventBridge Scheduler (AWS::Scheduler::Schedule, "
                       "aws_scheduler_schedule, SAM ScheduleV2), which runs at() once in the time zone you give.")
        elif v.problems:
            rec.append(self._rule(v.service))
        tz_fix = next((p.fix for p in v.tz_problems if p.fix), None)
        if v.tz_problems:
            rec.append(f"Use the time zone {tz_fix}." if tz_fix else
                       "Use an IANA time zone name such as Europe/London or America/New_York.")
        if fix and re.search(r"[A-Z]{3}", fix) and any(p.kind in _DAY_KINDS for p in v.problems):
            rec.append("Day names (SUN-SAT) read the same in AWS and Unix cron.")
        confidence = HIGH if errors and all(p.certain for p in errors) else MEDIUM
        evidence = {
            "service": label,
            "expression": setting_evidence(v.expression),
            "problems": [{"severity": p.severity, "problem": p.kind, "detail": p.detail,
                          **({"corrected": p.fix} if p.fix else {})} for p in v.problems + v.tz_problems],
        }
        if v.timezone is not None:
            evidence["timezone"] = setting_evidence(v.timezone)
        at = v.expression if v.expression is not None and v.problems else v.timezone
        return self.finding(res, message, " ".join(rec), at=at, severity=severity, confidence=confidence,
                            evidence=evidence)

    @staticmethod
    def _rule(service: str) -> str:
        if service == syn.AUTOSCALING:
            return ("Write a Unix cron line of 5 fields: Minute (0-59) Hour (0-23) Day_of_Month (1-31) "
                    "Month_of_Year (1-12 or JAN-DEC) Day_of_Week (0-7 or SUN-SAT, 0 and 7 = Sunday).")
        once = ", or at(yyyy-mm-ddThh:mm:ss) for one run" if service == syn.SCHEDULER else ""
        return ("Write rate(value unit) (minute | minutes | hour | hours | day | days) or cron(Minutes Hours "
                "Day-of-month Month Day-of-week Year) with '?' in exactly one day field, Minutes 0-59, Hours "
                f"0-23, days of the week 1-7 from Sunday or SUN-SAT, and Year 1970-2199 or *{once}.")
