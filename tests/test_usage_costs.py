"""Cost lines with a usage file and what the source writes (issue 12 items 1-2, issue 11 item 5):
a usage file changes CF101, CF201 and CF301 figures and each changed line names the file and line;
EBS volumes and public IPv4 addresses written in the source are in an instance's current cost."""

from __future__ import annotations

import pytest
from conftest import cost_line, only_finding, scan_case

from computefit import facts, prices, pricing


def _finding(check_id, case, resource):
    result = scan_case(check_id, case)
    return only_finding(type(result)(findings=[f for f in result.findings if f.resource == resource]))


def _without_usage(check_id, case, resource):
    """The same case scanned without its usage file (the figures it changes)."""
    from computefit.config import Config
    from computefit.runner import scan
    from conftest import FIXTURES, working_directory

    with working_directory(FIXTURES / check_id):
        result = scan([case], Config(select=(check_id,)))
    return [f for f in result.findings if f.resource == resource][0]


def test_cf201_usage_file_gives_runs_and_duration_and_says_so():
    f = _finding("CF201", "cfn/usage_schedule_and_queue.yaml", "ImportFunction")
    lam = cost_line(f, "current: Lambda")
    assert lam.option == "current: Lambda 4096 MB, 95 s x 12,000 runs/month"
    assert "each run 95,000 ms: usage file: resource_usage ImportFunction at cfn/usage_schedule_and_queue.usage.yml:6" \
        in lam.assumptions
    assert "12,000 runs/month from the usage file (cfn/usage_schedule_and_queue.usage.yml:5)" in lam.assumptions
    gb_s, req = prices.rate("lambda_gb_second", "x86_64"), prices.rate("lambda_request")
    assert lam.monthly_usd == pytest.approx(12000 * (95 * 4 * gb_s + req))
    before = cost_line(_without_usage("CF201", "cfn/usage_schedule_and_queue.yaml", "ImportFunction"), "current: Lambda")
    assert before.monthly_usd != lam.monthly_usd
    assert not any("usage file:" in a or "from the usage file" in a for a in before.assumptions)


def test_cf201_schedule_is_counted_beside_a_queue_and_capped_by_reserved_concurrency():
    """The issue's case: rate(5 minutes), 900 s, reserved concurrency 1, another trigger: 8,760 runs
    counted (not dropped for the queue), 730 h at most."""
    f = _finding("CF201", "cfn/usage_schedule_and_queue.yaml", "NoUsageFunction")
    lam = cost_line(f, "current: Lambda")
    assert lam.option == "current: Lambda 128 MB, 900 s x 2,920 runs/month (at least)"
    assert any(a.startswith("a lower bound: invocations by SQS NoUsageFunction.Events.Jobs") for a in lam.assumptions)
    assert any(a.startswith("capped at 2,920.0 runs/month: reserved concurrency 1 x 730 h") for a in lam.assumptions)
    assert 2920 * 900 / 3600 == pytest.approx(730)  # one month of one environment


def test_cf201_terraform_registry_module_and_type_default():
    worker = cost_line(_finding("CF201", "tf/usage_schedule_and_queue", "module.worker"), "current: Lambda")
    assert worker.option == "current: Lambda 128 MB, 60 s x 300 runs/month"
    assert ("each run 60,000 ms: usage file: resource_type_default_usage aws_lambda_function at "
            "tf/usage_schedule_and_queue/infracost-usage.yml:5") in worker.assumptions
    result = scan_case("CF201", "tf/usage_schedule_and_queue")
    assert [(n.line, n.message) for n in result.notices if n.file.endswith("infracost-usage.yml")] == [
        (12, "resource_usage aws_lambda_function.imprt matches no resource in the scanned code; its values are "
             "not used")]


@pytest.mark.parametrize("case,resource,hours_line", [
    ("cfn/usage_part_time_with_volumes.yaml", "EtlHost", "cfn/usage_part_time_with_volumes.usage.yml:5"),
    ("tf/usage_part_time_with_volumes", "aws_instance.etl", "tf/usage_part_time_with_volumes/infracost-usage.yml:5"),
])
def test_cf101_monthly_hrs_and_job_minutes_from_the_usage_file(case, resource, hours_line):
    f = _finding("CF101", case, resource)
    assert f"runs 200 h/month (monthly_hrs, usage file {hours_line})" in f.message
    assert "40 min per run from the usage file" in f.message
    current = f.costs[0]
    assert current.option == "current: 1 x t3.medium, 200 h/month from the usage file"
    assert any(a.endswith(f"at {hours_line}") and a.startswith("hours a month 200 h") for a in current.assumptions)
    far = cost_line(f, "EventBridge Scheduler + Fargate")
    assert far.assumptions[0].startswith("each run 40 min: usage file")
    assert f.evidence["duty_cycle"]["minutes_per_run_from"] == "usage file"


