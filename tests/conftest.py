"""Shared test helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
#: The shared corpus sits next to the checkout; COMPUTEFIT_CORPUS points elsewhere (a git worktree).
CORPUS = Path(os.environ.get("COMPUTEFIT_CORPUS") or REPO.parent / "shared" / "corpus")


def scan_findings(path: str | Path, check_id: str | None = None):
    """Scan one fixture file or folder and return the findings (optionally of one check only)."""
    from computefit.config import Config
    from computefit.runner import scan

    config = Config(select=(check_id,)) if check_id else Config()
    return scan([str(path)], config)


def finding_keys(result, check_id: str | None = None) -> list[tuple[str, str, int]]:
    """(check id, resource, line) of every finding, sorted: what fixture tests assert."""
    return sorted(
        (f.check_id, f.resource, f.location.line)
        for f in result.findings
        if check_id is None or f.check_id == check_id
    )


def fixture_cases(check_id: str) -> list[str]:
    """Every fixture case of a check, relative to fixtures/<ID>/: CloudFormation files under cfn/
    and Terraform module folders under tf/. Tests assert each one is in their expectation table, so
    no fixture goes untested."""
    base = FIXTURES / check_id
    cases = []
    for p in sorted((base / "cfn").glob("*")) if (base / "cfn").is_dir() else []:
        if p.is_file():
            cases.append(f"cfn/{p.name}")
    for p in sorted((base / "tf").glob("*")) if (base / "tf").is_dir() else []:
        if p.is_dir():
            cases.append(f"tf/{p.name}")
    return cases


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "files").is_dir():
        pytest.skip("shared corpus not present")
    return CORPUS
