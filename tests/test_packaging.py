"""What `pip install .` (not -e) ships: every subpackage of linter/ and every data file the code
reads. An editable install finds any folder, so without this test a new subpackage left out of
pyproject.toml works in the test suite and fails for every user (as linter/plan/ once did: a plan
JSON input was an internal error after `pip install .`)."""

from __future__ import annotations

import fnmatch

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _setuptools() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_subpackage_is_listed():
    listed = set(_setuptools()["packages"])
    dirs = {"linter": "computefit", "checks": "computefit.checks"}
    for top, name in dirs.items():
        for init in (REPO / top).rglob("__init__.py"):
            rel = init.parent.relative_to(REPO / top)
            package = ".".join([name, *rel.parts]) if rel.parts else name
            assert package in listed, f"{package} ({init.parent}) is not in pyproject.toml packages"


def test_every_data_file_is_shipped():
    globs = _setuptools()["package-data"]["computefit"]
    data = REPO / "linter" / "data"
    for path in data.rglob("*"):
        if path.is_file() and path.suffix in (".toml", ".json"):
            rel = path.relative_to(REPO / "linter").as_posix()
            assert any(fnmatch.fnmatch(rel, g) and rel.count("/") == g.count("/") for g in globs), (
                f"{rel} is not in pyproject.toml package-data")
