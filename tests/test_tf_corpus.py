"""Robustness on real Terraform: every corpus folder loads without an exception other than
FileError / ParseError. A deterministic sample runs here (the full corpus takes ~90 s:
``python benchmarks/corpus_tf.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = 400

pytestmark = pytest.mark.slow  # a corpus sample: about 5 s


def test_corpus_sample_loads_without_exceptions(corpus):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import corpus_tf
    finally:
        sys.path.pop(0)
    folders = corpus_tf.sample(corpus_tf.tf_folders(corpus), SAMPLE)
    result = corpus_tf.run(folders)
    assert result["crashes"] == [], result["crashes"][:3]
    stats = result["stats"]
    assert stats["modules"] >= SAMPLE * 0.9
    assert stats["units"] > 0  # the sample holds Lambda functions / instances that must be found
