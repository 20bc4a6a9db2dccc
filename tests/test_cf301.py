"""CF301 latency-sensitive-lambda-without-provisioned-concurrency: what the fixture snapshots
(tests/test_snapshots.py) do not show (the bundled examples, the options, specific wording and cost
arithmetic), and the model support it needs (alias / version qualifiers, Lambda permissions as
fallback triggers)."""

from __future__ import annotations

import pytest

from computefit import cloudformation
from computefit.model import (
    ALB, HTTP_API, REST_API, SCHEDULE, WEBSOCKET_API, Location, Qualifier, Unknown, current_version,
)
from conftest import FIXTURES, REPO, only_finding, scan_case, scan_findings

LIVE = Qualifier("alias", "live")

ID = "CF301"


def _one(case, **options):
    return only_finding(scan_case(ID, case, **options))


def test_bundled_examples():
    orders = scan_findings(REPO / "examples" / "orders-api" / "template.yaml", ID)
    assert [(f.resource, f.location.line, f.severity) for f in orders.findings] == [
        ("OrdersApiFunction", 37, "warning")]  # CheckoutFunction (SnapStart on the alias) and the SQS consumer: quiet
    tf = scan_findings(REPO / "examples" / "terraform", ID)
    assert [(f.resource, f.location.line, f.severity) for f in tf.findings] == [
        ("aws_lambda_function.invoice_api", 84, "warning")]  # reconcile (schedule only): quiet


def test_message_evidence_and_costs_for_java_api():
    f = _one("cfn/java_rest_api.yaml")
    assert f.confidence == "high"
    assert "java21" in f.message and "OrdersMethod" in f.message
    assert "333 ms" in f.message and "lambda-perf" in f.message  # cold-start number with its source
    cold = f.evidence["cold_start"]
    assert cold["platform_floor_ms"] == 333 and cold["url"] == "https://maxday.github.io/lambda-perf/"
    [t] = f.evidence["user_facing_triggers"]
    assert (t["kind"], t["resource"], t["warm_start"]) == (REST_API, "OrdersMethod", "cold")
    assert t["invokes"] == "the unqualified function ($LATEST)"
    assert f.evidence["snapstart_supported"] is True
    # SnapStart named as the cheaper first step, with its incompatibilities
    assert f.recommendation.startswith("Enable SnapStart first")
    assert "provisioned concurrency, EFS or more than 512 MB" in f.recommendation
    snap, pc = f.costs
    assert (snap.option, snap.monthly_usd) == ("SnapStart", 0.0)
    # 1 environment x 2 GB x 2,628,000 s x $0.0000041667 (x86) = $21.90
    assert pc.monthly_usd == pytest.approx(21.90, abs=0.01)
    assert "2048 MB" in pc.option and any("x86_64" in a for a in pc.assumptions)
    assert any("provisioned_environments" in a for a in pc.assumptions)


def test_pc_cost_follows_architecture_and_option():
    f = _one("tf/dotnet_alb", provisioned_environments=3)
    pc = f.costs[-1]
    # 3 x 1 GB x 2,628,000 s x $0.0000033334 (arm64) = $26.28
    assert pc.monthly_usd == pytest.approx(26.28, abs=0.01)
    assert "arm64" in pc.assumptions[0]
    snap = f.costs[0]  # .NET SnapStart has cache and restore charges with no price on file
    assert snap.monthly_usd is None
    assert "960 ms" in f.message


def test_snapstart_never_used_is_left_to_cf302():
    """SnapStart configured but every caller on $LATEST (or no version published): CF302 reports
    it with the alias / publish fix, CF301 does not report the function a second time."""
    for case in ("cfn/fire_invokes_latest.yaml", "cfn/fire_no_autopublishalias.yaml", "tf/fire_invokes_latest",
                 "tf/fire_publish_false", "tf/fire_module_function_url"):
        found = scan_case("CF302", case, every_check=True).findings
        # CF502 (arm64, opt-in, on with every check) also suggests arm64 for these x86 functions
        assert sorted(f.check_id for f in found) == ["CF302", "CF502"], case


