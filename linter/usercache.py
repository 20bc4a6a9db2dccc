"""computefit's cache folder: what is slow to build and the same on every run, kept between runs.

What is kept: the Terraform parser (python-hcl2's grammar built by lark takes about a second;
loaded from here, 4-7 ms); the parse of each native Terraform file by content, in subfolders
(:mod:`computefit.terraform.treecache`: a file seen before loads without lark); croniter's
expansions of the cron expressions read (:mod:`computefit.schedules`: without croniter's import);
a JSON copy of each data table (:func:`data_table`: without tomllib); and the index of the built-in
checks (:mod:`computefit.check`: a scan imports only the checks that apply). The
folder is ``$XDG_CACHE_HOME/computefit``, else ``~/.cache/computefit``; when that cannot be
written (a read-only or absent home), a folder of the user's own in the temporary folder
(``computefit-UID``). ``COMPUTEFIT_CACHE_DIR`` names another folder; set to an empty string, it
turns the cache off. Nothing is ever written into a scanned tree.

An entry's name holds everything its content depends on (the versions of computefit, of the
library that built it and of Python), so an upgrade never reads an old entry. Entries are written
to a temporary file then renamed (a reader sees a whole entry or none), and read only when they
belong to the current user and nobody else can write them (an entry is a pickle: loading it runs
code). Every failure is silent: no folder, a full disk, a corrupt entry; the caller builds the
value again.
"""

from __future__ import annotations

import os
import stat
from typing import Any

#: Entries larger than this are not read (no entry is near it: the parser is 0.5 MB).
MAX_ENTRY_BYTES = 16 * 1024 * 1024


def folders() -> list[str]:
    """Where entries are looked for, in order (the first that takes a write keeps it). The
    temporary folder's is not looked at while the user's cache folder exists and can be written."""
    explicit = os.environ.get("COMPUTEFIT_CACHE_DIR")
    if explicit is not None:
        return [explicit] if explicit else []
    out = []
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):  # the XDG spec: a relative path is to be ignored
        home = os.path.expanduser("~")
        base = os.path.join(home, ".cache") if os.path.isabs(home) else ""
    if base:
        out.append(os.path.join(base, "computefit"))
        try:
            st = os.stat(out[0])
        except OSError:
            st = None
        if st is not None and _trusted(st) and os.access(out[0], os.W_OK | os.X_OK):
            return out  # it is in use: no fallback to look at (tempfile costs 5 ms to import)
    uid = getattr(os, "getuid", None)
    if uid is not None:
        import tempfile

        out.append(os.path.join(tempfile.gettempdir(), f"computefit-{uid()}"))
    return out


def read(name: str, touch_after: float | None = None) -> bytes | None:
    """The content of entry ``name`` (``sub/name`` for one in a subfolder), or None (absent,
    unreadable, or not trusted). With ``touch_after``, an entry last written or touched more than
    that many seconds ago is touched, so that pruning by time removes the entries used least
    recently."""
    for folder in folders():
        path = os.path.join(folder, name)
        try:
            # never through a link, and without waiting: a named pipe in its place opens at once
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            continue
        try:
            with os.fdopen(fd, "rb") as fh:
                st = os.fstat(fh.fileno())
                if not stat.S_ISREG(st.st_mode) or not _trusted(st):
                    continue  # a pipe, a device or a folder is no entry
                data = fh.read(MAX_ENTRY_BYTES + 1)
                if touch_after is not None and _age(st) > touch_after and os.utime in os.supports_fd:
                    os.utime(fh.fileno())
        except OSError:
            continue
        if len(data) <= MAX_ENTRY_BYTES:
            return data
    return None


def write(name: str, data: bytes) -> bool:
    """Keep ``data`` as entry ``name`` (``sub/name``: in subfolder ``sub``, made on first use) in
    the first folder that takes it; whether one did."""
    sub, _, base = name.rpartition("/")
    for folder in folders():
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            if not _trusted(os.stat(folder)):
                continue  # someone else's folder (a predictable name in a shared /tmp)
            where = folder
            if sub:
                where = os.path.join(folder, sub)
                os.makedirs(where, mode=0o700, exist_ok=True)
                if not _trusted(os.stat(where)):
                    continue
            fd, tmp = _temporary(where, base)
        except OSError:
            continue
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, os.path.join(folder, name))
            return True
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return False


_serial = 0


