"""CF501 steady-high-volume-lambda: what the fixture snapshots do not pin (the arithmetic from the
prices on file, each threshold option, severity by where the volume came from, the reserved
concurrency cap, a service that would not cost less, and CF205's polling loops left to CF205)."""

from __future__ import annotations

import math
import textwrap

import pytest
from conftest import cost_line, only_finding, scan_case

from computefit import facts, prices, pricing
from computefit.config import Config
from computefit.runner import scan

ID = "CF501"


def _gb_s(arch="x86_64"):
    return prices.rate("lambda_gb_second", arch)


def _task(vcpu, gb, arch="x86_64"):
    return 730 * (vcpu * prices.rate("fargate_vcpu_hour", arch) + gb * prices.rate("fargate_gb_hour", arch))


def _scan(tmp_path, memory, usage, extra="", **options):
    (tmp_path / "main.tf").write_text(textwrap.dedent(f"""\
        resource "aws_lambda_function" "fn" {{
          function_name = "fn"
          runtime       = "python3.12"
          handler       = "app.handler"
          filename      = "fn.zip"
          memory_size   = {memory}
          timeout       = 30
          {extra}
        }}
        """))
    (tmp_path / "u.yml").write_text("version: 0.1\nresource_usage:\n  aws_lambda_function.fn:\n"
                                    + "".join(f"    {k}: {v}\n" for k, v in usage.items()))
    config = Config(select=(ID,), options={ID: options} if options else {}, usage_file=str(tmp_path / "u.yml"))
    return [f for f in scan([str(tmp_path / "main.tf")], config).findings if f.check_id == ID]


def test_usage_volume_is_priced_both_ways_with_the_break_even():
    f = only_finding(scan_case(ID, "cfn/fire_usage_http_api.yaml"))  # 50 M x 200 ms at 1,024 MB
    per_run = 2e-7 + 0.2 * 1 * _gb_s()
    assert cost_line(f, "current:").monthly_usd == pytest.approx(50e6 * per_run)
    task = _task(0.5, 1)  # 1,024 MB / 1,769 MB per vCPU = 0.58: the nearest size, 0.5 vCPU / 1 GB
    assert cost_line(f, "Fargate service 4 x 0.5 vCPU / 1 GB").monthly_usd == pytest.approx(4 * task)
    assert f.evidence["volume"]["average_concurrency"] == pytest.approx(50e6 * 0.2 / 2_628_000, abs=1e-3)
    assert f"above about {2 * task / per_run / 1e6:,.1f} M runs a month at 0.2 s a run" in f.message
    assert (f.severity, f.confidence) == ("warning", "high")
    assert f.location.line == 6  # the function, not the usage file


def test_requests_without_a_duration_are_an_upper_bound_and_stay_info(tmp_path):
    [f] = _scan(tmp_path, 1024, {"monthly_requests": 1_000_000})  # x 30 s timeout = 11.4 environments
    assert (f.severity, f.confidence) == ("info", "low")
    assert "if every run lasts its 30 s timeout" in f.message and "an upper bound" in f.message
    assert "only if a run lasts more than" in f.message
    assert any("give request_duration_ms" in a for a in cost_line(f, "current:").assumptions)


def test_spend_threshold_fires_below_one_busy_environment_and_is_an_option(tmp_path):
    usage = {"monthly_requests": 2_000_000, "request_duration_ms": 1000}  # 0.76 environments at 10,240 MB
    [f] = _scan(tmp_path, 10240, usage)
    spend = 2e6 * (2e-7 + 1 * 10 * _gb_s())
    assert f.evidence["volume"]["average_concurrency"] < 1
    assert cost_line(f, "current:").monthly_usd == pytest.approx(spend)
    assert cost_line(f, "Fargate service 2 x 4 vCPU / 10 GB").monthly_usd == pytest.approx(2 * _task(4, 10))
    assert _scan(tmp_path, 10240, usage, min_monthly_spend_usd=400) == []


