"""Regular expressions compiled on first use.

A module-level ``re.compile`` runs at import, in every scan; a pattern that only some inputs need
(the user-data readers of :mod:`computefit.workload`) is compiled when first used instead.
"""

from __future__ import annotations

import re


class LazyPattern:
    """``re.compile(pattern, flags)``, built the first time one of its methods is called.

    The matching methods are defined here, so a bound method taken at import
    (``_lazy(...).search``) stays lazy too; other attributes (``pattern``, ``groups``) compile."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern | None = None

    def compiled(self) -> re.Pattern:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return self._compiled

    def search(self, *args, **kwargs):
        return (self._compiled or self.compiled()).search(*args, **kwargs)

    def match(self, *args, **kwargs):
        return (self._compiled or self.compiled()).match(*args, **kwargs)

    def fullmatch(self, *args, **kwargs):
        return (self._compiled or self.compiled()).fullmatch(*args, **kwargs)

    def finditer(self, *args, **kwargs):
        return (self._compiled or self.compiled()).finditer(*args, **kwargs)

    def findall(self, *args, **kwargs):
        return (self._compiled or self.compiled()).findall(*args, **kwargs)

    def sub(self, *args, **kwargs):
        return (self._compiled or self.compiled()).sub(*args, **kwargs)

    def split(self, *args, **kwargs):
        return (self._compiled or self.compiled()).split(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.compiled(), name)
