"""Usage files: the volumes and durations the code cannot say (requests a month, how long a run
takes, hours an instance runs), read from an infracost usage file (``--usage-file FILE``, or
``usage-file`` in the configuration).

The format is infracost's (https://www.infracost.io/docs/features/usage_based_resources/)::

    version: 0.1
    resource_type_default_usage:          # every resource of a type (or of its kind)
      aws_lambda_function:
        monthly_requests: 100000
    resource_usage:                       # one resource, by Terraform address or logical ID
      module.api["eu"].aws_lambda_function.this[0]:
        monthly_requests: 2000000
        request_duration_ms: 120
      ReportHost:                         # a CloudFormation resource, by its logical ID
        job_duration_minutes: 25

computefit reads infracost's keys where infracost has them and its own documented keys where it
does not (``data/usage_keys.toml``; README, "Usage files"). Every value becomes a
:class:`~computefit.model.Setting` with the file and line that gave it (origin ``usage-file``), so a
cost line can say where its volume came from.

Terraform addresses may name module instances and resource instances: ``["key"]``, ``[0]`` or
``[*]`` (every instance). computefit reads the instances of a resource whose settings agree as one
resource without an index, and module instances as one module: an entry naming one instance of
such a resource applies to it when every entry naming one of its instances agrees on the value.
For each key the most specific entry wins (an exact instance over ``[*]``, the outermost module's
index deciding first and the resource's last, as infracost orders them), then
``resource_type_default_usage`` for the resource's type, then for another type of the same kind
(``aws_lambda_function`` defaults apply to a SAM function too).

A file that cannot be read (not YAML, a value of the wrong type, a duplicate key) is a
:class:`UsageFileError` naming the file and line (the command line exits 2). What is read but not
used is a scan-level notice naming it: an unknown key, an address that matches no resource,
entries for resource types computefit does not price, infracost keys computefit does not use.
"""

from __future__ import annotations

import functools
import json
import math
import os
from dataclasses import dataclass, field
from typing import Any, Iterable

from .boundary import Notice
from .check import EMPTY, Usage  # the values a check reads (part of the check API)
from .lazyre import LazyPattern as _lazy
from .model import ORIGIN_USAGE_FILE, Location, Setting

__all__ = ["UsageFileError", "UsageFile", "Usage", "Key", "load", "keys", "keys_for", "parse_address",
           "EMPTY"]

_KEYS_FILE = os.path.join(os.path.dirname(__file__), "data", "usage_keys.toml")
VERSION = "0.1"
TOP_KEYS = ("version", "resource_type_default_usage", "resource_usage")
#: A usage file larger than this is refused (infracost's full example is 90 KB).
MAX_BYTES = 4 * 1024 * 1024
#: YAML nodes walked at most (aliases can make a small file a huge tree).
MAX_NODES = 200_000


class UsageFileError(Exception):
    """A usage file that cannot be read: names the file and, when known, the line."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.message = message

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


# --------------------------------------------------------------------------------------------------
# The keys
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """A usage key computefit reads."""

    name: str
    kinds: tuple[str, ...]  # canonical kinds it applies to
    infracost: tuple[str, ...]  # the kinds for which infracost defines it
    type: str  # number | integer
    unit: str
    description: str

    def defined_by(self, kind: str) -> str:
        return "infracost" if kind in self.infracost else "computefit"


@functools.lru_cache(maxsize=1)
def _table() -> dict:
    from . import usercache

    return usercache.data_table(_KEYS_FILE)


@functools.lru_cache(maxsize=1)
def keys() -> dict[str, Key]:
    """Every usage key computefit reads, by name."""
    return {name: Key(name, tuple(row["kinds"]), tuple(row["infracost"]), row["type"], row["unit"],
                      row["description"])
            for name, row in _table()["keys"].items()}


def keys_for(kind: str | None) -> list[Key]:
    """The keys that apply to resources of ``kind``, in the table's order."""
    return [k for k in keys().values() if kind in k.kinds]


