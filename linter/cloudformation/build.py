"""The CloudFormation front end: every resource of a loaded template (YAML, JSON, SAM, CDK output)
as a neutral :class:`~computefit.model.Resource`, with its canonical attributes (from the kinds
table) and its references as edges. SAM's shorthand (Globals, AutoPublishAlias, FunctionUrlConfig,
Events) is expanded here into the resources SAM would generate, so that the linker sees the same
shape as for plain CloudFormation and Terraform."""

from __future__ import annotations

import os
import re
from typing import Any, Iterable

from .. import kinds as kt
from ..boundary import find_boundary, read_regular, resolve
from ..lazyre import LazyPattern as _lazy
from .. import model as m
from .. import userdata
from ..linker import link
from ..model import Document, Edge, Location, Resource, Setting, Unknown, is_unknown
from . import nested
from .intrinsics import Template, _fn
from .loader import CfnDict, CfnList

SAM_FUNCTION = "AWS::Serverless::Function"
#: SAM function properties expanded into the resources SAM generates (not raw properties).
SAM_EXPANDED = ("AutoPublishAlias", "ProvisionedConcurrencyConfig", "FunctionUrlConfig", "Events")
SAM_STATE_MACHINE = "AWS::Serverless::StateMachine"
#: SAM APIs, and the type and kind of the authorizer SAM generates for each Lambda authorizer.
SAM_APIS = {"AWS::Serverless::Api": ("AWS::ApiGateway::Authorizer", "api_authorizer"),
            "AWS::Serverless::HttpApi": ("AWS::ApiGatewayV2::Authorizer", "api_v2_authorizer")}
#: The SAM event types that become an EventBridge rule or a Scheduler schedule.
_SAM_SCHEDULE_EVENTS = ("Schedule", "ScheduleV2", "EventBridgeRule", "CloudWatchEvent")
LANG = kt.CLOUDFORMATION

# Placeholders the renderer leaves for references: ${Name} or ${Name.Attr}, optionally followed by
# ":qualifier" (an alias or version appended to a function ARN). A qualifier that is itself an
# unresolved placeholder (":${Stage}") is captured whole so that it is not mistaken for "$".
_REF_IN_TEXT = _lazy(r"\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}(?::(\$\{[^}]*\}|[A-Za-z0-9_$-]+))?")

#: SAM event types: the kind of the resource SAM generates for the event, and for events that
#: become a permission or an event source mapping, the principal or source service.
_SAM_EVENTS = {
    "Api": ("rest_method", None),
    "HttpApi": ("api_v2_integration", None),
    "Schedule": ("eventbridge_rule", None),
    "ScheduleV2": ("scheduler_schedule", None),
    "EventBridgeRule": ("eventbridge_rule", None),
    "CloudWatchEvent": ("eventbridge_rule", None),
    "SQS": ("event_source_mapping", "sqs"),
    "Kinesis": ("event_source_mapping", "kinesis"),
    "DynamoDB": ("event_source_mapping", "dynamodb"),
    "MSK": ("event_source_mapping", "kafka"),
    "SelfManagedKafka": ("event_source_mapping", "kafka"),
    "MQ": ("event_source_mapping", "mq"),
    "S3": ("s3_notification", None),
    "SNS": ("sns_subscription", None),
    "Cognito": ("cognito_user_pool", None),
    "CloudWatchLogs": ("lambda_permission", "logs"),
    "IoTRule": ("lambda_permission", "iot"),
}
#: The property of a SAM event that names its source.
_SAM_EVENT_SOURCE = {"SQS": "Queue", "Kinesis": "Stream", "DynamoDB": "Stream", "MSK": "Stream",
                     "MQ": "Broker"}


def _props(res: Any) -> CfnDict:
    p = res.get("Properties") if isinstance(res, dict) else None
    return p if isinstance(p, CfnDict) else CfnDict_empty(res)


def CfnDict_empty(res: Any) -> CfnDict:  # noqa: N802 - tiny factory
    d = CfnDict()
    d.line = getattr(res, "line", 0)
    d.end_line = getattr(res, "end_line", d.line)
    d.key_lines = {}
    return d


def _decode_user_data(text: Any) -> Any:
    """Literal base64 user data (rare outside CDK, maybe gzip) is decoded; scripts stay as they are."""
    return userdata.decode_if_base64(text) if isinstance(text, str) else text


