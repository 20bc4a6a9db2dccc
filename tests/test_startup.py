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


def _data_tables() -> list[Path]:
    tables = sorted((ROOT / "linter" / "data").glob("*.toml"))
    assert {t.name for t in tables} >= {"kinds.toml", "facts.toml", "usage_keys.toml"}
    return tables


def test_a_data_table_reads_the_same_from_its_copy(cache_dir):
    import tomllib

    for table in _data_tables():
        want = tomllib.loads(table.read_text(encoding="utf-8"))
        assert usercache.data_table(str(table)) == want  # parsed, and a copy kept
        assert usercache.data_table(str(table)) == want  # read from the copy
    names = sorted(os.listdir(cache_dir))
    assert len(names) == len(_data_tables()) and all(n.startswith("table-") for n in names)


def test_an_edited_or_damaged_table_is_read_again(cache_dir, tmp_path):
    table = tmp_path / "t.toml"
    table.write_text('[a]\nvalue = 1\nname = "x"\n')
    assert usercache.data_table(str(table)) == {"a": {"value": 1, "name": "x"}}
    table.write_text('[a]\nvalue = 2\nname = "x"\n')  # same length, another content
    assert usercache.data_table(str(table)) == {"a": {"value": 2, "name": "x"}}
    for name in os.listdir(cache_dir):
        (cache_dir / name).write_text("{damaged")
        os.chmod(cache_dir / name, 0o600)
    assert usercache.data_table(str(table)) == {"a": {"value": 2, "name": "x"}}
    dated = tmp_path / "d.toml"
    dated.write_text("as_of = 2026-08-21\n")  # a TOML date: JSON cannot hold it, so no copy
    before = set(os.listdir(cache_dir))
    assert str(usercache.data_table(str(dated))["as_of"]) == "2026-08-21"
    assert set(os.listdir(cache_dir)) == before


def test_a_scan_whose_tables_were_read_before_does_not_parse_toml(cache_dir, tmp_path):
    template = tmp_path / "template.yaml"  # away from this repository's pyproject.toml
    template.write_bytes(TEMPLATE.read_bytes())
    _modules_loaded_by_scan(str(template))
    assert _loaded(_modules_loaded_by_scan(str(template)), "tomllib", "tempfile") == []


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


# --------------------------------------------------------------------------------------------------
# croniter's expansions, kept between runs
# --------------------------------------------------------------------------------------------------

_CRON = ["15 2 * * *", "*/5 * * * 1-5", "0 9 * * 5#2", "0 0 L * *", "0 8-18/2 1,15 JAN-MAR MON-FRI",
         "0 0 * * 6L", "bad", "61 * * * *", "0 0 31 2 *", "@daily"]


@pytest.fixture
def fresh_expansions(cache_dir):
    from computefit import schedules

    def clear():
        for fn in (schedules._expansions, schedules._expansions_entry, schedules.parse_unix_cron):
            fn.cache_clear()

    clear()
    yield schedules, clear
    clear()


def test_kept_expansions_read_as_croniter_reads_them(fresh_expansions, cache_dir):
    schedules, clear = fresh_expansions
    cold = [schedules.parse_unix_cron(e) for e in _CRON]  # croniter's answers, kept
    [entry] = os.listdir(cache_dir)
    assert entry.startswith("cron-expansions-") and entry.endswith(".json")
    assert set(json.loads((cache_dir / entry).read_text())) == {schedules._MACROS.get(e, e) for e in _CRON}
    clear()
    warm = [schedules.parse_unix_cron(e) for e in _CRON]  # read back from the entry
    assert warm == cold
    assert [s.invalid is not None for s in cold] == [False, False, False, False, False, True, True, True, False, False]
    os.environ["COMPUTEFIT_CACHE_DIR"] = ""  # the cache turned off: croniter every time
    clear()
    assert [schedules.parse_unix_cron(e) for e in _CRON] == cold


def test_a_damaged_expansions_entry_is_read_again_from_croniter(fresh_expansions, cache_dir):
    schedules, clear = fresh_expansions
    want = schedules.parse_unix_cron("*/5 * * * 1-5")
    [entry] = os.listdir(cache_dir)
    for damage in ('{"*/5 * * * 1-5": {"fields": 3}}', "not json", '["a list"]',
                   '{"*/5 * * * 1-5": {"fields": [[1], [2], [3], [4], [5]], "nth": {"x": [1]}}}',
                   '{"*/5 * * * 1-5": {"fields": [[1], [2], [3], [4], [{}]], "nth": {}}}'):
        (cache_dir / entry).write_text(damage)
        os.chmod(cache_dir / entry, 0o600)
        clear()
        assert schedules.parse_unix_cron("*/5 * * * 1-5") == want


