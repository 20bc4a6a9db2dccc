"""Every Terraform built-in the evaluator implements: one exact result on normal input and one
Unknown (with its reason) on bad input each, as Terraform gives them. A test fails when a function
is added to the table without cases here."""

from __future__ import annotations

import base64
import gzip
import hashlib

import pytest
from test_tf_eval import ev

from computefit.model import Unknown
from computefit.terraform.evaluate import FUNCTIONS, Partial

#: the bytes of tests/data/tf/eval/scripts/init.sh.tpl, which the file functions read
_INIT_SH = b'#!/bin/bash\necho "db=${host}:${port}"\n'

# (expression, expected value)
NORMAL = [
    ("abs(-3.5)", 3.5),
    ("alltrue([true, \"true\"])", True),
    ("anytrue([false, true])", True),
    ("base64decode(\"aMOp\\n\")", "hé"),
    ("base64encode(\"hé\")", "aMOp"),
    ("base64gzip(\"hi\")", base64.b64encode(gzip.compress(b"hi", mtime=0)).decode()),
    ("base64sha256(\"hi\")", base64.b64encode(hashlib.sha256(b"hi").digest()).decode()),
    ("base64sha512(\"hi\")", base64.b64encode(hashlib.sha512(b"hi").digest()).decode()),
    ("basename(\"a/b/c.txt\")", "c.txt"),
    ("ceil(4.1)", 5),
    ("chomp(\"x\\r\\n\\n\")", "x"),
    ("chunklist([1, 2, 3], 2)", [[1, 2], [3]]),
    ("coalesce(null, \"\", \"x\")", "x"),
    ("coalescelist([], [1])", [1]),
    ("compact([\"a\", \"\", null, \"b\"])", ["a", "b"]),
    ("concat([1], [], [2, 3])", [1, 2, 3]),
    ("contains([\"a\", \"b\"], \"b\")", True),
    ("dirname(\"a/b/c.txt\")", "a/b"),
    ("distinct([1, 2, 1, \"1\"])", [1, 2, "1"]),
    ("element([\"a\", \"b\"], 3)", "b"),
    ("endswith(\"hello\", \"lo\")", True),
    ("file(\"scripts/init.sh.tpl\")", '#!/bin/bash\necho "db=${host}:${port}"\n'),
    ("filebase64(\"scripts/init.sh.tpl\")",
     base64.b64encode(b'#!/bin/bash\necho "db=${host}:${port}"\n').decode()),
    ("fileexists(\"scripts/init.sh.tpl\")", True),
    ("fileset(\"scripts\", \"*.tpl\")", ["init.sh.tpl"]),
    *[(f"{name}(\"scripts/init.sh.tpl\")", digest) for name, digest in (
        (f"file{algo}", hashlib.new(algo, _INIT_SH).hexdigest()) for algo in ("md5", "sha1", "sha256", "sha512"))],
    *[(f"filebase64{algo}(\"scripts/init.sh.tpl\")",
       base64.b64encode(hashlib.new(algo, _INIT_SH).digest()).decode()) for algo in ("sha256", "sha512")],
    ("flatten([[1, [2]], [], 3])", [1, 2, 3]),
    ("floor(-4.5)", -5),
    ("format(\"%-4s|%5.1f|%03d|%x|%t|%q|%%|%v\", \"a\", 3.14159, 7, 255, true, \"q\", [1])",
     'a   |  3.1|007|ff|true|"q"|%|[1]'),
    ("formatlist(\"%s=%d\", [\"a\", \"b\"], [1, 2])", ["a=1", "b=2"]),
    ("indent(2, \"a\\nb\")", "a\n  b"),
    ("index([\"a\", \"b\"], \"b\")", 1),
    ("join(\"-\", [\"a\", 1], [true])", "a-1-true"),
    ("jsondecode(\"{\\\"a\\\": [1, 2.5, null]}\")", {"a": [1, 2.5, None]}),
    ("jsonencode({b = \"é\", a = [1, true]})", '{"b":"é","a":[1,true]}'),
    ("keys({b = 1, a = 2})", ["a", "b"]),
    ("length(\"héllo\")", 5),
    ("log(8, 2)", 3),
    ("lookup({a = 1}, \"a\", 2)", 1),
    ("lower(\"ÀB\")", "àb"),
    ("max(1, 5.5, 3)", 5.5),
    ("md5(\"hi\")", hashlib.md5(b"hi").hexdigest()),
    ("merge({a = 1, b = 1}, null, {b = 2})", {"a": 1, "b": 2}),
    ("min(4, 2, 3)", 2),
    ("nonsensitive(\"x\")", "x"),
    ("one([\"x\"])", "x"),
    ("parseint(\"-ff\", 16)", -255),
    ("pow(2, 10)", 1024),
    ("range(1, 2, 0.25)", [1, 1.25, 1.5, 1.75]),
    ("regex(\"(?P<word>\\\\pL+)(?P<num>[0-9]*)\", \"12 héllo7\")", {"word": "héllo", "num": "7"}),
    ("regexall(\"[a-z]([0-9])\", \"a1 b2 c\")", [["1"], ["2"]]),
    ("replace(\"a1b22\", \"/(?P<d>[0-9]+)/\", \"<$d$$>\")", "a<1$>b<22$>"),
    ("reverse([1, 2, 3])", [3, 2, 1]),
    ("sensitive(3)", 3),
    ("setintersection([1, 2, 3], [2, 3, 4])", [2, 3]),
    ("setproduct([\"a\", \"b\"], [1, 2])", [["a", 1], ["a", 2], ["b", 1], ["b", 2]]),
    ("setsubtract([1, 2, 3], [2])", [1, 3]),
    ("setunion([1, 2], [2, 3])", [1, 2, 3]),
    ("sha1(\"hi\")", hashlib.sha1(b"hi").hexdigest()),
    ("sha256(\"hi\")", hashlib.sha256(b"hi").hexdigest()),
    ("sha512(\"hi\")", hashlib.sha512(b"hi").hexdigest()),
    ("signum(-7)", -1),
    ("slice([1, 2, 3, 4], 1, 3)", [2, 3]),
    ("sort([\"b\", \"a\", \"c\"])", ["a", "b", "c"]),
    ("split(\",\", \"a,,b\")", ["a", "", "b"]),
    ("startswith(\"hello\", \"he\")", True),
    ("strcontains(\"hello\", \"ell\")", True),
    ("strrev(\"abc\")", "cba"),
    ("substr(\"hello\", -3, 2)", "ll"),
    ("sum([1, 2.5])", 3.5),
    ("templatefile(\"scripts/init.sh.tpl\", {host = \"db\", port = 5432})", '#!/bin/bash\necho "db=db:5432"\n'),
    ("title(\"hello world\")", "Hello World"),
    ("tobool(\"true\")", True),
    ("tolist([1, 2])", [1, 2]),
    ("tomap({a = 1})", {"a": 1}),
    ("tonumber(\"-1.5\")", -1.5),
    ("toset([\"b\", \"a\", \"b\"])", ["b", "a"]),
    ("tostring(true)", "true"),
    ("trim(\"?!hi?!\", \"!?\")", "hi"),
    ("trimprefix(\"helloworld\", \"hello\")", "world"),
    ("trimspace(\"\\n x \\t\")", "x"),
    ("trimsuffix(\"helloworld\", \"world\")", "hello"),
    ("upper(\"ab\")", "AB"),
    ("urlencode(\"a b&c/é\")", "a%20b%26c%2F%C3%A9"),
    ("values({b = 1, a = 2})", [2, 1]),
    ("yamldecode(\"a: yes\\nb: [1, 2.5]\\nc: true\\nd: 2024-01-01\")",
     {"a": "yes", "b": [1, 2.5], "c": True, "d": "2024-01-01"}),
    ("yamlencode({a = [1, \"x\"]})", "a:\n- 1\n- x\n"),
    ("zipmap([\"a\", \"b\"], [1, 2])", {"a": 1, "b": 2}),
]

