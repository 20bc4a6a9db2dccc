"""Snapshot tests: every fixture case's full report entries, as ``--format json`` emits them.

Each case (a CloudFormation file under ``fixtures/<ID>/cfn/``, a Terraform module folder under
``fixtures/<ID>/tf/``) is scanned with every check from ``fixtures/<ID>/``, so paths are relative
to that folder. The ``findings`` and ``errors`` of the JSON report are compared with the case's
snapshot: ``cfn/<file>.expected.json`` beside a CloudFormation file, ``tf/<case>/expected.json``
inside a Terraform folder. A fixture another check also fires on shows that finding too.

Regenerate every snapshot (then review the diff and commit it)::

    python -m pytest tests/test_snapshots.py --update-snapshots
"""

from __future__ import annotations

import difflib
import json

import pytest
from conftest import (FIXTURES, UPDATE_COMMAND, fixture_cases, fixture_checks, scan_case, snapshot_files,
                      snapshot_path, usage_path)

CASES = [(cid, case) for cid in fixture_checks() for case in fixture_cases(cid)]


def report_entries(check_id: str, case: str) -> dict:
    """The ``findings`` and ``errors`` of the JSON report of one case, and its ``notices`` when
    the case has a usage file (what of the file the scan did not use)."""
    from computefit.reporters import RenderOptions
    from computefit.reporters.json_report import to_dict

    doc = to_dict(scan_case(check_id, case, every_check=True, allow_errors=True), RenderOptions())
    entries = {"findings": doc["findings"], "errors": doc["errors"]}
    if usage_path(check_id, case) is not None:
        entries["notices"] = doc["notices"]
    return entries


def render(entries: dict) -> str:
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("check_id,case", CASES, ids=[f"{cid}/{case}" for cid, case in CASES])
def test_snapshot(check_id, case, update_snapshots):
    path = snapshot_path(check_id, case)
    actual = render(report_entries(check_id, case))
    if update_snapshots:
        if not path.is_file() or path.read_text(encoding="utf-8") != actual:
            path.write_text(actual, encoding="utf-8", newline="\n")
        return
    if not path.is_file():
        pytest.fail(f"{path.relative_to(FIXTURES.parent)} is missing; run `{UPDATE_COMMAND}` and review it")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        rel = str(path.relative_to(FIXTURES.parent))
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            fromfile=f"{rel} (expected)", tofile=f"{rel} (actual)"))
        pytest.fail(f"the report of {check_id}/{case} differs from its snapshot; if the change is "
                    f"intended, run `{UPDATE_COMMAND}` and review the diff\n{diff}", pytrace=False)


def test_every_snapshot_has_a_fixture(update_snapshots):
    """A snapshot whose case was renamed or removed is an error (``--update-snapshots`` deletes it)."""
    expected = {snapshot_path(cid, case) for cid, case in CASES}
    orphans = [p for p in snapshot_files() if p not in expected]
    if update_snapshots:
        for p in orphans:
            p.unlink()
        return
    assert not orphans, (f"snapshots without a fixture case: {[str(p.relative_to(FIXTURES)) for p in orphans]}; "
                         f"run `{UPDATE_COMMAND}` to delete them")


def test_every_case_is_one_of_the_checks_fixtures():
    """Each check's fixture folder holds only cases and their snapshots, so none is skipped unseen."""
    for cid in fixture_checks():
        base = FIXTURES / cid
        assert sorted(p.name for p in base.iterdir()) <= ["cfn", "tf"], cid
        if (base / "tf").is_dir():
            assert all(p.is_dir() for p in (base / "tf").iterdir()), f"{cid}/tf holds a file outside a case folder"


def test_snapshot_paths_do_not_depend_on_the_working_directory():
    """Files named in a snapshot are relative to the check's fixture folder and exist there."""
    for cid, case in CASES:
        path = snapshot_path(cid, case)
        if not path.is_file():
            continue  # test_snapshot reports it
        entries = json.loads(path.read_text(encoding="utf-8"))
        for entry in entries["findings"] + entries["errors"] + entries.get("notices", []):
            assert (FIXTURES / cid / entry["file"]).is_file(), (cid, case, entry["file"])
            assert str(FIXTURES) not in json.dumps(entry), (cid, case)
