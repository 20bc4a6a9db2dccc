"""``computefit costs``: every compute resource of the bundled examples, current model first."""

from __future__ import annotations

import json
from pathlib import Path

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
