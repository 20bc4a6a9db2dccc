"""Static evaluation of Terraform expressions, best effort and never guessing.

What can be known before ``terraform plan`` is computed: literals, variables (defaults, tfvars, module
inputs), locals, string templates and heredocs, conditionals with a known condition, arguments of
other resources, and the common built-in functions. Everything else (``data`` sources, attributes AWS
computes at apply time, ``count.index``) is :class:`Unknown` with a reason.

References to other resources evaluate to :class:`Ref` so that the model builder can link a trigger to
the function it invokes; a ``Ref`` also carries the referenced argument's value when that is known.
An unknown value interpolated into a string leaves a visible placeholder (``${var.db_host}``) and the
result is a :class:`Partial` string.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ..model import (
    ORIGIN_LITERAL,
    ORIGIN_LOCAL,
    ORIGIN_MODULE_INPUT,
    ORIGIN_TFVARS,
    ORIGIN_VARIABLE_DEFAULT,
    Location,
    Unknown,
)
from .syntax import HclExpr, JsonExpr, parse_hcl_text

MAX_TEMPLATE_BYTES = 1024 * 1024


class EvalError(Exception):
    """A static evaluation failure; turned into Unknown(reason) at the attribute boundary."""


class Partial(str):
    """A string with unresolved parts left as ``${...}`` placeholders."""

    unresolved: tuple[str, ...] = ()


def make_partial(text: str, unresolved: list[str]) -> str:
    if not unresolved:
        return text
    p = Partial(text)
    p.unresolved = tuple(unresolved)
    return p


class BoundExpr:
    """An expression evaluated with extra names bound: the content of a ``dynamic`` block sees
    its iterator (``snap_start.value``)."""

    __slots__ = ("expr", "env", "file", "line")

    def __init__(self, expr: Any, env: dict[str, Any]) -> None:
        self.expr = expr
        self.env = env
        self.file = getattr(expr, "file", "")
        self.line = getattr(expr, "line", 0)

    def source(self, node: Any = None) -> str:
        return self.expr.source(node) if hasattr(self.expr, "source") else ""


class Placeholder(Unknown):
    """An unknown template variable that remembers the caller's expression, so that a rendered
    template shows ``${var.db_host}`` rather than the template's own name for it."""

    __slots__ = ("text",)

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(reason)
        self.text = text


class EncodedUnknown(Unknown):
    """base64encode() of a partly unknown string: unknown as base64, but the decoded text (with its
    ``${...}`` placeholders) is kept so that user data stays readable."""

    __slots__ = ("decoded",)

    def __init__(self, reason: str, decoded: str) -> None:
        super().__init__(reason)
        self.decoded = decoded


class Ref:
    """A reference to another resource (or a registry module's output), e.g. ``aws_lambda_function.f.arn``.

    ``scope`` is the module instance the address belongs to; :attr:`full_address` carries the
    ``module.x.`` prefix. ``value`` is the referenced argument's value when it is an argument we can
    evaluate, else Unknown."""

    __slots__ = ("scope", "address", "path", "_value")

    def __init__(self, scope: Any, address: str, path: tuple = ()) -> None:
        self.scope = scope
        self.address = address
        self.path = path
        self._value: Any = _UNSET

    @property
    def full_address(self) -> str:
        return self.scope.prefix + self.address

    @property
    def attr(self) -> str | None:
        return self.path[0] if self.path else None

    @property
    def value(self) -> Any:
        if self._value is _UNSET:
            self._value = self.scope.resolve_ref_value(self)
        return self._value

    def text(self) -> str:
        return ".".join((self.address,) + tuple(str(p) for p in self.path))

    def extend(self, name: str) -> "Ref":
        return Ref(self.scope, self.address, self.path + (name,))

    def __repr__(self) -> str:
        return f"Ref({self.full_address}{'.' + '.'.join(self.path) if self.path else ''})"


_UNSET = object()


def plain(value: Any) -> Any:
    """The value behind a Ref (its argument's value, or Unknown)."""
    seen = 0
    while isinstance(value, Ref) and seen < 20:
        value = value.value
        seen += 1
    return value


def known(value: Any) -> bool:
    return not isinstance(plain(value), Unknown)


# --------------------------------------------------------------------------------------------------
# Provenance: which variable / local / module input supplied a value
# --------------------------------------------------------------------------------------------------


@dataclass
class Source:
    origin: str
    location: Location | None
    note: str
    children: list["Source"] = field(default_factory=list)
    value: Any = None  # the value this variable / local evaluated to

    def key(self) -> tuple:
        return (self.origin, self.location, self.note)


class Trace:
    """Records the variables/locals read while evaluating one expression, as a tree."""

    def __init__(self) -> None:
        self.root = Source(ORIGIN_LITERAL, None, "")
        self.stack = [self.root]

    def add(self, src: Source) -> None:
        self.stack[-1].children.append(src)

    def push(self, src: Source) -> None:
        self.add(src)
        self.stack.append(src)

    def pop(self) -> None:
        if len(self.stack) > 1:
            self.stack.pop()

    def supplier(self, value: Any) -> tuple[Source | None, list[Source]]:
        """The source that supplied ``value`` unchanged (followed down through locals and module
        inputs to the line a user edits), or None and the sources it was computed from (a value
        computed from a variable, such as a conditional on var.env, is set where it is written)."""
        node = self.root
        picked: Source | None = None
        while True:
            distinct = _distinct(node.children)
            if len(distinct) != 1 or not _passes(distinct[0].value, value):
                if picked is None:
                    return None, distinct
                return picked, []
            picked = distinct[0]
            node = picked


def _passes(a: Any, b: Any) -> bool:
    a, b = plain(a), plain(b)
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return isinstance(a, Unknown) and isinstance(b, Unknown)
    try:
        return type(a) is type(b) and a == b or (
            isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool)
            and not isinstance(b, bool) and a == b)
    except Exception:
        return False


def _distinct(sources: list[Source]) -> list[Source]:
    out: dict[tuple, Source] = {}
    for s in sources:
        if s.key() not in out:
            out[s.key()] = s
        else:
            out[s.key()].children.extend(c for c in s.children if c not in out[s.key()].children)
    return list(out.values())


# --------------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------------

_BIN_PREC = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4,
             "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


def _unescape(text: str) -> str:
    def sub(m: re.Match) -> str:
        e = m.group(1)
        if e[0] in "uU":
            return chr(int(e[1:], 16))
        return _ESCAPES.get(e, "\\" + e)

    return _ESCAPE_RE.sub(sub, text) if "\\" in text else text


