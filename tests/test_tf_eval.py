"""Terraform evaluation: variables, tfvars precedence, locals, templates, heredocs, functions."""

from __future__ import annotations

from pathlib import Path

import pytest

from computefit import terraform
from computefit.discovery import discover
from computefit.model import (
    ORIGIN_LITERAL, ORIGIN_LOCAL, ORIGIN_SERVICE_DEFAULT, ORIGIN_TFVARS, ORIGIN_VARIABLE_DEFAULT,
    Location, Unknown,
)
from computefit.terraform.evaluate import Evaluator, Partial, Ref
from computefit.terraform.syntax import HclExpr, parse_hcl_text

DATA = Path(__file__).resolve().parent / "data" / "tf"


def load_dir(name: str, monkeypatch) -> dict:
    monkeypatch.chdir(DATA / name)
    inputs = discover(["."])
    docs, errors = terraform.load_all(inputs.modules)
    units = {u.name: u for d in docs for u in d.units}
    return {"docs": docs, "errors": errors, "units": units}


@pytest.fixture
def ev_units(monkeypatch):
    return load_dir("eval", monkeypatch)["units"]


def test_tfvars_override_defaults_and_point_at_the_tfvars_line(ev_units):
    api = ev_units["aws_lambda_function.api"]
    t = api.setting("timeout")
    assert (t.value, t.location, t.origin) == (20, Location("terraform.tfvars", 1), ORIGIN_TFVARS)
    assert "timeout" in t.note
    # *.auto.tfvars is loaded after terraform.tfvars and wins
    m = api.setting("memory_size")
    assert (m.value, m.location, m.origin) == (512, Location("a.auto.tfvars", 2), ORIGIN_TFVARS)
    r = api.setting("runtime")
    assert (r.value, r.location) == ("python3.12", Location("b.auto.tfvars.json", 2))


def test_locals_and_literal_origins(ev_units):
    api = ev_units["aws_lambda_function.api"]
    h = api.setting("handler")
    assert (h.value, h.location, h.origin) == ("main.handler", Location("main.tf", 24), ORIGIN_LOCAL)
    # a value built from a local is set where it is written
    fn = api.setting("function_name")
    assert (fn.value, fn.location, fn.origin) == ("app-dev-api", Location("main.tf", 30), ORIGIN_LITERAL)
    assert api.value("architectures") == ["arm64"]
    assert api.value("package_type") == "Zip"
    # conditional with a known condition (local.big is false in dev)
    assert api.value("ephemeral_storage") == 1024
    assert api.location == Location("main.tf", 29) and api.end_line == 41


def test_service_defaults_from_facts(ev_units):
    worker = ev_units["aws_lambda_function.worker"]
    mem = worker.setting("memory_size")
    assert (mem.value, mem.location, mem.origin) == (128, None, ORIGIN_SERVICE_DEFAULT)
    # max(5, min(60, 30 * 2))
    assert worker.value("timeout") == 60


def test_count_and_for_each_are_modelled_once_without_index(ev_units):
    assert "aws_lambda_function.worker" in ev_units
    assert "aws_lambda_function.each" in ev_units
    assert not any("[" in name for name in ev_units)
    assert ev_units["aws_lambda_function.worker"].value("function_name") == "app-dev-worker-1"
    fn = ev_units["aws_lambda_function.each"].value("function_name")
    # the instances agree on what is checked, so they are one unit; each.key now resolves per
    # instance, and the names it gives differ, so the one unit's name is unknown for that reason
    assert isinstance(fn, Unknown) and fn.reason == "function_name differs between the 2 instances"


def test_templatefile_keeps_unknown_placeholders(ev_units):
    web = ev_units["aws_instance.web"]
    assert web.value("user_data") == '#!/bin/bash\necho "db=${var.db_host}:5432"\n'
    assert web.value("instance_type") == "t3.micro"
    assert web.value("tags") == {"Name": "web", "Env": "dev"}


def test_heredoc_trim_strips_common_indentation(ev_units):
    ud = ev_units["aws_instance.heredoc"].value("user_data")
    assert ud == '#!/bin/bash\necho "a,b,c"\n  indented x\nconnect ${var.db_host}\n'
    assert ev_units["aws_instance.plainheredoc"].value("user_data") == "#!/bin/bash\n  keep indent\n"


