"""What AWS accepts as a schedule expression, and what it reads differently from what was meant.

:mod:`computefit.schedules` answers "how often does this run"; this module answers "will AWS
accept this expression, and does it mean what its author meant". It never raises: each
validator returns the problems it found (an empty list for a valid expression).

Three dialects, as AWS documents them:

* EventBridge rules (``AWS::Events::Rule``, ``aws_cloudwatch_event_rule``): ``rate(value unit)``
  and ``cron(6 fields)``; no one-time schedules.
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html,
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html
* EventBridge Scheduler (``AWS::Scheduler::Schedule``, ``aws_scheduler_schedule``): the same two,
  plus one-time ``at(yyyy-mm-ddThh:mm:ss)``, evaluated in ``ScheduleExpressionTimezone`` (IANA).
  https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
* EC2 Auto Scaling scheduled actions (``Recurrence``): Unix cron, 5 fields
  ``[Minute] [Hour] [Day_of_Month] [Month_of_Year] [Day_of_Week]``, with Sunday 0 (or 7).
  https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_ScheduledUpdateGroupActionRequest.html

AWS cron fields: Minutes 0-59, Hours 0-23, Day-of-month 1-31 (``, - * ? / L W``), Month 1-12 or
JAN-DEC, Day-of-week 1-7 or SUN-SAT with 1 = Sunday (``, - * ? L #``), Year 1970-2199. Exactly
one of Day-of-month and Day-of-week is ``?``. A rate's unit is singular for 1 and plural above.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass

from .lazyre import LazyPattern as _lazy

ERROR = "error"
WARNING = "warning"

RULE = "rule"  # EventBridge rule
SCHEDULER = "scheduler"  # EventBridge Scheduler
AUTOSCALING = "autoscaling"  # EC2 Auto Scaling scheduled action

SERVICE_LABEL = {RULE: "EventBridge", SCHEDULER: "EventBridge Scheduler", AUTOSCALING: "EC2 Auto Scaling"}

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")  # AWS 1-7, Unix 0-6 (and 7 = SUN)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an expression: ``kind`` a short code, ``detail`` the sentence a user
    reads, ``fix`` the corrected expression when one follows from what was written."""

    severity: str
    kind: str
    detail: str
    fix: str | None = None
    #: False when AWS documents the rule but deployed code suggests it is not enforced (a year past
    #: 2199, an empty list item): the finding then has medium confidence.
    certain: bool = True


@dataclass(frozen=True)
class _Field:
    """One field of a cron expression: its name, range and month or weekday names."""

    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    name_base: int = 1  # the number of names[0]


_AWS_FIELDS = (
    _Field("Minutes", 0, 59), _Field("Hours", 0, 23), _Field("Day-of-month", 1, 31),
    _Field("Month", 1, 12, MONTHS), _Field("Day-of-week", 1, 7, DAYS), _Field("Year", 1970, 2199),
)
_UNIX_FIELDS = (
    _Field("Minute", 0, 59), _Field("Hour", 0, 23), _Field("Day_of_Month", 1, 31),
    _Field("Month_of_Year", 1, 12, MONTHS), _Field("Day_of_Week", 0, 7, DAYS, name_base=0),
)


def _number(tok: str, f: _Field) -> int | None:
    if tok.isdigit():
        return int(tok)
    up = tok.upper()
    if f.names and up in f.names:
        return f.names.index(up) + f.name_base
    return None


