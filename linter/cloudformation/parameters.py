"""CloudFormation parameter values from the command line (issue 8 item 5): ``--parameter KEY=VALUE``
and ``--parameter-file FILE`` in the formats users already keep:

- the aws-cli list: ``[{"ParameterKey": "Env", "ParameterValue": "prod"}, ...]``
  (``aws cloudformation create-stack --parameters file://prod.json``);
- ``{"Parameters": {"Env": "prod"}}`` (a CodePipeline template configuration file, CDK context style);
- ``KEY=VALUE`` lines (``aws cloudformation deploy --parameter-overrides``), ``#`` comments allowed.

Each value is ``(key, value text, where it was set)``; ``where`` is what the evidence names
("--parameter", "parameter-file prod.json:3"). A file that cannot be read raises
:class:`ParameterFileError` naming the file and line.
"""

from __future__ import annotations

from ..jsonpos import JsonSyntaxError, read_json_value
from ..model import ParseError
from .loader import read_text

Value = tuple[str, str, str]  # (key, value text, where it was set)


class ParameterFileError(Exception):
    def __init__(self, file: str, line: int | None, message: str) -> None:
        super().__init__(f"{file}{f':{line}' if line else ''}: {message}")
        self.file, self.line, self.message = file, line, message


def parse_assignment(text: str) -> tuple[str, str] | None:
    """``KEY=VALUE`` as (key, value), or None when there is no ``=`` or no key."""
    if "=" not in text:
        return None
    key, value = text.split("=", 1)
    return (key.strip(), value) if key.strip() else None


def from_option(text: str) -> Value:
    """One ``--parameter KEY=VALUE``; ValueError when it is not of that form."""
    pair = parse_assignment(text)
    if pair is None:
        raise ValueError(f"expected KEY=VALUE, got {text!r}")
    return pair[0], pair[1], "--parameter"


def _text(value, file: str, line: int | None, key: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in value):
        return ",".join(str(v) for v in value)  # a list parameter's value, as CloudFormation takes it
    raise ParameterFileError(file, line, f"the value of parameter {key} must be text, a number or a list")


def read_file(path: str, shown: str | None = None) -> list[Value]:
    """The parameter values in the file at ``path`` (``shown``: the name the evidence uses)."""
    shown = shown or path
    try:
        text = read_text(path)  # as a template is read: UTF-8, or UTF-16/32 with a byte-order mark
    except ParseError as exc:
        raise ParameterFileError(shown, exc.line, exc.message) from None
    if text.lstrip().startswith(("[", "{")):
        return _from_json(text, shown)
    return _from_lines(text, shown)


def _from_lines(text: str, shown: str) -> list[Value]:
    out: list[Value] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pair = parse_assignment(line)
        if pair is None:
            raise ParameterFileError(shown, n, f"expected KEY=VALUE, got {line[:80]!r}")
        key, value = pair
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        out.append((key, value, f"parameter-file {shown}:{n}"))
    return out


def _from_json(text: str, shown: str) -> list[Value]:
    try:
        data = read_json_value(text)
    except JsonSyntaxError as exc:
        raise ParameterFileError(shown, exc.line, f"invalid JSON: {exc.message}") from None
    except RecursionError:
        raise ParameterFileError(shown, None, "invalid JSON: nested too deeply") from None
    out: list[Value] = []
    if isinstance(data, list):  # the aws-cli list
        for item in data:
            line = getattr(item, "line", None)
            if not isinstance(item, dict) or not isinstance(item.get("ParameterKey"), str):
                raise ParameterFileError(shown, line, 'expected {"ParameterKey": ..., "ParameterValue": ...} entries')
            key = item["ParameterKey"]
            if "ParameterValue" not in item:  # UsePreviousValue: the deployed value, not known here
                continue
            vline = item.lines.get("ParameterValue", line) if hasattr(item, "lines") else line
            out.append((key, _text(item["ParameterValue"], shown, vline, key), f"parameter-file {shown}:{vline}"))
        return out
    params = data.get("Parameters") if isinstance(data, dict) else None
    if not isinstance(params, dict):
        raise ParameterFileError(shown, getattr(data, "line", None),
                                 'expected a list of {"ParameterKey", "ParameterValue"} or {"Parameters": {...}}')
    for key, value in params.items():
        line = params.lines.get(key) if hasattr(params, "lines") else None
        out.append((str(key), _text(value, shown, line, key), f"parameter-file {shown}:{line}" if line
                    else f"parameter-file {shown}"))
    return out
