"""The read boundary: the one folder a scan may read files from beyond the inputs it was given.

A scan reads more than the paths named on the command line: Terraform ``file()``,
``templatefile()``, ``filebase64()``, ``fileexists()``, ``fileset()``, local module sources, tfvars
files, and the files of a scanned folder (some of them symbolic links). The scanned code is often
written by someone else (a pull request), so every such read is confined to one folder:

* the git work tree that contains the scanned path (the nearest folder above it holding ``.git``,
  a folder or, in a worktree or submodule, a file; git itself is not run);
* outside any git repository, the scanned path itself (its folder when it is a file);
* ``--root DIR`` when given, for every scanned path.

Never the working directory, so a scan gives the same findings from wherever it runs.

A path is resolved the way the operating system would, one component at a time, and the walk stops
as soon as it leaves the boundary: an absolute path, a ``..`` escape or a symbolic link (to a file
or a folder, at any depth) that leads outside is refused before anything outside is read or even
looked at with ``stat``. Only regular files are opened (never a FIFO, device or socket, which could
block the scan or have side effects), and nothing under a ``.git`` folder (where a CI checkout keeps
its token).

What was not read is reported as a :class:`Notice` (scan level: file, line, message), never skipped
silently; notices do not change the exit code.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

__all__ = ["Notice", "group_notices", "Resolved", "find_boundary", "inside", "resolve", "read_regular", "ROOT_HINT",
           "PRIVATE_NAMES"]

#: Appended to every message about a path outside the boundary.
ROOT_HINT = "--root DIR widens the boundary"

#: Folders inside the boundary that are never read: git's own folder holds the credentials a CI
#: checkout persists (``http.extraheader`` in ``.git/config``), and a check's findings could leak
#: them bit by bit (``substr(file(".git/config"), ...) == "a" ? 900 : 60``).
PRIVATE_NAMES = frozenset({".git"})

#: Symbolic links followed in one resolution before giving up (Linux's own limit is 40).
MAX_LINK_HOPS = 40


@dataclass(frozen=True)
class Notice:
    """Something the scan chose not to read (or could not follow), with where it was asked for.

    Notices with the same ``group`` (remote module calls of one root module that are not
    downloaded) are reported as one by :func:`group_notices`, whose ``items`` are the notices it
    stands for."""

    file: str
    line: int | None
    message: str
    #: (kind, root module folder) of notices reported together; None: reported on its own
    group: tuple[str, str] | None = None
    #: the notices a grouped notice stands for, each with its own file, line and message
    items: tuple["Notice", ...] = ()


#: What a grouped notice says, by group kind: (count, root module folder) -> text.
_GROUP_TEXT = {
    "not-downloaded": lambda n, root: (
        f"{n} module calls in {root} are not followed: their remote sources (registry or git) are not "
        f"downloaded; run terraform init in {root} to follow them (computefit reads "
        ".terraform/modules/modules.json and downloads nothing; mapped terraform-aws-modules modules "
        "are modelled from their inputs). The first is here; the full and JSON reports list each"),
}


def group_notices(notices: list[Notice]) -> list[Notice]:
    """``notices`` with each group of two or more (see :attr:`Notice.group`) replaced by one notice
    at the first of them (file and line), counting them and saying how to fix them, whose
    ``items`` are the notices of the group in order. A notice on its own is kept once (the same
    call found through several root modules). The order is otherwise kept."""
    groups: dict[tuple[str, str], list[Notice]] = {}
    for n in notices:
        if n.group is not None and n.group[0] in _GROUP_TEXT:
            groups.setdefault(n.group, []).append(n)
    out: list[Notice] = []
    alone: set[tuple] = set()
    for n in notices:
        members = groups.get(n.group) if n.group is not None else None
        if members is None or len(members) < 2:
            # on its own: once, whichever root modules it was found through
            if (n.file, n.line, n.message) not in alone:
                alone.add((n.file, n.line, n.message))
                out.append(Notice(n.file, n.line, n.message))
        elif members[0] is n:
            kind, root = n.group
            where = "the current folder" if root == "." else root
            out.append(Notice(n.file, n.line, _GROUP_TEXT[kind](len(members), where), n.group, tuple(members)))
    return out


def find_boundary(path: str) -> str:
    """The read boundary of a scanned path: the git work tree containing it, else the path itself
    (its folder when it is a file). Returned as a real path (symbolic links resolved).

    The scanned path was named by the user, so resolving its own links is fine; for a file, the
    links of its folder are resolved, not the file's own (a named file that is a link leading
    elsewhere does not move the boundary there).

    A ``.git`` in the home folder or at the filesystem root is not taken for a work tree: a
    dotfiles repository there would otherwise put ``~/.aws`` or ``~/.ssh`` inside the boundary.
    """
    full = os.path.abspath(path)
    start = os.path.realpath(full if os.path.isdir(full) else os.path.dirname(full))
    not_projects = {os.path.realpath(os.path.expanduser("~")), os.path.realpath(os.sep)}
    here = start
    while True:
        if here not in not_projects and os.path.lexists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return start
        here = parent


def inside(path: str, root: str) -> bool:
    """Whether the normalised absolute ``path`` is ``root`` or lies under it (lexically)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


