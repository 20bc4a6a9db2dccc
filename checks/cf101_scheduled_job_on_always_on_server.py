from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from computefit import facts, pricing, workload
from computefit import model as m
from computefit.check import (
    HIGH, MEDIUM, WARNING, Check, CheckContext, Finding, Option, Violation, setting_evidence,
)
from computefit.pricing import CostLine
from computefit.schedules import Window, describe_rate

#: Where a server's setup can be read, in the order the finding prefers to point at.
_SOURCES = ((m.USER_DATA, "user data"), (m.INIT_CONFIG, "cfn-init config"))


@dataclass
class _Found:
    """What a unit's user data and cfn-init config set up."""

    jobs: list[tuple[m.Setting, str, workload.Job]] = field(default_factory=list)  # (setting, source label, job)
    services: list[workload.Service] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # "user data: <why>"
    opaque: list[str] = field(default_factory=list)  # scripts run at boot whose content is not visible


@dataclass
class JobOnServer(Violation):
    count: int  # instances always running
    found: _Found  # what its user data / cfn-init sets up
    max_runs: float
    minutes: float
    window: Window | None = None  # the group runs only part of the day under scheduled actions


class ScheduledJobOnAlwaysOnServer(Check):
    """
    ## What it does
    Flags an EC2 instance, or an auto scaling group of fixed size (`min == max`), whose user data or
    `AWS::CloudFormation::Init` config installs a scheduled job (a crontab entry, a file in
    `/etc/cron.d`, a script in `/etc/cron.daily` and friends, an `@daily` macro, a systemd timer, a
    `while true; ...; sleep N` loop) when that job is evidently the server's purpose: nothing else
    long-running is set up (no web, app or database server, container host, VPN, bastion, NAT or CI
    runner, no process left running in the background) and the server is no load balancer
    target. The job must run at most `max_runs_per_day` times a day (hourly or rarer by default):
    more often than that is not intermittent work.

    A housekeeping job on a server that does something else (log rotation on a web server) is not
    flagged. An auto scaling group whose size is unknown (a parameter or variable without a
    default) or that can scale is not flagged: it cannot be said to run a fixed number of
    instances.

    A part-time server is costed for the hours it runs: an auto scaling group whose recurring
    scheduled actions (`AWS::AutoScaling::ScheduledAction`, `aws_autoscaling_schedule`, the
    autoscaling module's `schedules`) scale it to 0 and back up is flagged with its largest
    scheduled size, and the message and the current cost say how many hours a day it runs
    ("runs 2 h/day under scheduled actions; billed about 61 h/month"): a schedule still bills only
    the minutes each run takes, so the smaller saving is stated. CF103 reports the same window as
    a batch window. So is an instance (or fixed-size group) that the Instance Scheduler on AWS
    starts and stops: its `Schedule` tag (the solution's default tag key) names a schedule, and when
    that schedule is a `Custom::ServiceInstanceSchedule` in the same template (named by its `Name`
    or logical ID, after the stack name unless `NoStackPrefix` is `"True"`), its periods
    (`BeginTime`, `EndTime`, `WeekDays`, `Months`, `MonthDays`) give the hours it runs ("runs
    2 h/day under the Instance Scheduler schedule nightly-2h; billed about 61 h/month"). When the
    schedule is not readable (kept in the solution's configuration table, as in Terraform), the
    message says the instance runs part-time under a schedule not readable here and the always-on
    cost is stated as an upper bound.

    The finding points at the line that installs the job: the user data (the launch template's or
    launch configuration's, for an auto scaling group), or the `AWS::CloudFormation::Init` key when
    the job comes from cfn-init. The resource named is the instance or the auto scaling group.

    Confidence is high when the job is the only thing the server sets up; medium when the user data
    has unresolved `${...}` placeholders (parameters or variables without a default; AWS pseudo
    parameters such as `${AWS::Region}` do not count), part of the setup could not be read (user
    data that is unknown, a script fetched at boot and run), or a job's schedule could not be read.

    ## Why is this bad?
    The instance is billed around the clock (730 hours a month) for work that takes minutes a day.
    A daily 10-minute job keeps a server busy about 0.7 % of the time; the rest is paid idle time,
    plus its EBS volume, its public IPv4 address and the patching of its operating system. If the
    instance is stopped or replaced, the job silently stops running, and nothing retries a failed
    run.

    ## Example
    ```yaml
    ReportHost:
      Type: AWS::EC2::Instance
      Properties:
        InstanceType: t3.large
        UserData: !Base64 |
          #!/bin/bash
          echo '15 2 * * * root /opt/reports/daily.py' > /etc/cron.d/daily-report
    ```
    ```hcl
    resource "aws_instance" "invoice_batch" {
      instance_type = "t3.large"
      user_data     = templatefile("${path.module}/invoice-batch.sh", {})  # writes /etc/cron.d/...
    }
    ```

    ## Use instead
    Run the job on a schedule, not on a server: an EventBridge Scheduler schedule invoking a Lambda
    function when a run finishes within 15 minutes and needs at most 10 GB of memory; otherwise a
    scheduled ECS task (the schedule starts the task on Fargate with ECS RunTask) or an AWS Batch
    job. Either way you pay only while the job runs, and failed runs are retried. If the server
    must stay (licensing, a special OS), stop it outside the job's window with Instance Scheduler
    on AWS or auto scaling scheduled actions.
    ```yaml
    DailyReport:
      Type: AWS::Scheduler::Schedule
      Properties:
        ScheduleExpression: cron(15 2 * * ? *)
        FlexibleTimeWindow: {Mode: "OFF"}
        Target:
          Arn: !GetAtt DailyReportFunction.Arn
          RoleArn: !GetAtt SchedulerRole.Arn
    ```
    A job that outgrows Lambda becomes a scheduled ECS task, the target shape for a container
    job: the schedule's target is the cluster, and each run starts the task definition (whose
    container runs the job's command once and exits) with ECS RunTask on Fargate. No check
    reports a scheduled ECS task as the wrong model.
    ```yaml
    DailyReport:
      Type: AWS::Scheduler::Schedule
      Properties:
        ScheduleExpression: cron(15 2 * * ? *)
        FlexibleTimeWindow: {Mode: "OFF"}
        Target:
          Arn: !GetAtt Cluster.Arn
          RoleArn: !GetAtt SchedulerRunTaskRole.Arn   # ecs:RunTask, iam:PassRole
          EcsParameters:
            TaskDefinitionArn: !Ref ReportTask        # Command: [python3, /opt/reports/daily.py]
            LaunchType: FARGATE
            NetworkConfiguration:
              AwsvpcConfiguration: {Subnets: [!Ref PrivateSubnet]}
    ```
    ```hcl
    resource "aws_scheduler_schedule" "invoice_batch" {
      schedule_expression = "cron(15 2 * * ? *)"
      flexible_time_window { mode = "OFF" }
      target {
        arn      = aws_ecs_cluster.jobs.arn
        role_arn = aws_iam_role.scheduler_run_task.arn
        ecs_parameters {
          task_definition_arn = aws_ecs_task_definition.invoice_batch.arn  # command = ["/opt/invoice/run.sh"]
          launch_type         = "FARGATE"
          network_configuration { subnets = [aws_subnet.private.id] }
        }
      }
    }
    ```

    The costs in the finding compare the instance(s) (on-demand compute, `min` instances for an
    auto scaling group, plus the EBS volumes and public IPv4 addresses written in the source:
    `BlockDeviceMappings`, `root_block_device`, `ebs_block_device`, the launch template's block
    devices, `associate_public_ip_address`, attached Elastic IPs) with the job on Lambda and on
    Fargate. The job's duration is not visible in the source: each run is assumed to take
    `assumed_job_minutes`, unless a usage file gives `job_duration_minutes`; a usage file's
    `monthly_hrs` (hours a month each instance runs) and, for a group, `instances` replace the
    hours and count read from the code, and the message says so. Its memory is taken as the
    instance type's memory (the most the job can use today), which also decides whether Lambda
    (at most 10,240 MB) can run it. An instance type with no size or price on file gives unknown
    costs, named as such.

    ## Options
    - `max_runs_per_day`: a job running more often than this many times a day is not intermittent
      work and is not flagged (default 24: hourly or rarer).
    - `assumed_job_minutes`: how long one run is assumed to take, for the costs (default 10;
      `job_duration_minutes` in a usage file wins).

    ## References
    - [EventBridge Scheduler](https://docs.aws.amazon.com/scheduler/latest/UserGuide/what-is-scheduler.html)
    - [Scheduler targets: ECS RunTask, Lambda, Batch](https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets.html)
    - [Lambda quotas](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html) (15 minutes, 10,240 MB)
    - [AWS Batch: when to use Fargate](https://docs.aws.amazon.com/batch/latest/userguide/when-to-use-fargate.html)
    - [Instance Scheduler on AWS](https://docs.aws.amazon.com/solutions/latest/instance-scheduler-on-aws/solution-overview.html)
    """

    id = "CF101"
    name = "scheduled-job-on-always-on-server"
    severity = WARNING
    summary = "EC2 instance or fixed-size auto scaling group kept running all month for a scheduled job"
    tags = ("aws", "ec2", "autoscaling", "cost", "compute-model", "scheduled-job")
    kinds = (m.EC2_INSTANCE, m.AUTO_SCALING_GROUP)
    confidence = MEDIUM  # the schedule read from user data or a cron file can be partial
    options = {
        "max_runs_per_day": Option(24, "a job running more often than this per day is not intermittent work"),
        "assumed_job_minutes": Option(int(facts.value("ec2.default_job_minutes")),
                                      "assumed duration of one run (minutes), for the costs"),
    }

    applies_to = (m.EC2_INSTANCE, m.AUTO_SCALING_GROUP)

    def detect(self, unit: m.ComputeUnit, ctx: CheckContext) -> Iterable[JobOnServer]:
        max_runs = float(ctx.option("max_runs_per_day"))
        minutes = float(ctx.option("assumed_job_minutes"))
        if unit.triggers_of(m.ALB):
            return  # a load balancer target serves requests: the server has another purpose
        window = _part_time(unit)
        count = window.peak if window is not None else _fixed_count(unit)
        if not count:
            return
        found = _analyse(unit)
        if not found.jobs or found.services:
            return
        if any(j.schedule.runs_per_day is not None and j.schedule.runs_per_day > max_runs
               for _s, _w, j in found.jobs):
            return
        yield JobOnServer(unit, count, found, max_runs, minutes, window)

    def explain(self, v: JobOnServer, ctx: CheckContext) -> Finding:
        return self._finding(v.subject, v.count, v.found, v.max_runs, v.minutes, v.window, ctx.usage(v.subject),
                             ctx.model)

    # -- the finding ---------------------------------------------------------------------------
    def _finding(self, unit: m.ComputeUnit, count: int, found: _Found, max_runs: float,
                 minutes: float, window: Window | None, usage=None, model=None) -> Finding:
        month = pricing.hours_per_month()
        given = _Given.of(usage, month)
        if given.instances is not None:
            count = given.instances.value
        if given.minutes is not None:
            minutes = float(given.minutes.value)
        # hours a month each instance is billed: the usage file's, all month, or the scheduled actions' window
        if given.hours is not None:
            hours = given.hours_value
        else:
            hours = month if window is None else window.instance_hours_per_day / count * month / 24
        jobs = [j for _s, _w, j in found.jobs]
        known = [j.schedule.runs_per_day for j in jobs if j.schedule.runs_per_day is not None]
        unknown_schedules = len(jobs) - len(known)
        runs_per_day = sum(known) if known else None
        runs_per_month = pricing.runs_per_month(runs_per_day) if runs_per_day is not None else None
        type_setting = unit.setting(m.INSTANCE_TYPE)
        itype = type_setting.value if type_setting is not None and isinstance(type_setting.value, str) else None
        size = pricing.ec2_size(itype)

        where = " and ".join(dict.fromkeys(w for _s, w, _j in found.jobs))
        what = _describe_unit(unit, count, itype, window, given)
        if len(jobs) == 1:
            job = jobs[0]
            runs = (f"runs {describe_rate(job.schedule.runs_per_day)}" if job.schedule.known
                    else "runs on a schedule that could not be read")
            jobs_text = f"`{_short(job.command)}` {runs}"
        else:
            rate = describe_rate(runs_per_day) if runs_per_day is not None else "an unknown number of times"
            jobs_text = f"{len(jobs)} jobs run {rate} in total"
            if unknown_schedules and runs_per_day is not None:
                jobs_text += f" (plus {unknown_schedules} with a schedule that could not be read)"
        billed = ("the instance is billed" if count == 1 else f"the {count} instances are each billed")
        duty = (f"{billed} {hours:.0f} h/month" if window is None and given.hours is None
                else f"{billed} about {hours:.0f} h/month")
        if window is None and given.hours is None and m.is_unknown(unit.instance_schedule):
            duty = f"{billed} at most {hours:.0f} h/month"
        if runs_per_month is not None and hours > 0:
            work_h = runs_per_month * minutes / 60
            share = work_h / hours
            pct = f"{share:.1%}" if share >= 0.001 else f"{share:.2%}"
            per_run = (f"{minutes:g} min per run from the usage file" if given.minutes is not None
                       else f"assuming {minutes:g} min per run")
            duty += f" for about {work_h:.1f} h of work ({pct} of the time, {per_run})"
        message = (f"{unit.name} is {what} whose {where} installs {_count(len(jobs), 'scheduled job')} and "
                   f"nothing else long-running: {jobs_text}; {duty}.")

        fits, reason = _lambda_fit(size, minutes, given.minutes is not None)
        recommendation = _recommendation(fits, reason, unit, window)
        costs = self._costs(unit, count, itype, type_setting, size, runs_per_month, unknown_schedules,
                            minutes, fits, window, hours, given, model)

        confidence = HIGH
        if found.placeholders or found.unreadable or found.opaque or unknown_schedules:
            confidence = MEDIUM
        evidence: dict = {
            "jobs": [dict(j.to_dict(), found_in=w, at=str(s.location) if s.location else None)
                     for s, w, j in found.jobs],
            "services": [],
            "instance_type": setting_evidence(type_setting),
            "instance_count": count,
            "duty_cycle": {
                "runs_per_day": None if runs_per_day is None else round(runs_per_day, 4),
                "runs_per_month": None if runs_per_month is None else round(runs_per_month, 1),
                "assumed_minutes_per_run": minutes,
                "minutes_per_run_from": "usage file" if given.minutes is not None else "check option assumed_job_minutes",
                "billed_hours_per_month": round(hours, 1),
                "busy_fraction": (None if runs_per_month is None
                                  else round(runs_per_month * minutes / 60 / hours, 5)),
            },
            "max_runs_per_day": max_runs,
        }
        if size is not None:
            evidence["instance_size"] = {"vcpu": size[0], "memory_gib": size[1]}
        by_scheduler = window is not None and window is unit.instance_schedule
        if by_scheduler or (window is None and m.is_unknown(unit.instance_schedule)):
            key = facts.fact("instance_scheduler.tag_key")
            tags = unit.value(m.TAGS)
            evidence["instance_scheduler"] = {
                "tag": f"{key.value}={tags.get(key.value) if isinstance(tags, dict) else '?'}",
                "tag_key": f"{key.value}: the solution's default tag key, per {key.url}",
                "schedule": (window.description if by_scheduler
                             else f"unknown ({unit.instance_schedule.reason})"),
            }
            if by_scheduler:
                evidence["instance_scheduler"].update(
                    hours_per_day=round(window.hours_per_day, 2),
                    instance_hours_per_month=round(window.instance_hours_per_day * month / 24, 1))
            tag = unit.setting(m.TAGS)
            if tag is not None and tag.location:
                evidence["instance_scheduler"]["at"] = str(tag.location)
        elif window is not None:
            evidence["scheduled_actions"] = {
                "window": window.description,
                "hours_per_day": round(window.hours_per_day, 2),
                "instance_hours_per_month": round(window.instance_hours_per_day * month / 24, 1),
                "actions": [str(a.location) for a in unit.scheduled_actions],
            }
        if usage:
            evidence["usage"] = {k: setting_evidence(usage.get(k)) for k in usage.settings}
        if unit.kind == m.AUTO_SCALING_GROUP:
            evidence["group_size"] = {k: setting_evidence(unit.setting(k))
                                      for k in (m.MIN_SIZE, m.MAX_SIZE, m.DESIRED_CAPACITY)}
        lt = unit.setting(m.LAUNCH_TEMPLATE)
        if lt is not None:
            evidence["launch_template"] = setting_evidence(lt)
        if found.placeholders:
            evidence["unresolved_placeholders"] = found.placeholders
        if found.unreadable:
            evidence["unreadable"] = found.unreadable
        if found.opaque:
            evidence["not_visible"] = found.opaque
        if unit.notes:
            evidence["notes"] = list(unit.notes)
        first_setting = found.jobs[0][0]
        related = [a.address for a in unit.scheduled_actions] if window is not None and not by_scheduler else []
        if by_scheduler and window.resource:
            related = [window.resource]
        return self.finding(unit, message, recommendation, at=first_setting, confidence=confidence,
                            evidence=evidence, costs=costs, related=related)

    @staticmethod
    def _costs(unit, count, itype, type_setting, size, runs_per_month, unknown_schedules, minutes,
               fits, window, hours, given=None, model=None) -> list[CostLine]:
        given = given or _Given()
        if given.hours is not None:
            current = pricing.ec2_hours(itype, hours, count,
                                        f"current: {count} x {itype or 'EC2 instance of unknown type'}, "
                                        f"{hours:g} h/month from the usage file")
            current.assumptions.append(given.hours_note)
            current.assumed = False  # the hours are given
        elif window is None:
            current = pricing.ec2_always_on(itype, count)
        else:
            current = pricing.ec2_hours(
                itype, hours, count,
                f"current: {count} x {itype or 'EC2 instance of unknown type'} under {window.by}")
            current.assumptions.append(f"runs {round(window.hours_per_day, 1):g} h/day on average: {window.description}")
            current.assumed = False  # the hours follow from the schedule in the code
        if window is None and given.hours is None and m.is_unknown(unit.instance_schedule):
            current.assumptions.append(
                f"an upper bound: the {'instance' if unit.kind == m.EC2_INSTANCE else 'group'} is tagged for the Instance Scheduler on AWS, whose schedule is not "
                f"readable here ({unit.instance_schedule.reason}); it runs only the hours that schedule allows")
        if itype is None:
            current.assumptions = [
                f"instance type unknown: {type_setting.value.reason}"
                if type_setting is not None and m.is_unknown(type_setting.value)
                else "instance type unknown: not set in the source"]
        else:
            current.assumptions.insert(0, pricing.input_note("instance type", type_setting))
        if given.instances is not None:
            current.assumptions.insert(0, pricing.input_note("instances", given.instances))
        # volumes live while instances exist: all month, unless scheduled actions terminate them
        volume_hours = hours if window is not None and given.hours is None else None
        pricing.with_extras(current, pricing.ec2_extras(unit, model, hours, volume_hours), count)
        costs = [current]
        duration_s = minutes * 60
        arch = _architecture(itype)
        run_notes = ([pricing.input_note("each run", given.minutes, f"{minutes:g} min")] if given.minutes is not None
                     else [f"each run assumed to take {minutes:g} min (check option assumed_job_minutes; the "
                           "duration is not visible in the source: give job_duration_minutes in a usage file)"])
        if unknown_schedules and runs_per_month is not None:
            run_notes.append(f"excludes {_count(unknown_schedules, 'job')} whose schedule could not be read")
        if runs_per_month is None or size is None:
            why = ("runs per month unknown: no schedule could be read" if runs_per_month is None
                   else f"job size unknown: no vCPU/memory on file for instance type {itype}" if itype
                   else "job size unknown: the instance type is unknown")
            if fits is not False:
                costs.append(CostLine("EventBridge Scheduler + Lambda", None, [why]))
            costs.append(CostLine("EventBridge Scheduler + Fargate task", None, [why]))
        else:
            vcpu, gib = size
            sizing = f"sized to the instance's {vcpu:g} vCPU / {gib:g} GiB (the most the job can use today)"
            if fits:
                memory_mb = int(gib * 1024)
                lam = pricing.lambda_job(runs_per_month, duration_s, memory_mb, arch,
                                         option=f"EventBridge Scheduler + Lambda {memory_mb} MB")
                lam.assumptions[:0] = run_notes + [f"memory {sizing}"]
                lam.assumed = given.minutes is None or bool(unknown_schedules)
                costs.append(lam)
            f_vcpu, f_gb = pricing.fargate_size(vcpu, gib)
            far = pricing.fargate_job(runs_per_month, duration_s, f_vcpu, f_gb, arch,
                                      option=f"EventBridge Scheduler + Fargate task {f_vcpu:g} vCPU / {f_gb:g} GB")
            far.assumptions[:0] = run_notes + [sizing]
            far.assumed = given.minutes is None or bool(unknown_schedules)
            costs.append(far)
        costs.append(pricing.scheduler_schedule(runs_per_month))
        return costs


