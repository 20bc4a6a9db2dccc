"""Acceptance tests for CF101, CF201-CF205, CF301-CF304 and CF401-CF403, written from the
specification only.

Every folder under tests/acceptance/ is one realistic case: CloudFormation / SAM / CDK templates or
a Terraform root folder, plus an ``expected.json``::

    {"description": "...",
     "findings": [{"check_id": "CF301", "resource": "OrdersApi", "severity": "warning", "line": 42}]}

The scan must report exactly the listed findings of these checks (no more, no fewer). ``line``
is given only where the specification fixes it (CF201: the line that set the timeout); when an
expectation also names a ``file`` (relative to the case folder), the finding must be in that file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CASES_DIR = Path(__file__).resolve().parent / "acceptance"
CHECKS = (
    "CF101", "CF201", "CF202", "CF203", "CF204", "CF205",
    "CF301", "CF302", "CF303", "CF304", "CF401", "CF402", "CF403",
)
SEVERITIES = {"info", "warning", "error"}


def _case_names() -> list[str]:
    return sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir() and (p / "expected.json").is_file())


CASES = _case_names()

#: Cases whose expectation stands but the implementation is known to get wrong: each names the
#: bug. strict, so the case fails loudly once the bug is fixed and the entry must go.
#: case -> the bug that makes it fail (the case is then a strict xfail, so the fix must remove it)
KNOWN_BUGS: dict[str, str] = {}


def _judged_cases() -> list:
    return [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[c])) if c in KNOWN_BUGS
            else c for c in CASES]


def _load_expected(case: str) -> dict:
    return json.loads((CASES_DIR / case / "expected.json").read_text(encoding="utf-8"))


def _severity(value) -> str:
    return str(getattr(value, "value", value)).lower()


def _same_file(reported: str, case: str, expected_file: str) -> bool:
    want = (CASES_DIR / case / expected_file).resolve()
    got = Path(reported)
    return (got if got.is_absolute() else (REPO / got)).resolve() == want


def _actual_key(finding, expectation: dict | None, case: str) -> tuple:
    """Key of a reported finding, shaped like the expectation it is compared with."""
    key = (finding.check_id, finding.resource, _severity(finding.severity))
    if expectation is None:
        return key + (finding.location.line, finding.location.file)
    if "line" in expectation:
        key += (finding.location.line,)
    if "file" in expectation:
        key += (expectation["file"] if _same_file(finding.location.file, case, expectation["file"])
                else finding.location.file,)
    return key


def _expected_key(expectation: dict) -> tuple:
    key = (expectation["check_id"], expectation["resource"], expectation["severity"])
    if "line" in expectation:
        key += (expectation["line"],)
    if "file" in expectation:
        key += (expectation["file"],)
    return key


def test_cases_are_present():
    assert len(CASES) >= 10, CASES
    assert set(KNOWN_BUGS) <= set(CASES), set(KNOWN_BUGS) - set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_expected_json_is_well_formed(case):
    expected = _load_expected(case)
    assert set(expected) == {"description", "findings"}
    assert expected["description"].strip()
    pairs = [(item.get("check_id"), item.get("resource")) for item in expected["findings"]]
    assert len(pairs) == len(set(pairs)), "one expectation per (check, resource)"
    for item in expected["findings"]:
        assert {"check_id", "resource", "severity"} <= set(item) <= {
            "check_id", "resource", "severity", "line", "file"}
        assert item["check_id"] in CHECKS
        assert item["severity"] in SEVERITIES
        if "line" in item:
            assert isinstance(item["line"], int) and item["line"] > 0
        if "file" in item:
            assert (CASES_DIR / case / item["file"]).is_file()


@pytest.mark.parametrize("case", _judged_cases())
def test_acceptance_case(case, monkeypatch):
    from computefit.config import Config
    from computefit.runner import scan

    expected = _load_expected(case)
    monkeypatch.chdir(REPO)
    result = scan([f"tests/acceptance/{case}"], Config(select=CHECKS))

    assert list(result.errors) == [], f"file errors while scanning {case}: {result.errors}"

    findings = [f for f in result.findings if f.check_id in CHECKS]
    # Match each reported finding with the expectation for the same check and resource, so the
    # key has the same shape (line / file only where the expectation gives them).
    by_id = {(e["check_id"], e["resource"]): e for e in expected["findings"]}
    actual = {
        _actual_key(f, by_id.get((f.check_id, f.resource)), case) for f in findings
    }
    wanted = {_expected_key(e) for e in expected["findings"]}

    missing = wanted - actual
    unexpected = actual - wanted
    report = "\n".join(
        [f"case {case}: {expected['description']}"]
        + [f"  missing:    {k}" for k in sorted(missing, key=str)]
        + [f"  unexpected: {k}" for k in sorted(unexpected, key=str)]
        + [f"  reported:   {f.check_id} {f.resource} {_severity(f.severity)} "
           f"{f.location.file}:{f.location.line} - {getattr(f, 'message', '')}" for f in findings]
    )
    assert actual == wanted, report
