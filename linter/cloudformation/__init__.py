"""CloudFormation front end: read a template (YAML, JSON, SAM, CDK output) into the compute model.

``load(path)`` is the only entry point the runner uses. A template that cannot be read raises
:class:`computefit.model.ParseError` naming the file and line.
"""

from __future__ import annotations

import os

from .. import budget
from ..model import Document, ParseError
from .build import Builder
from .intrinsics import Template
from .loader import CfnDict, load_text, read_text


def load(path: str, parameters: tuple[tuple[str, str, str], ...] = (), *, boundary: str | None = None,
         sam_env: str | None = None, sam_values: tuple[tuple[str, str, str], ...] | None = None,
         notices: list | None = None, errors: list | None = None) -> Document:
    """``parameters``: (key, value text, where) values overriding the parameters' defaults.
    ``boundary``: the read boundary for the files the template names (default: found from the
    template). ``sam_values``: the parameter_overrides of a named samconfig file; when None, those
    of the samconfig file beside the template (environment ``sam_env``, default ``default``), if
    any. Either ranks below ``parameters``. What was not read is appended to ``notices``; a
    samconfig file that cannot be read is an entry of ``errors`` (the template is read without it)."""
    notices = notices if notices is not None else []
    errors = errors if errors is not None else []
    if sam_values is None:
        sam_values = _samconfig_beside(path, boundary, sam_env, notices, errors)
    parameters = tuple(sam_values) + tuple(parameters)
    with budget.file_budget(path):  # past it, a ParseError: an error entry, and the scan goes on
        data = load_text(read_text(path), path)
        if not isinstance(data, CfnDict):
            raise ParseError(path, 1, "not a CloudFormation template: the top level is not a mapping")
        resources = data.get("Resources")
        if not isinstance(resources, dict):
            line = data.line_of("Resources") if "Resources" in data else 1
            raise ParseError(path, line, "not a CloudFormation template: no Resources mapping")
        from ..boundary import find_boundary
        from .nested import Nesting

        nesting = Nesting(boundary or find_boundary(path), notices, (os.path.realpath(path),))
        doc = Builder(Template(path, data, parameters), nesting).build()
        doc.generated_by = generator(data)
        return doc


def _samconfig_beside(path: str, boundary: str | None, env: str | None, notices: list, errors: list) -> tuple:
    from ..boundary import Notice
    from ..discovery import display_path
    from ..model import FileError
    from . import samconfig
    from .parameters import ParameterFileError

    found = samconfig.beside(path, boundary)
    if found is None:
        return ()
    shown = display_path(found)
    try:
        values, has_env = samconfig.read(found, env or samconfig.DEFAULT_ENV, shown, boundary)
    except ParameterFileError as exc:
        errors.append(FileError(exc.file, exc.line, f"{exc.message} (the template beside it is read without it)"))
        return ()
    if not has_env and env:
        notices.append(Notice(shown, None, f"no environment {env} in this samconfig file; its parameter_overrides "
                                           f"are not applied to {display_path(path)}"))
    return tuple(values)


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
