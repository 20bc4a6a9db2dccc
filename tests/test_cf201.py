"""CF201 lambda-near-timeout-limit: what the fixture snapshots (tests/test_snapshots.py) do not
show: the threshold option, the message's origin wording in each front end, and the cost
arithmetic against facts.toml."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, case_files, finding_rows, fixture_cases, only_finding, scan_case, scan_findings

from computefit import facts, prices

CHECK = "CF201"
BASE = FIXTURES / CHECK


def keys(case: str, **options) -> list[tuple[str, str, str, int, str]]:
    return finding_rows(scan_case(CHECK, case, **options))


def finding_of(case: str, resource: str, **options):
    f = only_finding(scan_case(CHECK, case, **options))
    assert f.resource == resource
    return f


def test_fixtures_state_what_they_show():
    for case in fixture_cases(CHECK):
        path = BASE / case
        files = [path] if path.is_file() else case_files(path) + sorted(path.glob("*.tfvars"))
        for f in files:
            head = f.read_text(encoding="utf-8").lstrip()
            assert head.startswith(("#", '{\n  "Description": "CF201')), f
            assert "CF201" in head.splitlines()[0 if head.startswith("#") else 1], f


# --------------------------------------------------------------------------------------------------
# The threshold option
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("threshold,expected", [
    (720, []),
    (719, [(CHECK, "BatchFunction", "cfn/quiet_719.yaml", 10, "warning")]),
    (600, [(CHECK, "BatchFunction", "cfn/quiet_719.yaml", 10, "warning")]),
])
def test_threshold_seconds_lowers_the_bar(threshold, expected):
    assert keys("cfn/quiet_719.yaml", threshold_seconds=threshold) == expected


def test_threshold_seconds_raises_the_bar_but_above_the_limit_stays_an_error():
    assert keys("cfn/fire_exactly_720.yaml", threshold_seconds=721) == []
    assert keys("cfn/fire_literal_900.yaml", threshold_seconds=900) == [
        (CHECK, "ExportFunction", "cfn/fire_literal_900.yaml", 7, "warning")]
    assert keys("cfn/fire_above_limit.yaml", threshold_seconds=1000) == [
        (CHECK, "ImportFunction", "cfn/fire_above_limit.yaml", 10, "error")]
    assert keys("cfn/fire_literal_900.yaml", threshold_seconds=901) == []


def test_threshold_applies_to_terraform_too():
    assert keys("tf/quiet_below_threshold", threshold_seconds=700) == [
        (CHECK, "aws_lambda_function.batch", "tf/quiet_below_threshold/main.tf", 9, "warning")]


def test_threshold_is_in_the_evidence():
    f = finding_of("cfn/quiet_719.yaml", "BatchFunction", threshold_seconds=700)
    assert (f.evidence["threshold_seconds"], f.evidence["hard_limit_seconds"]) == (700, 900)


# --------------------------------------------------------------------------------------------------
# Messages say where the value comes from
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case,resource,wording", [
    ("cfn/fire_literal_900.yaml", "ExportFunction", "timeout of 900 s (set on the resource), 100% of"),
    ("cfn/fire_globals_inherited.yaml", "NightlyExport",
     "timeout of 900 s (inherited from SAM Globals: Globals.Function.Timeout)"),
    ("cfn/fire_parameter_default.yaml", "ExportFunction",
     "timeout of 840 s (parameter default: parameter ExportTimeout Default at line 8, referenced at line 16)"),
    ("tf/fire_variable_default", "aws_lambda_function.sync",
     "timeout of 850 s (Terraform variable default: variable sync_timeout at "
     "tf/fire_variable_default/variables.tf:5)"),
    ("tf/fire_tfvars", "aws_lambda_function.etl",
     "timeout of 900 s (tfvars file: variable etl_timeout set in tf/fire_tfvars/terraform.tfvars:2)"),
    ("tf/fire_local_module", "module.reports.aws_lambda_function.this",
     "timeout of 870 s (module input: timeout at tf/fire_local_module/main.tf:"),
])
def test_message_names_the_origin(case, resource, wording):
    f = finding_of(case, resource)
    assert f.message.startswith(f"{resource} has a {wording}")
    assert f.evidence["timeout"]["set_by"] in f.message


def test_inherited_finding_keeps_the_resource_location():
    f = finding_of("cfn/fire_globals_inherited.yaml", "NightlyExport")
    assert (f.location.line, f.resource_location.line) == (8, 11)
    assert f.evidence["timeout"]["at"] == "cfn/fire_globals_inherited.yaml:8"


def test_above_the_limit_says_the_deployment_is_rejected():
    f = finding_of("cfn/fire_above_limit.yaml", "ImportFunction")
    assert f.message == ("ImportFunction has a timeout of 1200 s (set on the resource), above Lambda's hard "
                         "limit of 900 s: the deployment will be rejected.")


def test_recommendation_mentions_step_functions_and_fargate():
    f = finding_of("cfn/fire_literal_900.yaml", "ExportFunction")
    assert "Step Functions" in f.recommendation and "Fargate" in f.recommendation
    assert "gives up after" not in f.recommendation  # no API in front of this function


def test_api_caller_adds_the_integration_timeout_advice(tmp_path, monkeypatch):
    (tmp_path / "t.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Slow:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Runtime: python3.12\n"
        "      Handler: a.h\n"
        "      Timeout: 800\n"
        "      Events:\n"
        "        Get:\n"
        "          Type: Api\n"
        "          Properties: {Path: /, Method: get}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    f = only_finding(scan_findings("t.yaml", CHECK))
    assert "Its caller Slow.Events.Get gives up after 29 s (CF202)" in f.recommendation
    assert "a Regional or private REST API can also raise its integration timeout above 29 s" in f.recommendation
    assert f.evidence["triggers"] == [{"kind": "rest_api", "resource": "Slow.Events.Get", "at": "t.yaml:10"}]
    assert [c.option for c in f.costs] == ["current: Lambda 128 MB, 800 s per run",
                                           "Fargate task 0.25 vCPU / 0.5 GB, 800 s per run"]
    assert all(c.monthly_usd is None and c.per_1000_runs for c in f.costs)  # the API's volume is unknown


# --------------------------------------------------------------------------------------------------
# Cost lines: runs per month from the schedule (or a usage file), else per 1,000 runs
# --------------------------------------------------------------------------------------------------


def test_schedule_driven_costs_count_runs_per_month():
    f = finding_of("cfn/fire_exactly_720.yaml", "ReportFunction")  # rate(1 hour), 2048 MB
    lam, far = f.costs
    assert lam.option == "current: Lambda 2048 MB, 720 s x 730 runs/month"
    assert far.option == "Fargate task 1 vCPU / 2 GB, 720 s x 730 runs/month"  # 1.16 vCPU: nearest 1
    assert lam.assumptions[0] == ("every run lasts the full timeout, 720 s (an upper bound; give request_duration_ms "
                                  "in a usage file)")
    assert "730.0 runs/month x 720 s at 2048 MB (x86_64)" in lam.assumptions
    assert not any("one run" in a for a in lam.assumptions + far.assumptions)
    # 730 runs x 720 s x 2 GB at the x86 GB-second price, plus requests
    gb_s, req = prices.rate("lambda_gb_second", "x86_64"), prices.rate("lambda_request")
    assert lam.monthly_usd == pytest.approx(730 * (720 * 2 * gb_s + req))
    vcpu_h, gb_h = prices.rate("fargate_vcpu_hour", "x86_64"), prices.rate("fargate_gb_hour", "x86_64")
    assert far.monthly_usd == pytest.approx(730 * 720 / 3600 * (1 * vcpu_h + 2 * gb_h))
    assert lam.monthly_usd > far.monthly_usd


def test_terraform_schedule_costs():
    f = finding_of("tf/fire_literal", "aws_lambda_function.export")
    assert [c.option for c in f.costs] == ["current: Lambda 1024 MB, 900 s x 730 runs/month",
                                           "Fargate task 0.5 vCPU / 1 GB, 900 s x 730 runs/month"]


def test_without_a_schedule_the_cost_is_per_1000_runs_never_zero():
    f = finding_of("cfn/fire_literal_900.yaml", "ExportFunction")  # 1024 MB, no trigger
    lam, far = f.costs
    assert lam.option == "current: Lambda 1024 MB, 900 s per run"
    assert far.option == "Fargate task 0.5 vCPU / 1 GB, 900 s per run"
    for c in (lam, far):
        assert c.monthly_usd is None
        assert ("runs per month unknown: no caller in the scanned code; give monthly_requests in a usage file"
                in c.assumptions)
    gb_s, req = prices.rate("lambda_gb_second", "x86_64"), prices.rate("lambda_request")
    assert lam.per_1000_runs == pytest.approx(1000 * (900 * 1 * gb_s + req))


def test_above_the_limit_costs_are_capped_at_the_limit():
    f = finding_of("cfn/fire_above_limit.yaml", "ImportFunction")
    assert [c.option for c in f.costs] == ["current: Lambda 128 MB, 900 s per run",
                                           "Fargate task 0.25 vCPU / 0.5 GB, 900 s per run"]


# --------------------------------------------------------------------------------------------------
# Advice by caller
# --------------------------------------------------------------------------------------------------


def test_a_step_functions_task_is_not_told_to_use_step_functions():
    for case, resource in (("cfn/fire_by_caller_queue_and_workflow.yaml", "StepFunction"),
                           ("tf/fire_by_caller_schedule_and_workflow", "aws_lambda_function.transform")):
        f = next(x for x in scan_case(CHECK, case).findings if x.resource == resource)
        assert f.recommendation.startswith("It already runs in a Step Functions state machine")
        assert "split this task into smaller states" in f.recommendation
        assert "into Step Functions" not in f.recommendation


def test_queue_schedule_and_custom_resource_callers_get_their_own_advice():
    queue = next(x for x in scan_case(CHECK, "cfn/fire_by_caller_queue_and_workflow.yaml").findings
                 if x.resource == "IngestFunction")
    assert "ReportBatchItemFailures" in queue.recommendation and "BatchSize" in queue.recommendation
    assert "visibility timeout at least six times" in queue.recommendation
    nightly = next(x for x in scan_case(CHECK, "tf/fire_by_caller_schedule_and_workflow").findings
                   if x.resource == "aws_lambda_function.nightly")
    assert "ECS RunTask target" in nightly.recommendation
    seed = only_finding(scan_case(CHECK, "cfn/fire_custom_resource.yaml"))
    assert seed.recommendation.startswith("It backs a CloudFormation custom resource (DatabaseSeed)")
    assert seed.evidence["triggers"] == [{"kind": "custom_resource", "resource": "DatabaseSeed",
                                          "at": "cfn/fire_custom_resource.yaml:13"}]


def test_no_known_caller_keeps_the_general_advice():
    f = finding_of("cfn/fire_literal_900.yaml", "ExportFunction")
    assert f.recommendation.startswith("Split multi-step work into Step Functions")
