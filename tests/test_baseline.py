"""Baselines: keyed by check, file and resource (not line), counted, applied after suppressions."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from computefit import baseline
from computefit.check import Finding
from computefit.cli import main
from computefit.model import Location
from computefit.runner import scan


def function(name: str, timeout: int, comment: str = "") -> str:
    """One Lambda function under Resources (6 lines, or 7 with a comment above it)."""
    lines = [f"  {comment}"] if comment else []
    lines += [f"  {name}:", "    Type: AWS::Lambda::Function", "    Properties:",
              "      Runtime: python3.12", "      Handler: app.handler", f"      Timeout: {timeout}"]
    return "\n".join(lines) + "\n"


def template(*functions: str, header: str = "") -> str:
    return 'AWSTemplateFormatVersion: "2010-09-09"\n' + header + "Resources:\n" + "".join(functions)


def found(result) -> list[tuple[str, str, int]]:
    return sorted((f.check_id, f.resource, f.location.line) for f in result.findings)


@pytest.fixture
def project(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "stack").mkdir()
    return tmp_path


def test_tomorrow_reports_only_what_is_new_after_lines_were_inserted_above(project):
    tpl = project / "stack" / "template.yaml"
    tpl.write_text(template(function("Export", 900), function("Api", 30)))
    path = project / "baseline.json"
    today = scan([str(tpl)])
    assert found(today) == [("CF201", "Export", 8)]
    baseline.write(today.findings, str(path))

    # Tomorrow: a description and parameters above the resources push every line down, a new
    # long-running function arrives, and Api's timeout is raised.
    header = 'Description: "orders"\nParameters:\n  Stage:\n    Type: String\n    Default: prod\n'
    tpl.write_text(template(function("Export", 900), function("Api", 800), function("Backfill", 900),
                            header=header))
    tomorrow = scan([str(tpl)], baseline=baseline.load(str(path)))
    assert found(tomorrow) == [("CF201", "Api", 19), ("CF201", "Backfill", 25)]
    assert [(f.resource, f.line, why) for f, why in tomorrow.suppressed] == [
        ("Export", 13, f"baseline {path}")]
    assert tomorrow.baseline_stale == []


def test_file_format_is_versioned_json_relative_to_the_baseline(project, monkeypatch):
    tpl = project / "stack" / "template.yaml"
    tpl.write_text(template(function("Export", 900), function("Other", 900)))
    (project / "ci").mkdir()
    path = project / "ci" / "computefit-baseline.json"
    monkeypatch.chdir(project / "stack")  # the working folder differs from the baseline's
    n = baseline.write(scan(["template.yaml"]).findings, str(path))
    assert n == 2
    doc = json.loads(path.read_text())
    assert doc["version"] == 1
    assert doc["generated_by"].startswith("computefit ")
    assert doc["findings"] == [
        {"check_id": "CF201", "file": "../stack/template.yaml", "resource": "Export", "count": 1},
        {"check_id": "CF201", "file": "../stack/template.yaml", "resource": "Other", "count": 1},
    ]
    monkeypatch.chdir(project)  # and it still matches from another working folder
    result = scan(["stack"], baseline=baseline.load(str(path)))
    assert result.findings == [] and len(result.suppressed) == 2


def _finding(resource: str, line: int, file: str = "t.yaml") -> Finding:
    return Finding(check_id="CF201", check_name="x", severity="warning", message="m", recommendation="r",
                   resource=resource, resource_type="AWS::Lambda::Function", location=Location(file, line),
                   resource_location=Location(file, 3))


def test_a_second_identical_finding_is_new(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "b.json"
    baseline.write([_finding("Fn", 10)], str(path))
    assert json.loads(path.read_text())["findings"][0]["count"] == 1
    applied = baseline.load(str(path)).apply([_finding("Fn", 12), _finding("Fn", 20)])
    assert [f.line for f in applied.matched] == [12]
    assert [f.line for f in applied.new] == [20]
    baseline.write([_finding("Fn", 10), _finding("Fn", 11)], str(path))
    assert json.loads(path.read_text())["findings"][0]["count"] == 2
    applied = baseline.load(str(path)).apply([_finding("Fn", 12)])
    assert applied.new == [] and [e.to_dict() for e in applied.stale] == [
        {"check_id": "CF201", "file": "t.yaml", "resource": "Fn", "count": 1}]


def test_key_uses_the_resource_file_not_the_line_it_points_at(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = _finding("Fn", 10, file="variables.tf")
    f.resource_location = Location("main.tf", 3)
    assert baseline.key_of(f, str(tmp_path)) == ("CF201", "main.tf", "Fn")


def test_stale_entries_are_listed_in_text_and_json(project):
    tpl = project / "stack" / "template.yaml"
    tpl.write_text(template(function("Export", 900), function("Gone", 900)))
    path = project / "baseline.json"
    runner = CliRunner()
    out = runner.invoke(main, ["scan", str(tpl), "--write-baseline", str(path)])
    assert out.exit_code == 0, out.output  # recording findings accepts them
    assert "recorded 2 findings in" in out.output
    tpl.write_text(template(function("Export", 900)))  # Gone was deleted
    out = runner.invoke(main, ["scan", str(tpl), "--baseline", str(path), "--no-color"])
    assert out.exit_code == 0
    assert "Stale baseline entries (no longer found; refresh" in out.output
    assert "  stack/template.yaml  CF201  Gone\n" in out.output
    assert out.output.rstrip().endswith("0 findings (0 error, 0 warning, 0 info) in 1 file; 1 suppressed; "
                                        "1 stale baseline entry")
    out = runner.invoke(main, ["scan", str(tpl), "--baseline", str(path), "--format", "json"])
    doc = json.loads(out.output)
    assert doc["baseline"] == {"file": str(path), "stale": [
        {"check_id": "CF201", "file": "stack/template.yaml", "resource": "Gone", "count": 1}]}
    assert doc["findings"] == []


def test_entries_for_files_not_scanned_are_not_stale(project):
    a = project / "stack" / "a.yaml"
    b = project / "stack" / "b.yaml"
    a.write_text(template(function("A", 900)))
    b.write_text(template(function("B", 900)))
    path = project / "baseline.json"
    baseline.write(scan([str(project / "stack")]).findings, str(path))
    result = scan([str(a)], baseline=baseline.load(str(path)))  # a pre-commit run naming a.yaml
    assert result.findings == [] and result.baseline_stale == []


def test_baseline_applies_after_suppressions(project):
    tpl = project / "stack" / "template.yaml"
    comment = "# computefit:ignore CF201 -- reviewed"
    tpl.write_text(template(function("Export", 900, comment=comment), function("Other", 900)))
    path = project / "baseline.json"
    baseline.write(scan([str(tpl)]).findings, str(path))
    assert [e["resource"] for e in json.loads(path.read_text())["findings"]] == ["Other"]
    # The suppression goes: Export's finding is new, not covered by the baseline.
    tpl.write_text(template(function("Export", 900), function("Other", 900)))
    result = scan([str(tpl)], baseline=baseline.load(str(path)))
    assert found(result) == [("CF201", "Export", 8)]


def test_exit_codes_count_only_reported_findings(project):
    tpl = project / "stack" / "template.yaml"
    tpl.write_text(template(function("Export", 900)))
    path = project / "baseline.json"
    runner = CliRunner()
    assert runner.invoke(main, ["scan", str(tpl)]).exit_code == 1
    assert runner.invoke(main, ["scan", str(tpl), "--write-baseline", str(path)]).exit_code == 0
    assert runner.invoke(main, ["scan", str(tpl), "--baseline", str(path)]).exit_code == 0
    tpl.write_text(template(function("Export", 900), function("New", 900)))
    out = runner.invoke(main, ["scan", str(tpl), "--baseline", str(path)])
    assert out.exit_code == 1 and "New has a timeout" in out.output and "Export has" not in out.output


@pytest.mark.parametrize("content, message", [
    (None, "baseline file not found (create it with --write-baseline"),
    ("{", "not a computefit baseline (invalid JSON"),
    ("[]", 'not a computefit baseline (no "version" key)'),
    ('{"version": 2, "findings": []}', "baseline version 2 is not supported"),
    ('{"version": 1}', '"findings" must be a list'),
    ('{"version": 1, "findings": [{"check_id": "CF201", "file": "t.yaml"}]}',
     "findings[0] needs string check_id, file and resource"),
    ('{"version": 1, "findings": [{"check_id": "CF201", "file": "t", "resource": "r", "count": 0}]}',
     "a positive integer count"),
])
def test_invalid_baseline_files(tmp_path, content, message):
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(baseline.BaselineError) as info:
        baseline.load(str(path))
    assert str(info.value).startswith(f"{path}: ") and message in str(info.value)
    out = CliRunner().invoke(main, ["scan", str(tmp_path), "--baseline", str(path)])
    assert out.exit_code == 2 and message in out.output


def test_baseline_and_write_baseline_together_is_a_usage_error(tmp_path):
    out = CliRunner().invoke(main, ["scan", str(tmp_path), "--baseline", "a.json", "--write-baseline", "b.json"])
    assert out.exit_code == 2 and "cannot be combined" in out.output


def test_write_baseline_to_an_unwritable_place(tmp_path):
    out = CliRunner().invoke(main, ["scan", str(tmp_path), "--write-baseline", str(tmp_path / "no" / "b.json")])
    assert out.exit_code == 2 and "cannot write baseline" in out.output