def test_cf101_current_cost_includes_volumes_and_addresses_written_in_the_source():
    f = _finding("CF101", "tf/usage_part_time_with_volumes", "aws_instance.etl")
    current = f.costs[0]
    ebs = {t: prices.rate("ebs_gb_month", t) for t in ("gp2", "gp3")}
    ipv4 = prices.rate("public_ipv4_hour")
    compute = pricing.ec2_hourly("t3.medium") * 200
    # 30 GB gp3 + 100 GB of unwritten type (gp2, the stated default) all month; the public IP while it runs
    assert current.monthly_usd == pytest.approx(compute + 30 * ebs["gp3"] + 100 * ebs["gp2"] + 200 * ipv4)
    assert any("type not written: gp2, the EC2 default" in a for a in current.assumptions)
    assert not any(a == "excludes EBS storage, public IPv4 and data transfer" for a in current.assumptions)
    cfn = _finding("CF101", "cfn/usage_part_time_with_volumes.yaml", "EtlHost").costs[0]
    # the ephemeral0 mapping has no EBS volume; the Elastic IP is billed all month
    assert cfn.monthly_usd == pytest.approx(compute + 30 * ebs["gp3"] + 100 * ebs["gp2"] + 730 * ipv4)
    assert any(a.startswith("Elastic IP EtlAddress") for a in cfn.assumptions)


def test_volume_without_a_size_is_named_not_priced():
    from computefit import model as m

    unit = m.ComputeUnit(m.EC2_INSTANCE, "Host", "AWS::EC2::Instance", m.Location("t.yaml", 1), "cloudformation",
                         settings={m.BLOCK_DEVICES: m.Setting([{"DeviceName": "/dev/xvda", "Ebs": {"VolumeType": "io2"}},
                                                               {"Ebs": {"VolumeSize": 10, "VolumeType": "standard"}}],
                                                              m.Location("t.yaml", 6))})
    extras = pricing.ec2_extras(unit)
    assert extras.monthly_usd == 0
    assert extras.notes == ["EBS volume at t.yaml:6: size not written (the AMI's snapshot size), not priced",
                            "EBS volume at t.yaml:6: 10 GB standard, no price on file, not priced"]


@pytest.mark.parametrize("case", ["cfn/usage_http_api.yaml", "tf/usage_http_api"])
def test_cf301_usage_file_sizes_provisioned_concurrency_and_prices_on_demand(case):
    result = scan_case("CF301", case)
    f = only_finding(result)
    assert f.costs[0].option == "current: on demand, 2,500,000 requests/month at 2048 MB"
    gb_s, req = prices.rate("lambda_gb_second", "x86_64"), prices.rate("lambda_request")
    assert f.costs[0].monthly_usd == pytest.approx(2_500_000 * (0.18 * 2 * gb_s + req))
    pc = cost_line(f, "provisioned concurrency")
    assert pc.option == "provisioned concurrency: 4 environment(s) always warm at 2048 MB"
    assert any(a.startswith("environments: peak_concurrency 4: usage file") for a in pc.assumptions)


def test_cf304_monthly_duration_hrs_of_the_provisioned_concurrency_config(tmp_path, monkeypatch):
    import shutil

    from conftest import FIXTURES

    from computefit.config import Config
    from computefit.runner import scan

    shutil.copy(FIXTURES / "CF304" / "tf" / "fire_alias_pc" / "main.tf", tmp_path / "main.tf")
    address = next(line.split('"')[3] for line in (tmp_path / "main.tf").read_text().splitlines()
                   if line.startswith('resource "aws_lambda_provisioned_concurrency_config"'))
    (tmp_path / "u.yml").write_text(f"version: 0.1\nresource_usage:\n  aws_lambda_provisioned_concurrency_config."
                                    f"{address}:\n    monthly_duration_hrs: 200\n")
    monkeypatch.chdir(tmp_path)
    before = only_finding(scan(["."], Config(select=("CF304",)))).costs[0]
    after = only_finding(scan(["."], Config(select=("CF304",), usage_file="u.yml"))).costs[0]
    assert after.option.endswith("200 h a month from the usage file")
    assert after.monthly_usd == pytest.approx(before.monthly_usd * 200 / 730)
    assert after.assumptions[0].startswith("hours a month enabled 200 h: usage file") and "u.yml:4" in after.assumptions[0]


def test_cf101_group_instances_and_hours_from_the_usage_file(tmp_path, monkeypatch):
    import shutil

    from conftest import FIXTURES

    from computefit.config import Config
    from computefit.runner import scan

    shutil.copy(FIXTURES / "CF101" / "cfn" / "asg_launch_configuration.json", tmp_path / "t.json")
    (tmp_path / "u.yml").write_text("version: 0.1\nresource_usage:\n  ExportGroup:\n    instances: 1\n"
                                    "    monthly_hrs: 100\n")
    monkeypatch.chdir(tmp_path)
    before = only_finding(scan(["t.json"], Config(select=("CF101",)))).costs[0]
    f = only_finding(scan(["t.json"], Config(select=("CF101",), usage_file="u.yml")))
    assert before.option == "current: 2 x c5.large always on"
    assert f.costs[0].option == "current: 1 x c5.large, 100 h/month from the usage file"
    assert f.costs[0].monthly_usd == pytest.approx(pricing.ec2_hourly("c5.large") * 100)
    assert f.costs[0].assumptions[0] == "instances 1: usage file: resource_usage ExportGroup at u.yml:4"
    assert "an auto scaling group of 1 (c5.large) that runs 100 h/month (monthly_hrs, usage file u.yml:5)" in f.message
