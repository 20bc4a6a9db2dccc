"""Evaluation budgets: each hostile input of the hostile-input issue that hung the Terraform
evaluator (minutes, gigabytes) now ends as Unknown with a note naming the budget, or as an error
entry for the module, and the scan goes on. The assertions are on the outcome, never on time."""

from __future__ import annotations

from pathlib import Path

from test_tf_eval import _Scope, ev

from computefit import terraform
from computefit.discovery import discover
from computefit.model import Unknown
from computefit.terraform import budgets
from computefit.terraform.evaluate import Evaluator
from computefit.terraform.syntax import JsonExpr


def _unknown(value, budget: str) -> str:
    assert isinstance(value, Unknown), repr(value)[:200]
    assert f"budget {budget}" in value.reason, value.reason
    return value.reason


def test_format_width_is_bounded():
    # was 117 s and 2.9 GB
    reason = _unknown(ev('format("%999999999d", 1)'), "MAX_STRING")
    assert "999999999" in reason
    _unknown(ev('format("%.999999999f", 1)'), "MAX_STRING")
    _unknown(ev('format("%' + "9" * 5000 + 'd", 1)'), "MAX_STRING")
    assert ev('format("%5d", 1)') == "    1"


def test_nested_for_is_bounded():
    # was 21 s
    _unknown(ev("[for i in range(1000) : [for j in range(1000) : i * j]]"), "MAX_STEPS")
    _unknown(ev("length(flatten([for i in range(1000) : [for j in range(1000) : j]]))"), "MAX_STEPS")
    assert ev("length(flatten([for i in range(100) : [for j in range(100) : j]]))") == 10_000


def test_collection_functions_are_bounded():
    _unknown(ev("setproduct(range(1000), range(1000), range(1000))"), "MAX_COLLECTION")
    _unknown(ev("concat([for i in range(1000) : i], [for i in range(1000) : i], " +
                ", ".join(["[for i in range(1000) : i]"] * 9) + ")"), "MAX_COLLECTION")
    assert len(ev("setproduct(range(100), range(100))")) == 10_000


def test_string_growth_is_bounded():
    big = 'join("", [for i in range(1024) : format("%1100s", "x")])'
    _unknown(ev(big), "MAX_STRING")
    _unknown(ev('replace(format("%100000s", ""), " ", "0123456789abcdef")'), "MAX_STRING")
    _unknown(ev('indent(1000000, join("\\n", [for i in range(100) : "x"]))'), "MAX_STRING")
    _unknown(ev('jsonencode([for i in range(1000) : format("%100000s", "x")])'), "MAX_EVAL_CHARS")
    _unknown(ev('"${format("%600000s", "a")}${format("%600000s", "b")}"'), "MAX_STRING")
    assert ev('strrev(format("%3s", "ab"))') == "ba "
    assert len(ev('format("%100000s", "x")')) == 100_000


def test_decoders_are_bounded():
    # PyYAML cannot be interrupted: a big document is refused before parsing
    _unknown(ev('yamldecode(join("\\n", [for i in range(1000) : format("k%d: %300s", i, "v")]))'), "MAX_YAML_CHARS")
    assert ev('yamldecode(join("\\n", [for i in range(100) : format("k%d: %30s", i, "v")]))')["k99"] == "v"
    # a JSON array of 60,001 zeros, built without a loop: its elements are charged as they are read
    _unknown(ev('jsondecode("[${replace(format("%60000s", ""), " ", "0,")}0]")'), "MAX_STEPS")
    assert len(ev('jsondecode("[${replace(format("%6000s", ""), " ", "0,")}0]")')) == 6001


def test_template_loops_are_bounded():
    _unknown(ev('"%{ for i in range(1000) }%{ for j in range(1000) }x%{ endfor }%{ endfor }"'), "MAX_STEPS")
    _unknown(ev('"%{ for i in range(1000) }${format("%2000s", "")}%{ endfor }"'), "MAX_STRING")
    # the loop is no longer cut silently at 1,000 items
    assert len(ev('"%{ for i in range(1024) }%{ for j in range(2) }x%{ endfor }%{ endfor }"')) == 2048


def test_templates_of_many_distinct_interpolations_are_bounded():
    # each distinct ${...} of a template (a templatefile() file, a .tf.json string) is parsed once,
    # about 80 us: 10,000 of them are charged 100,000 steps instead of parsing for seconds
    many = "".join(f"${{{i} + 1}}," for i in range(10_000))
    _unknown(Evaluator(_Scope()).eval(JsonExpr(many, "t.tf.json", 1)), "MAX_STEPS")
    few = "".join(f"${{{i} + 1}}," for i in range(1_000))
    assert Evaluator(_Scope()).eval(JsonExpr(few, "t.tf.json", 1)) == "".join(f"{i + 1}," for i in range(1_000))


