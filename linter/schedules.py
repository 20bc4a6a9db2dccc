"""Schedule expressions -> how often they run.

Reads Unix crontab lines (5 fields, ``/etc/cron.d`` lines with a user field, ``@daily`` macros), AWS
``cron(6 fields)`` and ``rate(n unit)``, systemd ``OnCalendar=`` and ``OnUnitActiveSec=``. Field
expansion (ranges, steps, lists, month and day names, ``L``) is croniter's; runs per day are averaged
over a reference year so month and weekday restrictions count. An expression that cannot be read has
``runs_per_day = None`` and is described as unknown; one that is malformed (``rate(0 minutes)``,
``cron(99 99 * * ? *)``, ``OnCalendar=Mon..Xyz``) also carries the reason in ``invalid``. No parser
here raises, whatever the text: every result is a :class:`Schedule`.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
from dataclasses import dataclass, field

from .lazyre import LazyPattern as _lazy

REFERENCE_YEAR = 2027  # a non-leap year
_MACROS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}
_PERIOD_DIRS = {"hourly": 24.0, "daily": 1.0, "weekly": 1 / 7, "monthly": 12 / 365}
_UNIT_SECONDS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
    "month": 2629800, "months": 2629800, "y": 31557600, "year": 31557600, "years": 31557600,
}


@dataclass(frozen=True)
class Schedule:
    """A schedule expression read: how many times a day it runs, in words, and why it is invalid."""

    expression: str
    runs_per_day: float | None  # None when it could not be read
    description: str
    #: The shortest time between two runs, in seconds (None when not known): a rate's interval, or
    #: the smallest gap between a cron expression's times of day. Derived from the expression, so
    #: not part of equality.
    interval_seconds: float | None = field(default=None, compare=False)
    #: Why the expression is malformed (AWS or systemd would reject it); None when it is valid or
    #: only unknown (an unresolved placeholder).
    invalid: str | None = None

    @property
    def known(self) -> bool:
        return self.runs_per_day is not None


def _unknown(expr: str, why: str) -> Schedule:
    return Schedule(expr, None, f"unknown schedule ({why})")


def _invalid(expr: str, why: str) -> Schedule:
    if len(why) > 200:
        why = why[:199] + "…"
    return Schedule(expr, None, f"invalid schedule ({why})", invalid=why)


def _quoted(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:59] + "…")


#: Longest number read in a schedule: anything longer is no schedule (and Python refuses to convert
#: integers of over 4,300 digits).
_MAX_DIGITS = 12


def _nice(x: float) -> str:
    return str(int(round(x))) if abs(x - round(x)) < 0.05 else f"{x:.1f}"


def _fmt_rate(runs: float) -> str:
    if runs >= 1:
        return f"{_nice(runs)}x/day"
    per_week = runs * 7
    if per_week >= 0.95:
        return f"{_nice(per_week)}x/week"
    return f"{_nice(runs * 365 / 12)}x/month"


@functools.lru_cache(maxsize=1)
def _reference_days() -> list[tuple[int, int, int, int, int]]:
    """(month, day, last day of the month, cron weekday with Sunday = 0, week of the month) of
    every day of the reference year."""
    out = []
    day = _dt.date(REFERENCE_YEAR, 1, 1)
    for _ in range(365):
        next_month = (day.replace(day=28) + _dt.timedelta(days=4)).replace(day=1)
        last = (next_month - _dt.timedelta(days=1)).day
        out.append((day.month, day.day, last, (day.weekday() + 1) % 7, (day.day - 1) // 7 + 1))
        day += _dt.timedelta(days=1)
    return out


def _day_fraction(dom: list, month: list, dow: list) -> float:
    """Fraction of the reference year's days that match the day-of-month, month and day-of-week fields
    (Vixie cron: when both day fields are restricted, a day matching either runs)."""
    return _day_fraction_of(tuple(map(str, dom)), tuple(map(str, month)), tuple(map(str, dow)))


@functools.lru_cache(maxsize=1024)
def _day_fraction_of(dom: tuple, month: tuple, dow: tuple) -> float:
    dom, month, dow = list(dom), list(month), list(dow)
    any_dom = dom == ["*"]
    any_dow = dow == ["*"]
    months = None if month == ["*"] else {int(m) for m in month}
    doms = {d.lower() if d.lower() == "l" else int(d) for d in dom} if not any_dom else set()
    dows = None if any_dow else set()
    nth: dict[int, set[int]] = {}
    if not any_dow:
        for d in dow:
            if isinstance(d, str) and "#" in d:
                wd, n = d.split("#", 1)
                nth.setdefault(int(wd) % 7, set()).add(int(n))
            elif isinstance(d, str) and d.lower().endswith("l"):
                nth.setdefault(int(d[:-1] or 0) % 7, set()).add(-1)
            else:
                dows.add(int(d) % 7)
    hits = 0
    for month_no, day_no, last, cron_dow, week_no in _reference_days():
        if months is None or month_no in months:
            dom_ok = any_dom or day_no in doms or ("l" in doms and day_no == last)
            dow_ok = any_dow or (cron_dow in dows) or (
                cron_dow in nth and (week_no in nth[cron_dow] or (-1 in nth[cron_dow] and day_no + 7 > last))
            )
            if any_dom and any_dow:
                ok = True
            elif any_dom:
                ok = dow_ok
            elif any_dow:
                ok = dom_ok
            else:
                ok = dom_ok or dow_ok
            hits += ok
    return hits / 365


@functools.lru_cache(maxsize=4096)
def parse_unix_cron(fields: str) -> Schedule:
    """Five cron fields (or a macro): ``15 2 * * *``, ``*/5 * * * 1-5``, ``@daily``."""
    expr = fields.strip()
    if expr.lower() == "@reboot":
        return Schedule(expr, 0.0, "at every boot (@reboot)")
    spec = _MACROS.get(expr.lower(), expr)
    if re.search(rf"\d{{{_MAX_DIGITS + 1}}}", spec):
        return _invalid(expr, "a number in it is too large for a cron field")
    expanded, nth_weekday, error = _expand(spec)
    if error is not None:
        return _invalid(expr, f"cannot read {_quoted(expr)}: {error}")
    try:
        minutes, hours, dom, month, dow = expanded[:5]
        if nth_weekday:  # `5#2`: croniter lists the weekday (5) and returns its nth (2) apart
            dow = [d for d in dow if d not in nth_weekday] + [
                f"{wd}#{n}" for wd, ns in sorted(nth_weekday.items()) for n in sorted(ns)]
        per_day_slots = (60 if minutes == ["*"] else len(minutes)) * (24 if hours == ["*"] else len(hours))
        runs = per_day_slots * _day_fraction(dom, month, dow)
        return Schedule(expr, runs, _describe_cron(minutes, hours, runs), _shortest_gap(minutes, hours))
    except (ValueError, TypeError) as exc:  # a field croniter accepts that cron does not
        return _invalid(expr, f"cannot read {_quoted(expr)}: {exc}")


#: How many expansions the cache entry keeps (a repository has a few dozen expressions).
_MAX_KEPT_EXPANSIONS = 2048


def _expand(spec: str) -> tuple[list, dict, str | None]:
    """croniter's expansion of five cron fields: (fields, nth weekdays, None), or (None, None, the
    reason croniter gives) for fields it rejects.

    Importing croniter (with python-dateutil's time zones) is a fifth of a one-file scan, so its
    answers are kept in computefit's cache folder (:mod:`computefit.usercache`), in an entry named
    by computefit's version and the length and CRC-32 of croniter's module: a pre-commit run on a
    template whose expressions were read before never imports croniter. An upgrade of either reads
    a new entry."""
    memo = _expansions()
    kept = memo.get(spec)
    if kept is None:
        from croniter import croniter  # imported only for an expression not read before

        try:
            fields, nth = croniter.expand(spec)
            kept = {"fields": fields, "nth": {str(k): sorted(v) for k, v in nth.items()}}
        except Exception as exc:  # croniter raises its own error types for bad fields
            kept = {"error": str(exc)}
        memo[spec] = kept
        _keep_expansions(memo)
    if "error" in kept:
        return None, None, kept["error"]
    return [list(f) for f in kept["fields"]], {int(k): set(v) for k, v in kept["nth"].items()}, None


@functools.lru_cache(maxsize=1)
def _expansions_entry() -> str | None:
    """The cache entry's name, or None when croniter's module file cannot be read."""
    import importlib.util
    import os
    import zlib

    from . import __version__

    try:
        spec = importlib.util.find_spec("croniter")
        folder = next(iter(spec.submodule_search_locations or [])) if spec else None
        if folder is None:
            return None
        with open(os.path.join(folder, "croniter.py"), "rb") as fh:
            code = fh.read()
    except (ImportError, OSError, ValueError, StopIteration):
        return None
    return f"cron-expansions-{__version__}-croniter{len(code)}-{zlib.crc32(code):08x}.json"


@functools.lru_cache(maxsize=1)
def _expansions() -> dict:
    from . import usercache

    name = _expansions_entry()
    memo = usercache.read_json(name) if name else None
    return memo if isinstance(memo, dict) and all(_well_formed(v) for v in memo.values()) else {}


def _well_formed(kept) -> bool:
    if not isinstance(kept, dict):
        return False
    if "error" in kept:
        return isinstance(kept["error"], str)
    fields, nth = kept.get("fields"), kept.get("nth")
    return (isinstance(fields, list) and len(fields) >= 5
            and all(isinstance(f, list) and all(isinstance(x, (int, str)) for x in f) for f in fields)
            and isinstance(nth, dict) and all(k.isascii() and k.isdigit() and isinstance(v, list)
                                              and all(isinstance(n, int) for n in v) for k, v in nth.items()))


def _keep_expansions(memo: dict) -> None:
    from . import usercache

    name = _expansions_entry()
    if name is None:
        return
    while len(memo) > _MAX_KEPT_EXPANSIONS:  # the oldest first
        del memo[next(iter(memo))]
    usercache.write_json(name, memo)


def _shortest_gap(minutes: list, hours: list) -> float:
    """The smallest time (s) between two of a cron expression's times of day, across midnight too
    (a day when it runs at one time only)."""
    mins = range(60) if minutes == ["*"] else sorted(int(x) for x in minutes)
    hrs = range(24) if hours == ["*"] else sorted(int(x) for x in hours)
    slots = sorted(h * 60 + mi for h in hrs for mi in mins)
    gaps = [b - a for a, b in zip(slots, slots[1:])] + [slots[0] + 1440 - slots[-1]]
    return float(min(gaps) * 60)


def _describe_cron(minutes: list, hours: list, runs: float) -> str:
    if len(minutes) == 1 and len(hours) == 1 and minutes != ["*"] and hours != ["*"]:
        when = f"at {int(hours[0]):02d}:{int(minutes[0]):02d}"
        if runs <= 1.0 and runs > 0.99:
            return f"daily {when}"
        return f"{when}, {_fmt_rate(runs)}" if runs < 1 else f"{when}, {_fmt_rate(runs)}"
    return f"{_fmt_rate(runs)}"


#: AWS rate() units: singular for a value of 1, plural otherwise (both are accepted here).
_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def parse_aws(expr: str) -> Schedule:
    """EventBridge / Scheduler expressions: ``rate(1 day)``, ``cron(0 3 * * ? *)``, ``at(...)``."""
    text = expr.strip()
    m = re.fullmatch(r"rate\((.*)\)", text, re.I | re.S)
    if m:
        return _parse_rate(text, m.group(1))
    m = re.fullmatch(r"cron\((.*)\)", text, re.I | re.S)
    if m:
        parts = m.group(1).split()
        if len(parts) != 6:
            return _invalid(text, f"AWS cron takes 6 fields, not {len(parts)}")
        if re.search(rf"\d{{{_MAX_DIGITS + 1}}}", m.group(1)):
            return _invalid(text, "a number in it is too large for a cron field")
        minute, hour, dom, month, dow, _year = parts
        if dom != "?" and dow != "?":
            return _invalid(text, "AWS cron needs ? in the day-of-month or the day-of-week field")
        dom = "*" if dom == "?" else dom
        dow = "*" if dow == "?" else _aws_dow_to_unix(dow)
        if dom.upper() in ("L",):
            dom = "L"
        inner = parse_unix_cron(" ".join((minute, hour, dom, month, dow)))
        if inner.runs_per_day is None:
            if re.search(r"[LW#]", f"{dom} {dow}", re.I):  # valid AWS forms the cron reader cannot count
                return _unknown(text, "runs per day not counted: L, W and # days are not expanded")
            return _invalid(text, inner.invalid or inner.description)
        return Schedule(text, inner.runs_per_day, inner.description, inner.interval_seconds)
    if re.fullmatch(r"at\(.*\)", text, re.I | re.S):
        return Schedule(text, 0.0, "once (one-time schedule)")
    return _invalid(text, "not a rate(), cron() or at() expression")


def _parse_rate(text: str, inner: str) -> Schedule:
    parts = inner.split()
    if len(parts) != 2:
        return _invalid(text, "rate() takes a value and a unit, as in rate(5 minutes)")
    value, unit = parts[0], parts[1].lower()
    if not value.isdigit() or not value.isascii():
        return _invalid(text, f"rate value {_quoted(value)} is not a positive whole number")
    if len(value) > _MAX_DIGITS:
        return _invalid(text, f"rate value of {len(value)} digits")
    n = int(value)
    if n <= 0:
        return _invalid(text, "rate value must be at least 1")
    secs = _RATE_UNITS.get(unit)
    if secs is None:
        return _invalid(text, f"rate unit {_quoted(parts[1])}: AWS accepts minutes, hours and days")
    runs = 86400 / (n * secs)
    return Schedule(text, runs, f"every {n} {unit} ({_fmt_rate(runs)})", float(n * secs))


def _aws_dow_to_unix(field: str) -> str:
    """AWS day-of-week numbers are 1-7 with 1 = Sunday; Unix cron uses 0-6 with 0 = Sunday."""
    def conv(tok: str) -> str:
        if tok.isascii() and tok.isdigit():
            return str(int(tok) - 1)
        if "#" in tok:
            a, b = tok.split("#", 1)
            return f"{conv(a)}#{b}"
        if tok.upper().endswith("L") and tok[:-1].isascii() and tok[:-1].isdigit():
            return f"{int(tok[:-1]) - 1}L"
        return tok
    out = []
    for part in field.split(","):
        step = ""
        if "/" in part:
            part, step = part.split("/", 1)
            step = "/" + step
        if "-" in part:
            a, b = part.split("-", 1)
            out.append(f"{conv(a)}-{conv(b)}{step}")
        else:
            out.append(conv(part) + step)
    return ",".join(out)


#: A number and its unit in a systemd time span. The lookbehind starts a match only at the start of a
#: number (a match cannot start inside one anyway), which keeps the search linear on a long number.
_SPAN = _lazy(r"(?<![\d.])(\d+(?:\.\d+)?)\s*([a-zA-Z]+)")


def parse_duration(text: str) -> float | None:
    """systemd time spans: ``1h``, ``30min``, ``1d 2h``, ``900`` (seconds). None when it cannot be
    read, or is not a finite number of seconds."""
    text = text.strip()
    if not text or len(text) > 200:  # a real span is a few words
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        total = float(text)
    else:
        total = 0.0
        for num, unit in _SPAN.findall(text):
            secs = _UNIT_SECONDS.get(unit.lower())
            if secs is None:
                return None
            total += float(num) * secs
    return total if total and math.isfinite(total) else None


_SYSTEMD_SHORT = {
    "minutely": 1440.0, "hourly": 24.0, "daily": 1.0, "weekly": 1 / 7, "monthly": 12 / 365,
    "yearly": 1 / 365, "annually": 1 / 365, "quarterly": 4 / 365, "semiannually": 2 / 365,
}
_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class _Malformed(ValueError):
    """An OnCalendar part systemd would reject; the message says which."""


def parse_systemd_calendar(spec: str) -> Schedule:
    """``OnCalendar=`` values: ``daily``, ``*-*-* 02:00:00``, ``Mon..Fri *-*-* 09:00``, ``*:0/15``."""
    text = spec.strip()
    try:
        return _parse_systemd_calendar(text)
    except _Malformed as exc:
        return _invalid(text, f"OnCalendar={_quoted(text)[1:-1]}: {exc}")


def _weekday(name: str) -> int:
    if name[:3] not in _WEEKDAYS:
        raise _Malformed(f"{_quoted(name)} is not a weekday")
    return _WEEKDAYS.index(name[:3])


def _parse_systemd_calendar(text: str) -> Schedule:
    low = text.lower()
    if low in _SYSTEMD_SHORT:
        runs = _SYSTEMD_SHORT[low]
        return Schedule(text, runs, f"{low} ({_fmt_rate(runs)})")
    tokens = low.split()
    day_frac = 1.0
    if tokens and re.fullmatch(r"[a-z.,]+", tokens[0]) and tokens[0][:3] in _WEEKDAYS:
        days: set[int] = set()
        for part in tokens[0].split(","):
            if ".." in part:
                a, b = part.split("..", 1)
                ia, ib = _weekday(a), _weekday(b)
                days.update(range(ia, ib + 1) if ia <= ib else list(range(ia, 7)) + list(range(0, ib + 1)))
            else:
                days.add(_weekday(part))
        day_frac = len(days) / 7 if days else 1.0
        tokens = tokens[1:]
    date_part, time_part = "*-*-*", "00:00:00"
    for tok in tokens:
        if ":" in tok:
            time_part = tok
        elif "-" in tok or tok == "*":
            date_part = tok
    dparts = date_part.split("-")
    if len(dparts) == 3:
        _y, mon, dom = dparts
        if mon != "*":
            day_frac *= len(mon.split(",")) / 12
        if dom != "*":
            day_frac *= len(dom.split(",")) / 30.4
    tparts = time_part.split(":")
    if len(tparts) < 2:
        return _unknown(text, "cannot read OnCalendar time")

    def number(t: str, size: int, what: str) -> int:
        if not (t.isascii() and t.isdigit()) or len(t) > _MAX_DIGITS:
            raise ValueError(t)  # not a number: a form this reader does not know
        n = int(t)
        if n >= size:
            raise _Malformed(f"{what} {n} is out of range (0-{size - 1})")
        return n

    def count(field: str, size: int, what: str) -> int | None:
        if field == "*":
            return size
        values: set[int] = set()
        try:
            for part in field.split(","):
                if "/" in part:
                    start, step = part.split("/", 1)
                    s = number(start, size, what) if start not in ("", "*") else 0
                    st = number(step, 1 << 40, "step")
                    if st == 0:
                        raise _Malformed(f"a {what} step of 0")
                    values.update(range(s, size, st))
                elif ".." in part:
                    a, b = part.split("..", 1)
                    values.update(range(number(a, size, what), number(b, size, what) + 1))
                else:
                    values.add(number(part, size, what))
        except _Malformed:
            raise
        except ValueError:
            return None
        return len(values)

    hours, minutes = count(tparts[0], 24, "hour"), count(tparts[1], 60, "minute")
    if hours is None or minutes is None:
        return _unknown(text, "cannot read OnCalendar time")
    runs = hours * minutes * day_frac
    return Schedule(text, runs, f"OnCalendar={text} ({_fmt_rate(runs)})")


def interval(seconds: float, label: str) -> Schedule:
    if not (seconds > 0 and math.isfinite(seconds)):
        return _invalid(label, "an interval must be a positive number of seconds")
    runs = 86400 / seconds
    return Schedule(label, runs, f"every {_human_seconds(seconds)} ({_fmt_rate(runs)})")


def _human_seconds(s: float) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if s >= size and s % size == 0:
            n = int(s // size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{s:g} seconds"


def period_dir(name: str) -> Schedule:
    """``/etc/cron.daily`` and friends."""
    runs = _PERIOD_DIRS[name]
    return Schedule(f"/etc/cron.{name}", runs, f"{name} via /etc/cron.{name} ({_fmt_rate(runs)})")


def describe_rate(runs_per_day: float) -> str:
    return _fmt_rate(runs_per_day)


@dataclass(frozen=True)
class Window:
    """How long an auto scaling group runs under its recurring scheduled actions, simulated over
    the reference year (in the actions' own time zone: a DST change moves a window, not its length)."""

    hours_per_day: float  # hours a day with at least one instance running (average over the year)
    instance_hours_per_day: float  # instance-hours a day
    peak: int  # the most instances the actions run at once
    reaches_zero: bool  # the actions scale the group to 0 and back up on a recurrence
    longest_hours: float  # the longest time the group runs without a stop (24 * 365 when it never stops)
    description: str  # "scaled to 4 by `0 1 * * *`, to 0 by `0 5 * * *`"
    by: str = "scheduled actions"  # what runs the window: "scheduled actions", "the Instance Scheduler schedule X"
    resource: str | None = None  # the resource that defines it (an Instance Scheduler schedule)


#: A scheduled action of an auto scaling group: (recurrence, min_size, max_size, desired_capacity),
#: each size None when the action leaves it unchanged.
Action = tuple[str, "int | None", "int | None", "int | None"]

_MAX_ACTION_RUNS_PER_DAY = 48  # more often than every 30 minutes is not a window


def capacity_window(min_size: int, max_size: int, desired: int | None, actions: list[Action]) -> Window | str:
    """The group's running time under recurring scheduled actions (5-field Unix cron), or the
    reason it cannot be told (a recurrence that cannot be read, or one that fires too often)."""
    from croniter import croniter

    start = _dt.datetime(REFERENCE_YEAR, 1, 1)
    end = _dt.datetime(REFERENCE_YEAR + 1, 1, 1)
    events: list[tuple[_dt.datetime, int]] = []
    for i, (rec, *_sizes) in enumerate(actions):
        sched = parse_unix_cron(rec)
        if sched.runs_per_day is None:
            return f"recurrence {rec!r} could not be read"
        if sched.runs_per_day > _MAX_ACTION_RUNS_PER_DAY:
            return f"recurrence {rec!r} runs {_fmt_rate(sched.runs_per_day)}, too often to be a window"
        try:
            it = croniter(rec, start - _dt.timedelta(minutes=1))
            while (t := it.get_next(_dt.datetime)) < end:
                events.append((t, i))
        except Exception as exc:  # croniter's own error types
            return f"recurrence {rec!r} could not be expanded: {exc}"
    events.sort()

    def running(state: list) -> int:
        lo, hi, want = state
        return max(lo, min(hi, lo if want is None else want))

    longest = [0.0]

    def walk(state: list) -> tuple[list, float, float, int, int, int]:
        on_s = inst_s = 0.0
        peak, zeros, ups = running(state), 0, 0
        at = since = start
        for t, i in events:
            n = running(state)
            span = (t - at).total_seconds()
            inst_s += n * span
            on_s += span if n > 0 else 0.0
            at = t
            _rec, lo, hi, want = actions[i]
            state = [state[0] if lo is None else lo, state[1] if hi is None else hi,
                     state[2] if want is None else want]
            state[2] = after = running(state)  # the group's desired capacity follows min and max
            peak = max(peak, after)
            zeros += n > 0 and after == 0
            ups += n == 0 and after > 0
            if n == 0 and after > 0:
                since = t
            elif n > 0 and after == 0:
                longest[0] = max(longest[0], (t - since).total_seconds())
        n = running(state)
        span = (end - at).total_seconds()
        if n > 0:
            longest[0] = max(longest[0], (end - since).total_seconds())
        return state, on_s + (span if n > 0 else 0.0), inst_s + n * span, peak, zeros, ups

    first = walk([min_size, max_size, desired])
    longest[0] = 0.0
    state, on_s, inst_s, peak, zeros, ups = walk(first[0])  # from where the year's cycle leaves the group
    days = (end - start).days
    described = ", ".join(f"to {_sizes_text(lo, hi, want)} by `{rec}`" for rec, lo, hi, want in actions)
    return Window(on_s / 3600 / days, inst_s / 3600 / days, peak, zeros > 0 and ups > 0, longest[0] / 3600,
                  "scaled " + described)


def _sizes_text(lo: int | None, hi: int | None, want: int | None) -> str:
    if want is not None:
        return str(want)
    if lo is not None and lo == hi:
        return str(lo)
    return f"min {'-' if lo is None else lo} / max {'-' if hi is None else hi}"


# -- Instance Scheduler on AWS periods ---------------------------------------------------------------

_IS_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_IS_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
              "october", "november", "december")
_IS_TIME = _lazy(r"^(\d{1,2}):(\d{2})$")


def _is_field(value: object, names: tuple[str, ...], lo: int, hi: int, what: str) -> "set[int] | None | str":
    """A period's weekdays, months or monthdays (``mon-fri``, ``sat,sun``, ``1-3``, or a list of
    those) as a set of numbers; None for every value; a str (the reason) for what is not read
    (``mon#1``, ``L``, ``15W``: the nth / last / nearest weekday)."""
    if value is None:
        return None
    parts = value if isinstance(value, list) else [value]
    lookup = {n: i + lo for i, n in enumerate(names)} | {n[:3]: i + lo for i, n in enumerate(names)}
    out: set[int] = set()
    for part in parts:
        if not isinstance(part, str):
            return f"{what} {part!r} is not known statically"
        for item in part.split(","):
            item = item.strip().lower()
            ends = item.split("-")
            if len(ends) > 2 or not item:
                return f"{what} {item!r} could not be read"
            nums = []
            for e in ends:
                e = e.strip()
                if e in lookup:
                    nums.append(lookup[e])
                elif e.isdigit() and lo <= int(e) <= hi:
                    nums.append(int(e))
                else:
                    return f"{what} {item!r} could not be read (only names, numbers and ranges are)"
            if nums[0] > nums[-1]:
                return f"{what} range {item!r} runs backwards"
            out.update(range(nums[0], nums[-1] + 1))
    return out


def _is_time(value: object, what: str) -> "int | None | str":
    """A period's begintime / endtime (``9:00``, ``16:59``) as minutes after midnight."""
    if value is None:
        return None
    mt = _IS_TIME.match(value.strip()) if isinstance(value, str) else None
    if mt is None or int(mt.group(1)) > 23 or int(mt.group(2)) > 59:
        return f"{what} {value!r} is not a time HH:MM"
    return int(mt.group(1)) * 60 + int(mt.group(2))


def _is_get(period: dict, key: str) -> object:
    """A period field in either spelling: ``BeginTime`` (the custom resource) or ``begintime``
    (the configuration table)."""
    return next((v for k, v in period.items() if isinstance(k, str) and k.lower() == key), None)


def scheduler_window(name: str, periods: object, count: int, timezone: object = None) -> "Window | str":
    """How long an Instance Scheduler on AWS schedule runs an instance (or ``count`` instances),
    simulated over the reference year in the schedule's time zone, as the solution decides each
    minute: a period is running when ``begintime <= time < endtime`` on its days (all day without
    either time; one-sided periods leave the state as it is), and the schedule runs when any
    period is running. Or the reason the periods cannot be read."""
    if not isinstance(periods, list) or not periods:
        return "the schedule has no periods" if isinstance(periods, list) or periods is None else \
            f"its periods are not known statically ({getattr(periods, 'reason', type(periods).__name__)})"
    parsed = []
    texts = []
    for i, p in enumerate(periods, 1):
        if not isinstance(p, dict):
            return f"period {i} is not known statically"
        begin = _is_time(_is_get(p, "begintime"), "begin time")
        end = _is_time(_is_get(p, "endtime"), "end time")
        days = _is_field(_is_get(p, "weekdays"), _IS_DAYS, 0, 6, "weekdays")
        months = _is_field(_is_get(p, "months"), _IS_MONTHS, 1, 12, "months")
        mdays = _is_field(_is_get(p, "monthdays"), (), 1, 31, "monthdays")
        for v in (begin, end, days, months, mdays):
            if isinstance(v, str):
                return f"period {i}: {v}"
        if begin is not None and end is not None and begin > end:
            return f"period {i}: begin time after end time (the solution rejects it)"
        parsed.append((begin, end, days, months, mdays))
        when = " ".join(str(_is_get(p, k)) for k in ("weekdays", "months", "monthdays") if _is_get(p, k) is not None)
        hhmm = lambda t: f"{t // 60:02d}:{t % 60:02d}"  # noqa: E731
        span = (f"{hhmm(begin)}-{hhmm(end)}" if begin is not None and end is not None else
                f"from {hhmm(begin)}" if begin is not None else f"until {hhmm(end)}" if end is not None else "all day")
        texts.append(f"{span} {when or 'every day'}")

    def state_at(t: int, day: _dt.date) -> "bool | None":
        running = anything = False
        for begin, end, days, months, mdays in parsed:
            if ((days is not None and day.weekday() not in days) or (months is not None and day.month not in months)
                    or (mdays is not None and day.day not in mdays)):
                continue  # a period that does not apply today: stopped
            if begin is None and end is None:
                running = True
            elif begin is None:
                anything = anything or t < end
            elif end is None:
                running = running or t >= begin
                anything = anything or t < begin
            else:
                running = running or begin <= t < end
        return True if running else None if anything else False

    cuts = sorted({0} | {t for b, e, *_ in parsed for t in (b, e) if t is not None})
    start = _dt.date(REFERENCE_YEAR, 1, 1)
    days_in_year = 365
    on = False
    on_min = 0
    longest = run = 0
    starts = stops = 0
    for year_pass in range(2):  # the second pass starts from where the year leaves the state
        on_min = longest = starts = stops = 0
        run = 0 if not on else run
        for d in range(days_in_year):
            day = start + _dt.timedelta(days=d)
            for j, a in enumerate(cuts):
                b = cuts[j + 1] if j + 1 < len(cuts) else 24 * 60
                want = state_at(a, day)
                new = on if want is None else want
                starts += new and not on
                stops += on and not new
                if new and not on:
                    run = 0
                on = new
                if on:
                    on_min += b - a
                    run += b - a
                    longest = max(longest, run)
    hours = on_min / 60 / days_in_year
    tz = f" ({timezone})" if isinstance(timezone, str) else ""
    return Window(hours, hours * count, count if on_min else 0, starts > 0 and stops > 0,
                  min(longest / 60, 24 * days_in_year),
                  f"Instance Scheduler schedule `{name}`: " + ", ".join(texts) + tz,
                  f"the Instance Scheduler schedule {name}")
