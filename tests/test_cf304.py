"""CF304 provisioned-concurrency-never-scales: what the fixture snapshots do not pin (the scalable
target linking in both languages, the options, the cost arithmetic, the hand-off to CF303)."""

from __future__ import annotations

import pytest

from computefit.runner import scan
from conftest import FIXTURES, only_finding, scan_case, scan_findings

ID = "CF304"


def _qualifiers(path):
    return {(u.name, str(q.name)): q for u in scan([str(path)]).model.units for q in u.qualifiers}


def test_scalable_targets_are_linked_to_the_qualifier():
    cfn = _qualifiers(FIXTURES / ID / "cfn" / "quiet_sam_scalable_target.yaml")
    assert cfn[("CheckoutFunction", "live")].scaled_by == ["CheckoutScalableTarget"]
    tf = _qualifiers(FIXTURES / ID / "tf" / "quiet_appautoscaling_target")
    assert tf[("aws_lambda_function.search", "live")].scaled_by == ["aws_appautoscaling_target.search"]
    module = _qualifiers(FIXTURES / ID / "tf" / "quiet_module_scaled")
    assert module[("module.quotes", "module.quotes.version")].scaled_by == ["aws_appautoscaling_target.quotes"]
    # a target for a function named outside the template scales nothing here
    other = _qualifiers(FIXTURES / ID / "cfn" / "fire_version_alb.json")
    q = other[("WebFunction", "live")]
    assert (q.scaled_by, q.maybe_scaled_by) == ([], [])


def test_costs_both_ways():
    f = _one("cfn/fire_sam_static_pc.yaml")
    current, scheduled, tracking = f.costs
    # 20 x 2 GB x 2,628,000 s x $0.0000041667 = $438.00; 264 h (12 h x 22 days) = $158.40
    assert current.monthly_usd == pytest.approx(438.00, abs=0.01)
    assert scheduled.monthly_usd == pytest.approx(158.40, abs=0.01)
    assert tracking.monthly_usd is None and "depends on traffic" in tracking.assumptions[0]
    assert "$438.00 a month" in f.message
    assert "!Sub function:${CheckoutFunction}:live" in f.recommendation


def _one(case, **options):
    return only_finding(scan_case(ID, case, **options))


def test_options_move_the_floor_and_the_schedule():
    assert scan_case(ID, "cfn/fire_version_alb.json", min_environments=5).findings == []
    f = _one("tf/fire_alias_pc", business_hours_per_day=10, business_days_per_month=20, target_utilization=0.6)
    # 10 x 1 GB x 200 h x 3600 s x $0.0000033334 (arm64) = $24.00
    assert f.costs[1].monthly_usd == pytest.approx(24.00, abs=0.01)
    assert "60%" in f.recommendation


_SAM = ("Transform: AWS::Serverless-2016-10-31\nParameters:\n  Alias:\n    Type: String\nResources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: java21\n"
        "      AutoPublishAlias: live\n      ProvisionedConcurrencyConfig:\n        ProvisionedConcurrentExecutions: 6\n"
        "      Events:\n        E:\n          Type: EVENT\n")


def test_unresolved_scalable_target_keeps_it_quiet(tmp_path):
    (tmp_path / "t.yaml").write_text(
        _SAM.replace("EVENT", "HttpApi")
        + "  T:\n    Type: AWS::ApplicationAutoScaling::ScalableTarget\n    Properties:\n"
          "      ScalableDimension: lambda:function:ProvisionedConcurrency\n      ServiceNamespace: lambda\n"
          "      ResourceId: !Sub function:${Fn}:${Alias}\n      MinCapacity: 1\n      MaxCapacity: 6\n")
    assert scan_findings(tmp_path / "t.yaml", ID).findings == []
    [q] = _qualifiers(tmp_path / "t.yaml").values()
    assert (q.scaled_by, q.maybe_scaled_by) == ([], ["T"])


def test_background_only_function_is_left_to_cf303(tmp_path):
    (tmp_path / "t.yaml").write_text(
        _SAM.replace("EVENT", "SQS\n          Properties:\n            Queue: arn:aws:sqs:us-east-1:1:q"))
    found = scan_findings(tmp_path / "t.yaml", None).findings
    assert [f.check_id for f in found if f.check_id.startswith("CF30")] == ["CF303"]
