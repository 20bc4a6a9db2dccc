"""GitHub at scale: annotations ordered and capped per level, the job summary under 1 MiB with a
per-check table and cost totals, and --diff-base (only findings on added lines)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from computefit import facts
from computefit.cli import main
from computefit.diffbase import added_lines
from computefit.model import FileError
from computefit.reporters import RenderOptions, render
from computefit.reporters.common import utf8
from computefit.reporters.markdown import within_bytes
from computefit.runner import ScanResult

from conftest import REPO
from test_reporters import finding


def _many(n_warn: int, n_err: int) -> ScanResult:
    findings = [finding(f"W{i}", "a.yaml", i + 1, "warning") for i in range(n_warn)]
    findings += [finding(f"E{i}", "b.yaml", i + 1, "error") for i in range(n_err)]
    return ScanResult(findings=findings, errors=[FileError("c.yaml", 2, "broken")], files_scanned=3)


def test_annotations_ordered_by_severity_and_capped_with_a_count(monkeypatch):
    monkeypatch.chdir(REPO)
    limit = facts.value("github.annotations_per_step")
    lines = render("github", _many(25, 12), RenderOptions(github_limits=True)).splitlines()
    levels = [line[2:].split(" ", 1)[0] for line in lines]
    assert levels == ["error"] * limit + ["warning"] * limit + ["notice"]
    assert lines[-1].startswith("::notice title=computefit::") and "18 more annotations not shown" in lines[-1]
    # without the option: every finding, in report order
    assert len(render("github", _many(25, 12), RenderOptions()).splitlines()) == 38


def test_job_summary_stays_under_githubs_limit(monkeypatch):
    monkeypatch.chdir(REPO)
    limit = facts.value("github.step_summary_max")
    big = _many(6000, 0)
    full = render("markdown", big, RenderOptions())
    assert len(utf8(full)) > limit  # the case that GitHub would reject
    cut = render("markdown", big, RenderOptions(github_limits=True))
    assert len(utf8(cut)) < limit
    assert cut.startswith("## computefit: 6000 findings")
    assert "| Check | Findings |" in cut.split("### ", 1)[0]  # the per-check table comes first
    assert cut.rstrip().endswith("the log, the SARIF or JSON report has every finding._")
    assert cut.count("<details>") == cut.count("</details>")
    small = render("markdown", _many(2, 1), RenderOptions(github_limits=True))
    assert small == render("markdown", _many(2, 1), RenderOptions())  # nothing cut when it fits


def test_within_bytes_cuts_outside_tables():
    text = "# t\n\n| a |\n|---|\n" + "| x |\n" * 50 + "\nend\n"
    cut = within_bytes(text, 120)
    assert len(utf8(cut)) <= 120 + 200 and "| x |" not in cut.split("\n")[-4:]


def test_markdown_cost_totals(monkeypatch):
    monkeypatch.chdir(REPO)
    out = CliRunner().invoke(main, ["scan", "examples", "--format", "markdown", "--select", "CF101"]).output
    assert ("2 flagged resources cost \\$130.82/month; potential saving \\$130.14/month, all of it on "
            "assumed usage (USD, us-east-1 on-demand, prices as of ") in out
    assert "| CF101 | 2 | \\$130.82/month | \\$130.14/month | \\$130.14/month |" in out
    assert out.rstrip().endswith("| **All** | 2 | \\$130.82/month | \\$130.14/month | \\$130.14/month | 0 |")


def test_added_lines_from_a_unified_diff():
    diff = ("diff --git a/t.yaml b/t.yaml\n--- a/t.yaml\n+++ b/t.yaml\n@@ -3,0 +4,2 @@\n+a\n+b\n"
            "@@ -10 +12 @@\n-x\n+y\n--- a/gone.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-z\n")
    assert added_lines(diff, "/r") == {"/r/t.yaml": {4, 5, 12}}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_base_reports_only_findings_on_added_lines(tmp_path, monkeypatch):
    fn = ("  {}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n"
          "      Handler: a.h\n      Timeout: {}\n")
    head = "Transform: AWS::Serverless-2016-10-31\nResources:\n"
    (tmp_path / "t.yaml").write_text(head + fn.format("Old", 900))

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                       cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "base")
    (tmp_path / "t.yaml").write_text(head + fn.format("Old", 900) + fn.format("New", 890))
    monkeypatch.chdir(tmp_path)
    everything = json.loads(CliRunner().invoke(main, ["scan", ".", "--format", "json"]).stdout)
    assert sorted(f["resource"] for f in everything["findings"]) == ["New", "Old"]
    res = CliRunner().invoke(main, ["scan", ".", "--format", "json", "--diff-base", "HEAD"])
    assert [f["resource"] for f in json.loads(res.stdout)["findings"]] == ["New"]
    bad = CliRunner().invoke(main, ["scan", ".", "--diff-base", "no-such-ref"])
    assert bad.exit_code == 2 and "--diff-base: git diff failed" in bad.output
    assert CliRunner().invoke(main, ["scan", ".", "--diff-base", "--output=x"]).exit_code == 2
    assert not (tmp_path / "x").exists()


def test_action_scan_step_with_the_real_computefit(tmp_path):
    """The action's scan step as GitHub runs it, with the installed computefit: the readable log,
    then the capped annotations, the outputs, the job summary."""
    import sys
    from pathlib import Path

    import yaml

    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    here = Path(sys.executable).parent / "computefit"
    computefit = str(here) if here.exists() else shutil.which("computefit")
    if not computefit:
        pytest.skip("the computefit console script is not installed")
    action = yaml.safe_load((REPO / "action.yml").read_text())
    [step] = [s for s in action["runs"]["steps"] if s.get("id") == "scan"]
    inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    inputs.update({"paths": "examples", "sarif-file": str(tmp_path / "c.sarif")})
    env = {"PATH": f"{Path(computefit).parent}:/usr/bin:/bin", "RUNNER_TEMP": str(tmp_path),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "GITHUB_OUTPUT": str(tmp_path / "out.txt"),
           "COMPUTEFIT": computefit, "COMPUTEFIT_PYTHON": sys.executable}
    for name, value in step["env"].items():
        key = value.strip("${} ").split(".", 1)[1]
        if value.startswith("${{ inputs."):
            env[name] = inputs[key]
    script = tmp_path / "scan.sh"
    script.write_text(step["run"])
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], env=env,
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr  # warnings at fail-on warning
    log = proc.stdout.splitlines()
    first_annotation = next(i for i, line in enumerate(log) if line.startswith("::"))
    assert any(line.startswith("examples/orders-api/template.yaml:11:5: CF201 [warning]") for line in log[:first_annotation])
    assert all(line.startswith("::warning ") for line in log[first_annotation:])
    outputs = dict(line.split("=", 1) for line in (tmp_path / "out.txt").read_text().splitlines())
    assert outputs == {"findings": "6", "errors": "0", "exit-code": "1", "sarif-file": str(tmp_path / "c.sarif")}
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## computefit: 6 findings") and "| Check | Findings |" in summary
    assert json.loads((tmp_path / "c.sarif").read_text())["runs"][0]["results"]
