"""Shared test helpers: fixture cases and their scans, snapshot files, the corpus."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
#: The shared corpus sits next to the checkout; COMPUTEFIT_CORPUS points elsewhere (a git worktree).
CORPUS = Path(os.environ.get("COMPUTEFIT_CORPUS") or REPO.parent / "shared" / "corpus")

#: A CloudFormation case ``cfn/x.yaml`` keeps its snapshot in ``cfn/x.yaml.expected.json``; a
#: Terraform case folder ``tf/x/`` in ``tf/x/expected.json``, and so does a CloudFormation case
#: folder ``cfn/fire_x/`` or ``cfn/quiet_x/`` (templates read together: a nested stack and its parent, a template and its
#: samconfig.toml). Neither is a template: discovery skips both (not CloudFormation by content,
#: not ``.tf.json``) and ``fixture_cases`` ignores them.
SNAPSHOT_SUFFIX = ".expected.json"
TF_SNAPSHOT = "expected.json"
#: A folder under cfn/ is a case when its name says what it shows (others hold files a case
#: template names, such as a state machine definition).
CASE_FOLDERS = ("fire_", "quiet_")
#: A case's usage file (CONTRIBUTING.md): inside a Terraform case folder, or beside a template
#: as ``<stem>.usage.yml``; the snapshot runner passes it as --usage-file would.
TF_USAGE = "infracost-usage.yml"
CFN_USAGE_SUFFIX = ".usage.yml"
UPDATE_COMMAND = "python -m pytest tests/test_snapshots.py --update-snapshots"


@pytest.fixture(autouse=True, scope="session")
def _own_cache_folder(tmp_path_factory):
    """computefit's cache (the built HCL parser) goes to a folder of the test session's, never to
    the user's ~/.cache (COMPUTEFIT_CACHE_DIR set beforehand wins)."""
    os.environ.setdefault("COMPUTEFIT_CACHE_DIR", str(tmp_path_factory.mktemp("computefit-cache")))


def pytest_addoption(parser):
    parser.addoption(
        "--update-snapshots", action="store_true", default=False,
        help="rewrite the fixture snapshots (fixtures/**/*.expected.json) from the current code "
             "instead of comparing with them; review the diff before committing",
    )


@pytest.fixture
def update_snapshots(request) -> bool:
    return request.config.getoption("--update-snapshots")


def scan_findings(path: str | Path, check_id: str | None = None, **options):
    """Scan a file or folder (as given: absolute paths stay absolute) with every check, or with
    ``check_id`` only and its ``options``."""
    from computefit.config import Config
    from computefit.runner import scan

    config = Config(select=(check_id,), options={check_id: options} if options else {}) if check_id else Config()
    return scan([str(path)], config)


def finding_keys(result, check_id: str | None = None) -> list[tuple[str, str, int]]:
    """(check id, resource, line) of every finding, sorted: what fixture tests assert."""
    return sorted(
        (f.check_id, f.resource, f.location.line)
        for f in result.findings
        if check_id is None or f.check_id == check_id
    )


def finding_rows(result) -> list[tuple[str, str, str, int, str]]:
    """(check id, resource, file, line, severity) of every finding, sorted."""
    return sorted((f.check_id, f.resource, f.location.file, f.location.line, f.severity) for f in result.findings)


def fixture_checks() -> list[str]:
    """The check IDs that have a fixture folder (fixtures/<ID>/)."""
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def fixture_cases(check_id: str) -> list[str]:
    """Every fixture case of a check, relative to fixtures/<ID>/: CloudFormation files under cfn/
    and Terraform module folders under tf/ (snapshot files are not cases)."""
    base = FIXTURES / check_id
    cases = []
    for p in sorted((base / "cfn").glob("*")) if (base / "cfn").is_dir() else []:
        if (p.is_file() and not p.name.endswith((SNAPSHOT_SUFFIX, CFN_USAGE_SUFFIX))) or (
                p.is_dir() and p.name.startswith(CASE_FOLDERS)):
            cases.append(f"cfn/{p.name}")
    for p in sorted((base / "tf").glob("*")) if (base / "tf").is_dir() else []:
        if p.is_dir():
            cases.append(f"tf/{p.name}")
    return cases


