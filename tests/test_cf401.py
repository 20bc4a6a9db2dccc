"""CF401 invalid-schedule-expression: the dialect rules one by one (computefit.schedule_syntax),
the weekday_warning option, and what the fixture snapshots do not pin: severity and the corrected
expression for each kind of problem."""

from __future__ import annotations

import pytest
from conftest import assert_cases_say_what_they_show, finding_rows, scan_case

from computefit import schedule_syntax as syn

CHECK = "CF401"


def kinds(problems) -> list[tuple[str, str, str | None]]:
    return [(p.severity, p.kind, p.fix) for p in problems]


def test_fixtures_state_what_they_show():
    assert_cases_say_what_they_show(CHECK)


@pytest.mark.parametrize("expr", [
    "rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)", "rate(7 days)",
    "cron(0 10 * * ? *)", "cron(15 12 * * ? *)", "cron(0 18 ? * MON-FRI *)", "cron(0 8 1 * ? *)",
    "cron(0/15 * * * ? *)", "cron(0/10 8-17 ? * 2-6 *)", "cron(0 0 L * ? *)", "cron(0 0 LW * ? *)",
    "cron(0 8 15W * ? *)", "cron(15 10 ? * 6L 2022-2030)", "cron(0 12 ? * 3#2 *)", "cron(0 8 ? * SAT,SUN *)",
    "cron(0 9 ? JAN-MAR MON *)", "cron(*/5 * * * ? *)",
])
def test_valid_aws_expressions_have_no_problem(expr):
    assert syn.aws_expression(expr, syn.RULE) == []
    assert syn.aws_expression(expr, syn.SCHEDULER) == []


@pytest.mark.parametrize("expr,expected", [
    ("cron(0 6 * * 1-5)", [("error", "field-count", "cron(0 6 ? * MON-FRI *)")]),
    ("cron(*/5 * * * *)", [("error", "field-count", "cron(*/5 * * * ? *)")]),
    ("cron(0 6 1 * 1 *) extra", [("error", "syntax", None)]),
    ("cron(0 6 1 * MON)", [("error", "field-count", None)]),  # Unix 'the 1st or a Monday': no AWS form
    ("cron(0 8 * * * *)", [("error", "day-fields", "cron(0 8 * * ? *)")]),
    ("cron(0 8 ? * ? *)", [("error", "day-fields", "cron(0 8 * * ? *)")]),
    ("cron(0 8 1 * MON *)", [("error", "day-fields", None)]),
    ("cron(0 3 ? * 0 *)", [("error", "dow-zero", "cron(0 3 ? * SUN *)")]),
    ("cron(0 3 ? * 0-4 *)", [("error", "dow-zero", "cron(0 3 ? * SUN-THU *)")]),
    ("cron(0 8 ? * 1-5 *)", [("warning", "dow-unix-weekdays", "cron(0 8 ? * MON-FRI *)")]),
    ("cron(0 8 * * 1-5 *)", [("warning", "dow-unix-weekdays", "cron(0 8 ? * MON-FRI *)"),
                             ("error", "day-fields", "cron(0 8 ? * MON-FRI *)")]),
    ("cron(0 24 * * ? *)", [("error", "field-value", None)]),
    ("cron(60 1 * * ? *)", [("error", "field-value", None)]),
    ("cron(0 1 * 13 ? *)", [("error", "field-value", None)]),
    ("cron(0 1 ? * 8 *)", [("error", "field-value", None)]),
    ("cron(0 1 * * ? 1969)", [("error", "field-value", None)]),
    ("cron(0 1 ? * 3#1,6#3 *)", [("error", "field-value", None)]),
    ("cron(0 1 ? * 3#6 *)", [("error", "field-value", None)]),
    ("rate(1 minutes)", [("error", "rate-plural", "rate(1 minute)")]),
    ("rate(5 minute)", [("error", "rate-plural", "rate(5 minutes)")]),
    ("rate(1 hours)", [("error", "rate-plural", "rate(1 hour)")]),
    ("rate(30 seconds)", [("error", "rate-below-minimum", "rate(1 minute)")]),
    ("rate(0 minutes)", [("error", "rate-value", None)]),
    ("rate(1.5 hours)", [("error", "rate-value", None)]),
    ("rate(2 weeks)", [("error", "rate-unit", None)]),
    ("rate(5)", [("error", "rate-syntax", None)]),
    ("0 8 * * *", [("error", "not-wrapped", "cron(0 8 * * ? *)")]),
    ("every day", [("error", "syntax", None)]),
    ("", [("error", "empty", None)]),
])
def test_invalid_or_misread_aws_expressions(expr, expected):
    assert kinds(syn.aws_expression(expr, syn.RULE)) == expected


def test_one_time_schedules_only_in_scheduler():
    assert kinds(syn.aws_expression("at(2026-12-01T09:00:00)", syn.RULE)) == [("error", "at-on-rule", None)]
    assert syn.aws_expression("at(2026-12-01T09:00:00)", syn.SCHEDULER) == []
    assert kinds(syn.aws_expression("at(2026-12-01 09:00)", syn.SCHEDULER)) == [("error", "at-format", None)]
    assert kinds(syn.aws_expression("at(2026-02-30T09:00:00)", syn.SCHEDULER)) == [("error", "at-format", None)]


