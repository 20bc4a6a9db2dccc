"""Nested stacks (issue 8 item 10): AWS::CloudFormation::Stack with a local TemplateURL (or the
CDK asset metadata naming a *.nested.template.json) and AWS::Serverless::Application with a local
Location are evaluated with the parameters they pass, their resources named Stack/LogicalId, the
child reported once per instance and not on its own; what is not followed is a notice."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from computefit import runner
from computefit.cli import main
from computefit.cloudformation import nested

CHILD = """\
Parameters:
  Timeout: {Type: Number, Default: 60}
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Timeout: !Ref Timeout
"""


def stack(name: str, url: str, timeout: str | None = "880", extra: str = "") -> str:
    params = f"\n      Parameters:\n        Timeout: {timeout!r}" if timeout is not None else ""
    return f"  {name}:\n    Type: AWS::CloudFormation::Stack{extra}\n    Properties:\n      TemplateURL: {url}{params}\n"


def scan(folder, monkeypatch, *args, paths=(".",)):
    monkeypatch.chdir(folder)
    res = CliRunner().invoke(main, ["scan", *paths, "--format", "json", "--fail-on", "never", "--select", "CF201", *args])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    return sorted((f["resource"], f["file"], f["line"]) for f in report["findings"]), [
        (n["file"], n["line"], n["message"]) for n in report["notices"]]


def write(folder, files: dict[str, str]):
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_each_instance_is_reported_and_the_child_not_on_its_own(tmp_path, monkeypatch):
    write(tmp_path, {"parent.yaml": "Resources:\n" + stack("A", "child.yaml") + stack("B", "child.yaml", "890")
                     + stack("C", "child.yaml", "30"), "child.yaml": CHILD})
    found, notices = scan(tmp_path, monkeypatch)
    assert found == [("A/Fn", "child.yaml", 7), ("B/Fn", "child.yaml", 7)]
    assert notices == []
    # named alone, the child is read with its own Defaults (and nothing fires)
    assert scan(tmp_path, monkeypatch, paths=("child.yaml",))[0] == []


def test_the_same_in_worker_processes(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "MIN_PARALLEL_WORK", 1)
    files = {"child.yaml": CHILD}
    for i in range(4):
        files[f"p{i}.yaml"] = "Resources:\n" + stack("Nested", "child.yaml")
    write(tmp_path, files)
    serial, _ = scan(tmp_path, monkeypatch, "-j", "1")
    assert serial == [("Nested/Fn", "child.yaml", 7)] * 4
    assert scan(tmp_path, monkeypatch, "-j", "2")[0] == serial


def test_deeper_nesting_and_a_cycle(tmp_path, monkeypatch):
    write(tmp_path, {
        "top.yaml": "Resources:\n" + stack("Mid", "mid.yaml", None),
        "mid.yaml": "Resources:\n" + stack("Leaf", "leaf/child.yaml"),
        "leaf/child.yaml": CHILD + stack("Back", "../mid.yaml", None),
    })
    found, notices = scan(tmp_path, monkeypatch)
    assert found == [("Mid/Leaf/Fn", "leaf/child.yaml", 7)]  # through top.yaml, the one no template includes
    assert ("leaf/child.yaml", 11, "nested stack Back: ../mid.yaml includes this template (a cycle); not followed") in notices


def test_a_cycle_of_scanned_templates_is_still_reported_once(tmp_path, monkeypatch):
    write(tmp_path, {"a.yaml": "Resources:\n" + stack("B", "b.yaml", None) + CHILD.split("Resources:\n")[1]
                     .replace("Timeout: !Ref Timeout", "Timeout: 880"),
                     "b.yaml": "Resources:\n" + stack("A", "a.yaml", None)})
    found, _ = scan(tmp_path, monkeypatch)
    assert found == [("Fn", "a.yaml", 9)]


@pytest.mark.parametrize("url,message", [
    ("s3://bucket/child.yaml", "TemplateURL s3://bucket/child.yaml is not a local file; not followed"),
    ("https://bucket.s3.amazonaws.com/c.yaml", "is not a local file; not followed"),
    ("!Sub 'https://${Bucket}.s3.amazonaws.com/c.yaml'", "is not a local file; not followed"),
    ("!Ref ChildUrl", "TemplateURL is not known statically (parameter ChildUrl has no Default"),
    ("!Sub '${Bucket}/c.yaml'", "b/c.yaml not found"),  # resolved from the parameter's Default
    ("!Sub '${Prefix}/c.yaml'", "TemplateURL ${Prefix}/c.yaml is only known at deploy time; not followed"),
    ("'{{resolve:ssm:/templates/child:1}}'", "is only known at deploy time"),
    ("missing.yaml", "missing.yaml not found; not followed"),
    ("../outside.yaml", "outside the read boundary"),
])
def test_what_is_not_followed_is_a_notice(tmp_path, monkeypatch, url, message):
    (tmp_path / "outside.yaml").write_text(CHILD)
    repo = tmp_path / "repo"
    write(repo, {".git/HEAD": "", "parent.yaml": "Parameters:\n  ChildUrl: {Type: String}\n  Bucket: {Type: String, Default: b}\n"
                 "Resources:\n" + stack("N", url)})
    found, notices = scan(repo, monkeypatch)
    assert found == []
    [(file, line, text)] = notices
    assert (file, line) == ("parent.yaml", 8) and text.startswith("nested stack N: ") and message in text


def test_a_child_that_cannot_be_read(tmp_path, monkeypatch):
    write(tmp_path, {"parent.yaml": "Resources:\n" + stack("N", "child.yaml"), "child.yaml": "Resources: [\n"})
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["scan", "parent.yaml", "--format", "json", "--fail-on", "never"])
    report = json.loads(res.output)
    assert report["errors"] == []  # the child was not scanned on its own: its problem is the notice
    [notice] = report["notices"]
    assert notice["message"].startswith("nested stack N: child.yaml:2: YAML syntax error")
    assert notice["message"].endswith("; not evaluated")


def test_a_link_leading_outside_the_boundary_is_not_followed(tmp_path, monkeypatch):
    (tmp_path / "secret.yaml").write_text(CHILD)
    repo = tmp_path / "repo"
    write(repo, {".git/HEAD": "", "parent.yaml": "Resources:\n" + stack("N", "child.yaml")})
    os.symlink(tmp_path / "secret.yaml", repo / "child.yaml")
    found, notices = scan(repo, monkeypatch)
    assert found == [] and "symbolic link" in notices[-1][2] and "not followed" in notices[-1][2]


def test_sam_application_locations(tmp_path, monkeypatch):
    write(tmp_path, {"template.yaml": (
        "Resources:\n  Sar:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location:\n"
        "        ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/x\n"
        "        SemanticVersion: 1.0.0\n"
        "  Local:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: app.yaml\n"
        "      Parameters:\n        Timeout: 870\n"), "app.yaml": CHILD})
    found, notices = scan(tmp_path, monkeypatch)
    assert found == [("Local/Fn", "app.yaml", 7)]
    assert notices == [("template.yaml", 5, "nested application Sar: Location is a Serverless Application Repository "
                        "application (arn:aws:serverlessrepo:us-east-1:123456789012:applications/x); not followed "
                        "(its resources are not checked)")]


def test_an_unknown_condition_on_the_stack_carries_to_its_resources(tmp_path, monkeypatch):
    write(tmp_path, {"parent.yaml": "Parameters:\n  Env: {Type: String}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\n"
                     "Resources:\n" + stack("N", "child.yaml", extra="\n    Condition: IsProd"), "child.yaml": CHILD})
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["scan", ".", "--format", "json", "--fail-on", "never", "--select", "CF201"])
    [f] = json.loads(res.output)["findings"]
    assert f["confidence"] == "medium" and f["evidence"]["may_not_exist"].startswith("nested stack N: Condition IsProd")


def test_parameters_the_parent_cannot_resolve_are_unknown(tmp_path, monkeypatch):
    write(tmp_path, {"parent.yaml": "Resources:\n" + stack("N", "child.yaml").replace("'880'", "!ImportValue t"),
                     "child.yaml": CHILD})
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["model", ".", "--format", "json"])
    [doc] = json.loads(res.output)["documents"]
    fn = next(r for r in doc["resources"] if r["address"] == "N/Fn")
    assert "unknown" in json.dumps(fn["attributes"]["timeout"]) and "Fn::ImportValue t" in json.dumps(fn["attributes"])


def test_the_depth_is_bounded(tmp_path, monkeypatch):
    depth = nested.MAX_DEPTH + 2
    files = {f"t{i}.yaml": "Resources:\n" + stack("N", f"t{i + 1}.yaml", None) for i in range(depth)}
    files[f"t{depth}.yaml"] = CHILD
    write(tmp_path, files)
    found, notices = scan(tmp_path, monkeypatch, paths=("t0.yaml",))
    assert found == []
    assert [n[2] for n in notices] == [f"nested stack N: nested more than {nested.MAX_DEPTH} levels deep; not followed"]


def test_cdk_nested_stack_fixture_names_the_construct():
    res = CliRunner().invoke(main, ["scan", str(FIXTURES / "CF201" / "cfn" / "fire_cdk_nested_stack"), "--select", "CF201",
                                    "--format", "json", "--fail-on", "never"])
    [f] = json.loads(res.output)["findings"]
    assert f["construct_path"] == "PaymentsStack/Export/ExportFn/Resource"
    assert f["file"].endswith("PaymentsStackExport1A2B3C4D.nested.template.json")


def test_a_suppression_on_the_nested_stack_resource_covers_its_resources(tmp_path, monkeypatch):
    write(tmp_path, {"parent.yaml": "Resources:\n  # computefit:ignore CF201 -- reviewed batch worker\n"
                     + stack("A", "child.yaml") + stack("B", "child.yaml"), "child.yaml": CHILD})
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["scan", ".", "--format", "json", "--fail-on", "never", "--select", "CF201,CF001",
                                    "--show-suppressed"])
    report = json.loads(res.output)
    assert [f["resource"] for f in report["findings"]] == ["B/Fn"]
    assert [f["resource"] for f in report["suppressed"]] == ["A/Fn"]
