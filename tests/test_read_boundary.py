"""The read boundary (computefit.boundary): a scanned repository cannot make computefit read,
stat or echo a file outside it, whatever the working directory; what was not read is a notice.

Every hostile case puts a canary in a file outside the repository, in a form a check would quote
(a cron line, which CF101 prints), and asserts it appears in no report format. The positive cases
show the same canary does appear once ``--root`` widens the boundary, so the test can see a leak.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from computefit.boundary import find_boundary, resolve
from computefit.cli import main
from computefit.model import Unknown
from computefit.reporters import FORMATS, RenderOptions, render
from computefit.reporters.markdown import escape as markdown_escape
from computefit.runner import scan

REPO = Path(__file__).resolve().parent.parent
CANARY = "SECRET-TOKEN-abc123"
CANARY_ID = "SECRETTOKENabc123"  # the same, as a CloudFormation logical ID allows
INSIDE = "INSIDE-OK-xyz789"
CRON = '#!/bin/bash\necho "0 3 * * * root /opt/{}.sh" > /etc/cron.d/job\n'
INSTANCE = 'resource "aws_instance" "{name}" {{\n  ami           = "ami-1"\n  instance_type = "t3.micro"\n  user_data     = {expr}\n}}\n'


def instance(name: str, expr: str) -> str:
    return INSTANCE.format(name=name, expr=expr)


def reports(paths, root=None) -> dict[str, str]:
    """Every report format of one scan, suppressed findings included."""
    result = scan([str(p) for p in paths], root=None if root is None else str(root))
    options = RenderOptions(show_suppressed=True, fail_on="info")
    out = {fmt: render(fmt, result, options) for fmt in FORMATS}
    out["_result"] = result  # type: ignore[assignment]
    return out


def assert_no_leak(out: dict) -> None:
    for fmt in FORMATS:
        assert CANARY not in out[fmt], fmt
        assert CANARY_ID not in out[fmt], fmt


def notices(out: dict) -> list[dict]:
    return json.loads(out["json"])["notices"]


def assert_notice(out: dict, *words: str, hint: bool = True) -> None:
    """A notice holding ``words`` (and the --root hint, unless it would not help) in every format
    that shows notices."""
    found = notices(out)
    assert any(all(w in n["message"] for w in words) and ("--root" in n["message"]) == hint
               for n in found), found
    for fmt in ("text", "sarif", "github", "junit"):
        assert all(w in out[fmt] for w in words), fmt
    # markdown shows scanned text escaped (a path's "_" as "\\_"), so look for the escaped words
    assert all(markdown_escape(w) in out["markdown"] for w in words), "markdown"
    sarif = json.loads(out["sarif"])["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(n["level"] == "note" for n in sarif)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """tmp/outside: secrets; tmp/repo: a git work tree (a .git folder); cwd = the repository."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.sh").write_text(CRON.format(CANARY))
    (outside / "mod").mkdir()
    (outside / "mod" / "main.tf").write_text(instance("leak", "<<-EOT\n" + CRON.format(CANARY) + "EOT"))
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    (repo / "inside.sh").write_text(CRON.format(INSIDE))
    monkeypatch.chdir(repo)
    return tmp_path


# ---- hostile cases --------------------------------------------------------------------------------


def test_absolute_path_in_file_is_not_read(tree):
    secret = tree / "outside" / "secret.sh"
    (tree / "repo" / "main.tf").write_text(instance("a", f'file("{secret}")'))
    out = reports(["."])
    assert_no_leak(out)
    assert_notice(out, str(secret), "outside the read boundary")
    assert notices(out)[0]["file"] == "main.tf" and notices(out)[0]["line"] == 4


def test_dotdot_escape_from_the_repository_root(tree):
    (tree / "repo" / "main.tf").write_text(instance("a", 'file("../outside/secret.sh")')
                                           + instance("b", 'templatefile("../outside/secret.sh", {})')
                                           + instance("c", 'base64decode(filebase64("../outside/secret.sh"))'))
    out = reports(["."])
    assert_no_leak(out)
    assert_notice(out, "../outside/secret.sh")
    assert {n["message"].split(":")[0] for n in notices(out)} == {"file()", "templatefile()", "filebase64()"}


