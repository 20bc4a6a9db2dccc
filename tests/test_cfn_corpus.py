"""Robustness on real CloudFormation: a deterministic sample of the corpus's CloudFormation, SAM and
CDK templates goes through the runner (discovery, loader, model builder, every check) and no file
causes an internal error. Unreadable files must be reported as ordinary parse errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from computefit.runner import scan

pytestmark = pytest.mark.slow  # a corpus sample

CFN_KINDS = ("cfn-yaml", "cfn-json", "sam")
SAMPLE = 600


def cfn_files(corpus: Path) -> list[Path]:
    files = []
    with open(corpus / "MANIFEST.tsv", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 4 and parts[3] in CFN_KINDS:
                files.append(corpus / "files" / parts[0].replace("/", "__") / parts[2])
    return sorted(files)


def sample(files: list[Path], n: int) -> list[Path]:
    if n >= len(files):
        return files
    step = len(files) / n
    return [files[int(i * step)] for i in range(n)]  # deterministic: evenly spaced


def test_corpus_sample_scans_without_internal_errors(corpus):
    files = [p for p in sample(cfn_files(corpus), SAMPLE) if p.is_file()]
    assert len(files) >= SAMPLE * 0.9
    result = scan([str(p) for p in files])
    internal = [e for e in result.errors if "internal error" in e.message]
    assert internal == [], internal[:3]
    # every other error is a located parse error, and they are rare in published templates
    assert all(e.file in {str(p) for p in files} for e in result.errors)
    assert len(result.errors) <= len(files) * 0.03, result.errors[:5]
    assert result.files_scanned >= len(files) * 0.95
    kinds = {u.kind for u in result.model.units}
    assert {"lambda_function", "ec2_instance", "auto_scaling_group"} <= kinds
    assert sum(len(u.triggers) for u in result.model.units) > 100
