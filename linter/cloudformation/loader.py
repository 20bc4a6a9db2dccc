"""Read a CloudFormation template (YAML or JSON) into plain Python values that remember their lines.

PyYAML's composer (the C one when available) builds the node graph with a position for every node;
we convert nodes ourselves, so nothing is ever constructed from a tag (safe by design), every
intrinsic short form becomes its long form (``!GetAtt A.B`` -> ``{"Fn::GetAtt": ["A", "B"]}``), and
alias expansion is bounded ("billion laughs" files fail fast). JSON is read by the same composer
(JSON is YAML flow syntax); JSON that PyYAML rejects falls back to a position-recording JSON reader.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..model import ParseError

try:  # the C composer is ~10x faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: Upper bound on the size of the value tree after alias expansion.
MAX_EXPANDED_NODES = 2_000_000


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
)
for _name in _SHORT_FNS:
    _LONG[f"!{_name}"] = f"Fn::{_name}"

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_TS = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"


def _scalar(node: yaml.ScalarNode) -> Any:
    tag, v = node.tag, node.value
    if tag == _STR or node.style in ("'", '"', "|", ">"):
        return v
    if tag == _INT:
        try:
            text = v.replace("_", "")
            if text.startswith(("0x", "-0x", "+0x")):
                return int(text, 16)
            if text.startswith(("0o",)):
                return int(text[2:], 8)
            return int(text)
        except ValueError:
            return v
    if tag == _FLOAT:
        try:
            return float(v.replace("_", ""))
        except ValueError:
            return v
    if tag == _BOOL:
        return v.lower() in ("true", "yes", "on", "y")
    if tag == _NULL:
        return None
    return v  # timestamps and anything else stay text, as CloudFormation sees them


class _Converter:
    def __init__(self, file: str) -> None:
        self.file = file
        self.memo: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}

    def size(self, node: yaml.Node) -> int:
        """Size of the tree rooted at node after alias expansion (memoised: linear time)."""
        key = id(node)
        if key in self.sizes:
            return self.sizes[key]
        self.sizes[key] = 1  # cycle guard
        if isinstance(node, yaml.MappingNode):
            n = 1 + sum(self.size(k) + self.size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            n = 1 + sum(self.size(v) for v in node.value)
        else:
            n = 1
        self.sizes[key] = n
        return n

    def convert(self, node: yaml.Node) -> Any:
        key = id(node)
        if key in self.memo:  # an alias: share the converted value (never copied)
            return self.memo[key]
        line = node.start_mark.line + 1
        if node.tag in _LONG:
            fn = _LONG[node.tag]
            if isinstance(node, yaml.ScalarNode):
                inner: Any = node.value
                if fn == "Fn::GetAtt":
                    inner = inner.split(".", 1) if "." in inner else [inner]
                elif fn == "Fn::GetAZs" and inner == "":
                    inner = ""
            else:
                inner = self._container(node)
            out = CfnDict({fn: inner})
            out.line, out.end_line, out.key_lines = line, node.end_mark.line + 1, {fn: line}
            self.memo[key] = out
            return out
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            out = self._container(node)
        elif isinstance(node, yaml.ScalarNode):
            if node.tag.startswith("!"):
                raise ParseError(self.file, line, f"unknown tag {node.tag}: not a CloudFormation intrinsic function")
            out = _scalar(node)
        else:  # pragma: no cover
            out = None
        self.memo[key] = out
        return out

    def _container(self, node: yaml.Node) -> Any:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.SequenceNode):
            lst = CfnList()
            lst.line, lst.end_line = line, node.end_mark.line + 1
            lst.item_lines = []
            self.memo[id(node)] = lst
            for item in node.value:
                lst.append(self.convert(item))
                lst.item_lines.append(item.start_mark.line + 1)
            return lst
        if isinstance(node, yaml.MappingNode):
            d = CfnDict()
            d.line, d.end_line, d.key_lines = line, node.end_mark.line + 1, {}
            self.memo[id(node)] = d
            for k, v in node.value:
                if k.tag == _MERGE:
                    merged = self.convert(v)
                    for src in merged if isinstance(merged, list) else [merged]:
                        if isinstance(src, CfnDict):
                            for mk, mv in src.items():
                                d.setdefault(mk, mv)
                                d.key_lines.setdefault(mk, src.key_lines.get(mk, line))
                    continue
                if not isinstance(k, yaml.ScalarNode):
                    raise ParseError(self.file, k.start_mark.line + 1, "a mapping key must be a plain value")
                kv = str(_scalar(k)) if k.tag != _STR else k.value
                d[kv] = self.convert(v)  # a duplicate key keeps the last value, as CloudFormation does
                d.key_lines[kv] = k.start_mark.line + 1
            return d
        # a scalar with an intrinsic tag, e.g. !Ref Name
        return node.value


def _yaml_error(file: str, exc: yaml.YAMLError) -> ParseError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    msg = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return ParseError(file, line, msg)


def load_text(text: str, file: str) -> Any:
    """Parse template text; raises ParseError with a line for anything unreadable."""
    is_json = file.lower().endswith(".json") or text.lstrip().startswith("{")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        if is_json:
            return _load_json(text, file)
        raise _yaml_error(file, exc) from None
    except (ValueError, RecursionError) as exc:
        raise ParseError(file, None, f"cannot read template: {exc}") from None
    if node is None:
        raise ParseError(file, 1, "file is empty: a template needs a Resources section")
    conv = _Converter(file)
    total = conv.size(node)
    if total > MAX_EXPANDED_NODES:
        # point at the innermost node that alone expands past the limit (the alias definitions)
        big, seen = node, {id(node)}
        while True:
            children = ([v for kv in big.value for v in kv] if isinstance(big, yaml.MappingNode)
                        else big.value if isinstance(big, yaml.SequenceNode) else [])
            inner = next((c for c in children if conv.size(c) > MAX_EXPANDED_NODES), None)
            if inner is None or id(inner) in seen:
                break
            big = inner
            seen.add(id(big))
        raise ParseError(
            file, big.start_mark.line + 1,
            f"YAML aliases expand to over {MAX_EXPANDED_NODES:,} values "
            "(a 'billion laughs' file?); not read",
        )
    return conv.convert(node)


def _load_json(text: str, file: str) -> Any:
    from ..terraform.syntax import JsonSyntaxError, read_json_value

    try:
        value = read_json_value(text)
    except JsonSyntaxError as exc:
        raise ParseError(file, exc.line, exc.message) from None  # the message names JSON
    return _from_json(value)


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
    return v
