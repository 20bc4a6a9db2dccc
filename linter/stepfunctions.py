"""Step Functions state machine definitions (Amazon States Language) as the model holds them.

A state machine's definition reaches the model in one of three attributes (``data/kinds.toml``):
``definition_body`` (CloudFormation ``Definition`` or ``DefinitionString``, Terraform
``definition`` from ``jsonencode()``, ``templatefile()``, ``file()`` or a heredoc), or
``definition_file`` (the text of a SAM ``DefinitionUri`` local file), with CloudFormation
``DefinitionSubstitutions`` applied to ``${name}`` placeholders. :func:`definition` turns them
into one parsed document (or Unknown with the reason); :func:`states` walks every state, nested
ones included (Parallel branches, Map ``ItemProcessor`` / ``Iterator``).

References the front ends could not resolve stay as ``${...}`` placeholders. Inside a JSON string
they are text; outside one (``"TimeoutSeconds": ${timeout}``) they are read as null, so an unknown
number is never guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from .lazyre import LazyPattern as _lazy
from .model import Setting, Unknown, is_unknown

_PLACEHOLDER = _lazy(r"\$\{[^{}]*\}")


@dataclass
class Definition:
    doc: Any  # the parsed definition (a dict), or Unknown
    setting: Setting | None  # where it is written (the property, the file's DefinitionUri line)
    source: str  # "Definition", "definition file statemachine/x.asl.json", ...


@dataclass(frozen=True)
class StateRef:
    path: str  # "Process > Map ItemProcessor > Export" : where the state sits
    name: str
    state: dict
    #: the workflow that runs this state is an Express one nested in the machine (a Distributed
    #: Map whose ProcessorConfig.ExecutionType is EXPRESS): its limits apply whatever the parent
    express_child: bool = False


def _unquoted_placeholders_to_null(text: str) -> str:
    """``${...}`` outside JSON strings become ``null`` (inside strings they stay text)."""
    out: list[str] = []
    i, n, in_str = 0, len(text), False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
        elif c == '"':
            in_str = True
            out.append(c)
        elif text.startswith("${", i):
            end = text.find("}", i)
            if end < 0:
                out.append(text[i:])
                break
            out.append("null")
            i = end + 1
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def parse(text: str) -> Any:
    """A definition's text (JSON, or YAML for ``.asl.yaml`` files) as a dict, or Unknown."""
    stripped = text.strip()
    if not stripped:
        return Unknown("the definition is empty")
    try:
        doc = json.loads(_unquoted_placeholders_to_null(stripped))
    except ValueError as exc:
        try:
            import yaml

            doc = yaml.safe_load(stripped)
        except Exception:  # noqa: BLE001 - any YAML error: the text is neither
            return Unknown(f"the definition is neither JSON nor YAML ({exc})")
    if not isinstance(doc, dict):
        return Unknown("the definition is not an object")
    return doc


def substitute(value: Any, subs: dict[str, str]) -> Any:
    """``${name}`` replaced by the DefinitionSubstitutions value, in text or in every string of
    a parsed document."""
    if not subs:
        return value
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda mt: subs.get(mt.group(0)[2:-1], mt.group(0)), value)
    if isinstance(value, dict):
        return {k: substitute(v, subs) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, subs) for v in value]
    return value


def definition(res: Any) -> Definition | None:
    """The parsed definition of a state machine resource; None when it has none in the source."""
    body = res.setting("definition_body")
    file = res.setting("definition_file")
    setting = body if body is not None else file
    if setting is None:
        return None
    source = "definition" if body is not None else (setting.note or "definition file")
    value = setting.value
    if is_unknown(value):
        return Definition(value, setting, source)
    subs_s = res.setting("definition_substitutions")
    subs = subs_s.value if subs_s is not None and isinstance(subs_s.value, dict) else {}
    subs = {str(k): v for k, v in subs.items() if isinstance(v, str)}
    if isinstance(value, str):
        doc = parse(substitute(value, subs))
    elif isinstance(value, dict):
        doc = substitute(value, subs)
    else:
        doc = Unknown("the definition is not an object")
    return Definition(doc, setting, source)


def states(doc: dict, prefix: str = "", express_child: bool = False, depth: int = 0) -> Iterator[StateRef]:
    """Every state of a definition, nested states included, in document order."""
    table = doc.get("States")
    if not isinstance(table, dict) or depth > 20:
        return
    for name, st in table.items():
        if not isinstance(st, dict):
            continue
        path = f"{prefix}{name}"
        yield StateRef(path, str(name), st, express_child)
        kind = st.get("Type")
        if kind == "Parallel":
            for i, branch in enumerate(st.get("Branches") or []):
                if isinstance(branch, dict):
                    yield from states(branch, f"{path} > branch {i + 1} > ", express_child, depth + 1)
        elif kind == "Map":
            for key in ("ItemProcessor", "Iterator"):
                proc = st.get(key)
                if isinstance(proc, dict):
                    cfg = proc.get("ProcessorConfig") if isinstance(proc.get("ProcessorConfig"), dict) else {}
                    child = express_child or (str(cfg.get("Mode", "")).upper() == "DISTRIBUTED"
                                              and str(cfg.get("ExecutionType", "")).upper() == "EXPRESS")
                    yield from states(proc, f"{path} > {key} > ", child, depth + 1)


def seconds(v: Any) -> float | None:
    """A number of seconds (``TimeoutSeconds``); digits as text count (a CloudFormation parameter
    rendered into an object definition); a placeholder or anything else is unknown (None)."""
    if isinstance(v, str) and v.strip().isdigit():
        return float(v)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def integration_pattern(resource: Any) -> str | None:
    """``sync`` or ``callback`` for a Task Resource that waits (``.sync``, ``.sync:2``,
    ``.waitForTaskToken``); None for request-response or a resource that is not text."""
    if not isinstance(resource, str):
        return None
    tail = resource.rsplit(":::", 1)[-1] if ":::" in resource else resource
    if re.search(r"\.sync(:\d+)?$", tail):
        return "sync"
    if tail.endswith(".waitForTaskToken"):
        return "callback"
    return None
