"""CF202 lambda-timeout-exceeds-caller-limit: what the fixture snapshots do not pin: the cost
option, the limit at the boundary, unknown or unseen integration settings (medium confidence) and
the REST wording by endpoint type."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, cost_line, fixture_cases, only_finding, scan_case, scan_findings

from computefit import facts, prices

CHECK = "CF202"


def test_fixtures_state_what_they_show():
    for case in fixture_cases(CHECK):
        path = FIXTURES / CHECK / case
        files = [path] if path.is_file() else sorted(path.rglob("*.tf"))
        for f in files:
            head = f.read_text(encoding="utf-8").lstrip()
            first = head.splitlines()[0 if head.startswith("#") else 1]
            assert CHECK in first, f


def test_cost_lines_follow_the_requests_option():
    f = only_finding(scan_case(CHECK, "cfn/fire_sam_rest_default.yaml", timed_out_requests_per_month=10000))
    price = prices.rate("lambda_gb_second", "x86_64")
    req = prices.rate("lambda_request")
    current = cost_line(f, "current:")
    capped = cost_line(f, "timeout capped")
    assert current.monthly_usd == pytest.approx(10000 * (req + 60 * 1.0 * price))
    assert capped.monthly_usd == pytest.approx(10000 * (req + 29 * 1.0 * price))
    assert any("10,000 requests/month" in a for a in current.assumptions)


def _template(tmp_path, body: str, timeout: int = 30):
    p = tmp_path / "template.yaml"
    p.write_text(f"""AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/fn
      Timeout: {timeout}
      Code: {{S3Bucket: b, S3Key: k}}
{body}""", encoding="utf-8")
    return p


_METHOD = """  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: api
  Method:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
{extra}        Uri: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Fn.Arn}}/invocations
"""


def test_one_second_above_the_default_fires_and_the_limit_itself_does_not(tmp_path):
    assert scan_findings(_template(tmp_path, _METHOD.format(extra=""), timeout=29), CHECK).findings == []
    f = only_finding(scan_findings(_template(tmp_path, _METHOD.format(extra=""), timeout=30), CHECK))
    assert f.confidence == "high"
    assert "gives up after 29 s (the default integration timeout)" in f.message
    assert "up to 1 s more" in f.message


def test_an_unresolved_integration_timeout_assumes_the_default_with_medium_confidence(tmp_path):
    extra = "        TimeoutInMillis: !ImportValue shared-timeout\n"
    f = only_finding(scan_findings(_template(tmp_path, _METHOD.format(extra=extra)), CHECK))
    assert f.confidence == "medium"
    assert "the integration's timeout is unknown" in f.message


def test_a_streaming_transfer_mode_in_any_case_is_quiet_and_buffered_fires(tmp_path):
    quiet = _METHOD.format(extra="        ResponseTransferMode: stream\n")
    assert scan_findings(_template(tmp_path, quiet, timeout=300), CHECK).findings == []
    loud = _METHOD.format(extra="        ResponseTransferMode: BUFFERED\n")
    assert len(scan_findings(_template(tmp_path, loud, timeout=300), CHECK).findings) == 1


def test_an_api_known_only_from_its_permission_is_low_confidence_above_30_s(tmp_path):
    """A permission with no SourceArn names no API: REST (29 s by default), HTTP (30 s) or
    WebSocket is unknown, so only a timeout above 30 s is reported, with low confidence."""
    body = """  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn
      Principal: apigateway.amazonaws.com
"""
    assert scan_findings(_template(tmp_path, body, timeout=30), CHECK).findings == []
    f = only_finding(scan_findings(_template(tmp_path, body, timeout=60), CHECK))
    assert f.confidence == "low"
    assert "API Gateway API (protocol unknown) Permission gives up after 30 s" in f.message
    assert "known only from a lambda:InvokeFunction permission" in f.message


def test_an_edge_association_of_unknown_event_type_uses_the_origin_limit(tmp_path):
    body = """  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn
      Principal: edgelambda.amazonaws.com
"""
    assert scan_findings(_template(tmp_path, body, timeout=30), CHECK).findings == []
    f = only_finding(scan_findings(_template(tmp_path, body, timeout=31), CHECK))
    assert "viewer events allow 5 s" in f.message


def test_rest_wording_depends_on_the_endpoint_type():
    edge = only_finding(scan_case(CHECK, "tf/fire_rest_integration"))
    assert "edge-optimized REST API cannot raise" in edge.recommendation
    regional = only_finding(scan_case(CHECK, "cfn/fire_rest_method_regional.json"))
    assert "This Regional or private REST API can also raise" in regional.recommendation
    unknown = only_finding(scan_case(CHECK, "cfn/fire_sam_rest_default.yaml"))
    assert "A Regional or private REST API (not an edge-optimized one)" in unknown.recommendation
