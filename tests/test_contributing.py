"""CONTRIBUTING.md says what the code does: every command in it runs, its example check works as a
check, its kinds rows work as rows of the kinds table, its fact is the real one and its model
excerpt is what `computefit model` prints."""

from __future__ import annotations

import re
import shlex
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from computefit import check as check_api
from computefit import facts, kinds
from computefit.check import all_checks
from computefit.cli import main
from computefit.runner import scan

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parent.parent
TEXT = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
_FENCE = re.compile(r"^([ \t]*)```(\w*)[ \t]*\n(.*?)^\1```[ \t]*$", re.M | re.S)
#: (language, text) of every fenced block, the indented ones (in list items) dedented.
BLOCKS = [(lang, textwrap.dedent(body)) for _indent, lang, body in _FENCE.findall(TEXT)]


def blocks(lang: str) -> list[str]:
    return [body for kind, body in BLOCKS if kind == lang]


def computefit_commands() -> list[list[str]]:
    out = []
    for body in blocks("sh"):
        for line in body.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("computefit "):
                out.append(shlex.split(line)[1:])
    return out


COMMANDS = computefit_commands()


def test_the_guide_has_its_commands():
    assert ["docs", "--check"] in COMMANDS and any(c[0] == "model" for c in COMMANDS)


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_computefit_command_runs(argv, monkeypatch):
    monkeypatch.chdir(REPO)
    argv = [a.replace("CFNNN", "CF203") for a in argv]
    if argv == ["docs"]:  # writes the docs: only parse it here (`docs --check` runs below)
        command = main.get_command(click.Context(main), argv[0])
        command.make_context(argv[0], argv[1:]).close()
        return
    result = CliRunner().invoke(main, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), (argv, result.output)  # 1: a scan that found something
    assert "Traceback" not in result.output


def test_pytest_commands_name_real_files_and_markers():
    for body in blocks("sh"):
        for line in body.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("python -m pytest"):
                for arg in shlex.split(line):
                    if arg.startswith("tests/"):
                        assert (REPO / arg).is_file(), arg
    markers = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["markers"]
    assert any(m.startswith("slow:") for m in markers)


def test_the_example_check_is_a_working_check(monkeypatch):
    [code] = [b for b in blocks("python") if "class LambdaNearTimeoutLimit(Check)" in b]
    code = code.replace('"""\n    ## What it does\n    ...\n    """', '"""Example."""')
    namespace: dict = {}
    exec(compile(code, "CONTRIBUTING.md", "exec"), namespace)
    example = namespace["LambdaNearTimeoutLimit"]
    monkeypatch.setattr(check_api, "_REGISTRY", {**all_checks(), "CF201": example})
    monkeypatch.setattr(check_api, "_RULES", None)
    result = scan(REPO / "fixtures" / "CF201" / "cfn" / "fire_literal_900.yaml")
    [f] = result.findings
    assert not result.errors
    assert (f.check_id, f.resource, f.line, f.severity) == ("CF201", "ExportFunction", 7, "warning")
    assert f.message == "ExportFunction has a timeout of 900 s, near Lambda's 900 s limit."
    assert scan(REPO / "fixtures" / "CF201" / "cfn" / "quiet_719.yaml").findings == []


def test_the_kinds_rows_work_as_rows(tmp_path, monkeypatch):
    """The attribute row the guide adds is read in both languages; the kind row is the real one."""
    rows = [b for b in blocks("toml") if "[lambda_function.attributes]" in b or "[sqs_queue]" in b]
    assert len(rows) == 2
    added = tomllib.loads(rows[0])["lambda_function"]["attributes"]
    real = tomllib.loads(Path(kinds._FILE).read_text(encoding="utf-8"))
    queue = tomllib.loads(rows[1])["sqs_queue"]
    assert {k: v for k, v in real["sqs_queue"].items() if k != "attributes"} == {
        k: v for k, v in queue.items() if k != "attributes"}
    for name, spec in queue["attributes"].items():
        assert real["sqs_queue"]["attributes"][name] == spec

    table = tmp_path / "kinds.toml"
    text = Path(kinds._FILE).read_text(encoding="utf-8")
    text = text.replace("[lambda_function.attributes]\n", rows[0].split("\n", 1)[1].join(
        ["[lambda_function.attributes]\n", ""]), 1)
    table.write_text(text, encoding="utf-8")
    monkeypatch.setattr(kinds, "_FILE", table)
    kinds.table.cache_clear()
    kinds._by_type.cache_clear()
    try:
        assert "tracing_mode" in {a.name for a in kinds.table()["lambda_function"].attributes}
        (tmp_path / "t.yaml").write_text(textwrap.dedent("""\
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties:
                  Runtime: python3.12
                  TracingConfig:
                    Mode: Active
            """))
        (tmp_path / "tf").mkdir()
        (tmp_path / "tf" / "main.tf").write_text(textwrap.dedent("""\
            resource "aws_lambda_function" "fn" {
              runtime = "python3.12"
              tracing_config {
                mode = "PassThrough"
              }
            }
            """))
        monkeypatch.chdir(tmp_path)
        model = scan(["t.yaml", "tf"]).model
        values = {r.address: r.value("tracing_mode") for r in model.resources}
        assert values == {"Fn": "Active", "aws_lambda_function.fn": "PassThrough"}
        assert set(added) == {"tracing_mode"}
    finally:
        kinds.table.cache_clear()
        kinds._by_type.cache_clear()


def test_the_fact_example_is_the_real_fact():
    [body] = [b for b in blocks("toml") if "[sqs.visibility_timeout_default]" in b]
    example = tomllib.loads(body)["sqs"]["visibility_timeout_default"]
    real = facts.raw("sqs.visibility_timeout_default")
    assert {k: real[k] for k in ("value", "unit", "url", "as_of")} == {
        k: example[k] for k in ("value", "unit", "url", "as_of")}
    assert real["source"].startswith(example["source"])


def test_the_plugin_example_names_the_entry_point_group():
    [body] = [b for b in blocks("toml") if "entry-points" in b]
    group = tomllib.loads(body)["project"]["entry-points"]
    assert list(group) == [check_api.ENTRY_POINT_GROUP]
    assert all(re.fullmatch(r"[\w.]+(:\w+)?", v) for v in group[check_api.ENTRY_POINT_GROUP].values())


def test_the_model_excerpt_is_what_computefit_model_prints(monkeypatch):
    [excerpt] = [b for b in blocks("text") if "compute units:" in b]
    monkeypatch.chdir(REPO)
    out = CliRunner().invoke(main, ["model", "fixtures/CF203/cfn/fire_sam_event.yaml"]).output.splitlines()
    lines = excerpt.splitlines()
    positions = [out.index(line) for line in lines]  # every line, as printed
    assert positions == sorted(positions)  # and in the same order


def test_the_id_table_matches_the_registry():
    for cid in all_checks():
        group = f"CF{cid[2]}xx"
        row = next(line for line in TEXT.splitlines() if line.startswith(f"| {group} |"))
        assert cid in row, (cid, row)
