"""One evaluated module instance: its variables, locals, resources and module calls.

A :class:`Scope` answers the evaluator's questions (``var.x``, ``local.y``, ``module.m.out``,
``aws_x.y.arg``). The root module of a scan gets its variable values from tfvars files and defaults;
a local child module gets them from the arguments of the module call that instantiates it.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from typing import Any

from ..boundary import Notice, resolve
from ..discovery import display_path, is_terraform_file
from ..jsonpos import JsonSyntaxError, read_json_value
from ..lazyre import LazyPattern as _lazy
from ..model import (
    ORIGIN_LOCAL,
    ORIGIN_MODULE_INPUT,
    ORIGIN_TFVARS,
    ORIGIN_VARIABLE_DEFAULT,
    FileError,
    Location,
    Unknown,
)
from . import budgets
from .budgets import Budget
from .evaluate import BoundExpr, Evaluator, Ref, Source, plain, var_source
from .syntax import Attribute, Block, HclExpr, JsonExpr, read_file, read_tfvars_hcl

#: How deep local module calls are followed.
MAX_MODULE_DEPTH = 8

#: Instances of one counted resource or module call are evaluated (and reported each on its own
#: when they differ) up to this many; a larger count or for_each is one unit.
MAX_INSTANCES = 50

_REGISTRY_SOURCE = _lazy(r"^(?:registry\.terraform\.io/)?(terraform-aws-modules/[\w-]+/aws)(?://.*)?$")
_GIT_SOURCE = _lazy(r"github\.com[/:]terraform-aws-modules/terraform-aws-([\w-]+?)(?:\.git)?(?://|\?|$)")


def registry_source(source: Any) -> str | None:
    """``terraform-aws-modules/NAME/aws`` for a registry (or GitHub) source of a whole
    terraform-aws-modules module; None for a submodule (``//modules/alias``) or any other source.
    What the module stands for is the kinds table's business (``module:<source>``)."""
    if not isinstance(source, str):
        return None
    text = source.strip()
    mt = _REGISTRY_SOURCE.match(text)
    git = None if mt else _GIT_SOURCE.search(text)
    if not mt and not git:
        return None
    rest = text.split("?")[0]
    sub = rest.split("//", 2)[-1] if "//" in rest.replace("://", "") else ""
    if sub.strip("/."):
        return None  # a submodule (modules/alias, modules/deploy, wrappers...): not the module itself
    return mt.group(1) if mt else f"terraform-aws-modules/{git.group(1)}/aws"


def is_local_source(source: Any) -> bool:
    return isinstance(source, str) and (source.startswith("./") or source.startswith("../"))


@dataclass(frozen=True)
class VarInputs:
    """Values for the root module's variables beyond its own tfvars files, as Terraform takes them
    on its command line (lowest precedence first): ``TF_VAR_name`` environment variables, then the
    folder's tfvars files, then ``var_files`` in order, then ``values`` (``--var NAME=VALUE``) in
    order. A var-file in ``checked`` (named by a configuration file found in the scanned tree) is
    a read like any other and must lie inside the read boundary; one named on the command line
    need not."""

    var_files: tuple[str, ...] = ()
    checked: tuple[str, ...] = ()
    values: tuple[tuple[str, str, str], ...] = ()  # (name, value text, where it was set)
    env: tuple[tuple[str, str], ...] = ()  # (name, value) of the TF_VAR_ environment variables

    @staticmethod
    def from_environment(environ: Any = None, **kw: Any) -> "VarInputs":
        environ = os.environ if environ is None else environ
        env = tuple(sorted((k[len("TF_VAR_"):], v) for k, v in environ.items()
                           if k.startswith("TF_VAR_") and len(k) > len("TF_VAR_")))
        return VarInputs(env=env, **kw)


class ParseCache:
    """Parsed files shared by the modules of one scan, least recently used dropped first.

    A child module called by several roots is parsed once. Parsed HCL keeps a parse tree for every
    expression (about 170 KB a file as lark's trees; the :mod:`.hcltree` copies kept now take a
    third of what lark's did, 137 KB against 439 KB a file on 100 corpus files, measured with
    tracemalloc), so an unbounded cache grows with the scanned tree: 900 MB on a 4,000-file
    monorepo with lark's trees. Reuse concentrates on the shared child modules, which an LRU keeps.
    """

    def __init__(self, maxsize: int = 256) -> None:
        from collections import OrderedDict

        self.maxsize = maxsize
        self._items: "OrderedDict[str, tuple]" = OrderedDict()

    def __contains__(self, path: str) -> bool:
        return path in self._items

    def __getitem__(self, path: str) -> tuple:
        self._items.move_to_end(path)
        return self._items[path]

    def __setitem__(self, path: str, parsed: tuple) -> None:
        self._items[path] = parsed
        self._items.move_to_end(path)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class Loader:
    """Reads files once per load and remembers errors, and what the read boundary refused.

    ``root_dir`` is the read boundary (:mod:`computefit.boundary`): no file outside it is read.
    """

    def __init__(self, root_dir: str, cache: "ParseCache | dict | None" = None) -> None:
        self.root_dir = os.path.realpath(root_dir)
        self.files: dict[str, list[Block]] = {}
        self.errors: list[FileError] = []
        #: what was not read because it lies outside the boundary (or is not a regular file)
        self.notices: list[Notice] = []
        self.read_ok: set[str] = set()
        #: parsed files shared by the modules of one scan (a child module called by several roots
        #: is parsed once); blocks are never mutated after parsing, so sharing is safe
        self.cache = cache if cache is not None else {}
        #: the evaluation budgets of this load (one root module and its module instances)
        self.budget = Budget()
        #: the root module's inputs beyond its tfvars files (--var-file, --var, TF_VAR_)
        self.inputs = VarInputs()

    def refused(self, path: str) -> str | None:
        """Why ``path`` (a file the front end is about to open, in a folder already checked) may not
        be read, or None."""
        full = os.path.abspath(path)
        res = resolve(os.path.basename(full), os.path.dirname(full), self.root_dir)
        if res.refused is not None:
            return res.why()
        if res.stat is not None and not res.is_file:
            return f"{path} is {res.kind()}, not a regular file; not read"
        return None

    def blocks(self, path: str) -> list[Block]:
        if path not in self.files:
            why = self.refused(path)
            if why is not None:
                self.files[path] = []
                self.notices.append(Notice(path, None, why))
                return []
            if path not in self.cache:
                self.cache[path] = read_file(path)
            blocks, err = self.cache[path]
            self.files[path] = blocks
            if err is not None:
                self.errors.append(err)
            else:
                self.read_ok.add(path)
        return self.files[path]

    def folder_files(self, abs_dir: str) -> list[str]:
        """The Terraform files of a module folder; one that is a link leading outside the boundary
        (or not a regular file) is a notice, not a file of the module."""
        try:
            names = sorted(os.listdir(abs_dir))
        except OSError:
            return []
        out = []
        for n in names:
            if not is_terraform_file(n):
                continue
            shown = display_path(os.path.join(abs_dir, n))
            res = resolve(n, abs_dir, self.root_dir)
            if res.refused is not None:
                self.notices.append(Notice(shown, None, res.why()))
            elif res.is_file:
                out.append(shown)
            elif res.stat is not None and not res.is_dir:
                self.notices.append(Notice(shown, None, f"{n} is {res.kind()}, not a regular file; not read"))
        return out


class Scope:
    def __init__(self, loader: Loader, abs_dir: str, files: list[str], prefix: str = "",
                 parent: "Scope | None" = None, call: Block | None = None, depth: int = 0,
                 chain: tuple[str, ...] = (), suffix: str = "") -> None:
        self.loader = loader
        self.budget = loader.budget
        self.budget.instances += 1
        if parent is None and not self.budget.module:
            self.budget.module = display_path(abs_dir)
        self.budget.check_deadline(files[0] if files else self.budget.module)
        self.abs_dir = os.path.abspath(abs_dir)
        self.files = files
        self.prefix = prefix
        self.parent = parent
        #: the call's arguments, bound to this instance's ``each`` / ``count`` when it has one
        self.call = call
        #: this module instance's key as Terraform prints it (``["nightly"]``, ``[0]``), or ""
        self.suffix = suffix
        #: ``prefix`` without instance keys (``module.jobs.``): what a notice about a line of this
        #: module names, once for all the instances
        self.call_prefix = "" if parent is None or call is None else f"{parent.call_prefix}module.{call.labels[0]}."
        self.depth = depth
        self.chain = chain + (self.abs_dir,)
        self.notes: list[str] = []
        self.claimed_notes: set[str] = set()
        self.root_dir = loader.root_dir
        self.notices = loader.notices
        root = self
        while root.parent is not None:
            root = root.parent
        self.path_root_abs = root.abs_dir
        self.path_root = "."
        rel = os.path.relpath(self.abs_dir, self.path_root_abs)
        self.path_module = "." if rel == "." else rel.replace(os.sep, "/")
        #: the module path Terraform records in .terraform/modules/modules.json ("" for the root,
        #: "a.b" for module b called by module a)
        self.key = "" if parent is None or call is None else (
            f"{parent.key}.{call.labels[0]}" if parent.key else call.labels[0])
        #: module key -> downloaded folder, from the root's .terraform/modules/modules.json
        self.downloaded: dict[str, str] = parent.downloaded if parent is not None else self._read_modules_json()
        self.variables: dict[str, Block] = {}
        self.locals: dict[str, Attribute] = {}
        self.resources: dict[str, Block] = {}  # "type.name" -> block
        self.modules: dict[str, Block] = {}
        self.outputs: dict[str, Block] = {}
        self.providers: list[Block] = []  # provider "aws" blocks, in file order
        overrides = [f for f in files if _is_override(f)]
        for f in files:
            if not _is_override(f):
                for b in loader.blocks(f):
                    self._add(b)
        for f in overrides:  # Terraform merges override files into the blocks they name, last
            for b in loader.blocks(f):
                self._override(b)
        self.budget.resources += len(self.resources)
        #: variable name -> (value, where it was set, how evidence names it or None)
        self.tfvars: dict[str, tuple[Any, Location | None, str | None]] = {}
        if parent is None:
            inputs = loader.inputs
            for name, text in inputs.env:
                self.tfvars[name] = (self._cli_value(name, text), None,
                                     f"variable {name} set by environment variable TF_VAR_{name}")
            self._read_tfvars()
            for path in inputs.var_files:
                self._read_tfvars_file(display_path(path), checked=path in inputs.checked, var_file=True)
            for name, text, where in inputs.values:
                self.tfvars[name] = (self._cli_value(name, text), None, f"variable {name} set by {where}")
        self._var_memo: dict[str, tuple[Any, Source]] = {}
        self._local_memo: dict[str, tuple[Any, Source]] = {}
        self._busy: set[str] = set()
        self._arg_memo: dict[tuple[str, str], Any] = {}
        #: (module call, instance suffix or None for the call evaluated without an instance key)
        #: -> its scope (None when not followed)
        self.children: dict[tuple[str, str | None], Scope | None] = {}
        self._instances: dict[str, Any] = {}

    # ---- reading ---------------------------------------------------------------------------------

    def _add(self, b: Block) -> None:
        if b.type == "variable" and b.labels:
            self.variables[b.labels[0]] = b
        elif b.type == "locals":
            self.locals.update(b.attributes)
        elif b.type == "resource" and len(b.labels) >= 2:
            self.resources.setdefault(f"{b.labels[0]}.{b.labels[1]}", b)
        elif b.type == "module" and b.labels:
            self.modules.setdefault(b.labels[0], b)
        elif b.type == "output" and b.labels:
            self.outputs[b.labels[0]] = b
        elif b.type == "provider" and b.labels and b.labels[0] == "aws":
            self.providers.append(b)

    def _override(self, b: Block) -> None:
        table: dict | None = None
        key = None
        if b.type == "variable" and b.labels:
            table, key = self.variables, b.labels[0]
        elif b.type == "resource" and len(b.labels) >= 2:
            table, key = self.resources, f"{b.labels[0]}.{b.labels[1]}"
        elif b.type == "module" and b.labels:
            table, key = self.modules, b.labels[0]
        elif b.type == "output" and b.labels:
            table, key = self.outputs, b.labels[0]
        elif b.type == "locals":
            self.locals.update(b.attributes)
            return
        if table is None or key not in table:
            return
        base = table[key]
        merged = Block(base.type, base.labels, base.file, base.line, base.end_line,
                       attributes={**base.attributes, **b.attributes},
                       blocks=[x for x in base.blocks if x.type not in {y.type for y in b.blocks}] + b.blocks)
        table[key] = merged

    def _read_tfvars(self) -> None:
        """terraform.tfvars, terraform.tfvars.json, then *.auto.tfvars(.json) in name order: later
        files override earlier ones, as Terraform loads them."""
        try:
            names = sorted(os.listdir(self.abs_dir))
        except OSError:
            return
        ordered = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
        ordered += [n for n in names if n.endswith(".auto.tfvars") or n.endswith(".auto.tfvars.json")]
        for name in ordered:
            path = display_path(os.path.join(self.abs_dir, name))
            self._read_tfvars_file(path)

    def _cli_value(self, name: str, text: str) -> Any:
        """A value given as text (``--var``, ``TF_VAR_``): a string unless the variable declares a
        type other than string, then read as an HCL literal, as Terraform does."""
        block = self.variables.get(name)
        type_attr = block.attributes.get("type") if block is not None else None
        type_text = type_attr.expr.source().strip() if type_attr is not None and hasattr(type_attr.expr, "source") else ""
        if not type_text or type_text == "string":
            return text
        try:
            attrs = read_tfvars_hcl(f"v = {text}\n", f"value of {name}")
            return Evaluator(_NoRefs(self)).eval(attrs[0].expr) if attrs else text
        except Exception:  # not an HCL literal: Terraform would reject it; keep it unknown
            return Unknown(f"the value given for variable {name} is not a valid {type_text}")

    def _read_tfvars_file(self, path: str, checked: bool = True, var_file: bool = False) -> None:
        from .syntax import HclSyntaxError, oversized, read_native

        why = self.loader.refused(path) if checked else None
        if why is not None:
            self.loader.notices.append(Notice(path, None, why))
            return
        label = (lambda k, line: f"variable {k} set by var-file {path}:{line}") if var_file else (
            lambda k, line: None)
        too_big = oversized(path)
        if too_big is not None:
            self.loader.errors.append(too_big)
            return
        try:
            with open(path, encoding="utf-8-sig") as fh:
                text = fh.read().replace("\r\n", "\n")
        except (OSError, UnicodeDecodeError) as exc:
            self.loader.errors.append(FileError(path, None, f"cannot read tfvars file: {exc}"))
            return
        if path.endswith(".json"):
            try:
                doc = read_json_value(text)
            except JsonSyntaxError as exc:
                self.loader.errors.append(FileError(path, exc.line, exc.message))
                return
            if not isinstance(doc, dict):
                self.loader.errors.append(FileError(path, 1, "a tfvars.json file must hold a JSON object"))
                return
            for k, v in doc.items():
                line = doc.lines.get(k, 1)
                self.tfvars[k] = (_literal(v), Location(path, line), label(k, line))
            return
        try:
            tree_blocks = read_native(text, path, "tfvars")
        except HclSyntaxError as exc:
            self.loader.errors.append(FileError(path, exc.line, exc.message))
            return
        for attr in tree_blocks:
            ev = Evaluator(_NoRefs(self))
            self.tfvars[attr.name] = (ev.eval(attr.expr), Location(path, attr.line), label(attr.name, attr.line))

    def _read_modules_json(self) -> dict[str, str]:
        """The module folders ``terraform init`` downloaded for this root module, by module key,
        from ``.terraform/modules/modules.json`` (read inside the read boundary; nothing is ever
        downloaded). Missing or unreadable: no downloaded modules."""
        import json

        path = os.path.join(self.abs_dir, ".terraform", "modules", "modules.json")
        if not os.path.isfile(path) or self.loader.refused(path) is not None:
            return {}
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError, RecursionError):
            self.loader.errors.append(FileError(display_path(path), None,
                                                "modules.json could not be read: downloaded modules not followed"))
            return {}
        out: dict[str, str] = {}
        for entry in data.get("Modules", []) if isinstance(data, dict) else []:
            if isinstance(entry, dict) and isinstance(entry.get("Key"), str) and entry["Key"] \
                    and isinstance(entry.get("Dir"), str):
                out[entry["Key"]] = os.path.normpath(os.path.join(self.abs_dir, entry["Dir"]))
        return out

    def followed(self, name: str) -> bool:
        """Whether module call ``name`` is evaluated from its folder: a local source, or a remote
        one that ``terraform init`` downloaded."""
        source = self.module_source(self.modules[name])
        return is_local_source(source) or self.download_dir(name) is not None

    def download_dir(self, name: str) -> str | None:
        if not self.downloaded:
            return None
        return self.downloaded.get(f"{self.key}.{name}" if self.key else name)

    # ---- evaluator interface ---------------------------------------------------------------------

    def lookup_var(self, name: str, ev: Evaluator) -> Any:
        if name in self._var_memo:
            value, src = self._var_memo[name]
            ev.trace.add(src)
            return value
        key = "var." + name
        if key in self._busy:
            return Unknown(f"variable {name} refers to itself")
        block = self.variables.get(name)
        if block is None and not (self.call is not None and name in self.call.attributes):
            return Unknown(f"variable {name} is not declared")
        self._busy.add(key)
        try:
            value, src = self._var_value(name, block, ev)
            if block is not None and "type" in block.attributes:
                value = apply_type_defaults(value, block.attributes["type"].expr, _NoRefs(self))
            src.value = value
        finally:
            self._busy.discard(key)
        self._var_memo[name] = (value, src)
        return value

    def _var_value(self, name: str, block: Block | None, ev: Evaluator) -> tuple[Any, Source]:
        if self.call is not None and self.parent is not None and name in self.call.attributes:
            attr = self.call.attributes[name]
            loc = Location(attr.file, attr.line)
            src = var_source(name, ORIGIN_MODULE_INPUT, loc, f"module.{self.call.labels[0]}")
            ev.trace.push(src)
            try:
                sub = Evaluator(self.parent, ev.trace)
                value = sub.eval(attr.expr)
            finally:
                ev.trace.pop()
            return value, src
        if name in self.tfvars:
            value, loc, note = self.tfvars[name]
            src = var_source(name, ORIGIN_TFVARS, loc)
            if note:
                src.note = note
            ev.trace.add(src)
            return value, src
        default = block.attributes.get("default") if block is not None else None
        if default is not None:
            loc = Location(default.file, default.line)
            src = var_source(name, ORIGIN_VARIABLE_DEFAULT, loc)
            ev.trace.push(src)
            try:
                value = Evaluator(self, ev.trace).eval(default.expr)
            finally:
                ev.trace.pop()
            return value, src
        loc = Location(block.file, block.line) if block is not None else None
        src = Source(ORIGIN_VARIABLE_DEFAULT, loc, f"variable {name} has no default and no value"
                     + (f" (declared at {loc})" if loc else ""))
        ev.trace.add(src)
        where = "the module call" if self.call is not None else "tfvars"
        return Unknown(f"variable {name} has no default and no value in {where}"), src

    def lookup_local(self, name: str, ev: Evaluator) -> Any:
        if name in self._local_memo:
            value, src = self._local_memo[name]
            ev.trace.add(src)
            return value
        attr = self.locals.get(name)
        if attr is None:
            return Unknown(f"local.{name} is not defined")
        key = "local." + name
        if key in self._busy:
            return Unknown(f"local.{name} refers to itself")
        src = var_source(name, ORIGIN_LOCAL, Location(attr.file, attr.line))
        self._busy.add(key)
        ev.trace.push(src)
        try:
            value = Evaluator(self, ev.trace).eval(attr.expr)
            src.value = value
        finally:
            ev.trace.pop()
            self._busy.discard(key)
        self._local_memo[name] = (value, src)
        return value

    def has_resource(self, rtype: str, name: str) -> bool:
        return f"{rtype}.{name}" in self.resources

    def resolve_ref_value(self, ref: Ref) -> Any:
        if not ref.path:
            return Unknown(f"{ref.full_address} is a whole resource")
        if ref.address.startswith("module."):
            return Unknown(f"{ref.full_address}.{ref.path[0]} is an output of a registry module, "
                           "known only after apply")
        block = self.resources.get(ref.address)
        attr_name = ref.path[0]
        if block is None or attr_name not in block.attributes:
            return Unknown(f"{ref.full_address}.{attr_name} is known only after apply")
        value = self.arg(ref.address, attr_name)
        for step in ref.path[1:]:
            value = plain(value)
            if isinstance(value, dict) and step in value:
                value = value[step]
            else:
                return Unknown(f"{ref.full_address}.{'.'.join(ref.path)} could not be resolved")
        return value

    def arg(self, address: str, name: str) -> Any:
        """The evaluated argument ``name`` of resource ``address`` (memoised, cycle-safe)."""
        key = (address, name)
        if key in self._arg_memo:
            return self._arg_memo[key]
        if key in self._busy:
            return Unknown(f"{address}.{name} refers to itself")
        block = self.resources.get(address)
        if block is None or name not in block.attributes:
            return Unknown(f"{address}.{name} is not set")
        self._busy.add(key)  # type: ignore[arg-type]
        try:
            value = Evaluator(self).eval(block.attributes[name].expr)
        finally:
            self._busy.discard(key)  # type: ignore[arg-type]
        self._arg_memo[key] = value
        return value

    def lookup_module(self, name: str, output: str, ev: Evaluator, key: Any = None) -> Any:
        """``module.NAME.OUTPUT``, or ``module.NAME[KEY].OUTPUT`` of a call with count / for_each
        (``key`` None: no index written; Unknown: an index not known statically). An instance
        whose key is known is evaluated with its own ``each`` / ``count``; otherwise the call is
        evaluated once without an instance key."""
        call = self.modules.get(name)
        if call is None:
            return Unknown(f"module.{name} is not defined")
        suffix = self.instance_of(name, key)
        if isinstance(suffix, Unknown):
            return suffix
        source = self.module_source(call)
        if isinstance(source, str) and not self.followed(name):
            # an output of a module that is not read: a reference to the module call (an edge in
            # the graph), its value known only after apply
            return Ref(self, f"module.{name}{suffix or ''}", (output,))
        child = self.child(name, suffix)
        if child is None:
            return Unknown(f"module.{name}.{output}: module source {source} is not read")
        out = child.outputs.get(output)
        if out is None or "value" not in out.attributes:
            return Unknown(f"module.{name} has no output {output}")
        key_ = f"module.{name}{suffix or ''}.{output}"
        if key_ in self._busy:
            return Unknown(f"{key_} refers to itself")
        self._busy.add(key_)
        try:
            return Evaluator(child, ev.trace).eval(out.attributes["value"].expr)
        finally:
            self._busy.discard(key_)

    def module_instances(self, name: str) -> "list[tuple[str, dict]] | Unknown | None":
        """The instances of module call ``name`` (see :func:`instances_of`), memoised."""
        if name not in self._instances:
            self._instances[name] = None  # cycle guard: count = length(module.self.x)
            self._instances[name] = instances_of(self, self.modules[name])
        return self._instances[name]

    def expanded(self, name: str) -> "list[tuple[str, dict]] | None":
        """The instances of module call ``name`` when each is evaluated on its own: a known,
        non-empty count or for_each of at most MAX_INSTANCES; else None (one evaluation)."""
        insts = self.module_instances(name)
        if isinstance(insts, list) and 0 < len(insts) <= MAX_INSTANCES:
            return insts
        return None

    def instance_of(self, name: str, key: Any) -> "str | None | Unknown":
        """The suffix of the instance of module call ``name`` that index ``key`` names, None to
        evaluate the call without an instance key, Unknown when the instance does not exist."""
        insts = self.expanded(name)
        if insts is None or key is None or isinstance(key, Unknown) or isinstance(key, bool) \
                or not isinstance(key, (str, int, float)):
            return None
        suffix = instance_suffix(key)
        if suffix not in {s for s, _ in insts}:
            return Unknown(f"module.{name}{suffix} is not an instance of module.{name}")
        return suffix

    # ---- modules ---------------------------------------------------------------------------------

    def module_source(self, call: Block) -> Any:
        attr = call.attributes.get("source")
        if attr is None:
            return None
        return plain(Evaluator(_NoRefs(self)).eval(attr.expr))

    def release(self) -> None:
        """Drop the links between this scope and its module calls' scopes once the document is
        built. A parent and its children refer to each other, a reference cycle that keeps every
        module's parsed files alive until the cyclic collector runs; released, they are freed as
        soon as the document no longer needs them (a large scan's memory and collector time)."""
        children = [c for c in self.children.values() if c is not None]
        self.children = {}
        self.parent = None
        for c in children:
            c.release()

    def child(self, name: str, suffix: str | None = None) -> "Scope | None":
        """The scope of a followed module call (None for remote sources not downloaded, or beyond
        the bounds): of its instance ``suffix`` (one of :meth:`expanded`), or with None of the call
        evaluated once without an instance key (``each`` / ``count`` unknown)."""
        if (name, suffix) in self.children:
            return self.children[(name, suffix)]
        call = self.modules[name]
        if suffix is not None:
            env = dict(self.expanded(name) or []).get(suffix)
            if env is None:
                return None
            call = bind_block(call, env)
        source = self.module_source(call)
        child = None
        self.children[(name, suffix)] = None  # cycle guard while building
        downloaded = self.download_dir(name)
        if is_local_source(source) or downloaded is not None:
            where = _loc(call.attributes.get("source") or call)
            if downloaded is not None:  # terraform init's copy (a registry or git source)
                abs_dir = downloaded
                res = resolve(os.path.relpath(downloaded, self.abs_dir), self.abs_dir, self.root_dir)
            else:
                abs_dir = os.path.normpath(os.path.join(self.abs_dir, source.split("//")[0]))
                res = resolve(source.split("//")[0], self.abs_dir, self.root_dir)
            if res.refused is not None:
                self._not_followed(name, where, "source " + res.why())
            elif abs_dir in self.chain:
                self._note(f"module.{name}: source {source} calls itself (module cycle), not followed")
            elif self.depth + 1 > MAX_MODULE_DEPTH:
                self._note(f"module.{name}: nested deeper than {MAX_MODULE_DEPTH} modules, not followed")
            elif self.budget.instances >= budgets.MAX_MODULE_INSTANCES:
                self._note(f"module.{name}: not followed, the root module already has "
                           f"{budgets.MAX_MODULE_INSTANCES} module instances (budget MAX_MODULE_INSTANCES)")
            elif self.budget.resources >= budgets.MAX_MODULE_RESOURCES:
                self._note(f"module.{name}: not followed, the root module's instances already have "
                           f"{budgets.MAX_MODULE_RESOURCES:,} resources (budget MAX_MODULE_RESOURCES)")
            elif not res.is_dir:
                self._not_followed(name, where, f"source folder {source} not found")
            else:
                files = self.loader.folder_files(abs_dir)
                child = Scope(self.loader, abs_dir, files, prefix=f"{self.prefix}module.{name}{suffix or ''}.",
                              parent=self, call=call, depth=self.depth + 1, chain=self.chain,
                              suffix=suffix or "")
        self.children[(name, suffix)] = child
        return child

    def _note(self, text: str) -> None:
        if text not in self.notes:  # once for all the instances of a call
            self.notes.append(text)

    def _not_followed(self, name: str, where: Location, why: str) -> None:
        """A local module call that is not followed: a note on the module's units and a scan-level
        notice at the call."""
        text = f"{self.call_prefix}module.{name}: {why}"
        self._note(text)
        notice = Notice(where.file, where.line, text)
        if notice not in self.notices:
            self.notices.append(notice)


