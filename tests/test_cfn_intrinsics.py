"""Static evaluation of CloudFormation intrinsic functions: values, settings with origins, text."""

from __future__ import annotations

import textwrap

import pytest

from computefit.cloudformation.intrinsics import Template
from computefit.cloudformation.loader import load_text
from computefit.model import (
    ORIGIN_LITERAL, ORIGIN_MAPPING, ORIGIN_PARAMETER_DEFAULT, ORIGIN_UNKNOWN, Location, Unknown,
)

TEMPLATE = """\
Parameters:
  Env:
    Type: String
    Default: prod
  DbHost:
    Type: String
  Timeout:
    Type: Number
    Default: 900
  Subnets:
    Type: CommaDelimitedList
    Default: "subnet-a, subnet-b,subnet-c"
  AmiId:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
    Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
  Flag:
    Type: String
    Default: "true"
Mappings:
  Sizes:
    prod:
      Timeout: 600
      Types: [m5.large, m5.xlarge]
    dev:
      Timeout: 30
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  ProdAndDb: !And [!Condition IsProd, !Equals [!Ref DbHost, db]]
  DevAndDb: !And [!Condition IsDev, !Equals [!Ref DbHost, db]]
  ProdOrDb: !Or [!Condition IsProd, !Equals [!Ref DbHost, db]]
  DevOrDb: !Or [!Condition IsDev, !Equals [!Ref DbHost, db]]
  HasDb: !Not [!Equals [!Ref DbHost, ""]]
  InRegion: !Equals [!Ref AWS::Region, eu-west-1]
  FlagOn: !Equals [!Ref Flag, true]
  Loop: !Condition Loop
Resources:
  Fn:
    Type: AWS::Lambda::Function
"""
# lines of the parameter defaults above
ENV_DEFAULT, TIMEOUT_DEFAULT, SUBNETS_DEFAULT = 4, 9, 12


@pytest.fixture(scope="module")
def t() -> Template:
    return Template("t.yaml", load_text(TEMPLATE, "t.yaml"))


def expr(src: str):
    """A value written in YAML (short forms allowed), as the loader reads it; it sits on line 1."""
    src = textwrap.dedent(src).strip("\n")
    if "\n" in src:  # a block: nest it under the key
        return load_text("v:\n" + textwrap.indent(src, "  ") + "\n", "v.yaml")["v"]
    return load_text("v: " + src, "v.yaml")["v"]


# --------------------------------------------------------------------------------------------------
# Ref
# --------------------------------------------------------------------------------------------------


def test_ref_to_a_parameter_resolves_to_its_default_at_the_default_line(t):
    s = t.setting(expr("!Ref Timeout"), 40)
    assert (s.value, s.location, s.origin) == (900, Location("t.yaml", TIMEOUT_DEFAULT), ORIGIN_PARAMETER_DEFAULT)
    assert "parameter Timeout" in s.note and "referenced at line 40" in s.note
    assert "parameter default" in s.describe_origin() and "Timeout" in s.describe_origin()


def test_ref_to_a_parameter_without_default_is_unknown_naming_it(t):
    s = t.setting(expr("!Ref DbHost"), 40)
    assert s.origin == ORIGIN_UNKNOWN and not s.known
    assert "DbHost" in s.value.reason and "no Default" in s.value.reason
    assert s.location == Location("t.yaml", 40) and "DbHost" in s.note


def test_ref_to_a_pseudo_parameter_or_resource_is_unknown(t):
    for name in ("AWS::Region", "Fn"):
        s = t.setting(expr(f"!Ref {name}"), 7)
        assert s.origin == ORIGIN_UNKNOWN and name in s.value.reason
        assert t.render(expr(f"!Ref {name}")) == "${" + name + "}"


def test_list_parameter_default_is_a_list(t):
    s = t.setting(expr("!Ref Subnets"), 7)
    assert (s.value, s.location.line, s.origin) == (["subnet-a", "subnet-b", "subnet-c"], SUBNETS_DEFAULT,
                                                    ORIGIN_PARAMETER_DEFAULT)
    assert t.value(expr("!Select [1, !Ref Subnets]")) == "subnet-b"
    assert t.render(expr("!Join [';', !Ref Subnets]")) == "subnet-a;subnet-b;subnet-c"


