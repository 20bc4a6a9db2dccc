"""CDK construct paths (issue 8 item 10): a finding on a template cdk synth wrote names the
resource's construct path (Metadata aws:cdk:path) beside its logical ID, in the model and in every
report that names the resource."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import FIXTURES

from computefit.cli import main

CASE = FIXTURES / "CF202" / "cfn" / "fire_cdk_construct_path.template.json"
PATH = "OrdersStack/OrdersFn/Resource"


def run(*args) -> str:
    res = CliRunner().invoke(main, ["scan", str(CASE), "--select", "CF202", "--fail-on", "never", *args])
    assert res.exit_code == 0, res.output
    return res.output


def test_text_names_the_construct_after_the_logical_id():
    assert f"OrdersFn0A1B2C3D ({PATH}) has a timeout of 20 s" in run()
    assert f"resource: OrdersFn0A1B2C3D (AWS::Lambda::Function), CDK construct {PATH};" in run("--format", "full")


def test_json_sarif_markdown_github():
    finding = json.loads(run("--format", "json"))["findings"][0]
    assert (finding["resource"], finding["construct_path"]) == ("OrdersFn0A1B2C3D", PATH)
    result = json.loads(run("--format", "sarif"))["runs"][0]["results"][0]
    assert result["properties"]["constructPath"] == PATH
    assert result["message"]["text"].startswith(f"OrdersFn0A1B2C3D ({PATH}) has")
    assert f"OrdersFn0A1B2C3D ({PATH})" in run("--format", "markdown")
    assert f"::OrdersFn0A1B2C3D ({PATH}) has" in run("--format", "github")


def test_the_model_keeps_it_and_sam_generated_resources_inherit_it(tmp_path):
    template = tmp_path / "Stack.template.json"
    template.write_text(json.dumps({"Transform": "AWS::Serverless-2016-10-31", "Resources": {
        "Fn1234": {"Type": "AWS::Serverless::Function", "Metadata": {"aws:cdk:path": "Stack/Fn"},
                   "Properties": {"Runtime": "python3.12", "Handler": "a.b", "Timeout": 29,
                                  "Events": {"Get": {"Type": "Api", "Properties": {"Path": "/", "Method": "get"}}}}},
        "Plain": {"Type": "AWS::SQS::Queue"}}}))
    out = json.loads(CliRunner().invoke(main, ["model", str(template), "--format", "json"]).output)
    by = {r["address"]: r for d in out["documents"] for r in d["resources"]}
    assert by["Fn1234"]["construct_path"] == "Stack/Fn"
    assert by["Fn1234.Events.Get"]["construct_path"] == "Stack/Fn"
    assert "construct_path" not in by["Plain"]


def test_no_construct_path_without_the_metadata():
    res = CliRunner().invoke(main, ["scan", str(FIXTURES / "CF202" / "cfn" / "fire_rest_method_regional.json"),
                                    "--format", "json", "--fail-on", "never"])
    assert all("construct_path" not in f for f in json.loads(res.output)["findings"])
