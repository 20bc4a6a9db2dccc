"""Every managed resource instance of a Terraform plan as a neutral
:class:`~computefit.model.Resource`, read through the kinds table's Terraform spellings, with the
configuration's references as edges; then the linker, as for the other front ends."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from .. import kinds as kt
from ..lazyre import LazyPattern as _lazy
from ..linker import link
from ..model import ORIGIN_PLAN, Document, Edge, FileError, Location, Resource, Setting, Unknown, is_unknown
from ..terraform.scope import _literal as _plain  # the reader's dicts and lists as plain ones

FORMAT = "terraform"
LANG = kt.TERRAFORM

#: One ``module.NAME`` step of a module instance address, with its key (``["x"]``, ``[0]``).
_MODULE_STEP = _lazy(r'module\.([A-Za-z0-9_-]+)(\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?')
#: A reference in ``expressions.<arg>.references``: ``aws_x.y``, ``aws_x.y["k"]``, ``aws_x.y.arn``.
_RESOURCE_REF = _lazy(r'^([a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)(?:\[("(?:[^"\\]|\\.)*"|[0-9]+)\])?(?:\.([A-Za-z0-9_]+))?')
_MODULE_REF = _lazy(r'^module\.([A-Za-z0-9_-]+)(\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?(?:\.([A-Za-z0-9_]+))?')
_FN_ARN = _lazy(r"arn:aws[\w-]*:lambda:[^:\s\"]*:[^:\s\"]*:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9_$-]+)?")
_QUALIFIED = _lazy(r":function:[A-Za-z0-9_-]+:([A-Za-z0-9_$-]+)$")
#: Arguments that are Terraform's meta-arguments, not the resource's.
_META = ("count", "for_each", "depends_on", "provider", "lifecycle")
#: The AWS provider keeps only a SHA-1 of an instance's user data in its state and plan.
_HASH = _lazy(r"^[0-9a-f]{40}$")

UNKNOWN_AFTER_APPLY = "known only after apply (after_unknown in the plan)"
SENSITIVE = "sensitive in the plan; not read"


def module_steps(module_address: str) -> list[tuple[str, str]]:
    """``module.a["x"].module.b`` -> [("a", 'module.a["x"]'), ("b", "module.b")]."""
    return [(mt.group(1), mt.group(0)) for mt in _MODULE_STEP.finditer(module_address or "")]


def _key(text: str | None) -> Any:
    """An instance key as the plan's ``index`` holds it: ``"a"`` -> 'a', ``0`` -> 0."""
    if text is None:
        return None
    if text.startswith('"'):
        import json

        try:
            return json.loads(text)
        except ValueError:
            return text
    return int(text)


@dataclass(eq=False)
class Instance:
    address: str
    module_address: str  # "" for the root module
    type: str
    name: str
    index: Any
    entry: Any  # the plan's entry (a dict that knows its line)
    values: dict
    unknown: Any
    sensitive: Any
    mpath: tuple[str, ...] = ()
    config: dict | None = None
    resource: Resource | None = None
    block: Any = None  # its resource block in the .tf files, when found

    @property
    def config_address(self) -> str:
        return f"{self.type}.{self.name}"


@dataclass
class Node:
    """A value found at a path, with the parts of the plan that describe it."""

    value: Any
    unknown: Any = None
    sensitive: Any = None
    expr: Any = None
    line: int = 0


def _dict(v: Any) -> dict:
    """``v`` when it is an object, else an empty one: a plan of odd shape is read as far as it goes."""
    return v if isinstance(v, dict) else {}


def _list(v: Any) -> list:
    return v if isinstance(v, list) else []


def _sub(tree: Any, key: str) -> Any:
    if tree is True:
        return True
    return tree.get(key) if isinstance(tree, dict) else None


def _idx(tree: Any, i: int) -> Any:
    if tree is True:
        return True
    return tree[i] if isinstance(tree, list) and i < len(tree) else None


def _is_expression(expr: Any) -> bool:
    return isinstance(expr, dict) and bool(expr) and set(expr) <= {"constant_value", "references"}