def _not_used(kind: str | None) -> tuple[str, ...]:
    return tuple(_table().get("not_used", {}).get(kind or "", ()))


@functools.lru_cache(maxsize=1)
def priced_kinds() -> frozenset[str]:
    """The kinds some usage key applies to."""
    return frozenset(kind for k in keys().values() for kind in k.kinds)


def _kind_of(rtype: str | None) -> str | None:
    from .kinds import kind_of

    return kind_of(rtype) if rtype else None


# --------------------------------------------------------------------------------------------------
# Addresses
# --------------------------------------------------------------------------------------------------

_TOKEN = _lazy(r'([A-Za-z_][A-Za-z0-9_-]*)(?:\[(\*|\d+|"(?:[^"\\]|\\.)*")\])?')
_LOGICAL_ID = _lazy(r"^[A-Za-z0-9]+(?:/[A-Za-z0-9]+)*$")  # a nested stack's resource: Workers/Worker


@dataclass(frozen=True)
class Address:
    """A Terraform address: module calls (name, index) outermost first, then the resource (type,
    name, index), or no resource for an address that names a module call (a registry module that
    computefit reads as one resource). An index is None, ``*``, or a key as written in JSON
    (``"a"``) or a number (``0``)."""

    modules: tuple[tuple[str, str | None], ...]
    rtype: str | None
    rname: str | None
    rindex: str | None


def _index(raw: str | None) -> str | None:
    if raw is None or raw == "*" or raw.isdigit():
        return None if raw is None else (raw if raw == "*" else str(int(raw)))
    try:
        return json.dumps(json.loads(raw))  # one spelling of each key
    except ValueError:
        return raw


@functools.lru_cache(maxsize=4096)
def parse_address(text: str) -> Address | None:
    """``module.a["k"].aws_lambda_function.this[0]`` -> its parts; None when it is not a Terraform
    address (a CloudFormation logical ID has no dot)."""
    tokens: list[tuple[str, str | None]] = []
    pos = 0
    while True:
        mt = _TOKEN.match(text, pos)
        if mt is None:
            return None
        tokens.append((mt.group(1), _index(mt.group(2))))
        pos = mt.end()
        if pos == len(text):
            break
        if text[pos] != ".":
            return None
        pos += 1
    modules = []
    i = 0
    while i + 1 < len(tokens) and tokens[i] == ("module", None):
        modules.append(tokens[i + 1])
        i += 2
    rest = tokens[i:]
    if rest and rest[0] == ("data", None):
        rest = [(f"data.{rest[1][0]}", rest[1][1])] + rest[2:] if len(rest) > 1 else []
    if not rest and modules:
        return Address(tuple(modules), None, None, None)
    if len(rest) != 2 or rest[0][1] is not None:
        return None
    return Address(tuple(modules), rest[0][0], rest[1][0], rest[1][1])


# How one index of a usage address meets the model's: None (no match), else (score, partial).
_WILD, _PLAIN, _EXACT = 0, 1, 2


def _meet(usage: str | None, model: str | None) -> tuple[int, bool] | None:
    if usage == "*":
        return _WILD, False
    if usage is None:
        return (_PLAIN, False) if model is None else None
    if model is None:  # one instance of what computefit reads as one resource (or one module)
        return _EXACT, True
    return (_EXACT, False) if usage == model else None


# --------------------------------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One entry of ``resource_usage`` (an address) or ``resource_type_default_usage`` (a type)."""

    address: str
    line: int
    values: tuple[tuple[str, Any, int], ...]  # (key, value, line) for every key written
    section: str  # resource_usage | resource_type_default_usage
    parsed: Address | None = None  # None: a CloudFormation logical ID, or a default's type
    kind: str | None = None  # the kind of its Terraform type / default's type (None: unknown)

    @property
    def deferred(self) -> bool:
        """Whether its kind is known only from what it matches: a CloudFormation logical ID, or a
        module call (a registry module computefit reads as one resource)."""
        return self.parsed is None or self.parsed.rtype is None

    def value_of(self, key: str) -> tuple[Any, int] | None:
        for k, v, line in self.values:
            if k == key:
                return v, line
        return None




