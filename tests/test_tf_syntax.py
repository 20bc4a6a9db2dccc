"""Terraform syntax: .tf.json with lines, broken files, error messages, speed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from computefit import terraform
from computefit.discovery import TerraformModule, discover
from computefit.model import ORIGIN_LOCAL, ORIGIN_VARIABLE_DEFAULT, SCHEDULE, FileError, Location, ParseError
from computefit.jsonpos import JsonSyntaxError, read_json_value
from computefit.terraform.syntax import read_file, read_tf_json

DATA = Path(__file__).resolve().parent / "data" / "tf"


def test_tf_json_units_keep_argument_lines(monkeypatch):
    monkeypatch.chdir(DATA / "json")
    docs, errors = terraform.load_all(discover(["."]).modules)
    assert errors == []
    [fn] = docs[0].units
    assert fn.name == "aws_lambda_function.jfn"
    assert fn.location == Location("main.tf.json", 12) and fn.end_line == 21
    t = fn.setting("timeout")
    assert (t.value, t.location, t.origin) == (60, Location("main.tf.json", 4), ORIGIN_VARIABLE_DEFAULT)
    r = fn.setting("runtime")
    assert (r.value, r.location, r.origin) == ("python3.12", Location("main.tf.json", 8), ORIGIN_LOCAL)
    assert fn.setting("memory_size").location == Location("main.tf.json", 16)
    assert fn.value("handler") == "h.python3.12"
    assert fn.value("snap_start") == "None"
    [trig] = fn.triggers
    assert trig.kind == SCHEDULE and trig.location == Location("main.tf.json", 29)


def test_json_reader_matches_json_module_and_records_lines():
    text = '{\n "a": [1, 2.5, true, null],\n "b": {"c": "\\u00e9\\n"},\n "d": -3e2\n}'
    value = read_json_value(text)
    assert value == json.loads(text)
    assert value.lines == {"a": 2, "b": 3, "d": 4}


@pytest.mark.parametrize("text,line", [('{\n"a": }', 2), ('{"a": 1,\n\n', 1), ('[1, 2', 1), ('{"a" 1}', 1),
                                       ('"\\q"', 1), ('{}\nx', 2)])
def test_json_reader_errors_name_the_line(text, line):
    with pytest.raises(JsonSyntaxError) as exc:
        read_json_value(text)
    assert exc.value.line == line and exc.value.message.startswith("JSON syntax error")


def test_tf_json_not_an_object():
    with pytest.raises(JsonSyntaxError):
        read_tf_json("[]", "x.tf.json")


def test_broken_file_is_reported_and_the_others_still_evaluated(monkeypatch):
    monkeypatch.chdir(DATA / "broken")
    doc, errors = terraform.load(TerraformModule(".", ["bad.tf", "bad.tf.json", "good.tf"]))
    assert FileError("bad.tf", 3, "HCL syntax error: unexpected token '}'") in errors
    assert FileError("bad.tf.json", 4, "JSON syntax error: unexpected end of file (unclosed object)") in errors
    assert [u.name for u in doc.units] == ["aws_lambda_function.ok"]
    assert doc.path == "." and doc.files == ["bad.tf", "bad.tf.json", "good.tf"]
    assert doc.units[0].value("timeout") == 30


def test_nothing_readable_raises_parse_error(monkeypatch):
    monkeypatch.chdir(DATA / "allbroken")
    with pytest.raises(ParseError) as exc:
        terraform.load(TerraformModule(".", ["main.tf"]))
    assert exc.value.file == "main.tf" and exc.value.line == 1
    assert "end of file" in exc.value.message


def test_binary_and_non_utf8_files(tmp_path):
    (tmp_path / "bin.tf").write_bytes(b"\x00\x01resource")
    (tmp_path / "latin.tf").write_bytes(b'# caf\xe9\nresource "a" "b" {}\n')
    assert read_file(str(tmp_path / "bin.tf"))[1].message.startswith("binary file")
    err = read_file(str(tmp_path / "latin.tf"))[1]
    assert err.line == 1 and "UTF-8" in err.message


def test_tolerated_forms(tmp_path):
    # a heredoc marker followed by spaces and a condition continued on a line starting with '?'
    (tmp_path / "main.tf").write_text(
        'resource "aws_instance" "a" {\n'
        '  user_data = <<EOF\nhello\nEOF   \n'
        '  instance_type = (true\n    ? "t3.micro"\n    : "t3.large")\n'
        '}\n')
    blocks, err = read_file(str(tmp_path / "main.tf"))
    assert err is None
    assert blocks[0].attributes["instance_type"].line == 5


def test_dynamic_and_unknown_blocks_do_not_crash(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(
        'terraform {\n  required_version = ">= 1.5"\n}\n'
        'provider "aws" {\n  region = "eu-west-1"\n}\n'
        'resource "aws_lambda_function" "f" {\n'
        '  dynamic "environment" {\n    for_each = var.env == null ? [] : [1]\n'
        '    content {\n      variables = var.env\n    }\n  }\n'
        '  timeout = local.cyc\n'
        '}\n'
        'locals {\n  cyc = local.cyc2\n  cyc2 = local.cyc\n}\n'
        'variable "env" {\n  default = null\n}\n')
    monkeypatch.chdir(tmp_path)
    doc, errors = terraform.load(TerraformModule(".", ["main.tf"]))
    assert errors == []
    t = doc.units[0].setting("timeout")
    assert not t.known and "refers to itself" in t.value.reason


def test_null_argument_means_not_set(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(
        'resource "aws_lambda_function" "f" {\n  architectures = null\n  timeout = null\n}\n')
    monkeypatch.chdir(tmp_path)
    doc, _ = terraform.load(TerraformModule(".", ["main.tf"]))
    u = doc.units[0]
    assert "architectures" not in u.settings
    assert u.value("timeout") == 3 and u.setting("timeout").location is None  # the service default


def _load_one(tmp_path, monkeypatch, text: str):
    (tmp_path / "main.tf").write_text(text)
    monkeypatch.chdir(tmp_path)
    return terraform.load(TerraformModule(".", ["main.tf"]))


def test_expression_object_keys_are_read_and_evaluated(tmp_path, monkeypatch):
    # Terraform takes any expression as an object key; python-hcl2 7.x only a (dotted) name, a string,
    # a number or a parenthesised expression, so a call or an index key is parenthesised for it.
    doc, errors = _load_one(tmp_path, monkeypatch,
        'locals {\n'
        '  name = "api"\n'
        '  envs = { prod = { size = 512 } }\n'
        '  timeouts = {\n'
        '    format("%s-fn", local.name) = 30\n'
        '    "other" = 10\n'
        '  }\n'
        '  sizes = {\n'
        '    local.envs["prod"].size = 1024\n'
        '  }\n'
        '}\n'
        'resource "aws_lambda_function" "f" {\n'
        '  timeout     = local.timeouts["api-fn"]\n'
        '  memory_size = local.sizes["512"]\n'
        '}\n')
    assert errors == []
    u = doc.units[0]
    # a value read from a local points at the local (its origin), as everywhere else
    assert u.value("timeout") == 30 and u.setting("timeout").location == Location("main.tf", 4)
    assert u.value("memory_size") == 1024 and u.setting("memory_size").location == Location("main.tf", 8)


def test_expression_key_rewrite_touches_only_the_key_the_parser_stopped_in(tmp_path):
    # the heredoc line looks like an index key but is text: it must reach the model unchanged
    (tmp_path / "main.tf").write_text(
        'resource "aws_instance" "a" {\n'
        '  user_data = <<EOF\narr[0]=1\nEOF\n'
        '  tags = {\n    lower("A") = "b"\n  }\n'
        '}\n')
    blocks, err = read_file(str(tmp_path / "main.tf"))
    assert err is None
    attrs = blocks[0].attributes
    assert "arr[0]=1" in attrs["user_data"].expr.source()
    assert attrs["tags"].line == 5
    assert attrs["tags"].expr.source() == '{\n    (lower("A")) = "b"\n  }'


def test_core_namespace_and_for_arrow_on_its_own_line(tmp_path, monkeypatch):
    doc, errors = _load_one(tmp_path, monkeypatch,
        'resource "aws_lambda_function" "f" {\n'
        '  function_name = core::lower("API")\n'
        '  runtime       = core::join("", ["python", "3.12"])\n'
        '  environment {\n'
        '    variables = { for k in ["a"] :\n'
        '      (upper(k))\n'
        '    => k }\n'
        '  }\n'
        '  timeout = 60\n'
        '}\n')
    assert errors == []
    u = doc.units[0]
    assert u.value("runtime") == "python3.12" and u.setting("runtime").location == Location("main.tf", 3)
    assert u.value("timeout") == 60 and u.setting("timeout").location == Location("main.tf", 9)
    blocks, _ = read_file("main.tf")
    assert blocks[0].attributes["function_name"].expr.source() == 'lower      ("API")'


@pytest.mark.parametrize("text,line,message", [
    # an expression key in a block body (not an object) is still an error, at the key
    ('resource "aws_lambda_function" "f" {\n  format("x") = 1\n}\n', 2, "unexpected token '('"),
    # a fixable key before the real error: the error reported is the first one the parser met
    ('locals {\n  m = {\n    format("x") = 1\n  }\n  n = \n}\n', 3, "unexpected token '('"),
    # an unbalanced key is not rewritten
    ('locals {\n  m = {\n    lookup(a, b = 1\n  }\n}\n', 3, "HCL syntax error"),
    # `core::` of something that is not a call, and an unknown namespace, stay errors
    ('locals {\n  a = core::upper\n}\n', 2, "HCL syntax error"),
    ('locals {\n  a = mine::upper("x")\n}\n', 2, "HCL syntax error"),
])
def test_broken_hcl_near_the_tolerated_forms_is_still_a_located_error(tmp_path, text, line, message):
    (tmp_path / "main.tf").write_text(text)
    blocks, err = read_file(str(tmp_path / "main.tf"))
    assert blocks == [] and err is not None
    assert err.line == line and err.message.startswith("HCL syntax error") and message in err.message
