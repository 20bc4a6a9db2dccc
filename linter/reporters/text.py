"""Human-readable reports, for a terminal or a CI log.

``text`` (the default) prints one line per finding in the shape compilers and linters use, so
editors and terminals make it a link::

    path:line:col: ID [severity] resource: message  $current -> $cheapest /month

The message is its first sentence (what is wrong; the why is in ``full``), the cost the current
option's and the cheapest alternative's when both are known. On a terminal a line is wrapped to its
width with a hanging indent. The column is where the line the finding points at starts (its first
non-blank character); it is left out when the file cannot be read again.

``full`` (``--format full`` or ``-v``) groups findings by file, each with its resource, confidence,
fix and cost breakdown and their assumptions; a fix identical to one already printed for the same
check in the same file is referred to rather than repeated.

Both then list every file looked at and what it was read as (``--show-files``), the suppressed
findings (``--show-suppressed``), stale baseline entries, files that could not be read, notices,
and a summary line (which counts the files skipped as not IaC and the excluded paths, and names
the inputs computefit recognises but does not read, such as ``serverless.yml``). ``--statistics`` prints counts per check and
severity instead of the findings; ``-q`` prints only the errors and the summary.

Paths are relative to the working directory when the files lie under it, else to the folder that
holds them all (named on the first line), in the messages too. Colour only when asked (the CLI asks
on a terminal, or with FORCE_COLOR, and never with NO_COLOR).
"""

from __future__ import annotations

import os
import re
import shlex
import textwrap
from itertools import groupby

from .common import (
    cost_change,
    cost_totals,
    totals_sentence,
    cost_text,
    count_by_check,
    is_file_path,
    money,
    named_message,
    report_path,
    summary_line,
    visible,
)

_COLORS = {"error": "31", "warning": "33", "info": "36", "dim": "2", "bold": "1", "green": "32"}
HANGING_INDENT = "    "


def _c(text: str, style: str, on: bool) -> str:
    return f"\033[{_COLORS[style]}m{text}\033[0m" if on else text


def _s(value) -> str:
    """Text from the scanned files (resource names, user data quoted in a message, file names),
    made safe to print to a terminal: control characters (ANSI and OSC escape sequences), bidi
    overrides and surrogates become visible escapes (common.visible); a tab stays."""
    return visible(value)


def _quoted(text: str) -> str:
    """A file name quoted for a POSIX shell when it holds anything but letters, digits and
    ``@%+=:,./-_`` (as ``ls`` quotes names), so a name such as ``$(cmd).yaml`` copied into a shell
    is the name, not a command."""
    return shlex.quote(text)


class _Paths:
    """How the report shows paths: file names relative to the working directory when they lie
    under it, else absolute (as every report does, so they stay clickable); paths inside messages
    relative to the working directory or, when some file lies outside it, to the deepest folder
    holding every file (``base``, named once at the top when used)."""

    def __init__(self, result) -> None:
        files = [f.location.file for f in result.findings] + [f.location.file for f, _ in result.suppressed]
        absolute = [report_path(f) for f in files if is_file_path(f)]
        absolute = [p for p in absolute if os.path.isabs(p)]
        self.base: str | None = None
        if absolute:
            try:
                self.base = os.path.commonpath([os.path.dirname(p) for p in absolute])
            except ValueError:  # different drives
                self.base = None
        self.cwd = os.getcwd()
        self.base_used = False

    def show(self, path: str) -> str:
        if not is_file_path(path):
            return visible(path, keep="")
        return _quoted(visible(report_path(path), keep=""))

    def in_message(self, text: str) -> str:
        """``text`` with absolute paths under the working directory or ``base`` made relative."""
        if self.cwd != os.sep:
            text = text.replace(self.cwd + os.sep, "")
        if self.base and self.base != os.sep and self.base + os.sep in text:
            text = text.replace(self.base + os.sep, "")
            self.base_used = True
        return text

    def header(self, out: list[str], color: bool) -> list[str]:
        """``out`` with the note naming ``base`` first, when a message was made relative to it."""
        if self.base_used:
            return [_c(f"(paths in messages are relative to {_quoted(visible(self.base, keep=''))})", "dim", color)] + out
        return out


def _wrap(line: str, width: int | None, indent: str = "") -> list[str]:
    """``line`` wrapped to ``width`` (None: not wrapped), continuation lines indented by ``indent``
    plus the hanging indent; words longer than a line (a path) are kept whole."""
    if not width or len(line) <= width:
        return [line]
    return textwrap.wrap(line, width=max(width, 40), initial_indent="", subsequent_indent=indent + HANGING_INDENT,
                         break_long_words=False, break_on_hyphens=False) or [line]


