"""Property tests (Hypothesis): every Terraform built-in, driven with generated arguments of every
type (wrong types and arity, NaN and infinities, integers of thousands of digits, odd strings:
format verbs, regexes, JSON and YAML, base64, surrogates, bidi controls), returns a value or Unknown
and never raises; what it returns is a clean Terraform value within the budgets. Operators,
conditionals, for expressions, splats and templates over generated values, written as HCL source,
never reach the evaluator's catch-all.

Deterministic (``derandomize``) so that CI is reproducible; ``HYPOTHESIS_PROFILE=long`` runs ten
times more examples with a random seed."""

from __future__ import annotations

import math
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_tf_eval import _Scope, ev

from computefit.model import Unknown
from computefit.terraform import budgets
from computefit.terraform.budgets import OverBudget
from computefit.terraform.evaluate import FUNCTIONS, EvalError, Evaluator, make_partial

pytestmark = pytest.mark.slow

_LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
_COMMON = dict(deadline=None, database=None, derandomize=not _LONG,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SPECIAL_STRINGS = [
    "", " ", "\n", "\r\n", "a,b,,c", "%", "%d", "%s", "%v %v", "%[9]s", "%999999999d", "%.999999999f",
    "%-1000000s", "%08.3f", "%#x", "%q", "%t", "%z", "${x}", "$${x}", "%{ for x in y }", "$1", "${1}",
    "(a+)+$", "/(a+)+$/", "/[0-9]+/", "\\pL+", "(?P<n>a)(b)", "(?P<n>a)", "[", "/[/", "(?<=a)b", "/", "//",
    "null", "true", "false", "1", "-1.5", "1e999", "NaN", "Infinity", "-0", "0x10", "1_000",
    "1" * 5000, "9" * 310, '{"a": [1, 2.5, null]}', "[1e999]", "[NaN]", "{", "a: [", "a: yes",
    "a: &a [1, 2]\nb: *a", "a: 1\n---\nb: 2", "2024-01-01", "aGk=", "!!!", "/w==", "H4sI",
    "\ud800", "\udfff", "é", "e\u0301", "\U0001F44D\U0001F3FD", "\u202e", "\x00", "\x1b]0;x\x07",
    "a" * 3000, "a\nb\nc", "../../etc/passwd",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10, max_value=2000),
    st.integers(),
    st.integers(min_value=-(2 ** 14000), max_value=2 ** 14000),  # under Python's 4,300-digit str limit
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.text(alphabet=st.characters(codec=None, categories=None), max_size=8),
    st.sampled_from(SPECIAL_STRINGS),
    st.builds(lambda r: Unknown(f"generated unknown {r}"), st.integers(0, 3)),
    st.builds(lambda t: make_partial(t + "${var.x}", ["var.x"]), st.text(max_size=5)),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=6),
                               st.dictionaries(st.text(max_size=4), children, max_size=6)),
    max_leaves=16,
)


def _check_clean(value, depth: int = 0) -> int:
    """Assert ``value`` is a Terraform value within the budgets; returns its element count."""
    assert depth < 1000
    if isinstance(value, Unknown):
        assert isinstance(value.reason, str) and value.reason
        return 1
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, float):
        assert math.isfinite(value)
        return 1
    if isinstance(value, int):
        assert value.bit_length() <= budgets.MAX_NUMBER_BITS
        return 1
    if isinstance(value, str):
        assert len(value) <= budgets.MAX_STRING
        return 1
    if isinstance(value, list):
        assert len(value) <= budgets.MAX_COLLECTION
        return 1 + sum(_check_clean(v, depth + 1) for v in value)
    if isinstance(value, dict):
        assert len(value) <= budgets.MAX_COLLECTION
        assert all(isinstance(k, str) for k in value)
        return 1 + sum(_check_clean(v, depth + 1) for v in value.values())
    raise AssertionError(f"not a Terraform value: {type(value).__name__}")


