"""scripts/refresh_prices.py on hand-made excerpts of AWS Price List bulk offer files
(tests/data/offers: the bulk API's JSON shape, eu-west-1; the figures are test data, not the
shipped prices)."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from computefit import prices

ROOT = Path(__file__).resolve().parents[1]
OFFERS = Path(__file__).parent / "data" / "offers"


def _us_east_1_ec2_only(data: Path) -> None:
    """The shipped price file with its EC2 prices outside us-east-1 taken out, so that a test sees
    the regional prices its excerpt adds."""
    d = json.loads(data.read_text())
    for spec in d["ec2"]["types"].values():
        spec["linux_hour"] = {r: v for r, v in spec["linux_hour"].items() if r == "us-east-1"}
    d["ec2"]["price_sources"] = {"us-east-1": d["ec2"]["price_sources"]["us-east-1"]}
    data.write_text(json.dumps(d, indent=1) + "\n")


@pytest.fixture(scope="module")
def refresh():
    spec = importlib.util.spec_from_file_location("refresh_prices", ROOT / "scripts" / "refresh_prices.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reads_lambda_tiers_requests_and_provisioned_concurrency(refresh):
    code, found, ec2 = refresh.read_offer(json.loads((OFFERS / "AWSLambda-eu-west-1.json").read_text()))
    assert code == "AWSLambda" and ec2 == {}
    eu = found["eu-west-1"]
    assert eu["lambda_gb_second"]["x86_64"] == [[6e9, 0.0000166667], [9e9, 0.000015], [None, 0.0000133334]]
    assert eu["lambda_gb_second"]["arm64"] == [[7.5e9, 0.0000133334], [11.25e9, 0.0000120001], [None, 0.0000106667]]
    assert eu["lambda_request"] == {"x86_64": 2e-7}
    assert eu["lambda_pc_gb_second"] == {"x86_64": 0.000004646, "arm64": 0.0000037168}


def test_reads_fargate_and_linux_instances_only(refresh):
    _, found, _ = refresh.read_offer(json.loads((OFFERS / "AmazonECS-eu-west-1.json").read_text()))
    assert found["eu-west-1"] == {"fargate_vcpu_hour": {"x86_64": 0.0446, "arm64": 0.03567},
                                  "fargate_gb_hour": {"x86_64": 0.00489, "arm64": 0.00392}}
    _, found, ec2 = refresh.read_offer(json.loads((OFFERS / "AmazonEC2-eu-west-1.json").read_text()))
    assert found["eu-west-1"] == {"ebs_gb_month": {"gp3": 0.088}}
    assert list(ec2.values()) == [{"type": "m5.large", "region": "eu-west-1", "vcpu": 2, "memory_gib": 8.0,
                                   "linux_hour": 0.107}]  # the Windows row is not read


def test_rebuilds_the_data_file_and_computefit_prices_from_it(refresh, tmp_path, monkeypatch, capsys):
    data = tmp_path / "aws.json"
    shutil.copy(prices.PRICES_FILE, data)
    _us_east_1_ec2_only(data)
    assert refresh.main([str(p) for p in sorted(OFFERS.glob("*.json"))] + ["--data", str(data)]) == 0
    assert "eu-west-1 ec2 m5.large: None -> 0.107" in capsys.readouterr().out
    new = json.loads(data.read_text())
    eu = new["regions"]["eu-west-1"]
    assert eu["fargate_vcpu_hour"]["source"] == "aws-price-list-AmazonECS"
    assert new["sources"]["aws-price-list-AmazonECS"]["url"].startswith("https://pricing.us-east-1.amazonaws.com/")
    assert eu["lambda_gb_second"]["value"]["x86_64"][1] == [9e9, 0.000015]
    assert eu["lambda_pc_gb_second"]["source_arm64"] == "aws-price-list-AWSLambda"
    assert new["ec2"]["types"]["m5.large"]["linux_hour"] == {"us-east-1": 0.096, "eu-west-1": 0.107}
    assert new["prices_as_of"] == "2026-11-20"
    # untouched prices keep their source
    assert new["regions"]["us-east-1"] == json.loads(Path(prices.PRICES_FILE).read_text())["regions"]["us-east-1"]
    # computefit prices eu-west-1 from the rebuilt file
    monkeypatch.setattr(prices, "PRICES_FILE", data)
    prices.data.cache_clear()
    try:
        eu_basis = prices.Basis("eu-west-1")
        assert prices.rate("fargate_vcpu_hour", "arm64", eu_basis) == 0.03567
        assert prices.rate("ec2.m5.large", basis=eu_basis) == 0.107
        assert prices.unit("ebs_gb_month", "gp3", eu_basis).notes == []
    finally:
        prices.data.cache_clear()


def test_dry_run_writes_nothing(refresh, tmp_path):
    data = tmp_path / "aws.json"
    shutil.copy(prices.PRICES_FILE, data)
    _us_east_1_ec2_only(data)
    before = data.read_text()
    assert refresh.main([str(OFFERS / "AmazonECS-eu-west-1.json"), "--data", str(data), "--dry-run"]) == 0
    assert data.read_text() == before


def test_reads_the_csv_form_of_an_offer_file_on_demand_rows_only(refresh):
    offer = refresh.load_offer(OFFERS / "AmazonEC2-eu-west-1-excerpt.csv")
    code, found, ec2 = refresh.read_offer(offer)
    assert code == "AmazonEC2"
    assert found == {"eu-west-1": {"ebs_gb_month": {"gp2": 0.11}}}
    # the reserved row of the same SKU is not an on-demand price
    assert list(ec2.values()) == [{"type": "t3.medium", "region": "eu-west-1", "vcpu": 2, "memory_gib": 4.0,
                                   "linux_hour": 0.0456}]


KARPENTER = OFFERS / "karpenter-pricing-excerpt.go"


def test_reads_karpenter_price_table_by_region(refresh):
    as_of, table = refresh.read_karpenter_prices(KARPENTER.read_text())
    assert as_of == "2026-11-02"
    assert table == {"us-east-1": {"m5.4xlarge": 0.768, "m5.large": 0.096, "m5.metal": 4.608, "zz9.large": 0.5},
                     "eu-west-1": {"m5.large": 0.107}}
    with pytest.raises(ValueError):
        refresh.read_karpenter_prices("package pricing\n")


def test_karpenter_table_prices_listed_types_only_citing_the_given_url(refresh, tmp_path, capsys):
    data = tmp_path / "aws.json"
    shutil.copy(prices.PRICES_FILE, data)
    _us_east_1_ec2_only(data)
    url = "https://github.com/aws/karpenter-provider-aws/blob/abc/pkg/providers/pricing/zz_generated.pricing_aws.go"
    assert refresh.main([str(KARPENTER), "--data", str(data), "--url", url]) == 0
    out = capsys.readouterr().out
    assert "eu-west-1 ec2 m5.large: None -> 0.107" in out
    new = json.loads(data.read_text())
    types = new["ec2"]["types"]
    assert "zz9.large" not in types and "m5.metal" not in types  # only types the data file lists
    assert types["m5.large"]["linux_hour"]["eu-west-1"] == 0.107
    assert new["ec2"]["price_sources"]["eu-west-1"] == "karpenter-ec2-prices"
    assert new["sources"]["karpenter-ec2-prices"]["url"] == url
    assert new["sources"]["karpenter-ec2-prices"]["as_of"] == "2026-11-02"


def test_unreadable_karpenter_table_is_an_error_not_a_traceback(refresh, tmp_path, capsys):
    bad = tmp_path / "empty.go"
    bad.write_text("package pricing\n")
    data = tmp_path / "aws.json"
    shutil.copy(prices.PRICES_FILE, data)
    _us_east_1_ec2_only(data)
    before = data.read_text()
    assert refresh.main([str(bad), "--data", str(data)]) == 2
    assert "empty.go" in capsys.readouterr().err and data.read_text() == before


SKYPILOT = OFFERS / "skypilot-vms-excerpt.csv"


def test_reads_skypilot_vms_one_price_per_region_zones_must_agree(refresh):
    table, problems = refresh.read_skypilot_vms(SKYPILOT.read_text())
    assert table == {"us-east-1": {"m5.large": 0.096}, "eu-west-1": {"m5.large": 0.107, "zz9.large": 0.5}}
    assert [p.split(":")[0] for p in problems] == ["eu-west-1 m5.xlarge", "eu-west-2 t3.medium"]
    with pytest.raises(ValueError):
        refresh.read_skypilot_vms("SKU,OfferTermCode\n")


def test_skypilot_vms_prices_other_regions_and_reports_disagreements(refresh, tmp_path, capsys):
    data = tmp_path / "aws.json"
    shutil.copy(prices.PRICES_FILE, data)
    _us_east_1_ec2_only(data)
    assert refresh.main([str(SKYPILOT), "--data", str(data), "--as-of", "2026-11-30"]) == 0
    out = capsys.readouterr().out
    assert "eu-west-1 ec2 m5.large: None -> 0.107" in out and "eu-west-1 m5.xlarge: zones disagree" in out
    new = json.loads(data.read_text())
    assert new["ec2"]["types"]["m5.large"]["linux_hour"]["eu-west-1"] == 0.107
    assert "eu-west-1" not in new["ec2"]["types"]["m5.xlarge"]["linux_hour"]
    assert new["ec2"]["price_sources"]["eu-west-1"] == "skypilot-ec2-prices"
    # us-east-1's m5.large is the price on file already: its citation stays
    assert new["ec2"]["price_sources"]["us-east-1"] == prices.data()["ec2"]["price_sources"]["us-east-1"]
    assert new["sources"]["skypilot-ec2-prices"]["url"] == refresh.SKYPILOT_URL
    assert new["sources"]["skypilot-ec2-prices"]["as_of"] == new["prices_as_of"] == "2026-11-30"


def test_an_undated_skypilot_file_cites_its_read_date_and_keeps_prices_as_of(refresh, tmp_path):
    data = tmp_path / "aws.json"
    shutil.copy(prices.PRICES_FILE, data)
    _us_east_1_ec2_only(data)
    assert refresh.main([str(SKYPILOT), "--data", str(data)]) == 0
    new = json.loads(data.read_text())
    assert new["prices_as_of"] == prices.as_of()
    assert "the file carries no date: read on" in new["sources"]["skypilot-ec2-prices"]["title"]
