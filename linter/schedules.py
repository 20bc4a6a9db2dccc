"""Schedule expressions -> how often they run.

Reads Unix crontab lines (5 fields, ``/etc/cron.d`` lines with a user field, ``@daily`` macros), AWS
``cron(6 fields)`` and ``rate(n unit)``, systemd ``OnCalendar=`` and ``OnUnitActiveSec=``. Field
expansion (ranges, steps, lists, month and day names, ``L``) is croniter's; runs per day are averaged
over a reference year so month and weekday restrictions count. An expression that cannot be read has
``runs_per_day = None`` and is described as unknown.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

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
    expression: str
    runs_per_day: float | None  # None when it could not be read
    description: str
    #: The shortest time between two runs, in seconds (None when not known): a rate's interval, or
    #: the smallest gap between a cron expression's times of day. Derived from the expression, so
    #: not part of equality.
    interval_seconds: float | None = field(default=None, compare=False)

    @property
    def known(self) -> bool:
        return self.runs_per_day is not None


def _unknown(expr: str, why: str) -> Schedule:
    return Schedule(expr, None, f"unknown schedule ({why})")


def _nice(x: float) -> str:
    return str(int(round(x))) if abs(x - round(x)) < 0.05 else f"{x:.1f}"


def _fmt_rate(runs: float) -> str:
    if runs >= 1:
        return f"{_nice(runs)}x/day"
    per_week = runs * 7
    if per_week >= 0.95:
        return f"{_nice(per_week)}x/week"
    return f"{_nice(runs * 365 / 12)}x/month"


def _day_fraction(dom: list, month: list, dow: list) -> float:
    """Fraction of the reference year's days that match the day-of-month, month and day-of-week fields
    (Vixie cron: when both day fields are restricted, a day matching either runs)."""
    any_dom = dom == ["*"]
    any_dow = dow == ["*"]
    months = None if month == ["*"] else {int(m) for m in month}
    doms = set(dom)
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
    day = _dt.date(REFERENCE_YEAR, 1, 1)
    hits = 0
    for _ in range(365):
        if months is None or day.month in months:
            next_month = (day.replace(day=28) + _dt.timedelta(days=4)).replace(day=1)
            last = (next_month - _dt.timedelta(days=1)).day
            dom_ok = any_dom or day.day in doms or ("l" in doms and day.day == last)
            cron_dow = (day.weekday() + 1) % 7  # Monday=1 ... Sunday=0
            week_no = (day.day - 1) // 7 + 1
            dow_ok = any_dow or (cron_dow in dows) or (
                cron_dow in nth and (week_no in nth[cron_dow] or (-1 in nth[cron_dow] and day.day + 7 > last))
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
        day += _dt.timedelta(days=1)
    return hits / 365


def parse_unix_cron(fields: str) -> Schedule:
    """Five cron fields (or a macro): ``15 2 * * *``, ``*/5 * * * 1-5``, ``@daily``."""
    expr = fields.strip()
    if expr.lower() == "@reboot":
        return Schedule(expr, 0.0, "at every boot (@reboot)")
    spec = _MACROS.get(expr.lower(), expr)
    try:
        from croniter import croniter  # imported only when a schedule is read

        expanded, _ = croniter.expand(spec)
    except Exception as exc:  # croniter raises its own error types for bad fields
        return _unknown(expr, f"cannot read {expr!r}: {exc}")
    minutes, hours, dom, month, dow = expanded[:5]
    per_day_slots = (60 if minutes == ["*"] else len(minutes)) * (24 if hours == ["*"] else len(hours))
    runs = per_day_slots * _day_fraction(dom, month, dow)
    return Schedule(expr, runs, _describe_cron(minutes, hours, runs), _shortest_gap(minutes, hours))


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


def parse_aws(expr: str) -> Schedule:
    """EventBridge / Scheduler expressions: ``rate(1 day)``, ``cron(0 3 * * ? *)``, ``at(...)``."""
    text = expr.strip()
    m = re.fullmatch(r"rate\(\s*(\d+)\s+([a-z]+)\s*\)", text, re.I)
    if m:
        n, unit = int(m.group(1)), m.group(2).lower()
        secs = _UNIT_SECONDS.get(unit)
        if not secs or n <= 0 or unit.startswith(("s", "w", "mo", "y")) and unit not in ("minute", "minutes"):
            if unit not in ("minute", "minutes", "hour", "hours", "day", "days"):
                return _unknown(text, f"rate unit {unit!r}")
        runs = 86400 / (n * secs)
        return Schedule(text, runs, f"every {n} {unit} ({_fmt_rate(runs)})", float(n * secs))
    m = re.fullmatch(r"cron\((.*)\)", text, re.I)
    if m:
        parts = m.group(1).split()
        if len(parts) != 6:
            return _unknown(text, "AWS cron takes 6 fields")
        minute, hour, dom, month, dow, _year = parts
        dom = "*" if dom == "?" else dom
        dow = "*" if dow == "?" else _aws_dow_to_unix(dow)
        if dom.upper() in ("L",):
            dom = "L"
        inner = parse_unix_cron(" ".join((minute, hour, dom, month, dow)))
        if inner.runs_per_day is None:
            return _unknown(text, inner.description)
        return Schedule(text, inner.runs_per_day, inner.description, inner.interval_seconds)
    if re.fullmatch(r"at\(.*\)", text, re.I):
        return Schedule(text, 0.0, "once (one-time schedule)")
    return _unknown(text, "not a rate(), cron() or at() expression")


def _aws_dow_to_unix(field: str) -> str:
    """AWS day-of-week numbers are 1-7 with 1 = Sunday; Unix cron uses 0-6 with 0 = Sunday."""
    def conv(tok: str) -> str:
        if tok.isdigit():
            return str(int(tok) - 1)
        if "#" in tok:
            a, b = tok.split("#", 1)
            return f"{conv(a)}#{b}"
        if tok.upper().endswith("L") and tok[:-1].isdigit():
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


def parse_duration(text: str) -> float | None:
    """systemd time spans: ``1h``, ``30min``, ``1d 2h``, ``900`` (seconds)."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    total = 0.0
    for num, unit in re.findall(r"(\d+(?:\.\d+)?)\s*([a-zA-Z]+)", text):
        secs = _UNIT_SECONDS.get(unit.lower())
        if secs is None:
            return None
        total += float(num) * secs
    return total or None


