"""Read Terraform files into one small syntax model: blocks and attributes, each with file and line.

Native syntax (``.tf``) is parsed with python-hcl2's lark grammar. We use the lark parse tree rather
than python-hcl2's dict output because only the tree keeps a line for every attribute (the dict output
of 7.x has lines for blocks only, and 8.x has none). The tree is copied into lark-free classes
(:mod:`.hcltree`), so that the parse of a file seen before is read back from computefit's cache
folder (:mod:`.treecache`, :func:`read_native`) without importing lark. Attribute values stay
unevaluated parse trees (:class:`HclExpr`); :mod:`.evaluate` turns them into values.

JSON syntax (``.tf.json``) is read with :mod:`computefit.jsonpos`, the position-recording JSON reader
shared with the CloudFormation front end: every object member keeps the line of its key.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from typing import Any

from ..jsonpos import JsonSyntaxError, read_json_value
from ..lazyre import LazyPattern as _lazy
from ..model import FileError

# --------------------------------------------------------------------------------------------------
# Syntax model
# --------------------------------------------------------------------------------------------------


class HclExpr:
    """An unevaluated native-syntax expression: a parse tree (:mod:`.hcltree` nodes, copied from
    lark's) plus the text it was parsed from."""

    __slots__ = ("tree", "text", "file", "line")

    def __init__(self, tree: Any, text: str, file: str, line: int) -> None:
        self.tree = tree
        self.text = text  # the whole source the tree's positions refer to
        self.file = file
        self.line = line

    def source(self, node: Any = None) -> str:
        node = self.tree if node is None else node
        meta = getattr(node, "meta", None)
        if meta is None or getattr(meta, "empty", True):
            return str(node)
        return self.text[meta.start_pos:meta.end_pos]


class JsonExpr:
    """An unevaluated JSON-syntax value: strings are templates (``"${var.x}"``)."""

    __slots__ = ("value", "file", "line")

    def __init__(self, value: Any, file: str, line: int) -> None:
        self.value = value
        self.file = file
        self.line = line


@dataclass
class Attribute:
    name: str
    expr: Any  # HclExpr | JsonExpr
    file: str
    line: int


@dataclass
class Block:
    type: str
    labels: list[str]
    file: str
    line: int
    end_line: int
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list["Block"] = field(default_factory=list)

    def blocks_of(self, type_: str) -> list["Block"]:
        return [b for b in self.blocks if b.type == type_]

    def first(self, type_: str) -> "Block | None":
        for b in self.blocks:
            if b.type == type_:
                return b
        return None


# --------------------------------------------------------------------------------------------------
# Native syntax
# --------------------------------------------------------------------------------------------------


#: python-hcl2's heredoc terminals end with ``\n\s*(?P=marker)\n`` after a lazy body: ``\s*`` spans
#: blank lines, so every blank line of a heredoc rescans all the blank lines after it (80 KB of
#: them took a minute). ``[ \t]*`` matches the same heredocs (the lazy body takes the blank lines).
_HEREDOC_END, _HEREDOC_END_LINEAR = r"\n\s*(?P=", r"\n[ \t]*(?P="


@functools.lru_cache(maxsize=1)
def _grammar() -> str | None:
    """python-hcl2's grammar with its heredoc terminals made linear, read without importing the
    ``hcl2`` package (its ``__init__`` loads the dict transformer, the reconstructor and the
    builder, which a scan never uses); None for an unexpected layout or another grammar (then
    python-hcl2's own parser is used as it is, and nothing is cached)."""
    import importlib.util

    spec = importlib.util.find_spec("hcl2")  # finds the package without running its __init__
    folder = next(iter(spec.submodule_search_locations or []), None) if spec else None
    grammar_file = os.path.join(folder, "hcl2.lark") if folder else None
    if grammar_file is None or not os.path.isfile(grammar_file):
        return None
    with open(grammar_file, encoding="utf-8") as fh:
        grammar = fh.read()
    if grammar.count(_HEREDOC_END) != 2:
        return None
    return grammar.replace(_HEREDOC_END, _HEREDOC_END_LINEAR)


@functools.lru_cache(maxsize=1)
def _parser():
    """python-hcl2's LALR parser with positions, its heredoc terminals made linear (:func:`_grammar`).

    Building it from the grammar takes about a second, so it is built once and kept in computefit's
    cache folder (:mod:`computefit.usercache`), pickled whole: loading that takes 7 ms, where lark's
    own cache (``cache=True``) rebuilds the parse table and the lexers from its serialised form
    (25 ms)."""
    grammar = _grammar()
    if grammar is None:
        from hcl2.parser import parser  # an unexpected layout: python-hcl2's own function

        return parser()
    from .. import usercache

    name = _cache_name(grammar)
    cached = usercache.read(name)
    if cached is not None:
        parser = _loads(cached, grammar)
        if parser is not None:
            return parser
    from lark import Lark

    parser = Lark(grammar, **_LARK_OPTIONS)
    usercache.write(name, _dumps(parser, grammar))
    return parser


_LARK_OPTIONS = {"parser": "lalr", "propagate_positions": True}


def _python_tag() -> str:
    import sys

    return f"{sys.implementation.name}{sys.version_info[0]}.{sys.version_info[1]}"


def _cache_name(grammar: str) -> str:
    """The cache entry of the parser built from ``grammar``: named by everything it depends on
    (found without importing lark: :func:`_dist_version`)."""
    import zlib

    from .. import __version__

    crc = zlib.crc32(f"{grammar}\0{sorted(_LARK_OPTIONS.items())}".encode())
    return f"hcl-parser-{__version__}-lark{_dist_version('lark', 'lark')}-{_python_tag()}-{crc:08x}.pickle"


@functools.lru_cache(maxsize=None)
def _dist_version(module: str, dist: str) -> str:
    """The installed version of distribution ``dist`` (which provides package ``module``), without
    importing it: the ``Version:`` line of its ``.dist-info/METADATA`` next to the package (0.1 ms,
    where importing lark for its ``__version__`` takes 25 ms). Another layout (an egg, a source
    tree on the path) is named by the size and time of the package's ``__init__.py`` instead, which
    any reinstall changes; "unknown" when the package is not found at all."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return "unknown"
    package = os.path.dirname(spec.origin)
    site = os.path.dirname(package)
    prefix = dist.replace("-", "_").lower() + "-"
    try:
        names = [n for n in os.listdir(site) if n.lower().startswith(prefix) and n.endswith(".dist-info")]
    except OSError:
        names = []
    for name in names:
        try:
            with open(os.path.join(site, name, "METADATA"), encoding="utf-8") as fh:
                for line in fh:
                    if line.startswith("Version:"):
                        return line.split(":", 1)[1].strip()
                    if not line.strip():
                        break  # the end of the headers
        except OSError:
            continue
    try:
        st = os.stat(spec.origin)
    except OSError:
        return "unknown"
    return f"stat{st.st_size:x}.{st.st_mtime_ns:x}"


def _pickle_refs() -> dict[str, Any]:
    """Objects of the parser pickled by name, not by value: the ``re`` module its lexers call, and
    lark's Shift and Reduce actions, which its parser tells apart by identity."""
    from lark.parsers.lalr_analysis import Reduce, Shift

    return {"re": re, "Shift": Shift, "Reduce": Reduce}


def _dumps(parser: Any, grammar: str) -> bytes:
    import io
    import pickle

    refs = {id(obj): name for name, obj in _pickle_refs().items()}

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            return refs.get(id(obj))

    out = io.BytesIO()
    Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump((grammar, parser))
    return out.getvalue()


def _loads(data: bytes, grammar: str) -> Any:
    """The parser pickled in ``data`` for ``grammar``; None when it is not that (any failure)."""
    import io
    import pickle

    from lark import Lark

    refs = _pickle_refs()

    class Unpickler(pickle.Unpickler):
        def persistent_load(self, pid):
            return refs[pid]

    from .hcltree import gc_paused

    try:
        with gc_paused():  # thousands of objects and no cycle: the collections took 2-5 ms of 7
            kept, parser = Unpickler(io.BytesIO(data)).load()
    except Exception:  # a truncated or corrupt entry, or one from another lark: build it again
        return None
    return parser if kept == grammar and isinstance(parser, Lark) else None


def parse_hcl_text(text: str) -> Any:
    """Parse native syntax into a tree of :mod:`.hcltree` nodes (lark's tree, copied into classes
    that load without lark). Raises lark exceptions."""
    from .hcltree import from_lark, gc_paused

    if not text.endswith("\n"):
        text += "\n"
    parser = _parser()
    with gc_paused():
        return from_lark(parser.parse(text))


def syntax_error_message(exc: Exception) -> tuple[int | None, str]:
    """(line, message) for a lark parse exception."""
    line = getattr(exc, "line", None)
    if isinstance(line, int) and line < 1:
        line = None
    token = getattr(exc, "token", None)
    if token is not None:
        if getattr(token, "type", "") == "$END":
            return line, "HCL syntax error: unexpected end of file (unclosed block, bracket or string?)"
        shown = str(token).strip() or repr(str(token))
        if len(shown) > 30:
            shown = shown[:30] + "..."
        return line, f"HCL syntax error: unexpected token '{shown}'"
    char = getattr(exc, "char", None)
    if char is not None:
        return line, f"HCL syntax error: unexpected character {char!r}"
    return line, f"HCL syntax error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"


def _tree_name(node: Any) -> str | None:
    return getattr(node, "data", None)


def _identifier(node: Any) -> str:
    return str(node.children[0])


def _string_label(node: Any) -> str:
    return "".join(str(c.children[0]) for c in node.children if _tree_name(c) == "string_part"
                   and not hasattr(c.children[0], "data"))


_HEREDOC_END_TRAILING = _lazy(r"^([ \t]*[A-Za-z][A-Za-z0-9._-]*)[ \t]+$", re.M)
_LEADING_OPERATOR = _lazy(r"\n([ \t]*)(\?|\|\||&&|=>)(?=[ \t])")
_CORE_NAMESPACE = _lazy(r"(?<![\w:])core::([A-Za-z_][A-Za-z0-9_]*)(?=[ \t]*\()")


def _tolerant(text: str) -> str:
    """Rewrite forms Terraform accepts but python-hcl2's grammar does not, keeping every line where
    it is: a heredoc closing marker followed by spaces; a line that starts with ``?``, ``||``, ``&&``
    or a for expression's ``=>`` (the operator moves to the end of the previous line); and a built-in
    function called through its ``core::`` namespace (``core::upper(x)`` is ``upper(x)``, padded so
    the columns stay too)."""
    text = _HEREDOC_END_TRAILING.sub(r"\1", text)
    text = _CORE_NAMESPACE.sub(lambda m: m.group(1) + " " * len("core::"), text)
    return _LEADING_OPERATOR.sub(lambda m: f" {m.group(2)}\n{m.group(1)}{' ' * len(m.group(2))}", text)


#: An object element whose key is an expression that starts with a name and holds a call or an index,
#: e.g. ``format("%s-alb", local.name) = {`` or ``local.accounts[local.env].domain = {``. Terraform
#: accepts any expression as an object key; python-hcl2 7.x only a name, a dotted name, a string, a
#: number or a parenthesised expression, which means the same.
_EXPRESSION_KEY = _lazy(r"^([ \t]*)([A-Za-z_][^=\n#]*?)([ \t]*)=(?![=>])")

#: How many expression keys one file may have parenthesised for it (each costs a parse).
MAX_KEY_RETRIES = 20


def _parenthesise_key(text: str, exc: Exception) -> str | None:
    """``text`` with the object key the parser stopped in wrapped in parentheses, or None.

    Only the key on the line and column of the parse error is rewritten, so nothing else (a heredoc
    holding ``a[0]=1``, say) is touched, and every line stays where it was."""
    line, column = getattr(exc, "line", None), getattr(exc, "column", None)
    if not isinstance(line, int) or not isinstance(column, int) or line < 1:
        return None
    lines = text.split("\n")
    if line > len(lines):
        return None
    m = _EXPRESSION_KEY.match(lines[line - 1])
    if m is None:
        return None
    key = m.group(2)
    if not (m.start(2) < column - 1 < m.end(2)) or not ("(" in key or "[" in key):
        return None
    if key.count("(") != key.count(")") or key.count("[") != key.count("]") or key.count('"') % 2:
        return None
    lines[line - 1] = f"{m.group(1)}({key}){m.group(3)}={lines[line - 1][m.end():]}"
    return "\n".join(lines)


def _is_lark_error(exc: Exception) -> bool:
    return type(exc).__module__.startswith("lark")


class HclSyntaxError(Exception):
    """Native syntax the parser rejects: where, and what (:func:`syntax_error_message`)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def read_native(text: str, file: str, kind: str = "tf") -> list:
    """:func:`read_hcl` (``kind`` "tf": the file's blocks) or :func:`read_tfvars_hcl` (``kind``
    "tfvars": its attributes), through the parse cache (:mod:`.treecache`): a text read before is
    not parsed again. Raises HclSyntaxError for bad syntax, RecursionError for syntax nested too
    deeply to parse (which is not cached: it depends on the stack)."""
    from . import treecache

    kept = treecache.load(kind, text, file)
    if kept is None:
        try:
            kept = ("ok", (read_hcl if kind == "tf" else read_tfvars_hcl)(text, file))
        except RecursionError:
            raise
        except Exception as exc:
            if not _is_lark_error(exc):
                raise
            kept = ("error", *syntax_error_message(exc))
        treecache.store(kind, text, kept)
    if kept[0] == "error":
        raise HclSyntaxError(kept[1], kept[2])
    return kept[1]


def read_tfvars_hcl(text: str, file: str) -> list[Attribute]:
    """The attributes of a ``.tfvars`` file (or of ``v = <value>``), each with its line; parsed as
    written (no tolerant rewrites: Terraform's own tfvars reader takes literals only). Raises lark
    exceptions."""
    if not text.endswith("\n"):
        text += "\n"
    tree = parse_hcl_text(text)
    out = []
    for child in tree.children[0].children:
        if getattr(child, "data", None) == "attribute":
            name = str(child.children[0].children[0])
            out.append(Attribute(name, HclExpr(child.children[-1], text, file, child.meta.line), file,
                                 child.meta.line))
    return out


def read_hcl(text: str, file: str) -> list[Block]:
    """Parse a ``.tf`` file into its top-level blocks. Raises lark exceptions on bad syntax.

    A file the grammar rejects is retried after :func:`_tolerant` and after parenthesising expression
    keys (:func:`_parenthesise_key`); if it still fails, the FIRST error is raised, so a broken file is
    reported where it is broken."""
    if not text.endswith("\n"):
        text += "\n"
    first: Exception | None = None
    tolerant_tried = False
    keys_fixed = 0
    while True:
        try:
            tree = parse_hcl_text(text)
            break
        except Exception as exc:
            if not _is_lark_error(exc):
                raise
            first = first or exc
            fixed = None
            if keys_fixed < MAX_KEY_RETRIES:
                fixed = _parenthesise_key(text, exc)
                keys_fixed += fixed is not None
            if fixed is None and not tolerant_tried:
                tolerant_tried = True
                fixed = _tolerant(text)
                if fixed == text:
                    fixed = None
            if fixed is None:
                raise first from None
            text = fixed
    body = tree.children[0]
    top = _body(body, text, file)
    return [b for b in top.blocks]


def _body(body: Any, text: str, file: str, block: Block | None = None) -> Block:
    block = block or Block("<file>", [], file, 1, 1)
    for child in body.children:
        kind = _tree_name(child)
        if kind == "attribute":
            name = _identifier(child.children[0])
            expr_node = child.children[-1]
            line = child.meta.line
            block.attributes[name] = Attribute(name, HclExpr(expr_node, text, file, line), file, line)
        elif kind == "block":
            block.blocks.append(_block(child, text, file))
    return block


def _block(node: Any, text: str, file: str) -> Block:
    children = [c for c in node.children if c is not None]
    btype = _identifier(children[0])
    labels: list[str] = []
    body = None
    for c in children[1:]:
        kind = _tree_name(c)
        if kind == "identifier":
            labels.append(_identifier(c))
        elif kind == "string":
            labels.append(_string_label(c))
        elif kind == "body":
            body = c
    blk = Block(btype, labels, file, node.meta.line, node.meta.end_line)
    if body is not None:
        _body(body, text, file, blk)
    return blk


# --------------------------------------------------------------------------------------------------
# JSON syntax
# --------------------------------------------------------------------------------------------------


# Block types whose JSON form nests labels as object keys, and how many labels they take.
_JSON_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1,
                "locals": 0, "terraform": 0, "moved": 0, "import": 0, "check": 1}


def read_tf_json(text: str, file: str) -> list[Block]:
    """Read a ``.tf.json`` file into blocks. Raises JsonSyntaxError."""
    doc = read_json_value(text)
    if not isinstance(doc, dict):
        raise JsonSyntaxError(1, "a .tf.json file must hold a JSON object")
    blocks: list[Block] = []
    for btype, val in doc.items():
        if btype == "//":
            continue
        nlabels = _JSON_LABELS.get(btype, 0)
        _json_blocks(btype, [], nlabels, val, doc.lines.get(btype, 1), file, blocks)
    return blocks


def _json_blocks(btype: str, labels: list[str], remaining: int, val: Any, line: int, file: str,
                 out: list[Block]) -> None:
    if remaining > 0:
        items = val if isinstance(val, list) else [val]
        for item in items:
            if not isinstance(item, dict):
                continue
            for key, sub in item.items():
                _json_blocks(btype, labels + [key], remaining - 1, sub, item.lines.get(key, line), file, out)
        return
    items = val if isinstance(val, list) else [val]
    for item in items:
        if isinstance(item, dict):
            out.append(_json_body(btype, labels, item, line, file))


# Nested blocks that Terraform JSON writes as objects; everything else is an attribute. JSON syntax is
# schema-dependent, so we list the nested block types our model reads.
JSON_NESTED_BLOCKS = frozenset({
    "snap_start", "ephemeral_storage", "launch_template", "mixed_instances_policy",
    "launch_template_specification", "override", "target", "lambda_function", "lambda_config",
    "default_cache_behavior", "ordered_cache_behavior", "lambda_function_association",
    "image_config", "vpc_config", "environment", "lambda_function_associations", "dynamic",
    "root_block_device", "ebs_block_device", "instances_distribution", "flexible_time_window",
    "tag", "image_uri", "tracing_config", "dead_letter_config",
})


def _json_body(btype: str, labels: list[str], obj: Any, line: int, file: str) -> Block:
    blk = Block(btype, labels, file, line, getattr(obj, "end_line", line))
    for key, val in obj.items():
        kline = obj.lines.get(key, line)
        if key == "//":
            continue
        if btype == "locals" or btype == "variable" or btype in ("output",) :
            blk.attributes[key] = Attribute(key, JsonExpr(val, file, kline), file, kline)
            continue
        if key in JSON_NESTED_BLOCKS and (isinstance(val, dict) or (
                isinstance(val, list) and val and all(isinstance(v, dict) for v in val))):
            for item in (val if isinstance(val, list) else [val]):
                blk.blocks.append(_json_body(key, [], item, getattr(item, "line", kline), file))
            continue
        blk.attributes[key] = Attribute(key, JsonExpr(val, file, kline), file, kline)
    return blk


#: Size limits for a Terraform file. The HCL parser needs about 12 s and 200 MB per MB of native
#: syntax (measured: a 2 MB .tf took 24 s and 430 MB), and the largest .tf of the shared corpus
#: (65 repositories) is 157 KB; JSON is read about 100x faster.
MAX_HCL_BYTES = 1024 * 1024
MAX_JSON_BYTES = 10 * 1024 * 1024


def oversized(path: str) -> FileError | None:
    """An error for a Terraform (or tfvars) file too large to parse in reasonable time, else None."""
    limit = MAX_JSON_BYTES if path.endswith(".json") else MAX_HCL_BYTES
    try:
        size = os.path.getsize(path)
    except OSError:
        return None  # reading it reports the problem
    if size <= limit:
        return None
    return FileError(path, 1, f"file is {size / 1048576:.1f} MB, over the {limit // 1048576} MB "
                              "limit for a Terraform file; not scanned")


def read_file(path: str) -> tuple[list[Block], FileError | None]:
    """Read one Terraform file. A file that cannot be read or parsed returns an error, never raises."""
    too_big = oversized(path)
    if too_big is not None:
        return [], too_big
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return [], FileError(path, None, f"cannot read file: {exc.strerror or exc}")
    if b"\x00" in data[:8192]:
        return [], FileError(path, 1, "binary file (contains NUL bytes), not Terraform")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return [], FileError(path, line, "file is not valid UTF-8")
    text = text.replace("\r\n", "\n")
    if path.endswith(".json"):
        try:
            return read_tf_json(text, path), None
        except JsonSyntaxError as exc:
            return [], FileError(path, exc.line, exc.message)
        except RecursionError:
            return [], FileError(path, None, "JSON is nested too deeply to read")
    try:
        return read_native(text, path), None
    except RecursionError:
        return [], FileError(path, None, "HCL is nested too deeply to read")
    except HclSyntaxError as exc:
        return [], FileError(path, exc.line, exc.message)