def _field_errors(text: str, f: _Field, specials: str) -> list[str]:
    """What is wrong with one cron field (empty when it is valid). ``specials`` holds the
    wildcards beyond ``, - * /`` the dialect allows in this field (``?``, ``L``, ``W``, ``#``).
    Errors AWS may not enforce (see :data:`UNCERTAIN`) start with "~"."""
    errs: list[str] = []
    if text == "?":
        return [] if "?" in specials else [f"{f.name} cannot be '?'"]
    items = text.split(",")
    if "#" in text and len(items) > 1:
        errs.append(f"{f.name} '{text}': with '#' the field holds one expression only")
    for item in items:
        if not item:
            errs.append(f"~{f.name} '{text}' has an empty list item, which AWS's documented syntax does not allow")
            continue
        up = item.upper()
        if "L" in specials and (up == "L" or (f.name == "Day-of-month" and re.fullmatch(r"L(W|-\d{1,2})?", up))):
            continue
        if "W" in specials and re.fullmatch(r"\d{1,2}W", up):
            if not f.low <= int(up[:-1]) <= f.high:
                errs.append(f"{f.name} '{item}': {up[:-1]} is outside {f.low}-{f.high}")
            continue
        if "L" in specials and f.name == "Day-of-week" and re.fullmatch(r"[A-Z0-9]+L", up):
            n = _number(up[:-1], f)
            if n is None or not f.low <= n <= f.high:
                errs.append(f"{f.name} '{item}' is not a day of the week followed by L")
            continue
        if "#" in item:
            if "#" not in specials:
                errs.append(f"{f.name} '{item}': '#' is not allowed here")
                continue
            day, _, nth = item.partition("#")
            n = _number(day, f)
            if n is None or not f.low <= n <= f.high or not (nth.isdigit() and 1 <= int(nth) <= 5):
                errs.append(f"{f.name} '{item}' is not DAY#N (N 1-5)")
            continue
        base, _, step = item.partition("/")
        if "/" in item and not (step.isdigit() and int(step) >= 1):
            errs.append(f"{f.name} '{item}': the increment after '/' must be a positive number")
            continue
        if base == "*":
            continue
        lo, dash, hi = base.partition("-")
        ends = [lo, hi] if dash else [lo]
        for end in ends:
            n = _number(end, f)
            if n is None:
                errs.append(f"{f.name} '{item}': '{end}' is not a value or wildcard this field accepts")
            elif not f.low <= n <= f.high:
                doubt = "~" if f.name == "Year" and n > f.high else ""  # 2999 "never" years are deployed
                errs.append(f"{doubt}{f.name} '{item}': {n} is outside {f.low}-{f.high}")
    return errs


def _problem(severity: str, kind: str, err: str) -> Problem:
    return Problem(severity, kind, err.lstrip("~"), None, not err.startswith("~"))


def _unix_dow_names(field: str) -> str:
    """A Unix day-of-week field (0-7, 0 and 7 = Sunday) written with day names, which read the
    same in every dialect: ``1-5`` -> ``MON-FRI``."""
    def name(tok: str) -> str:
        if tok.isdigit() and 0 <= int(tok) <= 7:
            return DAYS[int(tok) % 7]
        return tok.upper()

    out = []
    for item in field.split(","):
        base, slash, step = item.partition("/")
        lo, dash, hi = base.partition("-")
        text = name(lo) + (("-" + name(hi)) if dash else "")
        out.append(text + (slash + step))
    return ",".join(out)


def _aws_dow_names(field: str) -> str:
    """An AWS day-of-week field (1-7, 1 = Sunday) with day names: ``2-6`` -> ``MON-FRI``."""
    def name(tok: str) -> str:
        return DAYS[int(tok) - 1] if tok.isdigit() and 1 <= int(tok) <= 7 else tok.upper()

    out = []
    for item in field.split(","):
        if item in ("*", "?") or "#" in item or item.upper().endswith("L"):
            out.append(item)
            continue
        base, slash, step = item.partition("/")
        lo, dash, hi = base.partition("-")
        out.append(name(lo) + (("-" + name(hi)) if dash else "") + slash + step)
    return ",".join(out)


def _numbers_in(field: str) -> list[int]:
    return [int(x) for x in re.findall(r"(?<![#\d])\d+", field)]


