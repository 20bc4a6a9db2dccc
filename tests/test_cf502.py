"""CF502 lambda-could-run-on-arm64: what the fixture snapshots do not pin (the saving from the
prices on file, the assumed volume option, where the finding points, the fix in each language,
Unknown never read as x86_64)."""

from __future__ import annotations

import pytest
from conftest import cost_line, only_finding, scan_case, scan_findings

from computefit import facts, prices

ID = "CF502"


def _one(case, **options):
    return only_finding(scan_case(ID, case, **options))


def _gb_s(arch):
    return prices.rate("lambda_gb_second", arch)


def test_scheduled_saving_is_the_price_difference_over_the_schedules_runs():
    f = _one("cfn/fire_sam_scheduled.yaml")  # rate(5 minutes), 30 s, 512 MB
    runs = 288 * facts.meta("hours_per_month") / 24
    saving = runs * 30 * 0.5 * (_gb_s("x86_64") - _gb_s("arm64"))
    assert f.evidence["saving_usd"] == {"amount": round(saving, 2), "per": "a month"}
    assert f"(up to ${saving:,.2f} a month)" in f.message
    current = cost_line(f, "current: Lambda x86_64")
    arm = cost_line(f, "Lambda arm64")
    assert current.monthly_usd - arm.monthly_usd == pytest.approx(saving)
    assert "every invocation lasts the full timeout (an upper bound)" in current.assumptions
    assert (f.severity, f.confidence) == ("info", "medium")


def test_unknown_volume_is_priced_per_assumed_invocations_and_says_so():
    f = _one("tf/fire_module")  # 15 s, 512 MB, no schedule
    assert "per 1,000,000 invocations" in f.message
    line = cost_line(f, "current: Lambda x86_64")
    assert "(assumed)" in line.option and any("unknown" in a for a in line.assumptions)
    g = _one("tf/fire_module", assumed_invocations_per_month=10_000)
    saving = 10_000 * 15 * 0.5 * (_gb_s("x86_64") - _gb_s("arm64"))
    assert g.evidence["saving_usd"] == {"amount": round(saving, 2), "per": "per 10,000 invocations"}


def test_points_at_the_architectures_line_or_the_function():
    assert _one("cfn/fire_x86_explicit.json").location.line == 13
    assert _one("cfn/fire_sam_scheduled.yaml").location.line == 6
    sam = _one("cfn/fire_sam_globals_x86.json")
    assert sam.resource == "InheritsFunction" and sam.location.line == 6
    assert sam.resource_location.line == 12  # suppressions still key on the function
    assert "inherited from SAM Globals" in sam.message


def test_the_fix_is_spelled_per_language_and_names_native_dependencies():
    tf = [f for f in scan_case(ID, "tf/fire_resource").findings]
    assert [f.resource for f in tf] == ["aws_lambda_function.nightly", "aws_lambda_function.api"]
    assert all(f.recommendation.startswith('Set architectures = ["arm64"]') for f in tf)
    sam = _one("cfn/fire_sam_scheduled.yaml")
    assert sam.recommendation.startswith("Set Architectures: [arm64] (on the function or in Globals Function)")
    cfn = _one("cfn/fire_x86_explicit.json")
    assert cfn.recommendation.startswith("Set Architectures: [arm64] after")
    for word in ("wheels", "node-gyp", "JNI", "layers"):
        assert word in cfn.recommendation


@pytest.mark.parametrize("case", ["cfn/quiet_globals_arm64.yaml", "cfn/quiet_not_portable.yaml",
                                  "tf/quiet_resource_and_module"])
def test_quiet_cases(case):
    assert scan_case(ID, case).findings == []


def _tf(tmp_path, body):
    (tmp_path / "main.tf").write_text(body)
    return [f for f in scan_findings(tmp_path, ID).findings]


def test_unknown_memory_fires_without_a_cost(tmp_path):
    found = _tf(tmp_path, 'variable "mem" {}\nresource "aws_lambda_function" "f" {\n  runtime = "ruby3.3"\n'
                          '  handler = "a.h"\n  filename = "a.zip"\n  memory_size = var.mem\n}\n')
    assert len(found) == 1 and found[0].costs == [] and "$" not in found[0].message


