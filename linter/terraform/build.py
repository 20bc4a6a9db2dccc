"""The Terraform front end: every resource and module call of an evaluated module (and of the
local modules it calls) as a neutral :class:`~computefit.model.Resource`, with its canonical
attributes (from the kinds table) and its references as edges. The inputs of terraform-aws-modules
registry modules that create resources of their own (a lambda module's ``event_source_mapping``,
``allowed_triggers``, function URL, provisioned concurrency) are expanded here into those resources,
so that the linker sees the same shape as for a plain resource or CloudFormation."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from .. import kinds as kt
from ..boundary import Notice
from ..discovery import display_path
from ..lazyre import LazyPattern as _lazy
from ..linker import INSTANCE_KEY, link
from ..model import (
    ORIGIN_LITERAL, ORIGIN_MODULE_INPUT, ORIGIN_SERVICE_DEFAULT, ORIGIN_TFVARS, Document, Edge, Location, Resource, Setting, Unknown,
)
from .evaluate import BoundExpr, Evaluator, Partial, Ref, Trace, plain
from .scope import MAX_INSTANCES, Scope, bind, bind_block, deep_plain, instances_of, is_local_source, registry_source
from .syntax import Attribute, Block

FORMAT = "terraform"
LANG = kt.TERRAFORM

#: Kinds whose evaluation notes (a template file that could not be read) belong to them alone; a
#: note from any other resource concerns every compute resource of its module instance.
_OWN_NOTES = ("lambda_function", "ec2_instance", "auto_scaling_group", "launch_template", "launch_configuration")

def make_setting(scope: Scope, attr: Attribute, document: bool = False) -> Setting:
    """Evaluate an argument into a Setting whose location is the line a user edits: the argument
    itself when written literally, else the variable default / tfvars / local / module input line
    that supplied the value. A ``document`` (a state machine definition) keeps the values it
    cannot resolve as placeholders, so that its known parts can still be read."""
    trace = Trace()
    value = _deep_plain(Evaluator(scope, trace, unknown_in_documents=document).eval(attr.expr))
    sup, many = trace.supplier(value)
    if sup is not None and sup.location is not None:
        return Setting(value, sup.location, sup.origin, sup.note)
    if sup is not None and sup.origin == ORIGIN_TFVARS:  # --var / TF_VAR_: no line of a file set it
        return Setting(value, Location(attr.file, attr.line), sup.origin, sup.note)
    note = None
    if many:
        note = "computed from " + ", ".join(s.note for s in many[:4])
    return Setting(value, Location(attr.file, attr.line), ORIGIN_LITERAL, note)


def _loc(b: Block) -> Location:
    return Location(b.file, b.line)


def _attr_loc(a: Attribute) -> Location:
    return Location(a.file, a.line)


_FN_REF = _lazy(r"((?:module\.[\w-]+\.)*)(aws_lambda_function|aws_lambda_alias)\.([\w-]+)(?:\[[^\]]*\])?(?:\.(\w+))?|"
                     r"((?:module\.[\w-]+\.)+)(lambda_function_\w+)")
_ANY_REF = _lazy(r"((?:module\.[\w-]+\.)*)([a-z][a-z0-9_]*\.[\w-]+)(?:\[[^\]]*\])?(?:\.(\w+))?")
_FN_ARN = _lazy(r"arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9_$-]+)?")


@dataclasses.dataclass
class _Field:
    """A key inside an object argument, found by a path (``runtime_platform.cpu_architecture`` of a
    module input): its value, and the argument that holds it (where it is written)."""

    attr: Attribute
    value: Any
    path: str


class Builder:
    """Emits the resources of a root scope and of every local module it calls."""

    def __init__(self, root: Scope) -> None:
        self.root = root
        self.scopes: list[Scope] = []
        self.resources: list[Resource] = []

    def build(self) -> list[Resource]:
        #: module calls evaluated per instance: (scope, call name, instance suffixes), callers first
        self.module_groups: list[tuple[Scope, str, list[str]]] = []
        #: module calls evaluated once whose instances are not known: generic address -> the note
        self.maybe_modules: dict[str, tuple[str, str | None]] = {}
        self._collect(self.root)
        #: (scope id, address) -> the block as written, before its dynamic blocks were expanded
        #: without an instance's ``each`` / ``count``; instances re-expand it with theirs
        self.written: dict[tuple[int, str], Block] = {}
        #: full address of a resource reported per instance -> its instances' addresses
        self.split: dict[str, list[str]] = {}
        #: module call address -> its instances' addresses, when they are reported each on its own
        self.module_split: dict[str, list[str]] = {}
        #: address of a module instance -> the address it is reported under (instances that agree)
        self.renames: dict[str, str] = {}
        #: remote module calls that were not downloaded (scan-level notices)
        self.not_followed: list[Notice] = []
        for scope in self.scopes:
            for address, block in list(scope.resources.items()):
                self.written[(id(scope), address)] = block
                if _has_dynamic(block):
                    scope.resources[address] = expand_dynamic(scope, block)
        for scope in self.scopes:
            emitted = self._scope(scope)
            rest = [n for n in scope.notes if n not in scope.claimed_notes]
            for r in emitted:
                if r.kind in ("lambda_function", "ec2_instance", "auto_scaling_group") and r.declared_by is None:
                    r.notes.extend(n for n in rest if n not in r.notes)
            self.resources.extend(emitted)
        for scope, name, suffixes in reversed(self.module_groups):  # inner module calls first
            self._module_instances(scope, name, suffixes)
        self._maybe_modules()
        self._retarget()
        for r in self.resources:
            kt.normalise(r, LANG)
        self.root.notices.extend(n for n in self.not_followed if n not in self.root.notices)
        return self.resources

    def _collect(self, scope: Scope) -> None:
        self.scopes.append(scope)
        for name in scope.modules:
            call = scope.modules[name]
            if not scope.followed(name) or _not_created(scope, call):
                continue
            insts = scope.expanded(name)
            for suffix in [s for s, _env in insts] if insts is not None else [None]:
                child = scope.child(name, suffix)
                if child is not None:
                    self._collect(child)

    # -- module instances -----------------------------------------------------------------------
    def _module_instances(self, scope: Scope, name: str, suffixes: list[str]) -> None:
        """The instances of a module call with count / for_each, each evaluated on its own: when
        every instance has the same resources with the same checked settings, one instance is
        kept, named without an index (``module.jobs.aws_lambda_function.this``); otherwise each is
        reported under its own address (``module.jobs["nightly"].aws_lambda_function.this``)."""
        base = f"{scope.prefix}module.{name}"
        bases = [base + s for s in suffixes]
        groups: dict[str, list[Resource]] = {b: [] for b in bases}
        for r in self.resources:
            for b in bases:
                if _under(r.address, b):
                    groups[b].append(r)
                    break
        signatures = {_group_signature(groups[b], b) for b in bases}
        if len(signatures) == 1:
            first = bases[0]
            dropped = {id(r) for b in bases[1:] for r in groups[b]}
            by_rel = [{r.address[len(b):]: r for r in groups[b]} for b in bases]
            for rel, r in by_rel[0].items():
                _agreed([g[rel] for g in by_rel], base + rel)
                if r.declared_by is not None:
                    r.declared_by = _renamed(r.declared_by, first, base)
            self.resources = [r for r in self.resources if id(r) not in dropped]
            for b in bases:
                self.renames[b] = base
            return
        self.module_split[base] = bases
        call = scope.modules[name]
        insts = dict(scope.expanded(name) or [])
        for b, suffix in zip(bases, suffixes):
            env = insts.get(suffix, {})
            what = ("for_each key " + json.dumps(env["each"]["key"]) if "each" in env
                    else f"count.index {env.get('count', {}).get('index')}")
            for r in groups[b]:
                for s in r.attributes.values():
                    loc = s.location
                    if s.origin == ORIGIN_MODULE_INPUT and loc is not None and loc.file == call.file \
                            and call.line <= (loc.line or 0) <= (call.end_line or call.line):
                        s.note = ((s.note + "; ") if s.note else "") + f"instance {what}"

    def _maybe_modules(self) -> None:
        """The resources of a module call evaluated once because its instances are not known (an
        unknown count) or too many: a note, and for an unknown count medium confidence."""
        for base, (note, reason) in self.maybe_modules.items():
            base = self._rename(base)
            for r in self.resources:
                if _under(r.address, base) and r.kind in _UNIT_KINDS and r.declared_by is None:
                    if note not in r.notes:
                        r.notes.append(note)
                    if reason is not None and r.may_not_exist is None:
                        r.may_not_exist = reason

    def _rename(self, address: str) -> str:
        """``address`` after module instances that agree were merged into one."""
        for old in self._renames_longest_first():
            address = _renamed(address, old, self.renames[old])
        return address

    def _renames_longest_first(self) -> list[str]:
        return sorted(self.renames, key=len, reverse=True)

    def _retarget(self) -> None:
        """Point every edge at a resource that is reported: through merged module instances to the
        one kept, from an instance key to a resource reported once (``aws_sqs_queue.q[0]`` to
        ``aws_sqs_queue.q``), and from a resource or module call reported per instance, without a
        known key, to every instance."""
        split = {self._rename(k): [self._rename(t) for t in v] for k, v in self.split.items()}
        module_split = {self._rename(k): [self._rename(t) for t in v] for k, v in self.module_split.items()}
        present = {r.address for r in self.resources}
        order = self._renames_longest_first()

        def targets(t: str) -> list[str]:
            for old in order:
                t = _renamed(t, old, self.renames[old])
            out = [t]
            for b in sorted(module_split, key=len, reverse=True):  # a call reached without a key
                out = [x for y in out for x in ([i + y[len(b):] for i in module_split[b]]
                                               if _under(y, b) else [y])]
            bare = [_strip_key(x) if x not in present and x.endswith("]") else x for x in out]
            out = [b if b in present or b in split else x for x, b in zip(out, bare)]
            return [x for y in out for x in split.get(y, [y])]

        for r in self.resources:
            edges = []
            for e in r.edges:
                if e.target is None:
                    edges.append(e)
                    continue
                ts = targets(e.target)
                edges.extend([e] if ts == [e.target] else [dataclasses.replace(e, target=t) for t in ts])
            r.edges = edges

    def _related(self, scope: Scope) -> list[Location]:
        out = []
        s: Scope | None = scope
        while s is not None and s.call is not None:
            out.append(_loc(s.call))
            s = s.parent
        return out

    def _claim(self, r: Resource, scope: Scope, before: int) -> None:
        new = scope.notes[before:]
        if r.kind in _OWN_NOTES:
            for n in new:
                scope.claimed_notes.add(n)
                if n not in r.notes:
                    r.notes.append(n)

    def _scope(self, scope: Scope) -> list[Resource]:
        out: list[Resource] = []
        related = self._related(scope)
        for address, block in scope.resources.items():
            instances = _instances(scope, block)
            if instances == []:
                continue  # count known 0 / for_each known empty: no instance exists
            rtype = block.labels[0]
            if isinstance(instances, list) and len(instances) <= MAX_INSTANCES and kt.kind_of(rtype) in _UNIT_KINDS:
                each = [self._resource(scope, address + key, expand_dynamic(
                    scope, self.written.get((id(scope), address), block), env), related, env)
                    for key, env in instances]
                if len({_signature(r) for r in each}) > 1:
                    # the instances' checked settings differ: each is its own unit
                    self.split[scope.prefix + address] = [r.address for r in each]
                    for r, (_key, env) in zip(each, instances):
                        _note_instance(r, block, env)
                    out.extend(each)
                    continue
                out.append(_agreed(each, scope.prefix + address))
                continue
            r = self._resource(scope, address, block, related)
            if isinstance(instances, Unknown):
                reason = " ".join(instances.reason.split())  # an expression's source may span lines
                r.notes.append(f"{reason}: modelled as one instance, which may not exist")
                r.may_not_exist = reason
            elif isinstance(instances, list) and len(instances) > MAX_INSTANCES:
                r.notes.append(f"more than {MAX_INSTANCES} instances (budget MAX_INSTANCES): modelled as one "
                               "unit without instance values")
            out.append(r)
        for name, call in scope.modules.items():
            if _not_created(scope, call):
                continue
            insts = scope.expanded(name)
            if insts is not None:
                for suffix, env in insts:
                    out.extend(self._module_call(scope, name, bind_block(call, env), suffix, related))
                self.module_groups.append((scope, name, [s for s, _env in insts]))
                continue
            out.extend(self._module_call(scope, name, call, "", related))
            known = scope.module_instances(name)
            if isinstance(known, Unknown):
                reason = " ".join(known.reason.split())
                self.maybe_modules[f"{scope.prefix}module.{name}"] = (
                    f"module.{name}: {reason}: modelled as one instance, which may not exist", reason)
            elif isinstance(known, list) and len(known) > MAX_INSTANCES:
                self.maybe_modules[f"{scope.prefix}module.{name}"] = (
                    f"module.{name}: more than {MAX_INSTANCES} instances (budget MAX_INSTANCES): modelled "
                    "as one instance without instance values", None)
        return out

    def _module_call(self, scope: Scope, name: str, call: Block, suffix: str,
                     related: list[Location]) -> list[Resource]:
        """A module call (one instance of it: ``call``'s arguments bound to its ``each`` /
        ``count``) as a resource, and what a mapped registry module creates from its inputs."""
        source = scope.module_source(call)
        registry = registry_source(source)
        rtype = f"module:{registry or source}" if isinstance(source, str) else "module"
        followed = scope.followed(name)
        r = Resource(f"{scope.prefix}module.{name}{suffix}", rtype, None if followed else kt.kind_of(rtype),
                     _loc(call), FORMAT, call.end_line, related=list(related) + [_loc(call)])
        if followed and not is_local_source(source):
            r.notes.append(f"evaluated from the folder terraform init downloaded: {scope.download_dir(name)}")
        elif not followed and isinstance(source, str):
            notice = Notice(
                call.file, call.line, f"{scope.call_prefix}module.{name}: source {source} is not downloaded "
                "(no .terraform/modules/modules.json entry; run terraform init to follow it); not followed"
                + (", modelled from its inputs" if r.kind is not None else ""),
                group=("not-downloaded", display_path(self.root.abs_dir)))
            if notice not in self.not_followed:
                self.not_followed.append(notice)
        if r.kind is not None and _module_flag(scope, call, "create_function" if r.kind == "lambda_function"
                                               else "create", True) is False:
            r.kind = None
            r.notes.append("the module creates nothing (create = false)")
        before = len(scope.notes)
        if r.kind is not None:
            self.read(r, scope, call, kt.MODULE)
        self.read_unmapped(r, scope, call, kt.MODULE, skip=("source", "version", "providers", "count",
                                                            "for_each", "depends_on"))
        self._claim(r, scope, before)
        out = [r]
        expand = getattr(self, "_module_" + (r.kind or ""), None)
        if expand is not None:
            out.extend(expand(r, scope, call))
        return out

    def _resource(self, scope: Scope, address: str, block: Block, related: list[Location],
                  env: dict | None = None) -> Resource:
        rtype = block.labels[0]
        r = Resource(scope.prefix + address, rtype, kt.kind_of(rtype), _loc(block), FORMAT,
                     block.end_line, related=list(related))
        before = len(scope.notes)
        self.read(r, scope, block, LANG)
        self.read_unmapped(r, scope, block, LANG)
        if r.kind == "auto_scaling_group":
            self._mixed_instances(r, scope, block)
            self._group_tags(r, scope, block)
        self._claim(r, scope, before)
        return r

    # -- attributes and edges --------------------------------------------------------------
    def walk(self, block: Block, path: str, scope: Scope | None = None) -> list[tuple[Any, bool]]:
        """(Attribute or Block, uncertain) for each value at ``path`` under ``block``; uncertain
        when a dynamic block with an unknown for_each holds it. ``name[key=value]`` keeps the
        ``name`` blocks whose argument ``key`` evaluates (in ``scope``) to ``value``."""
        items: list[tuple[Any, bool]] = [(block, getattr(block, "uncertain", False))]
        segs = path.split(".")
        for i, seg in enumerate(segs):
            last = i == len(segs) - 1
            filt = None
            mt = re.fullmatch(r"([^\[]+)\[([^=\]]+)=([^\]]*)\]", seg)
            if mt:
                seg, filt = mt.group(1) + "[]", (mt.group(2), mt.group(3).lower())
            many = seg.endswith("[]")
            name = seg[:-2] if many else seg
            nxt: list[tuple[Any, bool]] = []
            for cur, unc in items:
                if name == "**" and isinstance(cur, Attribute):
                    nxt.append((cur, unc))
                    continue
                if isinstance(cur, (Attribute, _Field)) and not many and name not in ("*", "**") and scope is not None:
                    # a key of an object argument (a module input such as runtime_platform)
                    obj = cur.value if isinstance(cur, _Field) else plain(Evaluator(scope).eval(cur.expr))
                    if isinstance(obj, dict) and plain(obj.get(name)) is not None:
                        attr = cur.attr if isinstance(cur, _Field) else cur
                        nxt.append((_Field(attr, plain(obj[name]), ".".join(segs[: i + 1])), unc))
                    continue
                if not isinstance(cur, Block):
                    continue
                if name == "**":
                    nxt.extend((a, unc) for a in cur.attributes.values())
                    continue
                if name == "*":
                    if last:
                        nxt.extend((a, unc) for a in cur.attributes.values())
                    else:
                        nxt.extend((b, unc or getattr(b, "uncertain", False)) for b in cur.blocks)
                    continue
                if name in cur.attributes and not many:
                    nxt.append((cur.attributes[name], unc))
                    continue
                blocks = cur.blocks_of(name)
                if filt is not None:
                    blocks = [b for b in blocks if self._matches(b, filt, scope)]
                for b in blocks if many else blocks[:1]:
                    nxt.append((b, unc or getattr(b, "uncertain", False)))
            items = nxt
        return items

    @staticmethod
    def _matches(block: Block, filt: tuple[str, str], scope: Scope | None) -> bool:
        """Whether ``block``'s argument ``filt[0]`` evaluates to the text ``filt[1]`` (any case)."""
        attr = block.attributes.get(filt[0])
        if attr is None or scope is None:
            return False
        value = Evaluator(scope).eval(attr.expr)
        return isinstance(value, str) and value.lower() == filt[1]

    def read(self, r: Resource, scope: Scope, block: Block, language: str) -> None:
        for a, paths in kt.attributes(r.kind, language):
            for path in paths:
                found = self.walk(block, path, scope)
                if not found:
                    continue
                if a.type == "ref":
                    for node, _unc in found:
                        if isinstance(node, Attribute):
                            r.edges.extend(self.edges(scope, r.address, a.name, node, deep=path.endswith("**")))
                    continue
                if a.name in r.attributes:
                    break
                if a.type == "blocks":  # every block (or list item) at the path, as plain dicts
                    r.attributes[a.name] = self.blocks_setting(scope, found, path)
                    break
                node, uncertain = found[0]
                if isinstance(node, _Field):
                    where = make_setting(scope, node.attr)
                    r.attributes[a.name] = self._entry_setting(where, node.value, node.path)
                    break
                if isinstance(node, Block):
                    if a.type != "any":
                        continue  # a block where an argument was expected (HCL 1 "tags {}")
                    s = Setting({}, _loc(node))
                else:
                    s = make_setting(scope, node, document=a.type == "document")
                    if s.value is None:
                        continue  # null means "not set": the default applies
                if uncertain:
                    s.value = Unknown(f"set by a dynamic {path.split('.')[0]} block that may be empty "
                                      "(for_each unknown)")
                r.attributes[a.name] = s
                break

    def blocks_setting(self, scope: Scope, found: list[tuple[Any, bool]], path: str) -> Setting:
        """A ``blocks`` attribute: a list with one dict per nested block (its arguments evaluated,
        its own nested blocks as lists by type), or the items of a list written as an argument
        (a module input); located at the first one."""
        items: list[Any] = []
        first = found[0][0]
        loc = _loc(first) if isinstance(first, Block) else _attr_loc(first)
        for node, _unc in found:
            if isinstance(node, Block):
                items.append(self.block_value(scope, node))
            else:
                value = make_setting(scope, node).value
                items.extend(value if isinstance(value, list) else [value])
        if any(unc for _n, unc in found):
            return Setting(Unknown(f"set by a dynamic {path.split('.')[0].rstrip('[]')} block that may be empty "
                                   "(for_each unknown)"), loc)
        return Setting(items, loc)

    def block_value(self, scope: Scope, block: Block) -> dict:
        out: dict[str, Any] = {name: _deep_plain(Evaluator(scope).eval(attr.expr))
                               for name, attr in block.attributes.items()}
        for nested in block.blocks:
            out.setdefault(nested.type, []).append(self.block_value(scope, nested))
        return out

    def read_unmapped(self, r: Resource, scope: Scope, block: Block, language: str,
                      skip: tuple[str, ...] = ("count", "for_each", "depends_on", "provider", "lifecycle")) -> None:
        """The arguments the kinds table does not map: kept raw (their source text) for
        ``computefit model``, with an edge (via ``property:<name>``) for every resource or module
        reference written in them. Read as text, not evaluated: no file is read for them, and
        checks and the linker never read them."""
        mapped = kt.mapped_keys(r.kind, language) | set(skip)
        for name, attr in block.attributes.items():
            if name in mapped:
                continue
            text = attr.expr.source() if hasattr(attr.expr, "source") else json.dumps(getattr(attr.expr, "value", None))
            r.raw[name] = text
            seen = set()
            for e in self.placeholder_edges(scope, r.address, f"property:{name}", text, _attr_loc(attr)):
                if e.target != r.address and (e.target, e.ref) not in seen:
                    seen.add((e.target, e.ref))
                    r.edges.append(e)

    def edges(self, scope: Scope, source: str, via: str, attr: Attribute, deep: bool = False) -> list[Edge]:
        loc = _attr_loc(attr)
        value = Evaluator(scope).eval(attr.expr)
        if deep:
            texts = []
            v = plain(value)
            if isinstance(v, str):
                texts.append(str(v))
            if hasattr(attr.expr, "source"):
                texts.append(attr.expr.source())
            elif hasattr(attr.expr, "value"):
                texts.append(json.dumps(attr.expr.value))
            out: list[Edge] = []
            for text in texts:
                for e in self.edges_in_text(scope, source, via, text, loc):
                    if all((e.target, e.ref, e.literal) != (o.target, o.ref, o.literal) for o in out):
                        out.append(e)
            return out
        return self.value_edges(scope, source, via, value, loc)

    def value_edges(self, scope: Scope, source: str, via: str, value: Any, loc: Location) -> list[Edge]:
        if isinstance(value, Ref):
            inner = plain(value)
            literal = inner if isinstance(inner, (str, int)) else None
            return [Edge(source, via, value.full_address, value.attr, None, literal, loc)]
        if isinstance(value, Partial):
            # "${aws_lambda_function.f.arn}:live": a reference with a qualifier appended
            found = [e for ph in value.unresolved for e in self.edges_in_text(scope, source, via, ph, loc)
                     if e.target]
            if not found:
                found = [e for ph in value.unresolved for e in self.placeholder_edges(scope, source, via, ph, loc)]
            if len(found) == 1:
                mt = re.search(r"\}:([A-Za-z0-9_$-]+)$", str(value))
                if mt:
                    found[0].qualifier = mt.group(1)
                return found
            return [Edge(source, via, None, None, None, value, loc)]
        v = plain(value)
        if isinstance(v, (str, int, float)) and not isinstance(v, bool):
            return [Edge(source, via, None, None, None, v, loc)]
        if isinstance(v, Unknown):
            return [Edge(source, via, None, None, None, v, loc)]
        return []

    def placeholder_edges(self, scope: Scope, source: str, via: str, text: str, loc: Location) -> list[Edge]:
        """A reference to any resource left as a placeholder (``aws_apigatewayv2_api.ws.execution_arn``)."""
        out = []
        for mt in _ANY_REF.finditer(text):
            s = _scope_for(scope, mt.group(1))
            if s is not None and mt.group(2) in s.resources:
                out.append(Edge(source, via, s.prefix + mt.group(2), mt.group(3), None, None, loc))
            elif s is not None and mt.group(2).startswith("module.") and mt.group(2)[7:] in s.modules:
                out.append(Edge(source, via, s.prefix + mt.group(2), mt.group(3), None, None, loc))
        return out

    def edges_in_text(self, scope: Scope, source: str, via: str, text: str, loc: Location) -> list[Edge]:
        """Function and alias references written in an expression's source or left as placeholders,
        and function ARNs written as text."""
        out = []
        for mt in _FN_REF.finditer(text):
            if mt.group(2):
                mods, rtype, name, attr = mt.group(1), mt.group(2), mt.group(3), mt.group(4)
                s = _scope_for(scope, mods)
                if s is None or f"{rtype}.{name}" not in s.resources:
                    continue
                out.append(Edge(source, via, f"{s.prefix}{rtype}.{name}", attr, None, None, loc))
            else:
                parts = [p for p in mt.group(5).split(".") if p and p != "module"]
                s = _scope_for(scope, "".join(f"module.{p}." for p in parts[:-1]))
                if s is None:
                    continue
                out.append(Edge(source, via, f"{s.prefix}module.{parts[-1]}", mt.group(6), None, None, loc))
        for mt in _FN_ARN.finditer(text):
            out.append(Edge(source, via, None, None, None, mt.group(0), loc))
        return out

    def _group_tags(self, r: Resource, scope: Scope, block: Block) -> None:
        """An aws_autoscaling_group's tags are ``tag { key, value }`` blocks, not a map: the kinds
        table maps a map, so they are read here, into the same canonical ``tags`` map (a key or
        value that is not known is left out)."""
        tags: dict = {}
        first = None
        for b in block.blocks_of("tag"):
            key, value = b.attributes.get("key"), b.attributes.get("value")
            if key is None or value is None:
                continue
            k, v = plain(Evaluator(scope).eval(key.expr)), plain(Evaluator(scope).eval(value.expr))
            if isinstance(k, str) and isinstance(v, str):
                tags[k] = v
                first = first or b
        if tags and "tags" not in r.attributes:
            r.attributes["tags"] = Setting(tags, _loc(first))

    def _mixed_instances(self, r: Resource, scope: Scope, block: Block) -> None:
        if block.first("launch_template") is not None:
            return
        mip = block.first("mixed_instances_policy")
        inner = mip.first("launch_template") if mip is not None else None
        if inner is None:
            return
        types = [make_setting(scope, o.attributes["instance_type"]) for o in inner.blocks_of("override")
                 if "instance_type" in o.attributes]
        for t in types:
            kt.convert(t, "str")
        if types:
            known = [t.value for t in types if t.known]
            r.notes.append("mixed instances policy overrides: " + ", ".join(map(str, known)))
            r.attributes["instance_type"] = types[0]

    # -- terraform-aws-modules ---------------------------------------------------------------
    def _implicit(self, module: Resource, suffix: str, kind: str, at: Attribute) -> Resource:
        return Resource(f"{module.address}.{suffix}", module.type, kind, _attr_loc(at), FORMAT, at.line,
                        related=list(module.related), declared_by=module.address)

    def _module_lambda_function(self, fn: Resource, scope: Scope, call: Block) -> list[Resource]:
        """What terraform-aws-modules/lambda creates besides the function: provisioned concurrency
        on its current version, a function URL, the permissions of ``allowed_triggers`` and the
        mappings of ``event_source_mapping``."""
        out: list[Resource] = []
        address = fn.address
        if "snap_start" in call.attributes:
            s = make_setting(scope, call.attributes["snap_start"])
            kt.convert(s, "bool")
            s.value = s.value if isinstance(s.value, Unknown) else ("PublishedVersions" if s.value else "None")
            fn.attributes["snap_start"] = s
            published = fn.attributes.get("publish")
            if s.value == "PublishedVersions" and not (published is not None and published.value is True):
                # the module sets publish = true whenever snap_start is on
                fn.attributes["publish"] = Setting(True, s.location, s.origin,
                                                   "terraform-aws-modules/lambda publishes when snap_start = true")
        if "image_uri" in call.attributes and "package_type" not in call.attributes:
            fn.notes.append("image_uri is set but package_type is not: the module defaults to Zip")
        attr = call.attributes.get("provisioned_concurrent_executions")
        if attr is not None:
            pc = self._implicit(fn, "provisioned_concurrent_executions", "lambda_provisioned_concurrency", attr)
            pc.attributes["provisioned_concurrency"] = make_setting(scope, attr)
            pc.edges.append(Edge(pc.address, "function", address, None, None, None, pc.location))
            pc.edges.append(Edge(pc.address, "qualifier", address, "lambda_function_qualified_arn", None, None,
                                 pc.location))
            out.append(pc)
        attr = call.attributes.get("create_lambda_function_url")
        if attr is not None and _module_flag(scope, call, "create_lambda_function_url", False) is True:
            url = self._implicit(fn, "create_lambda_function_url", "function_url", attr)
            if "authorization_type" in call.attributes:
                url.attributes["auth_type"] = make_setting(scope, call.attributes["authorization_type"])
            else:  # the module's default
                url.attributes["auth_type"] = Setting("NONE", None, ORIGIN_SERVICE_DEFAULT,
                                                      "terraform-aws-modules/lambda default authorization_type")
            if "invoke_mode" in call.attributes:
                url.attributes["invoke_mode"] = make_setting(scope, call.attributes["invoke_mode"])
            # the module attaches the URL to the unqualified function unless told otherwise
            unqualified = _module_flag(scope, call, "create_unqualified_alias_lambda_function_url", True)
            url.edges.append(self._module_function_edge(url, address, unqualified is True, unqualified is False,
                                                        "create_unqualified_alias_lambda_function_url could not be resolved"))
            out.append(url)
        at = call.attributes.get("allowed_triggers")
        if at is not None:
            version = _module_flag(scope, call, "create_current_version_allowed_triggers", True)
            unqualified = _module_flag(scope, call, "create_unqualified_alias_allowed_triggers", True)
            v = plain(Evaluator(scope).eval(at.expr))
            if version is False and unqualified is False:
                pass  # the module creates no permission
            elif isinstance(v, dict):
                for key, spec in v.items():
                    spec = plain(spec)
                    if not isinstance(spec, dict):
                        continue
                    p = self._implicit(fn, f"allowed_triggers.{key}", "lambda_permission", at)
                    service, principal = plain(spec.get("service")), plain(spec.get("principal"))
                    if isinstance(service, str):
                        principal = f"{service}.amazonaws.com"
                    p.attributes["principal"] = Setting(principal if isinstance(principal, str) else "",
                                                        p.location)
                    if "source_arn" in spec:
                        p.edges.extend(self.value_edges(scope, p.address, "source_arn", spec["source_arn"], p.location))
                    if version is True and unqualified is True:
                        e = Edge(p.address, "function", address, None, Unknown(
                            "allowed_triggers permits both the unqualified function ($LATEST) and the current "
                            "version; which one the caller invokes is not in this configuration"), None, p.location)
                    else:
                        e = self._module_function_edge(
                            p, address, unqualified is True and version is False, version is True,
                            "create_current_version_allowed_triggers / create_unqualified_alias_allowed_triggers "
                            "could not be resolved")
                    p.edges.append(e)
                    out.append(p)
            elif isinstance(v, Unknown):
                fn.notes.append(f"allowed_triggers could not be read: {v.reason}")
        esm = call.attributes.get("event_source_mapping")
        if esm is not None:
            v = plain(Evaluator(scope).eval(esm.expr))
            if isinstance(v, dict):
                for key, spec in v.items():
                    spec_v = plain(spec)
                    if not isinstance(spec_v, dict):
                        continue
                    e = self._implicit(fn, f"event_source_mapping.{key}", "event_source_mapping", esm)
                    e.edges.append(Edge(e.address, "function", address, None, None, None, e.location))
                    if "event_source_arn" in spec_v:
                        e.edges.extend(self.value_edges(scope, e.address, "event_source",
                                                        spec_v["event_source_arn"], e.location))
                    for key_in, canon in (("self_managed_event_source", "self_managed_source"), ("topics", "topics"),
                                          ("queues", "queues"), ("batch_size", "batch_size"),
                                          ("maximum_batching_window_in_seconds", "batching_window")):
                        if key_in in spec_v and plain(spec_v[key_in]) is not None:
                            e.attributes[canon] = Setting(_deep_plain(spec_v[key_in]), e.location)
                    out.append(e)
        return out

    @staticmethod
    def _module_function_edge(res: Resource, function: str, unqualified: bool, version: bool,
                              unknown: str) -> Edge:
        if unqualified:
            return Edge(res.address, "function", function, None, None, None, res.location)
        if version:
            return Edge(res.address, "function", function, "lambda_function_qualified_arn", None, None, res.location)
        return Edge(res.address, "function", function, None, Unknown(unknown), None, res.location)

    def _module_ec2_instance(self, r: Resource, scope: Scope, call: Block) -> list[Resource]:
        if "instance_type" not in r.attributes:
            r.notes.append("instance_type not set: the module's own default applies")
        return []

    def _module_map(self, scope: Scope, call: Block, name: str) -> tuple[Attribute | None, Setting | None, dict]:
        """A module input that is a map of objects (``rules``, ``schedules``): the argument, its
        setting (where the map is written) and each object's fields evaluated (Refs kept)."""
        attr = call.attributes.get(name)
        if attr is None:
            return None, None, {}
        v = plain(Evaluator(scope).eval(attr.expr))
        if not isinstance(v, dict):
            return attr, None, {}
        return attr, make_setting(scope, attr), {k: plain(x) for k, x in v.items() if isinstance(plain(x), dict)}

    @staticmethod
    def _entry_setting(where: Setting, value: Any, path: str) -> Setting:
        """One field of a module's map input, located where the map is written."""
        note = f"{path}" + (f" ({where.note})" if where.note else "")
        origin = ORIGIN_MODULE_INPUT if where.origin == ORIGIN_LITERAL else where.origin
        return Setting(_deep_plain(value), where.location, origin, note)

    def _module_eventbridge_bus(self, bus: Resource, scope: Scope, call: Block) -> list[Resource]:
        """What terraform-aws-modules/eventbridge creates from its ``rules`` (with ``targets``) and
        ``schedules`` inputs: one rule or schedule each, with its expression and target."""
        out: list[Resource] = []
        at, where, rules = self._module_map(scope, call, "rules")
        if at is not None and _module_flag(scope, call, "create_rules", True) is not False:
            _t_at, _t_where, _ = self._module_map(scope, call, "targets")
            targets = plain(Evaluator(scope).eval(_t_at.expr)) if _t_at is not None else {}
            for key, spec in rules.items():
                rule = self._implicit(bus, f"rules.{key}", "eventbridge_rule", at)
                for field, canon in (("schedule_expression", "schedule_expression"), ("event_pattern", "event_pattern")):
                    if plain(spec.get(field)) is not None:
                        rule.attributes[canon] = self._entry_setting(where, spec[field], f"rules.{key}.{field}")
                items = plain(targets.get(key)) if isinstance(targets, dict) else None
                for n, item in enumerate(items if isinstance(items, list) else []):
                    item = plain(item)
                    for field, canon in (("retry_policy", "retry_policy"), ("dead_letter_arn", "dead_letter_config")):
                        if isinstance(item, dict) and plain(item.get(field)) is not None and canon not in rule.attributes:
                            rule.attributes[canon] = self._entry_setting(_t_where, item[field], f"targets.{key}[{n}].{field}")
                    if isinstance(item, dict) and "arn" in item:
                        rule.edges.extend(self.value_edges(scope, rule.address, "target", item["arn"], rule.location))
                    ecs = plain(item.get("ecs_target")) if isinstance(item, dict) else None
                    if isinstance(ecs, dict) and "task_definition_arn" in ecs:  # a scheduled ECS task
                        rule.edges.extend(self.value_edges(scope, rule.address, "ecs_task_definition",
                                                           ecs["task_definition_arn"], rule.location))
                out.append(rule)
        at, where, schedules = self._module_map(scope, call, "schedules")
        if at is not None and _module_flag(scope, call, "create_schedules", True) is not False:
            for key, spec in schedules.items():
                sch = self._implicit(bus, f"schedules.{key}", "scheduler_schedule", at)
                for field, canon in (("schedule_expression", "schedule_expression"), ("timezone", "schedule_timezone")):
                    if plain(spec.get(field)) is not None:
                        sch.attributes[canon] = self._entry_setting(where, spec[field], f"schedules.{key}.{field}")
                if "arn" in spec:
                    sch.edges.extend(self.value_edges(scope, sch.address, "target", spec["arn"], sch.location))
                ecs = plain(spec.get("ecs_parameters"))
                if isinstance(ecs, dict) and "task_definition_arn" in ecs:  # a scheduled ECS task
                    sch.edges.extend(self.value_edges(scope, sch.address, "ecs_task_definition",
                                                      ecs["task_definition_arn"], sch.location))
                out.append(sch)
        return out

    def _module_batch_module(self, call_res: Resource, scope: Scope, call: Block) -> list[Resource]:
        """What terraform-aws-modules/batch creates from its ``compute_environments``,
        ``job_queues`` and ``job_definitions`` inputs (maps of objects): one resource each, with
        the fields the kinds table names for that kind. The module's defaults: a compute
        environment is MANAGED, a job definition of type container."""
        out: list[Resource] = []
        at, where, envs = self._module_map(scope, call, "compute_environments")
        for key, spec in envs.items():
            ce = self._implicit(call_res, f"compute_environments.{key}", "batch_compute_environment", at)
            resources = plain(spec.get("compute_resources"))
            resources = resources if isinstance(resources, dict) else {}
            for canon, value, path in (
                    ("environment_type", spec.get("type", "MANAGED"), "type"),
                    ("compute_type", resources.get("type"), "compute_resources.type"),
                    ("max_vcpus", resources.get("max_vcpus"), "compute_resources.max_vcpus"),
                    ("instance_types", resources.get("instance_types", resources.get("instance_type")),
                     "compute_resources.instance_types")):
                if plain(value) is not None:
                    ce.attributes[canon] = self._entry_setting(where, value, f"compute_environments.{key}.{path}")
            out.append(ce)
        if _module_flag(scope, call, "create_job_queues", True) is not False:
            at, where, queues = self._module_map(scope, call, "job_queues")
            for key, spec in queues.items():
                q = self._implicit(call_res, f"job_queues.{key}", "batch_job_queue", at)
                for field in ("priority", "state"):
                    if plain(spec.get(field)) is not None:
                        q.attributes[field] = self._entry_setting(where, spec[field], f"job_queues.{key}.{field}")
                order = plain(spec.get("compute_environment_order"))  # v3: {n = {compute_environment_key}}
                keys = [plain(plain(o).get("compute_environment_key")) for o in order.values()
                        if isinstance(plain(o), dict)] if isinstance(order, dict) else []
                listed = plain(spec.get("compute_environments"))  # v2: a list of keys
                keys += [plain(k) for k in listed] if isinstance(listed, list) else []
                for k in keys:
                    if isinstance(k, str) and k in envs:
                        q.edges.append(Edge(q.address, "compute_environments",
                                            f"{call_res.address}.compute_environments.{k}", None, None, None, q.location))
                out.append(q)
        attr = call.attributes.get("job_definitions")
        v = plain(Evaluator(scope, unknown_in_documents=True).eval(attr.expr)) if attr is not None else None
        if isinstance(v, dict):
            where = Setting(None, _attr_loc(attr), ORIGIN_LITERAL)  # each field is read from the map as written
            for key, spec in v.items():
                spec = plain(spec)
                if not isinstance(spec, dict):
                    continue
                jd = self._implicit(call_res, f"job_definitions.{key}", "batch_job_definition", attr)
                for canon, field in (("job_type", "type"), ("platform_capabilities", "platform_capabilities"),
                                     ("container_properties", "container_properties")):
                    value = spec.get(field, "container" if field == "type" else None)
                    if plain(value) is not None:
                        jd.attributes[canon] = self._entry_setting(where, value, f"job_definitions.{key}.{field}")
                out.append(jd)
        return out

    def _module_auto_scaling_group(self, r: Resource, scope: Scope, call: Block) -> list[Resource]:
        out: list[Resource] = []
        at, where, schedules = self._module_map(scope, call, "schedules")
        for key, spec in schedules.items():
            action = self._implicit(r, f"schedules.{key}", "autoscaling_scheduled_action", at)
            action.edges.append(Edge(action.address, "group", r.address, None, None, None, action.location))
            for field in ("recurrence", "time_zone", "min_size", "max_size", "desired_capacity", "start_time",
                          "end_time"):
                if plain(spec.get(field)) is not None:
                    action.attributes[field] = self._entry_setting(where, spec[field], f"schedules.{key}.{field}")
            out.append(action)
        # The module passes user_data to the launch template unchanged: its input is base64
        # ("The Base64-encoded user data to provide when launching the instance").
        s = r.attributes.get("user_data")
        if s is not None and not isinstance(s.value, Unknown) or (
                s is not None and getattr(s.value, "decoded", None) is not None):
            decoded = kt.from_base64(s.value)
            if isinstance(decoded, Unknown) and decoded.reason == "user data is not valid base64":
                s.note = ((s.note + "; ") if s.note else "") + "not base64: the module expects base64 user data"
            else:
                s.value = decoded
        return out


