"""Build the compute model from a loaded CloudFormation / SAM template."""

from __future__ import annotations

import re
from typing import Any, Iterable

from .. import facts
from .. import model as m
from .. import userdata
from ..model import ComputeUnit, Document, Location, Qualifier, Setting, Trigger, Unknown, is_unknown
from .intrinsics import Template, _fn
from .loader import CfnDict, CfnList

LAMBDA_TYPES = ("AWS::Lambda::Function", "AWS::Serverless::Function")
SAM_FUNCTION = "AWS::Serverless::Function"

# Placeholders the renderer leaves for references: ${Name} or ${Name.Attr}, optionally followed by
# ":qualifier" (an alias or version appended to a function ARN). A qualifier that is itself an
# unresolved placeholder (":${Stage}") is captured whole so that it is not mistaken for "$".
_REF_IN_TEXT = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}(?::(\$\{[^}]*\}|[A-Za-z0-9_$-]+))?")

_SAM_EVENT_KINDS = {
    "Api": m.REST_API,
    "HttpApi": m.HTTP_API,
    "Schedule": m.SCHEDULE,
    "ScheduleV2": m.SCHEDULE,
    "SQS": m.SQS,
    "S3": m.S3,
    "SNS": m.SNS,
    "Kinesis": m.KINESIS,
    "DynamoDB": m.DYNAMODB_STREAM,
    "MSK": m.KAFKA,
    "SelfManagedKafka": m.KAFKA,
    "MQ": m.MQ,
    "CloudWatchLogs": m.CLOUDWATCH_LOGS,
    "IoTRule": m.IOT,
    "Cognito": m.COGNITO,
    "EventBridgeRule": m.EVENTBRIDGE,
    "CloudWatchEvent": m.EVENTBRIDGE,
    "DocumentDB": m.OTHER,
    "AlexaSkill": m.OTHER,
}

_NUMERIC = (m.TIMEOUT, m.MEMORY_SIZE, m.EPHEMERAL_STORAGE, m.MIN_SIZE, m.MAX_SIZE, m.DESIRED_CAPACITY)


def _as_int(s: Setting) -> Setting:
    v = s.value
    if isinstance(v, bool) or is_unknown(v) or v is None:
        return s
    if isinstance(v, float) and v.is_integer():
        s.value = int(v)
    elif isinstance(v, str):
        try:
            s.value = int(v.strip())
        except ValueError:
            try:
                s.value = int(float(v.strip()))
            except (ValueError, OverflowError):  # not a number, or not a finite one ("nan", "1e999")
                s.value = Unknown(f"{v[:40]!r} is not a finite number")
    return s


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


