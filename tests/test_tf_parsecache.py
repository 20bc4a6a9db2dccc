"""The parse cache of native Terraform files (computefit.terraform.treecache): a file whose text was
parsed in an earlier run is read back without parsing, and without importing lark at all; and the
cache never changes a result: the reports of a scan with the cache off, cold and warm are the same.

Timings are measured in benchmarks/bench_side_by_side.py, never asserted here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from computefit import usercache
from computefit.cli import main
from computefit.terraform import evaluate, hcltree, syntax, treecache

ROOT = Path(__file__).resolve().parent.parent
TF_FILE = ROOT / "examples" / "terraform" / "main.tf"


def _forget_in_process():
    """What one process keeps between scans: the template expressions it parsed or read."""
    evaluate._TEMPLATE_CACHE.clear()
    evaluate._TEMPLATE_KEPT.clear()
    evaluate._TEMPLATE_LOOKED.clear()


class _Parses:
    """Counts what is parsed (files, tfvars files, template expressions) instead of read back."""

    def __init__(self, monkeypatch):
        self.calls: list[str] = []
        for mod, name in ((syntax, "read_hcl"), (syntax, "read_tfvars_hcl"), (evaluate, "parse_hcl_text")):
            real = getattr(mod, name)
            monkeypatch.setattr(mod, name, self._counting(name, real))

    def _counting(self, name, real):
        def wrapper(text, *args):
            self.calls.append(f"{name}: {text[:40]!r}")
            return real(text, *args)
        return wrapper


def _report(paths: list[str], cache: str) -> str:
    os.environ["COMPUTEFIT_CACHE_DIR"] = cache
    _forget_in_process()
    res = CliRunner().invoke(main, ["scan", *paths, "--format", "json", "-j", "1"])
    assert res.exit_code in (0, 1, 2), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.output


@pytest.fixture
def restore_cache_env():
    before = os.environ.get("COMPUTEFIT_CACHE_DIR")
    yield
    if before is None:
        os.environ.pop("COMPUTEFIT_CACHE_DIR", None)
    else:
        os.environ["COMPUTEFIT_CACHE_DIR"] = before
    _forget_in_process()


def _shape(parsed):
    """A read file as plain values (expressions by their tree and text), to compare two reads."""
    blocks, err = parsed

    def block(b):
        return (b.type, b.labels, b.file, b.line, b.end_line,
                [(a.name, a.file, a.line, a.expr.tree, a.expr.text, a.expr.file, a.expr.line)
                 for a in b.attributes.values()], [block(x) for x in b.blocks])

    return [block(b) for b in blocks], err


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob(f"{treecache.PREFIX}*/*") if not p.name.startswith("."))


def _off_cold_warm(paths: list[str], cache_dir: Path, monkeypatch) -> tuple[str, _Parses]:
    off = _report(paths, "")
    assert not cache_dir.exists()
    cold = _report(paths, str(cache_dir))
    assert _entries(cache_dir)  # the cold run kept its parses
    parses = _Parses(monkeypatch)
    warm = _report(paths, str(cache_dir))
    assert cold == off
    assert warm == off
    return off, parses


def test_fixtures_and_examples_report_the_same_off_cold_and_warm(tmp_path, monkeypatch, restore_cache_env):
    monkeypatch.chdir(ROOT)
    report, parses = _off_cold_warm(["fixtures", "examples"], tmp_path / "cache", monkeypatch)
    assert '"check_id"' in report and '"errors"' in report
    assert parses.calls == []  # the warm run parsed nothing: every file and template was read back
    kinds = {p.name.split("-")[0] for p in _entries(tmp_path / "cache")}
    assert kinds == {"tf", "tfvars", "tpl"}


def test_an_edited_file_is_parsed_again_and_its_siblings_are_not(tmp_path, monkeypatch, restore_cache_env):
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "main.tf").write_text('resource "aws_lambda_function" "f" {\n  function_name = "f"\n'
                                 '  timeout = var.t\n  runtime = "python3.12"\n}\n')
    (mod / "variables.tf").write_text('variable "t" {\n  default = 100\n}\n')
    (mod / "terraform.tfvars").write_text("t = 880\n")
    first = _report([str(mod)], str(tmp_path / "cache"))
    assert "CF201" in first  # the tfvars value was read
    (mod / "main.tf").write_text((mod / "main.tf").read_text().replace('"f"\n', '"g"\n'))
    parses = _Parses(monkeypatch)
    edited = _report([str(mod)], str(tmp_path / "cache"))
    assert [c.split(":")[0] for c in parses.calls] == ["read_hcl"]  # main.tf only
    assert edited == _report([str(mod)], "")


def test_a_syntax_error_is_kept_and_reported_the_same(tmp_path, monkeypatch, restore_cache_env):
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "bad.tf").write_text('resource "aws_instance" "x" {\n  ami = \n}\n')
    (mod / "terraform.tfvars").write_text("a = [1,\n")
    (mod / "ok.tf").write_text('locals {\n  a = 1\n}\n')
    off, parses = _off_cold_warm([str(mod)], tmp_path / "cache", monkeypatch)
    assert parses.calls == []
    errors = json.loads(off)["errors"]
    assert sorted((Path(e["file"]).name, e["line"]) for e in errors) == [("bad.tf", 2), ("terraform.tfvars", 1)]
    blocks, err = syntax.read_file(str(mod / "bad.tf"))  # from the cache: the same error
    [shown] = [e for e in errors if e["file"].endswith("bad.tf")]
    assert blocks == [] and (err.line, err.message) == (shown["line"], shown["message"])


def test_a_copy_elsewhere_reads_back_with_its_own_path(tmp_path, monkeypatch, restore_cache_env):
    monkeypatch.setenv("COMPUTEFIT_CACHE_DIR", str(tmp_path / "cache"))
    text = 'resource "aws_instance" "x" {\n  ami = "a"\n  ebs_block_device {\n    size = 1\n  }\n}\n'
    for name in ("a.tf", "b.tf"):
        (tmp_path / name).write_text(text)
    first, _ = syntax.read_file(str(tmp_path / "a.tf"))
    parses = _Parses(monkeypatch)
    second, _ = syntax.read_file(str(tmp_path / "b.tf"))
    assert parses.calls == []
    assert len(_entries(tmp_path / "cache")) == 1
    block = second[0]
    files = {block.file, block.blocks[0].file, *(a.file for a in block.attributes.values()),
             *(a.expr.file for a in block.attributes.values()), *(a.file for a in block.blocks[0].attributes.values())}
    assert files == {str(tmp_path / "b.tf")}
    assert first[0].attributes["ami"].expr.tree == second[0].attributes["ami"].expr.tree


def test_a_damaged_or_clashing_entry_is_parsed_again(tmp_path, monkeypatch, restore_cache_env):
    monkeypatch.setenv("COMPUTEFIT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "a.tf").write_text('locals {\n  a = "x"\n}\n')
    expected = syntax.read_file(str(tmp_path / "a.tf"))
    [entry] = _entries(tmp_path / "cache")
    good = entry.read_bytes()
    import pickle
    import zlib

    fmt, kind, text, result = pickle.loads(zlib.decompress(good))
    clash = zlib.compress(pickle.dumps((fmt, kind, text + "other", result)))
    for damage in (b"", b"not zlib", good[: len(good) // 2], clash):
        entry.write_bytes(damage)
        os.chmod(entry, 0o600)
        parses = _Parses(monkeypatch)
        assert _shape(syntax.read_file(str(tmp_path / "a.tf"))) == _shape(expected)
        assert len(parses.calls) == 1
        assert entry.read_bytes() == good  # written again, whole
        monkeypatch.undo()
        monkeypatch.setenv("COMPUTEFIT_CACHE_DIR", str(tmp_path / "cache"))


def test_an_entry_someone_else_can_write_is_not_read(tmp_path, monkeypatch, restore_cache_env):
    monkeypatch.setenv("COMPUTEFIT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "a.tf").write_text('locals {\n  a = "x"\n}\n')
    syntax.read_file(str(tmp_path / "a.tf"))
    [entry] = _entries(tmp_path / "cache")
    os.chmod(entry, 0o666)
    parses = _Parses(monkeypatch)
    syntax.read_file(str(tmp_path / "a.tf"))
    assert len(parses.calls) == 1


def test_the_cache_off_writes_nothing(tmp_path, monkeypatch, restore_cache_env):
    monkeypatch.setenv("COMPUTEFIT_CACHE_DIR", "")
    (tmp_path / "a.tf").write_text('locals {\n  a = "x"\n}\n')
    assert treecache.subfolder() is None
    syntax.read_file(str(tmp_path / "a.tf"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tf"]  # nothing in the scanned tree either


def test_the_oldest_entries_are_pruned_past_the_bound(tmp_path, monkeypatch, restore_cache_env):
    monkeypatch.setenv("COMPUTEFIT_CACHE_DIR", str(tmp_path / "cache"))
    trees = tmp_path / "cache" / f"{treecache.PREFIX}x"
    for i in range(10):
        assert usercache.write(f"{treecache.PREFIX}x/e{i}", b"x" * 1000)
        os.utime(trees / f"e{i}", (1000 + i, 1000 + i))
    usercache.write(f"{treecache.PREFIX}old/e", b"x" * 1000)  # another version's subfolder counts too
    os.utime(tmp_path / "cache" / f"{treecache.PREFIX}old" / "e", (10, 10))
    usercache.write("hcl-parser-entry", b"x" * 100_000)  # not a parse: never pruned
    each = usercache.disk_bytes(os.stat(trees / "e0"))  # a block, where the file system counts them
    assert each >= 1000
    assert usercache.prune(treecache.PREFIX, 11 * each) == 0  # within the bound: nothing removed
    assert usercache.prune(treecache.PREFIX, 8 * each) == 5 * each  # down to 75% of it, oldest first
    assert sorted(p.name for p in trees.iterdir()) == [f"e{i}" for i in range(4, 10)]
    assert not (tmp_path / "cache" / f"{treecache.PREFIX}old" / "e").exists()
    assert (tmp_path / "cache" / "hcl-parser-entry").exists()


def test_a_hit_marks_an_old_entry_used(tmp_path, monkeypatch, restore_cache_env):
    monkeypatch.setenv("COMPUTEFIT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "a.tf").write_text('locals {\n  a = "x"\n}\n')
    syntax.read_file(str(tmp_path / "a.tf"))
    [entry] = _entries(tmp_path / "cache")
    os.utime(entry, (1000, 1000))
    syntax.read_file(str(tmp_path / "a.tf"))
    assert entry.stat().st_mtime > 1000


def test_a_writing_process_prunes_past_a_share_of_the_bound(tmp_path, monkeypatch, restore_cache_env):
    monkeypatch.setenv("COMPUTEFIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(treecache, "MAX_TOTAL_BYTES", 8 * 2000)
    monkeypatch.setattr(treecache, "_written", 0)
    for i in range(40):
        (tmp_path / f"f{i}.tf").write_text("locals {\n" + "".join(f'  a{j} = "{i}-{j}"\n' for j in range(40)) + "}\n")
        syntax.read_file(str(tmp_path / f"f{i}.tf"))
    total = sum(usercache.disk_bytes(p.stat()) for p in _entries(tmp_path / "cache"))
    written = sum(p.stat().st_size for p in _entries(tmp_path / "cache"))
    assert len(_entries(tmp_path / "cache")) < 40 and written > 0
    # the bound, plus what was written since the last check (an eighth of it)
    assert total <= treecache.MAX_TOTAL_BYTES + treecache.MAX_TOTAL_BYTES // 8 + 4096


# --------------------------------------------------------------------------------------------------
# Without lark
# --------------------------------------------------------------------------------------------------

_DRIVER = """
import json, sys
from computefit.cli import main
try:
    main(["scan", *sys.argv[1:]])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("lark", "hcl2"))), file=sys.stderr)
