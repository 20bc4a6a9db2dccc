"""A hostile or damaged cache folder only makes a scan slower: the report is the one the cache
turned off gives, with no traceback and no hang (README, "Speed")."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from computefit import usercache

ROOT = Path(__file__).resolve().parent.parent
TF_FOLDER = ROOT / "fixtures" / "CF101" / "tf"


def _scan(cache: str, *paths: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "COMPUTEFIT_CACHE_DIR": cache}
    return subprocess.run([str(Path(sys.executable).parent / "computefit"), "scan", "--format", "json", *paths],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("COMPUTEFIT_CACHE_DIR", str(folder))
    return folder


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX named pipes")
def test_an_entry_that_is_a_named_pipe_is_not_waited_on(cache_dir):
    cache_dir.mkdir(mode=0o700)
    os.mkfifo(cache_dir / "entry", 0o600)
    assert usercache.read("entry") is None  # returns at once: nobody will ever write to the pipe


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX named pipes")
def test_a_scan_with_named_pipes_for_entries_reports_as_with_the_cache_off(tmp_path):
    cache = tmp_path / "cache"
    assert _scan(str(cache), str(TF_FOLDER)).stderr == ""  # fills the cache
    names = [p for p in cache.iterdir() if p.is_file() and not p.name.startswith(".")]
    assert any(p.name.startswith("hcl-parser-") for p in names)
    for p in names:
        p.unlink()
        os.mkfifo(p, 0o600)
    shutil.rmtree(next(cache.glob("hcl-trees-*")))
    off = _scan("", str(TF_FOLDER))
    hostile = _scan(str(cache), str(TF_FOLDER), timeout=60)
    assert hostile.stderr == "" and hostile.stdout == off.stdout and hostile.returncode == off.returncode


def _index_entry(cache: Path) -> Path:
    [entry] = [p for p in cache.iterdir() if p.name.startswith("check-index-")]
    return entry


@pytest.mark.parametrize("damage", [
    lambda index: index["CF101"].update(module="no_such_module"),
    lambda index: index["CF101"].update(module="../../os"),
    lambda index: index["CF101"].update(applies_to=5),
    lambda index: index["CF101"].update(applies_to=[None]),
    lambda index: index["CF101"].update(per_subject="no"),
    lambda index: index.clear(),  # valid JSON, no checks at all
    lambda index: index.pop("CF201"),  # a check of an indexed module left out
])
def test_a_check_index_of_the_wrong_shape_is_built_again(tmp_path, damage):
    import json

    cache = tmp_path / "cache"
    folder = str(ROOT / "fixtures")
    off = _scan("", folder)
    assert _scan(str(cache), folder).stdout == off.stdout  # builds the index
    entry = _index_entry(cache)
    index = json.loads(entry.read_text())
    damage(index)
    entry.write_text(json.dumps(index))
    os.chmod(entry, 0o600)
    hostile = _scan(str(cache), folder)
    assert hostile.stderr == "" and hostile.stdout == off.stdout and hostile.returncode == off.returncode


@pytest.mark.parametrize("where", [".cache/computefit", "cache"])
def test_a_cache_folder_inside_the_scanned_tree_is_not_scanned(tmp_path, where):
    """COMPUTEFIT_CACHE_DIR (or XDG_CACHE_HOME, as CI jobs set it to have the folder kept) inside
    the folder scanned: its entries are not counted as files of the tree, so the second scan reports
    as the first and as the cache turned off."""
    tree = tmp_path / "tree"
    shutil.copytree(TF_FOLDER, tree)
    cache = tree / where
    off = _scan("", str(tree))
    first = _scan(str(cache), str(tree))
    assert any(cache.iterdir())  # the cache was written where it was told
    second = _scan(str(cache), str(tree))
    assert first.stdout == off.stdout and second.stdout == off.stdout and second.stderr == ""
