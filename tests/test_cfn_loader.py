"""CloudFormation loader: short-form intrinsics, lines, JSON, safe loading and unreadable input."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from computefit import cloudformation
from computefit.cloudformation.loader import MAX_EXPANDED_NODES, CfnDict, CfnList, load_text
from computefit.model import FileError, ParseError
from computefit.runner import scan


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return p


def parse_error(path: Path) -> ParseError:
    with pytest.raises(ParseError) as info:
        cloudformation.load(str(path))
    assert info.value.file == str(path)
    return info.value


# --------------------------------------------------------------------------------------------------
# Every intrinsic short form becomes its long form, with its line
# --------------------------------------------------------------------------------------------------

SHORT_FORMS = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      P01: !Ref Stage
      P02: !GetAtt Other.Arn
      P03: !GetAtt [Other, Outputs.Url]
      P04: !Sub "${Stage}-x"
      P05: !Sub ["${A}-x", {A: !Ref Stage}]
      P06: !Join ["-", [a, b]]
      P07: !If [IsProd, 1, 2]
      P08: !Base64 "text"
      P09: !Select [0, [a, b]]
      P10: !Split [",", "a,b"]
      P11: !FindInMap [Map, Top, Second]
      P12: !ImportValue SharedVpc
      P13: !GetAZs ""
      P14: !Equals [a, b]
      P15: !And [!Condition A, !Condition B]
      P16: !Or [!Condition A, !Condition B]
      P17: !Not [!Condition A]
      P18: !Condition A
      P19: !Cidr ["10.0.0.0/16", 4, 8]
      P20: !Transform {Name: AWS::Include, Parameters: {Location: s3://bucket/snippet.yaml}}
      P21: !GetAtt Other.Outputs.Url
"""

EXPECTED_LONG = {
    "P01": {"Ref": "Stage"},
    "P02": {"Fn::GetAtt": ["Other", "Arn"]},
    "P03": {"Fn::GetAtt": ["Other", "Outputs.Url"]},
    "P04": {"Fn::Sub": "${Stage}-x"},
    "P05": {"Fn::Sub": ["${A}-x", {"A": {"Ref": "Stage"}}]},
    "P06": {"Fn::Join": ["-", ["a", "b"]]},
    "P07": {"Fn::If": ["IsProd", 1, 2]},
    "P08": {"Fn::Base64": "text"},
    "P09": {"Fn::Select": [0, ["a", "b"]]},
    "P10": {"Fn::Split": [",", "a,b"]},
    "P11": {"Fn::FindInMap": ["Map", "Top", "Second"]},
    "P12": {"Fn::ImportValue": "SharedVpc"},
    "P13": {"Fn::GetAZs": ""},
    "P14": {"Fn::Equals": ["a", "b"]},
    "P15": {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]},
    "P16": {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]},
    "P17": {"Fn::Not": [{"Condition": "A"}]},
    "P18": {"Condition": "A"},
    "P19": {"Fn::Cidr": ["10.0.0.0/16", 4, 8]},
    "P20": {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://bucket/snippet.yaml"}}},
    # the dotted form splits at the first dot only, as CloudFormation does
    "P21": {"Fn::GetAtt": ["Other", "Outputs.Url"]},
}


@pytest.fixture(scope="module")
def short_forms() -> CfnDict:
    return load_text(SHORT_FORMS, "short.yaml")["Resources"]["Fn"]["Properties"]


@pytest.mark.parametrize("key", sorted(EXPECTED_LONG))
def test_short_form_becomes_long_form(short_forms, key):
    assert short_forms[key] == EXPECTED_LONG[key]


@pytest.mark.parametrize("key", sorted(EXPECTED_LONG))
def test_short_form_keeps_its_line(short_forms, key):
    expected_line = int(key[1:]) + 4  # P01 is on line 5
    assert short_forms.line_of(key) == expected_line
    value = short_forms[key]
    assert isinstance(value, CfnDict) and value.line == expected_line


def test_nested_short_forms_keep_lines():
    data = load_text(textwrap.dedent("""\
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Code:
                ZipFile: !Join
                  - ""
                  - - "a"
                    - !Ref Stage
                    - !GetAtt Other.Arn
        """), "n.yaml")
    join = data["Resources"]["Fn"]["Properties"]["Code"]["ZipFile"]
    assert join == {"Fn::Join": ["", ["a", {"Ref": "Stage"}, {"Fn::GetAtt": ["Other", "Arn"]}]]}
    assert join.line == 6
    items = join["Fn::Join"][1]
    assert isinstance(items, CfnList) and items.item_lines == [8, 9, 10]
    assert items[1].line == 9 and items[2].line == 10