# (expression, words the Unknown's reason must contain)
BAD = [
    ("abs(\"x\")", "not a number"),
    ("alltrue([1])", "not a bool"),
    ("anytrue(\"x\")", "not a list"),
    ("base64decode(\"!!!\")", "not valid base64"),
    ("base64decode(\"/w==\")", "not valid UTF-8"),
    ("base64encode([1])", "not a string"),
    ("base64gzip({})", "not a string"),
    ("base64sha256([])", "not a string"),
    ("base64sha512(null)", "null is not a string"),
    ("basename([])", "not a string"),
    ("ceil(\"x\")", "not a number"),
    ("chomp({})", "not a string"),
    ("chunklist([1], -1)", "must not be negative"),
    ("coalesce(null, \"\")", "no non-null argument"),
    ("coalescelist(1)", "needs lists"),
    ("compact(\"a\")", "not a list"),
    ("concat(1)", "not a list"),
    ("contains(\"ab\", \"a\")", "not a list"),
    ("dirname(1, 2)", "takes 1 argument, got 2"),
    ("distinct({})", "not a list"),
    ("element([], 0)", "empty list"),
    ("element([1], -1)", "negative index"),
    ("endswith(\"a\")", "takes 2 arguments, got 1"),
    ("file(\"no-such-file.txt\")", "not found"),
    ("filebase64(\"no-such-file.txt\")", "not found"),
    ("fileexists(var.p)", "unset"),
    ("fileset(\"scripts\", 1)", "unknown path or pattern"),
    *[(f"{name}(\"no-such-file.txt\")", "not found") for name in (
        "filemd5", "filesha1", "filesha256", "filesha512", "filebase64sha256", "filebase64sha512")],
    ("flatten(\"a\")", "not a list"),
    ("floor([])", "not a number"),
    ("format(\"%d\", \"x\")", "not a number"),
    ("format(\"%d\", 1.5)", "not an integer"),
    ("format(\"%s %s\", \"a\")", "not enough arguments"),
    ("format(\"%s\", [1])", "not a string"),
    ("format(\"%z\", 1)", "unsupported verb"),
    ("format(\"abc%\")", "incomplete verb"),
    ("formatlist(\"%s%s\", [\"a\"], [\"b\", \"c\"])", "different lengths"),
    ("indent(1.5, \"a\")", "whole number"),
    ("index([\"a\"], \"z\")", "not in the list"),
    ("join(\",\")", "takes at least 2 arguments"),
    ("jsondecode(\"{\")", "invalid JSON at line 1"),
    ("jsondecode(\"[NaN]\")", "NaN is not valid JSON"),
    ("jsonencode(var.u)", "unset"),
    ("keys([1])", "needs a map"),
    ("length(1)", "length() of a number"),
    ("log(-1, 2)", "must be positive"),
    ("lookup([1], \"a\")", "needs a map"),
    ("lookup({a = 1}, \"b\")", "no key 'b'"),
    ("lower(null)", "null is not a string"),
    ("max()", "takes at least 1 argument, got 0"),
    ("md5([])", "not a string"),
    ("merge({a = 1}, [1])", "needs maps"),
    ("min(1, \"x\")", "not a number"),
    ("nonsensitive()", "takes 1 argument, got 0"),
    ("one([1, 2])", "more than one element"),
    ("parseint(\"12z\", 10)", "not a number in base 10"),
    ("parseint(\"1\", 99)", "base must be between 2 and 62"),
    ("pow(10, 400)", "not a finite number"),
    ("range(0, 10, 0)", "step must not be zero"),
    ("range(2000)", "more than 1024 values"),
    ("regex(\"(\", \"a\")", "invalid regular expression"),
    ("regex(\"b\", \"a\")", "did not match"),
    ("regex(\"(?P<n>a)(b)\", \"ab\")", "cannot mix named and unnamed"),
    ("regexall(\"(?<=a)b\", \"ab\")", "invalid regular expression"),
    ("replace(\"a\", \"/[/\", \"b\")", "invalid regular expression"),
    ("reverse(\"abc\")", "not a list"),
    ("sensitive()", "takes 1 argument, got 0"),
    ("setintersection(1, [1])", "not a list"),
    ("setproduct([1])", "takes at least 2 arguments, got 1"),
    ("setsubtract([1])", "takes 2 arguments, got 1"),
    ("setunion([var.u], [1])", "unknown elements"),
    ("sha1({})", "not a string"),
    ("sha256([])", "not a string"),
    ("sha512(null)", "null is not a string"),
    ("signum(\"x\")", "not a number"),
    ("slice([1, 2], 1, 5)", "out of range"),
    ("sort(\"a\")", "not a list"),
    ("split(\",\")", "takes 2 arguments, got 1"),
    ("startswith(1)", "takes 2 arguments, got 1"),
    ("strcontains([], \"a\")", "not a string"),
    ("strrev(1, 2)", "takes 1 argument, got 2"),
    ("substr(\"abc\", 5, 1)", "beyond the end"),
    ("sum([])", "empty list"),
    ("templatefile(\"no-such-file.tpl\", {})", "not found"),
    ("title([])", "not a string"),
    ("tobool(\"yes\")", "is not a bool"),
    ("tolist(\"a\")", "not a list"),
    ("tomap([1])", "needs an object"),
    ("tonumber(\"0x10\")", "is not a number"),
    ("tonumber(\"Infinity\")", "is not a number"),
    ("toset(1)", "not a list"),
    ("tostring([1])", "not a string"),
    ("trim(\"a\")", "takes 2 arguments, got 1"),
    ("trimprefix([], \"a\")", "not a string"),
    ("trimspace(null)", "null is not a string"),
    ("trimsuffix(\"a\", [])", "not a string"),
    ("upper([])", "not a string"),
    ("urlencode({})", "not a string"),
    ("values([1])", "needs a map"),
    ("yamldecode(\"a: [\")", "invalid YAML"),
    ("yamldecode(\"a: 1\\n---\\nb: 2\")", "invalid YAML"),
    ("yamlencode(var.u)", "unset"),
    ("zipmap([\"a\"], [1, 2])", "1 keys but 2 values"),
]

