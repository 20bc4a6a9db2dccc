"""CF206 gpu-request-on-serverless: edge cases the snapshots do not pin."""

from __future__ import annotations

from conftest import scan_findings

TASK = """
resource "aws_ecs_task_definition" "t" {
  requires_compatibilities = COMPAT
  container_definitions = jsonencode([{
    name                 = "model"
    image                = "x"
    resourceRequirements = [{ type = "GPU", value = GPUS }]
  }])
}
variable "gpus" {}
variable "compat" {}
"""


def _findings(tmp_path, compat: str, gpus: str):
    (tmp_path / "main.tf").write_text(TASK.replace("COMPAT", compat).replace("GPUS", gpus))
    result = scan_findings(tmp_path, "CF206")
    assert not result.errors
    return result.findings


def test_fargate_and_ec2_both_required_still_fires(tmp_path):
    (f,) = _findings(tmp_path, '["EC2", "FARGATE"]', '"1"')
    assert f.confidence == "high" and "model asks for 1 GPU" in f.message


def test_zero_gpus_is_quiet(tmp_path):
    assert _findings(tmp_path, '["FARGATE"]', '"0"') == []


def test_unknown_platform_is_quiet(tmp_path):
    assert _findings(tmp_path, "var.compat", '"1"') == []


def test_unresolved_gpu_count_fires_with_medium_confidence(tmp_path):
    (f,) = _findings(tmp_path, '["FARGATE"]', "var.gpus")
    assert f.confidence == "medium" and "an unresolved number of GPUs" in f.message