_deep_plain = deep_plain


def _module_flag(scope: Scope, call: Block, name: str, default: bool) -> Any:
    """A bool input of a module call: its value, the module's default when absent, or Unknown."""
    attr = call.attributes.get(name)
    if attr is None:
        return default
    value = make_setting(scope, attr).value
    value = None if value is None else kt.to_bool(value)
    return default if value is None else value


def build_document(root: Scope, path: str, files: list[str]) -> Document:
    doc = Document(path=path, source_format=FORMAT, files=files)
    doc.resources = Builder(root).build()
    doc.region, doc.region_at = provider_region(root)
    link(doc)
    return doc


def provider_region(scope: Scope) -> tuple[str | None, str | None]:
    """The ``region`` of the module's default ``provider "aws"`` block (the one without ``alias``),
    evaluated, and the line that set it; (None, None) when there is none or it is not known."""
    for block in scope.providers:
        if "alias" in block.attributes or "region" not in block.attributes:
            continue
        setting = make_setting(scope, block.attributes["region"])
        if isinstance(setting.value, str):
            loc = setting.location
            return setting.value, f"{loc.file}:{loc.line}"
        return None, None
    return None, None


MAX_DYNAMIC_INSTANCES = 50


def _has_dynamic(block: Block) -> bool:
    return any(b.type == "dynamic" or _has_dynamic(b) for b in block.blocks)


