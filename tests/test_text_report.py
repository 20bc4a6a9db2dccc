"""The text reports people read: one line per finding, wrapped on a terminal; the full layout;
-q, --statistics, --exit-zero, comma lists, FORCE_COLOR; paths in messages; the progress line."""

from __future__ import annotations

import io
import json
import re

import pytest
from click.testing import CliRunner

from computefit.check import CostLine
from computefit.cli import main
from computefit.progress import Progress
from computefit.reporters import RenderOptions, render
from computefit.reporters.common import cost_change
from computefit.reporters.text import first_sentence
from computefit.runner import scan

from conftest import REPO
from test_cli import ANSI, write_sam
from test_reporters import EXAMPLE_FINDINGS, finding


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def _examples():
    from computefit.config import Config

    return scan(["examples"], Config(select=sorted({e[0] for e in EXAMPLE_FINDINGS})))


def test_examples_fit_one_screen_at_120_columns(in_repo):
    result = _examples()
    text = render("text", result, RenderOptions(width=120))
    lines = text.splitlines()
    assert len(lines) <= 40 and max(len(line) for line in lines) <= 120, text
    heads = [line for line in lines if re.match(r"^\S+:\d+:\d+: CF\d{3} \[", line)]
    assert len(heads) == len(result.findings)
    # continuation lines hang under the headline; the cost totals (a line, then one per check) follow
    costs = next(i for i, line in enumerate(lines) if line.startswith("Costs ("))
    assert all(line.startswith("    ") for line in lines[:costs] if line not in heads and line)
    assert all(line.startswith("  ") for line in lines[costs + 1:len(lines) - 2] if line)
    assert lines[-1].startswith(f"{len(result.findings)} findings")


def test_full_layout_keeps_everything_the_old_text_showed(in_repo):
    result = _examples()
    full = render("full", result, RenderOptions())
    for f in result.findings:
        assert f"  {f.location.file}:{f.location.line}  {f.check_id}  {f.severity}" in full
        assert f.message in full and f"resource: {f.resource} ({f.resource_type}); confidence: {f.confidence}" in full
        assert f.recommendation in full
        for cost in f.costs:
            assert cost.option in full and all(a in full for a in cost.assumptions)


def test_headline_shape_cost_and_column(in_repo):
    text = render("text", _examples(), RenderOptions())
    assert ("examples/reporting-host/template.json:31:9: CF101 [warning] ReportingHost is an always-on m5.large"
            in text)
    line = next(l for l in text.splitlines() if "ReportingHost" in l)
    assert line.endswith("  $70.08 -> $0.59 /month")  # the current cost and the cheapest alternative
    cf301 = next(l for l in text.splitlines() if "CF301" in l and "OrdersApiFunction" in l)
    assert cf301.endswith("on what it invokes.")  # the first sentence; the why is in --format full
    assert "/month" not in cf301  # no current cost to compare with


def test_cost_change_adds_a_shared_part_and_needs_both_costs():
    def f(*costs):
        return finding(costs=[CostLine(o, usd, []) for o, usd in costs])

    assert cost_change(f(("current: x", 70.0), ("Scheduler + Lambda", 2.0), ("Scheduler + Fargate", 0.5),
                         ("Scheduler", 0.25))) == "$70.00 -> $0.75 /month"
    assert cost_change(f(("current: x", None), ("Fargate", 1.0))) is None
    assert cost_change(f(("SnapStart", 0.0), ("provisioned concurrency", 21.9))) is None
    assert cost_change(f(("current: x", 1.0), ("Fargate", 1.001))) is None  # no change to show
    assert cost_change(f(("current: x", 1.0), ("Fargate", 3.0))) == "$1.00 -> $3.00 /month"


def test_first_sentence():
    assert first_sentence("A (b. C) d. E f.") == "A (b. C) d."
    assert first_sentence("Fn.Events.Get is slow. Why") == "Fn.Events.Get is slow."
    assert first_sentence("runs `a. B` now. Then") == "runs `a. B` now."
    assert first_sentence("one sentence") == "one sentence"


def test_identical_advice_of_one_check_in_a_file_is_printed_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fn = ("  {}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n"
          "      Handler: app.handler\n      Timeout: 900\n")
    (tmp_path / "t.yaml").write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n"
                                     + fn.format("One") + fn.format("Two"))
    res = CliRunner().invoke(main, ["scan", "t.yaml", "--format", "full"])
    assert res.output.count("fix: Split multi-step work") == 1, res.output
    assert "fix: same as for One above" in res.output


