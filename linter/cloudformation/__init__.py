"""CloudFormation front end: read a template (YAML, JSON, SAM, CDK output) into the compute model.

``load(path)`` is the only entry point the runner uses. A template that cannot be read raises
:class:`computefit.model.ParseError` naming the file and line.
"""

from __future__ import annotations

from .. import budget
from ..model import Document, ParseError
from .build import Builder
from .intrinsics import Template
from .loader import CfnDict, load_text, read_text


def load(path: str, parameters: tuple[tuple[str, str, str], ...] = ()) -> Document:
    """``parameters``: (key, value text, where) values overriding the parameters' defaults."""
    with budget.file_budget(path):  # past it, a ParseError: an error entry, and the scan goes on
        data = load_text(read_text(path), path)
        if not isinstance(data, CfnDict):
            raise ParseError(path, 1, "not a CloudFormation template: the top level is not a mapping")
        resources = data.get("Resources")
        if not isinstance(resources, dict):
            line = data.line_of("Resources") if "Resources" in data else 1
            raise ParseError(path, line, "not a CloudFormation template: no Resources mapping")
        doc = Builder(Template(path, data, parameters)).build()
        doc.generated_by = generator(data)
        return doc


#: Tools that generate CloudFormation from source code and say so in the template.
_GENERATORS = ("Amazon.Lambda.Annotations",)


def generator(data: dict) -> str | None:
    """The tool that generated a template, as its Description says ("This template is partially
    managed by Amazon.Lambda.Annotations"); None otherwise. A resource's ``Metadata.Tool`` alone
    does not make the template generated: hand-written templates carry it on synced functions."""
    description = data.get("Description")
    if not isinstance(description, str):
        return None
    return next((tool for tool in _GENERATORS if f"managed by {tool}" in description), None)
