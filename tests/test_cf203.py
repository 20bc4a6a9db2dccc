"""CF203 sqs-visibility-timeout-below-lambda-timeout: every fixture's exact findings (CloudFormation
YAML and JSON, SAM, Terraform resources, terraform-aws-modules/lambda and /sqs), the subject (the
queue), the values and lines it names, and suppression on the queue."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, case_files, fixture_cases

from computefit.config import Config
from computefit.runner import scan

CHECK = "CF203"
BASE = FIXTURES / CHECK

#: case -> [(check id, resource, file, line, severity)]; files are relative to fixtures/CF203/.
EXPECTED: dict[str, list[tuple[str, str, str, int, str]]] = {
    "cfn/fire_error_default_visibility.yaml": [
        (CHECK, "JobsQueue", "cfn/fire_error_default_visibility.yaml", 5, "error")],  # the queue: default
    "cfn/fire_warning_json.json": [(CHECK, "ImportQueue", "cfn/fire_warning_json.json", 7, "warning")],
    "cfn/fire_sam_event.yaml": [(CHECK, "OrdersQueue", "cfn/fire_sam_event.yaml", 13, "warning")],
    "cfn/quiet_six_times.yaml": [],
    # a nested stack's mapping reads the parent's queue (its ARN passed as a parameter)
    "cfn/fire_nested_queue_in_parent": [
        (CHECK, "JobsQueue", "cfn/fire_nested_queue_in_parent/parent.yaml", 9, "error")],
    "cfn/quiet_imported_queue.yaml": [],
    "cfn/quiet_suppressed_on_queue.yaml": [],
    "tf/fire_resource": [(CHECK, "aws_sqs_queue.jobs", "tf/fire_resource/main.tf", 4, "error")],
    "tf/fire_lambda_module_mapping": [
        (CHECK, "aws_sqs_queue.events", "tf/fire_lambda_module_mapping/main.tf", 6, "warning")],
    "tf/fire_sqs_module": [(CHECK, "module.queue", "tf/fire_sqs_module/main.tf", 8, "warning")],
    "tf/quiet_sqs_module": [],
    "tf/quiet_imported_arn": [],
    # plans (terraform show -json): the queue's entry in the plan, no .tf files beside it
    "tf/fire_plan_module_queue": [
        (CHECK, "module.jobs.aws_sqs_queue.this", "tf/fire_plan_module_queue/plan.json", 147, "error")],
    "tf/quiet_plan_six_times": [],
}


def run(case: str, monkeypatch):
    monkeypatch.chdir(BASE)
    result = scan([case], Config(select=(CHECK,)))
    assert result.errors == []
    return result


def keys(result) -> list[tuple[str, str, str, int, str]]:
    return sorted((f.check_id, f.resource, f.location.file, f.location.line, f.severity)
                  for f in result.findings)


def only(case: str, monkeypatch):
    [f] = run(case, monkeypatch).findings
    return f


def test_every_fixture_is_in_the_expectation_table():
    assert sorted(EXPECTED) == fixture_cases(CHECK)


def test_fixtures_state_what_they_show():
    for case in fixture_cases(CHECK):
        path = BASE / case
        for f in [path] if path.is_file() else case_files(path):
            head = f.read_text(encoding="utf-8").lstrip()
            first = head.splitlines()[0 if head.startswith("#") else 1]
            assert "CF203" in first and ("FIRE" in first or "QUIET" in first), f


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_fixture(case, monkeypatch):
    assert keys(run(case, monkeypatch)) == EXPECTED[case]


def test_error_names_the_function_and_both_values_with_their_lines(monkeypatch):
    f = only("cfn/fire_error_default_visibility.yaml", monkeypatch)
    assert (f.resource, f.resource_type, f.related) == ("JobsQueue", "AWS::SQS::Queue", ["Worker"])
    assert f.message.startswith(
        "JobsQueue has a visibility timeout of 30 s (not set: the AWS default) and feeds Worker (timeout 60 s: "
        "set on the resource, cfn/fire_error_default_visibility.yaml:12) through WorkerMapping: the visibility "
        "timeout is below the function's timeout, so Lambda rejects the event source mapping.")
    assert f.evidence["visibility_timeout"]["set_by"].startswith("AWS default (not set in the source)")
    assert f.evidence["function_timeout"] == {"value": 60, "set_by": "set on the resource",
                                              "at": "cfn/fire_error_default_visibility.yaml:12"}
    assert f.evidence["recommended_minimum_seconds"] == 360
    assert "at least 360 s" in f.recommendation


def test_warning_adds_the_batching_window(monkeypatch):
    f = only("cfn/fire_warning_json.json", monkeypatch)
    assert "below 190 s (6 x the function's timeout + the 10 s batching window)" in f.message
    assert f.evidence["batching_window"]["value"] == 10
    assert f.evidence["mapping"] == {"resource": "ImportMapping", "at": "cfn/fire_warning_json.json:20"}
    f = only("tf/fire_sqs_module", monkeypatch)
    assert f.evidence["recommended_minimum_seconds"] == 125 and f.related == ["aws_lambda_function.worker"]


def test_sam_globals_timeout_is_named_where_it_is_set(monkeypatch):
    f = only("cfn/fire_sam_event.yaml", monkeypatch)
    assert ("feeds OrdersConsumer (timeout 30 s: inherited from SAM Globals: Globals.Function.Timeout, "
            "cfn/fire_sam_event.yaml:7) through OrdersConsumer.Events.Orders") in f.message


def test_lambda_module_mapping_names_the_module(monkeypatch):
    f = only("tf/fire_lambda_module_mapping", monkeypatch)
    assert f.related == ["module.consumer"]
    assert "through module.consumer.event_source_mapping.sqs" in f.message


def test_suppression_on_the_queue_silences_it(monkeypatch):
    result = run("cfn/quiet_suppressed_on_queue.yaml", monkeypatch)
    assert result.findings == []
    [(f, why)] = result.suppressed
    assert f.resource == "JobsQueue" and "comment at cfn/quiet_suppressed_on_queue.yaml:5" in why


def test_an_unknown_visibility_timeout_is_not_judged(tmp_path, monkeypatch):
    (tmp_path / "t.yaml").write_text(
        "Parameters:\n  Vis:\n    Type: Number\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n"
        "    Properties:\n      VisibilityTimeout: !Ref Vis\n  Fn:\n    Type: AWS::Lambda::Function\n"
        "    Properties:\n      Timeout: 60\n  M:\n    Type: AWS::Lambda::EventSourceMapping\n"
        "    Properties:\n      EventSourceArn: !GetAtt Q.Arn\n      FunctionName: !Ref Fn\n")
    monkeypatch.chdir(tmp_path)
    assert scan(["t.yaml"], Config(select=(CHECK,))).findings == []


def test_suppression_on_a_terraform_queue(tmp_path, monkeypatch):
    text = (BASE / "tf" / "fire_resource" / "main.tf").read_text()
    text = text.replace('resource "aws_sqs_queue" "jobs" {',
                        '# computefit:ignore CF203 -- consumer is idempotent\nresource "aws_sqs_queue" "jobs" {')
    (tmp_path / "main.tf").write_text(text)
    monkeypatch.chdir(tmp_path)
    result = scan(["."], Config(select=(CHECK,)))
    assert result.findings == [] and [f.resource for f, _why in result.suppressed] == ["aws_sqs_queue.jobs"]
