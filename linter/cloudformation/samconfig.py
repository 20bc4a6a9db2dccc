"""SAM CLI configuration files (issue 8 item 5): the ``parameter_overrides`` of one environment of
a ``samconfig.toml`` (or ``samconfig.yaml`` / ``samconfig.yml``), the values ``sam deploy`` passes
to the template's parameters.

The file is found beside the template, as the SAM CLI looks for it in the project folder (the
folder of ``template.yaml``): ``samconfig.toml`` first, then ``samconfig.yaml``, then
``samconfig.yml``; or it is named (``--sam-config FILE``). The environment is ``default`` unless
another is named (``--sam-config-env``, SAM's ``--config-env``). Of an environment, the
``global`` table is read and then the ``deploy`` table, which wins (SAM: a command's own values
win over the global ones)::

    version = 0.1
    [default.deploy.parameters]
    parameter_overrides = "Env=prod Timeout=\\"900\\""          # one string, space separated
    [prod.deploy.parameters]
    parameter_overrides = ["Env=prod", "Timeout=900"]           # or a list of KEY=VALUE strings

A pair is ``KEY=VALUE`` (a value with spaces in double or single quotes, as in a shell) or
``ParameterKey=KEY,ParameterValue=VALUE``. Each value is ``(key, value text, where)``; ``where``
names the file and the line of the pair ("samconfig.toml:7 [default.deploy.parameters]").
"""

from __future__ import annotations

import os
import re
import shlex
from typing import Any

from ..boundary import find_boundary, read_regular, resolve
from ..lazyre import LazyPattern as _lazy
from ..model import ParseError
from .loader import CfnDict
from .parameters import ParameterFileError, Value

#: The names the SAM CLI looks for in a project folder, in its order.
NAMES = ("samconfig.toml", "samconfig.yaml", "samconfig.yml")
DEFAULT_ENV = "default"
#: The command tables whose parameter_overrides apply (later ones win), as ``sam deploy`` reads them.
COMMANDS = ("global", "deploy")
#: A samconfig file is a few hundred bytes; anything much larger is not one.
MAX_BYTES = 1_000_000

_LONG_FORM = _lazy(r"^ParameterKey=([^,]*),ParameterValue=(.*)$", re.S)


def beside(template: str, boundary: str | None = None) -> str | None:
    """The samconfig file the SAM CLI would use for ``template`` (its folder's), or None. A name
    that leads outside the read boundary (a symbolic link) is not used."""
    folder = os.path.dirname(os.path.abspath(template))
    names = [n for n in NAMES if os.path.lexists(os.path.join(folder, n))]  # the folder is scanned: looking is fine
    if not names:
        return None
    root = boundary or find_boundary(template)
    for name in names:
        res = resolve(name, folder, root)
        if res.refused is None and res.is_file:
            return res.path
    return None


def read(path: str, env: str = DEFAULT_ENV, shown: str | None = None,
         boundary: str | None = None) -> tuple[list[Value], bool]:
    """The parameter values of environment ``env`` in the samconfig file at ``path``, and whether
    the file has that environment. Raises :class:`ParameterFileError` naming the file and line
    when it cannot be read."""
    shown = shown or path
    text = _text(path, shown, boundary)
    if path.lower().endswith(".toml"):
        data = _toml(text, shown)
    else:
        data = _yaml(text, shown)
    if not isinstance(data, dict):
        raise ParameterFileError(shown, 1, "expected a table of environments ([default.deploy.parameters])")
    environment = data.get(env)
    if environment is None:
        return [], False
    if not isinstance(environment, dict):
        raise ParameterFileError(shown, _header_line(text, (env,)), f"environment {env} must be a table")
    lines = text.splitlines()
    out: list[Value] = []
    for command in COMMANDS:
        table = environment.get(command)
        params = table.get("parameters") if isinstance(table, dict) else None
        if not isinstance(params, dict) or "parameter_overrides" not in params:
            continue
        section = f"{env}.{command}.parameters"
        key_line = (params.line_of("parameter_overrides") if isinstance(params, CfnDict)
                    else _toml_key_line(lines, (env, command, "parameters", "parameter_overrides")))
        for key, value in parse_overrides(params["parameter_overrides"], shown, key_line, section):
            line = _pair_line(lines, key, key_line)
            out.append((key, value, f"{shown}:{line} [{section}]" if line else f"{shown} [{section}]"))
    return out, True


