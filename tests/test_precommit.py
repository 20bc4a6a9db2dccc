"""The pre-commit hook, run by the real ``pre-commit`` tool on real ``git commit``s.

pre-commit installs the hook from a git repository at a revision. The module fixture snapshots this
working tree (tracked and untracked, non-ignored files, so uncommitted changes are tested too) into a
temporary repository, and installs the hook environment once into a shared PRE_COMMIT_HOME: that
installation pip-installs computefit and its dependencies, so it needs the package index and takes
about a minute. Each test then commits into its own temporary project with the hook installed.
"""

from __future__ import annotations

import importlib.util
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent

#: Installs the hook environment with pip (about 10 s with a warm cache, a minute without).
pytestmark = pytest.mark.slow

if shutil.which("git") is None:
    pytest.skip("git is not installed: the pre-commit hook test needs it", allow_module_level=True)
if importlib.util.find_spec("pre_commit") is None:
    pytest.skip("pre-commit is not installed (pip install -e '.[test]')", allow_module_level=True)

SAM_900 = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  NightlyExport:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: export.handler
      MemorySize: 1024
      Timeout: 900
"""
SAM_30 = SAM_900.replace("Timeout: 900", "Timeout: 30")
WORKFLOW = """\
name: CI
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
"""
TF_900 = """\
resource "aws_lambda_function" "export" {
  function_name = "export"
  role          = "arn:aws:iam::123456789012:role/export"
  runtime       = "python3.12"
  handler       = "export.handler"
  filename      = "export.zip"
  timeout       = var.export_timeout
}
"""
TF_VARS = """\
variable "export_timeout" {
  default = 900
}
"""


def _git_env(pre_commit_home: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Ignore the developer's git configuration (core.hooksPath, commit signing, templates).
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", PRE_COMMIT_HOME=str(pre_commit_home))
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "PRE_COMMIT", "SKIP"):
        env.pop(var, None)
    return env


def _run(args, cwd, env, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _check(args, cwd, env, timeout=120) -> str:
    proc = _run(args, cwd, env, timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, args))} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _init_repo(path: Path, env) -> None:
    path.mkdir(parents=True, exist_ok=True)
    _check(["git", "init", "-q"], path, env)
    _check(["git", "config", "user.name", "computefit tests"], path, env)
    _check(["git", "config", "user.email", "tests@computefit.invalid"], path, env)
    _check(["git", "config", "commit.gpgsign", "false"], path, env)


def _commit_all(path: Path, env, message: str) -> None:
    _check(["git", "add", "-A"], path, env)
    _check(["git", "commit", "-q", "--no-verify", "-m", message], path, env)


class HookRepo:
    def __init__(self, url: str, rev: str, env: dict[str, str]):
        self.url, self.rev, self.env = url, rev, env

    def config(self) -> str:
        return yaml.safe_dump(
            {"repos": [{"repo": self.url, "rev": self.rev, "hooks": [{"id": "computefit"}]}]}
        )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> HookRepo:
    base = tmp_path_factory.mktemp("precommit")
    env = _git_env(base / "pre-commit-home")
    listed = _run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO, env)
    if listed.returncode != 0:
        pytest.skip(f"{REPO} is not a git checkout: pre-commit installs hooks from a git repository")

    # Snapshot the working tree, uncommitted changes included, as pre-commit try-repo would.
    snapshot = base / "computefit"
    _init_repo(snapshot, env)
    for rel in filter(None, listed.stdout.split("\0")):
        src = REPO / rel
        if src.is_file():
            (snapshot / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, snapshot / rel)
    _commit_all(snapshot, env, "snapshot")
    rev = _check(["git", "rev-parse", "HEAD"], snapshot, env).strip()
    repo = HookRepo(snapshot.as_uri(), rev, env)

    # Install the hook environment once; every test reuses it through PRE_COMMIT_HOME.
    project = base / "install"
    _init_repo(project, env)
    (project / ".pre-commit-config.yaml").write_text(repo.config(), encoding="utf-8")
    _check([sys.executable, "-m", "pre_commit", "install-hooks"], project, env, timeout=900)
    return repo


@pytest.fixture
def project(hook_repo, tmp_path) -> Path:
    """A git project whose first commit holds the pre-commit config, with the hook installed."""
    path = tmp_path / "project"
    _init_repo(path, hook_repo.env)
    (path / ".pre-commit-config.yaml").write_text(hook_repo.config(), encoding="utf-8")
    _commit_all(path, hook_repo.env, "pre-commit config")
    _check([sys.executable, "-m", "pre_commit", "install"], path, hook_repo.env)
    return path


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def _commit(project: Path, env, files: dict[str, str]) -> tuple[subprocess.CompletedProcess, int]:
    """Stage ``files`` and ``git commit`` through the hook; returns the result and the commit count."""
    _write(project, files)
    _check(["git", "add", "-A"], project, env)
    proc = _run(["git", "commit", "-q", "-m", "change"], project, env, timeout=300)
    count = int(_check(["git", "rev-list", "--count", "HEAD"], project, env))
    return proc, count


def test_commit_with_a_mismatched_template_fails_with_the_finding(hook_repo, project):
    proc, commits = _commit(project, hook_repo.env, {
        "template.yaml": SAM_900,
        ".github/workflows/ci.yml": WORKFLOW,
    })
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert commits == 1  # the commit was refused
    assert "- hook id: computefit" in out and "- exit code: 1" in out
    assert "template.yaml:10:7: CF201 [warning] NightlyExport has a timeout of 900 s (set on the resource)" in out
    assert "1 finding (0 error, 1 warning, 0 info) in 1 file" in out  # the workflow is not counted
    assert "ci.yml" not in out


def test_clean_commit_with_a_workflow_passes(hook_repo, project):
    proc, commits = _commit(project, hook_repo.env, {
        "template.yaml": SAM_30,
        ".github/workflows/ci.yml": WORKFLOW,
        "package.json": '{"name": "app", "version": "1.0.0"}\n',
    })
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert commits == 2
    assert any(line.startswith("computefit") and line.endswith("Passed") for line in out.splitlines()), out


def test_commit_with_only_non_cloudformation_yaml_passes(hook_repo, project):
    proc, commits = _commit(project, hook_repo.env, {".github/workflows/ci.yml": WORKFLOW})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert commits == 2
    assert "ci.yml" not in out


def test_terraform_file_is_evaluated_with_its_folder(hook_repo, project):
    # variables.tf is committed first; the commit touching main.tf alone still sees the default.
    _write(project, {"infra/variables.tf": TF_VARS})
    _commit_all(project, hook_repo.env, "variables")
    proc, commits = _commit(project, hook_repo.env, {"infra/main.tf": TF_900})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert commits == 2
    assert "infra/variables.tf:2:3: CF201 [warning] aws_lambda_function.export has a timeout of 900 s" in out


def test_changed_tfvars_file_alone_runs_the_hook(hook_repo, project):
    # The module is committed with a short timeout; a commit touching only terraform.tfvars raises
    # it to the limit. The hook must see that commit (files pattern) and report the tfvars line.
    _write(project, {"infra/main.tf": TF_900, "infra/variables.tf": TF_VARS.replace("900", "60")})
    _commit_all(project, hook_repo.env, "module")
    proc, commits = _commit(project, hook_repo.env, {"infra/terraform.tfvars": "export_timeout = 900\n"})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert commits == 2  # refused
    assert "infra/terraform.tfvars:1:1: CF201 [warning] aws_lambda_function.export has a timeout of 900 s" in out


def test_committed_config_cannot_make_the_hook_write_outside_the_repository(hook_repo, project):
    # issue 15: a .computefit.toml in the commit names a file outside the repository. The hook finds
    # it (it is the scanned tree's configuration) and must refuse it rather than write the file.
    victim = project.parent / "victim.txt"
    victim.write_text("untouched\n", encoding="utf-8")
    proc, commits = _commit(project, hook_repo.env, {
        "template.yaml": SAM_30,
        ".computefit.toml": f'format = ["text", "text:../victim.txt", "json:{project.parent / "abs.json"}"]\n',
    })
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out  # pre-commit's own exit code for a failed hook
    assert commits == 1  # refused
    assert "- exit code: 2" in out
    assert ".computefit.toml: format: 'text:../victim.txt' names an output file" in out
    assert victim.read_text(encoding="utf-8") == "untouched\n"
    assert not (project.parent / "abs.json").exists()


HOOK_PASSES = [
    ("template.yaml", True), ("infra/main.tf", True), ("cdk.out/Stack.template.json", True),
    ("envs/prod.tfvars", True), ("deno.json", True), ("composer.json", True),
    ("package-lock.json", False), ("web/Package-Lock.json", False), ("npm-shrinkwrap.json", False),
    ("pnpm-lock.yaml", False), ("obj/packages.lock.json", False), ("x/custom.lock.json", False),
    ("node_modules/pkg/template.yaml", False),
]


@pytest.mark.parametrize("name,passed", HOOK_PASSES)
def test_hook_never_passes_lock_files(name, passed):
    """A lock file is never IaC and can be many megabytes: the hook's files/exclude keep it out
    (pre-commit matches both with Python's re.search on the repository-relative path)."""
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    chosen = bool(re.search(hook["files"], name)) and not re.search(hook["exclude"], name)
    assert chosen is passed
