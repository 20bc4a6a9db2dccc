"""Parsed native Terraform files kept between runs, by content: a file seen before loads without lark.

Parsing a ``.tf`` file takes lark (20-25 ms to import, 7 ms to load the cached parser) and then
about 12 ms per 10 KB of source; the parse of a file whose text was seen before is read back from
computefit's cache folder (:mod:`computefit.usercache`) about 10 times faster (300 corpus files:
1.1 s parsed, 0.13 s read back), without importing lark or python-hcl2. What is kept is the result
of the reader (:func:`.syntax.read_hcl` for a ``.tf`` file, the attributes of a ``.tfvars`` file):
the blocks and attributes with their expression trees (:mod:`.hcltree`), or the syntax error it
reported (line and message), so a broken file is not parsed again either. Template expressions
(heredocs, ``templatefile()``) are kept the same way, by the template's text (kind "tpl").

- **Key.** An entry is named by two checksums of the exact text the reader was given, and holds that
  text: it is used only when the text is the same (a clash of checksums is a miss, never a wrong
  parse). Entries live in a subfolder named by everything a parse depends on besides the text:
  computefit's version and the files of the reader (:mod:`.syntax`, :mod:`.hcltree`: an edited
  checkout), the grammar and lark's options, the versions of lark and python-hcl2, and Python's.
  The file's path is not part of the key (a copy of a file elsewhere is a hit); the path in the
  kept blocks is replaced by the reader's on load.
- **Bound.** The subfolders take at most :data:`MAX_TOTAL_BYTES` of disk; past it the entries used
  least recently are removed (:func:`computefit.usercache.prune`), checked when a process has
  written a share of the bound and at most hourly otherwise. An entry larger than :data:`MAX_ENTRY_BYTES`
  is not kept. Entries are zlib-compressed pickles (a parse pickles to about 8 times its source;
  compressed, 1.5 times). One file an entry, in one folder: the 41 Terraform folders of the shared
  corpus (10,800 ``.tf`` files) leave 8,700 entries, 59 MB of disk; a hit reads one in 35 us and
  a miss costs 7 us, and a pruning pass over them all takes 26 ms.
- **Rules of the cache folder.** Owner-only entries, written whole (temporary file then rename),
  every failure silent (the file is parsed), ``COMPUTEFIT_CACHE_DIR=""`` turns it off; nothing is
  written into the scanned tree.
"""

from __future__ import annotations

import functools
import os
from typing import Any

#: The layout of an entry; changed whenever what is kept changes shape.
FORMAT = 1
#: The subfolders of the cache folder that hold parsed files (one per combination of versions).
PREFIX = "hcl-trees-"
#: The disk all parsed files kept may take, over every subfolder (the shared corpus's take 59 MB).
MAX_TOTAL_BYTES = 96 * 1024 * 1024
#: A parse larger than this (compressed) is not kept: a few of them would push out thousands of others.
MAX_ENTRY_BYTES = 4 * 1024 * 1024
#: Hits on entries last touched longer ago than this mark them used (one system call).
TOUCH_AFTER_S = 24 * 3600

_written = 0  # bytes this process wrote since it last pruned
_pruned_once = False


def subfolder() -> str | None:
    """The subfolder of this combination of versions, or None when nothing is cached (the cache
    is off, or the grammar is not the one the reader knows)."""
    from .. import usercache

    return _tag() if usercache.folders() else None


@functools.lru_cache(maxsize=1)
def _tag() -> str | None:
    import zlib

    from .. import __version__
    from . import syntax

    grammar = syntax._grammar()
    if grammar is None:
        return None
    code = []
    for mod in (__file__, syntax.__file__, os.path.join(os.path.dirname(__file__), "hcltree.py")):
        try:
            st = os.stat(mod)
            code.append(f"{st.st_size}.{st.st_mtime_ns}")
        except OSError:
            code.append("?")
    parts = [str(FORMAT), __version__, syntax._python_tag(), syntax._dist_version("lark", "lark"),
             syntax._dist_version("hcl2", "python-hcl2"), grammar, repr(sorted(syntax._LARK_OPTIONS.items())),
             *code]
    crc = zlib.crc32("\0".join(parts).encode("utf-8", "surrogatepass"))
    return f"{PREFIX}{__version__}-{syntax._python_tag()}-{crc:08x}"


