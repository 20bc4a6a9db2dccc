"""Baselines: accept today's findings, report only new ones.

``computefit scan --write-baseline FILE`` records the findings of a run; ``--baseline FILE`` then
reports only findings that are not in it, and lists the entries that no longer match anything
(stale: fixed, renamed or deleted resources) so the file can be refreshed.

A finding is keyed by check ID, file and resource, never by line, so editing other parts of the
file does not bring recorded findings back. Each key has a count: a second finding with the same key
is new. The file is the resource's file (where a finding points elsewhere, such as a SAM Globals
line, the resource's own file), written relative to the baseline file's folder with ``/``, so the
baseline works from any working directory and on any OS.

File format (``version`` changes only on an incompatible change)::

    {
      "version": 1,
      "generated_by": "computefit 0.1.0",
      "findings": [
        {"check_id": "CF201", "file": "template.yaml", "resource": "NightlyExport", "count": 1}
      ]
    }
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field

from .check import Finding

VERSION = 1

#: Rules a baseline never accepts: an expired suppression (CF002) and a broken one (CF003) are
#: decisions that need a person; accepting them would silence the findings the suppression covered.
NEVER_BASELINED = frozenset({"CF002", "CF003"})

Key = tuple[str, str, str]  # (check ID, file relative to the baseline's folder, resource)


class BaselineError(Exception):
    """A baseline file that cannot be read or written; the message names the file."""


@dataclass
class StaleEntry:
    check_id: str
    file: str
    resource: str
    count: int  # how many recorded findings with this key were not found

    def to_dict(self) -> dict:
        return {"check_id": self.check_id, "file": self.file, "resource": self.resource, "count": self.count}


@dataclass
class Applied:
    new: list[Finding]  # findings not in the baseline: reported
    matched: list[Finding]  # findings the baseline accepts: silenced
    stale: list[StaleEntry] = field(default_factory=list)


def relative_to(path: str, base_dir: str) -> str:
    """``path`` as a baseline records it: relative to the baseline's folder, with ``/``."""
    full = os.path.abspath(path)
    try:
        rel = os.path.relpath(full, base_dir)
    except ValueError:  # another drive on Windows
        rel = full
    return rel.replace(os.sep, "/")


def key_of(f: Finding, base_dir: str) -> Key:
    """The finding's baseline key. File and resource are made valid Unicode (a lone surrogate from
    a template, the bytes of a file name that is not UTF-8, as visible escapes), as the baseline
    file records them, so the file is strict JSON and its entries still match."""
    from .reporters.common import valid_unicode

    return f.check_id, valid_unicode(relative_to(f.resource_at.file, base_dir)), valid_unicode(f.resource)


@dataclass
class Baseline:
    path: str
    counts: Counter  # Key -> count

    @property
    def base_dir(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    def relative(self, path: str) -> str:
        return relative_to(path, self.base_dir)

    def apply(self, findings: list[Finding], judged: set[str] | None = None) -> Applied:
        """Split ``findings`` into new and recorded ones. With several findings per key, the first
        ``count`` of them in file and line order are the recorded ones. Entries left over are
        stale, among those whose file is in ``judged`` (the files the scan could report on; None:
        every file)."""
        left = Counter(self.counts)
        out = Applied(new=[], matched=[])
        for f in sorted(findings, key=lambda f: (f.location.file, f.location.line, f.check_id, f.resource)):
            k = key_of(f, self.base_dir)
            if f.check_id not in NEVER_BASELINED and left[k] > 0:
                left[k] -= 1
                out.matched.append(f)
            else:
                out.new.append(f)
        judged_keys = None if judged is None else {self.relative(p) for p in judged}
        out.stale = [StaleEntry(*k, count=n) for k, n in sorted(left.items())
                     if n > 0 and (judged_keys is None or k[1] in judged_keys)]
        return out


def load(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found (create it with --write-baseline {path})")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: not a computefit baseline (invalid JSON: {exc})")
    if not isinstance(data, dict) or "version" not in data:
        raise BaselineError(f"{path}: not a computefit baseline (no \"version\" key)")
    if data["version"] != VERSION:
        raise BaselineError(f"{path}: baseline version {data['version']!r} is not supported "
                            f"(this computefit reads version {VERSION}); write it again with --write-baseline")
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise BaselineError(f"{path}: \"findings\" must be a list")
    counts: Counter = Counter()
    for i, e in enumerate(entries):
        ok = (isinstance(e, dict) and all(isinstance(e.get(k), str) for k in ("check_id", "file", "resource"))
              and isinstance(e.get("count", 1), int) and not isinstance(e.get("count", 1), bool)
              and e.get("count", 1) >= 1)
        if not ok:
            raise BaselineError(f"{path}: findings[{i}] needs string check_id, file and resource "
                                "and a positive integer count")
        counts[(e["check_id"].upper(), e["file"], e["resource"])] += e.get("count", 1)
    return Baseline(path, counts)


def recordable(findings: list[Finding]) -> list[Finding]:
    """The findings a baseline records: all but those of :data:`NEVER_BASELINED`."""
    return [f for f in findings if f.check_id not in NEVER_BASELINED]


def dump(findings: list[Finding], path: str) -> dict:
    """The baseline document for ``findings``, with paths relative to ``path``'s folder."""
    from . import __version__

    base_dir = os.path.dirname(os.path.abspath(path))
    counts = Counter(key_of(f, base_dir) for f in recordable(findings))
    return {
        "version": VERSION,
        "generated_by": f"computefit {__version__}",
        "findings": [{"check_id": c, "file": fl, "resource": r, "count": n}
                     for (c, fl, r), n in sorted(counts.items())],
    }


def write(findings: list[Finding], path: str) -> int:
    """Write the baseline for ``findings`` to ``path`` atomically (parallel runs writing one path
    leave one of their files, whole); returns the number of findings recorded."""
    from .atomic import write_text

    text = json.dumps(dump(findings, path), indent=2, allow_nan=False) + "\n"
    try:
        write_text(path, text)  # a temporary file renamed over ``path``: never half-written
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write baseline: {exc.strerror or exc}")
    return len(recordable(findings))
