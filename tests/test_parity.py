"""Parity: the same architecture written in CloudFormation (or SAM) and in Terraform gives the same
neutral model (unit kinds, attribute values, triggers with their kinds, settings and what they
invoke, provisioned concurrency): the linker is one for both languages."""

from __future__ import annotations


import pytest

from computefit.discovery import discover
from computefit.modelview import neutral
from computefit.runner import build_model

FN_CFN = """
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: fn
      Runtime: python3.12
      Handler: app.handler
      MemorySize: 512
      Timeout: 30
      Role: arn:aws:iam::123456789012:role/fn
      Code: {ZipFile: "def handler(e, c): pass"}
"""
FN_TF = """
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  runtime       = "python3.12"
  handler       = "app.handler"
  memory_size   = 512
  timeout       = 30
  role          = "arn:aws:iam::123456789012:role/fn"
  filename      = "fn.zip"
  publish       = PUBLISH
}
"""
ARN = '!GetAtt Fn.Arn'
INVOKE = '!Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"'

# name -> (CloudFormation resources besides Fn, Terraform besides the function, an expected trigger)
SCENARIOS = {
    "schedule rule": (f"""
  Nightly:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: cron(0 3 * * ? *)
      Targets:
        - Id: fn
          Arn: {ARN}
""", """
resource "aws_cloudwatch_event_rule" "nightly" {
  schedule_expression = "cron(0 3 * * ? *)"
}
resource "aws_cloudwatch_event_target" "nightly" {
  rule = aws_cloudwatch_event_rule.nightly.name
  arn  = aws_lambda_function.fn.arn
}
""", ("schedule", "$LATEST")),
    "scheduler schedule": (f"""
  Daily:
    Type: AWS::Scheduler::Schedule
    Properties:
      ScheduleExpression: rate(1 day)
      ScheduleExpressionTimezone: Europe/Paris
      FlexibleTimeWindow: {{Mode: "OFF"}}
      Target:
        Arn: {ARN}
        RoleArn: arn:aws:iam::123456789012:role/s
""", """
resource "aws_scheduler_schedule" "daily" {
  schedule_expression          = "rate(1 day)"
  schedule_expression_timezone = "Europe/Paris"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = aws_lambda_function.fn.arn
    role_arn = "arn:aws:iam::123456789012:role/s"
  }
}
""", ("schedule", "$LATEST")),
    "REST API": (f"""
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: api
      EndpointConfiguration: {{Types: [REGIONAL]}}
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
        TimeoutInMillis: 10000
        Uri: {INVOKE}
""", """
resource "aws_api_gateway_rest_api" "api" {
  name = "api"
  endpoint_configuration {
    types = ["REGIONAL"]
  }
}
resource "aws_api_gateway_integration" "get" {
  rest_api_id             = aws_api_gateway_rest_api.api.id
  resource_id             = aws_api_gateway_rest_api.api.root_resource_id
  http_method             = "GET"
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  timeout_milliseconds    = 10000
  uri                     = aws_lambda_function.fn.invoke_arn
}
""", ("rest_api", "$LATEST")),
    "HTTP API": (f"""
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {{Name: api, ProtocolType: HTTP}}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: {ARN}
      PayloadFormatVersion: "2.0"
""", """
resource "aws_apigatewayv2_api" "api" {
  name          = "api"
  protocol_type = "HTTP"
}
resource "aws_apigatewayv2_integration" "fn" {
  api_id           = aws_apigatewayv2_api.api.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.fn.invoke_arn
}
""", ("http_api", "$LATEST")),
    "WebSocket API": (f"""
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {{Name: ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: {INVOKE}
""", """
resource "aws_apigatewayv2_api" "ws" {
  name                       = "ws"
  protocol_type              = "WEBSOCKET"
  route_selection_expression = "$request.body.action"
}
resource "aws_apigatewayv2_integration" "fn" {
  api_id           = aws_apigatewayv2_api.ws.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.fn.invoke_arn
}
""", ("websocket_api", "$LATEST")),
    "load balancer": (f"""
  Targets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      Targets:
        - Id: {ARN}
""", """
resource "aws_lb_target_group" "fn" {
  target_type = "lambda"
}
resource "aws_lb_target_group_attachment" "fn" {
  target_group_arn = aws_lb_target_group.fn.arn
  target_id        = aws_lambda_function.fn.arn
}
""", ("alb", "$LATEST")),
    "function URL": ("""
  Url:
    Type: AWS::Lambda::Url
    Properties:
      TargetFunctionArn: !GetAtt Fn.Arn
      AuthType: AWS_IAM
      InvokeMode: RESPONSE_STREAM
""", """
resource "aws_lambda_function_url" "fn" {
  function_name      = aws_lambda_function.fn.function_name
  authorization_type = "AWS_IAM"
  invoke_mode        = "RESPONSE_STREAM"
}
""", ("function_url", "$LATEST")),
    "AppSync": (f"""
  Source:
    Type: AWS::AppSync::DataSource
    Properties:
      ApiId: abc
      Name: fn
      Type: AWS_LAMBDA
      LambdaConfig:
        LambdaFunctionArn: {ARN}
""", """
resource "aws_appsync_datasource" "fn" {
  api_id = "abc"
  name   = "fn"
  type   = "AWS_LAMBDA"
  lambda_config {
    function_arn = aws_lambda_function.fn.arn
  }
}
""", ("appsync", "$LATEST")),
    "SQS mapping": ("""
  Queue:
    Type: AWS::SQS::Queue
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Queue.Arn
      FunctionName: !Ref Fn
""", """
resource "aws_sqs_queue" "q" {}
resource "aws_lambda_event_source_mapping" "q" {
  event_source_arn = aws_sqs_queue.q.arn
  function_name    = aws_lambda_function.fn.arn
}
""", ("sqs", "$LATEST")),
    "Kinesis mapping from an imported ARN": ("""
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
      FunctionName: !Ref Fn
      StartingPosition: LATEST
""", """
resource "aws_lambda_event_source_mapping" "k" {
  event_source_arn  = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"
  function_name     = aws_lambda_function.fn.function_name
  starting_position = "LATEST"
}
""", ("kinesis", "$LATEST")),
    "DynamoDB stream mapping": ("""
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Table.StreamArn
      FunctionName: !GetAtt Fn.Arn
      StartingPosition: LATEST
""", """
resource "aws_dynamodb_table" "t" {
  name     = "t"
  hash_key = "id"
}
resource "aws_lambda_event_source_mapping" "t" {
  event_source_arn  = aws_dynamodb_table.t.stream_arn
  function_name     = aws_lambda_function.fn.arn
  starting_position = "LATEST"
}
""", ("dynamodb_stream", "$LATEST")),
    "S3 notification": (f"""
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      NotificationConfiguration:
        LambdaConfigurations:
          - Event: s3:ObjectCreated:*
            Function: {ARN}
""", """
resource "aws_s3_bucket" "b" {}
resource "aws_s3_bucket_notification" "b" {
  bucket = aws_s3_bucket.b.id
  lambda_function {
    lambda_function_arn = aws_lambda_function.fn.arn
    events              = ["s3:ObjectCreated:*"]
  }
}
""", ("s3", "$LATEST")),
    "SNS subscription": (f"""
  Topic:
    Type: AWS::SNS::Topic
  Subscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: lambda
      Endpoint: {ARN}
""", """
resource "aws_sns_topic" "t" {}
resource "aws_sns_topic_subscription" "t" {
  topic_arn = aws_sns_topic.t.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.fn.arn
}
""", ("sns", "$LATEST")),
    "EventBridge pattern": (f"""
  OnChange:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {{source: [aws.ec2]}}
      Targets:
        - Id: fn
          Arn: {ARN}
""", """
resource "aws_cloudwatch_event_rule" "on_change" {
  event_pattern = jsonencode({ source = ["aws.ec2"] })
}
resource "aws_cloudwatch_event_target" "on_change" {
  rule = aws_cloudwatch_event_rule.on_change.name
  arn  = aws_lambda_function.fn.arn
}
""", ("eventbridge", "$LATEST")),
    "Step Functions": ("""
  Workflow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/sfn
      DefinitionString: !Sub |
        {"StartAt": "Go", "States": {"Go": {"Type": "Task", "Resource": "${Fn.Arn}", "End": true}}}
""", """
resource "aws_sfn_state_machine" "wf" {
  name     = "wf"
  role_arn = "arn:aws:iam::123456789012:role/sfn"
  definition = jsonencode({
    StartAt = "Go"
    States  = { Go = { Type = "Task", Resource = aws_lambda_function.fn.arn, End = true } }
  })
}
""", ("step_functions", "$LATEST")),
    "Cognito trigger": (f"""
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      LambdaConfig:
        PreSignUp: {ARN}
""", """
resource "aws_cognito_user_pool" "pool" {
  name = "p"
  lambda_config {
    pre_sign_up = aws_lambda_function.fn.arn
  }
}
""", ("cognito", "$LATEST")),
    "CloudFront Lambda@Edge on a version": ("""
  Version:
    Type: AWS::Lambda::Version
    Properties:
      FunctionName: !Ref Fn
  Cdn:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        DefaultCacheBehavior:
          TargetOriginId: o
          ViewerProtocolPolicy: allow-all
          LambdaFunctionAssociations:
            - EventType: viewer-request
              LambdaFunctionARN: !Ref Version
""", """
resource "aws_cloudfront_distribution" "cdn" {
  enabled = true
  default_cache_behavior {
    target_origin_id       = "o"
    viewer_protocol_policy = "allow-all"
    lambda_function_association {
      event_type = "viewer-request"
      lambda_arn = aws_lambda_function.fn.qualified_arn
    }
  }
}
""", ("cloudfront", "('version',)")),
    "permission fallback (API defined elsewhere)": ("""
  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:abc123/*
""", """
resource "aws_lambda_permission" "api" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "arn:aws:execute-api:us-east-1:123456789012:abc123/*"
}
""", ("api_gateway", "$LATEST")),
    "permission with no SourceArn (API of unknown protocol)": ("""
  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn
      Principal: apigateway.amazonaws.com
""", """
resource "aws_lambda_permission" "api" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.function_name
  principal     = "apigateway.amazonaws.com"
}
""", ("api_gateway", "$LATEST")),
    "REST API OpenAPI body": (f"""
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      EndpointConfiguration: {{Types: [REGIONAL]}}
      Body:
        openapi: "3.0.1"
        paths:
          /orders:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                timeoutInMillis: 10000
                uri: {INVOKE}
""", """
resource "aws_api_gateway_rest_api" "api" {
  name = "api"
  endpoint_configuration { types = ["REGIONAL"] }
  body = jsonencode({
    openapi = "3.0.1"
    paths = { "/orders" = { get = { "x-amazon-apigateway-integration" = {
      type = "aws_proxy", httpMethod = "POST", timeoutInMillis = 10000, uri = aws_lambda_function.fn.invoke_arn
    } } } }
  })
}
""", ("rest_api", "$LATEST")),
    "HTTP API OpenAPI body": ("""
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: HTTP
      Body:
        openapi: "3.0.1"
        paths:
          /orders:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: aws_proxy
                payloadFormatVersion: "2.0"
                uri: !Join ["", ["arn:aws:apigateway:", !Ref "AWS::Region", ":lambda:path/2015-03-31/functions/", !GetAtt Fn.Arn, "/invocations"]]
""", """
resource "aws_apigatewayv2_api" "api" {
  name          = "api"
  protocol_type = "HTTP"
  body = jsonencode({
    openapi = "3.0.1"
    paths = { "/orders" = { "x-amazon-apigateway-any-method" = { "x-amazon-apigateway-integration" = {
      type = "aws_proxy", payloadFormatVersion = "2.0", uri = aws_lambda_function.fn.invoke_arn
    } } } }
  })
}
""", ("http_api", "$LATEST")),
    "REST Lambda authorizer": (f"""
  Authorizer:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: abc123
      Name: auth
      Type: TOKEN
      IdentitySource: method.request.header.Authorization
      AuthorizerUri: {INVOKE}
      AuthorizerResultTtlInSeconds: 0
""", """
resource "aws_api_gateway_authorizer" "auth" {
  name                             = "auth"
  rest_api_id                      = "abc123"
  authorizer_uri                   = aws_lambda_function.fn.invoke_arn
  authorizer_result_ttl_in_seconds = 0
}
""", ("authorizer", "$LATEST")),
    "HTTP API Lambda authorizer": (f"""
  Authorizer:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: abc123
      Name: auth
      AuthorizerType: REQUEST
      AuthorizerPayloadFormatVersion: "2.0"
      AuthorizerUri: {INVOKE}
""", """
resource "aws_apigatewayv2_authorizer" "auth" {
  name                              = "auth"
  api_id                            = "abc123"
  authorizer_type                   = "REQUEST"
  authorizer_payload_format_version = "2.0"
  authorizer_uri                    = aws_lambda_function.fn.invoke_arn
}
""", ("authorizer", "$LATEST")),
    "AppSync Lambda authorization": (f"""
  Graph:
    Type: AWS::AppSync::GraphQLApi
    Properties:
      Name: graph
      AuthenticationType: AWS_LAMBDA
      LambdaAuthorizerConfig:
        AuthorizerUri: {ARN}
        AuthorizerResultTtlInSeconds: 600
""", """
resource "aws_appsync_graphql_api" "graph" {
  name                = "graph"
  authentication_type = "AWS_LAMBDA"
  lambda_authorizer_config {
    authorizer_uri                   = aws_lambda_function.fn.arn
    authorizer_result_ttl_in_seconds = 600
  }
}
""", ("authorizer", "$LATEST")),
    "Step Functions DefinitionSubstitutions with a Task timeout": ("""
  Workflow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/sfn
      DefinitionString: |
        {"StartAt": "Go", "States": {"Go": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
         "Parameters": {"FunctionName": "${FnArn}", "Payload.$": "$"}, "TimeoutSeconds": 20, "End": true}}}
      DefinitionSubstitutions:
        FnArn: !GetAtt Fn.Arn
""", """
resource "aws_sfn_state_machine" "wf" {
  name     = "wf"
  role_arn = "arn:aws:iam::123456789012:role/sfn"
  definition = templatefile("${path.module}/wf.json", { fn_arn = aws_lambda_function.fn.arn })
}
""", ("step_functions", "$LATEST")),
    "permission fallback (S3 in another stack)": ("""
  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !GetAtt Fn.Arn
      Principal: s3.amazonaws.com
""", """
resource "aws_lambda_permission" "s3" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.arn
  principal     = "s3.amazonaws.com"
}
""", ("s3", "$LATEST")),
    "alias with provisioned concurrency": ("""
  Live:
    Type: AWS::Lambda::Alias
    Properties:
      Name: live
      FunctionName: !Ref Fn
      FunctionVersion: "1"
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 5
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: api, ProtocolType: HTTP}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Ref Live
""", """
resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = aws_lambda_function.fn.function_name
  function_version = "1"
}
resource "aws_lambda_provisioned_concurrency_config" "live" {
  function_name                     = aws_lambda_alias.live.function_name
  qualifier                         = aws_lambda_alias.live.name
  provisioned_concurrent_executions = 5
}
resource "aws_apigatewayv2_api" "api" {
  name          = "api"
  protocol_type = "HTTP"
}
resource "aws_apigatewayv2_integration" "fn" {
  api_id           = aws_apigatewayv2_api.api.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_alias.live.invoke_arn
}
""", ("http_api", "('alias', 'live')")),
    "version with provisioned concurrency": ("""
  Version:
    Type: AWS::Lambda::Version
    Properties:
      FunctionName: !Ref Fn
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 2
  Url:
    Type: AWS::Lambda::Url
    Properties:
      TargetFunctionArn: !Ref Version
      AuthType: NONE
""", """
resource "aws_lambda_provisioned_concurrency_config" "v" {
  function_name                     = aws_lambda_function.fn.function_name
  qualifier                         = aws_lambda_function.fn.version
  provisioned_concurrent_executions = 2
}
resource "aws_lambda_function_url" "fn" {
  function_name      = aws_lambda_function.fn.qualified_arn
  authorization_type = "NONE"
}
""", ("function_url", "('version',)")),
}


