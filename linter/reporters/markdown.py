"""A GitHub-flavoured markdown summary for a pull-request or merge-request comment (or
``$GITHUB_STEP_SUMMARY``): a heading with the counts, a table per file (line, check, severity,
resource, message), each finding's recommendation and costs in a collapsed ``<details>`` block, the
suppressed findings (when shown), the files that could not be read and the notices (what was not
read, such as a file outside the read boundary).

Everything taken from the scanned files (file names, resource names and types, messages quoting
user data) is escaped so that it shows as written and cannot render as a link, an image, HTML,
emphasis or math in a GitHub comment or job summary, nor break the table: see :func:`escape`,
:func:`code` (file names in headings) and :func:`html_text` (inside the ``<summary>`` HTML).
Table cells also escape ``|`` and turn line breaks into ``<br>``.
"""

from __future__ import annotations

import html
import re
from itertools import groupby

from .common import (check_docs_url, cost_text, cost_totals, count_by_check, money, report_path, resource_label,
                     summary_line, totals_sentence, utf8, visible)
from ..lazyre import LazyPattern as _lazy

#: Markdown punctuation that can start a link or image (``[``), code, emphasis, strikethrough,
#: math (GitHub reads ``$...$`` as TeX), a table cell boundary, or escape what follows (``\``).
_MARKDOWN = _lazy(r"([\\`*_\[\]~$|])")
#: GitHub's extended autolinks: ``scheme://`` and ``www.`` (a backslash escape splits the text, so
#: no link is recognised) and e-mail addresses (a word joiner before ``@`` breaks the address).
_AUTOLINK = _lazy(r"(?<=[A-Za-z0-9])(:)(?=//)|(?<=www)(\.)", re.IGNORECASE)


def escape(text) -> str:
    """``text`` as literal markdown: control characters, bidi overrides and surrogates as visible
    escapes (line breaks kept), HTML escaped, markdown punctuation backslash-escaped, autolinks
    defused. Renders as the text, never as markup."""
    out = html.escape(visible(text, keep="\t\n\r"), quote=False)
    out = _MARKDOWN.sub(r"\\\1", out)
    out = _AUTOLINK.sub(lambda m: "\\" + m.group(), out)
    return out.replace("@", "\u2060@")


