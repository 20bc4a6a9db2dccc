"""Nested stacks (issue 8 item 10): an ``AWS::CloudFormation::Stack`` whose template is a local
file, and an ``AWS::Serverless::Application`` whose ``Location`` is one, are evaluated with the
``Parameters`` the parent passes, as part of the parent's document.

Where the child template is:

* a CDK nested stack: the resource's ``Metadata`` ``aws:asset:path`` (``aws:asset:property:
  TemplateURL``) names the ``*.nested.template.json`` beside the parent in ``cdk.out``;
* otherwise ``TemplateURL`` / ``Location``: a relative path (as ``aws cloudformation package`` and
  ``sam deploy`` take it before uploading) relative to the parent's folder. An ``s3://`` or
  ``https://`` URL, a Serverless Application Repository application and a value only known at
  deploy time are not followed: a notice says so.

The child is read inside the parent's read boundary; a cycle (a template including itself through
its children), more than :data:`MAX_DEPTH` levels or more than :data:`MAX_INSTANCES` nested stacks
under one scanned template are notices too.

Naming: a child resource is the nested stack's logical ID, ``/``, the child's logical ID
(``Api/OrdersFunction``; deeper, ``Api/Workers/Fn``), so two instances of one child template are
two sets of resources; findings point at the child template's lines. Parameters: each value the
parent passes is resolved in the parent (its parameters, mappings, conditions), or Unknown with the
reason; a parameter it does not pass takes the child's ``Default``. A value that references a
parent resource (``!GetAtt Queue.Arn``) links the child's use of the parameter to that resource,
so an event source mapping in the child is wired to the parent's queue.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..boundary import Notice, resolve
from ..model import ParseError, Resource, Unknown, is_unknown
from .intrinsics import Template, _fn
from .loader import CfnDict, load_text, read_text

if TYPE_CHECKING:  # pragma: no cover
    from .build import Builder

STACK = "AWS::CloudFormation::Stack"
APPLICATION = "AWS::Serverless::Application"
NESTED_TYPES = (STACK, APPLICATION)
#: Levels of nesting followed below a scanned template (CloudFormation sets no depth limit; real
#: applications nest two or three deep).
MAX_DEPTH = 8
#: Nested stack instances evaluated under one scanned template (the work stays bounded when a
#: template includes the same child many times).
MAX_INSTANCES = 200
_REMOTE = ("s3://", "https://", "http://")


@dataclass
class Nesting:
    """What a template evaluation needs to follow nested stacks: the read boundary, where notices
    go, the chain of templates above (real paths) and the instances counted so far."""

    boundary: str
    notices: list
    chain: tuple[str, ...] = ()
    count: list = field(default_factory=lambda: [0])
    #: real paths of every template evaluated as a nested stack under the scanned one
    included: list = field(default_factory=list)


def evaluate(b: "Builder", name: str, res: CfnDict, stack: Resource) -> list[Resource]:
    """The resources of the nested stack ``name`` (already named ``name/...``), or [] with a notice
    saying why it was not followed."""
    nest = b.nesting
    if nest is None:
        return []
    what = "nested application" if stack.type == APPLICATION else "nested stack"
    from .build import CfnDict_empty

    props = res.get("Properties") if isinstance(res.get("Properties"), CfnDict) else CfnDict_empty(res)
    source, line = _source(b, res, props, stack.type)
    line = line or stack.location.line

    def notice(message: str) -> list[Resource]:
        nest.notices.append(Notice(b.t.file, line, f"{what} {name}: {message}"))
        return []

    if not isinstance(source, str):
        return notice(source.reason)
    folder = os.path.dirname(os.path.abspath(b.t.file))
    found = resolve(source, folder, nest.boundary)
    if found.refused is not None:
        return notice(found.why("not followed"))
    if found.stat is None:
        return notice(f"{source} not found; not followed (its resources are not checked)")
    if not found.is_file:
        return notice(f"{source} is {found.kind()}, not a template; not followed")
    if found.path in nest.chain:
        return notice(f"{source} includes this template (a cycle); not followed")
    if len(nest.chain) > MAX_DEPTH:
        return notice(f"nested more than {MAX_DEPTH} levels deep; not followed")
    if nest.count[0] >= MAX_INSTANCES:
        return notice(f"more than {MAX_INSTANCES} nested stacks under one template; not followed")
    nest.count[0] += 1
    from ..discovery import display_path
    from .build import Builder

    shown = display_path(found.path)
    try:
        data = load_text(read_text(found.path), shown)
        if not isinstance(data, CfnDict) or not isinstance(data.get("Resources"), dict):
            return notice(f"{shown} is not a CloudFormation template (no Resources mapping); not evaluated")
        params, refs = _passed(b, props, name, stack)
        child = Template(shown, data, params)
        child.external_refs = refs
        inner = Nesting(nest.boundary, nest.notices, nest.chain + (found.path,), nest.count, nest.included)
        doc = Builder(child, inner).build(link_units=False)
    except ParseError as exc:
        return notice(f"{exc.file}:{exc.line or 0}: {exc.message}; not evaluated")
    except RecursionError:
        return notice(f"{shown} is nested too deeply to read; not evaluated")
    nest.included.append(found.path)
    b.doc.files.extend(f for f in doc.files if f not in b.doc.files)
    return _named(doc.resources, name, stack, what)


def _source(b: "Builder", res: CfnDict, props: CfnDict, rtype: str) -> tuple[Any, int | None]:
    """The child template's local path, or Unknown saying why there is none; and the line."""
    meta = res.get("Metadata")
    if (isinstance(meta, CfnDict) and isinstance(meta.get("aws:asset:path"), str)
            and meta.get("aws:asset:property") == "TemplateURL"):
        return meta["aws:asset:path"], meta.line_of("aws:asset:path")
    key = "Location" if rtype == APPLICATION else "TemplateURL"
    if key not in props:
        return Unknown(f"no {key}; not followed"), None
    line = props.line_of(key)
    value = b.t.value(props[key])
    if isinstance(value, dict) and rtype == APPLICATION:
        app = b.t.render(value.get("ApplicationId")) if "ApplicationId" in value else "?"
        return Unknown(f"Location is a Serverless Application Repository application ({app}); not followed "
                       "(its resources are not checked)"), line
    if isinstance(value, str) and value.lower().startswith(_REMOTE):
        return Unknown(f"{key} {value} is not a local file; not followed (its resources are not checked)"), line
    if is_unknown(value):
        return Unknown(f"{key} is not known statically ({value.reason}); not followed "
                       "(its resources are not checked)"), line
    if not isinstance(value, str) or "${" in value or "{{resolve:" in value:
        return Unknown(f"{key} {b.t.render(props[key])} is only known at deploy time; not followed "
                       "(its resources are not checked)"), line
    return value, line


