"""Downloaded modules (issue 8 item 6): with .terraform/modules/modules.json, registry and git
module calls are evaluated from the folders terraform init downloaded, exactly like local modules;
a remote module that is not downloaded keeps the hand-mapped model and is a 'not followed' notice."""

from __future__ import annotations

import json

from computefit.runner import scan

FN = """variable "timeout" {
  type    = number
  default = 3
}
resource "aws_lambda_function" "this" {
  function_name = "worker"
  timeout       = var.timeout
}
module "inner" {
  source = "./modules/inner"
}
output "arn" {
  value = aws_lambda_function.this.arn
}
"""

ROOT = """module "worker" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "7.2.1"
  timeout = 900
}

module "other" {
  source = "git::https://example.com/other.git"
}

resource "aws_cloudwatch_event_rule" "nightly" {
  schedule_expression = "cron(0 2 * * ? *)"
}

resource "aws_cloudwatch_event_target" "nightly" {
  rule = aws_cloudwatch_event_rule.nightly.name
  arn  = module.worker.arn
}
"""


def tree(tmp_path, downloaded: bool):
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.tf").write_text(ROOT)
    if downloaded:
        mods = tmp_path / ".terraform" / "modules"
        (mods / "worker" / "modules" / "inner").mkdir(parents=True)
        (mods / "worker" / "main.tf").write_text(FN)
        (mods / "worker" / "modules" / "inner" / "main.tf").write_text(
            'resource "aws_instance" "x" {\n  instance_type = "t3.micro"\n}\n')
        (mods / "modules.json").write_text(json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "worker", "Source": "registry.terraform.io/terraform-aws-modules/lambda/aws",
             "Version": "7.2.1", "Dir": ".terraform/modules/worker"},
            {"Key": "worker.inner", "Source": "./modules/inner", "Dir": ".terraform/modules/worker/modules/inner"},
        ]}))
    return tmp_path


def test_downloaded_registry_module_is_evaluated_from_its_folder(tmp_path):
    result = scan([str(tree(tmp_path, True))])
    units = {u.name: u for u in result.model.units}
    # the module's own resources, with the caller's inputs, and its local submodule: not the
    # hand-mapped module.worker unit
    assert sorted(units) == ["module.worker.aws_lambda_function.this", "module.worker.module.inner.aws_instance.x"]
    fn = units["module.worker.aws_lambda_function.this"]
    assert fn.value("timeout") == 900
    assert [t.resource for t in fn.triggers] == ["aws_cloudwatch_event_target.nightly"]  # via its output
    [f] = [f for f in result.findings if f.check_id == "CF201"]
    assert f.resource == "module.worker.aws_lambda_function.this"
    notices = [n.message for n in result.notices]
    assert any(m.startswith("module.other: source git::https://example.com/other.git is not downloaded")
               for m in notices)
    assert not any("module.worker" in m for m in notices)


def test_not_downloaded_keeps_the_mapped_module_and_says_so(tmp_path):
    result = scan([str(tree(tmp_path, False))])
    assert [u.name for u in result.model.units] == ["module.worker"]
    # module.worker and module.other: one notice for the root module, standing for both calls
    [n] = result.notices
    assert n.message.startswith("2 module calls in ") and "run terraform init in " in n.message
    assert any(i.message.startswith("module.worker: source terraform-aws-modules/lambda/aws is not downloaded")
               and i.message.endswith("not followed, modelled from its inputs") for i in n.items)
    assert [i.message.split(":")[0] for i in n.items] == ["module.worker", "module.other"]


def test_not_downloaded_calls_are_one_notice_per_root_in_every_format(tmp_path, monkeypatch):
    from computefit.reporters import FORMATS, RenderOptions, render

    for root in ("prod", "dev"):
        (tmp_path / root).mkdir()
        (tmp_path / root / "main.tf").write_text("".join(
            f'module "m{i}" {{\n  source = "example/m{i}/aws"\n}}\n' for i in range(5)))
    (tmp_path / "single").mkdir()
    (tmp_path / "single" / "main.tf").write_text('module "one" {\n  source = "example/one/aws"\n}\n')
    monkeypatch.chdir(tmp_path)
    result = scan(["."])
    out = {fmt: render(fmt, result, RenderOptions()) for fmt in FORMATS}
    grouped = [n for n in result.notices if n.items]
    assert sorted((n.file, n.line, len(n.items)) for n in grouped) == [("dev/main.tf", 1, 5), ("prod/main.tf", 1, 5)]
    # a root with one such call keeps its own notice
    assert [n.message.split(":")[0] for n in result.notices if not n.items] == ["module.one"]
    # the concise text names each root once; the full text and JSON list every call
    assert out["text"].count("is not downloaded") == 1 and out["text"].count("module calls in ") == 2
    assert "run terraform init in dev" in out["text"]
    assert out["full"].count("is not downloaded") == 11
    notices = json.loads(out["json"])["notices"]
    assert sorted(len(n.get("items", [])) for n in notices) == [0, 5, 5]
    assert {i["line"] for n in notices for i in n.get("items", [])} == {1, 4, 7, 10, 13}
    sarif = json.loads(out["sarif"])["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert sorted(len(n["locations"]) for n in sarif) == [1, 5, 5]
    assert out["github"].count("::notice") == 3
    assert out["junit"].count("<skipped") == 3 and out["junit"].count("is not downloaded") >= 11
    assert out["markdown"].count("module calls in ") == 2 and out["markdown"].count("is not downloaded") == 11


def test_broken_modules_json_is_an_error_entry_not_a_crash(tmp_path):
    tree(tmp_path, True)
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text("{not json")
    result = scan([str(tmp_path)])
    assert [u.name for u in result.model.units] == ["module.worker"]
    assert any("modules.json could not be read" in e.message for e in result.errors)


def test_a_call_found_through_two_root_modules_is_one_notice(tmp_path, monkeypatch):
    """A shared local module's remote call, reached from two roots that are each its only such
    call, is listed once (not once per root)."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "main.tf").write_text('module "vpc" {\n  source = "example/vpc/aws"\n}\n')
    for root in ("a", "b"):
        (tmp_path / root).mkdir()
        (tmp_path / root / "main.tf").write_text('module "base" {\n  source = "../shared"\n}\n')
    monkeypatch.chdir(tmp_path)
    result = scan(["a", "b"])
    assert [(n.file, n.line, n.items) for n in result.notices] == [("shared/main.tf", 1, ())]