def first_sentence(text: str) -> str:
    """The first sentence of ``text``: up to a ``.``, ``!`` or ``?`` followed by a space and a capital
    letter, outside parentheses and backticks (``Fn.Events.Get`` and ``(about 3 s. Real ...)`` do
    not end one)."""
    depth = 0
    quoted = False
    for i, ch in enumerate(text):
        if ch == "`":
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif (ch in ".!?" and depth == 0 and i + 2 < len(text) and text[i + 1] == " "
              and text[i + 2].isupper()):
            return text[:i + 1]
    return text


class _Columns:
    """The column each finding's line starts at (its first non-blank character), reading each
    file once."""

    def __init__(self) -> None:
        self.lines: dict[str, list[str] | None] = {}

    def __call__(self, file: str, line: int) -> int | None:
        if not line or not is_file_path(file):
            return None
        if file not in self.lines:
            from .linehash import read_scanned

            text = read_scanned(file)
            self.lines[file] = None if text is None else text.split("\n")
        lines = self.lines[file]
        if lines is None or line > len(lines) or not lines[line - 1].strip():
            return None
        src = lines[line - 1]
        return len(src) - len(src.lstrip(" \t\ufeff")) + 1


def headline(f, paths: _Paths, columns: _Columns, color: bool = False) -> str:
    where = paths.show(f.location.file)
    if f.location.line:
        where += f":{f.location.line}"
        col = columns(f.location.file, f.location.line)
        if col:
            where += f":{col}"
    message = _s(paths.in_message(named_message(f, first_sentence(f.message))))
    line = f"{where}: {f.check_id} [{f.severity}] {message}"
    cost = cost_change(f)
    if cost:
        line += f"  {cost}"
    return line


def _colour_headline(lines: list[str], severity: str, color: bool) -> list[str]:
    if color and lines:
        tag = f"[{severity}]"
        lines[0] = lines[0].replace(tag, _c(tag, severity, True), 1)
    return lines


def finding_details(f, color: bool = False, indent: str = "", paths: _Paths | None = None,
                    fix_seen: str | None = None) -> list[str]:
    """The lines under a finding's headline: resource, confidence, fix, costs and assumptions
    (also the body of a JUnit failure). ``fix_seen`` names an earlier finding with the same fix,
    which is then referred to instead of printed again."""
    msg = paths.in_message if paths else (lambda t: t)
    fix = f"same as for {_s(fix_seen)} above" if fix_seen else _s(msg(f.recommendation))
    out = [
        f"{indent}resource: {_s(f.resource)} ({_s(f.resource_type)})"
        + (f", CDK construct {_s(f.construct_path)}" if getattr(f, "construct_path", None) else "")
        + f"; confidence: {f.confidence}",
        f"{indent}{_c('fix:', 'green', color)} {fix}",
    ]
    if f.costs:
        from ..prices import header_of

        out.append(f"{indent}costs ({header_of(f.pricing)}):")
    for cost in f.costs:
        out.append(f"{indent}cost: {_s(msg(cost.option))}: {cost_text(cost)}")
        for a in cost.assumptions:
            out.append(_c(f"{indent}      - {_s(msg(a))}", "dim", color))
    return out


def statistics_lines(result, color: bool = False) -> list[str]:
    """``   2  CF201  lambda-near-timeout-limit  (1 error, 1 warning, 0 info)`` per check."""
    from ..check import all_rules

    rules = all_rules()
    names = {f.check_id: f.check_name for f in result.findings}
    out = []
    for cid, counts in count_by_check(result.findings).items():
        name = rules[cid].name if cid in rules else names.get(cid, "")
        sev = ", ".join(f"{counts[s]} {s}" for s in ("error", "warning", "info"))
        out.append(f"{counts['findings']:>5}  {cid}  {_s(name)}  ({sev})")
    return out


