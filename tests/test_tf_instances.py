"""count / for_each instances (issue 8 item 3): instances whose checked settings differ are units
of their own, named with their key or index; instances that agree are one unit without an index."""

from __future__ import annotations

from computefit import terraform
from computefit.discovery import discover


FN = """
resource "aws_lambda_function" "fn" {{
  for_each      = {each}
  function_name = "fn-${{each.key}}"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  timeout       = each.value
}}

resource "aws_lambda_permission" "api" {{
  for_each      = {each}
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn[each.key].function_name
  principal     = "sqs.amazonaws.com"
}}
"""


def units_of(tmp_path, text: str) -> dict:
    (tmp_path / "main.tf").write_text(text)
    inputs = discover([str(tmp_path)])
    docs, errors = terraform.load_all(inputs.modules)
    assert errors == []
    return {u.name: u for d in docs for u in d.units}


def test_instances_that_differ_are_their_own_units(tmp_path):
    units = units_of(tmp_path, FN.format(each='{ a = 60, b = 900, c = 60 }'))
    assert sorted(units) == ['aws_lambda_function.fn["a"]', 'aws_lambda_function.fn["b"]',
                             'aws_lambda_function.fn["c"]']
    assert [units[f'aws_lambda_function.fn["{k}"]'].value("timeout") for k in "abc"] == [60, 900, 60]
    # each.key resolves per instance; the function name does not make instances differ
    assert units['aws_lambda_function.fn["b"]'].value("function_name") == "fn-b"
    # a reference to fn[each.key] from another counted resource reaches every instance
    assert all(len(u.triggers) == 1 for u in units.values())


def test_instances_that_agree_are_one_unit_without_index(tmp_path):
    units = units_of(tmp_path, FN.format(each='{ a = 60, b = 60 }'))
    assert list(units) == ["aws_lambda_function.fn"]
    assert units["aws_lambda_function.fn"].value("timeout") == 60


def test_count_index_and_known_zero(tmp_path):
    units = units_of(tmp_path, """
resource "aws_lambda_function" "w" {
  count         = 3
  function_name = "w"
  timeout       = count.index == 2 ? 900 : 30
}
resource "aws_lambda_function" "gone" {
  count   = false && var.undeclared ? 1 : 0
  timeout = 900
}
""")
    assert sorted(units) == ["aws_lambda_function.w[0]", "aws_lambda_function.w[1]", "aws_lambda_function.w[2]"]
    assert units["aws_lambda_function.w[2]"].value("timeout") == 900


def test_unknown_count_is_one_unit_that_may_not_exist(tmp_path):
    units = units_of(tmp_path, """
variable "n" {}
resource "aws_lambda_function" "w" {
  count   = var.n
  timeout = 900
}
""")
    u = units["aws_lambda_function.w"]
    assert u.resource.may_not_exist.startswith("count is unknown")
    assert any("may not exist" in n for n in u.notes)


def test_more_instances_than_the_budget_are_one_unit_with_a_note(tmp_path):
    from computefit.terraform.build import MAX_INSTANCES

    units = units_of(tmp_path, f"""
resource "aws_lambda_function" "w" {{
  count   = {MAX_INSTANCES + 5}
  timeout = count.index == 0 ? 900 : 30
}}
""")
    assert list(units) == ["aws_lambda_function.w"]
    assert any(n.startswith(f"more than {MAX_INSTANCES} instances") for n in units["aws_lambda_function.w"].notes)
    assert "count.index is known only per instance" in units["aws_lambda_function.w"].value("timeout").reason


def test_a_reference_to_one_instance_reaches_only_that_instance(tmp_path):
    units = units_of(tmp_path, FN.format(each='{ a = 60, b = 900 }') + """
resource "aws_lambda_permission" "only_b" {
  function_name = aws_lambda_function.fn["b"].function_name
  principal     = "apigateway.amazonaws.com"
}
""")
    # fn["b"]: the sqs permission of its own key and the API permission naming it
    # (a permission without SourceArn is an API of unknown protocol: api_gateway, not rest_api)
    assert [t.kind for t in units['aws_lambda_function.fn["b"]'].triggers].count("api_gateway") == 1
    assert all(t.kind != "api_gateway" for t in units['aws_lambda_function.fn["a"]'].triggers)


JOB = """
variable "name" {}
variable "timeout" { default = 3 }
resource "aws_lambda_function" "this" {
  function_name = var.name
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  timeout       = var.timeout
}
output "name" { value = aws_lambda_function.this.function_name }
"""


def module_units(tmp_path, root: str) -> dict:
    (tmp_path / "job").mkdir()
    (tmp_path / "job" / "main.tf").write_text(JOB)
    return units_of(tmp_path, root)


def test_module_instances_that_differ_are_their_own_units(tmp_path):
    units = module_units(tmp_path, """
module "jobs" {
  for_each = { nightly = 900, hourly = 60, sync = 60 }
  source   = "./job"
  name     = "job-${each.key}"
  timeout  = each.value
}
resource "aws_lambda_permission" "api" {
  function_name = module.jobs["hourly"].name
  principal     = "apigateway.amazonaws.com"
}
""")
    names = [f'module.jobs["{k}"].aws_lambda_function.this' for k in ("hourly", "nightly", "sync")]
    assert sorted(units) == names
    assert [units[n].value("timeout") for n in names] == [60, 900, 60]
    assert units[names[1]].value("function_name") == "job-nightly"  # each.key in the call's arguments
    assert "instance for_each key \"nightly\"" in units[names[1]].settings["timeout"].note
    # module.jobs["hourly"].name reaches that instance only
    assert [t.kind for t in units[names[0]].triggers] == ["api_gateway"]  # no SourceArn: protocol unknown
    assert units[names[1]].triggers == [] and units[names[2]].triggers == []