def expand_dynamic(scope: Scope, block: Block, env: dict | None = None, depth: int = 0) -> Block:
    """A copy of ``block`` whose ``dynamic "x"`` blocks are replaced by their ``content`` blocks,
    one per element of a known ``for_each`` (none for an empty one). When ``for_each`` is unknown,
    one instance is kept with the iterator unknown and ``uncertain`` set: it may not exist."""
    env = env or {}
    out = Block(block.type, block.labels, block.file, block.line, block.end_line,
                attributes={k: _bind(a, env) for k, a in block.attributes.items()})
    out.uncertain = getattr(block, "uncertain", False)  # type: ignore[attr-defined]
    for sub in block.blocks:
        if sub.type != "dynamic" or not sub.labels or depth > 5:
            out.blocks.append(expand_dynamic(scope, sub, env, depth + 1) if sub.blocks or env else sub)
            continue
        content = sub.first("content")
        if content is None:
            continue
        iterator = sub.labels[0]
        if "iterator" in sub.attributes:
            src = getattr(sub.attributes["iterator"].expr, "source", lambda: "")()
            if src.strip().isidentifier():
                iterator = src.strip()
        fe = sub.attributes.get("for_each")
        value = plain(Evaluator(scope).eval(_bind(fe, env).expr)) if fe is not None else Unknown("no for_each")
        if isinstance(value, (list, dict)):
            pairs = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
            items = [({iterator: {"key": k, "value": v}}, False) for k, v in pairs[:MAX_DYNAMIC_INSTANCES]]
        else:
            reason = value.reason if isinstance(value, Unknown) else "for_each is not a collection"
            unknown = Unknown(f"dynamic {sub.labels[0]} block: {reason}")
            items = [({iterator: {"key": unknown, "value": unknown}}, True)]
        for bound, uncertain in items:
            inst = Block(sub.labels[0], [], content.file, content.line, content.end_line,
                         attributes=dict(content.attributes), blocks=list(content.blocks))
            inst.uncertain = uncertain  # type: ignore[attr-defined]
            out.blocks.append(expand_dynamic(scope, inst, {**env, **bound}, depth + 1))
    return out