def _unresolved_names(text: str) -> tuple[str, ...]:
    """The references the renderer left unresolved in a text (``${DbHost}``), except AWS pseudo
    parameters (``${AWS::Region}``), which are known at deploy time."""
    return tuple(dict.fromkeys(n for n in re.findall(r"\$\{([^}]+)\}", text) if not n.startswith("AWS::")))


def _segments(path: str) -> list[tuple[str, str | None, str | None]]:
    """'Subscription[Protocol=lambda].Endpoint' -> [('Subscription', '[]', 'Protocol=lambda'), ('Endpoint', None, None)]."""
    out = []
    for part in path.split("."):
        mt = re.match(r"^([^\[]+)(\[([^\]]*)\])?$", part)
        if mt is None:
            out.append((part, None, None))
        else:
            out.append((mt.group(1), "[]" if mt.group(2) else None, mt.group(3) or None))
    return out


class Builder:
    def __init__(self, tpl: Template, nesting: "nested.Nesting | None" = None) -> None:
        self.t = tpl
        #: how nested stacks are followed (None: they are not)
        self.nesting = nesting
        self.doc = Document(path=tpl.file, source_format="cloudformation", files=[tpl.file])
        self.res = tpl.resources
        globals_ = tpl.data.get("Globals")
        fn_globals = globals_.get("Function") if isinstance(globals_, dict) else None
        self.fn_globals: CfnDict | None = fn_globals if isinstance(fn_globals, CfnDict) else None
        #: addresses of the resources SAM generates (FnAliaslive), so references to them resolve
        self.implicit: set[str] = set()
        self.auto_alias: dict[str, str] = {}  # SAM function -> its generated alias resource
        #: resources whose Condition is known false (not created: left out, nothing references
        #: them) and those whose Condition is not known (kept, with why they may not exist)
        self.absent: set[str] = set()
        self.maybe: dict[str, str] = {}
        self.given: dict[str, str] = {}
        for name in self.res:
            created, why = tpl.resource_condition(name)
            if created is False:
                self.absent.add(name)
            elif created is None:
                self.maybe[name] = why
            elif "(" in why:  # created because of a given parameter value: say so in the evidence
                self.given[name] = why

    # -- utilities -------------------------------------------------------------------------
    def rtype(self, name: str) -> str | None:
        return self.t.resource_type(name)

    def res_line(self, name: str) -> int:
        return self.res.line_of(name) if isinstance(self.res, CfnDict) else 0

    def loc(self, line: int | None) -> Location:
        return self.t.loc(line)

    def known(self, name: str) -> bool:
        return (name in self.res and name not in self.absent) or name in self.implicit

    def refs(self, value: Any) -> list[tuple[str, str | None, str | None]]:
        """Resources a value references: (logical id, attribute, appended qualifier)."""
        f = _fn(value)
        if f is not None and f[0] == "Ref" and isinstance(f[1], str) and f[1] in self.t.external_refs:
            return [self.t.external_refs[f[1]]]  # a parameter the parent stack set to one of its resources
        if f is not None and f[0] == "Ref" and isinstance(f[1], str):
            name = f[1]
            if "." in name:  # SAM: !Ref Fn.Alias / Fn.Version
                base, attr = name.split(".", 1)
                return [(base, attr, None)]
            return [(name, "Ref", None)] if self.known(name) else []
        if f is not None and f[0] == "Fn::GetAtt":
            arg = f[1]
            if isinstance(arg, str) and "." in arg:
                arg = arg.split(".", 1)
            if isinstance(arg, list) and arg and isinstance(arg[0], str) and self.known(arg[0]):
                return [(arg[0], str(arg[1]) if len(arg) > 1 else None, None)]
        passed = []
        if f is not None and f[0] == "Fn::Sub" and self.t.external_refs:
            # ${Param} of a parameter the parent stack set to one of its resources (a name the
            # Sub's own variable map binds is not the parameter)
            body, own = (f[1][0], f[1][1]) if isinstance(f[1], list) and len(f[1]) > 1 else (f[1], {})
            names = [a for a, b, _c in _REF_IN_TEXT.findall(body) if not b] if isinstance(body, str) else []
            passed = [self.t.external_refs[a] for a in dict.fromkeys(names)
                      if a in self.t.external_refs and not (isinstance(own, dict) and a in own)]
        text = self.t.render(value) if not isinstance(value, str) else value
        return passed + ([(a, b or "Ref", c or None) for a, b, c in _REF_IN_TEXT.findall(text)
                          if self.known(a)] if isinstance(text, str) else [])

    def edges(self, source: str, via: str, value: Any, line: int | None) -> list[Edge]:
        """The edges a value holding references makes; a literal (an imported ARN, a name) is one
        edge to nothing, with the literal text."""
        out = []
        for name, attr, suffix in self.refs(value):
            if attr == "Alias" and name in self.auto_alias:
                name, attr = self.auto_alias[name], "Ref"
            qualifier: Any = suffix
            if suffix and suffix.startswith("${"):
                qualifier = Unknown(f"qualifier {suffix} is only known at deploy time")
            out.append(Edge(source, via, name, attr, qualifier, None, self.loc(line)))
        if not out and value is not None:
            literal = self.t.value(value)
            if isinstance(literal, str) or is_unknown(literal):
                out.append(Edge(source, via, None, None, None, literal, self.loc(line)))
        return out

    def deep_edges(self, source: str, via: str, value: Any, line: int | None) -> list[Edge]:
        """Edges for every reference anywhere inside a value (state machine definitions)."""
        out: list[Edge] = []
        seen: set[tuple] = set()
        stack = [value]
        while stack:
            v = stack.pop(0)
            f = _fn(v)
            if f is not None or (isinstance(v, str) and "${" in v):
                for e in self.edges(source, via, v, line):
                    if e.target and (e.target, e.ref, str(e.qualifier)) not in seen:
                        seen.add((e.target, e.ref, str(e.qualifier)))
                        out.append(e)
                if f is not None and f[0] == "Fn::Sub" and isinstance(f[1], list) and len(f[1]) > 1:
                    stack.append(f[1][1])
                continue
            if isinstance(v, dict):
                stack.extend(v.values())
            elif isinstance(v, list):
                stack.extend(v)
        return out

    # -- reading attributes ------------------------------------------------------------------
    def walk(self, node: Any, path: str) -> list[tuple[Any, int | None, str | None]]:
        """(value, line, blocker) for each value at ``path`` under ``node``. ``blocker`` names a
        property that could not be read statically (an Fn::If over a whole object)."""
        items: list[tuple[Any, int | None, str | None]] = [(node, getattr(node, "line", None), None)]
        segs = _segments(path)
        for i, (key, lst, filt) in enumerate(segs):
            nxt: list[tuple[Any, int | None, str | None]] = []
            for cur, line, blocker in items:
                if blocker is not None:
                    nxt.append((cur, line, blocker))
                    continue
                if _fn(cur) is not None:
                    resolved = self.t.value(cur)
                    if isinstance(resolved, dict) and _fn(resolved) is None:
                        cur = resolved
                    elif resolved is None:
                        continue
                    else:
                        nxt.append((cur, line, segs[i - 1][0] if i else key))
                        continue
                if not isinstance(cur, dict):
                    continue
                if key == "**":
                    nxt.append((cur, line, None))
                    continue
                keys = list(cur.keys()) if key == "*" else [key]
                for k in keys:
                    if k not in cur:
                        continue
                    v = cur[k]
                    kline = cur.line_of(k) if isinstance(cur, CfnDict) else line
                    if lst:
                        if not isinstance(v, list):
                            continue
                        for j, item in enumerate(v):
                            if filt and isinstance(item, dict):
                                fk, fv = filt.split("=", 1)
                                if str(self.t.value(item.get(fk))).lower() != fv.lower():
                                    continue
                            iline = getattr(item, "line", None) or (v.line_of(j) if isinstance(v, CfnList) else kline)
                            nxt.append((item, iline, None))
                    else:
                        nxt.append((v, kline, None))
            items = nxt
        return items

    def read(self, r: Resource, props: Any, *, only: Iterable[str] | None = None,
             globals_: CfnDict | None = None) -> None:
        """Fill ``r``'s canonical attributes and edges from ``props`` (and SAM Globals)."""
        for a, paths in kt.attributes(r.kind, LANG):
            if only is not None and a.name not in only:
                continue
            for path in paths:
                found = self.walk(props, path)
                from_globals = False
                if not found and globals_ is not None and path.split(".")[0] in globals_:
                    found, from_globals = self.walk(globals_, path), True
                if not found:
                    continue
                if a.type == "ref":
                    for value, line, blocker in found:
                        if path.endswith("**"):
                            r.edges.extend(self.deep_edges(r.address, a.name, value, line))
                        else:
                            r.edges.extend(self.edges(r.address, a.name, value, line))
                    continue
                if a.name in r.attributes:
                    break
                value, line, blocker = found[0]
                if blocker is not None:
                    s = self.t.setting(value, line)
                    if s.value is None:
                        continue
                    s = Setting(Unknown(f"{blocker} could not be read statically"), s.location,
                                m.ORIGIN_UNKNOWN, s.note)
                elif a.type in ("document", "file"):
                    s = self.document(value, line, a.type == "file")
                else:
                    s = self.t.setting(value, line)
                    if s.value is None and _fn(value) is not None:
                        continue  # Fn::If ... AWS::NoValue: the property is removed
                if a.name == "tags" and isinstance(s.value, list):
                    s.value = {str(self.t.value(t["Key"])): self.t.render(t.get("Value"))
                               for t in s.value if isinstance(t, dict) and "Key" in t}
                if a.type == "text":
                    s.value = _decode_user_data(s.value)
                    if isinstance(s.value, str):
                        s.unresolved = _unresolved_names(s.value)
                if from_globals:
                    prop = path.split(".")[0]
                    via = s.note
                    s.origin = m.ORIGIN_GLOBALS
                    s.note = f"Globals.Function.{prop}" + (f" ({via})" if via else "")
                    if "." not in path:  # the line to edit is the Globals entry
                        s.location = self.loc(globals_.line_of(prop))
                r.attributes[a.name] = s
                break

    def read_unmapped(self, r: Resource, props: CfnDict, expanded: Iterable[str] = ()) -> None:
        """The properties the kinds table does not map: kept raw for ``computefit model``, with an
        edge (via ``property:<Name>``) for every reference they hold. Checks and the linker never
        read them."""
        mapped = kt.mapped_keys(r.kind, LANG) | set(expanded)
        for key, value in props.items():
            if key in mapped:
                continue
            r.raw[key] = value
            r.edges.extend(self.deep_edges(r.address, f"property:{key}", value, props.line_of(key)))

    def document(self, value: Any, line: int | None, is_file: bool) -> Setting:
        """A document property (a state machine definition): an object with its intrinsic functions
        rendered as ``${...}`` placeholders, or its text; for a ``file`` attribute, the text of the
        local file it names (an S3 location is not read). A document an ``Fn::Transform``
        (``AWS::Include``) inserts at deploy time is unknown."""
        f = _fn(value)
        if f is not None and f[0] == "Fn::Transform":
            arg = f[1] if isinstance(f[1], dict) else {}
            params = arg.get("Parameters") if isinstance(arg.get("Parameters"), dict) else {}
            where = f" from {self.t.render(params['Location'])}" if "Location" in params else ""
            return Setting(Unknown(f"included at deploy time by Fn::Transform {self.t.render(arg.get('Name'))}{where}, "
                                   "not read"), self.loc(line), m.ORIGIN_UNKNOWN)
        if not is_file:
            if _fn(value) is not None:
                return self.t.setting(value, line)
            return Setting(_plain(self.t, value), self.loc(line), m.ORIGIN_LITERAL)
        path = self.t.value(value)
        if isinstance(path, dict):
            where = "/".join(str(self.t.render(path.get(k))) for k in ("Bucket", "Key") if k in path)
            return Setting(Unknown(f"the definition is in S3 ({where}), not read"), self.loc(line), m.ORIGIN_UNKNOWN)
        if not isinstance(path, str) or "${" in path:
            return Setting(Unknown(f"DefinitionUri {path} is not known statically"), self.loc(line), m.ORIGIN_UNKNOWN)
        if path.startswith("s3://"):
            return Setting(Unknown(f"the definition is in S3 ({path}), not read"), self.loc(line), m.ORIGIN_UNKNOWN)
        text = read_local_file(self.t.file, path, self.nesting.boundary if self.nesting else None)
        origin = m.ORIGIN_UNKNOWN if is_unknown(text) else m.ORIGIN_LITERAL
        return Setting(text, self.loc(line), origin, note=f"definition file {path}")

    # -- resources -------------------------------------------------------------------------
    def resource(self, name: str, res: CfnDict) -> Resource:
        rtype = res.get("Type")
        rtype = rtype if isinstance(rtype, str) else str(rtype)
        r = Resource(address=name, type=rtype, kind=kt.kind_of(rtype), location=self.loc(self.res_line(name)),
                     source_format="cloudformation", end_line=getattr(res, "end_line", None))
        meta = res.get("Metadata")
        if isinstance(meta, dict):
            r.metadata_suppressions = _suppressions(meta)
            path = meta.get("aws:cdk:path")
            if isinstance(path, str) and path.strip():
                r.construct_path = path.strip()
        return r

    def implicit_resource(self, declarer: Resource, address: str, rtype: str, kind: str, line: int) -> Resource:
        return Resource(address=address, type=rtype, kind=kind, location=self.loc(line),
                        source_format="cloudformation", end_line=line, declared_by=declarer.address,
                        construct_path=declarer.construct_path)

    def build(self, link_units: bool = True) -> Document:
        """The document of the template. ``link_units`` False (a nested stack's template, whose
        resources join its parent's document): neither normalised nor linked."""
        top_meta = self.t.data.get("Metadata")
        if isinstance(top_meta, dict):
            self.doc.metadata_suppressions = _suppressions(top_meta)
        # SAM's generated aliases first: references to them (!Ref Fn.Alias, ${FnAliaslive}) resolve
        for name, res in self.res.items():
            if name in self.absent:
                continue
            if isinstance(res, dict) and res.get("Type") == SAM_FUNCTION:
                alias = self.sam_value(_props(res), "AutoPublishAlias")
                if alias is not None:
                    alias_name = self.t.value(alias[0])
                    address = f"{name}Alias{alias_name if isinstance(alias_name, str) else ''}"
                    self.implicit.add(address)
                    self.auto_alias[name] = address
        implicit: list[Resource] = []
        children: list[Resource] = []
        for name, res in self.res.items():
            if not isinstance(res, dict) or name in self.absent:
                continue
            r = self.resource(name, res)
            if name in self.maybe:
                r.notes.append(f"{self.maybe[name]}: modelled as created, which it may not be")
                r.may_not_exist = self.maybe[name]
            elif name in self.given:
                r.notes.append(f"created: {self.given[name]}")
            props = _props(res)
            is_sam = r.type == SAM_FUNCTION
            self.read(r, props, globals_=self.fn_globals if is_sam else None)
            self.read_unmapped(r, props, SAM_EXPANDED if is_sam else ())
            if r.kind in ("ec2_instance", "launch_template", "launch_configuration"):
                init = render_cfn_init(self.t, res)
                if init is not None:
                    init.unresolved = _unresolved_names(init.value)
                    r.attributes["init_config"] = init
            if r.kind == "lambda_function" and "image_uri" in r.attributes:
                img = r.attributes["image_uri"]
                r.attributes.setdefault("package_type", Setting("Image", img.location, m.ORIGIN_LITERAL))
            if r.type == "AWS::Serverless::HttpApi" and "protocol_type" not in r.attributes:
                r.attributes["protocol_type"] = Setting("HTTP", r.location, m.ORIGIN_LITERAL, "a SAM HttpApi")
            generated = (self.sam_function(r, props) if is_sam else
                         self.sam_state_machine_events(r, props) if r.type == SAM_STATE_MACHINE else
                         self.sam_authorizers(r, props) if r.type in SAM_APIS else [])
            for g in generated:  # what SAM generates for a resource exists only if the resource does
                g.may_not_exist = r.may_not_exist
            implicit.extend(generated)
            self.doc.resources.append(r)
            if r.type in nested.NESTED_TYPES:
                children += nested.evaluate(self, name, res, r)
        # SAM expands a function's own events before any other resource wires it
        self.doc.resources[:0] = implicit
        self.doc.resources += children
        if self.nesting is not None:
            self.doc.nested = list(self.nesting.included)
        if not link_units:
            return self.doc
        for r in self.doc.resources:
            kt.normalise(r, LANG)
        link(self.doc)
        return self.doc

    # -- SAM --------------------------------------------------------------------------------
    def sam_value(self, props: CfnDict, key: str) -> tuple[Any, int, bool] | None:
        """(value, line, from Globals) of a SAM function property, inherited from Globals."""
        if key in props:
            return props[key], props.line_of(key), False
        if self.fn_globals is not None and key in self.fn_globals:
            return self.fn_globals[key], self.fn_globals.line_of(key), True
        return None

    def sam_function(self, fn: Resource, props: CfnDict) -> list[Resource]:
        """The resources SAM generates for a function: its AutoPublishAlias alias (with the
        provisioned concurrency SAM puts on it), its function URL, and one per event."""
        out: list[Resource] = []
        name = fn.address
        alias = self.sam_value(props, "AutoPublishAlias")
        target = Edge(name, "function", name, "Ref", None, None, fn.location)
        if alias is not None:
            fn.attributes["publish"] = Setting(True, self.loc(alias[1]), m.ORIGIN_LITERAL, note="AutoPublishAlias")
            alias_name = self.t.value(alias[0])
            a = self.implicit_resource(fn, self.auto_alias[name], "AWS::Lambda::Alias", "lambda_alias", alias[1])
            a.attributes["name"] = Setting(alias_name if isinstance(alias_name, str) else Unknown("AutoPublishAlias"),
                                           self.loc(alias[1]))
            a.edges.append(Edge(a.address, "function", name, "Ref", None, None, self.loc(alias[1])))
            pc = self.sam_value(props, "ProvisionedConcurrencyConfig")
            if pc is not None:
                value, line, from_globals = pc
                if (_fn(value) or ("",))[0] == "Fn::If":  # !If [IsProd, {...}, !Ref AWS::NoValue], as SAM's examples write it
                    value = self.t.value(value)  # the branch its condition chooses, None for AWS::NoValue
                    if value is None:
                        pc = None
                    elif is_unknown(value):
                        a.attributes["provisioned_concurrency"] = Setting(
                            Unknown(f"ProvisionedConcurrencyConfig {value.reason}"), self.loc(line), m.ORIGIN_UNKNOWN)
                        pc = None
            if pc is not None:
                if isinstance(value, CfnDict) and "ProvisionedConcurrentExecutions" in value:
                    s = self.t.setting(value["ProvisionedConcurrentExecutions"],
                                       value.line_of("ProvisionedConcurrentExecutions"))
                    if from_globals:
                        s.origin, s.note = m.ORIGIN_GLOBALS, "Globals.Function.ProvisionedConcurrencyConfig"
                else:
                    s = Setting(Unknown("ProvisionedConcurrencyConfig could not be read"), self.loc(line),
                                m.ORIGIN_UNKNOWN)
                a.attributes["provisioned_concurrency"] = s
            out.append(a)
            target = Edge(name, "function", a.address, "Ref", None, None, fn.location)
        elif "ProvisionedConcurrencyConfig" in props:
            fn.notes.append("ProvisionedConcurrencyConfig without AutoPublishAlias: SAM applies provisioned "
                            "concurrency to the AutoPublishAlias alias only, so none is configured")
        url = props.get("FunctionUrlConfig")
        if isinstance(url, CfnDict):
            u = self.implicit_resource(fn, f"{name}.FunctionUrlConfig", "AWS::Lambda::Url", "function_url",
                                       props.line_of("FunctionUrlConfig"))
            self.read(u, url, only=("auth_type", "invoke_mode"))
            u.edges.append(Edge(u.address, "function", target.target, "Ref", None, None, u.location))
            out.append(u)
        events = props.get("Events")
        if isinstance(events, CfnDict):
            for ev_name, ev in events.items():
                if isinstance(ev, CfnDict):
                    out.append(self.sam_event(fn, target, events, ev_name, ev))
        return out

    def sam_authorizers(self, api: Resource, props: CfnDict) -> list[Resource]:
        """The authorizer SAM generates for each Lambda authorizer of an API's
        ``Auth.Authorizers`` (one with a ``FunctionArn``), read through the kinds table."""
        auth = props.get("Auth")
        table = auth.get("Authorizers") if isinstance(auth, CfnDict) else None
        if not isinstance(table, CfnDict):
            return []
        rtype, kind = SAM_APIS[api.type]
        out = []
        for name, spec in table.items():
            if isinstance(spec, CfnDict) and "FunctionArn" in spec:
                a = self.implicit_resource(api, f"{api.address}.Auth.Authorizers.{name}", rtype, kind,
                                           table.line_of(name))
                self.read(a, spec)
                out.append(a)
        return out

    def sam_state_machine_events(self, sm: Resource, props: CfnDict) -> list[Resource]:
        """The rules and schedules SAM generates for a state machine's schedule and EventBridge
        events, targeting the state machine (its other event types are not modelled)."""
        events = props.get("Events")
        if not isinstance(events, CfnDict):
            return []
        target = Edge(sm.address, "target", sm.address, "Ref", None, None, sm.location)
        return [self.sam_event(sm, target, events, name, ev) for name, ev in events.items()
                if isinstance(ev, CfnDict) and ev.get("Type") in _SAM_SCHEDULE_EVENTS]

    def sam_event(self, fn: Resource, target: Edge, events: CfnDict, ev_name: str, ev: CfnDict) -> Resource:
        etype = ev.get("Type")
        if not isinstance(etype, str):  # Type: !Ref X is not a type SAM can expand
            etype = "(type not known statically)"
        eprops = ev.get("Properties") if isinstance(ev.get("Properties"), CfnDict) else CfnDict_empty(ev)
        kind, service = _SAM_EVENTS.get(etype, ("lambda_permission", None))
        if etype in ("EventBridgeRule", "CloudWatchEvent") and "Schedule" in eprops:
            kind = "eventbridge_rule"
        r = self.implicit_resource(fn, f"{fn.address}.Events.{ev_name}", f"SAM event {etype}", kind,
                                   events.line_of(ev_name))
        address = r.address

        def link_to_function(via: str) -> None:
            r.edges.append(Edge(address, via, target.target, "Ref", None, None, r.location))

        def setting(key: str, prop: str) -> None:
            if prop in eprops:
                r.attributes[key] = self.t.setting(eprops[prop], eprops.line_of(prop))

        if kind in ("eventbridge_rule", "scheduler_schedule"):
            setting("schedule_expression", "ScheduleExpression" if "ScheduleExpression" in eprops else "Schedule")
            setting("schedule_timezone", "ScheduleExpressionTimezone")
            setting("retry_policy", "RetryPolicy")
            setting("dead_letter_config", "DeadLetterConfig")
            if "Pattern" in eprops:
                setting("event_pattern", "Pattern")
            link_to_function("target")
        elif kind == "rest_method":
            setting("integration_timeout_ms", "TimeoutInMillis")
            if "RestApiId" in eprops:
                r.edges.extend(self.edges(address, "api", eprops["RestApiId"], eprops.line_of("RestApiId")))
            link_to_function("integration_uri")
        elif kind == "api_v2_integration":
            setting("integration_timeout_ms", "TimeoutInMillis")
            if isinstance(eprops.get("ApiId"), dict):
                r.edges.extend(self.edges(address, "api", eprops["ApiId"], eprops.line_of("ApiId")))
            else:
                r.attributes["protocol_type"] = Setting("HTTP", r.location, m.ORIGIN_LITERAL,
                                                        "the HTTP API SAM generates")
            link_to_function("integration_uri")
        elif kind == "event_source_mapping":
            r.attributes["source_service"] = Setting(service, r.location)
            prop = _SAM_EVENT_SOURCE.get(etype)
            if prop and prop in eprops:
                r.edges.extend(self.edges(address, "event_source", eprops[prop], eprops.line_of(prop)))
            setting("batching_window", "MaximumBatchingWindowInSeconds")
            setting("batch_size", "BatchSize")
            link_to_function("function")
        elif kind == "s3_notification":
            link_to_function("lambda_notification")
        elif kind == "sns_subscription":
            r.attributes["protocol"] = Setting("lambda", r.location)
            if "Topic" in eprops:
                r.edges.extend(self.edges(address, "topic", eprops["Topic"], eprops.line_of("Topic")))
            link_to_function("endpoint")
        elif kind == "cognito_user_pool":
            link_to_function("lambda_trigger")
        else:  # a permission SAM grants to the event's service
            r.attributes["principal"] = Setting(f"{service}.amazonaws.com" if service else "", r.location)
            link_to_function("function")
        return r