def _unix_to_aws(fields: list[str]) -> str | None:
    """A 5-field Unix cron line as the AWS cron() AWS would run the same way, when there is one
    (Unix runs a day matching either day field; AWS cannot say "the 1st or a Monday")."""
    minute, hour, dom, month, dow = fields
    if dom != "*" and dow != "*":
        return None
    if dow == "*":
        dom_aws, dow_aws = dom, "?"
    else:
        dom_aws, dow_aws = "?", _unix_dow_names(dow)
    return f"cron({minute} {hour} {dom_aws} {month} {dow_aws} *)"


# --------------------------------------------------------------------------------------------------
# EventBridge rules and EventBridge Scheduler
# --------------------------------------------------------------------------------------------------

_RATE = _lazy(r"rate\((.*)\)", re.I | re.S)
_CRON = _lazy(r"cron\((.*)\)", re.I | re.S)
_AT = _lazy(r"at\((.*)\)", re.I | re.S)
_RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_SUB_MINUTE = ("s", "sec", "secs", "second", "seconds", "ms", "millisecond", "milliseconds")


#: A number with more digits than this is out of range in every field and value (and Python
#: refuses to convert one of over 4,300 digits): it is reported, never converted.
_MAX_DIGITS = 18
_LONG_NUMBER = _lazy(r"\d{%d,}" % (_MAX_DIGITS + 1))


def _long_number(text: str) -> list[Problem]:
    m = _LONG_NUMBER.search(text)
    if m is None:
        return []
    return [Problem(ERROR, "out-of-range", f"a number of {len(m.group())} digits is out of range")]


def aws_expression(expr: str, service: str = RULE) -> list[Problem]:
    """The problems of an EventBridge rule (``service=RULE``) or Scheduler (``SCHEDULER``)
    ``ScheduleExpression``."""
    label = SERVICE_LABEL[service]
    text = expr.strip()
    if not text:
        return [Problem(ERROR, "empty", "the expression is empty")]
    if _long_number(text):
        return _long_number(text)
    m = _RATE.fullmatch(text)
    if m:
        # EventBridge documents "rate(1 hours) and rate(5 hour) aren't valid" for rules; Scheduler
        # accepts either (AWS's own Scheduler samples deploy rate(5 minute) and rate(1 minutes)).
        return [p for p in _rate(m.group(1)) if not (service == SCHEDULER and p.kind == "rate-plural")]
    m = _CRON.fullmatch(text)
    if m:
        return _aws_cron(m.group(1).split())
    m = _AT.fullmatch(text)
    if m:
        if service != SCHEDULER:
            return [Problem(ERROR, "at-on-rule", "EventBridge rules take rate() or cron() expressions only; "
                            "one-time at() schedules exist only in EventBridge Scheduler")]
        return _at(m.group(1))
    fields = text.split()
    if len(fields) in (5, 6) and all(re.fullmatch(r"[\w*?/,#-]+", f) for f in fields):
        fix = _unix_to_aws(fields) if len(fields) == 5 else f"cron({text})"
        return [Problem(ERROR, "not-wrapped", f"a bare cron line is not an expression {label} reads: it "
                        "must be written cron(...) with 6 fields", fix)]
    return [Problem(ERROR, "syntax", f"'{text}' is not a rate(), cron()"
                    + (" or at()" if service == SCHEDULER else "") + " expression")]


def _rate(inner: str) -> list[Problem]:
    parts = inner.split()
    if len(parts) != 2:
        return [Problem(ERROR, "rate-syntax", "a rate expression is rate(value unit), two fields")]
    value, unit = parts
    low = unit.lower()
    if low in _SUB_MINUTE:
        return [Problem(ERROR, "rate-below-minimum", "the smallest rate is one minute: rate() takes "
                        "minute(s), hour(s) or day(s), not seconds", "rate(1 minute)")]
    singular = low[:-1] if low.endswith("s") else low
    if singular not in _RATE_UNITS:
        return [Problem(ERROR, "rate-unit", f"'{unit}' is not a rate unit: minute | minutes | hour | hours | "
                        "day | days")]
    if not value.isdigit():
        return [Problem(ERROR, "rate-value", f"'{value}' is not a positive whole number")]
    n = int(value)
    if n < 1:
        return [Problem(ERROR, "rate-value", f"the value must be a positive number, not {n}")]
    want = singular if n == 1 else singular + "s"
    if low != want:
        return [Problem(ERROR, "rate-plural", f"the unit must be singular for a value of 1 and plural above "
                        f"(rate(1 {singular}), rate(5 {singular}s))", f"rate({n} {want})")]
    return []