def assert_cases_say_what_they_show(check_id: str) -> None:
    """Each fixture case's files begin with a comment (or a JSON Description) naming the check."""
    base = FIXTURES / check_id
    for case in fixture_cases(check_id):
        path = base / case
        files = [path] if path.is_file() else case_files(path)
        for f in files:
            head = f.read_text(encoding="utf-8").lstrip()
            assert head.startswith(("#", '{\n  "Description": "' + check_id)), f
            assert check_id in head.splitlines()[0 if head.startswith("#") else 1], f


def case_files(folder: Path) -> list[Path]:
    """The files of a case folder that say what the case shows: its Terraform files, or its
    templates (not its snapshot, parameter or samconfig files)."""
    if folder.parent.name == "tf":
        return sorted(folder.rglob("*.tf"))
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != TF_SNAPSHOT
                  and p.suffix in (".yaml", ".yml", ".json", ".template"))


def usage_path(check_id: str, case: str) -> Path | None:
    """The usage file of a case (see ``TF_USAGE``), or None."""
    path = FIXTURES / check_id / case
    usage = path / TF_USAGE if case.startswith("tf/") else path.with_name(path.name.split(".")[0] + CFN_USAGE_SUFFIX)
    return usage if usage.is_file() else None


def snapshot_path(check_id: str, case: str) -> Path:
    """Where a case's expected report entries live (see ``SNAPSHOT_SUFFIX``)."""
    path = FIXTURES / check_id / case
    return path / TF_SNAPSHOT if path.is_dir() or case.startswith("tf/") else path.with_name(path.name + SNAPSHOT_SUFFIX)


def snapshot_files() -> list[Path]:
    """Every snapshot file under fixtures/, whether or not its case still exists."""
    return sorted(set(FIXTURES.glob(f"*/cfn/*{SNAPSHOT_SUFFIX}")) | set(FIXTURES.glob(f"*/tf/*/{TF_SNAPSHOT}"))
                  | set(FIXTURES.glob(f"*/cfn/*/{TF_SNAPSHOT}")))


@contextlib.contextmanager
def working_directory(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def scan_case(check_id: str, case: str, *, every_check: bool = False, allow_errors: bool = False, **options):
    """Scan one fixture case from fixtures/<ID>/, so every path in the result (file, evidence,
    messages) is relative to that folder: ``cfn/x.yaml``, ``tf/x/main.tf``. Only ``check_id`` runs,
    with ``options``, unless ``every_check`` (every check, opt-in ones such as CF502 too). A
    fixture must read without errors unless ``allow_errors``."""
    from computefit.config import Config
    from computefit.runner import scan

    config = Config(select=("CF",)) if every_check else Config(select=(check_id,), options={check_id: options} if options else {})
    usage = usage_path(check_id, case)
    if usage is not None:
        config = config.with_cli(usage_file=str(usage.relative_to(FIXTURES / check_id)))
    with working_directory(FIXTURES / check_id):
        result = scan([case], config)
    if not allow_errors:
        assert result.errors == [], result.errors
    return result


def only_finding(result, check_id: str | None = None):
    """The one finding of ``result`` (of ``check_id`` when given); fails when there is not exactly one."""
    findings = [f for f in result.findings if check_id is None or f.check_id == check_id]
    assert len(findings) == 1, [(f.check_id, f.resource, f.location.line) for f in findings]
    return findings[0]


def cost_line(finding, prefix: str, exact: bool = False):
    """The one cost line of ``finding`` whose option starts with (or, ``exact``, is) ``prefix``."""
    lines = [c for c in finding.costs if (c.option == prefix if exact else c.option.startswith(prefix))]
    assert len(lines) == 1, [c.option for c in finding.costs]
    return lines[0]


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "files").is_dir():
        pytest.skip("shared corpus not present")
    return CORPUS


@pytest.fixture(autouse=True)
def _no_region_from_the_environment(monkeypatch):
    """Costs are priced in the region AWS_REGION / AWS_DEFAULT_REGION name when nothing else sets
    one: the tests must not depend on the developer's shell."""
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
