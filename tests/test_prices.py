"""computefit.prices: the region a document is priced in, per-region unit prices with the
us-east-1 fallback stated, price overrides, and infracost's Lambda figures reproduced."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from computefit import prices, pricing
from computefit.cli import main

TF = '''
resource "aws_lambda_function" "job" {
  function_name = "job"
  role          = "arn:aws:iam::123456789012:role/r"
  handler       = "h.main"
  runtime       = "python3.12"
  filename      = "f.zip"
  timeout       = 880
  memory_size   = 2048
}
'''


def _tf(tmp_path, provider: str = "") -> str:
    (tmp_path / "main.tf").write_text(provider + TF)
    return str(tmp_path)


def _costs(path, *args) -> dict:
    out = CliRunner().invoke(main, ["scan", path, "--format", "json", "--select", "CF201", *args])
    [finding] = json.loads(out.output)["findings"]
    return finding["costs"]


def test_region_order_cli_config_provider_environment_default():
    choice = prices.RegionChoice(cli="eu-west-2", config="eu-central-1", environ=(("AWS_REGION", "ap-south-1"),))
    assert prices.resolve_region(choice, "eu-west-1").region == "eu-west-2"
    choice = prices.RegionChoice(config="eu-central-1", config_source="pyproject.toml",
                                 environ=(("AWS_REGION", "ap-south-1"),))
    basis = prices.resolve_region(choice, "eu-west-1")
    assert (basis.region, basis.region_from) == ("eu-central-1", "region in pyproject.toml")
    choice = prices.RegionChoice(environ=(("AWS_REGION", "ap-south-1"), ("AWS_DEFAULT_REGION", "us-west-2")))
    basis = prices.resolve_region(choice, "eu-west-1", "main.tf:2")
    assert (basis.region, basis.region_from) == ("eu-west-1", 'provider "aws" region at main.tf:2')
    assert prices.resolve_region(choice, None).region_from == "AWS_REGION"
    choice = prices.RegionChoice(environ=(("AWS_DEFAULT_REGION", "us-west-2"),))
    assert prices.resolve_region(choice).region == "us-west-2"
    assert prices.resolve_region(prices.RegionChoice(environ=())).region == "us-east-1"


def test_terraform_default_provider_region_prices_the_module(tmp_path):
    provider = ('variable "region" {\n  default = "eu-central-1"\n}\n'
                'provider "aws" {\n  alias  = "use1"\n  region = "us-east-1"\n}\n'
                'provider "aws" {\n  region = var.region\n}\n')
    costs = _costs(_tf(tmp_path, provider))
    assert costs["region"] == "eu-central-1"
    assert costs["region_from"].startswith('provider "aws" region at ') and costs["region_from"].endswith(":2")
    # --region wins over the provider
    assert _costs(str(tmp_path), "--region", "ap-south-1")["region"] == "ap-south-1"


def test_a_region_without_prices_on_file_says_so_and_uses_us_east_1(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "sa-east-1")
    costs = _costs(_tf(tmp_path))
    assert (costs["region"], costs["region_from"], costs["prices_region"]) == ("sa-east-1", "AWS_REGION", "us-east-1")
    out = CliRunner().invoke(main, ["scan", str(tmp_path), "-v", "--select", "CF201"]).output
    assert "costs (USD, sa-east-1 on-demand, prices as of " in out
    assert "(sa-east-1 has no prices on file: us-east-1's used)" in out


def test_regional_prices_differ_where_aws_prices_differ():
    eu = prices.Basis("eu-central-1")
    assert prices.rate("lambda_pc_gb_second", "x86_64", eu) == 0.0000050147
    assert prices.rate("lambda_pc_gb_second", "x86_64") == 0.0000041667
    assert prices.rate("lambda_gb_second", "x86_64", eu) == prices.rate("lambda_gb_second", "x86_64")
    with prices.using(eu):
        line = pricing.provisioned_concurrency(1, 1024)
        assert line.monthly_usd == pytest.approx(2_628_000 * 0.0000050147)
        assert not any("not on file" in a for a in line.assumptions)
        # arm64 provisioned concurrency is not on file for eu-central-1: us-east-1's, stated
        arm = pricing.provisioned_concurrency(1, 1024, "arm64")
        assert "Lambda prices for eu-central-1 not on file: us-east-1's used" in arm.assumptions
        fargate = pricing.fargate_hours(730, 1, 2)
        assert "Fargate prices for eu-central-1 not on file: us-east-1's used" in fargate.assumptions


def test_every_price_names_a_source_with_an_openable_url():
    d = prices.data()
    for region, table in d["regions"].items():
        for key, entry in table.items():
            for src in [entry["source"]] + [v for k, v in entry.items() if k.startswith("source_")]:
                assert prices.source(src)["url"].startswith("https://"), (region, key)
    assert set(d["regions"]) >= {"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "eu-west-2",
                                 "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-south-1"}


KARPENTER_SOURCE = ("https://github.com/aws/karpenter-provider-aws/blob/6fc13b5236fd04fd16ff3f9dc7490d0813994099/"
                    "pkg/providers/pricing/zz_generated.pricing_aws.go")


@pytest.mark.parametrize("instance_type, hourly, vcpu, memory_gib", [
    ("m7i.xlarge", 0.2016, 4, 16),      # Karpenter's table (AWS Pricing API, 2026-07-20)
    ("m5.4xlarge", 0.768, 16, 64),
    ("c5.24xlarge", 4.08, 96, 192),
    ("r5.xlarge", 0.252, 4, 32),
    ("t3a.large", 0.0752, 2, 8),
    ("t3.medium", 0.0416, 2, 4),        # = infracost instance_test.golden: $30.37 per 730 h
    ("m6a.large", 0.0864, 2, 8),        # = infracost's aws_instance gist: $63.07 per 730 h
    ("m5a.large", 0.086, 2, 8),         # = ctaminian/aws-cost-estimator pricing.py
])
def test_ec2_us_east_1_spot_checks(instance_type, hourly, vcpu, memory_gib):
    price = prices.ec2_hour(instance_type, prices.Basis("us-east-1"))
    assert (price.value, price.url, price.notes) == (hourly, KARPENTER_SOURCE, [])
    spec = prices.ec2_type(instance_type)
    assert (spec["vcpu"], spec["memory_gib"]) == (vcpu, memory_gib)


def test_every_ec2_type_on_file_has_a_us_east_1_price_and_the_widened_sizes():
    types = prices.data()["ec2"]["types"]
    assert [t for t, spec in types.items() if "us-east-1" not in spec["linux_hour"]] == []
    for family in ("m5", "m6i", "m7i", "c6i", "c7i", "r5", "r6i", "r7i"):
        assert {f"{family}.{s}" for s in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge",
                                          "16xlarge", "24xlarge")} <= set(types), family
    for family in ("m6g", "m7g", "c6g", "c7g", "r6g", "r7g"):
        assert {f"{family}.{s}" for s in ("medium", "large", "8xlarge", "16xlarge")} <= set(types), family


SKYPILOT_SOURCE = ("https://github.com/skypilot-org/skypilot-catalog/blob/00148f2af3672e2229b4f7bf8157d5a3f36e3c35/"
                   "catalogs/v8/aws/vms.csv")


@pytest.mark.parametrize("instance_type, region, hourly", [
    ("m7i.xlarge", "eu-west-1", 0.2247),     # SkyPilot's AWS catalog
    ("m7i.xlarge", "ap-south-1", 0.2121),
    ("m7i.large", "eu-central-1", 0.12075),
    ("m7i.48xlarge", "ap-northeast-1", 12.4992),
    ("m7i.2xlarge", "us-west-2", 0.4032),
    ("m5.large", "eu-west-1", 0.107),
    ("m5.4xlarge", "eu-central-1", 0.92),
    ("m5.24xlarge", "ap-southeast-2", 5.76),
    ("t4g.medium", "eu-west-1", 0.0368),
    ("t4g.micro", "ap-south-1", 0.0056),
])
def test_ec2_regional_spot_checks(instance_type, region, hourly):
    price = prices.ec2_hour(instance_type, prices.Basis(region))
    assert (price.value, price.url, price.notes) == (hourly, SKYPILOT_SOURCE, [])


def test_ec2_regional_prices_agree_with_us_east_1_and_scale_with_size():
    types = prices.data()["ec2"]["types"]
    for region in ("eu-west-1", "eu-west-2", "ap-southeast-2"):
        for family, sizes in (("m7i", ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "48xlarge")),
                              ("m5", ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge",
                                      "24xlarge"))):
            per_vcpu = {round(types[f"{family}.{s}"]["linux_hour"][region] / types[f"{family}.{s}"]["vcpu"], 6)
                        for s in sizes}
            assert len(per_vcpu) == 1, (region, family, per_vcpu)  # AWS prices a family linearly in a region


def test_ec2_outside_us_east_1_uses_us_east_1_stated():
    # no EC2 price for t3.medium in eu-west-1 is on file yet: us-east-1's, and the cost line says so
    price = prices.ec2_hour("t3.medium", prices.Basis("eu-west-1"))
    assert (price.value, price.url) == (0.0416, KARPENTER_SOURCE)
    assert price.notes == ["t3.medium price for eu-west-1 not on file: us-east-1's used"]


def test_price_override_discount_and_own_rates(tmp_path):
    f = tmp_path / "rates.toml"
    f.write_text('discount = 0.25\n"ec2.m5.large" = 0.05\n')
    ov = prices.read_price_file(str(f))
    basis = prices.Basis(overrides=ov)
    assert prices.rate("ec2.m5.large", basis=basis) == 0.05
    assert prices.rate("ec2.t3.micro", basis=basis) == pytest.approx(0.0104 * 0.75)
    assert prices.rate("lambda_request", basis=basis) == pytest.approx(2e-7 * 0.75)
    assert "25% discount" in basis.header() and str(f) in basis.header()
    (tmp_path / "m").mkdir()
    costs = _costs(_tf(tmp_path / "m"), "--price-file", str(f))
    assert costs["price_override"].startswith(f"price override from {f} (25% discount, 1 own rate)")


@pytest.mark.parametrize("text,problem", [
    ("discount = 2\n", "discount is a fraction"),
    ('"lambda_gb_secnd" = 1\n', "unknown price"),
    ('"ec2.m5.large" = "cheap"\n', "must be a number"),
])
def test_a_bad_price_file_is_a_usage_error(tmp_path, text, problem):
    f = tmp_path / "rates.toml"
    f.write_text(text)
    res = CliRunner().invoke(main, ["scan", str(tmp_path), "--price-file", str(f)])
    assert res.exit_code == 2 and problem in res.output


def test_configuration_region_and_prices_table(tmp_path):
    (tmp_path / ".computefit.toml").write_text('region = "eu-west-2"\n[prices]\ndiscount = 0.1\n')
    costs = _costs(_tf(tmp_path))
    assert costs["region"] == "eu-west-2" and costs["region_from"].startswith("region in ")
    assert "10% discount" in costs["price_override"]
    (tmp_path / ".computefit.toml").write_text('region = "Ireland"\n')
    res = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert res.exit_code == 2 and "not an AWS region name" in res.output


# infracost's published Lambda test cases (internal/providers/terraform/aws/testdata/
# lambda_function_test: the .tf, its usage file and the golden output), reproduced to the cent:
# (monthly requests, duration ms, memory MB, architecture) -> infracost's line items.
INFRACOST = [
    ((100_000, 350, 128, "x86_64"), [0.02, 0.07]),            # lambda_withUsage
    ((100_000, 350, 128, "arm64"), [0.02, 0.06]),             # lambda_withUsage_arm
    ((100_000, 350, 512, "x86_64"), [0.02, 0.29]),            # lambda_withUsage512Mem
    ((100_000, 350, 512, "arm64"), [0.02, 0.23]),             # lambda_withUsage512Mem_arm
    ((6_000_000_000, 1024, 512, "x86_64"), [1200.00, 51200.10]),                 # lambda_duration_6B
    ((7_500_000_000, 1024, 512, "arm64"), [1500.00, 51200.26]),                  # lambda_duration_75B_arm
    ((9_000_000_000, 1024, 1024, "x86_64"), [1800.00, 100000.20, 48240.00]),     # lambda_duration_9B
    ((11_250_000_000, 1024, 1024, "arm64"), [2250.00, 100000.50, 48240.40]),     # lambda_duration_11B_arm
]


@pytest.mark.parametrize("usage,items", INFRACOST)
def test_lambda_figures_match_infracost_golden_tests(usage, items):
    runs, ms, mb, arch = usage
    line = pricing.lambda_job(runs, ms / 1000, mb, arch)
    # infracost rounds each line item: the total agrees within the cent that rounding can move
    assert round(line.monthly_usd, 2) == pytest.approx(round(sum(items), 2), abs=0.0101)


def test_prices_are_not_read_at_start_up():
    code = ("import computefit.cli, computefit.runner, computefit.pricing, computefit.prices as p, sys; "
            "sys.exit(1 if p.data.cache_info().currsize else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_a_plan_is_priced_in_its_provider_region(tmp_path):
    plan = {
        "format_version": "1.2",
        "variables": {"region": {"value": "ap-northeast-1"}},
        "planned_values": {"root_module": {"resources": [{
            "address": "aws_lambda_function.job", "mode": "managed", "type": "aws_lambda_function", "name": "job",
            "values": {"function_name": "job", "timeout": 880, "memory_size": 2048, "runtime": "python3.12"}}]}},
        "resource_changes": [{
            "address": "aws_lambda_function.job", "mode": "managed", "type": "aws_lambda_function", "name": "job",
            "change": {"actions": ["create"], "after": {"function_name": "job", "timeout": 880, "memory_size": 2048,
                                                         "runtime": "python3.12"}}}],
        "configuration": {"provider_config": {"aws": {"name": "aws", "expressions": {
            "region": {"references": ["var.region"]}}}}},
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    costs = _costs(str(tmp_path / "plan.json"))
    assert costs["region"] == "ap-northeast-1" and costs["region_from"].endswith("(var.region)")


def test_every_source_a_cost_line_cites_is_a_url_a_reader_can_open():
    """An assumption that cites a source (``as of DATE``) names the page: never a document that is
    not in the repository."""
    import re
    from pathlib import Path

    cited = 0
    for expected in Path(__file__).resolve().parents[1].glob("fixtures/**/*expected.json"):
        for f in json.loads(expected.read_text())["findings"]:
            for option in f.get("costs", {}).get("options", []):
                for a in option["assumptions"]:
                    assert not re.search(r"knowledge base|knowledge\.md|\bsection \d", a, re.I), (expected, a)
                    if re.search(r"\bas of \d{4}-\d{2}-\d{2}", a):
                        cited += 1
                        assert "https://" in a, (expected, a)
    assert cited  # the CF301 SnapStart lines cite the Lambda pricing page


def test_scheduler_in_tokyo_costs_more_past_the_free_tier():
    with prices.using(prices.Basis("ap-northeast-1")):
        assert pricing.scheduler(14_000_000 + 1_000_000) == pytest.approx(1.25)
        assert pricing.scheduler_schedule(100.0).assumptions[1].startswith(
            "first 14 M invocations/month free, then $1.25/M")
    assert pricing.scheduler(15_000_000) == pytest.approx(1.00)


@pytest.mark.parametrize("region", ["us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "eu-west-2",
                                    "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-south-1"])
def test_public_ipv4_is_priced_in_every_region_on_file_without_a_fallback(region):
    price = prices.unit("public_ipv4_hour", basis=prices.Basis(region))
    assert (price.value, price.notes, price.source_id) == (0.005, [], "ipv4-all-regions")
    assert "all AWS regions" in prices.source(price.source_id)["title"]
