"""Stage 5: turn a ScanResult into text for people or machines.

Each format is a module in this package with ``render(result, options) -> str``; it is imported
only when asked for.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

#: format name -> module (under computefit.reporters) and a one-line description
FORMATS: dict[str, tuple[str, str]] = {
    "text": ("text", "one line per finding, path:line:col: ID [severity] resource: message"),
    "full": ("full", "grouped by file, each finding with its fix, costs and their assumptions"),
    "json": ("json_report", "computefit's JSON report (documented in the README)"),
    "sarif": ("sarif", "SARIF 2.1.0 for GitHub code scanning and other SARIF viewers"),
    "junit": ("junit", "JUnit XML test report for GitLab, Jenkins and other CI servers"),
    "github": ("github", "GitHub Actions annotations (workflow commands)"),
    "gitlab": ("gitlab", "GitLab Code Quality report (JSON)"),
    "markdown": ("markdown", "markdown summary for a pull-request comment"),
}


@dataclass
class RenderOptions:
    """How a report is rendered: colour, width, what is shown and the threshold it fails on."""

    color: bool = False
    show_suppressed: bool = False
    fail_on: str = "warning"
    #: wrap text lines to this many columns (None: do not wrap; the CLI passes the terminal's width)
    width: int | None = None
    #: text: only the errors and the summary (-q)
    quiet: bool = False
    #: text: counts per check and severity instead of the findings (--statistics)
    statistics: bool = False
    #: github and markdown: keep within GitHub's limits (annotations per level, job summary size)
    github_limits: bool = False
    #: text: list every file looked at and what it was read as (--show-files)
    show_files: bool = False
    #: SARIF ``automationDetails.id`` (GitHub's analysis category), from --sarif-category
    sarif_category: str | None = None


def render(fmt: str, result, options: RenderOptions | None = None) -> str:
    if fmt not in FORMATS:
        raise KeyError(fmt)
    module = importlib.import_module(f"{__name__}.{FORMATS[fmt][0]}")
    return module.render(result, options or RenderOptions())
