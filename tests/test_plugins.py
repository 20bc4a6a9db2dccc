"""Third-party checks registered through the ``computefit.checks`` entry-point group.

Each test installs a temporary distribution: a folder on ``sys.path`` holding a module and a
``.dist-info`` with ``entry_points.txt``, which is all importlib.metadata reads.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from computefit import check as check_api
from computefit.check import all_checks, all_rules, plugin_errors
from computefit.cli import main
from computefit.config import load_config
from computefit.runner import scan

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "fixtures" / "CF201" / "cfn" / "fire_literal_900.yaml"

PLUGIN_SOURCE = '''
from computefit.check import WARNING, Check, Option, Violation


class EveryFunction(Check):
    """
    ## What it does
    Flags every Lambda function (a test plugin).
    """

    id = "ACME101"
    name = "every-function"
    severity = WARNING
    summary = "every Lambda function (test plugin)"
    applies_to = ("lambda_function",)
    options = {"label": Option("acme", "a label", str)}

    def detect(self, unit, ctx):
        yield Violation(unit)

    def explain(self, v, ctx):
        return self.finding(v.subject, f"{ctx.option('label')}: {v.subject.name}", "Nothing to do.")
'''


@pytest.fixture
def install(tmp_path, monkeypatch):
    """``install(entry_points, **modules)``: a distribution 'acme-checks' with these modules and
    ``[computefit.checks]`` entry points, on sys.path for one test, with a fresh registry."""
    counter = iter(range(100))

    def make(entry_points: str, **modules: str) -> None:
        site = tmp_path / f"site{next(counter)}"
        info = site / "acme_checks-0.1.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-checks\nVersion: 0.1\n")
        (info / "entry_points.txt").write_text("[computefit.checks]\n" + textwrap.dedent(entry_points))
        for name, source in modules.items():
            (site / f"{name}.py").write_text(textwrap.dedent(source))
            monkeypatch.delitem(sys.modules, name, raising=False)
        monkeypatch.syspath_prepend(str(site))
        monkeypatch.setattr(check_api, "_REGISTRY", None)
        monkeypatch.setattr(check_api, "_RULES", None)
        monkeypatch.setattr(check_api, "_PLUGIN_ERRORS", [])

    yield make
    for name in [m for m in sys.modules if m.startswith("acme_")]:
        del sys.modules[name]


def test_a_module_entry_point_registers_its_checks_beside_the_built_in_ones(install, tmp_path):
    install("acme = acme_plugin\n", acme_plugin=PLUGIN_SOURCE)
    checks = all_checks()
    assert checks["ACME101"].__module__ == "acme_plugin" and "CF201" in checks
    assert plugin_errors() == []
    result = scan([TEMPLATE])
    assert sorted((f.check_id, f.resource) for f in result.findings) == [
        ("ACME101", "ExportFunction"), ("CF201", "ExportFunction")]
    assert result.errors == [] and "ACME101" in result.checks
    # Configurable like a built-in check: its options and severity, and select/ignore by prefix.
    cfg = tmp_path / "c.toml"
    cfg.write_text('ignore = ["CF"]\n[checks.ACME101]\nlabel = "custom"\nseverity = "error"\n')
    [f] = scan([TEMPLATE], load_config(str(cfg))).findings
    assert (f.check_id, f.severity, f.message) == ("ACME101", "error", "custom: ExportFunction")
    assert "ACME101" in all_rules()


def test_a_class_entry_point_registers_that_class(install):
    install("acme = acme_cls:EveryFunction\n", acme_cls=PLUGIN_SOURCE + textwrap.dedent('''
        class NotRegistered(EveryFunction):
            id = "ACME102"
        '''))
    assert "ACME101" in all_checks() and "ACME102" not in all_checks()


def test_a_duplicate_id_is_refused_with_a_clear_error(install):
    install("dup = acme_dup\n", acme_dup=PLUGIN_SOURCE.replace('"ACME101"', '"CF201"'))
    assert all_checks()["CF201"].__module__ == "computefit.checks.cf201_lambda_near_timeout_limit"
    [err] = plugin_errors()
    assert err.where == "<plugin dup = acme_dup (from acme-checks)>"
    assert err.message == ("acme_dup.EveryFunction uses check ID CF201, which "
                           "computefit.checks.cf201_lambda_near_timeout_limit.LambdaNearTimeoutLimit already has; "
                           "it is not registered (give it an ID of its own)")
    result = scan([TEMPLATE])  # the built-in check still runs; the refusal is an error entry
    assert [f.check_id for f in result.findings] == ["CF201"]
    assert [(e.file, e.message) for e in result.errors] == [(err.where, err.message)]


def test_an_engine_rule_id_is_refused_too(install):
    install("dup = acme_engine\n", acme_engine=PLUGIN_SOURCE.replace('"ACME101"', '"CF001"'))
    assert "already has" in plugin_errors()[0].message
    assert all_rules()["CF001"].__module__ == "computefit.suppress"


@pytest.mark.parametrize("entry,source,message", [
    ("acme_broken", "raise ImportError('needs acme-sdk')\n",
     "cannot be loaded: ImportError: needs acme-sdk; the plugin's checks are not registered"),
    ("acme_missing", None, "cannot be loaded: ModuleNotFoundError: No module named 'acme_missing'"),
    ("acme_empty", "X = 1\n", "module acme_empty defines no computefit.check.Check subclass"),
    ("acme_fn:f", "def f(): pass\n", "which is neither a module nor a computefit.check.Check subclass"),
    ("acme_sev", PLUGIN_SOURCE.replace("severity = WARNING", 'severity = "fatal"'),
     "acme_sev.EveryFunction has severity 'fatal': use one of info, warning, error; it is not registered"),
    ("acme_noid", PLUGIN_SOURCE.replace('id = "ACME101"', ""), "acme_noid.EveryFunction has no id"),
])
def test_a_broken_plugin_is_an_error_entry_not_a_traceback(install, entry, source, message):
    module = entry.split(":")[0]
    install(f"bad = {entry}\n", **({module: source} if source else {}))
    result = scan([TEMPLATE])
    assert [f.check_id for f in result.findings] == ["CF201"]  # every other check still ran
    [err] = result.errors
    assert err.file == f"<plugin bad = {entry} (from acme-checks)>" and message in err.message
    out = CliRunner().invoke(main, ["scan", str(TEMPLATE)])
    assert out.exit_code == 2 and "Traceback" not in out.output and message in out.output
    listing = CliRunner().invoke(main, ["checks"])
    assert listing.exit_code == 0 and message in listing.output  # stderr is mixed in


def test_a_good_and_a_broken_plugin_side_by_side(install):
    install("acme = acme_good\nbad = acme_bad\n", acme_good=PLUGIN_SOURCE, acme_bad="1/0\n")
    result = scan([TEMPLATE])
    assert sorted(f.check_id for f in result.findings) == ["ACME101", "CF201"]
    assert ["ZeroDivisionError" in e.message for e in result.errors] == [True]


def test_plugin_checks_are_explained_but_not_in_computefit_docs(install, monkeypatch):
    """computefit's docs/checks and README table describe its own rules; a plugin's page is printed
    by `computefit explain` (its package documents it)."""
    from computefit import docs

    install("acme = acme_docs\n", acme_docs=PLUGIN_SOURCE)
    assert "ACME101" in all_checks()
    assert "ACME101.md" not in docs.pages() and "ACME101" not in docs.readme_table()
    assert "CF201.md" in docs.pages()
    out = CliRunner().invoke(main, ["explain", "ACME101"])
    assert out.exit_code == 0 and out.output.startswith("# ACME101 every-function")
    monkeypatch.chdir(ROOT)
    assert CliRunner().invoke(main, ["docs", "--check"]).exit_code == 0  # the repository's docs stay current


def test_package_metadata_is_read_only_when_a_distribution_names_the_group(tmp_path, monkeypatch):
    """The pre-check that spares a scan importlib.metadata: an entry_points.txt without the group
    is no plugin; one naming it, or a zip file on the path (not looked into), may be."""
    site = tmp_path / "site"
    info = site / "other-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "entry_points.txt").write_text("[console_scripts]\nother = other:main\n")
    monkeypatch.syspath_prepend(str(site))
    assert check_api._may_declare_plugins() is False
    (info / "entry_points.txt").write_text("[computefit.checks]\nacme = acme_plugin\n")
    assert check_api._may_declare_plugins() is True
    (info / "entry_points.txt").unlink()
    assert check_api._may_declare_plugins() is False
    (tmp_path / "plugins.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    monkeypatch.syspath_prepend(str(tmp_path / "plugins.zip"))
    assert check_api._may_declare_plugins() is True