def test_rule_functions_in_the_rules_section():
    data = load_text(textwrap.dedent("""\
        Rules:
          SubnetsInVpc:
            RuleCondition: !Contains [[a, b], !Ref Kind]
            Assertions:
              - Assert: !EachMemberIn
                  - !ValueOfAll [AWS::EC2::Subnet::Id, VpcId]
                  - !RefAll AWS::EC2::VPC::Id
              - Assert: !EachMemberEquals [!ValueOf [Subnet, VpcId], !Ref Vpc]
        Resources:
          T:
            Type: AWS::SNS::Topic
        """), "rules.yaml")
    rule = data["Rules"]["SubnetsInVpc"]
    assert rule["RuleCondition"] == {"Fn::Contains": [["a", "b"], {"Ref": "Kind"}]}
    assert rule["Assertions"][0]["Assert"] == {"Fn::EachMemberIn": [
        {"Fn::ValueOfAll": ["AWS::EC2::Subnet::Id", "VpcId"]}, {"Fn::RefAll": "AWS::EC2::VPC::Id"}]}
    assert rule["Assertions"][1]["Assert"]["Fn::EachMemberEquals"][0] == {"Fn::ValueOf": ["Subnet", "VpcId"]}


def test_scalars_keep_cloudformation_types_and_keys_stay_as_written():
    data = load_text(textwrap.dedent("""\
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Timeout: 900
              Ratio: 0.5
              Enabled: true
              Nothing: null
              Version: "2"
              Date: 2010-09-09
        Mappings:
          Flags:
            true: {on: 1}
            01: {x: 2}
        """), "types.yaml")
    props = data["Resources"]["Fn"]["Properties"]
    assert props == {"Timeout": 900, "Ratio": 0.5, "Enabled": True, "Nothing": None, "Version": "2",
                     "Date": "2010-09-09"}
    assert set(data["Mappings"]["Flags"]) == {"true", "01"}
    assert data["Mappings"]["Flags"]["true"] == {"on": 1}


def test_yaml_merge_keys_and_shared_anchors():
    data = load_text(textwrap.dedent("""\
        Resources:
          A:
            Type: AWS::Lambda::Function
            Properties: &common
              Runtime: python3.12
              Timeout: 30
          B:
            Type: AWS::Lambda::Function
            Properties:
              <<: *common
              Timeout: 60
        """), "merge.yaml")
    a, b = data["Resources"]["A"]["Properties"], data["Resources"]["B"]["Properties"]
    assert b == {"Runtime": "python3.12", "Timeout": 60}  # a written key wins over the merged one
    assert b.line_of("Timeout") == 11 and b.line_of("Runtime") == 5
    assert a == {"Runtime": "python3.12", "Timeout": 30}


# --------------------------------------------------------------------------------------------------
# JSON templates
# --------------------------------------------------------------------------------------------------

JSON_TEMPLATE = """\
{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Fn": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Timeout": 300,
        "Role": {"Fn::GetAtt": ["Role", "Arn"]},
        "Handler": {"Fn::Join": [".", ["app", "handler"]]}
      }
    },
    "Role": {"Type": "AWS::IAM::Role"}
  }
}
"""


