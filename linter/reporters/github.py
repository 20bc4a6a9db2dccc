"""GitHub Actions workflow commands: one ``::warning file=...,line=...,title=...::message`` line per
finding, which GitHub shows as an annotation on the line in the pull request's diff and the run's
summary. Severities: error -> ``error``, warning -> ``warning``, info -> ``notice``. The message
carries the recommendation on a second (escaped) line. Files that could not be read are
``::error`` lines, notices (what was not read) ``::notice`` lines. Suppressed findings are not
annotated.

GitHub shows at most 10 annotations of each level per step (50 per job); ``--format sarif`` with
code scanning has no such limit. With ``--github-limits`` (the Action passes it) the annotations
are ordered by severity (errors, then warnings, then notices), at most that many of each level
are written (the limit is in facts.toml), and a last ``::notice`` says how many more there are
and where to find them. Paths are relative to the working directory, so run computefit from the
repository root.
"""

from __future__ import annotations

from .common import is_file_path, report_path, severity_name, visible, with_construct_path


def escape_data(text: str) -> str:
    """The message part: ``%``, CR and LF escaped (GitHub's ``escapeData``, @actions/core), after
    any other control character (ANSI/OSC sequences, which the log viewer renders), bidi override
    or surrogate is made a visible escape."""
    text = visible(text, keep="\t\r\n")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: as data, plus ``:`` and ``,`` (GitHub's ``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **props) -> str:
    """``::level k=v,...::message`` with every part escaped; ``None``/0 properties are left out."""
    fields = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v)
    return f"::{level} {fields}::{escape_data(message)}" if fields else f"::{level}::{escape_data(message)}"


_ORDER = {"error": 0, "warning": 1, "notice": 2}


def capped(lines: list[str], limit: int) -> list[str]:
    """``lines`` (workflow commands) ordered by level, at most ``limit`` of each, then a notice
    saying how many were left out."""
    ordered = sorted(lines, key=lambda line: _ORDER.get(line[2:].split(" ", 1)[0].split("::", 1)[0], 3))
    kept, left, seen = [], 0, {}
    for line in ordered:
        level = line[2:].split(" ", 1)[0].split("::", 1)[0]
        seen[level] = seen.get(level, 0) + 1
        if seen[level] <= limit:
            kept.append(line)
        else:
            left += 1
    if left:
        kept.append(command("notice", f"{left} more annotation{'s' if left != 1 else ''} not shown "
                                      f"(GitHub shows {limit} of each level per step): see the job "
                                      "summary, the log or the SARIF report", title="computefit"))
    return kept


def render(result, options) -> str:
    lines = []
    for f in result.findings:
        lines.append(command(
            severity_name("github", f.severity),
            f"{with_construct_path(f, f.message)}\nFix: {f.recommendation}",
            file=report_path(f.location.file),
            line=f.location.line,
            title=f"{f.check_id} {f.check_name}",
        ))
    for e in result.errors:
        if is_file_path(e.file):
            lines.append(command("error", e.message, file=report_path(e.file), line=e.line,
                                 title="computefit: file could not be read"))
        else:
            lines.append(command("error", f"{e.file}: {e.message}", title="computefit"))
    for n in getattr(result, "notices", []):
        lines.append(command("notice", n.message, file=report_path(n.file), line=n.line,
                             title="computefit: not read"))
    if getattr(options, "github_limits", False):
        from .. import facts

        lines = capped(lines, facts.value("github.annotations_per_step"))
    return "".join(line + "\n" for line in lines)