@pytest.mark.parametrize("extra", ['package_type = "Image"', 'image_uri = "repo/app:1"',
                                   'architectures = ["arm64"]', 'architectures = ["x86_64", "arm64"]'])
def test_quiet_for_images_arm64_and_unreadable_architectures(tmp_path, extra):
    body = (f'resource "aws_lambda_function" "f" {{\n  runtime = "python3.13"\n  handler = "a.h"\n'
            f'  filename = "a.zip"\n  {extra}\n}}\n')
    assert _tf(tmp_path, body) == []


@pytest.mark.parametrize("runtime,fires", [("java8.al2", True), ("java8", False), ("dotnetcore2.1", False),
                                           ("provided.al2", False), ("go1.x", False), ("python3.8", True),
                                           ("JAVA_VERSION", False), ("PYTHON3_VERSION", False),
                                           ("dotnetcore3.1", True)])
def test_runtimes_offered_on_arm64(tmp_path, runtime, fires):
    body = f'resource "aws_lambda_function" "f" {{\n  runtime = "{runtime}"\n  handler = "a.h"\n  filename = "a.zip"\n}}\n'
    assert len(_tf(tmp_path, body)) == (1 if fires else 0)


def test_rule_metadata():
    from computefit.checks.cf502_lambda_could_run_on_arm64 import LambdaCouldRunOnArm64 as C

    assert "arm64" in C.tags and C.confidence == "medium" and C.severity == "info"


def test_opt_in_runs_only_when_selected(tmp_path):
    from computefit.config import Config
    from computefit.runner import scan

    (tmp_path / "main.tf").write_text('resource "aws_lambda_function" "f" {\n  runtime = "python3.12"\n'
                                      '  handler = "a.h"\n  filename = "a.zip"\n}\n')
    ids = lambda cfg: [f.check_id for f in scan([str(tmp_path)], cfg).findings]  # noqa: E731
    assert ids(Config()) == []  # off by default
    assert ids(Config(select=("CF5",))) == ["CF502"] and ids(Config(select=("CF",))) == ["CF502"]
    assert ids(Config(select=("CF",), ignore=("CF502",))) == []


def test_upper_bound_is_capped_by_the_hard_limit_and_reserved_concurrency(tmp_path):
    [f] = _tf(tmp_path, 'resource "aws_lambda_function" "f" {\n  runtime = "python3.12"\n  handler = "a.h"\n'
                        '  filename = "a.zip"\n  timeout = 1200\n  reserved_concurrent_executions = 2\n}\n')
    line = cost_line(f, "current: Lambda x86_64")
    limit = facts.value("lambda.timeout_max")
    runs = facts.meta("seconds_per_month") * 2 / limit
    assert line.option == f"current: Lambda x86_64 128 MB, {limit} s x {runs:,.0f} runs/month (capped)"
    assert any("reserved concurrency 2" in a for a in line.assumptions)
    throttled = tmp_path / "t"
    throttled.mkdir()
    [g] = _tf(throttled, 'resource "aws_lambda_function" "f" {\n  runtime = "python3.12"\n  handler = "a.h"\n'
                         '  filename = "a.zip"\n  reserved_concurrent_executions = 0\n}\n')
    assert g.costs == []


def test_a_tiny_known_saving_is_not_printed_as_zero(tmp_path):
    [f] = _tf(tmp_path, 'resource "aws_lambda_function" "f" {\n  runtime = "python3.13"\n  handler = "a.h"\n'
                        '  filename = "a.zip"\n}\nresource "aws_cloudwatch_event_rule" "daily" {\n'
                        '  schedule_expression = "rate(1 day)"\n}\nresource "aws_cloudwatch_event_target" "t" {\n'
                        '  rule = aws_cloudwatch_event_rule.daily.name\n  arn  = aws_lambda_function.f.arn\n}\n')
    assert "(under $0.01 a month)" in f.message and "$0.00" not in f.message
