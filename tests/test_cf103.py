"""CF103 auto-scaling-batch-window and the window it rests on (schedules.capacity_window, the
linker's scheduled actions): what the fixture snapshots do not pin: the simulation, the option,
the cost arithmetic, parity across languages, and CF101's part-time costing."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, cost_line, only_finding, scan_findings

from computefit import facts, prices
from computefit.schedules import Window, capacity_window

CF103 = "CF103"


def test_window_of_a_nightly_scale_out_and_in():
    w = capacity_window(0, 4, 0, [("0 1 * * *", None, None, 4), ("0 5 * * *", None, None, 0)])
    assert isinstance(w, Window)
    assert w.reaches_zero and w.peak == 4
    assert w.hours_per_day == pytest.approx(4.0)
    assert w.instance_hours_per_day == pytest.approx(16.0)


def test_weekday_window_is_averaged_over_the_week():
    w = capacity_window(0, 2, None, [("0 22 * * 1-5", 2, 2, None), ("0 2 * * 2-6", 0, 0, None)])
    assert w.reaches_zero and w.peak == 2
    # 4 h on the 5 weeknights of each week of the reference year (2027: 261 weeknights)
    assert w.hours_per_day == pytest.approx(4 * 261 / 365, abs=0.02)


def test_running_size_is_desired_clamped_to_min_and_max():
    # actions that set only min and max: raising min to 3 starts 3 (desired 0 is clamped up),
    # lowering max to 0 stops them
    w = capacity_window(0, 3, 0, [("0 1 * * *", 3, 3, None), ("0 3 * * *", 0, 0, None)])
    assert w.peak == 3 and w.reaches_zero
    assert w.instance_hours_per_day == pytest.approx(6.0)


def test_actions_that_never_reach_zero_are_no_window():
    w = capacity_window(2, 6, 2, [("0 8 * * *", None, None, 6), ("0 18 * * *", None, None, 2)])
    assert not w.reaches_zero
    assert w.hours_per_day == pytest.approx(24.0)
    assert w.instance_hours_per_day == pytest.approx(10 * 6 + 14 * 2)


def test_a_recurrence_that_cannot_be_read_or_fires_too_often_is_a_reason():
    assert "could not be read" in capacity_window(0, 1, 0, [("not cron", None, None, 1)])
    assert "too often" in capacity_window(0, 1, 0, [("* * * * *", None, None, 1)])


def test_finding_states_window_hours_and_costs_both_ways():
    f = only_finding(scan_findings(FIXTURES / CF103 / "cfn" / "batch_window.yaml", CF103), CF103)
    assert f.severity == "info" and f.confidence == "high"
    assert "scale from 0 to 4 and back to 0" in f.message
    assert "runs 4 h/day on average, about 487 instance-hours/month of c5.xlarge" in f.message
    price = prices.rate("ec2.c5.xlarge")
    current = cost_line(f, "current: up to 4 x c5.xlarge")
    assert current.monthly_usd == pytest.approx(price * 16 * 730 / 24)
    batch = cost_line(f, "AWS Batch on Fargate")
    assert "4 vCPU / 8 GB" in batch.option
    assert any("upper bound" in a for a in batch.assumptions)
    assert [r for r in f.related] == ["NightlyScaleUp", "NightlyScaleDown"]


def test_time_zone_is_named():
    f = only_finding(scan_findings(FIXTURES / CF103 / "cfn" / "weekday_window_time_zone.json", CF103), CF103)
    assert "times in Europe/Berlin" in f.message
    assert "2.9 h/day on average" in f.message


def test_max_window_hours_option():
    path = FIXTURES / CF103 / "cfn" / "batch_window.yaml"
    assert not scan_findings(path, CF103, max_window_hours=3).findings
    assert len(scan_findings(path, CF103, max_window_hours=4).findings) == 1


def test_longest_run_of_a_working_day_window():
    w = capacity_window(1, 1, None, [("0 19 * * *", 0, 0, 0), ("0 7 * * *", 1, 1, 1)])
    assert w.reaches_zero and w.longest_hours == pytest.approx(12.0)
    w = capacity_window(0, 2, None, [("0 22 * * 1-5", 2, 2, None), ("0 2 * * 2-6", 0, 0, None)])
    assert w.longest_hours == pytest.approx(4.0)


def test_same_window_in_both_languages_and_the_registry_module():
    cfn = only_finding(scan_findings(FIXTURES / "CF101" / "cfn" / "asg_scheduled_window.yaml", CF103), CF103)
    tf = only_finding(scan_findings(FIXTURES / "CF101" / "tf" / "asg_scheduled_window", CF103), CF103)
    assert cfn.evidence["window"] == tf.evidence["window"]
    mod = only_finding(scan_findings(FIXTURES / CF103 / "tf" / "registry_schedules", CF103), CF103)
    assert mod.evidence["window"]["peak_instances"] == 2
    assert mod.evidence["window"]["hours_per_day"] == pytest.approx(4.0)
    assert "times in America/New_York" in mod.message


@pytest.mark.parametrize("path", [FIXTURES / "CF101" / "cfn" / "asg_scheduled_window.yaml",
                                  FIXTURES / "CF101" / "tf" / "asg_scheduled_window"])
def test_cf101_costs_a_part_time_group_for_its_hours(path):
    f = only_finding(scan_findings(path, "CF101"), "CF101")
    assert "runs 2 h/day under scheduled actions" in f.message
    assert "billed about 61 h/month" in f.message
    current = cost_line(f, "current: 1 x m5.large under scheduled actions")
    price = prices.rate("ec2.m5.large")
    assert current.monthly_usd == pytest.approx(price * 2 * 730 / 24)
    assert "stop it outside the window" in f.recommendation or "already stop it" in f.recommendation
    assert f.evidence["duty_cycle"]["billed_hours_per_month"] == pytest.approx(60.8, abs=0.1)


def test_one_time_actions_are_left_out_with_a_note(tmp_path):
    template = (FIXTURES / CF103 / "cfn" / "batch_window.yaml").read_text() + """
  OneOffScaleUp:
    Type: AWS::AutoScaling::ScheduledAction
    Properties:
      AutoScalingGroupName: !Ref BatchGroup
      StartTime: "2027-03-01T00:00:00Z"
      DesiredCapacity: 4
"""
    path = tmp_path / "one_off.yaml"
    path.write_text(template)
    f = only_finding(scan_findings(path, CF103), CF103)
    assert f.evidence["window"]["hours_per_day"] == pytest.approx(4.0)
    assert any("OneOffScaleUp: one-time scheduled action" in n for n in f.evidence["notes"])