class Evaluator:
    """Evaluates expressions within one module instance (:class:`Scope`, defined by the builder).

    ``scope`` must provide: ``prefix``, ``lookup_var(name, ev)``, ``lookup_local(name, ev)``,
    ``lookup_module(name, output, ev)``, ``has_resource(type, name)``, ``resolve_ref_value(ref)``,
    ``path_module``, ``path_root``, ``root_dir`` (files outside it are not read), ``notes``.
    """

    def __init__(self, scope: Any, trace: Trace | None = None, unknown_in_documents: bool = False) -> None:
        self.scope = scope
        self.trace = trace or Trace()
        #: jsonencode() keeps an unknown value as a ``${?}`` placeholder (a partly known document)
        #: instead of making the whole text unknown: for documents whose known parts a check reads
        self.unknown_in_documents = unknown_in_documents
        self.env: list[dict[str, Any]] = []  # for-expression / dynamic block bindings
        self.depth = 0

    # ---- entry points ---------------------------------------------------------------------------

    def eval(self, expr: Any) -> Any:
        """Evaluate an HclExpr / JsonExpr; never raises for bad input."""
        if isinstance(expr, BoundExpr):
            self.env.append(expr.env)
            try:
                return self.eval(expr.expr)
            finally:
                self.env.pop()
        try:
            if isinstance(expr, HclExpr):
                return self._hcl(expr.tree, expr)
            if isinstance(expr, JsonExpr):
                return self._json(expr.value, expr)
            return expr
        except EvalError as exc:
            return Unknown(str(exc))
        except RecursionError:
            return Unknown("expression nested too deeply to evaluate")
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError,
                OverflowError) as exc:
            return Unknown(f"could not evaluate: {type(exc).__name__}: {exc}")

    # ---- JSON syntax ----------------------------------------------------------------------------

    def _json(self, value: Any, ctx: JsonExpr) -> Any:
        if isinstance(value, str):
            return self.template(value, ctx)
        if isinstance(value, list):
            return [self._json(v, ctx) for v in value]
        if isinstance(value, dict):
            return {k: self._json(v, ctx) for k, v in value.items()}
        return value

    # ---- templates (strings, heredocs, JSON strings, templatefile) ------------------------------

    def template(self, text: str, ctx: Any, env: dict | None = None) -> Any:
        """Render a template string: ``${expr}`` interpolations and ``%{...}`` directives.

        A template that is exactly one interpolation returns the value itself (not a string), as
        Terraform does. Directives are left as written (the result is Partial)."""
        if "${" not in text and "%{" not in text:
            return text.replace("$${", "${").replace("%%{", "%{")
        if env is not None:
            self.env.append(env)
        try:
            return self._template(text, ctx)
        finally:
            if env is not None:
                self.env.pop()

    def _template(self, text: str, ctx: Any) -> Any:
        segments = _template_segments(text)
        if len(segments) == 1 and segments[0][0] == "expr":
            return self._template_expr(segments[0][1], ctx)
        nodes, _ = _template_tree(segments, 0, ())
        out: list[str] = []
        unresolved: list[str] = []
        self._render(nodes, ctx, out, unresolved)
        return make_partial("".join(out), unresolved)

    def _render(self, nodes: list, ctx: Any, out: list[str], unresolved: list[str]) -> None:
        for node in nodes:
            kind = node[0]
            if kind == "lit":
                out.append(node[1])
            elif kind == "expr":
                val = self._template_expr(node[1], ctx)
                s, missing = self.stringify(val, node[1].strip())
                out.append(s)
                unresolved.extend(missing)
            elif kind == "if":
                _, cond_src, then_nodes, else_nodes = node
                cond = plain(self._template_expr(cond_src, ctx))
                if isinstance(cond, Unknown):
                    # keep both branches visible, as written
                    out.append("%{ if " + cond_src.strip() + " }")
                    self._render(then_nodes, ctx, out, unresolved)
                    if else_nodes:
                        out.append("%{ else }")
                        self._render(else_nodes, ctx, out, unresolved)
                    out.append("%{ endif }")
                    unresolved.append("%{ if " + cond_src.strip() + " }")
                    continue
                self._render(then_nodes if _truth(cond) else else_nodes, ctx, out, unresolved)
            elif kind == "for":
                _, names, coll_src, body = node
                coll = plain(self._template_expr(coll_src, ctx))
                if isinstance(coll, Unknown) or not isinstance(coll, (list, dict)):
                    out.append("%{ for " + ", ".join(names) + " in " + coll_src.strip() + " }")
                    self.env.append({n: Unknown(f"loop variable {n}") for n in names})
                    try:
                        self._render(body, ctx, out, unresolved)
                    finally:
                        self.env.pop()
                    out.append("%{ endfor }")
                    unresolved.append("%{ for ... in " + coll_src.strip() + " }")
                    continue
                pairs = list(coll.items()) if isinstance(coll, dict) else list(enumerate(coll))
                for k, v in pairs[:1000]:
                    self.env.append({names[0]: v} if len(names) == 1 else {names[0]: k, names[1]: v})
                    try:
                        self._render(body, ctx, out, unresolved)
                    finally:
                        self.env.pop()
            else:  # an unmatched or unknown directive: left as written
                out.append("%{" + node[1] + "}")
                unresolved.append("%{" + node[1].strip() + "}")

    def _template_expr(self, source: str, ctx: Any) -> Any:
        src = source.strip().lstrip("~").rstrip("~").strip()
        text = f"x = {src}\n"
        tree = _TEMPLATE_CACHE.get(text)
        if tree is None:
            try:
                tree = parse_hcl_text(text)
            except Exception:
                return Unknown(f"could not parse the template expression ${{{src}}}")
            if len(_TEMPLATE_CACHE) < 4096:
                _TEMPLATE_CACHE[text] = tree
        attr = tree.children[0].children[0]
        expr = HclExpr(attr.children[-1], text, getattr(ctx, "file", ""), getattr(ctx, "line", 0))
        return self._hcl(expr.tree, expr)

    def stringify(self, val: Any, source: str) -> tuple[str, list[str]]:
        """Text for interpolation; unknown values become a ``${source}`` placeholder."""
        if isinstance(val, Ref):
            inner = plain(val)
            if isinstance(inner, Unknown) or isinstance(inner, (list, dict)):
                return "${" + source + "}", [source]
            val = inner
        if isinstance(val, Placeholder):
            return "${" + val.text + "}", [val.text]
        if isinstance(val, Unknown):
            return "${" + source + "}", [source]
        if isinstance(val, Partial):
            return str(val), list(val.unresolved)
        if isinstance(val, bool):
            return ("true" if val else "false"), []
        if isinstance(val, float) and val.is_integer():
            return str(int(val)), []
        if val is None:
            return "", []
        if isinstance(val, (list, dict)):
            return "${" + source + "}", [source]
        return str(val), []

    # ---- native syntax --------------------------------------------------------------------------

    def _hcl(self, node: Any, ctx: HclExpr) -> Any:
        self.depth += 1
        if self.depth > 200:
            self.depth -= 1
            raise EvalError("expression nested too deeply")
        try:
            return self._node(node, ctx)
        finally:
            self.depth -= 1

    def _node(self, node: Any, ctx: HclExpr) -> Any:
        kind = getattr(node, "data", None)
        if kind is None:  # a bare token
            return str(node)
        ch = [c for c in node.children if c is not None]
        if kind == "expr_term":
            trees = [c for c in ch if hasattr(c, "data") and c.data != "new_line_or_comment"]
            if len(trees) == 1:
                return self._hcl(trees[0], ctx)
            raise EvalError(f"unsupported expression {ctx.source(node)!r}")
        if kind == "int_lit":
            return int("".join(str(c) for c in ch))
        if kind == "float_lit":
            return float("".join(str(c) for c in ch))
        if kind == "string":
            return self._string(ch, ctx)
        if kind == "identifier":
            return self._identifier(str(ch[0]), ctx, node)
        if kind in ("heredoc_template", "heredoc_template_trim"):
            return self._heredoc(str(ch[0]), kind == "heredoc_template_trim", ctx)
        if kind == "tuple":
            return [self._hcl(c, ctx) for c in ch if hasattr(c, "data") and c.data != "new_line_or_comment"]
        if kind == "object":
            return self._object(ch, ctx)
        if kind in ("get_attr_expr_term", "index_expr_term", "attr_splat_expr_term", "full_splat_expr_term"):
            return self._traversal(node, ctx)
        if kind == "function_call":
            return self._call(ch, ctx, node)
        if kind == "provider_function_call":
            return Unknown(f"provider function {ctx.source(node)} is not evaluated")
        if kind == "conditional":
            trees = [c for c in ch if hasattr(c, "data") and c.data != "new_line_or_comment"]
            return self._conditional(trees[0], trees[1], trees[2], ctx)
        if kind == "binary_op":
            return self._binary(node, ctx)
        if kind == "unary_op":
            op = str(ch[0])
            val = plain(self._hcl(ch[1], ctx))
            if isinstance(val, Unknown):
                return val
            if op == "!":
                return not _truth(val)
            return -_num(val)
        if kind in ("for_tuple_expr", "for_object_expr"):
            return self._for(node, ch, ctx)
        raise EvalError(f"unsupported expression {ctx.source(node)!r}")

    def _string(self, parts: list, ctx: HclExpr) -> Any:
        segs: list[Any] = []
        for p in parts:
            if getattr(p, "data", None) != "string_part":
                continue
            inner = p.children[0]
            if getattr(inner, "data", None) == "interpolation":
                segs.append(("expr", inner))
            else:
                tok = str(inner)
                if getattr(inner, "type", "") == "ESCAPED_INTERPOLATION":
                    segs.append(("lit", tok[1:]))
                else:
                    segs.append(("lit", _unescape(tok).replace("%%{", "%{")))
        if len(segs) == 1 and segs[0][0] == "expr":
            e = [c for c in segs[0][1].children if c is not None][0]
            return self._hcl(e, ctx)
        if any(kind == "lit" and "%{" in seg for kind, seg in segs):
            # template directives (%{ if }, %{ for }): render through the template engine
            text = "".join(seg.replace("${", "$${") if kind == "lit" else
                           "${" + ctx.source([c for c in seg.children if c is not None][0]) + "}"
                           for kind, seg in segs)
            return self.template(text, ctx)
        out: list[str] = []
        unresolved: list[str] = []
        for kind, seg in segs:
            if kind == "lit":
                out.append(seg)
                continue
            e = [c for c in seg.children if c is not None][0]
            val = self._hcl(e, ctx)
            s, missing = self.stringify(val, ctx.source(e))
            out.append(s)
            unresolved.extend(missing)
        text = "".join(out)
        if "%{" in text:
            unresolved.append("%{...} directive")
        return make_partial(text, unresolved)

    def _heredoc(self, token: str, trim: bool, ctx: HclExpr) -> Any:
        lines = token.split("\n")
        # first line is <<EOF / <<-EOF; the last non-empty line is the closing marker
        body = lines[1:]
        while body and body[-1] == "":
            body.pop()
        if body:
            body.pop()  # closing marker
        if trim:
            indents = [len(ln) - len(ln.lstrip(" \t")) for ln in body if ln.strip()]
            cut = min(indents) if indents else 0
            body = [ln[cut:] for ln in body]
        text = "\n".join(body) + ("\n" if body else "")
        return self.template(text, ctx)

    def _object(self, ch: list, ctx: HclExpr) -> Any:
        out: dict[str, Any] = {}
        for elem in ch:
            if getattr(elem, "data", None) != "object_elem":
                continue
            parts = [c for c in elem.children if c is not None]
            key_node = parts[0]
            value_node = parts[-1]
            key_inner = key_node.children[0]
            kd = getattr(key_inner, "data", None)
            if kd == "identifier":
                key = str(key_inner.children[0])
            elif kd == "object_elem_key_dot_accessor":
                key = ".".join(str(i.children[0]) for i in key_inner.children if hasattr(i, "data"))
            elif kd == "object_elem_key_expression":
                k = plain(self._hcl([c for c in key_inner.children if hasattr(c, "data")][0], ctx))
                if isinstance(k, Unknown):
                    return Unknown(f"object key {ctx.source(key_inner)} is unknown")
                key = _tostring(k)
            else:
                k = plain(self._hcl(key_inner, ctx))
                if isinstance(k, Unknown):
                    return Unknown(f"object key {ctx.source(key_inner)} is unknown")
                key = _tostring(k)
            out[key] = self._hcl(value_node, ctx)
        return out

    def _conditional(self, cond_node: Any, a: Any, b: Any, ctx: HclExpr) -> Any:
        cond = plain(self._hcl(cond_node, ctx))
        if isinstance(cond, Unknown):
            va, vb = plain(self._hcl(a, ctx)), plain(self._hcl(b, ctx))
            if not isinstance(va, Unknown) and _same(va, vb):
                return va
            return Unknown(f"depends on the condition {ctx.source(cond_node)} ({cond.reason})")
        return self._hcl(a if _truth(cond) else b, ctx)

    # binary operators: the grammar does not encode precedence, so flatten the chain and re-apply it
    def _binary(self, node: Any, ctx: HclExpr) -> Any:
        operands: list[Any] = []
        ops: list[str] = []
        cond_tail = None

        def flatten(n: Any) -> None:
            nonlocal cond_tail
            ch = [c for c in n.children if c is not None and getattr(c, "data", None) != "new_line_or_comment"]
            left, term = ch[0], ch[1]
            _push(left)
            tch = [c for c in term.children if c is not None and getattr(c, "data", None) != "new_line_or_comment"]
            ops.append(str(tch[0].children[0]))
            right = tch[1]
            _push(right)

        def _push(n: Any) -> None:
            nonlocal cond_tail
            d = getattr(n, "data", None)
            if d == "binary_op":
                flatten(n)
            elif d == "conditional" and cond_tail is None and operands and ops:
                # `a == b ? x : y` is parsed as `a == (b ? x : y)`: the condition absorbs the chain
                trees = [c for c in n.children if c is not None and getattr(c, "data", None) != "new_line_or_comment"]
                _push(trees[0])
                cond_tail = (trees[1], trees[2])
            else:
                operands.append(n)

        flatten(node)
        value = self._climb(operands, ops, ctx)
        if cond_tail is not None:
            cond = plain(value)
            if isinstance(cond, Unknown):
                va, vb = plain(self._hcl(cond_tail[0], ctx)), plain(self._hcl(cond_tail[1], ctx))
                if not isinstance(va, Unknown) and _same(va, vb):
                    return va
                return Unknown(f"depends on the condition in {ctx.source(node)} ({cond.reason})")
            return self._hcl(cond_tail[0] if _truth(cond) else cond_tail[1], ctx)
        return value

    def _climb(self, operands: list, ops: list[str], ctx: HclExpr) -> Any:
        values = [None] * len(operands)

        def val(i: int) -> Any:
            if values[i] is None:
                values[i] = ("v", self._hcl(operands[i], ctx))
            return values[i][1]

        # shunting-yard over indices
        out: list[Any] = []
        stack: list[str] = []

        def reduce() -> None:
            op = stack.pop()
            r = out.pop()
            l_ = out.pop()
            out.append(("op", op, l_, r))

        out.append(("i", 0))
        for k, op in enumerate(ops):
            while stack and _BIN_PREC.get(stack[-1], 0) >= _BIN_PREC.get(op, 0):
                reduce()
            stack.append(op)
            out.append(("i", k + 1))
        while stack:
            reduce()

        def run(t: Any) -> Any:
            if t[0] == "i":
                return val(t[1])
            return _binop(t[1], run(t[2]), run(t[3]))

        return run(out[0])

    # ---- references -----------------------------------------------------------------------------

    def _identifier(self, name: str, ctx: HclExpr, node: Any) -> Any:
        for env in reversed(self.env):
            if name in env:
                return env[name]
        if name == "true":
            return True
        if name == "false":
            return False
        if name == "null":
            return None
        return self._resolve([name], [], ctx, node)

    def _traversal(self, node: Any, ctx: HclExpr) -> Any:
        steps: list[tuple[str, Any]] = []
        cur = node
        while True:
            d = getattr(cur, "data", None)
            if d == "expr_term":
                trees = [c for c in cur.children if c is not None and hasattr(c, "data")]
                if len(trees) == 1 and trees[0].data in ("get_attr_expr_term", "index_expr_term",
                                                          "attr_splat_expr_term", "full_splat_expr_term",
                                                          "identifier"):
                    cur = trees[0]
                    continue
                break
            if d == "get_attr_expr_term":
                steps.append(("attr", _identifier_text(cur.children[1].children[0])))
                cur = cur.children[0]
            elif d == "index_expr_term":
                idx = cur.children[1]
                steps.append(("index", idx))
                cur = cur.children[0]
            elif d in ("attr_splat_expr_term", "full_splat_expr_term"):
                steps.append(("splat", cur.children[1]))
                cur = cur.children[0]
            else:
                break
        steps.reverse()
        if getattr(cur, "data", None) == "identifier":
            name = str(cur.children[0])
            for env in reversed(self.env):
                if name in env:
                    return self._apply(env[name], steps, ctx)
            if name in ("true", "false", "null"):
                base = {"true": True, "false": False, "null": None}[name]
                return self._apply(base, steps, ctx)
            return self._resolve_steps(name, steps, ctx, node)
        base = self._hcl(cur, ctx)
        return self._apply(base, steps, ctx)

    def _resolve_steps(self, root: str, steps: list, ctx: HclExpr, node: Any) -> Any:
        names: list[str] = []
        rest = list(steps)
        # collect leading attribute names (indexes on resources are count/for_each instances)
        while rest and rest[0][0] == "attr":
            names.append(rest.pop(0)[1])
        return self._resolve([root] + names, rest, ctx, node)

    def _resolve(self, names: list[str], rest: list, ctx: HclExpr, node: Any) -> Any:
        root = names[0]
        scope = self.scope
        src = ctx.source(node)
        if root in ("var", "local"):
            if len(names) < 2:
                raise EvalError(f"bare '{root}' reference")
            node_ = self.trace.stack[-1]
            before = len(node_.children)
            lookup = scope.lookup_var if root == "var" else scope.lookup_local
            val = lookup(names[1], self)
            steps = [("attr", n) for n in names[2:]] + rest
            result = self._apply(val, steps, ctx)
            if steps and len(node_.children) == before + 1 and not isinstance(plain(result), Unknown):
                # an attribute of an object variable: this source supplied exactly this part of it
                src = node_.children[-1]
                node_.children[-1] = Source(src.origin, src.location, f"{src.note}, {src_text_of(names, rest, ctx)}",
                                            src.children, result)
            return result
        if root == "path":
            if len(names) >= 2 and names[1] == "module":
                return scope.path_module
            if len(names) >= 2 and names[1] == "root":
                return scope.path_root
            if len(names) >= 2 and names[1] == "cwd":
                return scope.path_root
            return Unknown(f"{src} is not known statically")
        if root == "module":
            if len(names) < 2:
                raise EvalError("bare 'module' reference")
            if len(names) == 2 and rest:
                # module.x[0].output (module with count/for_each)
                rest = list(rest)
                while rest and rest[0][0] != "attr":
                    rest.pop(0)
                if rest:
                    names = names + [rest.pop(0)[1]]
            if len(names) < 3:
                return Unknown(f"{src}: whole-module references are not evaluated")
            val = scope.lookup_module(names[1], names[2], self)
            return self._apply(val, [("attr", n) for n in names[3:]] + rest, ctx)
        if root == "count":
            return Unknown("count.index is known only per instance")
        if root == "each":
            return Unknown(f"{'.'.join(names)} is known only per instance")
        if root == "data":
            return Unknown(f"data source {'.'.join(names[:3])} is read at plan time")
        if root == "terraform":
            return Unknown("terraform.workspace is known only at plan time")
        if root == "self":
            return Unknown("self references are known only at apply time")
        if len(names) >= 2 and scope.has_resource(root, names[1]):
            ref = Ref(scope, f"{root}.{names[1]}", tuple(names[2:]))
            return self._apply(ref, rest, ctx)
        if len(names) >= 2:
            return Unknown(f"{root}.{names[1]} is not defined in this module")
        return Unknown(f"unknown name {root!r}")

    def _apply(self, base: Any, steps: list, ctx: HclExpr) -> Any:
        cur = base
        for kind, arg in steps:
            if isinstance(cur, Unknown):
                return cur
            if kind == "attr":
                if isinstance(cur, Ref):
                    cur = cur.extend(arg)
                elif isinstance(cur, dict):
                    if arg not in cur:
                        raise EvalError(f"object has no attribute {arg!r} (optional() defaults of "
                                        "variable types are not evaluated)")
                    cur = cur[arg]
                elif cur is None:
                    raise EvalError(f"attribute {arg!r} of null")
                elif isinstance(cur, list):
                    raise EvalError(f"attribute {arg!r} of a list")
                else:
                    raise EvalError(f"attribute {arg!r} of a {type(cur).__name__}")
            elif kind == "index":
                if isinstance(cur, Ref):
                    continue  # an instance of a counted resource: same resource
                trees = [c for c in arg.children if c is not None and hasattr(c, "data")
                         and c.data != "new_line_or_comment"]
                if trees:
                    key = plain(self._hcl(trees[0], ctx))
                else:  # legacy .0 index
                    key = int("".join(str(c) for c in arg.children if c is not None))
                if isinstance(key, Unknown):
                    return Unknown(f"index is unknown ({key.reason})")
                cur = _index(cur, key)
            elif kind == "splat":
                if isinstance(cur, Ref):
                    for sub in arg.children:
                        if getattr(sub, "data", None) == "get_attr":
                            cur = cur.extend(_identifier_text(sub.children[0]))
                    continue
                items = cur if isinstance(cur, list) else ([] if cur is None else [cur])
                subs = [("attr", _identifier_text(s.children[0])) if getattr(s, "data", None) == "get_attr"
                        else ("index", s) for s in arg.children if hasattr(s, "data")]
                cur = [self._apply(it, subs, ctx) for it in items]
        return cur

    # ---- for expressions ------------------------------------------------------------------------

    def _for(self, node: Any, ch: list, ctx: HclExpr) -> Any:
        trees = [c for c in ch if hasattr(c, "data") and c.data != "new_line_or_comment"]
        intro = trees[0]
        idents = [str(c.children[0]) for c in intro.children if getattr(c, "data", None) == "identifier"]
        coll_node = [c for c in intro.children if hasattr(c, "data") and c.data not in
                     ("identifier", "new_line_or_comment")][0]
        coll = plain(self._hcl(coll_node, ctx))
        if isinstance(coll, Unknown):
            return Unknown(f"for expression over an unknown collection ({coll.reason})")
        cond = trees[-1] if trees[-1].data == "for_cond" else None
        body = [t for t in trees[1:] if t.data != "for_cond"]
        grouping = any(str(c) == "..." for c in ch if not hasattr(c, "data"))
        if isinstance(coll, dict):
            pairs = list(coll.items())
        elif isinstance(coll, (list, tuple)):
            pairs = list(enumerate(coll))
        else:
            raise EvalError("for expression over a non-collection")
        is_obj = node.data == "for_object_expr"
        out_list: list[Any] = []
        out_obj: dict[str, Any] = {}
        for k, v in pairs:
            env = {idents[0]: v} if len(idents) == 1 else {idents[0]: k, idents[1]: v}
            self.env.append(env)
            try:
                if cond is not None:
                    cexpr = [c for c in cond.children if hasattr(c, "data") and c.data != "new_line_or_comment"][0]
                    c = plain(self._hcl(cexpr, ctx))
                    if isinstance(c, Unknown):
                        return Unknown(f"for expression filter is unknown ({c.reason})")
                    if not _truth(c):
                        continue
                if is_obj:
                    key = plain(self._hcl(body[0], ctx))
                    if isinstance(key, Unknown):
                        return Unknown(f"for expression key is unknown ({key.reason})")
                    val = self._hcl(body[1], ctx)
                    if grouping:
                        out_obj.setdefault(_tostring(key), []).append(val)
                    else:
                        out_obj[_tostring(key)] = val
                else:
                    out_list.append(self._hcl(body[0], ctx))
            finally:
                self.env.pop()
        return out_obj if is_obj else out_list

    # ---- function calls -------------------------------------------------------------------------

    def _call(self, ch: list, ctx: HclExpr, node: Any) -> Any:
        name = str(ch[0].children[0])
        arg_nodes: list[Any] = []
        expand = False
        for c in ch[1:]:
            if getattr(c, "data", None) == "arguments":
                for a in c.children:
                    if a is None:
                        continue
                    if hasattr(a, "data"):
                        if a.data != "new_line_or_comment":
                            arg_nodes.append(a)
                    elif str(a) == "...":
                        expand = True
        if name in ("try", "can"):
            return self._try(name, arg_nodes, ctx)
        fn = FUNCTIONS.get(name)
        if fn is None:
            return Unknown(f"function {name}() is not evaluated statically")
        args = [self._hcl(a, ctx) for a in arg_nodes]
        if name == "templatefile" and len(args) > 1 and isinstance(args[1], dict):
            args[1] = self._with_placeholders(args[1], arg_nodes[1], ctx)
        if expand and args:
            last = plain(args[-1])
            if isinstance(last, Unknown):
                return last
            args = args[:-1] + list(last if not isinstance(last, dict) else last.values())
        if name not in _REF_AWARE:
            args = [plain(a) for a in args]
        if name not in _UNKNOWN_AWARE:
            for a in args:
                if isinstance(plain(a), Unknown) and (name not in _REF_AWARE or not isinstance(a, Ref)):
                    return plain(a)
        try:
            return fn(self, args, ctx)
        except EvalError:
            raise
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError,
                OverflowError, json.JSONDecodeError) as exc:
            raise EvalError(f"{name}() failed: {exc}") from None

    def _with_placeholders(self, values: dict, node: Any, ctx: HclExpr) -> dict:
        """Unknown values of a literal templatefile() variables object keep their source text."""
        while getattr(node, "data", None) == "expr_term" and len(
                [c for c in node.children if hasattr(c, "data")]) == 1:
            node = [c for c in node.children if hasattr(c, "data")][0]
        if getattr(node, "data", None) != "object":
            return values
        out = dict(values)
        for elem in node.children:
            if getattr(elem, "data", None) != "object_elem":
                continue
            parts = [c for c in elem.children if c is not None]
            key_inner = parts[0].children[0]
            if getattr(key_inner, "data", None) == "identifier":
                key = str(key_inner.children[0])
            elif getattr(key_inner, "data", None) == "string":
                key = _string_text(key_inner)
            else:
                continue
            v = out.get(key)
            if isinstance(plain(v), Unknown) and not isinstance(plain(v), Placeholder):
                text = ctx.source(parts[-1]).strip()
                if text and "\n" not in text and len(text) < 120:
                    out[key] = Placeholder(plain(v).reason, text)
        return out

    def _try(self, name: str, arg_nodes: list, ctx: HclExpr) -> Any:
        last: Any = Unknown(f"{name}() had no argument that could be evaluated")
        for a in arg_nodes:
            try:
                v = self._hcl(a, ctx)
            except (EvalError, TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
                if name == "can":
                    return False
                last = Unknown(str(exc))
                continue
            if name == "can":
                return Unknown("can() of an unknown value") if isinstance(plain(v), Unknown) else True
            if isinstance(plain(v), Unknown) and not isinstance(v, Ref):
                return v  # Terraform: try() of an unknown value is unknown, it does not fall through
            return v
        return last

    # ---- files ----------------------------------------------------------------------------------

    def read_file(self, path: Any, what: str) -> str | Unknown:
        if not isinstance(path, str) or isinstance(path, Partial):
            return Unknown(f"{what}: path {path} is not known statically")
        full = os.path.normpath(path if os.path.isabs(path) else os.path.join(self.scope.path_root_abs, path))
        root = self.scope.root_dir
        if not (full == root or full.startswith(root.rstrip(os.sep) + os.sep)):
            note = f"{what}: file {path} is outside the scanned folder, not read"
            self.scope.notes.append(note)
            return Unknown(note)
        if not os.path.isfile(full):
            note = f"file {path} not found"
            self.scope.notes.append(note)
            return Unknown(note)
        try:
            if os.path.getsize(full) > MAX_TEMPLATE_BYTES:
                note = f"file {path} is over 1 MB, not read"
                self.scope.notes.append(note)
                return Unknown(note)
            with open(full, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            note = f"file {path} could not be read: {exc.strerror or exc}"
            self.scope.notes.append(note)
            return Unknown(note)
        return data  # type: ignore[return-value]


def src_text_of(names: list[str], rest: list, ctx: Any) -> str:
    text = ".".join(names)
    if rest:
        text += "[...]"
    return text


def _string_text(node: Any) -> str:
    return "".join(str(c.children[0]) for c in node.children
                   if getattr(c, "data", None) == "string_part" and not hasattr(c.children[0], "data"))


def _identifier_text(node: Any) -> str:
    if hasattr(node, "children"):
        return str(node.children[0])
    return str(node)


_TEMPLATE_CACHE: dict[str, Any] = {}
_FOR_RE = re.compile(r"^for\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\s+(.+)$", re.S)


def _template_segments(text: str) -> list[tuple[str, str]]:
    """Split a template into ("lit", text), ("expr", source) and ("dir", source) segments,
    applying the ``~`` whitespace strip markers."""
    segments: list[list] = []
    buf: list[str] = []
    i, n = 0, len(text)
    strip_next = False
    while i < n:
        if text.startswith("$${", i) or text.startswith("%%{", i):
            buf.append(text[i + 1:i + 3])
            i += 3
            continue
        if text.startswith("${", i) or text.startswith("%{", i):
            end = _match_brace(text, i + 2)
            if end < 0:
                buf.append(text[i:])
                break
            lit = "".join(buf)
            buf = []
            inner = text[i + 2:end]
            if strip_next:
                lit = lit.lstrip()
            if inner.startswith("~"):
                lit = lit.rstrip()
            if lit:
                segments.append(["lit", lit])
            strip_next = inner.rstrip().endswith("~")
            body = inner.strip()
            body = body[1:] if body.startswith("~") else body
            body = body[:-1] if body.endswith("~") else body
            segments.append(["expr" if text[i] == "$" else "dir", body])
            i = end + 1
            continue
        buf.append(text[i])
        i += 1
    lit = "".join(buf)
    if strip_next:
        lit = lit.lstrip()
    if lit:
        segments.append(["lit", lit])
    return [tuple(s) for s in segments]  # type: ignore[misc]


def _template_tree(segments: list, i: int, stop: tuple[str, ...]) -> tuple[list, int]:
    """Nest if/else/endif and for/endfor directives. Returns (nodes, index after the stop word)."""
    nodes: list = []
    while i < len(segments):
        kind, src = segments[i]
        if kind != "dir":
            nodes.append((kind, src))
            i += 1
            continue
        word = src.strip()
        head = word.split(None, 1)[0] if word else ""
        if head in stop:
            return nodes, i
        if head == "if":
            then_nodes, j = _template_tree(segments, i + 1, ("else", "endif"))
            else_nodes: list = []
            if j < len(segments) and segments[j][1].strip().split(None, 1)[0] == "else":
                else_nodes, j = _template_tree(segments, j + 1, ("endif",))
            nodes.append(("if", word[2:], then_nodes, else_nodes))
            i = j + 1
            continue
        m = _FOR_RE.match(word)
        if m:
            body, j = _template_tree(segments, i + 1, ("endfor",))
            names = [m.group(1)] + ([m.group(2)] if m.group(2) else [])
            nodes.append(("for", names, m.group(3), body))
            i = j + 1
            continue
        nodes.append(("dir", src))
        i += 1
    return nodes, i


def _match_brace(text: str, start: int) -> int:
    """Index of the '}' closing a template interpolation that starts at ``start`` (after '${')."""
    depth = 1
    i = start
    n = len(text)
    quote = False
    while i < n:
        c = text[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                quote = False
        elif c == '"':
            quote = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


# --------------------------------------------------------------------------------------------------
# Operators and conversions
# --------------------------------------------------------------------------------------------------


def _truth(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        if v == "true":
            return True
        if v == "false":
            return False
        raise EvalError(f"{v!r} is not a bool")
    if v is None:
        raise EvalError("null condition")
    raise EvalError(f"{type(v).__name__} is not a bool")


def _num(v: Any) -> int | float:
    if isinstance(v, bool):
        raise EvalError("a bool is not a number")
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str) and not isinstance(v, Partial):
        try:
            f = float(v)
        except ValueError:
            raise EvalError(f"{v!r} is not a number") from None
        return int(f) if f.is_integer() and "." not in v and "e" not in v.lower() else f
    raise EvalError(f"{type(v).__name__} is not a number")


def _norm_num(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return False
    try:
        return a == b and type(a) is type(b)
    except Exception:
        return False


def _binop(op: str, a: Any, b: Any) -> Any:
    a, b = plain(a), plain(b)
    if op in ("&&", "||"):
        if not isinstance(a, Unknown):
            ta = _truth(a)
            if op == "&&" and not ta:
                return False
            if op == "||" and ta:
                return True
            if isinstance(b, Unknown):
                return b
            return _truth(b)
        if not isinstance(b, Unknown):
            tb = _truth(b)
            if op == "&&" and not tb:
                return False
            if op == "||" and tb:
                return True
        return a
    if isinstance(a, Unknown):
        return a
    if isinstance(b, Unknown):
        return b
    if op == "==":
        if isinstance(a, Partial) or isinstance(b, Partial):
            return Unknown("comparison with a partly unknown string")
        return _eq(a, b)
    if op == "!=":
        if isinstance(a, Partial) or isinstance(b, Partial):
            return Unknown("comparison with a partly unknown string")
        return not _eq(a, b)
    x, y = _num(a), _num(b)
    if op == "+":
        return _norm_num(x + y)
    if op == "-":
        return _norm_num(x - y)
    if op == "*":
        return _norm_num(x * y)
    if op == "/":
        if y == 0:
            raise EvalError("division by zero")
        return _norm_num(x / y)
    if op == "%":
        return _norm_num(x % y)
    if op == "<":
        return x < y
    if op == ">":
        return x > y
    if op == "<=":
        return x <= y
    if op == ">=":
        return x >= y
    raise EvalError(f"operator {op}")


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def _index(coll: Any, key: Any) -> Any:
    if isinstance(coll, list):
        i = int(_num(key))
        if not 0 <= i < len(coll):
            raise EvalError(f"index {i} out of range")
        return coll[i]
    if isinstance(coll, dict):
        k = _tostring(key)
        if k not in coll:
            raise EvalError(f"no key {k!r}")
        return coll[k]
    if coll is None:
        raise EvalError("index of null")
    raise EvalError(f"cannot index a {type(coll).__name__}")


def _tostring(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (int, float, str)):
        return str(v)
    if v is None:
        raise EvalError("null is not a string")
    raise EvalError(f"a {type(v).__name__} is not a string")


# --------------------------------------------------------------------------------------------------
# Built-in functions
# --------------------------------------------------------------------------------------------------


def _fn_file(ev: Evaluator, args: list, ctx: Any) -> Any:
    data = ev.read_file(args[0], "file()")
    if isinstance(data, Unknown):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise EvalError(f"file {args[0]} is not UTF-8 text") from None


def _fn_filebase64(ev: Evaluator, args: list, ctx: Any) -> Any:
    data = ev.read_file(args[0], "filebase64()")
    if isinstance(data, Unknown):
        return data
    return base64.b64encode(data).decode("ascii")


def _fn_templatefile(ev: Evaluator, args: list, ctx: Any) -> Any:
    data = ev.read_file(args[0], "templatefile()")
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


def _fn_fileexists(ev: Evaluator, args: list, ctx: Any) -> Any:
    p = args[0]
    if not isinstance(p, str) or isinstance(p, Partial):
        return Unknown("fileexists() of an unknown path")
    full = os.path.normpath(p if os.path.isabs(p) else os.path.join(ev.scope.path_root_abs, p))
    return os.path.isfile(full)


def _fn_b64encode(ev, args, ctx):
    s = args[0]
    if isinstance(s, Partial):
        return EncodedUnknown(f"base64encode() of a partly unknown string ({', '.join(s.unresolved)})", s)
    return base64.b64encode(_tostring(s).encode("utf-8")).decode("ascii")


def _fn_b64decode(ev, args, ctx):
    s = args[0]
    if isinstance(s, Partial):
        return Unknown("base64decode() of a partly unknown string")
    return base64.b64decode(_tostring(s), validate=False).decode("utf-8", errors="replace")


def _jsonable(v: Any, keep_unknown: bool = False) -> Any:
    v = v if not isinstance(v, Ref) else (plain(v) if not isinstance(plain(v), Unknown) else "${" + v.text() + "}")
    if isinstance(v, Unknown):
        if keep_unknown:
            return "${?}"
        raise EvalError(f"jsonencode() of an unknown value ({v.reason})")
    if isinstance(v, dict):
        return {k: _jsonable(x, keep_unknown) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x, keep_unknown) for x in v]
    if isinstance(v, Partial):
        return str(v)
    return v


def _fn_jsonencode(ev, args, ctx):
    v = args[0]
    try:
        out = json.dumps(_jsonable(v, ev.unknown_in_documents), separators=(",", ":"))
    except EvalError as exc:
        return Unknown(str(exc))
    refs = [r.text() for r in _refs_in(v)] + (["?"] if ev.unknown_in_documents and '"${?}"' in out else [])
    return make_partial(out, refs) if refs else out


def _refs_in(v: Any) -> list[Ref]:
    if isinstance(v, Ref):
        return [v] if isinstance(plain(v), Unknown) else []
    if isinstance(v, dict):
        return [r for x in v.values() for r in _refs_in(x)]
    if isinstance(v, list):
        return [r for x in v for r in _refs_in(x)]
    return []


def _fn_jsondecode(ev, args, ctx):
    s = args[0]
    if isinstance(s, Partial):
        return Unknown("jsondecode() of a partly unknown string")
    return json.loads(_tostring(s))


_FMT_RE = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def _fn_format(ev, args, ctx):
    fmt = args[0]
    if isinstance(fmt, Partial):
        return Unknown("format() with a partly unknown format")
    fmt = _tostring(fmt)
    vals = args[1:]
    pos = 0
    unresolved: list[str] = []

    def sub(m: re.Match) -> str:
        nonlocal pos
        verb = m.group(5)
        if verb == "%":
            return "%"
        if m.group(1):
            pos = int(m.group(1)) - 1
        if pos >= len(vals):
            raise EvalError("format(): not enough arguments")
        v = vals[pos]
        pos += 1
        if isinstance(v, Partial):
            unresolved.extend(v.unresolved)
        if verb in ("s", "v"):
            if isinstance(v, (list, dict)):
                return json.dumps(v)
            return _tostring(v)
        if verb == "q":
            return json.dumps(_tostring(v))
        if verb == "d":
            width = m.group(3)
            s = str(int(_num(v)))
            return s.rjust(int(width), "0" if "0" in m.group(2) else " ") if width else s
        if verb in ("f", "e", "g"):
            prec = m.group(4)
            return format(float(_num(v)), f".{prec}{verb}" if prec else verb)
        if verb == "t":
            return "true" if _truth(v) else "false"
        return _tostring(v)

    out = _FMT_RE.sub(sub, fmt)
    return make_partial(out, unresolved)


def _list(v: Any) -> list:
    if isinstance(v, list):
        return v
    if isinstance(v, (set, tuple)):
        return list(v)
    if v is None:
        raise EvalError("null is not a list")
    raise EvalError(f"a {type(v).__name__} is not a list")


def _fn_join(ev, args, ctx):
    sep = _tostring(args[0])
    items: list[str] = []
    unresolved: list[str] = []
    for lst in args[1:]:
        for x in _list(lst):
            x = plain(x)
            if isinstance(x, Unknown):
                return Unknown(f"join() of a list with an unknown element ({x.reason})")
            if isinstance(x, Partial):
                unresolved.extend(x.unresolved)
            items.append(_tostring(x))
    return make_partial(sep.join(items), unresolved)


def _fn_split(ev, args, ctx):
    if isinstance(args[1], Partial):
        return Unknown("split() of a partly unknown string")
    sep, s = _tostring(args[0]), _tostring(args[1])
    return [] if s == "" else s.split(sep)


def _fn_lookup(ev, args, ctx):
    m = args[0]
    if not isinstance(m, dict):
        raise EvalError("lookup() needs a map")
    key = _tostring(args[1])
    if key in m:
        return m[key]
    if len(args) > 2:
        return args[2]
    raise EvalError(f"lookup(): no key {key!r}")


def _fn_merge(ev, args, ctx):
    out: dict = {}
    for a in args:
        if a is None:
            continue
        if not isinstance(a, dict):
            raise EvalError("merge() needs maps")
        out.update(a)
    return out


def _fn_coalesce(ev, args, ctx):
    for a in args:
        if isinstance(a, Unknown):
            return Unknown(f"coalesce() reached an unknown value ({a.reason})")
        if a is not None and a != "":
            return a
    raise EvalError("coalesce(): no non-null argument")


def _fn_coalescelist(ev, args, ctx):
    for a in args:
        if isinstance(a, list) and a:
            return a
    return []


def _fn_tonumber(ev, args, ctx):
    v = args[0]
    if v is None:
        return None
    return _num(v)


def _fn_tostring(ev, args, ctx):
    return None if args[0] is None else (args[0] if isinstance(args[0], Partial) else _tostring(args[0]))


def _fn_tobool(ev, args, ctx):
    return None if args[0] is None else _truth(args[0])


def _str_fn(f: Callable[[str], str]) -> Callable:
    def fn(ev, args, ctx):
        s = args[0]
        if isinstance(s, Partial):
            return make_partial(f(str(s)), list(s.unresolved))
        return f(_tostring(s))

    return fn


def _fn_replace(ev, args, ctx):
    s, old, new = args[0], _tostring(args[1]), _tostring(args[2])
    if isinstance(s, Partial):
        return Unknown("replace() on a partly unknown string")
    s = _tostring(s)
    if len(old) >= 2 and old.startswith("/") and old.endswith("/"):
        pattern = old[1:-1]
        repl = re.sub(r"\$\{?(\w+)\}?", lambda m: "\\g<" + m.group(1) + ">", new)
        return re.sub(pattern, repl, s)
    return s.replace(old, new)


def _fn_indent(ev, args, ctx):
    n, s = int(_num(args[0])), args[1]
    text = str(s)
    out = text.replace("\n", "\n" + " " * n)
    return make_partial(out, list(s.unresolved)) if isinstance(s, Partial) else out


def _fn_element(ev, args, ctx):
    lst = _list(args[0])
    if not lst:
        raise EvalError("element() of an empty list")
    return lst[int(_num(args[1])) % len(lst)]


def _fn_length(ev, args, ctx):
    v = args[0]
    if isinstance(v, Partial):
        return Unknown("length() of a partly unknown string")
    if isinstance(v, (list, dict, str)):
        return len(v)
    raise EvalError("length() of a non-collection")


def _fn_contains(ev, args, ctx):
    lst, v = _list(args[0]), args[1]
    if any(isinstance(plain(x), Unknown) for x in lst):
        return Unknown("contains() on a list with unknown elements")
    return any(_eq(plain(x), v) for x in lst)


def _fn_concat(ev, args, ctx):
    out: list = []
    for a in args:
        out.extend(_list(a))
    return out


def _fn_toset(ev, args, ctx):
    out: list = []
    for x in _list(args[0]):
        if not any(_same(x, y) for y in out):
            out.append(x)
    return out


def _fn_flatten(ev, args, ctx):
    def flat(v: Any) -> list:
        out: list = []
        for x in v:
            if isinstance(x, list):
                out.extend(flat(x))
            else:
                out.append(x)
        return out

    return flat(_list(args[0]))


def _fn_keys(ev, args, ctx):
    if not isinstance(args[0], dict):
        raise EvalError("keys() needs a map")
    return sorted(args[0].keys())


def _fn_values(ev, args, ctx):
    if not isinstance(args[0], dict):
        raise EvalError("values() needs a map")
    return [args[0][k] for k in sorted(args[0])]


def _fn_substr(ev, args, ctx):
    s, off, ln = _tostring(args[0]), int(_num(args[1])), int(_num(args[2]))
    if off < 0:
        off = len(s) + off
    return s[off:] if ln < 0 else s[off:off + ln]


def _fn_zipmap(ev, args, ctx):
    return {_tostring(k): v for k, v in zip(_list(args[0]), _list(args[1]))}


def _fn_one(ev, args, ctx):
    lst = _list(args[0])
    if len(lst) > 1:
        raise EvalError("one() of a list with more than one element")
    return lst[0] if lst else None


def _fn_range(ev, args, ctx):
    nums = [int(_num(a)) for a in args]
    if len(nums) == 1:
        r = range(nums[0])
    elif len(nums) == 2:
        r = range(nums[0], nums[1])
    else:
        r = range(nums[0], nums[1], nums[2])
    if len(r) > 1024:
        raise EvalError("range() too large")
    return list(r)


def _fn_hash(algo: str) -> Callable:
    def fn(ev, args, ctx):
        import hashlib

        if isinstance(args[0], Partial):
            return Unknown(f"{algo}() of a partly unknown string")
        return hashlib.new(algo, _tostring(args[0]).encode()).hexdigest()

    return fn


def _fn_minmax(f: Callable) -> Callable:
    def fn(ev, args, ctx):
        if not args:
            raise EvalError("needs at least one number")
        return f(_num(a) for a in args)

    return fn


def _fn_trim(ev, args, ctx):
    return _tostring(args[0]).strip(_tostring(args[1]))


def _fn_trimprefix(ev, args, ctx):
    s, p = _tostring(args[0]), _tostring(args[1])
    return s[len(p):] if p and s.startswith(p) else s


def _fn_trimsuffix(ev, args, ctx):
    s, p = _tostring(args[0]), _tostring(args[1])
    return s[:-len(p)] if p and s.endswith(p) else s


def _fn_tomap(ev, args, ctx):
    if not isinstance(args[0], dict):
        raise EvalError("tomap() needs an object")
    return dict(args[0])


def _fn_compact(ev, args, ctx):
    return [x for x in _list(args[0]) if x is not None and x != ""]


def _fn_distinct(ev, args, ctx):
    return _fn_toset(ev, args, ctx)


def _fn_slice(ev, args, ctx):
    return _list(args[0])[int(_num(args[1])):int(_num(args[2]))]


def _fn_reverse(ev, args, ctx):
    return list(reversed(_list(args[0])))


def _fn_sort(ev, args, ctx):
    return sorted(_tostring(x) for x in _list(args[0]))


def _fn_sum(ev, args, ctx):
    return _norm_num(sum(_num(x) for x in _list(args[0])))


def _fn_startswith(ev, args, ctx):
    return _tostring(args[0]).startswith(_tostring(args[1]))


def _fn_endswith(ev, args, ctx):
    return _tostring(args[0]).endswith(_tostring(args[1]))


def _fn_regex(ev, args, ctx):
    m = re.search(_tostring(args[0]), _tostring(args[1]))
    if not m:
        raise EvalError("regex() did not match")
    if m.groupdict():
        return m.groupdict()
    if m.groups():
        return list(m.groups())
    return m.group(0)


def _fn_basename(ev, args, ctx):
    return os.path.basename(_tostring(args[0]))


def _fn_dirname(ev, args, ctx):
    return os.path.dirname(_tostring(args[0]))


def _fn_formatlist(ev, args, ctx):
    lists = [a for a in args[1:] if isinstance(a, list)]
    n = len(lists[0]) if lists else 1
    return [_fn_format(ev, [args[0]] + [a[i] if isinstance(a, list) else a for a in args[1:]], ctx)
            for i in range(n)]


def _fn_title(ev, args, ctx):
    return re.sub(r"\b(\w)", lambda m: m.group(1).upper(), _tostring(args[0]))


def _fn_yamlencode(ev, args, ctx):
    import yaml

    try:
        return yaml.safe_dump(_jsonable(args[0]), sort_keys=False)
    except EvalError as exc:
        return Unknown(str(exc))


def _fn_unknown(what: str) -> Callable:
    def fn(ev, args, ctx):
        return Unknown(f"{what} is known only at apply time")

    return fn


FUNCTIONS: dict[str, Callable] = {
    "file": _fn_file, "filebase64": _fn_filebase64, "templatefile": _fn_templatefile,
    "fileexists": _fn_fileexists,
    "base64encode": _fn_b64encode, "base64decode": _fn_b64decode,
    "jsonencode": _fn_jsonencode, "jsondecode": _fn_jsondecode, "yamlencode": _fn_yamlencode,
    "format": _fn_format, "formatlist": _fn_formatlist, "join": _fn_join, "split": _fn_split,
    "lookup": _fn_lookup, "merge": _fn_merge, "coalesce": _fn_coalesce,
    "coalescelist": _fn_coalescelist,
    "tostring": _fn_tostring, "tonumber": _fn_tonumber, "tobool": _fn_tobool,
    "lower": _str_fn(str.lower), "upper": _str_fn(str.upper), "title": _fn_title,
    "trimspace": _str_fn(str.strip), "chomp": _str_fn(lambda s: re.sub(r"[\r\n]+$", "", s)),
    "replace": _fn_replace, "trim": _fn_trim, "trimprefix": _fn_trimprefix,
    "trimsuffix": _fn_trimsuffix, "indent": _fn_indent,
    "concat": _fn_concat, "element": _fn_element, "length": _fn_length, "contains": _fn_contains,
    "min": _fn_minmax(min), "max": _fn_minmax(max),
    "tolist": lambda ev, a, c: _list(a[0]), "toset": _fn_toset, "tomap": _fn_tomap,
    "keys": _fn_keys, "values": _fn_values, "flatten": _fn_flatten, "compact": _fn_compact,
    "distinct": _fn_distinct, "slice": _fn_slice, "reverse": _fn_reverse, "sort": _fn_sort,
    "sum": _fn_sum, "substr": _fn_substr, "zipmap": _fn_zipmap, "one": _fn_one, "range": _fn_range,
    "startswith": _fn_startswith, "endswith": _fn_endswith, "regex": _fn_regex,
    "abs": lambda ev, a, c: abs(_num(a[0])), "ceil": lambda ev, a, c: math.ceil(_num(a[0])),
    "floor": lambda ev, a, c: math.floor(_num(a[0])),
    "md5": _fn_hash("md5"), "sha1": _fn_hash("sha1"), "sha256": _fn_hash("sha256"),
    "basename": _fn_basename, "dirname": _fn_dirname,
    "timestamp": _fn_unknown("timestamp()"), "uuid": _fn_unknown("uuid()"),
}
_REF_AWARE = frozenset({"jsonencode", "yamlencode", "merge", "concat", "tolist", "toset", "tomap",
                        "element", "lookup", "coalesce", "flatten", "compact", "one", "values",
                        "slice", "reverse", "zipmap", "distinct"})
_UNKNOWN_AWARE = frozenset({"coalesce", "jsonencode", "yamlencode"})


# --------------------------------------------------------------------------------------------------
# Variables: where a value came from
# --------------------------------------------------------------------------------------------------


@dataclass
class VarValue:
    """A variable's value and the source that supplied it."""

    value: Any
    source: Source


def var_source(name: str, origin: str, location: Location | None, detail: str = "") -> Source:
    if origin == ORIGIN_TFVARS:
        note = f"variable {name} set in {location}" if location else f"variable {name} (tfvars)"
    elif origin == ORIGIN_VARIABLE_DEFAULT:  # shown after "Terraform variable default: "
        note = f"variable {name}" + (f" at {location}" if location else "")
    elif origin == ORIGIN_MODULE_INPUT:  # shown after "module input: "
        note = name + (f" at {location}" if location else "") + (f" ({detail})" if detail else "")
    elif origin == ORIGIN_LOCAL:
        note = f"local.{name}" + (f" at {location}" if location else "")
    else:
        note = name
    return Source(origin, location, note)
