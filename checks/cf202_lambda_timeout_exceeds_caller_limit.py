from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from computefit import facts, kinds, pricing
from computefit import model as m
from computefit.check import (
    HIGH, LOW, MEDIUM, WARNING, Check, CheckContext, CostLine, Finding, Option, Violation, setting_evidence,
)

_LABEL = {
    m.REST_API: "REST API",
    m.HTTP_API: "HTTP API",
    m.API_GATEWAY: "API Gateway API (protocol unknown)",
    m.STEP_FUNCTIONS: "Step Functions state machine",
    m.APPSYNC: "AppSync data source",
    m.COGNITO: "Cognito user pool",
    m.CLOUDFRONT: "CloudFront (Lambda@Edge)",
}


@dataclass
class CallerLimit:
    """How long one synchronous caller waits for the function."""

    trigger: m.Trigger
    limit_ms: int
    basis: str  # why this limit: "the default integration timeout", "TimeoutInMillis", ...
    setting: m.Setting | None = None  # the integration timeout, when the source sets it
    confidence: str = HIGH
    raisable: bool | None = None  # REST: True Regional/private, False edge-optimized, None unknown

    @property
    def label(self) -> str:
        t = self.trigger
        what = _LABEL.get(t.kind, t.kind)
        if t.kind == m.CLOUDFRONT:
            event = t.settings.get(m.EDGE_EVENT)
            what += f" {event.value} event" if event is not None else ""
        return f"{what} {t.resource}"

    def to_evidence(self) -> dict[str, Any]:
        t = self.trigger
        out: dict[str, Any] = {"kind": t.kind, "resource": t.resource, "at": str(t.location),
                               "limit_ms": self.limit_ms, "basis": self.basis}
        if self.setting is not None:
            out["integration_timeout_ms"] = setting_evidence(self.setting)
        for key in (m.ENDPOINT_TYPE, m.RESPONSE_TRANSFER_MODE, m.EDGE_EVENT, m.TASK_TIMEOUT):
            if key in t.settings:
                out[key] = setting_evidence(t.settings[key])
        return out


@dataclass
class OutlivesCaller(Violation):
    """A function whose timeout exceeds the limit of callers that wait for it."""

    timeout: m.Setting
    timeout_s: int
    callers: list[CallerLimit]  # the callers whose limit the timeout exceeds, strictest first


def _seconds(ms: int) -> str:
    return f"{ms / 1000:g} s"


def _from_permission(trigger: m.Trigger) -> bool:
    """A caller known only from a lambda:InvokeFunction permission: its integration (an OpenAPI
    body, another stack) is not in the scanned code."""
    return kinds.kind_of(trigger.resource_type) == "lambda_permission"