def test_concurrency_threshold_is_an_option():
    assert len(scan_case(ID, "cfn/fire_usage_http_api.yaml").findings) == 1  # 3.8 environments, $176.67
    assert scan_case(ID, "cfn/fire_usage_http_api.yaml", min_average_concurrency=4).findings == []


def test_provisioned_concurrency_threshold_is_an_option():
    f = only_finding(scan_case(ID, "tf/fire_provisioned"))  # 12 static environments at 1,024 MB
    assert f.location.line == 22 and f.related == ["aws_lambda_alias.live"]
    warm = pricing.provisioned_concurrency(12, 1024).monthly_usd
    busy = 12 * 2_628_000 * prices.rate("lambda_pc_duration_gb_second", "x86_64")
    assert cost_line(f, "current:").monthly_usd == pytest.approx(warm + busy)
    u = (12 * _task(0.5, 1) - warm) / busy
    assert f"busy more than {u:.0%} of the month" in f.message and (f.severity, f.confidence) == ("info", "low")
    assert scan_case(ID, "tf/fire_provisioned", min_provisioned_environments=13).findings == []


def test_min_fargate_tasks_sizes_the_service():
    f = only_finding(scan_case(ID, "tf/fire_schedule_upper_bound", min_fargate_tasks=1))
    assert cost_line(f, "Fargate service 2 x").monthly_usd == pytest.approx(2 * _task(1, 2))  # 1.5 busy: 2 tasks
    g = only_finding(scan_case(ID, "cfn/fire_usage_http_api.yaml", min_fargate_tasks=6))
    assert cost_line(g, "Fargate service 6 x").monthly_usd == pytest.approx(6 * _task(0.5, 1))


def test_reserved_concurrency_caps_the_runs(tmp_path):
    usage = {"monthly_requests": 100_000_000, "request_duration_ms": 1000}  # 38 environments, capped at 3
    [f] = _scan(tmp_path, 1024, usage, extra="reserved_concurrent_executions = 3")
    assert f.evidence["volume"]["average_concurrency"] == pytest.approx(3)
    assert any("capped at" in a for a in cost_line(f, "current:").assumptions)
    assert _scan(tmp_path, 1024, usage, extra="reserved_concurrent_executions = 0") == []  # never runs


def test_quiet_when_an_environment_costs_less_than_a_task(tmp_path):
    # 128 MB busy all month costs less than the smallest task (0.25 vCPU / 0.5 GB): no break-even
    usage = {"monthly_requests": 5_256_000, "request_duration_ms": 1000}  # 2 environments
    env = 2_628_000 * (2e-7 + 0.125 * _gb_s())
    assert env < _task(0.25, 0.5)
    assert _scan(tmp_path, 128, usage) == []


def test_a_polling_schedule_is_left_to_cf205():
    result = scan_case("CF205", "cfn/fire_sam_every_minute.yaml", every_check=True)
    assert [f.check_id for f in result.findings if f.check_id in ("CF205", ID)] == ["CF205"]


def test_rounding_of_tasks_is_up():
    f = only_finding(scan_case(ID, "tf/fire_usage"))  # 2.74 busy environments
    assert f.evidence["fargate_tasks"] == math.ceil(8e6 * 0.9 / 2_628_000) == 3


def test_requests_per_task_lets_small_functions_share_a_task(tmp_path):
    # 50 static environments of 128 MB: one busy environment costs less than the smallest task, so
    # one task per environment never pays; ten requests per task does
    (tmp_path / "template.yaml").write_text(textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: nodejs20.x
              Handler: index.handler
              CodeUri: src/
              AutoPublishAlias: live
              ProvisionedConcurrencyConfig:
                ProvisionedConcurrentExecutions: 50
        """))

    def run(**options):
        config = Config(select=(ID,), options={ID: options} if options else {})
        return scan([str(tmp_path / "template.yaml")], config).findings

    assert run() == []
    [f] = run(requests_per_task=10)
    assert cost_line(f, "Fargate service 5 x 0.25 vCPU / 0.5 GB").monthly_usd == pytest.approx(5 * _task(0.25, 0.5))
    assert "even while the 50 environments of provisioned concurrency idle" in f.message