# functions whose value is known only at apply time: Unknown for any input
APPLY_TIME = {"timestamp", "uuid"}


def _name(expr: str) -> str:
    return expr.split("(", 1)[0]


def test_every_built_in_has_a_normal_and_a_bad_case():
    normal = {_name(e) for e, _ in NORMAL}
    bad = {_name(e) for e, _ in BAD}
    assert set(FUNCTIONS) - APPLY_TIME - normal == set()
    assert set(FUNCTIONS) - APPLY_TIME - bad == set()
    assert (normal | bad) - set(FUNCTIONS) == set()


@pytest.mark.parametrize("expr,expected", NORMAL, ids=[e for e, _ in NORMAL])
def test_normal_input(expr, expected):
    value = ev(expr)
    assert value == expected
    assert type(value) is type(expected) or isinstance(value, Partial)


@pytest.mark.parametrize("expr,words", BAD, ids=[e for e, _ in BAD])
def test_bad_input_is_unknown_with_a_reason(expr, words):
    value = ev(expr)
    assert isinstance(value, Unknown), value
    assert words in value.reason


@pytest.mark.parametrize("name", sorted(APPLY_TIME))
def test_apply_time_functions_are_unknown(name):
    value = ev(f"{name}()")
    assert isinstance(value, Unknown) and "apply time" in value.reason
    assert "takes 0 arguments" in ev(f"{name}(1)").reason