def _cfn_model(tmp_path, resources: str):
    path = tmp_path / "template.yaml"
    path.write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:" + FN_CFN + resources)
    model, errors, _ = build_model(discover([str(path)]))
    assert errors == []
    return model


WF_JSON = """{"StartAt": "Go", "States": {"Go": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
 "Parameters": {"FunctionName": "${fn_arn}", "Payload.$": "$"}, "TimeoutSeconds": 20, "End": true}}}"""


def _tf_model(tmp_path, resources: str, publish: bool):
    folder = tmp_path / "tf"
    folder.mkdir()
    (folder / "wf.json").write_text(WF_JSON)
    (folder / "main.tf").write_text(FN_TF.replace("PUBLISH", "true" if publish else "false") + resources)
    model, errors, _ = build_model(discover([str(folder)]))
    assert errors == []
    return model


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_same_architecture_same_model(tmp_path, name):
    cfn, tf, expected = SCENARIOS[name]
    cfn_dump = neutral(_cfn_model(tmp_path, cfn))
    tf_dump = neutral(_tf_model(tmp_path, tf, publish="version" in name or "CloudFront" in name))
    assert cfn_dump == tf_dump
    [fn] = [u for u in cfn_dump if u["kind"] == "lambda_function"]
    assert fn["attributes"] == {"timeout": 30, "memory_size": 512, "runtime": "python3.12"}
    assert [t[:2] for t in fn["triggers"]] == [expected]