def _temporary(folder: str, base: str) -> tuple[int, str]:
    """A new file of mode 0600 in ``folder`` for entry ``base``, as ``tempfile.mkstemp`` makes one
    (created exclusively, never through a link), named by this process and a counter: importing
    tempfile costs 5 ms, more than a one-file scan's whole write."""
    global _serial
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        _serial += 1
        path = os.path.join(folder, f".{base}.{os.getpid()}-{_serial}.tmp")
        try:
            return os.open(path, flags, 0o600), path
        except FileExistsError:
            continue  # left by a process of the same id that died: another name
    raise FileExistsError(folder)


def prune(prefix: str, max_bytes: int, keep_share: float = 0.75) -> int:
    """Hold the subfolders named ``prefix*`` of the cache folder under ``max_bytes`` in all (the
    room their files take on disk): when they hold more, their entries least recently written (or
    touched by :func:`read`) are removed until they hold ``keep_share`` of it. Temporary files
    left by a writer that died are removed after an hour. Returns the bytes removed; every failure
    is silent.
    """
    import time

    now = time.time()
    entries: list[tuple[float, int, str]] = []
    removed = 0
    for folder in folders():
        try:
            subs = [e.path for e in os.scandir(folder)
                    if e.name.startswith(prefix) and e.is_dir(follow_symlinks=False)]
        except OSError:
            continue
        for sub in subs:
            try:
                with os.scandir(sub) as it:
                    for e in it:
                        try:
                            st = e.stat(follow_symlinks=False)
                        except OSError:
                            continue
                        if e.name.endswith(".tmp") and e.name.startswith("."):
                            if now - st.st_mtime > 3600:
                                removed += _remove(e.path, disk_bytes(st))
                            continue
                        entries.append((st.st_mtime, disk_bytes(st), e.path))
            except OSError:
                continue
        break  # the first folder that exists is the one written to
    total = sum(size for _, size, _ in entries)
    if total <= max_bytes:
        return removed
    entries.sort()
    for _, size, path in entries:
        if total <= max_bytes * keep_share:
            break
        got = _remove(path, size)
        removed += got
        total -= got
    return removed


def disk_bytes(st: os.stat_result) -> int:
    """The room a file takes on disk (whole blocks: a small entry takes a block), else its size."""
    blocks = getattr(st, "st_blocks", None)
    return blocks * 512 if blocks else st.st_size


def _remove(path: str, size: int) -> int:
    try:
        os.unlink(path)
        return size
    except OSError:
        return 0


def _age(st: os.stat_result) -> float:
    import time

    return time.time() - st.st_mtime


def _trusted(st: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else (always, where there are no user IDs)."""
    uid = getattr(os, "getuid", None)
    return uid is None or (st.st_uid == uid() and not st.st_mode & 0o022)


def read_json(name: str) -> Any:
    """The value kept as JSON in entry ``name``, or None (absent, untrusted, or not JSON: damaged).
    The caller checks its shape: a value of another shape is to be built again."""
    kept = read(name)
    if kept is None:
        return None
    import json

    try:
        return json.loads(kept)
    except ValueError:  # a damaged entry
        return None


def write_json(name: str, value: Any) -> bool:
    """Keep ``value`` as JSON in entry ``name``; whether it was kept (False for a value JSON cannot
    hold, such as a TOML date, or when no folder takes the write)."""
    import json

    try:
        data = json.dumps(value, separators=(",", ":"), allow_nan=True).encode()  # in its own order
    except (TypeError, ValueError):
        return False
    return write(name, data)


def data_table(path: str) -> dict:
    """The TOML file at ``path`` (one of computefit's own data tables: kinds, facts, usage keys) as
    a dict, read through a JSON copy kept in the cache folder.

    Python's TOML reader is pure Python: the three tables took about 6 ms of a one-file scan to
    parse, where ``json`` reads the same values in a fiftieth of it. The copy is named by the
    file's name, length and CRC-32, so an edited table is read again; a table JSON cannot hold
    (a TOML date) is simply not copied. Errors in the file itself propagate as from ``tomllib``."""
    import zlib

    with open(path, "rb") as fh:
        raw = fh.read()
    name = f"table-{os.path.basename(path)}-{len(raw)}-{zlib.crc32(raw):08x}.json"
    data = read_json(name)
    if isinstance(data, dict):
        return data
    try:
        import tomllib as toml
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as toml  # type: ignore[no-redef]
    data = toml.loads(raw.decode("utf-8"))
    write_json(name, data)  # not kept when JSON cannot hold a value of it
    return data
