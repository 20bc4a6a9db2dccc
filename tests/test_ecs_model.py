"""ECS and Batch in the model (issue 11 item 1): task definitions, services and scheduled tasks read
from CloudFormation and from Terraform (container definitions in jsonencode(), a file() JSON file, a
templatefile() and a heredoc) give the same neutral dump, with the containers' commands analysed
once by the linker."""

from __future__ import annotations

import json

import pytest

from computefit import model as m
from computefit.discovery import discover
from computefit.modelview import neutral
from computefit.runner import build_model

CFN = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Cpu: "512"
      Memory: "1024"
      RequiresCompatibilities: [FARGATE]
      RuntimePlatform: {CpuArchitecture: ARM64, OperatingSystemFamily: LINUX}
      ContainerDefinitions:
        - Name: cron
          Image: alpine:3.19
          Command: ["crond", "-f", "-l", "2"]
        - Name: sidecar
          Image: amazon/aws-xray-daemon
          Essential: false
          ResourceRequirements: [{Type: GPU, Value: "1"}]
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: !Ref Task
      DesiredCount: 1
      LaunchType: FARGATE
  Nightly:
    Type: AWS::Scheduler::Schedule
    Properties:
      ScheduleExpression: cron(0 3 * * ? *)
      FlexibleTimeWindow: {Mode: "OFF"}
      Target:
        Arn: !GetAtt Cluster.Arn
        RoleArn: arn:aws:iam::123456789012:role/x
        EcsParameters:
          TaskDefinitionArn: !Ref Task
"""

CONTAINERS = [{"name": "cron", "image": "alpine:3.19", "command": ["crond", "-f", "-l", "2"]},
              {"name": "sidecar", "image": "amazon/aws-xray-daemon", "essential": False,
               "resourceRequirements": [{"type": "GPU", "value": "1"}]}]

TF = """
resource "aws_ecs_cluster" "c" {
  name = "c"
}
resource "aws_ecs_task_definition" "t" {
  family                   = "t"
  cpu                      = "512"
  memory                   = "1024"
  requires_compatibilities = ["FARGATE"]
  runtime_platform {
    cpu_architecture        = "ARM64"
    operating_system_family = "LINUX"
  }
  container_definitions = CONTAINERS
}
resource "aws_ecs_service" "s" {
  cluster         = aws_ecs_cluster.c.id
  task_definition = aws_ecs_task_definition.t.arn
  desired_count   = 1
  launch_type     = "FARGATE"
}
resource "aws_scheduler_schedule" "nightly" {
  schedule_expression = "cron(0 3 * * ? *)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = aws_ecs_cluster.c.arn
    role_arn = "arn:aws:iam::123456789012:role/x"
    ecs_parameters {
      task_definition_arn = aws_ecs_task_definition.t.arn
    }
  }
}
"""

JSONENCODE = """jsonencode([
    { name = "cron", image = "alpine:3.19", command = ["crond", "-f", "-l", "2"] },
    { name = "sidecar", image = "amazon/aws-xray-daemon", essential = false,
      resourceRequirements = [{ type = "GPU", value = "1" }] },
  ])"""
HEREDOC = "<<EOF\n" + json.dumps(CONTAINERS, indent=2) + "\nEOF"


def _model(path):
    model, errors, _ = build_model(discover([str(path)]))
    assert not errors, errors
    return model


def _tf(tmp_path, form: str):
    folder = tmp_path / "tf"
    folder.mkdir()
    if form == "jsonencode":
        expr = JSONENCODE
    elif form == "heredoc":
        expr = HEREDOC
    elif form == "file":
        (folder / "containers.json").write_text(json.dumps(CONTAINERS))
        expr = 'file("${path.module}/containers.json")'
    else:
        (folder / "containers.json.tpl").write_text(json.dumps(CONTAINERS).replace("alpine:3.19", "${image}"))
        expr = 'templatefile("${path.module}/containers.json.tpl", { image = "alpine:3.19" })'
    (folder / "main.tf").write_text(TF.replace("CONTAINERS", expr))
    return _model(folder)


@pytest.mark.parametrize("form", ["jsonencode", "file", "templatefile", "heredoc"])
def test_cloudformation_and_terraform_give_the_same_ecs_model(tmp_path, form):
    (tmp_path / "t.yaml").write_text(CFN)
    cfn = neutral(_model(tmp_path / "t.yaml"))
    tf = neutral(_tf(tmp_path, form))
    assert cfn == tf
    kinds = {u["kind"] for u in cfn}
    assert kinds == {m.ECS_SERVICE, m.ECS_TASK}


def test_containers_commands_and_gpus_are_derived_once(tmp_path):
    (tmp_path / "t.yaml").write_text(CFN)
    model = _model(tmp_path / "t.yaml")
    task = next(model.units_of(m.ECS_TASK))
    service = next(model.units_of(m.ECS_SERVICE))
    cron, sidecar = task.containers
    assert (cron.name, cron.command, cron.essential, cron.gpus) == ("cron", "crond -f -l 2", True, 0)
    assert cron.process.kind == "scheduler"
    assert (sidecar.essential, sidecar.gpus, sidecar.process) == (False, 1, None)
    # the service runs its task definition's containers at its size
    assert service.containers is task.containers
    assert service.value(m.TASK_CPU) == "512" and service.value(m.CPU_ARCHITECTURE) == "ARM64"
    # the schedule that runs the task definition is its trigger: a scheduled ECS task
    (trigger,) = task.triggers
    assert trigger.kind == m.SCHEDULE and trigger.schedule.runs_per_day == 1


def test_event_rule_target_with_ecs_target_is_a_scheduled_task(tmp_path):
    folder = tmp_path / "tf"
    folder.mkdir()
    (folder / "main.tf").write_text(TF.replace("CONTAINERS", JSONENCODE) + """
