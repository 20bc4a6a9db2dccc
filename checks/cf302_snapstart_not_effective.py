from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from computefit import facts, runtimes, warmth
from computefit import model as m
from computefit.check import (
    ERROR, HIGH, MEDIUM, WARNING, Check, CheckContext, Finding, Violation, setting_evidence,
)


@dataclass
class SnapStartNotEffective(Violation):
    """SnapStart configured where it is rejected or where no caller invokes a snapshot."""

    blockers: list[warmth.Blocker] = field(default_factory=list)  # the deployment is rejected
    unused: str | None = None  # warmth.NO_VERSION or warmth.ALL_LATEST


class SnapStartNotEffectiveCheck(Check):
    """
    ## What it does
    Flags a Lambda function with SnapStart enabled (`SnapStart: {ApplyOn: PublishedVersions}`,
    Terraform `snap_start { apply_on = "PublishedVersions" }`, the registry lambda module's
    `snap_start = true`) where SnapStart cannot work:

    - **error**: Lambda rejects the configuration: the runtime does not support SnapStart
      (Node.js, Ruby, OS-only `provided.*`, Python before 3.12, .NET before 8, `java8*`), the
      function is a container image, or SnapStart is combined with provisioned concurrency on one
      of the function's aliases or versions, with an EFS mount (`FileSystemConfigs` /
      `file_system_config`) or with more than 512 MB of ephemeral storage;
    - **warning**: the configuration deploys but SnapStart never runs, because no version is
      ever published (no SAM `AutoPublishAlias`, no `AWS::Lambda::Version` or alias, Terraform
      `publish` not true) or because every caller in the code invokes the unqualified function
      (`$LATEST`), which SnapStart never applies to.

    A runtime, publish flag or qualifier that cannot be resolved is not taken as a problem. A
    function with no caller in the scanned code is reported only when it publishes no version
    (its callers may be elsewhere).

    ## Why is this bad?
    SnapStart restores published versions from a snapshot instead of initialising them. A
    combination Lambda does not allow fails the deployment; SnapStart on `$LATEST` costs the
    snapshot work (and, for Python and .NET, a cache charge per published version) and gives no
    faster start: every cold start is a full initialisation, which is what SnapStart was enabled
    to avoid.

    ## Example
    ```yaml
    QuoteFunction:
      Type: AWS::Serverless::Function
      Properties:
        Runtime: java21
        SnapStart:
          ApplyOn: PublishedVersions   # no AutoPublishAlias: no version, SnapStart never runs
        Events:
          Quote:
            Type: Api
            Properties: {Path: /quote, Method: post}
    ```
    ```hcl
    resource "aws_lambda_function" "quote" {
      runtime = "java21"
      publish = true
      snap_start { apply_on = "PublishedVersions" }
    }
    resource "aws_apigatewayv2_integration" "quote" {
      integration_uri = aws_lambda_function.quote.invoke_arn   # $LATEST
    }
    ```

    ## Use instead
    Publish versions and invoke them: SAM `AutoPublishAlias: live` (SAM points the function's
    events at the alias); Terraform `publish = true`, an `aws_lambda_alias` on the function's
    `version`, and callers on the alias's `invoke_arn` (or the function's
    `qualified_invoke_arn`). Keep SnapStart only on Java 11+, Python 3.12+ or .NET 8+ zip
    functions without provisioned concurrency, EFS or more than 512 MB of `/tmp`.
    ```yaml
    QuoteFunction:
      Type: AWS::Serverless::Function
      Properties:
        Runtime: java21
        AutoPublishAlias: live
        SnapStart:
          ApplyOn: PublishedVersions
    ```
    ```hcl
    resource "aws_lambda_alias" "live" {
      name             = "live"
      function_name    = aws_lambda_function.quote.function_name
      function_version = aws_lambda_function.quote.version
    }
    resource "aws_apigatewayv2_integration" "quote" {
      integration_uri = aws_lambda_alias.live.invoke_arn
    }
    ```

    ## References
    - [Lambda SnapStart](https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html) (supported runtimes, limitations, published versions only)
    - [Activating and managing SnapStart](https://docs.aws.amazon.com/lambda/latest/dg/snapstart-activate.html)
    - [AWS SAM AutoPublishAlias](https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-autopublishalias)
    - [Terraform aws_lambda_function snap_start and publish](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_function)
    """

    id = "CF302"
    name = "snapstart-not-effective"
    severity = ERROR
    summary = "SnapStart that Lambda rejects (runtime, image, provisioned concurrency, EFS, /tmp) or that never runs (no published version, callers on $LATEST)"

    tags = ("aws", "lambda", "snapstart", "cold-start", "latency", "deployment")
    confidence = MEDIUM  # the lowest confidence its findings can have (SARIF precision)
    applies_to = (m.LAMBDA_FUNCTION,)

    def detect(self, unit: m.ComputeUnit, ctx: CheckContext) -> Iterable[SnapStartNotEffective]:
        blockers = warmth.snapstart_blockers(unit)
        if blockers:
            yield SnapStartNotEffective(unit, blockers=blockers)
            return
        unused = warmth.snapstart_unused(unit)
        if unused is not None:
            yield SnapStartNotEffective(unit, unused=unused)

    def explain(self, v: SnapStartNotEffective, ctx: CheckContext) -> Finding:
        unit = v.subject
        snap = unit.setting(m.SNAP_START)
        rt = runtimes.parse(unit.value(m.RUNTIME), unit.value(m.PACKAGE_TYPE))
        evidence: dict[str, Any] = {
            "snap_start": setting_evidence(snap),
            "runtime": {**setting_evidence(unit.setting(m.RUNTIME)), "snapstart_supported": rt.snapstart_supported},
            "publish": setting_evidence(unit.setting(m.PUBLISH)),
            "qualifiers": [{"qualifier": warmth.describe_qualifier(q), "resource": q.resource, "at": str(q.location),
                            "provisioned_concurrency": setting_evidence(q.provisioned_concurrency)}
                           for q in unit.qualifiers],
            "triggers": [{"kind": t.kind, "resource": t.resource, "at": str(t.location),
                          "invokes": warmth.describe_qualifier(t.qualifier)} for t in unit.triggers],
        }
        if v.blockers:
            evidence["conflicts"] = [{"conflict": b.key, "detail": b.text, **setting_evidence(b.setting)}
                                     for b in v.blockers]
            first = v.blockers[0]
            message = (f"{unit.name} enables SnapStart, but " + "; ".join(b.text for b in v.blockers)
                       + ": Lambda rejects this configuration, so the deployment fails.")
            recommendation = " ".join(f"{b.fix[0].upper()}{b.fix[1:]}." for b in v.blockers)
            at = first.setting if first.setting is not None and first.setting.location is not None else (first.location or snap)
            return self.finding(unit, message, recommendation, at=at, severity=ERROR, confidence=HIGH,
                                evidence=evidence)
        if v.unused == warmth.NO_VERSION:
            message = (f"{unit.name} enables SnapStart but never publishes a version ({self._no_version(unit)}): "
                       "SnapStart only restores published versions, so it never runs and every cold start "
                       "is a full initialisation.")
            recommendation = self._publish_fix(unit)
            at = snap
            confidence = MEDIUM  # versions may be published outside this code (a deploy script)
        else:
            names = ", ".join(t.resource for t in unit.triggers)
            message = (f"{unit.name} enables SnapStart and publishes versions, but every caller ({names}) "
                       "invokes the unqualified function ($LATEST), which SnapStart never applies to: "
                       "every cold start is a full initialisation.")
            if rt.family and rt.family not in facts.value("lambda.snapstart_free_runtimes"):
                message += (f" The snapshot cache of each published {rt.family} version is "
                                           "still charged.")
            recommendation = self._caller_fix(unit)
            at = unit.triggers[0].location
            confidence = HIGH
        return self.finding(unit, message, recommendation, at=at, severity=WARNING, confidence=confidence,
                            evidence=evidence)

    @staticmethod
    def _no_version(unit: m.ComputeUnit) -> str:
        if unit.resource_type == "AWS::Serverless::Function":
            return "no AutoPublishAlias"
        if unit.source_format == "cloudformation":
            return "no AWS::Lambda::Version or alias"
        s = unit.setting(m.PUBLISH)
        return "publish is false" if s is not None else "publish is not set; it defaults to false"

    @staticmethod
    def _publish_fix(unit: m.ComputeUnit) -> str:
        if unit.resource_type == "AWS::Serverless::Function":
            return ("Add AutoPublishAlias (for example AutoPublishAlias: live): SAM then publishes a version "
                    "on every deployment and points the function's events at the alias.")
        if unit.source_format == "cloudformation":
            return ("Add an AWS::Lambda::Version of the function and an AWS::Lambda::Alias on it, and point "
                    "the callers at the alias ARN (!Ref the alias) instead of the function's ARN.")
        if unit.resource_type.startswith("module:"):
            return ("Set publish = true, and point the callers at the published version: "
                    "lambda_function_qualified_invoke_arn / lambda_function_qualified_arn, or "
                    "create_current_version_allowed_triggers = true with "
                    "create_unqualified_alias_allowed_triggers = false.")
        return ("Set publish = true, add an aws_lambda_alias with function_version = "
                f"{unit.name}.version, and point the callers at the alias (its invoke_arn or arn) or at "
                "the function's qualified_invoke_arn.")

    @staticmethod
    def _caller_fix(unit: m.ComputeUnit) -> str:
        callers = ", ".join(t.resource for t in unit.triggers)
        alias = next((q for q in unit.qualifiers if q.kind == "alias" and isinstance(q.name, str)), None)
        target = (f"alias '{alias.name}'" if alias is not None else "the published version"
                  if unit.resource_type.startswith("module:") else "an alias on the published version")
        if unit.source_format == "cloudformation":
            how = "the alias ARN (!Ref the alias, or ${Function.Alias} with SAM AutoPublishAlias)"
        elif unit.resource_type.startswith("module:"):
            parts = []
            for t in unit.triggers:
                if t.resource == f"{unit.name}.create_lambda_function_url":
                    text = ("create_unqualified_alias_lambda_function_url = false (the module then attaches its "
                            "function URL to the current version)")
                elif t.resource.startswith(f"{unit.name}.event_source_mapping."):
                    text = ("the module's event_source_mapping always uses the unqualified ARN: declare the mapping "
                            "as an aws_lambda_event_source_mapping with function_name = "
                            f"{unit.name}.lambda_function_qualified_arn")
                elif t.resource.startswith(f"{unit.name}.allowed_triggers."):
                    text = ("create_current_version_allowed_triggers = true and "
                            "create_unqualified_alias_allowed_triggers = false")
                else:
                    text = (f"{unit.name}.lambda_function_qualified_invoke_arn (or lambda_function_qualified_arn) "
                            "in the caller")
                if text not in parts:
                    parts.append(text)
            how = "; ".join(parts)
        else:
            how = "the alias's invoke_arn or arn (or the function's qualified_invoke_arn / qualified_arn)"
        return f"Point {callers} at {target} instead of the function's own ARN: {how}."