def test_missing_file_is_unknown_with_a_note(ev_units):
    u = ev_units["aws_instance.missing"]
    ud = u.value("user_data")
    assert isinstance(ud, Unknown)
    assert "file ./scripts/missing.sh not found" in u.notes
    assert not any("missing.sh" in n for n in ev_units["aws_instance.web"].notes)


def test_user_data_base64_is_decoded(ev_units):
    assert ev_units["aws_instance.b64"].value("user_data") == "#!/bin/sh\necho hi\n"


# ---- the evaluator on single expressions -------------------------------------------------------


class _Scope:
    prefix = ""
    path_module = "."
    path_root = "."
    path_root_abs = str(DATA / "eval")
    root_dir = str(DATA / "eval")

    def __init__(self, variables=None):
        self.variables = variables or {}
        self.notes = []

    def lookup_var(self, name, ev):
        return self.variables.get(name, Unknown(f"variable {name} unset"))

    def lookup_local(self, name, ev):
        return Unknown("no locals")

    def lookup_module(self, name, output, ev):
        return Unknown("no modules")

    def has_resource(self, rtype, name):
        return rtype == "aws_lambda_function"

    def resolve_ref_value(self, ref):
        return Unknown("after apply")


def ev(expr: str, **variables):
    text = f"x = {expr}\n"
    tree = parse_hcl_text(text)
    node = tree.children[0].children[0].children[-1]
    return Evaluator(_Scope(variables)).eval(HclExpr(node, text, "t.tf", 1))


@pytest.mark.parametrize("expr,expected", [
    ("1 + 2 * 3", 7),
    ("2 * 3 + 1", 7),
    ("(1 + 2) * 3", 9),
    ("10 - 2 - 3", 5),
    ("1 == 1 ? \"a\" : \"b\"", "a"),
    ("1 < 2 && 3 > 4", False),
    ("!true || true", True),
    ("-5 + 10", 5),
    ("\"${1 + 1}x\"", "2x"),
    ("\"$${literal}\"", "${literal}"),
    ("[for s in [\"a\", \"b\"] : upper(s)]", ["A", "B"]),
    ("{for k, v in {a = 1, b = 2} : k => v * 10 if v > 1}", {"b": 20}),
    ("base64decode(base64encode(\"hé\"))", "hé"),
    ("jsonencode({a = [1, true, null]})", '{"a":[1,true,null]}'),
    ("jsondecode(\"{\\\"k\\\": 3}\").k", 3),
    ("format(\"%s-%03d\", \"id\", 7)", "id-007"),
    ("join(\"-\", concat([\"a\"], [\"b\", \"c\"]))", "a-b-c"),
    ("split(\",\", \"a,b\")", ["a", "b"]),
    ("lookup({a = 1}, \"b\", 2)", 2),
    ("merge({a = 1}, {a = 2, b = 3})", {"a": 2, "b": 3}),
    ("coalesce(\"\", \"x\")", "x"),
    ("try(var.nope.field, \"fallback\")", Unknown("variable nope unset")),
    ("try({a = 1}.b, \"fallback\")", "fallback"),
    ("can({a = 1}.b)", False),
    ("tostring(5)", "5"),
    ("tonumber(\"42\")", 42),
    ("lower(\"AB\")", "ab"),
    ("replace(\"a-b\", \"-\", \"_\")", "a_b"),
    ("replace(\"a1b22\", \"/[0-9]+/\", \"#\")", "a#b#"),
    ("trimspace(\"  x \")", "x"),
    ("element([\"a\", \"b\"], 3)", "b"),
    ("length({a = 1, b = 2})", 2),
    ("contains([\"a\"], \"a\")", True),
    ("min(3, 1, 2)", 1),
    ("max(3, 1, 2)", 3),
    ("toset([\"a\", \"a\", \"b\"])", ["a", "b"]),
    ("tomap({a = 1})", {"a": 1}),
    ("tolist([1])", [1]),
    ("chomp(\"x\\n\")", "x"),
    ("indent(2, \"a\\nb\")", "a\n  b"),
    ("var.size * 2", 256),
    ("var.flag ? var.size : 0", 128),
])
def test_expressions(expr, expected):
    assert ev(expr, size=128, flag=True) == expected


