"""CF205 scheduled-lambda-runs-like-a-daemon: the options, the interval of cron expressions, the
half-interval boundary and the upper bound's cap (one environment, or reserved concurrency)."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, cost_line, fixture_cases, only_finding, scan_case, scan_findings

from computefit import facts, prices
from computefit.schedules import parse_aws

CHECK = "CF205"


def test_fixtures_state_what_they_show():
    for case in fixture_cases(CHECK):
        path = FIXTURES / CHECK / case
        files = [path] if path.is_file() else sorted(path.rglob("*.tf")) + sorted(path.glob("*.tfvars"))
        for f in files:
            head = f.read_text(encoding="utf-8").lstrip()
            assert CHECK in head.splitlines()[0 if head.startswith("#") else 1], f


@pytest.mark.parametrize("expr,interval", [
    ("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(2 hours)", 7200),
    ("cron(0/5 * * * ? *)", 300), ("cron(*/2 8-17 ? * MON-FRI *)", 120), ("cron(0,30 * * * ? *)", 1800),
    ("cron(0 23,1 * * ? *)", 7200),  # across midnight
    ("cron(0 3 * * ? *)", 86400),
])
def test_interval_is_the_shortest_gap_between_runs(expr, interval):
    assert parse_aws(expr).interval_seconds == interval


def _template(tmp_path, schedule: str, timeout: int, extra: str = ""):
    p = tmp_path / "template.yaml"
    p.write_text(f"""AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/fn
      MemorySize: 1024
      Timeout: {timeout}
{extra}      Code: {{S3Bucket: b, S3Key: k}}
  Rule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: {schedule}
      Targets:
        - {{Id: fn, Arn: !GetAtt Fn.Arn}}
""", encoding="utf-8")
    return p


def test_half_the_interval_fires_and_just_below_does_not(tmp_path):
    assert len(scan_findings(_template(tmp_path, "rate(2 minutes)", 60), CHECK).findings) == 1
    assert scan_findings(_template(tmp_path, "rate(2 minutes)", 59), CHECK).findings == []


def test_business_hours_cron_counts_its_gap_not_its_daily_average(tmp_path):
    f = only_finding(scan_findings(_template(tmp_path, "cron(0/2 8-17 ? * MON-FRI *)", 60), CHECK))
    assert "runs every 2 minutes" in f.message


def test_options_move_both_bars(tmp_path):
    rare = _template(tmp_path, "rate(10 minutes)", 300)
    assert scan_findings(rare, CHECK).findings == []
    assert len(scan_findings(rare, CHECK, max_interval_minutes=10).findings) == 1
    short = _template(tmp_path, "rate(1 minute)", 20)
    assert scan_findings(short, CHECK).findings == []
    assert len(scan_findings(short, CHECK, timeout_fraction=0.3).findings) == 1


def test_upper_bound_is_capped_at_one_environment_without_reserved_concurrency(tmp_path):
    f = only_finding(scan_findings(_template(tmp_path, "rate(1 minute)", 300), CHECK))
    line = cost_line(f, "current: Lambda 1024 MB, 43,800 runs a month, at most")
    month = facts.meta("seconds_per_month")
    gb_s = prices.rate("lambda_gb_second", "x86_64")
    req = prices.rate("lambda_request")
    runs = 43800
    assert line.monthly_usd == pytest.approx(runs * req + month * 1.0 * gb_s)
    assert "capped at one execution environment" in line.assumptions[0]


def test_reserved_concurrency_multiplies_the_cap(tmp_path):
    p = _template(tmp_path, "rate(1 minute)", 300, extra="      ReservedConcurrentExecutions: 3\n")
    f = only_finding(scan_findings(p, CHECK))
    line = cost_line(f, "current: Lambda 1024 MB, 43,800 runs a month, at most")
    month = facts.meta("seconds_per_month")
    gb_s = prices.rate("lambda_gb_second", "x86_64")
    req = prices.rate("lambda_request")
    assert line.monthly_usd == pytest.approx(43800 * req + 3 * month * gb_s)
    assert "capped at 3 execution environment(s)" in line.assumptions[0]
    assert f.evidence["reserved_concurrency"]["value"] == 3


def test_a_timeout_within_the_cap_is_not_capped(tmp_path):
    f = only_finding(scan_findings(_template(tmp_path, "rate(1 minute)", 30), CHECK))
    line = cost_line(f, "current: Lambda 1024 MB, 43,800 runs a month, at most")
    assert "capped" not in line.assumptions[0]