def code(text) -> str:
    """``text`` as a code span (nothing inside renders: no link, HTML or emphasis), on one line:
    line breaks and other control characters as visible escapes, a fence longer than any run of
    backticks in the text."""
    body = visible(text, keep="")
    fence = "`" * (max((len(run) for run in re.findall("`+", body)), default=0) + 1)
    pad = " " if body[:1] in ("`", " ") or body[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def html_text(text) -> str:
    """``text`` inside raw HTML (where markdown is not read, so backslashes would show): visible
    escapes, HTML escaped, one line."""
    return " ".join(html.escape(visible(text, keep="\t\n\r")).split())


def cell(text) -> str:
    """``text`` safe inside a table cell: escaped (``|`` too), line breaks as ``<br>``."""
    return "<br>".join(escape(text).splitlines())


def _path_cell(path: str) -> str:
    """A file name in a table cell: escaped, a line break in it shown as ``\\x0a``."""
    return cell(visible(report_path(path), keep=""))


def _inline(text) -> str:
    """``text`` safe in a paragraph or list item (escaped, one line)."""
    return " ".join(escape(text).split())


def _details(f) -> list[str]:
    line = f" (line {f.location.line})" if f.location.line else ""
    summary = f"{f.check_id} {html_text(resource_label(f))}{line}: fix and costs"
    out = ["<details>", f"<summary>{summary}</summary>", "", f"**Fix:** {_inline(f.recommendation)}", ""]
    if f.costs:
        from ..prices import header_of

        out.append(f"Monthly cost ({_inline(header_of(f.pricing))}):")
        out.append("")
        for c in f.costs:
            out.append(f"- {_inline(c.option)}: **{_inline(cost_text(c))}**")
            out.extend(f"  - {_inline(a)}" for a in c.assumptions)
        out.append("")
    out.append(f"Confidence: {f.confidence}. Resource type: {code(f.resource_type)}.")
    out += ["", "</details>", ""]
    return out


def _cost_totals(findings) -> list[str]:
    """The totals the report ends with: overall, then a table per check."""
    totals = cost_totals(findings)
    if totals is None:
        return []
    t = totals["overall"]
    out = ["### Costs", "", f"{_inline(totals_sentence(t))} ({_inline('; '.join(totals['bases']))}; "
           "each finding lists its assumptions).", "",
           "| Check | Findings | Current | Potential saving | On assumed usage | No monthly figure |",
           "|---|---:|---:|---:|---:|---:|"]
    for cid, c in totals["by_check"].items():
        out.append(f"| {cid} | {c['findings']} | {escape(money(c['current']))} | {escape(money(c['saving']))} "
                   f"| {escape(money(c['assumed']))} | {c['unpriced']} |")
    out.append(f"| **All** | {t['findings']} | {escape(money(t['current']))} | {escape(money(t['saving']))} "
               f"| {escape(money(t['assumed']))} | {t['unpriced']} |")
    return out + [""]


def render(result, options) -> str:
    text = _render(result, options)
    if not getattr(options, "github_limits", False):
        return text
    from .. import facts

    return within_bytes(text, facts.value("github.step_summary_max") - 4096)


def within_bytes(text: str, limit: int) -> str:
    """``text`` cut at a line (outside a ``<details>`` block, at a heading when it can) so that
    it fits ``limit`` UTF-8 bytes with a last line saying what was left out."""
    if len(utf8(text)) <= limit:
        return text
    lines = text.split("\n")
    note = ("", "_The rest of this report is left out to stay within GitHub's 1 MiB job-summary "
                "limit: the log, the SARIF or JSON report has every finding._", "")
    budget = limit - len(utf8("\n".join(note))) - 1
    kept, size, depth, cut = [], 0, 0, 0
    for i, line in enumerate(lines):
        size += len(utf8(line)) + 1
        if size > budget:
            break
        kept.append(line)
        depth += line.count("<details>") - line.count("</details>")
        if depth == 0 and (i + 1 == len(lines) or not lines[i + 1].startswith("|")):
            cut = len(kept)  # a safe place: not inside a table or a details block
    return "\n".join(kept[:cut]).rstrip("\n") + "\n" + "\n".join(note)


def _render(result, options) -> str:
    out = [f"## computefit: {summary_line(result)}", ""]
    if not result.findings and not result.errors:
        out += ["No compute-model mismatches found.", ""]
    by_check = count_by_check(result.findings)
    if by_check:
        names = {f.check_id: f.check_name for f in result.findings}
        out += ["| Check | Findings | Error | Warning | Info |", "|---|---:|---:|---:|---:|"]
        for cid, n in by_check.items():
            out.append(f"| [{cid}]({check_docs_url(cid)}) {cell(names[cid])} | {n['findings']} | {n['error']} "
                       f"| {n['warning']} | {n['info']} |")
        out.append("")
    for file, group in groupby(result.findings, key=lambda f: report_path(f.location.file)):
        findings = list(group)
        out += [f"### {code(file)}", "", "| Line | Check | Severity | Resource | Message |",
                "|---:|---|---|---|---|"]
        for f in findings:
            check = f"[{f.check_id}]({check_docs_url(f.check_id)}) {cell(f.check_name)}"
            out.append(f"| {f.location.line or ''} | {check} | {f.severity} | {cell(resource_label(f))} | {cell(f.message)} |")
        out.append("")
        for f in findings:
            out.extend(_details(f))
    if options.show_suppressed and result.suppressed:
        out += ["### Suppressed", "", "| File | Line | Check | Resource | Reason |", "|---|---:|---|---|---|"]
        for f, why in result.suppressed:
            out.append(f"| {_path_cell(f.location.file)} | {f.location.line or ''} | {f.check_id} "
                       f"| {cell(f.resource)} | {cell(why)} |")
        out.append("")
    if result.errors:
        out += ["### Errors", "", "| File | Line | Message |", "|---|---:|---|"]
        for e in result.errors:
            out.append(f"| {_path_cell(e.file)} | {e.line or ''} | {cell(e.message)} |")
        out.append("")
    notices = getattr(result, "notices", [])
    if notices:
        out += ["### Notices", ""]
        for n in notices:
            where = f"{report_path(n.file)}:{n.line}" if n.line else report_path(n.file)
            out.append(f"- {_inline(where)}: {_inline(n.message)}")
            for i in n.items:  # a grouped notice: each one it stands for, one level down
                at = f"{report_path(i.file)}:{i.line}" if i.line else report_path(i.file)
                out.append(f"  - {_inline(at)}: {_inline(i.message)}")
        out.append("")
    out += _cost_totals(result.findings)
    return "\n".join(out).rstrip("\n") + "\n"
