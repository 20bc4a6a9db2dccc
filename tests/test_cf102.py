"""CF102 container-service-running-a-scheduler: options and edges the snapshots do not pin."""

from __future__ import annotations

from conftest import cost_line, only_finding, scan_findings

SERVICE = """
resource "aws_ecs_task_definition" "t" {
  requires_compatibilities = ["FARGATE"]
  cpu                      = "1 vCPU"
  memory                   = "2 GB"
  container_definitions = jsonencode([{ name = "c", image = "alpine", command = COMMAND }])
}
resource "aws_ecs_service" "s" {
  task_definition     = aws_ecs_task_definition.t.arn
  desired_count       = 1
  scheduling_strategy = STRATEGY
}
"""


def _scan(tmp_path, command: str, strategy: str = '"REPLICA"', **options):
    (tmp_path / "main.tf").write_text(SERVICE.replace("COMMAND", command).replace("STRATEGY", strategy))
    result = scan_findings(tmp_path, "CF102", **options)
    assert not result.errors
    return result.findings


def test_min_sleep_seconds_option_decides_a_loop(tmp_path):
    loop = '["sh", "-c", "while true; do ./job; sleep 120; done"]'
    assert _scan(tmp_path, loop) == []
    (f,) = _scan(tmp_path, loop, min_sleep_seconds=60)
    assert "sleeps 2 minutes" in f.message
    assert cost_line(f, "scheduled ECS task").assumptions[0].startswith("720 run(s) a day, from the loop's sleep")


def test_runs_per_day_option_prices_a_cron_daemon_and_sizes_read_in_vcpu_and_gb(tmp_path):
    (f,) = _scan(tmp_path, '["crond", "-f"]', runs_per_day=4.0, job_minutes=5.0)
    current = cost_line(f, "current")
    assert current.option == "current: ECS service, 1 task of 1 vCPU / 2 GB always on"
    job = cost_line(f, "scheduled ECS task")
    assert job.option == "scheduled ECS task: 4 run(s)/day x 5 min on Fargate"
    assert job.monthly_usd < current.monthly_usd


def test_daemon_services_and_servers_stay_quiet(tmp_path):
    assert _scan(tmp_path, '["crond", "-f"]', strategy='"DAEMON"') == []
    assert _scan(tmp_path, '["gunicorn", "app:app"]') == []


def test_a_service_whose_task_is_also_scheduled_names_the_schedule(tmp_path):
    (tmp_path / "main.tf").write_text(SERVICE.replace("COMMAND", '["crond", "-f"]').replace("STRATEGY", '"REPLICA"') + """
resource "aws_scheduler_schedule" "nightly" {
  schedule_expression = "cron(0 3 * * ? *)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = "arn:aws:ecs:us-east-1:123456789012:cluster/default"
    role_arn = "arn:aws:iam::123456789012:role/x"
    ecs_parameters {
      task_definition_arn = aws_ecs_task_definition.t.arn
    }
  }
}
""")
    f = only_finding(scan_findings(tmp_path, "CF102"), "CF102")
    assert "aws_ecs_task_definition.t is already run on a schedule by aws_scheduler_schedule.nightly" in f.recommendation
    assert f.evidence["scheduled_by"] == ["aws_scheduler_schedule.nightly"]


def test_no_check_recommends_moving_a_scheduled_ecs_task():
    """A scheduled ECS task is the target shape (issue 11 item 6): the Scheduler form draws no
    finding at all; the legacy rule form draws only CF402's advice on the scheduler, which keeps
    the task."""
    from conftest import FIXTURES, scan_findings

    assert scan_findings(FIXTURES / "CF102" / "tf" / "quiet_scheduled_task").findings == []
    for path in (FIXTURES / "CF402" / "cfn" / "fire_rule_runs_ecs_task.yaml",
                 FIXTURES / "CF402" / "tf" / "fire_rule_runs_ecs_task"):
        findings = scan_findings(path).findings
        assert [f.check_id for f in findings] == ["CF402"]
        assert findings[0].recommendation.startswith("Keep the task definition")
