"""SAM CLI configuration files (issue 8 item 5): the parameter_overrides of a samconfig.toml /
.yaml / .yml beside the template (or --sam-config FILE), for the environment --sam-config-env names
(default: default), ranking below --parameter-file and --parameter and above the Defaults; the
evidence names the file and line."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from computefit.cli import main
from computefit.cloudformation import samconfig
from computefit.cloudformation.parameters import ParameterFileError

TEMPLATE = """\
Parameters:
  Seconds: {Type: Number, Default: 60}
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Timeout: !Ref Seconds
  ProdOnly:
    Type: AWS::Lambda::Function
    Condition: IsProd
    Properties:
      Timeout: 900
"""

SAMCONFIG = """\
version = 0.1
[default.global.parameters]
stack_name = "app"
parameter_overrides = "Seconds=700 Env=dev"

[default.deploy.parameters]
parameter_overrides = "Seconds=\\"880\\""

[prod.deploy.parameters]
parameter_overrides = [
  "Env=prod",
  "ParameterKey=Seconds,ParameterValue=860",
]
"""


def scan(folder, monkeypatch, *args, code=0):
    monkeypatch.chdir(folder)
    res = CliRunner().invoke(main, ["scan", ".", "--format", "json", "--fail-on", "never", *args])
    assert res.exit_code == code, res.output
    report = json.loads(res.output)
    return {f["resource"]: f for f in report["findings"] if f["check_id"] == "CF201"}, report


@pytest.fixture
def project(tmp_path):
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "samconfig.toml").write_text(SAMCONFIG, encoding="utf-8")
    return tmp_path


def test_the_default_environment_beside_the_template_applies(project, monkeypatch):
    found, _ = scan(project, monkeypatch)
    assert set(found) == {"Fn"}  # Env=dev: ProdOnly is not created
    assert "880 s" in found["Fn"]["message"]
    # deploy wins over global, and the evidence names the file and line of the pair
    assert "parameter Seconds from samconfig.toml:7 [default.deploy.parameters]" in found["Fn"]["evidence"]["timeout"]["set_by"]


def test_a_named_environment(project, monkeypatch):
    found, _ = scan(project, monkeypatch, "--sam-config-env", "prod")
    assert set(found) == {"Fn", "ProdOnly"}
    assert "860 s" in found["Fn"]["message"]
    assert "samconfig.toml:12 [prod.deploy.parameters]" in found["Fn"]["evidence"]["timeout"]["set_by"]
    assert "samconfig.toml:11" in found["ProdOnly"]["evidence"]["notes"][0]


def test_parameter_files_and_options_win_over_samconfig(project, monkeypatch):
    (project / "prod.env").write_text("Seconds=30\n", encoding="utf-8")
    found, _ = scan(project, monkeypatch, "--sam-config-env", "prod", "--parameter-file", "prod.env")
    assert set(found) == {"ProdOnly"}  # Env still from samconfig; Seconds from the file
    found, _ = scan(project, monkeypatch, "--parameter", "Seconds=100")
    assert found == {}


def test_without_samconfig_the_defaults_apply(project, monkeypatch):
    os.remove(project / "samconfig.toml")
    found, _ = scan(project, monkeypatch)
    assert found == {}


def test_an_environment_the_file_lacks_is_a_notice(project, monkeypatch):
    found, report = scan(project, monkeypatch, "--sam-config-env", "staging")
    assert found == {}
    assert [n["message"] for n in report["notices"]] == [
        "no environment staging in this samconfig file; its parameter_overrides are not applied to template.yaml"]


def test_yaml_samconfig_when_there_is_no_toml(project, monkeypatch):
    os.remove(project / "samconfig.toml")
    (project / "samconfig.yaml").write_text(
        "version: 0.1\ndefault:\n  deploy:\n    parameters:\n      parameter_overrides:\n"
        "        - Env=prod\n        - Seconds=890\n", encoding="utf-8")
    found, _ = scan(project, monkeypatch)
    assert set(found) == {"Fn", "ProdOnly"}
    assert "samconfig.yaml:7 [default.deploy.parameters]" in found["Fn"]["evidence"]["timeout"]["set_by"]


def test_a_named_samconfig_and_the_config_keys(project, monkeypatch, tmp_path_factory):
    other = tmp_path_factory.mktemp("elsewhere") / "samconfig.toml"
    other.write_text('[qa.deploy.parameters]\nparameter_overrides = "Seconds=899"\n', encoding="utf-8")
    found, _ = scan(project, monkeypatch, "--sam-config", str(other), "--sam-config-env", "qa")
    assert "899 s" in found["Fn"]["message"]  # the named file replaces the one beside the template
    (project / ".computefit.toml").write_text('sam-config-env = "prod"\n', encoding="utf-8")
    found, _ = scan(project, monkeypatch)
    assert set(found) == {"Fn", "ProdOnly"}


def test_a_config_found_in_the_tree_cannot_name_a_samconfig_outside_the_boundary(project, monkeypatch):
    (project / ".git").mkdir()
    (project / ".computefit.toml").write_text('sam-config = "../samconfig.toml"\n', encoding="utf-8")
    monkeypatch.chdir(project)
    res = CliRunner().invoke(main, ["scan", "."])
    assert res.exit_code == 2
    assert "sam-config" in res.output and "outside the read boundary" in res.output


def test_a_broken_samconfig_is_an_error_and_the_template_is_still_read(project, monkeypatch):
    (project / "samconfig.toml").write_text("[default.deploy.parameters]\nparameter_overrides = [1, {a = 1}]\n")
    found, report = scan(project, monkeypatch, code=2)
    assert found == {}  # read with its defaults
    assert [(e["file"], e["line"]) for e in report["errors"]] == [("samconfig.toml", 2)]
    (project / "samconfig.toml").write_text("[default\n")
    _, report = scan(project, monkeypatch, code=2)
    assert report["errors"][0]["file"] == "samconfig.toml" and "invalid TOML" in report["errors"][0]["message"]
    (project / "samconfig.toml").write_text('[default.deploy.parameters]\nparameter_overrides = "Env=\'prod"\n')
    _, report = scan(project, monkeypatch, code=2)
    assert "No closing quotation" in report["errors"][0]["message"]


def test_a_named_samconfig_without_the_environment_is_an_error(project, monkeypatch):
    found, report = scan(project, monkeypatch, "--sam-config", "samconfig.toml", "--sam-config-env", "qa", code=2)
    assert report["errors"][0]["message"] == "no environment qa in this samconfig file (--sam-config-env)"


@pytest.mark.parametrize("text,pairs", [
    ('Env=prod Name="a b" Quote=\'x y\'', [("Env", "prod"), ("Name", "a b"), ("Quote", "x y")]),
    ("ParameterKey=Env,ParameterValue=prod ParameterKey=N,ParameterValue=1", [("Env", "prod"), ("N", "1")]),
    (["A=1 B=2", "C=a=b"], [("A", "1"), ("B", "2"), ("C", "a=b")]),
    ("", []),
])
def test_parameter_overrides_forms(text, pairs):
    assert samconfig.parse_overrides(text, "samconfig.toml", 3, "default.deploy.parameters") == pairs


@pytest.mark.parametrize("bad", ["Env", "=x", ["A=1", True], {"Env": "prod"}])
def test_parameter_overrides_that_are_not_pairs(bad):
    with pytest.raises(ParameterFileError) as exc:
        samconfig.parse_overrides(bad, "samconfig.toml", 3, "default.deploy.parameters")
    assert exc.value.line == 3


def test_the_samconfig_beside_is_found_in_sam_order(tmp_path):
    (tmp_path / "samconfig.yml").write_text("x: 1\n")
    assert samconfig.beside(str(tmp_path / "template.yaml")) == str(tmp_path / "samconfig.yml")
    (tmp_path / "samconfig.toml").write_text("")
    assert samconfig.beside(str(tmp_path / "template.yaml")) == str(tmp_path / "samconfig.toml")


def test_a_samconfig_link_leading_outside_the_boundary_is_not_read(tmp_path):
    repo, outside = tmp_path / "repo", tmp_path / "outside.toml"
    repo.mkdir()
    (repo / ".git").mkdir()
    outside.write_text(SAMCONFIG)
    os.symlink(outside, repo / "samconfig.toml")
    assert samconfig.beside(str(repo / "template.yaml")) is None
