"""CloudFormation / SAM / CDK model building: units, settings with their lines, triggers."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from computefit import cloudformation
from computefit.discovery import discover
from computefit.model import (
    ALB, APPSYNC, AUTO_SCALING_GROUP, DYNAMODB_STREAM, EC2_INSTANCE, EVENTBRIDGE, FUNCTION_URL, HTTP_API,
    KAFKA, KINESIS, LAMBDA_FUNCTION, ORIGIN_GLOBALS, ORIGIN_LITERAL, ORIGIN_PARAMETER_DEFAULT,
    ORIGIN_SERVICE_DEFAULT, REST_API, S3, SCHEDULE, SNS, SQS, STEP_FUNCTIONS, WEBSOCKET_API, Location,
    Qualifier,
)
from computefit.runner import scan

DATA = Path(__file__).resolve().parent / "data" / "cfn"


def load(name: str, monkeypatch) -> dict:
    monkeypatch.chdir(DATA)
    doc = cloudformation.load(name)
    return {u.name: u for u in doc.units}


def load_text(tmp_path: Path, text: str, name: str = "template.yaml") -> dict:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return {u.name: u for u in cloudformation.load(str(p)).units}


def where(setting) -> tuple:
    return (setting.value, setting.location.line if setting.location else None, setting.origin)


# --------------------------------------------------------------------------------------------------
# Triggers wired by other resources
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def fn(monkeypatch):
    return load("triggers.yaml", monkeypatch)["Fn"]


@pytest.mark.parametrize("resource,kind,rtype,line", [
    ("Hourly", SCHEDULE, "AWS::Events::Rule", 12),
    ("OnUpload", EVENTBRIDGE, "AWS::Events::Rule", 19),
    ("Nightly", SCHEDULE, "AWS::Scheduler::Schedule", 27),
    ("RestMethod", REST_API, "AWS::ApiGateway::Method", 41),
    ("HttpIntegration", HTTP_API, "AWS::ApiGatewayV2::Integration", 58),
    ("WsIntegration", WEBSOCKET_API, "AWS::ApiGatewayV2::Integration", 71),
    ("FnTargetGroup", ALB, "AWS::ElasticLoadBalancingV2::TargetGroup", 77),
    ("FnUrl", FUNCTION_URL, "AWS::Lambda::Url", 83),
    ("GraphQlSource", APPSYNC, "AWS::AppSync::DataSource", 89),
    ("QueueMapping", SQS, "AWS::Lambda::EventSourceMapping", 99),
    ("StreamMapping", KINESIS, "AWS::Lambda::EventSourceMapping", 108),
    ("TableMapping", DYNAMODB_STREAM, "AWS::Lambda::EventSourceMapping", 120),
    ("Uploads", S3, "AWS::S3::Bucket", 126),
    ("TopicSubscription", SNS, "AWS::SNS::Subscription", 135),
    ("InlineTopic", SNS, "AWS::SNS::Topic", 141),
    ("Workflow", STEP_FUNCTIONS, "AWS::StepFunctions::StateMachine", 147),
])
def test_trigger_from_another_resource(fn, resource, kind, rtype, line):
    matches = [t for t in fn.triggers if t.resource == resource]
    assert len(matches) == 1, resource
    t = matches[0]
    assert (t.kind, t.resource_type, t.location, t.qualifier) == (
        kind, rtype, Location("triggers.yaml", line), None)


def test_every_trigger_is_accounted_for(fn):
    assert len(fn.triggers) == 16


def test_trigger_settings_point_at_their_lines(fn):
    by = {t.resource: t for t in fn.triggers}
    assert where(by["Hourly"].settings["schedule_expression"]) == ("rate(1 hour)", 15, ORIGIN_LITERAL)
    assert by["OnUpload"].settings == {}
    nightly = by["Nightly"].settings
    assert where(nightly["schedule_expression"]) == ("cron(0 3 * * ? *)", 30, ORIGIN_LITERAL)
    assert where(nightly["schedule_timezone"]) == ("Europe/Paris", 31, ORIGIN_LITERAL)
    assert where(by["RestMethod"].settings["integration_timeout_ms"]) == (29000, 51, ORIGIN_LITERAL)
    url = by["FnUrl"].settings
    assert (url["auth_type"].value, url["invoke_mode"].value) == ("AWS_IAM", "RESPONSE_STREAM")


def test_unrelated_functions_get_no_triggers(tmp_path):
    units = load_text(tmp_path, """
        Resources:
          A:
            Type: AWS::Lambda::Function
            Properties: {Handler: a.h, Runtime: python3.12}
          B:
            Type: AWS::Lambda::Function
            Properties: {Handler: b.h, Runtime: python3.12}
          Rule:
            Type: AWS::Events::Rule
            Properties:
              ScheduleExpression: rate(1 day)
              Targets:
                - {Id: b, Arn: !GetAtt B.Arn}
                - {Id: q, Arn: arn:aws:sqs:eu-west-1:123456789012:q}
          Mapping:
            Type: AWS::Lambda::EventSourceMapping
            Properties:
              FunctionName: !Ref A
              EventSourceArn: !ImportValue shared-queue-arn
        """)
    assert [t.resource for t in units["B"].triggers] == ["Rule"]
    # an event source that cannot be classified is still a trigger, of kind "other"
    assert [(t.resource, t.kind) for t in units["A"].triggers] == [("Mapping", "other")]


# --------------------------------------------------------------------------------------------------
# SAM: Globals and Events
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def sam(monkeypatch):
    return load("sam.yaml", monkeypatch)


def test_globals_merge_into_every_serverless_function_pointing_at_the_globals_line(sam):
    for name in ("Inherits", "Events"):
        u = sam[name]
        assert where(u.setting("timeout")) == (600, 10, ORIGIN_GLOBALS)
        assert where(u.setting("memory_size")) == (1024, 11, ORIGIN_GLOBALS)
        assert where(u.setting("runtime")) == ("python3.12", 12, ORIGIN_GLOBALS)
        assert where(u.setting("architectures")) == (["arm64"], 13, ORIGIN_GLOBALS)
        assert u.setting("timeout").note == "Globals.Function.Timeout"
        assert u.setting("timeout").describe_origin() == "inherited from SAM Globals: Globals.Function.Timeout"
        assert [q.name for q in u.qualifiers] == ["live"]


def test_own_value_wins_over_globals(sam):
    u = sam["Overrides"]
    assert where(u.setting("timeout")) == (30, 26, ORIGIN_LITERAL)
    assert where(u.setting("memory_size")) == (256, 27, ORIGIN_LITERAL)
    assert where(u.setting("runtime")) == ("nodejs20.x", 28, ORIGIN_LITERAL)
    assert where(u.setting("architectures")) == (["arm64"], 13, ORIGIN_GLOBALS)  # not overridden


def test_globals_do_not_apply_to_plain_lambda_functions(sam):
    u = sam["Plain"]
    assert where(u.setting("timeout")) == (3, None, ORIGIN_SERVICE_DEFAULT)
    assert where(u.setting("memory_size")) == (128, None, ORIGIN_SERVICE_DEFAULT)
    assert u.setting("architectures") is None and u.qualifiers == []


@pytest.mark.parametrize("event,kind,line", [
    ("Rest", REST_API, 43),
    ("Http", HTTP_API, 49),
    ("Sched", SCHEDULE, 54),
    ("SchedV2", SCHEDULE, 58),
    ("Queue", SQS, 63),
    ("Bucket", S3, 67),
    ("Topic", SNS, 72),
    ("Stream", KINESIS, 76),
    ("Table", DYNAMODB_STREAM, 81),
    ("Rule", EVENTBRIDGE, 86),
    ("OldRule", SCHEDULE, 91),
    ("Kafka", KAFKA, 95),
])
def test_sam_events_become_triggers(sam, event, kind, line):
    u = sam["Events"]
    matches = [t for t in u.triggers if t.resource == f"Events.Events.{event}"]
    assert len(matches) == 1
    t = matches[0]
    assert (t.kind, t.location, t.qualifier) == (kind, Location("sam.yaml", line), Qualifier("alias", "live"))
    assert t.resource_type.startswith("SAM event ")


def test_sam_event_settings(sam):
    by = {t.resource.rsplit(".", 1)[1]: t for t in sam["Events"].triggers}
    assert len(by) == 12
    assert where(by["Sched"].settings["schedule_expression"]) == ("rate(5 minutes)", 57, ORIGIN_LITERAL)
    assert where(by["SchedV2"].settings["schedule_expression"]) == ("cron(0 2 * * ? *)", 61, ORIGIN_LITERAL)
    assert by["SchedV2"].settings["schedule_timezone"].value == "UTC"
    assert where(by["OldRule"].settings["schedule_expression"]) == ("rate(1 day)", 94, ORIGIN_LITERAL)
    assert where(by["Rest"].settings["integration_timeout_ms"]) == (10000, 48, ORIGIN_LITERAL)
    assert by["Rule"].settings == {}


def test_globals_timeout_from_a_parameter_points_at_the_globals_line(tmp_path):
    units = load_text(tmp_path, """
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          T:
            Type: Number
            Default: 840
        Globals:
          Function:
            Timeout: !Ref T
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.h
              Runtime: python3.12
        """)
    s = units["Fn"].setting("timeout")
    assert where(s) == (840, 8, ORIGIN_GLOBALS)
    assert "Globals.Function.Timeout" in s.note and "parameter T" in s.note


def test_sam_function_url_and_http_api_on_a_websocket_api(tmp_path):
    units = load_text(tmp_path, """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Ws:
            Type: AWS::ApiGatewayV2::Api
            Properties: {Name: ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.a}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.h
              Runtime: python3.12
              FunctionUrlConfig:
                AuthType: NONE
              Events:
                Socket:
                  Type: HttpApi
                  Properties:
                    ApiId: !Ref Ws
        """)
    kinds = sorted((t.kind, t.location.line) for t in units["Fn"].triggers)
    assert kinds == [(FUNCTION_URL, 11), (WEBSOCKET_API, 14)]


# --------------------------------------------------------------------------------------------------
# Parameters, mappings and conditions feeding settings
# --------------------------------------------------------------------------------------------------


def test_lambda_settings_from_parameters_mappings_and_conditions(tmp_path):
    units = load_text(tmp_path, """
        Parameters:
          Env:
            Type: String
            Default: prod
          Memory:
            Type: Number
        Mappings:
          Sizes:
            prod: {Timeout: 600}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Handler: a.h
              Runtime: !If [IsProd, python3.12, python3.11]
              Timeout: !FindInMap [Sizes, !Ref Env, Timeout]
              MemorySize: !Ref Memory
              FunctionName: !Sub "${Env}-${AWS::StackName}-fn"
        """)
    u = units["Fn"]
    assert where(u.setting("timeout")) == (600, 18, "mapping")
    assert where(u.setting("runtime")) == ("python3.12", 17, ORIGIN_LITERAL)
    mem = u.setting("memory_size")
    assert not mem.known and "Memory" in mem.value.reason and mem.location.line == 19
    assert u.value("function_name") == "prod-${AWS::StackName}-fn"


def test_numbers_written_as_text_are_numbers(tmp_path):
    units = load_text(tmp_path, """
        Parameters:
          T: {Type: Number, Default: "300"}
        Resources:
          A:
            Type: AWS::Lambda::Function
            Properties: {Timeout: "60", MemorySize: 512.0}
          B:
            Type: AWS::Lambda::Function
            Properties: {Timeout: !Ref T, MemorySize: lots}
        """)
    assert (units["A"].value("timeout"), units["A"].value("memory_size")) == (60, 512)
    assert where(units["B"].setting("timeout")) == (300, 2, ORIGIN_PARAMETER_DEFAULT)
    assert not units["B"].setting("memory_size").known


# --------------------------------------------------------------------------------------------------
# EC2 instances, launch templates and configurations, auto scaling groups, cfn-init
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def ec2(monkeypatch):
    return load("ec2.yaml", monkeypatch)


def test_instance_settings_and_cfn_init(ec2):
    w = ec2["Worker"]
    assert (w.kind, w.location) == (EC2_INSTANCE, Location("ec2.yaml", 10))
    assert where(w.setting("instance_type")) == ("m5.large", 6, ORIGIN_PARAMETER_DEFAULT)
    ud = w.setting("user_data")
    assert ud.location.line == 40
    assert ud.value == ("#!/bin/bash\n"
                        "/opt/aws/bin/cfn-init -s ${AWS::StackName} -r Worker --region ${AWS::Region}\n"
                        'echo "db=${DbHost}" > /etc/app.conf\n')
    init = w.setting("init_config")
    assert init.location.line == 13 and init.note == "AWS::CloudFormation::Init"
    text = init.value
    # files (text and JSON content) and commands count as instance configuration
    assert "cat > /etc/cron.d/report <<'CFN_INIT_EOF'\n0 2 * * * root /opt/report.sh --db ${DbHost}\n" in text
    assert '"db": "${DbHost}"' in text and '"region": "${AWS::Region}"' in text
    assert "systemctl start worker" in text
    assert "yum install -y httpd" in text and "systemctl enable --now httpd" in text
    assert [(t.kind, t.resource, t.location.line) for t in w.triggers] == [(ALB, "WebTargets", 96)]


def test_instance_from_a_launch_template(ec2):
    u = ec2["FromTemplate"]
    assert where(u.setting("instance_type")) == ("c6g.xlarge", 49, ORIGIN_LITERAL)
    assert u.value("user_data") == "#!/bin/bash\njava -jar /opt/server.jar\n"
    assert u.value("launch_template") == "Template"
    assert Location("ec2.yaml", 45) in u.related


@pytest.mark.parametrize("name,sizes,source,source_line,instance_type", [
    ("Group", (2, 4, 2), "Template", 45, "c6g.xlarge"),
    ("MixedGroup", (0, 10, None), "Template", 45, "c6g.xlarge"),
    ("OldGroup", (1, 1, None), "LaunchConfig", 81, "t3.micro"),
])
def test_auto_scaling_groups(ec2, name, sizes, source, source_line, instance_type):
    u = ec2[name]
    assert u.kind == AUTO_SCALING_GROUP
    assert (u.value("min_size"), u.value("max_size"), u.value("desired_capacity")) == sizes
    assert u.value("launch_template") == source and Location("ec2.yaml", source_line) in u.related
    assert u.value("instance_type") == instance_type
    assert u.value("user_data").startswith("#!/bin/bash\n")


def test_asg_load_balancer_attachments_are_triggers(ec2):
    assert [(t.kind, t.resource, t.location.line) for t in ec2["Group"].triggers] == [
        (ALB, "Group", 69)]  # at the TargetGroupARNs line
    assert [(t.kind, t.resource, t.location.line) for t in ec2["OldGroup"].triggers] == [
        (ALB, "OldGroup", 95)]  # at the LoadBalancerNames line
    assert ec2["MixedGroup"].triggers == []


def test_cfn_init_on_a_launch_configuration(tmp_path):
    units = load_text(tmp_path, """
        Resources:
          Config:
            Type: AWS::AutoScaling::LaunchConfiguration
            Metadata:
              AWS::CloudFormation::Init:
                config:
                  files:
                    /etc/cron.d/job:
                      content: "*/5 * * * * root /opt/job.sh\\n"
                  commands:
                    b_second: {command: [echo, two]}
                    a_first: {command: echo one}
            Properties:
              ImageId: ami-1
              InstanceType: t3.small
          Group:
            Type: AWS::AutoScaling::AutoScalingGroup
            Properties:
              MinSize: 1
              MaxSize: 1
              LaunchConfigurationName: !Ref Config
        """)
    init = units["Group"].setting("init_config")
    assert init.location.line == 5
    assert init.value == ("# cfn-init config config\n"
                          "cat > /etc/cron.d/job <<'CFN_INIT_EOF'\n*/5 * * * * root /opt/job.sh\nCFN_INIT_EOF\n"
                          "echo one\necho two\n")


def test_base64_literal_user_data_is_decoded(tmp_path):
    units = load_text(tmp_path, """
        Resources:
          Host:
            Type: AWS::EC2::Instance
            Properties:
              InstanceType: t3.micro
              UserData: IyEvYmluL2Jhc2gKZWNobyBoZWxsbwo=
        """)
    assert units["Host"].value("user_data") == "#!/bin/bash\necho hello\n"


# --------------------------------------------------------------------------------------------------
# CDK output and .template files
# --------------------------------------------------------------------------------------------------


def test_cdk_synthesized_template(monkeypatch):
    monkeypatch.chdir(DATA)
    inputs = discover(["cdk"])
    assert inputs.templates == ["cdk/ReportsStack.template.json"]
    units = {u.name: u for u in cloudformation.load(inputs.templates[0]).units}
    assert list(units) == ["ReportFn9270CBC0"]
    u = units["ReportFn9270CBC0"]
    assert u.location == Location("cdk/ReportsStack.template.json", 13)
    assert where(u.setting("timeout")) == (840, 23, ORIGIN_LITERAL)
    assert where(u.setting("memory_size")) == (1769, 24, ORIGIN_LITERAL)
    assert where(u.setting("runtime")) == ("nodejs20.x", 22, ORIGIN_LITERAL)
    triggers = [(t.kind, t.resource, t.location.line) for t in u.triggers]
    # the rule targets Fn::GetAtt [fn, Arn]; the method's Uri is an Fn::Join invoke ARN
    assert triggers == [(SCHEDULE, "NightlyRule5C4E1F2A", 33), (REST_API, "ApiGETMethod0A1B2C3D", 42)]
    assert u.triggers[0].settings["schedule_expression"].value == "cron(0 1 * * ? *)"


def test_dot_template_file(monkeypatch):
    monkeypatch.chdir(DATA)
    result = scan(["legacy.template"])
    assert result.errors == [] and result.files_scanned == 1
    (unit,) = result.model.units
    assert (unit.name, unit.kind, unit.location) == ("Host", EC2_INSTANCE, Location("legacy.template", 5))
    assert where(unit.setting("instance_type")) == ("t3.small", 8, ORIGIN_LITERAL)
    assert unit.value("user_data") == "#!/bin/bash\necho ${AWS::StackName}\n"


def test_only_compute_resources_become_units(monkeypatch):
    units = load("triggers.yaml", monkeypatch)
    assert list(units) == ["Fn"] and units["Fn"].kind == LAMBDA_FUNCTION
    assert units["Fn"].end_line == 11