"""


def _scan_in_a_process(cache: str, *args: str) -> tuple[str, list[str]]:
    env = {**os.environ, "COMPUTEFIT_CACHE_DIR": cache}
    proc = subprocess.run([sys.executable, "-c", _DRIVER, *args], capture_output=True, text=True, cwd=ROOT,
                          env=env)
    return proc.stdout, json.loads(proc.stderr.strip().splitlines()[-1])


def test_a_second_scan_of_a_terraform_file_does_not_import_lark(tmp_path):
    cache = str(tmp_path / "cache")
    first, loaded = _scan_in_a_process(cache, str(TF_FILE))
    assert "lark" in loaded  # the first run parsed (the folder's files and its template's expressions)
    second, loaded = _scan_in_a_process(cache, str(TF_FILE))
    assert loaded == []
    assert second == first and "CF201" in first


def test_the_parser_entry_is_named_without_importing_lark():
    code = ("import sys; from computefit.terraform import syntax; name = syntax._cache_name(syntax._grammar()); "
            "assert 'lark' not in sys.modules, 'lark imported'; import lark; "
            "assert f'-lark{lark.__version__}-' in name, name; print(name)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("hcl-parser-")


def test_a_version_is_found_without_its_metadata(tmp_path, monkeypatch):
    (tmp_path / "somepkg").mkdir()
    (tmp_path / "somepkg" / "__init__.py").write_text("__version__ = '1'\n")
    (tmp_path / "otherpkg").mkdir()
    (tmp_path / "otherpkg" / "__init__.py").write_text("")
    (tmp_path / "other_pkg-2.5.dist-info").mkdir()
    (tmp_path / "other_pkg-2.5.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: other-pkg\n"
                                                                   "Version: 2.5\n\nVersion: 9\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert syntax._dist_version("otherpkg", "other-pkg") == "2.5"
    st = os.stat(tmp_path / "somepkg" / "__init__.py")
    assert syntax._dist_version("somepkg", "somepkg") == f"stat{st.st_size:x}.{st.st_mtime_ns:x}"
    assert syntax._dist_version("no_such_package_here", "x") == "unknown"
    assert syntax._dist_version("hcl2", "python-hcl2") == __import__("hcl2.version").version.__version__


# --------------------------------------------------------------------------------------------------
# The trees
# --------------------------------------------------------------------------------------------------


def test_the_copied_tree_answers_as_lark_does():
    text = 'resource "a" "b" {\n  x = [for k, v in var.m : "${k}-${v}" if v != null]\n  y = {}\n  z {}\n}\n'
    lark_tree = syntax._parser().parse(text)
    ours = hcltree.from_lark(lark_tree)
    assert ours == lark_tree and repr(ours) == repr(lark_tree)
    pairs = [(lark_tree, ours)]
    seen = 0
    while pairs:
        a, b = pairs.pop()
        assert type(b) in (hcltree.Node, hcltree.Leaf) or b is None
        if hasattr(a, "children"):
            assert b.data == a.data and len(b.children) == len(a.children)
            assert b.meta.empty == a.meta.empty
            if not a.meta.empty:
                assert (b.meta.line, b.meta.end_line, b.meta.start_pos, b.meta.end_pos) == (
                    a.meta.line, a.meta.end_line, a.meta.start_pos, a.meta.end_pos)
            pairs += list(zip(a.children, b.children))
        elif a is not None:
            assert (str(b), b.type, hasattr(b, "meta")) == (str(a), a.type, False)
        seen += 1
    assert seen > 50


def test_a_deeply_nested_expression_is_copied_without_recursing():
    depth = sys.getrecursionlimit() * 2

    class Meta:
        empty = True

    class Tree:  # lark's shape, as deep as the interpreter cannot recurse
        def __init__(self, data, children):
            self.data, self.children, self.meta = data, children, Meta()

    fake = cur = Tree("expr_term", [])
    for _ in range(depth):
        nxt = Tree("expr_term", [])
        cur.children.append(nxt)
        cur = nxt
    copied = hcltree.from_lark(fake)
    n = 0
    while copied.children:
        copied = copied.children[0]
        n += 1
    assert n == depth


# --------------------------------------------------------------------------------------------------
# The shared corpus
# --------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_corpus_terraform_folders_report_the_same_cold_and_warm(corpus, tmp_path, monkeypatch, restore_cache_env):
    files = corpus / "files"
    with_tf = [p for p in sorted(files.iterdir()) if p.is_dir() and any(p.glob("**/*.tf"))]
    small = [p.name for p in with_tf if sum(1 for _ in zip(range(61), p.rglob("*.tf"))) <= 60]
    sample = small + [name for name in ("terraform-aws-modules__terraform-aws-lambda", "aws-ia__ecs-blueprints")
                      if (files / name).is_dir()]
    assert len(sample) >= 5
    monkeypatch.chdir(files)
    report, parses = _off_cold_warm(sample, tmp_path / "cache", monkeypatch)
    assert '"check_id"' in report
    # what could not be kept is parsed again (a file nested too deeply to pickle); nothing else
    assert len(parses.calls) <= 2, parses.calls
