"""The ``computefit`` command line: exit codes, output streams, formats and colour.

Most tests drive the click command in-process with CliRunner; the ones marked "subprocess" run the
installed ``computefit`` console script, as a CI step or a pre-commit hook does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from computefit import __version__
from computefit.check import all_checks
from computefit.cli import main

ANSI = re.compile(r"\x1b\[[0-9;]*m")

# A SAM function whose timeout is exactly the 900 s limit (CF201 warning, line 8), one above it
# (CF201 error, line 8) and one far below it (nothing).
SAM = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  {name}:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Timeout: {timeout}
"""


def write_sam(path: Path, name: str, timeout: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SAM.format(name=name, timeout=timeout))
    return path


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A working directory with a warning, an error and a clean template in two folders."""
    write_sam(tmp_path / "jobs" / "warn.yaml", "Export", 900)
    write_sam(tmp_path / "jobs" / "error.yaml", "Import", 1000)
    write_sam(tmp_path / "api" / "clean.yaml", "Api", 30)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def run(*args: str, **env: str):
    return CliRunner().invoke(main, list(args), env=env or None)


def computefit_script() -> str:
    """The installed console script next to this interpreter (the test venv), else on PATH."""
    here = Path(sys.executable).parent / "computefit"
    found = str(here) if here.exists() else shutil.which("computefit")
    if not found:
        pytest.skip("the computefit console script is not installed")
    return found


def run_script(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    full_env.update(env or {})
    return subprocess.run([computefit_script(), *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=60)


# --------------------------------------------------------------------------------------------------
# version, checks, explain
# --------------------------------------------------------------------------------------------------


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"computefit, version {__version__}\n"


def test_checks_lists_id_name_severity_and_summary():
    result = run("checks")
    assert result.exit_code == 0
    rows = {line.split()[0]: line for line in result.output.splitlines() if re.match(r"CF\d{3} ", line)}
    assert set(all_checks()) <= set(rows)
    for cls in all_checks().values():
        pattern = rf"{cls.id}  {cls.name} .*  {cls.severity} .*  {re.escape(cls.summary)}"
        assert re.match(pattern, rows[cls.id]), rows[cls.id]


def test_explain_prints_the_check_documentation():
    result = run("explain", "cf201")  # IDs are case-insensitive
    assert result.exit_code == 0
    cls = all_checks()["CF201"]
    assert result.output.startswith(f"# CF201 {cls.name}\n")
    assert f"Default severity: {cls.severity}\n" in result.output
    assert cls.doc() in result.output
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"):
        assert section in result.output


def test_explain_unknown_id_is_a_usage_error():
    result = run("explain", "CF999")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "no check 'CF999'" in result.stderr
    assert "CF201" in result.stderr  # the known IDs are listed


def test_group_help_names_every_command_in_full():
    result = run("--help")
    assert result.exit_code == 0
    assert "Print the documentation of a check." in result.output  # not cut at "e.g."


# --------------------------------------------------------------------------------------------------
# scan: exit codes
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "fail_on", "code"),
    [
        ("api/clean.yaml", None, 0),
        ("api/clean.yaml", "info", 0),
        ("jobs/warn.yaml", None, 1),  # default: warning
        ("jobs/warn.yaml", "info", 1),
        ("jobs/warn.yaml", "warning", 1),
        ("jobs/warn.yaml", "error", 0),
        ("jobs/warn.yaml", "never", 0),
        ("jobs/error.yaml", "error", 1),
        ("jobs/error.yaml", "never", 0),
    ],
)
def test_exit_code_follows_fail_on(project, target, fail_on, code):
    args = ["scan", target] + (["--fail-on", fail_on] if fail_on else [])
    result = run(*args)
    assert result.exit_code == code, result.output


def test_scan_defaults_to_the_current_folder(project):
    result = run("scan", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert sorted((f["file"], f["line"], f["severity"]) for f in report["findings"]) == [
        ("jobs/error.yaml", 8, "error"),
        ("jobs/warn.yaml", 8, "warning"),
    ]
    assert report["summary"]["files_scanned"] == 3


def test_files_and_folders_can_be_mixed(project):
    result = run("scan", "api", "jobs/warn.yaml", "--format", "json")
    report = json.loads(result.stdout)
    assert [(f["file"], f["resource"]) for f in report["findings"]] == [("jobs/warn.yaml", "Export")]
    assert report["summary"]["files_scanned"] == 2


def test_unreadable_file_exits_2_and_the_rest_is_still_reported(project):
    (project / "jobs" / "broken.template").write_text("Resources: [unclosed\n")
    result = run("scan", "--format", "json", "--fail-on", "never")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["errors"] == [{"file": "jobs/broken.template", "line": 2,
                                 "message": report["errors"][0]["message"]}]
    assert "YAML syntax error" in report["errors"][0]["message"]
    assert len(report["findings"]) == 2


def test_missing_path_exits_2(project):
    result = run("scan", "jobs/warn.yaml", "nowhere")
    assert result.exit_code == 2
    assert "nowhere  error  no such file or folder" in result.output
    assert "jobs/warn.yaml:8:7: CF201 [warning]" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "--format", "yaml"],
        ["scan", "--fail-on", "sometimes"],
        ["scan", "--no-such-option"],
        ["scan", "--output", "a.json", "--output", "b.json", "--format", "json"],  # output without format
        ["scan", "--format", "text", "--format", "json"],  # two formats on stdout
        ["no-such-command"],
    ],
)
def test_usage_errors_exit_2(project, args):
    result = run(*args)
    assert result.exit_code == 2
    assert "Usage:" in result.stderr
    assert result.stdout == ""


def test_unwritable_output_exits_2(project):
    result = run("scan", "jobs", "--format", "json", "--output", "missing-dir/report.json")
    assert result.exit_code == 2
    assert "cannot write missing-dir/report.json" in result.stderr


# --------------------------------------------------------------------------------------------------
# scan: output
# --------------------------------------------------------------------------------------------------


def test_output_writes_the_file_and_nothing_else(project):
    result = run("scan", "jobs", "--format", "json", "--output", "report.json")
    assert result.exit_code == 1
    assert result.stdout == "" and result.stderr == ""
    written = (project / "report.json").read_text()
    assert written == run("scan", "jobs", "--format", "json").stdout
    assert sorted(p.name for p in project.iterdir()) == ["api", "jobs", "report.json"]


def test_format_file_pairs_write_several_reports(project):
    result = run("scan", "jobs", "--format", "text", "--format", "json:report.json")
    assert result.exit_code == 1
    assert "jobs/warn.yaml:8:7: CF201 [warning]" in result.stdout
    assert json.loads((project / "report.json").read_text())["summary"]["findings"] == 2


FINDING_KEYS = {"check_id", "check_name", "severity", "confidence", "message", "recommendation",
                "resource", "resource_type", "file", "line", "evidence", "related"}


def test_json_report_matches_the_contract(project):
    result = run("scan", "--format", "json")
    report = json.loads(result.stdout)
    assert list(report) == ["version", "findings", "errors", "notices", "summary"]
    assert report["version"] == 1
    assert report["errors"] == [] and report["notices"] == []
    assert report["summary"] == {
        "files_scanned": 3,
        "findings": 2,
        "errors": 0,
        "by_severity": {"error": 1, "warning": 1, "info": 0},
        "by_check": {"CF201": {"findings": 2, "error": 1, "warning": 1, "info": 0}},
        "suppressed": 0,
        "baselined": 0,
        "skipped": 0,
        "excluded": 0,
        "unsupported": [],
    }
    for f in report["findings"]:
        assert set(f) - {"costs"} == FINDING_KEYS
        assert f["check_id"] == "CF201" and f["check_name"] == "lambda-near-timeout-limit"
        assert f["severity"] in ("error", "warning", "info")
        assert f["confidence"] in ("high", "medium", "low")
        assert isinstance(f["line"], int) and isinstance(f["evidence"], dict)
        assert not os.path.isabs(f["file"])  # relative to the working directory
        assert f["evidence"]["timeout"]["value"] in (900, 1000)
        assert set(f["costs"]) == {"currency", "region", "region_from", "prices_as_of", "options", "current",
                                   "cheapest_alternative", "monthly_saving", "usage"}
        assert f["costs"]["current"]["option"].startswith("current")
        for option in f["costs"]["options"]:
            assert set(option) - {"per_1000_runs_usd"} == {"option", "monthly_usd", "assumptions"}
            assert option["monthly_usd"] is not None or "per_1000_runs_usd" in option  # never a silent gap


def test_json_file_paths_are_absolute_outside_the_working_directory(project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    write_sam(elsewhere / "t.yaml", "Far", 900)
    report = json.loads(run("scan", str(elsewhere), "--format", "json").stdout)
    assert [f["file"] for f in report["findings"]] == [str(elsewhere / "t.yaml")]


TEXT_FINDING = re.compile(r"^  (?P<file>\S+):(?P<line>\d+)  (?P<id>CF\d{3})  (?P<sev>error|warning|info)\s+ (?P<msg>.+)$")


TEXT_LINE = re.compile(r"^(?P<file>\S+):(?P<line>\d+):(?P<col>\d+): (?P<id>CF\d{3}) \[(?P<sev>error|warning|info)\] "
                       r"(?P<msg>.+)$")


def test_text_report_is_one_line_per_finding(project):
    result = run("scan")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert not ANSI.search(result.output)  # not a terminal: no colour, no wrapping
    found = [TEXT_LINE.match(line) for line in lines[:2]]
    assert [(m["file"], m["line"], m["col"], m["id"], m["sev"]) for m in found] == [
        ("jobs/error.yaml", "8", "7", "CF201", "error"), ("jobs/warn.yaml", "8", "7", "CF201", "warning")]
    assert found[0]["msg"].startswith("Import has a timeout of 1000 s")
    assert "fix:" not in result.output and "cost:" not in result.output
    # the report ends with the cost totals (region and price date once, then per check) and the summary
    assert lines[2] == ""
    assert lines[3].startswith("Costs (USD, us-east-1 on-demand, prices as of ")
    # nothing invokes these functions, so their runs a month are unknown: counted, never priced as $0
    assert lines[3].endswith("2 flagged resources with no monthly figure (runs a month unknown: give them in a "
                             "usage file)")
    assert lines[4].startswith("  CF201  2 flagged resources with no monthly figure")
    assert lines[5:] == ["", "2 findings (1 error, 1 warning, 0 info) in 3 files"]


def test_full_text_report_groups_findings_by_file_with_the_recommendation_under_each(project):
    for args in (["--format", "full"], ["-v"]):
        result = run("scan", *args)
        _assert_full_layout(result)


def _assert_full_layout(result):
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert not ANSI.search(result.output)  # not a terminal: no colour
    headers = [i for i, line in enumerate(lines) if line in ("jobs/error.yaml", "jobs/warn.yaml")]
    assert [lines[i] for i in headers] == ["jobs/error.yaml", "jobs/warn.yaml"]
    for i in headers:
        m = TEXT_FINDING.match(lines[i + 1])
        assert m, lines[i + 1]
        assert (m["file"], m["line"], m["id"]) == (lines[i], "8", "CF201")
        assert m["sev"] == ("error" if "error" in lines[i] else "warning")
        fix = next(line for line in lines[i + 2:] if line.strip().startswith("fix:"))
        assert fix.startswith("      fix: Split multi-step work")
    assert lines[-1] == "2 findings (1 error, 1 warning, 0 info) in 3 files"


def test_text_report_lists_errors_with_file_and_line(project):
    (project / "api" / "bad.template").write_text("Resources:\n  A: [\n")
    result = run("scan", "api")
    assert result.exit_code == 2
    assert re.search(r"^  api/bad\.template:3  error  YAML syntax error", result.output, re.M)
    assert result.output.splitlines()[-1] == (
        "0 findings (0 error, 0 warning, 0 info) in 2 files; 1 file could not be read")


def test_color_only_when_asked(project):
    assert not ANSI.search(run("scan", "jobs").output)
    assert not ANSI.search(run("scan", "jobs", "--no-color").output)
    colored = run("scan", "jobs", "--color").output
    assert "\x1b[33m[warning]\x1b[0m" in colored and "\x1b[31m[error]\x1b[0m" in colored
    assert ANSI.sub("", colored) == run("scan", "jobs").output
    full = run("scan", "jobs", "--color", "--format", "full").output
    assert "\x1b[33mwarning\x1b[0m" in full and "\x1b[31merror  \x1b[0m" in full
    assert ANSI.sub("", full) == run("scan", "jobs", "--format", "full").output


def test_json_is_never_coloured(project):
    out = run("scan", "jobs", "--format", "json", "--color").stdout
    assert not ANSI.search(out)
    json.loads(out)


# --------------------------------------------------------------------------------------------------
# subprocess: the installed console script
# --------------------------------------------------------------------------------------------------


def test_script_exit_codes_and_streams(project):
    found = run_script("scan", "jobs/warn.yaml", cwd=project)
    assert (found.returncode, found.stderr) == (1, "")
    assert "jobs/warn.yaml:8:7: CF201 [warning]" in found.stdout
    assert not ANSI.search(found.stdout)  # a pipe is not a terminal

    clean = run_script("scan", "api", cwd=project)
    assert (clean.returncode, clean.stderr) == (0, "")
    assert clean.stdout.endswith("0 findings (0 error, 0 warning, 0 info) in 1 file\n")

    lenient = run_script("scan", "jobs", "--fail-on", "never", cwd=project)
    assert lenient.returncode == 0

    unknown = run_script("explain", "CF999", cwd=project)
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert "no check 'CF999'" in unknown.stderr

    usage = run_script("scan", "--fail-on", "sometimes", cwd=project)
    assert (usage.returncode, usage.stdout) == (2, "")
    assert "Invalid value for '--fail-on'" in usage.stderr

    version = run_script("--version", cwd=project)
    assert (version.returncode, version.stdout) == (0, f"computefit, version {__version__}\n")


def test_script_output_file_and_json(project):
    proc = run_script("scan", "--format", "json", "-o", "out/report.json", cwd=project)
    assert proc.returncode == 2  # the folder out/ does not exist
    assert "cannot write out/report.json" in proc.stderr
    (project / "out").mkdir()
    proc = run_script("scan", "--format", "json", "-o", "out/report.json", cwd=project)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", "")
    report = json.loads((project / "out" / "report.json").read_text())
    assert [(f["file"], f["line"], f["check_id"], f["severity"]) for f in report["findings"]] == [
        ("jobs/error.yaml", 8, "CF201", "error"),
        ("jobs/warn.yaml", 8, "CF201", "warning"),
    ]
    assert sorted(p.name for p in (project / "out").iterdir()) == ["report.json"]


def test_script_unreadable_input_exits_2_and_reports_the_rest(project):
    (project / "jobs" / "broken.template").write_bytes(b"\x00\x01binary")
    proc = run_script("scan", "--format", "json", cwd=project)
    assert proc.returncode == 2
    assert proc.stderr == ""
    report = json.loads(proc.stdout)
    assert report["errors"] == [{"file": "jobs/broken.template", "line": 1,
                                 "message": "binary file (contains NUL bytes), not a template"}]
    assert report["summary"]["findings"] == 2


def _run_on_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run the script with a pseudo-terminal as standard output; return what it wrote."""
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    full_env.update(env)
    try:
        proc = subprocess.run([computefit_script(), *args], cwd=cwd, env=full_env, stdout=follower,
                              stderr=subprocess.PIPE, timeout=60)
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal has no writer left
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    assert proc.returncode == 1
    return b"".join(chunks).decode()