def _loc(node: Any) -> Location:
    return Location(node.file, node.line)


class _NoRefs:
    """A scope with nothing in it: for tfvars values and module sources, which are literals."""

    prefix = ""

    def __init__(self, base: Scope) -> None:
        self.budget = base.budget
        self.path_module = base.path_module
        self.path_root = base.path_root
        self.path_root_abs = base.path_root_abs
        self.root_dir = base.root_dir
        self.notes = base.notes
        self.notices = base.notices

    def lookup_var(self, name, ev):
        return Unknown(f"var.{name} cannot be used here")

    def lookup_local(self, name, ev):
        return Unknown(f"local.{name} cannot be used here")

    def lookup_module(self, name, output, ev, key=None):
        return Unknown(f"module.{name} cannot be used here")

    def has_resource(self, rtype, name):
        return False

    def resolve_ref_value(self, ref):
        return Unknown("not available")


def _is_override(path: str) -> bool:
    name = os.path.basename(path)
    for suffix in (".tf", ".tf.json"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem == "override" or stem.endswith("_override")
    return False


def apply_type_defaults(value: Any, type_expr: Any, scope: Any, depth: int = 0) -> Any:
    """Fill the ``optional(type, default)`` attributes of an object-typed variable, as Terraform
    does when converting the value to the declared type. Attributes declared ``optional(type)``
    without a default become null. Anything else is returned unchanged."""
    tree = getattr(type_expr, "tree", None)
    if tree is None or depth > 20 or isinstance(value, Unknown):
        return value
    node = _unwrap(tree)
    call = _call_name(node)
    if call is None:
        return value
    args = _call_args(node)
    sub = HclExpr(args[0], type_expr.text, type_expr.file, type_expr.line) if args else None
    if call in ("map", "list", "set") and sub is not None:
        if isinstance(value, dict) and call == "map":
            return {k: apply_type_defaults(v, sub, scope, depth + 1) for k, v in value.items()}
        if isinstance(value, list) and call in ("list", "set"):
            return [apply_type_defaults(v, sub, scope, depth + 1) for v in value]
        return value
    if call != "object" or sub is None or not isinstance(value, dict):
        return value
    obj = _unwrap(args[0])
    if getattr(obj, "data", None) != "object":
        return value
    out = dict(value)
    for elem in obj.children:
        if getattr(elem, "data", None) != "object_elem":
            continue
        parts = [c for c in elem.children if c is not None]
        key_node = parts[0].children[0]
        if getattr(key_node, "data", None) == "identifier":
            key = str(key_node.children[0])
        else:
            key = "".join(str(c.children[0]) for c in key_node.children
                          if getattr(c, "data", None) == "string_part")
        attr_type = _unwrap(parts[-1])
        attr_expr = HclExpr(attr_type, type_expr.text, type_expr.file, type_expr.line)
        if _call_name(attr_type) == "optional" and key not in out:
            opt_args = _call_args(attr_type)
            if len(opt_args) > 1:
                default = Evaluator(scope).eval(HclExpr(opt_args[1], type_expr.text, type_expr.file,
                                                        type_expr.line))
                out[key] = apply_type_defaults(default, HclExpr(opt_args[0], type_expr.text, type_expr.file,
                                                                type_expr.line), scope, depth + 1)
            else:
                out[key] = None
        elif key in out:
            if _call_name(attr_type) == "optional":
                opt_args = _call_args(attr_type)
                if opt_args:
                    attr_expr = HclExpr(opt_args[0], type_expr.text, type_expr.file, type_expr.line)
            out[key] = apply_type_defaults(out[key], attr_expr, scope, depth + 1)
    return out


def _unwrap(node: Any) -> Any:
    while getattr(node, "data", None) == "expr_term":
        trees = [c for c in node.children if c is not None and hasattr(c, "data")
                 and c.data != "new_line_or_comment"]
        if len(trees) != 1:
            break
        node = trees[0]
    return node


def _call_name(node: Any) -> str | None:
    if getattr(node, "data", None) != "function_call":
        return None
    return str(node.children[0].children[0])


def _call_args(node: Any) -> list:
    for c in node.children:
        if getattr(c, "data", None) == "arguments":
            return [a for a in c.children if a is not None and hasattr(a, "data")
                    and a.data != "new_line_or_comment"]
    return []


def _literal(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _literal(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_literal(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):  # 1e999: never a value a check sees
        return Unknown("the tfvars value is not a finite number (too large to hold)")
    return v


def deep_plain(v: Any, depth: int = 0) -> Any:
    """Values handed to checks hold no evaluator objects: references become their value."""
    v = plain(v)
    if depth > 50:
        return v
    if isinstance(v, list):
        return [deep_plain(x, depth + 1) for x in v]
    if isinstance(v, dict):
        return {k: deep_plain(x, depth + 1) for k, x in v.items()}
    return v


def instances_of(scope: Any, block: Block) -> "list[tuple[str, dict]] | Unknown | None":
    """The instances of a resource or module call with ``count`` / ``for_each``: (address suffix,
    bindings) for each (at most MAX_INSTANCES + 1), [] when it has none, Unknown when their number
    is not known, None without count and for_each (one instance, no instance key)."""
    for arg in ("count", "for_each"):
        attr = block.attributes.get(arg)
        if attr is None:
            continue
        v = plain(Evaluator(scope).eval(attr.expr))
        if arg == "count":
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return Unknown(f"count is unknown ({v.reason})" if isinstance(v, Unknown)
                               else "count is not a number")
            n = int(v)
            if n <= 0:
                return []
            return [(f"[{i}]", {"count": {"index": i}}) for i in range(min(n, MAX_INSTANCES + 1))]
        if isinstance(v, dict):
            pairs = [(k, deep_plain(x)) for k, x in v.items()]
        elif isinstance(v, list):
            pairs = [(deep_plain(x), deep_plain(x)) for x in v]
        else:
            return Unknown(f"for_each is unknown ({v.reason})" if isinstance(v, Unknown)
                           else "for_each is not a map or set")
        if not pairs:
            return []
        if not all(isinstance(k, str) for k, _ in pairs):
            return Unknown("for_each keys are not all known strings")
        return [(instance_suffix(k), {"each": {"key": k, "value": x}}) for k, x in pairs[:MAX_INSTANCES + 1]]
    return None


def instance_suffix(key: Any) -> str:
    """An instance key as Terraform prints it in an address: ``[0]``, ``["nightly"]``."""
    if isinstance(key, float) and key.is_integer():
        key = int(key)
    return f"[{json.dumps(key)}]"


def bind(attr: Attribute, env: dict) -> Attribute:
    """``attr`` evaluated with the names of ``env`` bound (``each``, ``count``, a dynamic block's
    iterator)."""
    if not env or attr is None:
        return attr
    return Attribute(attr.name, BoundExpr(attr.expr, env), attr.file, attr.line)


def bind_block(block: Block, env: dict) -> Block:
    """A module call whose arguments see one instance's ``each`` / ``count``."""
    out = Block(block.type, block.labels, block.file, block.line, block.end_line,
                attributes={k: bind(a, env) for k, a in block.attributes.items()}, blocks=list(block.blocks))
    return out


__all__ = ["Scope", "Loader", "registry_source", "is_local_source", "JsonExpr", "MAX_INSTANCES",
           "instances_of", "instance_suffix", "deep_plain", "bind", "bind_block"]
