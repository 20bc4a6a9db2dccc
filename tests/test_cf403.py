"""CF403 express-workflow-with-long-task: definition reading (computefit.stepfunctions: JSON with
placeholders, YAML, substitutions, nested states, the DefinitionUri read boundary) and what the
fixture snapshots do not pin."""

from __future__ import annotations

import json

from conftest import assert_cases_say_what_they_show, finding_rows, fixture_cases, scan_case, scan_findings

from computefit import stepfunctions as sfn
from computefit.model import Unknown, is_unknown

CHECK = "CF403"


def test_fixtures_state_what_they_show():
    assert_cases_say_what_they_show(CHECK)


def test_unquoted_placeholders_are_null_and_quoted_ones_text():
    doc = sfn.parse('{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn.Arn}", '
                    '"TimeoutSeconds": ${Timeout}, "Comment": "a \\"${x}\\" b"}}}')
    a = doc["States"]["A"]
    assert a["Resource"] == "${Fn.Arn}" and a["TimeoutSeconds"] is None and a["Comment"] == 'a "${x}" b'


def test_yaml_definitions_and_bad_text():
    assert sfn.parse("StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n")["StartAt"] == "A"
    assert is_unknown(sfn.parse("{not json: [")) and is_unknown(sfn.parse("")) and is_unknown(sfn.parse("[1]"))


def test_substitutions_in_text_and_objects():
    assert sfn.substitute('{"R": "${J}", "N": ${N}}', {"J": "x.sync", "N": "5"}) == '{"R": "x.sync", "N": 5}'
    assert sfn.substitute({"a": ["${J}", "${K}"]}, {"J": "y"}) == {"a": ["y", "${K}"]}


def test_nested_states_are_walked_with_their_path():
    doc = {"States": {
        "P": {"Type": "Parallel", "Branches": [{"States": {"B1": {"Type": "Pass"}}},
                                               {"States": {"B2": {"Type": "Pass"}}}]},
        "M": {"Type": "Map", "Iterator": {"States": {"I": {"Type": "Pass"}}}},
        "D": {"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                                               "States": {"X": {"Type": "Map", "ItemProcessor": {
                                                   "States": {"Y": {"Type": "Pass"}}}}}}},
    }}
    refs = [(r.path, r.express_child) for r in sfn.states(doc)]
    assert refs == [("P", False), ("P > branch 1 > B1", False), ("P > branch 2 > B2", False),
                    ("M", False), ("M > Iterator > I", False), ("D", False), ("D > ItemProcessor > X", True),
                    ("D > ItemProcessor > X > ItemProcessor > Y", True)]


def test_integration_patterns():
    assert sfn.integration_pattern("arn:aws:states:::ecs:runTask.sync") == "sync"
    assert sfn.integration_pattern("arn:aws:states:::states:startExecution.sync:2") == "sync"
    assert sfn.integration_pattern("arn:aws:states:::lambda:invoke.waitForTaskToken") == "callback"
    assert sfn.integration_pattern("arn:aws:states:::lambda:invoke") is None
    assert sfn.integration_pattern("arn:aws:lambda:us-east-1:123456789012:function:sync") is None
    assert sfn.integration_pattern(None) is None


def test_each_fixture_names_every_offending_state():
    states = {f.resource: [s["state"] for s in f.evidence["states"]]
              for case in fixture_cases(CHECK) for f in scan_case(CHECK, case).findings}
    assert states == {
        "BatchFlow": ["Submit", "Pause"],
        "BuildAll": ["Builds > ItemProcessor > Build"],
        "ExportFlow": ["Export", "Fanout > branch 1 > Approve", "Files > ItemProcessor > Crunch"],
        "ReportFlow": ["RunReport"],
        "aws_sfn_state_machine.reminder": ["(the whole machine)", "Pause"],
        "aws_sfn_state_machine.ingest": ["Submit"],
        "module.step_function": ["Transcode"],
        "aws_sfn_state_machine.approval": ["AskApprover", "AskApprover"],
        "IngestFlow": ["Ingest"],
        "aws_sfn_state_machine.loader": ["Ingest"],
    }


