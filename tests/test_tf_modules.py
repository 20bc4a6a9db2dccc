"""Terraform modules: local module calls with inputs, nesting, cycles, registry modules, load_all."""

from __future__ import annotations

from pathlib import Path

import pytest

from computefit import terraform
from computefit.discovery import TerraformModule, discover
from computefit.model import (
    ALB, AUTO_SCALING_GROUP, EC2_INSTANCE, FUNCTION_URL, HTTP_API, KINESIS, LAMBDA_FUNCTION,
    ORIGIN_MODULE_INPUT, ORIGIN_SERVICE_DEFAULT, ORIGIN_VARIABLE_DEFAULT, API_GATEWAY, SCHEDULE, SQS,
    Location, Unknown,
)
from computefit.terraform.scope import registry_source

DATA = Path(__file__).resolve().parent / "data" / "tf"


def load_dir(name: str, monkeypatch):
    monkeypatch.chdir(DATA / name)
    inputs = discover(["."])
    docs, errors = terraform.load_all(inputs.modules)
    return docs, errors, {u.name: u for d in docs for u in d.units}


def test_local_module_inputs_naming_and_related(monkeypatch):
    docs, errors, units = load_dir("modules", monkeypatch)
    assert errors == []
    fn = units["module.orders.aws_lambda_function.this"]
    assert fn.location == Location("modules/fn/main.tf", 15)
    assert Location("main.tf", 5) in fn.related
    # a literal module input points at the argument line in the calling file
    mem = fn.setting("memory_size")
    assert (mem.value, mem.location, mem.origin) == (1024, Location("main.tf", 9), ORIGIN_MODULE_INPUT)
    # an input that passes a caller's variable through points at that variable's default
    t = fn.setting("timeout")
    assert (t.value, t.location, t.origin) == (45, Location("main.tf", 2), ORIGIN_VARIABLE_DEFAULT)
    # not passed: the child's own default
    rt = fn.setting("runtime")
    assert (rt.value, rt.location) == ("java21", Location("modules/fn/main.tf", 12))


def test_nested_module_names_and_inputs(monkeypatch):
    _, _, units = load_dir("modules", monkeypatch)
    box = units["module.orders.module.inner.aws_instance.box"]
    assert box.value("tags") == {"Name": "orders-inner"}
    assert Location("modules/fn/main.tf", 23) in box.related and Location("main.tf", 5) in box.related


def test_module_output_reference_links_trigger(monkeypatch):
    _, _, units = load_dir("modules", monkeypatch)
    fn = units["module.orders.aws_lambda_function.this"]
    [trig] = fn.triggers
    assert trig.kind == SCHEDULE and trig.resource == "aws_cloudwatch_event_target.nightly"
    assert trig.settings["schedule_expression"].value == "cron(0 3 * * ? *)"


def test_module_cycle_is_cut_with_a_note(monkeypatch):
    _, _, units = load_dir("modules", monkeypatch)
    looped = units["module.loop.aws_instance.looped"]
    assert any("cycle" in n for n in looped.notes)
    assert not any(name.startswith("module.loop.module.again") for name in units)


def test_called_module_folders_are_evaluated_only_through_callers(monkeypatch):
    docs, _, units = load_dir("modules", monkeypatch)
    assert [d.path for d in docs] == ["."]
    assert "aws_lambda_function.this" not in units  # not reported a second time with defaults only
    # but loading the child folder on its own still works (its own Document, defaults only)
    monkeypatch.chdir(DATA / "modules")
    doc, errors = terraform.load(TerraformModule("modules/fn", ["modules/fn/main.tf"]))
    names = sorted(u.name for u in doc.units)
    assert names == ["aws_lambda_function.this", "module.inner.aws_instance.box"]
    fn = next(u for u in doc.units if u.name == "aws_lambda_function.this")
    assert fn.value("timeout") == 3 and fn.setting("timeout").origin == ORIGIN_VARIABLE_DEFAULT


