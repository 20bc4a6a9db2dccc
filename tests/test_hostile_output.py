"""Hostile input at the output boundary (issue 15): a scanned repository must not choose where the
run writes, writes are atomic, and whatever a scanned file or file name holds reaches every report
format escaped for it, never as a crash, a live link, a terminal escape or invalid JSON/XML."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from computefit.cli import main

from conftest import REPO

SAM_900 = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  NightlyExport:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: export.handler
      MemorySize: 1024
      Timeout: 900
"""


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


# --------------------------------------------------------------------------------------------------
# 1. Output destinations come only from the command line or --config
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def hostile_repo(tmp_path, monkeypatch):
    """A checked-out repository (``.git``) beside the victim's home folder, with a template that
    has a finding; the working directory is the repository."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "template.yaml").write_text(SAM_900, encoding="utf-8")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / ".bashrc").write_text("# the victim's shell start-up\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    return repo, victim


def assert_refused(result, config_name: str, key: str, spec: str) -> None:
    assert result.exit_code == 2, result.output
    assert f"{config_name}: {key}: {spec!r} names an output file" in result.output
    assert f"--format {spec}" in result.output and f"--config {config_name}" in result.output
    assert "NightlyExport" not in result.output  # refused before scanning: no report at all


@pytest.mark.parametrize("target", ["relative", "absolute"])
def test_discovered_config_cannot_name_an_output_file(hostile_repo, target):
    repo, victim = hostile_repo
    dest = "../victim/.bashrc" if target == "relative" else str(victim / ".bashrc")
    (repo / ".computefit.toml").write_text(f'format = ["text", "text:{dest}"]\n', encoding="utf-8")
    before = (victim / ".bashrc").read_bytes()
    result = invoke("scan", ".")
    assert_refused(result, ".computefit.toml", "format", f"text:{dest}")
    assert (victim / ".bashrc").read_bytes() == before
    assert sorted(os.listdir(victim)) == [".bashrc"]  # no temporary file either


def test_discovered_pyproject_cannot_name_an_output_file_from_a_subfolder(hostile_repo):
    repo, victim = hostile_repo
    (repo / "pyproject.toml").write_text('[tool.computefit]\nformat = "json:../victim/report.json"\n',
                                         encoding="utf-8")
    (repo / "stacks").mkdir()
    (repo / "stacks" / "t.yaml").write_text(SAM_900, encoding="utf-8")
    result = invoke("scan", "stacks")
    assert_refused(result, "pyproject.toml", "tool.computefit.format", "json:../victim/report.json")
    assert not (victim / "report.json").exists()
    # `computefit checks` reads the same configuration and refuses it the same way
    listed = invoke("checks", "stacks")
    assert listed.exit_code == 2 and "names an output file" in listed.output


def test_discovered_config_may_choose_the_format_of_standard_output(hostile_repo):
    repo, victim = hostile_repo
    (repo / ".computefit.toml").write_text('format = ["json"]\n', encoding="utf-8")
    result = invoke("scan", ".")
    assert result.exit_code == 1
    assert result.output.lstrip().startswith("{") and '"NightlyExport"' in result.output
    assert sorted(os.listdir(repo)) == [".computefit.toml", ".git", "template.yaml"]


def test_config_named_with_option_may_name_output_files(hostile_repo):
    repo, victim = hostile_repo
    config = repo / ".computefit.toml"
    config.write_text('format = ["text", "json:out/report.json"]\n', encoding="utf-8")
    (repo / "out").mkdir()
    result = invoke("scan", ".", "--config", str(config))
    assert result.exit_code == 1, result.output
    assert "NightlyExport" in result.output  # the text report on standard output
    assert '"NightlyExport"' in (repo / "out" / "report.json").read_text(encoding="utf-8")
    # and the command line always may
    result = invoke("scan", ".", "--format", "sarif:cli.sarif", "--config", str(config), "--format", "text")
    assert result.exit_code == 1 and (repo / "cli.sarif").is_file()


def test_the_pre_commit_hook_entry_refuses_a_committed_output_file(hostile_repo):
    """The hook's own entry (from .pre-commit-hooks.yaml), run as pre-commit runs it: from the
    repository root with the staged file names. tests/test_precommit.py runs real pre-commit too."""
    repo, victim = hostile_repo
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    entry = shlex.split(hook["entry"])
    assert entry[0] == "computefit"
    (repo / ".computefit.toml").write_text('format = "text:../victim/.bashrc"\n', encoding="utf-8")
    before = (victim / ".bashrc").read_bytes()
    script = Path(sys.executable).with_name("computefit")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "computefit.cli"]
    proc = subprocess.run([*command, *entry[1:], "template.yaml", ".computefit.toml"], cwd=repo,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "names an output file" in proc.stderr and "Traceback" not in proc.stderr
    assert (victim / ".bashrc").read_bytes() == before
