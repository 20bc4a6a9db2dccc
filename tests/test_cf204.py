"""CF204 lambda-sized-like-a-container-job: the threshold options, an unresolved memory size, and
the cost arithmetic the snapshots show but do not explain."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, cost_line, fixture_cases, only_finding, scan_case, scan_findings

from computefit import facts, pricing, prices

CHECK = "CF204"


def test_fixtures_state_what_they_show():
    for case in fixture_cases(CHECK):
        path = FIXTURES / CHECK / case
        files = [path] if path.is_file() else sorted(path.rglob("*.tf"))
        for f in files:
            head = f.read_text(encoding="utf-8").lstrip()
            assert CHECK in head.splitlines()[0 if head.startswith("#") else 1], f


@pytest.mark.parametrize("options,fires", [
    ({}, False),
    ({"timeout_seconds": 599}, True),       # BigShortFunction: 10,240 MB, 599 s
    ({"memory_mb": 8191}, True),            # LongSmallFunction: 8,191 MB, 900 s
    ({"ephemeral_storage_mb": 4095}, True),  # LongSmallFunction: 4,095 MB of /tmp
])
def test_thresholds_are_options(options, fires):
    result = scan_case(CHECK, "cfn/quiet_below_thresholds.yaml", **options)
    assert bool(result.findings) is fires


def test_raising_a_threshold_silences_a_firing_case():
    assert scan_case(CHECK, "tf/fire_scheduled_rule", memory_mb=10241).findings == []
    assert scan_case(CHECK, "tf/fire_scheduled_rule", timeout_seconds=901).findings == []


def test_scheduled_costs_use_runs_per_month_and_the_cpu_equivalent_fargate_size():
    f = only_finding(scan_case(CHECK, "tf/fire_scheduled_rule"))
    runs = pricing.runs_per_month(24)
    gb_s = prices.rate("lambda_gb_second", "x86_64")
    req = prices.rate("lambda_request")
    lam = cost_line(f, "current: Lambda 10240 MB, 900 s, 730 runs")
    assert lam.monthly_usd == pytest.approx(runs * (req + 900 * 10 * gb_s))
    far = cost_line(f, "Fargate task 4 vCPU / 10 GB, 900 s, 730 runs")  # 5.8 vCPU: nearest 4, 10 GB of 8-30
    vcpu_h = prices.rate("fargate_vcpu_hour", "x86_64")
    gb_h = prices.rate("fargate_gb_hour", "x86_64")
    assert far.monthly_usd == pytest.approx(runs * 900 / 3600 * (4 * vcpu_h + 10 * gb_h))
    assert far.monthly_usd < lam.monthly_usd


def test_unknown_volume_is_unknown_not_zero():
    f = only_finding(scan_case(CHECK, "cfn/fire_sam_s3_maxed.yaml"))
    assert len(f.costs) == 2 and all(c.option.endswith("per run") for c in f.costs)
    assert all(c.monthly_usd is None and c.per_1000_runs > 0 for c in f.costs)


def test_unresolved_memory_with_large_storage_still_fires_without_a_price(tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text("""AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Memory: {Type: Number}
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/fn
      MemorySize: !Ref Memory
      Timeout: 900
      EphemeralStorage: {Size: 10240}
      Code: {S3Bucket: b, S3Key: k}
""", encoding="utf-8")
    f = only_finding(scan_findings(p, CHECK))
    assert f.confidence == "medium"  # no caller in the scanned code
    assert [c.monthly_usd for c in f.costs] == [None]
    p.write_text(p.read_text().replace("      EphemeralStorage: {Size: 10240}\n", ""), encoding="utf-8")
    assert scan_findings(p, CHECK).findings == []
