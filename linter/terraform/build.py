"""Turn evaluated Terraform scopes into compute units and the triggers that invoke them."""

from __future__ import annotations

import math
import re
from typing import Any, Callable

from .. import facts, userdata
from ..model import (
    ALB, APPSYNC, ARCHITECTURES, AUTH_TYPE, AUTO_SCALING_GROUP, CLOUDFRONT, CLOUDWATCH_LOGS, COGNITO,
    DESIRED_CAPACITY, DURABLE_EXECUTION_TIMEOUT, DYNAMODB_STREAM, EC2_INSTANCE, ENDPOINT_TYPE, EPHEMERAL_STORAGE, EVENTBRIDGE,
    FUNCTION_NAME, FUNCTION_URL, HANDLER, HTTP_API, INSTANCE_TYPE, INTEGRATION_TIMEOUT_MS, INVOKE_MODE,
    IOT, KAFKA, KINESIS, LAMBDA_FUNCTION, LAUNCH_TEMPLATE, MAX_SIZE, MEMORY_SIZE, MIN_SIZE, MQ,
    ORIGIN_LITERAL, ORIGIN_SERVICE_DEFAULT, OTHER, PACKAGE_TYPE, PRINCIPAL_KINDS, PUBLISH, REST_API, RUNTIME, S3,
    SCHEDULE, SCHEDULE_EXPRESSION, SCHEDULE_TIMEZONE, SNAP_START, SNS, SQS, STEP_FUNCTIONS, TAGS,
    TIMEOUT, USER_DATA, WEBSOCKET_API, ComputeUnit, Location, Qualifier, Setting, Trigger, Unknown,
)
from .evaluate import BoundExpr, EncodedUnknown, Evaluator, Partial, Ref, Trace, plain
from .scope import REGISTRY_MODULES, Scope, registry_kind
from .syntax import Attribute, Block

FORMAT = "terraform"


# --------------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------------


def _to_int(v: Any) -> Any:
    if isinstance(v, bool):
        return Unknown(f"expected a number, got {v}")
    if isinstance(v, int):
        return v
    if isinstance(v, str) and not isinstance(v, Partial):
        try:
            v = float(v.strip())
        except ValueError:
            return Unknown(f"expected a number, got {v[:40]!r}")
    if isinstance(v, float):
        if not math.isfinite(v):  # 1e999, "nan": no check may see it
            return Unknown(f"{v!r} is not a finite number")
        return int(v) if v.is_integer() else v
    if isinstance(v, Partial):
        return Unknown(f"partly unknown value {v}")
    return Unknown(f"expected a number, got {type(v).__name__}")


def _to_bool(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if v in ("true", "false"):
        return v == "true"
    return Unknown(f"expected a bool, got {v!r}")


def _to_str(v: Any) -> Any:
    if isinstance(v, Partial):
        return Unknown(f"partly unknown string {v}")
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, str)):
        return str(v)
    return Unknown(f"expected a string, got {type(v).__name__}")


def _deep_plain(v: Any, depth: int = 0) -> Any:
    """Values handed to checks hold no evaluator objects: references become their value."""
    v = plain(v)
    if depth > 50:
        return v
    if isinstance(v, list):
        return [_deep_plain(x, depth + 1) for x in v]
    if isinstance(v, dict):
        return {k: _deep_plain(x, depth + 1) for k, x in v.items()}
    return v


def _to_list(v: Any) -> Any:
    if isinstance(v, list):
        return [plain(x) for x in v]
    return Unknown(f"expected a list, got {type(v).__name__}")


