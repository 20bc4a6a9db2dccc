"""The Terraform plan JSON front end (``terraform show -json``): discovery, instances, values,
references, locations, sensitive values, errors, and parity with the HCL front end.

``tests/data/plan/expanded`` was planned by Terraform 1.11 (``terraform_data`` resources: the AWS
provider cannot be downloaded here) from the ``.tf`` files beside it; the fixture plans under
``fixtures/*/tf/*plan*`` are written in the same format with the AWS provider's values. The real
plans of infracost's and checkov's test suites are read from ``/work/shared/interop/plans`` when
present (never copied into the project)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, finding_rows, working_directory

DATA = Path(__file__).resolve().parent / "data" / "plan"
SHARED = Path("/work/shared/interop/plans")


def scan(*paths, **kw):
    from computefit.runner import scan as run

    return run([str(p) for p in paths], **kw)


def resources(result) -> dict:
    return {r.address: r for r in result.model.resources}


def model_dump(result) -> str:
    from computefit.modelview import model_dict, model_text

    return json.dumps(model_dict(result.model)) + model_text(result.model)


# -- a plan Terraform wrote ----------------------------------------------------------------------


def test_every_instance_is_a_resource_named_as_terraform_prints_it():
    with working_directory(DATA / "expanded"):
        result = scan("plan.json")
    assert result.errors == []
    assert set(resources(result)) == {
        'terraform_data.queue["hourly"]', 'terraform_data.queue["nightly"]', "terraform_data.fn[0]",
        "terraform_data.fn[1]", "terraform_data.wire", 'module.jobs["hourly"].terraform_data.this',
        'module.jobs["nightly"].terraform_data.this'}


def test_findings_point_at_the_resource_blocks_of_the_tf_files_beside_the_plan():
    with working_directory(DATA / "expanded"):
        res = resources(scan("plan.json"))
    assert str(res['terraform_data.queue["nightly"]'].location) == "main.tf:5"
    assert str(res["terraform_data.fn[1]"].location) == "main.tf:10"
    assert str(res["terraform_data.wire"].location) == "main.tf:22"
    this = res['module.jobs["hourly"].terraform_data.this']
    assert str(this.location) == "modules/job/main.tf:3"
    assert [str(loc) for loc in this.related] == ["main.tf:15"]  # the module call, for suppressions


def test_references_are_edges_to_the_instance_they_name():
    with working_directory(DATA / "expanded"):
        res = resources(scan("plan.json"))

    def targets(address):
        return sorted((e.target, e.ref) for e in res[address].edges)

    # input = [terraform_data.fn[0].id, module.jobs["nightly"].id]: through the module's output
    assert targets("terraform_data.wire") == [("module.jobs[\"nightly\"].terraform_data.this", "id"),
                                              ("terraform_data.fn[0]", "id")]
    # queue = terraform_data.queue[each.key].output in a for_each module call: var.queue, by key
    assert targets('module.jobs["hourly"].terraform_data.this') == [('terraform_data.queue["hourly"]', None)]
    assert targets('module.jobs["nightly"].terraform_data.this') == [('terraform_data.queue["nightly"]', None)]


def test_sensitive_values_are_never_read_or_printed(tmp_path):
    text = (DATA / "expanded" / "plan.json").read_text()
    assert "s3cr3t" in text  # Terraform writes the sensitive value into the plan
    from computefit.reporters import RenderOptions
    from computefit.reporters.json_report import to_dict

    with working_directory(DATA / "expanded"):
        result = scan("plan.json")
    assert "s3cr3t" not in model_dump(result) + json.dumps(to_dict(result, RenderOptions()))
    assert resources(result)["terraform_data.wire"].raw["triggers_replace"] == "(sensitive)"


def test_without_its_tf_files_a_plan_points_at_the_line_of_each_entry(tmp_path):
    data = json.loads((DATA / "expanded" / "plan.json").read_text())
    (tmp_path / "plan.json").write_text(json.dumps(data, indent=2))
    with working_directory(tmp_path):
        result = scan("plan.json")
    lines = (tmp_path / "plan.json").read_text().splitlines()
    for r in result.model.resources:
        assert r.location.file == "plan.json"
        assert lines[r.location.line - 1].strip() == "{"
        assert lines[r.location.line].strip() == f'"address": {json.dumps(r.address)},'
    # the entry read is the resource change (its "after" values), after planned_values
    first = min(i for i, t in enumerate(lines) if '"resource_changes"' in t) + 1
    assert all(r.location.line > first for r in result.model.resources)


def test_the_lines_a_ci_wrapper_prints_around_the_json_are_skipped(tmp_path):
    plan = (DATA / "expanded" / "plan.json").read_text().strip()
    (tmp_path / "out.json").write_text(f"[command]/tmp/x/terraform-bin show -json tfplan\n{plan}\n"
                                       f"::debug::Terraform exited with code 0.\n::debug::stdout: {plan}\n")
    result = scan(tmp_path / "out.json")
    assert result.errors == []
    assert len(result.model.resources) == 7
    assert {r.location.line for r in result.model.resources} == {2}


def test_an_unknown_after_apply_value_is_unknown_with_a_reason(tmp_path):
    data = json.loads((FIXTURES / "CF201/tf/fire_plan_for_each/plan.json").read_text())
    for rc in data["resource_changes"]:
        del rc["change"]["after"]["timeout"]
        rc["change"]["after_unknown"]["timeout"] = True
    del data["planned_values"]
    (tmp_path / "plan.json").write_text(json.dumps(data, indent=2))
    result = scan(tmp_path / "plan.json")
    assert result.findings == []
    timeout = resources(result)['aws_lambda_function.fn["export"]'].value("timeout")
    assert timeout.reason == "known only after apply (after_unknown in the plan)"


def test_arguments_the_configuration_does_not_write_keep_the_aws_defaults():
    """The provider fills every argument in the plan (reserved_concurrent_executions = -1,
    package_type, publish); only the ones the configuration writes are read, so the AWS defaults
    apply exactly as for HCL."""
    with working_directory(FIXTURES / "CF301"):
        res = resources(scan("tf/plan_function_url"))
    fn = res["aws_lambda_function.api"]
    assert fn.setting("reserved_concurrency") is None and fn.setting("publish") is None
    assert fn.setting("timeout").origin == "service-default"
    assert fn.value("memory_size") == 2048 and fn.setting("memory_size").origin == "plan"


def test_a_module_output_reference_is_an_edge_to_the_resource_behind_it():
    with working_directory(FIXTURES / "CF203"):
        res = resources(scan("tf/fire_plan_module_queue"))
    esm = res["aws_lambda_event_source_mapping.jobs"]
    assert sorted((e.via, e.target, e.ref) for e in esm.edges) == [
        ("event_source", "module.jobs.aws_sqs_queue.this", "arn"),
        ("function", "aws_lambda_function.worker", "arn")]


# -- discovery, errors, imports ------------------------------------------------------------------


def test_plans_are_recognised_by_content_and_other_terraform_json_is_not(tmp_path):
    from computefit.discovery import discover

    plan = json.loads((DATA / "expanded" / "plan.json").read_text())
    (tmp_path / "pretty.json").write_text(json.dumps(plan, indent=2))
    (tmp_path / "compact.json").write_text(json.dumps(plan))
    (tmp_path / "state.json").write_text(json.dumps({"format_version": "1.0", "terraform_version": "1.11.4",
                                                     "values": {"root_module": {}}}))
    (tmp_path / "package.json").write_text(json.dumps({"name": "x", "resource_changes": []}))
    # a long variables section before planned_values: past the sniffed prefix
    big = {"format_version": "1.2", "terraform_version": "1.11.4",
           "variables": {f"v{i}": {"value": "x" * 100} for i in range(2000)}, **{k: plan[k] for k in
                                                                                 ("planned_values", "resource_changes")}}
    (tmp_path / "big.json").write_text(json.dumps(big, indent=2))
    found = discover([str(tmp_path)])
    assert sorted(Path(p.path).name for p in found.plans) == ["big.json", "compact.json", "pretty.json"]
    assert found.templates == [] and found.errors == []


def test_a_broken_plan_is_an_error_with_its_line_and_the_other_files_are_still_scanned(tmp_path):
    text = json.dumps(json.loads((FIXTURES / "CF201/tf/fire_plan_for_each/plan.json").read_text()), indent=2)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "broken.json").write_text(text[: len(text) // 2])
    shutil.copy(FIXTURES / "CF201/tf/fire_plan_for_each/plan.json", tmp_path / "good.json")
    with working_directory(tmp_path):
        result = scan(".")
    lines = text[: len(text) // 2].splitlines()
    assert [(e.file, e.line) for e in result.errors] == [("a/broken.json", len(lines))]
    assert result.errors[0].message.startswith("JSON syntax error: ")
    assert [f.resource for f in result.findings] == ['aws_lambda_function.fn["export"]']


def test_the_plan_front_end_is_imported_only_when_a_plan_is_scanned():
    code = ("import sys; from computefit.runner import scan; scan([sys.argv[1]]); "
            "print('computefit.plan' in sys.modules)")
    for path, expected in ((FIXTURES / "CF201" / "tf" / "fire_literal", "False"),
                           (FIXTURES / "CF201" / "tf" / "fire_plan_for_each", "True")):
        out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == expected, (path, out.stderr)


def test_a_folder_holding_a_plan_and_its_tf_files_is_reported_once_with_the_hcl_finding():
    with working_directory(FIXTURES / "CF201"):
        from_plan = scan("tf/plan_beside_source")
        from_hcl = scan("tf/plan_beside_source/main.tf")
    assert [(f.check_id, f.resource, f.severity) for f in from_plan.findings] == \
        [(f.check_id, f.resource, f.severity) for f in from_hcl.findings] == \
        [("CF201", "aws_lambda_function.nightly", "warning")]
    assert str(from_plan.findings[0].location) == "tf/plan_beside_source/main.tf:16"  # the argument
    assert str(from_hcl.findings[0].location) == "tf/plan_beside_source/main.tf:6"  # the variable default


# -- real plans from infracost's and checkov's test suites ----------------------------------------


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("shared interop plans not present")
    return SHARED


def test_every_real_plan_reads_without_an_error(shared):
    files = sorted(shared.glob("*.json")) + [shared / "infracost-example" / "plan.json"]
    from computefit.discovery import discover

    assert len(discover([str(shared)]).plans) == len(files)
    for f in files:
        result = scan(f)
        assert result.errors == [], f
        assert result.model.resources, f


def test_real_plans_expand_count_for_each_and_module_instances(shared):
    for name in ("infracost-terraform_v0.12_plan.json", "infracost-terraform_v0.14_plan.json"):
        res = resources(scan(shared / name))
        assert {"aws_instance.instance_counted[0]", "aws_instance.instance_counted[1]",
                'aws_instance.instance_named["test.1"]', 'aws_instance.instance_named["test.2"]',
                'module.instances.aws_instance.module_instance_named["test.2"]',
                "module.instances.aws_instance.module_instance_counted[1]",
                "module.db.module.db_1.module.db_instance.aws_db_instance.this[0]"} <= set(res), name
        assert res['aws_instance.instance_named["test.1"]'].value("tags") == {"Name": "test.1"}
    # planned_values lists one resource there, resource_changes every one: both are read
    assert len(scan(shared / "checkov-plan-tags-tfplan.json").model.resources) == 55


def test_a_real_plan_gives_the_findings_and_model_of_its_hcl(shared):
    """infracost-example/plan.json was planned from main.tf beside it. modules/foo is not called by
    main.tf, so the plan has none of its resources; scanned as HCL it is a root module of its own."""
    from computefit.modelview import neutral

    example = shared / "infracost-example"
    plan = scan(example / "plan.json")
    hcl = scan(example / "main.tf")
    assert plan.errors == hcl.errors == []
    assert [(f.check_id, f.resource, f.severity) for f in plan.findings] == \
        [(f.check_id, f.resource, f.severity) for f in hcl.findings]
    assert neutral(plan.model) == neutral(hcl.model)
    assert {r.address: str(r.location) for r in plan.model.resources} == \
        {r.address: str(r.location) for r in hcl.model.resources}
    whole = scan(example / "main.tf", example / "modules" / "foo")
    assert sorted(r.address for r in whole.model.resources if r.location.file.endswith("foo/main.tf")) == \
        ["aws_instance.web_app"]
    assert finding_rows(whole) == finding_rows(hcl) == []


def test_with_root_the_plan_finds_its_tf_files_elsewhere_under_it(tmp_path):
    """A plan kept apart from its configuration (a CI artifact): --root is searched for the folder
    whose .tf files declare the plan's root module (the best fit; another folder declaring fewer
    of its resources is not taken)."""
    shutil.copytree(DATA / "expanded", tmp_path / "infra", ignore=shutil.ignore_patterns("plan.json"))
    (tmp_path / "artifacts").mkdir()
    shutil.copy(DATA / "expanded" / "plan.json", tmp_path / "artifacts" / "plan.json")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "main.tf").write_text('resource "terraform_data" "fn" {}\n')
    with working_directory(tmp_path):
        alone = resources(scan("artifacts/plan.json"))
        rooted = resources(scan("artifacts/plan.json", root="."))
    assert {str(r.location) for r in alone.values()} == {"artifacts/plan.json:1"}
    assert str(rooted["terraform_data.wire"].location) == "infra/main.tf:22"
    assert str(rooted['module.jobs["hourly"].terraform_data.this'].location) == "infra/modules/job/main.tf:3"


def test_a_registry_module_downloaded_by_terraform_init_points_at_its_own_files(tmp_path):
    shutil.copytree(DATA / "expanded", tmp_path, dirs_exist_ok=True)
    plan = json.loads((tmp_path / "plan.json").read_text())
    plan["configuration"]["root_module"]["module_calls"]["jobs"]["source"] = "example/job/aws"
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    downloaded = tmp_path / ".terraform" / "modules" / "jobs"
    downloaded.mkdir(parents=True)
    (downloaded / "main.tf").write_text("\n\n" + (tmp_path / "modules" / "job" / "main.tf").read_text())
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "jobs", "Source": "registry.terraform.io/example/job/aws", "Version": "1.0.0",
         "Dir": ".terraform/modules/jobs"}]}))
    with working_directory(tmp_path):
        res = resources(scan("plan.json"))
        (tmp_path / ".terraform" / "modules" / "modules.json").unlink()
        not_downloaded = resources(scan("plan.json"))
    assert str(res['module.jobs["nightly"].terraform_data.this'].location) == ".terraform/modules/jobs/main.tf:5"
    # without the download, at the module call
    assert str(not_downloaded['module.jobs["nightly"].terraform_data.this'].location) == "main.tf:15"


def test_a_module_source_outside_the_read_boundary_is_a_notice_and_not_read(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(DATA / "expanded", repo)
    (repo / ".git").mkdir()
    shutil.copytree(DATA / "expanded" / "modules" / "job", tmp_path / "outside" / "job")
    plan = json.loads((repo / "plan.json").read_text())
    plan["configuration"]["root_module"]["module_calls"]["jobs"]["source"] = "../outside/job"
    (repo / "plan.json").write_text(json.dumps(plan))
    with working_directory(repo):
        result = scan("plan.json")
    assert str(resources(result)['module.jobs["nightly"].terraform_data.this'].location) == "main.tf:15"
    assert [(n.file, n.line) for n in result.notices] == [("main.tf", 15)]
    assert "outside the read boundary" in result.notices[0].message


def test_a_plan_of_odd_shape_never_crashes_the_front_end(tmp_path):
    """Every value of a plan replaced by one of another type (each path once, the types in turn):
    no internal error, whatever is left is read."""
    base = json.loads((FIXTURES / "CF203/tf/fire_plan_module_queue/plan.json").read_text())
    odd = [None, 1, "x", [], {}, [1, "a"], {"a": 1}, True]
    paths = []

    def collect(v, p=()):
        paths.append(p)
        for k, x in (v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()):
            collect(x, p + (k,))

    collect(base)
    failures = []
    for i, p in enumerate(paths[1:]):
        doc = json.loads(json.dumps(base))
        cur = doc
        for k in p[:-1]:
            cur = cur[k]
        cur[p[-1]] = odd[i % len(odd)]
        (tmp_path / "plan.json").write_text(json.dumps(doc))
        result = scan(tmp_path / "plan.json")
        failures += [(p, e.message) for e in result.errors if "internal error" in e.message]
    assert failures == []


def test_a_suppression_comment_in_the_tf_files_beside_the_plan_silences_its_finding(tmp_path):
    shutil.copytree(FIXTURES / "CF201/tf/plan_beside_source", tmp_path / "case")
    main = tmp_path / "case" / "main.tf"
    main.write_text(main.read_text().replace('resource "aws_lambda_function" "nightly" {',
                                             '# computefit:ignore CF201 -- moving to Batch\n'
                                             'resource "aws_lambda_function" "nightly" {'))
    with working_directory(tmp_path):
        result = scan("case/plan.json")
    assert result.findings == []
    assert [(f.check_id, why) for f, why in result.suppressed] == [
        ("CF201", "comment at case/main.tf:9: moving to Batch")]
