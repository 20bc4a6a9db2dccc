"""Read a CloudFormation template (YAML or JSON) into plain Python values that remember their lines.

PyYAML's composer (the C one when available) builds the node graph with a position for every node;
we convert nodes ourselves, so nothing is ever constructed from a tag (safe by design), every
intrinsic short form becomes its long form (``!GetAtt A.B`` -> ``{"Fn::GetAtt": ["A", "B"]}``), and
alias expansion is bounded ("billion laughs" files fail fast). JSON is read by the same composer
(JSON is YAML flow syntax); JSON that PyYAML rejects falls back to a position-recording JSON reader.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from ..model import ParseError, Unknown

try:  # the C composer is ~10x faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: Upper bound on the size of the value tree after alias expansion.
MAX_EXPANDED_NODES = 2_000_000
#: Upper bound on how deeply values nest (after alias expansion). Real templates nest a few dozen
#: levels at most; every later stage walks values recursively, so deeper ones are refused here.
MAX_DEPTH = 100
#: Python refuses to convert integers of more digits than this (sys.get_int_max_str_digits()).
MAX_INT_DIGITS = 4300


class CfnDict(dict):
    """A mapping that knows its own line and the line of each key."""

    __slots__ = ("line", "end_line", "key_lines")

    def line_of(self, key: str, default: int | None = None) -> int:
        return self.key_lines.get(key, default if default is not None else self.line)


class CfnList(list):
    __slots__ = ("line", "end_line", "item_lines")

    def line_of(self, index: int) -> int:
        try:
            return self.item_lines[index]
        except IndexError:
            return self.line


_LONG = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!GetAtt": "Fn::GetAtt",
}
_SHORT_FNS = (
    "Sub", "Join", "If", "Base64", "Select", "Split", "FindInMap", "ImportValue", "GetAZs",
    "Equals", "And", "Or", "Not", "Cidr", "Transform", "ToJsonString", "Length", "ForEach",
    # rule functions (the template's Rules section)
    "Contains", "EachMemberEquals", "EachMemberIn", "RefAll", "ValueOf", "ValueOfAll",
)
for _name in _SHORT_FNS:
    _LONG[f"!{_name}"] = f"Fn::{_name}"

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
#: Standard YAML tags a template may carry; they only say how to read a value. Any other tag
#: (``!!python/object/apply:...``, ``!Custom``) is refused: a template is data, never code.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "binary",
                                       "seq", "map", "merge")
)


def clean_number(v: Any) -> Any:
    """A number as the checks may see it: non-finite floats (``1.0e+999``, ``.nan``) are Unknown."""
    if isinstance(v, float) and not math.isfinite(v):
        return Unknown(f"{v!r} is not a finite number")
    return v


def _scalar(node: yaml.ScalarNode) -> Any:
    tag, v = node.tag, node.value
    if tag == _STR or node.style in ("'", '"', "|", ">"):
        return v
    if tag == _INT:
        text = v.replace("_", "")
        if sum(c.isdigit() for c in text) > MAX_INT_DIGITS:
            return Unknown(f"an integer of {len(text):,} digits cannot be represented")
        try:
            if text.startswith(("0x", "-0x", "+0x")):
                return int(text, 16)
            if text.startswith(("0o",)):
                return int(text[2:], 8)
            return int(text)
        except ValueError:
            return v
    if tag == _FLOAT:
        if v.lower().lstrip("+-") in (".inf", ".nan"):
            return Unknown(f"{v} is not a finite number")
        try:
            f = float(v.replace("_", ""))
        except ValueError:
            return v
        return f if math.isfinite(f) else Unknown(f"{v} is not a finite number")
    if tag == _BOOL:
        return v.lower() in ("true", "yes", "on", "y")
    if tag == _NULL:
        return None
    return v  # timestamps and anything else stay text, as CloudFormation sees them


def _tag_text(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


class _Converter:
    def __init__(self, file: str, text: str = "") -> None:
        self.file = file
        self.text = text
        self._lines: list[str] | None = None
        self.memo: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}
        self.heights: dict[int, int] = {}

    def end_line(self, node: yaml.Node) -> int:
        """The last line holding the node's content (1-based).

        A block collection's end mark is where the next token starts, often the first column of a
        later line; the node really ends on the last line before it that is not blank or a comment.
        """
        mark = node.end_mark
        if self._lines is None:
            self._lines = self.text.split("\n")
        lines = self._lines
        if mark.line < len(lines) and lines[mark.line][:mark.column].strip():
            return mark.line + 1  # ends inside this line (a flow collection, a plain scalar)
        i = min(mark.line, len(lines)) - 1
        start = node.start_mark.line
        while i > start and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
            i -= 1
        return max(i, start) + 1

    def error(self, node: yaml.Node, message: str) -> ParseError:
        return ParseError(self.file, node.start_mark.line + 1, message)

    def size(self, node: yaml.Node, depth: int = 1) -> int:
        """Size of the tree rooted at node after alias expansion (memoised: linear time).

        Raises ParseError for an alias inside the node it refers to (an infinitely deep value), and
        where values nest deeper than MAX_DEPTH (``depth`` is the node's own, counting from 1).
        """
        key = id(node)
        n = self.sizes.get(key)
        if n is not None:
            if n == 0:
                raise self.error(node, "a YAML alias refers to a value that contains it (an endless value)")
            if depth + self.heights[key] - 1 > MAX_DEPTH:
                raise self.error(node, f"values nest deeper than {MAX_DEPTH} levels (through a YAML alias); not read")
            return n
        if depth > MAX_DEPTH:
            raise self.error(node, f"values nest deeper than {MAX_DEPTH} levels; not read")
        self.sizes[key] = 0  # in progress
        height = 1
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
            n = 1
            for c in children:
                n += self.size(c, depth + 1)
                height = max(height, 1 + self.heights[id(c)])
        else:
            n = 1
        self.sizes[key] = n
        self.heights[key] = height
        return n

    def too_large(self, node: yaml.Node) -> yaml.Node:
        """The innermost node whose expansion alone exceeds the bound: where the aliases multiply."""
        while True:
            children = (
                [v for pair in node.value for v in pair] if isinstance(node, yaml.MappingNode)
                else node.value if isinstance(node, yaml.SequenceNode) else []
            )
            big = next((c for c in children if self.sizes.get(id(c), 0) > MAX_EXPANDED_NODES), None)
            if big is None:
                return node
            node = big

    def convert(self, node: yaml.Node) -> Any:
        key = id(node)
        if key in self.memo:  # an alias: share the converted value (never copied)
            return self.memo[key]
        line = node.start_mark.line + 1
        tag = node.tag
        if tag in _LONG:
            fn = _LONG[tag]
            if isinstance(node, yaml.ScalarNode):
                inner: Any = node.value
                if fn == "Fn::GetAtt":
                    inner = inner.split(".", 1) if "." in inner else [inner]
            else:
                inner = self._container(node)
            out = CfnDict({fn: inner})
            out.line, out.end_line, out.key_lines = line, self.end_line(node), {fn: line}
            self.memo[key] = out
            return out
        if tag not in _PLAIN_TAGS:
            if tag.startswith("!"):
                raise self.error(node, f"unknown tag {tag}: not a CloudFormation intrinsic function")
            raise self.error(
                node, f"tag {_tag_text(tag)} is not allowed in a template (templates are read as data; "
                "no tag is ever constructed or run)",
            )
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            out = self._container(node)
        else:
            out = _scalar(node)
        self.memo[key] = out
        return out

    def _container(self, node: yaml.Node) -> Any:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.SequenceNode):
            lst = CfnList()
            lst.line, lst.end_line = line, self.end_line(node)
            lst.item_lines = []
            self.memo[id(node)] = lst
            for item in node.value:
                lst.append(self.convert(item))
                lst.item_lines.append(item.start_mark.line + 1)
            return lst
        if isinstance(node, yaml.MappingNode):
            d = CfnDict()
            d.line, d.end_line, d.key_lines = line, self.end_line(node), {}
            self.memo[id(node)] = d
            written: dict[str, int] = {}  # keys written in this mapping (not merged in), and their lines
            for k, v in node.value:
                if k.tag == _MERGE:
                    merged = self.convert(v)
                    for src in merged if isinstance(merged, list) else [merged]:
                        if isinstance(src, CfnDict):
                            for mk, mv in src.items():
                                if mk not in written:
                                    d.setdefault(mk, mv)
                                    d.key_lines.setdefault(mk, src.key_lines.get(mk, line))
                    continue
                if not isinstance(k, yaml.ScalarNode) or k.tag in _LONG:
                    raise self.error(k, "a mapping key must be a plain value")
                kv = k.value  # the key as written: `true:` stays "true", `01:` stays "01"
                kline = k.start_mark.line + 1
                # A key written twice: CloudFormation accepts the template and the last one wins
                # (validate-template and deployments agree), so we read it the same way rather than
                # refuse a template that deploys. Validating the template is cfn-lint's job.
                written[kv] = kline
                d[kv] = self.convert(v)
                d.key_lines[kv] = kline
            return d
        # a scalar with an intrinsic tag, e.g. !Ref Name
        return node.value


def read_text(path: str) -> str:
    """A template file's text: UTF-8 (with or without a byte-order mark), or UTF-16 / UTF-32 with
    one. At most the discovery size limit is read. Raises ParseError naming the line of the first
    byte that is not text."""
    from ..discovery import MAX_FILE_BYTES, bom_encoding, read_input

    raw = read_input(path, MAX_FILE_BYTES, "a template")
    encoding = bom_encoding(raw) or "utf-8"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding.startswith("utf-8"):
            raise ParseError(path, raw[: exc.start].count(b"\n") + 1, "file is not UTF-8 text") from None
        text = raw[: exc.start].decode(encoding, errors="replace")
        raise ParseError(path, text.count("\n") + 1, f"file is not valid {encoding.upper()} text") from None


def _yaml_error(file: str, text: str, exc: yaml.YAMLError) -> ParseError:
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML refuses; its position is in bytes
        before = text.encode("utf-8", "surrogatepass")[:exc.position]
        what = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        return ParseError(file, before.count(b"\n") + 1, f"YAML syntax error: unacceptable character {what}: {exc.reason}")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None and text[mark.index:mark.index + 1] == "\t":
        problem = "a tab character: YAML indentation must use spaces"
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and context_mark is not None and mark is not None and context_mark.line != mark.line:
        context = f"{context} started at line {context_mark.line + 1}"
    msg = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return ParseError(file, line, msg)


def load_text(text: str, file: str) -> Any:
    """Parse template text; raises ParseError with a line for anything unreadable."""
    is_json = file.lower().endswith(".json") or text.lstrip().startswith("{")
    if file.lower().endswith(".json"):
        _check_strict_json(text, file)  # YAML would accept a trailing comma CloudFormation rejects
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        if is_json:
            return _load_json(text, file)
        raise _yaml_error(file, text, exc) from None
    except (ValueError, RecursionError) as exc:
        raise ParseError(file, None, f"cannot read template: {exc}") from None
    if node is None:
        raise ParseError(file, 1, "file is empty: a template needs a Resources section")
    conv = _Converter(file, text)
    try:
        total = conv.size(node)
        if total > MAX_EXPANDED_NODES:
            raise conv.error(
                conv.too_large(node),
                f"YAML aliases here expand to over {MAX_EXPANDED_NODES:,} values "
                "(a 'billion laughs' file?); not read",
            )
        return conv.convert(node)
    except RecursionError:
        raise ParseError(file, None, "template is nested too deeply to read") from None


def _check_strict_json(text: str, file: str) -> None:
    import json

    try:
        json.loads(text, parse_int=str, parse_float=str)  # only the syntax matters here
    except RecursionError:
        raise ParseError(file, _line_deeper_than(text, MAX_DEPTH),
                         f"values nest deeper than {MAX_DEPTH} levels; not read") from None
    except ValueError as exc:
        _load_json(text, file)  # raises with the position-recording reader's line and wording
        raise ParseError(file, getattr(exc, "lineno", None), f"JSON syntax error: {getattr(exc, 'msg', exc)}") from None


def _load_json(text: str, file: str) -> Any:
    from ..jsonpos import JsonSyntaxError, read_json_value

    try:
        value = read_json_value(text)
    except JsonSyntaxError as exc:
        raise ParseError(file, exc.line, exc.message) from None
    except RecursionError:
        raise ParseError(file, _line_deeper_than(text, MAX_DEPTH),
                         f"values nest deeper than {MAX_DEPTH} levels; not read") from None
    except ValueError as exc:  # a number Python cannot convert
        raise ParseError(file, None, f"cannot read template: {exc}") from None
    return _from_json(value)


def _line_deeper_than(text: str, limit: int) -> int | None:
    """The line where JSON brackets first nest deeper than ``limit`` (strings skipped)."""
    depth, line, in_string, escaped = 0, 1, False, False
    for ch in text:
        if ch == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return line
        elif ch in "]}":
            depth -= 1
    return None


def _from_json(v: Any) -> Any:
    if isinstance(v, dict):
        d = CfnDict()
        d.line = getattr(v, "line", 1)
        d.end_line = getattr(v, "end_line", d.line)
        d.key_lines = dict(getattr(v, "lines", {}))
        for k, val in v.items():
            d[k] = _from_json(val)
        return d
    if isinstance(v, list):
        lst = CfnList(_from_json(x) for x in v)
        lst.line = getattr(v, "line", 1)
        lst.end_line = getattr(v, "end_line", lst.line)
        lst.item_lines = [getattr(x, "line", lst.line) for x in v]
        return lst
    if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > MAX_INT_DIGITS * 3.32:
        return Unknown("an integer of over 4,300 digits cannot be represented")
    return clean_number(v)
