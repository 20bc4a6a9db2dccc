from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from computefit import facts, pricing, runtimes, warmth
from computefit import model as m
from computefit.check import (
    HIGH, INFO, LOW, MEDIUM, WARNING, Check, CheckContext, Finding, Option, Violation,
    setting_evidence,
)
from computefit.pricing import CostLine

_KIND_LABEL = {
    m.REST_API: "REST API",
    m.HTTP_API: "HTTP API",
    m.API_GATEWAY: "API Gateway API (protocol unknown)",
    m.AUTHORIZER: "Lambda authorizer",
    m.ALB: "load balancer",
    m.FUNCTION_URL: "function URL",
    m.APPSYNC: "AppSync resolver",
}

COLD = "cold"  # every cold start reaches the user
WARM = "warm"  # provisioned concurrency or SnapStart on what the caller invokes
UNKNOWN = "unknown"  # could not tell


@dataclass
class Coverage:
    """How one user-facing caller meets cold starts."""

    trigger: m.Trigger
    status: str
    invokes: str  # "the unqualified function ($LATEST)", "alias 'live'", "version LiveVersion"
    detail: str  # why: "SnapStart never applies to $LATEST", "provisioned concurrency 5 on alias 'live'"

    def to_evidence(self) -> dict[str, Any]:
        t = self.trigger
        out = {"kind": t.kind, "resource": t.resource, "at": str(t.location), "invokes": self.invokes,
               "warm_start": self.status, "detail": self.detail}
        if t.kind == m.AUTHORIZER:
            out["authorizer_cache_ttl_s"] = setting_evidence(t.settings.get(m.AUTHORIZER_TTL))
        return out


def _caller(t: m.Trigger) -> str:
    """A caller in words; an authorizer with its result cache."""
    text = f"{_KIND_LABEL.get(t.kind, t.kind)} {t.resource}"
    if t.kind == m.AUTHORIZER:
        ttl = _cache_ttl(t)
        text += (" (result cache TTL unknown)" if ttl is None else
                 " (no result cache: it runs on every request)" if ttl <= 0 else
                 f" (results cached {ttl} s: it runs on cache misses)")
    return text


def _cache_ttl(t: m.Trigger) -> Any:
    """An authorizer's result cache TTL in seconds (0: no cache), or None when not known."""
    s = t.settings.get(m.AUTHORIZER_TTL)
    v = s.value if s is not None else None
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _is_latest(qualifier: Any) -> bool:
    return qualifier is None


_describe_qualifier = warmth.describe_qualifier
_executions = warmth.executions


@dataclass
class ColdForUsers(Violation):
    """A slow-starting function serving users synchronously, and the callers left cold."""

    coverage: list[Coverage]  # every user-facing caller
    exposed: list[Coverage]  # the callers not (known to be) warm


