"""computefit's cache folder: what is slow to build and the same on every run, kept between runs.

Today one entry: the Terraform parser (python-hcl2's grammar built by lark takes about a second;
loaded from here, 7 ms). The folder is ``$XDG_CACHE_HOME/computefit``, else
``~/.cache/computefit``; when that cannot be written (a read-only or absent home), a folder of the
user's own in the temporary folder (``computefit-UID``). ``COMPUTEFIT_CACHE_DIR`` names another
folder; set to an empty string, it turns the cache off. Nothing is ever written into a scanned tree.

An entry's name holds everything its content depends on (the versions of computefit, of the
library that built it and of Python), so an upgrade never reads an old entry. Entries are written
to a temporary file then renamed (a reader sees a whole entry or none), and read only when they
belong to the current user and nobody else can write them (an entry is a pickle: loading it runs
code). Every failure is silent: no folder, a full disk, a corrupt entry; the caller builds the
value again.
"""

from __future__ import annotations

import os

#: Entries larger than this are not read (no entry is near it: the parser is 0.5 MB).
MAX_ENTRY_BYTES = 16 * 1024 * 1024


def folders() -> list[str]:
    """Where entries are looked for, in order (the first that takes a write keeps it)."""
    return list(_folders())


def _folders():
    """:func:`folders`, one at a time: the temporary folder's name (the ``tempfile`` module, 2 ms
    to import) is worked out only when the folder before it has not answered."""
    explicit = os.environ.get("COMPUTEFIT_CACHE_DIR")
    if explicit is not None:
        if explicit:
            yield explicit
        return
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):  # the XDG spec: a relative path is to be ignored
        home = os.path.expanduser("~")
        base = os.path.join(home, ".cache") if os.path.isabs(home) else ""
    if base:
        yield os.path.join(base, "computefit")
    uid = getattr(os, "getuid", None)
    if uid is not None:
        import tempfile

        yield os.path.join(tempfile.gettempdir(), f"computefit-{uid()}")


def read(name: str) -> bytes | None:
    """The content of entry ``name``, or None (absent, unreadable, or not trusted)."""
    for folder in _folders():
        path = os.path.join(folder, name)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            with os.fdopen(fd, "rb") as fh:
                if not _trusted(os.fstat(fh.fileno())):
                    continue
                data = fh.read(MAX_ENTRY_BYTES + 1)
        except OSError:
            continue
        if len(data) <= MAX_ENTRY_BYTES:
            return data
    return None


def write(name: str, data: bytes) -> bool:
    """Keep ``data`` as entry ``name`` in the first folder that takes it; whether one did."""
    import tempfile

    for folder in folders():
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            if not _trusted(os.stat(folder)):
                continue  # someone else's folder (a predictable name in a shared /tmp)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")  # mode 0600
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


def _trusted(st: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else (always, where there are no user IDs)."""
    uid = getattr(os, "getuid", None)
    return uid is None or (st.st_uid == uid() and not st.st_mode & 0o022)


def data_table(path: str) -> dict:
    """The TOML file at ``path`` (one of computefit's own data tables: kinds, facts, usage keys) as
    a dict, read through a JSON copy kept in the cache folder.

    Python's TOML reader is pure Python: the three tables took about 6 ms of a one-file scan to
    parse, where ``json`` reads the same values in a fiftieth of it. The copy is named by the
    file's name, length and CRC-32, so an edited table is read again; a table JSON cannot hold
    (a TOML date) is simply not copied. Errors in the file itself propagate as from ``tomllib``."""
    import json
    import zlib

    with open(path, "rb") as fh:
        raw = fh.read()
    name = f"table-{os.path.basename(path)}-{len(raw)}-{zlib.crc32(raw):08x}.json"
    kept = read(name)
    if kept is not None:
        try:
            data = json.loads(kept)
        except ValueError:  # a damaged copy: read the table again
            data = None
        if isinstance(data, dict):
            return data
    try:
        import tomllib as toml
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as toml  # type: ignore[no-redef]
    data = toml.loads(raw.decode("utf-8"))
    try:
        copy = json.dumps(data, separators=(",", ":"), allow_nan=True).encode()
    except (TypeError, ValueError):  # a value JSON cannot hold: no copy
        return data
    write(name, copy)
    return data
