"""CloudFormation resource Conditions (issue 8 item 4): a resource whose Condition is known false
is not created, so it is left out of the document and nothing references it; an unknown condition
keeps the resource with a note (findings at medium confidence); Fn::If with AWS::NoValue removes a
property."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import FIXTURES, scan_findings

from computefit import cloudformation

TEMPLATE = """\
Parameters:
  Env: {Type: String, Default: dev}
  Bucket: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  HasBucket: !Not [!Equals [!Ref Bucket, ""]]
  ProdOrBucket: !Or [!Condition IsProd, !Condition HasBucket]
  DevOrBucket: !Or [!Condition IsDev, !Condition HasBucket]
  ProdAndBucket: !And [!Condition IsProd, !Condition HasBucket]
Resources:
  ProdFn:
    Type: AWS::Lambda::Function
    Condition: IsProd
    Properties: {Timeout: 900}
  DevFn:
    Type: AWS::Lambda::Function
    Condition: IsDev
    Properties:
      Timeout: !If [IsProd, 900, !Ref AWS::NoValue]
      MemorySize: !If [IsDev, 2048, !Ref AWS::NoValue]
  BucketFn:
    Type: AWS::Lambda::Function
    Condition: HasBucket
    Properties: {Timeout: 60}
  EitherFn: {Type: AWS::Lambda::Function, Condition: ProdOrBucket}
  AlwaysFn: {Type: AWS::Lambda::Function, Condition: DevOrBucket}
  NeverFn: {Type: AWS::Lambda::Function, Condition: ProdAndBucket}
  Undeclared: {Type: AWS::Lambda::Function, Condition: NoSuchCondition}
  Rule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 hour)
      Targets:
        - {Id: a, Arn: !GetAtt ProdFn.Arn}
        - {Id: b, Arn: !GetAtt DevFn.Arn}
"""


def build(tmp_path: Path, text: str = TEMPLATE):
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    doc = cloudformation.load(str(path))
    return {r.address: r for r in doc.resources}


def test_a_resource_under_a_false_condition_is_not_in_the_document(tmp_path):
    res = build(tmp_path)
    assert "ProdFn" not in res and "NeverFn" not in res  # false; And with an unknown and a false
    assert {"DevFn", "BucketFn", "EitherFn", "AlwaysFn", "Undeclared", "Rule"} <= set(res)


def test_three_valued_logic_keeps_unknown_unknown(tmp_path):
    res = build(tmp_path)
    assert res["DevFn"].may_not_exist is None and res["AlwaysFn"].may_not_exist is None  # true; Or with a true
    why = "(parameter Bucket has no Default (set at deploy time))"
    assert res["BucketFn"].may_not_exist == f"Condition HasBucket is not known statically {why}"
    assert res["EitherFn"].may_not_exist == f"Condition ProdOrBucket is not known statically {why}"
    assert "may not be" in res["BucketFn"].notes[0]
    assert res["Undeclared"].may_not_exist == "Condition NoSuchCondition is not declared in Conditions"


def test_nothing_references_a_resource_that_is_not_created(tmp_path):
    targets = [e.target for e in build(tmp_path)["Rule"].edges if e.via == "target"]
    assert "ProdFn" not in targets and "DevFn" in targets


def test_fn_if_with_no_value_removes_the_property(tmp_path):
    dev = build(tmp_path)["DevFn"]
    assert dev.value("memory_size") == 2048  # the true branch
    timeout = dev.setting("timeout")  # removed: the service default applies
    assert timeout.value == 3 and timeout.origin == "service-default"


def test_sam_events_of_a_function_that_is_not_created_are_not_created(tmp_path):
    res = build(tmp_path, """\
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Env: {Type: String, Default: dev}
          Flag: {Type: String}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
          Flagged: !Equals [!Ref Flag, "on"]
        Resources:
          Nightly:
            Type: AWS::Serverless::Function
            Condition: IsProd
            Properties:
              Timeout: 900
              Events:
                Cron: {Type: Schedule, Properties: {Schedule: rate(1 day)}}
          Maybe:
            Type: AWS::Serverless::Function
            Condition: Flagged
            Properties:
              AutoPublishAlias: live
              Events:
                Cron: {Type: Schedule, Properties: {Schedule: rate(1 day)}}
        """)
    assert not any(a.startswith("Nightly") for a in res)
    generated = [r for r in res.values() if r.declared_by == "Maybe"]
    assert generated and all(r.may_not_exist == "Condition Flagged is not known statically "
                                 "(parameter Flag has no Default (set at deploy time))" for r in generated)


def test_cf201_fixture_quiet_under_a_false_condition_and_medium_when_unknown():
    base = FIXTURES / "CF201" / "cfn"
    assert scan_findings(base / "quiet_condition_false.yaml", "CF201").findings == []
    f, = scan_findings(base / "fire_condition_unknown.yaml", "CF201").findings
    assert f.resource == "ReportFunction" and f.confidence == "medium"


SAM_PC = """\
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      Env: {Type: String, Default: ENV}
      Flag: {Type: String}
    Conditions:
      IsProd: !Equals [!Ref Env, prod]
      Flagged: !Equals [!Ref Flag, "on"]
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          AutoPublishAlias: live
          ProvisionedConcurrencyConfig: !If
            - CONDITION
            - ProvisionedConcurrentExecutions: 3
            - !Ref AWS::NoValue
    """


def test_sam_provisioned_concurrency_under_fn_if(tmp_path):
    # SAM's own examples switch provisioned concurrency per environment with !If ... AWS::NoValue
    def pc(env: str, condition: str = "IsProd"):
        res = build(tmp_path, SAM_PC.replace("ENV", env).replace("CONDITION", condition))
        return res["FnAliaslive"].setting("provisioned_concurrency")

    assert pc("prod").value == 3
    assert pc("dev") is None  # the NoValue branch: no provisioned concurrency
    unknown = pc("prod", "Flagged").value
    assert getattr(unknown, "reason", "").startswith("ProvisionedConcurrencyConfig depends on condition Flagged")