resource "aws_cloudwatch_event_rule" "hourly" {
  schedule_expression = "rate(1 hour)"
}
resource "aws_cloudwatch_event_target" "hourly" {
  rule = aws_cloudwatch_event_rule.hourly.name
  arn  = aws_ecs_cluster.c.arn
  ecs_target {
    task_definition_arn = aws_ecs_task_definition.t.arn
  }
}
""")
    task = next(_model(folder).units_of(m.ECS_TASK))
    assert sorted(t.schedule.runs_per_day for t in task.triggers) == [1, 24]


def test_unreadable_or_missing_definitions_are_unknown(tmp_path):
    folder = tmp_path / "tf"
    folder.mkdir()
    (folder / "main.tf").write_text(TF.replace("CONTAINERS", '"not json"').replace(
        "aws_ecs_task_definition.t.arn\n  desired_count", "var.task_arn\n  desired_count") +
        'variable "task_arn" {}\n')
    model = _model(folder)
    task = next(model.units_of(m.ECS_TASK))
    service = next(model.units_of(m.ECS_SERVICE))
    assert m.is_unknown(task.containers) and "not readable JSON" in task.containers.reason
    assert m.is_unknown(service.containers)


@pytest.mark.parametrize("command, kind", [
    ("crond -f -l 8", "scheduler"),
    ("/bin/sh -c busybox crond -f -L /dev/stdout", "scheduler"),
    ("supercronic /etc/crontab", "scheduler"),
    ("sh -c while true; do python /app/sync.py; sleep 3600; done", "scheduler"),
    ("gunicorn app:app -b 0.0.0.0:8000", "server"),
    ("celery -A proj worker -l info", "worker"),
    ("python manage.py migrate", "other"),
])
def test_container_process_kinds(command, kind):
    from computefit import workload

    assert workload.analyse_container(command).kind == kind


def test_the_ecs_service_module_carries_its_task_definition(tmp_path):
    """A terraform-aws-modules/ecs service submodule call is one service with its task definition's
    settings and containers (a map by name, snake_case keys): the same as the CloudFormation pair."""
    (tmp_path / "t.yaml").write_text(CFN)
    cfn = next(u for u in neutral(_model(tmp_path / "t.yaml")) if u["kind"] == m.ECS_SERVICE)
    folder = tmp_path / "tf"
    folder.mkdir()
    (folder / "main.tf").write_text("""
