"""Terraform's filesystem functions, confined to the read boundary (:mod:`computefit.boundary`).

``file``, ``filebase64``, ``templatefile``, ``fileexists``, ``fileset`` and the file hashes
(``filemd5``, ``filesha1``, ``filesha256``, ``filesha512``, ``filebase64sha256``,
``filebase64sha512``). A relative path is taken from the root module's folder, as Terraform takes
it from the folder it runs in. A path outside the boundary (absolute, ``..``, or through a symbolic
link) is not read and not looked at: the value is Unknown with a reason naming the path, and a
scan-level notice says so (``fileexists`` too: unknown, not false, so whether a file exists
outside cannot show through whether a finding appears). Only regular files are opened.

The evaluator's scope supplies ``path_root_abs`` (where relative paths start), ``root_dir`` (the
boundary), ``notes`` (unit notes) and, optionally, ``notices`` (scan-level notices).
"""

from __future__ import annotations

import base64
import os
import re
import stat
from typing import Any

from ..boundary import PRIVATE_NAMES, ROOT_HINT, Notice, Resolved, read_regular, resolve
from ..model import Unknown

#: Entries ``fileset()`` looks at before it gives up (a pattern over a huge tree).
MAX_FILESET_ENTRIES = 10_000


def _classes():
    from .evaluate import EvalError, Partial  # evaluate imports this module

    return EvalError, Partial


def _limit() -> int:
    from .evaluate import MAX_TEMPLATE_BYTES

    return MAX_TEMPLATE_BYTES


def _note(ev: Any, ctx: Any, text: str, notice: bool) -> Unknown:
    """Record ``text`` on the unit being evaluated and, for what the boundary refused, as a
    scan-level notice at the calling expression; return it as an Unknown."""
    notes = getattr(ev.scope, "notes", None)
    if notes is not None:
        notes.append(text)
    notices = getattr(ev.scope, "notices", None)
    if notice and notices is not None:
        notices.append(Notice(getattr(ctx, "file", "") or "", getattr(ctx, "line", None) or None, text))
    return Unknown(text)


def _known_path(path: Any) -> bool:
    _, Partial = _classes()
    return isinstance(path, str) and not isinstance(path, Partial)


def _resolve(ev: Any, path: str) -> Resolved:
    scope = ev.scope
    return resolve(path, scope.path_root_abs, scope.root_dir)


def read_bytes(ev: Any, path: Any, what: str, ctx: Any = None) -> bytes | Unknown:
    """The bytes of the file ``path`` names, or an Unknown saying why it was not read."""
    if not _known_path(path):
        return Unknown(f"{what}: path {path} is not known statically")
    res = _resolve(ev, path)
    if res.refused is not None:
        return _note(ev, ctx, f"{what}: {res.why()}", notice=True)
    if res.stat is None:
        return _note(ev, ctx, f"file {path} not found", notice=False)
    if not res.is_file:
        return _note(ev, ctx, f"{what}: {path} is {res.kind()}, not a regular file; not read",
                     notice=not res.is_dir)
    try:
        return read_regular(res, _limit())
    except ValueError as exc:
        return _note(ev, ctx, f"file {path} is {exc}, not read", notice=False)
    except OSError as exc:
        return _note(ev, ctx, f"file {path} could not be read: {exc.strerror or exc}", notice=False)


def _fn_file(ev, args, ctx):
    EvalError, _ = _classes()
    data = read_bytes(ev, args[0], "file()", ctx)
    if isinstance(data, Unknown):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise EvalError(f"file {args[0]} is not UTF-8 text") from None


def _fn_filebase64(ev, args, ctx):
    data = read_bytes(ev, args[0], "filebase64()", ctx)
    if isinstance(data, Unknown):
        return data
    return base64.b64encode(data).decode("ascii")


def _fn_templatefile(ev, args, ctx):
    EvalError, _ = _classes()
    data = read_bytes(ev, args[0], "templatefile()", ctx)
    if isinstance(data, Unknown):
        return data
    variables = args[1] if len(args) > 1 else {}
    if isinstance(variables, Unknown):
        variables = {}
    if not isinstance(variables, dict):
        raise EvalError("templatefile() variables must be an object")
    text = data.decode("utf-8", errors="replace")
    saved_env = ev.env
    ev.env = [dict(variables)]  # a template sees only its variables
    try:
        return ev.template(text, ctx)
    finally:
        ev.env = saved_env