_bind = bind


_UNIT_KINDS = ("lambda_function", "ec2_instance", "auto_scaling_group")

#: Settings that name an instance rather than configure it: instances that differ only in these
#: agree, and are reported once.
_IDENTITY = frozenset({"function_name", "handler", "image_uri", "tags", "template_name", "description"})

_PER_INSTANCE = _lazy(r"\b(each\.(key|value)|count\.index)\b")


def _signature(r: Resource) -> tuple:
    """What the checks read of a resource, for comparing the instances of a counted resource."""
    def norm(v: Any) -> str:
        return "<unknown>" if isinstance(v, Unknown) else repr(v)
    return tuple(sorted((k, norm(s.value)) for k, s in r.attributes.items() if k not in _IDENTITY))


def _note_instance(r: Resource, block: Block, env: dict) -> None:
    """A setting written with ``each.*`` / ``count.index`` says which instance it is."""
    what = ("for_each key " + json.dumps(env["each"]["key"]) if "each" in env
            else f"count.index {env['count']['index']}")
    for name, s in r.attributes.items():
        attr = _written_attr(block, name)
        if attr is not None and s.origin == ORIGIN_LITERAL and _PER_INSTANCE.search(
                attr.expr.source() if hasattr(attr.expr, "source") else ""):
            s.note = ((s.note + "; ") if s.note else "") + f"instance {what}"