# -- helpers -------------------------------------------------------------------------------------


@dataclass
class _Given:
    """What the usage file says about the server: hours a month each instance runs, how long a run
    of its job takes, and (for a group) how many instances it runs."""

    hours: m.Setting | None = None
    minutes: m.Setting | None = None
    instances: m.Setting | None = None
    month: float = 730.0

    @classmethod
    def of(cls, usage, month: float) -> "_Given":
        if not usage:
            return cls(month=month)
        instances = usage.get("instances")
        if instances is not None and instances.value < 1:
            instances = None  # no instance runs the job: the group's own size stands
        return cls(usage.get("monthly_hrs"), usage.get("job_duration_minutes"), instances, month)

    @property
    def hours_value(self) -> float:
        return min(float(self.hours.value), self.month)

    @property
    def hours_note(self) -> str:
        note = pricing.input_note("hours a month", self.hours, f"{self.hours.value:g} h")
        if float(self.hours.value) > self.month:
            note += f" (more than a month: {self.month:g} h counted)"
        return note


def _fixed_count(unit: m.ComputeUnit) -> int | None:
    """How many instances run all the time: 1 for an instance; for an auto scaling group, its size
    when min == max (and desired, if set, agrees); None when it can scale or its size is unknown."""
    if unit.kind == m.EC2_INSTANCE:
        return 1
    lo, hi = unit.value(m.MIN_SIZE), unit.value(m.MAX_SIZE)
    if not (_is_int(lo) and _is_int(hi)) or lo != hi:
        return None
    desired = unit.setting(m.DESIRED_CAPACITY)
    if desired is not None and _is_int(desired.value) and desired.value != lo:
        return None  # inconsistent: AWS rejects it; do not guess which value wins
    # An unknown desired capacity is still pinned to min == max.
    return lo