def _tail(result, options, paths: _Paths, out: list[str], full: bool = False) -> None:
    """Suppressed findings, stale baseline entries, errors, notices (what both layouts end with;
    the ``full`` layout lists what each grouped notice stands for)."""
    color = options.color
    width = getattr(options, "width", None)
    quiet = getattr(options, "quiet", False)
    files = getattr(result, "files", [])
    if getattr(options, "show_files", False) and files:
        out.append(_c("Files", "bold", color))
        for path, what in files:
            out.append(f"  {paths.show(path)}  {_s(what)}")
        out.append("")
    if not quiet and options.show_suppressed and result.suppressed:
        out.append(_c("Suppressed", "bold", color))
        for f, why in result.suppressed:
            out += _wrap(f"  {paths.show(f.location.file)}:{f.location.line}  {f.check_id}  {_s(f.resource)}: "
                         f"{_s(paths.in_message(why))}", width, "  ")
        out.append("")
    stale = getattr(result, "baseline_stale", [])
    if not quiet and stale:
        out.append(_c(f"Stale baseline entries (no longer found; refresh {_quoted(visible(result.baseline, keep=''))} "
                      "with --write-baseline)", "bold", color))
        for e in stale:
            times = f" (x{e.count})" if e.count != 1 else ""
            out.append(f"  {_quoted(visible(e.file, keep=''))}  {e.check_id}  {_s(e.resource)}{times}")
        out.append("")
    if result.errors:
        out.append(_c("Errors", "bold", color))
        for e in result.errors:
            where = f"{paths.show(e.file)}:{e.line}" if e.line else paths.show(e.file)
            out += _wrap(f"  {where}  {_c('error', 'error', color)}  {_s(paths.in_message(e.message))}", width, "  ")
        out.append("")
    notices = getattr(result, "notices", [])
    if not quiet and notices:
        out.append(_c("Notices (not read, not followed or not used; they do not change the exit code)", "bold", color))
        for n in notices:
            where = f"{n.file}:{n.line}" if n.line else n.file
            out += _wrap(f"  {_s(where)}  {_c('notice', 'dim', color)}  {_s(n.message)}", width, "  ")
            for item in n.items if full else ():  # a grouped notice: each one it stands for
                at = f"{item.file}:{item.line}" if item.line else item.file
                out += _wrap(f"      {_s(at)}  {_s(item.message)}", width, "        ")
        out.append("")
    if not quiet:
        out += cost_total_lines(result.findings, color, width)
    out.append(_c(summary_line(result), "bold", color))


def cost_total_lines(findings, color: bool = False, width: int | None = None) -> list[str]:
    """``Costs (USD, us-east-1 on-demand, prices as of ...): 3 flagged resources cost ...`` and one
    line per check (:func:`computefit.reporters.common.cost_totals`), then a blank line."""
    totals = cost_totals(findings)
    if totals is None:
        return []
    out = [_c(line, "bold", color) for line in
           _wrap(f"Costs ({'; '.join(totals['bases'])}): {totals_sentence(totals['overall'])}", width, "  ")]
    for cid, t in totals["by_check"].items():
        out += _wrap(f"  {cid}  {totals_sentence(t)}", width, "  ")
    return out + [""]


def _start(result, options, paths: _Paths) -> list[str]:
    out: list[str] = []
    quiet = getattr(options, "quiet", False)
    if getattr(options, "statistics", False) and not quiet:
        out += statistics_lines(result, options.color)
        if result.findings:
            out.append("")
    return out


def render(result, options) -> str:
    """The concise layout (``--format text``, the default)."""
    paths = _Paths(result)
    columns = _Columns()
    width = getattr(options, "width", None)
    out = _start(result, options, paths)
    if not getattr(options, "quiet", False) and not getattr(options, "statistics", False):
        for f in result.findings:
            out += _colour_headline(_wrap(headline(f, paths, columns), width), f.severity, options.color)
        if result.findings:
            out.append("")
    _tail(result, options, paths, out)
    return "\n".join(paths.header(out, options.color)) + "\n"


def render_full(result, options) -> str:
    """The full layout (``--format full``, ``-v``): everything about each finding."""
    color = options.color
    width = getattr(options, "width", None)
    paths = _Paths(result)
    out = _start(result, options, paths)
    if not getattr(options, "quiet", False) and not getattr(options, "statistics", False):
        for file, group in groupby(result.findings, key=lambda f: f.location.file):
            out.append(_c(paths.show(file), "bold", color))
            fixes: dict[tuple[str, str], str] = {}  # (check, fix) -> the first resource given it
            for f in group:
                sev = _c(f"{f.severity:<7}", f.severity, color)
                out += _wrap(f"  {paths.show(f.location.file)}:{f.location.line}  {f.check_id}  {sev}  "
                             f"{_s(paths.in_message(f.message))}", width, "  ")
                key = (f.check_id, f.recommendation)
                seen = fixes.setdefault(key, f.resource)
                details = finding_details(f, color, indent="      ", paths=paths,
                                          fix_seen=seen if seen != f.resource else None)
                for line in details:
                    out += _wrap(line, width, "      ")
            out.append("")
    _tail(result, options, paths, out, full=True)
    return "\n".join(paths.header(out, options.color)) + "\n"