def _agreed(each: list[Resource], address: str) -> Resource:
    """Instances whose checked settings agree, as one resource without an index: their common
    values, and Unknown for a naming setting that differs between them."""
    r = each[0]
    old = r.address
    r.address = address
    r.edges = [dataclasses.replace(e, source=address) if e.source == old else e for e in r.edges]
    for name, s in r.attributes.items():
        values = {repr(x.attributes[name].value) if name in x.attributes else None for x in each}
        if len(values) > 1:
            r.attributes[name] = Setting(Unknown(f"{name} differs between the {len(each)} instances"),
                                         s.location, s.origin, s.note)
    return r


def _written_attr(block: Block, name: str) -> Attribute | None:
    """The argument an instance's canonical setting ``name`` was read from, when it is a top-level
    argument named the same (most are)."""
    spelled = [p for a, paths in kt.attributes(kt.kind_of(block.labels[0]), LANG) if a.name == name for p in paths]
    for path in spelled:
        if "." not in path and path in block.attributes:
            return block.attributes[path]
    return None


_instances = instances_of


def _under(address: str, base: str) -> bool:
    """Whether ``address`` is ``base`` or something inside it (``base.x``)."""
    return address == base or address.startswith(base + ".")


def _renamed(address: str, old: str, new: str) -> str:
    return new + address[len(old):] if _under(address, old) else address