def _suppressions(meta: dict) -> list[dict]:
    """``Metadata.computefit.ignore`` entries as ``{"id", "reason", "until", "line"}``. An entry that
    cannot be read is kept as ``{"error": why, "line": n}`` so the suppression stage reports it."""
    cf = meta.get("computefit")
    if cf is None:
        return []
    line = getattr(meta, "line", None)
    if not isinstance(cf, dict):
        return [{"error": "Metadata.computefit must be a mapping with an 'ignore' list", "line": line}]
    line = getattr(cf, "line", line)
    out: list[dict] = []
    for key in cf:
        if key != "ignore":
            out.append({"error": f"unknown key Metadata.computefit.{key} (expected 'ignore')", "line": line})
    items = cf.get("ignore")
    listed = items if isinstance(items, list) else ([items] if items else [])
    for i, item in enumerate(listed):
        item_line = (getattr(item, "line", None)
                     or (items.line_of(i) if isinstance(items, CfnList) else None) or line)
        if isinstance(item, str):
            out.append({"id": item, "line": item_line})
        elif isinstance(item, dict) and "id" in item:
            entry = {"id": str(item["id"]), "line": item_line}
            for k in ("reason", "until"):
                if k in item:
                    entry[k] = str(item[k])
            unknown = sorted(str(k) for k in item if k not in ("id", "reason", "until"))
            if unknown:
                entry["error"] = f"unknown key(s) {', '.join(unknown)} (expected id, reason, until)"
            out.append(entry)
        else:
            out.append({"error": "an ignore entry needs an 'id' (a check ID or 'all')", "line": item_line})
    return out


