"""Human-readable report: findings grouped by file, ``path:line  ID  severity  message``, the
recommendation and cost lines under each, a summary line at the end. Colour only when asked
(the CLI asks when writing to a terminal and NO_COLOR is not set)."""

from __future__ import annotations

from itertools import groupby

_COLORS = {"error": "31", "warning": "33", "info": "36", "dim": "2", "bold": "1", "green": "32"}


def _c(text: str, style: str, on: bool) -> str:
    return f"\033[{_COLORS[style]}m{text}\033[0m" if on else text


def _money(v) -> str:
    return "unknown" if v is None else f"${v:,.2f}/month"


def render(result, options) -> str:
    color = options.color
    out: list[str] = []
    for file, group in groupby(result.findings, key=lambda f: f.location.file):
        out.append(_c(file, "bold", color))
        for f in group:
            sev = _c(f"{f.severity:<7}", f.severity, color)
            out.append(f"  {f.location.file}:{f.location.line}  {f.check_id}  {sev}  {f.message}")
            out.append(f"      resource: {f.resource} ({f.resource_type}); confidence: {f.confidence}")
            out.append(f"      {_c('fix:', 'green', color)} {f.recommendation}")
            for cost in f.costs:
                out.append(f"      cost: {cost.option}: {_money(cost.monthly_usd)}")
                for a in cost.assumptions:
                    out.append(_c(f"            - {a}", "dim", color))
        out.append("")
    if options.show_suppressed and result.suppressed:
        out.append(_c("Suppressed", "bold", color))
        for f, why in result.suppressed:
            out.append(f"  {f.location.file}:{f.location.line}  {f.check_id}  {f.resource}: {why}")
        out.append("")
    stale = getattr(result, "baseline_stale", [])
    if stale:
        out.append(_c(f"Stale baseline entries (no longer found; refresh {result.baseline} with --write-baseline)",
                      "bold", color))
        for e in stale:
            times = f" (x{e.count})" if e.count != 1 else ""
            out.append(f"  {e.file}  {e.check_id}  {e.resource}{times}")
        out.append("")
    if result.errors:
        out.append(_c("Errors", "bold", color))
        for e in result.errors:
            where = f"{e.file}:{e.line}" if e.line else e.file
            out.append(f"  {where}  {_c('error', 'error', color)}  {e.message}")
        out.append("")
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in result.findings:
        counts[f.severity] += 1
    n = len(result.findings)
    summary = (
        f"{n} finding{'s' if n != 1 else ''} ({counts['error']} error, {counts['warning']} warning, "
        f"{counts['info']} info) in {result.files_scanned} file{'s' if result.files_scanned != 1 else ''}"
    )
    if result.errors:
        summary += f"; {len(result.errors)} file{'s' if len(result.errors) != 1 else ''} could not be read"
    if result.suppressed:
        summary += f"; {len(result.suppressed)} suppressed"
    if stale:
        summary += f"; {len(stale)} stale baseline entr{'ies' if len(stale) != 1 else 'y'}"
    out.append(_c(summary, "bold", color))
    return "\n".join(out) + "\n"
