from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from computefit import facts, pricing, workload
from computefit import model as m
from computefit.check import (
    HIGH, MEDIUM, WARNING, Check, CheckContext, Finding, Option, Violation, setting_evidence,
)


@dataclass
class SchedulerService(Violation):
    desired: m.Setting
    container: m.Container
    task: m.ComputeUnit | None  # the task definition, when in the scanned code
    runs_per_day: float | None  # from a sleep loop; None for a cron daemon (its crontab is not visible)
    interval_s: float | None


def _present(s: m.Setting | None) -> bool:
    """A load balancer / service registry / Service Connect setting that wires something (an empty
    list does not; a Terraform block does, whatever the front end kept of it; an unresolved value
    might, so it counts)."""
    if s is None:
        return False
    return not (isinstance(s.value, list) and not s.value)


def task_size(unit: Any) -> tuple[float, float] | None:
    """(vCPU, GB) of a task's cpu and memory as ECS accepts them ("512" CPU units or "0.5 vCPU";
    "1024" MiB or "1 GB"), or None when either is not known."""
    def read(v: Any, per: float, unit_word: str) -> float | None:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v) / per
        if not isinstance(v, str):
            return None
        mt = re.fullmatch(rf"\s*([\d.]+)\s*({unit_word})?\s*", v, re.I)
        if not mt:
            return None
        return float(mt.group(1)) if mt.group(2) else float(mt.group(1)) / per

    vcpu = read(unit.value(m.TASK_CPU), 1024, "vcpu")
    gb = read(unit.value(m.TASK_MEMORY), 1024, "gb")
    return (vcpu, gb) if vcpu and gb else None


