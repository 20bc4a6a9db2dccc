"""Terraform plan JSON front end: a ``terraform show -json`` file into the same model as the other
front ends.

``load(path, boundary)`` is the only entry point the runner uses. The plan holds what Terraform
resolved: every resource instance (``count`` / ``for_each`` / module instances expanded, addressed
as Terraform prints them), its planned values, which of them are known only after apply
(``after_unknown``) and which are sensitive (``after_sensitive``: never read, never printed), and
the configuration's references (``configuration``: ``expressions.<arg>.references``), which become
edges. Attributes are read through the kinds table's Terraform spellings (a plan's values use the
provider's argument names, as HCL does).

Where findings point: when the ``.tf`` files of the configuration lie beside the plan, at the
resource blocks in them (parsed by the HCL front end, inside the read boundary); otherwise at the
plan file, on the line of the resource's entry in the plan JSON (``terraform show -json`` writes
one line: pretty-print it, ``jq . plan.json``, for a line per entry).

A file that cannot be read raises :class:`computefit.model.ParseError` naming the file and line.
"""

from __future__ import annotations

import json
import re

from ..lazyre import LazyPattern as _lazy
from ..model import Document, ParseError

__all__ = ["load", "json_span"]

#: The largest plan read, as for a Terraform JSON file (the position-recording reader takes about
#: 0.3 s per MB).
MAX_PLAN_BYTES = 10 * 1024 * 1024

_JSON_START = _lazy(r"^\s*\{", re.M)


def json_span(text: str) -> tuple[int, int] | None:
    """Where the plan's JSON document starts and ends in ``text``: the first line that opens an
    object. The ``setup-terraform`` wrapper writes a ``[command]...`` line before it and
    ``::debug::`` lines after it; anything outside the span is ignored."""
    for mt in _JSON_START.finditer(text):
        start = mt.end() - 1
        try:
            _, end = json.JSONDecoder().raw_decode(text, start)
        except ValueError:
            return start, len(text)  # the reader reports the syntax error with its line
        return start, end
    return None


def load(path: str, boundary: str | None = None, notices: list | None = None,
         search_root: str | None = None) -> tuple[Document, list, set[str]]:
    """The plan's Document; the errors of the ``.tf`` files read for its source lines; the
    folders of those files (the configuration it was planned from, read inside ``boundary``).
    What the boundary refused is appended to ``notices``. Without ``.tf`` files beside the plan,
    the folder under ``search_root`` (``--root``) that declares its root module is used."""
    from ..jsonpos import JsonSyntaxError, read_json_value
    from .build import build_document

    from ..discovery import read_input

    raw = read_input(path, MAX_PLAN_BYTES, "a plan")
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise ParseError(path, raw[:exc.start].count(b"\n") + 1, "file is not UTF-8 text") from None
    span = json_span(text)
    if span is None:
        raise ParseError(path, 1, "not a Terraform plan: no JSON object")
    start, end = span
    # blank what lies outside the document, keeping its line breaks, so lines stay the file's
    blanked = re.sub(r"[^\n]", " ", text[:start]) + text[start:end] + re.sub(r"[^\n]", " ", text[end:])
    try:
        data = read_json_value(blanked)
    except JsonSyntaxError as exc:
        raise ParseError(path, exc.line, exc.message) from None
    except RecursionError:
        raise ParseError(path, None, "plan is nested too deeply to read") from None
    if not isinstance(data, dict) or "format_version" not in data or not (
            "planned_values" in data or "resource_changes" in data):
        raise ParseError(path, 1, "not a Terraform plan: no format_version with planned_values or "
                                  "resource_changes (a `terraform show -json` of a plan file)")
    return build_document(path, data, boundary, notices, search_root)