def test_script_colours_a_terminal_unless_no_color(project):
    assert ANSI.search(_run_on_terminal(["scan", "jobs"], project, {}))
    assert not ANSI.search(_run_on_terminal(["scan", "jobs"], project, {"NO_COLOR": "1"}))
    # https://no-color.org: an empty NO_COLOR does not disable colour
    assert ANSI.search(_run_on_terminal(["scan", "jobs"], project, {"NO_COLOR": ""}))
    # an explicit flag wins over the environment
    assert ANSI.search(_run_on_terminal(["scan", "jobs", "--color"], project, {"NO_COLOR": "1"}))
    assert not ANSI.search(_run_on_terminal(["scan", "jobs", "--no-color"], project, {}))


def test_script_no_color_env_with_a_pipe(project):
    proc = run_script("scan", "jobs", cwd=project, env={"NO_COLOR": "1"})
    assert proc.returncode == 1 and not ANSI.search(proc.stdout)
    forced = run_script("scan", "jobs", "--color", cwd=project, env={"NO_COLOR": "1"})
    assert ANSI.search(forced.stdout)


def test_text_report_shows_control_characters_from_templates_instead_of_sending_them(project):
    # A resource name cannot hold an escape, but a quoted value can: a user-data crontab command is
    # quoted in CF101's message. Whatever the scanned files say, the terminal gets visible escapes.
    (project / "host.yaml").write_text(
        "Resources:\n"
        "  CronHost:\n"
        "    Type: AWS::EC2::Instance\n"
        "    Properties:\n"
        "      InstanceType: t3.small\n"
        "      UserData:\n"
        "        Fn::Base64: \"#!/bin/bash\\necho '0 3 * * * root /opt/job \\e]0;pwned\\a' > /etc/cron.d/job\\n\"\n")
    res = run("scan", "host.yaml", "--select", "CF101", "--no-color")
    assert "CF101" in res.output, res.output
    assert "\x1b" not in res.output and "\x07" not in res.output
    assert "\\x1b]0;pwned\\x07" in res.output