@dataclass
class UsageFile:
    """A loaded usage file. :meth:`lookup` gives a resource's values; :meth:`notices` what the
    scan did not use."""

    path: str  # as reported
    defaults: tuple[Entry, ...] = ()
    entries: tuple[Entry, ...] = ()
    #: what was found while reading (unknown keys, unknown top-level keys)
    read_notices: tuple[Notice, ...] = ()

    # -- lookup -----------------------------------------------------------------------------
    def lookup(self, subject: Any) -> Usage:
        """The usage values of ``subject`` (a compute unit or a resource of the model)."""
        settings, _conflicts, _matched = self._resolve(subject)
        return Usage(settings) if settings else EMPTY

    def _resolve(self, subject: Any) -> tuple[dict[str, Setting], list[tuple[str, list[Entry]]], list[Entry]]:
        """(settings, keys whose instance entries disagree with those entries, entries that matched)."""
        kind = getattr(subject, "kind", None)
        address = getattr(subject, "name", None) or getattr(subject, "address", "")
        rtype = getattr(subject, "resource_type", None) or getattr(subject, "type", None)
        fmt = getattr(subject, "source_format", None)
        matches = []
        for e in self.entries:
            got = _match(e, address, kind, fmt)
            if got is not None:
                matches.append((got[0], got[1], e))
        applicable = [k.name for k in keys_for(kind)]  # in the table's order: reports are stable
        out: dict[str, Setting] = {}
        conflicts: list[tuple[str, list[Entry]]] = []
        for key in applicable:
            full = [(score, e) for score, partial, e in matches if not partial and e.value_of(key)]
            if full:
                score, e = max(full, key=lambda p: (p[0], p[1].line))
                out[key] = _setting(self.path, e, key)
                continue
            partial = [e for _s, p, e in matches if p and e.value_of(key)]
            if partial:
                values = {e.value_of(key)[0] for e in partial}
                if len(values) == 1:
                    out[key] = _setting(self.path, partial[0], key,
                                        extra="given for one instance" if len(partial) == 1
                                        else f"the same for {len(partial)} instances")
                else:
                    conflicts.append((key, partial))
                continue
            default = self._default(rtype, kind, key)
            if default is not None:
                out[key] = _setting(self.path, default, key)
        return out, conflicts, [e for _s, _p, e in matches]

    def _default(self, rtype: str | None, kind: str | None, key: str) -> Entry | None:
        same_kind = None
        for d in self.defaults:
            if d.value_of(key) is None:
                continue
            if d.address == rtype:
                return d
            if same_kind is None and kind is not None and d.kind == kind:
                same_kind = d
        return same_kind

    # -- what was not used ------------------------------------------------------------------
    def notices(self, subjects: Iterable[Any]) -> list[Notice]:
        """Notices about this file after a scan of ``subjects`` (every resource and compute unit
        of the model): entries that match nothing, keys that do not apply, instance values that
        disagree, entries for types computefit does not price."""
        out = list(self.read_notices)
        matched: dict[int, list[Any]] = {}
        seen = set()
        for s in subjects:
            ident = (getattr(s, "name", None), getattr(s, "location", None))
            if ident in seen:
                continue
            seen.add(ident)
            _settings, conflicts, entries = self._resolve(s)
            for e in entries:
                matched.setdefault(id(e), []).append(s)
            for key, partial in conflicts:
                lines = ", ".join(str(e.value_of(key)[1]) for e in partial)
                out.append(Notice(self.path, partial[0].line, (
                    f"{key} differs between {', '.join(e.address for e in partial)} (lines {lines}), which "
                    f"computefit reads as one resource, {s.name} (its instances' settings agree): not used; "
                    f"give one value for every instance ([*]) or for {s.name}")))
        unpriced: list[Entry] = []
        for e in self.entries:
            hits = matched.get(id(e), [])
            if not e.deferred and e.kind not in priced_kinds():
                unpriced.append(e)
                continue
            if not hits:
                out.append(Notice(self.path, e.line, f"resource_usage {e.address} matches no resource in the "
                                                     "scanned code; its values are not used"))
                continue
            if e.deferred:  # a logical ID or a module call: its kind is known now
                for kind in dict.fromkeys(getattr(h, "kind", None) for h in hits):
                    out += _key_notices(self.path, e, kind)
                    unused = [key for key, _v, _l in e.values if key in _not_used(kind)]
                    if unused:
                        out.append(Notice(self.path, e.line, f"infracost keys computefit does not use: "
                                                             f"{', '.join(unused)} ({e.address})"))
        unpriced += [d for d in self.defaults if d.kind not in priced_kinds()]
        if unpriced:
            types = list(dict.fromkeys(e.parsed.rtype if e.parsed else e.address for e in unpriced))
            shown = ", ".join(types[:5]) + (f" and {len(types) - 5} more" if len(types) > 5 else "")
            out.append(Notice(self.path, unpriced[0].line, (
                f"{len(unpriced)} entr{'y' if len(unpriced) == 1 else 'ies'} for resource types computefit does not "
                f"price {'is' if len(unpriced) == 1 else 'are'} not used: {shown}")))
        return out


