"""A one-file scan loads only what its input needs, and the built HCL parser is kept between runs.

Timings are measured in benchmarks/ (bench_side_by_side.py), never asserted here: these tests pin
what makes a scan start quickly (which modules it imports, that the parser comes from the cache)
and that the cache can never change a result or break a run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from computefit import usercache
from computefit.terraform import syntax

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "examples" / "orders-api" / "template.yaml"
TF_FILE = ROOT / "examples" / "terraform" / "main.tf"

_LOADED = """
import json, sys
from computefit.cli import main
try:
    main(["scan", *sys.argv[1:]])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _modules_loaded_by_scan(*args: str, cache: str | None = None) -> set[str]:
    env = None if cache is None else {**os.environ, "COMPUTEFIT_CACHE_DIR": cache}
    proc = subprocess.run([sys.executable, "-c", _LOADED, *args], capture_output=True, text=True, cwd=ROOT,
                          env=env)
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


def _loaded(modules: set[str], *packages: str) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in packages or m in packages
                  or any(m.startswith(p + ".") for p in packages))


def test_a_template_scan_loads_no_terraform_front_end_and_no_package_metadata():
    modules = _modules_loaded_by_scan(str(TEMPLATE))
    assert "computefit.cloudformation" in modules  # the scan did read the template
    assert _loaded(modules, "computefit.terraform", "lark", "hcl2", "regex") == []
    assert _loaded(modules, "importlib.metadata") == []  # no plugin is installed: none looked for
    assert _loaded(modules, "computefit.reporters.sarif", "computefit.reporters.json_report", "hashlib") == []


def test_a_terraform_scan_loads_no_cloudformation_front_end(tmp_path):
    # an empty cache folder: the files are parsed (a second run reads them back without lark:
    # test_tf_parsecache.py)
    modules = _modules_loaded_by_scan(str(TF_FILE), cache=str(tmp_path / "cache"))
    assert "computefit.terraform" in modules and "lark" in modules
    assert _loaded(modules, "computefit.cloudformation", "yaml", "hcl2", "importlib.metadata") == []


# --------------------------------------------------------------------------------------------------
# The cache folder
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("COMPUTEFIT_CACHE_DIR", str(folder))
    return folder


def test_an_entry_is_written_whole_and_read_back(cache_dir):
    assert usercache.read("entry") is None
    assert usercache.write("entry", b"data") is True
    assert usercache.read("entry") == b"data"
    assert os.listdir(cache_dir) == ["entry"]  # no temporary file left behind
    if hasattr(os, "getuid"):
        assert (cache_dir / "entry").stat().st_mode & 0o077 == 0  # the user's alone


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_an_entry_others_could_write_is_not_read(cache_dir):
    usercache.write("entry", b"data")
    os.chmod(cache_dir / "entry", 0o666)
    assert usercache.read("entry") is None


def test_an_unusable_cache_folder_is_silent(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COMPUTEFIT_CACHE_DIR", str(blocker / "cache"))
    assert usercache.write("entry", b"data") is False
    assert usercache.read("entry") is None
    monkeypatch.setenv("COMPUTEFIT_CACHE_DIR", "")  # the cache turned off
    assert usercache.folders() == [] and usercache.write("entry", b"data") is False


def test_the_default_folder_follows_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.delenv("COMPUTEFIT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert usercache.folders()[0] == str(tmp_path / "computefit")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert usercache.folders()[0] == str(tmp_path / "home" / ".cache" / "computefit")


# --------------------------------------------------------------------------------------------------
# The HCL parser, built once and loaded from the cache
# --------------------------------------------------------------------------------------------------


def _tf_sources() -> list[str]:
    files = sorted((ROOT / "fixtures").rglob("*.tf"))[:60] + sorted((ROOT / "examples").rglob("*.tf"))
    return [f.read_text(encoding="utf-8") for f in files]


@pytest.fixture
def fresh_parser(cache_dir):
    syntax._parser.cache_clear()
    yield
    syntax._parser.cache_clear()


def _parses(text: str):
    try:
        return syntax.parse_hcl_text(text)
    except Exception as exc:  # a fixture of bad syntax: the same error both ways
        return (type(exc).__name__, str(exc))


def test_the_cached_parser_parses_as_the_built_one(fresh_parser, cache_dir):
    sources = _tf_sources()
    built = [_parses(t) for t in sources]  # the first run builds the parser and keeps it
    [entry] = os.listdir(cache_dir)
    assert entry.startswith("hcl-parser-") and entry.endswith(".pickle")
    syntax._parser.cache_clear()
    from lark import Lark

    real_init = Lark.__init__
    try:
        Lark.__init__ = None  # a second run must not build it again
        loaded = [_parses(t) for t in sources]
    finally:
        Lark.__init__ = real_init
    assert loaded == built
    assert any(not isinstance(t, tuple) for t in built)


def test_a_corrupt_or_foreign_entry_is_built_again(fresh_parser, cache_dir):
    syntax.parse_hcl_text('a = 1\n')
    [entry] = os.listdir(cache_dir)
    for damage in (b"", b"not a pickle", (cache_dir / entry).read_bytes()[:1000]):
        (cache_dir / entry).write_bytes(damage)
        os.chmod(cache_dir / entry, 0o600)
        syntax._parser.cache_clear()
        assert syntax.parse_hcl_text('a = 1\n').data == "start"
        assert (cache_dir / entry).stat().st_size > 100_000  # written again, whole
    assert syntax._loads(syntax._dumps(syntax._parser(), "another grammar"), "the grammar") is None


def test_no_usable_cache_folder_still_parses(fresh_parser, monkeypatch, tmp_path):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("COMPUTEFIT_CACHE_DIR", str(tmp_path / "a-file" / "cache"))  # cannot be made
    assert syntax.parse_hcl_text('a = 1\n').data == "start"
