"""API definitions (OpenAPI bodies and files), Lambda authorizers and Step Functions Task states as
callers (issue 8, items 8 and 9): computefit.openapi and the linker, in both languages, where the
snapshots and the parity scenarios do not pin the behaviour."""

from __future__ import annotations

import json

from computefit import openapi
from computefit.discovery import discover
from computefit.model import API_GATEWAY, AUTHORIZER, HTTP_API, REST_API, STEP_FUNCTIONS, Qualifier
from computefit.runner import build_model
from conftest import only_finding, scan_case, scan_findings

FN = """  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: orders-fn
      Runtime: java21
      Handler: a.b
      Role: arn:aws:iam::123456789012:role/x
      Timeout: 60
      Code: {S3Bucket: b, S3Key: k}
"""


def _units(tmp_path, resources: str, files: dict[str, str] | None = None):
    for name, text in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = tmp_path / "template.yaml"
    path.write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + FN + resources, encoding="utf-8")
    model, errors, _ = build_model(discover([str(path)]))
    assert errors == []
    return {u.name: u for u in model.units}, {r.address: r for r in model.resources}


def test_integrations_and_authorizers_of_both_openapi_versions():
    doc = {"swagger": "2.0",
           "paths": {"/a": {"get": {"x-amazon-apigateway-integration": {"uri": "u1", "type": "aws_proxy",
                                                                       "timeoutInMillis": 5000}},
                            "parameters": [],
                            "x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": {"uri": "u2"}}}},
           "securityDefinitions": {"tok": {"x-amazon-apigateway-authorizer": {"authorizerUri": "u3",
                                                                              "authorizerResultTtlInSeconds": 60}}},
           "components": {"securitySchemes": {"req": {"x-amazon-apigateway-authorizer": {"authorizerUri": "u4"}}}}}
    assert [(i.where, i.uri, i.timeout_ms) for i in openapi.integrations(doc)] == [
        ("GET /a", "u1", 5000), ("ANY /a", "u2", None)]
    assert sorted((a.name, a.uri, a.ttl_s) for a in openapi.authorizers(doc)) == [
        ("req", "u4", None), ("tok", "u3", 60)]


def test_lambda_target_takes_the_function_out_of_an_apigateway_uri():
    uri = "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}:live/invocations"
    assert openapi.lambda_target(uri) == "${Fn.Arn}:live"
    assert openapi.lambda_target("${aws_lambda_function.fn.invoke_arn}") == "${aws_lambda_function.fn.invoke_arn}"
    assert openapi.lambda_target(None) is None


def test_a_qualified_uri_invokes_the_alias_and_a_literal_arn_names_the_function(tmp_path):
    units, _ = _units(tmp_path, """  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        openapi: "3.0.1"
        paths:
          /a:
            get:
              x-amazon-apigateway-integration:
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}:live/invocations
          /b:
            get:
              x-amazon-apigateway-integration:
                uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders-fn/invocations
          /d:
            get:
              x-amazon-apigateway-integration:
                timeoutInMillis: 1000
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:orders-fn:live/invocations
          /c:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                uri: https://backend.example.com/c
""")
    triggers = [(t.kind, t.qualifier) for t in units["Fn"].triggers]
    # /d: a literal ARN with pseudo parameters, its own trigger for its own timeout
    assert triggers == [(REST_API, Qualifier("alias", "live")), (REST_API, None), (REST_API, Qualifier("alias", "live"))]
    assert units["Fn"].triggers[2].settings["integration_timeout_ms"].value == 1000


def test_a_body_that_is_not_read_is_a_note_and_the_permission_explains_the_api(tmp_path):
    units, res = _units(tmp_path, """  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: s3://bucket/api.yaml}
  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*
""")
    assert any("Fn::Transform AWS::Include from s3://bucket/api.yaml" in n for n in res["Api"].notes)
    assert [t.kind for t in units["Fn"].triggers] == [REST_API]  # the SourceArn names the REST API