_KEY_AT_END = _lazy(INSTANCE_KEY.pattern + "$")


def _strip_key(address: str) -> str:
    """``aws_sqs_queue.q[0]`` -> ``aws_sqs_queue.q``."""
    return _KEY_AT_END.sub("", address)


def _group_signature(resources: list[Resource], base: str) -> tuple:
    """What the checks and the linker read of one module instance's resources, with addresses
    relative to the instance, for comparing the instances of a module call."""
    def rel(a: str | None) -> str | None:
        return "<instance>" + a[len(base):] if a is not None and _under(a, base) else a

    return tuple(sorted(
        (rel(r.address), r.kind or "", r.type, _signature(r), rel(r.declared_by),
         tuple(sorted((e.via, rel(e.target) or "", e.ref or "", repr(e.qualifier), type(e.literal).__name__)
                      for e in r.edges)))
        for r in resources))


def _not_created(scope: Scope, block: Block) -> bool:
    """True when ``count`` is known to be 0 or ``for_each`` known to be empty: no instance exists.
    An unknown count or for_each still models the resource once."""
    for arg in ("count", "for_each"):
        attr = block.attributes.get(arg)
        if attr is None:
            continue
        v = plain(Evaluator(scope).eval(attr.expr))
        if arg == "count" and isinstance(v, (int, float)) and not isinstance(v, bool) and v <= 0:
            return True
        if arg == "for_each" and isinstance(v, (list, dict)) and not v:
            return True
    return False


def _scope_for(scope: Scope, mods: str) -> Scope | None:
    s: Scope | None = scope
    for part in [p for p in mods.split(".") if p and p != "module"]:
        if s is None or part not in s.modules:
            return None
        s = s.child(part)
    return s