def _expr_sub(expr: Any, key: str) -> Any:
    if _is_expression(expr):
        return expr  # inside an argument's value: the argument's own expression
    return expr.get(key) if isinstance(expr, dict) else None


def _expr_idx(expr: Any, i: int) -> Any:
    if _is_expression(expr):
        return expr
    return expr[i] if isinstance(expr, list) and i < len(expr) else None


def references(expr: Any, depth: int = 0) -> list[str]:
    """Every reference in an expression, a block of expressions or a list of blocks."""
    if depth > 50:
        return []
    if isinstance(expr, dict):
        out = [r for r in _list(expr.get("references")) if isinstance(r, str)]
        for k, v in expr.items():
            if k not in ("references", "constant_value"):
                out.extend(references(v, depth + 1))
        return out
    if isinstance(expr, list):
        return [r for v in expr for r in references(v, depth + 1)]
    return []


def _segments(path: str) -> list[tuple[str, bool, tuple[str, str] | None]]:
    out = []
    for seg in path.split("."):
        filt = None
        mt = re.fullmatch(r"([^\[]+)\[([^=\]]+)=([^\]]*)\]", seg)
        if mt:
            seg, filt = mt.group(1) + "[]", (mt.group(2), mt.group(3).lower())
        many = seg.endswith("[]")
        out.append((seg[:-2] if many else seg, many, filt))
    return out


def walk(root: Node, path: str) -> list[Node]:
    """The nodes at a kinds-table path (``a.b``, ``a[]``, ``a[k=v]``, ``*``, ``**``) under ``root``.
    A nested block is a list of objects in a plan: a plain step goes into its first block."""
    items = [root]
    for name, many, filt in _segments(path):
        nxt: list[Node] = []
        for n in items:
            if name == "**":
                nxt.append(n)
                continue
            v = n.value
            if isinstance(v, list) and v and isinstance(v[0], dict):
                n = Node(v[0], _idx(n.unknown, 0), _idx(n.sensitive, 0), _expr_idx(n.expr, 0),
                         getattr(v[0], "line", n.line))
                v = n.value
            if not isinstance(v, dict):
                continue
            keys = list(v) if name == "*" else [name]
            if name != "*" and isinstance(n.unknown, dict):
                keys = [k for k in keys if k in v or n.unknown.get(k) is True]
            lines = getattr(v, "lines", {})
            for k in keys:
                if k not in v and _sub(n.unknown, k) is not True:
                    continue
                child = Node(v.get(k), _sub(n.unknown, k), _sub(n.sensitive, k), _expr_sub(n.expr, k),
                             lines.get(k, n.line))
                if not many:
                    nxt.append(child)
                elif isinstance(child.value, list):
                    for i, item in enumerate(child.value):
                        if filt and not (isinstance(item, dict) and str(item.get(filt[0])).lower() == filt[1]):
                            continue
                        nxt.append(Node(item, _idx(child.unknown, i), _idx(child.sensitive, i),
                                        _expr_idx(child.expr, i), getattr(item, "line", child.line)))
                elif child.unknown is True:
                    nxt.append(child)
        items = nxt
    return items


def _redact(value: Any, sensitive: Any, depth: int = 0) -> Any:
    """``value`` with every sensitive part replaced by an Unknown (never read, never printed)."""
    if sensitive is True:
        return Unknown(SENSITIVE)
    if depth > 50 or not sensitive:
        return value
    if isinstance(value, dict) and isinstance(sensitive, dict):
        return {k: _redact(v, sensitive.get(k), depth + 1) for k, v in value.items()}
    if isinstance(value, list) and isinstance(sensitive, list):
        return [_redact(v, sensitive[i] if i < len(sensitive) else None, depth + 1) for i, v in enumerate(value)]
    return value