module "s" {
  source                   = "terraform-aws-modules/ecs/aws//modules/service"
  cluster_arn              = "arn:aws:ecs:us-east-1:123456789012:cluster/c"
  desired_count            = 1
  launch_type              = "FARGATE"
  cpu                      = 512
  memory                   = 1024
  requires_compatibilities = ["FARGATE"]
  runtime_platform = { cpu_architecture = "ARM64", operating_system_family = "LINUX" }
  container_definitions = {
    cron    = { image = "alpine:3.19", command = ["crond", "-f", "-l", "2"] }
    sidecar = { image = "amazon/aws-xray-daemon", essential = false,
                resource_requirements = [{ type = "GPU", value = "1" }] }
  }
}
""")
    (tf,) = neutral(_model(folder))
    assert tf["kind"] == m.ECS_SERVICE
    assert tf["containers"] == cfn["containers"]
    # runtime_platform is an object input of the module: the kinds table's module paths reach into it
    assert tf["attributes"] == cfn["attributes"]
    assert tf["attributes"]["cpu_architecture"] == "ARM64"
    assert tf["attributes"]["operating_system_family"] == "LINUX"


def test_a_heredoc_with_unquoted_placeholders_is_still_read(tmp_path):
    folder = tmp_path / "tf"
    folder.mkdir()
    heredoc = '<<EOF\n[{"name": "job", "image": "${var.image}", "cpu": ${var.cpu}, "command": ["crond", "-f"]}]\nEOF'
    (folder / "main.tf").write_text(TF.replace("CONTAINERS", heredoc) + 'variable "image" {}\nvariable "cpu" {}\n')
    task = next(_model(folder).units_of(m.ECS_TASK))
    (c,) = task.containers
    assert c.name == "job" and c.process.kind == "scheduler"


def test_the_batch_module_creates_compute_environments_queues_and_job_definitions(tmp_path):
    """terraform-aws-modules/batch: each entry of compute_environments, job_queues and
    job_definitions is a resource of its kind, with the module's defaults (MANAGED, container)."""
    folder = tmp_path / "tf"
    folder.mkdir()
    (folder / "main.tf").write_text("""
module "batch" {
  source = "terraform-aws-modules/batch/aws"
  compute_environments = {
    spot = { compute_resources = { type = "SPOT", max_vcpus = 32, instance_types = ["c5.large"], subnets = [] } }
  }
  job_queues = {
    low = { priority = 1, compute_environment_order = { 0 = { compute_environment_key = "spot" } } }
    v2  = { priority = 2, compute_environments = ["spot"] }
  }
  job_definitions = {
    nightly = { platform_capabilities = ["EC2"], container_properties = jsonencode({ image = "alpine" }) }
  }
}
""")
    doc = _model(folder).documents[0]
    by = {r.address: r for r in doc.resources}
    ce = by["module.batch.compute_environments.spot"]
    assert (ce.kind, ce.value("environment_type"), ce.value("compute_type"), ce.value("max_vcpus"),
            ce.value("instance_types")) == ("batch_compute_environment", "MANAGED", "SPOT", 32, ["c5.large"])
    for q in ("low", "v2"):
        queue = by[f"module.batch.job_queues.{q}"]
        assert queue.kind == "batch_job_queue"
        assert [e.target for e in queue.edges_via("compute_environments")] == ["module.batch.compute_environments.spot"]
    jd = by["module.batch.job_definitions.nightly"]
    assert (jd.kind, jd.value("job_type"), jd.value("platform_capabilities")) == ("batch_job_definition", "container", ["EC2"])
    assert json.loads(jd.value("container_properties")) == {"image": "alpine"}
    assert by["module.batch"].kind == "batch_module"


def test_batch_job_queues_read_in_both_languages(tmp_path):
    (tmp_path / "t.yaml").write_text("""
Resources:
  Env:
    Type: AWS::Batch::ComputeEnvironment
    Properties: {Type: MANAGED, ComputeResources: {Type: FARGATE, MaxvCpus: 4, Subnets: [], SecurityGroupIds: []}}
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder: [{Order: 1, ComputeEnvironment: !Ref Env}]
""")
    folder = tmp_path / "tf"
    folder.mkdir()
    (folder / "main.tf").write_text("""
resource "aws_batch_compute_environment" "env" {
  type = "MANAGED"
  compute_resources {
    type      = "FARGATE"
    max_vcpus = 4
    subnets   = []
  }
}
resource "aws_batch_job_queue" "queue" {
  name     = "q"
  priority = 1
  state    = "ENABLED"
  compute_environment_order {
    order               = 1
    compute_environment = aws_batch_compute_environment.env.arn
  }
}
""")
    cfn = {r.kind: r for r in _model(tmp_path / "t.yaml").documents[0].resources}
    tf = {r.kind: r for r in _model(folder).documents[0].resources}
    for graph, env in ((cfn, "Env"), (tf, "aws_batch_compute_environment.env")):
        q = graph["batch_job_queue"]
        assert q.value("priority") == 1
        assert [e.target for e in q.edges_via("compute_environments")] == [env]