@pytest.mark.parametrize("expr,expected", [
    # RE2 syntax, as Terraform: Unicode classes, Go's named groups, unmatched groups are ""
    ("regex(\"\\\\p{Greek}+\", \"abc αβγ\")", "αβγ"),
    ("regex(\"(a)|(b)\", \"b\")", ["", "b"]),
    ("regex(\"^(?i)ABC$\", \"abc\")", "abc"),
    ("regexall(\"[0-9]+\", \"a12b3\")", ["12", "3"]),
    ("regexall(\"a*\", \"baaac\")", ["", "aaa", ""]),  # Go skips the empty match right after "aaa"
    ("replace(\"baaac\", \"/a*/\", \"-\")", "-b-c-"),
    ("replace(\"ab\", \"/(a)(b)/\", \"$2$${1}x$9$$\")", "bax$"),  # $${ is HCL's escape of ${
    ("replace(\"a.b\", \".\", \"\")", "ab"),  # not a regex: literal
    ("replace(\"ab\", \"\", \"-\")", "-a-b-"),
    ("split(\"\", \"héé\")", ["h", "é", "é"]),  # Go's strings.Split with an empty separator
    ("split(\",\", \"\")", [""]),
    ("range(3)", [0, 1, 2]),
    ("range(3, 0)", [3, 2, 1]),
    ("format(\"%[2]s-%[1]s\", \"a\", \"b\")", "b-a"),
    ("format(\"%+d|% d|%#x|%o|%b|%X\", 5, 5, 255, 8, 5, 255)", "+5| 5|0xff|10|101|FF"),
    ("format(\"%e|%.3e|%g|%g|%g\", 1234.5, 1234.5, 0.0001, 0.00001, 100000)",
     "1.234500e+03|1.234e+03|0.0001|1e-05|100000"),
    ("format(\"%08.3f|%-6d|%.2s\", -3.14159, 42, \"hello\")", "-003.142|42    |he"),
    ("jsondecode(\"\\\"\\\\ud800x\\\"\")", "\ufffdx"),  # a lone surrogate is not text: U+FFFD, as Go
    ("\"\\ud800\"", "\ufffd"),
    # length(), substr() and strrev() count user-perceived characters (grapheme clusters)
    ("length(\"e\u0301t\u00e9\")", 3),
    ("length(\"\U0001F44D\U0001F3FD\U0001F1EB\U0001F1F7\U0001F1E9\U0001F1EA\")", 3),
    ("length(\"\U0001F468\u200d\U0001F469\u200d\U0001F467\")", 1),
    ("length(\"a\r\nb\")", 3),
    ("strrev(\"e\u0301a\")", "ae\u0301"),
    ("substr(\"\U0001F44D\U0001F3FDxy\", 0, 2)", "\U0001F44D\U0001F3FDx"),
    ("substr(\"he\u0301llo\", -4, 2)", "e\u0301l"),
    ("10 % 3", 1),
    ("-7 % 3", -1),  # the sign of the dividend, as Terraform (big.Float), not Python's floor
    ("0.5 + 0.25", 0.75),
])
def test_terraform_semantics(expr, expected):
    assert ev(expr) == expected


