"""The cfn-lint plugin (``pip install 'computefit[cfn-lint]'``), run through the real cfn-lint,
and cfn-lint out of computefit's own dependencies."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib

TEMPLATES = ["examples/orders-api/template.yaml", "examples/reporting-host/template.json"]


def test_cfn_lint_is_an_extra_not_a_dependency():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert not any(d.lower().startswith(("cfn-lint", "cfn_lint")) for d in project["dependencies"])
    assert any(d.startswith("cfn-lint") for d in project["optional-dependencies"]["cfn-lint"])


def test_a_scan_never_imports_cfn_lint():
    code = ("import sys; from computefit.cli import main; from computefit.runner import scan; "
            "scan(['examples']); assert 'cfnlint' not in sys.modules, 'cfnlint imported'")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=120)


def _cfn_lint() -> str:
    """The cfn-lint console script of this interpreter's environment, else the one on PATH."""
    here = Path(sys.executable).parent / "cfn-lint"
    found = str(here) if here.exists() else shutil.which("cfn-lint")
    if not found:
        pytest.skip("cfn-lint is not installed (pip install 'computefit[cfn-lint]')")
    return found


def test_the_real_cfn_lint_reports_computefits_findings():
    pytest.importorskip("cfnlint", reason="pip install 'computefit[cfn-lint]'")
    from computefit.config import Config
    from computefit.runner import scan

    proc = subprocess.run(
        [_cfn_lint(), "--format", "json", "--append-rules", "computefit.cfnlint", "--", *TEMPLATES],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    # cfn-lint's exit code is a bit mask: 1 it failed, 2 errors, 4 warnings, 8 informational
    assert proc.returncode & 1 == 0 and proc.returncode & 4, (proc.returncode, proc.stderr)
    matches = json.loads(proc.stdout)
    ours = [(m["Rule"]["Id"], m["Filename"], m["Location"]["Start"]["LineNumber"], m["Level"])
            for m in matches if m["Rule"]["Id"][1] == "9"]
    expected = [(f"{ {'error': 'E', 'warning': 'W', 'info': 'I'}[f.severity]}9{f.check_id[2:]}",
                 f.location.file, f.location.line, {"error": "Error", "warning": "Warning", "info": "Informational"}[f.severity])
                for f in scan(TEMPLATES, Config()).findings]
    assert sorted(ours) == sorted(expected) and len(ours) == 3
    by_id = {m["Rule"]["Id"]: m for m in matches}
    assert by_id["W9201"]["Message"].startswith("CF201 NightlyExportFunction has a timeout of 840 s")
    # turned off like any cfn-lint rule
    quiet = subprocess.run(
        [_cfn_lint(), "--format", "json", "--append-rules", "computefit.cfnlint",
         "--ignore-checks", "W9", "--", *TEMPLATES], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert not [m for m in json.loads(quiet.stdout) if m["Rule"]["Id"][1] == "9"]
