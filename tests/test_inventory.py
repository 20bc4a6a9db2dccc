"""Say what was skipped: the summary counts files skipped as not IaC and excluded paths, names the
inputs computefit recognises but does not read, and --show-files lists every file."""

from __future__ import annotations

import json

from click.testing import CliRunner

from computefit.cli import main
from computefit.inventory import unsupported_kind

SAM = ("Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
       "    Properties:\n      Runtime: python3.12\n      Handler: a.h\n      Timeout: 900\n")


def _tree(root):
    (root / ".git").mkdir()
    (root / "api").mkdir()
    (root / "api" / "serverless.yml").write_text("service: orders\nprovider:\n  name: aws\n")
    (root / "plan").mkdir()
    (root / "plan" / "tfplan.json").write_text('{"format_version": "1.2", "planned_values": {"root_module": {}}}')
    (root / "package.json").write_text('{"name": "x"}')
    (root / ".github").mkdir()
    (root / "ci.yml").write_text("on: push\njobs: {}\n")
    (root / "legacy").mkdir()
    (root / "legacy" / "old.yaml").write_text(SAM)
    (root / "stack.yaml").write_text(SAM)


def test_summary_counts_and_names_what_was_not_read(tmp_path, monkeypatch):
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["scan", ".", "--exclude", "legacy", "--select", "CF201"])
    assert res.output.splitlines()[-1] == (
        "1 finding (0 error, 1 warning, 0 info) in 2 files; 2 files skipped as not IaC; 1 path excluded; "
        "not supported: api/serverless.yml (Serverless Framework service)")
    summary = json.loads(CliRunner().invoke(main, ["scan", ".", "--exclude", "legacy", "--format", "json"]).stdout)["summary"]
    assert (summary["skipped"], summary["excluded"]) == (2, 1)
    assert summary["unsupported"] == [
        {"file": "api/serverless.yml", "kind": "Serverless Framework service, not read"},
    ]  # the plan is read: it is not unsupported


def test_show_files_lists_every_file_and_what_it_was_read_as(tmp_path, monkeypatch):
    _tree(tmp_path)
    (tmp_path / "main.tf").write_text('resource "aws_lambda_function" "f" {\n  timeout = 30\n}\n')
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["scan", ".", "--exclude", "legacy", "--show-files"])
    lines = res.output.splitlines()
    start = lines.index("Files")
    listed = lines[start + 1:lines.index("", start)]
    assert listed == [
        "  api/serverless.yml  Serverless Framework service, not read",
        "  ci.yml  skipped: not infrastructure code",
        "  legacy  excluded",
        "  main.tf  Terraform, module .",
        "  package.json  skipped: not infrastructure code",
        "  plan/tfplan.json  Terraform plan JSON",
        "  stack.yaml  CloudFormation template",
    ]
    assert "Files" not in CliRunner().invoke(main, ["scan", "."]).output.splitlines()


def test_unsupported_kind_is_a_serverless_framework_service_by_name(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text('{"resource_changes": []}')
    assert unsupported_kind(str(plan)) is None  # plans are read (discovery sniffs them)
    assert unsupported_kind(str(tmp_path / "serverless.yaml")).startswith("Serverless Framework")
    assert unsupported_kind(str(tmp_path / "serverless.yml.bak")) is None


def test_a_large_lock_file_is_skipped_and_a_large_template_still_refused(tmp_path, monkeypatch):
    """The adoption case: a 15 MB package-lock.json beside a workflow and a Helm chart passes a
    folder scan (the Action's default paths: .); a template over the limit is still reported."""
    (tmp_path / ".git").mkdir()
    entry = '    "node_modules/pkg-%d": {"version": "1.0.%d", "resolved": "https://registry.npmjs.org/x", "integrity": "sha512-abc"},\n'
    with open(tmp_path / "package-lock.json", "w") as fh:
        fh.write('{\n  "name": "app",\n  "lockfileVersion": 3,\n  "packages": {\n')
        i = 0
        while fh.tell() < 15 * 1024 * 1024:
            fh.write(entry % (i, i))
            i += 1
        fh.write('    "": {}\n  }\n}\n')
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n")
    (tmp_path / "chart" / "templates").mkdir(parents=True)
    (tmp_path / "chart" / "templates" / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["scan", "."])
    assert res.exit_code == 0, res.output
    assert "skipped as not IaC" in res.output.splitlines()[-1]
    big = tmp_path / "stack.template.json"
    big.write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {' + " " * (11 * 1024 * 1024) + "}}")
    res = CliRunner().invoke(main, ["scan", "."])
    assert res.exit_code == 2 and "over the 10 MB limit for a template" in res.output
