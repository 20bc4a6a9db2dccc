"""Baseline and configuration for CI and the hook alike: ``baseline = FILE`` in the configuration
(inside the read boundary when the file was looked for), CF002/CF003 never baselined,
``--write-baseline`` printing what it wrote, the counts in the JSON summary, competing files."""

from __future__ import annotations

import json

from click.testing import CliRunner

from computefit.cli import main

FN = """\
  {name}:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Timeout: 900
"""


def _repo(tmp_path, *, comment: str = ""):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "stack").mkdir()
    text = "Transform: AWS::Serverless-2016-10-31\nResources:\n" + FN.format(name="Export")
    if comment:
        text += f"  {comment}\n" + FN.format(name="Quiet")
    (root / "stack" / "template.yaml").write_text(text)
    return root


def test_baseline_from_the_configuration(tmp_path, monkeypatch):
    root = _repo(tmp_path)
    monkeypatch.chdir(root)
    (root / "ci").mkdir()
    runner = CliRunner()
    wrote = runner.invoke(main, ["scan", "stack", "--write-baseline", "ci/baseline.json"])
    assert wrote.exit_code == 0 and wrote.stdout == ""  # only what it wrote, on stderr
    assert wrote.stderr == "computefit: recorded 1 finding in ci/baseline.json\n"
    (root / ".computefit.toml").write_text('baseline = "ci/baseline.json"\n')
    # from another folder too: the path is relative to the configuration's folder
    monkeypatch.chdir(root / "stack")
    res = runner.invoke(main, ["scan", ".", "--format", "json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)["summary"]
    assert (summary["findings"], summary["baselined"], summary["suppressed"]) == (0, 1, 0)
    # the command line wins
    assert runner.invoke(main, ["scan", ".", "--baseline", str(tmp_path / "none.json")]).exit_code == 2


def test_a_discovered_configuration_cannot_read_a_baseline_outside_its_boundary(tmp_path, monkeypatch):
    root = _repo(tmp_path)
    (tmp_path / "secret.json").write_text("{}")
    (root / ".computefit.toml").write_text('baseline = "../secret.json"\n')
    monkeypatch.chdir(root)
    res = CliRunner().invoke(main, ["scan", "stack"])
    assert res.exit_code == 2
    assert "baseline" in res.stderr and "outside the read boundary" in res.stderr
    (root / ".computefit.toml").write_text('baseline = ".git/config"\n')
    res = CliRunner().invoke(main, ["scan", "stack"])
    assert res.exit_code == 2 and "never read" in res.stderr
    # named with --config, the user chose it: a baseline anywhere is read
    (tmp_path / "ci.toml").write_text('baseline = "secret.json"\n')
    res = CliRunner().invoke(main, ["scan", "stack", "--config", str(tmp_path / "ci.toml")])
    assert res.exit_code == 2 and "no \"version\" key" in res.stderr  # it was read (and is no baseline)


def test_expired_and_invalid_suppressions_are_never_baselined(tmp_path, monkeypatch):
    root = _repo(tmp_path, comment="# computefit:ignore CF201 until 2020-01-31 -- moved to Batch")
    text = (root / "stack" / "template.yaml").read_text() + "  # computefit:ignore CF999\n" + FN.format(name="Other")
    (root / "stack" / "template.yaml").write_text(text)
    monkeypatch.chdir(root)
    runner = CliRunner()
    first = json.loads(runner.invoke(main, ["scan", "stack", "--format", "json"]).stdout)
    ids = sorted(f["check_id"] for f in first["findings"])
    assert "CF002" in ids and "CF003" in ids
    wrote = runner.invoke(main, ["scan", "stack", "--write-baseline", "b.json"])
    recorded = json.loads((root / "b.json").read_text())["findings"]
    assert {e["check_id"] for e in recorded} == {"CF201"}
    assert "CF002/CF003 findings are never baselined" in wrote.stderr
    # even a hand-written entry does not silence them
    recorded.append({"check_id": "CF002", "file": "stack/template.yaml", "resource": "Quiet", "count": 1})
    (root / "b.json").write_text(json.dumps({"version": 1, "findings": recorded}))
    again = json.loads(runner.invoke(main, ["scan", "stack", "--baseline", "b.json", "--format", "json"]).stdout)
    assert sorted(f["check_id"] for f in again["findings"]) == ["CF002", "CF003"]


def test_competing_configuration_files_are_a_notice(tmp_path, monkeypatch):
    root = _repo(tmp_path)
    (root / ".computefit.toml").write_text('fail-on = "error"\n')
    (root / "pyproject.toml").write_text('[tool.computefit]\nfail-on = "never"\n')
    monkeypatch.chdir(root)
    res = CliRunner().invoke(main, ["scan", "stack", "--format", "json"])
    assert res.exit_code == 0  # .computefit.toml's fail-on = error: a warning does not fail
    [notice] = json.loads(res.stdout)["notices"]
    assert notice["file"] == "pyproject.toml" and ".computefit.toml in the same folder" in notice["message"]