def _part_time(unit: m.ComputeUnit) -> Window | None:
    """The window of an auto scaling group whose recurring scheduled actions scale it to 0 and back
    up, or of an instance or group the Instance Scheduler on AWS stops and starts on a schedule
    readable in the code, so it runs only part of the day (None for anything else)."""
    for w in (unit.window, unit.instance_schedule):
        if isinstance(w, Window) and w.reaches_zero and w.peak > 0:
            return w
    return None


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _analyse(unit: m.ComputeUnit) -> _Found:
    """What the unit's setup analysis (derived once by the linker) found, in the order the finding
    prefers to point at."""
    found = _Found()
    for key, label in _SOURCES:
        setting = unit.setting(key)
        wl = unit.setup.get(key)
        if setting is None or wl is None:
            continue
        if m.is_unknown(wl):
            found.unreadable.append(f"{label}: {wl.reason}")
            continue
        found.jobs += [(setting, label, j) for j in wl.jobs]
        found.services += [s for s in wl.services if s.evidence not in {x.evidence for x in found.services}]
        found.opaque += [o for o in wl.opaque if o not in found.opaque]
        for ph in _unresolved(setting, wl.placeholders):
            if ph not in found.placeholders:
                found.placeholders.append(ph)
    return found


def _unresolved(setting: m.Setting, placeholders: list[str]) -> list[str]:
    """The ``${...}`` parts of the text that the front end could not resolve (a literal
    ``${HOME}`` written for the shell is not one)."""
    refs = setting.unresolved
    return [p for p in placeholders if any(r in p for r in refs)] or [f"${{{r}}}" for r in refs]