_SYSTEMD_SHORT = {
    "minutely": 1440.0, "hourly": 24.0, "daily": 1.0, "weekly": 1 / 7, "monthly": 12 / 365,
    "yearly": 1 / 365, "annually": 1 / 365, "quarterly": 4 / 365, "semiannually": 2 / 365,
}
_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def parse_systemd_calendar(spec: str) -> Schedule:
    """``OnCalendar=`` values: ``daily``, ``*-*-* 02:00:00``, ``Mon..Fri *-*-* 09:00``, ``*:0/15``."""
    text = spec.strip()
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
                ia, ib = _WEEKDAYS.index(a[:3]), _WEEKDAYS.index(b[:3])
                days.update(range(ia, ib + 1) if ia <= ib else list(range(ia, 7)) + list(range(0, ib + 1)))
            elif part[:3] in _WEEKDAYS:
                days.add(_WEEKDAYS.index(part[:3]))
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

    def count(field: str, size: int) -> int | None:
        if field == "*":
            return size
        total = 0
        for part in field.split(","):
            if "/" in part:
                start, step = part.split("/", 1)
                try:
                    s, st = int(start or 0) if start != "*" else 0, int(step)
                except ValueError:
                    return None
                total += len(range(s, size, st)) if st > 0 else 1
            elif ".." in part:
                a, b = part.split("..", 1)
                try:
                    total += int(b) - int(a) + 1
                except ValueError:
                    return None
            else:
                total += 1
        return total

    hours, minutes = count(tparts[0], 24), count(tparts[1], 60)
    if hours is None or minutes is None:
        return _unknown(text, "cannot read OnCalendar time")
    runs = hours * minutes * day_frac
    return Schedule(text, runs, f"OnCalendar={text} ({_fmt_rate(runs)})")


def interval(seconds: float, label: str) -> Schedule:
    runs = 86400 / seconds if seconds > 0 else None
    if runs is None:
        return _unknown(label, "zero interval")
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