def node_value(n: Node) -> Any:
    if n.sensitive is True:
        return Unknown(SENSITIVE)
    if n.unknown is True:
        refs = [r for r in references(n.expr) if not r.startswith(("each.", "count."))]
        refs = list(dict.fromkeys(refs))
        return Unknown(UNKNOWN_AFTER_APPLY + (f": computed from {', '.join(refs[:3])}" if refs else ""))
    return _plain(_redact(n.value, n.sensitive))


# --------------------------------------------------------------------------------------------------
# The plan: instances and configuration
# --------------------------------------------------------------------------------------------------


def instances(data: dict) -> list[Instance]:
    """Every managed resource instance that exists after the plan is applied: the resource changes
    (not the ones deleted), then any instance only the planned values list."""
    out: dict[str, Instance] = {}
    for rc in _list(data.get("resource_changes")):
        if not isinstance(rc, dict) or rc.get("mode", "managed") != "managed":
            continue
        ch = rc.get("change") if isinstance(rc.get("change"), dict) else {}
        after = ch.get("after")
        if not isinstance(after, dict) or not isinstance(rc.get("address"), str):
            continue  # deleted (after is null), or not an entry Terraform writes
        out.setdefault(rc["address"], _instance(rc, after, ch.get("after_unknown"), ch.get("after_sensitive")))
    stack = [_dict(_dict(data.get("planned_values")).get("root_module"))]
    while stack:
        mod = stack.pop(0)
        if not isinstance(mod, dict):
            continue
        for r in _list(mod.get("resources")):
            if isinstance(r, dict) and r.get("mode", "managed") == "managed" and isinstance(r.get("address"), str) \
                    and r["address"] not in out and isinstance(r.get("values"), dict):
                out[r["address"]] = _instance(r, r["values"], None, r.get("sensitive_values"))
        stack.extend(c for c in _list(mod.get("child_modules")) if isinstance(c, dict))
    return list(out.values())


def _instance(entry: dict, values: dict, unknown: Any, sensitive: Any) -> Instance:
    address = entry["address"]
    module_address = entry.get("module_address") if isinstance(entry.get("module_address"), str) else ""
    rtype, name = entry.get("type"), entry.get("name")
    if not (isinstance(rtype, str) and isinstance(name, str)):
        local = address[len(module_address) + 1:] if module_address else address
        rtype, _, rest = local.partition(".")
        name = rest.split("[")[0]
    return Instance(address, module_address, rtype, name, entry.get("index"), entry, values, unknown, sensitive,
                    tuple(n for n, _ in module_steps(module_address)))


class Configuration:
    """The plan's ``configuration`` section: modules by path (module names, no keys)."""

    def __init__(self, data: dict) -> None:
        conf = data.get("configuration") if isinstance(data.get("configuration"), dict) else {}
        self.present = bool(conf)
        self.root = conf.get("root_module") if isinstance(conf.get("root_module"), dict) else {}

    def module(self, mpath: tuple[str, ...]) -> dict | None:
        mod: Any = self.root
        for name in mpath:
            call = _dict(mod.get("module_calls")).get(name) if isinstance(mod, dict) else None
            mod = call.get("module") if isinstance(call, dict) else None
            if not isinstance(mod, dict):
                return None
        return mod

    def call(self, mpath: tuple[str, ...]) -> dict | None:
        """The module call that instantiates the module at ``mpath`` (not the root)."""
        if not mpath:
            return None
        parent = self.module(mpath[:-1])
        call = _dict(parent.get("module_calls")).get(mpath[-1]) if isinstance(parent, dict) else None
        return call if isinstance(call, dict) else None

    def resource(self, mpath: tuple[str, ...], address: str) -> dict | None:
        mod = self.module(mpath)
        for r in _list(_dict(mod).get("resources")):
            if isinstance(r, dict) and r.get("address") == address and r.get("mode", "managed") == "managed":
                return r
        return None


# --------------------------------------------------------------------------------------------------
# Where findings point: the .tf files beside the plan, else the plan file
# --------------------------------------------------------------------------------------------------