def test_catastrophic_regex_is_linear():
    # Python re backtracks exponentially on these (the 34-character pattern hung the scan); RE2
    # answers at once
    subject = "a" * 100_000 + "!"
    assert "did not match" in ev(f'regex("^(([a-z])+.)+[A-Z]([a-z])+$", "{subject}")').reason
    assert ev(f'regexall("(a+)+$", "{subject}")') == []
    assert ev(f'replace("{subject}", "/(a|aa)+!/", "x")') == "x"


def test_nesting_is_bounded():
    _unknown(ev("[" * 300 + "1" + "]" * 300), "MAX_DEPTH")
    _unknown(ev("upper(" * 300 + '"a"' + ")" * 300), "MAX_DEPTH")
    assert ev("upper(" * 20 + '"a"' + ")" * 20) == "A"


def test_huge_numbers_are_bounded():
    _unknown(ev("1" + "0" * 5000), "MAX_NUMBER_DIGITS")
    v = ev("9" * 300 + " * " + "9" * 300 + " * " + "9" * 300 + " * " + "9" * 300)
    _unknown(v, "MAX_NUMBER_BITS")


# ---- budgets that need a module -------------------------------------------------------------------


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _load(folder: Path, monkeypatch):
    monkeypatch.chdir(folder)
    docs, errors = terraform.load_all(discover(["."]).modules)
    return docs, errors


def _fanout_modules(tmp: Path, levels: int, calls: int, resources: int = 16) -> None:
    """Modules that each call the next ``calls`` times, ``levels`` deep, each with a few resources
    and locals (the issue's case: 108 KB of code, 4 calls a level, over 300 s)."""
    body = "".join(
        f'resource "aws_lambda_function" "f{k}" {{\n  function_name = "${{local.name}}-{k}"\n'
        f'  timeout = var.x + {k}\n  memory_size = local.sizes[{k % 3}]\n'
        f'  environment {{\n    variables = {{ A = local.name, B = jsonencode(local.sizes) }}\n  }}\n}}\n'
        for k in range(resources))
    for d in range(levels + 1):
        text = ('variable "x" {\n  default = 1\n}\n'
                'locals {\n  name = "fn-${var.x}"\n  sizes = [for i in range(3) : 128 * (i + 1)]\n}\n' + body)
        if d < levels:
            text += "".join(f'module "c{k}" {{\n  source = "../m{d + 1}"\n  x = var.x + {k}\n}}\n'
                            for k in range(calls))
        _write(tmp / f"m{d}", {"main.tf": text})


def test_module_instances_are_bounded(tmp_path, monkeypatch):
    _fanout_modules(tmp_path, levels=8, calls=4, resources=8)  # 87,381 instances if all were followed
    docs, errors = _load(tmp_path, monkeypatch)
    assert errors == []
    root = [d for d in docs if d.path in ("m0", "./m0")]
    assert len(root) == 1
    units = root[0].units
    assert len(units) == 8 * budgets.MAX_MODULE_INSTANCES
    notes = {n for u in units for n in u.notes}
    assert any("budget MAX_MODULE_INSTANCES" in n for n in notes)
    # what was evaluated is still right: module.cA.module.cB...aws_lambda_function.fK has
    # timeout 1 + A + B + ... + K
    for u in units:
        parts = u.name.split(".")
        calls = [int(p[1:]) for p in parts[1:-2:2]]
        assert u.value("timeout") == 1 + sum(calls) + int(parts[-1][1:]), u.name
    assert max(u.name.count("module.") for u in units) == 8


def test_module_instances_are_bounded_by_their_resources(tmp_path, monkeypatch):
    _fanout_modules(tmp_path, levels=8, calls=4, resources=64)  # 127 KB of code
    docs, errors = _load(tmp_path, monkeypatch)
    root = [d for d in docs if d.path in ("m0", "./m0")][0]
    # every instance followed is whole: instances stop once their resources reach the budget
    assert budgets.MAX_MODULE_RESOURCES <= len(root.units) < budgets.MAX_MODULE_RESOURCES + 64
    assert len(root.units) % 64 == 0
    assert any("budget MAX_MODULE_RESOURCES" in n for u in root.units for n in u.notes)