def _match(e: Entry, address: str, kind: str | None, fmt: str | None) -> tuple[tuple, bool] | None:
    """How entry ``e`` matches the model address: (precedence score, partial), or None."""
    if e.parsed is None:  # a CloudFormation logical ID
        return ((), False) if fmt == "cloudformation" and address == e.address else None
    if fmt != "terraform":
        return None
    m = parse_address(address)
    u = e.parsed
    if m is None or len(u.modules) != len(m.modules):
        return None
    scores: list[int] = []
    partial = False
    if u.rtype is None:  # a module call: the registry module computefit reads as one resource
        if m.rtype is not None:
            return None
        scores.append(_EXACT)
    elif m.rtype is None:  # a registry module read as one resource: the resource it creates
        if e.kind is None or e.kind != kind:
            return None
        scores.append(_EXACT)
    else:
        if (u.rtype, u.rname) != (m.rtype, m.rname):
            return None
        got = _meet(u.rindex, m.rindex)
        if got is None:
            return None
        scores.append(got[0])
        partial |= got[1]
    for (uname, uidx), (mname, midx) in zip(reversed(u.modules), reversed(m.modules)):
        if uname != mname:
            return None
        got = _meet(uidx, midx)
        if got is None:
            return None
        scores.append(got[0])
        partial |= got[1]
    # infracost's order: the outermost module's index decides first, the resource's last
    # (module.m[0].x[*] over module.m[*].x[1]; infracost/infracost#1105)
    return tuple(reversed(scores)), partial


def _setting(path: str, e: Entry, key: str, extra: str | None = None) -> Setting:
    value, line = e.value_of(key)
    note = f"{e.section} {e.address}" + (f", {extra}" if extra else "")
    return Setting(value, Location(path, line), ORIGIN_USAGE_FILE, note)