def test_a_template_read_before_does_not_import_croniter(cache_dir):
    first = _modules_loaded_by_scan(str(TEMPLATE))
    assert "computefit.schedules" in first  # the template has a schedule expression
    second = _modules_loaded_by_scan(str(TEMPLATE))
    assert _loaded(second, "croniter", "dateutil") == []


# --------------------------------------------------------------------------------------------------
# Checks imported only when they apply
# --------------------------------------------------------------------------------------------------


def test_a_lambda_template_imports_only_the_checks_that_apply_to_it(cache_dir, tmp_path):
    template = tmp_path / "template.yaml"
    template.write_text("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
                        "    Properties: {Runtime: python3.12, Handler: a.h, Timeout: 890, Code: {ZipFile: x}}\n")
    _modules_loaded_by_scan(str(template))  # the first run builds the index of the checks
    checks = {m.rsplit(".", 1)[-1][:5] for m in _modules_loaded_by_scan(str(template))
              if m.startswith("computefit.checks.")}
    assert "cf201" in checks and "cf501" in checks  # the Lambda checks run
    assert not {"cf101", "cf102", "cf103", "cf203", "cf206", "cf402", "cf403", "cf503"} & checks


def _scan_json(path: Path) -> str:
    from computefit import check as check_api
    from computefit.reporters import render
    from computefit.runner import scan

    check_api._REGISTRY = check_api._RULES = None
    return render("json", scan([str(path)]))


def test_findings_are_the_same_with_every_check_imported_and_with_the_index(cache_dir, monkeypatch):
    from computefit import check as check_api

    fixtures = ROOT / "fixtures"
    try:
        monkeypatch.setenv("COMPUTEFIT_CACHE_DIR", "")  # no index: every check is imported
        every = _scan_json(fixtures)
        monkeypatch.setenv("COMPUTEFIT_CACHE_DIR", str(cache_dir))
        _scan_json(fixtures)  # builds the index
        assert any(n.startswith("check-index-") for n in os.listdir(cache_dir))
        indexed = _scan_json(fixtures)
    finally:
        check_api._REGISTRY = check_api._RULES = None
    assert json.loads(indexed)["findings"] and indexed == every


def test_the_index_is_built_again_for_an_edited_check_or_a_damaged_entry(cache_dir, tmp_path, monkeypatch):
    from computefit import check as check_api

    pkg = tmp_path / "cfx_tmp_checks"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    body = ("from computefit.check import Check\n\nclass One(Check):\n    id = 'TMP101'\n    name = 'one'\n"
            "    severity = 'warning'\n    summary = 's'\n    applies_to = ('{}',)\n")
    (pkg / "tmp101.py").write_text(body.format("lambda_function"))
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    module = importlib.import_module("cfx_tmp_checks")
    first = check_api._builtin_index(module)
    assert first["TMP101"]["applies_to"] == ["lambda_function"] and first["TMP101"]["per_subject"]
    [entry] = [n for n in os.listdir(cache_dir) if n.startswith("check-index-")]
    (cache_dir / entry).write_text("{damaged")
    os.chmod(cache_dir / entry, 0o600)
    assert check_api._builtin_index(module) == first  # rebuilt from the modules
    (pkg / "tmp101.py").write_text(body.format("sqs_queue") + "\n")  # another size: another entry
    importlib.invalidate_caches()
    monkeypatch.delitem(sys.modules, "cfx_tmp_checks.tmp101")
    assert check_api._builtin_index(module)["TMP101"]["applies_to"] == ["sqs_queue"]


# --------------------------------------------------------------------------------------------------
# The cyclic collector: raised while the command line starts, the defaults for the scan
# --------------------------------------------------------------------------------------------------

_GC = """
import gc, json, sys
default = gc.get_threshold()
from computefit import cli
during = gc.get_threshold()
try:
    cli.main(["scan", *sys.argv[1:]])
except SystemExit:
    pass
print(json.dumps([default, during, gc.get_threshold(), gc.get_freeze_count()]), file=sys.stderr)
"""


def test_the_collector_is_raised_for_start_up_only():
    proc = subprocess.run([sys.executable, "-c", _GC, str(TEMPLATE)], capture_output=True, text=True, cwd=ROOT)
    default, during, after, frozen = json.loads(proc.stderr.strip().splitlines()[-1])
    assert during[0] == 50_000 and during != default  # while the command line starts
    assert after == default  # the scan runs with the defaults
    assert frozen > 0  # and what start-up made is frozen, never traversed again
