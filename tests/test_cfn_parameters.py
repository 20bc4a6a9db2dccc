"""CloudFormation parameter values from the command line (issue 8 item 5): --parameter KEY=VALUE
and --parameter-file FILE (the aws-cli list, {"Parameters": {...}}, KEY=VALUE lines) override the
parameters' defaults, also in the worker processes of -j N; the evidence names where each value
came from."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from computefit import runner
from computefit.cli import main
from computefit.cloudformation.parameters import ParameterFileError, read_file

QUIET = FIXTURES / "CF201" / "cfn" / "quiet_condition_false.yaml"
TIMEOUT = """\
Parameters:
  Seconds: {Type: Number, Default: 60}
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Timeout: !Ref Seconds
"""


def cf201(tmp_path, monkeypatch, *args, template=None):
    monkeypatch.chdir(tmp_path)
    if template is None:
        shutil.copy(QUIET, tmp_path / "template.yaml")
    else:
        (tmp_path / "template.yaml").write_text(template, encoding="utf-8")
    res = CliRunner().invoke(main, ["scan", "template.yaml", "--format", "json", "--fail-on", "never", *args])
    assert res.exit_code == 0, res.output
    return sorted((f for f in json.loads(res.output)["findings"] if f["check_id"] == "CF201"),
                  key=lambda f: f["resource"])


def test_a_false_condition_becomes_true_with_a_parameter(tmp_path, monkeypatch):
    assert cf201(tmp_path, monkeypatch) == []
    prod, dev = sorted(cf201(tmp_path, monkeypatch, "--parameter", "Env=prod"), key=lambda f: f["resource"] != "ProdExport")
    assert prod["resource"] == "ProdExport"
    assert "Condition IsProd is True (parameter Env from --parameter)" in prod["evidence"]["notes"][0]
    assert dev["resource"] == "DevExport"
    assert "parameter Env from --parameter" in dev["evidence"]["timeout"]["set_by"]


def test_the_value_reaches_the_worker_processes(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "MIN_PARALLEL_WORK", 1)
    for i in range(3):  # several documents, so the pool is used
        shutil.copy(QUIET, tmp_path / f"t{i}.yaml")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["scan", ".", "--format", "json", "--fail-on", "never", "-j", "2",
                                    "--parameter", "Env=prod"])
    assert res.exit_code == 0, res.output
    assert len([f for f in json.loads(res.output)["findings"] if f["check_id"] == "CF201"]) == 6


@pytest.mark.parametrize("name,text,line", [
    ("prod.json", '[\n  {"ParameterKey": "Env", "ParameterValue": "dev"},\n  {"ParameterKey": "Env",\n'
                  '   "ParameterValue": "prod"}\n]\n', 4),
    ("pipeline.json", '{\n  "Parameters": {\n    "Env": "prod"\n  },\n  "Tags": {}\n}\n', 3),
    ("prod.env", "# the production stack\n\nEnv = prod\n", 3),
])
def test_parameter_file_formats_name_their_line(tmp_path, monkeypatch, name, text, line):
    (tmp_path / name).write_text(text, encoding="utf-8")
    found = cf201(tmp_path, monkeypatch, "--parameter-file", name)
    assert {f["resource"] for f in found} == {"ProdExport", "DevExport"}
    dev = next(f for f in found if f["resource"] == "DevExport")
    assert f"parameter Env from parameter-file {name}:{line}" in dev["evidence"]["timeout"]["set_by"]


def test_later_values_win_and_the_option_wins_over_files(tmp_path, monkeypatch):
    (tmp_path / "a.env").write_text("Seconds=900\n", encoding="utf-8")
    (tmp_path / "b.env").write_text("Seconds=800\n", encoding="utf-8")
    [f] = cf201(tmp_path, monkeypatch, "--parameter-file", "a.env", "--parameter-file", "b.env", template=TIMEOUT)
    assert f["evidence"]["timeout"]["value"] == 800
    assert f["evidence"]["timeout"]["set_by"].startswith("parameter value: parameter Seconds from parameter-file b.env:1")
    assert cf201(tmp_path, monkeypatch, "--parameter-file", "a.env", "--parameter", "Seconds=30",
                 template=TIMEOUT) == []
    assert cf201(tmp_path, monkeypatch, template=TIMEOUT) == []  # the Default, 60


def test_json_values_that_are_numbers_and_lists(tmp_path):
    p = tmp_path / "p.json"
    p.write_text('{"Parameters": {"Seconds": 900, "Subnets": ["a", "b"], "On": true}}', encoding="utf-8")
    assert [(k, v) for k, v, _ in read_file(str(p), "p.json")] == [("Seconds", "900"), ("Subnets", "a,b"), ("On", "true")]
    p.write_text('[{"ParameterKey": "Old", "UsePreviousValue": true}]', encoding="utf-8")
    assert read_file(str(p)) == []  # the deployed value: not known here


@pytest.mark.parametrize("text,line,message", [
    ('[{"ParameterValue": "x"}]', 1, "ParameterKey"),
    ('{"Parameters": {"A": {"B": 1}}}', 1, "must be text, a number or a list"),
    ('{"Stack": 1}', 1, '{"Parameters"'),
    ('[{"ParameterKey": "A",\n "ParameterValue": }]', 2, "invalid JSON"),
    ("A=1\njust words\n", 2, "expected KEY=VALUE"),
    (b"A=\xff\n", 1, "not UTF-8"),
])
def test_a_bad_parameter_file_is_an_error_naming_file_and_line(tmp_path, text, line, message):
    p = tmp_path / "bad.json"
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ParameterFileError) as exc:
        read_file(str(p), "bad.json")
    assert str(exc.value).startswith(f"bad.json:{line}: " if line else "bad.json: ") and message in str(exc.value)


def test_bad_options_are_usage_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.env").write_text("Env\n", encoding="utf-8")
    for args in (["--parameter", "Envprod"], ["--parameter", "=x"], ["--parameter-file", "bad.env"],
                 ["--parameter-file", "missing.json"]):
        res = CliRunner().invoke(main, ["scan", ".", *args])
        assert res.exit_code == 2, (args, res.output)
        assert "--parameter" in res.output, res.output


def test_configuration_keys_and_the_command_line_winning(tmp_path, monkeypatch):
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "prod.env").write_text("Seconds=900\n", encoding="utf-8")
    (tmp_path / ".computefit.toml").write_text('parameter-file = "env/prod.env"\n', encoding="utf-8")
    [f] = cf201(tmp_path, monkeypatch, template=TIMEOUT)
    assert "parameter Seconds from parameter-file env/prod.env:1" in f["evidence"]["timeout"]["set_by"]
    (tmp_path / ".computefit.toml").write_text('parameter-file = "env/prod.env"\nparameter = { Seconds = 850 }\n',
                                               encoding="utf-8")
    [f] = cf201(tmp_path, monkeypatch, template=TIMEOUT)
    assert f["evidence"]["timeout"]["value"] == 850
    assert "parameter Seconds from .computefit.toml parameter.Seconds" in f["evidence"]["timeout"]["set_by"]
    assert cf201(tmp_path, monkeypatch, "--parameter", "Seconds=30", template=TIMEOUT) == []


@pytest.mark.parametrize("text,key", [
    ('parameter = "Env=prod"\n', "parameter"),
    ('parameter = { Env = ["a"] }\n', "parameter.Env"),
    ('parameter-file = "missing.json"\n', "parameter-file"),
    ('parameter-file = "../outside.json"\n', "parameter-file"),
])
def test_bad_configuration_keys_are_configuration_errors(tmp_path, monkeypatch, text, key):
    from computefit.config import ConfigError, load_config

    (tmp_path / "repo").mkdir()
    (tmp_path / "outside.json").write_text('{"Parameters": {"Env": "prod"}}', encoding="utf-8")
    (tmp_path / "repo" / ".git").mkdir()
    cfg = tmp_path / "repo" / ".computefit.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(str(cfg), discovered=True)
    assert exc.value.key == key, str(exc.value)
