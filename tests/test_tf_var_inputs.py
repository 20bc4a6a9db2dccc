"""Terraform environments from the command line and the configuration file (issue 8 item 5):
--var-file (repeatable, .tfvars and .tfvars.json), --var NAME=VALUE, TF_VAR_name, with Terraform's
precedence, and evidence naming the file and line that set each value."""

from __future__ import annotations

import json

from click.testing import CliRunner

from computefit.cli import main

MAIN = """variable "timeout" {
  type    = number
  default = 30
}

resource "aws_lambda_function" "report" {
  function_name = "report"
  role          = "arn:aws:iam::123456789012:role/report"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "report.zip"
  timeout       = var.timeout
}
"""


def repo(tmp_path):
    (tmp_path / ".git").mkdir(parents=True)
    (tmp_path / "main.tf").write_text(MAIN)
    (tmp_path / "terraform.tfvars").write_text("timeout = 60\n")
    (tmp_path / "prod.tfvars").write_text("# production\n\n\ntimeout = 900\n")
    (tmp_path / "big.tfvars.json").write_text('{\n  "timeout": 850\n}\n')
    return tmp_path


def cf201(tmp_path, monkeypatch, *args, env=None):
    monkeypatch.chdir(tmp_path)
    for k, v in (env or {}).items():
        monkeypatch.setenv(k, v)
    res = CliRunner().invoke(main, ["scan", ".", "--format", "json", "--fail-on", "never", *args])
    assert res.exit_code == 0, res.output
    return [f for f in json.loads(res.output)["findings"] if f["check_id"] == "CF201"]


def test_var_file_changes_the_finding_and_names_its_line(tmp_path, monkeypatch):
    repo(tmp_path)
    assert cf201(tmp_path, monkeypatch) == []  # terraform.tfvars alone: 60 s
    [f] = cf201(tmp_path, monkeypatch, "--var-file", "prod.tfvars")
    assert (f["file"], f["line"], f["evidence"]["timeout"]["value"]) == ("prod.tfvars", 4, 900)
    assert "var-file prod.tfvars:4" in f["evidence"]["timeout"]["set_by"]


def test_precedence_later_var_files_then_var_win(tmp_path, monkeypatch):
    repo(tmp_path)
    [f] = cf201(tmp_path, monkeypatch, "--var-file", "prod.tfvars", "--var-file", "big.tfvars.json")
    assert (f["file"], f["line"], f["evidence"]["timeout"]["value"]) == ("big.tfvars.json", 2, 850)
    assert cf201(tmp_path, monkeypatch, "--var-file", "prod.tfvars", "--var", "timeout=100") == []
    [f] = cf201(tmp_path, monkeypatch, "--var", "timeout=800")
    assert f["evidence"]["timeout"]["value"] == 800 and "--var timeout" in f["evidence"]["timeout"]["set_by"]


def test_tf_var_environment_is_below_tfvars_files(tmp_path, monkeypatch):
    repo(tmp_path)
    assert cf201(tmp_path, monkeypatch, env={"TF_VAR_timeout": "900"}) == []  # terraform.tfvars wins
    (tmp_path / "terraform.tfvars").unlink()
    [f] = cf201(tmp_path, monkeypatch, env={"TF_VAR_timeout": "900"})
    assert f["evidence"]["timeout"]["value"] == 900
    assert "TF_VAR_timeout" in f["evidence"]["timeout"]["set_by"]


def test_config_file_keys_and_its_var_files_stay_in_the_boundary(tmp_path, monkeypatch):
    root = repo(tmp_path / "repo")
    (root / ".computefit.toml").write_text('var-file = ["prod.tfvars"]\n')
    [f] = cf201(root, monkeypatch)
    assert (f["file"], f["line"]) == ("prod.tfvars", 4)
    # the command line's var-files and values come after the configuration's
    assert cf201(root, monkeypatch, "--var", "timeout=10") == []
    (root / ".computefit.toml").write_text('[var]\ntimeout = 900\n')
    [f] = cf201(root, monkeypatch)
    assert ".computefit.toml var.timeout" in f["evidence"]["timeout"]["set_by"]
    # a discovered configuration's var-file is a read: outside the boundary it is a notice
    (tmp_path / "outside.tfvars").write_text("timeout = 900\n")
    (root / ".computefit.toml").write_text('var-file = ["../outside.tfvars"]\n')
    monkeypatch.chdir(root)
    res = CliRunner().invoke(main, ["scan", ".", "--format", "json", "--fail-on", "never"])
    out = json.loads(res.output)
    assert [f for f in out["findings"] if f["check_id"] == "CF201"] == []
    assert any("outside.tfvars" in n["file"] and "outside the read boundary" in n["message"]
               for n in out["notices"])
    # named on the command line, the same file is the user's choice and is read
    (root / ".computefit.toml").unlink()
    [f] = cf201(root, monkeypatch, "--var-file", "../outside.tfvars")
    assert f["evidence"]["timeout"]["value"] == 900


def test_bad_var_option_is_a_usage_error(tmp_path, monkeypatch):
    repo(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["scan", ".", "--var", "novalue"])
    assert res.exit_code == 2 and "NAME=VALUE" in res.output
    res = CliRunner().invoke(main, ["scan", ".", "--var-file", "missing.tfvars"])
    assert res.exit_code == 2
