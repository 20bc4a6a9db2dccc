"""Regular expressions compiled on first use.

A module-level ``re.compile`` runs at import, in every scan; a pattern that only some inputs need
(the user-data readers of :mod:`computefit.workload`) is compiled when first used instead.
"""

from __future__ import annotations

import re


class LazyPattern:
    """``re.compile(pattern, flags)``, built the first time one of its methods is called."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern | None = None

    def __getattr__(self, name: str):
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)