def _name(folder: str, kind: str, text: str) -> str:
    import zlib

    data = text.encode("utf-8", "surrogatepass")
    return f"{folder}/{kind}-{zlib.crc32(data):08x}{zlib.adler32(data):08x}{len(data):x}"


def load(kind: str, text: str, file: str) -> tuple | None:
    """What :func:`store` kept for ``text`` read as ``kind`` ("tf", "tfvars", or "tpl": the
    expressions of a template, by their text), with ``file`` as its path; None on a miss (or when
    the cache is off, or the entry is damaged)."""
    folder = subfolder()
    if folder is None:
        return None
    from .. import usercache

    data = usercache.read(_name(folder, kind, text), touch_after=TOUCH_AFTER_S)
    if data is None:
        return None
    import zlib

    from .hcltree import gc_paused

    try:
        with gc_paused():
            fmt, kept_kind, kept_text, result = _loads()(zlib.decompress(data))
    except Exception:  # a truncated or damaged entry: parse the file again
        return None
    if fmt != FORMAT or kept_kind != kind or kept_text != text:
        return None  # a clash of checksums
    if result[0] == "ok" and kind != "tpl":
        _restamp(result[1], file)
    return result


def _loads() -> Any:
    """pickle.loads, from the C module when there is one (pickle.py itself costs 1 ms to import)."""
    try:
        from _pickle import loads
    except ImportError:  # another interpreter
        from pickle import loads
    return loads


def store(kind: str, text: str, result: tuple) -> None:
    """Keep ``result`` (``("ok", blocks or attributes)`` or ``("error", line, message)``) for
    ``text`` read as ``kind``; silently nothing when that fails."""
    global _written
    folder = subfolder()
    if folder is None:
        return
    import zlib

    from .. import usercache
    from .hcltree import gc_paused

    try:
        from _pickle import PicklingError, dumps  # the C module: pickle.py costs 1 ms to import
    except ImportError:  # another interpreter
        from pickle import PicklingError, dumps
    try:
        with gc_paused():
            data = zlib.compress(dumps((FORMAT, kind, text, result), protocol=5), 1)
    except (RecursionError, PicklingError, TypeError, ValueError, AttributeError):
        return  # too deeply nested to pickle: parsed again next time
    if len(data) > MAX_ENTRY_BYTES:
        return
    if usercache.write(_name(folder, kind, text), data):
        _written += -(-len(data) // 4096) * 4096  # as prune counts it: whole blocks
        _maybe_prune()


def _maybe_prune() -> None:
    """Prune when this process has written an eighth of the bound, and on its first write when
    nobody pruned for an hour (a marker file's time says when)."""
    global _written, _pruned_once
    from .. import usercache

    if _written < MAX_TOTAL_BYTES // 8:
        if _pruned_once:
            return
        _pruned_once = True
        folders = usercache.folders()
        marker = os.path.join(folders[0], f".{PREFIX}pruned") if folders else None
        try:
            import time

            if marker is None or time.time() - os.stat(marker).st_mtime < 3600:
                return
        except OSError:
            pass  # never pruned
    _written = 0
    _pruned_once = True
    usercache.prune(PREFIX, MAX_TOTAL_BYTES)
    usercache.write(f".{PREFIX}pruned", b"")


def _restamp(value: Any, file: str) -> None:
    """Put ``file`` as the path of every block, attribute and expression kept."""
    stack = list(value)
    while stack:
        item = stack.pop()
        item.file = file
        expr = getattr(item, "expr", None)
        if expr is not None:
            expr.file = file
        attributes = getattr(item, "attributes", None)
        if attributes:
            stack.extend(attributes.values())
        blocks = getattr(item, "blocks", None)
        if blocks:
            stack.extend(blocks)