class Sources:
    """The resource blocks of the configuration's ``.tf`` files, found beside the plan (the root
    module) and through the local module sources the configuration records, read inside the read
    boundary with the HCL front end's parser."""

    def __init__(self, plan_path: str, conf: Configuration, boundary: str | None, notices: list | None,
                 search_root: str | None = None) -> None:
        from ..boundary import find_boundary

        self.conf = conf
        self.plan_dir = os.path.dirname(os.path.abspath(plan_path))
        self.root_dir = os.path.realpath(boundary or find_boundary(plan_path))
        self.notices = notices
        self.loader = None
        self.folders: dict[tuple[str, ...], str | None] = {}
        self.blocks: dict[tuple[str, ...], dict[str, Any]] = {}
        self.files: list[str] = []
        self.errors: list[FileError] = []
        self.declared = {f"{r.get('type')}.{r.get('name')}" for r in _list(conf.root.get("resources"))
                         if isinstance(r, dict) and r.get("mode", "managed") == "managed"} | {
            f"module.{n}" for n in _dict(conf.root.get("module_calls"))}
        candidates = [self.plan_dir] if self._has_tf(self.plan_dir) else []
        if not candidates and search_root is not None:
            candidates = self._search(search_root)
        self.folders[()] = None
        for folder in candidates:
            found, files = self._read(folder)
            if found and (not self.declared or self.declared & set(found)):
                self.folders[()] = folder
                self.blocks[()] = found
                self.files.extend(files)
                break

    @staticmethod
    def _has_tf(folder: str) -> bool:
        try:
            return any(n.endswith((".tf", ".tf.json")) for n in os.listdir(folder))
        except OSError:
            return False

    _DECLARATION = re.compile(r'^[ \t]*(?:resource[ \t]+"([^"]+)"[ \t]+"([^"]+)"|module[ \t]+"([^"]+)")', re.M)
    #: Terraform files looked at when searching --root for a plan's configuration.
    MAX_SEARCH_FILES = 20_000

    def _search(self, top: str) -> list[str]:
        """The folder under ``top`` (``--root``) whose .tf files declare most of the plan's root
        module (a cheap text scan; links are not followed, skipped folders are not walked)."""
        from ..discovery import SKIP_DIRS, _walk

        if not self.declared:
            return []
        scores: list[tuple[int, int, str]] = []
        seen = 0
        for here, dirs, files, _links in _walk(top, lambda exc: None):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            names = set()
            for f in files:
                if not f.endswith(".tf") or seen >= self.MAX_SEARCH_FILES:
                    continue
                seen += 1
                try:
                    with open(os.path.join(here, f), encoding="utf-8", errors="replace") as fh:
                        text = fh.read(1 << 20)
                except OSError:
                    continue
                for mt in self._DECLARATION.finditer(text):
                    names.add(f"{mt.group(1)}.{mt.group(2)}" if mt.group(1) else f"module.{mt.group(3)}")
            hits = len(names & self.declared)
            if hits:
                scores.append((-hits, len(names - self.declared), here))
        scores.sort()
        if len(scores) > 1 and scores[0][:2] == scores[1][:2]:
            return []  # two folders fit equally well: which one was planned is not known
        return [scores[0][2]] if scores else []

    def _read(self, folder: str) -> tuple[dict[str, Any], list[str]]:
        from ..terraform.scope import Loader

        if self.loader is None:
            self.loader = Loader(self.root_dir)
        out: dict[str, Any] = {}
        files = self.loader.folder_files(folder)
        for f in files:
            for b in self.loader.blocks(f):
                if b.type == "resource" and len(b.labels) >= 2:
                    out.setdefault(f"{b.labels[0]}.{b.labels[1]}", b)
                elif b.type == "module" and b.labels:
                    out.setdefault(f"module.{b.labels[0]}", b)
        return out, files

    def folder(self, mpath: tuple[str, ...]) -> str | None:
        if mpath in self.folders:
            return self.folders[mpath]
        from ..boundary import Notice, resolve

        self.folders[mpath] = None
        parent = self.folder(mpath[:-1])
        call = self.conf.call(mpath)
        source = call.get("source") if call else None
        if parent is None or not isinstance(source, str):
            return None
        if not source.startswith(("./", "../")):
            # a registry or git module: the folder terraform init downloaded it to, else its
            # findings point at the module call
            downloaded = self.downloaded().get(".".join(mpath))
            if downloaded is None:
                return None
            source, parent = downloaded, self.folders[()] or parent
        res = resolve(source.split("//")[0] if source.startswith(("./", "../")) else source, parent, self.root_dir)
        if res.refused is not None:
            if self.notices is not None:
                block = self.block(mpath[:-1], f"module.{mpath[-1]}")
                self.notices.append(Notice(block.file if block else self.plan_dir, block.line if block else None,
                                           f"module source {res.why()}"))
            return None
        if res.is_dir:
            self.folders[mpath] = res.path
        return self.folders[mpath]

    def downloaded(self) -> dict[str, str]:
        """``.terraform/modules/modules.json`` of the root folder (written by ``terraform init``):
        module key (``jobs``, ``jobs.inner``) -> the folder it was downloaded to, relative to the
        root folder. Read inside the read boundary; nothing is downloaded."""
        if hasattr(self, "_downloaded"):
            return self._downloaded
        import json

        from ..boundary import read_regular, resolve

        self._downloaded: dict[str, str] = {}
        root = self.folders.get(())
        if root is None:
            return self._downloaded
        res = resolve(os.path.join(".terraform", "modules", "modules.json"), root, self.root_dir)
        try:
            data = json.loads(read_regular(res, 1 << 20)) if res.is_file else {}
        except (OSError, ValueError):
            data = {}
        for m in data.get("Modules") or [] if isinstance(data, dict) else []:
            if isinstance(m, dict) and isinstance(m.get("Key"), str) and isinstance(m.get("Dir"), str) and m["Key"]:
                self._downloaded[m["Key"]] = m["Dir"]
        return self._downloaded

    def block(self, mpath: tuple[str, ...], address: str) -> Any:
        if mpath not in self.blocks:
            folder = self.folder(mpath)
            found, files = self._read(folder) if folder is not None else ({}, [])
            self.blocks[mpath] = found
            self.files.extend(f for f in files if f not in self.files)
        return self.blocks[mpath].get(address)

    def locate(self, inst: Instance) -> tuple[Any, list[Location]]:
        """The block of an instance (or of the nearest module call that holds it, for a module
        whose source is not read), and the module calls above it."""
        calls = [self.block(inst.mpath[:i - 1], f"module.{inst.mpath[i - 1]}") for i in range(len(inst.mpath), 0, -1)]
        related = [Location(b.file, b.line) for b in calls if b is not None]
        block = self.block(inst.mpath, inst.config_address)
        if block is None:
            block = next((b for b in calls if b is not None), None)
        return block, related

    def finish(self) -> None:
        if self.loader is not None:
            if self.notices is not None:
                self.notices.extend(self.loader.notices)
            self.errors.extend(self.loader.errors)


