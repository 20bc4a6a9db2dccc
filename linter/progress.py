"""A progress line on standard error while a long scan runs.

Shown only when standard error is a terminal and the scan has taken more than a second (a short
scan, a pipe or a CI log never sees it), redrawn at most ten times a second, and erased before
the report is printed.
"""

from __future__ import annotations

import time

DELAY_S = 1.0
REDRAW_S = 0.1


class Progress:
    def __init__(self, stream, clock=time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        try:
            self.enabled = bool(stream.isatty())
        except (AttributeError, ValueError):
            self.enabled = False
        self.start = clock()
        self.last = 0.0
        self.shown = False

    def update(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self.start < DELAY_S or now - self.last < REDRAW_S:
            return
        self.last = now
        self.stream.write(f"\r\033[Kcomputefit: reading {done:,}/{total:,} inputs ({now - self.start:.0f} s)")
        self.stream.flush()
        self.shown = True

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