class ContainerServiceRunningAScheduler(Check):
    """
    ## What it does
    Flags an ECS service that keeps one task running (desired count 1, no load balancer, no
    service discovery or Service Connect) whose essential container runs a scheduler: a cron
    daemon in the foreground (`crond -f`, `cron -f`, `busybox crond -f`, `supercronic`,
    `go-crond`), or a `while true; ...; sleep N` loop with N of 5 minutes or more. The container
    definitions are read from CloudFormation and from Terraform's `jsonencode()`, `file()`,
    `templatefile()` or a heredoc, and from a terraform-aws-modules/ecs service submodule call.

    ## Why is this bad?
    It is the container twin of the cron-only server: the task runs and bills around the clock
    (730 hours a month) for a job that runs minutes a day. ECS can run the job itself on a
    schedule, starting a task for each run and stopping it when the job ends, so only the minutes
    of work are billed; a failed run is visible as a stopped task instead of a line in a log.

    ## Example
    ```yaml
    CronService:
      Type: AWS::ECS::Service
      Properties:
        Cluster: !Ref Cluster
        TaskDefinition: !Ref CronTask      # ContainerDefinitions: Command: [crond, -f]
        DesiredCount: 1
        LaunchType: FARGATE
    ```
    ```hcl
    resource "aws_ecs_service" "cron" {
      cluster         = aws_ecs_cluster.main.id
      task_definition = aws_ecs_task_definition.cron.arn   # command = ["supercronic", "/etc/crontab"]
      desired_count   = 1
      launch_type     = "FARGATE"
    }
    ```

    ## Use instead
    A scheduled ECS task: an EventBridge Scheduler schedule (one per crontab line) whose target
    runs the task definition with ECS RunTask on Fargate, the container running the job's command
    once and exiting; use the FARGATE_SPOT capacity provider when the job tolerates an
    interruption. A job that fits Lambda's 15 minutes and 10 GB can be a scheduled Lambda function
    instead. A scheduled ECS task is the shape computefit recommends, never one it flags.
    ```yaml
    NightlyJob:
      Type: AWS::Scheduler::Schedule
      Properties:
        ScheduleExpression: cron(0 3 * * ? *)
        FlexibleTimeWindow: {Mode: "OFF"}
        Target:
          Arn: !GetAtt Cluster.Arn
          RoleArn: !GetAtt SchedulerRole.Arn
          EcsParameters:
            TaskDefinitionArn: !Ref JobTask        # Command: [python, job.py]
            LaunchType: FARGATE
            NetworkConfiguration:
              AwsvpcConfiguration: {Subnets: [!Ref Subnet]}
    ```
    ```hcl
    resource "aws_scheduler_schedule" "nightly_job" {
      schedule_expression = "cron(0 3 * * ? *)"
      flexible_time_window { mode = "OFF" }
      target {
        arn      = aws_ecs_cluster.main.arn
        role_arn = aws_iam_role.scheduler.arn
        ecs_parameters {
          task_definition_arn = aws_ecs_task_definition.job.arn   # command = ["python", "job.py"]
          launch_type         = "FARGATE"
          network_configuration { subnets = [aws_subnet.private.id] }
        }
      }
    }
    ```

    The check stays quiet for a service behind a load balancer, with service discovery or Service
    Connect, with more than one task, a DAEMON service, and a container whose command is a server
    or a queue worker.

    ## Options
    - `min_sleep_seconds`: the shortest sleep of a `while true` loop that counts as a scheduler
      (default 300: a loop that sleeps less is close to a worker).
    - `runs_per_day`: runs a day assumed for a cron daemon, whose crontab is not visible (default 1).
    - `job_minutes`: the assumed length of one run, for the cost of the scheduled task (default 10).

    ## References
    - [Scheduled tasks in Amazon ECS](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/scheduled_tasks.html)
    - [EventBridge Scheduler: ECS RunTask targets](https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html)
    - [AWS Fargate pricing](https://aws.amazon.com/fargate/pricing/)
    - [Fargate Spot capacity providers](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html)
    """

    id = "CF102"
    name = "container-service-running-a-scheduler"
    severity = WARNING
    summary = "ECS service kept running for a cron daemon or a sleep loop: a scheduled ECS task bills only the runs"
    tags = ("aws", "ecs", "fargate", "schedule", "cost", "compute-model")
    confidence = MEDIUM  # the lowest confidence its findings can have (SARIF precision)
    options = {
        "min_sleep_seconds": Option(300, "shortest sleep (s) of a while-true loop that counts as a scheduler"),
        "runs_per_day": Option(1.0, "runs a day assumed for a cron daemon whose crontab is not visible", float),
        "job_minutes": Option(10.0, "assumed minutes of one run, for the scheduled task's cost", float),
    }

    applies_to = (m.ECS_SERVICE,)

    def detect(self, unit: m.ComputeUnit, ctx: CheckContext) -> Iterable[SchedulerService]:
        desired = unit.setting(m.DESIRED_COUNT)
        if desired is None or desired.value != 1 or isinstance(desired.value, bool):
            return
        strategy = unit.value(m.SCHEDULING_STRATEGY)
        if isinstance(strategy, str) and strategy.upper() == "DAEMON":
            return
        if any(_present(unit.setting(k)) for k in (m.LOAD_BALANCERS, m.SERVICE_REGISTRIES, m.SERVICE_CONNECT)):
            return
        cs = unit.containers
        if m.is_unknown(cs):
            return
        essential = [c for c in cs if c.essential]
        if any(c.process is not None and c.process.kind in (workload.SERVER, workload.WORKER) for c in essential):
            return
        min_sleep = float(ctx.option("min_sleep_seconds"))
        for c in essential:
            p = c.process
            if p is None or p.kind != workload.SCHEDULER:
                continue
            runs = interval = None
            if p.job is not None:
                runs = p.job.schedule.runs_per_day
                if p.job.schedule.expression.startswith("sleep "):
                    if not runs:
                        continue
                    interval = 86400 / runs
                    if interval < min_sleep:
                        continue
            task = next((t for e in unit.resource.edges_via("task_definition") if e.target
                         for t in [ctx_unit(ctx, e.target, unit)] if t is not None), None)
            yield SchedulerService(unit, desired, c, task, runs, interval)
            return

    def explain(self, v: SchedulerService, ctx: CheckContext) -> Finding:
        unit, c = v.subject, v.container
        name = c.name if isinstance(c.name, str) else "its essential container"
        if v.interval_s is not None:
            how = f"a loop that sleeps {v.interval_s / 60:g} minutes between runs"
        else:
            how = "a cron daemon"
        message = (f"{unit.name} keeps one task running around the clock whose container {name} runs {how} "
                   f"({c.process.evidence.split(': ', 1)[-1]}), with no load balancer or service discovery: "
                   "it bills 730 hours a month for a job that runs now and then.")
        scheduled = [t for t in (v.task.triggers if v.task else []) if t.kind == m.SCHEDULE]
        recommendation = ("Run the job as a scheduled ECS task instead: an EventBridge Scheduler schedule (one per "
                          "job) whose target runs the task definition with ECS RunTask on Fargate, the container "
                          "running the job's command once and exiting, and remove the service; use FARGATE_SPOT "
                          "when the job tolerates an interruption. A job that fits Lambda's "
                          f"{facts.value('lambda.timeout_max') // 60:g} minutes and "
                          f"{facts.value('lambda.memory_max') / 1024:g} GB can be a scheduled Lambda function.")
        if scheduled:
            recommendation += (f" {v.task.name} is already run on a schedule by "
                               f"{', '.join(dict.fromkeys(t.resource for t in scheduled))}: that is the right "
                               "shape, and the service looks redundant.")
        costs = self.costs(unit, v, ctx)
        evidence: dict[str, Any] = {
            "desired_count": setting_evidence(v.desired),
            "container": c.to_dict(),
            "task_definition": v.task.name if v.task else None,
            "load_balancer": None, "service_discovery": None,
        }
        if scheduled:
            evidence["scheduled_by"] = [t.resource for t in scheduled]
        confidence = HIGH if v.runs_per_day is not None or "cron" in c.process.evidence else MEDIUM
        return self.finding(unit, message, recommendation, at=v.desired, confidence=confidence,
                            evidence=evidence, costs=costs, related=[v.task.name] if v.task else [])

    def costs(self, unit: m.ComputeUnit, v: SchedulerService, ctx: CheckContext) -> list:
        size = task_size(unit)
        if size is None:
            return []
        vcpu, gb = size
        arch_value = unit.value(m.CPU_ARCHITECTURE)
        arch = "arm64" if isinstance(arch_value, str) and arch_value.upper() == "ARM64" else "x86_64"
        hours = pricing.hours_per_month()
        current = pricing.fargate_job(1, hours * 3600, vcpu, gb, arch,
                                      option=f"current: ECS service, 1 task of {vcpu:g} vCPU / {gb:g} GB always on")
        current.assumptions[0] = f"{hours:g} hours a month (one task), {vcpu:g} vCPU / {gb:g} GB ({arch})"
        launch = unit.value(m.LAUNCH_TYPE)
        if not (isinstance(launch, str) and launch.upper() == "FARGATE"):
            current.assumptions.append("priced at Fargate's on-demand rate (the launch type is not FARGATE, or "
                                       "is set by a capacity provider strategy)")
        given = ctx.usage(unit).get("job_duration_minutes")
        job_s = float(given.value if given is not None else ctx.option("job_minutes")) * 60
        minutes_note = (pricing.input_note("minutes a run", given, f"{given.value:g}") if given is not None
                        else f"{job_s / 60:g} minutes a run assumed (option job_minutes; give job_duration_minutes "
                             "in a usage file)")
        if v.interval_s is not None:
            runs_day, basis = v.runs_per_day, "run(s) a day, from the loop's sleep"
            job_s = min(job_s, v.interval_s)
        elif v.runs_per_day is not None:
            runs_day, basis = v.runs_per_day, f"run(s) a day, from the crontab line ({v.container.process.job.source})"
        else:
            runs_day, basis = float(ctx.option("runs_per_day")), "run(s) a day assumed (the crontab is not visible; option runs_per_day)"
        runs = pricing.runs_per_month(runs_day)
        job = pricing.fargate_job(runs, job_s, vcpu, gb, arch,
                                  option=f"scheduled ECS task: {runs_day:g} run(s)/day x {job_s / 60:g} min on Fargate")
        job.assumptions.insert(0, f"{runs_day:g} {basis}; {minutes_note}")
        sched = pricing.scheduler_schedule(runs)
        if job.monthly_usd is not None and sched.monthly_usd is not None:
            job.monthly_usd += sched.monthly_usd
            job.assumptions.append("plus EventBridge Scheduler: " + "; ".join(sched.assumptions))
        return [current, job]


def ctx_unit(ctx: CheckContext, address: str, near: m.ComputeUnit) -> m.ComputeUnit | None:
    """The task definition unit at ``address`` in the document of ``near``."""
    for d in ctx.model.documents:
        if any(u is near for u in d.units):
            return next((u for u in d.units if u.kind == m.ECS_TASK and u.name == address), None)
    return None
