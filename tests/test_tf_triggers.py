"""Terraform triggers linked to the unit they invoke, qualifiers, launch templates and ASGs."""

from __future__ import annotations

from pathlib import Path

import pytest

from computefit import terraform
from computefit.discovery import discover
from computefit.model import (
    ALB, APPSYNC, CLOUDFRONT, COGNITO, DYNAMODB_STREAM, EVENTBRIDGE, FUNCTION_URL, HTTP_API, IOT,
    KAFKA, KINESIS, MQ, REST_API, S3, SCHEDULE, SNS, SQS, STEP_FUNCTIONS, WEBSOCKET_API, Location,
    Qualifier, Unknown, current_version,
)

DATA = Path(__file__).resolve().parent / "data" / "tf"
VERSION = current_version("aws_lambda_function.fn")
LIVE = Qualifier("alias", "live")


def load_dir(name: str, monkeypatch):
    monkeypatch.chdir(DATA / name)
    inputs = discover(["."])
    docs, errors = terraform.load_all(inputs.modules)
    assert errors == []
    return {u.name: u for d in docs for u in d.units}


@pytest.fixture
def fn(monkeypatch):
    return load_dir("triggers", monkeypatch)["aws_lambda_function.fn"]


@pytest.mark.parametrize("resource,kind,qualifier", [
    ("aws_cloudwatch_event_target.hourly", SCHEDULE, None),
    ("aws_cloudwatch_event_target.pattern", EVENTBRIDGE, LIVE),
    ("aws_scheduler_schedule.daily", SCHEDULE, VERSION),
    ("aws_api_gateway_integration.rest", REST_API, LIVE),
    ("aws_apigatewayv2_integration.http", HTTP_API, None),
    ("aws_apigatewayv2_integration.ws", WEBSOCKET_API, None),
    ("aws_lb_target_group_attachment.fn", ALB, None),
    ("aws_lambda_function_url.url", FUNCTION_URL, LIVE),
    ("aws_appsync_datasource.ds", APPSYNC, None),
    ("aws_lambda_event_source_mapping.sqs", SQS, None),
    ("aws_lambda_event_source_mapping.kinesis", KINESIS, None),
    ("aws_lambda_event_source_mapping.ddb", DYNAMODB_STREAM, LIVE),
    ("aws_lambda_event_source_mapping.msk", KAFKA, None),
    ("aws_lambda_event_source_mapping.mq", MQ, None),
    ("aws_s3_bucket_notification.n", S3, None),
    ("aws_sns_topic_subscription.s", SNS, None),
    ("aws_sfn_state_machine.sm", STEP_FUNCTIONS, None),
    ("aws_cognito_user_pool.pool", COGNITO, None),
    ("aws_cloudfront_distribution.cdn", CLOUDFRONT, VERSION),
    ("aws_lambda_permission.iot", IOT, None),
])
def test_trigger_kind_and_qualifier(fn, resource, kind, qualifier):
    matches = [t for t in fn.triggers if t.resource == resource]
    assert len(matches) == 1, resource
    t = matches[0]
    assert (t.kind, t.qualifier) == (kind, qualifier)  # a trigger of fn: in fn.triggers
    assert t.resource_type == resource.split(".")[0]


def test_every_trigger_is_accounted_for(fn):
    # the SNS permission duplicates the subscription: the permission is only a fallback
    assert len(fn.triggers) == 20
    assert not any(t.resource == "aws_lambda_permission.sns_duplicate" for t in fn.triggers)


def test_trigger_settings_and_locations(fn):
    by = {t.resource: t for t in fn.triggers}
    hourly = by["aws_cloudwatch_event_target.hourly"]
    assert hourly.location == Location("main.tf", 31)
    assert hourly.settings["schedule_expression"].value == "rate(1 hour)"
    assert hourly.settings["schedule_expression"].location == Location("main.tf", 28)
    daily = by["aws_scheduler_schedule.daily"]
    assert daily.settings["schedule_timezone"].value == "Europe/Paris"
    rest = by["aws_api_gateway_integration.rest"]
    assert rest.settings["integration_timeout_ms"].value == 29000
    assert rest.settings["endpoint_type"].value == "REGIONAL"
    url = by["aws_lambda_function_url.url"]
    assert url.settings["auth_type"].value == "AWS_IAM"
    assert url.settings["invoke_mode"].value == "RESPONSE_STREAM"
    assert url.user_facing and not by["aws_lambda_event_source_mapping.sqs"].user_facing


def test_qualifiers_with_provisioned_concurrency(fn):
    quals = {(q.kind, q.name): q for q in fn.qualifiers}
    alias = quals[("alias", "live")]
    assert alias.resource == "aws_lambda_alias.live" and alias.location == Location("main.tf", 8)
    assert alias.provisioned_concurrency.value == 5
    assert alias.provisioned_concurrency.location == Location("main.tf", 17)
    version = quals[("version", VERSION.name)]
    assert version.provisioned_concurrency.value == 1
    assert len(fn.qualifiers) == 2


