"""CF303 provisioned-concurrency-without-latency-need: what the fixture snapshots do not pin (the
callers that keep it quiet, the idle cost arithmetic, the SnapStart advice by runtime)."""

from __future__ import annotations

import pytest

from conftest import only_finding, scan_case, scan_findings

ID = "CF303"


def _one(case):
    return only_finding(scan_case(ID, case))


def test_idle_cost_follows_memory_architecture_and_executions():
    f = _one("cfn/fire_sam_sqs_consumer.yaml")
    current, without = f.costs
    # 5 environments x 1 GB x 2,628,000 s x $0.0000033334/GB-s (arm64) = $43.80
    assert current.monthly_usd == pytest.approx(43.80, abs=0.01)
    assert "arm64" in current.assumptions[0]
    assert without.monthly_usd == 0.0 and "depends on volume" in without.assumptions[0]
    assert "$43.80 a month" in f.message
    assert "no extra charge" in f.recommendation  # java SnapStart
    tf = _one("tf/fire_kinesis_alias")
    # 4 x 2 GB x 2,628,000 s x $0.0000041667 (x86) = $87.60
    assert tf.costs[0].monthly_usd == pytest.approx(87.60, abs=0.01)
    assert "shorten it" in tf.recommendation  # nodejs: no SnapStart


def test_unused_provisioned_qualifier_is_said():
    f = _one("tf/fire_module_sqs")
    assert "No caller even invokes the provisioned qualifier" in f.message
    assert "snapshot cache and restore charge" in f.recommendation  # python SnapStart is not free
    [pc] = f.evidence["provisioned_concurrency"]
    assert pc["invoked_by"] == [] and pc["executions"] == 3


_TF = '''
resource "aws_lambda_function" "f" {
  function_name = "f"
  runtime       = "nodejs20.x"
  publish       = true
}
resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = aws_lambda_function.f.function_name
  function_version = aws_lambda_function.f.version
}
resource "aws_lambda_provisioned_concurrency_config" "live" {
  function_name                     = aws_lambda_function.f.function_name
  qualifier                         = aws_lambda_alias.live.name
  provisioned_concurrent_executions = PC
}
'''


@pytest.mark.parametrize("caller,fires", [
    ('resource "aws_sns_topic_subscription" "s" {\n  protocol = "lambda"\n  topic_arn = "arn:aws:sns:us-east-1:1:t"\n'
     '  endpoint = aws_lambda_alias.live.arn\n}\n', True),
    ('resource "aws_apigatewayv2_api" "ws" {\n  name = "ws"\n  protocol_type = "WEBSOCKET"\n}\n'
     'resource "aws_apigatewayv2_integration" "ws" {\n  api_id = aws_apigatewayv2_api.ws.id\n'
     '  integration_uri = aws_lambda_alias.live.invoke_arn\n}\n', False),  # a WebSocket reply may be awaited
    ('resource "aws_lambda_permission" "p" {\n  function_name = aws_lambda_function.f.function_name\n'
     '  principal = "example.amazonaws.com"\n}\n', False),  # a caller we cannot classify
    ('resource "aws_lambda_function_url" "u" {\n  function_name = aws_lambda_function.f.function_name\n'
     '  qualifier = aws_lambda_alias.live.name\n  authorization_type = "NONE"\n}\n', False),
])
def test_which_callers_keep_it_quiet(tmp_path, caller, fires):
    (tmp_path / "main.tf").write_text(_TF.replace("PC", "2") + caller)
    assert len(scan_findings(tmp_path, ID).findings) == (1 if fires else 0)


def test_unknown_provisioned_concurrency_is_not_reported(tmp_path):
    (tmp_path / "main.tf").write_text(
        'variable "pc" {}\n' + _TF.replace("= PC", "= var.pc")
        + 'resource "aws_sns_topic_subscription" "s" {\n  protocol = "lambda"\n  topic_arn = "arn:aws:sns:us-east-1:1:t"\n'
          '  endpoint = aws_lambda_alias.live.arn\n}\n')
    assert scan_findings(tmp_path, ID).findings == []


def test_sam_inline_authorizer_is_a_user_facing_caller(tmp_path):
    """A SAM API's Auth.Authorizers FunctionArn makes the function an authorizer: users wait on it,
    so provisioned concurrency there is not reported even next to a warm-up schedule."""
    (tmp_path / "t.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n"
        "    Properties:\n      StageName: prod\n      Auth:\n        Authorizers:\n          Token:\n"
        "            FunctionArn: !GetAtt AuthFunction.Arn\n"
        "  AuthFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n"
        "      Handler: index.handler\n      AutoPublishAlias: live\n      ProvisionedConcurrencyConfig:\n"
        "        ProvisionedConcurrentExecutions: 2\n      Events:\n        Warmer:\n          Type: Schedule\n"
        "          Properties:\n            Schedule: rate(5 minutes)\n")
    assert scan_findings(tmp_path / "t.yaml", ID).findings == []
    without = (tmp_path / "t.yaml").read_text().replace("            FunctionArn: !GetAtt AuthFunction.Arn\n",
                                                         "            FunctionArn: arn:aws:lambda:us-east-1:1:function:other\n")
    (tmp_path / "t.yaml").write_text(without)
    assert [f.resource for f in scan_findings(tmp_path / "t.yaml", ID).findings] == ["AuthFunction"]
