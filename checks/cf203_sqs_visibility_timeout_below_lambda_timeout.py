from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from computefit import facts
from computefit import model as m
from computefit.check import ERROR, HIGH, WARNING, Check, CheckContext, Finding, Violation, setting_evidence


@dataclass
class VisibilityTooShort(Violation):
    """A queue whose visibility timeout is shorter than the timeout of a function it feeds."""

    visibility: m.Setting  # the queue's visibility timeout
    function: m.ComputeUnit  # the function the queue feeds
    timeout: m.Setting  # its timeout
    window: m.Setting | None  # the mapping's MaximumBatchingWindowInSeconds, when set
    mapping: m.Trigger  # the event source mapping
    needed: int  # factor x timeout + window
    severity: str


def _seconds(setting: m.Setting | None) -> int | None:
    v = setting.value if setting is not None else None
    return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


class SqsVisibilityTimeoutBelowLambdaTimeout(Check):
    """
    ## What it does
    Flags an SQS queue that feeds a Lambda function through an event source mapping (CloudFormation
    `AWS::Lambda::EventSourceMapping`, SAM `Events` of type `SQS`, Terraform
    `aws_lambda_event_source_mapping`, or the terraform-aws-modules/lambda `event_source_mapping`
    input) when the queue's visibility timeout (`VisibilityTimeout`, `visibility_timeout_seconds`;
    30 s when not set) is too short for the function: an **error** when it is below the function's
    timeout, a **warning** when it is below six times the function's timeout plus the mapping's
    `MaximumBatchingWindowInSeconds`.

    The finding is about the queue (a suppression on the queue silences it) and names the function
    and both values with the lines that set them. A queue that is not in the scanned code (an
    imported ARN) is not judged.

    ## Why is this bad?
    While a function processes a batch, its messages are invisible for the queue's visibility
    timeout. Lambda rejects an event source mapping whose queue's visibility timeout is below the
    function's timeout: the message would reappear while the function still works on it. Above that,
    AWS recommends at least six times the function timeout: when the function is throttled or a
    batch is retried, messages still being processed become visible again and are processed twice
    (and eventually land in the dead-letter queue although they succeeded).

    ## Example
    ```yaml
    Jobs:
      Type: AWS::SQS::Queue            # VisibilityTimeout not set: 30 s
    Worker:
      Type: AWS::Serverless::Function
      Properties:
        Timeout: 60
        Events:
          Jobs:
            Type: SQS
            Properties:
              Queue: !GetAtt Jobs.Arn
    ```
    ```hcl
    resource "aws_sqs_queue" "jobs" {
      visibility_timeout_seconds = 60   # below 6 x 60 s
    }
    ```

    ## Use instead
    Set the queue's visibility timeout to at least six times the function's timeout plus the
    batching window, or shorten the function's timeout.
    ```yaml
    Jobs:
      Type: AWS::SQS::Queue
      Properties:
        VisibilityTimeout: 360         # 6 x 60 s
    ```
    ```hcl
    resource "aws_sqs_queue" "jobs" {
      visibility_timeout_seconds = 360
    }
    ```

    ## References
    - [Creating and configuring an Amazon SQS event source mapping](https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html) (six times the function timeout)
    - [Configuring an Amazon SQS queue to trigger a Lambda function](https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-lambda-function-trigger.html)
    - [Amazon SQS visibility timeout](https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html) (30 s default)
    """

    id = "CF203"
    name = "sqs-visibility-timeout-below-lambda-timeout"
    severity = ERROR
    summary = "SQS queue feeding a Lambda with a visibility timeout below the function timeout (or below 6 x it)"
    tags = ("aws", "lambda", "sqs", "event-source-mapping", "timeout", "reliability")
    applies_to = ("sqs_queue",)

    def detect(self, queue: m.Resource, ctx: CheckContext) -> Iterable[VisibilityTooShort]:
        visibility = queue.setting("visibility_timeout")
        vis = _seconds(visibility)
        if vis is None:
            return  # unknown (a parameter without default): nothing to compare
        factor = int(facts.value("sqs.lambda_visibility_factor"))
        for unit, trigger in ctx.model.consumers(queue):
            if unit.kind != m.LAMBDA_FUNCTION or trigger.kind != m.SQS:
                continue
            timeout = unit.setting(m.TIMEOUT)
            t = _seconds(timeout)
            if t is None:
                continue
            window = trigger.via.setting("batching_window") if trigger.via is not None else None
            needed = factor * t + (_seconds(window) or 0)
            if vis < t:
                severity = ERROR
            elif vis < needed:
                severity = WARNING
            else:
                continue
            yield VisibilityTooShort(queue, visibility, unit, timeout, window, trigger, needed, severity)

    def explain(self, v: VisibilityTooShort, ctx: CheckContext) -> Finding:
        queue, fn = v.subject, v.function
        vis, t = _seconds(v.visibility), _seconds(v.timeout)
        factor = int(facts.value("sqs.lambda_visibility_factor"))
        window = _seconds(v.window)

        def where(s: m.Setting) -> str:
            if s.origin == m.ORIGIN_SERVICE_DEFAULT:
                return "not set: the AWS default"
            return s.describe_origin() + (f", {s.location}" if s.location is not None else "")

        head = (f"{queue.address} has a visibility timeout of {vis} s ({where(v.visibility)}) and feeds "
                f"{fn.name} (timeout {t} s: {where(v.timeout)}) through {v.mapping.resource}")
        if v.severity == ERROR:
            message = (f"{head}: the visibility timeout is below the function's timeout, so Lambda rejects "
                       "the event source mapping.")
        else:
            extra = f" + the {window} s batching window" if window else ""
            message = (f"{head}: below {v.needed} s ({factor} x the function's timeout{extra}), so messages "
                       "still being processed when a batch is retried or throttled become visible again and "
                       "are processed twice.")
        recommendation = (f"Set the queue's visibility timeout (VisibilityTimeout / visibility_timeout_seconds) "
                          f"to at least {v.needed} s, {factor} times the function's timeout plus the batching "
                          "window, or shorten the function's timeout.")
        evidence = {
            "visibility_timeout": setting_evidence(v.visibility),
            "function": fn.name,
            "function_timeout": setting_evidence(v.timeout),
            "batching_window": setting_evidence(v.window),
            "recommended_minimum_seconds": v.needed,
            "factor": factor,
            "mapping": {"resource": v.mapping.resource, "at": str(v.mapping.location)},
        }
        return self.finding(queue, message, recommendation, at=v.visibility, severity=v.severity,
                            confidence=HIGH, evidence=evidence, related=[fn.name])