def _fn_fileexists(ev, args, ctx):
    EvalError, _ = _classes()
    path = args[0]
    if not _known_path(path):
        return Unknown("fileexists() of an unknown path")
    res = _resolve(ev, path)
    if res.refused is not None:
        return _note(ev, ctx, f"fileexists(): {res.why('not looked at')}", notice=True)
    if res.stat is None:
        return False
    if res.is_file:
        return True
    raise EvalError(f"fileexists(): {path} is {res.kind()}, not a regular file")


def _hash_fn(name: str, algo: str, b64: bool):
    def fn(ev, args, ctx):
        data = read_bytes(ev, args[0], f"{name}()", ctx)
        if isinstance(data, Unknown):
            return data
        import hashlib  # here, as in evaluate.py: most scans hash nothing

        digest = hashlib.new(algo, data)
        return base64.b64encode(digest.digest()).decode("ascii") if b64 else digest.hexdigest()

    return fn


def _glob_regex(pattern: str) -> re.Pattern:
    """A ``fileset()`` pattern (``*``, ``**``, ``?``, ``[...]``, ``{a,b}``) as an anchored regex over
    ``/``-separated relative paths."""
    out = []
    i, n = 0, len(pattern)
    depth = 0
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1:i + 2] in ("!", "^") else i + 1)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:end]
                if body[:1] in ("!", "^"):
                    body = "^" + re.escape(body[1:])
                else:
                    body = re.escape(body)
                out.append("[" + body.replace("\\-", "-") + "]")
                i = end
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    if depth:
        raise ValueError(f"unbalanced {{ in pattern {pattern}")
    return re.compile("".join(out) + r"\Z")


def _fn_fileset(ev, args, ctx):
    EvalError, _ = _classes()
    if len(args) != 2:
        raise EvalError("fileset() takes a path and a pattern")
    path, pattern = args
    if not _known_path(path) or not _known_path(pattern):
        return Unknown("fileset() of an unknown path or pattern")
    res = _resolve(ev, path)
    if res.refused is not None:
        return _note(ev, ctx, f"fileset(): {res.why('not listed')}", notice=True)
    if res.stat is None:
        return []
    if not res.is_dir:
        raise EvalError(f"fileset(): {path} is {res.kind()}, not a folder")
    try:
        rx = _glob_regex(pattern[2:] if pattern.startswith("./") else pattern)
    except (ValueError, re.error) as exc:
        raise EvalError(f"fileset(): invalid pattern {pattern}: {exc}") from None
    found: list[str] = []
    seen = 0
    stack = [(res.path, "")]
    refused = 0
    while stack:
        folder, rel = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name in PRIVATE_NAMES:
                continue
            seen += 1
            if seen > MAX_FILESET_ENTRIES:
                return _note(ev, ctx, f"fileset(): more than {MAX_FILESET_ENTRIES} entries under {path}, "
                                      "not listed", notice=True)
            sub = f"{rel}{entry.name}"
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                target = resolve(entry.name, folder, ev.scope.root_dir)
                if target.refused is not None:
                    refused += 1
                    continue
                if target.is_file and rx.match(sub):
                    found.append(sub)
                continue  # a linked folder is not walked (it could loop)
            if stat.S_ISDIR(st.st_mode):
                stack.append((entry.path, sub + "/"))
            elif stat.S_ISREG(st.st_mode) and rx.match(sub):
                found.append(sub)
    if refused:
        _note(ev, ctx, f"fileset(): {refused} symbolic link(s) under {path} lead outside the read boundary "
                       f"{ev.scope.root_dir}; not listed ({ROOT_HINT})", notice=True)
    return sorted(found)


FILE_FUNCTIONS = {
    "file": _fn_file, "filebase64": _fn_filebase64, "templatefile": _fn_templatefile,
    "fileexists": _fn_fileexists, "fileset": _fn_fileset,
    "filemd5": _hash_fn("filemd5", "md5", False), "filesha1": _hash_fn("filesha1", "sha1", False),
    "filesha256": _hash_fn("filesha256", "sha256", False),
    "filesha512": _hash_fn("filesha512", "sha512", False),
    "filebase64sha256": _hash_fn("filebase64sha256", "sha256", True),
    "filebase64sha512": _hash_fn("filebase64sha512", "sha512", True),
}

__all__ = ["FILE_FUNCTIONS", "read_bytes", "MAX_FILESET_ENTRIES"]
