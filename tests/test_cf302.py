"""CF302 snapstart-not-effective: what the fixture snapshots do not pin (wording of each fix, the
conflicts named, Unknown never read as a conflict)."""

from __future__ import annotations

from conftest import only_finding, scan_case, scan_findings

ID = "CF302"


def _one(case):
    return only_finding(scan_case(ID, case))


def test_every_caller_on_latest_points_at_the_caller():
    f = _one("cfn/fire_invokes_latest.yaml")
    assert (f.severity, f.confidence, f.location.line) == ("warning", "high", 21)
    assert f.resource_location.line == 6  # suppressions still key on the function
    assert "every caller (QuoteMethod) invokes the unqualified function ($LATEST)" in f.message
    assert f.recommendation.startswith("Point QuoteMethod at an alias on the published version")
    tf = _one("tf/fire_invokes_latest")
    assert "aws_lambda_alias" not in tf.message
    assert "qualified_invoke_arn" in tf.recommendation and "invoke_arn" in tf.recommendation


def test_no_published_version_names_the_language_fix():
    sam = _one("cfn/fire_no_autopublishalias.yaml")
    assert (sam.severity, sam.confidence, sam.location.line) == ("warning", "medium", 13)
    assert "no AutoPublishAlias" in sam.message and sam.recommendation.startswith("Add AutoPublishAlias")
    tf = _one("tf/fire_publish_false")
    assert "publish is not set; it defaults to false" in tf.message
    assert tf.recommendation.startswith("Set publish = true, add an aws_lambda_alias")
    assert "aws_lambda_function.api.version" in tf.recommendation


def test_module_fixes_name_the_module_inputs():
    url = _one("tf/fire_module_function_url")
    assert "create_unqualified_alias_lambda_function_url = false" in url.recommendation
    esm = _one("tf/fire_module_event_source_mapping")
    assert "function_name = module.ingest.lambda_function_qualified_arn" in esm.recommendation


def test_conflicts_are_errors_at_the_conflicting_setting():
    f = _one("cfn/fire_efs_and_large_tmp.json")
    assert f.severity == "error" and f.location.line == 13
    assert [c["conflict"] for c in f.evidence["conflicts"]] == ["file_system", "ephemeral_storage"]
    assert "2048 MB" in f.message and "at most 512 MB" in f.message
    pc = _one("tf/fire_provisioned_concurrency")
    assert pc.location.line == 26 and "alias 'live' has provisioned concurrency 2" in pc.message
    rt = _one("tf/fire_module_python311")
    assert rt.recommendation.startswith("Upgrade to python3.12 or later")
    node = _one("cfn/fire_node_runtime.yaml")
    assert node.recommendation.startswith("Remove SnapStart")


def test_python_snapstart_on_latest_mentions_the_cache_charge(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_lambda_function" "f" {\n  runtime = "python3.12"\n  publish = true\n'
        '  snap_start {\n    apply_on = "PublishedVersions"\n  }\n}\n'
        'resource "aws_lambda_function_url" "u" {\n  function_name = aws_lambda_function.f.function_name\n'
        '  authorization_type = "NONE"\n}\n')
    f = only_finding(scan_findings(tmp_path, ID))
    assert "snapshot cache of each published python version is still charged" in f.message


def test_unknown_values_are_not_conflicts(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Parameters:\n  Rt:\n    Type: String\n  Tmp:\n    Type: Number\n"
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: !Ref Rt\n"
        "      EphemeralStorage:\n        Size: !Ref Tmp\n      SnapStart:\n        ApplyOn: PublishedVersions\n"
        "  V:\n    Type: AWS::Lambda::Version\n    Properties:\n      FunctionName: !Ref Fn\n")
    assert scan_findings(tmp_path / "t.yaml", ID).findings == []