def test_pc_on_other_alias_is_explained():
    f = _one("tf/pc_alias_api_unqualified")
    assert "provisioned concurrency is configured only on alias 'live'" in f.message
    [pc] = f.evidence["provisioned_concurrency"]
    assert (pc["qualifier"], pc["value"], pc["resource"]) == (
        "alias 'live'", 5, "aws_lambda_alias.live")
    assert f.recommendation.startswith("Point aws_api_gateway_integration.search at the alias")


def test_unknown_provisioned_concurrency_is_named_not_guessed():
    f = _one("cfn/pc_unknown.yaml")
    assert f.confidence == "low"
    assert "unknown" in f.message and "WarmEnvironments" in f.message
    [t] = f.evidence["user_facing_triggers"]
    assert (t["warm_start"], t["invokes"]) == ("unknown", "alias 'live'")


def test_fast_runtime_is_advisory():
    f = _one("tf/node_http_api")
    assert f.severity == "info"
    assert "148 ms" in f.message
    assert "starts quickly" in f.recommendation
    assert [c.option for c in f.costs] == ["provisioned concurrency: 1 environment(s) always warm at 128 MB"]


def test_unknown_runtime_is_info_and_says_so(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Parameters:\n  Rt:\n    Type: String\n"
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: !Ref Rt\n"
        "  Url:\n    Type: AWS::Lambda::Url\n    Properties:\n      AuthType: NONE\n"
        "      TargetFunctionArn: !GetAtt Fn.Arn\n")
    f = only_finding(scan_findings(tmp_path / "t.yaml", ID))
    assert (f.severity, f.confidence) == ("info", "medium")
    assert "runtime unknown" in f.message and "If it is Java" in f.message


def test_one_finding_per_function_lists_every_caller(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      Runtime: java21\n      Handler: h\n      FunctionUrlConfig:\n        AuthType: NONE\n"
        "      Events:\n        A:\n          Type: Api\n          Properties: {Path: /a, Method: get}\n"
        "        B:\n          Type: HttpApi\n        Q:\n          Type: SQS\n"
        "          Properties: {Queue: arn:aws:sqs:us-east-1:123456789012:q}\n")
    f = only_finding(scan_findings(tmp_path / "t.yaml", ID))
    assert [t["resource"] for t in f.evidence["user_facing_triggers"]] == [
        "Fn.FunctionUrlConfig", "Fn.Events.A", "Fn.Events.B"]


# -- CloudFormation model support ----------------------------------------------------------------

def _units(path):
    return {u.name: u for u in cloudformation.load(str(path)).units}


def test_cfn_alias_and_version_become_qualifiers():
    fn = _units(FIXTURES / ID / "cfn" / "pc_on_invoked_alias.yaml")["PricingFunction"]
    quals = {(q.kind, q.name): q for q in fn.qualifiers}
    assert set(quals) == {("version", "PricingVersion"), ("alias", "live")}
    alias = quals[("alias", "live")]
    assert alias.resource == "PricingAlias" and alias.location.line == 19
    assert alias.provisioned_concurrency.value == 3
    assert alias.provisioned_concurrency.location.line == 26
    assert quals[("version", "PricingVersion")].provisioned_concurrency is None
    # both callers invoke the alias: !Ref of the alias and "${Function.Arn}:live"
    assert sorted((t.resource, t.qualifier) for t in fn.triggers) == [
        ("PricingIntegration", LIVE), ("PricingMethod", LIVE)]


def test_cfn_unknown_provisioned_concurrency_and_qualifier(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Parameters:\n  N:\n    Type: Number\n  Stage:\n    Type: String\n"
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: java21\n"
        "  V:\n    Type: AWS::Lambda::Version\n    Properties:\n      FunctionName: !Ref Fn\n"
        "      ProvisionedConcurrencyConfig:\n        ProvisionedConcurrentExecutions: !Ref N\n"
        "  I:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties:\n"
        "      IntegrationUri: !Sub ${Fn.Arn}:${Stage}\n")
    fn = _units(tmp_path / "t.yaml")["Fn"]
    [q] = fn.qualifiers
    assert (q.kind, q.name, q.resource) == ("version", "V", "V")
    assert isinstance(q.provisioned_concurrency.value, Unknown)
    [t] = fn.triggers
    assert isinstance(t.qualifier, Unknown) and "${Stage}" in t.qualifier.reason  # never "$"