def test_scenarios_cover_every_trigger_kind_and_qualifier_form():
    kinds = {e[0] for _c, _t, e in SCENARIOS.values()}
    assert {"schedule", "rest_api", "http_api", "websocket_api", "alb", "function_url", "appsync", "sqs",
            "kinesis", "dynamodb_stream", "s3", "sns", "eventbridge", "step_functions", "cognito",
            "cloudfront", "authorizer", "api_gateway"} <= kinds
    assert {e[1] for _c, _t, e in SCENARIOS.values()} == {"$LATEST", "('alias', 'live')", "('version',)"}


@pytest.mark.parametrize("name, settings", [
    ("REST API OpenAPI body", "[('endpoint_type', 'REGIONAL'), ('integration_timeout_ms', 10000)]"),
    ("HTTP API OpenAPI body", "[('payload_format_version', '2.0')]"),
    ("REST Lambda authorizer", "[('authorizer_ttl', 0)]"),
    ("HTTP API Lambda authorizer", "[]"),
    ("AppSync Lambda authorization", "[('authorizer_ttl', 600)]"),
    ("Step Functions DefinitionSubstitutions with a Task timeout", "[('task_states', ['Go']), ('task_timeout', 20)]"),
])
def test_definitions_and_authorizers_carry_their_settings(tmp_path, name, settings):
    """The settings read from an OpenAPI body, an authorizer and a state machine's Task are the
    same in both languages (the parity test above compares the two dumps)."""
    cfn, _tf, _e = SCENARIOS[name]
    [fn] = neutral(_cfn_model(tmp_path, cfn))
    assert [t[2] for t in fn["triggers"]] == [settings]