class LatencySensitiveLambdaWithoutProvisionedConcurrency(Check):
    """
    ## What it does
    Flags a Lambda function that users call synchronously - through a REST or HTTP API (wired by a
    method, an integration or an OpenAPI body's `x-amazon-apigateway-integration`), an Application
    Load Balancer, a function URL or an AppSync resolver, or as a Lambda authorizer on the request
    path (API Gateway REST and HTTP API authorizers, SAM `Auth.Authorizers`, OpenAPI
    `x-amazon-apigateway-authorizer`, AppSync `AWS_LAMBDA` authorization) - when the alias or
    version that caller invokes has neither provisioned concurrency nor SnapStart. It checks each caller
    against what it actually invokes: provisioned concurrency on alias `live` does nothing for an
    API that invokes the unqualified function, and SnapStart never applies to the unqualified
    function (`$LATEST`) - it only restores published versions. A function whose SnapStart is
    configured but never used (no version published, or every caller on `$LATEST`) is left to
    CF302, which names the alias / publish change; a caller that bypasses the alias the others use
    is reported here.

    The severity is `warning` for slow-starting runtimes (Java and managed .NET without SnapStart,
    container images) and `info` for the others (advisory: it does not fail a build by default).
    An info finding leads with the runtime's measured cold-start floor and says that for such a
    runtime the usual answer is to accept it, or to add provisioned concurrency on the alias only
    if the API has a latency objective. When the runtime cannot be resolved the finding is `info`
    and says that the runtime is unknown.
    An authorizer runs before the API's integration, but only on a cache miss when its results
    are cached: when every caller left cold is an authorizer whose result cache TTL is at least
    `authorizer_cache_ttl` seconds (REST's default is 300 s when not set; HTTP API and AppSync
    document none, so an unset TTL there is unknown), the finding is `info` with medium
    confidence, and the TTL is in its evidence. A WebSocket API's authorizer runs on `$connect`
    only and counts as a WebSocket caller (not reported). An API known only from a `lambda:InvokeFunction`
    permission for `apigateway.amazonaws.com` with no source ARN naming a REST, HTTP or WebSocket
    API of the scanned code has an unknown protocol (it might be WebSocket, where no user waits):
    medium confidence.
    A caller whose qualifier, provisioned concurrency or SnapStart setting cannot be resolved is
    named as unknown and the finding has low confidence.

    One finding per function, listing every user-facing caller in its evidence. It points at the
    function (where SnapStart, `AutoPublishAlias`/`publish` and runtime are set), except when the
    function already publishes versions and has SnapStart or provisioned concurrency that a caller
    bypasses: then it points at that caller, the line to change. Functions invoked only by
    schedules, queues, streams, S3, SNS, EventBridge, Step Functions or WebSocket APIs are not
    reported: a cold start there delays no user. An alias that points at `$LATEST` is not
    detected (it is treated as a published version).

    ## Why is this bad?
    A new execution environment must start (download code, start the runtime, run your init code)
    before it serves a request. Behind an API that time is added to a user's wait. For a
    hello-world function the platform floor is about 0.3 s for Java 21 and 1 s for managed .NET 8
    at 128 MB; real Java applications without SnapStart start in 2-5 s at the median. Lambda
    scales by starting environments, so every burst of traffic produces cold starts. The figures
    in a finding are hello-world floors at 128 MB; real applications with frameworks start slower.

    ## Example
    ```yaml
    OrdersApiFunction:
      Type: AWS::Serverless::Function
      Properties:
        Runtime: java21
        Handler: com.example.Handler::handleRequest
        Events:
          GetOrder:
            Type: Api
            Properties: {Path: /orders/{id}, Method: get}
    ```
    ```hcl
    resource "aws_lambda_function" "api" {
      runtime = "dotnet8"
      publish = true
      snap_start { apply_on = "PublishedVersions" }
    }
    resource "aws_apigatewayv2_integration" "api" {
      integration_uri = aws_lambda_function.api.invoke_arn   # $LATEST: SnapStart never applies
    }
    ```

    ## Use instead
    For Java 11+ and .NET 8+, SnapStart is the cheaper first step (no charge for Java; a snapshot
    cache and restore charge for .NET). On `java8`, .NET 6 and other runtimes older than SnapStart
    supports, the cheapest step is to upgrade (to java21, dotnet8 or python3.12) and then enable
    it. Fast runtimes (Node.js, Python, Go, Rust) usually accept the occasional cold start.
    Publish versions and route callers to an alias. SnapStart cannot be combined with provisioned concurrency, EFS or more
    than 512 MB of ephemeral storage. If p99 latency must stay low, configure provisioned
    concurrency on the alias the caller invokes and scale it with Application Auto Scaling.
    ```yaml
    OrdersApiFunction:
      Type: AWS::Serverless::Function
      Properties:
        Runtime: java21
        AutoPublishAlias: live        # SAM wires the API events to the alias
        SnapStart:
          ApplyOn: PublishedVersions
    ```
    ```hcl
    resource "aws_lambda_alias" "live" {
      name             = "live"
      function_name    = aws_lambda_function.api.function_name
      function_version = aws_lambda_function.api.version
    }
    resource "aws_apigatewayv2_integration" "api" {
      integration_uri = aws_lambda_alias.live.invoke_arn
    }
    ```

    ## Options
    - `provisioned_environments`: how many warm execution environments the provisioned-concurrency
      cost assumes (default 1; size it to your peak concurrent requests). A usage file's
      `peak_concurrency` wins, and its `monthly_requests` and `request_duration_ms` add the
      function's on-demand cost today.
    - `authorizer_cache_ttl`: an authorizer whose results are cached at least this many seconds is
      reported as `info` with medium confidence (default 300).

    ## References
    - [Lambda SnapStart](https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html) (runtimes, published versions only, limitations)
    - [Configuring provisioned concurrency](https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html)
    - [Lambda pricing](https://aws.amazon.com/lambda/pricing/)
    - [lambda-perf cold-start benchmark](https://maxday.github.io/lambda-perf/)
    - [API Gateway Authorizer](https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html) (`authorizerResultTtlInSeconds`, default 300 s for REST APIs)
    """

    id = "CF301"
    name = "latency-sensitive-lambda-without-provisioned-concurrency"
    severity = WARNING
    summary = "Lambda behind an API, load balancer, function URL or AppSync with no provisioned concurrency or SnapStart on what the caller invokes"
    tags = ("aws", "lambda", "latency", "cold-start", "performance", "cost")
    kinds = (m.LAMBDA_FUNCTION,)
    confidence = LOW  # low when the runtime or what the caller invokes is unknown
    options = {
        "provisioned_environments": Option(1, "execution environments assumed for the provisioned-concurrency cost"),
        "authorizer_cache_ttl": Option(300, "an authorizer whose results are cached at least this many seconds is "
                                            "reported as info, with lower confidence (it runs on cache misses only)"),
    }

    applies_to = (m.LAMBDA_FUNCTION,)

    def detect(self, unit: m.ComputeUnit, ctx: CheckContext) -> Iterable[ColdForUsers]:
        callers = [t for t in unit.triggers if t.kind in m.LATENCY_SENSITIVE]
        if not callers or warmth.snapstart_unused(unit):
            return  # SnapStart configured but never used: CF302 reports it, with the fix
        coverage = [self._coverage(unit, t) for t in callers]
        exposed = [c for c in coverage if c.status != WARM]
        if exposed:
            yield ColdForUsers(unit, coverage, exposed)

    def explain(self, v: ColdForUsers, ctx: CheckContext) -> Finding:
        environments = max(1, int(ctx.option("provisioned_environments")))
        return self._finding(v.subject, v.coverage, v.exposed, environments, int(ctx.option("authorizer_cache_ttl")),
                             ctx.usage(v.subject))

    # -- what each caller invokes ----------------------------------------------------------
    def _coverage(self, unit: m.ComputeUnit, trigger: m.Trigger) -> Coverage:
        q = trigger.qualifier
        invokes = _describe_qualifier(q)
        snap = unit.setting(m.SNAP_START)
        snap_value = snap.value if snap is not None else None
        warm_elsewhere = self._provisioned(unit)
        if _is_latest(q):
            reasons = []
            if snap_value == "PublishedVersions":
                reasons.append("SnapStart is configured but never applies to $LATEST")
            if warm_elsewhere:
                reasons.append(f"provisioned concurrency is configured only on {warm_elsewhere}")
            return Coverage(trigger, COLD, invokes, "; ".join(reasons) or
                            "$LATEST can have neither provisioned concurrency nor SnapStart")
        matched = [x for x in unit.qualifiers if x.same(q)]
        if m.is_unknown(q) and not matched:
            return Coverage(trigger, UNKNOWN, invokes, f"the invoked qualifier could not be resolved: {q.reason}")
        counts = [_executions(x.provisioned_concurrency) for x in matched]
        known = [n for n in counts if isinstance(n, int) and n > 0]
        if known:
            return Coverage(trigger, WARM, invokes, f"provisioned concurrency {max(known)}")
        if snap_value == "PublishedVersions":
            return Coverage(trigger, WARM, invokes, "SnapStart restores the published version")
        unknown = [n for n in counts if m.is_unknown(n)]
        if unknown:
            return Coverage(trigger, UNKNOWN, invokes,
                            f"its provisioned concurrency is unknown ({unknown[0].reason})")
        if m.is_unknown(snap_value):
            return Coverage(trigger, UNKNOWN, invokes, f"SnapStart is unknown ({snap_value.reason})")
        detail = "no provisioned concurrency and no SnapStart on it"
        if warm_elsewhere:
            detail += f"; provisioned concurrency is configured only on {warm_elsewhere}"
        return Coverage(trigger, COLD, invokes, detail)

    @staticmethod
    def _provisioned(unit: m.ComputeUnit) -> str:
        """The qualifiers that have provisioned concurrency, in words ('' when none)."""
        names = [_describe_qualifier(q) for q in unit.qualifiers
                 if isinstance(_executions(q.provisioned_concurrency), int)
                 and _executions(q.provisioned_concurrency) > 0]
        return ", ".join(names)

    # -- the finding -----------------------------------------------------------------------
    def _finding(self, unit: m.ComputeUnit, coverage: list[Coverage], exposed: list[Coverage],
                 environments: int, cache_ttl: int = 300, usage=None) -> Finding:
        rt_setting = unit.setting(m.RUNTIME)
        rt = runtimes.parse(unit.value(m.RUNTIME), unit.value(m.PACKAGE_TYPE))
        severity = WARNING if rt.tier == runtimes.SLOW else INFO
        cold = [c for c in exposed if c.status == COLD]
        confidence = HIGH if cold else LOW
        if rt.tier == runtimes.UNKNOWN and confidence == HIGH:
            confidence = MEDIUM
        # callers that weigh less: an authorizer whose results are cached runs on cache misses only;
        # an API known only from a permission may be a WebSocket API, where no user waits
        cached = [c for c in exposed if c.trigger.kind == m.AUTHORIZER and (_cache_ttl(c.trigger) or 0) >= max(1, cache_ttl)]
        unsure = [c for c in exposed if c.trigger.kind == m.API_GATEWAY]
        if len(cached) == len(exposed):
            severity = INFO
        if len(cached) + len(unsure) == len(exposed) and confidence == HIGH:
            confidence = MEDIUM
        snap = unit.setting(m.SNAP_START)
        snap_on = snap is not None and snap.value == "PublishedVersions"
        warm_elsewhere = self._provisioned(unit)

        callers = ", ".join(_caller(c.trigger) for c in exposed)
        if rt.image:
            what = "a container image, slow to start"
        elif rt.tier == runtimes.SLOW:
            what = f"{rt.label()}, a slow-starting runtime"
        elif rt.family is None:
            reason = rt_setting.value.reason if rt_setting is not None and m.is_unknown(rt_setting.value) \
                else "not set in the source"
            what = f"runtime unknown: {reason}"
        else:
            what = rt.label()
        cold_start = self._cold_start(rt)
        fast = rt.tier == runtimes.FAST
        message = f"{unit.name} ({what})"
        if fast and cold_start is not None:
            message += (f" starts cold in about {cold_start['platform_floor_ms']} ms (the floor of a hello-world "
                        f"{cold_start['runtime']} function at 128 MB, median INIT, {cold_start['source']}) and")
        message += f" serves users synchronously through {callers}, "
        if cold:
            first = cold[0]
            if snap_on and _is_latest(first.trigger.qualifier):
                message += (f"but {first.trigger.resource} invokes {first.invokes}: SnapStart is configured "
                            "yet only restores published versions, never $LATEST")
            elif warm_elsewhere:
                message += (f"but {first.trigger.resource} invokes {first.invokes}, while provisioned "
                            f"concurrency is configured only on {warm_elsewhere}")
            elif rt.snapstart_supported or rt.family is None:
                message += "with no provisioned concurrency and no SnapStart on what it invokes"
            else:
                message += "with no provisioned concurrency on what it invokes"
            unknown = [c for c in exposed if c.status == UNKNOWN]
            if unknown:
                message += f" (for {', '.join(c.trigger.resource for c in unknown)} it is unknown)"
        else:
            message += ("and whether warm capacity covers it is unknown: "
                        + "; ".join(f"{c.trigger.resource}: {c.detail}" for c in exposed))
        if fast and cold_start is not None:
            message += (f". For {rt.label()} the usual answer is to accept the occasional cold start, or to add "
                        "provisioned concurrency on the alias only if the API has a latency objective.")
        elif cold_start is not None:
            message += (f". Each cold start is added to a user's request: {cold_start['platform_floor_ms']} ms is the "
                        f"floor of a hello-world {cold_start['runtime']} function at 128 MB (median INIT, "
                        f"{cold_start['source']})")
            if rt.image:
                message += "; real applications start slower."
            else:
                family = {"java": "Java", "dotnet": ".NET"}.get(rt.family or "", rt.family)
                message += f"; real {family} applications with frameworks take seconds."
        else:
            message += ". Each cold start is added to a user's request."
        if rt.tier == runtimes.UNKNOWN:
            message += " If it is Java, managed .NET or a container image, this matters more."
        if cached and len(cached) == len(exposed):
            message += (f" Authorizer results are cached for at least {max(1, cache_ttl)} s (check option "
                        "authorizer_cache_ttl), so only a request that misses the cache can meet a cold start: "
                        "reported as info.")
        if unsure:
            message += (f" {', '.join(c.trigger.resource for c in unsure)} grants API Gateway access with no source "
                        "ARN naming an API of the scanned code, so the API's protocol is unknown: if it is a "
                        "WebSocket API, no user waits on the cold start.")

        evidence: dict[str, Any] = {
            "runtime": {**setting_evidence(rt_setting), "cold_start_tier": rt.tier,
                        "package_type": "Image" if rt.image else str(unit.value(m.PACKAGE_TYPE) or "Zip")},
            "cold_start": cold_start,
            "user_facing_triggers": [c.to_evidence() for c in coverage],
            "snap_start": setting_evidence(snap),
            "snapstart_supported": rt.snapstart_supported,
            "provisioned_concurrency": [
                {"qualifier": _describe_qualifier(q), "resource": q.resource,
                 "at": str(q.location), **setting_evidence(q.provisioned_concurrency)}
                for q in unit.qualifiers],
            "memory_size": setting_evidence(unit.setting(m.MEMORY_SIZE)),
        }
        if unit.notes:
            evidence["notes"] = list(unit.notes)

        publishes = bool(unit.qualifiers) or unit.value(m.PUBLISH) is True
        misrouted = cold and (snap_on or warm_elsewhere) and publishes
        at = cold[0].trigger.location if misrouted else unit.location
        recommendation = self._recommendation(unit, rt, cold, misrouted, snap_on, warm_elsewhere)
        return self.finding(unit, message, recommendation, at=at, severity=severity, confidence=confidence,
                            evidence=evidence, costs=self._costs(unit, rt, environments, usage))

    @staticmethod
    def _cold_start(rt: runtimes.Runtime) -> dict[str, Any] | None:
        fact = facts.fact("lambda.cold_start_ms")
        key = "image" if rt.image else rt.family
        ms = fact.value.get(key) if key else None
        if ms is None:
            return None
        return {"platform_floor_ms": ms, "runtime": "container image" if rt.image else key,
                "basis": "median INIT of a hello-world zip function at 128 MB x86 (platform floor)",
                "source": fact.cite(), "url": fact.url}

    def _recommendation(self, unit: m.ComputeUnit, rt: runtimes.Runtime, cold: list[Coverage],
                        misrouted: bool, snap_on: bool, warm_elsewhere: str) -> str:
        parts = []
        fast = rt.tier == runtimes.FAST
        upgrade = self._upgrade(rt)
        alias_how = ("invoke an alias (SAM AutoPublishAlias; Terraform publish = true, an aws_lambda_alias, and "
                     "the caller on the alias's invoke ARN)")
        if misrouted:
            target = "the alias" if any(q.kind == "alias" for q in unit.qualifiers) else "a published version"
            parts.append(
                f"Point {', '.join(c.trigger.resource for c in cold)} at {target} "
                f"({'which has provisioned concurrency' if warm_elsewhere else 'SnapStart restores published versions only'}): "
                "an alias ARN or the qualified invoke ARN instead of the function's own ARN.")
        elif upgrade and not fast:
            parts.append(f"Upgrade to {upgrade} first, the cheapest step: {rt.label()} has no SnapStart, {upgrade} "
                         f"does ({self._snapstart_charge(upgrade)}); then set SnapStart ApplyOn: PublishedVersions "
                         f"and {alias_how}.")
        elif rt.snapstart_supported and not snap_on and not fast:
            eph = unit.value(m.EPHEMERAL_STORAGE)
            eph_max = facts.value("lambda.snapstart_max_ephemeral_storage")
            text = (f"Enable SnapStart first, the cheaper step ({self._snapstart_charge(rt.family)}): "
                    f"SnapStart ApplyOn: PublishedVersions, and {alias_how}. SnapStart cannot "
                    f"be combined with provisioned concurrency, EFS or more than {eph_max} MB of ephemeral storage")
            if isinstance(eph, int) and eph > eph_max:
                text += f" (this function has {eph} MB: reduce it to use SnapStart)"
            parts.append(text + ".")
        elif snap_on and not rt.snapstart_supported:
            parts.append(f"SnapStart is configured but {rt.label()} does not support it "
                         "(Java 11+, Python 3.12+ and .NET 8+ managed runtimes only).")
        if not fast:
            parts.append("If p99 latency must stay low, configure provisioned concurrency on the alias the "
                         "caller invokes (cost below) and scale it with Application Auto Scaling.")
            if rt.image:
                parts.append("A zip package starts faster than a container image.")
            elif rt.family == "dotnet":
                parts.append("Native AOT (.NET on provided.al2023) also removes most of the start-up time.")
        else:
            text = f"{rt.label()} starts quickly: accept the occasional cold start."
            if upgrade:
                text += (f" If the API has a latency objective, {upgrade} allows SnapStart "
                         f"({self._snapstart_charge(upgrade)}); otherwise")
            else:
                text += " If the API has a latency objective,"
            parts.append(text + " configure provisioned concurrency on the alias the caller invokes (cost below).")
        return " ".join(parts)

    @staticmethod
    def _upgrade(rt: runtimes.Runtime) -> str | None:
        """The runtime of the same family that supports SnapStart, for a zip function whose runtime
        is older than SnapStart supports (java8, dotnet6, python3.9); None otherwise."""
        if rt.image or rt.snapstart_supported or rt.family is None:
            return None
        return facts.value("lambda.snapstart_upgrade_targets").get(rt.family)

    @staticmethod
    def _snapstart_charge(runtime: str | None) -> str:
        family = runtimes.parse(runtime).family or runtime
        if family in facts.value("lambda.snapstart_free_runtimes"):
            return f"no extra charge for {family}"
        return "a snapshot cache and restore charge"

    @staticmethod
    def _costs(unit: m.ComputeUnit, rt: runtimes.Runtime, environments: int, usage=None) -> list[CostLine]:
        memory = unit.value(m.MEMORY_SIZE)
        arch = pricing.lambda_architecture(unit.value(m.ARCHITECTURES))
        peak = usage.get("peak_concurrency") if usage else None
        if peak is not None and peak.value >= 1:
            environments = int(peak.value)
        label = f"provisioned concurrency: {environments} environment(s) always warm"
        known_memory = isinstance(memory, int) and not isinstance(memory, bool)
        if known_memory:
            pc = pricing.provisioned_concurrency(environments, memory, arch, option=f"{label} at {memory} MB")
        else:
            pc = CostLine(label, None, ["memory size could not be resolved"])
        if peak is not None and peak.value >= 1:
            pc.assumptions.append(pricing.input_note("environments: peak_concurrency", peak, f"{peak.value:,}"))
            pc.assumed = False  # warm capacity sized to the given peak, all month
        else:
            pc.assumptions.append("environments: check option provisioned_environments; size it to peak "
                                  "concurrent requests (or give peak_concurrency in a usage file)")
            pc.assumed = True  # the number of environments is an assumption
        costs = [pc]
        current = None
        requests = usage.get("monthly_requests") if usage else None
        if requests is not None and known_memory:  # what the function costs on demand today
            given = usage.get("request_duration_ms")
            timeout = unit.setting(m.TIMEOUT)
            if given is not None:
                duration, note = given.value / 1000, pricing.input_note("each request", given, f"{given.value:,} ms")
            elif timeout is not None and isinstance(timeout.value, (int, float)):
                duration = float(timeout.value)
                note = (f"every request lasts the full timeout, {timeout.value:g} s (an upper bound; give "
                        "request_duration_ms in a usage file)")
            else:
                duration = None
            if duration is not None:
                count, capped = pricing.capped_runs(float(requests.value), duration,
                                                    unit.value(m.RESERVED_CONCURRENCY))
                now = pricing.lambda_job(count, duration, memory, arch,
                                         option=f"current: on demand, {count:,.0f} requests/month at {memory} MB")
                now.assumptions[:0] = [pricing.input_note("requests", requests, f"{requests.value:,}/month"),
                                       note, *capped]
                now.assumed = given is None  # the requests are given; the duration may be the timeout
                current = now
        if rt.snapstart_supported:
            fact = facts.fact("lambda.snapstart_free_runtimes")
            if rt.family in fact.value:
                costs.insert(0, CostLine("SnapStart", 0.0, [f"no additional charge for {rt.family} ({fact.cite_url()})"]))
            elif rt.tier != runtimes.FAST:  # not advised where the start is already fast
                prices = facts.fact("lambda.snapstart_prices")
                costs.insert(0, CostLine("SnapStart", None, [
                    "snapshot cache per GB-s of memory (minimum 3 h per version) plus a per-restore charge per GB: "
                    f"depends on deployments and cold starts; unit prices {prices.value} ({prices.cite_url()})"]))
        return ([current] if current is not None else []) + costs  # the current model's line first
