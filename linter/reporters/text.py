"""Human-readable report: findings grouped by file, ``path:line  ID  severity  message``, the
recommendation and cost lines under each, a summary line at the end. Colour only when asked
(the CLI asks when writing to a terminal and NO_COLOR is not set)."""

from __future__ import annotations

import shlex
from itertools import groupby

from .common import is_file_path, money, summary_line, visible

_COLORS = {"error": "31", "warning": "33", "info": "36", "dim": "2", "bold": "1", "green": "32"}


def _c(text: str, style: str, on: bool) -> str:
    return f"\033[{_COLORS[style]}m{text}\033[0m" if on else text


def _s(value) -> str:
    """Text from the scanned files (resource names, user data quoted in a message, file names),
    made safe to print to a terminal: control characters (ANSI and OSC escape sequences), bidi
    overrides and surrogates become visible escapes (common.visible); a tab stays."""
    return visible(value)


def _path(path: str) -> str:
    """A file name as the text report prints it: visible escapes, and quoted for a POSIX shell
    when it holds anything but letters, digits and ``@%+=:,./-_`` (as ``ls`` quotes names), so a
    name such as ``$(cmd).yaml`` copied into a shell is the name, not a command."""
    text = visible(path, keep="")
    return shlex.quote(text) if is_file_path(path) else text


def finding_details(f, color: bool = False, indent: str = "") -> list[str]:
    """The lines under a finding's headline: resource, confidence, fix, costs and assumptions
    (also the body of a JUnit failure)."""
    out = [
        f"{indent}resource: {_s(f.resource)} ({_s(f.resource_type)}); confidence: {f.confidence}",
        f"{indent}{_c('fix:', 'green', color)} {_s(f.recommendation)}",
    ]
    for cost in f.costs:
        out.append(f"{indent}cost: {_s(cost.option)}: {money(cost.monthly_usd)}")
        for a in cost.assumptions:
            out.append(_c(f"{indent}      - {_s(a)}", "dim", color))
    return out


def render(result, options) -> str:
    color = options.color
    out: list[str] = []
    for file, group in groupby(result.findings, key=lambda f: f.location.file):
        out.append(_c(_path(file), "bold", color))
        for f in group:
            sev = _c(f"{f.severity:<7}", f.severity, color)
            out.append(f"  {_path(f.location.file)}:{f.location.line}  {f.check_id}  {sev}  {_s(f.message)}")
            out.extend(finding_details(f, color, indent="      "))
        out.append("")
    if options.show_suppressed and result.suppressed:
        out.append(_c("Suppressed", "bold", color))
        for f, why in result.suppressed:
            out.append(f"  {_path(f.location.file)}:{f.location.line}  {f.check_id}  {_s(f.resource)}: {_s(why)}")
        out.append("")
    stale = getattr(result, "baseline_stale", [])
    if stale:
        out.append(_c(f"Stale baseline entries (no longer found; refresh {_path(result.baseline)} "
                      "with --write-baseline)", "bold", color))
        for e in stale:
            times = f" (x{e.count})" if e.count != 1 else ""
            out.append(f"  {_path(e.file)}  {e.check_id}  {_s(e.resource)}{times}")
        out.append("")
    if result.errors:
        out.append(_c("Errors", "bold", color))
        for e in result.errors:
            where = f"{_path(e.file)}:{e.line}" if e.line else _path(e.file)
            out.append(f"  {where}  {_c('error', 'error', color)}  {_s(e.message)}")
        out.append("")
    notices = getattr(result, "notices", [])
    if notices:
        out.append(_c("Notices (not read or not followed; they do not change the exit code)", "bold", color))
        for n in notices:
            where = f"{n.file}:{n.line}" if n.line else n.file
            out.append(f"  {_s(where)}  {_c('notice', 'dim', color)}  {_s(n.message)}")
        out.append("")
    out.append(_c(summary_line(result), "bold", color))
    return "\n".join(out) + "\n"