def _describe_unit(unit: m.ComputeUnit, count: int, itype: str | None, window: Window | None = None,
                   given: _Given | None = None) -> str:
    if given is not None and given.hours is not None:
        hours = f"{given.hours_value:g} h/month (monthly_hrs, usage file {given.hours.location})"
        if unit.kind == m.EC2_INSTANCE:
            if not itype:
                return f"an EC2 instance of unknown type that runs {hours}"
            article = "an" if itype[0] in "aeiou" else "a"
            return f"{article} {itype} EC2 instance that runs {hours}"
        return f"an auto scaling group of {count} ({itype or 'instance type unknown'}) that runs {hours},"
    if window is not None:
        what = (f"an EC2 instance ({itype or 'instance type unknown'})" if unit.kind == m.EC2_INSTANCE
                else f"an auto scaling group of {count} ({itype or 'instance type unknown'})")
        return f"{what} that runs {round(window.hours_per_day, 1):g} h/day under {window.by},"
    if m.is_unknown(unit.instance_schedule):
        tag = facts.value("instance_scheduler.tag_key")
        tags = unit.value(m.TAGS)
        what = (f"an EC2 instance ({itype or 'instance type unknown'})" if unit.kind == m.EC2_INSTANCE
                else f"an auto scaling group of fixed size {count} ({itype or 'instance type unknown'})")
        return (f"{what} that the Instance Scheduler on AWS runs part-time (tag {tag}={tags.get(tag)}) under a "
                "schedule not readable here,")
    if unit.kind == m.EC2_INSTANCE:
        return f"an always-on {itype} EC2 instance" if itype else "an always-on EC2 instance of unknown type"
    return f"an auto scaling group of fixed size {count} ({itype or 'instance type unknown'}), always on,"