def test_a_definition_uri_outside_the_read_boundary_is_not_read(tmp_path):
    inner = tmp_path / "repo"
    (inner / ".git").mkdir(parents=True)
    (tmp_path / "api.yaml").write_text(json.dumps({"openapi": "3.0.1", "paths": {}}), encoding="utf-8")
    path = inner / "template.yaml"
    path.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n" + FN + """  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: ../api.yaml
""", encoding="utf-8")
    model, errors, _ = build_model(discover([str(path)]))
    [api] = [r for r in model.resources if r.address == "Api"]
    assert any("outside the read boundary" in n for n in api.notes)


def test_a_bare_permission_is_an_api_of_unknown_protocol_unless_another_api_wires_the_function(tmp_path):
    perm = """  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn
      Principal: apigateway.amazonaws.com
"""
    units, _ = _units(tmp_path, perm)
    [t] = units["Fn"].triggers
    assert t.kind == API_GATEWAY
    assert any("no SourceArn" in n for n in units["Fn"].notes)
    body = """  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Body:
        paths:
          /a:
            post:
              x-amazon-apigateway-integration:
                payloadFormatVersion: "2.0"
                uri: !GetAtt Fn.Arn
"""
    (tmp_path / "two").mkdir()
    units, _ = _units(tmp_path / "two", perm + body)
    # the OpenAPI integration wires it (an HTTP API: payloadFormatVersion, no ProtocolType needed)
    assert [t.kind for t in units["Fn"].triggers] == [HTTP_API]
    assert not any("protocol unknown" in n for n in units["Fn"].notes)


def test_terraform_body_from_file_outside_the_module_folder_is_read_inside_the_boundary(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "api.json").write_text(json.dumps({"paths": {"/a": {"get": {
        "x-amazon-apigateway-integration": {"uri": "${uri}", "timeoutInMillis": 3000}}}}}), encoding="utf-8")
    mod = tmp_path / "infra"
    mod.mkdir()
    (mod / "main.tf").write_text("""
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  runtime       = "java21"
  handler       = "a.b"
  filename      = "x.zip"
  role          = "arn:aws:iam::123456789012:role/x"
  timeout       = 10
}
resource "aws_api_gateway_rest_api" "api" {
  name = "api"
  body = templatefile("${path.module}/../specs/api.json", { uri = aws_lambda_function.fn.invoke_arn })
}
""", encoding="utf-8")
    model, errors, _ = build_model(discover([str(mod)]))
    assert errors == []
    [t] = model.units[0].triggers
    assert (t.kind, t.settings["integration_timeout_ms"].value) == (REST_API, 3000)
    f = only_finding(scan_findings(mod, "CF202"))
    assert "gives up after 3 s" in f.message and "GET /a timeoutInMillis" in f.message


def test_sam_authorizers_and_an_openapi_authorizer_carry_their_cache_ttl(tmp_path):
    units, _ = _units(tmp_path, """  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        swagger: "2.0"
        paths: {}
        securityDefinitions:
          tok:
            x-amazon-apigateway-authorizer:
              type: token
              authorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
              authorizerResultTtlInSeconds: 120