def _key_notices(path: str, e: Entry, kind: str | None) -> list[Notice]:
    """Notices for the keys of ``e`` that do not apply to resources of ``kind``."""
    if kind not in priced_kinds():
        return [Notice(path, e.line, f"{e.section} {e.address} is a resource whose type computefit does "
                                     "not price; its values are not used")]
    known = {k.name for k in keys_for(kind)}
    out = []
    for key, _v, line in e.values:
        if key in known or key in _not_used(kind):
            continue
        if key in keys():
            why = f"{key} is not a usage key of a {kind.replace('_', ' ')}"
        else:
            why = f"unknown key {key}"
        out.append(Notice(path, line, f"{why} in {e.section} {e.address}; not used (computefit reads "
                                      f"{', '.join(sorted(known))} for it)"))
    return out


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def load(path: str, shown: str | None = None) -> UsageFile:
    """Read the usage file at ``path`` (reported as ``shown``). Raises :class:`UsageFileError`."""
    from .discovery import display_path

    shown = shown or display_path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UsageFileError(shown, None, "usage file not found")
    except IsADirectoryError:
        raise UsageFileError(shown, None, "is a folder, not a usage file")
    except OSError as exc:
        raise UsageFileError(shown, None, f"cannot read usage file: {exc.strerror or exc}")
    if len(data) > MAX_BYTES:
        raise UsageFileError(shown, None, f"usage file over the {MAX_BYTES // 1048576} MB limit")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageFileError(shown, None, f"not UTF-8 text (byte {exc.start})")
    return parse(text, shown)