def test_explicitly_named_child_file_is_still_loaded(monkeypatch):
    monkeypatch.chdir(DATA / "modules")
    inputs = discover(["modules/fn/main.tf", "main.tf"])  # a pre-commit run naming both files
    docs, _ = terraform.load_all(inputs.modules)
    assert sorted(d.path for d in docs) == [".", "modules/fn"]


@pytest.mark.parametrize("source,kind", [
    ("terraform-aws-modules/lambda/aws", "lambda_function"),
    ("registry.terraform.io/terraform-aws-modules/lambda/aws", "lambda_function"),
    ("terraform-aws-modules/ec2-instance/aws", "ec2_instance"),
    ("terraform-aws-modules/autoscaling/aws//.", "auto_scaling_group"),
    ("git::https://github.com/terraform-aws-modules/terraform-aws-lambda.git?ref=v7.2.0", "lambda_function"),
    ("github.com/terraform-aws-modules/terraform-aws-lambda?ref=9acd322", "lambda_function"),
    ("terraform-aws-modules/sqs/aws", "sqs_queue"),
    ("terraform-aws-modules/lambda/aws//modules/alias", None),
    ("terraform-aws-modules/s3-bucket/aws", None),
    ("./lambda", None),
])
def test_registry_sources(source, kind):
    """A whole terraform-aws-modules module stands for one resource of the kind the kinds table
    gives it; a submodule, another registry module or a local source stands for none."""
    from computefit.kinds import kind_of

    found = registry_source(source)
    assert (kind_of(f"module:{found}") if found else None) == kind


def test_registry_lambda_module(monkeypatch):
    _, errors, units = load_dir("registry", monkeypatch)
    assert errors == []
    fn = units["module.lambda"]
    assert fn.kind == LAMBDA_FUNCTION
    assert fn.resource_type == "module:terraform-aws-modules/lambda/aws"
    assert fn.location == Location("main.tf", 1) and fn.end_line == 38
    assert fn.value("timeout") == 120 and fn.setting("timeout").location == Location("main.tf", 8)
    assert fn.value("runtime") == "java21"
    assert fn.value("snap_start") == "PublishedVersions"
    assert fn.value("architectures") == ["arm64"]
    assert fn.setting("memory_size").origin == ORIGIN_SERVICE_DEFAULT
    [q] = fn.qualifiers
    assert q.kind == "version" and q.provisioned_concurrency.value == 4
    kinds = {t.resource: (t.kind, t.qualifier) for t in fn.triggers}
    assert kinds["module.lambda.create_lambda_function_url"] == (FUNCTION_URL, None)
    # the module grants allowed_triggers on both $LATEST and the current version by default:
    # which one the caller invokes is unknown
    # (a literal execute-api source ARN names no API of the scanned code: its protocol is unknown)
    for key, kind in (("APIGatewayAny", API_GATEWAY), ("ScheduledRule", SCHEDULE)):
        t_kind, t_qualifier = kinds[f"module.lambda.allowed_triggers.{key}"]
        assert t_kind == kind and isinstance(t_qualifier, Unknown) and "both" in t_qualifier.reason
    assert kinds["module.lambda.event_source_mapping.sqs"] == (SQS, None)
    assert kinds["module.lambda.event_source_mapping.stream"] == (KINESIS, None)
    # references to the module's outputs link triggers, with the version for qualified ARNs
    assert kinds["aws_apigatewayv2_integration.reg"][0] == HTTP_API
    assert kinds["aws_scheduler_schedule.reg"] == (SCHEDULE, q)
    url = next(t for t in fn.triggers if t.kind == FUNCTION_URL)
    assert url.settings["auth_type"].value == "NONE"
    assert url.settings["invoke_mode"].value == "RESPONSE_STREAM"
    assert any("REST, HTTP or WebSocket API unknown" in n for n in fn.notes)


def test_registry_defaults_disabled_and_submodules(monkeypatch):
    _, _, units = load_dir("registry", monkeypatch)
    d = units["module.defaults"]
    assert d.value("timeout") == 3 and d.value("memory_size") == 128
    assert "module.disabled" not in units  # create_function = false
    assert "module.alias_only" not in units  # a submodule, not a function


