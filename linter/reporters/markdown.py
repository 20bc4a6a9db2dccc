"""A GitHub-flavoured markdown summary for a pull-request or merge-request comment (or
``$GITHUB_STEP_SUMMARY``): a heading with the counts, a table per file (line, check, severity,
resource, message), each finding's recommendation and costs in a collapsed ``<details>`` block, the
suppressed findings (when shown), the files that could not be read and the notices (what was not
read, such as a file outside the read boundary).

Table cells escape ``|``, HTML and ``$`` (GitHub reads ``$...$`` as math), and turn line breaks into
``<br>``, so a message cannot break the table or the comment.
"""

from __future__ import annotations

import html
from itertools import groupby

from .common import check_docs_url, money, report_path, summary_line


def _escape(text) -> str:
    """HTML escaped, and ``$`` escaped so that two prices on a line are not read as TeX math."""
    return html.escape(str(text), quote=False).replace("$", "\\$")


def cell(text) -> str:
    """``text`` safe inside a table cell: escaped, ``|`` escaped, line breaks as ``<br>``."""
    return "<br>".join(_escape(text).replace("|", "\\|").splitlines())


def _inline(text) -> str:
    """``text`` safe in a paragraph or list item (escaped, one line)."""
    return " ".join(_escape(text).split())


def _details(f) -> list[str]:
    line = f" (line {f.location.line})" if f.location.line else ""
    summary = f"{f.check_id} {_inline(f.resource)}{line}: fix and costs"
    out = ["<details>", f"<summary>{summary}</summary>", "", f"**Fix:** {_inline(f.recommendation)}", ""]
    if f.costs:
        d = f.to_dict()["costs"]
        out.append(f"Monthly cost ({d['currency']}, {d['region']}, prices as of {d['prices_as_of']}):")
        out.append("")
        for c in f.costs:
            out.append(f"- {_inline(c.option)}: **{_inline(money(c.monthly_usd))}**")
            out.extend(f"  - {_inline(a)}" for a in c.assumptions)
        out.append("")
    out.append(f"Confidence: {f.confidence}. Resource type: `{f.resource_type}`.")
    out += ["", "</details>", ""]
    return out


def render(result, options) -> str:
    out = [f"## computefit: {summary_line(result)}", ""]
    if not result.findings and not result.errors:
        out += ["No compute-model mismatches found.", ""]
    for file, group in groupby(result.findings, key=lambda f: report_path(f.location.file)):
        findings = list(group)
        out += [f"### `{file}`", "", "| Line | Check | Severity | Resource | Message |",
                "|---:|---|---|---|---|"]
        for f in findings:
            check = f"[{f.check_id}]({check_docs_url(f.check_id)}) {cell(f.check_name)}"
            out.append(f"| {f.location.line or ''} | {check} | {f.severity} | {cell(f.resource)} | {cell(f.message)} |")
        out.append("")
        for f in findings:
            out.extend(_details(f))
    if options.show_suppressed and result.suppressed:
        out += ["### Suppressed", "", "| File | Line | Check | Resource | Reason |", "|---|---:|---|---|---|"]
        for f, why in result.suppressed:
            out.append(f"| {cell(report_path(f.location.file))} | {f.location.line or ''} | {f.check_id} "
                       f"| {cell(f.resource)} | {cell(why)} |")
        out.append("")
    if result.errors:
        out += ["### Errors", "", "| File | Line | Message |", "|---|---:|---|"]
        for e in result.errors:
            out.append(f"| {cell(report_path(e.file))} | {e.line or ''} | {cell(e.message)} |")
        out.append("")
    notices = getattr(result, "notices", [])
    if notices:
        out += ["### Notices", ""]
        for n in notices:
            where = f"{report_path(n.file)}:{n.line}" if n.line else report_path(n.file)
            out.append(f"- {_inline(where)}: {_inline(n.message)}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