def test_provisioned_concurrency_is_part_of_the_model(tmp_path):
    for name, pc in (("alias with provisioned concurrency", ("('alias', 'live')", "5")),
                     ("version with provisioned concurrency", ("('version',)", "2"))):
        cfn, tf, _e = SCENARIOS[name]
        folder = tmp_path / name.split()[0]
        folder.mkdir()
        [fn] = neutral(_cfn_model(folder, cfn))
        assert fn["qualifiers"] == [pc]
        [fn] = neutral(_tf_model(folder, tf, publish=True))
        assert fn["qualifiers"] == [pc]


SAM = """Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      MemorySize: 512
      Timeout: 30
      AutoPublishAlias: live
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 3
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
        Hourly:
          Type: Schedule
          Properties:
            Schedule: rate(1 hour)
"""
MODULE = """
resource "aws_sqs_queue" "jobs" {}
module "worker" {
  source        = "terraform-aws-modules/lambda/aws"
  function_name = "worker"
  runtime       = "python3.12"
  handler       = "app.handler"
  memory_size   = 512
  timeout       = 30
  publish       = true
  provisioned_concurrent_executions = 3
  event_source_mapping = {
    jobs = { event_source_arn = aws_sqs_queue.jobs.arn }
  }
}
resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = module.worker.lambda_function_name
  function_version = module.worker.lambda_function_version
}
resource "aws_cloudwatch_event_rule" "hourly" {
  schedule_expression = "rate(1 hour)"
}
resource "aws_cloudwatch_event_target" "hourly" {
  rule = aws_cloudwatch_event_rule.hourly.name
  arn  = aws_lambda_alias.live.arn
}
"""


