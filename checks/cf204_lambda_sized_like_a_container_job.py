from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from computefit import facts, pricing
from computefit import model as m
from computefit.check import (
    HIGH, MEDIUM, WARNING, Check, CheckContext, CostLine, Finding, Option, Violation, setting_evidence,
)

#: Callers that wait for the function: a function behind one of them is a request handler, not a
#: job (CF202 reports its timeout against the caller's limit).
_WAITING_CALLERS = m.SYNC_USER_FACING | {m.COGNITO, m.CLOUDFRONT}


def _number(setting: m.Setting | None) -> int | None:
    if setting is None or isinstance(setting.value, bool) or not isinstance(setting.value, (int, float)):
        return None
    return int(setting.value)


@dataclass
class ContainerSized(Violation):
    """A function with a long timeout and container-sized memory or storage."""

    timeout: m.Setting
    memory: m.Setting | None  # set when the memory reaches the threshold
    storage: m.Setting | None  # set when the ephemeral storage reaches the threshold


class LambdaSizedLikeAContainerJob(Check):
    """
    ## What it does
    Flags a Lambda function sized at the edge of Lambda's envelope - a timeout of at least 600 s
    together with at least 8,192 MB of memory or at least 4,096 MB of ephemeral storage (`/tmp`) -
    when no caller waits for it synchronously (no API, load balancer, function URL, AppSync,
    Cognito or Lambda@Edge trigger). Lambda's ceiling is 10,240 MB of memory (about 6 vCPU),
    10,240 MB of `/tmp` and 15 minutes: a function configured near all of it is a batch job.

    It stays quiet below either threshold, for functions behind a synchronous caller, and for Lambda
    durable functions (`DurableConfig` / `durable_config`), which checkpoint long work by design.
    A function with no caller in the scanned code is reported with medium confidence.

    ## Why is this bad?
    A job that needs most of Lambda's memory, disk and time has no headroom: as its input grows it
    hits the 15-minute or 10 GB limit and is killed, and there is nowhere bigger to go on Lambda.
    It also pays Lambda's per-GB-second price for the whole run: at 10 GB that is about $0.60 an
    hour, where a Fargate task of the same CPU (8 vCPU, 16 GB) costs about $0.40 and a 4 vCPU /
    10 GB one about $0.21. Fargate tasks have no time limit, up to 16 vCPU and 120 GB of memory;
    AWS Batch adds queues, retries, Spot and EC2 compute environments for larger jobs or GPUs.

    ## Example
    ```yaml
    TranscodeFunction:
      Type: AWS::Serverless::Function
      Properties:
        Runtime: python3.12
        Handler: transcode.handler
        MemorySize: 10240
        Timeout: 900
        EphemeralStorage:
          Size: 10240
        Events:
          Upload:
            Type: S3
            Properties: {Bucket: !Ref Uploads, Events: s3:ObjectCreated:*}
    ```
    ```hcl
    resource "aws_lambda_function" "etl" {
      memory_size = 10240
      timeout     = 900
    }
    ```

    ## Use instead
    Run the job as an ECS task on Fargate or an AWS Batch job, started by EventBridge Scheduler,
    an EventBridge rule (an S3 upload) or a Step Functions state (`ecs:runTask.sync`,
    `batch:submitJob.sync`).
    ```yaml
    TranscodeTask:
      Type: AWS::ECS::TaskDefinition
      Properties:
        RequiresCompatibilities: [FARGATE]
        Cpu: "8192"
        Memory: "16384"
        EphemeralStorage: {SizeInGiB: 50}
    ```

    ## Options
    - `timeout_seconds`: the timeout at or above which a function counts as long-running (default 600).
    - `memory_mb`: the memory at or above which it counts as maxed out (default 8192).
    - `ephemeral_storage_mb`: the `/tmp` size at or above which it counts as maxed out (default 4096).

    ## References
    - [Lambda quotas](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html) (memory, `/tmp`, 900 s)
    - [Lambda memory and vCPU](https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html)
    - [AWS Batch: when to use Fargate](https://docs.aws.amazon.com/batch/latest/userguide/when-to-use-fargate.html)
    - [Fargate task CPU and memory](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size)
    - [Lambda durable functions](https://docs.aws.amazon.com/lambda/latest/dg/durable-basic-concepts.html)
    """

    id = "CF204"
    name = "lambda-sized-like-a-container-job"
    severity = WARNING
    summary = "Lambda at the edge of its envelope (long timeout with near-maximum memory or /tmp): a batch job for Fargate or AWS Batch"
    tags = ("aws", "lambda", "fargate", "batch", "cost", "compute-model")
    confidence = MEDIUM  # the lowest confidence its findings can have (SARIF precision)
    options = {
        "timeout_seconds": Option(600, "timeout (s) at or above which a function counts as long-running"),
        "memory_mb": Option(8192, "memory (MB) at or above which a function counts as maxed out"),
        "ephemeral_storage_mb": Option(4096, "ephemeral storage (MB) at or above which a function counts as maxed out"),
    }

    applies_to = (m.LAMBDA_FUNCTION,)

    def detect(self, unit: m.ComputeUnit, ctx: CheckContext) -> Iterable[ContainerSized]:
        timeout = unit.setting(m.TIMEOUT)
        seconds = _number(timeout)
        if seconds is None or seconds < int(ctx.option("timeout_seconds")):
            return
        memory, storage = unit.setting(m.MEMORY_SIZE), unit.setting(m.EPHEMERAL_STORAGE)
        mb, tmp = _number(memory), _number(storage)
        big_memory = mb is not None and mb >= int(ctx.option("memory_mb"))
        big_storage = tmp is not None and tmp >= int(ctx.option("ephemeral_storage_mb"))
        if not (big_memory or big_storage):
            return
        durable = unit.setting(m.DURABLE_EXECUTION_TIMEOUT)
        if durable is not None and durable.known:
            return  # checkpointed and replayed: long, large invocations are by design
        if any(t.kind in _WAITING_CALLERS for t in unit.triggers):
            return
        yield ContainerSized(unit, timeout, memory if big_memory else None, storage if big_storage else None)

    def explain(self, v: ContainerSized, ctx: CheckContext) -> Finding:
        unit = v.subject
        seconds = _number(v.timeout)
        limit = int(facts.value("lambda.timeout_max"))
        mb_per_vcpu = facts.value("lambda.mb_per_vcpu")
        memory_max = int(facts.value("lambda.memory_max"))
        sizes = [f"timeout {seconds} s (limit {limit} s; {v.timeout.describe_origin()})"]
        mb = _number(unit.setting(m.MEMORY_SIZE))
        if v.memory is not None:
            sizes.append(f"memory {mb:,} MB, about {mb / mb_per_vcpu:.1f} vCPU (limit {memory_max:,} MB, about "
                         f"{memory_max / mb_per_vcpu:.1f} vCPU; {v.memory.describe_origin()})")
        if v.storage is not None:
            tmp = _number(v.storage)
            sizes.append(f"ephemeral storage {tmp:,} MB (limit {int(facts.value('lambda.ephemeral_storage_max')):,} MB; "
                         f"{v.storage.describe_origin()})")
        labels = sorted({m.TRIGGER_LABELS.get(t.kind, t.kind) for t in unit.triggers})
        invoked = f"invoked by {' and '.join(labels)}" if labels else "with no caller in the scanned code"
        message = (f"{unit.name} is sized like a container job, {invoked}: {', '.join(sizes)}. Work at the "
                   "edge of Lambda's envelope has nowhere to grow - past 15 minutes or 10 GB it is killed - "
                   "and pays Lambda's per-GB-second price for every second of it.")
        at = v.memory or v.storage or v.timeout
        evidence: dict[str, Any] = {
            "timeout": setting_evidence(v.timeout),
            "memory_size": setting_evidence(unit.setting(m.MEMORY_SIZE)),
            "ephemeral_storage": setting_evidence(unit.setting(m.EPHEMERAL_STORAGE)),
            "thresholds": {k: ctx.option(k) for k in self.options},
            "triggers": [{"kind": t.kind, "resource": t.resource, "at": str(t.location)} for t in unit.triggers],
        }
        if unit.notes:
            evidence["notes"] = list(unit.notes)
        return self.finding(unit, message, self._recommendation(unit), at=at,
                            confidence=HIGH if unit.triggers else MEDIUM, evidence=evidence,
                            costs=self._costs(unit, seconds, mb, ctx.usage(unit)))

    @staticmethod
    def _recommendation(unit: m.ComputeUnit) -> str:
        vcpu, gb = int(facts.value("fargate.max_vcpu")), int(facts.value("fargate.max_memory_gb"))
        kinds_ = {t.kind for t in unit.triggers}
        if kinds_ == {m.SCHEDULE}:
            start = "started by EventBridge Scheduler (ECS RunTask or Batch SubmitJob targets)"
        elif m.STEP_FUNCTIONS in kinds_:
            start = "run from the state machine that invokes it (ecs:runTask.sync or batch:submitJob.sync)"
        elif kinds_ & {m.SQS, m.KINESIS, m.DYNAMODB_STREAM, m.KAFKA, m.MQ}:
            start = ("fed by the same queue or stream (a Fargate service that scales on queue depth, or "
                     "EventBridge Pipes to Step Functions or Batch)")
        elif kinds_ & {m.S3, m.EVENTBRIDGE, m.SNS}:
            start = "started by an EventBridge rule on the same event (ECS RunTask or Batch SubmitJob targets)"
        else:
            start = "started by EventBridge Scheduler, an EventBridge rule or Step Functions (.sync)"
        return (f"Run the job as an ECS task on Fargate (no time limit, up to {vcpu} vCPU and {gb} GB of memory, "
                f"ephemeral storage configurable) or an AWS Batch job (queues, retries, Spot; EC2 compute environments "
                f"for more than {vcpu} vCPU / {gb} GB or for GPUs), {start}. Keep Lambda only if runs finish well "
                "within the limits, or split the work into short steps (Step Functions Map, Lambda durable "
                "functions); if the job never needed this much (a configuration copied from elsewhere), lower "
                "the timeout, memory and /tmp to what a run uses.")

    @staticmethod
    def _costs(unit: m.ComputeUnit, seconds: int, mb: int | None, usage=None) -> list[CostLine]:
        if mb is None:
            return [CostLine("current: Lambda", None, ["memory size could not be resolved"])]
        arch = pricing.lambda_architecture(unit.value(m.ARCHITECTURES))
        vcpu, gb, rule = pricing.fargate_for_lambda(mb)
        lam_label = f"Lambda {mb} MB, {seconds} s"
        far_label = f"Fargate task {vcpu:g} vCPU / {gb:g} GB, {seconds} s"
        full = "every run lasts the full timeout (an upper bound)"
        extra = "ephemeral storage charges (Lambda above 512 MB, Fargate above 20 GB) not included"
        inputs = [pricing.input_note("memory", unit.setting(m.MEMORY_SIZE), f"{mb} MB"),
                  pricing.input_note("timeout", unit.setting(m.TIMEOUT), f"{seconds} s")]
        options = ((f"current: {lam_label}", lambda n, o: pricing.lambda_job(n, seconds, mb, arch, option=o), inputs),
                   (far_label, lambda n, o: pricing.fargate_job(n, seconds, vcpu, gb, arch, option=o), [rule]))
        costs = []
        runs = pricing.lambda_runs(unit, usage)
        if not runs.known:
            for label, per, notes in options:
                line = pricing.per_1000_runs(per(1000, f"{label} per run"), [full, *runs.notes, *notes])
                line.assumptions.append(extra)
                costs.append(line)
            return costs
        count, capped = pricing.capped_runs(runs.per_month, seconds, unit.value(m.RESERVED_CONCURRENCY))
        for label, per, notes in options:
            line = per(count, f"{label}, {count:,.0f} runs a month" + (" (at least)" if runs.lower_bound else ""))
            line.assumptions[:0] = [full, *runs.notes, *capped, *notes]
            line.assumptions.append(extra)
            costs.append(line)
        return costs