def test_cfn_permission_is_a_fallback_trigger():
    fn = _units(FIXTURES / ID / "cfn" / "openapi_permission.yaml")["BillingFunction"]
    [t] = fn.triggers
    assert (t.kind, t.resource, t.resource_type, t.qualifier) == (
        REST_API, "BillingInvokePermission", "AWS::Lambda::Permission", None)
    assert t.location == Location(str(FIXTURES / ID / "cfn" / "openapi_permission.yaml"), 22)
    # a permission that duplicates a wiring resource adds nothing
    chat = _units(FIXTURES / ID / "cfn" / "websocket_api.yaml")["ChatFunction"]
    assert [t.kind for t in chat.triggers] == [WEBSOCKET_API]
    cleanup = _units(FIXTURES / ID / "cfn" / "schedule_only.yaml")["CleanupFunction"]
    assert [(t.kind, t.resource) for t in cleanup.triggers] == [(SCHEDULE, "Nightly")]


def test_cfn_permission_kinds_and_qualifier(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: java21\n"
        "  Http:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      ProtocolType: HTTP\n"
        "  P1:\n    Type: AWS::Lambda::Permission\n    Properties:\n"
        "      FunctionName: !Sub ${Fn.Arn}:live\n      Principal: apigateway.amazonaws.com\n"
        "      SourceArn: !Sub arn:aws:execute-api:us-east-1:1:${Http}/*\n"
        "  P2:\n    Type: AWS::Lambda::Permission\n    Properties:\n"
        "      FunctionName: !Ref Fn\n      Principal: elasticloadbalancing.amazonaws.com\n"
        "  P3:\n    Type: AWS::Lambda::Permission\n    Properties:\n"
        "      FunctionName: !Ref Fn\n      Principal: elasticloadbalancing.amazonaws.com\n")
    fn = _units(tmp_path / "t.yaml")["Fn"]
    assert [(t.kind, t.resource, t.qualifier) for t in fn.triggers] == [
        (HTTP_API, "P1", LIVE), (ALB, "P2", None)]


def test_sam_provisioned_concurrency_from_globals(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    AutoPublishAlias: live\n"
        "    ProvisionedConcurrencyConfig:\n      ProvisionedConcurrentExecutions: 2\n"
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: java21\n"
        "      Events:\n        A:\n          Type: Api\n          Properties: {Path: /a, Method: get}\n"
        "  NoAlias:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: java21\n")
    units = _units(tmp_path / "t.yaml")
    [q] = units["Fn"].qualifiers
    assert (q.name, q.provisioned_concurrency.value, q.provisioned_concurrency.origin) == ("live", 2, "sam-globals")
    assert q.provisioned_concurrency.location.line == 6
    assert [t.qualifier for t in units["Fn"].triggers] == [LIVE]  # SAM wires events to the alias
    assert scan_findings(tmp_path / "t.yaml", ID).findings == []


def test_sam_provisioned_concurrency_without_alias_is_noted(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      Runtime: java21\n      ProvisionedConcurrencyConfig:\n"
        "        ProvisionedConcurrentExecutions: 2\n      Events:\n        A:\n          Type: HttpApi\n")
    f = only_finding(scan_findings(tmp_path / "t.yaml", ID))
    assert any("without AutoPublishAlias" in n for n in f.evidence["notes"])
    assert f.evidence["provisioned_concurrency"] == []


# -- Terraform model support -------------------------------------------------------------------

def _tf_units(tmp_path, monkeypatch, text):
    from computefit import terraform
    from computefit.discovery import discover

    (tmp_path / "main.tf").write_text(text)
    monkeypatch.chdir(tmp_path)
    docs, errors = terraform.load_all(discover(["."]).modules)
    assert errors == []
    return {u.name: u for d in docs for u in d.units}


