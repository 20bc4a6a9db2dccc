"""SARIF as GitHub code scanning reads it: the line hash GitHub matches alerts by, no suppressed
result (GitHub ignores SARIF suppressions), a rule for every ruleId, the documented limits."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from computefit import facts
from computefit.check import all_rules
from computefit.cli import main
from computefit.reporters.linehash import file_line_hashes, line_hashes
from computefit.reporters.sarif import within

from conftest import REPO
from test_reporters import assert_valid_sarif

# Test vectors of github/codeql-action src/fingerprints.test.ts (the upload action's own hashes).
CODEQL_VECTORS = [
    ("", ["c129715d7a2bc9a3:1"]),
    (" a\nb\n  \t\tc\n d", ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]),
    (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
     ["8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1", "c6805c5e1288b612:1",
      "b86d3392aea1be30:1", "e6ceba753e1a442:1"]),
    *[(text, ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
              "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"])
      for text in (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
                   " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
                   " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
                   " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n")],
    ("Lorem ipsum dolor sit amet.\n" * 10,
     [f"a7f2ff13bc495cf2:{i}" for i in range(1, 7)]
     + ["a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1", "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1"]),
]


@pytest.mark.parametrize("text,expected", CODEQL_VECTORS)
def test_line_hash_matches_githubs_upload_action(text, expected):
    assert line_hashes(text) == {i + 1: h for i, h in enumerate(expected)}


def test_line_hash_of_wanted_lines_only_and_of_a_file(tmp_path):
    text = "Lorem ipsum dolor sit amet.\n" * 10
    assert line_hashes(text, {3, 9}) == {3: "a7f2ff13bc495cf2:3", 9: "55ec222b86bcae53:1"}
    path = tmp_path / "t.yaml"
    path.write_bytes(text.replace("\n", "\r\n").encode())
    assert file_line_hashes(str(path), {0, 3}) == {1: "a7f2ff13bc495cf2:1", 3: "a7f2ff13bc495cf2:3"}
    assert file_line_hashes(str(tmp_path / "gone.yaml"), {1}) == {}
    assert file_line_hashes(str(tmp_path), {1}) == {}  # a folder: nothing, no exception


def test_line_hash_counts_utf16_code_units_as_javascript_does():
    # An astral character is two UTF-16 units: the 100-unit window ends one character earlier.
    astral = "\U0001F600" + "x" * 99 + "\nend"
    bmp = "\u00e9" + "x" * 99 + "\nend"
    assert line_hashes(astral)[1] != line_hashes(bmp)[1]
    assert line_hashes(astral)[2] == line_hashes(bmp)[2]


def test_within_cuts_at_a_word():
    assert within("short", 10) == "short"
    cut = within("one two three four", 12)
    assert cut == "one two\u2026" and len(cut) <= 12


def assert_github_limits(doc: dict) -> None:
    """GitHub's documented limits and what code scanning needs of every result."""
    assert len(doc["runs"]) <= facts.value("github.sarif_runs_per_file")
    limit = facts.value("github.sarif_description_max")
    for run in doc["runs"]:
        rules = run["tool"]["driver"]["rules"]
        ids = [r["id"] for r in rules]
        assert len(ids) == len(set(ids))
        for rule in rules:
            assert len(rule["shortDescription"]["text"]) <= limit, rule["id"]
            if "fullDescription" in rule:
                assert len(rule["fullDescription"]["text"]) <= limit, rule["id"]
            assert len(rule.get("properties", {}).get("tags", [])) <= facts.value("github.sarif_tags_per_rule")
        assert len(run["results"]) <= facts.value("github.sarif_results_per_run")
        for res in run["results"]:
            assert res["ruleId"] in ids and ids[res["ruleIndex"]] == res["ruleId"]
            assert res["message"]["text"]
            assert len(res["locations"]) <= facts.value("github.sarif_locations_per_result")
            assert res["partialFingerprints"]["primaryLocationLineHash"]
            assert "suppressions" not in res


def test_every_rule_keeps_within_githubs_limits():
    from computefit.reporters.sarif import _rule

    limit = facts.value("github.sarif_description_max")
    for cls in all_rules().values():
        rule = _rule(cls)
        assert len(rule["fullDescription"]["text"]) <= limit and len(rule["fullDescription"]["markdown"]) <= limit
        assert rule["help"]["markdown"] == cls.doc()  # the full text stays in help
        assert rule["properties"]["tags"], cls.id
        assert rule["properties"]["precision"] in {"very-high", "high", "medium", "low"}
    assert _rule(all_rules()["CF001"])["properties"]["precision"] == "very-high"
    assert _rule(all_rules()["CF301"])["properties"]["precision"] == "low"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """The examples in a git work tree, one finding suppressed inline, one unused suppression
    (CF001), and the working directory at its top."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "examples", root / "examples")
    (root / ".git").mkdir()
    tpl = root / "examples" / "orders-api" / "template.yaml"
    text = tpl.read_text()
    text = text.replace("  OrdersApiFunction:\n", "  # computefit:ignore CF301 -- reviewed\n  OrdersApiFunction:\n")
    text = text.replace("  OrdersTable:\n", "  # computefit:ignore CF201 -- nothing to silence here\n  OrdersTable:\n")
    tpl.write_text(text)
    monkeypatch.chdir(root)
    return root


def _scan(*args) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["scan", "examples", *args])
    return res.exit_code, res.output


def test_sarif_for_github_with_suppressions_and_a_baseline(repo):
    code, _ = _scan("--select", "CF1", "--write-baseline", "baseline.json")
    assert code == 0
    code, out = _scan("--baseline", "baseline.json", "--format", "sarif")
    assert code == 1, out
    doc = json.loads(out)
    assert_valid_sarif(doc)
    assert_github_limits(doc)
    results = doc["runs"][0]["results"]
    rule_ids = {r["ruleId"] for r in results}
    assert "CF101" not in rule_ids  # baselined
    assert "CF001" in rule_ids  # the unused suppression, with its engine rule in driver.rules
    names = {r["locations"][0]["logicalLocations"][0]["name"] for r in results}
    assert "OrdersApiFunction" not in names  # suppressed inline
    # each line hash is the hash of the line the result points at
    for res in results:
        loc = res["locations"][0]["physicalLocation"]
        line = loc.get("region", {}).get("startLine", 1)
        text = (repo / loc["artifactLocation"]["uri"]).read_bytes().decode()
        assert res["partialFingerprints"]["primaryLocationLineHash"] == line_hashes(text)[line]
        assert res["partialFingerprints"]["computefit/checkResourceHash/v1"]

    code, out = _scan("--baseline", "baseline.json", "--format", "sarif", "--show-suppressed")
    shown = json.loads(out)
    assert_valid_sarif(shown)
    kinds = sorted(r["suppressions"][0]["kind"] for r in shown["runs"][0]["results"] if "suppressions" in r)
    assert kinds == ["external", "external", "inSource"]


def test_sarif_category_sets_the_automation_id(repo):
    _, out = _scan("--format", "sarif", "--sarif-category", "infra/prod")
    doc = json.loads(out)
    assert doc["runs"][0]["automationDetails"] == {"id": "infra/prod/"}
    assert_valid_sarif(doc)
    _, out = _scan("--format", "sarif")
    assert "automationDetails" not in json.loads(out)["runs"][0]
