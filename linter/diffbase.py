"""``--diff-base REF``: report only the findings on lines added or changed since REF, as
reviewdog's ``filter_mode: added`` does, so a pull request shows what it introduced.

The lines come from ``git diff --unified=0 REF`` (REF against the working tree) run in each
scanned file's repository; a finding is kept when its line, or its resource's line, is one the
diff adds, or when it has no line and its file changed. Files that could not be read and notices
are always kept. REF must be a revision git knows (fetch it first: ``actions/checkout`` with
``fetch-depth: 0``); one that starts with ``-`` is refused, so it can never be read as an option.
"""

from __future__ import annotations

import os
import subprocess

from .lazyre import LazyPattern as _lazy

_HUNK = _lazy(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class DiffError(Exception):
    """git could not produce the diff (not a repository, an unknown REF)."""


def added_lines(diff: str, top: str) -> dict[str, set[int]]:
    """``{absolute path: {line, ...}}`` of the lines a unified diff (``-U0``) adds."""
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            if name == "/dev/null":
                current = None
                continue
            name = name[2:] if name.startswith("b/") else name
            current = out.setdefault(os.path.normpath(os.path.join(top, name)), set())
        elif line.startswith("@@") and current is not None:
            m = _HUNK.match(line)
            if m:
                start, count = int(m.group(1)), int(m.group(2) or 1)
                current.update(range(start, start + count))
    return out


def changed(ref: str, files: list[str]) -> dict[str, set[int]]:
    """The lines added since ``ref`` in the repositories holding ``files``."""
    if not ref or ref.startswith("-"):
        raise DiffError(f"--diff-base {ref!r}: not a revision")
    tops: set[str] = set()
    for f in files:
        folder = os.path.dirname(os.path.abspath(f)) or "."
        tops.add(_git(["rev-parse", "--show-toplevel"], folder).strip())
    out: dict[str, set[int]] = {}
    for top in sorted(tops):
        diff = _git(["diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-textconv",
                     "--no-renames", ref, "--"], top)
        out.update(added_lines(diff, top))
    return out


def _git(args: list[str], cwd: str) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              errors="surrogateescape", timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DiffError(f"--diff-base: cannot run git: {exc}")
    if proc.returncode != 0:
        raise DiffError(f"--diff-base: git {args[0]} failed: {proc.stderr.strip() or proc.returncode}")
    return proc.stdout


def keep(finding, lines: dict[str, set[int]]) -> bool:
    """Whether ``finding`` is on a line the diff adds (or, without a line, in a changed file)."""
    for loc in (finding.location, finding.resource_at):
        added = lines.get(os.path.abspath(loc.file))
        if added is not None and (loc.line in added or not loc.line):
            return True
    return False


def apply(result, ref: str) -> int:
    """Drop from ``result`` the findings not on added lines; returns how many were dropped."""
    files = [f.location.file for f in result.findings] + [f.resource_at.file for f in result.findings]
    if not files:
        return 0
    lines = changed(ref, files)
    kept = [f for f in result.findings if keep(f, lines)]
    dropped = len(result.findings) - len(kept)
    result.findings = kept
    return dropped