# --------------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------------


class Builder:
    def __init__(self, path: str, data: dict, boundary: str | None, notices: list | None,
                 search_root: str | None = None) -> None:
        self.path = path
        self.data = data
        self.conf = Configuration(data)
        self.instances = instances(data)
        self.by_config: dict[tuple[str, str], list[Instance]] = {}
        for inst in self.instances:
            inst.config = self.conf.resource(inst.mpath, inst.config_address)
            self.by_config.setdefault((inst.module_address, inst.config_address), []).append(inst)
        self.sources = Sources(path, self.conf, boundary, notices, search_root)
        self.module_addresses = {i.module_address for i in self.instances}

    def build(self) -> Document:
        resources = []
        for inst in self.instances:
            resources.append(self.resource(inst))
        for inst in self.instances:
            self.read(inst)
        for r in resources:
            kt.normalise(r, LANG)
        self.sources.finish()
        doc = Document(path=self.path, source_format=FORMAT, files=[self.path] + self.sources.files)
        doc.resources = resources
        doc.region, doc.region_at = plan_region(self.data, self.path)
        link(doc)
        return doc

    def resource(self, inst: Instance) -> Resource:
        block, related = self.sources.locate(inst)
        if block is not None:
            loc, end = Location(block.file, block.line), block.end_line
        else:
            loc = Location(self.path, getattr(inst.entry, "line", 0))
            end = getattr(inst.entry, "end_line", None)
        r = Resource(inst.address, inst.type, kt.kind_of(inst.type), loc, FORMAT, end, related=related)
        inst.resource = r
        inst.block = block
        return r

    def at(self, inst: Instance, key: str, n: Node) -> Location:
        block = inst.block
        if block is not None:
            if block.labels and block.type == "resource" and key in block.attributes:
                a = block.attributes[key]
                return Location(a.file, a.line)
            sub = block.first(key) if block.type == "resource" else None
            return Location(sub.file, sub.line) if sub is not None else Location(block.file, block.line)
        return Location(self.path, n.line or inst.resource.location.line)

    def written(self, inst: Instance, key: str, n: Node) -> bool:
        """Whether the configuration sets ``key`` (or, without a configuration, whether the plan has
        it). A nested block missing from the configuration's expressions is still read: Terraform
        leaves dynamic blocks out of them."""
        if inst.config is None:
            return True
        exprs = _dict(inst.config.get("expressions"))
        if key in exprs:
            return True
        v = n.value
        return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)

    def read(self, inst: Instance) -> None:
        r = inst.resource
        root = Node(inst.values, inst.unknown, inst.sensitive, _dict(_dict(inst.config).get("expressions")),
                    getattr(inst.values, "line", 0))
        for a, paths in kt.attributes(r.kind, LANG):
            for path in paths:
                key = path.split(".")[0].split("[")[0]
                top = walk(root, key)
                if not top or not self.written(inst, key, top[0]):
                    continue
                found = walk(root, path)
                if not found:
                    continue
                if a.type == "ref":
                    for n in found:
                        r.edges.extend(self.edges(inst, a.name, n, self.at(inst, key, n), deep=path.endswith("**")))
                    continue
                if a.name in r.attributes:
                    break
                n = found[0]
                value = node_value(n)
                if value is None:
                    continue  # null: the default applies
                if a.name in ("user_data", "user_data_base64") and isinstance(value, str) and _HASH.match(value):
                    value = Unknown("the plan records only a SHA-1 hash of the user data (the AWS provider's "
                                    "state format); scan the .tf files to read the script")
                refs = [x for x in references(n.expr) if not x.startswith(("each.", "count."))]
                note = f"computed from {', '.join(dict.fromkeys(refs[:4]))}" if refs else None
                r.attributes[a.name] = Setting(value, self.at(inst, key, n), ORIGIN_PLAN, note)
                break
        self.read_unmapped(inst, root)

    def read_unmapped(self, inst: Instance, root: Node) -> None:
        """The arguments the kinds table does not map, as the configuration writes them (a
        constant, or what it is computed from; never a resolved value, which may be a secret the
        plan does not mark sensitive), with an edge for every resource they reference."""
        r = inst.resource
        mapped = kt.mapped_keys(r.kind, LANG) | set(_META)
        exprs = root.expr if isinstance(root.expr, dict) else {}
        keys = list(exprs) if inst.config is not None else [k for k, v in inst.values.items() if v not in (None, [], {})]
        for key in keys:
            if key in mapped:
                continue
            found = walk(root, key)
            n = found[0] if found else Node(None, None, None, exprs.get(key))
            r.raw[key] = _written(exprs.get(key), n.sensitive)
            seen = set()
            for e in self.edges(inst, f"property:{key}", n, self.at(inst, key, n), targets_only=True):
                if e.target != r.address and (e.target, e.ref) not in seen:
                    seen.add((e.target, e.ref))
                    r.edges.append(e)

    # -- references --------------------------------------------------------------------------
    def edges(self, inst: Instance, via: str, n: Node, loc: Location, deep: bool = False,
              targets_only: bool = False) -> list[Edge]:
        value = node_value(n)
        literal = value if (isinstance(value, (str, int, float)) and not isinstance(value, bool)) or is_unknown(value) else None
        out: list[Edge] = []
        for cands, attr, ref in self.resolve(inst.module_address, inst.mpath, references(n.expr), inst.index):
            target = self.pick(inst, cands, attr, literal)
            if target is None:
                if not targets_only:
                    out.append(Edge(inst.address, via, None, None, None, literal if literal is not None else Unknown(
                        f"{ref} has {len(cands)} instances; the plan does not record which one this is"), loc))
                continue
            qualifier = None
            if isinstance(literal, str) and target.type == "aws_lambda_function" and attr in (None, "arn"):
                mt = _QUALIFIED.search(literal)
                qualifier = mt.group(1) if mt else None
            edge = Edge(inst.address, via, target.address, attr, qualifier, literal, loc)
            if all((edge.target, edge.ref) != (o.target, o.ref) for o in out):
                out.append(edge)
        if targets_only:
            return out
        if deep:
            texts = [value] if isinstance(value, str) else []
            for text in texts:
                for arn in _FN_ARN.findall(text):
                    out.append(Edge(inst.address, via, None, None, None, arn, loc))
            return out
        if not out and literal is not None:
            out.append(Edge(inst.address, via, None, None, None, literal, loc))
        return out

    def resolve(self, module_address: str, mpath: tuple[str, ...], refs: list[str], key: Any = None,
                depth: int = 0) -> list[tuple[list[Instance], str | None, str]]:
        """The resource instances each reference can name, with the attribute referenced: within the
        same module instance, through ``var.X`` to the module call's argument in the parent, and
        through ``module.M.OUT`` to the child module's output. ``key`` is the ``each.key`` /
        ``count.index`` in effect: a reference indexed by it (``aws_x.y[each.key]``) names the
        instance with that key."""
        if depth > 10:
            return []
        out: dict[tuple, tuple[list[Instance], str | None, str]] = {}
        prefix = module_address + "." if module_address else ""
        by_key = any(r.startswith(("each.", "count.")) for r in refs)
        refs = [r for r in refs if not any(o != r and o.startswith((r + ".", r + "[")) for o in refs)]
        for ref in refs:
            if ref.startswith("var."):
                if not mpath:
                    continue
                call = self.conf.call(mpath)
                arg = _dict(call.get("expressions")).get(ref[4:].split(".")[0].split("[")[0]) if call else None
                steps = module_steps(module_address)
                parent = ".".join(s for _, s in steps[:-1])
                own = _key(steps[-1][1][len("module." + steps[-1][0]) + 1:-1] or None) if steps else None
                for cands, attr, r in self.resolve(parent, mpath[:-1], references(arg), own, depth + 1):
                    self._merge(out, cands, attr, r)
                continue
            mt = _MODULE_REF.match(ref)
            if mt:
                name, mkey, output = mt.group(1), mt.group(2), mt.group(3)
                child = self.conf.module(mpath + (name,))
                oexpr = _dict(_dict(child).get("outputs")).get(output or "") if output else None
                base = f"{prefix}module.{name}"
                children = sorted({m[:len(base)] + _first_key(m[len(base):]) for m in self.module_addresses
                                   if m == base or m.startswith(base + "[") or m.startswith(base + ".")})
                if mkey:
                    children = [c for c in children if c == base + mkey]
                expr = oexpr.get("expression") if isinstance(oexpr, dict) else None
                for ca in children:
                    for cands, attr, r in self.resolve(ca, mpath + (name,), references(expr), None, depth + 1):
                        self._merge(out, cands, attr, r)
                continue
            mt = _RESOURCE_REF.match(ref)
            if not mt or ref.startswith(("data.", "local.", "each.", "count.", "path.", "terraform.", "self.")):
                continue
            cands = list(self.by_config.get((module_address, mt.group(1)), []))
            if mt.group(2) is not None:
                cands = [c for c in cands if c.index == _key(mt.group(2))]
            elif len(cands) > 1 and by_key and key is not None:
                same = [c for c in cands if c.index == key]
                cands = same or cands
            if cands:
                self._merge(out, cands, mt.group(3), prefix + mt.group(1))
        return list(out.values())

    @staticmethod
    def _merge(out: dict, cands: list[Instance], attr: str | None, ref: str) -> None:
        key = tuple(id(c) for c in cands)
        if key not in out or (attr and not out[key][1]):
            out[key] = (cands, attr, ref)

    @staticmethod
    def pick(src: Instance, cands: list[Instance], attr: str | None, literal: Any) -> Instance | None:
        """The one instance a reference names: the only one, or the one whose planned value the
        referring value is (a known ARN or name)."""
        if len(cands) == 1:
            return cands[0]
        if isinstance(literal, str) and literal:
            keys = tuple(k for k in (attr, "arn", "id", "name", "function_name", "qualified_arn", "invoke_arn") if k)
            hits = [c for c in cands if any(isinstance(c.values.get(k), str) and c.values.get(k)
                                            and (literal == c.values[k] or literal.startswith(c.values[k] + ":"))
                                            for k in keys)]
            if len(hits) == 1:
                return hits[0]
        return None