def _lambda_fit(size: tuple[float, float] | None, minutes: float, given: bool = False) -> tuple[bool | None, str]:
    """Whether the job fits Lambda: True, False, or None (instance size unknown); and why
    (``given``: the duration comes from the usage file, not the assumption)."""
    limit_s = int(facts.value("lambda.timeout_max"))
    limit_mb = int(facts.value("lambda.memory_max"))
    if minutes * 60 > limit_s:
        takes = "takes" if given else "is assumed to take"
        return False, f"a run {takes} {minutes:g} min, more than Lambda's {limit_s // 60} minutes"
    if size is None:
        return None, "the instance's memory is unknown"
    if size[1] * 1024 > limit_mb:
        return False, (f"the instance has {size[1]:g} GiB of memory, more than Lambda's {limit_mb:,} MB, "
                       "so the job may not fit")
    return True, f"the instance has {size[1]:g} GiB of memory, within Lambda's {limit_mb:,} MB"


def _recommendation(fits: bool | None, reason: str, unit: m.ComputeUnit, window: Window | None = None) -> str:
    limit_min = int(facts.value("lambda.timeout_max")) // 60
    limit_mb = int(facts.value("lambda.memory_max"))
    task = ("a scheduled ECS task (an EventBridge Scheduler schedule whose target runs the job's task definition "
            "with ECS RunTask on Fargate, FARGATE_SPOT if a run may be interrupted)")
    if fits:
        text = (f"Run the job on a schedule instead of a server: an EventBridge Scheduler schedule invoking a "
                f"Lambda function ({reason}); if a run can take longer than {limit_min} minutes, "
                f"use {task} or an AWS Batch job instead.")
    elif fits is False:
        text = (f"Run the job on a schedule instead of a server: {task}, or an AWS Batch job ({reason}).")
    else:
        text = (f"Run the job on a schedule instead of a server: an EventBridge Scheduler schedule invoking a "
                f"Lambda function if a run finishes within {limit_min} minutes and needs at most "
                f"{limit_mb:,} MB of memory, otherwise {task} or an AWS Batch job ({reason}).")
    what = "instance" if unit.kind == m.EC2_INSTANCE else "auto scaling group"
    if window is not None and window is unit.instance_schedule:
        return (text + f" Then remove the {what}: the Instance Scheduler already stops it outside its schedule, "
                "but it is still billed by the hour for every scheduled hour while a schedule bills only the "
                "minutes each run takes.")
    if window is None and m.is_unknown(unit.instance_schedule):
        return (text + f" Then remove the {what}: the Instance Scheduler stops it part of the time, but it is "
                "still billed by the hour for every hour its schedule runs it.")
    if window is not None:
        return (text + f" Then remove the {what} and its scheduled actions: they already stop it outside "
                "the window, but it is still billed by the hour for the whole window while a schedule "
                "bills only the minutes each run takes.")
    return (text + f" Then remove the {what}; if the server must stay, stop it outside the job's window "
            "(Instance Scheduler on AWS, or auto scaling scheduled actions).")


_architecture = pricing.ec2_architecture


def _count(n: int, noun: str) -> str:
    return f"one {noun}" if n == 1 else f"{n} {noun}s"


def _short(command: str, limit: int = 80) -> str:
    command = " ".join(command.split())
    return command if len(command) <= limit else command[: limit - 3] + "..."