class LambdaTimeoutExceedsCallerLimit(Check):
    """
    ## What it does
    Flags a Lambda function whose timeout is longer than a synchronous caller waits for it:

    | Caller | Limit |
    | --- | --- |
    | API Gateway REST API integration | `TimeoutInMillis` / `timeout_milliseconds`, default 29 s; above 29 s only for Regional and private APIs |
    | API Gateway HTTP API integration | `TimeoutInMillis` / `timeout_milliseconds`, default and maximum 30 s |
    | AppSync Lambda data source | 30 s |
    | Cognito user pool trigger | 5 s (not configurable) |
    | Lambda@Edge | 5 s on viewer events, 30 s on origin events |
    | Step Functions Task state | its `TimeoutSeconds` (a Task without one waits for the function) |
    | API Gateway API of unknown protocol | 30 s (the longer of REST's default and HTTP's maximum), low confidence |

    It fires when the function timeout in milliseconds exceeds the caller's limit. It stays quiet
    for callers with no shorter limit (Application Load Balancer targets, function URLs), for
    WebSocket APIs, for asynchronous callers (S3, SNS, EventBridge, schedules, queues and streams),
    and for REST integrations with response streaming (`ResponseTransferMode: STREAM` in
    CloudFormation, `response_transfer_mode = "STREAM"` in Terraform), which may run up to 15
    minutes. Integrations written in an API's OpenAPI definition (SAM `DefinitionBody` /
    `DefinitionUri`, `Body`, or `BodyS3Location` when it is a local file; Terraform `body`) count
    with their own `timeoutInMillis` and `responseTransferMode`. A Step Functions Task counts when
    it invokes the function (`Resource` the function's ARN, or `lambda:invoke` with its
    `FunctionName`, also through `DefinitionSubstitutions` or `templatefile()` variables) and sets
    `TimeoutSeconds`. A caller known only from a `lambda:InvokeFunction` permission whose source
    ARN names a REST or HTTP API outside the scanned code is assumed to use its default limit,
    with medium confidence; one with no source ARN naming an API is an API of unknown protocol,
    reported above 30 s only, with low confidence.

    The property names were checked against the CloudFormation reference
    (`AWS::ApiGateway::Method` `Integration.ResponseTransferMode`, `BUFFERED` or `STREAM`) and the
    Terraform AWS provider's `aws_api_gateway_integration` documentation (`response_transfer_mode`,
    as published through the Pulumi bridge of that provider; the provider repository snapshot at
    hand predates the argument).

    ## Why is this bad?
    The caller gives up first: the client receives an error (API Gateway returns 504, AppSync a
    timeout error, Cognito fails the sign-in after retrying) while the function keeps running - and
    billing - until it finishes or reaches its own timeout. Nobody receives that work's result, and
    a client that retries starts the same work again. A timeout above the caller's limit is a sign
    that the work is too long for a request-response path.

    ## Example
    ```yaml
    ReportFunction:
      Type: AWS::Serverless::Function
      Properties:
        Runtime: python3.12
        Handler: report.handler
        Timeout: 120                 # the REST API below gives up after 29 s
        Events:
          Report:
            Type: Api
            Properties: {Path: /report, Method: post}
    ```
    ```hcl
    resource "aws_lambda_function" "report" {
      timeout = 120
    }
    resource "aws_apigatewayv2_integration" "report" {
      integration_uri = aws_lambda_function.report.invoke_arn   # HTTP API: 30 s at most
    }
    ```

    ## Use instead
    Cap the timeout at the caller's limit; or make the work asynchronous: a short function
    validates the request, starts the work (an SQS message, a Step Functions execution) and returns
    202 with a status endpoint the client polls (or a WebSocket or AppSync subscription that pushes
    the result); or stream the response through a function URL (`InvokeMode: RESPONSE_STREAM`) or
    a REST integration with response streaming, both up to 15 minutes. A Regional or private REST
    API can also raise its integration timeout above 29 s (a Service Quotas increase, which may
    lower the account's throttle quota).
    ```yaml
    ReportIntegration:
      Type: AWS::ApiGateway::Method
      Properties:
        Integration:
          Type: AWS_PROXY
          ResponseTransferMode: STREAM   # stream up to 15 minutes
          TimeoutInMillis: 120000
    ```

    ## Options
    - `timed_out_requests_per_month`: how many requests a month the cost lines assume run to the
      function's timeout (default 1000; the volume is not in the code).

    ## References
    - [API Gateway REST API quotas](https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html) (integration timeout)
    - [Integration timeouts above 29 seconds](https://aws.amazon.com/about-aws/whats-new/2024/06/amazon-api-gateway-integration-timeout-limit-29-seconds/)
    - [REST API response streaming](https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html)
    - [AWS::ApiGateway::Method Integration](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigateway-method-integration.html) (`ResponseTransferMode`, `TimeoutInMillis`)
    - [Terraform aws_api_gateway_integration](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_integration) (`response_transfer_mode`, `timeout_milliseconds`)
    - [HTTP API quotas](https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html)
    - [Cognito user pool Lambda triggers](https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-identity-pools-working-with-aws-lambda-triggers.html) (5-second limit)
    - [Quotas on Lambda@Edge](https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-lambda-at-edge)
    - [Lambda response streaming](https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html)
    - [x-amazon-apigateway-integration object](https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html) (`timeoutInMillis`, `uri`)
    - [Step Functions Task state](https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html) (`TimeoutSeconds`)
    """

    id = "CF202"
    name = "lambda-timeout-exceeds-caller-limit"
    severity = WARNING
    summary = "Lambda timeout longer than its synchronous caller waits (API Gateway, AppSync, Cognito, Lambda@Edge, a Step Functions Task)"
    tags = ("aws", "lambda", "api-gateway", "appsync", "cognito", "timeout", "reliability")
    confidence = LOW  # the lowest confidence its findings can have (SARIF precision)
    options = {
        "timed_out_requests_per_month": Option(
            1000, "requests a month that run to the timeout, assumed for the cost lines"),
    }

    applies_to = (m.LAMBDA_FUNCTION,)

    def detect(self, unit: m.ComputeUnit, ctx: CheckContext) -> Iterable[OutlivesCaller]:
        setting = unit.setting(m.TIMEOUT)
        if setting is None or not setting.known or not isinstance(setting.value, (int, float)) \
                or isinstance(setting.value, bool):
            return
        timeout_ms = int(setting.value * 1000)
        exceeded = [c for t in unit.triggers if (c := self.limit(t)) is not None and timeout_ms > c.limit_ms]
        if exceeded:
            exceeded.sort(key=lambda c: c.limit_ms)
            yield OutlivesCaller(unit, setting, int(setting.value), exceeded)

    # -- the caller's limit ------------------------------------------------------------------
    @staticmethod
    def limit(t: m.Trigger) -> CallerLimit | None:
        """How long ``t`` waits, or None when it sets no shorter limit than the function's own."""
        derived = _from_permission(t)
        confidence = MEDIUM if derived else HIGH
        if t.kind == m.REST_API:
            mode = t.settings.get(m.RESPONSE_TRANSFER_MODE)
            if mode is not None and isinstance(mode.value, str) and mode.value.upper() == "STREAM":
                return None  # response streaming: up to 15 minutes
            if mode is not None and not mode.known:
                confidence = MEDIUM
            default = int(facts.value("integration.rest_api_timeout_ms"))
            et = t.settings.get(m.ENDPOINT_TYPE)
            et_value = et.value.upper() if et is not None and isinstance(et.value, str) else None
            raisable = None if et_value is None else et_value in ("REGIONAL", "PRIVATE")
            # above 29 s only on a Regional or private API: an edge-optimized API caps it there
            maximum = default if raisable is False else None
            c = LambdaTimeoutExceedsCallerLimit._configured(t, default, maximum, confidence, derived)
            c.raisable = raisable
            return c
        if t.kind == m.HTTP_API:
            limit = int(facts.value("integration.http_api_timeout_ms"))
            return LambdaTimeoutExceedsCallerLimit._configured(t, limit, limit, confidence, derived)
        if t.kind == m.API_GATEWAY:
            # REST (29 s by default) or HTTP (30 s at most): only a timeout above both is reported
            limit = max(int(facts.value("integration.rest_api_timeout_ms")),
                        int(facts.value("integration.http_api_timeout_ms")))
            return CallerLimit(t, limit, "an API Gateway API known only from a lambda:InvokeFunction permission "
                               "with no source ARN naming the API: REST, HTTP or WebSocket unknown, so the longer "
                               "of REST's default and HTTP's maximum is assumed", confidence=LOW)
        if t.kind == m.STEP_FUNCTIONS:
            s = t.settings.get(m.TASK_TIMEOUT)
            if s is None or not isinstance(s.value, (int, float)) or isinstance(s.value, bool):
                return None  # no TimeoutSeconds: the Task waits for the function
            return CallerLimit(t, int(s.value * 1000), f"the {s.note or 'TimeoutSeconds of its Task state'}",
                               None, confidence)  # the evidence shows it as task_timeout
        if t.kind == m.APPSYNC:
            return CallerLimit(t, int(facts.value("integration.appsync_timeout_ms")),
                               "AppSync's limit for a Lambda resolver, not configurable", confidence=confidence)
        if t.kind == m.COGNITO:
            return CallerLimit(t, int(facts.value("integration.cognito_trigger_timeout_ms")),
                               "Cognito's limit for a user pool trigger, not configurable", confidence=confidence)
        if t.kind == m.CLOUDFRONT:
            event = t.settings.get(m.EDGE_EVENT)
            if event is not None and event.value == "viewer":
                return CallerLimit(t, int(facts.value("integration.edge_viewer_timeout_ms")),
                                   "Lambda@Edge's limit on viewer events", confidence=confidence)
            return CallerLimit(t, int(facts.value("integration.edge_origin_timeout_ms")),
                               "Lambda@Edge's limit on origin events" +
                               ("" if event is not None else " (the event type is unknown; viewer events allow 5 s)"),
                               confidence=confidence)
        return None

    @staticmethod
    def _configured(t: m.Trigger, default: int, maximum: int | None, confidence: str,
                    derived: bool) -> CallerLimit:
        """An API integration's timeout: the one it sets, else the default (capped at ``maximum``)."""
        s = t.settings.get(m.INTEGRATION_TIMEOUT_MS)
        if s is not None and isinstance(s.value, int) and not isinstance(s.value, bool):
            value = min(s.value, maximum) if maximum else s.value
            basis = "the integration's timeout" + (f", set in {s.note}" if s.note and "OpenAPI" in s.note else "")
            return CallerLimit(t, value, basis, s, confidence)
        if s is not None:
            why = s.value.reason if m.is_unknown(s.value) else f"{s.value!r} is not a number"
            return CallerLimit(t, default, f"the integration's timeout is unknown ({why}); the default assumed",
                               s, MEDIUM)
        if derived:
            return CallerLimit(t, default, "the default integration timeout, assumed: the integration is not in "
                               "the scanned code (an OpenAPI definition not read, or another stack)", None, MEDIUM)
        return CallerLimit(t, default, "the default integration timeout", None, confidence)

    # -- the finding -------------------------------------------------------------------------
    def explain(self, v: OutlivesCaller, ctx: CheckContext) -> Finding:
        unit, callers = v.subject, v.callers
        strictest = callers[0]
        timeout_ms = v.timeout_s * 1000
        waits = "; ".join(f"{c.label} gives up after {_seconds(c.limit_ms)} ({c.basis})" for c in callers)
        wasted = (timeout_ms - strictest.limit_ms) / 1000
        if strictest.trigger.kind == m.STEP_FUNCTIONS:
            outcome = (f"an invocation that runs longer fails the Task with States.Timeout after "
                       f"{_seconds(strictest.limit_ms)} (a Retry starts the work again, a Catch moves on without its result)")
        else:
            outcome = (f"a request that runs longer leaves its client waiting {_seconds(strictest.limit_ms)} "
                       "for an error")
        message = (
            f"{unit.name} has a timeout of {v.timeout_s} s ({v.timeout.describe_origin()}), but {waits}: "
            f"{outcome} while the function runs up to {wasted:g} s more, billed, for nobody."
        )
        levels = {c.confidence for c in callers}
        confidence = LOW if LOW in levels else MEDIUM if MEDIUM in levels else HIGH
        evidence: dict[str, Any] = {
            "timeout": setting_evidence(v.timeout),
            "callers": [c.to_evidence() for c in callers],
            "memory_size": setting_evidence(unit.setting(m.MEMORY_SIZE)),
        }
        if unit.notes:
            evidence["notes"] = list(unit.notes)
        requests = max(1, int(ctx.option("timed_out_requests_per_month")))
        return self.finding(unit, message, self._recommendation(callers), at=v.timeout,
                            confidence=confidence, evidence=evidence,
                            costs=self._costs(unit, v.timeout_s, strictest.limit_ms, requests))

    @staticmethod
    def _recommendation(callers: list[CallerLimit]) -> str:
        limit = callers[0].limit_ms
        kinds_ = {c.trigger.kind for c in callers}
        parts = [f"Cap the timeout at the caller's limit ({_seconds(limit)}, less a little headroom)."]
        if kinds_ & {m.REST_API, m.HTTP_API, m.API_GATEWAY, m.APPSYNC}:
            parts[0] = parts[0][:-1] + (
                ", or make the work asynchronous: a short function starts it (an SQS message or a Step Functions "
                "execution) and returns 202 with a status endpoint the client polls, or pushes the result over a "
                "WebSocket or AppSync subscription.")
        if m.STEP_FUNCTIONS in kinds_ and len(kinds_) == 1:
            parts = [f"Cap the function timeout at the Task's TimeoutSeconds ({_seconds(limit)}), or raise "
                     "TimeoutSeconds above the function timeout, so the state and the function give up together; "
                     "for work longer than the Task should wait, use a callback (.waitForTaskToken) or an ECS "
                     "task (.sync)."]
        elif m.STEP_FUNCTIONS in kinds_:
            parts.append("The state machine's Task gives up at its TimeoutSeconds too: keep it and the function "
                         "timeout together.")
        if kinds_ & {m.REST_API, m.HTTP_API, m.API_GATEWAY}:
            parts.append("To answer within one request, stream the response through a function URL "
                         "(InvokeMode RESPONSE_STREAM) or a REST integration with response streaming "
                         "(ResponseTransferMode STREAM), both up to 15 minutes.")
        rest = [c for c in callers if c.trigger.kind == m.REST_API]
        if rest:
            if all(c.raisable is False for c in rest):
                parts.append("This edge-optimized REST API cannot raise its 29 s integration timeout.")
            else:
                which = "This Regional or private REST API" if all(c.raisable for c in rest) else \
                    "A Regional or private REST API (not an edge-optimized one)"
                parts.append(f"{which} can also raise its integration timeout above 29 s (TimeoutInMillis / "
                             "timeout_milliseconds, after a Service Quotas increase that may lower the account's "
                             "throttle quota).")
        if m.HTTP_API in kinds_:
            parts.append("An HTTP API's 30 s limit cannot be raised.")
        if m.APPSYNC in kinds_:
            parts.append("AppSync's 30 s cannot be raised: start a Step Functions execution from the resolver "
                         "and deliver the result through a subscription.")
        if m.COGNITO in kinds_:
            parts.append("Cognito waits 5 s and retries: keep the trigger to the decision it must return and "
                         "queue anything slow (mail, calls to other systems).")
        if m.CLOUDFRONT in kinds_:
            parts.append("Lambda@Edge allows 5 s on viewer events and 30 s on origin events: move slow logic to "
                         "an origin-request trigger or to the origin itself.")
        return " ".join(parts)

    @staticmethod
    def _costs(unit: m.ComputeUnit, timeout_s: int, limit_ms: int, requests: int) -> list[CostLine]:
        memory = unit.value(m.MEMORY_SIZE)
        if not isinstance(memory, int) or isinstance(memory, bool):
            return []
        arch = pricing.lambda_architecture(unit.value(m.ARCHITECTURES))
        limit_s = limit_ms / 1000
        volume = (f"{requests:,} requests/month that run to the timeout (check option "
                  "timed_out_requests_per_month; the volume is not in the code)")
        current = pricing.lambda_job(requests, timeout_s, memory, arch,
                                     option=f"current: each such request bills {timeout_s} s at {memory} MB")
        capped = pricing.lambda_job(requests, limit_s, memory, arch,
                                    option=f"timeout capped at the caller's {limit_s:g} s")
        for c in (current, capped):
            c.assumptions.insert(0, volume)
        return [current, capped]
