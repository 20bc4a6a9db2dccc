from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from computefit import pricing, workload
from computefit import model as m
from computefit.check import HIGH, INFO, MEDIUM, Check, CheckContext, Finding, Option, Violation, setting_evidence
from computefit.pricing import CostLine
from computefit.schedules import Window


@dataclass
class BatchWindow(Violation):
    window: Window


class AutoScalingBatchWindow(Check):
    """
    ## What it does
    Flags an auto scaling group whose recurring scheduled actions (`AWS::AutoScaling::ScheduledAction`,
    `aws_autoscaling_schedule`, the `schedules` input of the terraform-aws-modules autoscaling
    module) scale it up from 0 and back down to 0: a batch window run on EC2 ("start 4 instances
    at 01:00, stop them at 05:00"). The recurrences (5-field Unix cron, in `TimeZone` when set,
    else UTC) are simulated over a year, so weekday-only windows count as such.

    Not flagged: scheduled actions that never reach 0 (business-hours scaling of a fleet that
    keeps running), a group behind a load balancer, a group whose user data sets up a long-running
    server or whose name says it is one (a bastion, NAT or VPN host; an environment switched off
    at night serves people, it does not run a batch), and windows whose longest run is above
    `max_window_hours` (a 07:00-19:00 working day is office hours, not a batch). A recurrence or size that cannot be
    resolved leaves the window unknown and the group is not flagged.

    This is advice (`info`): a batch window works.

    ## Why is this bad?
    The group pays for every instance for the whole window, whether the work takes all of it or
    ten minutes, and a run that overruns is cut off when the window closes; a failed job is not
    retried. A job scheduler starts capacity only while there is work and stops when it is done.

    ## Example
    ```yaml
    ScaleUp:
      Type: AWS::AutoScaling::ScheduledAction
      Properties:
        AutoScalingGroupName: !Ref BatchGroup
        Recurrence: "0 1 * * *"
        DesiredCapacity: 4
    ScaleDown:
      Type: AWS::AutoScaling::ScheduledAction
      Properties:
        AutoScalingGroupName: !Ref BatchGroup
        Recurrence: "0 5 * * *"
        DesiredCapacity: 0
    ```
    ```hcl
    resource "aws_autoscaling_schedule" "up" {
      autoscaling_group_name = aws_autoscaling_group.batch.name
      recurrence             = "0 1 * * *"
      min_size = 0; max_size = 4; desired_capacity = 4
    }
    ```

    ## Use instead
    AWS Batch (a managed compute environment, Spot for interruption-tolerant jobs) with jobs
    submitted by an EventBridge Scheduler schedule, or a scheduled ECS task (Scheduler target ECS
    RunTask on Fargate or FARGATE_SPOT): capacity runs only while jobs run, and failed jobs are
    retried. The costs in the finding compare the window's instance-hours with Fargate tasks of
    the instance's size for the same hours, an upper bound (the work fills the window): a job
    scheduler bills only the hours jobs actually run.

    ## Options
    - `max_window_hours`: a window that keeps the group running longer than this at a stretch is
      not flagged (default 10).

    ## References
    - [Scheduled scaling for Amazon EC2 Auto Scaling](https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scheduled-scaling.html)
    - [What is AWS Batch?](https://docs.aws.amazon.com/batch/latest/userguide/what-is-batch.html)
    - [AWS Batch: when to use Fargate](https://docs.aws.amazon.com/batch/latest/userguide/when-to-use-fargate.html)
    - [EventBridge Scheduler targets: ECS RunTask, Batch SubmitJob](https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets.html)
    """

    id = "CF103"
    name = "auto-scaling-batch-window"
    severity = INFO
    summary = "Auto scaling group scaled from 0 and back to 0 on a schedule: a batch window on EC2"
    tags = ("aws", "ec2", "autoscaling", "batch", "schedule", "cost", "compute-model")
    confidence = MEDIUM  # the lowest confidence its findings can have (SARIF precision)
    options = {
        "max_window_hours": Option(10, "a window running longer than this (hours at a stretch) is not flagged", float),
    }

    applies_to = (m.AUTO_SCALING_GROUP,)

    def detect(self, unit: m.ComputeUnit, ctx: CheckContext) -> Iterable[BatchWindow]:
        w = unit.window
        if not isinstance(w, Window) or not w.reaches_zero or w.peak <= 0:
            return
        if w.longest_hours > float(ctx.option("max_window_hours")):
            return
        if unit.triggers_of(m.ALB):
            return  # serves requests while it runs
        if any(not m.is_unknown(wl) and wl.services for wl in unit.setup.values()):
            return  # a server switched off at night, not a batch
        if workload.analyse(None, unit.names()).services:
            return  # named as a bastion, NAT or VPN host
        yield BatchWindow(unit, w)

    def explain(self, v: BatchWindow, ctx: CheckContext) -> Finding:
        unit, w = v.subject, v.window
        month = pricing.hours_per_month()
        inst_hours = w.instance_hours_per_day * month / 24
        type_setting = unit.setting(m.INSTANCE_TYPE)
        itype = type_setting.value if type_setting is not None and isinstance(type_setting.value, str) else None
        zones = sorted({z for a in unit.scheduled_actions
                        if isinstance(z := a.value("time_zone"), str)}) or ["UTC"]
        message = (f"{unit.name} is an auto scaling group that scheduled actions scale from 0 to "
                   f"{w.peak} and back to 0 ({w.description}, times in {', '.join(zones)}): a batch window on EC2 that runs "
                   f"{round(w.hours_per_day, 1):g} h/day on average, about {inst_hours:.0f} instance-hours/month "
                   f"of {itype or 'an instance type that could not be resolved'}, billed whether or not "
                   "the work takes the whole window.")
        recommendation = (
            "Run the work as jobs instead of a window: AWS Batch (a managed compute environment, Spot for "
            "interruption-tolerant jobs) with jobs submitted by an EventBridge Scheduler schedule, or a "
            "scheduled ECS task (Scheduler target ECS RunTask on Fargate, FARGATE_SPOT when the job tolerates "
            "interruption). Capacity then runs only while jobs run and failed jobs are retried; remove the "
            "scheduled actions and the group.")
        current = pricing.ec2_hours(itype, inst_hours, 1,
                                    f"current: up to {w.peak} x {itype or 'EC2 instance of unknown type'} "
                                    "for the window")
        current.assumptions.append(f"{round(w.hours_per_day, 1):g} h/day on average: {w.description}")
        # an instance's volumes and public IP exist while it runs: the window's instance-hours
        pricing.with_extras(current, pricing.ec2_extras(unit, ctx.model, inst_hours, inst_hours))
        costs = [current]
        size = pricing.ec2_size(itype)
        if size is None:
            why = (f"no vCPU/memory on file for instance type {itype}" if itype else "the instance type is unknown")
            costs.append(CostLine("AWS Batch on Fargate / scheduled ECS tasks", None, [why]))
        else:
            vcpu, gb = pricing.fargate_size(*size)
            far = pricing.fargate_hours(inst_hours, vcpu, gb, pricing.ec2_architecture(itype),
                                        f"AWS Batch on Fargate / scheduled ECS tasks, {vcpu:g} vCPU / {gb:g} GB "
                                        "each, for the window's hours")
            far.assumptions[:0] = [
                f"one task per instance, sized to the instance's {size[0]:g} vCPU / {size[1]:g} GiB",
                "upper bound: assumes the work fills the window; jobs are billed only while they run"]
            costs.append(far)
        evidence = {
            "window": {
                "description": w.description,
                "hours_per_day": round(w.hours_per_day, 2),
                "instance_hours_per_month": round(inst_hours, 1),
                "peak_instances": w.peak,
                "longest_run_hours": round(w.longest_hours, 2),
            },
            "scheduled_actions": [
                {"action": a.address, "at": str(a.location),
                 **{k: setting_evidence(a.setting(k)) for k in ("recurrence", "time_zone", m.MIN_SIZE, m.MAX_SIZE,
                                                                 m.DESIRED_CAPACITY) if a.setting(k) is not None}}
                for a in unit.scheduled_actions],
            "group_size": {k: setting_evidence(unit.setting(k)) for k in (m.MIN_SIZE, m.MAX_SIZE, m.DESIRED_CAPACITY)},
            "instance_type": setting_evidence(type_setting),
        }
        if unit.notes:
            evidence["notes"] = list(unit.notes)
        return self.finding(unit, message, recommendation, confidence=HIGH if itype else MEDIUM,
                            evidence=evidence, costs=costs,
                            related=[a.address for a in unit.scheduled_actions])