def test_json_template_has_a_line_for_every_resource_and_property():
    data = load_text(JSON_TEMPLATE, "t.json")
    res = data["Resources"]
    assert (res.line_of("Fn"), res.line_of("Role")) == (4, 12)
    props = res["Fn"]["Properties"]
    assert [props.line_of(k) for k in ("Timeout", "Role", "Handler")] == [7, 8, 9]
    assert props["Role"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert res["Fn"].end_line == 11


def test_json_that_yaml_rejects_is_read_by_the_json_reader_with_lines():
    # a tab right after a key's colon and a \/ escape: valid JSON that PyYAML refuses
    text = '{\n  "Resources": {\n    "Fn": {\n      "Type":\t"AWS::Lambda::Function",\n' \
           '      "Properties": {"Handler": "a\\/b", "Timeout": 60}\n    }\n  }\n}\n'
    data = load_text(text, "tabbed.json")
    props = data["Resources"]["Fn"]["Properties"]
    assert props == {"Handler": "a/b", "Timeout": 60}
    assert data["Resources"].line_of("Fn") == 3 and props.line_of("Timeout") == 5


@pytest.mark.parametrize("text,line,needle", [
    ('{\n  "Resources": {\n    "A": {"Type": "AWS::SNS::Topic",}\n  }\n}\n', 3, "expected a quoted key"),
    ('{\n  "Resources": {\n    "A": {"Type": "AWS::SNS::Topic"}\n    "B": {}\n  }\n}\n', 4, "expected ','"),
    ('{\n  "Resources": {\n    "A": {"Type": "AWS::SNS::Topic"}\n', 3, "unexpected end of file"),
])
def test_json_syntax_error_names_the_line(tmp_path, text, line, needle):
    err = parse_error(write(tmp_path, "bad.json", text))
    assert err.line == line
    assert err.message.startswith("JSON syntax error: ") and needle in err.message
    assert err.message.count("JSON syntax error") == 1


# --------------------------------------------------------------------------------------------------
# Safe loading
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tagged", [
    '!!python/object/apply:os.system ["touch {marker}"]',
    '!!python/object/apply:subprocess.check_call [["touch", "{marker}"]]',
    '!!python/object/new:os.system ["touch {marker}"]',
    '!!python/name:os.system',
])
def test_python_tags_never_run_code(tmp_path, tagged):
    marker = tmp_path / "pwned"
    path = write(tmp_path, "evil.yaml", (
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties:\n"
        f"      Handler: {tagged.format(marker=marker)}\n"
    ))
    err = parse_error(path)
    assert not marker.exists()
    assert err.line == 5
    assert "!!python/" in err.message and "not allowed" in err.message


@pytest.mark.parametrize("value,line", [
    ("!Custom scalar", 5),
    ("!Custom\n        a: 1", 5),
    ("!Custom [a, b]", 5),
    ("[ok, !Nope x]", 5),
])
def test_unknown_tag_is_a_parse_error_with_its_line(tmp_path, value, line):
    path = write(tmp_path, "t.yaml", f"Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n"
                                     f"      Handler: {value}\n")
    err = parse_error(path)
    assert err.line == line and "unknown tag" in err.message


