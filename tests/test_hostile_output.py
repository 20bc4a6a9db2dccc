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


# --------------------------------------------------------------------------------------------------
# 2. Atomic writes
# --------------------------------------------------------------------------------------------------


def _many_functions(n: int, prefix: str) -> str:
    """A SAM template with ``n`` functions near the timeout limit: ``n`` CF201 findings."""
    body = "".join(f"  {prefix}Fn{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                   f"      Runtime: python3.12\n      Handler: a.b\n      Timeout: 900\n" for i in range(n))
    return "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n" + body


def _write_baseline_rounds(folder: str, baseline: str, rounds: int, start, done) -> None:
    """One writer process: ``computefit scan FOLDER --write-baseline BASELINE``, ``rounds`` times;
    each round starts when the test says so (``start``), so the writers of a round race."""
    import threading

    try:
        for _ in range(rounds):
            start.wait(timeout=120)
            try:
                main(["scan", folder, "--select", "CF201", "--write-baseline", baseline], standalone_mode=False)
            except SystemExit:
                pass
            done.wait(timeout=120)
    except threading.BrokenBarrierError:  # the test failed and aborted the round
        pass


def test_parallel_baseline_writes_to_one_path_leave_valid_json(tmp_path, monkeypatch):
    import json
    import multiprocessing

    monkeypatch.chdir(tmp_path)
    # Four writers, each with its own findings (baselines of different lengths, tens of KB: a
    # writer that truncates and rewrites in place leaves the tail of a longer one behind).
    folders = []
    for w in range(4):
        folder = tmp_path / f"stack{w}"
        folder.mkdir()
        (folder / "template.yaml").write_text(_many_functions(60 * (w + 1), f"W{w}"), encoding="utf-8")
        folders.append(str(folder))
    baseline = tmp_path / "baseline.json"
    rounds = 6
    ctx = multiprocessing.get_context("fork")
    start, done = ctx.Barrier(len(folders) + 1), ctx.Barrier(len(folders) + 1)
    procs = [ctx.Process(target=_write_baseline_rounds, args=(f, str(baseline), rounds, start, done))
             for f in folders]
    for p in procs:
        p.start()
    expected_counts = {60 * (w + 1) for w in range(4)}
    try:
        for r in range(rounds):
            start.wait(timeout=120)
            # While the round runs, every read sees a whole baseline (or none yet).
            while True:
                if baseline.exists():
                    doc = json.loads(baseline.read_text(encoding="utf-8"))
                    assert sum(e["count"] for e in doc["findings"]) in expected_counts
                if done.n_waiting == len(folders):
                    break
            done.wait(timeout=120)
            doc = json.loads(baseline.read_text(encoding="utf-8"))  # strict: a valid document
            assert doc["version"] == 1
            assert sum(e["count"] for e in doc["findings"]) in expected_counts, f"round {r}"
    except BaseException:
        start.abort()
        done.abort()
        raise
    finally:
        for p in procs:
            p.join(timeout=120)
    assert all(p.exitcode == 0 for p in procs)
    assert sorted(os.listdir(tmp_path)) == ["baseline.json", "stack0", "stack1", "stack2", "stack3"]


def test_a_symlink_at_the_destination_is_replaced_not_followed(hostile_repo):
    # A repository commits `computefit.txt -> ../victim/.bashrc`; the CI job writes its report to
    # computefit.txt. The report replaces the link; the victim is untouched.
    repo, victim = hostile_repo
    before = (victim / ".bashrc").read_bytes()
    (repo / "computefit.txt").symlink_to(victim / ".bashrc")
    (repo / "baseline.json").symlink_to(victim / "baseline.json")  # dangling: would create it
    result = invoke("scan", "template.yaml", "--format", "text:computefit.txt")
    assert result.exit_code == 1
    assert not (repo / "computefit.txt").is_symlink()
    assert "NightlyExport" in (repo / "computefit.txt").read_text(encoding="utf-8")
    assert invoke("scan", "template.yaml", "--write-baseline", "baseline.json").exit_code == 0
    assert not (repo / "baseline.json").is_symlink()
    assert (victim / ".bashrc").read_bytes() == before
    assert sorted(os.listdir(victim)) == [".bashrc"]


def test_atomic_write_keeps_the_mode_and_writes_streams_in_place(tmp_path):
    from computefit.atomic import write_text

    report = tmp_path / "report.txt"
    report.write_text("old\n")
    report.chmod(0o640)
    write_text(str(report), "new\n")
    assert report.read_text() == "new\n" and (report.stat().st_mode & 0o777) == 0o640
    write_text(str(tmp_path / "fresh.txt"), "x")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "fresh.txt").stat().st_mode & 0o777 == 0o666 & ~mask
    write_text(os.devnull, "discarded")  # a device is written, not replaced
    assert Path(os.devnull).is_char_device()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    write_text(str(fifo), "through the pipe\n")
    assert reader.communicate(timeout=30)[0] == b"through the pipe\n"
    with pytest.raises(IsADirectoryError):
        write_text(str(tmp_path), "x")
    assert sorted(os.listdir(tmp_path)) == ["fresh.txt", "pipe", "report.txt"]