def _to_dict(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if v is None:
        return {}
    return Unknown(f"expected a map, got {type(v).__name__}")


def _user_data_text(v: Any) -> Any:
    """Plain-text user data: Partial strings stay readable with their placeholders."""
    if isinstance(v, EncodedUnknown):
        return v.decoded
    if isinstance(v, str):
        return v
    if isinstance(v, Unknown):
        return v
    if v is None:
        return Unknown("user data is null")
    return Unknown(f"user data is a {type(v).__name__}")


def _user_data_b64(v: Any) -> Any:
    """Base64 user data (launch templates, user_data_base64): decoded to text."""
    if isinstance(v, EncodedUnknown):
        return v.decoded
    if isinstance(v, Unknown):
        return v
    if not isinstance(v, str) or isinstance(v, Partial):
        return Unknown(f"base64 user data is not known statically: {v}")
    return userdata.decode_base64(v)


def make_setting(scope: Scope, attr: Attribute, convert: Callable[[Any], Any] | None = None,
                 raw: bool = False) -> Setting:
    """Evaluate an argument into a Setting whose location is the line a user edits: the argument
    itself when written literally, else the variable default / tfvars / local / module input line
    that supplied the value."""
    trace = Trace()
    value = Evaluator(scope, trace).eval(attr.expr)
    if not raw:
        value = _deep_plain(value)
    sup, many = trace.supplier(value)
    if convert is not None and value is not None and (
            not isinstance(value, Unknown) or convert in (_user_data_text, _user_data_b64)):
        value = convert(value)
    if sup is not None and sup.location is not None:
        return Setting(value, sup.location, sup.origin, sup.note)
    note = None
    if many:
        note = "computed from " + ", ".join(s.note for s in many[:4])
    return Setting(value, Location(attr.file, attr.line), ORIGIN_LITERAL, note)


def _service_default(key: str) -> Setting:
    f = facts.fact(key)
    return Setting(f.value, None, ORIGIN_SERVICE_DEFAULT, f"AWS default, {f.cite()}")


def _loc(b: Block) -> Location:
    return Location(b.file, b.line)


def _attr_loc(a: Attribute) -> Location:
    return Location(a.file, a.line)


# --------------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------------


class Builder:
    """Builds the units of a root scope and every local child module it calls."""

    def __init__(self, root: Scope) -> None:
        self.root = root
        self.units: dict[str, ComputeUnit] = {}
        self.by_function_name: dict[str, ComputeUnit] = {}
        self.scopes: list[Scope] = []
        self.unit_scope: dict[str, Scope] = {}

    def build(self) -> list[ComputeUnit]:
        self._collect(self.root)
        for scope in self.scopes:
            for address, block in list(scope.resources.items()):
                if _has_dynamic(block):
                    scope.resources[address] = expand_dynamic(scope, block)
        for scope in self.scopes:
            self._units(scope)
        for u in self.units.values():
            fn = u.settings.get(FUNCTION_NAME)
            if fn is not None and isinstance(fn.value, str):
                self.by_function_name.setdefault(fn.value, u)
        for scope in self.scopes:
            self._qualifiers(scope)
        for scope in self.scopes:
            self._triggers(scope)
        for scope in self.scopes:
            self._permission_fallback(scope)
        for scope in self.scopes:
            self._attach_notes(scope)
        return list(self.units.values())

    def _collect(self, scope: Scope) -> None:
        self.scopes.append(scope)
        for name in scope.modules:
            if registry_kind(scope.module_source(scope.modules[name])) or _not_created(scope, scope.modules[name]):
                continue
            child = scope.child(name)
            if child is not None:
                self._collect(child)

    def _add_unit(self, unit: ComputeUnit, scope: Scope) -> None:
        if scope.call is not None:
            s: Scope | None = scope
            while s is not None and s.call is not None:
                unit.related.append(_loc(s.call))
                s = s.parent
        self.units[unit.name] = unit
        self.unit_scope[unit.name] = scope

    def _units(self, scope: Scope) -> None:
        builders = {"aws_lambda_function": self._lambda, "aws_instance": self._instance,
                    "aws_autoscaling_group": self._asg}
        for address, block in scope.resources.items():
            make = builders.get(block.labels[0])
            if make is not None and not _not_created(scope, block):
                before = len(scope.notes)
                unit = make(scope, address, block)
                _take_notes(unit, scope, before)
                self._add_unit(unit, scope)
        for name, call in scope.modules.items():
            kind = registry_kind(scope.module_source(call))
            if kind is None or _not_created(scope, call):
                continue
            create = call.attributes.get("create_function" if kind == "lambda" else "create")
            if create is not None and make_setting(scope, create, _to_bool).value is False:
                continue
            before = len(scope.notes)
            unit = {"lambda": self._lambda_module, "ec2-instance": self._ec2_module,
                    "autoscaling": self._asg_module}[kind](scope, name, call)
            _take_notes(unit, scope, before)
            self._add_unit(unit, scope)

    def _unit(self, scope: Scope, kind: str, address: str, rtype: str, block: Block) -> ComputeUnit:
        return ComputeUnit(kind=kind, name=scope.prefix + address, resource_type=rtype,
                           location=_loc(block), source_format=FORMAT, end_line=block.end_line)

    def _set(self, unit: ComputeUnit, scope: Scope, block: Block, arg: str, key: str,
             convert: Callable | None = None) -> None:
        attr = block.attributes.get(arg)
        if attr is not None:
            s = make_setting(scope, attr, convert)
            if s.value is None:  # null means "not set": the default applies
                return
            unit.settings[key] = s

    def _lambda(self, scope: Scope, address: str, block: Block) -> ComputeUnit:
        u = self._unit(scope, LAMBDA_FUNCTION, address, "aws_lambda_function", block)
        self._set(u, scope, block, "timeout", TIMEOUT, _to_int)
        self._set(u, scope, block, "memory_size", MEMORY_SIZE, _to_int)
        self._set(u, scope, block, "runtime", RUNTIME, _to_str)
        self._set(u, scope, block, "package_type", PACKAGE_TYPE, _to_str)
        self._set(u, scope, block, "architectures", ARCHITECTURES, _to_list)
        self._set(u, scope, block, "handler", HANDLER, _to_str)
        self._set(u, scope, block, "function_name", FUNCTION_NAME, _to_str)
        self._set(u, scope, block, "publish", PUBLISH, _to_bool)
        snap = block.first("snap_start")
        if snap is not None:
            self._set(u, scope, snap, "apply_on", SNAP_START, _to_str)
            _mark_uncertain(u, snap, SNAP_START)
        eph = block.first("ephemeral_storage")
        if eph is not None:
            self._set(u, scope, eph, "size", EPHEMERAL_STORAGE, _to_int)
            _mark_uncertain(u, eph, EPHEMERAL_STORAGE)
        durable = block.first("durable_config")
        if durable is not None:
            self._set(u, scope, durable, "execution_timeout", DURABLE_EXECUTION_TIMEOUT, _to_int)
            _mark_uncertain(u, durable, DURABLE_EXECUTION_TIMEOUT)
        self._lambda_defaults(u)
        return u

    def _lambda_defaults(self, u: ComputeUnit) -> None:
        u.settings.setdefault(TIMEOUT, _service_default("lambda.timeout_default"))
        u.settings.setdefault(MEMORY_SIZE, _service_default("lambda.memory_default"))

    def _instance(self, scope: Scope, address: str, block: Block) -> ComputeUnit:
        u = self._unit(scope, EC2_INSTANCE, address, "aws_instance", block)
        self._set(u, scope, block, "instance_type", INSTANCE_TYPE, _to_str)
        self._set(u, scope, block, "user_data", USER_DATA, _user_data_text)
        if USER_DATA not in u.settings:
            self._set(u, scope, block, "user_data_base64", USER_DATA, _user_data_b64)
        self._set(u, scope, block, "tags", TAGS, _to_dict)
        lt_spec = block.first("launch_template")
        if lt_spec is not None:
            self._merge_launch_template(u, scope, lt_spec)
        return u

    def _find_template(self, scope: Scope, spec: Block, id_args: tuple[str, ...]) -> tuple[Scope, Block] | None:
        for arg in id_args:
            attr = spec.attributes.get(arg)
            if attr is None:
                continue
            v = Evaluator(scope).eval(attr.expr)
            if isinstance(v, Ref) and v.address.split(".")[0] in ("aws_launch_template", "aws_launch_configuration"):
                blk = v.scope.resources.get(v.address)
                if blk is not None:
                    return v.scope, blk
            v = plain(v)
            if isinstance(v, str):  # a name written literally: match the template's name argument
                for s in self.scopes:
                    for addr, blk in s.resources.items():
                        if blk.labels[0] in ("aws_launch_template", "aws_launch_configuration") and \
                                "name" in blk.attributes and plain(s.arg(addr, "name")) == v:
                            return s, blk
        return None

    def _merge_launch_template(self, u: ComputeUnit, scope: Scope, spec: Block,
                               id_args: tuple[str, ...] = ("id", "name", "launch_template_id",
                                                           "launch_template_name")) -> None:
        found = self._find_template(scope, spec, id_args)
        if found is None:
            u.notes.append("launch template could not be resolved: instance type and user data unknown")
            return
        self._merge_template_block(u, *found)

    def _merge_template_block(self, u: ComputeUnit, lt_scope: Scope, lt: Block) -> None:
        rtype = lt.labels[0]
        address = f"{rtype}.{lt.labels[1]}"
        u.related.append(_loc(lt))
        u.settings.setdefault(LAUNCH_TEMPLATE, Setting(lt_scope.prefix + address, _loc(lt)))
        if INSTANCE_TYPE not in u.settings:
            self._set(u, lt_scope, lt, "instance_type", INSTANCE_TYPE, _to_str)
        if USER_DATA not in u.settings:
            if rtype == "aws_launch_template":
                attr = lt.attributes.get("user_data")
                if attr is not None:
                    u.settings[USER_DATA] = make_setting(lt_scope, attr, _user_data_b64)
            else:
                self._set(u, lt_scope, lt, "user_data", USER_DATA, _user_data_text)
                if USER_DATA not in u.settings:
                    self._set(u, lt_scope, lt, "user_data_base64", USER_DATA, _user_data_b64)
        if TAGS not in u.settings:
            self._set(u, lt_scope, lt, "tags", TAGS, _to_dict)

    def _asg(self, scope: Scope, address: str, block: Block) -> ComputeUnit:
        u = self._unit(scope, AUTO_SCALING_GROUP, address, "aws_autoscaling_group", block)
        self._set(u, scope, block, "min_size", MIN_SIZE, _to_int)
        self._set(u, scope, block, "max_size", MAX_SIZE, _to_int)
        self._set(u, scope, block, "desired_capacity", DESIRED_CAPACITY, _to_int)
        lt_spec = block.first("launch_template")
        mip = block.first("mixed_instances_policy")
        if lt_spec is not None:
            self._merge_launch_template(u, scope, lt_spec)
        elif mip is not None:
            inner = mip.first("launch_template")
            spec = inner.first("launch_template_specification") if inner is not None else None
            if inner is not None:
                overrides = inner.blocks_of("override")
                types = []
                for o in overrides:
                    if "instance_type" in o.attributes:
                        s = make_setting(scope, o.attributes["instance_type"], _to_str)
                        types.append(s)
                if types:
                    known = [s.value for s in types if s.known]
                    u.notes.append("mixed instances policy overrides: " + ", ".join(map(str, known)))
                    u.settings[INSTANCE_TYPE] = types[0]
            if spec is not None:
                self._merge_launch_template(u, scope, spec)
        elif "launch_configuration" in block.attributes:
            attr = block.attributes["launch_configuration"]
            fake = Block("launch_configuration", [], attr.file, attr.line, attr.line,
                         attributes={"name": attr})
            self._merge_launch_template(u, scope, fake, ("name",))
        return u

    # ---- registry modules ----------------------------------------------------------------------

    def _module_unit(self, scope: Scope, name: str, call: Block, kind: str, which: str) -> ComputeUnit:
        return ComputeUnit(kind=kind, name=f"{scope.prefix}module.{name}", resource_type=REGISTRY_MODULES[which],
                           location=_loc(call), source_format=FORMAT, end_line=call.end_line,
                           related=[_loc(call)])

    def _lambda_module(self, scope: Scope, name: str, call: Block) -> ComputeUnit:
        u = self._module_unit(scope, name, call, LAMBDA_FUNCTION, "lambda")
        self._set(u, scope, call, "function_name", FUNCTION_NAME, _to_str)
        self._set(u, scope, call, "handler", HANDLER, _to_str)
        self._set(u, scope, call, "runtime", RUNTIME, _to_str)
        self._set(u, scope, call, "timeout", TIMEOUT, _to_int)
        self._set(u, scope, call, "memory_size", MEMORY_SIZE, _to_int)
        self._set(u, scope, call, "architectures", ARCHITECTURES, _to_list)
        self._set(u, scope, call, "package_type", PACKAGE_TYPE, _to_str)
        self._set(u, scope, call, "publish", PUBLISH, _to_bool)
        self._set(u, scope, call, "ephemeral_storage_size", EPHEMERAL_STORAGE, _to_int)
        if "snap_start" in call.attributes:
            s = make_setting(scope, call.attributes["snap_start"], _to_bool)
            s.value = s.value if isinstance(s.value, Unknown) else ("PublishedVersions" if s.value else "None")
            u.settings[SNAP_START] = s
        self._lambda_defaults(u)
        if "image_uri" in call.attributes and PACKAGE_TYPE not in u.settings:
            u.notes.append("image_uri is set but package_type is not: the module defaults to Zip")
        return u

    def _ec2_module(self, scope: Scope, name: str, call: Block) -> ComputeUnit:
        u = self._module_unit(scope, name, call, EC2_INSTANCE, "ec2-instance")
        self._set(u, scope, call, "instance_type", INSTANCE_TYPE, _to_str)
        self._set(u, scope, call, "user_data", USER_DATA, _user_data_text)
        if USER_DATA not in u.settings:
            self._set(u, scope, call, "user_data_base64", USER_DATA, _user_data_b64)
        self._set(u, scope, call, "tags", TAGS, _to_dict)
        if INSTANCE_TYPE not in u.settings:
            u.notes.append("instance_type not set: the module's own default applies")
        return u

    def _asg_module(self, scope: Scope, name: str, call: Block) -> ComputeUnit:
        u = self._module_unit(scope, name, call, AUTO_SCALING_GROUP, "autoscaling")
        self._set(u, scope, call, "min_size", MIN_SIZE, _to_int)
        self._set(u, scope, call, "max_size", MAX_SIZE, _to_int)
        self._set(u, scope, call, "desired_capacity", DESIRED_CAPACITY, _to_int)
        self._set(u, scope, call, "instance_type", INSTANCE_TYPE, _to_str)
        # The module passes user_data to the launch template unchanged: its input is base64
        # ("The Base64-encoded user data to provide when launching the instance").
        attr = call.attributes.get("user_data")
        if attr is not None:
            s = make_setting(scope, attr, _user_data_b64)
            if isinstance(s.value, Unknown) and s.value.reason == "user data is not valid base64":
                s = make_setting(scope, attr, _user_data_text)
                s.note = ((s.note + "; ") if s.note else "") + "not base64: the module expects base64 user data"
            u.settings[USER_DATA] = s
        self._set(u, scope, call, "tags", TAGS, _to_dict)
        return u

    # ---- qualifiers ----------------------------------------------------------------------------

    def _qualifiers(self, scope: Scope) -> None:
        for address, block in scope.resources.items():
            rtype = block.labels[0]
            if rtype == "aws_lambda_alias":
                target = self._target_of(scope, block.attributes.get("function_name"))
                if target is None:
                    continue
                unit = target[0]
                name = plain(scope.arg(address, "name")) if "name" in block.attributes else Unknown("alias without name")
                unit.qualifiers.append(Qualifier("alias", name if not isinstance(name, Partial) else Unknown(f"alias name {name}"),
                                                 scope.prefix + address, _loc(block)))
                unit.related.append(_loc(block))
            elif rtype == "aws_lambda_provisioned_concurrency_config":
                self._pc_config(scope, address, block)
        for name, call in scope.modules.items():
            if registry_kind(scope.module_source(call)) != "lambda":
                continue
            unit = self.units.get(f"{scope.prefix}module.{name}")
            attr = call.attributes.get("provisioned_concurrent_executions")
            if unit is None or attr is None:
                continue
            s = make_setting(scope, attr, _to_int)
            if isinstance(s.value, int) and s.value <= 0:
                continue  # the module's "disabled" value is -1
            unit.qualifiers.append(Qualifier("version", f"{unit.name}.version", unit.name,
                                             Location(attr.file, attr.line), s))

    def _pc_config(self, scope: Scope, address: str, block: Block) -> None:
        target = self._target_of(scope, block.attributes.get("function_name"))
        if target is None:
            return
        unit = target[0]
        q_attr = block.attributes.get("qualifier")
        qv = Evaluator(scope).eval(q_attr.expr) if q_attr is not None else Unknown("no qualifier")
        kind, name = "alias", Unknown("qualifier could not be resolved")
        if isinstance(qv, Ref) and qv.address.startswith("aws_lambda_alias."):
            kind = "alias"
            name = plain(qv.scope.arg(qv.address, "name"))
        elif isinstance(qv, Ref) and qv.address.startswith("aws_lambda_function.") and qv.attr == "version":
            kind, name = "version", f"{qv.full_address}.version"
        elif isinstance(qv, Ref) and qv.address.startswith("aws_lambda_version") is False and qv.attr == "version":
            kind, name = "version", f"{qv.full_address}.version"
        else:
            v = plain(qv)
            if isinstance(v, (str, int)) and not isinstance(v, Partial):
                kind = "version" if str(v).isdigit() else "alias"
                name = str(v)
            elif isinstance(v, Unknown):
                name = v
        pce = block.attributes.get("provisioned_concurrent_executions")
        setting = make_setting(scope, pce, _to_int) if pce is not None else None
        for q in unit.qualifiers:
            if q.kind == kind and q.name == name and q.provisioned_concurrency is None:
                q.provisioned_concurrency = setting
                unit.related.append(_loc(block))
                return
        unit.qualifiers.append(Qualifier(kind, name, scope.prefix + address, _loc(block), setting))
        unit.related.append(_loc(block))

    # ---- linking -------------------------------------------------------------------------------

    def _target_of(self, scope: Scope, attr: Attribute | None) -> tuple[ComputeUnit, Any] | None:
        if attr is None:
            return None
        value = Evaluator(scope).eval(attr.expr)
        res = self.resolve(value)
        if res is None and isinstance(value, Partial):
            # "${aws_lambda_function.f.arn}:live": a reference with a qualifier appended
            found = [r for ph in value.unresolved for r in self.refs_in_text(scope, ph)]
            if len(found) == 1:
                m = re.search(r"\}:([A-Za-z0-9_$-]+)$", str(value))
                return found[0][0], (m.group(1) if m else found[0][1])
        return res

    def resolve(self, value: Any, depth: int = 0) -> tuple[ComputeUnit, Any] | None:
        """The unit a reference / ARN / function name points at, and the qualifier it invokes."""
        if depth > 5:
            return None
        if isinstance(value, Ref):
            rtype = value.address.split(".")[0]
            full = value.full_address
            attr = value.attr
            if rtype in ("aws_lambda_function", "aws_instance", "aws_autoscaling_group"):
                unit = self.units.get(full)
                if unit is None:
                    return None
                if attr in ("qualified_arn", "qualified_invoke_arn", "version"):
                    return unit, f"{full}.version"
                return unit, None
            if rtype == "aws_lambda_alias":
                blk = value.scope.resources.get(value.address)
                if blk is None or "function_name" not in blk.attributes:
                    return None
                inner = self.resolve(Evaluator(value.scope).eval(blk.attributes["function_name"].expr), depth + 1)
                if inner is None:
                    return None
                name = plain(value.scope.arg(value.address, "name")) if "name" in blk.attributes else Unknown("alias name")
                if isinstance(name, Partial):
                    name = Unknown(f"alias name {name}")
                return inner[0], name
            if rtype == "module":
                unit = self.units.get(full)
                if unit is None:
                    return None
                if attr and ("qualified" in attr or attr.endswith("_version")):
                    return unit, f"{full}.version"
                return unit, None
            inner_v = value.value
            if not isinstance(inner_v, Unknown):
                return self.resolve(inner_v, depth + 1)
            return None
        if isinstance(value, str):
            return self._resolve_text(value)
        return None

    _ARN_RE = re.compile(r"arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9_$-]+))?")

    def _resolve_text(self, text: str) -> tuple[ComputeUnit, Any] | None:
        m = self._ARN_RE.search(text)
        if m:
            unit = self.by_function_name.get(m.group(1))
            if unit is not None:
                return unit, m.group(2)
            return None
        if isinstance(text, Partial):
            return None
        unit = self.by_function_name.get(text)
        return (unit, None) if unit is not None else None

    def refs_in_text(self, scope: Scope, text: str) -> list[tuple[ComputeUnit, Any]]:
        """Function references written in an expression's source or left as placeholders."""
        out = []
        for m in re.finditer(r"((?:module\.[\w-]+\.)*)(aws_lambda_function|aws_lambda_alias)\.([\w-]+)(?:\[[^\]]*\])?(?:\.(\w+))?|"
                             r"((?:module\.[\w-]+\.)+)(lambda_function_\w+)", text):
            if m.group(2):
                mods, rtype, name, attr = m.group(1), m.group(2), m.group(3), m.group(4)
                s = _scope_for(scope, mods)
                if s is None or f"{rtype}.{name}" not in s.resources:
                    continue
                res = self.resolve(Ref(s, f"{rtype}.{name}", (attr,) if attr else ()))
            else:
                mods = m.group(5)
                parts = [p for p in mods.split(".") if p and p != "module"]
                s = _scope_for(scope, "".join(f"module.{p}." for p in parts[:-1]))
                if s is None:
                    continue
                res = self.resolve(Ref(s, f"module.{parts[-1]}", (m.group(6),)))
            if res is not None and all(res[0] is not r[0] or res[1] != r[1] for r in out):
                out.append(res)
        for m in self._ARN_RE.finditer(text):
            unit = self.by_function_name.get(m.group(1))
            if unit is not None and all(unit is not r[0] for r in out):
                out.append((unit, m.group(2)))
        return out

    # ---- triggers ------------------------------------------------------------------------------

    def _add_trigger(self, res: tuple[ComputeUnit, Any] | None, kind: str, scope: Scope, address: str,
                     block: Block, settings: dict[str, Setting] | None = None,
                     rtype: str | None = None) -> Trigger | None:
        if res is None:
            return None
        unit, qualifier = res
        t = Trigger(kind=kind, resource=scope.prefix + address, resource_type=rtype or block.labels[0],
                    location=_loc(block), target=unit.name, qualifier=qualifier, settings=settings or {})
        unit.triggers.append(t)
        return t

    def _triggers(self, scope: Scope) -> None:
        for address, block in scope.resources.items():
            handler = getattr(self, "_t_" + block.labels[0], None)
            if handler is not None:
                handler(scope, address, block)
        for name, call in scope.modules.items():
            kind = registry_kind(scope.module_source(call))
            if kind == "lambda":
                self._lambda_module_triggers(scope, name, call)
            elif kind == "autoscaling":
                unit = self.units.get(f"{scope.prefix}module.{name}")
                tga = call.attributes.get("target_group_arns")
                if unit is not None and tga is not None:
                    v = plain(Evaluator(scope).eval(tga.expr))
                    if not (isinstance(v, list) and not v):
                        t = self._add_trigger((unit, None), ALB, scope, f"module.{name}", call,
                                              rtype=REGISTRY_MODULES["autoscaling"])
                        t.location = _attr_loc(tga)

    def _t_aws_cloudwatch_event_target(self, scope: Scope, address: str, block: Block) -> None:
        res = self._target_of(scope, block.attributes.get("arn"))
        if res is None:
            return
        kind, settings = EVENTBRIDGE, {}
        rule_attr = block.attributes.get("rule")
        if rule_attr is not None:
            rv = Evaluator(scope).eval(rule_attr.expr)
            rule = None
            if isinstance(rv, Ref) and rv.address.startswith("aws_cloudwatch_event_rule."):
                rule = (rv.scope, rv.scope.resources.get(rv.address))
            elif isinstance(plain(rv), str):
                for addr, blk in scope.resources.items():
                    if blk.labels[0] == "aws_cloudwatch_event_rule" and plain(scope.arg(addr, "name")) == plain(rv):
                        rule = (scope, blk)
            if rule is not None and rule[1] is not None:
                rs, rb = rule
                if "schedule_expression" in rb.attributes:
                    kind = SCHEDULE
                    settings[SCHEDULE_EXPRESSION] = make_setting(rs, rb.attributes["schedule_expression"], _to_str)
        self._add_trigger(res, kind, scope, address, block, settings)

    def _t_aws_scheduler_schedule(self, scope: Scope, address: str, block: Block) -> None:
        target = block.first("target")
        if target is None:
            return
        res = self._target_of(scope, target.attributes.get("arn"))
        settings = {}
        if "schedule_expression" in block.attributes:
            settings[SCHEDULE_EXPRESSION] = make_setting(scope, block.attributes["schedule_expression"], _to_str)
        if "schedule_expression_timezone" in block.attributes:
            settings[SCHEDULE_TIMEZONE] = make_setting(scope, block.attributes["schedule_expression_timezone"], _to_str)
        self._add_trigger(res, SCHEDULE, scope, address, block, settings)

    def _t_aws_api_gateway_integration(self, scope: Scope, address: str, block: Block) -> None:
        res = self._target_of(scope, block.attributes.get("uri"))
        if res is None:
            return
        settings = {}
        if "timeout_milliseconds" in block.attributes:
            settings[INTEGRATION_TIMEOUT_MS] = make_setting(scope, block.attributes["timeout_milliseconds"], _to_int)
        api = block.attributes.get("rest_api_id")
        if api is not None:
            v = Evaluator(scope).eval(api.expr)
            if isinstance(v, Ref) and v.address.startswith("aws_api_gateway_rest_api."):
                blk = v.scope.resources.get(v.address)
                ec = blk.first("endpoint_configuration") if blk is not None else None
                if ec is not None and "types" in ec.attributes:
                    s = make_setting(v.scope, ec.attributes["types"], _to_list)
                    if isinstance(s.value, list) and len(s.value) == 1:
                        s.value = s.value[0]
                    settings[ENDPOINT_TYPE] = s
        self._add_trigger(res, REST_API, scope, address, block, settings)

    def _t_aws_apigatewayv2_integration(self, scope: Scope, address: str, block: Block) -> None:
        res = self._target_of(scope, block.attributes.get("integration_uri"))
        if res is None:
            return
        kind = HTTP_API
        api = block.attributes.get("api_id")
        protocol: Any = Unknown("API not found")
        if api is not None:
            v = Evaluator(scope).eval(api.expr)
            if isinstance(v, Ref) and v.address.startswith("aws_apigatewayv2_api."):
                protocol = plain(v.scope.arg(v.address, "protocol_type"))
        if protocol == "WEBSOCKET":
            kind = WEBSOCKET_API
        elif protocol != "HTTP":
            res[0].notes.append(f"{scope.prefix}{address}: API protocol unknown, assumed HTTP API")
        settings = {}
        if "timeout_milliseconds" in block.attributes:
            settings[INTEGRATION_TIMEOUT_MS] = make_setting(scope, block.attributes["timeout_milliseconds"], _to_int)
        self._add_trigger(res, kind, scope, address, block, settings)

    def _t_aws_lb_target_group_attachment(self, scope: Scope, address: str, block: Block) -> None:
        self._add_trigger(self._target_of(scope, block.attributes.get("target_id")), ALB, scope, address, block)

    def _t_aws_autoscaling_group(self, scope: Scope, address: str, block: Block) -> None:
        tga = block.attributes.get("target_group_arns")
        if tga is None:
            return
        v = plain(Evaluator(scope).eval(tga.expr))
        if isinstance(v, list) and not v:
            return
        unit = self.units.get(scope.prefix + address)
        if unit is not None:
            t = self._add_trigger((unit, None), ALB, scope, address, block)
            t.location = _attr_loc(tga)  # the argument that wires the ASG to the load balancer

    def _t_aws_autoscaling_attachment(self, scope: Scope, address: str, block: Block) -> None:
        if not any(a in block.attributes for a in ("lb_target_group_arn", "alb_target_group_arn", "elb")):
            return
        attr = block.attributes.get("autoscaling_group_name")
        if attr is None:
            return
        v = Evaluator(scope).eval(attr.expr)
        if isinstance(v, Ref) and v.address.startswith("aws_autoscaling_group."):
            unit = self.units.get(v.full_address)
            if unit is not None:
                self._add_trigger((unit, None), ALB, scope, address, block)

    def _t_aws_lambda_function_url(self, scope: Scope, address: str, block: Block) -> None:
        res = self._target_of(scope, block.attributes.get("function_name"))
        if res is None:
            return
        q = block.attributes.get("qualifier")
        if q is not None:
            qv = plain(Evaluator(scope).eval(q.expr))
            res = (res[0], qv if not isinstance(qv, Partial) else Unknown(f"qualifier {qv}"))
        settings = {}
        if "authorization_type" in block.attributes:
            settings[AUTH_TYPE] = make_setting(scope, block.attributes["authorization_type"], _to_str)
        if "invoke_mode" in block.attributes:
            settings[INVOKE_MODE] = make_setting(scope, block.attributes["invoke_mode"], _to_str)
        self._add_trigger(res, FUNCTION_URL, scope, address, block, settings)

    def _t_aws_appsync_datasource(self, scope: Scope, address: str, block: Block) -> None:
        cfg = block.first("lambda_config")
        if cfg is None:
            return
        self._add_trigger(self._target_of(scope, cfg.attributes.get("function_arn")), APPSYNC, scope,
                          address, block)

    def _t_aws_lambda_event_source_mapping(self, scope: Scope, address: str, block: Block) -> None:
        res = self._target_of(scope, block.attributes.get("function_name"))
        if res is None:
            return
        kind = self._source_kind(scope, block.attributes.get("event_source_arn"))
        if kind is None:
            if block.first("self_managed_event_source") is not None or "topics" in block.attributes:
                kind = KAFKA
            elif "queues" in block.attributes:
                kind = MQ
            else:
                kind = OTHER
        self._add_trigger(res, kind, scope, address, block)

    _ARN_SERVICE = {"sqs": SQS, "kinesis": KINESIS, "dynamodb": DYNAMODB_STREAM, "kafka": KAFKA, "mq": MQ}
    _RES_KIND = {"aws_sqs_queue": SQS, "aws_kinesis_stream": KINESIS, "aws_dynamodb_table": DYNAMODB_STREAM,
                 "aws_msk_cluster": KAFKA, "aws_msk_serverless_cluster": KAFKA, "aws_mq_broker": MQ}

    def _source_kind(self, scope: Scope, attr: Attribute | None) -> str | None:
        if attr is None:
            return None
        v = Evaluator(scope).eval(attr.expr)
        if isinstance(v, Ref):
            return self._RES_KIND.get(v.address.split(".")[0])
        v = plain(v)
        if isinstance(v, str):
            m = re.match(r"arn:aws[\w-]*:(\w+):", v)
            if m:
                return self._ARN_SERVICE.get(m.group(1))
            text = attr.expr.source() if hasattr(attr.expr, "source") else ""
            for rtype, kind in self._RES_KIND.items():
                if rtype + "." in text:
                    return kind
        return None

    def _t_aws_s3_bucket_notification(self, scope: Scope, address: str, block: Block) -> None:
        for lf in block.blocks_of("lambda_function"):
            self._add_trigger(self._target_of(scope, lf.attributes.get("lambda_function_arn")), S3, scope,
                              address, block)

    def _t_aws_sns_topic_subscription(self, scope: Scope, address: str, block: Block) -> None:
        proto = block.attributes.get("protocol")
        if proto is None or plain(Evaluator(scope).eval(proto.expr)) != "lambda":
            return
        self._add_trigger(self._target_of(scope, block.attributes.get("endpoint")), SNS, scope, address, block)

    def _t_aws_sfn_state_machine(self, scope: Scope, address: str, block: Block) -> None:
        attr = block.attributes.get("definition")
        if attr is None:
            return
        texts = []
        v = plain(Evaluator(scope).eval(attr.expr))
        if isinstance(v, str):
            texts.append(str(v))
        if hasattr(attr.expr, "source"):
            texts.append(attr.expr.source())
        elif hasattr(attr.expr, "value"):
            import json

            texts.append(json.dumps(attr.expr.value))
        seen: list[tuple[ComputeUnit, Any]] = []
        for text in texts:
            for res in self.refs_in_text(scope, text):
                if all(res[0] is not s[0] for s in seen):
                    seen.append(res)
                    self._add_trigger(res, STEP_FUNCTIONS, scope, address, block)

    def _t_aws_cognito_user_pool(self, scope: Scope, address: str, block: Block) -> None:
        cfg = block.first("lambda_config")
        if cfg is None:
            return
        for attr in cfg.attributes.values():
            self._add_trigger(self._target_of(scope, attr), COGNITO, scope, address, block)
        for sub in cfg.blocks:
            self._add_trigger(self._target_of(scope, sub.attributes.get("lambda_arn")), COGNITO, scope,
                              address, block)

    def _t_aws_cloudfront_distribution(self, scope: Scope, address: str, block: Block) -> None:
        for beh in block.blocks_of("default_cache_behavior") + block.blocks_of("ordered_cache_behavior"):
            for assoc in beh.blocks_of("lambda_function_association"):
                self._add_trigger(self._target_of(scope, assoc.attributes.get("lambda_arn")), CLOUDFRONT,
                                  scope, address, block)

    def _lambda_module_triggers(self, scope: Scope, name: str, call: Block) -> None:
        unit = self.units.get(f"{scope.prefix}module.{name}")
        if unit is None:
            return
        mod_type = REGISTRY_MODULES["lambda"]
        addr = f"module.{name}"
        if "create_lambda_function_url" in call.attributes:
            s = make_setting(scope, call.attributes["create_lambda_function_url"], _to_bool)
            if s.value is True:
                settings = {}
                if "authorization_type" in call.attributes:
                    settings[AUTH_TYPE] = make_setting(scope, call.attributes["authorization_type"], _to_str)
                else:  # the module's default
                    settings[AUTH_TYPE] = Setting("NONE", None, ORIGIN_SERVICE_DEFAULT,
                                                  "terraform-aws-modules/lambda default authorization_type")
                if "invoke_mode" in call.attributes:
                    settings[INVOKE_MODE] = make_setting(scope, call.attributes["invoke_mode"], _to_str)
                # the module attaches the URL to the unqualified function unless told otherwise
                unqualified = _module_flag(scope, call, "create_unqualified_alias_lambda_function_url", True)
                qualifier = None if unqualified is True else (
                    f"{unit.name}.version" if unqualified is False else Unknown(
                        "create_unqualified_alias_lambda_function_url could not be resolved"))
                t = self._add_trigger((unit, qualifier), FUNCTION_URL, scope, addr, call, settings, rtype=mod_type)
                t.location = _attr_loc(call.attributes["create_lambda_function_url"])
        at = call.attributes.get("allowed_triggers")
        permitted = self._allowed_triggers_qualifier(scope, call, unit)
        if at is not None and permitted is not _NO_PERMISSION:
            v = plain(Evaluator(scope).eval(at.expr))
            if isinstance(v, dict):
                for key, spec in v.items():
                    spec = plain(spec)
                    if not isinstance(spec, dict):
                        continue
                    kind = self._allowed_trigger_kind(unit, key, spec)
                    t = self._add_trigger((unit, permitted), kind, scope, f"{addr}.allowed_triggers.{key}", call,
                                          rtype=mod_type)
                    t.location = _attr_loc(at)
            elif isinstance(v, Unknown):
                unit.notes.append(f"allowed_triggers could not be read: {v.reason}")
        esm = call.attributes.get("event_source_mapping")
        if esm is not None:
            v = plain(Evaluator(scope).eval(esm.expr))
            if isinstance(v, dict):
                for key, spec in v.items():
                    spec_v = plain(spec)
                    if not isinstance(spec_v, dict):
                        continue
                    kind = OTHER
                    src = spec_v.get("event_source_arn") if isinstance(spec, dict) else None
                    raw = spec.get("event_source_arn") if isinstance(spec, dict) else None
                    if isinstance(raw, Ref):
                        kind = self._RES_KIND.get(raw.address.split(".")[0], OTHER)
                    elif isinstance(src, str):
                        m = re.match(r"arn:aws[\w-]*:(\w+):", src)
                        kind = self._ARN_SERVICE.get(m.group(1), OTHER) if m else OTHER
                    if kind == OTHER:
                        if "self_managed_event_source" in spec_v or "topics" in spec_v:
                            kind = KAFKA
                        elif "queues" in spec_v:
                            kind = MQ
                    t = self._add_trigger((unit, None), kind, scope, f"{addr}.event_source_mapping.{key}", call,
                                          rtype=mod_type)
                    t.location = _attr_loc(esm)

    _PRINCIPAL_KIND = PRINCIPAL_KINDS

    @staticmethod
    def _allowed_triggers_qualifier(scope: Scope, call: Block, unit: ComputeUnit) -> Any:
        """What an ``allowed_triggers`` caller of terraform-aws-modules/lambda may invoke. The module
        grants each trigger on the current version and on the unqualified function (both flags
        default to true), so with both the invoked qualifier is not in the configuration."""
        version = _module_flag(scope, call, "create_current_version_allowed_triggers", True)
        unqualified = _module_flag(scope, call, "create_unqualified_alias_allowed_triggers", True)
        if version is False and unqualified is False:
            return _NO_PERMISSION
        if version is False and unqualified is True:
            return None
        if version is True and unqualified is False:
            return f"{unit.name}.version"
        if version is True and unqualified is True:
            return Unknown("allowed_triggers permits both the unqualified function ($LATEST) and the current "
                           "version; which one the caller invokes is not in this configuration")
        return Unknown("create_current_version_allowed_triggers / create_unqualified_alias_allowed_triggers "
                       "could not be resolved")

    def _allowed_trigger_kind(self, unit: ComputeUnit, key: str, spec: dict) -> str:
        service = spec.get("service")
        principal = spec.get("principal")
        svc = service if isinstance(service, str) else (
            principal.split(".")[0] if isinstance(principal, str) else None)
        kind = self._PRINCIPAL_KIND.get(svc or "", OTHER)
        if svc == "apigateway":
            src = spec.get("source_arn")
            src_text = str(src) if src is not None else ""
            if "apigatewayv2" in src_text or "api_gateway" in src_text and "http" in src_text.lower():
                kind = HTTP_API
            else:
                unit.notes.append(f"allowed trigger {key}: API Gateway, REST or HTTP API unknown "
                                  "(modelled as REST API)")
        if svc == "events" and ("schedul" in key.lower() or "cron" in key.lower()):
            kind = SCHEDULE
        return kind

    def _permission_fallback(self, scope: Scope) -> None:
        for address, block in scope.resources.items():
            if block.labels[0] != "aws_lambda_permission":
                continue
            res = self._target_of(scope, block.attributes.get("function_name"))
            if res is None:
                continue
            principal = plain(scope.arg(address, "principal")) if "principal" in block.attributes else None
            svc = principal.split(".")[0] if isinstance(principal, str) else ""
            kind = self._PRINCIPAL_KIND.get(svc, OTHER)
            src_attr = block.attributes.get("source_arn")
            src = Evaluator(scope).eval(src_attr.expr) if src_attr is not None else None
            if svc == "apigateway" and isinstance(src, Ref) and src.address.startswith("aws_apigatewayv2_api"):
                kind = HTTP_API
            src_text = str(src_attr.expr.source() if src_attr is not None and hasattr(src_attr.expr, "source") else "")
            if svc == "apigateway" and (isinstance(src, (Ref, str)) and "apigatewayv2" in src_text):
                kind = HTTP_API
            if kind == HTTP_API:  # a WebSocket API is an apigatewayv2 API too
                api = re.search(r"aws_apigatewayv2_api\.([\w-]+)", src_text)
                if api and f"aws_apigatewayv2_api.{api.group(1)}" in scope.resources and plain(
                        scope.arg(f"aws_apigatewayv2_api.{api.group(1)}", "protocol_type")) == "WEBSOCKET":
                    kind = WEBSOCKET_API
            if svc == "events" and isinstance(src, Ref) and src.address.startswith("aws_cloudwatch_event_rule."):
                rb = src.scope.resources.get(src.address)
                if rb is not None and "schedule_expression" in rb.attributes:
                    kind = SCHEDULE
            unit = res[0]
            if svc == "apigateway" and kind == REST_API and unit.triggers_of(HTTP_API, WEBSOCKET_API):
                continue
            if unit.triggers_of(kind):
                continue  # the wiring resource already produced this trigger
            q = block.attributes.get("qualifier")
            qualifier = res[1]
            if q is not None:
                qv = plain(Evaluator(scope).eval(q.expr))
                qualifier = qv if not isinstance(qv, Partial) else Unknown(f"qualifier {qv}")
            self._add_trigger((unit, qualifier), kind, scope, address, block)

    def _attach_notes(self, scope: Scope) -> None:
        """Notes no unit claimed while its settings were evaluated (a file read by a trigger or a
        launch template) go to every unit of the module instance."""
        rest = [n for n in scope.notes if n not in scope.claimed_notes]
        if not rest:
            return
        for u in self.units.values():
            if self.unit_scope.get(u.name) is scope:
                for n in rest:
                    if n not in u.notes:
                        u.notes.append(n)


_NO_PERMISSION = object()  # terraform-aws-modules/lambda creates no allowed_triggers permission


def _module_flag(scope: Scope, call: Block, name: str, default: bool) -> Any:
    """A bool input of a module call: its value, the module's default when absent, or Unknown."""
    attr = call.attributes.get(name)
    if attr is None:
        return default
    value = make_setting(scope, attr, _to_bool).value
    return default if value is None else value


def _take_notes(unit: ComputeUnit, scope: Scope, before: int) -> None:
    for n in scope.notes[before:]:
        scope.claimed_notes.add(n)
        if n not in unit.notes:
            unit.notes.append(n)


MAX_DYNAMIC_INSTANCES = 50


def _mark_uncertain(unit: ComputeUnit, block: Block, key: str) -> None:
    """A setting from a dynamic block whose for_each is unknown may not be set at all."""
    if getattr(block, "uncertain", False) and key in unit.settings:
        s = unit.settings[key]
        s.value = Unknown(f"set by a dynamic {block.type} block that may be empty (for_each unknown)")


def _has_dynamic(block: Block) -> bool:
    return any(b.type == "dynamic" or _has_dynamic(b) for b in block.blocks)


def expand_dynamic(scope: Scope, block: Block, env: dict | None = None, depth: int = 0) -> Block:
    """A copy of ``block`` whose ``dynamic "x"`` blocks are replaced by their ``content`` blocks,
    one per element of a known ``for_each`` (none for an empty one). When ``for_each`` is unknown,
    one instance is kept with the iterator unknown and ``uncertain`` set: it may not exist."""
    env = env or {}
    out = Block(block.type, block.labels, block.file, block.line, block.end_line,
                attributes={k: _bind(a, env) for k, a in block.attributes.items()})
    out.uncertain = getattr(block, "uncertain", False)  # type: ignore[attr-defined]
    for sub in block.blocks:
        if sub.type != "dynamic" or not sub.labels or depth > 5:
            out.blocks.append(expand_dynamic(scope, sub, env, depth + 1) if sub.blocks or env else sub)
            continue
        content = sub.first("content")
        if content is None:
            continue
        iterator = sub.labels[0]
        if "iterator" in sub.attributes:
            src = getattr(sub.attributes["iterator"].expr, "source", lambda: "")()
            if src.strip().isidentifier():
                iterator = src.strip()
        fe = sub.attributes.get("for_each")
        value = plain(Evaluator(scope).eval(_bind(fe, env).expr)) if fe is not None else Unknown("no for_each")
        if isinstance(value, (list, dict)):
            pairs = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
            items = [({iterator: {"key": k, "value": v}}, False) for k, v in pairs[:MAX_DYNAMIC_INSTANCES]]
        else:
            reason = value.reason if isinstance(value, Unknown) else "for_each is not a collection"
            unknown = Unknown(f"dynamic {sub.labels[0]} block: {reason}")
            items = [({iterator: {"key": unknown, "value": unknown}}, True)]
        for bound, uncertain in items:
            inst = Block(sub.labels[0], [], content.file, content.line, content.end_line,
                         attributes=dict(content.attributes), blocks=list(content.blocks))
            inst.uncertain = uncertain  # type: ignore[attr-defined]
            out.blocks.append(expand_dynamic(scope, inst, {**env, **bound}, depth + 1))
    return out


def _bind(attr: Attribute, env: dict) -> Attribute:
    if not env or attr is None:
        return attr
    return Attribute(attr.name, BoundExpr(attr.expr, env), attr.file, attr.line)


def _not_created(scope: Scope, block: Block) -> bool:
    """True when ``count`` is known to be 0 or ``for_each`` known to be empty: no instance exists.
    An unknown count or for_each still models the resource once."""
    for arg in ("count", "for_each"):
        attr = block.attributes.get(arg)
        if attr is None:
            continue
        v = plain(Evaluator(scope).eval(attr.expr))
        if arg == "count" and isinstance(v, (int, float)) and not isinstance(v, bool) and v <= 0:
            return True
        if arg == "for_each" and isinstance(v, (list, dict)) and not v:
            return True
    return False


def _scope_for(scope: Scope, mods: str) -> Scope | None:
    s: Scope | None = scope
    for part in [p for p in mods.split(".") if p and p != "module"]:
        if s is None or part not in s.modules:
            return None
        s = s.child(part)
    return s