def _input_clean(value) -> bool:
    """Whether a generated argument is itself a value the evaluator can produce (numbers finite
    and within budget): only then must the result be clean too."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() <= budgets.MAX_NUMBER_BITS
    if isinstance(value, list):
        return all(_input_clean(v) for v in value)
    if isinstance(value, dict):
        return all(_input_clean(v) for v in value.values())
    return True


NAMES = sorted(FUNCTIONS)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=400 if _LONG else 30, **_COMMON)
@given(args=st.lists(values, max_size=4))
def test_every_built_in_is_total_and_bounded(name, args):
    ev_ = Evaluator(_Scope())
    try:
        result = ev_.call(name, list(args))
    except (EvalError, OverBudget) as exc:  # what eval() turns into Unknown(reason)
        # "NAME() failed: ..." is Evaluator.call's catch-all: a built-in met input it does not check
        assert str(exc) and "() failed:" not in str(exc), str(exc)
        return
    if all(_input_clean(a) for a in args):
        count = _check_clean(result)
        assert count <= budgets.MAX_STEPS + sum(_check_clean_count(a) for a in args)


def _check_clean_count(value) -> int:
    if isinstance(value, list):
        return 1 + sum(_check_clean_count(v) for v in value)
    if isinstance(value, dict):
        return 1 + sum(_check_clean_count(v) for v in value.values())
    return 1


# ---- whole expressions through the parser and the evaluator -------------------------------------


def _hcl(value) -> str:
    """HCL source for a generated literal value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return "1e999" if value == math.inf else ("-1e999" if value == -math.inf else "(0/0)")
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, Unknown):
        return "var.unknown"
    if isinstance(value, str):
        out = []
        for ch in value:
            if ch in '"\\':
                out.append("\\" + ch)
            elif ch == "\n":
                out.append("\\n")
            elif ord(ch) < 0x20 or 0xD800 <= ord(ch) <= 0xDFFF or ch == "\x7f":
                out.append(f"\\u{ord(ch):04x}")
            else:
                out.append(ch)
        text = "".join(out).replace("${", "$${").replace("%{", "%%{")
        return f'"{text}"'
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_hcl(k)} = {_hcl(v)}" for k, v in value.items()) + "}"
    raise AssertionError(type(value))


@settings(max_examples=600 if _LONG else 60, **_COMMON)
@given(name=st.sampled_from(NAMES), args=st.lists(values, max_size=3), expand=st.booleans())
def test_expressions_never_hit_the_evaluators_last_resort(name, args, expand):
    expr = f"{name}({', '.join(_hcl(a) for a in args)}{'...' if expand and args else ''})"
    try:
        value = ev(expr)
    except Exception as exc:  # a literal the generator wrote that python-hcl2 cannot parse
        if type(exc).__module__.startswith("lark"):
            return
        raise
    # "could not evaluate:" is the catch-all of Evaluator.eval: reaching it means an exception
    # escaped a built-in's own handling
    if isinstance(value, Unknown):
        assert not value.reason.startswith("could not evaluate:"), (expr[:200], value.reason)
    _check_clean(value)


_OPERATORS = ["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"]
_SHAPES = [f"{{a}} {op} {{b}}" for op in _OPERATORS] + [
    "!{a}", "-{a}", "{a} ? {b} : {c}", "{a} {op} {b} ? {c} : {a}", "{a} {op} {b} {op} {c}",
    "[for x in {a} : x]", "{{for k, v in {a} : k => v}}", "[for x in {a} : x if x]", "{a}[{b}]",
    "{a}.k", "{a}[*].k", '"${{{a}}}-${{{b}}}"', '"%{{ if {a} }}y%{{ else }}n%{{ endif }}"',
    '"%{{ for x in {a} }}[${{x}}]%{{ endfor }}"', "try({a}, {b})", "can({a})", "({a})",
]


@settings(max_examples=1500 if _LONG else 250, **_COMMON)
@given(shape=st.sampled_from(_SHAPES), op=st.sampled_from(_OPERATORS),
       a=values, b=values, c=values)
def test_operators_and_expressions_are_total(shape, op, a, b, c):
    expr = shape.format(a=_hcl(a), b=_hcl(b), c=_hcl(c), op=op)
    try:
        value = ev(expr)
    except Exception as exc:
        if type(exc).__module__.startswith("lark"):
            return
        raise
    if isinstance(value, Unknown):
        assert not value.reason.startswith("could not evaluate:"), (expr[:200], value.reason)
    _check_clean(value)


@settings(max_examples=300 if _LONG else 60, **_COMMON)
@given(pieces=st.lists(st.sampled_from(list("${}%~ \n\"\\ax1=[]()") + [
    "${", "%{", "}", "%{ for x in [1, 2] }", "%{ endfor }", "%{ if true }", "%{ else }", "%{ endif }",
    "${x}", "$${", "%%{", "~}", "${~"]), max_size=40))
def test_templates_are_total(pieces):
    text = "".join(pieces)
    # a template as templatefile() reads one: any text renders, or is unknown, never raises
    evaluator = Evaluator(_Scope())
    value = evaluator.template(text, None, env={"x": "v"})
    if isinstance(value, Unknown):
        assert not value.reason.startswith("could not evaluate:"), (text, value.reason)
    else:
        _check_clean(value)
