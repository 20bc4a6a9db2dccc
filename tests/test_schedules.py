"""computefit.schedules: schedule expressions -> runs per day and a description.

Runs per day are averaged over the reference year 2027 (365 days, 1 January a Friday): 52 Sundays,
52 Mondays, 53 Fridays and 261 weekdays. Invalid AWS expressions are left to the robustness tests
(``parse_aws`` records them as invalid rather than raising).
"""

from __future__ import annotations

import pytest

from computefit import schedules
from computefit.schedules import Schedule

DAYS = 365


# --------------------------------------------------------------------------------------------------
# Unix cron (crontab lines, /etc/cron.d, macros)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("expr,runs,description", [
    ("15 2 * * *", 1.0, "daily at 02:15"),
    ("0 */6 * * *", 4.0, "4x/day"),
    ("*/5 * * * *", 288.0, "288x/day"),
    ("0,30 9-17 * * *", 18.0, "18x/day"),  # 2 minutes x 9 hours
    ("*/5 * * * 1-5", 288 * 261 / DAYS, "205.9x/day"),  # weekdays only
    ("30 1 * * sun", 52 / DAYS, "at 01:30, 1x/week"),
    ("0 6 * jan,jul mon", 8 / DAYS, "at 06:00, 0.7x/month"),  # 4 Mondays in January 2027, 4 in July
    ("0 0 L * *", 12 / DAYS, "at 00:00, 1x/month"),  # the last day of each month
    # Both day fields restricted: a day matching either runs (Vixie cron). 52 Mondays + 12 firsts
    # of the month - 3 firsts that are Mondays (1 February, 1 March, 1 November 2027).
    ("0 9 1 * 1", 61 / DAYS, "at 09:00, 1.2x/week"),
])
def test_unix_cron_runs_per_day(expr, runs, description):
    s = schedules.parse_unix_cron(expr)
    assert s.expression == expr
    assert s.runs_per_day == pytest.approx(runs)
    assert s.description == description
    assert s.known


@pytest.mark.parametrize("macro,runs,description", [
    ("@hourly", 24.0, "24x/day"),
    ("@daily", 1.0, "daily at 00:00"),
    ("@midnight", 1.0, "daily at 00:00"),
    ("@weekly", 52 / DAYS, "at 00:00, 1x/week"),  # Sundays
    ("@monthly", 12 / DAYS, "at 00:00, 1x/month"),
    ("@yearly", 1 / DAYS, "at 00:00, 0.1x/month"),
    ("@annually", 1 / DAYS, "at 00:00, 0.1x/month"),
    ("@DAILY", 1.0, "daily at 00:00"),
])
def test_cron_macros(macro, runs, description):
    s = schedules.parse_unix_cron(macro)
    assert (s.expression, s.description) == (macro, description)
    assert s.runs_per_day == pytest.approx(runs)


def test_reboot_runs_at_boot_not_on_a_schedule():
    assert schedules.parse_unix_cron("@reboot") == Schedule("@reboot", 0.0, "at every boot (@reboot)")


def test_surrounding_whitespace_is_not_part_of_the_expression():
    assert schedules.parse_unix_cron("  15 2 * * *\n").expression == "15 2 * * *"


def test_nth_weekday_of_the_month_runs_once_a_month():
    assert schedules.parse_unix_cron("0 12 * * 5#2").runs_per_day == pytest.approx(12 / DAYS)
    assert schedules.parse_unix_cron("0 12 * * 5#1,5#3").runs_per_day == pytest.approx(24 / DAYS)
    # every Friday stays every Friday
    assert schedules.parse_unix_cron("0 12 * * 5").runs_per_day == pytest.approx(53 / DAYS)


@pytest.mark.parametrize("expr", ["61 * * * *", "0 25 * * *", "* * * *", "every day", "0 0 * * 5L"])
def test_unreadable_unix_cron_is_invalid(expr):
    s = schedules.parse_unix_cron(expr)
    assert s.runs_per_day is None and not s.known
    assert s.description.startswith(f"invalid schedule (cannot read {expr!r}: ")
    assert s.invalid == s.description[len("invalid schedule ("):-1]