def test_ssm_parameter_default_is_a_name_not_the_value(t):
    v = t.value(expr("!Ref AmiId"))
    assert isinstance(v, Unknown) and "SSM parameter /aws/service/ami-amazon-linux-latest" in v.reason
    assert t.render(expr("!Sub 'ami=${AmiId}'")) == "ami=${AmiId}"


# --------------------------------------------------------------------------------------------------
# Text: Sub, Join, Base64 keep unknown parts as placeholders
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("src,text", [
    ("!Sub 'db=${DbHost} env=${Env} t=${Timeout}'", "db=${DbHost} env=prod t=900"),
    ("!Sub 'arn:${AWS::Partition}:s3:::${Env}-bucket'", "arn:${AWS::Partition}:s3:::prod-bucket"),
    ("!Sub 'keep ${!Literal} and ${ Env }'", "keep ${Literal} and prod"),
    ("!Sub 'fn=${Fn.Arn}'", "fn=${Fn.Arn}"),
    ("!Sub ['${Host}:${Port}/${Env}', {Host: !Ref DbHost, Port: 5432}]", "${DbHost}:5432/prod"),
    ("!Sub ['${A}', {A: !GetAtt Fn.Arn}]", "${Fn.Arn}"),
    ("!Join ['-', [app, !Ref Env, !Ref DbHost]]", "app-prod-${DbHost}"),
    ("!Join ['', [a, !If [IsProd, p, d], !If [ProdAndDb, x, y]]]", "ap${If:ProdAndDb}"),
    ("!Join ['', [a, !If [IsDev, p, !Ref AWS::NoValue]]]", "a"),
    ("!Join ['', [!ImportValue vpc-id, '/', !FindInMap [Sizes, !Ref Env, Timeout]]]", "${ImportValue:vpc-id}/600"),
    ("!Base64 {'Fn::Sub': 'echo ${Env}'}", "echo prod"),
    ('!Base64 {"Fn::Join": ["", ["#!/bin/bash\\n", "echo ", !Ref DbHost]]}', "#!/bin/bash\necho ${DbHost}"),
    ("!Join [',', [true, 3, 2.5]]", "true,3,2.5"),
])
def test_render_keeps_unknown_parts_visible(t, src, text):
    value = expr(src)
    assert t.render(value) == text
    s = t.setting(value, 3)
    assert (s.value, s.location.line) == (text, 3)


def test_unknown_select_renders_as_a_placeholder(t):
    assert t.render(expr("!Join ['', [az-, !Select [0, !GetAZs '']]]")) == "az-${Select}"


def test_user_data_script_reads_as_a_script(t):
    value = expr("""
        Fn::Base64: !Sub |
          #!/bin/bash -xe
          yum install -y postgresql
          echo "host=${DbHost} env=${Env}" > /etc/app.conf
          /opt/aws/bin/cfn-signal -e $? --stack ${AWS::StackName} --region ${AWS::Region}
          echo '0 2 * * * /opt/report.sh' | crontab -
        """)
    assert t.setting(value, 1).value == (
        "#!/bin/bash -xe\n"
        "yum install -y postgresql\n"
        'echo "host=${DbHost} env=prod" > /etc/app.conf\n'
        "/opt/aws/bin/cfn-signal -e $? --stack ${AWS::StackName} --region ${AWS::Region}\n"
        "echo '0 2 * * * /opt/report.sh' | crontab -\n"
    )


# --------------------------------------------------------------------------------------------------
# FindInMap, If and conditions
# --------------------------------------------------------------------------------------------------


def test_find_in_map_with_known_keys_resolves_with_mapping_origin(t):
    s = t.setting(expr("!FindInMap [Sizes, !Ref Env, Timeout]"), 40)
    assert (s.value, s.location.line, s.origin) == (600, 40, ORIGIN_MAPPING)
    assert "Sizes" in s.note and "prod" in s.note
    assert t.value(expr("!Select [1, !FindInMap [Sizes, prod, Types]]")) == "m5.xlarge"