def test_sam_events_and_lambda_module_inputs_give_the_same_shape(tmp_path):
    """SAM's Events and AutoPublishAlias, and terraform-aws-modules/lambda's event_source_mapping,
    are expanded by their front ends into ordinary resources: the same mapping and schedule."""
    (tmp_path / "template.yaml").write_text(SAM)
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(MODULE)
    sam, errors, _ = build_model(discover([str(tmp_path / "template.yaml")]))
    assert errors == []
    tf, errors, _ = build_model(discover([str(tmp_path / "tf")]))
    assert errors == []
    s, t = neutral(sam), neutral(tf)
    assert [u["attributes"] for u in s] == [u["attributes"] for u in t]
    # SAM wires both events to the alias; in the Terraform the mapping invokes the function itself
    assert s[0]["triggers"] == [("schedule", "('alias', 'live')", "[('schedule_expression', 'rate(1 hour)')]"),
                                ("sqs", "('alias', 'live')", "[]")]
    assert t[0]["triggers"] == [("schedule", "('alias', 'live')", "[('schedule_expression', 'rate(1 hour)')]"),
                                ("sqs", "$LATEST", "[]")]
    assert s[0]["qualifiers"] == [("('alias', 'live')", "3")]
    assert t[0]["qualifiers"] == [("('version',)", "3")]


