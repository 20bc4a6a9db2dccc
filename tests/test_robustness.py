"""Bad input never produces a traceback, and discovery finds exactly the infrastructure code.

Every bad file sits next to a SAM function with ``Timeout: 900`` (a CF201 warning at line 8): the
bad file is an error entry with its file and line, the exit code is 2, and the good file's finding
is still reported in the same run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from computefit.cli import main
from computefit.discovery import discover

GOOD_SAM = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Export:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Timeout: 900
"""

GOOD_TF = """\
resource "aws_lambda_function" "export" {
  function_name = "export"
  role          = "arn:aws:iam::123456789012:role/export"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "export.zip"
  timeout       = 900
}
"""

BILLION_LAUGHS = """\
AWSTemplateFormatVersion: "2010-09-09"
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties: *i
"""

FIFTY_MB = 50 * 1024 * 1024


def scan_json(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["scan", "--format", "json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def findings(report: dict) -> list[tuple[str, int, str]]:
    return [(f["file"], f["line"], f["check_id"]) for f in report["findings"]]


def errors(report: dict) -> list[tuple[str, int | None]]:
    return [(e["file"], e["line"]) for e in report["errors"]]


def write_big(path: Path, head: str, size: int = FIFTY_MB) -> None:
    """A real (not sparse) text file of ``size`` bytes starting with ``head``."""
    filler = "# padding padding padding padding padding padding padding padding padding\n"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(head)
        fh.write(filler * ((size - len(head)) // len(filler) + 1))


# --------------------------------------------------------------------------------------------------
# one bad file next to a good one
# --------------------------------------------------------------------------------------------------


def _broken_yaml(d: Path) -> str:
    (d / "broken.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  A:\n    Type: AWS::S3::Bucket\n'
        "    Properties: [unclosed\n")
    return "broken.yaml"


def _broken_json(d: Path) -> str:
    (d / "broken.json").write_text('{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {\n}\n')
    return "broken.json"


def _binary(d: Path) -> str:
    (d / "stack.template").write_bytes(bytes(range(256)) * 8)
    return "stack.template"


def _empty(d: Path) -> str:
    (d / "empty.template.json").write_bytes(b"")
    return "empty.template.json"


def _not_utf8(d: Path) -> str:
    (d / "latin1.yaml").write_bytes(
        b'AWSTemplateFormatVersion: "2010-09-09"\nDescription: caf\xe9\nResources: {}\n')
    return "latin1.yaml"


def _alias_bomb(d: Path) -> str:
    (d / "bomb.yaml").write_text(BILLION_LAUGHS)
    return "bomb.yaml"


def _deep_json(d: Path) -> str:
    (d / "deep.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": '
                                 + "[" * 100_000 + "]" * 100_000 + "}")
    return "deep.json"


def _unknown_tag(d: Path) -> str:
    (d / "tag.yaml").write_text(
        "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Reference Name\n")
    return "tag.yaml"


def _fifty_mb_yaml(d: Path) -> str:
    write_big(d / "big.yaml", 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n')
    return "big.yaml"


@pytest.mark.parametrize(
    ("make", "line", "message"),
    [
        (_broken_yaml, 6, "YAML syntax error: did not find expected ',' or ']'"),
        (_broken_json, 4, "JSON syntax error: "),
        (_binary, 1, "binary file (contains NUL bytes), not a template"),
        (_empty, 1, "file is empty: a template needs a Resources section"),
        (_not_utf8, 2, "file is not UTF-8 text"),
        (_alias_bomb, 8, "YAML aliases here expand to over 2,000,000 values"),
        (_deep_json, 1, "values nest deeper than 100 levels; not read"),
        (_unknown_tag, 5, "unknown tag !Reference: not a CloudFormation intrinsic function"),
        (_fifty_mb_yaml, 1, "file is 50.0 MB, over the 10 MB limit for a template"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_bad_template_is_an_error_and_the_rest_is_scanned(tmp_path, monkeypatch, make, line, message):
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    bad = make(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, report = scan_json()
    assert code == 2
    assert errors(report) == [(bad, line)]
    assert report["errors"][0]["message"].startswith(message), report["errors"][0]["message"]
    assert findings(report) == [("good.yaml", 8, "CF201")]
    assert report["summary"]["errors"] == 1


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ('resource "aws_lambda_function" "f" {\n  timeout = \n}\n', 2, "HCL syntax error: unexpected token '}'"),
        ('resource "aws_lambda_function" "f" {\n  timeout = 10\n', 2, "HCL syntax error: unexpected end of file"),
        ("\x00\x01\x02", 1, "binary file (contains NUL bytes), not Terraform"),
    ],
    ids=["unexpected-token", "unclosed-block", "binary"],
)
def test_bad_terraform_file_is_an_error_and_its_module_is_still_evaluated(
        tmp_path, monkeypatch, content, line, message):
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "lambda.tf").write_text(GOOD_TF)
    (tmp_path / "infra" / "broken.tf").write_text(content)
    monkeypatch.chdir(tmp_path)
    code, report = scan_json()
    assert code == 2
    assert errors(report) == [("infra/broken.tf", line)]
    assert report["errors"][0]["message"].startswith(message)
    assert findings(report) == [("good.yaml", 8, "CF201"), ("infra/lambda.tf", 7, "CF201")]


def test_fifty_mb_terraform_file_is_refused_without_parsing(tmp_path, monkeypatch):
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "lambda.tf").write_text(GOOD_TF)
    write_big(tmp_path / "infra" / "generated.tf", 'locals {\n  x = 1\n}\n')
    monkeypatch.chdir(tmp_path)
    code, report = scan_json()
    assert code == 2
    assert report["errors"] == [{
        "file": "infra/generated.tf", "line": 1,
        "message": "file is 50.0 MB, over the 1 MB limit for a Terraform file; not scanned"}]
    assert findings(report) == [("good.yaml", 8, "CF201"), ("infra/lambda.tf", 7, "CF201")]


def test_fifty_mb_tfvars_file_is_refused(tmp_path, monkeypatch):
    (tmp_path / "lambda.tf").write_text(GOOD_TF)
    write_big(tmp_path / "terraform.tfvars", "x = 1\n")
    monkeypatch.chdir(tmp_path)
    code, report = scan_json()
    assert code == 2
    assert errors(report) == [("terraform.tfvars", 1)]
    assert findings(report) == [("lambda.tf", 7, "CF201")]


def test_explicitly_named_bad_files_are_errors(tmp_path, monkeypatch):
    """Named on the command line, a binary .yaml is an error even though its name is not a
    template's (in a folder walk it would be skipped as not infrastructure code)."""
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    (tmp_path / "blob.yaml").write_bytes(b"\x00" * 64)
    (tmp_path / "template.yaml").write_text("")
    monkeypatch.chdir(tmp_path)
    code, report = scan_json("blob.yaml", "template.yaml", "good.yaml")
    assert code == 2
    assert errors(report) == [("blob.yaml", 1), ("template.yaml", 1)]
    assert findings(report) == [("good.yaml", 8, "CF201")]
    # the same binary file found by walking the folder is not a template: skipped silently
    code, report = scan_json(".")
    assert (code, report["errors"]) == (1, [])


def test_recursive_yaml_anchor_does_not_crash(tmp_path, monkeypatch):
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    (tmp_path / "loop.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources: &r\n  A: [*r, 1]\n")
    monkeypatch.chdir(tmp_path)
    code, report = scan_json()
    assert findings(report) == [("good.yaml", 8, "CF201")]
    assert code == 2
    assert report["errors"] == [{"file": "loop.yaml", "line": 2, "message":
                                 "a YAML alias refers to a value that contains it (an endless value)"}]


def test_no_traceback_from_the_installed_script(tmp_path):
    """The whole bad folder at once, through the console script: one line per error, no traceback."""
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    for make in (_broken_yaml, _binary, _empty, _alias_bomb, _deep_json):
        make(tmp_path)
    (tmp_path / "broken.tf").write_text("resource {\n")
    proc = subprocess.run([sys.executable, "-m", "computefit.cli", "scan", "."], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr == ""
    assert "Traceback" not in proc.stdout
    assert "good.yaml:8:7: CF201 [warning] Export has a timeout" in proc.stdout
    assert proc.stdout.splitlines()[-1] == (
        "1 finding (0 error, 1 warning, 0 info) in 7 files; 6 files could not be read")


# --------------------------------------------------------------------------------------------------
# paths that are not (readable) files
# --------------------------------------------------------------------------------------------------


def test_nonexistent_path_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    monkeypatch.chdir(tmp_path)
    code, report = scan_json("good.yaml", "missing.yaml", "missing-folder")
    assert code == 2
    assert report["errors"] == [
        {"file": "missing-folder", "line": None, "message": "no such file or folder"},
        {"file": "missing.yaml", "line": None, "message": "no such file or folder"},
    ]
    assert findings(report) == [("good.yaml", 8, "CF201")]


def _make_unreadable(path: Path) -> None:
    path.chmod(0)
    try:
        path.open("rb").close()
    except PermissionError:
        return
    path.chmod(0o644)
    pytest.skip("running as a user who can read a mode-000 file (root)")


def test_unreadable_files_are_errors(tmp_path, monkeypatch):
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    (tmp_path / "secret.template").write_text(GOOD_SAM)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "lambda.tf").write_text(GOOD_TF)
    (tmp_path / "infra" / "locked.tf").write_text(GOOD_TF.replace("export", "other"))
    _make_unreadable(tmp_path / "secret.template")
    _make_unreadable(tmp_path / "infra" / "locked.tf")
    monkeypatch.chdir(tmp_path)
    try:
        code, report = scan_json()
    finally:
        (tmp_path / "secret.template").chmod(0o644)
        (tmp_path / "infra" / "locked.tf").chmod(0o644)
    assert code == 2
    assert errors(report) == [("infra/locked.tf", None), ("secret.template", None)]
    assert all("Permission denied" in e["message"] for e in report["errors"])
    assert findings(report) == [("good.yaml", 8, "CF201"), ("infra/lambda.tf", 7, "CF201")]


def test_unreadable_folder_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "t.yaml").write_text(GOOD_SAM)
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as a user who can read a mode-000 folder (root)")
        monkeypatch.chdir(tmp_path)
        code, report = scan_json()
    finally:
        locked.chmod(0o755)
    assert code == 2
    assert errors(report) == [("locked", None)]
    assert report["errors"][0]["message"].startswith("cannot read folder: Permission denied")
    assert findings(report) == [("good.yaml", 8, "CF201")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_named_pipe_is_never_opened(tmp_path):
    """A FIFO named like a template would block a reader forever: skipped in a folder, an error
    when named. Run in a subprocess so a regression fails on the timeout instead of hanging."""
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    os.mkfifo(tmp_path / "pipe.template")
    proc = subprocess.run([sys.executable, "-m", "computefit.cli", "scan", "--format", "json", "."],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert findings(json.loads(proc.stdout)) == [("good.yaml", 8, "CF201")]
    proc = subprocess.run([sys.executable, "-m", "computefit.cli", "scan", "--format", "json",
                           "pipe.template", "good.yaml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert json.loads(proc.stdout)["errors"] == [
        {"file": "pipe.template", "line": None, "message": "not a regular file or folder"}]


def test_broken_symlink_to_a_terraform_file_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "lambda.tf").write_text(GOOD_TF)
    (tmp_path / "providers.tf").symlink_to(tmp_path / "shared" / "providers.tf")
    (tmp_path / "notes.yaml").symlink_to(tmp_path / "nowhere.yaml")  # not IaC by name: ignored
    monkeypatch.chdir(tmp_path)
    code, report = scan_json()
    assert code == 2
    assert report["errors"] == [{"file": "providers.tf", "line": None,
                                 "message": "broken symbolic link: the file it points to is missing"}]
    assert findings(report) == [("lambda.tf", 7, "CF201")]


def test_folders_named_like_templates_are_walked(tmp_path, monkeypatch):
    for name in ("stack.template", "app.template.json", "main.tf", "config.yaml"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "t.yaml").write_text(GOOD_SAM)
    monkeypatch.chdir(tmp_path)
    code, report = scan_json()
    assert (code, report["errors"]) == (1, [])
    assert findings(report) == [
        ("app.template.json/t.yaml", 8, "CF201"),
        ("config.yaml/t.yaml", 8, "CF201"),
        ("main.tf/t.yaml", 8, "CF201"),
        ("stack.template/t.yaml", 8, "CF201"),
    ]
    code, report = scan_json("stack.template")  # named explicitly: still a folder
    assert findings(report) == [("stack.template/t.yaml", 8, "CF201")]


def test_a_file_named_twice_is_scanned_once(tmp_path, monkeypatch):
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    (tmp_path / "bad.template").write_text("")
    monkeypatch.chdir(tmp_path)
    code, report = scan_json("good.yaml", ".", "./good.yaml", "bad.template", "bad.template")
    assert findings(report) == [("good.yaml", 8, "CF201")]
    assert errors(report) == [("bad.template", 1)]
    assert report["summary"]["files_scanned"] == 2


# --------------------------------------------------------------------------------------------------
# discovery: what is scanned, what is skipped
# --------------------------------------------------------------------------------------------------


def test_other_yaml_and_json_is_skipped_silently(tmp_path, monkeypatch):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "deploy.yml").write_text(
        "name: deploy\non: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: sam deploy --stack-name orders\n")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: api\n          image: api:1\n"
        "          resources:\n            limits: {cpu: 500m, memory: 512Mi}\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n")
    (tmp_path / "package.json").write_text(
        '{"name": "orders", "version": "1.0.0", "scripts": {"deploy": "cdk deploy"},\n'
        ' "dependencies": {"aws-cdk-lib": "2.150.0"}}\n')
    (tmp_path / "tsconfig.json").write_text('{"compilerOptions": {"strict": true}}\n')
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx\n")
    (tmp_path / "README.md").write_text("# orders\n")
    monkeypatch.chdir(tmp_path)
    code, report = scan_json()
    assert code == 0
    assert report["errors"] == [] and report["findings"] == []
    assert report["summary"]["files_scanned"] == 0
    # named one by one (as pre-commit does), they are skipped silently too
    code, report = scan_json(".github/workflows/deploy.yml", "k8s/deployment.yaml", "package.json")
    assert (code, report["errors"], report["summary"]["files_scanned"]) == (0, [], 0)


def _tree(base: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


CDK_TEMPLATE = json.dumps({"Resources": {"ExportFn": {
    "Type": "AWS::Lambda::Function",
    "Properties": {"Runtime": "python3.12", "Handler": "index.handler", "Timeout": 900,
                   "Role": "arn:aws:iam::123456789012:role/x", "Code": {"S3Bucket": "b", "S3Key": "k"}}}}},
    indent=1)


def test_discovery_skips_tool_folders_and_finds_templates(tmp_path, monkeypatch):
    _tree(tmp_path, {
        # scanned
        "sam/template.yaml": GOOD_SAM,
        "legacy/stack.template": GOOD_SAM,
        "cdk.out/OrdersStack.template.json": CDK_TEMPLATE,
        "cdk.out/assembly-Prod/ProdOrdersStack.template.json": CDK_TEMPLATE,
        "cdk.out/manifest.json": '{"version": "36.0.0", "artifacts": {"OrdersStack": {'
                                 '"type": "aws:cloudformation:stack"}}}',
        "cdk.out/tree.json": '{"version": "tree-0.1", "tree": {"id": "App", "children": {"Fn": {'
                             '"attributes": {"aws:cdk:cloudformation:type": "AWS::Lambda::Function"}}}}}',
        "env/prod/main.tf": GOOD_TF,  # a Terraform environment folder, not a virtualenv
        # skipped
        ".git/t.yaml": GOOD_SAM,
        ".terraform/modules/x/main.tf": GOOD_TF,
        ".terragrunt-cache/abc/main.tf": GOOD_TF,
        "node_modules/pkg/template.yaml": GOOD_SAM,
        "tools/pyenv/pyvenv.cfg": "home = /usr/bin\n",
        "tools/pyenv/lib/t.yaml": GOOD_SAM,
        ".venv/t.yaml": GOOD_SAM,
        "cdk.out/asset.0123abcd/template.yaml": GOOD_SAM,
        ".aws-sam/build/template.yaml": GOOD_SAM,
    })
    monkeypatch.chdir(tmp_path)
    inputs = discover(["."])
    assert inputs.templates == [
        "cdk.out/OrdersStack.template.json",
        "cdk.out/assembly-Prod/ProdOrdersStack.template.json",
        "legacy/stack.template",
        "sam/template.yaml",
    ]
    assert [(m.directory, m.files) for m in inputs.modules] == [("env/prod", ["env/prod/main.tf"])]
    assert inputs.errors == []
    code, report = scan_json()
    assert (code, report["errors"]) == (1, [])
    assert findings(report) == [
        ("cdk.out/OrdersStack.template.json", 8, "CF201"),
        ("cdk.out/assembly-Prod/ProdOrdersStack.template.json", 8, "CF201"),
        ("env/prod/main.tf", 7, "CF201"),
        ("legacy/stack.template", 8, "CF201"),
        ("sam/template.yaml", 8, "CF201"),
    ]


def test_exclude_patterns(tmp_path, monkeypatch):
    _tree(tmp_path, {"a/t.yaml": GOOD_SAM, "b/t.yaml": GOOD_SAM, "c/main.tf": GOOD_TF})
    monkeypatch.chdir(tmp_path)
    code, report = scan_json("--exclude", "b", "--exclude", "c/*.tf")
    assert findings(report) == [("a/t.yaml", 8, "CF201")]


TF_SPLIT = {
    "main.tf": 'resource "aws_lambda_function" "a" {\n  function_name = "a"\n  role = "r"\n'
               '  runtime = "python3.12"\n  handler = "a.h"\n  filename = "a.zip"\n'
               "  timeout = var.a_timeout\n}\n",
    "variables.tf": 'variable "a_timeout" {\n  default = 30\n}\n',
    "terraform.tfvars": "a_timeout = 900\n",
    "other.tf": 'resource "aws_lambda_function" "b" {\n  function_name = "b"\n  role = "r"\n'
                '  runtime = "python3.12"\n  handler = "b.h"\n  filename = "b.zip"\n  timeout = 890\n}\n',
}


@pytest.mark.parametrize(
    ("named", "expected"),
    [
        # the folder: both functions, a's timeout found at the tfvars line that sets it
        (["."], [("other.tf", 7, "aws_lambda_function.b"), ("terraform.tfvars", 1, "aws_lambda_function.a")]),
        (["other.tf"], [("other.tf", 7, "aws_lambda_function.b")]),
        # main.tf holds resource a: its finding is reported even though the value is set elsewhere
        (["main.tf"], [("terraform.tfvars", 1, "aws_lambda_function.a")]),
        (["terraform.tfvars"], [("terraform.tfvars", 1, "aws_lambda_function.a")]),
        # variables.tf is evaluated (the tfvars value overrides its default) but holds no finding
        (["variables.tf"], []),
        (["variables.tf", "other.tf"], [("other.tf", 7, "aws_lambda_function.b")]),
    ],
)
def test_named_terraform_files_are_evaluated_with_their_folder(tmp_path, monkeypatch, named, expected):
    _tree(tmp_path / "infra", TF_SPLIT)
    monkeypatch.chdir(tmp_path / "infra")
    code, report = scan_json(*named)
    assert report["errors"] == []
    assert [(f["file"], f["line"], f["resource"]) for f in report["findings"]] == expected
    assert code == (1 if expected else 0)
    if named != ["."]:
        assert report["summary"]["files_scanned"] == len(named)
