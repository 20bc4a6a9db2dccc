"""A wall-clock budget for reading one file: past it, the file is an error entry and the scan goes on.

Every reader is meant to be linear and bounded (issue 15), so the budget is only a last line of
defence against a slow path nobody has found yet. It uses ``SIGALRM`` (``setitimer``), so it applies
in the main thread on POSIX systems and nowhere else; a timer already running (a caller's own
deadline) is honoured: the budget never outlasts it, and it is restored afterwards.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from typing import Iterator

from .model import ParseError

#: Seconds one file may take to read and model. The slowest file of the shared corpus takes a few
#: seconds (a 10 MB template); a real template or module never comes near this.
FILE_SECONDS = 60.0


class _Overtime(BaseException):
    """Raised by the alarm. A BaseException, so that no ``except Exception`` on the way swallows it."""


def _available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def file_budget(path: str, seconds: float | None = None) -> Iterator[None]:
    """Run the block within ``seconds`` (default FILE_SECONDS); past them, raise ParseError(path)
    saying so."""
    seconds = FILE_SECONDS if seconds is None else seconds
    if not _available():
        yield
        return
    outer_left, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    if outer_left > 0 and outer_left <= seconds:  # the caller's own deadline comes first
        yield
        return
    outer_handler = signal.getsignal(signal.SIGALRM)

    def on_alarm(signum, frame):
        raise _Overtime()

    start = time.monotonic()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)  # an alarm before this line is still caught below
    except _Overtime:
        raise ParseError(path, None, f"reading it took over {seconds:g} s; not scanned (please report this file)") \
            from None
    finally:
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_left > 0:  # the caller's timer runs on, less the time spent here
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - start), 1e-3), outer_interval)
