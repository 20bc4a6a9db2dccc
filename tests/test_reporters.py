"""The report formats: SARIF (validated against the official 2.1.0 schema), JUnit XML, GitHub
workflow commands, GitLab Code Quality and markdown, plus the helpers they share."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from computefit.check import CostLine, Finding, all_checks, all_rules
from computefit.cli import main
from computefit.config import Config
from computefit.model import FileError, Location
from computefit.reporters import FORMATS, RenderOptions, common, render
from computefit.runner import ScanResult, scan

from conftest import REPO

SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
TRICKY = "100% sure: a, b\r\nand | pipes <b>bold</b> $1 and $2"


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Nothing here may reach the network (the SARIF schema's $id must never be fetched)."""

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(REPO)


def sarif_validator():
    """A Draft 7 validator for the SARIF schema with a registry that cannot retrieve anything."""
    from jsonschema import Draft7Validator, validators
    from referencing import Registry, Resource

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert validators.validator_for(schema) is Draft7Validator  # per the schema's $schema
    registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    return Draft7Validator(schema, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)


def assert_valid_sarif(doc: dict) -> None:
    errors = sorted(sarif_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def finding(resource="OrdersFn", file="stack/template.yaml", line=12, severity="warning",
            message="OrdersFn has a timeout of 840 s.", check_id="CF201", resource_line=None,
            resource_file=None, costs=None) -> Finding:
    return Finding(
        check_id=check_id,
        check_name=all_checks()[check_id].name if check_id in all_checks() else "made-up-check",
        severity=severity,
        message=message,
        recommendation="Run it on Fargate.",
        resource=resource,
        resource_type="AWS::Serverless::Function",
        location=Location(file, line),
        confidence="medium",
        evidence={"timeout": {"value": 840, "set_by": "property"}},
        costs=costs or [],
        resource_location=Location(resource_file or file, resource_line if resource_line is not None else line),
    )


def sample_result() -> ScanResult:
    """Two files, every severity, a finding pointing away from its resource, a line-0 finding,
    a suppressed finding, a file error with and without a line, and an internal error."""
    costs = [CostLine("current: Lambda", 12.5, ["runs 30 times a month"]), CostLine("Fargate", None, [])]
    return ScanResult(
        findings=[
            finding("ApiFn", "stack/template.yaml", 7, "error", "ApiFn timeout 901 s exceeds 900 s.", costs=costs),
            finding("OrdersFn", "stack/template.yaml", 12, "warning", TRICKY),
            finding("aws_lambda_function.x", "tf/terraform.tfvars", 2, "info", "x is close.",
                    resource_file="tf/main.tf", resource_line=30),
            finding("NoLineFn", "stack/other.json", 0, "warning", "line unknown"),
        ],
        errors=[
            FileError("broken/a.yaml", 3, "mapping values are not allowed here"),
            FileError("broken/a.yaml", None, "second problem: 50% done"),
            FileError("<model>", None, "internal error in the check CF201: KeyError"),
        ],
        files_scanned=5,
        suppressed=[(finding("QuietFn", "stack/template.yaml", 40), "computefit: ignore[CF201] comment at line 39"),
                    (finding("OldFn", "stack/template.yaml", 50), "baseline .computefit-baseline.json")],
        checks=["CF201"],
    )


# --------------------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------------------


def test_count_and_summary_line():
    result = sample_result()
    assert common.count_by_severity(result.findings) == {"error": 1, "warning": 2, "info": 1}
    assert common.summary_line(result) == (
        "4 findings (1 error, 2 warning, 1 info) in 5 files; 3 files could not be read; 2 suppressed"
    )
    assert common.summary_line(ScanResult(files_scanned=1)) == "0 findings (0 error, 0 warning, 0 info) in 1 file"


def test_report_path_and_uri(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert common.report_path(str(tmp_path / "a" / "b c.yaml")) == "a/b c.yaml"
    assert common.report_path("./a/b.yaml") == "a/b.yaml"
    assert common.file_uri("a/b c.yaml") == ("a/b%20c.yaml", True)
    outside = tmp_path.parent / "elsewhere.tf"
    assert common.file_uri(str(outside)) == (outside.as_uri(), False)
    assert common.working_directory_uri() == tmp_path.resolve().as_uri() + "/"


@pytest.mark.skipif(os.sep != "/", reason="the POSIX reading; elsewhere pathlib itself reads paths")
@pytest.mark.parametrize("cwd", ["/", "/work", "/work/repo", "//net/share"])
def test_report_path_reads_paths_as_pathlib_does(cwd, monkeypatch):
    monkeypatch.setattr(common.os, "getcwd", lambda: cwd)
    paths = ["", ".", "./", "a", "./a/b.yaml", "a//b", "a/./b/", "a/../b", "../x.tf", "/", "//", "///", "////x",
             "/work", "/work/", "/work/repo", "/work/repo/a.yaml", "/work/repo/./a//b.yaml", "/work/repox/a",
             "/work/repo/../other/a", "//net/share/a", "//net/share", "///work/repo/a", "/WORK/repo/a",
             "a b/c\\d.yaml", "/work/repo/ü.yaml", "x/\u202e.yaml"]
    assert [common.report_path(p) for p in paths] == [common._report_path_by_pathlib(p) for p in paths]


def test_doc_sections_and_docs_url(monkeypatch):
    cls = all_checks()["CF201"]
    sections = common.doc_sections(cls.doc())
    assert list(sections) == ["What it does", "Why is this bad?", "Example", "Use instead", "Options", "References"]
    assert sections["What it does"].startswith("Flags a Lambda function")
    # from the installed metadata ([project.urls] Documentation)
    assert common.check_docs_url("CF201") == "https://github.com/computefit/computefit/blob/main/docs/checks/CF201.md"
    # and the fallback when the package metadata is not there
    common.project_urls.cache_clear()
    from importlib import metadata

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "metadata", missing)
    try:
        assert common.project_urls() == {}
        assert common.check_docs_url("CF201") == f"{common.DEFAULT_DOCS_URL}/CF201.md"
    finally:
        common.project_urls.cache_clear()


def test_fingerprints_ignore_line_and_stay_unique():
    a = finding("Fn", line=10)
    moved = finding("Fn", line=25)
    other = finding("OtherFn", line=10)
    [fa], [fm] = common.fingerprints([a]), common.fingerprints([moved])
    assert fa == fm
    # the finding's line may be in another file (tfvars); the key is the resource's own file
    via_tfvars = finding("Fn", file="vars.tfvars", line=2, resource_file="stack/template.yaml", resource_line=10)
    assert common.fingerprints([via_tfvars]) == [fa]
    prints = common.fingerprints([a, other, finding("Fn", line=40)])
    assert len(set(prints)) == 3 and prints[0] == fa


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_renders_an_empty_result(fmt):
    text = render(fmt, ScanResult())
    assert isinstance(text, str)


# --------------------------------------------------------------------------------------------------
# SARIF
# --------------------------------------------------------------------------------------------------


def test_sarif_document(in_repo):
    doc = json.loads(render("sarif", sample_result()))
    assert_valid_sarif(doc)
    [run] = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "computefit" and driver["informationUri"] == "https://github.com/computefit/computefit"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(all_rules())  # engine rules CF001-CF003 too
    cf201 = rules[[r["id"] for r in rules].index("CF201")]
    cls = all_checks()["CF201"]
    assert cf201["name"] == "lambda-near-timeout-limit"
    assert cf201["shortDescription"] == {"text": cls.summary}
    assert cf201["fullDescription"]["text"].startswith("Flags a Lambda function whose effective timeout")
    assert "`" not in cf201["fullDescription"]["text"]
    assert cf201["help"]["markdown"] == cls.doc() and "## Use instead" in cf201["help"]["text"]
    assert cf201["helpUri"].endswith("/docs/checks/CF201.md")
    assert cf201["defaultConfiguration"] == {"level": "warning"}
    assert cf201["properties"] == {"tags": list(cls.tags), "precision": "high"} and "lambda" in cls.tags

    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": REPO.resolve().as_uri() + "/"}}
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("CF201", "error"), ("CF201", "warning"), ("CF201", "note"), ("CF201", "warning"),
    ]  # the two suppressed findings are left out (GitHub ignores SARIF suppressions)
    first = results[0]
    assert first["ruleIndex"] == list(all_rules()).index("CF201")
    [loc] = first["locations"]
    assert loc["physicalLocation"] == {
        "artifactLocation": {"uri": "stack/template.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 7},
    }
    assert loc["logicalLocations"] == [
        {"name": "ApiFn", "kind": "resource", "fullyQualifiedName": "stack/template.yaml#ApiFn"}
    ]
    assert first["properties"]["confidence"] == "medium"
    assert first["properties"]["evidence"] == {"timeout": {"value": 840, "set_by": "property"}}
    assert first["properties"]["costs"]["options"][0] == {
        "option": "current: Lambda", "monthly_usd": 12.5, "assumptions": ["runs 30 times a month"]
    }
    assert results[1]["message"]["text"] == TRICKY
    # line 0: no region
    assert "region" not in results[3]["locations"][0]["physicalLocation"]
    # the tfvars finding is fingerprinted by its resource's file
    assert results[2]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "tf/main.tf#aws_lambda_function.x"
    prints = [r["partialFingerprints"]["computefit/checkResourceHash/v1"] for r in results]
    assert len(set(prints)) == len(prints)


def test_sarif_includes_suppressed_findings_only_when_asked(in_repo):
    """GitHub code scanning ignores ``suppressions`` (github/codeql-action#1230): a suppressed
    result would be an open alert, so they are left out unless --show-suppressed asks."""
    hidden = json.loads(render("sarif", sample_result()))
    assert [r["locations"][0]["logicalLocations"][0]["name"] for r in hidden["runs"][0]["results"]] == [
        "ApiFn", "OrdersFn", "aws_lambda_function.x", "NoLineFn"]
    doc = json.loads(render("sarif", sample_result(), RenderOptions(show_suppressed=True)))
    assert_valid_sarif(doc)
    suppressed = [r for r in doc["runs"][0]["results"] if "suppressions" in r]
    assert [(r["suppressions"], r["locations"][0]["logicalLocations"][0]["name"]) for r in suppressed] == [
        ([{"kind": "inSource", "justification": "computefit: ignore[CF201] comment at line 39"}], "QuietFn"),
        ([{"kind": "external", "justification": "baseline .computefit-baseline.json"}], "OldFn"),
    ]
    # the fingerprints of the reported results do not depend on the option
    key = "computefit/checkResourceHash/v1"
    assert ([r["partialFingerprints"][key] for r in hidden["runs"][0]["results"]]
            == [r["partialFingerprints"][key] for r in doc["runs"][0]["results"][:4]])


def test_sarif_file_errors_are_notifications(in_repo):
    doc = json.loads(render("sarif", sample_result()))
    [invocation] = doc["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["error"] * 3
    assert notes[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "broken/a.yaml", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 3}
    }
    assert "region" not in notes[1]["locations"][0]["physicalLocation"]
    assert "locations" not in notes[2] and notes[2]["message"]["text"].startswith("<model>: internal error")
    clean = json.loads(render("sarif", ScanResult()))
    assert clean["runs"][0]["invocations"] == [{"executionSuccessful": True}]
    assert_valid_sarif(clean)


def test_sarif_file_outside_the_working_directory_gets_an_absolute_uri(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    outside = str(tmp_path / "other dir" / "main.tf")
    doc = json.loads(render("sarif", ScanResult(findings=[finding("aws_lambda_function.f", outside, 4)])))
    assert_valid_sarif(doc)
    artifact = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": Path(outside).as_uri()}
    assert "%20" in artifact["uri"]


def test_sarif_relative_uris_are_percent_encoded(in_repo):
    doc = json.loads(render("sarif", ScanResult(findings=[finding("Fn", "my stacks/100%.yaml", 3)])))
    assert_valid_sarif(doc)
    artifact = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "my%20stacks/100%25.yaml", "uriBaseId": "%SRCROOT%"}


def test_sarif_schema_rejects_a_broken_document(in_repo):
    """The validator really validates (so the tests above can fail)."""
    doc = json.loads(render("sarif", sample_result()))
    doc["runs"][0]["results"][0]["level"] = "warn"
    doc["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "a b.yaml"
    del doc["version"]
    messages = {e.message for e in sarif_validator().iter_errors(doc)}
    assert "'version' is a required property" in messages
    assert any("'warn' is not one of" in m for m in messages)
    # URI formats are checked (rfc3986-validator), so an unencoded path would be caught
    assert "'a b.yaml' is not a 'uri-reference'" in messages


# --------------------------------------------------------------------------------------------------
# JUnit
# --------------------------------------------------------------------------------------------------


def test_junit_structure(in_repo):
    root = ET.fromstring(render("junit", sample_result(), RenderOptions(fail_on="warning")))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["CF201 lambda-near-timeout-limit", "computefit file errors"]
    checks, errors = suites
    cases = checks.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("stack/other.json.CF201", "CF201 NoLineFn"),
        ("stack/template.yaml.CF201", "CF201 ApiFn"),
        ("stack/template.yaml.CF201", "CF201 OrdersFn"),
        ("tf/terraform.tfvars.CF201", "CF201 aws_lambda_function.x"),
    ]
    # Jenkins splits the classname at its last dot: package = the file, class = the check
    assert all(c.get("classname") == c.get("file") + ".CF201" for c in cases)
    failures = [(c.get("name"), f.get("type")) for c in cases for f in c.findall("failure")]
    assert failures == [("CF201 NoLineFn", "warning"), ("CF201 ApiFn", "error"), ("CF201 OrdersFn", "warning")]
    # the info finding is below --fail-on warning: a passing testcase with the finding in system-out
    info_case = cases[3]
    assert info_case.find("failure") is None
    assert "below --fail-on warning" in info_case.find("system-out").text
    # the body carries the message (GitLab shows only the content), the tricky text survives
    orders = cases[2].find("failure")
    assert orders.get("message") == TRICKY  # attributes keep CR and LF (serialised as &#13; &#10;)
    assert orders.text.startswith("stack/template.yaml:12: CF201 warning: 100% sure")
    assert "fix: Run it on Fargate." in orders.text
    api = cases[1].find("failure")
    assert "cost: current: Lambda: $12.50/month" in api.text and "cost: Fargate: unknown" in api.text
    assert (checks.get("tests"), checks.get("failures"), checks.get("errors"), checks.get("skipped")) == ("4", "3", "0", "0")
    # file errors: one testcase per file, one <error> per problem
    err_cases = errors.findall("testcase")
    assert [(c.get("classname"), c.get("name"), c.get("file")) for c in err_cases] == [
        ("<model>.parse", "parse <model>", None),
        ("broken/a.yaml.parse", "parse broken/a.yaml", "broken/a.yaml"),
    ]
    assert [e.text for e in err_cases[1].findall("error")] == [
        "broken/a.yaml:3: mapping values are not allowed here", "broken/a.yaml: second problem: 50% done",
    ]
    assert {e.get("type") for e in errors.iter("error")} == {"FileError"}
    assert (errors.get("tests"), errors.get("errors")) == ("2", "3")
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("6", "3", "3", "0")


def test_junit_fail_on_and_suppressed(in_repo):
    result = sample_result()
    never = ET.fromstring(render("junit", result, RenderOptions(fail_on="never", show_suppressed=True)))
    assert never.get("failures") == "0"
    skipped = [c for c in never.iter("testcase") if c.find("skipped") is not None]
    assert [c.get("name") for c in skipped] == ["CF201 QuietFn (suppressed)", "CF201 OldFn (suppressed)"]
    assert skipped[1].find("skipped").get("message") == "suppressed: baseline .computefit-baseline.json"
    info = ET.fromstring(render("junit", result, RenderOptions(fail_on="info")))
    assert info.get("failures") == "4" and info.get("skipped") == "0"


def test_junit_clean_check_is_a_passing_testcase_and_xml_stays_valid(in_repo):
    result = ScanResult(findings=[finding(message="bad \x00 byte \x1b[31m")], checks=["CF201", "CF999"])
    root = ET.fromstring(render("junit", result, RenderOptions()))
    [_, clean] = root.findall("testsuite")
    assert clean.get("name") == "CF999"
    [case] = clean.findall("testcase")
    assert (case.get("classname"), case.get("name"), case.find("failure")) == ("computefit", "CF999 (no findings)", None)
    assert root.find("testsuite/testcase/failure").get("message") == "bad \ufffd byte \ufffd[31m"


# --------------------------------------------------------------------------------------------------
# GitHub
# --------------------------------------------------------------------------------------------------


def test_github_escaping():
    from computefit.reporters.github import escape_data, escape_property

    assert escape_data("50%\r\nnext: a, b") == "50%25%0D%0Anext: a, b"
    assert escape_property("50%\r\nnext: a, b") == "50%25%0D%0Anext%3A a%2C b"
    assert escape_data("%0A") == "%250A"  # an escape sequence in the text is not decoded by GitHub


def test_github_commands(in_repo):
    lines = render("github", sample_result()).splitlines()
    assert lines == [
        "::error file=stack/template.yaml,line=7,title=CF201 lambda-near-timeout-limit::"
        "ApiFn timeout 901 s exceeds 900 s.%0AFix: Run it on Fargate.",
        "::warning file=stack/template.yaml,line=12,title=CF201 lambda-near-timeout-limit::"
        "100%25 sure: a, b%0D%0Aand | pipes <b>bold</b> $1 and $2%0AFix: Run it on Fargate.",
        "::notice file=tf/terraform.tfvars,line=2,title=CF201 lambda-near-timeout-limit::"
        "x is close.%0AFix: Run it on Fargate.",
        "::warning file=stack/other.json,title=CF201 lambda-near-timeout-limit::line unknown%0AFix: Run it on Fargate.",
        "::error file=broken/a.yaml,line=3,title=computefit%3A file could not be read::mapping values are not allowed here",
        "::error file=broken/a.yaml,title=computefit%3A file could not be read::second problem: 50%25 done",
        "::error title=computefit::<model>: internal error in the check CF201: KeyError",
    ]
    # one physical line per command, whatever the message contains
    assert all(re.fullmatch(r"::(error|warning|notice) [^:]*::.*", line) for line in lines)


def test_github_property_values_with_separators(in_repo):
    f = finding("Fn", "dir,with:odd%chars/t.yaml", 3)
    [line] = render("github", ScanResult(findings=[f])).splitlines()
    assert line.startswith("::warning file=dir%2Cwith%3Aodd%25chars/t.yaml,line=3,title=")


# --------------------------------------------------------------------------------------------------
# GitLab Code Quality
# --------------------------------------------------------------------------------------------------


def test_gitlab_issues(in_repo):
    issues = json.loads(render("gitlab", sample_result()))
    assert [(i["check_name"], i["severity"], i["location"]) for i in issues] == [
        ("CF201", "critical", {"path": "stack/template.yaml", "lines": {"begin": 7}}),
        ("CF201", "major", {"path": "stack/template.yaml", "lines": {"begin": 12}}),
        ("CF201", "info", {"path": "tf/terraform.tfvars", "lines": {"begin": 2}}),
        ("CF201", "major", {"path": "stack/other.json", "lines": {"begin": 1}}),
        ("computefit/file-error", "critical", {"path": "broken/a.yaml", "lines": {"begin": 3}}),
        ("computefit/file-error", "critical", {"path": "broken/a.yaml", "lines": {"begin": 1}}),
        ("computefit/file-error", "critical", {"path": "<model>", "lines": {"begin": 1}}),
    ]
    assert issues[1]["description"] == f"CF201 OrdersFn: {TRICKY}"
    assert issues[0]["description"] == "CF201 ApiFn timeout 901 s exceeds 900 s."  # the name once
    assert issues[0]["content"] == {"body": "Run it on Fargate."}
    prints = [i["fingerprint"] for i in issues]
    assert len(set(prints)) == len(prints)
    assert all(re.fullmatch(r"[0-9a-f]{64}", p) for p in prints)
    assert json.loads(render("gitlab", sample_result())) == issues  # stable across runs


def test_gitlab_fingerprints_survive_a_line_shift(tmp_path, monkeypatch):
    """Scan a real template, insert lines above its resources, scan again: same fingerprints."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(REPO / "examples" / "orders-api" / "template.yaml", tmp_path / "template.yaml")
    only_cf201 = Config(select=("CF201",))  # one finding keeps the comparison exact
    before = json.loads(render("gitlab", scan(["template.yaml"], only_cf201)))
    again = json.loads(render("gitlab", scan(["template.yaml"], only_cf201)))
    text = (tmp_path / "template.yaml").read_text(encoding="utf-8")
    (tmp_path / "template.yaml").write_text("# a comment\n# another\n\n" + text, encoding="utf-8")
    after = json.loads(render("gitlab", scan(["template.yaml"], only_cf201)))
    assert [i["check_name"] for i in before] == ["CF201"]
    assert [i["location"]["lines"]["begin"] for i in after] == [before[0]["location"]["lines"]["begin"] + 3]
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in again] == [i["fingerprint"] for i in after]


# --------------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------------


def test_markdown_structure(in_repo):
    text = render("markdown", sample_result(), RenderOptions(show_suppressed=True))
    lines = text.splitlines()
    assert lines[0] == "## computefit: " + common.summary_line(sample_result())
    assert [l for l in lines if l.startswith("### ")] == [
        "### `stack/template.yaml`", "### `tf/terraform.tfvars`", "### `stack/other.json`",
        "### Suppressed", "### Errors",
    ]
    header = "| Line | Check | Severity | Resource | Message |"
    assert lines.count(header) == 3
    rows = [l for l in lines if l.startswith("| ") and "lambda-near-timeout-limit" in l]
    # first the count per check (by_check), then one row per finding
    assert rows[0] == ("| [CF201](https://github.com/computefit/computefit/blob/main/docs/checks/CF201.md) "
                       "lambda-near-timeout-limit | 4 | 1 | 2 | 1 |")
    rows = rows[1:]
    assert len(rows) == 4
    # the tricky message: pipes escaped, HTML escaped, line break as <br>, $ escaped; one row
    orders = next(r for r in rows if "OrdersFn" in r)
    assert orders.endswith(
        "| 100% sure: a, b<br>and \\| pipes &lt;b&gt;bold&lt;/b&gt; \\$1 and \\$2 |"
    )
    assert len(re.findall(r"(?<!\\)\|", orders)) == 6  # exactly five cells
    assert "[CF201](https://github.com/computefit/computefit/blob/main/docs/checks/CF201.md)" in orders
    assert next(r for r in rows if "NoLineFn" in r).startswith("|  | [CF201]")
    # one collapsed block per finding with the fix and the costs
    assert text.count("<details>") == text.count("</details>") == 4
    assert "<summary>CF201 ApiFn (line 7): fix and costs</summary>" in text
    assert "<summary>CF201 NoLineFn: fix and costs</summary>" in text
    assert "- current: Lambda: **\\$12.50/month**\n  - runs 30 times a month" in text
    assert "- Fargate: **unknown**" in text
    assert "| stack/template.yaml | 50 | CF201 | OldFn | baseline .computefit-baseline.json |" in lines
    assert "| broken/a.yaml | 3 | mapping values are not allowed here |" in lines
    assert "| &lt;model&gt; |  | internal error in the check CF201: KeyError |" in lines
    assert "### Suppressed" not in render("markdown", sample_result(), RenderOptions())


def test_markdown_clean_run():
    text = render("markdown", ScanResult(files_scanned=2))
    assert text == "## computefit: 0 findings (0 error, 0 warning, 0 info) in 2 files\n\nNo compute-model mismatches found.\n"


# --------------------------------------------------------------------------------------------------
# One CLI run of the bundled examples, every format
# --------------------------------------------------------------------------------------------------


#: Every finding of the bundled examples by the checks named here, in report order (file, line).
EXAMPLE_FINDINGS = [
    ("CF201", "examples/orders-api/template.yaml", 11, "NightlyExportFunction"),
    ("CF301", "examples/orders-api/template.yaml", 37, "OrdersApiFunction"),
    ("CF101", "examples/reporting-host/template.json", 31, "ReportingHost"),
    ("CF101", "examples/terraform/main.tf", 31, "aws_instance.invoice_batch"),
    ("CF301", "examples/terraform/main.tf", 84, "aws_lambda_function.invoice_api"),
    ("CF201", "examples/terraform/terraform.tfvars", 2, "aws_lambda_function.reconcile"),
]


def test_examples_every_format_in_one_run(in_repo, tmp_path):
    machine = [f for f in FORMATS if f not in ("text", "full")]
    out = {f: tmp_path / f"report.{f}" for f in machine}
    args = ["scan", "examples", "--format", "text"]
    for cid in sorted({e[0] for e in EXAMPLE_FINDINGS}):  # a check added later does not change this run
        args += ["--select", cid]
    for fmt in machine:
        args += ["--format", f"{fmt}:{out[fmt]}"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1, res.output  # warnings at the default --fail-on warning
    expected = EXAMPLE_FINDINGS

    assert res.output.endswith(f"{len(expected)} findings (0 error, {len(expected)} warning, 0 info) in 4 files\n")
    assert "examples/orders-api/template.yaml:11:5: CF201 [warning] NightlyExportFunction has" in res.output

    report = json.loads(out["json"].read_text())
    assert [(f["check_id"], f["file"], f["line"], f["resource"]) for f in report["findings"]] == expected

    sarif = json.loads(out["sarif"].read_text())
    assert_valid_sarif(sarif)
    assert [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         r["locations"][0]["physicalLocation"]["region"]["startLine"],
         r["locations"][0]["logicalLocations"][0]["name"])
        for r in sarif["runs"][0]["results"]
    ] == expected
    assert sarif["runs"][0]["invocations"] == [{"executionSuccessful": True}]

    junit = ET.parse(out["junit"]).getroot()
    n = str(len(expected))
    cases = list(junit.iter("testcase"))
    failing = [(c.get("classname"), c.get("name")) for c in cases if c.find("failure") is not None]
    assert failing == [(f"{file}.{cid}", f"{cid} {res_}") for cid, file, _, res_ in sorted(expected)]
    # every other resource each check examined is a passing testcase (as checkov lists them)
    passing = {(c.get("classname"), c.get("name")) for c in cases if c.find("failure") is None}
    tpl, tf = "examples/orders-api/template.yaml", "examples/terraform/main.tf"
    assert passing == {
        (f"{tf}.CF101", "CF101 aws_instance.web"),
        *((f"{tpl}.{cid}", f"{cid} {fn}") for cid, fn in (
            ("CF201", "CheckoutFunction"), ("CF201", "OrderEventsConsumer"), ("CF201", "OrdersApiFunction"),
            ("CF301", "CheckoutFunction"), ("CF301", "NightlyExportFunction"), ("CF301", "OrderEventsConsumer"))),
        (f"{tf}.CF201", "CF201 aws_lambda_function.invoice_api"), (f"{tf}.CF301", "CF301 aws_lambda_function.reconcile"),
    }
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == (str(len(expected) + len(passing)), n, "0")

    github = out["github"].read_text().splitlines()
    assert [re.match(r"::warning file=([^,]+),line=(\d+),title=(CF\d+) ", l).groups() for l in github] == [
        (file, str(line), cid) for cid, file, line, _ in expected
    ]

    gitlab = json.loads(out["gitlab"].read_text())
    for issue in gitlab:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in gitlab] == [
        e[:3] for e in expected
    ]

    md = out["markdown"].read_text().splitlines()
    assert md[0] == f"## computefit: {n} findings (0 error, {n} warning, 0 info) in 4 files"
    assert [l for l in md if l.startswith("### ")] == [f"### `{f}`" for f in dict.fromkeys(e[1] for e in expected)] + ["### Costs"]
    assert md.count("<details>") == len(expected)


def test_junit_a_check_that_fails_is_an_error_never_a_clean_pass(in_repo, monkeypatch):
    """A check that raises is reported as an internal error; JUnit must not list it as passing."""
    from computefit import check as check_api
    from computefit.check import WARNING, Check, all_checks

    class Broken(Check):
        id, name, severity, summary = "CF999", "broken", WARNING, "raises"

        def run(self, model, ctx):
            raise RuntimeError("boom")

    monkeypatch.setattr(check_api, "_REGISTRY", {**all_checks(), "CF999": Broken})
    result = scan(["examples/orders-api/template.yaml"])
    assert "CF999" not in result.checks and "CF201" in result.checks
    assert any("check CF999" in e.message for e in result.errors)
    junit = ET.fromstring(render("junit", result))
    names = [c.get("name") for c in junit.iter("testcase")]
    assert not any(n.startswith("CF999") for n in names)
    assert any(c.find("error") is not None for c in junit.iter("testcase"))


def test_a_small_cost_is_never_shown_as_free():
    from computefit.reporters.common import money

    assert (money(0.0019), money(0.0), money(0.005), money(1234.5), money(None), money(float("nan"))) == (
        "<$0.01/month", "$0.00/month", "$0.01/month", "$1,234.50/month", "unknown", "unknown")