@pytest.mark.parametrize("src,reason", [
    ("!FindInMap [Sizes, !Ref AWS::Region, Timeout]", "only known at deploy time"),
    ("!FindInMap [Sizes, test, Timeout]", "mapping Sizes has no test/Timeout"),
    ("!FindInMap [Nope, prod, Timeout]", "mapping Nope has no prod/Timeout"),
    ("!FindInMap [Sizes, prod]", "malformed"),
])
def test_find_in_map_unknown(t, src, reason):
    s = t.setting(expr(src), 40)
    assert s.origin == ORIGIN_UNKNOWN and reason in s.value.reason


@pytest.mark.parametrize("name,expected", [
    ("IsProd", True),
    ("IsDev", False),
    ("ProdAndDb", None),  # True and unknown
    ("DevAndDb", False),  # False and unknown: decided
    ("ProdOrDb", True),  # True or unknown: decided
    ("DevOrDb", None),
    ("HasDb", None),
    ("InRegion", None),
    ("FlagOn", True),  # "true" equals true
    ("Loop", None),  # refers to itself: undecidable, no crash
    ("Missing", None),
])
def test_conditions(t, name, expected):
    assert t.condition(name) is expected


def test_if_decides_only_when_the_condition_is_known(t):
    s = t.setting(expr("!If [IsProd, !Ref Timeout, 30]"), 40)
    assert (s.value, s.location.line, s.origin) == (900, TIMEOUT_DEFAULT, ORIGIN_PARAMETER_DEFAULT)
    assert "condition IsProd is True" in s.note
    s = t.setting(expr("!If [IsDev, 900, 60]"), 40)
    assert (s.value, s.location.line, s.origin) == (60, 40, ORIGIN_LITERAL)
    s = t.setting(expr("!If [ProdAndDb, 900, 60]"), 40)
    assert s.origin == ORIGIN_UNKNOWN and "ProdAndDb" in s.value.reason
    s = t.setting(expr("!If [IsProd, !Ref AWS::NoValue, 60]"), 40)
    assert s.value is None and "removes it" in s.note


# --------------------------------------------------------------------------------------------------
# Select, Split, and what only CloudFormation knows
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("src,value", [
    ("!Select [1, [a, b, c]]", "b"),
    ("!Select ['2', [a, b, c]]", "c"),
    ("!Select [1, !Split [',', 'x,y,z']]", "y"),
    ("!Split ['|', !Sub 'a|${Env}']", ["a", "prod"]),
])
def test_select_and_split(t, src, value):
    assert t.value(expr(src)) == value


@pytest.mark.parametrize("src,reason", [
    ("!Select [5, [a, b]]", "out of range"),
    ("!Select [0, !GetAZs '']", "list only known at deploy time"),
    ("!Select [!Ref DbHost, [a, b]]", "index only known at deploy time"),
    ("!Select [0, 'abc']", "list only known at deploy time"),  # never index into a string
    ("!Split [',', !Ref DbHost]", "unknown value"),
    ("!GetAtt Fn.Arn", "Fn::GetAtt Fn.Arn"),
    ("!GetAtt [Fn, Arn]", "Fn::GetAtt Fn.Arn"),
    ("!ImportValue shared-vpc", "Fn::ImportValue shared-vpc"),
    ("!GetAZs ''", "Fn::GetAZs"),
    ("!Cidr ['10.0.0.0/16', 4, 8]", "Fn::Cidr"),
    ("!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}", "Fn::Transform"),
])
def test_values_only_cloudformation_knows_are_unknown(t, src, reason):
    v = t.value(expr(src))
    assert isinstance(v, Unknown) and reason in v.reason
    s = t.setting(expr(src), 9)
    assert s.origin == ORIGIN_UNKNOWN and s.location.line == 9 and not s.known


def test_literal_values(t):
    s = t.setting(120, 12)
    assert (s.value, s.location, s.origin, s.note) == (120, Location("t.yaml", 12), ORIGIN_LITERAL, None)
    assert t.value([1, expr("!Ref Env")]) == [1, "prod"]