def test_function_arn_string_links_by_function_name(monkeypatch):
    units = load_dir("triggers", monkeypatch)
    [t] = units["aws_lambda_function.by_name"].triggers
    assert (t.kind, t.qualifier, t.resource) == (SQS, Qualifier("alias", "blue"), "aws_lambda_event_source_mapping.arn_string")


@pytest.fixture
def asg_units(monkeypatch):
    return load_dir("asg", monkeypatch)


def test_asg_with_launch_template(asg_units):
    web = asg_units["aws_autoscaling_group.web"]
    assert (web.value("min_size"), web.value("max_size"), web.value("desired_capacity")) == (2, 10, 3)
    assert web.value("launch_template") == "aws_launch_template.lt"
    it = web.setting("instance_type")
    assert (it.value, it.location) == ("m5.large", Location("main.tf", 7))
    # base64encode(templatefile(...)) decoded, the unknown variable left as a placeholder
    assert web.value("user_data") == "#!/bin/bash\necho boot\nexport SECRET=${var.secret}\n"
    assert web.setting("user_data").location == Location("main.tf", 8)
    assert Location("main.tf", 5) in web.related
    assert [(t.kind, t.resource) for t in web.triggers] == [(ALB, "aws_autoscaling_group.web")]
    assert web.triggers[0].location == Location("main.tf", 17)  # the target_group_arns line


def test_asg_with_launch_configuration_and_attachment(asg_units):
    legacy = asg_units["aws_autoscaling_group.legacy"]
    assert legacy.value("instance_type") == "c5.large"
    assert legacy.value("user_data") == "#!/bin/bash\necho legacy\n"
    assert [(t.kind, t.resource) for t in legacy.triggers] == [(ALB, "aws_autoscaling_attachment.legacy")]


def test_asg_mixed_instances_policy_by_template_name(asg_units):
    mixed = asg_units["aws_autoscaling_group.mixed"]
    assert mixed.value("instance_type") == "t3.large"
    assert mixed.value("launch_template") == "aws_launch_template.mixed"
    assert mixed.value("user_data") == "#!/bin/bash\n${cmd}\nexport SECRET=${secret}\n"  # filebase64, raw
    assert not mixed.triggers


def test_instance_merges_its_launch_template(asg_units):
    inst = asg_units["aws_instance.lt_ref"]
    assert inst.value("instance_type") == "m5.large"
    assert inst.value("launch_template") == "aws_launch_template.lt"
    assert "aws_launch_template.lt" not in asg_units  # a template is not a unit of its own


def test_unresolvable_reference_gives_no_trigger(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(
        'resource "aws_lambda_function" "f" {\n  function_name = "f"\n}\n'
        'resource "aws_lambda_event_source_mapping" "m" {\n'
        '  event_source_arn = data.aws_sqs_queue.q.arn\n'
        '  function_name    = data.aws_lambda_function.other.arn\n}\n'
        'resource "aws_lambda_provisioned_concurrency_config" "pc" {\n'
        '  function_name = aws_lambda_function.f.function_name\n'
        '  qualifier = var.alias\n'
        '  provisioned_concurrent_executions = 1\n}\n'
        'variable "alias" {}\n'
    )
    monkeypatch.chdir(tmp_path)
    docs, errors = terraform.load_all(discover(["."]).modules)
    [u] = docs[0].units
    assert u.triggers == []
    [q] = u.qualifiers
    assert isinstance(q.name, Unknown)


def test_interpolated_reference_with_qualifier(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(
        'resource "aws_lambda_function" "f" {\n  function_name = "f"\n}\n'
        'resource "aws_sns_topic_subscription" "s" {\n  protocol = "lambda"\n'
        '  endpoint = "${aws_lambda_function.f.arn}:live"\n}\n')
    monkeypatch.chdir(tmp_path)
    docs, _ = terraform.load_all(discover(["."]).modules)
    [t] = docs[0].units[0].triggers
    assert (t.kind, t.qualifier) == (SNS, LIVE)


def test_dynamic_blocks(monkeypatch):
    units = load_dir("dynamic", monkeypatch)
    a = units["aws_lambda_function.a"]
    snap = a.setting("snap_start")  # for_each known non-empty: the content block applies
    assert (snap.value, snap.location) == ("PublishedVersions", Location("main.tf", 7))
    eph = a.value("ephemeral_storage")  # for_each unknown: the block may not exist
    assert isinstance(eph, Unknown) and "may be empty" in eph.reason
    assert "snap_start" not in units["aws_lambda_function.b"].settings  # empty for_each
    # a dynamic block's iterator (named by `iterator`) carries the reference to the function
    [t] = a.triggers
    assert (t.kind, t.resource) == (S3, "aws_s3_bucket_notification.n")
