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