def test_dotdot_escape_from_a_subfolder(tree):
    sub = tree / "repo" / "stacks" / "batch"
    sub.mkdir(parents=True)
    (sub / "main.tf").write_text(instance("a", 'file("${path.module}/../../../outside/secret.sh")'))
    for paths in (["stacks/batch"], ["."], [str(sub)]):
        out = reports(paths)
        assert_no_leak(out)
        assert_notice(out, "outside/secret.sh")
    os.chdir(sub)  # from the subfolder itself: the boundary is still the whole repository
    out = reports(["."])
    assert_no_leak(out)
    assert_notice(out, "outside/secret.sh", str(tree / "repo"))


def test_symlinked_file_is_not_followed_out(tree):
    repo = tree / "repo"
    (repo / "link.sh").symlink_to("../outside/secret.sh")
    (repo / "abs-link.sh").symlink_to(tree / "outside" / "secret.sh")
    (repo / "main.tf").write_text(instance("a", 'file("${path.module}/link.sh")')
                                  + instance("b", 'file("abs-link.sh")'))
    out = reports(["."])
    assert_no_leak(out)
    assert_notice(out, "link.sh", "symbolic link")
    # the two file() calls, and the walk that did not follow the two links
    assert sorted((n["file"], n["line"]) for n in notices(out)) == [
        ("abs-link.sh", None), ("link.sh", None), ("main.tf", 4), ("main.tf", 9)]


def test_symlinked_terraform_file_and_template_are_not_read(tree):
    repo = tree / "repo"
    (tree / "outside" / "leak.tf").write_text(instance("leak", "<<-EOT\n" + CRON.format(CANARY) + "EOT"))
    (tree / "outside" / "stack.yaml").write_text(
        f"Resources:\n  {CANARY_ID}:\n    Type: AWS::Lambda::Function\n    Properties:\n"
        "      Runtime: python3.12\n      Timeout: 900\n")
    (repo / "leak.tf").symlink_to("../outside/leak.tf")
    (repo / "stack.yaml").symlink_to("../outside/stack.yaml")
    (repo / "main.tf").write_text(instance("a", 'file("inside.sh")'))
    for paths in (["."], ["leak.tf", "stack.yaml", "main.tf"]):  # a walked folder; named files
        out = reports(paths)
        assert_no_leak(out)
        assert_notice(out, "leak.tf")
        assert_notice(out, "stack.yaml")
        assert INSIDE in out["text"]  # the rest of the folder is still scanned


def test_symlinked_folder_is_not_followed_out(tree):
    repo = tree / "repo"
    (repo / "scripts").symlink_to("../outside")
    (repo / "main.tf").write_text(instance("a", 'file("${path.module}/scripts/secret.sh")'))
    (tree / "outside" / "tf").mkdir()
    (tree / "outside" / "tf" / "main.tf").write_text(instance("leak", "<<-EOT\n" + CRON.format(CANARY) + "EOT"))
    (repo / "linked-stack").symlink_to("../outside/tf")
    out = reports(["."])
    assert_no_leak(out)
    assert_notice(out, "scripts/secret.sh", "symbolic link")
    assert any(n["file"] == "linked-stack" and n["message"].startswith("symbolic link linked-stack is a")
               and "not followed" in n["message"] for n in notices(out))


def test_symlinked_module_source_is_not_followed_out(tree):
    repo = tree / "repo"
    (repo / "modules").mkdir()
    (repo / "modules" / "job").symlink_to("../../outside/mod")
    (repo / "main.tf").write_text('module "job" {\n  source = "./modules/job"\n}\n'
                                  'module "up" {\n  source = "../outside/mod"\n}\n')
    out = reports(["."])
    assert_no_leak(out)
    found = notices(out)
    # the two calls, and the walk that did not go into the linked folder
    assert {(n["file"], n["line"]) for n in found} == {("main.tf", 2), ("main.tf", 5), ("modules/job", None)}
    assert all(n["message"].startswith("module.") for n in found if n["line"])
    assert_notice(out, "./modules/job", "symbolic link")


def test_module_file_linked_out_of_the_boundary_is_not_read(tree):
    repo = tree / "repo"
    (repo / "modules" / "job").mkdir(parents=True)
    (repo / "modules" / "job" / "main.tf").write_text(instance("ok", 'file("${path.module}/../../inside.sh")'))
    (repo / "modules" / "job" / "leak.tf").symlink_to(tree / "outside" / "mod" / "main.tf")
    (repo / "env").mkdir()
    (repo / "env" / "main.tf").write_text('module "job" {\n  source = "../modules/job"\n}\n')
    out = reports(["env"])
    assert_no_leak(out)
    assert INSIDE in out["text"]
    assert_notice(out, "leak.tf")


