"""CF101 scheduled-job-on-always-on-server: what the fixture snapshots (tests/test_snapshots.py) do
not show: the bundled examples, the options, specific wording, evidence and cost arithmetic."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, REPO, cost_line, finding_keys, only_finding, scan_findings

CF101 = "CF101"


def test_bundled_examples():
    tf = scan_findings(REPO / "examples" / "terraform", CF101)
    assert finding_keys(tf, CF101) == [(CF101, "aws_instance.invoice_batch", 31)]  # web (nginx) stays quiet
    cfn = scan_findings(REPO / "examples" / "reporting-host" / "template.json", CF101)
    assert finding_keys(cfn, CF101) == [(CF101, "ReportingHost", 31)]


def _one(path, **options):
    return only_finding(scan_findings(path, CF101, **options), CF101)


def test_message_states_runs_per_day_and_duty_cycle():
    f = _one(REPO / "examples" / "reporting-host" / "template.json")
    assert f.severity == "warning" and f.confidence == "high"
    assert "ReportingHost is an always-on m5.large EC2 instance" in f.message
    assert "runs 1x/day; the instance is billed 730 h/month" in f.message
    assert "about 5.1 h of work (0.7% of the time, assuming 10 min per run)" in f.message
    assert f.resource_location.line == 24  # the resource; the finding points at UserData
    ev = f.evidence
    assert ev["services"] == []
    assert ev["instance_type"]["value"] == "m5.large"
    [job] = ev["jobs"]
    assert job["schedule"] == "15 2 * * *"
    assert job["runs_per_day"] == 1.0
    assert job["command"].startswith("/usr/bin/python3 /opt/reports/daily_revenue.py")
    assert job["source"].startswith("15 2 * * * root /usr/bin/python3")
    assert ev["duty_cycle"]["runs_per_day"] == 1.0
    assert ev["duty_cycle"]["billed_hours_per_month"] == 730


def test_weekly_job_message_and_runs():
    f = _one(REPO / "examples" / "terraform")
    assert "runs 1x/week" in f.message
    assert 0.14 < f.evidence["jobs"][0]["runs_per_day"] < 0.145


def test_lambda_recommended_when_the_instance_memory_fits():
    f = _one(REPO / "examples" / "reporting-host" / "template.json")
    assert "invoking a Lambda function" in f.recommendation
    assert "8 GiB of memory, within Lambda's 10,240 MB" in f.recommendation
    current = cost_line(f, "current: 1 x m5.large")
    assert current.monthly_usd == pytest.approx(0.096 * 730)
    lam = cost_line(f, "EventBridge Scheduler + Lambda 8192 MB")
    runs = 730 / 24
    assert lam.monthly_usd == pytest.approx(runs * (0.0000002 + 600 * 8 * 0.0000166667))
    assert any("assumed to take 10 min" in a for a in lam.assumptions)
    far = cost_line(f, "EventBridge Scheduler + Fargate task 2 vCPU / 8 GB")
    assert far.monthly_usd == pytest.approx(runs * 600 / 3600 * (2 * 0.04048 + 8 * 0.004445))
    sched = cost_line(f, "EventBridge Scheduler", exact=True)
    assert sched.monthly_usd == 0.0
    assert any("14 M invocations/month free" in a for a in sched.assumptions)


def test_fargate_or_batch_when_the_instance_memory_exceeds_lambda():
    f = _one(FIXTURES / CF101 / "cfn" / "big_instance_fargate.yaml")
    assert ("a scheduled ECS task (an EventBridge Scheduler schedule whose target runs the job's task definition "
            "with ECS RunTask on Fargate, FARGATE_SPOT if a run may be interrupted), or an AWS Batch job"
            in f.recommendation)
    assert "16 GiB of memory, more than Lambda's 10,240 MB" in f.recommendation
    assert not [c for c in f.costs if "Lambda" in c.option]
    cost_line(f, "EventBridge Scheduler + Fargate task 2 vCPU / 16 GB")


def test_assumed_duration_over_lambda_limit_recommends_fargate():
    f = _one(REPO / "examples" / "reporting-host" / "template.json", assumed_job_minutes=20)
    assert "assuming 20 min per run" in f.message
    assert "a scheduled ECS task (an EventBridge Scheduler schedule whose target runs" in f.recommendation
    assert "with ECS RunTask on Fargate" in f.recommendation
    assert "more than Lambda's 15 minutes" in f.recommendation


def test_unknown_instance_type_gives_unknown_costs_and_medium_confidence():
    f = _one(FIXTURES / CF101 / "cfn" / "placeholder_unknown_type.yaml")
    assert f.confidence == "medium"
    assert "EC2 instance of unknown type" in f.message
    assert f.evidence["unresolved_placeholders"] == ["${ScriptUrl}"]
    current = f.costs[0]
    assert current.option == "current: EC2 instance of unknown type, always on"
    assert current.monthly_usd is None
    assert current.assumptions == ["instance type unknown: parameter RunnerType has no Default (set at deploy time)"]
    assert cost_line(f, "EventBridge Scheduler + Lambda").monthly_usd is None
    assert cost_line(f, "EventBridge Scheduler + Fargate task").monthly_usd is None
    assert "if a run finishes within 15 minutes and needs at most 10,240 MB" in f.recommendation


def test_pseudo_parameters_and_escaped_shell_variables_are_not_unresolved():
    f = _one(FIXTURES / CF101 / "cfn" / "instance_crontab_sub.yaml")  # ${AWS::Region}
    assert f.confidence == "high" and "unresolved_placeholders" not in f.evidence
    f = _one(FIXTURES / CF101 / "tf" / "templatefile_cron")  # $${HOME} in the template
    assert f.confidence == "high" and "unresolved_placeholders" not in f.evidence


def test_terraform_unresolved_variable_lowers_confidence(tmp_path):
    (tmp_path / "main.tf").write_text(
        'variable "bucket" {}\n'
        'resource "aws_instance" "etl" {\n'
        '  instance_type = "t3.micro"\n'
        '  user_data     = "#!/bin/bash\\necho \'0 2 * * * root /opt/sync s3://${var.bucket}\' > /etc/cron.d/sync\\n"\n'
        '}\n')
    f = _one(tmp_path)
    assert f.confidence == "medium"
    assert f.evidence["unresolved_placeholders"] == ["${var.bucket}"]


def test_unreadable_schedule_fires_with_medium_confidence(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "Parameters:\n"
        "  Schedule: {Type: String}\n"
        "Resources:\n"
        "  Host:\n"
        "    Type: AWS::EC2::Instance\n"
        "    Properties:\n"
        "      InstanceType: t3.micro\n"
        "      UserData: !Base64\n"
        "        Fn::Sub: |\n"
        "          #!/bin/bash\n"
        "          echo '${Schedule} root /opt/job.sh' > /etc/cron.d/job\n")
    f = _one(path)
    assert f.confidence == "medium"
    assert "runs on a schedule that could not be read" in f.message
    assert f.evidence["jobs"][0]["runs_per_day"] is None
    assert f.evidence["duty_cycle"]["runs_per_month"] is None
    assert cost_line(f, "EventBridge Scheduler + Lambda").monthly_usd is None
    assert cost_line(f, "EventBridge Scheduler", exact=True).monthly_usd is None


def test_fixed_size_group_counts_its_instances():
    f = _one(FIXTURES / CF101 / "cfn" / "asg_launch_configuration.json")
    assert f.resource == "ExportGroup" and f.evidence["instance_count"] == 2
    assert "the 2 instances are each billed 730 h/month" in f.message
    assert f.evidence["launch_template"]["value"] == "ExportConfig"
    assert cost_line(f, "current: 2 x c5.large").monthly_usd == pytest.approx(2 * 0.085 * 730)


def test_graviton_instance_prices_the_alternatives_on_arm64():
    f = _one(FIXTURES / CF101 / "tf" / "registry_ec2_module")
    assert "runs 1x/month" in f.message
    lam = cost_line(f, "EventBridge Scheduler + Lambda 4096 MB")
    assert any("(arm64)" in a for a in lam.assumptions)


def test_systemd_timer_job_is_the_service_exec_start():
    f = _one(FIXTURES / CF101 / "cfn" / "systemd_timer.yaml")
    assert f.evidence["jobs"][0]["command"] == "/opt/search/reindex --full"
    assert f.evidence["jobs"][0]["source"] == "OnCalendar=*-*-* 04:30:00"


def test_cfn_init_job_points_at_the_init_metadata():
    f = _one(FIXTURES / CF101 / "cfn" / "cfn_init_cron_d.yaml")
    assert f.evidence["jobs"][0]["found_in"] == "cfn-init config"
    assert "whose cfn-init config installs one scheduled job" in f.message


def test_max_runs_per_day_option():
    hourly = FIXTURES / CF101 / "cfn" / "asg_fixed_launch_template.yaml"
    assert _one(hourly).evidence["duty_cycle"]["runs_per_day"] == 24.0  # 24 is allowed by default
    assert finding_keys(scan_findings(hourly, CF101, max_runs_per_day=12), CF101) == []
    every_minute = FIXTURES / CF101 / "cfn" / "quiet_every_minute.yaml"
    assert finding_keys(scan_findings(every_minute, CF101, max_runs_per_day=2000), CF101) == [(CF101, "Poller", 9)]


def test_docstring_sections():
    from computefit.check import get_check

    doc = get_check(CF101).doc()
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Options",
                    "## References"):
        assert section in doc
    assert "points at the line that installs the job" in doc


def test_script_fetched_and_run_at_boot_lowers_confidence(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_instance" "etl" {\n'
        '  instance_type = "t3.micro"\n'
        '  user_data     = "#!/bin/bash\\naws s3 cp s3://b/setup.sh /opt/setup.sh\\nbash /opt/setup.sh\\n'
        'echo \'0 2 * * * root /opt/sync\' > /etc/cron.d/sync\\n"\n'
        '}\n')
    f = _one(tmp_path)
    assert f.confidence == "medium"
    assert f.evidence["not_visible"] == ["runs /opt/setup.sh, fetched at boot (its content is not visible)"]


def test_background_process_keeps_the_check_quiet(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_instance" "etl" {\n'
        '  instance_type = "t3.micro"\n'
        '  user_data     = "#!/bin/bash\\nnohup /opt/app/server --port 8080 &\\n'
        'echo \'0 2 * * * root /opt/sync\' > /etc/cron.d/sync\\n"\n'
        '}\n')
    assert finding_keys(scan_findings(tmp_path, CF101), CF101) == []


# -- Instance Scheduler on AWS (issue 11 item 5) -------------------------------------------------


def test_instance_scheduler_periods_are_simulated_as_the_solution_decides():
    from computefit.schedules import scheduler_window

    # the solution's "9-5" sample: begintime <= time < endtime, weekdays only (261 in the reference year)
    w = scheduler_window("london", [{"BeginTime": "09:00", "EndTime": "16:59", "WeekDays": "mon-fri"}], 1,
                         "Europe/London")
    assert w.hours_per_day == pytest.approx((7 * 60 + 59) / 60 * 261 / 365)
    assert w.reaches_zero and w.peak == 1 and "(Europe/London)" in w.description
    # the configuration table's spelling, numbers (0 = Monday), months; two instances
    w = scheduler_window("x", [{"begintime": "01:00", "endtime": "03:00", "weekdays": "5-6", "months": "jan-mar"}], 2)
    assert w.instance_hours_per_day == pytest.approx(2 * w.hours_per_day)
    assert w.hours_per_day == pytest.approx(2 * 26 / 365)  # Saturdays and Sundays of January-March 2027
    # a one-sided start and a one-sided stop leave the state as it is: "any" outranks "stopped"
    w = scheduler_window("x", [{"BeginTime": "22:00"}, {"EndTime": "06:00"}], 1)
    assert w.hours_per_day == pytest.approx(24) and not w.reaches_zero
    # what is not read is a reason, never a guess
    assert "could not be read" in scheduler_window("x", [{"WeekDays": "mon#1"}], 1)
    assert "begin time after end time" in scheduler_window("x", [{"BeginTime": "10:00", "EndTime": "09:00"}], 1)
    assert "no periods" in scheduler_window("x", [], 1)


def test_instance_scheduler_schedule_in_the_template_prices_the_scheduled_hours():
    findings = scan_findings(FIXTURES / CF101 / "cfn" / "instance_scheduler_schedule.yaml", CF101)
    by = {f.resource: f for f in findings.findings}
    f = by["ReportHost"]
    assert "runs 2 h/day under the Instance Scheduler schedule nightly-2h" in f.message
    assert "billed about 61 h/month" in f.message
    assert cost_line(f, "current: 1 x t3.large").monthly_usd == pytest.approx(0.0832 * 2 * 365 / 12)
    assert f.evidence["instance_scheduler"]["tag"] == "Schedule=nightly-2h"
    assert "already stops it outside its schedule" in f.recommendation
    # named "<stack name>-ExportWindow" (no NoStackPrefix): the tag's !Sub matches it
    e = by["ExportHost"]
    assert "under the Instance Scheduler schedule <stack name>-ExportWindow" in e.message
    assert e.evidence["instance_scheduler"]["hours_per_day"] == pytest.approx(2 * 261 / 365, abs=0.01)


def test_instance_scheduler_tag_without_a_readable_schedule_is_an_upper_bound():
    for path in (FIXTURES / CF101 / "cfn" / "instance_scheduler_unreadable.yaml",
                 FIXTURES / CF101 / "tf" / "instance_scheduler_tag"):
        f = _one(path)
        assert "the Instance Scheduler on AWS runs part-time (tag Schedule=office-hours) under a schedule " \
               "not readable here" in f.message
        assert "billed at most 730 h/month" in f.message
        current = cost_line(f, "current: 1 x t3.medium")
        assert current.monthly_usd == pytest.approx(0.0416 * 730)
        assert any(a.startswith("an upper bound") for a in current.assumptions)
        assert f.evidence["instance_scheduler"]["schedule"].startswith("unknown (no Custom::ServiceInstanceSchedule")


_SCHEDULED_HOST = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Window:
    Type: Custom::ServiceInstanceSchedule
    Properties:
      ServiceToken: arn:aws:lambda:us-east-1:111122223333:function:hub
{props}
      Periods:
        - BeginTime: "01:00"
          EndTime: "03:00"
  Host:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: t3.large
      Tags:
        - Key: Schedule
          Value: {tag}
      UserData:
        Fn::Base64: |
          #!/bin/bash
          echo '15 2 * * * root /opt/reports/daily.py' > /etc/cron.d/daily-report
"""


