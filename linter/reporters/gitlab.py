"""GitLab Code Quality report (``artifacts:reports:codequality``): a JSON array of issues with
``description``, ``check_name``, ``fingerprint``, ``severity`` and ``location.path`` /
``location.lines.begin``, the fields GitLab requires; ``type`` and ``content`` (the
recommendation, shown in the issue's details) come from the Code Climate spec GitLab's format
derives from.

Severities: error -> ``critical``, warning -> ``major``, info -> ``info``; a file that could not be
read is a ``critical`` issue of check ``computefit/file-error``. The fingerprint is the SHA-256 of
check ID, resource file and resource (never the line), so GitLab matches an issue across runs and
line moves and does not report it as fixed-and-new when lines above it change. Suppressed findings
are left out. ``location.path`` is relative to the working directory: run from the repository root.
The description, which GitLab displays, shows control characters and bidi overrides as visible
escapes; the document is strict JSON (common.json_text).
"""

from __future__ import annotations

import hashlib

from .common import fingerprints, is_file_path, json_text, named_message, report_path, severity_name, utf8, visible

FILE_ERROR_CHECK = "computefit/file-error"


def _issue(description, check_name, fingerprint, severity, path, line, content=None) -> dict:
    issue = {
        "type": "issue",
        "description": description,
        "check_name": check_name,
        "fingerprint": fingerprint,
        "severity": severity,
        "location": {"path": path, "lines": {"begin": line or 1}},
    }
    if content is not None:
        issue["content"] = {"body": content}
    return issue


def to_list(result, options) -> list[dict]:
    issues = [
        _issue(visible(f"{f.check_id} {named_message(f)}", keep="\t\n\r"), f.check_id, fp,
               severity_name("gitlab", f.severity), report_path(f.location.file), f.location.line,
               content=f.recommendation)
        for f, fp in zip(result.findings, fingerprints(result.findings))
    ]
    for e in result.errors:
        path = report_path(e.file) if is_file_path(e.file) else e.file
        key = "\0".join((FILE_ERROR_CHECK, path, e.message))
        issues.append(_issue(visible(f"{path}: {e.message}", keep="\t\n\r"), FILE_ERROR_CHECK,
                             hashlib.sha256(utf8(key)).hexdigest(), "critical", path, e.line))
    return issues


def render(result, options) -> str:
    return json_text(to_list(result, options), indent=2)