def test_tfvars_linked_out_of_the_boundary_is_not_read(tree):
    repo = tree / "repo"
    (tree / "outside" / "secret.tfvars").write_text(f'script = "echo \\"0 3 * * * root /opt/{CANARY}.sh\\" > /etc/cron.d/j"\n')
    (repo / "terraform.tfvars").symlink_to("../outside/secret.tfvars")
    (repo / "main.tf").write_text('variable "script" {\n  default = ""\n}\n' + instance("a", "var.script"))
    out = reports(["."])
    assert_no_leak(out)
    assert_notice(out, "terraform.tfvars")


def test_git_folder_inside_the_boundary_is_never_read(tree):
    """A CI checkout keeps its token in .git/config (http.extraheader); a finding's presence per
    character would leak it, so nothing under .git is read or listed."""
    repo = tree / "repo"
    (repo / ".git" / "config").write_text(f"[http]\n\textraheader = AUTHORIZATION: basic {CANARY}\n")
    (repo / "git-link").symlink_to(".git")
    (repo / "main.tf").write_text(
        instance("a", 'file(".git/config")') + instance("b", 'file("git-link/config")')
        + 'resource "aws_lambda_function" "f" {\n'
        f'  timeout = length(split("{CANARY}", file("${{path.module}}/.git/config"))) > 1 ? 900 : 60\n}}\n'
        'resource "aws_lambda_function" "g" {\n'
        '  timeout = fileexists(".git/config") || length(fileset(".", "**/config")) > 0 ? 900 : 60\n}\n')
    out = reports(["."])
    assert_no_leak(out)
    assert_notice(out, ".git/config", "never read", hint=False)
    result = out["_result"]
    assert not any(f.resource == "aws_lambda_function.f" for f in result.findings)


def test_walk_does_not_look_at_link_targets_outside(tree, monkeypatch):
    """Whether a link's outside target exists, or is a folder, changes nothing: it is not stat'ed."""
    repo = tree / "repo"
    (repo / "main.tf").write_text(instance("a", 'file("inside.sh")'))
    (repo / "to-dir").symlink_to(tree / "outside" / "mod")
    (repo / "to-file.tf").symlink_to(tree / "outside" / "mod" / "main.tf")
    (repo / "to-nothing").symlink_to(tree / "outside" / "missing")
    (repo / "to-nothing.tf").symlink_to(tree / "outside" / "missing.tf")
    looked_at = []
    for name in ("stat", "lstat"):
        real = getattr(os, name)

        def watch(p, *a, _real=real, **k):
            if str(tree / "outside") in os.path.abspath(str(p)):
                looked_at.append(str(p))
            return _real(p, *a, **k)

        monkeypatch.setattr(os, name, watch)
    out = reports(["."])
    monkeypatch.undo()
    assert looked_at == []
    assert_no_leak(out)
    assert sorted(n["file"] for n in notices(out)) == ["to-dir", "to-file.tf", "to-nothing", "to-nothing.tf"]
    assert len({n["message"].split(" is ")[1] for n in notices(out)}) == 1  # one message, whatever the target


def test_fileexists_outside_is_unknown_so_nothing_shows_through(tree):
    """Whether /etc/hostname (here: a file outside) exists must not change any report."""
    secret = tree / "outside" / "secret.sh"
    (tree / "repo" / "main.tf").write_text(
        'resource "aws_lambda_function" "f" {\n'
        f'  timeout = fileexists("{secret}") ? 900 : 60\n'
        '  runtime = "python3.12"\n}\n'
        'resource "aws_lambda_function" "g" {\n'
        '  timeout = fileexists("../outside/secret.sh") ? 900 : 60\n'
        '  runtime = "python3.12"\n}\n')
    present = reports(["."])
    secret.unlink()
    absent = reports(["."])
    for fmt in FORMATS:
        assert present[fmt] == absent[fmt], fmt
    assert_notice(present, "fileexists()", "not looked at")
    assert len(notices(present)) == 2