""")
    [t] = units["Fn"].triggers
    assert t.kind == AUTHORIZER and t.settings["authorizer_ttl"].value == 120
    assert "authorizer tok authorizerResultTtlInSeconds" in t.settings["authorizer_ttl"].note


def test_the_authorizer_cache_ttl_option_sets_what_counts_as_cached():
    findings = {f.resource: f for f in scan_case("CF301", "tf/authorizers").findings}
    token = findings["aws_lambda_function.token"]
    assert (token.severity, token.confidence) == ("info", "medium")  # REST's default 300 s cache
    assert "only a request that misses the cache" in token.message
    uncached = findings["aws_lambda_function.request"]  # TTL 0: runs on every request
    assert (uncached.severity, uncached.confidence) == ("warning", "high")
    assert "no result cache: it runs on every request" in uncached.message
    assert token.evidence["user_facing_triggers"][0]["authorizer_cache_ttl_s"]["value"] == 300
    strict = {f.resource: f for f in scan_case("CF301", "tf/authorizers", authorizer_cache_ttl=600).findings}
    assert (strict["aws_lambda_function.token"].severity, strict["aws_lambda_function.token"].confidence) == (
        "warning", "high")


def test_the_shortest_task_timeout_of_the_states_that_invoke_the_function(tmp_path):
    units, _ = _units(tmp_path, """  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/sfn
      Definition:
        StartAt: A
        States:
          A: {Type: Task, Resource: !GetAtt Fn.Arn, TimeoutSeconds: 50, Next: B}
          B:
            Type: Parallel
            Next: C
            Branches:
              - StartAt: B1
                States:
                  B1: {Type: Task, Resource: "arn:aws:states:::lambda:invoke", Parameters: {FunctionName: !Ref Fn}, TimeoutSeconds: 20, End: true}
          C: {Type: Task, Resource: !GetAtt Fn.Arn, End: true}
""")
    [t] = units["Fn"].triggers
    assert t.kind == STEP_FUNCTIONS
    assert t.settings["task_timeout"].value == 20 and "B > branch 1 > B1" in t.settings["task_timeout"].note
    assert t.settings["task_states"].value == ["A", "B > branch 1 > B1", "C"]


def test_a_sam_event_on_an_api_with_a_body_is_one_caller(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("""Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: java21
      Handler: a.b
      CodeUri: .
      Events:
        Get:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /a, Method: get}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        paths:
          /a:
            get:
              x-amazon-apigateway-integration:
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
""", encoding="utf-8")
    model, errors, _ = build_model(discover([str(path)]))
    [fn] = model.units
    assert [(t.kind, t.resource) for t in fn.triggers] == [(REST_API, "Fn.Events.Get")]


def test_a_permission_whose_source_arn_names_an_api_module_takes_its_protocol(tmp_path):
    """terraform-aws-modules/apigateway-v2 is an HTTP (or WebSocket) API; a module output named
    like a REST API's execution ARN names a REST API."""
    (tmp_path / "main.tf").write_text("""
module "http" {
  source        = "terraform-aws-modules/apigateway-v2/aws"
  name          = "http"
  protocol_type = "HTTP"
}
module "fn" {
  source        = "terraform-aws-modules/lambda/aws"
  function_name = "fn"
  runtime       = "java21"
  handler       = "a.b"
  create_current_version_allowed_triggers = false
  allowed_triggers = {
    http = { service = "apigateway", source_arn = "${module.http.api_execution_arn}/*/*" }
  }
}
module "fn2" {
  source        = "terraform-aws-modules/lambda/aws"
  function_name = "fn2"
  runtime       = "java21"
  handler       = "a.b"
  create_current_version_allowed_triggers = false
  allowed_triggers = {
    rest = { service = "apigateway", source_arn = "${module.rest.apigateway_restapi_execution_arn}/*/*" }
  }
}
module "rest" {
  source = "./restapi"
}
""", encoding="utf-8")
    model, errors, _ = build_model(discover([str(tmp_path)]))
    kinds = {u.name: [t.kind for t in u.triggers] for u in model.units}
    assert kinds == {"module.fn": [HTTP_API], "module.fn2": [REST_API]}


def test_a_websocket_api_authorizer_is_a_websocket_caller(tmp_path):
    units, _ = _units(tmp_path, """  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  Authorizer:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Ws
      AuthorizerType: REQUEST
      AuthorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
""")
    from computefit.model import WEBSOCKET_API

    assert [t.kind for t in units["Fn"].triggers] == [WEBSOCKET_API]


def test_the_permission_an_authorizer_needs_is_not_another_api(tmp_path):
    units, _ = _units(tmp_path, """  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: api}
  Authorizer:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: !Ref Api
      Type: TOKEN
      IdentitySource: method.request.header.Authorization
      AuthorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/authorizers/*
""")
    assert [t.kind for t in units["Fn"].triggers] == [AUTHORIZER]
