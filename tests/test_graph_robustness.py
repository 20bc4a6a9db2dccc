"""Odd shapes in any resource never crash the graph: every path of the kinds table meets lists
where maps were expected, intrinsics where objects were expected, and the scan goes on."""

from __future__ import annotations

from computefit.config import Config
from computefit.runner import scan

ODD_CFN = """
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: [not, a, mapping]
  Rule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: [rate(1 day)]
      Targets: [just-a-string, {Arn: [1, 2]}, {Arn: !GetAtt [Nope, Arn]}]
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription: {Protocol: lambda}
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: {Fn::If: [Missing, 10, 20]}
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Queue.Arn
      FunctionName: {Ref: Fn}
      MaximumBatchingWindowInSeconds: lots
  Sam:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: [live]
      FunctionUrlConfig: yes
      Events: [a, b]
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      LaunchTemplate: {LaunchTemplateId: 42}
      MinSize: one
  Weird: 17
"""

ODD_TF = """
resource "aws_lambda_function" "fn" {
  timeout = "soon"
  snap_start = "yes"
}
resource "aws_lambda_event_source_mapping" "m" {
  event_source_arn = 42
  function_name    = [aws_lambda_function.fn.arn]
}
resource "aws_sqs_queue" "q" {
  visibility_timeout_seconds = var.nope
}
module "fn" {
  source = "terraform-aws-modules/lambda/aws"
  event_source_mapping = "not a map"
  allowed_triggers = { x = "not a map either" }
  create_lambda_function_url = "maybe"
}
"""


def test_odd_cloudformation_shapes(tmp_path):
    (tmp_path / "t.yaml").write_text(ODD_CFN)
    result = scan([str(tmp_path / "t.yaml")], Config())
    assert not [e for e in result.errors if "internal error" in e.message], result.errors
    assert {r.address for r in result.model.resources} >= {"Fn", "Rule", "Topic", "Queue", "Mapping", "Sam"}


def test_odd_terraform_shapes(tmp_path):
    (tmp_path / "main.tf").write_text(ODD_TF)
    result = scan([str(tmp_path)], Config())
    assert not [e for e in result.errors if "internal error" in e.message], result.errors
    by = {r.address: r for r in result.model.resources}
    assert by["aws_lambda_function.fn"].value("timeout").reason == "'soon' is not a number"
