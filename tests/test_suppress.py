"""Suppressions: each form silences exactly its findings; unused, expired and invalid ones are
reported by the engine rules CF001-CF003."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from computefit import check as check_api
from computefit.check import WARNING, Check, EngineRule, all_checks, all_rules
from computefit.cli import main
from computefit.config import Config
from computefit.model import LAMBDA_FUNCTION, Location
from computefit.runner import scan
from computefit.suppress import COMMENT, _scan_braces, parse_directive

DATA = Path(__file__).resolve().parent / "data" / "suppress"
CFN = DATA / "cfn"
TF = DATA / "tf"
KNOWN = {"CF201", "CF901"}
ENGINE = {"CF001", "CF002", "CF003"}


def run(path: Path, config: Config | None = None, today: date | None = None):
    return scan([str(path)], config or Config(), today=today)


def reported(result) -> list[tuple[str, str, str, int]]:
    """(check, resource, file name, line) of every reported finding."""
    return sorted((f.check_id, f.resource, Path(f.location.file).name, f.location.line)
                  for f in result.findings)


def silenced(result) -> list[tuple[str, str, str]]:
    """(check, resource, where the suppression is) of every silenced finding."""
    out = []
    for f, why in result.suppressed:
        where = why.split(" at ", 1)[1].split(":")[0:2] if " at " in why else [why]
        out.append((f.check_id, f.resource, f"{Path(where[0]).name}:{where[1].split(' ')[0]}"
                    if len(where) == 2 else why))
    return sorted(out)


class EveryLambda(Check):
    """
    ## What it does
    Test-only check: one finding for every Lambda function, so comma lists can be tested with two
    checks that fire on the same resource.
    """

    id = "CF901"
    name = "test-every-lambda"
    severity = WARNING
    summary = "test only"

    def run(self, model, ctx):
        for unit in model.units_of(LAMBDA_FUNCTION):
            yield self.finding(unit, f"{unit.name} is a Lambda function.", "None.")


@pytest.fixture
def second_check(monkeypatch):
    """Register the test-only check CF901 next to the real ones for one test."""
    monkeypatch.setattr(check_api, "_REGISTRY", {**all_checks(), "CF901": EveryLambda})
    monkeypatch.setattr(check_api, "_RULES", None)
    yield EveryLambda


# -- CloudFormation -----------------------------------------------------------------------------


def test_cfn_yaml_comments_above_and_inside_resource():
    result = run(CFN / "comments.yaml")
    assert reported(result) == [
        ("CF001", "Short", "comments.yaml", 33),  # silences nothing: Short's timeout is 30 s
        ("CF002", "Expired", "comments.yaml", 28),  # until 2020-01-31
        ("CF003", "BadDate", "comments.yaml", 39),  # unknown ID CF2O1 and a DD/MM/YYYY date
        ("CF003", "NoId", "comments.yaml", 44),  # names no check
        ("CF201", "BadDate", "comments.yaml", 5),  # a bad date silences nothing
        ("CF201", "Expired", "comments.yaml", 5),  # the finding comes back
        ("CF201", "Reported", "comments.yaml", 5),  # no suppression (the trailing comment above is Inside's)
    ]
    # The findings point at the Globals line (5); the comments sit on or above the resources.
    assert silenced(result) == [
        ("CF201", "Above", "comments.yaml:9"),
        ("CF201", "AllIds", "comments.yaml:23"),
        ("CF201", "Inside", "comments.yaml:18"),
    ]
    why = dict((f.resource, w) for f, w in result.suppressed)
    assert why["Inside"].endswith("(until 2099-12-31): reviewed by the platform team")
    assert why["Above"].endswith(": nightly export, moving to Batch")


def test_cfn_meta_findings_explain_themselves():
    result = run(CFN / "comments.yaml")
    by_id = {(f.check_id, f.resource): f for f in result.findings}
    expired = by_id[("CF002", "Expired")]
    assert "expired on 2020-01-31" in expired.message
    assert "was to move to Batch in January 2020" in expired.message
    assert expired.severity == "info"
    [again] = expired.evidence["reported_again"]
    assert again.startswith("CF201 Expired at ") and again.endswith("comments.yaml:5")
    bad = by_id[("CF003", "BadDate")]
    assert bad.severity == "warning"
    assert "unknown check ID 'CF2O1'" in bad.message and "'31/01/2027'" in bad.message
    assert "It silences nothing" in bad.message
    assert "names no check" in by_id[("CF003", "NoId")].message
    unused = by_id[("CF001", "Short")]
    assert unused.evidence["unused_ids"] == ["CF201"]


def test_expiry_is_inclusive_of_the_until_date():
    on_the_day = run(CFN / "comments.yaml", today=date(2099, 12, 31))
    assert ("CF201", "Inside") in {(f.check_id, f.resource) for f, _ in on_the_day.suppressed}
    day_after = run(CFN / "comments.yaml", today=date(2100, 1, 1))
    assert ("CF201", "Inside", "comments.yaml", 5) in reported(day_after)
    assert ("CF002", "Inside", "comments.yaml", 18) in reported(day_after)


def test_yaml_hash_in_strings_and_block_scalars_is_not_a_suppression():
    result = run(CFN / "not_comments.yaml")
    assert reported(result) == [("CF201", "Inline", "not_comments.yaml", 9)]
    assert result.suppressed == []


@pytest.mark.parametrize("name", ["resource_metadata.json", "resource_metadata.yaml"])
def test_cfn_resource_metadata(name):
    result = run(CFN / name)
    silenced_resources = sorted(f.resource for f, _ in result.suppressed)
    if name.endswith(".json"):
        assert reported(result) == [
            ("CF001", "Unused", name, 26),
            ("CF002", "Expired", name, 21),
            ("CF003", "Invalid", name, 31),  # entry without id
            ("CF003", "Invalid", name, 31),  # unknown ID CF999
            ("CF201", "Expired", name, 22),
            ("CF201", "Invalid", name, 32),
            ("CF201", "Reported", name, 17),
        ]
        assert silenced_resources == ["Silenced"]
    else:
        assert reported(result) == [("CF201", "Reported", name, 20)]
        assert silenced_resources == ["AllChecks", "Silenced"]  # ignore: [all]
    why = dict((f.resource, w) for f, w in result.suppressed)
    assert why["Silenced"].startswith("Metadata at ")
    assert why["Silenced"].endswith("(until 2099-12-31): batch import, runs once a month")


@pytest.mark.parametrize("name", ["template_metadata.yaml", "template_metadata.json"])
def test_cfn_template_metadata_covers_every_resource(name):
    result = run(CFN / name)
    assert reported(result) == []
    expected = ["ExportA", "ExportB"] if name.endswith(".yaml") else ["ExportA"]
    assert sorted(f.resource for f, _ in result.suppressed) == expected


# -- Terraform ----------------------------------------------------------------------------------


def test_tf_resource_comments():
    result = run(TF / "resources")
    assert reported(result) == [
        ("CF001", "aws_lambda_function.short", "main.tf", 46),
        ("CF002", "aws_lambda_function.expired", "main.tf", 38),
        ("CF201", "aws_lambda_function.expired", "main.tf", 43),
        # "# computefit:ignore" inside a string and inside a heredoc are not comments:
        ("CF201", "aws_lambda_function.reported", "main.tf", 21),
    ]
    assert silenced(result) == [
        ("CF201", "aws_lambda_function.above", "main.tf:1"),  # finding at terraform.tfvars:1
        ("CF201", "aws_lambda_function.after_heredoc", "main.tf:63"),
        ("CF201", "aws_lambda_function.block_comment", "main.tf:30"),  # /* */ and `all`
        ("CF201", "aws_lambda_function.inside", "main.tf:13"),  # finding at variables.tf:8
    ]
    where = {f.resource: (Path(f.location.file).name, f.location.line) for f, _ in result.suppressed}
    assert where["aws_lambda_function.above"] == ("terraform.tfvars", 1)
    assert where["aws_lambda_function.inside"] == ("variables.tf", 8)


def test_tf_json_comment_key():
    result = run(TF / "json")
    assert reported(result) == [("CF201", "aws_lambda_function.reported", "main.tf.json", 15)]
    assert silenced(result) == [("CF201", "aws_lambda_function.silenced", "main.tf.json:5")]


def test_tf_comment_on_local_module_block_covers_its_resources():
    result = run(TF / "local_module")
    assert reported(result) == [("CF201", "module.other.aws_lambda_function.worker", "main.tf", 9)]
    assert silenced(result) == [
        ("CF201", "module.inside.aws_lambda_function.worker", "main.tf:14"),  # inside the block
        ("CF201", "module.jobs.aws_lambda_function.worker", "main.tf:1"),  # above the block
    ]


def test_tf_comment_on_registry_module_block():
    result = run(TF / "registry_module")
    assert reported(result) == [("CF201", "module.reported", "main.tf", 19)]
    assert silenced(result) == [("CF201", "module.export", "main.tf:1")]


def test_named_file_scan_reports_suppressions_in_scope_only():
    # A pre-commit run naming variables.tf: the finding pointing there is silenced by the comment
    # in main.tf, and main.tf's unused/expired suppressions are not reported.
    result = run(TF / "resources" / "variables.tf")
    assert reported(result) == []
    assert [f.resource for f, _ in result.suppressed] == ["aws_lambda_function.inside"]


# -- comma lists, with a second check -----------------------------------------------------------


def test_comma_list_cfn(second_check):
    result = run(CFN / "comma_list.yaml")
    assert reported(result) == [
        ("CF001", "Short", "comma_list.yaml", 17),  # CF201 in the list matched nothing
        ("CF201", "SecondOnly", "comma_list.yaml", 16),
    ]
    assert silenced(result) == [
        ("CF201", "Both", "comma_list.yaml:3"),
        ("CF901", "Both", "comma_list.yaml:3"),
        ("CF901", "SecondOnly", "comma_list.yaml:10"),
        ("CF901", "Short", "comma_list.yaml:17"),
    ]
    unused = next(f for f in result.findings if f.check_id == "CF001")
    assert unused.evidence["unused_ids"] == ["CF201"]
    assert "the other IDs in it did" in unused.message


def test_comma_list_and_all_tf(second_check):
    result = run(TF / "comma_list")
    assert reported(result) == [("CF201", "aws_lambda_function.second_only", "main.tf", 13)]
    assert silenced(result) == [
        ("CF201", "aws_lambda_function.all_checks", "main.tf:16"),
        ("CF201", "aws_lambda_function.both", "main.tf:1"),
        ("CF901", "aws_lambda_function.all_checks", "main.tf:16"),
        ("CF901", "aws_lambda_function.both", "main.tf:1"),
        ("CF901", "aws_lambda_function.second_only", "main.tf:9"),
    ]


def test_unused_ids_of_checks_that_did_not_run_are_not_judged(second_check):
    result = run(CFN / "comma_list.yaml", Config(select=("CF201",)))
    # CF901 did not run: its IDs are not "unused"; CF201's in Short's list still is.
    assert reported(result) == [
        ("CF001", "Short", "comma_list.yaml", 17),
        ("CF201", "SecondOnly", "comma_list.yaml", 16),
    ]
    # With CF201 off, no CF201 suppression is unused; an expired one is expired all the same.
    # `all` is judged by the checks that did run (CF101 and CF301 here): it silenced nothing.
    result = run(CFN / "comments.yaml", Config(ignore=("CF201", "CF9")))
    assert [(f.check_id, f.resource) for f in result.findings] == [
        ("CF001", "AllIds"), ("CF002", "Expired"), ("CF003", "BadDate"), ("CF003", "NoId")]
    # With only CF201 selected and CF201 ignored, nothing ran that `all` could match.
    result = run(CFN / "comments.yaml", Config(select=("CF201",), ignore=("CF201",)))
    assert [f.check_id for f in result.findings] == ["CF002", "CF003", "CF003"]


# -- engine rules -------------------------------------------------------------------------------


def test_engine_rules_are_documented_rules_not_checks():
    rules = all_rules()
    for cid in ("CF001", "CF002", "CF003"):
        assert issubclass(rules[cid], EngineRule)
        assert cid not in all_checks()  # the runner never calls them
        assert not hasattr(rules[cid], "run")
        doc = rules[cid].doc()
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"):
            assert section in doc
    assert rules["CF001"].name == "unused-suppression"
    assert rules["CF002"].name == "expired-suppression"
    assert rules["CF003"].name == "invalid-suppression"


def test_explain_engine_rule():
    out = CliRunner().invoke(main, ["explain", "cf002"])
    assert out.exit_code == 0
    assert out.output.startswith("# CF002 expired-suppression")
    assert "Reported by the suppressions stage of the engine, not by a check." in out.output


def test_engine_rules_obey_select_ignore_and_severity():
    result = run(CFN / "comments.yaml", Config(ignore=("CF001", "CF002"), severity={"CF003": "error"}))
    meta = [(f.check_id, f.severity) for f in result.findings if f.check_id.startswith("CF00")]
    assert meta == [("CF003", "error"), ("CF003", "error")]


def test_engine_rule_ids_cannot_be_suppressed_inline():
    sup = parse_directive(" CF001", Location("t.yaml", 3), COMMENT, KNOWN, ENGINE)
    assert not sup.usable and "cannot be suppressed here" in sup.problems[0]


@pytest.mark.parametrize("body, ids, until, reason, problems", [
    (" CF201", ("CF201",), None, None, 0),
    (" cf201,CF901 -- a reason -- with dashes", ("CF201", "CF901"), None, "a reason -- with dashes", 0),
    (" CF201, CF901 until 2027-01-31 -- r", ("CF201", "CF901"), date(2027, 1, 31), "r", 0),
    (" all until 2027-01-31", ("ALL",), date(2027, 1, 31), None, 0),
    (" CF201 until 2027-02-30", ("CF201",), None, None, 1),  # no such day
    (" CF201 until", ("CF201",), None, None, 1),
    (" CF777 CF201", ("CF201",), None, None, 1),  # the valid ID still works
    ("", (), None, None, 1),
])
def test_parse_directive(body, ids, until, reason, problems):
    sup = parse_directive(body, Location("t.tf", 1), COMMENT, KNOWN, ENGINE)
    assert sup.ids == ids
    assert sup.until == until
    assert sup.reason == reason
    assert len(sup.problems) == problems


def test_hcl_scanner_skips_strings_interpolations_and_heredocs():
    text = (
        'resource "a" "b" {\n'  # 1
        '  x = "${jsonencode({ a = "}" })} # not a comment"\n'  # 2
        '  y = <<EOT\n'  # 3
        '  } # not a comment either\n'  # 4
        'EOT\n'  # 5
        '  z = { k = 1 } // a comment\n'  # 6
        '}\n'  # 7
        '# top comment\n'  # 8
    )
    comments, ends = _scan_braces(text, hcl=True)
    assert ends[1] == 7 and ends[6] == 6
    assert sorted(comments) == [6, 8]
    assert comments[6][1] == "// a comment"


# -- output -------------------------------------------------------------------------------------


def test_show_suppressed_text_and_json():
    runner = CliRunner()
    path = str(TF / "registry_module")
    out = runner.invoke(main, ["scan", path, "--show-suppressed", "--no-color"])
    assert out.exit_code == 1
    assert "Suppressed" in out.output
    assert "CF201  module.export: comment at " in out.output
    assert "vendor module, tuned by the vendor" in out.output
    out = runner.invoke(main, ["scan", path, "--show-suppressed", "--format", "json"])
    doc = json.loads(out.output)
    assert [(s["resource"], s["suppressed_by"].endswith("(until 2099-06-30): vendor module, tuned by the vendor"))
            for s in doc["suppressed"]] == [("module.export", True)]
    out = runner.invoke(main, ["scan", path, "--format", "json"])
    assert "suppressed" not in json.loads(out.output)


def test_exit_code_counts_only_reported_findings():
    out = CliRunner().invoke(main, ["scan", str(CFN / "template_metadata.yaml")])
    assert out.exit_code == 0, out.output
    assert "0 findings" in out.output and "2 suppressed" in out.output


class EveryAsg(Check):
    """Test-only check: one finding for every auto scaling group, at the group."""

    id = "CF903"
    name = "test-every-asg"
    severity = WARNING
    summary = "test only"

    def run(self, model, ctx):
        from computefit.model import AUTO_SCALING_GROUP

        for unit in model.units_of(AUTO_SCALING_GROUP):
            yield self.finding(unit, f"{unit.name} is an auto scaling group.", "None.")


def test_comment_on_a_launch_template_covers_its_group(monkeypatch):
    monkeypatch.setattr(check_api, "_REGISTRY", {**all_checks(), "CF903": EveryAsg})
    monkeypatch.setattr(check_api, "_RULES", None)
    result = run(CFN / "launch_template.yaml")
    assert reported(result) == [("CF903", "Other", "launch_template.yaml", 17)]
    assert silenced(result) == [("CF903", "Workers", "launch_template.yaml:3")]