def test_billion_laughs_fails_fast_naming_file_and_line(tmp_path):
    lines = ["Resources:", "  T:", "    Type: AWS::SNS::Topic", "Laughs:",
             '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghij"
    for prev, cur in zip(names, names[1:]):
        lines.append(f"  {cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    path = write(tmp_path, "laughs.yaml", "\n".join(lines) + "\n")
    err = parse_error(path)
    # 10**10 values: the first line whose aliases alone exceed the bound is reported
    first_too_big = next(i for i in range(1, 10) if 10 ** (i + 1) > MAX_EXPANDED_NODES)
    assert err.line == 5 + first_too_big
    assert "billion laughs" in err.message
    # ...and the runner reports it as an error for that file, with that line
    result = scan([str(path)])
    assert result.errors == [FileError(str(path), err.line, err.message)]


def test_moderate_alias_use_is_read(tmp_path):
    path = write(tmp_path, "ok.yaml", """
        Resources:
          A:
            Type: AWS::Lambda::Function
            Properties: &p
              Timeout: 30
              Handler: x
          B:
            Type: AWS::Lambda::Function
            Properties: *p
        """)
    doc = cloudformation.load(str(path))
    assert [u.value("timeout") for u in doc.units] == [30, 30]


def test_alias_inside_its_own_value_is_rejected(tmp_path):
    path = write(tmp_path, "cycle.yaml", """
        Resources:
          A:
            Type: AWS::Lambda::Function
            Properties:
              Tags: &t [x, *t]
        """)
    err = parse_error(path)
    assert err.line == 5 and "contains it" in err.message


# --------------------------------------------------------------------------------------------------
# Unreadable input: a ParseError with the right line, never a traceback
# --------------------------------------------------------------------------------------------------


def test_duplicate_key_last_one_wins_as_in_cloudformation(tmp_path):
    """CloudFormation deploys a template with a key written twice, using the last value; a linter
    that refused it would make a deployable stack uncheckable."""
    path = write(tmp_path, "dup.yaml", """
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Timeout: 30
              Handler: a.b
              Timeout: 900
        """)
    data = cloudformation.load(str(path))
    fn = {u.name: u for u in data.units}["Fn"]
    assert fn.settings["timeout"].value == 900
    assert fn.settings["timeout"].location.line == 7


def test_duplicate_key_in_json_last_one_wins(tmp_path):
    path = write(tmp_path, "dup.json", '{\n "Resources": {\n  "A": {"Type": "AWS::SNS::Topic"},\n'
                                       '  "A": {"Type": "AWS::Lambda::Function", "Properties": {"Timeout": 5}}\n }\n}\n')
    doc = cloudformation.load(str(path))
    assert [(u.name, u.location.line, u.settings["timeout"].value) for u in doc.units] == [("A", 4, 5)]


def test_tab_indentation(tmp_path):
    path = write(tmp_path, "tab.yaml", "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
                                       "    Properties:\n\tTimeout: 3\n")
    err = parse_error(path)
    assert err.line == 5 and "tab" in err.message


@pytest.mark.parametrize("text,line,needle", [
    ("Resources:\n  Fn:\n    Type: [AWS::Lambda::Function\n    Properties: {}\n", 4, "started at line 3"),
    ("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n   Properties: {}\n", 4, "YAML syntax error"),
    ("Resources:\n  Fn:\n    Type: 'unterminated\n", 4, "YAML syntax error"),
    ("Resources:\n  T:\n    Type: AWS::SNS::Topic\n---\nResources: {}\n", 4, "single document"),
])
def test_yaml_syntax_error_names_the_line(tmp_path, text, line, needle):
    err = parse_error(write(tmp_path, "bad.yaml", text))
    assert err.line == line and needle in err.message


def test_utf8_bom_is_accepted(tmp_path):
    path = write(tmp_path, "bom.yaml", "\ufeffResources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
                                       "    Properties:\n      Timeout: 60\n".encode("utf-8"))
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().lstrip(b"\xef\xbb\xbf"))
    doc = cloudformation.load(str(path))
    assert doc.units[0].setting("timeout").location.line == 5


def test_utf8_bom_in_json(tmp_path):
    path = write(tmp_path, "bom.json", b"\xef\xbb\xbf" + JSON_TEMPLATE.encode())
    doc = cloudformation.load(str(path))
    assert doc.units[0].setting("timeout").location.line == 7


def test_non_utf8_bytes_name_the_line(tmp_path):
    path = write(tmp_path, "latin1.yaml", b"Resources:\n  T:\n    Type: AWS::SNS::Topic\n"
                                          b"    Description: caf\xe9\n")
    err = parse_error(path)
    assert err.line == 4 and "not UTF-8" in err.message


@pytest.mark.parametrize("text,line,needle", [
    ("", 1, "empty"),
    ("# only a comment\n", 1, "empty"),
    ("- a\n- b\n", 1, "not a mapping"),
    ("AWSTemplateFormatVersion: '2010-09-09'\nDescription: x\n", 1, "no Resources"),
    ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n", 2, "no Resources"),
    ("Resources:\n  ? [a, b]\n  : x\n", 2, "plain value"),
])
def test_not_a_template(tmp_path, text, line, needle):
    err = parse_error(write(tmp_path, "t.yaml", text))
    assert err.line == line and needle in err.message


def test_deep_nesting_is_a_parse_error_not_a_crash(tmp_path):
    depth = 5000
    path = write(tmp_path, "deep.json", '{"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": {"X": '
                 + "[" * depth + "]" * depth + "}}}}")
    result = scan([str(path)])
    assert len(result.errors) == 1
    assert result.errors[0].file == str(path)
    assert "internal error" not in result.errors[0].message


def test_runner_turns_every_parse_error_into_a_file_error_and_scans_the_rest(tmp_path):
    bad = write(tmp_path, "bad.yaml", "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
                                      "    Properties:\n      Handler: !Bad x\n")
    good = write(tmp_path, "good.yaml", "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
                                        "    Properties:\n      Timeout: 900\n")
    result = scan([str(tmp_path)])
    assert [(e.file, e.line) for e in result.errors] == [(str(bad), 5)]
    assert [(f.check_id, f.resource, f.location.line) for f in result.findings] == [("CF201", "Fn", 5)]
    assert str(good) in {u.location.file for u in result.model.units}


def test_end_line_is_the_last_line_with_content():
    data = load_text(textwrap.dedent("""\
        Resources:
          A:
            Type: AWS::Lambda::Function
            Properties:
              Handler: a.h

          # a comment about B
          B:
            Type: AWS::Lambda::Function
            Properties: {Handler: b.h,
              Timeout: 3}
          C:
            Type: AWS::Lambda::Function
            Properties:
              Code:
                ZipFile: |
                  def h(e, c):
                      return e
        # trailing comment
        """), "end.yaml")
    res = data["Resources"]
    assert (res["A"].line, res["A"].end_line) == (3, 5)
    assert (res["B"].line, res["B"].end_line) == (9, 11)
    assert res["B"]["Properties"].end_line == 11
    assert res["C"].end_line == 18 and res.end_line == 18
    assert load_text(JSON_TEMPLATE, "t.json")["Resources"]["Fn"].end_line == 11
