"""GitHub Actions workflow commands: one ``::warning file=...,line=...,title=...::message`` line per
finding, which GitHub shows as an annotation on the line in the pull request's diff and the run's
summary. Severities: error -> ``error``, warning -> ``warning``, info -> ``notice``. The message
carries the recommendation on a second (escaped) line. Files that could not be read are
``::error`` lines, notices (what was not read) ``::notice`` lines. Suppressed findings are not
annotated.

GitHub shows at most 10 annotations of each level per step (50 per job); ``--format sarif`` with
code scanning has no such limit. Paths are relative to the working directory, so run computefit
from the repository root.
"""

from __future__ import annotations

from .common import is_file_path, report_path, severity_name, visible


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


def render(result, options) -> str:
    lines = []
    for f in result.findings:
        lines.append(command(
            severity_name("github", f.severity),
            f"{f.message}\nFix: {f.recommendation}",
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
    return "".join(line + "\n" for line in lines)