def _aws_cron(fields: list[str]) -> list[Problem]:
    if len(fields) != 6:
        fix = _unix_to_aws(fields) if len(fields) == 5 else None
        why = (" (this looks like a Unix crontab line: AWS adds a Year field, uses '?' in one day field "
               "and numbers days of the week 1-7 from Sunday)" if len(fields) == 5 else "")
        return [Problem(ERROR, "field-count", f"AWS cron takes 6 fields (Minutes Hours Day-of-month Month "
                        f"Day-of-week Year), this one has {len(fields)}{why}", fix)]
    if sum(f.endswith(",") for f in fields[:5]) >= 2:
        stripped = [f.rstrip(",") for f in fields]
        fixed = f"cron({' '.join(stripped)})"
        rest = _aws_cron(stripped)
        return [Problem(ERROR, "comma-separated", "the fields are separated by commas as well as spaces: AWS "
                        "cron separates its six fields with spaces, and a comma inside a field lists values",
                        fixed if not rest else None, certain=False)] + rest
    minute, hour, dom, month, dow, year = fields
    found: list[tuple[str, str, str]] = []  # (severity, kind, detail; "~" first when uncertain)
    fixable = True
    unix_dow = dow != "?" and not re.search(r"[A-Za-z]", dow.replace("L", "")) and 0 in _numbers_in(dow)
    for text, f, specials in zip(fields, _AWS_FIELDS, ("", "", "?LW", "", "?L#", "")):
        if f is _AWS_FIELDS[4] and unix_dow:
            continue  # reported below with its Unix reading
        for err in _field_errors(text, f, specials):
            found.append((ERROR, "field-value", err))
            fixable = False
    fix_dom, fix_dow = dom, dow
    if unix_dow:
        fix_dow = _unix_dow_names(dow)
        found.append((ERROR, "dow-zero", f"Day-of-week '{dow}' uses 0, which AWS does not accept: AWS numbers "
                      "the days 1-7 from Sunday (1 = SUN); in Unix cron 0 is Sunday, so this reads as "
                      f"{fix_dow}"))
    elif re.fullmatch(r"1-5|1,2,3,4,5", dow):
        fix_dow = "MON-FRI"
        found.append((WARNING, "dow-unix-weekdays", f"Day-of-week '{dow}' is Sunday to Thursday in AWS cron "
                      "(1 = Sunday); in Unix cron it is Monday to Friday, which is almost always what was "
                      "meant"))
    if dom == "?" and dow == "?":
        fix_dom = "*"
        found.append((ERROR, "day-fields", "Day-of-month and Day-of-week are both '?': exactly one of them "
                      "must be '?'"))
    elif dom != "?" and dow != "?":
        if dow == "*":
            fix_dow = "?"
        elif dom == "*":
            fix_dom = "?"
            fix_dow = fix_dow if fix_dow != dow else _aws_dow_names(dow)
        else:
            fixable = False
        found.append((ERROR, "day-fields", "neither Day-of-month nor Day-of-week is '?': AWS cron needs '?' "
                      "in exactly one of them (it cannot say 'this day of the month or this day of the "
                      "week')"))
    fix = f"cron({minute} {hour} {fix_dom} {month} {fix_dow} {year})" if fixable else None
    return [Problem(sev, kind, detail.lstrip("~"), fix, not detail.startswith("~")) for sev, kind, detail in found]