def render_cfn_init(tpl: Template, res: CfnDict) -> Setting | None:
    """AWS::CloudFormation::Init config sets rendered as a shell-like script."""
    meta = res.get("Metadata")
    init = meta.get("AWS::CloudFormation::Init") if isinstance(meta, dict) else None
    if not isinstance(init, CfnDict):
        return None
    lines: list[str] = []
    for cname, config in init.items():
        if cname == "configSets" or not isinstance(config, dict):
            continue
        lines.append(f"# cfn-init config {cname}")
        packages = config.get("packages")
        if isinstance(packages, dict):
            for manager, pkgs in packages.items():
                if isinstance(pkgs, dict):
                    lines.append(f"{manager} install -y {' '.join(pkgs)}")
        files = config.get("files")
        if isinstance(files, dict):
            for path, spec in files.items():
                if not isinstance(spec, dict):
                    continue
                if "content" in spec:
                    content = spec["content"]
                    text = tpl.render(content) if not isinstance(content, (dict, list)) or _fn(content) else _json_text(tpl, content)
                    lines.append(f"cat > {path} <<'CFN_INIT_EOF'")
                    lines.append(text.rstrip("\n"))
                    lines.append("CFN_INIT_EOF")
                elif "source" in spec:
                    lines.append(f"curl -o {path} {tpl.render(spec['source'])}")
        commands = config.get("commands")
        if isinstance(commands, dict):
            for _cname, cmd in sorted(commands.items()):
                if isinstance(cmd, dict) and "command" in cmd:
                    c = cmd["command"]
                    lines.append(" ".join(tpl.render(x) for x in c) if isinstance(c, list) else tpl.render(c))
        services = config.get("services")
        if isinstance(services, dict):
            for _mgr, svcs in services.items():
                if isinstance(svcs, dict):
                    for svc, opts in svcs.items():
                        if isinstance(opts, dict) and str(tpl.value(opts.get("enabled", opts.get("ensureRunning", False)))).lower() == "true":
                            lines.append(f"systemctl enable --now {svc}")
    if not lines:
        return None
    return Setting("\n".join(lines) + "\n", tpl.loc(meta.line_of("AWS::CloudFormation::Init")), m.ORIGIN_LITERAL,
                   note="AWS::CloudFormation::Init")