def test_a_mapping_names_its_source_queue_in_both_languages(tmp_path):
    cfn, tf, _e = SCENARIOS["SQS mapping"]
    for model in (_cfn_model(tmp_path, cfn), _tf_model(tmp_path, tf, publish=False)):
        [queue] = [r for r in model.resources if r.kind == "sqs_queue"]
        [(unit, trigger)] = model.consumers(queue)
        assert (unit.kind, trigger.kind, trigger.source) == ("lambda_function", "sqs", queue.address)
        assert trigger.via.kind == "event_source_mapping"
    cfn, tf, _e = SCENARIOS["Kinesis mapping from an imported ARN"]
    (tmp_path / "k").mkdir()
    for model in (_cfn_model(tmp_path / "k", cfn), _tf_model(tmp_path / "k", tf, publish=False)):
        [t] = [t for u in model.units for t in u.triggers]
        assert t.source is None  # the stream is not in the scanned code


def test_user_data_setup_and_unresolved_parts_are_derived_once(tmp_path):
    """What user data sets up is analysed once by the linker (unit.setup), and a partly known
    text reaches checks as a plain str with its unresolved parts listed (Setting.unresolved)."""
    cfn = """
  Host:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: t3.small
      UserData:
        Fn::Base64: !Sub |
          #!/bin/bash
          echo "0 2 * * * root /opt/backup.sh ${Bucket}" > /etc/cron.d/backup
Parameters:
  Bucket:
    Type: String
"""
    tf = """
variable "bucket" {
  type = string
}
resource "aws_instance" "host" {
  instance_type = "t3.small"
  user_data     = <<-EOT
    #!/bin/bash
    echo "0 2 * * * root /opt/backup.sh ${var.bucket}" > /etc/cron.d/backup
  EOT
}
"""
    for model, unresolved in ((_cfn_model(tmp_path, cfn), ("Bucket",)), (_tf_model(tmp_path, tf, False), ("var.bucket",))):
        [host] = [u for u in model.units if u.kind == "ec2_instance"]
        s = host.setting("user_data")
        assert type(s.value) is str and s.unresolved == unresolved
        [job] = host.setup["user_data"].jobs
        assert job.schedule.runs_per_day == 1