def test_fileexists_and_fileset_inside_the_boundary_still_answer(tree):
    repo = tree / "repo"
    (repo / "lambdas").mkdir()
    (repo / "lambdas" / "a.py").write_text("")
    (repo / "lambdas" / "b.py").write_text("")
    (repo / "lambdas" / "out.py").symlink_to(tree / "outside" / "secret.sh")
    (repo / "main.tf").write_text(
        'resource "aws_lambda_function" "yes" {\n  timeout = fileexists("inside.sh") ? 900 : 60\n}\n'
        'resource "aws_lambda_function" "no" {\n  timeout = fileexists("missing.sh") ? 900 : 60\n}\n'
        'resource "aws_lambda_function" "set" {\n'
        '  timeout = length(fileset(path.module, "lambdas/*.py")) == 2 ? 900 : 60\n}\n'
        'resource "aws_lambda_function" "out" {\n'
        '  timeout = length(fileset("../outside", "*")) > 0 ? 900 : 60\n}\n')
    result = scan(["."])
    units = {u.name: u for u in result.model.units}
    assert units["aws_lambda_function.yes"].value("timeout") == 900
    assert units["aws_lambda_function.no"].value("timeout") == 60
    assert units["aws_lambda_function.set"].value("timeout") == 900  # the link leading out is not listed
    assert isinstance(units["aws_lambda_function.out"].value("timeout"), Unknown)
    messages = [n.message for n in result.notices]
    assert any(m.startswith("fileset(): ../outside") for m in messages), messages
    assert any("1 symbolic link" in m for m in messages), messages


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_templatefile_of_a_fifo_is_never_opened(tree):
    """Run in a subprocess so a regression fails on the timeout instead of hanging the suite."""
    repo = tree / "repo"
    os.mkfifo(repo / "boot.tpl")
    os.mkfifo(tree / "outside" / "pipe")
    (repo / "link.tpl").symlink_to("boot.tpl")
    (repo / "main.tf").write_text(instance("a", 'templatefile("${path.module}/boot.tpl", {})')
                                  + instance("b", 'file("link.tpl")')
                                  + instance("c", 'file("../outside/pipe")')
                                  + instance("d", 'file("inside.sh")'))
    proc = subprocess.run([sys.executable, "-m", "computefit.cli", "scan", ".", "--format", "json"],
                          cwd=repo, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr  # d's finding
    report = json.loads(proc.stdout)
    messages = [n["message"] for n in report["notices"]]
    assert sum("is a FIFO, not a regular file" in m for m in messages) == 2, messages
    assert any("../outside/pipe" in m and "outside the read boundary" in m for m in messages)
    assert [f["resource"] for f in report["findings"]] == ["aws_instance.d"]


@pytest.mark.parametrize("cwd", ["/", "parent"])
def test_scanning_from_root_or_a_parent_folder_reads_nothing_outside(tree, cwd, monkeypatch):
    """The old boundary was the working directory: from / everything was readable."""
    repo = tree / "repo"
    (repo / "main.tf").write_text(instance("a", 'file("../outside/secret.sh")')
                                  + instance("b", 'file("../../../../../../../../etc/hostname")')
                                  + instance("c", 'file("inside.sh")'))
    monkeypatch.chdir("/" if cwd == "/" else tree)
    out = reports([str(repo) if cwd == "/" else "repo"])
    assert_no_leak(out)
    assert INSIDE in out["text"]
    assert len(notices(out)) == 2


def test_cli_subprocess_from_root_leaks_nothing_in_any_format(tree):
    repo = tree / "repo"
    (repo / "link.sh").symlink_to("../outside/secret.sh")
    (repo / "main.tf").write_text(instance("a", 'file("../outside/secret.sh")') + instance("b", 'file("link.sh")'))
    for fmt in FORMATS:
        proc = subprocess.run([sys.executable, "-m", "computefit.cli", "scan", str(repo), "--format", fmt],
                              cwd="/", capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, (fmt, proc.stderr)  # notices do not change the exit code
        assert CANARY not in proc.stdout + proc.stderr, fmt


# ---- what is still read ----------------------------------------------------------------------------


def test_a_file_inside_the_boundary_is_read(tree):
    repo = tree / "repo"
    (repo / "app").mkdir()
    (repo / "app" / "main.tf").write_text(instance("a", 'file("${path.module}/../inside.sh")'))
    (repo / "scripts").mkdir()
    (repo / "scripts" / "job.sh").symlink_to("../inside.sh")  # a link that stays inside is followed
    (repo / "app" / "more.tf").write_text(instance("b", 'file("${path.module}/../scripts/job.sh")'))
    out = reports(["app"])
    assert out["text"].count(INSIDE) == 2
    assert notices(out) == []


def test_root_widens_the_boundary(tree):
    repo = tree / "repo"
    (repo / "link.sh").symlink_to("../outside/secret.sh")
    (repo / "main.tf").write_text(instance("a", 'file("../outside/secret.sh")')
                                  + instance("b", 'file("link.sh")')
                                  + 'module "job" {\n  source = "../outside/mod"\n}\n')
    out = reports(["."], root=tree)
    assert notices(out) == []
    for fmt in ("text", "json", "sarif", "markdown", "github", "gitlab", "junit"):
        assert CANARY in out[fmt], fmt  # the canary is visible when it may be read: the tests can see a leak
    assert {f.resource for f in out["_result"].findings} == {"aws_instance.a", "aws_instance.b",
                                                              "module.job.aws_instance.leak"}
    result = CliRunner().invoke(main, ["scan", ".", "--root", str(tree), "--format", "json"])
    assert result.exit_code == 1 and CANARY in result.stdout
    result = CliRunner().invoke(main, ["scan", ".", "--format", "json"])
    assert result.exit_code == 0 and CANARY not in result.stdout


def test_a_scanned_path_outside_root_is_an_error(tree):
    (tree / "repo" / "main.tf").write_text(instance("a", 'file("inside.sh")'))
    (tree / "other").mkdir()
    result = CliRunner().invoke(main, ["scan", ".", "--root", str(tree / "other")])
    assert result.exit_code == 2
    assert "outside --root" in result.stdout


# ---- the boundary itself ---------------------------------------------------------------------------


def test_boundary_is_the_git_work_tree_or_the_scanned_path(tmp_path):
    (tmp_path / "repo" / "a" / "b").mkdir(parents=True)
    (tmp_path / "repo" / ".git").write_text("gitdir: /elsewhere/.git/worktrees/repo\n")  # a worktree
    (tmp_path / "repo" / "a" / "b" / "main.tf").write_text("")
    (tmp_path / "plain" / "x").mkdir(parents=True)
    (tmp_path / "plain" / "x" / "main.tf").write_text("")
    real = tmp_path.resolve()
    assert find_boundary(str(tmp_path / "repo" / "a" / "b")) == str(real / "repo")
    assert find_boundary(str(tmp_path / "repo" / "a" / "b" / "main.tf")) == str(real / "repo")
    assert find_boundary(str(tmp_path / "plain" / "x")) == str(real / "plain" / "x")
    assert find_boundary(str(tmp_path / "plain" / "x" / "main.tf")) == str(real / "plain" / "x")


def test_a_git_folder_in_home_does_not_widen_the_boundary(tmp_path, monkeypatch):
    """A dotfiles repository in ~ must not put ~/.aws inside the boundary of a checkout below it."""
    home = tmp_path / "home"
    (home / ".git").mkdir(parents=True)
    (home / "work" / "pr").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    assert find_boundary(str(home / "work" / "pr")) == str((home / "work" / "pr").resolve())
    (home / "work" / ".git").mkdir()
    assert find_boundary(str(home / "work" / "pr")) == str((home / "work").resolve())


def test_resolve_never_looks_outside(tmp_path, monkeypatch):
    """No system call is made on a path outside the boundary: lstat/readlink/stat are watched."""
    root = tmp_path / "root"
    (root / "d").mkdir(parents=True)
    (root / "d" / "f").write_text("x")
    (root / "up").symlink_to("..")
    (root / "loop").symlink_to("loop")
    outside_calls = []
    ancestors = {str(p) for p in root.parents}  # realpath() of the trusted boundary walks these

    def outside(p) -> bool:
        full = os.path.normpath(os.path.abspath(p))
        return not (full == str(root) or full.startswith(str(root) + os.sep)) and full not in ancestors

    for name in ("lstat", "stat", "readlink"):
        real = getattr(os, name)

        def watch(p, *a, _real=real, **k):
            if outside(p):
                outside_calls.append(str(p))
            return _real(p, *a, **k)

        monkeypatch.setattr(os, name, watch)
    base = str(root)
    assert resolve("d/f", base, base).is_file
    assert resolve("d/../d/f", base, base).is_file
    assert resolve("missing/x", base, base).stat is None
    for hostile in ("/etc/hostname", "../x", "d/../../x", "up/x", "up/up/root/d/f"):
        assert resolve(hostile, base, base).refused is not None, hostile
    assert resolve("up/root/d/f", base, base).is_file  # out through a link and back in: inside
    assert "symbolic links" in resolve("loop", base, base).refused
    monkeypatch.undo()
    assert outside_calls == []


# ---- the same findings from any working directory ---------------------------------------------------


def _findings(out_json: str) -> list[tuple]:
    report = json.loads(out_json)
    return sorted((f["check_id"], f["resource"], os.path.realpath(f["file"]), f["line"])
                  for f in report["findings"])


def _scan_json(path: str, cwd: str, monkeypatch) -> list[tuple]:
    monkeypatch.chdir(cwd)
    return _findings(render("json", scan([path])))


def test_bundled_examples_give_the_same_findings_from_any_working_directory(monkeypatch):
    examples = REPO / "examples"
    runs = [
        _scan_json("examples", str(REPO), monkeypatch),
        _scan_json(os.path.join(REPO.name, "examples"), str(REPO.parent), monkeypatch),
        _scan_json(str(examples), "/tmp", monkeypatch),
        _scan_json(str(examples), "/", monkeypatch),
    ]
    assert runs[0] and all(r == runs[0] for r in runs), runs


def test_a_local_module_above_the_scanned_folder_is_followed_from_any_working_directory(tmp_path, monkeypatch):
    """Issue 8: `source = "../shared-module"` used to be read only when the cwd lay above it."""
    proj = tmp_path / "proj"
    (proj / ".git").mkdir(parents=True)
    (proj / "deployments").mkdir()
    (proj / "deployments" / "main.tf").write_text(
        'module "fn" {\n  source  = "../shared-module"\n  timeout = 900\n}\n')
    (proj / "shared-module").mkdir()
    (proj / "shared-module" / "main.tf").write_text(
        'variable "timeout" {}\nresource "aws_lambda_function" "f" {\n  runtime = "python3.12"\n'
        '  timeout = var.timeout\n}\n')
    runs = [
        _scan_json("deployments", str(proj), monkeypatch),
        _scan_json("proj/deployments", str(tmp_path), monkeypatch),
        _scan_json(str(proj / "deployments"), "/tmp", monkeypatch),
    ]
    assert runs[0] and all(r == runs[0] for r in runs), runs
    assert {r[1] for r in runs[0]} == {"module.fn.aws_lambda_function.f"}
    # the same from a real process started in /tmp with an absolute path
    proc = subprocess.run([sys.executable, "-m", "computefit.cli", "scan", str(proj / "deployments"),
                           "--format", "json"], cwd="/tmp", capture_output=True, text=True, timeout=60)
    assert _findings(proc.stdout) == runs[0]


def test_file_hashes_read_inside_and_refuse_outside(tree):
    import base64
    import hashlib

    data = (tree / "repo" / "inside.sh").read_bytes()
    (tree / "repo" / "main.tf").write_text(
        'locals {\n'
        '  md5 = filemd5("inside.sh")\n'
        '  sha = filebase64sha256("${path.module}/inside.sh")\n'
        '  out = filesha256("../outside/secret.sh")\n'
        '}\n'
        'resource "aws_lambda_function" "f" {\n'
        '  timeout = local.md5 == "' + hashlib.md5(data).hexdigest() + '" ? 900 : 60\n'
        '  memory_size = local.sha == "' + base64.b64encode(hashlib.sha256(data).digest()).decode() + '" ? 512 : 128\n'
        '  runtime = local.out\n'
        '}\n')
    result = scan(["."])
    unit = result.model.units[0]
    assert (unit.value("timeout"), unit.value("memory_size")) == (900, 512)
    assert [(n.file, n.line) for n in result.notices] == [("main.tf", 4)]
    assert result.notices[0].message.startswith("filesha256(): ../outside/secret.sh is outside")


@pytest.mark.parametrize("pattern, expected", [
    ("*.py", ["a.py"]),
    ("**/*.py", ["a.py", "pkg/b.py", "pkg/sub/c.py"]),
    ("pkg/*", ["pkg/b.py", "pkg/d.txt"]),
    ("pkg/**", ["pkg/b.py", "pkg/d.txt", "pkg/sub/c.py"]),
    ("**/{b,c}.py", ["pkg/b.py", "pkg/sub/c.py"]),
    ("pkg/?.txt", ["pkg/d.txt"]),
    ("pkg/[bc].py", ["pkg/b.py"]),
    ("./*.py", ["a.py"]),
])
def test_fileset_matches_terraform_patterns(tmp_path, pattern, expected):
    from computefit.terraform.files import _fn_fileset

    for rel in ("a.py", "pkg/b.py", "pkg/d.txt", "pkg/sub/c.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")

    class Scope:
        path_root_abs = root_dir = str(tmp_path)
        notes: list = []
        notices: list = []

    class Ev:
        scope = Scope()

    assert _fn_fileset(Ev(), [".", pattern], None) == expected


def test_each_scanned_path_has_its_own_boundary(tmp_path, monkeypatch):
    """Two repositories in one scan: neither reads the other's files."""
    for name, other in (("a", "b"), ("b", "a")):
        repo = tmp_path / name
        (repo / ".git").mkdir(parents=True)
        (repo / "job.sh").write_text(CRON.format(f"{CANARY}-{name}"))
        (repo / "main.tf").write_text(instance("own", 'file("job.sh")') + instance("other", f'file("../{other}/job.sh")'))
    monkeypatch.chdir(tmp_path)
    out = reports(["a", "b"])
    assert f"{CANARY}-a" in out["text"] and f"{CANARY}-b" in out["text"]
    assert sorted(f.resource for f in out["_result"].findings) == ["aws_instance.own", "aws_instance.own"]
    assert sorted((n["file"], n["line"]) for n in notices(out)) == [("a/main.tf", 9), ("b/main.tf", 9)]
    assert len(reports(["a", "b"], root=tmp_path)["_result"].findings) == 4


@pytest.mark.slow  # 24 module folders, each scanned six times: about 20 s of CPU
def test_terraform_aws_lambda_module_folders_give_the_same_findings_from_any_working_directory(corpus, monkeypatch):
    """Issue 8's done-when on the shared corpus: every module folder of
    terraform-aws-modules/terraform-aws-lambda scanned from the repository root, from a folder above
    it and from /tmp with an absolute path gives the same findings and notices, with the default
    read boundary (the folder itself: the corpus is not a git work tree) and with --root at the
    repository (which follows the examples' ``source = "../../"``)."""
    repo = corpus / "files" / "terraform-aws-modules__terraform-aws-lambda"
    if not repo.is_dir():
        pytest.skip("terraform-aws-modules/terraform-aws-lambda is not in the corpus")
    folders = sorted({p.parent for p in repo.rglob("*.tf") if ".terraform" not in p.parts})
    assert len(folders) >= 20  # the module, its submodules, examples and wrappers

    def run(path: str, cwd: Path | str, root: str | None) -> tuple:
        monkeypatch.chdir(cwd)
        result = scan([path], root=root)
        report = json.loads(render("json", result))
        return (sorted((f["check_id"], f["severity"], f["resource"], os.path.realpath(f["file"]), f["line"])
                       for f in report["findings"]),
                sorted((os.path.realpath(n["file"]), n["line"], len(n.get("items", []))) for n in report["notices"]),
                sorted((os.path.realpath(e["file"]), e["line"], e["message"]) for e in report["errors"]))

    differ, found = [], 0
    for folder in folders:
        rel = folder.relative_to(repo)
        for root in (None, str(repo)):
            runs = [run(str(rel), repo, root),
                    run(str(Path(repo.name) / rel), repo.parent, root),
                    run(str(folder), "/tmp", root)]
            found += len(runs[0][0])
            if any(r != runs[0] for r in runs):
                differ.append((str(rel), root, runs))
            if str(rel) == "examples/complete" and root is not None:
                # issue 8: CF301 only for the one call with create_lambda_function_url = true
                assert {f[2] for f in runs[0][0] if f[0] == "CF301"} == {
                    "module.lambda_function.aws_lambda_function.this"}
    assert differ == [], differ[:2]
    assert found > 0  # the examples' functions are found (a scan that reads nothing would pass)