# --------------------------------------------------------------------------------------------------
# AWS rate(), cron() and at() (EventBridge rules, EventBridge Scheduler)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("expr,runs,description", [
    ("rate(1 minute)", 1440.0, "every 1 minute (1440x/day)"),
    ("rate(5 minutes)", 288.0, "every 5 minutes (288x/day)"),
    ("rate(1 hour)", 24.0, "every 1 hour (24x/day)"),
    ("rate(2 hours)", 12.0, "every 2 hours (12x/day)"),
    ("rate(1 day)", 1.0, "every 1 day (1x/day)"),
    ("rate(7 days)", 1 / 7, "every 7 days (1x/week)"),
    ("rate(30 days)", 1 / 30, "every 30 days (1x/month)"),
])
def test_aws_rate(expr, runs, description):
    assert schedules.parse_aws(expr) == Schedule(expr, pytest.approx(runs), description)


def test_aws_rate_is_case_insensitive_and_trimmed():
    assert schedules.parse_aws(" RATE(3 Hours) ") == Schedule("RATE(3 Hours)", 8.0, "every 3 hours (8x/day)")


@pytest.mark.parametrize("expr,runs,description", [
    ("cron(0 3 * * ? *)", 1.0, "daily at 03:00"),
    ("cron(0/15 * * * ? *)", 96.0, "96x/day"),
    ("cron(0 8 ? * MON-FRI *)", 261 / DAYS, "at 08:00, 5x/week"),
    # AWS numbers days of the week 1-7 from Sunday; Unix cron 0-6 from Sunday
    ("cron(0 8 ? * 2-6 *)", 261 / DAYS, "at 08:00, 5x/week"),
    ("cron(0 0 ? * 1 *)", 52 / DAYS, "at 00:00, 1x/week"),  # Sundays
    ("cron(0 0 ? * 6 *)", 53 / DAYS, "at 00:00, 1x/week"),  # Fridays
    ("cron(0 0 ? * 1,7 *)", 104 / DAYS, "at 00:00, 2x/week"),  # Sunday and Saturday
    ("cron(0 12 1 * ? *)", 12 / DAYS, "at 12:00, 1x/month"),
    ("cron(0 0 L * ? *)", 12 / DAYS, "at 00:00, 1x/month"),
    ("cron(30 6 ? 1 MON 2027)", 4 / DAYS, "at 06:30, 0.3x/month"),  # the year field is not counted
])
def test_aws_cron(expr, runs, description):
    s = schedules.parse_aws(expr)
    assert (s.expression, s.description) == (expr, description)
    assert s.runs_per_day == pytest.approx(runs)


def test_aws_one_time_schedule_runs_once():
    assert schedules.parse_aws("at(2027-01-01T00:00:00)") == Schedule(
        "at(2027-01-01T00:00:00)", 0.0, "once (one-time schedule)")


# --------------------------------------------------------------------------------------------------
# systemd: OnCalendar=, time spans (OnUnitActiveSec=, sleep), intervals
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec,runs,description", [
    ("minutely", 1440.0, "minutely (1440x/day)"),
    ("hourly", 24.0, "hourly (24x/day)"),
    ("daily", 1.0, "daily (1x/day)"),
    ("weekly", 1 / 7, "weekly (1x/week)"),
    ("monthly", 12 / DAYS, "monthly (1x/month)"),
    ("quarterly", 4 / DAYS, "quarterly (0.3x/month)"),
    ("*-*-* 02:00:00", 1.0, "OnCalendar=*-*-* 02:00:00 (1x/day)"),
    ("*:0/15", 96.0, "OnCalendar=*:0/15 (96x/day)"),
    ("08..17:00", 10.0, "OnCalendar=08..17:00 (10x/day)"),
    ("Mon..Fri *-*-* 09:00", 5 / 7, "OnCalendar=Mon..Fri *-*-* 09:00 (5x/week)"),
    ("Fri..Mon 12:00", 4 / 7, "OnCalendar=Fri..Mon 12:00 (4x/week)"),  # wraps past Sunday
    ("Sat,Sun 10:00", 2 / 7, "OnCalendar=Sat,Sun 10:00 (2x/week)"),
    ("*-01,07-* 00:00", 2 / 12, "OnCalendar=*-01,07-* 00:00 (1.2x/week)"),  # every day of two months
    ("*-*-01 04:00", 1 / 30.4, "OnCalendar=*-*-01 04:00 (1x/month)"),  # one day of an average month
])
def test_systemd_calendar(spec, runs, description):
    s = schedules.parse_systemd_calendar(spec)
    assert (s.expression, s.description) == (spec, description)
    assert s.runs_per_day == pytest.approx(runs)