@pytest.mark.parametrize("flags,expected", [
    ("create_current_version_allowed_triggers = false", None),
    ("create_unqualified_alias_allowed_triggers = false", current_version("module.fn")),
])
def test_module_allowed_triggers_qualifier_follows_its_flags(tmp_path, monkeypatch, flags, expected):
    units = _tf_units(tmp_path, monkeypatch, (
        'module "fn" {\n  source = "terraform-aws-modules/lambda/aws"\n  runtime = "java21"\n'
        f'  {flags}\n  create_lambda_function_url = true\n'
        '  create_unqualified_alias_lambda_function_url = false\n'
        '  allowed_triggers = {\n    Api = {\n      service = "apigateway"\n'
        '      source_arn = "arn:aws:execute-api:us-east-1:1:abc/*"\n    }\n  }\n}\n'))
    by = {t.resource: t for t in units["module.fn"].triggers}
    assert by["module.fn.allowed_triggers.Api"].qualifier == expected
    url = by["module.fn.create_lambda_function_url"]
    assert url.qualifier == current_version("module.fn")  # the URL on the current version


def test_module_without_any_allowed_trigger_permission(tmp_path, monkeypatch):
    units = _tf_units(tmp_path, monkeypatch, (
        'module "fn" {\n  source = "terraform-aws-modules/lambda/aws"\n'
        '  create_current_version_allowed_triggers = false\n'
        '  create_unqualified_alias_allowed_triggers = false\n'
        '  allowed_triggers = {\n    Api = {\n      service = "apigateway"\n    }\n  }\n}\n'))
    assert units["module.fn"].triggers == []


def test_tf_permission_for_a_websocket_api_is_not_an_http_api():
    from computefit.discovery import discover
    from computefit.runner import build_model

    model, errors, _ = build_model(discover([str(FIXTURES / ID / "tf" / "websocket_api")]))
    [fn] = model.units
    assert [(t.kind, t.resource) for t in fn.triggers] == [(WEBSOCKET_API, "aws_apigatewayv2_integration.chat")]


_OLD_RUNTIME = ("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: RT\n"
                "      Handler: h\n  Url:\n    Type: AWS::Lambda::Url\n    Properties:\n      AuthType: NONE\n"
                "      TargetFunctionArn: !GetAtt Fn.Arn\n")


@pytest.mark.parametrize("runtime,severity,starts", [
    ("java8.al2", "warning", "Upgrade to java21 first, the cheapest step: java8.al2 has no SnapStart, java21 does "
                             "(no extra charge for java)"),
    ("dotnet6", "warning", "Upgrade to dotnet8 first, the cheapest step: dotnet6 has no SnapStart, dotnet8 does "
                           "(a snapshot cache and restore charge)"),
    ("python3.9", "info", "python3.9 starts quickly: accept the occasional cold start. If the API has a latency "
                          "objective, python3.12 allows SnapStart"),
    ("python3.12", "info", "python3.12 starts quickly: accept the occasional cold start. If the API has a latency "
                           "objective, configure provisioned concurrency"),
])
def test_advice_by_runtime(tmp_path, runtime, severity, starts):
    (tmp_path / "t.yaml").write_text(_OLD_RUNTIME.replace("RT", runtime))
    f = only_finding(scan_findings(tmp_path / "t.yaml", ID))
    assert f.severity == severity
    assert f.recommendation.startswith(starts)
    assert "Enable SnapStart first" not in f.recommendation
    if severity == "info":  # the message leads with the measured floor and the usual answer
        assert f.message.startswith(f"Fn ({runtime}) starts cold in about 86 ms (the floor of a hello-world python")
        assert "the usual answer is to accept the occasional cold start" in f.message
        assert "SnapStart" not in [c.option for c in f.costs]
    else:
        assert "take seconds" in f.message and "no SnapStart on what it invokes" not in f.message