def parse_overrides(value: Any, shown: str, line: int | None, section: str) -> list[tuple[str, str]]:
    """``parameter_overrides`` as (key, value) pairs: a string of space-separated pairs, or a list
    of such strings, as the SAM CLI takes them."""
    items = value if isinstance(value, list) else [value]
    out: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise ParameterFileError(shown, line, f"{section}.parameter_overrides must be a string or a list "
                                                  'of strings ("Key=Value Key2=Value2")')
        try:
            tokens = shlex.split(str(item), comments=False, posix=True)
        except ValueError as exc:
            raise ParameterFileError(shown, line, f"{section}.parameter_overrides: {exc}") from None
        for token in tokens:
            long_form = _LONG_FORM.match(token)
            if long_form:
                key, text = long_form.group(1), long_form.group(2)
            elif "=" in token and token.split("=", 1)[0]:
                key, text = token.split("=", 1)
            else:
                raise ParameterFileError(shown, line, f"{section}.parameter_overrides: expected KEY=VALUE, "
                                                      f"got {token[:80]!r}")
            out.append((key, text))
    return out


# --------------------------------------------------------------------------------------------------


def _text(path: str, shown: str, boundary: str | None) -> str:
    root = boundary or find_boundary(path)
    res = resolve(os.path.basename(path), os.path.dirname(os.path.abspath(path)), root)
    if res.refused is not None:
        raise ParameterFileError(shown, None, res.why())
    if res.stat is None:
        raise ParameterFileError(shown, None, "no such file")
    try:
        raw = read_regular(res, MAX_BYTES)
    except (ValueError, OSError) as exc:
        raise ParameterFileError(shown, None, f"cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParameterFileError(shown, raw[: exc.start].count(b"\n") + 1, "not UTF-8 text") from None


def _toml(text: str, shown: str) -> Any:
    try:
        import tomllib as toml
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as toml  # type: ignore[no-redef]
    try:
        return toml.loads(text)
    except toml.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        raise ParameterFileError(shown, int(found.group(1)) if found else None,
                                 f"invalid TOML: {str(exc).split(' (at line')[0]}") from None


def _yaml(text: str, shown: str) -> Any:
    from .loader import load_text

    try:
        return load_text(text, shown)
    except ParseError as exc:
        raise ParameterFileError(shown, exc.line, exc.message) from None


def _parts(text: str) -> tuple[str, ...]:
    """A TOML table header or dotted key as its parts: ``default . "deploy"`` -> (default, deploy)."""
    return tuple(p.strip().strip("\"'") for p in text.split("."))


def _header_line(text: str, parts: tuple[str, ...]) -> int | None:
    for n, raw in enumerate(text.splitlines(), start=1):
        m = re.match(r"^\s*\[([^\[\]]+)\]", raw)
        if m and _parts(m.group(1))[: len(parts)] == parts:
            return n
    return None


def _toml_key_line(lines: list[str], parts: tuple[str, ...]) -> int | None:
    """The line of the TOML key ``parts`` (env, command, parameters, parameter_overrides): a key
    under its table header, or a dotted key under a shorter one."""
    table: tuple[str, ...] = ()
    for n, raw in enumerate(lines, start=1):
        header = re.match(r"^\s*\[([^\[\]]+)\]", raw)
        if header:
            table = _parts(header.group(1))
            continue
        key = re.match(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=", raw)
        if key and table + _parts(key.group(1)) == parts:
            return n
    return None


def _pair_line(lines: list[str], key: str, start: int | None) -> int | None:
    """The line, from the parameter_overrides key on, where ``key=`` is written."""
    if start is None:
        return None
    pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(key)}=|ParameterKey={re.escape(key)},")
    for n in range(start, len(lines) + 1):
        if pattern.search(lines[n - 1]):
            return n
    return start
