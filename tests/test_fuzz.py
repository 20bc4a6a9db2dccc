"""Seeded mutation fuzz test (issue 15): mutants of the fixtures and of a sample of the shared corpus,
each scanned beside a canary template, never crash, hang or lose the canary's finding, and every
report format stays valid. About a minute; the long run is ``python benchmarks/fuzz.py --mutants
12000 --seed 1`` (see that file for what is mutated and checked).
"""

from __future__ import annotations

import importlib.util
import sys
import time

import pytest

from conftest import CORPUS, REPO

_spec = importlib.util.spec_from_file_location("computefit_fuzz", REPO / "benchmarks" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = fuzz  # dataclasses look their module up
_spec.loader.exec_module(fuzz)

#: Lone surrogates in names (``"F\\ud800"`` as a JSON logical ID): every report format escapes them
#: at the output boundary, so mutants may hold them.
SURROGATE_NAMES = True
#: Mutants per part, and the wall-clock cap that keeps the test near a minute on a slow machine.
FIXTURE_MUTANTS = 250
CORPUS_MUTANTS = 250
SECONDS_PER_PART = 40


def _report(totals) -> str:
    lines = [totals.summary()]
    for f in totals.failures[:5]:
        lines.append(f"{f.kind}: {f.source} after {'; '.join(f.mutations)}: {f.detail[:300]!r}")
    return "\n".join(lines)


@pytest.mark.slow
def test_mutants_of_the_fixtures():
    totals = fuzz.run(FIXTURE_MUTANTS, seed=15, corpus_sample=0, time_limit=20,
                      deadline=time.monotonic() + SECONDS_PER_PART, surrogates=SURROGATE_NAMES)
    assert totals.mutants >= 50, totals.summary()
    assert totals.failures == [], _report(totals)
    assert set(totals.exit_codes) <= {0, 1, 2}


@pytest.mark.slow
def test_mutants_of_a_corpus_sample(corpus):
    totals = fuzz.run(CORPUS_MUTANTS, seed=16, corpus_sample=300, time_limit=20,
                      deadline=time.monotonic() + SECONDS_PER_PART, surrogates=SURROGATE_NAMES)
    assert totals.mutants >= 50, totals.summary()
    assert totals.failures == [], _report(totals)


def test_the_checker_catches_what_it_looks_for(tmp_path, monkeypatch):
    """The fuzz checks can fail: a crash, an internal error and a lost canary are each counted."""
    import computefit.runner

    src = fuzz.Source(REPO / "fixtures" / "CF201" / "cfn" / "fire_above_limit.yaml", "fixture")
    data = src.path.read_bytes()

    totals = fuzz.Totals()
    fuzz.check_mutant(src, data, ["none"], tmp_path, totals, 20)
    assert totals.failures == [] and totals.mutants == 1

    real_scan = computefit.runner.scan

    def drops_the_canary(paths, config=None, **kw):
        result = real_scan(paths, config, **kw)
        result.findings = [f for f in result.findings if not f.location.file.endswith("canary.yaml")]
        return result

    def crashes(*a, **kw):
        raise ValueError("boom")

    def reports_an_internal_error(paths, config=None, **kw):
        from computefit.model import FileError

        result = real_scan(paths, config, **kw)
        result.errors.append(FileError("<model>", None, "internal error in the check CF201: boom"))
        return result

    for patch, kind in ((drops_the_canary, "missing canary"), (crashes, "internal error"),
                        (reports_an_internal_error, "internal error")):
        monkeypatch.setattr(computefit.runner, "scan", patch)
        totals = fuzz.Totals()
        fuzz.check_mutant(src, data, ["none"], tmp_path, totals, 20)
        assert [f.kind for f in totals.failures] == [kind]


def test_mutations_are_seeded():
    data = (REPO / "fixtures" / "CF201" / "cfn" / "fire_above_limit.yaml").read_bytes()
    import random

    assert fuzz.mutate(data, random.Random(3)) == fuzz.mutate(data, random.Random(3))
    assert CORPUS  # the corpus location the corpus part uses