def test_unknown_condition_is_unknown_not_a_guess():
    v = ev("var.env == \"prod\" ? 10 : 3")
    assert isinstance(v, Unknown) and "var.env" in v.reason


def test_unknown_condition_with_equal_branches_is_known():
    assert ev("var.env == \"prod\" ? 3 : 3") == 3


def test_interpolated_unknown_keeps_a_placeholder():
    v = ev("\"host=${var.db_host}:${var.port}\"", port=5432)
    assert isinstance(v, Partial)
    assert v == "host=${var.db_host}:5432"
    assert v.unresolved == ("var.db_host",)


def test_resource_reference_is_a_ref():
    v = ev("aws_lambda_function.f.arn")
    assert isinstance(v, Ref) and v.address == "aws_lambda_function.f" and v.attr == "arn"
    assert isinstance(ev("aws_sqs_queue.q.arn"), Unknown)  # not defined here
    v = ev("aws_lambda_function.f[0].qualified_arn")
    assert isinstance(v, Ref) and v.attr == "qualified_arn"


@pytest.mark.parametrize("expr", ["data.aws_caller_identity.me.account_id", "count.index", "each.value",
                                  "terraform.workspace", "nosuchfunc(1)", "timestamp()",
                                  "var.missing + 1", "upper(var.missing)"])
def test_runtime_values_are_unknown(expr):
    assert isinstance(ev(expr), Unknown)


@pytest.mark.parametrize("expr", ["1 / 0", "[1][5]", "{a = 1}.b", "tonumber(\"x\")", "\"a\" + 1",
                                  "jsondecode(\"{\")", "element([], 0)"])
def test_evaluation_errors_become_unknown(expr):
    v = ev(expr)
    assert isinstance(v, Unknown) and v.reason


def test_object_variables_fill_optional_defaults(monkeypatch):
    units = load_dir("objects", monkeypatch)["units"]
    f = units["aws_lambda_function.f"]
    assert f.value("timeout") == 30  # optional(number, 30)
    assert f.value("ephemeral_storage") == 512  # nested optional default
    assert f.value("memory_size") == 128 and f.setting("memory_size").location is None  # optional(number): null
    name = f.setting("function_name")
    assert (name.value, name.location, name.origin) == ("x", Location("main.tf", 8), ORIGIN_VARIABLE_DEFAULT)
    assert "var.cfg.name" in name.note
    g = units["aws_lambda_function.g"]
    assert g.value("timeout") == 60 + 7  # map(object) default for "a", tfvars value for "b"
    assert g.setting("timeout").location == Location("main.tf", 23)  # computed from two sources


@pytest.mark.parametrize("expr,expected", [
    ('"a %{ if true }yes%{ else }no%{ endif } b"', "a yes b"),
    ('"%{ if 1 > 2 }yes%{ else }no%{ endif }"', "no"),
    ('"%{ for x in [1, 2] ~}\\n  item ${x}\\n%{ endfor ~}\\nend"', "item 1\nitem 2\nend"),
    ('"%{ for k, v in {a = 1, b = 2} }${k}=${v};%{ endfor }"', "a=1;b=2;"),
    ('"$${x} %%{y}"', "${x} %{y}"),
    ('<<-EOT\n  %{~ for x in ["a", "b"] }\n  - ${x}\n  %{~ endfor }\n  done\n  EOT\n', "\n- a\n- b\ndone\n"),
])
def test_template_directives(expr, expected):
    assert ev(expr) == expected


def test_template_directive_with_unknown_condition_stays_visible():
    v = ev('"%{ if var.u }on%{ endif }"')
    assert isinstance(v, Partial) and v == "%{ if var.u }on%{ endif }"
    v = ev('"%{ for x in var.u }[${x}]%{ endfor }"')
    assert isinstance(v, Partial) and v == "%{ for x in var.u }[${x}]%{ endfor }"
