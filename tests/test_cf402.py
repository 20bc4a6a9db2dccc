"""CF402 scheduled-rule-instead-of-scheduler: what the fixture snapshots do not pin: the
replacement named in each front end, the several-targets advice, and that Scheduler schedules
and pattern rules never fire."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, assert_cases_say_what_they_show, finding_rows, only_finding, scan_case, scan_findings

CHECK = "CF402"


def test_fixtures_state_what_they_show():
    assert_cases_say_what_they_show(CHECK)


def test_each_front_end_names_its_own_replacement():
    by_case = {
        "cfn/fire_rule_to_lambda.yaml": "AWS::Scheduler::Schedule",
        "tf/fire_rule": "aws_scheduler_schedule (schedule_expression",
        "tf/fire_registry_module": "to its schedules input",
    }
    for case, text in by_case.items():
        (f,) = scan_case(CHECK, case).findings
        assert text in f.recommendation, case
        assert f.severity == "info" and f.confidence == "high"
    sam = {f.resource: f.recommendation for f in scan_case(CHECK, "cfn/fire_sam_schedule_event.yaml").findings}
    assert "from Schedule to ScheduleV2" in sam["PollerFunction.Events.EveryFiveMinutes"]
    assert "from CloudWatchEvent to ScheduleV2" in sam["PollerFunction.Events.Legacy"]


def test_scheduler_and_pattern_rules_stay_quiet():
    assert finding_rows(scan_case(CHECK, "cfn/quiet_scheduler_and_pattern.json")) == []
    assert finding_rows(scan_case(CHECK, "tf/quiet_scheduler")) == []


def test_several_targets_become_several_schedules(tmp_path):
    t = tmp_path / "t.yaml"
    t.write_text(
        "Resources:\n"
        "  Fanout:\n"
        "    Type: AWS::Events::Rule\n"
        "    Properties:\n"
        "      ScheduleExpression: rate(1 hour)\n"
        "      Targets:\n"
        "        - {Id: a, Arn: arn:aws:sqs:us-east-1:123456789012:a}\n"
        "        - {Id: b, Arn: arn:aws:sqs:us-east-1:123456789012:b}\n", encoding="utf-8")
    (f,) = [x for x in scan_findings(t, CHECK).findings]
    assert "this rule's 2 targets become one schedule each" in f.recommendation
    assert [x["arn"] for x in f.evidence["targets"]] == ["arn:aws:sqs:us-east-1:123456789012:a",
                                                        "arn:aws:sqs:us-east-1:123456789012:b"]
    assert f.evidence["runs_per_month"] == 730.0


def test_unknown_expression_still_reports_the_rule_without_a_guessed_cost(tmp_path):
    t = tmp_path / "t.yaml"
    t.write_text(
        "Parameters:\n  Rate: {Type: String}\n"
        "Resources:\n"
        "  Poll:\n"
        "    Type: AWS::Events::Rule\n"
        "    Properties:\n"
        "      ScheduleExpression: !Ref Rate\n", encoding="utf-8")
    (f,) = scan_findings(t, CHECK).findings
    assert "not known statically" in f.message
    assert [c.monthly_usd for c in f.costs] == [None, None]


@pytest.mark.parametrize("path, task", [
    ("cfn/fire_rule_runs_ecs_task.yaml", "ExportTask"),
    ("tf/fire_rule_runs_ecs_task", "aws_ecs_task_definition.export"),
    ("tf/fire_registry_module_ecs_task", "aws_ecs_task_definition.report"),  # the schedules entry is quiet
])
def test_a_rule_that_runs_an_ecs_task_keeps_the_task_and_moves_only_the_schedule(path, task):
    """A scheduled ECS task is the right compute model: the advice concerns the scheduler only."""
    f = only_finding(scan_findings(FIXTURES / "CF402" / path, "CF402"), "CF402")
    assert f"that runs the ECS task {task}: a scheduled ECS task is already the right compute model" in f.message
    assert f.recommendation.startswith("Keep the task definition and move only the schedule")
    assert "EcsParameters" in f.recommendation or "ecs_parameters" in f.recommendation
    assert "resource permission" not in f.recommendation  # an ECS target already uses a role
    assert f.evidence["ecs_tasks"] == [task]


def test_a_rule_that_invokes_a_function_is_not_called_a_scheduled_task():
    f = only_finding(scan_findings(FIXTURES / "CF402" / "cfn" / "fire_rule_to_lambda.yaml", "CF402"), "CF402")
    assert "ECS task" not in f.message and "ecs_tasks" not in f.evidence