def _plain(tpl: Template, v: Any) -> Any:
    """A value as plain data: intrinsic functions rendered as text with ``${...}`` placeholders."""
    if _fn(v):
        return tpl.render(v)
    if isinstance(v, dict):
        return {k: _plain(tpl, x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(tpl, x) for x in v]
    return v


def _json_text(tpl: Template, value: Any) -> str:
    import json

    return json.dumps(_plain(tpl, value), indent=2)


#: Files a template names (a state machine's DefinitionUri) are read up to this size.
MAX_LOCAL_FILE_BYTES = 1_000_000


def read_local_file(template_file: str, path: str, boundary: str | None = None) -> Any:
    """The text of a file a template names, relative to the template; Unknown (with the reason)
    when it is missing, too large, not a regular file, or outside the template's read boundary
    (``boundary``, default computefit.boundary's: the git work tree holding the template, else its
    folder; links are checked before they are followed)."""
    folder = os.path.dirname(os.path.abspath(template_file))
    res = resolve(path, folder, boundary or find_boundary(template_file))
    if res.refused is not None:
        return Unknown(res.why())
    if res.stat is None:
        return Unknown(f"file {path} not found")
    try:
        return read_regular(res, MAX_LOCAL_FILE_BYTES).decode("utf-8", errors="replace")
    except ValueError as exc:
        return Unknown(f"file {path} not read: {exc}")
    except OSError as exc:
        return Unknown(f"file {path} could not be read: {exc.strerror or exc}")
