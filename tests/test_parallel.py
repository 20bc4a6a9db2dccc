"""A scan in a process pool (-j N) reports exactly what a serial scan (-j 1) reports: the same
findings in the same order with the same fingerprints, the same errors and the same notices."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from computefit import runner
from computefit.cli import main
from computefit.config import Config

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def always_parallel(monkeypatch):
    """Use the pool however few documents there are (the threshold is a speed choice only)."""
    monkeypatch.setattr(runner, "MIN_PARALLEL_WORK", 2)


def _reports(paths: list[str], jobs: int) -> dict[str, str]:
    out = {}
    for fmt in ("json", "sarif"):
        res = CliRunner().invoke(main, ["scan", *paths, "--format", fmt, "-j", str(jobs)])
        assert res.exit_code in (0, 1, 2), res.output
        assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
        out[fmt] = res.output
    return out


def _same_as_serial(paths: list[str]) -> dict[str, str]:
    serial = _reports(paths, 1)
    parallel = _reports(paths, 2)
    assert parallel["json"] == serial["json"]
    assert parallel["sarif"] == serial["sarif"]
    return serial


def test_fixtures_same_with_two_processes(always_parallel, monkeypatch):
    monkeypatch.chdir(REPO)
    serial = _same_as_serial(["fixtures"])
    assert '"check_id"' in serial["json"]  # the fixtures do produce findings to compare


def test_examples_same_with_two_processes(always_parallel, monkeypatch):
    monkeypatch.chdir(REPO)
    _same_as_serial(["examples"])


@pytest.mark.slow
def test_corpus_sample_same_with_two_processes(always_parallel, corpus, monkeypatch):
    files = corpus / "files"
    small = [p.name for p in sorted(files.iterdir())
             if p.is_dir() and sum(1 for _ in zip(range(41), p.rglob("*.*"))) <= 40]
    sample = small[::7][:8]
    monkeypatch.chdir(files)
    _same_as_serial(sample)


def test_pool_is_used_and_results_come_back_in_order(always_parallel, monkeypatch):
    """The parallel path really starts a pool and keeps the documents' order."""
    import concurrent.futures

    monkeypatch.chdir(REPO)
    started = []

    class Counting(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            started.append(kwargs.get("max_workers"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Counting)
    todo = runner._jobs(runner.discover(["fixtures"]))
    results = list(runner._run_jobs(todo, Config(), 2))
    assert started == [2]
    assert len(results) == len(todo)
    for (kind, what), (doc, errors, _, _) in zip(todo, results):
        if doc is not None:
            assert doc.path == (what[0] if kind == "cloudformation" else what.directory)  # (path, boundary)


def test_few_documents_stay_in_this_process(monkeypatch):
    import os

    monkeypatch.chdir(REPO)
    seen = []
    real = runner._scan_job

    def spy(job, config, cache=None):
        seen.append(os.getpid())
        return real(job, config, cache)

    monkeypatch.setattr(runner, "_scan_job", spy)
    todo = runner._jobs(runner.discover(["examples"]))
    assert 1 < len(todo) and runner._work(todo) < runner.MIN_PARALLEL_WORK
    list(runner._run_jobs(todo, Config(), 2))
    assert seen == [os.getpid()] * len(todo)


def test_jobs_option_rejects_zero():
    res = CliRunner().invoke(main, ["scan", "-j", "0", "examples"])
    assert res.exit_code == 2
    assert "-j" in res.output or "--jobs" in res.output


def test_a_pool_that_cannot_start_falls_back_to_this_process(always_parallel, monkeypatch):
    import concurrent.futures

    monkeypatch.chdir(REPO)

    class NoPool:
        def __init__(self, *args, **kwargs):
            raise OSError("no semaphores on this system")

    serial = _reports(["fixtures"], 1)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", NoPool)
    assert _reports(["fixtures"], 2) == serial


def test_workers_send_back_outlines_largest_jobs_first(always_parallel, monkeypatch):
    """A worker returns each document without what only the checks read, and the pool is given the
    largest jobs first, every job exactly once."""
    monkeypatch.chdir(REPO)
    todo = runner._jobs(runner.discover(["fixtures"]))
    chunks = runner._chunks(todo, 2)
    order = [i for chunk in chunks for i in chunk]
    assert sorted(order) == list(range(len(todo)))
    sizes = [runner._size(todo[i]) for i in order]
    assert sizes == sorted(sizes, reverse=True)
    full = [r[0] for r in runner._run_jobs(todo, Config(), 1)]
    sent = [r[0] for r in runner._run_jobs(todo, Config(), 2)]
    assert [d.path for d in sent if d] == [d.path for d in full if d]
    for whole, outline in zip(full, sent):
        if whole is None:
            continue
        assert [(u.name, u.kind, u.location, u.end_line) for u in outline.units] == \
            [(u.name, u.kind, u.location, u.end_line) for u in whole.units]
        assert [(r.address, r.location, r.related) for r in outline.resources] == \
            [(r.address, r.location, r.related) for r in whole.resources]
        assert all(not r.attributes and not r.edges for r in outline.resources)
        assert all(u.resource is None or any(u.resource is r for r in outline.resources) for u in outline.units)
    assert any(r.attributes for d in full if d for r in d.resources)


def test_notices_of_a_module_shared_by_two_roots_come_in_one_order_whatever_the_hash_seed(tmp_path):
    """Two roots calling one local module with undownloaded remote calls give notices with the same
    file, line and message: their order must not come from a set's (hash-seeded) order."""
    import json
    import os
    import subprocess
    import sys

    shared = tmp_path / "modules" / "shared"
    shared.mkdir(parents=True)
    (shared / "main.tf").write_text('module "a" {\n  source = "git::https://example.com/a.git"\n}\n'
                                    'module "b" {\n  source = "git::https://example.com/b.git"\n}\n')
    for root in ("one", "two", "three"):
        (tmp_path / root).mkdir()
        (tmp_path / root / "main.tf").write_text('module "s" {\n  source = "../modules/shared"\n}\n')
    code = ("import json, sys; from computefit.runner import scan; "
            "print(json.dumps([(n.file, n.line, n.message) for n in scan([sys.argv[1]]).notices]))")
    outs = set()
    for seed in ("1", "2", "3", "4"):
        proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
        outs.add(proc.stdout)
    assert len(outs) == 1
    assert len(json.loads(outs.pop())) >= 2  # the case does produce notices to order