def test_a_small_fanout_is_followed_whole(tmp_path, monkeypatch):
    _fanout_modules(tmp_path, levels=2, calls=3)  # 1 + 3 + 9 instances
    docs, errors = _load(tmp_path, monkeypatch)
    root = [d for d in docs if d.path in ("m0", "./m0")][0]
    assert len(root.units) == 16 * 13
    assert not any("MAX_MODULE_INSTANCES" in n for u in root.units for n in u.notes)


def test_locals_referring_to_each_other_are_bounded_in_depth(tmp_path, monkeypatch):
    n = 400
    locals_ = "\n".join(f"  l{i} = local.l{i - 1} + 1" for i in range(1, n))
    _write(tmp_path / "m", {"main.tf": (
        f"locals {{\n  l0 = 0\n{locals_}\n}}\n"
        f'resource "aws_lambda_function" "deep" {{\n  function_name = "deep"\n  timeout = local.l{n - 1}\n}}\n'
        'resource "aws_lambda_function" "shallow" {\n  function_name = "s"\n  timeout = local.l20\n}\n')})
    docs, errors = _load(tmp_path, monkeypatch)
    assert errors == []
    units = {u.name: u for d in docs for u in d.units}
    _unknown(units["aws_lambda_function.deep"].value("timeout"), "MAX_DEPTH")
    assert units["aws_lambda_function.shallow"].value("timeout") == 20


def test_module_deadline_is_an_error_entry_and_the_scan_goes_on(tmp_path, monkeypatch):
    # a slow module, measured by a clock that moves one second per reading: the module whose
    # evaluation reads the clock past MODULE_SECONDS is an error entry naming its file and line
    slow = "".join(f'resource "aws_lambda_function" "f{k}" {{\n  function_name = "f{k}"\n'
                   f'  timeout = length([for i in range(300) : i])\n}}\n' for k in range(300))
    _write(tmp_path, {"slow/main.tf": slow,
                      "fast/main.tf": 'resource "aws_lambda_function" "ok" {\n  function_name = "ok"\n'
                                      '  timeout = 900\n}\n'})
    ticks = iter(range(10**9))
    monkeypatch.setattr(budgets.time, "process_time", lambda: float(next(ticks)))
    docs, errors = _load(tmp_path, monkeypatch)
    assert [d.path for d in docs] in (["fast"], ["./fast"])
    assert docs[0].units[0].value("timeout") == 900
    assert len(errors) == 1
    err = errors[0]
    assert err.file.endswith("slow/main.tf") and err.line and err.line > 1
    assert "budget MODULE_SECONDS" in err.message


def test_module_deadline_through_the_runner(tmp_path, monkeypatch):
    from computefit.config import Config
    from computefit.runner import scan

    _write(tmp_path, {"slow/main.tf": "".join(
        f'resource "aws_lambda_function" "f{k}" {{\n  function_name = "f{k}"\n'
        f'  timeout = length([for i in range(300) : i])\n}}\n' for k in range(300))})
    ticks = iter(range(10**9))
    monkeypatch.setattr(budgets.time, "process_time", lambda: float(next(ticks)))
    monkeypatch.chdir(tmp_path)
    result = scan(["."], Config())
    messages = [e.message for e in result.errors]
    assert any("budget MODULE_SECONDS" in m for m in messages), messages


def test_huge_and_non_finite_numbers_in_files_do_not_drop_the_module(tmp_path, monkeypatch):
    # integers over 4,300 digits (Python's int/str limit) and 1e999 in .tf, .tf.json and tfvars.json:
    # unknown values with a note, the module and its other values still read
    digits = "1" * 5000
    _write(tmp_path / "m", {
        "main.tf": f'resource "aws_lambda_function" "hcl" {{\n  function_name = "h"\n  timeout = {digits}\n'
                   '  memory_size = var.size\n}\nvariable "size" {\n  default = 256\n}\n',
        "other.tf.json": '{"resource": {"aws_lambda_function": {"json": {"function_name": "j", '
                         f'"timeout": {digits}, "memory_size": 1e999, "ephemeral_storage": {{"size": 512}}}}}}}}}}',
        "terraform.tfvars.json": '{"size": 1e999}',
    })
    docs, errors = _load(tmp_path, monkeypatch)
    assert errors == []
    units = {u.name: u for d in docs for u in d.units}
    _unknown(units["aws_lambda_function.hcl"].value("timeout"), "MAX_NUMBER_DIGITS")
    for name, attr in (("aws_lambda_function.hcl", "memory_size"), ("aws_lambda_function.json", "timeout"),
                       ("aws_lambda_function.json", "memory_size")):
        value = units[name].value(attr)
        assert isinstance(value, Unknown) and "finite" in value.reason, (name, attr, value)
    assert units["aws_lambda_function.json"].value("function_name") == "j"