def _sam_with_uri(folder, uri: str):
    t = folder / "template.yaml"
    t.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n  Flow:\n"
                 "    Type: AWS::Serverless::StateMachine\n    Properties:\n      Type: EXPRESS\n"
                 f"      DefinitionUri: {uri}\n", encoding="utf-8")
    return t


ASL = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync",
                                                    "End": True}}})


def test_definition_uri_inside_the_folder_is_read(tmp_path):
    (tmp_path / "flow.asl.json").write_text(ASL, encoding="utf-8")
    assert [f.resource for f in scan_findings(_sam_with_uri(tmp_path, "flow.asl.json"), CHECK).findings] == ["Flow"]


def test_definition_uri_outside_the_folder_is_not_read(tmp_path):
    (tmp_path / "outside.asl.json").write_text(ASL, encoding="utf-8")
    inner = tmp_path / "stack"
    inner.mkdir()
    assert scan_findings(_sam_with_uri(inner, "../outside.asl.json"), CHECK).findings == []
    # a symbolic link pointing outside is resolved before the check
    (inner / "link.asl.json").symlink_to(tmp_path / "outside.asl.json")
    assert scan_findings(_sam_with_uri(inner, "link.asl.json"), CHECK).findings == []


def test_definition_uri_in_a_repository_may_read_a_sibling_folder(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "statemachines").mkdir()
    (tmp_path / "statemachines" / "flow.asl.json").write_text(ASL, encoding="utf-8")
    stack = tmp_path / "stack"
    stack.mkdir()
    t = _sam_with_uri(stack, "../statemachines/flow.asl.json")
    assert [f.resource for f in scan_findings(t, CHECK).findings] == ["Flow"]


def test_unknown_type_or_definition_is_not_judged(tmp_path):
    t = tmp_path / "t.yaml"
    t.write_text("Parameters:\n  Kind: {Type: String}\nResources:\n  Flow:\n"
                 "    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      StateMachineType: !Ref Kind\n"
                 f"      DefinitionString: '{ASL}'\n"
                 "  Missing:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Type: EXPRESS\n"
                 "      DefinitionUri: nowhere.asl.json\n", encoding="utf-8")
    assert finding_rows(scan_findings(t, CHECK)) == []


def test_terraform_definition_with_unknown_variables_keeps_its_known_parts(tmp_path):
    (tmp_path / "main.tf").write_text('''
variable "fn_arn" { type = string }
variable "timeout" { type = number }
resource "aws_sfn_state_machine" "x" {
  type = "EXPRESS"
  definition = jsonencode({
    StartAt = "A"
    States = { A = { Type = "Task", Resource = "arn:aws:states:::lambda:invoke.waitForTaskToken",
                     Parameters = { FunctionName = var.fn_arn }, TimeoutSeconds = var.timeout, End = true } }
  })
}
''', encoding="utf-8")
    (f,) = scan_findings(tmp_path, CHECK).findings
    # the callback is read; the unknown timeout is not guessed
    assert [(s["state"], s["problem"]) for s in f.evidence["states"]] == [("A", "callback")]


def test_jsonencode_elsewhere_still_makes_an_unknown_value_unknown():
    from computefit.terraform.evaluate import _fn_jsonencode

    class Ev:
        unknown_in_documents = False

    assert is_unknown(_fn_jsonencode(Ev(), [{"a": Unknown("no default")}], None))


def test_parameter_defaults_inside_an_object_definition_count(tmp_path):
    t = tmp_path / "t.yaml"
    t.write_text("Parameters:\n  Limit: {Type: Number, Default: 900}\n  Open: {Type: Number}\nResources:\n"
                 "  Flow:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
                 "      StateMachineType: EXPRESS\n      Definition:\n        StartAt: A\n        States:\n"
                 "          A: {Type: Task, Resource: 'arn:aws:states:::lambda:invoke', TimeoutSeconds: !Ref Limit, Next: B}\n"
                 "          B: {Type: Wait, Seconds: !Ref Open, End: true}\n", encoding="utf-8")
    (f,) = scan_findings(t, CHECK).findings
    assert [(s["state"], s["problem"]) for s in f.evidence["states"]] == [("A", "timeout")]
