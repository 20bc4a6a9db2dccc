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
import binascii
import json
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable

from ..lazyre import LazyPattern as _lazy
from ..model import (
    ORIGIN_LITERAL,
    ORIGIN_LOCAL,
    ORIGIN_MODULE_INPUT,
    ORIGIN_TFVARS,
    ORIGIN_VARIABLE_DEFAULT,
    Location,
    Unknown,
)
from . import budgets
from .budgets import Budget, ModuleTimeout, OverBudget
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

    __slots__ = ("scope", "address", "path", "_value", "key")

    def __init__(self, scope: Any, address: str, path: tuple = (), key: Any = None) -> None:
        self.scope = scope
        self.address = address
        self.path = path
        self._value: Any = _UNSET
        #: the instance key written after the address (``aws_lambda_function.fn["b"]``), when known
        self.key = key

    @property
    def full_address(self) -> str:
        """The address with its module prefix and, when one was written and is known, the
        instance key: the target of the edge this reference makes."""
        if self.key is None:
            return self.scope.prefix + self.address
        key = int(self.key) if isinstance(self.key, float) and self.key.is_integer() else self.key
        return f"{self.scope.prefix}{self.address}[{json.dumps(key)}]"

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
        return Ref(self.scope, self.address, self.path + (name,), self.key)

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
_ESCAPE_RE = _lazy(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


def _unescape(text: str) -> str:
    def sub(m: re.Match) -> str:
        e = m.group(1)
        if e[0] in "uU":
            code = int(e[1:], 16)
            # a surrogate half or a code point past U+10FFFF is not a character: U+FFFD, as Go
            return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return _ESCAPES.get(e, "\\" + e)

    return _ESCAPE_RE.sub(sub, text) if "\\" in text else text


class Evaluator:
    """Evaluates expressions within one module instance (:class:`Scope`, defined by the builder).

    ``scope`` must provide: ``prefix``, ``lookup_var(name, ev)``, ``lookup_local(name, ev)``,
    ``lookup_module(name, output, ev, key)``, ``has_resource(type, name)``, ``resolve_ref_value(ref)``,
    ``path_module``, ``path_root``, ``root_dir`` (files outside it are not read), ``notes``.
    """

    def __init__(self, scope: Any, trace: Trace | None = None, unknown_in_documents: bool = False) -> None:
        self.scope = scope
        self.trace = trace or Trace()
        #: jsonencode() keeps an unknown value as a ``${?}`` placeholder (a partly known document)
        #: instead of making the whole text unknown: for documents whose known parts a check reads
        self.unknown_in_documents = unknown_in_documents
        self.env: list[dict[str, Any]] = []  # for-expression / dynamic block bindings
        #: the budgets of the module load (shared by every evaluator of it), see budgets.py
        self.budget: Budget = getattr(scope, "budget", None) or Budget()

    # ---- entry points ---------------------------------------------------------------------------

    def eval(self, expr: Any) -> Any:
        """Evaluate an HclExpr / JsonExpr; never raises for bad input. Past a budget the value
        is Unknown with a note naming it; past the module's CPU-time budget ModuleTimeout (a
        ParseError) is raised, which makes the module an error entry."""
        if isinstance(expr, BoundExpr):
            self.env.append(expr.env)
            try:
                return self.eval(expr.expr)
            finally:
                self.env.pop()
        self.budget.enter()
        try:
            if isinstance(expr, HclExpr):
                return self._hcl(expr.tree, expr)
            if isinstance(expr, JsonExpr):
                return self._json(expr.value, expr)
            return expr
        except ModuleTimeout:
            raise
        except OverBudget as exc:
            return Unknown(exc.note)
        except EvalError as exc:
            return Unknown(str(exc))
        except RecursionError:
            return Unknown("expression nested too deeply to evaluate")
        except Exception as exc:  # bad input never becomes a traceback: the value is unknown
            return Unknown(f"could not evaluate: {type(exc).__name__}: {exc}")
        finally:
            self.budget.leave()

    # ---- JSON syntax ----------------------------------------------------------------------------

    def _json(self, value: Any, ctx: JsonExpr) -> Any:
        if isinstance(value, str):
            return self.template(_valid_text(value), ctx)
        if isinstance(value, list):
            self.budget.step(len(value))
            return [self._json(v, ctx) for v in value]
        if isinstance(value, dict):
            self.budget.step(len(value))
            return {_valid_text(k): self._json(v, ctx) for k, v in value.items()}
        return _number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

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
        """Render ``text``; the expressions parsed for it are kept in the cache folder by the
        template's text (:func:`_kept_template_parses`), so that rendering it again in another run
        needs no parser."""
        _kept_template_parses(text)
        mark = len(_TEMPLATE_FRESH)
        try:
            result = self._render_template(text, ctx)
            if len(_TEMPLATE_FRESH) > mark:
                _keep_template_parses(text, _TEMPLATE_FRESH[mark:])
            return result
        finally:
            del _TEMPLATE_FRESH[mark:]

    def _render_template(self, text: str, ctx: Any) -> Any:
        segments = _template_segments(text)
        if len(segments) == 1 and segments[0][0] == "expr":
            return self._template_expr(segments[0][1], ctx)
        nodes, _ = _template_tree(segments, 0, ())
        out = _Text(self.budget, "a template")
        unresolved: list[str] = []
        self._render(nodes, ctx, out, unresolved)
        return make_partial(out.text(), unresolved)

    def _render(self, nodes: list, ctx: Any, out: "_Text", unresolved: list[str]) -> None:
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
                for k, v in pairs:
                    self.budget.step(1, getattr(ctx, "file", ""), getattr(ctx, "line", 0))
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
            # parsing costs about 80 us, ten times a loop step: a template of 100,000 distinct
            # interpolations is stopped by MAX_STEPS instead of parsing for seconds
            self.budget.step(budgets.PARSE_STEPS, getattr(ctx, "file", ""), getattr(ctx, "line", 0))
            if text in _TEMPLATE_KEPT:  # parsed in an earlier run (None: it does not parse)
                tree = _TEMPLATE_KEPT[text]
            else:
                try:
                    tree = parse_hcl_text(text)
                except Exception as exc:
                    if type(exc).__module__.startswith("lark"):
                        _TEMPLATE_FRESH.append((text, None))
                    tree = None
                else:
                    _TEMPLATE_FRESH.append((text, tree))
            if tree is None:
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
        if isinstance(val, (int, float)):
            return _tostring(val), []
        if val is None:
            return "", []
        if isinstance(val, (list, dict)):
            return "${" + source + "}", [source]
        return str(val), []

    # ---- native syntax --------------------------------------------------------------------------

    def _hcl(self, node: Any, ctx: HclExpr) -> Any:
        budget = self.budget
        budget.tick(ctx.file, ctx.line)
        budget.depth += 1
        try:
            if budget.depth > budgets.MAX_DEPTH:
                raise OverBudget(f"expression nested deeper than {budgets.MAX_DEPTH} levels, counting "
                                 "the locals and variables it refers to (budget MAX_DEPTH)")
            return self._node(node, ctx)
        finally:
            budget.depth -= 1

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
            return _parse_number("".join(str(c) for c in ch))
        if kind == "float_lit":
            return _parse_number("".join(str(c) for c in ch))
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
            return _number(-_num(val))
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
        self.budget.chars_for(sum(len(x) for x in out), "a string template")
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
        flatten = _push = None  # noqa: F841  (two closures calling each other are a reference cycle)
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
            if t[1] in ("&&", "||"):
                # short-circuit, as Terraform does since 1.12: `false && x` is false and
                # `true || x` true whatever x is (unknown, or an error such as an attribute of null)
                left = plain(run(t[2]))
                if isinstance(left, bool) and left == (t[1] == "||"):
                    return left
                return _binop(t[1], left, run(t[3]))
            return _binop(t[1], run(t[2]), run(t[3]))

        try:
            return run(out[0])
        finally:
            # a closure that calls itself is a reference cycle, and this one holds self (the
            # evaluator and all it reads) until the cyclic collector runs: break it here
            run = None  # noqa: F841

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
            key = None
            if len(names) == 2 and rest:
                # module.x[0].output (module with count/for_each): that instance's output
                rest = list(rest)
                while rest and rest[0][0] != "attr":
                    kind, arg = rest.pop(0)
                    key = self._index_key(arg, ctx) if kind == "index" and key is None else Unknown(
                        "a splat or second index of a module")
                if rest:
                    names = names + [rest.pop(0)[1]]
            if len(names) < 3:
                return Unknown(f"{src}: whole-module references are not evaluated")
            val = scope.lookup_module(names[1], names[2], self, key)
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

    def _index_key(self, arg: Any, ctx: HclExpr) -> Any:
        """The value of an index step (``[each.key]``, legacy ``.0``)."""
        trees = [c for c in arg.children if c is not None and hasattr(c, "data")
                 and c.data != "new_line_or_comment"]
        if trees:
            return plain(self._hcl(trees[0], ctx))
        text = "".join(str(c) for c in arg.children if c is not None)
        return int(text) if text.isdigit() else Unknown(f"index {text!r} is not a number")

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
                        raise EvalError(f"object has no attribute {arg!r}")
                    cur = cur[arg]
                elif cur is None:
                    raise EvalError(f"attribute {arg!r} of null")
                elif isinstance(cur, list):
                    raise EvalError(f"attribute {arg!r} of a list")
                else:
                    raise EvalError(f"attribute {arg!r} of a {type(cur).__name__}")
            elif kind == "index":
                if isinstance(cur, Ref):
                    # an instance of a counted resource: the same resource, that instance when
                    # its key is known (the edge reaches only it when instances are split)
                    if cur.key is None and not cur.path and not cur.address.startswith("module."):
                        key = self._index_key(arg, ctx)
                        if isinstance(key, (str, int, float)) and not isinstance(key, bool):
                            cur = Ref(cur.scope, cur.address, (), key)
                    continue
                key = self._index_key(arg, ctx)
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
            self.budget.step(1, ctx.file, ctx.line)
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
        if not expand and arg_nodes and _ELLIPSIS_RE.search(ctx.source(node)):
            expand = True  # python-hcl2 drops the `...` token: it is seen in the source text
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
            if not isinstance(last, (list, dict)):
                raise EvalError(f"{name}(): the argument expanded with ... must be a list")
            args = args[:-1] + list(last if not isinstance(last, dict) else last.values())
        return self.call(name, args, ctx)

    def call(self, name: str, args: list, ctx: Any = None) -> Any:
        """Call the built-in ``name`` on evaluated arguments: a value, or Unknown with a reason, for
        any arguments (EvalError / OverBudget are turned into Unknown by :meth:`eval`)."""
        fn = FUNCTIONS.get(name)
        if fn is None:
            return Unknown(f"function {name}() is not evaluated statically")
        low, high = _ARITY.get(name, (0, None))
        if len(args) < low or (high is not None and len(args) > high):
            want = (f"{low}" if low == high else f"{low} to {high}" if high is not None else f"at least {low}")
            noun = "argument" if want in ("1", "at least 1") else "arguments"
            raise EvalError(f"{name}() takes {want} {noun}, got {len(args)}")
        if name not in _REF_AWARE:
            args = [plain(a) for a in args]
        if name not in _UNKNOWN_AWARE:
            for a in args:
                if isinstance(plain(a), Unknown) and (name not in _REF_AWARE or not isinstance(a, Ref)):
                    return plain(a)
        try:
            result = fn(self, args, ctx)
        except (EvalError, OverBudget, ModuleTimeout):
            raise
        except RecursionError:
            raise EvalError(f"{name}(): value nested too deeply") from None
        except Exception as exc:  # any other failure of a built-in on odd input: unknown, not a crash
            raise EvalError(f"{name}() failed: {_exc_text(exc)}") from None
        return _checked(result, self.budget, name)

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
        if not arg_nodes or (name == "can" and len(arg_nodes) != 1):
            raise EvalError(f"{name}() takes {'1 argument' if name == 'can' else 'at least 1 argument'}, "
                            f"got {len(arg_nodes)}")
        last: Any = Unknown(f"{name}() had no argument that could be evaluated")
        for a in arg_nodes:
            try:
                v = self._hcl(a, ctx)
            except (OverBudget, ModuleTimeout):
                raise  # a budget is not an error of the expression: the value is unknown
            except (EvalError, TypeError, ValueError, KeyError, IndexError, AttributeError,
                    ZeroDivisionError, OverflowError) as exc:
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
#: Template expressions parsed by earlier runs (read from the cache folder): text -> tree, or None
#: for one that does not parse. Kept apart from _TEMPLATE_CACHE so that the evaluation budget is
#: charged for a parse whether or not the tree came from the cache folder.
_TEMPLATE_KEPT: dict[str, Any] = {}
#: Templates whose kept parses were looked for in this process: text -> those parses.
_TEMPLATE_LOOKED: dict[str, dict] = {}
#: Template expressions this process parsed, (text, tree or None), while a template is rendered.
_TEMPLATE_FRESH: list[tuple[str, Any]] = []


def _kept_template_parses(template: str) -> None:
    """Read the parses kept for ``template`` into _TEMPLATE_KEPT, once per template a process."""
    if template in _TEMPLATE_LOOKED or len(_TEMPLATE_LOOKED) >= 4096:
        return
    from .treecache import load

    kept = load("tpl", template, "")
    parses = kept[1] if kept is not None and kept[0] == "ok" and isinstance(kept[1], dict) else {}
    _TEMPLATE_LOOKED[template] = parses
    if len(_TEMPLATE_KEPT) < 16384:
        _TEMPLATE_KEPT.update(parses)


def _keep_template_parses(template: str, fresh: list[tuple[str, Any]]) -> None:
    """Keep the expressions parsed while rendering ``template`` (with those kept before)."""
    from .treecache import store

    parses = dict(_TEMPLATE_LOOKED.get(template) or {})
    parses.update(fresh)
    if template in _TEMPLATE_LOOKED:
        _TEMPLATE_LOOKED[template] = parses
    store("tpl", template, ("ok", parses))
_ELLIPSIS_RE = _lazy(r"\.\.\.\s*\)\s*\Z")
_FOR_RE = _lazy(r"^for\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\s+(.+)$", re.S)


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
        return _number(v)
    if isinstance(v, str) and not isinstance(v, Partial):
        return _parse_number(v)  # surrounding spaces are not part of a number, as in Terraform
    if v is None:
        raise EvalError("null is not a number")
    raise EvalError(f"a {_type_name(v)} is not a number")


_NUMBER_RE = _lazy(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\Z")


def _parse_number(text: str) -> int | float:
    """A number written as ``text`` (HCL literal, tonumber() input), as Terraform reads it:
    decimal only (no NaN, Infinity, hex or underscores), within the number budget."""
    if not _NUMBER_RE.match(text):
        raise EvalError(f"{text[:40]!r} is not a number")
    mantissa = text.lstrip("-").split("e")[0].split("E")[0]
    if len(mantissa) > budgets.MAX_NUMBER_DIGITS:
        raise OverBudget(f"number of {len(mantissa):,} digits is too long to evaluate (budget MAX_NUMBER_DIGITS)")
    if "." not in text and "e" not in text and "E" not in text:
        return _number(int(text))
    f = float(text)
    if not math.isfinite(f):
        raise OverBudget(f"number {text[:40]} is beyond the range evaluated (budget MAX_NUMBER_BITS)")
    return _number(int(f) if f.is_integer() and abs(f) < 2**53 and "." not in text else f)


def _number(v: Any) -> Any:
    """``v`` when it is a number we can hold: finite, and an integer of at most MAX_NUMBER_BITS
    bits. NaN and infinities are not values (EvalError); a bigger integer is beyond the budget
    (OverBudget)."""
    if isinstance(v, float):
        if not math.isfinite(v):
            raise EvalError("the result is not a finite number (NaN, an infinity, or too large to hold)")
        return v
    if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > budgets.MAX_NUMBER_BITS:
        raise OverBudget(f"integer of {v.bit_length():,} bits is beyond budget MAX_NUMBER_BITS "
                         f"({budgets.MAX_NUMBER_BITS})")
    return v


def _norm_num(v: Any) -> Any:
    v = _number(v)
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def _type_name(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "map"
    if v is None:
        return "null"
    return type(v).__name__


def _valid_text(s: str) -> str:
    """``s`` with surrogate halves (from JSON ``\\ud800`` escapes) replaced by U+FFFD, as Go's
    decoders do: such text cannot be encoded as UTF-8 in a report."""
    return _SURROGATE_RE.sub("\ufffd", s) if _SURROGATE_RE.search(s) else s


_SURROGATE_RE = _lazy("[\ud800-\udfff]")


def _has_unknown(v: Any, limit: int = budgets.MAX_COLLECTION) -> bool:
    """True when ``v`` holds an unknown value anywhere (looked at up to ``limit`` elements)."""
    stack = [v]
    seen = 0
    while stack and seen < limit:
        x = plain(stack.pop())
        seen += 1
        if isinstance(x, Unknown):
            return True
        if isinstance(x, list):
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.values())
    return bool(stack)


def _exc_text(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(text, str):
        text = _valid_text(text)
    return text[:200] or type(exc).__name__


class _Text:
    """A string being built piece by piece, charged to the string budgets as it grows."""

    __slots__ = ("budget", "what", "parts", "size")

    def __init__(self, budget: Budget, what: str) -> None:
        self.budget = budget
        self.what = what
        self.parts: list[str] = []
        self.size = 0

    def append(self, piece: str) -> None:
        self.size += len(piece)
        if self.size > budgets.MAX_STRING:
            self.budget.chars_for(self.size, self.what)
        self.parts.append(piece)

    def text(self) -> str:
        self.budget.chars_for(self.size, self.what)
        return "".join(self.parts)


def _checked(result: Any, budget: Budget, name: str) -> Any:
    """A built-in's result, with the budgets applied to what it built: numbers finite and within
    MAX_NUMBER_BITS, strings within MAX_STRING, collections within MAX_COLLECTION."""
    if isinstance(result, (int, float)) and not isinstance(result, bool):
        return _number(result)
    if isinstance(result, str):
        if len(result) > budgets.MAX_STRING:
            budget.chars_for(len(result), f"{name}()")
        return result
    if isinstance(result, (list, dict)) and len(result) > budgets.MAX_COLLECTION:
        budget.collection(len(result), f"{name}()")
    return result


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
    if op in ("==", "!="):
        if isinstance(a, Partial) or isinstance(b, Partial):
            return Unknown("comparison with a partly unknown string")
        if _has_unknown(a) or _has_unknown(b):
            return Unknown(f"comparison ({op}) of values with unknown parts")
        return _eq(a, b) if op == "==" else not _eq(a, b)
    x, y = _num(a), _num(b)
    if op == "+":
        return _norm_num(x + y)
    if op == "-":
        return _norm_num(x - y)
    if op == "*":
        return _norm_num(x * y)  # both within MAX_NUMBER_BITS: the product is cheap, then checked
    if op == "/":
        if y == 0:
            raise EvalError("division by zero")
        return _norm_num(x / y)
    if op == "%":
        if y == 0:
            raise EvalError("modulo by zero")
        return _norm_num(math.fmod(x, y) if isinstance(x, float) or isinstance(y, float) else
                         (abs(x) % abs(y)) * (1 if x >= 0 else -1))
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
    raise EvalError(f"cannot index a {_type_name(coll)}")


def _tostring(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        v = _number(v)
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)
    if v is None:
        raise EvalError("null is not a string")
    raise EvalError(f"a {_type_name(v)} is not a string")


# --------------------------------------------------------------------------------------------------
# Built-in functions
# --------------------------------------------------------------------------------------------------


def _fn_b64encode(ev, args, ctx):
    s = args[0]
    if isinstance(s, Partial):
        return EncodedUnknown(f"base64encode() of a partly unknown string ({', '.join(s.unresolved)})", s)
    return base64.b64encode(_tostring(s).encode("utf-8")).decode("ascii")


def _fn_b64decode(ev, args, ctx):
    s = args[0]
    if isinstance(s, Partial):
        return Unknown("base64decode() of a partly unknown string")
    text = _tostring(s).replace("\r", "").replace("\n", "")  # Go's decoder skips line breaks
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise EvalError("base64decode(): the string is not valid base64") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise EvalError("base64decode(): the decoded bytes are not valid UTF-8 text") from None


def _fn_b64gzip(ev, args, ctx):
    import gzip

    s = args[0]
    if isinstance(s, Partial):
        return Unknown("base64gzip() of a partly unknown string")
    data = _utf8(_tostring(s), "base64gzip()")
    return base64.b64encode(gzip.compress(data, mtime=0)).decode("ascii")


def _utf8(s: str, what: str) -> bytes:
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError:
        raise EvalError(f"{what}: the string holds a surrogate half, not text") from None


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


def _encode_json(ev: Evaluator, value: Any, what: str) -> str:
    """JSON text of a value, built chunk by chunk within the string budgets (a list of many big
    strings would otherwise be built whole first)."""
    out = _Text(ev.budget, what)
    for chunk in json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                                  check_circular=False).iterencode(value):
        out.append(chunk)
    return out.text()


def _fn_jsonencode(ev, args, ctx):
    v = args[0]
    try:
        out = _encode_json(ev, _jsonable(v, ev.unknown_in_documents), "jsonencode()")
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


def _decoded(ev: Evaluator, v: Any, what: str) -> Any:
    """A value read by jsondecode()/yamldecode(), made a Terraform value: numbers finite and
    within budget, text valid, map keys strings; every element is charged to the budget (a YAML
    alias bomb shares objects, so walking it is what costs)."""
    budget = ev.budget

    def walk(x: Any) -> Any:
        budget.step(1)
        if isinstance(x, str):
            return _valid_text(x)
        if isinstance(x, bool) or x is None:
            return x
        if isinstance(x, (int, float)):
            return _number(x)
        if isinstance(x, list):
            return [walk(e) for e in x]
        if isinstance(x, dict):
            out = {}
            for k, e in x.items():
                if isinstance(k, bool) or k is None or not isinstance(k, (str, int, float)):
                    raise EvalError(f"{what}: a map key must be a string")
                out[_tostring(k) if not isinstance(k, str) else _valid_text(k)] = walk(e)
            return out
        if isinstance(x, bytes):
            raise EvalError(f"{what}: binary values are not supported")
        return _tostring(str(x))  # YAML dates and other scalars: their text

    return walk(v)


def _no_constant(name: str) -> Any:
    raise EvalError(f"jsondecode(): {name} is not valid JSON")


def _fn_jsondecode(ev, args, ctx):
    s = args[0]
    if isinstance(s, Partial):
        return Unknown("jsondecode() of a partly unknown string")
    text = _tostring(s)
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise EvalError(f"jsondecode(): invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except ValueError as exc:  # an integer of over 4,300 digits
        raise OverBudget(f"jsondecode(): {_exc_text(exc)} (budget MAX_NUMBER_BITS)") from None
    return _decoded(ev, value, "jsondecode()")


_YAML_LOADER: Any = None


def _yaml_loader() -> Any:
    """A PyYAML safe loader reading YAML 1.2 scalars as Terraform's yamldecode() does: only
    true/false are booleans (``yes``, ``on`` stay strings) and dates stay strings."""
    global _YAML_LOADER
    if _YAML_LOADER is None:
        import yaml

        class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
            pass

        Loader.yaml_implicit_resolvers = {
            k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
            for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()}
        Loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                                     re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
        _YAML_LOADER = Loader
    return _YAML_LOADER


def _fn_yamldecode(ev, args, ctx):
    import yaml

    s = args[0]
    if isinstance(s, Partial):
        return Unknown("yamldecode() of a partly unknown string")
    text = _tostring(s)
    if len(text) > budgets.MAX_YAML_CHARS:
        raise OverBudget(f"yamldecode() of {len(text):,} characters, over the {budgets.MAX_YAML_CHARS:,} of "
                         "budget MAX_YAML_CHARS")
    try:
        value = yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise EvalError(f"yamldecode(): invalid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    except ValueError as exc:
        raise EvalError(f"yamldecode(): {_exc_text(exc)}") from None
    return _decoded(ev, value, "yamldecode()")


_FMT_RE = _lazy(r"%(?:\[(\d+)\])?([-+# 0]*)(\d+)?(?:\.(\d*))?(.|$)", re.S)


def _go_float(x: float, verb: str, prec: int | None) -> str:
    """Go's %e, %f, %g (and %E, %G) of a number (Terraform formats a big.Float)."""
    if verb in "gG" and prec is None:
        out = _shortest_g(x)
        return out.upper() if verb == "G" else out
    spec = f".{prec}{verb}" if prec is not None else verb
    return format(x, spec)


def _shortest_g(x: float) -> str:
    """Go's %g without a precision: the shortest digits that read back as ``x``, in exponent form
    when the exponent is below -4 or at least 6."""
    from decimal import Decimal

    if x == 0:
        return "0"
    sign, digit_tuple, exp = Decimal(repr(float(x))).as_tuple()
    digits = list(digit_tuple)
    while len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exp += 1
    n = len(digits)
    e10 = exp + n - 1
    ds = "".join(map(str, digits))
    if e10 < -4 or e10 >= 6:
        mant = ds[0] + ("." + ds[1:] if n > 1 else "")
        text = f"{mant}e{'-' if e10 < 0 else '+'}{abs(e10):02d}"
    elif e10 >= n - 1:
        text = ds + "0" * (e10 - (n - 1))
    elif e10 >= 0:
        text = ds[:e10 + 1] + "." + ds[e10 + 1:]
    else:
        text = "0." + "0" * (-e10 - 1) + ds
    return ("-" if sign else "") + text


def _fn_format(ev, args, ctx):
    fmt = args[0]
    if isinstance(fmt, Partial):
        return Unknown("format() with a partly unknown format")
    fmt = _tostring(fmt)
    vals = args[1:]
    pos = 0
    unresolved: list[str] = []
    out = _Text(ev.budget, "format()")
    last = 0
    for m in _FMT_RE.finditer(fmt):
        out.append(fmt[last:m.start()])
        last = m.end()
        index, flags, width_s, prec_s, verb = m.groups()
        if verb == "%" and not (index or flags or width_s or prec_s is not None):
            out.append("%")
            continue
        if verb == "":
            raise EvalError("format(): the format ends with an incomplete verb")
        if (width_s and len(width_s) > 7) or (prec_s and len(prec_s) > 7):  # over MAX_STRING, before int()
            raise OverBudget(f"format(): width or precision {width_s or prec_s} is over budget MAX_STRING "
                             f"({budgets.MAX_STRING:,})")
        width = int(width_s) if width_s else 0
        prec = int(prec_s) if prec_s else (0 if prec_s == "" else None)
        if width > budgets.MAX_STRING or (prec or 0) > budgets.MAX_STRING:
            raise OverBudget(f"format(): width or precision {max(width, prec or 0):,} is over budget "
                             f"MAX_STRING ({budgets.MAX_STRING:,})")
        if index:
            pos = int(index) - 1
        if pos < 0 or pos >= len(vals):
            raise EvalError(f"format(): not enough arguments for %{verb}")
        v = plain(vals[pos])
        pos += 1
        if isinstance(v, Unknown):
            return Unknown(f"format() of an unknown value ({v.reason})")
        if isinstance(v, Partial):
            unresolved.extend(v.unresolved)
        numeric = False
        if verb == "v":
            if isinstance(v, (list, dict)):
                body = _encode_json(ev, _jsonable(v), "format()")
            else:
                body = "null" if v is None else _tostring(v)
        elif verb == "s":
            if isinstance(v, (list, dict)) or v is None:
                raise EvalError(f"format(): unsupported value for %s: a {_type_name(v)}, not a string")
            body = _tostring(v)
            if prec is not None:
                body = body[:prec]
        elif verb == "q":
            body = json.dumps(_tostring(v), ensure_ascii=False)
        elif verb == "t":
            if not isinstance(v, bool) and not (isinstance(v, str) and v in ("true", "false")):
                raise EvalError(f"format(): unsupported value for %t: a {_type_name(v)}, not a bool")
            body = "true" if _truth(v) else "false"
        elif verb in "dboxX":
            n = _num(v)
            if isinstance(n, float):
                if not n.is_integer():
                    raise EvalError(f"format(): unsupported value for %{verb}: {n} is not an integer")
                n = int(n)
            numeric = True
            digits = format(abs(n), {"d": "d", "b": "b", "o": "o", "x": "x", "X": "X"}[verb])
            if "#" in flags and verb in "oxX":
                digits = {"o": "0", "x": "0x", "X": "0X"}[verb] + digits
            sign = "-" if n < 0 else "+" if "+" in flags else " " if " " in flags else ""
            body = sign + digits
        elif verb in "eEfFgG":
            numeric = True
            x = float(_num(v))
            body = _go_float(x, verb if verb != "F" else "f", prec)
            if x >= 0 and "+" in flags:
                body = "+" + body
            elif x >= 0 and " " in flags:
                body = " " + body
        else:
            raise EvalError(f"format(): unsupported verb %{verb}")
        if len(body) < width:
            if "-" in flags:
                body = body.ljust(width)
            elif "0" in flags and numeric:
                sign = body[0] if body[:1] in "+- " else ""
                body = sign + body[len(sign):].rjust(width - len(sign), "0")
            else:
                body = body.rjust(width)
        out.append(body)
    out.append(fmt[last:])
    return make_partial(out.text(), unresolved)


def _list(v: Any) -> list:
    if isinstance(v, list):
        return v
    if isinstance(v, (set, tuple)):
        return list(v)
    if v is None:
        raise EvalError("null is not a list")
    raise EvalError(f"a {_type_name(v)} is not a list")


def _fn_join(ev, args, ctx):
    sep = _tostring(args[0])
    items: list[str] = []
    unresolved: list[str] = []
    size = 0
    for lst in args[1:]:
        for x in _list(lst):
            x = plain(x)
            if isinstance(x, Unknown):
                return Unknown(f"join() of a list with an unknown element ({x.reason})")
            if isinstance(x, Partial):
                unresolved.extend(x.unresolved)
            items.append(_tostring(x))
            size += len(items[-1]) + len(sep)
            if size > budgets.MAX_STRING:
                ev.budget.chars_for(size, "join()")
    ev.budget.chars_for(size, "join()")
    return make_partial(sep.join(items), unresolved)


def _fn_split(ev, args, ctx):
    if isinstance(args[1], Partial):
        return Unknown("split() of a partly unknown string")
    sep, s = _tostring(args[0]), _tostring(args[1])
    if sep == "":
        # Go's strings.Split with an empty separator: one element per character
        ev.budget.collection(len(s), "split()")
        return list(s)
    ev.budget.collection(s.count(sep) + 1, "split()")
    return s.split(sep)


def _fn_lookup(ev, args, ctx):
    m, key = plain(args[0]), plain(args[1])
    if isinstance(m, Unknown):
        return m
    if isinstance(key, Unknown):
        return Unknown(f"lookup() with an unknown key ({key.reason})")
    if not isinstance(m, dict):
        raise EvalError(f"lookup() needs a map, not a {_type_name(m)}")
    key = _tostring(key)
    if key in m:
        return m[key]
    if len(args) > 2:
        return args[2]  # the default, whether known or not
    raise EvalError(f"lookup(): no key {key!r}")


def _fn_merge(ev, args, ctx):
    out: dict = {}
    for a in args:
        if a is None:
            continue
        if not isinstance(a, dict):
            raise EvalError(f"merge() needs maps, not a {_type_name(a)}")
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
        if not isinstance(a, list):
            raise EvalError(f"coalescelist() needs lists, not a {_type_name(a)}")
        if a:
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


# ---- regular expressions: RE2, as Terraform (Go's regexp) -------------------------------------

_RE2: Any = None
_RE_CACHE: dict[str, Any] = {}


def _re2() -> Any:
    """The google-re2 binding with its options (imported on first use: a scan without regex()
    never loads it), or False when it is not installed."""
    global _RE2
    if _RE2 is None:
        try:
            import re2  # type: ignore[import-not-found]

            opts = re2.Options()
            opts.log_errors = False  # errors are reported as Unknown, not printed to stderr
            _RE2 = (re2, opts)
        except ImportError:
            _RE2 = False
    return _RE2


def _regex(pattern: Any, what: str) -> Any:
    """A compiled RE2 pattern. Terraform's regular expressions are Go's RE2 syntax with linear-time
    matching, which Python's re cannot give (a 34-character pattern backtracked for minutes, and
    ``\\pL`` or Go's named groups were errors). Without the google-re2 package the value is
    unknown, with a note."""
    if isinstance(pattern, Partial):
        raise EvalError(f"{what} with a partly unknown pattern")
    pattern = _tostring(pattern)
    compiled = _RE_CACHE.get(pattern)
    if compiled is not None:
        return compiled
    lib = _re2()
    if not lib:
        raise EvalError(f"{what} is not evaluated: the google-re2 package (Terraform's RE2 "
                        "semantics) is not installed")
    re2, opts = lib
    try:
        compiled = re2.compile(pattern, opts)
    except re2.error as exc:
        msg = exc.args[0] if exc.args else exc
        msg = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
        raise EvalError(f"{what}: invalid regular expression {pattern[:60]!r}: {msg}") from None
    if len(_RE_CACHE) < 128 and len(pattern) < 1000:  # RE2 holds up to 8 MB per compiled pattern
        _RE_CACHE[pattern] = compiled
    return compiled


def _go_matches(rx: Any, s: str, budget: Budget, what: str):
    """Successive non-overlapping matches, as Go's FindAll/ReplaceAll: an empty match right after
    the previous match is skipped."""
    prev_end = -1
    for m in rx.finditer(s):
        start, end = m.span()
        if start == end and start == prev_end:
            continue
        budget.step(1)
        prev_end = end
        yield m


def _match_value(rx: Any, m: Any) -> Any:
    """regex()'s result for one match: the match without capture groups, a list of the groups,
    or an object of named groups (unmatched groups are ""), as Terraform."""
    ngroups = rx.groups
    if ngroups == 0:
        return m.group(0)
    names = rx.groupindex
    if names:
        if len(names) != ngroups:
            raise EvalError("regex(): a pattern cannot mix named and unnamed capture groups")
        return {name: (m.group(i) or "") for name, i in names.items()}
    return [(g or "") for g in m.groups()]


def _fn_regex(ev, args, ctx):
    if isinstance(args[1], Partial):
        return Unknown("regex() of a partly unknown string")
    rx = _regex(args[0], "regex()")
    m = rx.search(_tostring(args[1]))
    if m is None:
        raise EvalError("regex(): the pattern did not match any part of the string")
    return _match_value(rx, m)


def _fn_regexall(ev, args, ctx):
    if isinstance(args[1], Partial):
        return Unknown("regexall() of a partly unknown string")
    rx = _regex(args[0], "regexall()")
    return [_match_value(rx, m) for m in _go_matches(rx, _tostring(args[1]), ev.budget, "regexall()")]


_GO_TEMPLATE_RE = _lazy(r"\$(?:(\$)|\{(\w+)\}|(\w+))")


def _go_expand(template: str, rx: Any, m: Any) -> str:
    """Go's Regexp.Expand: ``$1``, ``${1}``, ``$name``, ``${name}``; ``$$`` is a dollar; a reference
    to a group that does not exist or did not match is empty."""
    def sub(t: re.Match) -> str:
        if t.group(1):
            return "$"
        name = t.group(2) or t.group(3)
        if name.isdigit():
            i = int(name) if len(name) < 6 else -1
            return (m.group(i) or "") if 0 <= i <= rx.groups else ""
        i = rx.groupindex.get(name)
        return (m.group(i) or "") if i is not None else ""

    return _GO_TEMPLATE_RE.sub(sub, template) if "$" in template else template


def _fn_replace(ev, args, ctx):
    s, old, new = args[0], _tostring(args[1]), _tostring(args[2])
    if isinstance(s, Partial):
        return Unknown("replace() on a partly unknown string")
    s = _tostring(s)
    if len(old) >= 2 and old.startswith("/") and old.endswith("/"):
        rx = _regex(old[1:-1], "replace()")
        out = _Text(ev.budget, "replace()")
        last = 0
        for m in _go_matches(rx, s, ev.budget, "replace()"):
            out.append(s[last:m.start()])
            out.append(_go_expand(new, rx, m))
            last = m.end()
        out.append(s[last:])
        return out.text()
    n = s.count(old) if old else len(s) + 1
    ev.budget.chars_for(len(s) + n * (len(new) - len(old)), "replace()")
    return s.replace(old, new)


def _fn_indent(ev, args, ctx):
    n, s = _num(args[0]), args[1]
    if not isinstance(n, int) and not (isinstance(n, float) and n.is_integer()):
        raise EvalError("indent(): the number of spaces must be a whole number")
    n = max(0, int(n))
    text = _tostring(s)
    ev.budget.chars_for(len(text) + text.count("\n") * n, "indent()")
    out = text.replace("\n", "\n" + " " * n)
    return make_partial(out, list(s.unresolved)) if isinstance(s, Partial) else out


def _index_arg(v: Any, what: str) -> int:
    n = _num(v)
    if isinstance(n, float):
        if not n.is_integer():
            raise EvalError(f"{what}: {n} is not a whole number")
        n = int(n)
    return n


def _fn_element(ev, args, ctx):
    lst = _list(args[0])
    if not lst:
        raise EvalError("element() of an empty list")
    i = _index_arg(args[1], "element()")
    if i < 0:
        raise EvalError("element() with a negative index")
    return lst[i % len(lst)]


def _graphemes(s: str) -> list[str]:
    """``s`` split into user-perceived characters, as Terraform's length(), substr() and strrev()
    count them (Unicode grapheme clusters): a base character with its combining marks, variation
    selectors and emoji modifiers, emoji joined by ZWJ, flag pairs, CR LF. Hangul jamo sequences
    are not joined (precomposed syllables are single characters already)."""
    if s.isascii() and "\r\n" not in s:
        return list(s)
    out: list[str] = []
    for ch in s:
        if out:
            prev = out[-1]
            cp = ord(ch)
            if ((ch == "\n" and prev == "\r")
                    or unicodedata.category(ch) in ("Mn", "Me", "Mc") or ch == "\u200d"
                    or 0x1F3FB <= cp <= 0x1F3FF or 0xFE00 <= cp <= 0xFE0F or 0xE0020 <= cp <= 0xE007F
                    or (prev.endswith("\u200d") and unicodedata.category(ch) == "So")
                    or (0x1F1E6 <= cp <= 0x1F1FF and len(prev) == 1 and 0x1F1E6 <= ord(prev) <= 0x1F1FF)):
                out[-1] = prev + ch
                continue
        out.append(ch)
    return out


def _fn_length(ev, args, ctx):
    v = args[0]
    if isinstance(v, Partial):
        return Unknown("length() of a partly unknown string")
    if isinstance(v, str):
        return len(_graphemes(v))
    if isinstance(v, (list, dict)):
        return len(v)  # known even when elements are unknown
    raise EvalError(f"length() of a {_type_name(v)}")


def _fn_contains(ev, args, ctx):
    lst, v = _list(args[0]), args[1]
    if isinstance(v, Partial) or _has_unknown(v):
        return Unknown("contains() of a partly unknown value")
    if any(_eq(plain(x), v) for x in lst if not isinstance(plain(x), Unknown)):
        return True
    if any(isinstance(plain(x), Unknown) or isinstance(plain(x), Partial) for x in lst):
        return Unknown("contains() on a list with unknown elements")
    return False


def _fn_concat(ev, args, ctx):
    lists = [_list(a) for a in args]
    ev.budget.collection(sum(len(x) for x in lists), "concat()")
    return [x for lst in lists for x in lst]


def _fn_toset(ev, args, ctx):
    out: list = []
    seen: set = set()
    for x in _list(args[0]):
        ev.budget.step(1)
        key = _hash_key(x)
        if key is None:
            if not any(_same(x, y) for y in out):
                out.append(x)
        elif key not in seen:
            seen.add(key)
            out.append(x)
    return out


def _hash_key(x: Any) -> Any:
    """A hashable key for a scalar (type included, so 1 and "1" differ), or None."""
    if isinstance(x, (str, bool, int, float)) and not isinstance(x, Partial):
        return (type(x).__name__ if not isinstance(x, (int, float)) or isinstance(x, bool) else "n", x)
    return None


def _fn_flatten(ev, args, ctx):
    budget = ev.budget

    def flat(v: Any, depth: int) -> list:
        if depth > budgets.MAX_DEPTH:
            raise OverBudget(f"flatten() of lists nested deeper than {budgets.MAX_DEPTH} (budget MAX_DEPTH)")
        out: list = []
        for x in v:
            budget.step(1)
            if isinstance(x, list):
                out.extend(flat(x, depth + 1))
            elif isinstance(plain(x), Unknown) and not isinstance(x, Ref):
                raise _Unknowable(plain(x))
            else:
                out.append(x)
        return out

    try:
        return flat(_list(args[0]), 0)
    except _Unknowable as u:  # an unknown element may be a list: the result's shape is unknown
        return Unknown(f"flatten() of a list with an unknown element ({u.value.reason})")


class _Unknowable(Exception):
    def __init__(self, value: Unknown) -> None:
        super().__init__(value.reason)
        self.value = value


def _fn_keys(ev, args, ctx):
    if not isinstance(args[0], dict):
        raise EvalError(f"keys() needs a map, not a {_type_name(args[0])}")
    return sorted(args[0].keys())


def _fn_values(ev, args, ctx):
    if not isinstance(plain(args[0]), dict):
        raise EvalError(f"values() needs a map, not a {_type_name(plain(args[0]))}")
    m = plain(args[0])
    return [m[k] for k in sorted(m)]


def _fn_substr(ev, args, ctx):
    s, off, ln = _tostring(args[0]), _index_arg(args[1], "substr()"), _index_arg(args[2], "substr()")
    chars = _graphemes(s)
    if off < 0:
        off = max(0, len(chars) + off)
    if off > len(chars):
        raise EvalError("substr(): offset is beyond the end of the string")
    return "".join(chars[off:] if ln < 0 else chars[off:off + ln])


def _fn_zipmap(ev, args, ctx):
    keys, values = _list(plain(args[0])), _list(plain(args[1]))
    if len(keys) != len(values):
        raise EvalError(f"zipmap(): {len(keys)} keys but {len(values)} values")
    out = {}
    for k, v in zip(keys, values):
        k = plain(k)
        if isinstance(k, Unknown):
            return Unknown(f"zipmap() with an unknown key ({k.reason})")
        out[_tostring(k)] = v
    return out


def _fn_one(ev, args, ctx):
    lst = plain(args[0])
    if lst is None:
        return None
    lst = _list(lst)
    if len(lst) > 1:
        raise EvalError("one() of a list with more than one element")
    return lst[0] if lst else None


def _fn_range(ev, args, ctx):
    nums = [_num(a) for a in args]
    if len(nums) == 1:
        start, limit, step = 0, nums[0], 1
    else:
        start, limit = nums[0], nums[1]
        step = nums[2] if len(nums) > 2 else (1 if start <= limit else -1)
    if step == 0:
        raise EvalError("range(): step must not be zero")
    if (step > 0 and start > limit) or (step < 0 and start < limit):
        raise EvalError("range(): the step goes away from the limit" if len(nums) > 2 else "range(): bad limits")
    count = math.ceil((limit - start) / step)
    if count > 1024:  # Terraform's own limit, an error there too
        raise EvalError("range(): more than 1024 values would be generated")
    ev.budget.collection(count, "range()")
    return [_norm_num(start + i * step) for i in range(count)]


def _fn_hash(algo: str) -> Callable:
    def fn(ev, args, ctx):
        import hashlib

        if isinstance(args[0], Partial):
            return Unknown(f"{algo}() of a partly unknown string")
        return hashlib.new(algo, _utf8(_tostring(args[0]), f"{algo}()")).hexdigest()

    return fn


def _fn_b64hash(algo: str) -> Callable:
    def fn(ev, args, ctx):
        import hashlib

        if isinstance(args[0], Partial):
            return Unknown(f"base64{algo}() of a partly unknown string")
        digest = hashlib.new(algo, _utf8(_tostring(args[0]), f"base64{algo}()")).digest()
        return base64.b64encode(digest).decode("ascii")

    return fn


def _fn_minmax(f: Callable) -> Callable:
    def fn(ev, args, ctx):
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
        raise EvalError(f"tomap() needs an object, not a {_type_name(args[0])}")
    return dict(args[0])


def _fn_compact(ev, args, ctx):
    out = []
    for x in _list(args[0]):
        if isinstance(x, Ref):  # a resource's attribute: kept, so that what it references is seen
            out.append(x)
            continue
        v = plain(x)
        if isinstance(v, Unknown):
            return Unknown(f"compact() of a list with an unknown element ({v.reason})")
        if v is not None and v != "":
            out.append(_tostring(v) if not isinstance(v, Partial) else v)
    return out


def _fn_distinct(ev, args, ctx):
    return _fn_toset(ev, args, ctx)


def _fn_slice(ev, args, ctx):
    lst = _list(args[0])
    start, end = _index_arg(args[1], "slice()"), _index_arg(args[2], "slice()")
    if start < 0 or end > len(lst) or start > end:
        raise EvalError(f"slice(): indexes {start}..{end} are out of range for a list of {len(lst)}")
    return lst[start:end]


def _fn_reverse(ev, args, ctx):
    return list(reversed(_list(args[0])))


def _fn_sort(ev, args, ctx):
    lst = _list(args[0])
    if any(isinstance(plain(x), Unknown) for x in lst):
        return Unknown("sort() of a list with unknown elements")
    return sorted(_tostring(x) for x in lst)


def _fn_sum(ev, args, ctx):
    nums = [_num(x) for x in _list(args[0])]
    if not nums:
        raise EvalError("sum() of an empty list")
    return _norm_num(math.fsum(nums) if any(isinstance(n, float) for n in nums) else sum(nums))


def _fn_startswith(ev, args, ctx):
    return _tostring(args[0]).startswith(_tostring(args[1]))


def _fn_endswith(ev, args, ctx):
    return _tostring(args[0]).endswith(_tostring(args[1]))


def _fn_strcontains(ev, args, ctx):
    return _tostring(args[1]) in _tostring(args[0])


def _fn_strrev(ev, args, ctx):
    if isinstance(args[0], Partial):
        return Unknown("strrev() of a partly unknown string")
    return "".join(reversed(_graphemes(_tostring(args[0]))))


def _fn_basename(ev, args, ctx):
    return os.path.basename(_tostring(args[0]))


def _fn_dirname(ev, args, ctx):
    return os.path.dirname(_tostring(args[0]))


def _fn_formatlist(ev, args, ctx):
    lengths = {len(a) for a in args[1:] if isinstance(a, list)}
    if len(lengths) > 1:
        raise EvalError("formatlist(): the list arguments have different lengths")
    n = lengths.pop() if lengths else 1
    ev.budget.collection(n, "formatlist()")
    return [_fn_format(ev, [args[0]] + [a[i] if isinstance(a, list) else a for a in args[1:]], ctx)
            for i in range(n)]


def _fn_title(ev, args, ctx):
    return re.sub(r"\b(\w)", lambda m: m.group(1).upper(), _tostring(args[0]))


def _fn_yamlencode(ev, args, ctx):
    import yaml

    try:
        value = _jsonable(args[0])
    except EvalError as exc:
        return Unknown(str(exc))
    _encode_json(ev, value, "yamlencode()")  # the size YAML would have, roughly: within budget first
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True)


def _bool_list(args: list, what: str) -> list:
    out = []
    for x in _list(args[0]):
        v = plain(x)
        if isinstance(v, Unknown):
            out.append(v)
        elif v is None:
            raise EvalError(f"{what}: null is not a bool")
        else:
            out.append(_truth(v))
    return out


def _fn_alltrue(ev, args, ctx):
    vals = _bool_list(args, "alltrue()")
    if any(v is False for v in vals):
        return False  # false whatever the unknown elements are
    unknown = [v for v in vals if isinstance(v, Unknown)]
    return Unknown(f"alltrue() of unknown elements ({unknown[0].reason})") if unknown else True


def _fn_anytrue(ev, args, ctx):
    vals = _bool_list(args, "anytrue()")
    if any(v is True for v in vals):
        return True
    unknown = [v for v in vals if isinstance(v, Unknown)]
    return Unknown(f"anytrue() of unknown elements ({unknown[0].reason})") if unknown else False


def _fn_chunklist(ev, args, ctx):
    lst, size = _list(args[0]), _index_arg(args[1], "chunklist()")
    if size < 0:
        raise EvalError("chunklist(): the size must not be negative")
    if size == 0:
        return [list(lst)] if lst else []
    return [lst[i:i + size] for i in range(0, len(lst), size)]


def _fn_index(ev, args, ctx):
    lst, v = _list(args[0]), plain(args[1])
    if _has_unknown(v) or isinstance(v, Partial):
        return Unknown("index() of a partly unknown value")
    for i, x in enumerate(lst):
        x = plain(x)
        if isinstance(x, Unknown) or isinstance(x, Partial):
            return Unknown("index() on a list with unknown elements")
        if _eq(x, v):
            return i
    raise EvalError("index(): the value is not in the list")


def _fn_log(ev, args, ctx):
    x, base = float(_num(args[0])), float(_num(args[1]))
    if x <= 0 or base <= 0 or base == 1:
        raise EvalError("log(): the number and the base must be positive and the base not 1")
    return _norm_num(math.log(x) / math.log(base))


def _fn_pow(ev, args, ctx):
    x, y = float(_num(args[0])), float(_num(args[1]))
    try:
        return _norm_num(math.pow(x, y))  # Go's math.Pow: a float, never a huge integer
    except (OverflowError, ValueError):
        raise EvalError("pow(): the result is not a finite number") from None


def _fn_signum(ev, args, ctx):
    n = _num(args[0])
    return (n > 0) - (n < 0)


def _fn_parseint(ev, args, ctx):
    text, base = args[0], _index_arg(args[1], "parseint()")
    if not isinstance(text, str) or isinstance(text, Partial):
        raise EvalError(f"parseint(): a {_type_name(text)} is not a string")
    if not 2 <= base <= 62:
        raise EvalError("parseint(): the base must be between 2 and 62")
    digits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[:base]
    body = text[1:] if text[:1] in "+-" else text
    if base <= 36:
        body_check = body.lower()
        digits = digits.lower()
    else:
        body_check = body
    if not body or any(c not in digits for c in body_check):
        raise EvalError(f"parseint(): {text[:40]!r} is not a number in base {base}")
    if len(body) * math.log2(base) > budgets.MAX_NUMBER_BITS + 1:
        raise OverBudget(f"parseint(): the number is beyond budget MAX_NUMBER_BITS ({budgets.MAX_NUMBER_BITS})")
    n = 0
    for c in body_check:
        n = n * base + digits.index(c)
    return _number(-n if text.startswith("-") else n)


def _set_args(args: list, what: str) -> list[list]:
    out = []
    for a in args:
        lst = _list(a)
        if any(_has_unknown(x) for x in lst):
            raise _Unknowable(Unknown(f"{what} of a set with unknown elements"))
        out.append(lst)
    return out


def _set_fn(what: str, combine: Callable[[list[list], Callable], list]) -> Callable:
    def fn(ev, args, ctx):
        try:
            sets = _set_args(args, what)
        except _Unknowable as u:
            return u.value
        ev.budget.step(sum(len(s) for s in sets))
        return _fn_toset(ev, [combine(sets, lambda x, s: any(_same(x, y) for y in s))], ctx)

    return fn


def _fn_setproduct(ev, args, ctx):
    lists = [_list(a) for a in args]
    total = 1
    for lst in lists:
        total *= len(lst)
        if total > budgets.MAX_COLLECTION:
            break
    ev.budget.collection(total, "setproduct()")
    out: list = [[]]
    for lst in lists:
        out = [prefix + [x] for prefix in out for x in lst]
    return out


def _fn_urlencode(ev, args, ctx):
    from urllib.parse import quote

    return quote(_tostring(args[0]), safe="-._~")


def _fn_identity(ev, args, ctx):
    return args[0]


def _fn_unknown(what: str) -> Callable:
    def fn(ev, args, ctx):
        return Unknown(f"{what} is known only at apply time")

    return fn


from . import files as _files  # noqa: E402  (it imports this module lazily)

FUNCTIONS: dict[str, Callable] = {
    "base64encode": _fn_b64encode, "base64decode": _fn_b64decode, "base64gzip": _fn_b64gzip,
    "jsonencode": _fn_jsonencode, "jsondecode": _fn_jsondecode, "yamlencode": _fn_yamlencode,
    "yamldecode": _fn_yamldecode,
    "format": _fn_format, "formatlist": _fn_formatlist, "join": _fn_join, "split": _fn_split,
    "lookup": _fn_lookup, "merge": _fn_merge, "coalesce": _fn_coalesce,
    "coalescelist": _fn_coalescelist,
    "tostring": _fn_tostring, "tonumber": _fn_tonumber, "tobool": _fn_tobool,
    "lower": _str_fn(str.lower), "upper": _str_fn(str.upper), "title": _fn_title,
    "trimspace": _str_fn(str.strip), "chomp": _str_fn(lambda s: re.sub(r"[\r\n]+$", "", s)),
    "replace": _fn_replace, "trim": _fn_trim, "trimprefix": _fn_trimprefix,
    "trimsuffix": _fn_trimsuffix, "indent": _fn_indent, "strrev": _fn_strrev,
    "strcontains": _fn_strcontains,
    "concat": _fn_concat, "element": _fn_element, "length": _fn_length, "contains": _fn_contains,
    "index": _fn_index, "chunklist": _fn_chunklist,
    "min": _fn_minmax(min), "max": _fn_minmax(max),
    "tolist": lambda ev, a, c: _list(a[0]), "toset": _fn_toset, "tomap": _fn_tomap,
    "keys": _fn_keys, "values": _fn_values, "flatten": _fn_flatten, "compact": _fn_compact,
    "distinct": _fn_distinct, "slice": _fn_slice, "reverse": _fn_reverse, "sort": _fn_sort,
    "sum": _fn_sum, "substr": _fn_substr, "zipmap": _fn_zipmap, "one": _fn_one, "range": _fn_range,
    "alltrue": _fn_alltrue, "anytrue": _fn_anytrue,
    "setproduct": _fn_setproduct,
    "setunion": _set_fn("setunion()", lambda sets, member: [x for s in sets for x in s]),
    "setintersection": _set_fn("setintersection()", lambda sets, member: [
        x for x in sets[0] if all(member(x, s) for s in sets[1:])]),
    "setsubtract": _set_fn("setsubtract()", lambda sets, member: [
        x for x in sets[0] if not member(x, sets[1])]),
    "startswith": _fn_startswith, "endswith": _fn_endswith, "regex": _fn_regex,
    "regexall": _fn_regexall,
    "abs": lambda ev, a, c: abs(_num(a[0])), "ceil": lambda ev, a, c: math.ceil(_num(a[0])),
    "floor": lambda ev, a, c: math.floor(_num(a[0])),
    "log": _fn_log, "pow": _fn_pow, "signum": _fn_signum, "parseint": _fn_parseint,
    "md5": _fn_hash("md5"), "sha1": _fn_hash("sha1"), "sha256": _fn_hash("sha256"),
    "sha512": _fn_hash("sha512"), "base64sha256": _fn_b64hash("sha256"),
    "base64sha512": _fn_b64hash("sha512"),
    "basename": _fn_basename, "dirname": _fn_dirname, "urlencode": _fn_urlencode,
    "sensitive": _fn_identity, "nonsensitive": _fn_identity,
    "timestamp": _fn_unknown("timestamp()"), "uuid": _fn_unknown("uuid()"),
}
FUNCTIONS.update(_files.FILE_FUNCTIONS)  # file(), templatefile(), ...: confined to the read boundary
#: (least, most) arguments of each built-in, as Terraform declares them (None: any number)
_ARITY: dict[str, tuple[int, int | None]] = {
    **{n: (1, 1) for n in (
        "file", "filebase64", "fileexists", "filemd5", "filesha1", "filesha256", "filesha512",
        "filebase64sha256", "filebase64sha512", "base64encode", "base64decode", "base64gzip", "jsonencode",
        "jsondecode", "yamlencode", "yamldecode", "tostring", "tonumber", "tobool", "lower", "upper",
        "title", "trimspace", "chomp", "strrev", "length", "tolist", "toset", "tomap", "keys",
        "values", "flatten", "compact", "distinct", "reverse", "sort", "sum", "one", "alltrue",
        "anytrue", "abs", "ceil", "floor", "signum", "md5", "sha1", "sha256", "sha512",
        "base64sha256", "base64sha512", "basename", "dirname", "urlencode", "sensitive",
        "nonsensitive")},
    **{n: (2, 2) for n in (
        "split", "trim", "trimprefix", "trimsuffix", "indent", "strcontains", "element", "contains",
        "index", "chunklist", "zipmap", "startswith", "endswith", "regex", "regexall", "log", "pow",
        "parseint", "setsubtract", "fileset")},
    **{n: (3, 3) for n in ("replace", "substr", "slice")},
    **{n: (1, None) for n in ("format", "formatlist", "coalesce", "coalescelist", "concat", "min",
                              "max", "setunion", "setintersection")},
    "setproduct": (2, None),
    "templatefile": (1, 2), "lookup": (2, 3), "join": (2, None), "merge": (0, None),
    "range": (1, 3), "timestamp": (0, 0), "uuid": (0, 0),
}
_REF_AWARE = frozenset({"jsonencode", "yamlencode", "merge", "concat", "tolist", "toset", "tomap",
                        "element", "lookup", "coalesce", "flatten", "compact", "one", "values",
                        "slice", "reverse", "zipmap", "distinct", "sensitive", "nonsensitive",
                        "chunklist", "setproduct"})
#: built-ins that take unknown arguments and decide themselves (Terraform's AllowUnknown params)
_UNKNOWN_AWARE = frozenset({"coalesce", "jsonencode", "yamlencode", "lookup"})


# --------------------------------------------------------------------------------------------------
# Variables: where a value came from
# --------------------------------------------------------------------------------------------------


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
