"""The public Python API: ``from computefit import scan, Config, Finding, ScanResult``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import computefit

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "CF201" / "cfn" / "fire_literal_900.yaml"


def test_import_loads_no_submodule():
    """``import computefit`` is cheap: it loads nothing else of computefit (the pre-commit hook
    starts with it)."""
    code = "import sys, computefit; print(sorted(m for m in sys.modules if m.startswith('computefit')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['computefit']"


def test_public_names_are_the_library_objects():
    from computefit import Config, ConfigError, Finding, ScanResult, scan
    from computefit.check import Finding as CheckFinding
    from computefit.config import Config as ConfigClass, ConfigError as Err
    from computefit.runner import ScanResult as Result, scan as run_scan

    assert (scan, Config, ConfigError, Finding, ScanResult) == (run_scan, ConfigClass, Err, CheckFinding, Result)
    assert set(computefit.__all__) <= set(dir(computefit))


def test_unknown_attribute_is_an_attribute_error():
    try:
        computefit.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("no AttributeError")


def test_scan_a_path_with_a_config():
    from computefit import Config, Finding, ScanResult, scan

    result = scan(str(FIXTURE))  # one path alone, the default configuration
    assert isinstance(result, ScanResult) and not result.errors
    [f] = result.findings
    assert isinstance(f, Finding)
    assert (f.check_id, f.resource, f.location.line, f.severity) == ("CF201", "ExportFunction", 7, "warning")
    assert scan([FIXTURE], Config(ignore=("CF2",))).findings == []  # a Path works too
    raised = scan([FIXTURE], Config(severity={"CF201": "error"})).findings
    assert [f.severity for f in raised] == ["error"]


def test_readme_example_runs(tmp_path, monkeypatch):
    """The README's "Python API" example runs as written (on a copy of a fixture in stacks/)."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "t.yaml").write_text(FIXTURE.read_text())
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert [f.check_id for f in namespace["result"].findings] == ["CF201"]