def parse(text: str, shown: str) -> UsageFile:
    """A usage file from its text (``shown`` names it in errors and settings)."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise UsageFileError(shown, mark.line + 1 if mark else None,
                             f"invalid YAML: {exc.problem or exc.context}")
    except yaml.YAMLError as exc:
        raise UsageFileError(shown, None, f"invalid YAML: {exc}")
    return _Reader(shown).read(root)


class _Reader:
    def __init__(self, shown: str) -> None:
        import yaml

        self.shown = shown
        self.yaml = yaml
        self.nodes = 0
        self.notices: list[Notice] = []
        self.not_used: dict[str, list[str]] = {}

    def error(self, node, message: str) -> UsageFileError:
        return UsageFileError(self.shown, node.start_mark.line + 1 if node is not None else None, message)

    def line(self, node) -> int:
        return node.start_mark.line + 1

    def scalar(self, node) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.error(node, f"too many YAML nodes (more than {MAX_NODES:,}); is an alias repeated?")
        if not isinstance(node, self.yaml.ScalarNode):
            return node  # a mapping or sequence: the caller decides
        try:
            return self.yaml.constructor.SafeConstructor().construct_object(node, deep=True)
        except self.yaml.YAMLError as exc:
            raise self.error(node, f"invalid value: {exc}")

    def mapping(self, node, what: str, allow_null: bool = False) -> list[tuple[str, Any, Any]]:
        """(key, key node, value node) of a mapping node, keys checked to be unique strings."""
        if allow_null and isinstance(node, self.yaml.ScalarNode) and self.scalar(node) is None:
            return []
        if not isinstance(node, self.yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping")
        out = []
        seen: dict[str, int] = {}
        for knode, vnode in node.value:
            key = self.scalar(knode)
            if not isinstance(key, str):
                key = str(key) if isinstance(key, (int, float)) and not isinstance(key, bool) else None
            if key is None:
                raise self.error(knode, f"a key of {what} must be text")
            if key in seen:
                raise self.error(knode, f"duplicate key {key} in {what} (first at line {seen[key]})")
            seen[key] = self.line(knode)
            out.append((key, knode, vnode))
        return out

    def read(self, root) -> UsageFile:
        if root is None:
            raise UsageFileError(self.shown, None, "empty usage file (it begins with version: 0.1)")
        top = self.mapping(root, "the usage file")
        names = {k: (kn, vn) for k, kn, vn in top}
        if "version" not in names:
            raise self.error(root, "no version key: a usage file begins with version: 0.1")
        kn, vn = names["version"]
        version = self.scalar(vn)
        if str(version) != VERSION:
            raise self.error(vn, f"usage file version {version!r} is not supported (computefit reads version {VERSION})")
        for k, kn, _vn in top:
            if k not in TOP_KEYS:
                self.notices.append(Notice(self.shown, self.line(kn), (
                    f"unknown top-level key {k}; not used (a usage file has {', '.join(TOP_KEYS)})")))
        defaults: list[Entry] = []
        entries: list[Entry] = []
        if "resource_type_default_usage" in names:
            for rtype, knode, vnode in self.mapping(names["resource_type_default_usage"][1],
                                                    "resource_type_default_usage", allow_null=True):
                kind = _kind_of(rtype)
                defaults.append(self.entry("resource_type_default_usage", rtype, knode, vnode, None, kind))
        if "resource_usage" in names:
            for address, knode, vnode in self.mapping(names["resource_usage"][1], "resource_usage",
                                                      allow_null=True):
                parsed = parse_address(address) if "." in address else None
                if parsed is None and not _LOGICAL_ID.match(address):
                    self.notices.append(Notice(self.shown, self.line(knode), (
                        f"resource_usage {address!r} is neither a Terraform address (aws_lambda_function.name, "
                        'module.a["k"].aws_instance.this[0]) nor a CloudFormation logical ID; not used')))
                    continue
                kind = _kind_of(parsed.rtype) if parsed is not None else None
                entries.append(self.entry("resource_usage", address, knode, vnode, parsed, kind))
        if self.not_used:
            listed = "; ".join(f"{key} ({', '.join(where[:3])}{' ...' if len(where) > 3 else ''})"
                               for key, where in self.not_used.items())
            self.notices.append(Notice(self.shown, None, f"infracost keys computefit does not use: {listed}"))
        return UsageFile(self.shown, tuple(defaults), tuple(entries), tuple(self.notices))

    def entry(self, section: str, address: str, knode, vnode, parsed: Address | None, kind: str | None) -> Entry:
        values = []
        for key, kn, vn in self.mapping(vnode, f"{section} {address}", allow_null=True):
            spec = keys().get(key)
            value: Any = None
            if spec is not None and (kind is None or kind in spec.kinds):
                value = self.number(spec, vn, f"{key} of {address}")
            values.append((key, value, self.line(kn)))
        e = Entry(address, self.line(knode), tuple(values), section, parsed, kind)
        if kind is not None and kind in priced_kinds():
            self.notices += _key_notices(self.shown, e, kind)
            for key, _v, line in e.values:
                if key in _not_used(kind):
                    self.not_used.setdefault(key, []).append(f"{address} line {line}")
        return e

    def number(self, spec: Key, node, what: str) -> int | float:
        value = self.scalar(node)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
        if ok and spec.type == "integer":
            ok = float(value).is_integer()
            value = int(value) if ok else value
        if not ok:
            shown = value if not isinstance(value, self.yaml.Node) else f"a {value.id}"
            kind = "a whole number" if spec.type == "integer" else "a number"
            raise self.error(node, f"{what} must be {kind} of {spec.unit}, at least 0; got {shown!r}")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return value


# --------------------------------------------------------------------------------------------------
# Writing a usage file to fill in (computefit usage --init)
# --------------------------------------------------------------------------------------------------

#: The kinds a check can price, whose resources ``--init`` lists.
INIT_KINDS = ("lambda_function", "lambda_provisioned_concurrency", "ec2_instance", "auto_scaling_group",
              "ecs_service", "ecs_task")


def init_text(model: Any, config: Any, shown_paths: list[str], today: str) -> str:
    """A usage file in infracost's format listing every resource of ``model`` a check could price,
    each key commented out with the value computefit assumes today (or why it has none), for
    users to correct and uncomment (like infracost's ``--sync-usage-file``)."""
    import yaml

    lines = [
        "# Usage file: the volumes and durations the code does not say, in infracost's format",
        "# (https://www.infracost.io/docs/features/usage_based_resources/).",
        f"# Written by computefit usage --init on {today} from: {', '.join(shown_paths)}",
        "# Every value is commented out and is what computefit assumes today; uncomment a line and",
        "# correct it to use it: computefit scan --usage-file FILE.",
        "# Keys: README, 'Usage files'.",
        "version: 0.1",
        "resource_usage:",
    ]
    seen: dict[str, int] = {}
    count = 0
    for subject in _priced(model):
        address = _usage_address(subject)
        if address in seen:  # the same logical ID in another template: the entry applies to both
            lines[seen[address]] += f", {subject.location}"
            continue
        seen[address] = len(lines)
        count += 1
        lines.append(f"  {yaml.safe_dump(address, default_style=None).splitlines()[0]}:"
                     f"  # {subject.resource_type} at {subject.location}")
        for key in keys_for(subject.kind):
            value, why = _assumed(subject, key.name, config)
            shown = "" if value is None else f" {_number(value)}"
            lines.append(f"    # {key.name}:{shown}  # {why}")
    if not count:
        lines[-1] = "resource_usage: {}  # no resource a check could price was found"
    return "\n".join(lines) + "\n"


def _priced(model: Any) -> list[Any]:
    out = []
    for d in model.documents:
        unit_resources = {id(u.resource) for u in d.units}
        out += [u for u in d.units if u.kind in INIT_KINDS]
        out += [r for r in d.resources if r.kind in INIT_KINDS and id(r) not in unit_resources]
    return out


def _usage_address(subject: Any) -> str:
    """The address infracost (and computefit) reads for ``subject``: a registry module computefit
    reads as one resource by the resource the module creates."""
    rtype = getattr(subject, "resource_type", "")
    if isinstance(rtype, str) and rtype.startswith("module:"):
        inner = _table().get("module_resources", {}).get(subject.kind)
        if inner:
            return f"{subject.name}.{inner}"
    return subject.name


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}".rstrip("0").rstrip(".")