def test_registry_ec2_and_autoscaling(monkeypatch):
    _, _, units = load_dir("registry", monkeypatch)
    vm = units["module.vm"]
    assert vm.kind == EC2_INSTANCE and vm.resource_type == "module:terraform-aws-modules/ec2-instance/aws"
    assert vm.value("instance_type") == "c5.xlarge"
    assert vm.value("user_data") == "#!/bin/bash\necho vm\n"
    assert vm.value("tags") == {"Team": "a"}
    asg = units["module.asg"]
    assert asg.kind == AUTO_SCALING_GROUP
    assert (asg.value("min_size"), asg.value("max_size"), asg.value("desired_capacity")) == (0, 4, 1)
    assert asg.value("user_data") == "#!/bin/bash\necho asg\n"  # the module's input is base64
    assert [t.kind for t in asg.triggers] == [ALB]


def test_count_zero_and_override_files(monkeypatch):
    docs, errors, units = load_dir("count_override", monkeypatch)
    assert errors == []
    # count known to be 0 / empty for_each: no instance exists; unknown count: modelled once
    assert list(units) == ["aws_lambda_function.on"]
    t = units["aws_lambda_function.on"].setting("timeout")
    assert (t.value, t.location) == (99, Location("x_override.tf", 2))  # the override file wins


def test_parse_cache_keeps_the_most_recently_used_files(monkeypatch, tmp_path):
    """load_all shares parsed files between modules, within a bound (parsed HCL is large)."""
    from computefit.terraform import scope as scope_mod
    from computefit.terraform.scope import ParseCache

    cache = ParseCache(maxsize=2)
    cache["a.tf"] = ([], None)
    cache["b.tf"] = ([], None)
    assert cache["a.tf"] == ([], None)  # a is now the most recently used
    cache["c.tf"] = ([], None)
    assert ("a.tf" in cache, "b.tf" in cache, "c.tf" in cache, len(cache)) == (True, False, True, 2)

    # A child module called by two roots is still parsed once per scan. The three folders are one
    # repository (the read boundary: outside git it would be each scanned folder on its own).
    (tmp_path / ".git").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "main.tf").write_text(
        'variable "timeout" {}\nresource "aws_lambda_function" "f" {\n  timeout = var.timeout\n}\n')
    for root, timeout in (("blue", 60), ("green", 900)):
        (tmp_path / root).mkdir()
        (tmp_path / root / "main.tf").write_text(
            f'module "fn" {{\n  source  = "../shared"\n  timeout = {timeout}\n}}\n')
    parsed: list[str] = []
    real = scope_mod.read_file
    monkeypatch.setattr(scope_mod, "read_file", lambda p: parsed.append(p) or real(p))
    monkeypatch.chdir(tmp_path)
    docs, errors = terraform.load_all(discover(["blue", "green"]).modules)
    assert errors == []
    assert sorted(u.settings["timeout"].value for d in docs for u in d.units) == [60, 900]
    assert sorted(parsed) == ["blue/main.tf", "green/main.tf", "shared/main.tf"]


def test_an_output_of_a_module_that_is_not_read_is_an_edge_to_the_call(tmp_path, monkeypatch):
    from computefit.runner import build_model

    (tmp_path / "main.tf").write_text(
        'module "queue" {\n  source = "terraform-aws-modules/sqs/aws"\n}\n'
        'module "other" {\n  source = "git::https://example.com/modules/thing.git"\n}\n'
        'resource "aws_lambda_event_source_mapping" "q" {\n'
        '  event_source_arn = module.queue.queue_arn\n  function_name = module.other.name\n}\n')
    monkeypatch.chdir(tmp_path)
    model, errors, _ = build_model(discover(["."]))
    assert errors == []
    by = {r.address: r for r in model.resources}
    assert by["module.queue"].kind == "sqs_queue"  # the kinds table knows the registry module
    assert by["module.other"].kind is None  # emitted, unmapped
    edges = {e.via: (e.target, e.ref) for e in by["aws_lambda_event_source_mapping.q"].edges}
    assert edges == {"event_source": ("module.queue", "queue_arn"), "function": ("module.other", "name")}
