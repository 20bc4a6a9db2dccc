"""Suppressions: silence a finding where it is written, with a reason and an optional expiry date.

Three forms, one meaning ("these checks do not apply to this resource"):

* an inline comment, in Terraform (``#``, ``//``, ``/* */``; ``"//"`` keys in ``.tf.json``) and in
  CloudFormation YAML::

      # computefit:ignore CF201,CF101 until 2027-01-31 -- nightly export, moving to Batch in Q1

  It applies to a resource when it is written directly above the resource (contiguous comment
  lines) or anywhere inside its block, and then covers all of that resource's findings, wherever
  each finding points (a SAM Globals line, a Terraform variable default, a tfvars line). It also
  applies when it is written on or directly above the line a finding points at. A comment on a
  Terraform ``module`` block covers every resource built from that module call (local modules:
  ``module.CALL.aws_x.y``; registry modules: ``module.NAME``); a comment on a launch template
  covers the auto scaling group built from it (the unit's ``related`` locations).
* CloudFormation ``Metadata: {computefit: {ignore: [{id, reason, until}]}}`` on a resource, which
  also works in JSON templates and survives ``cdk synth``;
* the same at the template's top level, covering every resource of the template.

``all`` instead of a list of IDs covers every check. A suppression works through its ``until``
date and stops working the day after. Problems with suppressions are findings of three engine
rules, reported by this stage rather than by a check: CF001 (a suppression that silenced nothing),
CF002 (an expired suppression: the finding is reported again, plus this note) and CF003 (an
invalid suppression: unknown check ID, bad date, no ID; it silences nothing it cannot read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from .check import INFO, WARNING, EngineRule, Finding
from .discovery import read_source_text
from .lazyre import LazyPattern as _lazy
from .model import ComputeUnit, Document, Location, Model

DIRECTIVE = "computefit:ignore"
ALL = "ALL"
SYNTAX_HELP = "computefit:ignore ID[,ID...] [until YYYY-MM-DD] [-- reason]"

# --------------------------------------------------------------------------------------------------
# Engine rules reported by this stage
# --------------------------------------------------------------------------------------------------


class UnusedSuppression(EngineRule):
    """
    ## What it does
    Reports a suppression (an inline `computefit:ignore` comment or a CloudFormation
    `Metadata.computefit.ignore` entry) that silenced no finding in this scan, naming the IDs in it
    that matched nothing. IDs of checks that did not run (turned off by `select` / `ignore`) are
    not judged.

    ## Why is this bad?
    A suppression outlives the problem it silenced: the resource was fixed, renamed or moved, or the
    comment names the wrong check. Left in place it will silently hide the next real finding on
    that resource. Like ruff's unused-`noqa` rule, this keeps suppressions honest.

    ## Example
    ```yaml
    Resources:
      # computefit:ignore CF201 -- nightly export (the timeout is now 60 s: nothing to silence)
      NightlyExport:
        Type: AWS::Serverless::Function
        Properties:
          Timeout: 60
    ```

    ## Use instead
    Remove the comment, or the unused IDs from its list. To never report unused suppressions, add
    `ignore = ["CF001"]` to the configuration; to fail the build on them, set
    `[tool.computefit.checks.CF001] severity = "warning"`.

    ## References
    - [ruff: unused-noqa (RUF100)](https://docs.astral.sh/ruff/rules/unused-noqa/)
    - computefit README, "Suppressions"
    """

    id = "CF001"
    name = "unused-suppression"
    severity = INFO
    summary = "A computefit:ignore comment or Metadata entry silenced nothing: remove it"
    tags = ("computefit", "suppression")
    stage = "suppressions"


class ExpiredSuppression(EngineRule):
    """
    ## What it does
    Reports a suppression whose `until` date has passed. An expired suppression silences nothing:
    the findings it used to silence are reported again, and this note says when it expired and
    why it was written.

    ## Why is this bad?
    An expiry date records a promise ("we move this job to Batch by the end of January"). When the
    date passes, the decision has to be made again instead of the finding staying hidden forever.

    ## Example
    ```hcl
    # computefit:ignore CF201 until 2025-01-31 -- migrating to Batch in January
    resource "aws_lambda_function" "export" {
      timeout = 900
    }
    ```

    ## Use instead
    Fix the finding, or review the decision and write a new date (or remove `until` to make the
    suppression permanent).

    ## References
    - computefit README, "Suppressions"
    """

    id = "CF002"
    name = "expired-suppression"
    severity = INFO
    summary = "A suppression's until date has passed: it no longer silences its findings"
    tags = ("computefit", "suppression")
    stage = "suppressions"


class InvalidSuppression(EngineRule):
    """
    ## What it does
    Reports a suppression computefit cannot read: an unknown check ID, an `until` that is not a
    `YYYY-MM-DD` date, a comment that names no check, a malformed `Metadata.computefit` entry, or an
    ID of an engine rule (CF001-CF003, which cannot be silenced inline). The parts that are valid
    still apply; a suppression with a bad date silences nothing, so a typo never hides a finding
    for longer than intended.

    ## Why is this bad?
    A suppression that is silently ignored is worse than none: the author believes the finding is
    handled, and a typo in an ID can hide a finding of another check.

    ## Example
    ```yaml
    # computefit:ignore CF2O1 until 31/01/2027
    ```

    ## Use instead
    ```yaml
    # computefit:ignore CF201 until 2027-01-31 -- reason
    ```
    `computefit checks` lists the valid IDs.

    ## References
    - computefit README, "Suppressions"
    """

    id = "CF003"
    name = "invalid-suppression"
    severity = WARNING
    summary = "A suppression names an unknown check, has a bad date or cannot be read"
    tags = ("computefit", "suppression")
    stage = "suppressions"


# --------------------------------------------------------------------------------------------------
# Suppressions as read from the sources
# --------------------------------------------------------------------------------------------------

COMMENT = "comment"
RESOURCE_METADATA = "resource-metadata"
TEMPLATE_METADATA = "template-metadata"


@dataclass(eq=False)
class Suppression:
    """One suppression as written (a comment or a Metadata entry): its IDs, reason, expiry and problems."""

    kind: str  # COMMENT, RESOURCE_METADATA or TEMPLATE_METADATA
    location: Location
    text: str  # as written (the comment's directive, or the Metadata entry rendered as one)
    ids: tuple[str, ...] = ()  # the valid IDs (upper case), or (ALL,)
    reason: str | None = None
    until: date | None = None
    problems: list[str] = field(default_factory=list)
    #: False when a problem makes the whole suppression unusable (bad date, nothing to read).
    usable: bool = True
    used: set[str] = field(default_factory=set)  # IDs that silenced a finding
    #: Findings it would have silenced had it not expired.
    expired_hits: list[Finding] = field(default_factory=list)

    def expired(self, today: date) -> bool:
        return self.until is not None and today > self.until

    def covers_check(self, check_id: str) -> bool:
        return ALL in self.ids or check_id in self.ids

    def why(self) -> str:
        where = "comment" if self.kind == COMMENT else "Metadata"
        out = f"{where} at {self.location}"
        if self.until is not None:
            out += f" (until {self.until.isoformat()})"
        return out + (f": {self.reason}" if self.reason else ": no reason given")


_DATE = _lazy(r"^\d{4}-\d{2}-\d{2}$")
_UNTIL = _lazy(r"\buntil\b\s*(\S*)", re.IGNORECASE)


def parse_directive(body: str, location: Location, kind: str, known: set[str], engine: set[str],
                    text: str | None = None) -> Suppression:
    """Read what follows ``computefit:ignore``: ``ID[,ID...] [until YYYY-MM-DD] [-- reason]``."""
    head, sep, reason = body.partition("--")
    sup = Suppression(kind=kind, location=location, text=text or f"{DIRECTIVE}{body}".strip(),
                      reason=reason.strip() or None)
    m = _UNTIL.search(head)
    if m:
        head = head[:m.start()] + head[m.end():]
        sup.until = _parse_date(m.group(1), sup)
    ids = [t for t in re.split(r"[\s,]+", head) if t]
    sup.ids = _check_ids(ids, sup, known, engine)
    return sup


def _parse_date(raw: str, sup: Suppression) -> date | None:
    raw = raw.strip()
    try:
        if not _DATE.match(raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        shown = repr(raw) if raw else "nothing"
        sup.problems.append(f"'until' needs a date written YYYY-MM-DD, got {shown}")
        sup.usable = False
        return None


def _check_ids(ids: list[str], sup: Suppression, known: set[str], engine: set[str]) -> tuple[str, ...]:
    valid: list[str] = []
    for raw in ids:
        cid = raw.upper()
        if cid == ALL or cid in known:
            if cid not in valid:
                valid.append(cid)
        elif cid in engine:
            sup.problems.append(
                f"{cid} is reported by the suppression stage itself and cannot be suppressed here; "
                f"turn it off with ignore = [\"{cid}\"] in the configuration")
        else:
            sup.problems.append(f"unknown check ID {raw!r} (see `computefit checks`)")
    if not ids:
        sup.problems.append(f"names no check; write {SYNTAX_HELP} (or 'all')")
    if not valid:
        sup.usable = False
    return tuple(valid)


def _metadata_suppression(entry: dict, kind: str, where: Location, known: set[str],
                          engine: set[str]) -> Suppression:
    loc = Location(where.file, entry.get("line") or where.line)
    if "id" not in entry:
        sup = Suppression(kind=kind, location=loc, text="Metadata.computefit.ignore entry", usable=False)
        sup.problems.append(entry.get("error") or "entry cannot be read")
        return sup
    text = f"Metadata.computefit.ignore id: {entry['id']}"
    if "until" in entry:
        text += f", until: {entry['until']}"
    sup = Suppression(kind=kind, location=loc, text=text, reason=(entry.get("reason") or "").strip() or None)
    if entry.get("error"):
        sup.problems.append(entry["error"])
    if "until" in entry:
        sup.until = _parse_date(str(entry["until"]), sup)
    ids = [t for t in re.split(r"[\s,]+", str(entry["id"])) if t]
    sup.ids = _check_ids(ids, sup, known, engine)
    return sup


# --------------------------------------------------------------------------------------------------
# Source files: comments and block extents
# --------------------------------------------------------------------------------------------------

YAML, HCL, TF_JSON, PLAIN_JSON = "yaml", "hcl", "tf-json", "json"

#: The directive inside a comment's text (the comment marker included).
_IN_COMMENT = _lazy(r"^(?:#|//|/\*)\s*computefit:ignore\b(?P<body>.*?)(?:\*/.*)?$", re.DOTALL)
#: A ``"//"`` comment key in Terraform JSON syntax.
_JSON_COMMENT = _lazy(r'"//"\s*:\s*"\s*computefit:ignore\b(?P<body>(?:[^"\\]|\\.)*)"')


def syntax_of(path: str, source_format: str | None) -> str:
    low = path.lower()
    if low.endswith((".tf.json", ".tfvars.json")):
        return TF_JSON
    if low.endswith((".tf", ".tfvars", ".hcl")):
        return HCL
    if low.endswith(".json"):
        return PLAIN_JSON  # CloudFormation JSON, or a Terraform plan (terraform show -json)
    if source_format == "terraform":
        return HCL
    return YAML  # CloudFormation .yaml/.yml/.template (JSON content is detected on reading)


class SourceFile:
    """One file's lines, its real comments (not ``#`` inside a string or a heredoc), and the
    extent of its blocks."""

    def __init__(self, path: str, syntax: str, text: str) -> None:
        self.path = path
        if syntax == YAML and text.lstrip().startswith(("{", "[")):
            syntax = PLAIN_JSON  # a .template / .yaml file holding JSON has no comments
        self.syntax = syntax
        self.lines = text.splitlines()
        self.block_ends: dict[int, int] = {}  # HCL / JSON: line of a first "{" -> its "}" line
        #: line -> (column, text) of the comment on it
        self.comment_at: dict[int, tuple[int, str]] = {}
        if syntax == YAML:
            self.comment_at = _yaml_comments(text, self.lines)
        elif syntax in (HCL, TF_JSON, PLAIN_JSON):
            self.comment_at, self.block_ends = _scan_braces(text, hcl=syntax == HCL)
        self._extents: dict[int, int] = {}

    def comment_only(self, line: int) -> bool:
        if self.syntax == TF_JSON and 1 <= line <= len(self.lines):
            return bool(_JSON_COMMENT.match(self.lines[line - 1].strip()))
        c = self.comment_at.get(line)
        return c is not None and not self.lines[line - 1][:c[0]].strip()

    def comments(self) -> Iterable[tuple[int, str, str]]:
        """(line, directive text, body after the marker) of every suppression comment."""
        if self.syntax == TF_JSON:
            for i, line in enumerate(self.lines, 1):
                m = _JSON_COMMENT.search(line) if DIRECTIVE in line else None
                if m:
                    body = m.group("body").replace('\\"', '"')
                    yield i, f"{DIRECTIVE}{body}".strip(), body
            return
        for line, (_col, text) in sorted(self.comment_at.items()):
            m = _IN_COMMENT.match(text) if DIRECTIVE in text else None
            if m:
                body = " ".join(m.group("body").split())
                yield line, f"{DIRECTIVE} {body}".strip(), " " + body

    def extent(self, start: int, known_end: int | None = None) -> int:
        """Last line of the block that begins at ``start`` (1-based). YAML: the last line indented
        deeper than the key (trailing comments belong to what follows); HCL / JSON: the line of
        the brace closing the first ``{`` on the start line. Falls back to ``known_end`` (the
        parser's) or the start line."""
        if start in self._extents:
            return self._extents[start]
        end = None
        if 1 <= start <= len(self.lines):
            if self.syntax == YAML:
                end = _yaml_block_end(self.lines, start)
            else:
                end = self.block_ends.get(start)
        if end is None:
            end = known_end if known_end and known_end >= start else start
        self._extents[start] = end
        return end

    def covers(self, line: int, start: int, end: int) -> bool:
        """Whether a comment on ``line`` applies to the block ``start``-``end``: inside it, or in the
        run of comment-only lines directly above it."""
        if start <= line <= end:
            return True
        if line >= start or line < 1:
            return False
        return all(self.comment_only(i) for i in range(line, start))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _yaml_block_end(lines: list[str], start: int) -> int:
    key_indent = _indent(lines[start - 1])
    end = start
    for i in range(start, len(lines)):  # 0-based index of the line after start
        text = lines[i]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if _indent(text) <= key_indent:
            break
        end = i + 1
    return end


def _yaml_comments(text: str, lines: list[str]) -> dict[int, tuple[int, str]]:
    """YAML comments: a ``#`` at the start of a line or after a space that is not inside a scalar
    (a quoted string or a block scalar such as a ``UserData: |`` script). PyYAML's scanner drops
    comments but gives every scalar's span, so a ``#`` outside all spans is a comment."""
    import bisect

    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
    try:
        for tok in yaml.scan(text, Loader=loader):
            if isinstance(tok, yaml.ScalarToken):
                spans.append(((tok.start_mark.line, tok.start_mark.column),
                              (tok.end_mark.line, tok.end_mark.column)))
    except yaml.YAMLError:
        pass  # the loader reported the file; comments before the error still count
    starts = [a for a, _b in spans]

    def in_scalar(pos: tuple[int, int]) -> bool:
        i = bisect.bisect_right(starts, pos) - 1
        return i >= 0 and spans[i][0] <= pos < spans[i][1]

    out: dict[int, tuple[int, str]] = {}
    for i, line in enumerate(lines):
        col = line.find("#")
        while col >= 0:
            if (col == 0 or line[col - 1] in " \t") and not in_scalar((i, col)):
                out[i + 1] = (col, line[col:])
                break
            col = line.find("#", col + 1)
    return out


def _scan_braces(text: str, hcl: bool) -> tuple[dict[int, tuple[int, str]], dict[int, int]]:
    """One pass over HCL (or JSON) text: the comments (line -> (column, text); ``#``, ``//`` and
    ``/* */``, HCL only), and for each line holding an opening brace, the line of the brace that
    closes the first one. Strings (with ``${ }`` / ``%{ }`` sequences) and heredocs are skipped."""
    comments: dict[int, tuple[int, str]] = {}
    ends: dict[int, int] = {}
    n = len(text)
    i, line, line_start = 0, 1, 0
    # Frames: ["code", open braces as (line, first on its line), is_template] or ["str"].
    stack: list[list] = [["code", [], False]]
    opened_lines: set[int] = set()
    while i < n:
        c = text[i]
        frame = stack[-1]
        if c == "\n":
            line += 1
            i += 1
            line_start = i
            continue
        if frame[0] == "str":
            if c == "\\":
                i += 1  # the escaped character is skipped below (a newline is counted above)
                if i < n and text[i] != "\n":
                    i += 1
            elif c == '"':
                stack.pop()
                i += 1
            elif text.startswith(("$${", "%%{"), i):
                i += 3
            elif text.startswith(("${", "%{"), i):
                stack.append(["code", [], True])
                i += 2
            else:
                i += 1
            continue
        if hcl and (c == "#" or text.startswith("//", i)):
            j = text.find("\n", i)
            j = n if j < 0 else j
            comments.setdefault(line, (i - line_start, text[i:j]))
            i = j
        elif hcl and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            comments.setdefault(line, (i - line_start, text[i:j]))
            newlines = text.count("\n", i, j)
            if newlines:
                line += newlines
                line_start = text.rfind("\n", i, j) + 1
            i = j
        elif c == '"':
            stack.append(["str"])
            i += 1
        elif hcl and text.startswith("<<", i):
            m = re.match(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\n", text[i:i + 200])
            if not m:
                i += 2
                continue
            marker = m.group(1)
            j = i + m.end()
            line += 1
            while j < n:  # skip to the line holding only the marker
                k = text.find("\n", j)
                k = n if k < 0 else k
                if text[j:k].strip() == marker:
                    break
                line += 1
                j = k + 1
            i = j
            line_start = j
        elif c == "{":
            frame[1].append((line, line not in opened_lines))
            opened_lines.add(line)
            i += 1
        elif c == "}":
            i += 1
            if frame[1]:
                start, first = frame[1].pop()
                if first:
                    ends[start] = line
            elif frame[2]:
                stack.pop()  # end of a ${ } sequence: back in the string
        else:
            i += 1
    return comments, ends


# --------------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """The suppression stage's result: the findings kept and silenced, and its own CF001-CF003 findings."""

    kept: list[Finding]  # findings still reported
    suppressed: list[tuple[Finding, str]]  # (finding, why) silenced
    meta: list[Finding]  # CF001 / CF002 / CF003 findings
    suppressions: list[Suppression]


@dataclass
class _Block:
    """A span of lines of one file that a suppression covers."""

    file: str
    start: int
    end: int


def apply(findings: list[Finding], model: Model, *, ran: set[str], known: set[str],
          engine: set[str], today: date, extra_files: Iterable[str] = ()) -> Outcome:
    """Silence the findings covered by a suppression; report unused, expired and invalid ones.

    ``ran`` holds the IDs of the checks that ran (an unused ID of a check that did not run is not
    judged), ``known`` the IDs a suppression may name, ``engine`` the engine rule IDs.
    """
    stage = _Stage(model, known, engine, today)
    stage.read_sources(findings, extra_files)
    kept: list[Finding] = []
    suppressed: list[tuple[Finding, str]] = []
    for f in findings:
        why = stage.silence(f)
        if why is None:
            kept.append(f)
        else:
            suppressed.append((f, why))
    meta = stage.report(ran)
    return Outcome(kept, suppressed, meta, stage.suppressions)


class _Stage:
    def __init__(self, model: Model, known: set[str], engine: set[str], today: date) -> None:
        self.model = model
        self.known = known
        self.engine = engine
        self.today = today
        self.files: dict[str, SourceFile | None] = {}
        self.syntax_hint: dict[str, str] = {}
        self.suppressions: list[Suppression] = []
        self.comments: dict[str, list[Suppression]] = {}  # file -> comment suppressions
        self.unit_meta: dict[int, list[Suppression]] = {}  # id(unit) -> resource metadata
        self.doc_meta: dict[int, list[Suppression]] = {}  # id(doc) -> template metadata
        self.file_meta: dict[str, list[Suppression]] = {}  # nested template file -> its template metadata
        self.units: dict[tuple[str, str], list[tuple[ComputeUnit, Document]]] = {}
        self.docs_by_file: dict[str, list[Document]] = {}

    # -- reading --------------------------------------------------------------------------------
    def read_sources(self, findings: list[Finding], extra_files: Iterable[str]) -> None:
        paths: list[str] = []
        for doc in self.model.documents:
            files = doc.files or [doc.path]
            for p in files:
                self.docs_by_file.setdefault(p, []).append(doc)
                self.syntax_hint[p] = syntax_of(p, doc.source_format)
                paths.append(p)
            if doc.metadata_suppressions:
                where = Location(doc.path, 1)
                self.doc_meta[id(doc)] = [self._meta(e, TEMPLATE_METADATA, where)
                                          for e in doc.metadata_suppressions]
            for file, entries in doc.nested_metadata_suppressions.items():
                if file not in self.file_meta:  # once per template, however many stacks include it
                    self.file_meta[file] = [self._meta(e, TEMPLATE_METADATA, Location(file, 1)) for e in entries]
            for unit in _subjects(doc):
                self.units.setdefault((unit.location.file, unit.name), []).append((unit, doc))
                self.syntax_hint.setdefault(unit.location.file, syntax_of(unit.location.file, doc.source_format))
                paths.append(unit.location.file)
                for r in unit.related:
                    self.syntax_hint.setdefault(r.file, syntax_of(r.file, doc.source_format))
                    paths.append(r.file)
                if unit.metadata_suppressions:
                    self.unit_meta[id(unit)] = [self._meta(e, RESOURCE_METADATA, unit.location)
                                                for e in unit.metadata_suppressions]
        paths.extend(f.location.file for f in findings)
        paths.extend(extra_files)
        for p in dict.fromkeys(paths):
            src = self.source(p)
            if src is None:
                continue
            for line, text, body in src.comments():
                sup = parse_directive(body, Location(p, line), COMMENT, self.known, self.engine, text)
                self.comments.setdefault(p, []).append(sup)
                self.suppressions.append(sup)

    def _meta(self, entry: dict, kind: str, where: Location) -> Suppression:
        sup = _metadata_suppression(entry, kind, where, self.known, self.engine)
        self.suppressions.append(sup)
        return sup

    def source(self, path: str) -> SourceFile | None:
        if path not in self.files:
            src = None
            text = read_source_text(path)
            if text is not None and DIRECTIVE in text:
                src = SourceFile(path, self.syntax_hint.get(path) or syntax_of(path, None), text)
            self.files[path] = src
        return self.files[path]

    # -- matching -------------------------------------------------------------------------------
    def _blocks(self, f: Finding) -> tuple[list[_Block], list[ComputeUnit], list[Document]]:
        """The source blocks a finding belongs to, and its units and documents."""
        res_loc = f.resource_at
        pairs = self.units.get((res_loc.file, f.resource), [])
        blocks: list[_Block] = []
        for unit, _doc in pairs:
            blocks.append(self._block(unit.location, unit.end_line))
            blocks.extend(self._block(r) for r in unit.related)
        if not pairs:
            blocks.append(self._block(res_loc))
        blocks.append(_Block(f.location.file, f.location.line, f.location.line))
        docs = [d for _u, d in pairs] or self.docs_by_file.get(res_loc.file, [])
        return blocks, [u for u, _d in pairs], docs

    def _block(self, loc: Location, known_end: int | None = None) -> _Block:
        src = self.files.get(loc.file)
        if src is None or loc.line < 1:
            return _Block(loc.file, loc.line, known_end or loc.line)
        return _Block(loc.file, loc.line, src.extent(loc.line, known_end))

    def candidates(self, f: Finding) -> list[Suppression]:
        blocks, units, docs = self._blocks(f)
        out: list[Suppression] = []
        for unit in units:
            out.extend(self.unit_meta.get(id(unit), []))
        for doc in docs:
            out.extend(self.doc_meta.get(id(doc), []))
        for file in dict.fromkeys([f.location.file] + [u.location.file for u in units]):
            out.extend(s for s in self.file_meta.get(file, []) if s not in out)
        for b in blocks:
            src = self.files.get(b.file)
            if src is None:
                continue
            for sup in self.comments.get(b.file, []):
                if sup not in out and src.covers(sup.location.line, b.start, b.end):
                    out.append(sup)
        return out

    def silence(self, f: Finding) -> str | None:
        """Why ``f`` is silenced, or None. Marks the suppressions that matched."""
        if not self.suppressions:
            return None
        why = None
        for sup in self.candidates(f):
            if not sup.usable or not sup.covers_check(f.check_id):
                continue
            if sup.expired(self.today):
                sup.expired_hits.append(f)
                continue
            sup.used.add(f.check_id if f.check_id in sup.ids else ALL)
            why = why or sup.why()
        return why

    # -- reporting ------------------------------------------------------------------------------
    def report(self, ran: set[str]) -> list[Finding]:
        out: list[Finding] = []
        for sup in self.suppressions:
            if sup.problems:
                out.append(self._finding(
                    InvalidSuppression, sup,
                    f"Invalid suppression `{sup.text}`: {'; '.join(sup.problems)}."
                    + ("" if sup.usable else " It silences nothing."),
                    f"Write {SYNTAX_HELP}, with IDs from `computefit checks`.",
                ))
            if not sup.usable:
                continue
            if sup.expired(self.today):
                n = len(sup.expired_hits)
                again = (f"{n} finding{'s' if n != 1 else ''} it used to silence {'are' if n != 1 else 'is'} "
                         "reported again" if n else "it would silence nothing now anyway")
                out.append(self._finding(
                    ExpiredSuppression, sup,
                    f"Suppression `{sup.text}` expired on {sup.until.isoformat()}"
                    f"{f' (reason: {sup.reason})' if sup.reason else ''}: {again}.",
                    "Fix the finding, or review the decision and set a new `until` date.",
                ))
                continue
            if ALL in sup.ids:
                unused = [] if sup.used or not ran else [ALL]
            else:
                unused = [cid for cid in sup.ids if cid not in sup.used and cid in ran]
            if unused:
                names = ", ".join("all" if u == ALL else u for u in unused)
                whole = len(unused) == len(sup.ids)
                out.append(self._finding(
                    UnusedSuppression, sup,
                    f"Unused suppression: {names} in `{sup.text}` matched no finding"
                    f"{'' if whole else ' (the other IDs in it did)'}.",
                    "Remove the suppression." if whole else f"Remove {names} from the list.",
                    unused=unused,
                ))
        return out

    def _finding(self, rule: type[EngineRule], sup: Suppression, message: str, recommendation: str,
                 unused: list[str] | None = None) -> Finding:
        resource, rtype = self._target(sup)
        evidence = {
            "suppression": sup.text,
            "kind": sup.kind,
            "ids": ["all" if i == ALL else i for i in sup.ids],
            "reason": sup.reason,
            "until": sup.until.isoformat() if sup.until else None,
        }
        if sup.problems:
            evidence["problems"] = list(sup.problems)
        if unused is not None:
            evidence["unused_ids"] = ["all" if i == ALL else i for i in unused]
        if sup.expired_hits:
            evidence["reported_again"] = [f"{f.check_id} {f.resource} at {f.location}" for f in sup.expired_hits]
        return Finding(check_id=rule.id, check_name=rule.name, severity=rule.severity, message=message,
                       recommendation=recommendation, resource=resource, resource_type=rtype,
                       location=sup.location, evidence=evidence)

    def _target(self, sup: Suppression) -> tuple[str, str]:
        """The resource a suppression is attached to, for the report."""
        if sup.kind == TEMPLATE_METADATA:
            return "(template)", "Metadata"
        for (file, _name), pairs in self.units.items():
            for unit, _doc in pairs:
                if sup.kind == RESOURCE_METADATA:
                    if sup in self.unit_meta.get(id(unit), []):
                        return unit.name, unit.resource_type
                    continue
                src = self.files.get(sup.location.file)
                if src is None:
                    continue
                for loc, end in [(unit.location, unit.end_line)] + [(r, None) for r in unit.related]:
                    if loc.file == sup.location.file and loc.line >= 1 and src.covers(
                            sup.location.line, loc.line, src.extent(loc.line, end)):
                        return unit.name, unit.resource_type
        return "(no resource)", "computefit:ignore comment"


def _subjects(doc: Document) -> list:
    """What a finding can be about: the compute units, then every other resource of the graph (a
    queue, a rule), each with its extent, related locations and metadata suppressions."""
    units = list(doc.units)
    seen = {id(u.resource) for u in units}
    return units + [r for r in doc.resources if id(r) not in seen]