def _any_true(tree: Any, depth: int = 0) -> bool:
    if tree is True:
        return True
    if depth > 50:
        return False
    if isinstance(tree, dict):
        return any(_any_true(v, depth + 1) for v in tree.values())
    if isinstance(tree, list):
        return any(_any_true(v, depth + 1) for v in tree)
    return False


def _written(expr: Any, sensitive: Any) -> Any:
    """An argument as the configuration writes it, for ``computefit model``."""
    if _any_true(sensitive):
        return "(sensitive)"
    if isinstance(expr, dict) and "constant_value" in expr:
        return _plain(expr["constant_value"])
    refs = list(dict.fromkeys(references(expr)))
    if refs:
        return "(computed from " + ", ".join(refs[:5]) + ")"
    if isinstance(expr, list):
        return "(block)"
    return "(computed)"


def _first_key(rest: str) -> str:
    """The key of the first module step in ``rest`` (``["a"].module.b`` -> ``["a"]``), or ''."""
    mt = re.match(r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]', rest)
    return mt.group(0) if mt else ""


def build_document(path: str, data: dict, boundary: str | None, notices: list | None,
                   search_root: str | None = None) -> tuple[Document, list[FileError], set[str]]:
    """The plan's Document, the errors of the .tf files read for its source lines, and the folders
    of those files (the configuration the plan was made from)."""
    b = Builder(path, data, boundary, notices, search_root)
    doc = b.build()
    return doc, b.sources.errors, {os.path.realpath(f) for f in b.sources.folders.values() if f is not None}


def plan_region(data: dict, path: str) -> tuple[str | None, str | None]:
    """The ``region`` of the plan's default ``aws`` provider configuration (``configuration.
    provider_config.aws``: a constant, or a root variable's planned value), and where; (None,
    None) when there is none or it is not a string."""
    conf = data.get("configuration") if isinstance(data.get("configuration"), dict) else {}
    providers = conf.get("provider_config") if isinstance(conf.get("provider_config"), dict) else {}
    aws = providers.get("aws")
    if not isinstance(aws, dict) or aws.get("alias"):
        return None, None
    region = (aws.get("expressions") or {}).get("region") if isinstance(aws.get("expressions"), dict) else None
    if not isinstance(region, dict):
        return None, None
    if isinstance(region.get("constant_value"), str):
        return region["constant_value"], f"{path} (provider_config.aws)"
    refs = region.get("references") if isinstance(region.get("references"), list) else []
    variables = data.get("variables") if isinstance(data.get("variables"), dict) else {}
    for ref in refs:
        if isinstance(ref, str) and ref.startswith("var."):
            value = (variables.get(ref[4:]) or {}).get("value") if isinstance(variables.get(ref[4:]), dict) else None
            if isinstance(value, str):
                return value, f"{path} ({ref})"
    return None, None
