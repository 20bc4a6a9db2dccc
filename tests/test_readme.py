"""The README documents the JSON report contract; these tests keep it from drifting from the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from computefit.cli import main

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n{title}\n")
    rest = text[start + len(title) + 2:]
    level = title.split(" ", 1)[0]
    end = re.search(rf"^#{{1,{len(level)}}} ", rest, re.M)
    return rest[: end.start()] if end else rest


def _shape(report: dict) -> dict[str, set[str]]:
    """The keys at each level of a report (evidence is check-specific, so not part of the shape)."""
    findings = report["findings"]
    costs = [f["costs"] for f in findings if "costs" in f]
    return {
        "report": set(report),
        "findings[]": set().union(*(set(f) for f in findings)),
        "findings[].costs": set().union(*(set(c) for c in costs)),
        "findings[].costs.options[]": set().union(*(set(o) for c in costs for o in c["options"])),
        "errors[]": set().union(*(set(e) for e in report["errors"])),
        "notices[]": set().union(*(set(n) for n in report["notices"])),
        "summary": set(report["summary"]),
        "summary.by_severity": set(report["summary"]["by_severity"]),
        "summary.by_check.*": set().union(*(set(c) for c in report["summary"]["by_check"].values())),
        "summary.unsupported[]": set().union(*(set(u) for u in report["summary"]["unsupported"])),
    }


@pytest.fixture
def emitted(tmp_path, monkeypatch) -> dict:
    """A real report from the bundled examples (findings with costs) plus one unreadable file and
    one file outside the read boundary (a notice)."""
    (tmp_path / "broken.template").write_text("Resources: [\n")
    (tmp_path / "main.tf").write_text('resource "aws_instance" "a" {\n  user_data = file("/etc/hostname")\n}\n')
    (tmp_path / "serverless.yml").write_text("service: orders\nprovider:\n  name: aws\n")  # unsupported
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["scan", "examples", str(tmp_path), "--format", "json"])
    report = json.loads(result.stdout)
    assert report["findings"] and report["errors"] and report["notices"] and report["summary"]["unsupported"]
    assert any("costs" in f for f in report["findings"])
    return report


def test_readme_json_example_has_the_emitted_keys(emitted):
    section = _section("### JSON report")
    example = json.loads(re.search(r"```json\n(.*?)\n```", section, re.S).group(1))
    assert _shape(example) == _shape(emitted)
    assert example["version"] == emitted["version"]


def test_readme_json_table_names_every_key(emitted):
    section = _section("### JSON report")
    table = "\n".join(line for line in section.splitlines() if line.startswith("| `"))
    documented = set(re.findall(r"`(?:findings\[\]\.|errors\[\]|summary)?([a-z_]+)`", table))
    for level, keys in _shape(emitted).items():
        if level == "report":
            continue  # version, findings, errors, summary: shown by the example
        assert keys <= documented, (level, keys - documented)


def test_readme_documents_the_exit_codes():
    section = _section("### Exit codes")
    rows = re.findall(r"^\| (\d) \|", section, re.M)
    assert rows == ["0", "1", "2"]


def test_readme_starts_with_the_two_fresh_machine_commands():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert lines[2:6] == [
        "```sh",
        "pip install . && computefit scan examples/                      # install and scan the bundled examples",
        "pip install -e '.[test]' && python -m pytest -q                  # install the test extra and run the tests",
        "```",
    ]


def test_readme_checks_table_is_generated_from_the_registry():
    from computefit import docs

    text = README.read_text(encoding="utf-8")
    section = text.split("## Checks", 1)[1].split("\n## ", 1)[0]
    assert docs.TABLE_BEGIN in section and docs.TABLE_END in section
    assert docs.update_readme(text, docs.readme_table()) == text, (
        "the README checks table is stale: run `computefit docs` and commit README.md")