@pytest.mark.parametrize("expr,words", [
    ("1 % 0", "modulo by zero"),
    ("tonumber(\"nan\")", "is not a number"),
    ("jsondecode(\"1e999\")", "not a finite number"),
    ("jsondecode(\"[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]\")[0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
     "[0][0][0][0][0][0][0]", "cannot index a number"),
    ("1" + "0" * 5000, "too long to evaluate"),
    ("1e99999", "beyond the range evaluated"),
    ("max(\"a\"...)", "expanded with ... must be a list"),
])
def test_bad_numbers_and_odd_input_are_unknown(expr, words):
    value = ev(expr)
    assert isinstance(value, Unknown), value
    assert words in value.reason


def test_huge_integers_never_reach_python_str_conversion():
    # Python refuses int -> str over 4,300 digits; arithmetic that would build such numbers stops at
    # the number budget
    v = ev("pow(2, 1023) * pow(2, 1023) * 1")
    assert isinstance(v, Unknown)
    big = "9" * 300
    assert ev(f"{big} + 1") == int(big) + 1
    v = ev(f"{big} * {big} * {big} * {big}")
    assert isinstance(v, Unknown) and "MAX_NUMBER_BITS" in v.reason
    assert isinstance(ev("parseint(\"" + "1" * 2000 + "\", 2)"), Unknown)
    assert isinstance(ev("jsondecode(\"" + "1" * 5000 + "\")"), Unknown)


