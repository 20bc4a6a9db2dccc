"""Writing the files a run was asked to write (reports, baselines) so that no reader, and no other
run writing the same path at the same time, ever sees a half-written file.

The text goes to a temporary file in the destination's folder, which is then renamed over the
destination (``os.replace``, atomic on POSIX and Windows): the path holds either the old content or
the whole new one. Parallel writers to one path each rename a complete file; the last one wins.

A symbolic link at the destination is replaced by the file, never followed: a link committed to a
scanned repository under the name a CI job writes its report to (``computefit.sarif ->
~/.bashrc``) cannot redirect the report. Streams are the exception: a destination that is itself a
FIFO or a device (``mkfifo``, ``-o >(...)``), or a path under ``/dev`` or ``/proc``
(``/dev/stdout``, ``/dev/null``, ``/proc/self/fd/1``), is opened and written as before, since it
cannot be renamed over and the user named it.
"""

from __future__ import annotations

import os
import stat
import tempfile

_STREAM_FOLDERS = ("/dev/", "/proc/")


def write_text(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; raises OSError as ``open`` would."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: str, data: bytes) -> None:
    try:
        st = os.lstat(path)
    except OSError:
        st = None
    if _is_stream(path, st):
        with open(path, "wb") as fh:
            fh.write(data)
        return
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(21, "Is a directory", path)
    folder = os.path.dirname(path) or os.curdir
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates the file readable by its owner only; give it the mode `open` would have
        # (the existing file's, else the default less the umask).
        os.chmod(tmp, stat.S_IMODE(st.st_mode) if st is not None and stat.S_ISREG(st.st_mode)
                 else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _is_stream(path: str, st: os.stat_result | None) -> bool:
    if st is not None and not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode) \
            and not stat.S_ISLNK(st.st_mode):
        return True  # a FIFO, device or socket named directly (git cannot commit one)
    full = os.path.abspath(path)
    return any(full.startswith(p) for p in _STREAM_FOLDERS)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