def _option(config: Any, check_id: str, name: str) -> Any:
    from .check import get_check

    cls = get_check(check_id)
    return config.options_for(cls)[name] if cls is not None else None


def _assumed(subject: Any, key: str, config: Any) -> tuple[float | None, str]:
    """(value computefit assumes today for ``key`` of ``subject``, or None; where it comes from)."""
    from . import model as m
    from . import pricing

    kind = subject.kind
    month = pricing.hours_per_month()
    window = getattr(subject, "window", None)
    window = window if getattr(window, "reaches_zero", False) and getattr(window, "peak", 0) > 0 else None
    timeout = subject.value(m.TIMEOUT) if hasattr(subject, "value") else None
    if kind == "lambda_function":
        if key == "monthly_requests":
            runs = pricing.lambda_runs(subject)
            if runs.known:
                return runs.per_month, "assumed today: " + "; ".join(runs.notes)
            return None, "unknown today: " + "; ".join(runs.notes).replace("runs per month unknown: ", "")
        if key == "request_duration_ms" and isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
            return float(timeout) * 1000, "assumed today: the full timeout, an upper bound"
        if key == "peak_concurrency":
            return _option(config, "CF301", "provisioned_environments"), \
                "assumed today: CF301 option provisioned_environments"
    if kind in ("ec2_instance", "auto_scaling_group"):
        if key == "monthly_hrs":
            if window is not None:
                return (window.instance_hours_per_day / window.peak * month / 24,
                        f"assumed today: its scheduled actions ({window.description})")
            return month, "assumed today: always on"
        if key == "instances" and kind == "auto_scaling_group":
            lo, hi = subject.value(m.MIN_SIZE), subject.value(m.MAX_SIZE)
            if window is not None:
                return window.peak, "assumed today: the most its scheduled actions run"
            if isinstance(lo, int) and lo == hi:
                return lo, "assumed today: min_size = max_size"
            return None, "unknown today: the group can scale"
        if key == "job_duration_minutes":
            return _option(config, "CF101", "assumed_job_minutes"), "assumed today: CF101 option assumed_job_minutes"
    if kind in ("ecs_service", "ecs_task") and key == "job_duration_minutes":
        return _option(config, "CF102", "job_minutes"), "assumed today: CF102 option job_minutes"
    if kind == "lambda_provisioned_concurrency" and key == "monthly_duration_hrs":
        return month, "assumed today: enabled all month"
    return None, "not assumed today: read only from a usage file"