class Builder:
    def __init__(self, tpl: Template) -> None:
        self.t = tpl
        self.doc = Document(path=tpl.file, source_format="cloudformation", files=[tpl.file])
        self.units: dict[str, ComputeUnit] = {}
        self.res = tpl.resources
        globals_ = tpl.data.get("Globals")
        fn_globals = globals_.get("Function") if isinstance(globals_, dict) else None
        self.fn_globals: CfnDict | None = fn_globals if isinstance(fn_globals, CfnDict) else None

    # -- utilities -------------------------------------------------------------------------
    def rtype(self, name: str) -> str | None:
        return self.t.resource_type(name)

    def res_line(self, name: str) -> int:
        return self.res.line_of(name) if isinstance(self.res, CfnDict) else 0

    def loc(self, line: int | None) -> Location:
        return self.t.loc(line)

    def prop_setting(self, props: CfnDict, key: str, numeric: bool = False) -> Setting | None:
        if key not in props:
            return None
        s = self.t.setting(props[key], props.line_of(key))
        return _as_int(s) if numeric else s

    def refs(self, value: Any) -> list[tuple[str, str | None, str | None]]:
        """Resources a value references: (logical id, attribute, appended qualifier)."""
        f = _fn(value)
        if f is not None and f[0] == "Ref" and isinstance(f[1], str):
            name = f[1]
            if "." in name:  # SAM: !Ref Fn.Alias / Fn.Version
                base, attr = name.split(".", 1)
                return [(base, attr, None)]
            return [(name, None, None)]
        text = self.t.render(value) if not isinstance(value, str) else value
        return [(a, b, c) for a, b, c in _REF_IN_TEXT.findall(text)
                if a in self.res] if isinstance(text, str) else []

    def function_target(self, value: Any) -> tuple[str, Any] | None:
        """(function logical id, qualifier) that a value (ARN, name, Ref...) points at."""
        for name, attr, suffix in self.refs(value):
            rtype = self.rtype(name)
            if rtype in LAMBDA_TYPES:
                if attr in ("Alias",):
                    return name, self._auto_alias(name)
                if attr == "Version":
                    return name, "version"
                if suffix and suffix.startswith("${"):
                    return name, Unknown(f"qualifier {suffix} is only known at deploy time")
                return name, (suffix or None)
            if rtype == "AWS::Lambda::Alias":
                fn = self.function_target(_props(self.res[name]).get("FunctionName"))
                if fn:
                    return fn[0], self._alias_name(name)
            if rtype == "AWS::Lambda::Version":
                fn = self.function_target(_props(self.res[name]).get("FunctionName"))
                if fn:
                    return fn[0], _version_qualifier(name)
        # SAM's generated alias logical ID: <Function>Alias<name>
        for name, _attr, _s in _REF_IN_TEXT.findall(self.t.render(value) if value is not None else ""):
            mt = re.match(r"^([A-Za-z0-9]+?)Alias([A-Za-z0-9]+)$", name)
            if mt and self.rtype(mt.group(1)) == SAM_FUNCTION:
                return mt.group(1), mt.group(2)
        return None

    def _alias_name(self, alias: str) -> Any:
        """The Name of an AWS::Lambda::Alias resource, or Unknown."""
        value = self.t.value(_props(self.res[alias]).get("Name"))
        return value if isinstance(value, str) else Unknown(f"the Name of alias {alias} could not be resolved")

    def _auto_alias(self, fn: str) -> Any:
        props = _props(self.res.get(fn))
        alias = props.get("AutoPublishAlias")
        if alias is None and self.fn_globals is not None:
            alias = self.fn_globals.get("AutoPublishAlias")
        v = self.t.value(alias) if alias is not None else None
        return v if isinstance(v, str) else (Unknown("AutoPublishAlias") if alias is not None else None)

    def add_trigger(self, target: str, kind: str, resource: str, rtype: str, line: int,
                    qualifier: Any = None, settings: dict[str, Setting] | None = None) -> None:
        unit = self.units.get(target)
        if unit is None:
            return
        unit.triggers.append(Trigger(kind=kind, resource=resource, resource_type=rtype,
                                     location=self.loc(line), target=target, qualifier=qualifier,
                                     settings=settings or {}))

    # -- units -----------------------------------------------------------------------------
    def build(self) -> Document:
        top_meta = self.t.data.get("Metadata")
        if isinstance(top_meta, dict):
            self.doc.metadata_suppressions = _suppressions(top_meta)
        for name, res in self.res.items():
            if not isinstance(res, dict):
                continue
            rtype = res.get("Type")
            if rtype in LAMBDA_TYPES:
                self.lambda_unit(name, res)
            elif rtype == "AWS::EC2::Instance":
                self.instance_unit(name, res)
            elif rtype == "AWS::AutoScaling::AutoScalingGroup":
                self.asg_unit(name, res)
        for name, res in self.res.items():
            if isinstance(res, dict) and res.get("Type") in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                self.qualifier(name, res)
        for name, res in self.res.items():
            if isinstance(res, dict):
                self.wire(name, res)
        for name, res in self.res.items():  # after every other trigger: permissions only fill gaps
            if isinstance(res, dict) and res.get("Type") == "AWS::Lambda::Permission":
                self.permission_fallback(name, res)
        self.doc.units = list(self.units.values())
        return self.doc

    def _unit(self, kind: str, name: str, res: CfnDict) -> ComputeUnit:
        unit = ComputeUnit(kind=kind, name=name, resource_type=res.get("Type"),
                           location=self.loc(self.res_line(name)), source_format="cloudformation",
                           end_line=getattr(res, "end_line", None))
        meta = res.get("Metadata")
        if isinstance(meta, dict):
            unit.metadata_suppressions = _suppressions(meta)
        self.units[name] = unit
        return unit

    def lambda_unit(self, name: str, res: CfnDict) -> None:
        unit = self._unit(m.LAMBDA_FUNCTION, name, res)
        props = _props(res)
        is_sam = res.get("Type") == SAM_FUNCTION
        keys = {
            m.TIMEOUT: ("Timeout", True), m.MEMORY_SIZE: ("MemorySize", True), m.RUNTIME: ("Runtime", False),
            m.ARCHITECTURES: ("Architectures", False), m.HANDLER: ("Handler", False),
            m.FUNCTION_NAME: ("FunctionName", False), m.PACKAGE_TYPE: ("PackageType", False),
        }
        for key, (prop, numeric) in keys.items():
            s = self.prop_setting(props, prop, numeric)
            if s is None and is_sam and self.fn_globals is not None and prop in self.fn_globals:
                s = self.t.setting(self.fn_globals[prop], self.fn_globals.line_of(prop))
                s = _as_int(s) if numeric else s
                via = s.note
                s.origin = m.ORIGIN_GLOBALS
                s.location = self.loc(self.fn_globals.line_of(prop))
                s.note = f"Globals.Function.{prop}" + (f" ({via})" if via else "")
            if s is not None:
                unit.settings[key] = s
        nested = ((m.SNAP_START, "SnapStart", "ApplyOn"), (m.EPHEMERAL_STORAGE, "EphemeralStorage", "Size"),
                  (m.DURABLE_EXECUTION_TIMEOUT, "DurableConfig", "ExecutionTimeout"))
        for key, prop, inner_key in nested:
            src, line = props.get(prop), props.line_of(prop)
            origin_globals = False
            if src is None and is_sam and self.fn_globals is not None and prop in self.fn_globals:
                src, line, origin_globals = self.fn_globals[prop], self.fn_globals.line_of(prop), True
            if isinstance(src, dict):
                if inner_key in src:
                    s = self.t.setting(src[inner_key], src.line_of(inner_key) if isinstance(src, CfnDict) else line)
                    if key != m.SNAP_START:
                        s = _as_int(s)
                    if origin_globals:
                        s.origin, s.note = m.ORIGIN_GLOBALS, f"Globals.Function.{prop}"
                    unit.settings[key] = s
            elif src is not None:  # Fn::If, a Ref...: whether it is set is not known statically
                s = self.t.setting(src, line)
                if s.value is not None:
                    unit.settings[key] = Setting(Unknown(f"{prop} could not be read statically"), s.location,
                                                 m.ORIGIN_UNKNOWN, s.note)
        if is_sam and (props.get("ImageUri") is not None or props.get("PackageType") == "Image"):
            unit.settings.setdefault(m.PACKAGE_TYPE, Setting("Image", self.loc(props.line_of("ImageUri")), m.ORIGIN_LITERAL))
        if not is_sam and isinstance(props.get("Code"), dict) and "ImageUri" in props["Code"]:
            unit.settings.setdefault(m.PACKAGE_TYPE, Setting("Image", self.loc(props.line_of("Code")), m.ORIGIN_LITERAL))
        for key, fact in ((m.TIMEOUT, "lambda.timeout_default"), (m.MEMORY_SIZE, "lambda.memory_default")):
            if key not in unit.settings or unit.settings[key].value is None:
                unit.settings[key] = Setting(facts.value(fact), None, m.ORIGIN_SERVICE_DEFAULT)
        if is_sam:
            alias = props.get("AutoPublishAlias")
            alias_line = props.line_of("AutoPublishAlias")
            if alias is None and self.fn_globals is not None and "AutoPublishAlias" in self.fn_globals:
                alias, alias_line = self.fn_globals["AutoPublishAlias"], self.fn_globals.line_of("AutoPublishAlias")
            if alias is not None:
                alias_name = self.t.value(alias)
                unit.settings[m.PUBLISH] = Setting(True, self.loc(alias_line), m.ORIGIN_LITERAL, note="AutoPublishAlias")
                pc = props.get("ProvisionedConcurrencyConfig")
                pc_line = props.line_of("ProvisionedConcurrencyConfig")
                if pc is None and self.fn_globals is not None and "ProvisionedConcurrencyConfig" in self.fn_globals:
                    pc, pc_line = self.fn_globals["ProvisionedConcurrencyConfig"], self.fn_globals.line_of("ProvisionedConcurrencyConfig")
                pcs = None
                if isinstance(pc, CfnDict) and "ProvisionedConcurrentExecutions" in pc:
                    pcs = _as_int(self.t.setting(pc["ProvisionedConcurrentExecutions"], pc.line_of("ProvisionedConcurrentExecutions")))
                    if "ProvisionedConcurrencyConfig" not in props:
                        pcs.origin, pcs.note = m.ORIGIN_GLOBALS, "Globals.Function.ProvisionedConcurrencyConfig"
                elif pc is not None:
                    pcs = Setting(Unknown("ProvisionedConcurrencyConfig could not be read"), self.loc(pc_line),
                                  m.ORIGIN_UNKNOWN)
                unit.qualifiers.append(Qualifier(
                    kind="alias", name=alias_name if isinstance(alias_name, str) else Unknown("AutoPublishAlias"),
                    resource=f"{name}Alias{alias_name if isinstance(alias_name, str) else ''}",
                    location=self.loc(alias_line), provisioned_concurrency=pcs))
            elif "ProvisionedConcurrencyConfig" in props:
                unit.notes.append("ProvisionedConcurrencyConfig without AutoPublishAlias: SAM applies provisioned "
                                  "concurrency to the AutoPublishAlias alias only, so none is configured")
            url = props.get("FunctionUrlConfig")
            if isinstance(url, CfnDict):
                settings = {}
                for key, prop in ((m.AUTH_TYPE, "AuthType"), (m.INVOKE_MODE, "InvokeMode")):
                    s = self.prop_setting(url, prop)
                    if s:
                        settings[key] = s
                q = unit.qualifiers[0].name if unit.qualifiers else None
                unit.triggers.append(Trigger(m.FUNCTION_URL, f"{name}.FunctionUrlConfig", "AWS::Lambda::Url",
                                             self.loc(props.line_of("FunctionUrlConfig")), name, q, settings))
            self.sam_events(name, unit, props)

    def sam_events(self, name: str, unit: ComputeUnit, props: CfnDict) -> None:
        events = props.get("Events")
        if not isinstance(events, CfnDict):
            return
        qualifier = unit.qualifiers[0].name if unit.qualifiers else None
        for ev_name, ev in events.items():
            if not isinstance(ev, CfnDict):
                continue
            etype = ev.get("Type")
            etype = etype if isinstance(etype, str) else None  # SAM reads Type before any intrinsic
            kind = _SAM_EVENT_KINDS.get(etype, m.OTHER)
            eprops = ev.get("Properties") if isinstance(ev.get("Properties"), CfnDict) else CfnDict_empty(ev)
            settings: dict[str, Setting] = {}
            if etype in ("Schedule", "ScheduleV2") or (etype in ("EventBridgeRule", "CloudWatchEvent") and "Schedule" in eprops):
                kind = m.SCHEDULE
                key = "ScheduleExpression" if "ScheduleExpression" in eprops else "Schedule"
                s = self.prop_setting(eprops, key)
                if s:
                    settings[m.SCHEDULE_EXPRESSION] = s
                tz = self.prop_setting(eprops, "ScheduleExpressionTimezone")
                if tz:
                    settings[m.SCHEDULE_TIMEZONE] = tz
            if etype == "HttpApi" and isinstance(eprops.get("ApiId"), dict):
                for ref, _a, _s in self.refs(eprops.get("ApiId")):
                    api = self.res.get(ref)
                    if isinstance(api, dict) and api.get("Type") == "AWS::ApiGatewayV2::Api":
                        if str(self.t.value(_props(api).get("ProtocolType"))).upper() == "WEBSOCKET":
                            kind = m.WEBSOCKET_API
            if etype in ("Api", "HttpApi") and "TimeoutInMillis" in eprops:
                s = self.prop_setting(eprops, "TimeoutInMillis", numeric=True)
                if s:
                    settings[m.INTEGRATION_TIMEOUT_MS] = s
            unit.triggers.append(Trigger(kind, f"{name}.Events.{ev_name}", f"SAM event {etype}",
                                         self.loc(events.line_of(ev_name)), name, qualifier, settings))

    def instance_unit(self, name: str, res: CfnDict) -> None:
        unit = self._unit(m.EC2_INSTANCE, name, res)
        props = _props(res)
        self.compute_settings(unit, props, res)
        lt = props.get("LaunchTemplate")
        if isinstance(lt, dict):
            self.merge_launch_template(unit, lt)

    def compute_settings(self, unit: ComputeUnit, props: CfnDict, res: CfnDict) -> None:
        s = self.prop_setting(props, "InstanceType")
        if s is not None:
            unit.settings.setdefault(m.INSTANCE_TYPE, s)
        if "UserData" in props:
            s = self.t.setting(props["UserData"], props.line_of("UserData"))
            s.value = _decode_user_data(s.value)
            unit.settings.setdefault(m.USER_DATA, s)
        init = render_cfn_init(self.t, res)
        if init is not None:
            unit.settings.setdefault(m.INIT_CONFIG, init)
        tags = props.get("Tags")
        if isinstance(tags, list):
            out = {}
            for t in tags:
                if isinstance(t, dict) and "Key" in t:
                    out[str(self.t.value(t["Key"]))] = self.t.render(t.get("Value"))
            unit.settings.setdefault(m.TAGS, Setting(out, self.loc(props.line_of("Tags"))))

    def launch_source(self, spec: Any) -> str | None:
        if not isinstance(spec, dict):
            return None
        for key in ("LaunchTemplateId", "LaunchTemplateName"):
            if key in spec:
                for ref, _a, _s in self.refs(spec[key]):
                    if self.rtype(ref) == "AWS::EC2::LaunchTemplate":
                        return ref
        return None

    def merge_launch_template(self, unit: ComputeUnit, spec: Any) -> None:
        lt_name = self.launch_source(spec)
        if lt_name is None:
            return
        lt = self.res[lt_name]
        data = _props(lt).get("LaunchTemplateData")
        data = data if isinstance(data, CfnDict) else CfnDict_empty(lt)
        self.compute_settings(unit, data, lt)
        unit.settings.setdefault(m.LAUNCH_TEMPLATE, Setting(lt_name, self.loc(self.res_line(lt_name))))
        unit.related.append(self.loc(self.res_line(lt_name)))

    def asg_unit(self, name: str, res: CfnDict) -> None:
        unit = self._unit(m.AUTO_SCALING_GROUP, name, res)
        props = _props(res)
        for key, prop in ((m.MIN_SIZE, "MinSize"), (m.MAX_SIZE, "MaxSize"), (m.DESIRED_CAPACITY, "DesiredCapacity")):
            s = self.prop_setting(props, prop, numeric=True)
            if s is not None:
                unit.settings[key] = s
        spec = props.get("LaunchTemplate")
        mip = props.get("MixedInstancesPolicy")
        if spec is None and isinstance(mip, dict):
            lt = mip.get("LaunchTemplate")
            spec = lt.get("LaunchTemplateSpecification") if isinstance(lt, dict) else None
        if spec is not None:
            self.merge_launch_template(unit, spec)
        lc = props.get("LaunchConfigurationName")
        if lc is not None:
            for ref, _a, _s in self.refs(lc):
                if self.rtype(ref) == "AWS::AutoScaling::LaunchConfiguration":
                    lc_res = self.res[ref]
                    self.compute_settings(unit, _props(lc_res), lc_res)
                    unit.settings.setdefault(m.LAUNCH_TEMPLATE, Setting(ref, self.loc(self.res_line(ref))))
                    unit.related.append(self.loc(self.res_line(ref)))
        for prop in ("TargetGroupARNs", "LoadBalancerNames"):
            if prop in props:
                unit.triggers.append(Trigger(m.ALB, f"{name}.{prop}", "AWS::AutoScaling::AutoScalingGroup",
                                             self.loc(props.line_of(prop)), name, None, {}))

    # -- aliases and versions --------------------------------------------------------------
    def qualifier(self, name: str, res: CfnDict) -> None:
        """An AWS::Lambda::Alias or AWS::Lambda::Version becomes a Qualifier of the function its
        FunctionName points at, with the provisioned concurrency configured on it."""
        props = _props(res)
        target = self.function_target(props.get("FunctionName"))
        unit = self.units.get(target[0]) if target else None
        if unit is None:
            return
        if res.get("Type") == "AWS::Lambda::Alias":
            kind, qname = "alias", self._alias_name(name)
        else:
            kind, qname = "version", _version_qualifier(name)
        pcs = None
        pc = props.get("ProvisionedConcurrencyConfig")
        if isinstance(pc, CfnDict) and "ProvisionedConcurrentExecutions" in pc:
            pcs = _as_int(self.t.setting(pc["ProvisionedConcurrentExecutions"],
                                         pc.line_of("ProvisionedConcurrentExecutions")))
        elif pc is not None:  # Fn::If, a Ref to a parameter holding the whole object...
            pcs = self.t.setting(pc, props.line_of("ProvisionedConcurrencyConfig"))
            if pcs.value is None:  # a condition removed it
                pcs = None
            elif not is_unknown(pcs.value):
                pcs.value = Unknown("ProvisionedConcurrencyConfig could not be read")
        location = self.loc(self.res_line(name))
        unit.qualifiers.append(Qualifier(kind, qname, name, location, pcs))
        unit.related.append(location)

    # -- triggers from other resources -----------------------------------------------------
    def wire(self, name: str, res: CfnDict) -> None:
        rtype = res.get("Type")
        props = _props(res)
        line = self.res_line(name)
        if rtype == "AWS::Events::Rule":
            sched = self.prop_setting(props, "ScheduleExpression")
            kind = m.SCHEDULE if sched is not None else m.EVENTBRIDGE
            targets = props.get("Targets")
            for i, tgt in enumerate(targets if isinstance(targets, list) else []):
                if isinstance(tgt, dict):
                    self._link(tgt.get("Arn"), kind, name, rtype, line,
                               {m.SCHEDULE_EXPRESSION: sched} if sched else {})
        elif rtype == "AWS::Scheduler::Schedule":
            settings = {}
            s = self.prop_setting(props, "ScheduleExpression")
            if s:
                settings[m.SCHEDULE_EXPRESSION] = s
            tz = self.prop_setting(props, "ScheduleExpressionTimezone")
            if tz:
                settings[m.SCHEDULE_TIMEZONE] = tz
            tgt = props.get("Target")
            if isinstance(tgt, dict):
                self._link(tgt.get("Arn"), m.SCHEDULE, name, rtype, line, settings)
        elif rtype == "AWS::ApiGateway::Method":
            integ = props.get("Integration")
            if isinstance(integ, CfnDict):
                settings = {}
                s = self.prop_setting(integ, "TimeoutInMillis", numeric=True)
                if s:
                    settings[m.INTEGRATION_TIMEOUT_MS] = s
                self._link(integ.get("Uri"), m.REST_API, name, rtype, line, settings)
        elif rtype == "AWS::ApiGatewayV2::Integration":
            kind = m.HTTP_API
            for ref, _a, _s in self.refs(props.get("ApiId")):
                api = self.res.get(ref)
                if isinstance(api, dict) and str(self.t.value(_props(api).get("ProtocolType"))).upper() == "WEBSOCKET":
                    kind = m.WEBSOCKET_API
            settings = {}
            s = self.prop_setting(props, "TimeoutInMillis", numeric=True)
            if s:
                settings[m.INTEGRATION_TIMEOUT_MS] = s
            self._link(props.get("IntegrationUri"), kind, name, rtype, line, settings)
        elif rtype == "AWS::ElasticLoadBalancingV2::TargetGroup":
            ttype = str(self.t.value(props.get("TargetType", "instance"))).lower()
            targets = props.get("Targets")
            for tgt in targets if isinstance(targets, list) else []:
                if not isinstance(tgt, dict):
                    continue
                if ttype == "lambda":
                    self._link(tgt.get("Id"), m.ALB, name, rtype, line, {})
                else:
                    for ref, _a, _s in self.refs(tgt.get("Id")):
                        if self.rtype(ref) == "AWS::EC2::Instance":
                            self.add_trigger(ref, m.ALB, name, rtype, line)
        elif rtype == "AWS::ElasticLoadBalancing::LoadBalancer":
            for ref, _a, _s in self.refs(props.get("Instances")):
                if self.rtype(ref) == "AWS::EC2::Instance":
                    self.add_trigger(ref, m.ALB, name, rtype, line)
        elif rtype == "AWS::Lambda::Url":
            settings = {}
            for key, prop in ((m.AUTH_TYPE, "AuthType"), (m.INVOKE_MODE, "InvokeMode")):
                s = self.prop_setting(props, prop)
                if s:
                    settings[key] = s
            target = self.function_target(props.get("TargetFunctionArn"))
            if target:
                qual = target[1]
                if "Qualifier" in props:
                    qv = self.t.value(props["Qualifier"])
                    qual = qv if isinstance(qv, str) else Unknown("Qualifier")
                self.add_trigger(target[0], m.FUNCTION_URL, name, rtype, line, qual, settings)
        elif rtype == "AWS::AppSync::DataSource":
            if str(self.t.value(props.get("Type"))).upper() == "AWS_LAMBDA":
                cfg = props.get("LambdaConfig")
                if isinstance(cfg, dict):
                    self._link(cfg.get("LambdaFunctionArn"), m.APPSYNC, name, rtype, line, {})
        elif rtype == "AWS::Lambda::EventSourceMapping":
            kind = self._esm_kind(props)
            self._link(props.get("FunctionName"), kind, name, rtype, line, {})
        elif rtype == "AWS::S3::Bucket":
            nc = props.get("NotificationConfiguration")
            if isinstance(nc, dict):
                for cfg in nc.get("LambdaConfigurations") or []:
                    if isinstance(cfg, dict):
                        self._link(cfg.get("Function"), m.S3, name, rtype, line, {})
        elif rtype == "AWS::SNS::Subscription":
            if str(self.t.value(props.get("Protocol"))).lower() == "lambda":
                self._link(props.get("Endpoint"), m.SNS, name, rtype, line, {})
        elif rtype == "AWS::SNS::Topic":
            for sub in props.get("Subscription") or []:
                if isinstance(sub, dict) and str(self.t.value(sub.get("Protocol"))).lower() == "lambda":
                    self._link(sub.get("Endpoint"), m.SNS, name, rtype, line, {})
        elif rtype == "AWS::StepFunctions::StateMachine" or rtype == "AWS::Serverless::StateMachine":
            seen: set[str] = set()
            for key in ("DefinitionString", "Definition", "DefinitionSubstitutions"):
                for ref in self._all_refs(props.get(key)):
                    if self.rtype(ref) in LAMBDA_TYPES and ref not in seen:
                        seen.add(ref)
                        self.add_trigger(ref, m.STEP_FUNCTIONS, name, rtype, line)
        elif rtype == "AWS::Cognito::UserPool":
            cfg = props.get("LambdaConfig")
            if isinstance(cfg, dict):
                for v in cfg.values():
                    self._link(v, m.COGNITO, name, rtype, line, {})
        elif rtype == "AWS::CloudFront::Distribution":
            for ref in self._all_refs(props.get("DistributionConfig")):
                if self.rtype(ref) in ("AWS::Lambda::Version",) + LAMBDA_TYPES:
                    target = self.function_target({"Ref": ref})
                    if target:
                        self.add_trigger(target[0], m.CLOUDFRONT, name, rtype, line, target[1])

    def permission_fallback(self, name: str, res: CfnDict) -> None:
        """An AWS::Lambda::Permission explains an invocation only when nothing else does (an API
        defined by an OpenAPI body, a rule in another stack): it adds a trigger of the kind its
        principal implies unless the function already has one. Mirrors the Terraform builder."""
        props = _props(res)
        target = self.function_target(props.get("FunctionName"))
        unit = self.units.get(target[0]) if target else None
        if unit is None:
            return
        principal = self.t.value(props.get("Principal"))
        service = principal.split(".")[0] if isinstance(principal, str) else ""
        kind = m.PRINCIPAL_KINDS.get(service, m.OTHER)
        source = props.get("SourceArn")
        if service == "apigateway":
            api_kind = self._api_kind(source)
            if unit.triggers_of(*((api_kind,) if api_kind else (m.REST_API, m.HTTP_API, m.WEBSOCKET_API))):
                return  # a method or integration already wires this API
            if api_kind is None:
                unit.notes.append(f"{name}: API Gateway permission, REST or HTTP API unknown (modelled as REST API)")
            kind = api_kind or m.REST_API
        elif service == "events":
            for ref, _a, _s in self.refs(source):
                if self.rtype(ref) == "AWS::Events::Rule" and "ScheduleExpression" in _props(self.res[ref]):
                    kind = m.SCHEDULE
        if unit.triggers_of(kind):
            return  # the wiring resource already produced this trigger
        self.add_trigger(target[0], kind, name, "AWS::Lambda::Permission", self.res_line(name), target[1])

    def _api_kind(self, source_arn: Any) -> str | None:
        """REST, HTTP or WebSocket API, from the API a permission's SourceArn names (None: unknown)."""
        for ref, _a, _s in self.refs(source_arn):
            rtype = self.rtype(ref)
            if rtype in ("AWS::ApiGateway::RestApi", "AWS::Serverless::Api"):
                return m.REST_API
            if rtype == "AWS::Serverless::HttpApi":
                return m.HTTP_API
            if rtype == "AWS::ApiGatewayV2::Api":
                protocol = str(self.t.value(_props(self.res[ref]).get("ProtocolType"))).upper()
                return m.WEBSOCKET_API if protocol == "WEBSOCKET" else m.HTTP_API
        return None

    def _esm_kind(self, props: CfnDict) -> str:
        arn = props.get("EventSourceArn")
        for ref, _a, _s in self.refs(arn):
            rt = self.rtype(ref)
            if rt == "AWS::SQS::Queue":
                return m.SQS
            if rt == "AWS::Kinesis::Stream":
                return m.KINESIS
            if rt == "AWS::DynamoDB::Table":
                return m.DYNAMODB_STREAM
            if rt and "MSK" in rt:
                return m.KAFKA
            if rt and rt.startswith("AWS::AmazonMQ"):
                return m.MQ
        text = self.t.render(arn) if arn is not None else ""
        for needle, kind in ((":sqs:", m.SQS), (":kinesis:", m.KINESIS), (":dynamodb:", m.DYNAMODB_STREAM),
                             (":kafka:", m.KAFKA), (":mq:", m.MQ)):
            if needle in text:
                return kind
        if props.get("SelfManagedEventSource") is not None:
            return m.KAFKA
        return m.OTHER

    def _all_refs(self, value: Any) -> Iterable[str]:
        """Every resource referenced anywhere inside a value (state machine definitions)."""
        stack = [value]
        while stack:
            v = stack.pop()
            f = _fn(v)
            if f is not None:
                for ref, _a, _s in self.refs(v):
                    yield ref
                if f[0] in ("Fn::Sub",) and isinstance(f[1], list) and len(f[1]) > 1:
                    stack.append(f[1][1])
                continue
            if isinstance(v, dict):
                stack.extend(v.values())
            elif isinstance(v, list):
                stack.extend(v)
            elif isinstance(v, str) and "${" in v:
                for ref, _a, _s in self.refs(v):
                    yield ref

    def _link(self, value: Any, kind: str, resource: str, rtype: str, line: int,
              settings: dict[str, Setting]) -> None:
        target = self.function_target(value)
        if target is not None:
            self.add_trigger(target[0], kind, resource, rtype, line, target[1], settings)


def _version_qualifier(version: str) -> str:
    """The qualifier name of an AWS::Lambda::Version resource (its number is only known after
    deployment, so the logical ID stands for it)."""
    return f"version:{version}"


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


def _json_text(tpl: Template, value: Any) -> str:
    import json

    def plain(v: Any) -> Any:
        if _fn(v):
            return tpl.render(v)
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return v

    return json.dumps(plain(value), indent=2)