def test_unreadable_systemd_calendar_time_is_unknown():
    assert schedules.parse_systemd_calendar("*:*/x") == Schedule(
        "*:*/x", None, "unknown schedule (cannot read OnCalendar time)")


@pytest.mark.parametrize("text,seconds", [
    ("900", 900.0), ("1h", 3600.0), ("30min", 1800.0), ("15m", 900.0), ("1.5h", 5400.0),
    ("1d 2h", 93600.0), ("2w", 1209600.0), ("45 seconds", 45.0),
])
def test_duration(text, seconds):
    assert schedules.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "  ", "5 fortnights", "soon"])
def test_unreadable_duration_is_none(text):
    assert schedules.parse_duration(text) is None


@pytest.mark.parametrize("seconds,runs,description", [
    (3600, 24.0, "every 1 hour (24x/day)"),
    (90, 960.0, "every 90 seconds (960x/day)"),
    (900, 96.0, "every 15 minutes (96x/day)"),
    (2 * 86400, 0.5, "every 2 days (3.5x/week)"),
])
def test_interval(seconds, runs, description):
    assert schedules.interval(seconds, "label") == Schedule("label", runs, description)


def test_zero_interval_is_invalid():
    why = "an interval must be a positive number of seconds"
    assert schedules.interval(0, "sleep 0") == Schedule("sleep 0", None, f"invalid schedule ({why})", invalid=why)


@pytest.mark.parametrize("name,runs,rate", [
    ("hourly", 24.0, "24x/day"), ("daily", 1.0, "1x/day"), ("weekly", 1 / 7, "1x/week"),
    ("monthly", 12 / DAYS, "1x/month"),
])
def test_cron_period_directories(name, runs, rate):
    s = schedules.period_dir(name)
    assert (s.expression, s.description) == (f"/etc/cron.{name}", f"{name} via /etc/cron.{name} ({rate})")
    assert s.runs_per_day == pytest.approx(runs)


@pytest.mark.parametrize("runs,text", [
    (1440, "1440x/day"), (24, "24x/day"), (2.5, "2.5x/day"), (1.0, "1x/day"), (1.02, "1x/day"),
    (0.5, "3.5x/week"), (1 / 7, "1x/week"), (0.96 / 7, "1x/week"),  # from 0.95 a week on: weekly
    (1 / 30, "1x/month"), (1 / 365, "0.1x/month"),
])
def test_describe_rate(runs, text):
    assert schedules.describe_rate(runs) == text


def test_aws_nth_weekday_runs_once_a_month():
    # AWS numbers Sunday 1, so 6#2 is the second Friday, as FRI#2 is
    for expr in ("cron(0 12 ? * 6#2 *)", "cron(0 12 ? * FRI#2 *)"):
        assert schedules.parse_aws(expr).runs_per_day == pytest.approx(12 / DAYS)


def test_a_time_zone_is_told_by_loading_it_as_the_full_list_tells_it():
    from computefit import schedule_syntax as syn

    zones = syn._zones()
    if not zones:
        pytest.skip("no time zone database on this machine")
    names = sorted(zones) + ["europe/london", "Mars/Base", "posix/Europe/London", "right/UTC", "posixrules",
                             "Europe", "../etc/passwd", "/etc/localtime", "", "Europe/../UTC", "UTC\x00"]
    assert [n for n in names if syn._loads_as_zone(n) != (n in zones)] == []
    assert syn.timezone("Europe/London") == [] and syn.timezone("europe/london")[0].fix == "Europe/London"