def test_quiet_prints_only_errors_and_the_summary(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_sam(tmp_path / "a.yaml", "Export", 900)
    (tmp_path / "bad.template").write_text("Resources: [\n")
    res = CliRunner().invoke(main, ["scan", ".", "-q"])
    assert res.exit_code == 2
    assert res.output.splitlines() == [
        "Errors", res.output.splitlines()[1], "",
        "1 finding (0 error, 1 warning, 0 info) in 2 files; 1 file could not be read"]
    assert res.output.splitlines()[1].startswith("  bad.template:2  error  ")


def test_statistics_text_json_and_markdown(in_repo):
    res = CliRunner().invoke(main, ["scan", "examples", "--statistics", "--select", "CF101,CF201,CF301"])
    lines = res.output.splitlines()
    assert lines[:3] == [
        "    2  CF101  scheduled-job-on-always-on-server  (0 error, 2 warning, 0 info)",
        "    2  CF201  lambda-near-timeout-limit  (0 error, 2 warning, 0 info)",
        "    2  CF301  latency-sensitive-lambda-without-provisioned-concurrency  (0 error, 2 warning, 0 info)",
    ]
    assert not any(re.match(r"^\S+:\d+", line) for line in lines)
    report = json.loads(CliRunner().invoke(main, ["scan", "examples", "--format", "json",
                                                  "--select", "CF1", "--select", "CF2"]).stdout)
    assert report["summary"]["by_check"] == {
        "CF101": {"findings": 2, "error": 0, "warning": 2, "info": 0},
        "CF201": {"findings": 2, "error": 0, "warning": 2, "info": 0},
    }


def test_comma_lists_and_exit_zero(in_repo):
    one = CliRunner().invoke(main, ["scan", "examples", "--format", "json", "--select", "CF1,CF2", "--ignore", "CF101,"])
    assert {f["check_id"] for f in json.loads(one.stdout)["findings"]} == {"CF201"}
    bad = CliRunner().invoke(main, ["scan", "examples", "--select", "CF1,NOPE"])
    assert bad.exit_code == 2 and "NOPE" in bad.output
    assert CliRunner().invoke(main, ["scan", "examples", "--exit-zero"]).exit_code == 0
    both = CliRunner().invoke(main, ["scan", "examples", "--exit-zero", "--fail-on", "error"])
    assert both.exit_code == 2 and "cannot be combined" in both.output


def test_exit_zero_never_hides_an_unreadable_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.template").write_text("Resources: [\n")
    assert CliRunner().invoke(main, ["scan", ".", "--exit-zero"]).exit_code == 2
    assert "2 wins over --fail-on never" in " ".join(CliRunner().invoke(main, ["scan", "--help"]).output.split())


@pytest.mark.parametrize("env,coloured", [
    ({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": ""}, False),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False), ({}, False),
])
def test_force_color_beside_no_color(in_repo, env, coloured):
    res = CliRunner().invoke(main, ["scan", "examples"], env=env)
    assert bool(ANSI.search(res.output)) is coloured
    assert not ANSI.search(CliRunner().invoke(main, ["scan", "examples", "--no-color"], env=env).output)


def test_paths_in_messages_are_relative(tmp_path, monkeypatch):
    """Scanned from elsewhere, the file names stay absolute (clickable) but the paths repeated in
    the messages are relative to the folder holding the files, named once."""
    import shutil

    shutil.copytree(REPO / "examples" / "terraform", tmp_path / "tf")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    res = CliRunner().invoke(main, ["scan", str(tmp_path / "tf"), "--select", "CF201"])
    lines = res.output.splitlines()
    assert lines[0] == f"(paths in messages are relative to {tmp_path / 'tf'})"
    assert lines[1].startswith(f"{tmp_path / 'tf' / 'terraform.tfvars'}:2:1: CF201")
    assert "set in terraform.tfvars:2)" in lines[1] and lines[1].count(str(tmp_path)) == 1


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_only_on_a_terminal_after_a_second():
    clock, term = _Clock(), _Terminal()
    with Progress(term, clock=clock) as progress:
        progress.update(1, 10)
        assert term.getvalue() == ""  # a fast scan says nothing
        clock.now = 1.5
        progress.update(5, 10)
        assert term.getvalue() == "\r\x1b[Kcomputefit: reading 5/10 inputs (2 s)"
        clock.now = 1.55
        progress.update(6, 10)  # redrawn at most ten times a second
        assert term.getvalue().count("\r") == 1
    assert term.getvalue().endswith("\r\x1b[K")  # erased before the report
    pipe = io.StringIO()
    clock.now = 0.0
    with Progress(pipe, clock=clock) as progress:
        clock.now = 5.0
        progress.update(1, 2)
    assert pipe.getvalue() == ""


def test_ignore_bad_template_lists_the_file_without_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_sam(tmp_path / "a.yaml", "Export", 30)
    (tmp_path / "bad.template").write_text("Resources: [\n")
    strict = CliRunner().invoke(main, ["scan", "."])
    assert strict.exit_code == 2
    lenient = CliRunner().invoke(main, ["scan", ".", "--ignore-bad-template"])
    assert lenient.exit_code == 0 and "bad.template:2  error  YAML syntax error" in lenient.output
    # a path that does not exist is still a usage problem
    assert CliRunner().invoke(main, ["scan", "nowhere", "--ignore-bad-template"]).exit_code == 2


def test_ignore_bad_template_covers_a_module_none_of_whose_files_parse(tmp_path, monkeypatch):
    # the error of a module folder whose every .tf file is broken names the folder, not a file
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "main.tf").write_text('resource "aws_lambda_function" "f" {\n  timeout = \n')
    (tmp_path / "broken" / "other.tf").write_text('variable "x" {\n  default = [\n')
    strict = CliRunner().invoke(main, ["scan", "broken"])
    assert "no file of the module could be read" in strict.output
    assert strict.exit_code == 2
    assert CliRunner().invoke(main, ["scan", "broken", "--ignore-bad-template"]).exit_code == 0
