"""`computefit model`: the resource graph and compute model of the bundled examples."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from computefit.cli import main

REPO = Path(__file__).resolve().parent.parent


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_model_json_of_the_examples(monkeypatch):
    monkeypatch.chdir(REPO)
    out = run("model", "examples", "--format", "json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["errors"] == []
    docs = {d["path"]: d for d in data["documents"]}
    assert set(docs) == {"examples/orders-api/template.yaml", "examples/reporting-host/template.json",
                         "examples/terraform"}
    tf = docs["examples/terraform"]
    res = {r["address"]: r for r in tf["resources"]}
    # every resource is emitted, mapped or not
    assert res["aws_iam_role.lambda"]["kind"] is None
    fn = res["aws_lambda_function.reconcile"]
    assert fn["kind"] == "lambda_function"
    assert fn["attributes"]["timeout"] == {"value": 870, "set_by": "tfvars file: variable reconcile_timeout set in "
                                           "examples/terraform/terraform.tfvars:2",
                                           "at": "examples/terraform/terraform.tfvars:2"}
    assert {"via": "target", "target": "aws_lambda_function.reconcile", "ref": "arn",
            "at": "examples/terraform/main.tf:78"} in res["aws_scheduler_schedule.reconcile_hourly"]["edges"]
    # properties the kinds table does not map are kept raw, with an edge for each reference
    assert fn["raw"]["role"] == "aws_iam_role.lambda.arn"
    assert {"via": "property:role", "target": "aws_iam_role.lambda", "ref": "arn",
            "at": "examples/terraform/main.tf:61"} in fn["edges"]
    units = {u["name"]: u for u in tf["units"]}
    [sched] = units["aws_lambda_function.reconcile"]["triggers"]
    assert (sched["kind"], sched["resource"], sched["invokes"]) == (
        "schedule", "aws_scheduler_schedule.reconcile_hourly", "$LATEST")
    assert sched["schedule"]["runs_per_day"] == 24
    host = units["aws_instance.invoice_batch"]["setup"]["user_data"]
    assert [j["command"] for j in host["jobs"]] == ["/opt/invoices/render-invoices --env production >> /var/log/invoices.log 2>&1"]
    assert units["aws_instance.web"]["setup"]["user_data"]["services"][0]["kind"]
    sam = docs["examples/orders-api/template.yaml"]
    units = {u["name"]: u for u in sam["units"]}
    [checkout] = units["CheckoutFunction"]["triggers"]
    assert (checkout["kind"], checkout["invokes"]) == ("http_api", "alias 'live'")
    assert units["CheckoutFunction"]["qualifiers"][0]["resource"] == "CheckoutFunctionAliaslive"
    implicit = {r["address"]: r for r in sam["resources"]}["OrderEventsConsumer.Events.Queue"]
    assert (implicit["kind"], implicit["declared_by"]) == ("event_source_mapping", "OrderEventsConsumer")
    assert [e["target"] for e in implicit["edges"] if e["via"] == "event_source"] == ["OrderEventsQueue"]


def test_model_text_of_an_example(monkeypatch):
    monkeypatch.chdir(REPO)
    out = run("model", "examples/orders-api")
    assert out.exit_code == 0, out.output
    text = out.output
    assert "  OrderEventsQueue  AWS::SQS::Queue  [sqs_queue]  examples/orders-api/template.yaml:95-98" in text
    assert ("    timeout = 840  (parameter default: parameter ExportTimeoutSeconds Default at line 11, "
            "referenced at line 83 at examples/orders-api/template.yaml:11)") in text
    assert "      trigger http_api from CheckoutFunction.Events.Checkout at examples/orders-api/template.yaml:70, " \
           "invokes alias 'live'" in text
    assert "    event_source -> OrderEventsQueue (Arn)" in text
    assert "    property:Policies -> OrdersTable (Ref)" in text
    assert "    not mapped: Handler" not in text and "not mapped: CodeUri" in text


def test_model_reports_unreadable_files(tmp_path):
    bad = tmp_path / "bad.tf"
    bad.write_text("resource \"aws_instance\" \"x\" {\n")
    out = run("model", str(tmp_path))
    assert out.exit_code == 2
    assert "error: " in out.output and "bad.tf" in out.output


def test_model_takes_the_environment_options_of_scan(tmp_path, monkeypatch):
    """--var, --var-file, --parameter, --parameter-file and --root change the model as they change
    a scan, so the model shown is the one checked."""
    tf = tmp_path / "tf"
    tf.mkdir()
    (tf / "main.tf").write_text('variable "timeout" { default = 3 }\n'
                                'resource "aws_lambda_function" "f" {\n  timeout = var.timeout\n}\n'
                                'module "m" {\n  source = "../shared"\n}\n')
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "main.tf").write_text('resource "aws_lambda_function" "g" {\n  timeout = 5\n}\n')
    (tmp_path / "prod.tfvars").write_text("timeout = 600\n")
    (tmp_path / "stack.yaml").write_text(
        "Parameters:\n  T:\n    Type: Number\n    Default: 3\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
        "    Properties:\n      Timeout: !Ref T\n")
    (tmp_path / "params.json").write_text('[{"ParameterKey": "T", "ParameterValue": "700"}]')
    monkeypatch.chdir(tmp_path)

    def model(*args: str) -> dict:
        out = run("model", *args, "--format", "json")
        assert out.exit_code == 0, out.output
        data = json.loads(out.output)
        return {r["address"]: r["attributes"].get("timeout", {}).get("value")
                for d in data["documents"] for r in d["resources"]} | {"notices": data["notices"]}

    plain = model("tf", "stack.yaml")
    assert (plain["aws_lambda_function.f"], plain["Fn"]) == (3, 3)
    assert "module.m.aws_lambda_function.g" not in plain  # ../shared is outside the boundary (tf)
    assert any("outside the read boundary" in n["message"] for n in plain["notices"])
    assert model("tf", "--var", "timeout=900")["aws_lambda_function.f"] == 900
    assert model("tf", "--var-file", "prod.tfvars")["aws_lambda_function.f"] == 600
    assert model("stack.yaml", "--parameter", "T=800")["Fn"] == 800
    assert model("stack.yaml", "--parameter-file", "params.json")["Fn"] == 700
    wide = model("tf", "--root", ".")
    assert wide["module.m.aws_lambda_function.g"] == 5 and wide["notices"] == []
    bad = run("model", "tf", "--var", "novalue")
    assert bad.exit_code == 2 and "expected NAME=VALUE" in bad.output
