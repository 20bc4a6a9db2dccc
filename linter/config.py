"""Effective settings for one run: which checks, their severities and thresholds, excludes, fail-on.

Built from defaults, then a configuration file (``[tool.computefit]`` in ``pyproject.toml`` or
``.computefit.toml``), then command-line options, later ones winning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .check import SEVERITIES


@dataclass
class Config:
    select: tuple[str, ...] = ()  # IDs or prefixes; empty = all checks
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)  # check ID -> severity override
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # check ID -> {option: value}
    exclude: tuple[str, ...] = ()  # glob patterns of paths to skip
    fail_on: str = "warning"  # error | warning | info | never
    formats: tuple[str, ...] = ()  # default output formats
    source: str | None = None  # the file this configuration was read from

    def enabled(self, check_id: str) -> bool:
        cid = check_id.upper()
        if self.select and not any(cid.startswith(s.upper()) for s in self.select):
            return False
        return not any(cid.startswith(s.upper()) for s in self.ignore)

    def severity_for(self, check_id: str, default: str) -> str:
        return self.severity.get(check_id.upper(), default)

    def options_for(self, check_cls) -> dict[str, Any]:
        merged = check_cls.default_options()
        merged.update(self.options.get(check_cls.id, {}))
        return merged


def fails(severity: str, fail_on: str) -> bool:
    """Whether a finding of ``severity`` fails the run under ``fail_on``."""
    if fail_on == "never":
        return False
    return SEVERITIES.index(severity) >= SEVERITIES.index(fail_on)