@pytest.mark.parametrize("props, tag, part_time", [
    ('      NoStackPrefix: "True"\n      Name: nightly', "nightly", True),
    ('      NoStackPrefix: "True"\n      Name: nightly', "prod-nightly", False),  # the name has no prefix
    ('      Name: nightly', "prod-nightly", True),  # "<stack name>-nightly", the stack named prod
    ('      Name: nightly', "nightly", False),  # the solution prefixes the stack name
    ('      NoStackPrefix: "True"', "Window", True),  # the logical ID is the name
    ('      NoStackPrefix: "True"\n      Name: nightly\n      OverrideStatus: running', "nightly", False),
])
def test_instance_scheduler_schedule_names(tmp_path, props, tag, part_time):
    p = tmp_path / "t.yaml"
    p.write_text(_SCHEDULED_HOST.format(props=props, tag=tag))
    f = _one(p)
    if part_time:
        assert "runs 2 h/day under the Instance Scheduler schedule" in f.message
    else:
        assert "billed 730 h/month" in f.message or "billed at most 730 h/month" in f.message


def test_instance_scheduler_on_a_fixed_size_group_in_both_languages():
    f = _one(FIXTURES / CF101 / "cfn" / "asg_instance_scheduler_schedule.yaml")
    assert "an auto scaling group of 2 (c5.large) that runs 2.6 h/day under the Instance Scheduler schedule " \
           "etl-nights" in f.message
    hours = 3 * 313 / 365 * 730 / 24  # 01:00-04:00 Monday to Saturday
    assert cost_line(f, "current: 2 x c5.large").monthly_usd == pytest.approx(0.085 * hours * 2, abs=0.01)
    assert f.related == ["NightlyWindow"]
    # Terraform: the group's tag blocks are its tags
    f = _one(FIXTURES / CF101 / "tf" / "asg_instance_scheduler_tag")
    assert "runs part-time (tag Schedule=nightly) under a schedule not readable here" in f.message
    assert f.evidence["instance_scheduler"]["tag"] == "Schedule=nightly"