def test_module_instances_that_agree_are_one_unit_without_index(tmp_path):
    units = module_units(tmp_path, """
module "jobs" {
  count   = 3
  source  = "./job"
  name    = "job-${count.index}"
  timeout = 60
}
resource "aws_lambda_permission" "api" {
  function_name = module.jobs[1].name
  principal     = "apigateway.amazonaws.com"
}
""")
    assert list(units) == ["module.jobs.aws_lambda_function.this"]
    u = units["module.jobs.aws_lambda_function.this"]
    assert u.value("timeout") == 60
    assert "differs between the 3 instances" in u.value("function_name").reason
    assert [t.kind for t in u.triggers] == ["api_gateway"]  # the reference to jobs[1] reaches the one kept


def test_module_count_known_zero_creates_nothing_and_unknown_count_is_medium(tmp_path):
    units = module_units(tmp_path, """
variable "create" { default = false }
variable "n" {}
module "off" {
  count   = var.create ? 1 : 0
  source  = "./job"
  name    = "off"
  timeout = 900
}
module "empty" {
  for_each = {}
  source   = "./job"
  name     = each.key
  timeout  = 900
}
module "maybe" {
  count   = var.n
  source  = "./job"
  name    = "maybe"
  timeout = 900
}
""")
    assert list(units) == ["module.maybe.aws_lambda_function.this"]
    u = units["module.maybe.aws_lambda_function.this"]
    assert u.resource.may_not_exist.startswith("count is unknown")
    assert any(n.startswith("module.maybe: count is unknown") and "may not exist" in n for n in u.notes)


def test_registry_module_instances_are_modelled_from_each_instance_inputs(tmp_path):
    units = units_of(tmp_path, """
module "fn" {
  for_each      = { a = 60, b = 900 }
  source        = "terraform-aws-modules/lambda/aws"
  function_name = each.key
  runtime       = "python3.12"
  handler       = "index.handler"
  timeout       = each.value
}
""")
    assert sorted(units) == ['module.fn["a"]', 'module.fn["b"]']
    assert units['module.fn["b"]'].value("timeout") == 900


def test_nested_module_instances(tmp_path):
    (tmp_path / "outer").mkdir()
    (tmp_path / "outer" / "main.tf").write_text("""
variable "timeouts" {}
module "inner" {
  for_each = var.timeouts
  source   = "../job"
  name     = each.key
  timeout  = each.value
}
output "a_name" { value = module.inner["a"].name }
""")
    units = module_units(tmp_path, """
module "outer" {
  count    = 2
  source   = "./outer"
  timeouts = { a = 900, b = 60 }
}
resource "aws_cloudwatch_event_rule" "r" {
  schedule_expression = "rate(1 hour)"
}
resource "aws_cloudwatch_event_target" "t" {
  rule = aws_cloudwatch_event_rule.r.name
  arn  = module.outer[0].a_name
}
""")
    # the two outer instances agree (one without index); the inner ones differ
    a, b = ('module.outer.module.inner["a"].aws_lambda_function.this',
            'module.outer.module.inner["b"].aws_lambda_function.this')
    assert sorted(units) == [a, b]
    # module.outer[0].a_name -> module.inner["a"] of the kept outer instance only
    assert [t.kind for t in units[a].triggers] == ["schedule"] and units[b].triggers == []


def test_more_module_instances_than_the_budget_are_one_instance_with_a_note(tmp_path):
    from computefit.terraform.build import MAX_INSTANCES

    units = module_units(tmp_path, f"""
module "many" {{
  count   = {MAX_INSTANCES + 1}
  source  = "./job"
  name    = "x"
  timeout = count.index == 0 ? 900 : 30
}}
""")
    u = units["module.many.aws_lambda_function.this"]
    assert any(n.startswith(f"module.many: more than {MAX_INSTANCES} instances") for n in u.notes)
    assert u.resource.may_not_exist is None
    assert "count.index is known only per instance" in u.value("timeout").reason


def test_a_reference_to_a_module_instance_not_known_statically_reaches_every_instance(tmp_path):
    units = module_units(tmp_path, """
module "jobs" {
  for_each = { nightly = 900, hourly = 60 }
  source   = "./job"
  name     = each.key
  timeout  = each.value
}
resource "aws_lambda_permission" "sqs" {
  for_each      = toset(["nightly", "hourly"])
  function_name = module.jobs[each.key].name
  principal     = "sqs.amazonaws.com"
}
""")
    assert len(units) == 2
    assert all(len(u.triggers) == 1 for u in units.values())


def test_a_notice_in_a_module_called_per_instance_is_given_once(tmp_path):
    """A remote call inside a module called with for_each is one line of code: one notice, named
    without the instance keys."""
    from computefit.runner import scan

    (tmp_path / "job").mkdir()
    (tmp_path / "job" / "main.tf").write_text(JOB + 'module "kms" {\n  source = "example/kms/aws"\n}\n')
    (tmp_path / "main.tf").write_text('module "jobs" {\n  for_each = { a = 900, b = 60 }\n  source   = "./job"\n'
                                      '  name     = each.key\n  timeout  = each.value\n}\n')
    result = scan([str(tmp_path)])
    assert [n.message.split(":")[0] for n in result.notices] == ["module.jobs.module.kms"]