def test_yaml_aliases_are_charged_to_the_budget():
    # the "billion laughs": nine levels of nine aliases, 9^9 elements once expanded
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    doc = "\\n".join(lines)
    v = ev(f'yamldecode("{doc}")')
    assert isinstance(v, Unknown) and "budget MAX_STEPS" in v.reason


# ---- three-valued logic: unknowns propagate the way Terraform's refinements do -------------------


@pytest.mark.parametrize("expr,expected", [
    ("false && var.u", False),
    ("var.u && false", False),
    ("true || var.u", True),
    ("var.u || true", True),
    ("var.f && var.u.attr.of.nothing", False),  # short-circuit: the right side is not evaluated
    ("var.t || [][5]", True),
    ("var.u && var.f ? 1 : 0", 0),
    ("var.f && var.u ? 1 : 0", 0),
    ("var.u ? 3 : 3", 3),
    ("var.u ? [1, \"a\"] : [1, \"a\"]", [1, "a"]),
    ("length([var.u, 1])", 2),  # a known list with unknown elements has a known length
    ("length({a = var.u})", 1),
    ("lookup({a = 1}, \"a\", var.u)", 1),  # the default is not needed
    ("coalesce(\"a\", var.u)", "a"),
    ("one([var.u]) == null ? 1 : 1", 1),
    ("try(var.t, var.u)", True),
    ("try({}.a, 2)", 2),
    ("can({}.a)", False),
    ("alltrue([var.u, false])", False),
    ("anytrue([var.u, true])", True),
    ("contains([var.u, \"a\"], \"a\")", True),
])
def test_known_despite_unknown_parts(expr, expected):
    assert ev(expr, t=True, f=False) == expected


@pytest.mark.parametrize("expr", [
    "true && var.u", "var.u && true", "false || var.u", "var.u || false", "!var.u",
    "var.u ? 1 : 2", "var.u == 1", "var.u != 1", "[var.u] == [1]", "{a = var.u} != {a = 1}",
    "var.u < 1", "-var.u", "var.u + 1", "length(var.u)", "lookup(var.u, \"a\", 1)",
    "lookup({a = 1}, var.u, 2)", "lookup({}, \"a\", var.u)", "coalesce(null, var.u, \"a\")",
    "one(var.u)", "one([var.u])", "try(var.u, 1)", "can(var.u)", "alltrue([var.u, true])",
    "anytrue([var.u, false])", "contains([var.u], \"a\")", "index([var.u, \"a\"], \"a\")",
    "upper(var.u)", "flatten([var.u])", "\"${var.u}\" == \"x\"", "sort([\"a\", var.u])",
])
def test_unknown_stays_unknown(expr):
    assert isinstance(ev(expr, t=True, f=False), Unknown), expr


def test_count_idiom_of_terraform_aws_modules_is_zero(tmp_path, monkeypatch):
    # count = local.create && var.create_function_url ? 1 : 0, with create_function_url defaulting
    # to false: known 0, whatever local.create is (here known true, and unknown without a default)
    from computefit.terraform.evaluate import Evaluator as Ev
    from computefit.terraform.scope import Loader, Scope

    (tmp_path / "main.tf").write_text(
        'variable "create" {\n  default = true\n}\nvariable "putin_khuylo" {\n  default = true\n}\n'
        'variable "unset" {}\n'
        'variable "create_function_url" {\n  default = false\n}\n'
        'locals {\n  create = var.create && var.putin_khuylo\n}\n'
        'resource "aws_lambda_function_url" "known" {\n'
        '  count = local.create && var.create_function_url ? 1 : 0\n}\n'
        'resource "aws_lambda_function_url" "unknown" {\n'
        '  count = var.unset && var.create_function_url ? 1 : 0\n}\n'
        'resource "aws_lambda_function_url" "on" {\n'
        '  count = local.create && !var.create_function_url ? 1 : 0\n}\n')
    scope = Scope(Loader(str(tmp_path)), str(tmp_path), [str(tmp_path / "main.tf")])

    def count(name):
        return Ev(scope).eval(scope.resources[f"aws_lambda_function_url.{name}"].attributes["count"].expr)

    assert count("known") == 0
    assert count("unknown") == 0
    assert count("on") == 1