@pytest.mark.parametrize("expr,expected", [
    ("0 18 * * 1-5", []),  # Unix: Monday to Friday
    ("30 0 1 1,6,12 *", []),  # AWS's own example
    ("*/15 * * * *", []),
    ("0 7 * * MON-FRI", []),
    ("0 0 * * 0", []), ("0 0 * * 7", []),  # Sunday both ways
    ("cron(0 20 ? * MON-FRI *)", [("error", "field-count", "0 20 * * MON-FRI")]),
    ("0 20 ? * 2-6 *", [("error", "field-count", "0 20 * * MON-FRI")]),
    ("cron(0 20 L * ? *)", [("error", "field-count", None)]),  # L has no Unix form
    ("rate(1 day)", [("error", "not-unix-cron", None)]),
    ("0 8 * *", [("error", "field-count", None)]),
    ("0 25 * * *", [("error", "field-value", None)]),
    ("0 8 * * 8", [("error", "field-value", None)]),
    ("0 8 32 * *", [("error", "field-value", None)]),
])
def test_autoscaling_recurrence_is_unix_cron(expr, expected):
    assert kinds(syn.unix_cron(expr)) == expected


def test_time_zones():
    assert syn.timezone("Europe/London") == []
    assert syn.timezone("America/New_York") == []
    assert kinds(syn.timezone("europe/london")) == [("error", "timezone", "Europe/London")]
    assert kinds(syn.timezone("Central European Time")) == [("error", "timezone", None)]


def test_validators_never_raise_on_odd_text():
    for text in ["cron()", "cron(     )", "rate()", "at()", "cron(0 0 ,,, * ? *)", "cron(0 0 1-/ * ? *)",
                 "cron(a b c d e f)", "rate(-1 minutes)", "cron(0 0 ? * #2 *)", "cron(0 0 ? * L# *)"]:
        assert syn.aws_expression(text, syn.SCHEDULER), text
        syn.unix_cron(text)


# --------------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------------


def test_weekday_warning_option_silences_only_the_warning():
    assert finding_rows(scan_case(CHECK, "cfn/warn_weekday_1_5.json")) == [
        (CHECK, "WeekdayReportRule", "cfn/warn_weekday_1_5.json", 8, "warning")]
    assert finding_rows(scan_case(CHECK, "cfn/warn_weekday_1_5.json", weekday_warning=False)) == []
    # an expression AWS rejects is still reported
    rows = finding_rows(scan_case(CHECK, "cfn/fire_rules.yaml", weekday_warning=False))
    assert len(rows) == 7 and {r[4] for r in rows} == {"error"}


def test_rejected_and_misread_together_is_an_error_with_one_correction():
    f = [x for x in scan_case(CHECK, "cfn/fire_rules.yaml").findings if x.resource == "UnixPortRule"][0]
    assert f.severity == "error" and f.confidence == "high"
    assert "cron(0 6 ? * MON-FRI *)" in f.recommendation
    assert "EventBridge rejects the schedule expression 'cron(0 6 * * 1-5)'" in f.message


def test_scheduler_accepts_either_rate_unit_form():
    # EventBridge documents the rule for rules; Scheduler deploys rate(5 minute) (AWS's own samples)
    assert syn.aws_expression("rate(5 minute)", syn.SCHEDULER) == []
    assert syn.aws_expression("rate(1 hours)", syn.SCHEDULER) == []
    assert kinds(syn.aws_expression("rate(30 seconds)", syn.SCHEDULER)) == [
        ("error", "rate-below-minimum", "rate(1 minute)")]
    rows = finding_rows(scan_case(CHECK, "cfn/fire_sam_events.yaml"))
    assert "CleanupFunction.Events.Relaxed" not in [r[1] for r in rows]


def test_rules_aws_may_not_enforce_lower_the_confidence():
    (year,) = syn.aws_expression("cron(0 6 * * ? 2999)", syn.RULE)
    assert (year.kind, year.certain) == ("field-value", False)
    (comma,) = syn.aws_expression("cron(5, 0 1 * ? *)", syn.RULE)
    assert comma.certain is False
    (commas,) = syn.aws_expression("cron(5, 0, 1, *, ?, *)", syn.RULE)  # an AWS sample deploys this
    assert (commas.kind, commas.fix, commas.certain) == ("comma-separated", "cron(5 0 1 * ? *)", False)
    (hour,) = syn.aws_expression("cron(0 24 * * ? *)", syn.RULE)
    assert hour.certain is True
    f = [x for x in scan_case(CHECK, "cfn/fire_scheduler_and_autoscaling.yaml").findings
         if x.resource == "ReportSchedule"][0]
    assert f.confidence == "high"


def test_subject_is_the_rule_schedule_or_action():
    rows = finding_rows(scan_case(CHECK, "tf/fire_registry_modules"))
    assert [r[1] for r in rows] == ["module.asg.schedules.night", "module.eventbridge.rules.crons",
                                    "module.eventbridge.schedules.reports"]