@dataclass(frozen=True)
class Resolved:
    """Where a path leads. Exactly one of three outcomes:

    * ``refused``: why it was not followed (outside the boundary, a link loop); nothing was read;
    * ``stat is None``: it does not exist (inside the boundary); ``path`` is where it would be;
    * otherwise ``path`` is the real path (no symbolic link left in it) and ``stat`` its status.
    """

    path: str | None
    stat: os.stat_result | None = None
    refused: str | None = None
    #: whether ``--root`` could make the refused path readable (not for ``.git`` or a link loop)
    widenable: bool = False

    def why(self, action: str = "not read") -> str:
        """The refusal as a message: why, what was not done, and the ``--root`` hint if it helps."""
        return f"{self.refused}; {action}" + (f" ({ROOT_HINT})" if self.widenable else "")

    @property
    def is_file(self) -> bool:
        return self.stat is not None and stat.S_ISREG(self.stat.st_mode)

    @property
    def is_dir(self) -> bool:
        return self.stat is not None and stat.S_ISDIR(self.stat.st_mode)

    def kind(self) -> str:
        """What the path is, in words: for messages about something that is not a regular file."""
        if self.stat is None:
            return "missing"
        mode = self.stat.st_mode
        for test, word in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
                           (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                           (stat.S_ISBLK, "a block device"), (stat.S_ISREG, "a file")):
            if test(mode):
                return word
        return "not a regular file"


def resolve(path: str, base: str, root: str) -> Resolved:
    """Resolve ``path`` (relative to the folder ``base``, or absolute) inside the boundary ``root``.

    ``base`` and ``root`` are trusted folders (``root`` a real path). The path is normalised the
    way Terraform joins paths (``a/b/../c`` is ``a/c``), then walked component by component with
    ``lstat``; each symbolic link's target is checked against the boundary before it is followed.
    Nothing outside ``root`` is ever passed to a system call.
    """
    root = os.path.realpath(root)
    candidate = os.path.normpath(os.path.join(os.path.realpath(base), path))
    hops = 0
    while True:
        if not inside(candidate, root):
            if hops:
                return Resolved(None, refused=f"{path} is a symbolic link (or lies under one) that leads "
                                              f"outside the read boundary {root}", widenable=True)
            return Resolved(None, refused=f"{path} is outside the read boundary {root}", widenable=True)
        rel = os.path.relpath(candidate, root)
        parts = [] if rel == os.curdir else rel.split(os.sep)
        here = root
        st: os.stat_result | None = None
        for i, part in enumerate(parts):
            if part in PRIVATE_NAMES:
                return Resolved(None, refused=f"{path} is inside {part}, which is never read "
                                              "(it can hold the CI's credentials)")
            step = os.path.join(here, part)
            try:
                st = os.lstat(step)
            except FileNotFoundError:
                return Resolved(os.path.join(step, *parts[i + 1:]))
            except NotADirectoryError:
                return Resolved(os.path.join(step, *parts[i + 1:]))
            except OSError as exc:
                return Resolved(None, refused=f"{path} could not be looked at: {exc.strerror or exc}")
            if stat.S_ISLNK(st.st_mode):
                hops += 1
                if hops > MAX_LINK_HOPS:
                    return Resolved(None, refused=f"{path}: too many levels of symbolic links")
                try:
                    target = os.readlink(step)
                except OSError as exc:
                    return Resolved(None, refused=f"{path} could not be looked at: {exc.strerror or exc}")
                candidate = os.path.normpath(os.path.join(here, target, *parts[i + 1:]))
                break
            if i < len(parts) - 1 and not stat.S_ISDIR(st.st_mode):
                return Resolved(os.path.join(step, *parts[i + 1:]))  # a file used as a folder
            here = step
        else:
            if st is None:  # the boundary itself
                try:
                    st = os.stat(root)
                except OSError as exc:
                    return Resolved(None, refused=f"{path} could not be looked at: {exc.strerror or exc}")
            return Resolved(here, st)


def read_regular(resolved: Resolved, limit: int) -> bytes:
    """Read a resolved regular file, at most ``limit`` bytes (raises ``ValueError`` past it,
    ``OSError`` when it cannot be read). The file is opened without following a link and without
    blocking, and checked again on the open descriptor, so nothing but a regular file is read."""
    if resolved.path is None or not resolved.is_file:
        raise ValueError(f"{resolved.path} is {resolved.kind()}, not a regular file")
    if resolved.stat.st_size > limit:
        raise ValueError(f"over the {limit // 1048576 or 1} MB limit")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(resolved.path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(f"{resolved.path} is not a regular file")
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise ValueError(f"over the {limit // 1048576 or 1} MB limit")
        return b"".join(chunks)
    finally:
        os.close(fd)