def _passed(b: "Builder", props: CfnDict, name: str, stack: Resource) -> tuple[tuple, dict]:
    """The parameter values the parent passes, as (key, value or Unknown, where), and the
    parameters that stand for a parent resource (``!Ref Queue``, ``!GetAtt Queue.Arn``)."""
    params = props.get("Parameters")
    if not isinstance(params, CfnDict) or _fn(params) is not None:
        return (), {}
    out: list[tuple[str, Any, str]] = []
    refs: dict[str, tuple[str, str | None, None]] = {}
    for key, value in params.items():
        line = params.line_of(key)
        s = b.t.setting(value, line)
        if s.value is None and _fn(value) is not None:
            continue  # Fn::If ... AWS::NoValue: not passed, the child's Default applies
        via = f" <- {s.note.split(', referenced at line')[0]}" if s.note else ""
        where = f"{b.t.file}:{line} [{name} Parameters{via}]"
        out.append((str(key), _as_text(s.value, key), where))
        f = _fn(value)
        if f is not None and f[0] in ("Ref", "Fn::GetAtt"):
            targets = b.refs(value)
            if len(targets) == 1:
                refs[str(key)] = (targets[0][0], targets[0][1], None)
    return tuple(out), refs


def _as_text(value: Any, key: str) -> Any:
    """A parameter value as CloudFormation passes it: text (a list comma-separated), or Unknown."""
    if is_unknown(value):
        return Unknown(f"the value the parent passes for {key}: {value.reason}")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in value):
        return ",".join(str(v) for v in value)
    return Unknown(f"the value the parent passes for {key} is not a literal value")


def _named(resources: list[Resource], name: str, stack: Resource, what: str) -> list[Resource]:
    """The child's resources named ``name/<address>``, with the references among them renamed
    the same way (a reference to a parent resource keeps its name), each noting the nested stack
    it belongs to, related to the parent's stack resource, and maybe not created when it is not."""
    own = {r.address for r in resources}
    prefix = f"{name}/"
    for r in resources:
        r.address = prefix + r.address
        if r.declared_by:
            r.declared_by = prefix + r.declared_by
        for e in r.edges:
            e.source = prefix + e.source
            if e.target in own:
                e.target = prefix + e.target
        r.related.append(stack.location)
        r.notes.append(f"in {what} {name} ({stack.location})")
        if stack.may_not_exist and not r.may_not_exist:
            r.may_not_exist = f"{what} {name}: {stack.may_not_exist}"
    return resources
