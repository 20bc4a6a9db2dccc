"""``computefit costs``: every compute resource of the bundled examples, current model first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from computefit import costs, pricing
from computefit.cli import main

REPO = Path(__file__).resolve().parents[1]


def test_costs_json_prices_every_compute_resource_of_the_examples(monkeypatch):
    monkeypatch.chdir(REPO)
    res = CliRunner().invoke(main, ["costs", "examples", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert list(doc) == ["version", "currency", "region", "prices_as_of", "resources"]
    assert (doc["version"], doc["currency"], doc["region"]) == (1, "USD", "us-east-1")
    by_name = {r["resource"]: r for r in doc["resources"]}
    for r in doc["resources"]:
        assert list(r) == ["resource", "resource_type", "file", "line", "options"]
        assert r["options"][0]["option"].startswith("current: ")
        for o in r["options"]:
            assert list(o) == ["option", "monthly_usd", "assumptions"]
    # the scheduled export: both ways, at the scheduled volume, the same figures CF201 shows
    export = by_name["NightlyExportFunction"]["options"]
    assert [o["monthly_usd"] for o in export] == [1.25, 1.0, 0.7]
    # an always-on instance and its alternative, whether or not a check fires
    host = by_name["ReportingHost"]["options"]
    assert host[0]["option"] == "current: 1 x m5.large always on" and host[0]["monthly_usd"] == 70.08
    assert host[1]["option"].startswith("Fargate 1 x 2 vCPU / 8 GB")
    # an API function without a known volume: no monthly figure, the cost per 1,000 runs instead
    api = by_name["OrdersApiFunction"]["options"][0]
    assert api["monthly_usd"] is None and "(runs/month unknown)" in api["option"]
    assert any(a.endswith("per 1,000 runs") and a.startswith("$") for a in api["assumptions"])


def test_volumes_come_through_one_hook(monkeypatch):
    monkeypatch.chdir(REPO)
    from computefit.runner import scan

    model = scan(["examples/orders-api"]).model
    billed = costs.bill(model, volumes=lambda unit: costs.Volumes(100_000, 0.35, "usage file"))
    api = next(p for _, p in billed if p.resource == "OrdersApiFunction")
    expected = pricing.lambda_job(100_000, 0.35, 2048).monthly_usd
    assert api.options[0].monthly_usd == expected and "x 100,000 runs/month" in api.options[0].option


def test_costs_text_names_region_and_date(monkeypatch):
    monkeypatch.chdir(REPO)
    out = CliRunner().invoke(main, ["costs", "examples/terraform", "--region", "eu-west-1"]).output
    assert out.startswith("Monthly costs (USD, eu-west-1 on-demand, prices as of ")
    assert "aws_instance.invoice_batch" in out and "current: 1 x t3.large always on" in out


def test_state_machines_standard_per_1000_executions_express_unpriced(monkeypatch):
    monkeypatch.chdir(REPO)
    doc = json.loads(CliRunner().invoke(main, ["costs", "fixtures/CF403/cfn/quiet_standard_and_short.yaml",
                                               "--format", "json"]).output)
    machines = {r["resource"]: r["options"] for r in doc["resources"] if "StateMachine" in r["resource_type"]}
    standard = machines["LongJobs"][0]
    assert standard["option"].startswith("current: Step Functions Standard workflow of 2 states, per 1,000 executions")
    assert standard["monthly_usd"] is None and standard["assumptions"][-1] == "$0.0500 per 1,000 runs"
    express = [o[0] for o in machines.values() if "Express" in o[0]["option"]]
    assert all(o["monthly_usd"] is None for o in express)


INFRACOST_TF = '''
provider "aws" {
  region = "us-east-1"
}

resource "aws_lambda_function" "lambda_withUsage512Mem" {
  function_name = "lambda_function_name"
  role          = "arn:aws:lambda:us-east-1:aws:resource-id"
  handler       = "exports.test"
  filename      = "function.zip"
  runtime       = "nodejs12.x"
  memory_size   = 512
}

resource "aws_lambda_function" "lambda_duration_9B" {
  function_name = "lambda_function_name"
  role          = "arn:aws:lambda:us-east-1:aws:resource-id"
  handler       = "exports.test"
  filename      = "function.zip"
  runtime       = "nodejs12.x"
  memory_size   = 1024
}

resource "aws_lambda_function" "lambda_duration_11B_arm" {
  function_name = "lambda_function_name"
  role          = "arn:aws:lambda:us-east-1:aws:resource-id"
  handler       = "exports.test"
  filename      = "function.zip"
  runtime       = "nodejs12.x"
  memory_size   = 1024
  architectures = ["arm64"]
}
'''

# infracost's lambda_function_test usage file (monthly_requests, request_duration_ms) and the
# totals of its golden output's line items for the same resources
INFRACOST_USAGE = {
    "aws_lambda_function.lambda_withUsage512Mem": ((100_000, 350), 0.02 + 0.29),
    "aws_lambda_function.lambda_duration_9B": ((9_000_000_000, 1024), 1800.00 + 100000.20 + 48240.00),
    "aws_lambda_function.lambda_duration_11B_arm": ((11_250_000_000, 1024), 2250.00 + 100000.50 + 48240.40),
}


def test_costs_current_lambda_figures_agree_with_infracost_on_its_test_case(tmp_path):
    from computefit.runner import scan

    (tmp_path / "main.tf").write_text(INFRACOST_TF)
    model = scan([str(tmp_path)]).model

    def usage(unit):
        (requests, ms), _ = INFRACOST_USAGE[unit.name]
        return costs.Volumes(requests, ms / 1000, "infracost's usage file")

    billed = {p.resource: p for _, p in costs.bill(model, volumes=usage)}
    assert set(billed) == set(INFRACOST_USAGE)
    for name, (_, total) in INFRACOST_USAGE.items():
        current = billed[name].options[0]
        assert current.option.startswith("current: Lambda")
        assert round(current.monthly_usd, 2) == pytest.approx(round(total, 2), abs=0.0101), name


def test_costs_with_infracost_usage_file_agrees_with_infracost(tmp_path):
    # the same case end to end: infracost's usage file format read by --usage-file, the CLI's JSON
    (tmp_path / "main.tf").write_text(INFRACOST_TF)
    lines = ["version: 0.1", "resource_usage:"]
    for name, ((requests, ms), _) in INFRACOST_USAGE.items():
        lines += [f"  {name}:", f"    monthly_requests: {requests}", f"    request_duration_ms: {ms}"]
    (tmp_path / "infracost-usage.yml").write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(main, ["costs", str(tmp_path), "--format", "json",
                                       "--usage-file", str(tmp_path / "infracost-usage.yml")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    by_name = {r["resource"]: r for r in report["resources"]}
    for name, (_, total) in INFRACOST_USAGE.items():
        current = by_name[name]["options"][0]
        assert current["option"].startswith("current: Lambda")
        assert current["monthly_usd"] == pytest.approx(round(total, 2), abs=0.0101), name
        assert any("usage file" in a for a in current["assumptions"]), current["assumptions"]