def _at(inner: str) -> list[Problem]:
    try:
        _dt.datetime.strptime(inner.strip(), "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return [Problem(ERROR, "at-format", f"'{inner}' is not a date and time in the form yyyy-mm-ddThh:mm:ss "
                        "(no time zone suffix: the schedule's time zone applies)")]
    return []


@functools.lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    import zoneinfo

    try:
        return frozenset(zoneinfo.available_timezones())
    except Exception:  # pragma: no cover - platform without tzdata
        return frozenset()


def _loads_as_zone(name: str) -> bool:
    """Whether ``name`` is one of :func:`_zones`, told by loading that one zone: the names
    ``zoneinfo.available_timezones`` leaves out (``posixrules``, the ``posix/`` and ``right/``
    copies) are left to the full list."""
    if name == "posixrules" or name.split("/", 1)[0] in ("posix", "right"):
        return False
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except Exception:  # not found, a malformed key, a folder: the full list decides
        return False
    return True


def timezone(name: str) -> list[Problem]:
    """An IANA time zone name (Scheduler ``ScheduleExpressionTimezone``, Auto Scaling ``TimeZone``).
    Unchecked (no problem) when this Python has no time zone database."""
    if _loads_as_zone(name):  # the usual case, without listing the whole database (5 ms)
        return []
    zones = _zones()
    if not zones or name in zones:
        return []
    close = next((z for z in sorted(zones) if z.lower() == name.lower()), None)
    return [Problem(ERROR, "timezone", f"'{name}' is not an IANA time zone name (such as Europe/London or "
                    "America/New_York)", close)]


# --------------------------------------------------------------------------------------------------
# EC2 Auto Scaling scheduled actions
# --------------------------------------------------------------------------------------------------


def unix_cron(expr: str) -> list[Problem]:
    """The problems of an EC2 Auto Scaling ``Recurrence`` (Unix cron, 5 fields)."""
    text = expr.strip()
    if _long_number(text):
        return _long_number(text)
    m = _CRON.fullmatch(text)
    wrapped = m is not None
    fields = (m.group(1) if m else text).split()
    if _RATE.fullmatch(text) or _AT.fullmatch(text):
        return [Problem(ERROR, "not-unix-cron", "Recurrence takes a Unix cron line (5 fields), not an "
                        "EventBridge rate() or at() expression")]
    if wrapped or len(fields) == 6:
        fix = _aws_to_unix(fields) if len(fields) == 6 else None
        what = ("an EventBridge cron() expression" if wrapped
                else "6 fields, the layout of AWS cron (with a Year field)")
        return [Problem(ERROR, "field-count", f"Recurrence is Unix cron with 5 fields (Minute Hour Day_of_Month "
                        f"Month_of_Year Day_of_Week); this is {what}", fix)]
    if len(fields) != 5:
        return [Problem(ERROR, "field-count", f"Recurrence is Unix cron with 5 fields (Minute Hour Day_of_Month "
                        f"Month_of_Year Day_of_Week), this one has {len(fields)}")]
    problems = []
    for text_f, f in zip(fields, _UNIX_FIELDS):
        if text_f == "?":
            continue  # not Unix syntax; whether Auto Scaling accepts it is not documented: unjudged
        for err in _field_errors(text_f, f, ""):
            problems.append(_problem(ERROR, "field-value", err))
    return problems


def _aws_to_unix(fields: list[str]) -> str | None:
    """A 6-field AWS cron as the Unix line Auto Scaling reads the same way (None when it uses
    AWS-only wildcards)."""
    minute, hour, dom, month, dow, _year = fields
    if any(c in (dom + dow).upper() for c in "LW#"):
        return None
    dom = "*" if dom == "?" else dom
    dow = "*" if dow == "?" else _aws_dow_names(dow)
    return f"{minute} {hour} {dom} {month} {dow}"
