"""The linker: derives the compute view checks read (units, their triggers and qualifiers) from the
resource graph, once, for both languages.

It reads only canonical kinds, attributes and edges (``data/kinds.toml``), never a language's
spelling: what invokes a function (schedules, APIs, load balancers, queues...), which alias or
version each caller invokes, and the provisioned concurrency configured on each.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from .lazyre import LazyPattern as _lazy
from . import model as m
from .kinds import convert, default_setting, kind_of
from .model import ComputeUnit, Document, Edge, Qualifier, Resource, Setting, Trigger, Unknown, is_unknown

#: Resource kinds that are compute units, and the unit kind each becomes.
UNIT_KINDS = {"lambda_function": m.LAMBDA_FUNCTION, "ec2_instance": m.EC2_INSTANCE,
              "auto_scaling_group": m.AUTO_SCALING_GROUP, "ecs_service": m.ECS_SERVICE,
              "ecs_task_definition": m.ECS_TASK}
#: The settings an ECS service takes from the task definition it runs.
TASK_SETTINGS = (m.TASK_CPU, m.TASK_MEMORY, m.REQUIRES_COMPATIBILITIES, m.CPU_ARCHITECTURE,
                 m.OPERATING_SYSTEM_FAMILY)

#: The trigger kind of an event source mapping, by the kind of its source resource...
SOURCE_KINDS = {"sqs_queue": m.SQS, "kinesis_stream": m.KINESIS, "dynamodb_table": m.DYNAMODB_STREAM,
                "msk_cluster": m.KAFKA, "mq_broker": m.MQ}
#: ... or by the service of a literal ARN (or the source service a front end knows).
SOURCE_SERVICES = {"sqs": m.SQS, "kinesis": m.KINESIS, "dynamodb": m.DYNAMODB_STREAM, "kafka": m.KAFKA,
                   "mq": m.MQ}

_ARN_SERVICE = _lazy(r"arn:aws[\w-]*:(\w+):")
_FUNCTION_ARN = _lazy(r"arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9_$-]+))?")
_TYPE_IN_TEXT = _lazy(r"\b(aws_[a-z0-9_]+)\.")
#: A reference placeholder a front end left in a text, and the ``:qualifier`` written after it.
_PLACEHOLDER_REF = _lazy(r"\$\{([^{}]+)\}(?::(\$\{[^{}]*\}|[A-Za-z0-9_$-]+))?")
_API_KINDS = (m.REST_API, m.HTTP_API, m.WEBSOCKET_API, m.API_GATEWAY)
#: The scalable dimension of a Lambda alias's or version's provisioned concurrency.
PC_DIMENSION = "lambda:function:ProvisionedConcurrency"
_ELSEWHERE: Any = object()  # a scalable target of a function outside the scanned code


def _is_version_ref(ref: str | None) -> bool:
    """A reference to a function's published version (``qualified_arn``, SAM ``Fn.Version``, a
    module's ``lambda_function_qualified_arn`` or ``lambda_function_version``)."""
    if not ref:
        return False
    r = ref.lower()
    return r == "version" or "qualified" in r or r.endswith("_version")


class Linker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.by_address: dict[str, Resource] = {r.address: r for r in doc.resources}
        self.units: dict[str, ComputeUnit] = {}
        self.by_function_name: dict[str, ComputeUnit] = {}
        self.served: set[str] = set()  # task definitions an ECS service in the document runs

    # -- following edges ---------------------------------------------------------------------
    def target(self, edge: Edge) -> Resource | None:
        return self.by_address.get(edge.target) if edge.target else None

    def follow(self, res: Resource, via: str) -> list[Resource]:
        return [t for e in res.edges_via(via) if (t := self.target(e)) is not None]

    def function(self, edge: Edge | None, depth: int = 0) -> tuple[ComputeUnit, Any] | None:
        """The unit an edge points at, and the qualifier it invokes (None: unqualified)."""
        if edge is None or depth > 5:
            return None
        res = self.target(edge)
        if res is not None:
            unit = self.units.get(res.address)
            if unit is not None:
                if unit.kind != m.LAMBDA_FUNCTION:
                    return unit, None
                if _is_version_ref(edge.ref):
                    return unit, m.current_version(unit.name)
                return unit, Qualifier.from_text(edge.qualifier)
            if res.kind == "lambda_alias":
                fn = self.function(next(iter(res.edges_via("function")), None), depth + 1)
                if fn is None:
                    return None
                name = res.value("name")
                if not isinstance(name, str):
                    name = Unknown(f"the Name of alias {res.address} could not be resolved")
                return fn[0], Qualifier("alias", name)
            if res.kind == "lambda_version":
                fn = self.function(next(iter(res.edges_via("function")), None), depth + 1)
                return (fn[0], Qualifier("version", res.address)) if fn else None
        if isinstance(edge.literal, str):
            return self.function_by_text(edge.literal)
        return None

    def function_by_text(self, text: str) -> tuple[ComputeUnit, Any] | None:
        """A function named by a literal ARN or function name."""
        mt = _FUNCTION_ARN.search(text)
        if mt:
            unit = self.by_function_name.get(mt.group(1))
            return (unit, Qualifier.from_text(mt.group(2))) if unit is not None else None
        if getattr(text, "unresolved", None):
            return None
        unit = self.by_function_name.get(text)
        return (unit, None) if unit is not None else None

    def function_in_text(self, res: Resource, text: Any) -> tuple[ComputeUnit, Any] | None:
        """The function a text names (an integration URI of an OpenAPI body, a Task's Resource):
        a reference the front end left as a placeholder (``${Fn.Arn}``, ``${Fn}``,
        ``${aws_lambda_function.fn.invoke_arn}``, ``${module.x.lambda_function_arn}``; a ``:name``
        after it is the qualifier), else a literal function ARN or name. None when it names no
        function of the scanned code."""
        if not isinstance(text, str):
            return None
        for mt in _PLACEHOLDER_REF.finditer(text):
            ref = re.sub(r"\[[^\]]*\]", "", mt.group(1))
            if ref.startswith("AWS::"):
                continue
            suffix = mt.group(2)
            qualifier: Any = Unknown(f"qualifier {suffix} is only known at deploy time") \
                if suffix and suffix.startswith("${") else suffix
            parts = ref.split(".")
            for i in range(len(parts), 0, -1):
                address = ".".join(parts[:i])
                if address in self.by_address:
                    attr = ".".join(parts[i:]) or "Ref"
                    fn = self.function(Edge(res.address, "text", address, attr, qualifier, None, res.location))
                    if fn is not None:
                        return fn
                    break
        text = re.sub(r"\$\{AWS::\w+\}", "AWS", text)  # a pseudo parameter in a literal ARN
        if "${" in text and not _FUNCTION_ARN.search(text):
            return None
        return self.function_by_text(text.strip())

    def functions(self, res: Resource, via: str) -> list[tuple[ComputeUnit, Any]]:
        out = []
        for e in res.edges_via(via):
            f = self.function(e)
            if f is not None:
                out.append(f)
        return out

    # -- building ----------------------------------------------------------------------------
    def link(self) -> None:
        for res in self.doc.resources:
            if res.kind in UNIT_KINDS and res.declared_by is None:
                self.units[res.address] = self.unit(res)
        for u in self.units.values():
            fn = u.settings.get(m.FUNCTION_NAME)
            if fn is not None and isinstance(fn.value, str):
                self.by_function_name.setdefault(fn.value, u)
        for u in self.units.values():
            if u.kind in (m.EC2_INSTANCE, m.AUTO_SCALING_GROUP):
                self.launch_template(u)
            if u.kind == m.ECS_TASK:
                u.containers = containers(u.setting(m.CONTAINER_DEFINITIONS))
        for u in self.units.values():
            if u.kind == m.ECS_SERVICE:
                self.task_definition(u)
        for res in self.doc.resources:
            if res.kind == "autoscaling_scheduled_action":
                for fn in self.functions(res, "group"):
                    if fn[0].kind == m.AUTO_SCALING_GROUP:
                        fn[0].scheduled_actions.append(res)
                        fn[0].related.append(res.location)
        for u in self.units.values():
            if u.scheduled_actions:
                u.window = capacity_window(u)
            if u.kind in (m.EC2_INSTANCE, m.AUTO_SCALING_GROUP):
                u.instance_schedule = instance_schedule(u, self.doc.resources)
        for res in self.doc.resources:
            if res.kind in ("lambda_alias", "lambda_version", "lambda_provisioned_concurrency"):
                self.qualifier(res)
        for res in self.doc.resources:
            wire = getattr(self, "_w_" + (res.kind or ""), None)
            if wire is not None and not (res.kind == "lambda_permission" and res.declared_by is None):
                wire(res)
        for res in self.doc.resources:  # after every other trigger: permissions only fill gaps
            if res.kind == "lambda_permission" and res.declared_by is None:
                self._w_lambda_permission(res)
        for u in self.units.values():
            for t in u.triggers_of(m.SCHEDULE):
                t.schedule = parse_schedule(t.settings.get(m.SCHEDULE_EXPRESSION))
            if u.kind in (m.EC2_INSTANCE, m.AUTO_SCALING_GROUP):
                u.setup = analyse_setup(u)
            if u.kind == m.ECS_TASK and u.triggers and u.name not in self.served:
                self.one_shot(u)
        self.doc.units = list(self.units.values())

    @staticmethod
    def one_shot(u: ComputeUnit) -> None:
        """A task definition no service in the scanned code runs, started by its triggers (a
        schedule, a rule, a RunTask): its containers' programs run to their end (workload.one_shot)."""
        if is_unknown(u.containers) or not u.containers:
            return
        from . import workload

        started_by = " and ".join(dict.fromkeys(f"{t.kind} {t.resource}" for t in u.triggers))
        for c in u.containers:
            if c.process is not None:
                c.process = workload.one_shot(c.process, started_by)

    def unit(self, res: Resource) -> ComputeUnit:
        u = ComputeUnit(kind=UNIT_KINDS[res.kind], name=res.address, resource_type=res.type,
                        location=res.location, source_format=res.source_format,
                        settings={k: s for k, s in res.attributes.items()}, end_line=res.end_line,
                        metadata_suppressions=res.metadata_suppressions, related=res.related,
                        notes=res.notes, resource=res)
        if u.kind != m.LAMBDA_FUNCTION and m.USER_DATA not in u.settings and "user_data_base64" in u.settings:
            u.settings[m.USER_DATA] = u.settings["user_data_base64"]
        u.settings.pop("user_data_base64", None)
        return u

    def launch_template(self, u: ComputeUnit) -> None:
        """A server's instance type, user data, tags, volumes and public IP setting come from its
        launch template or launch configuration when it does not set them itself."""
        res = u.resource
        edges = res.edges_via("launch_template", "launch_configuration")
        if not edges:
            return
        lt = None
        for e in edges:
            t = self.target(e)
            if t is not None and t.kind in ("launch_template", "launch_configuration"):
                lt = t
            elif t is None and isinstance(e.literal, str):
                lt = next((r for r in self.doc.resources if r.kind in ("launch_template", "launch_configuration")
                           and r.value("template_name") == e.literal), None)
            if lt is not None:
                break
        if lt is None:
            u.notes.append("launch template could not be resolved: instance type and user data unknown")
            return
        u.related.append(lt.location)
        u.notes.extend(n for n in lt.notes if n not in u.notes)
        u.settings.setdefault(m.LAUNCH_TEMPLATE, Setting(lt.address, lt.location))
        user_data = lt.setting(m.USER_DATA) or lt.setting("user_data_base64")
        for key, s in ((m.INSTANCE_TYPE, lt.setting(m.INSTANCE_TYPE)), (m.USER_DATA, user_data),
                       (m.INIT_CONFIG, lt.setting(m.INIT_CONFIG)), (m.TAGS, lt.setting(m.TAGS)),
                       *((k, lt.setting(k)) for k in (m.ROOT_BLOCK_DEVICE, m.BLOCK_DEVICES, m.PUBLIC_IP))):
            if s is not None:
                u.settings.setdefault(key, s)

    def task_definition(self, u: ComputeUnit) -> None:
        """An ECS service runs the containers of its task definition, at its size."""
        task = None
        for e in u.resource.edges_via("task_definition"):
            t = self.target(e)
            if t is not None and t.address in self.units and self.units[t.address].kind == m.ECS_TASK:
                task = self.units[t.address]
                break
        if task is None:
            if u.setting(m.CONTAINER_DEFINITIONS) is not None:  # a module call that creates its task definition
                u.containers = containers(u.setting(m.CONTAINER_DEFINITIONS))
            else:
                u.containers = Unknown("the task definition is not in the scanned code")
            return
        u.related.append(task.location)
        self.served.add(task.name)
        for key in TASK_SETTINGS:
            s = task.setting(key)
            if s is not None:
                u.settings.setdefault(key, s)
        u.containers = task.containers

    # -- qualifiers --------------------------------------------------------------------------
    def qualifier(self, res: Resource) -> None:
        """An alias, a version or a provisioned concurrency configuration becomes a qualifier of
        the function it names, with the provisioned concurrency configured on it."""
        fn = self.function(next(iter(res.edges_via("function")), None))
        if fn is None or fn[0].kind != m.LAMBDA_FUNCTION:
            return
        unit = fn[0]
        pc = res.setting("provisioned_concurrency")
        if res.kind == "lambda_alias":
            name = res.value("name")
            if not isinstance(name, str):
                name = Unknown(f"the Name of alias {res.address} could not be resolved")
            unit.qualifiers.append(Qualifier("alias", name, res.address, res.location, pc))
        elif res.kind == "lambda_version":
            unit.qualifiers.append(Qualifier("version", res.address, res.address, res.location, pc))
        else:
            q = self.invoked(res, unit, default=Unknown("qualifier could not be resolved"))
            if q is None:
                q = Qualifier("alias", Unknown("qualifier could not be resolved"))
            if is_unknown(q):
                q = Qualifier("alias", q)
            for existing in unit.qualifiers:
                if existing.same(q) and existing.provisioned_concurrency is None:
                    existing.provisioned_concurrency = pc
                    unit.related.append(res.location)
                    return
            if pc is not None and isinstance(pc.value, int) and pc.value <= 0:
                return  # a module's "disabled" value
            unit.qualifiers.append(Qualifier(q.kind, q.name, res.declared_by or res.address, res.location, pc,
                                             current=q.current))
        unit.related.append(res.location)

    def invoked(self, res: Resource, unit: ComputeUnit, default: Any = None) -> Any:
        """The qualifier a resource's ``qualifier`` attribute names, or ``default``."""
        edges = res.edges_via("qualifier")
        if not edges:
            return default
        e = edges[0]
        t = self.target(e)
        if t is not None and t.kind == "lambda_alias":
            name = t.value("name")
            return Qualifier("alias", name if isinstance(name, str) else Unknown(f"the Name of alias {t.address} could not be resolved"))
        if t is not None and t.kind == "lambda_function" and _is_version_ref(e.ref):
            return m.current_version(t.address)
        if t is not None and t.kind == "lambda_version":
            return Qualifier("version", t.address)
        lit = e.literal
        if isinstance(lit, (int, float)) and not isinstance(lit, bool):
            lit = str(int(lit))
        if isinstance(lit, str):
            if getattr(lit, "unresolved", None):
                return Unknown(f"qualifier {lit}")
            return Qualifier.from_text(lit)
        if is_unknown(lit):
            return Unknown(f"Qualifier: {lit.reason}")
        return default

    # -- triggers ----------------------------------------------------------------------------
    def add(self, fn: tuple[ComputeUnit, Any] | None, kind: str, res: Resource,
            settings: dict[str, Setting] | None = None) -> Trigger | None:
        if fn is None:
            return None
        unit, qualifier = fn
        t = Trigger(kind=kind, resource=res.address, resource_type=res.type, location=res.location,
                    qualifier=qualifier, settings=settings or {}, via=res)
        unit.triggers.append(t)
        return t

    @staticmethod
    def settings(res: Resource, *keys: str) -> dict[str, Setting]:
        return {k: res.attributes[k] for k in keys if k in res.attributes}

    def _w_eventbridge_rule(self, res: Resource) -> None:
        kind = m.SCHEDULE if m.SCHEDULE_EXPRESSION in res.attributes else m.EVENTBRIDGE
        for fn in self.functions(res, "target") + self.functions(res, "ecs_task_definition"):
            self.add(fn, kind, res, self.settings(res, m.SCHEDULE_EXPRESSION, m.SCHEDULE_TIMEZONE))

    def _w_eventbridge_target(self, res: Resource) -> None:
        fns = [self.function(e) for e in res.edges_via("target")[:1] + _more_instances(res, "target")]
        if not fns or fns[0] is None or fns[0][0].kind == m.ECS_TASK:  # a scheduled task targets its cluster
            fns = [self.function(next(iter(res.edges_via("ecs_task_definition")), None))]
        for fn in fns:
            self._eventbridge_target(res, fn)

    def _eventbridge_target(self, res: Resource, fn: tuple[ComputeUnit, Any] | None) -> None:
        if fn is None:
            return
        rule = None
        for e in res.edges_via("rule"):
            rule = self.target(e)
            if rule is None and isinstance(e.literal, str):
                rule = next((r for r in self.doc.resources if r.kind == "eventbridge_rule"
                             and r.value("rule_name") == e.literal), None)
        if rule is not None and m.SCHEDULE_EXPRESSION in rule.attributes:
            self.add(fn, m.SCHEDULE, res, self.settings(rule, m.SCHEDULE_EXPRESSION))
        else:
            self.add(fn, m.EVENTBRIDGE, res)

    def _w_scheduler_schedule(self, res: Resource) -> None:
        for fn in self.functions(res, "target") + self.functions(res, "ecs_task_definition"):
            self.add(fn, m.SCHEDULE, res, self.settings(res, m.SCHEDULE_EXPRESSION, m.SCHEDULE_TIMEZONE))

    def _w_rest_method(self, res: Resource) -> None:
        settings = self.settings(res, m.INTEGRATION_TIMEOUT_MS, m.RESPONSE_TRANSFER_MODE)
        for api in self.follow(res, "api"):
            settings.update(self.endpoint_type(api))
        for fn in self.functions(res, "integration_uri"):
            self.add(fn, m.REST_API, res, settings)

    _w_rest_integration = _w_rest_method

    def api_v2_kind(self, res: Resource, unit: ComputeUnit, payload_format: Any = None) -> str:
        """HTTP or WebSocket API, from the API's protocol (an OpenAPI payloadFormatVersion is
        HTTP API's); assumed HTTP, with a note, when unknown."""
        apis = [res] if res.kind == "api_v2" else self.follow(res, "api")
        protocol = apis[0].value("protocol_type") if apis else res.value("protocol_type")
        if isinstance(protocol, str) and protocol.upper() == "WEBSOCKET":
            return m.WEBSOCKET_API
        if not (isinstance(protocol, str) and protocol.upper() == "HTTP") and payload_format is None:
            unit.notes.append(f"{res.address}: API protocol unknown, assumed HTTP API")
        return m.HTTP_API

    def _w_api_v2_integration(self, res: Resource) -> None:
        for fn in self.functions(res, "integration_uri"):
            self.add(fn, self.api_v2_kind(res, fn[0]), res, self.settings(res, m.INTEGRATION_TIMEOUT_MS))

    def _w_alb_target_group(self, res: Resource) -> None:
        target_type = res.value("target_type")
        lambda_targets = isinstance(target_type, str) and target_type.lower() == "lambda"
        for fn in self.functions(res, "target"):
            if (fn[0].kind == m.LAMBDA_FUNCTION) == lambda_targets:
                self.add(fn, m.ALB, res)

    def _w_alb_target_attachment(self, res: Resource) -> None:
        for fn in self.functions(res, "target"):
            self.add(fn, m.ALB, res)

    def _w_classic_load_balancer(self, res: Resource) -> None:
        for fn in self.functions(res, "target"):
            if fn[0].kind == m.EC2_INSTANCE:
                self.add(fn, m.ALB, res)

    def _w_auto_scaling_group(self, res: Resource) -> None:
        unit = self.units.get(res.address)
        if unit is None:
            return
        for key in ("target_groups", "load_balancers"):
            s = res.setting(key)
            if s is not None and not (isinstance(s.value, list) and not s.value):
                t = self.add((unit, None), m.ALB, res)
                if s.location is not None:
                    t.location = s.location  # the argument that wires the group to the load balancer

    def _w_autoscaling_attachment(self, res: Resource) -> None:
        if res.setting("load_balancer") is None:
            return
        for fn in self.functions(res, "group"):
            if fn[0].kind == m.AUTO_SCALING_GROUP:
                self.add(fn, m.ALB, res)

    def _w_function_url(self, res: Resource) -> None:
        for e in res.edges_via("function")[:1] + _more_instances(res, "function"):
            self._function_url(res, self.function(e))

    def _function_url(self, res: Resource, fn: tuple[ComputeUnit, Any] | None) -> None:
        if fn is None:
            return
        q = self.invoked(res, fn[0], default=fn[1])
        self.add((fn[0], q), m.FUNCTION_URL, res, self.settings(res, m.AUTH_TYPE, m.INVOKE_MODE))

    def _w_appautoscaling_target(self, res: Resource) -> None:
        """An Application Auto Scaling target for ``lambda:function:ProvisionedConcurrency`` scales
        the qualifier its ResourceId (``function:<name>:<alias or version>``) names."""
        dim = res.value("scalable_dimension")
        if isinstance(dim, str) and dim != PC_DIMENSION:
            return
        found = self.scaled_qualifier(res) if isinstance(dim, str) else None
        if found is _ELSEWHERE:
            return
        if found is not None and not is_unknown(found[1]):
            unit, q = found
            for existing in unit.qualifiers:
                if existing.same(q):
                    existing.scaled_by.append(res.address)
                    return
        units = [found[0]] if found is not None else list(self.units.values())
        for unit in units:  # function or qualifier unresolved: it may scale any provisioned qualifier
            for existing in unit.qualifiers:
                if existing.provisioned_concurrency is not None:
                    existing.maybe_scaled_by.append(res.address)

    def scaled_qualifier(self, res: Resource) -> tuple[ComputeUnit, Any] | None:
        """The function and qualifier a scalable target's ResourceId names (the qualifier may be
        Unknown), or None when the function cannot be told."""
        for e in res.edges_via("resource_id"):
            t = self.target(e)
            if t is not None and t.kind == "lambda_alias":
                fn = self.function(e)
                if fn is not None:
                    return fn
            if t is not None and t.address in self.units:
                q = e.qualifier
                return self.units[t.address], (Qualifier.from_text(q) if isinstance(q, str) else
                                               q if is_unknown(q) else Unknown("no qualifier in the ResourceId"))
            text = e.literal
            if isinstance(text, str):
                mt = re.match(r"^function:(.+?):([^:]+)$", text)
                if mt is None:
                    continue
                unit = self._named_unit(mt.group(1))
                if unit is None:
                    # a written name no function here has: a function outside the scanned code
                    return _ELSEWHERE if "${" not in mt.group(1) and not getattr(text, "unresolved", None) else None
                return unit, self._named_qualifier(mt.group(2))
        return None

    def _named_unit(self, text: str) -> ComputeUnit | None:
        """A function named in text: a literal function name, or a placeholder of a function's or
        a registry module's name (``${aws_lambda_function.x.function_name}``,
        ``${module.x.lambda_function_name}``)."""
        mt = re.fullmatch(r"\$\{((?:module\.[\w-]+\.)*(?:aws_lambda_function\.[\w-]+|module\.[\w-]+))\.\w+\}", text)
        if mt:
            return self.units.get(mt.group(1))
        if "${" in text:
            return None
        return self.by_function_name.get(text)

    def _named_qualifier(self, text: str) -> Any:
        mt = re.fullmatch(r"\$\{((?:module\.[\w-]+\.)*)(aws_lambda_alias\.[\w-]+|aws_lambda_function\.[\w-]+|module\.[\w-]+)\.(\w+)\}", text)
        if mt:
            address, attr = mt.group(1) + mt.group(2), mt.group(3)
            res = self.by_address.get(address)
            if res is not None and res.kind == "lambda_alias":
                name = res.value("name")
                return Qualifier("alias", name) if isinstance(name, str) else Unknown(f"alias {address} name")
            if address in self.units and _is_version_ref(attr):
                return m.current_version(address)
            return Unknown(f"qualifier {text}")
        if "${" in text:
            return Unknown(f"qualifier {text}")
        return Qualifier.from_text(text) or Unknown("the ResourceId names $LATEST")

    def _w_api_authorizer(self, res: Resource) -> None:
        """A Lambda authorizer runs before each (uncached) request; a WebSocket API's only on
        $connect, so it is a WebSocket caller, where no user waits per message."""
        websocket = any(isinstance(p := api.value("protocol_type"), str) and p.upper() == "WEBSOCKET"
                        for api in self.follow(res, "api"))
        for fn in self.functions(res, "function"):
            if fn[0].kind == m.LAMBDA_FUNCTION:
                self.add(fn, m.WEBSOCKET_API if websocket else m.AUTHORIZER, res,
                         {} if websocket else self.settings(res, m.AUTHORIZER_TTL))

    _w_api_v2_authorizer = _w_api_authorizer

    def _w_appsync_api(self, res: Resource) -> None:
        """AppSync AWS_LAMBDA authorization: the function authorizes every (uncached) request. The
        cache TTL belongs to the primary authorization mode only."""
        for via, settings in (("authorizer", self.settings(res, m.AUTHORIZER_TTL)), ("additional_authorizer", {})):
            for fn in self.functions(res, via):
                if fn[0].kind == m.LAMBDA_FUNCTION:
                    self.add(fn, m.AUTHORIZER, res, settings)

    def _w_rest_api(self, res: Resource) -> None:
        """An API's OpenAPI definition wires the functions its ``x-amazon-apigateway-integration``
        URIs invoke (one trigger per function and integration settings) and its
        ``x-amazon-apigateway-authorizer`` functions."""
        if res.setting("api_definition") is None and res.setting("api_definition_file") is None:
            return  # no definition: the OpenAPI reader is not even imported
        from . import openapi

        defn = openapi.definition(res)
        if defn is None:
            return
        if is_unknown(defn.doc):
            res.notes.append(f"{defn.source} could not be read ({defn.doc.reason}): the functions it "
                             "integrates are known only from their permissions")
            return
        where = defn.setting.location or res.location
        note = f"{defn.source} of {res.address}"
        seen: dict[tuple, Trigger] = {}
        for integ in openapi.integrations(defn.doc):
            fn = self.function_in_text(res, openapi.lambda_target(integ.uri))
            if fn is None or fn[0].kind != m.LAMBDA_FUNCTION:
                continue
            settings: dict[str, Setting] = {}
            for key, value in ((m.INTEGRATION_TIMEOUT_MS, integ.timeout_ms),
                               (m.RESPONSE_TRANSFER_MODE, integ.transfer_mode),
                               (m.PAYLOAD_FORMAT, integ.payload_format)):
                if value is not None:
                    text = integ.where + " " + {m.INTEGRATION_TIMEOUT_MS: "timeoutInMillis",
                                                m.RESPONSE_TRANSFER_MODE: "responseTransferMode",
                                                m.PAYLOAD_FORMAT: "payloadFormatVersion"}[key]
                    settings[key] = Setting(value, where, m.ORIGIN_LITERAL, f"{note}, {text}")
            if m.INTEGRATION_TIMEOUT_MS in settings:
                convert(settings[m.INTEGRATION_TIMEOUT_MS], "int")
            kind = m.REST_API if res.kind == "rest_api" else self.api_v2_kind(res, fn[0], integ.payload_format)
            if kind == m.REST_API:
                settings.update(self.endpoint_type(res))
            key = (id(fn[0]), str(fn[1]), kind, str(settings.get(m.INTEGRATION_TIMEOUT_MS, Setting(None)).value),
                   str(settings.get(m.RESPONSE_TRANSFER_MODE, Setting(None)).value))
            if key in seen or any(t.kind == kind and t.via is not None and res in self.follow(t.via, "api")
                                  for t in fn[0].triggers):
                continue  # the same integration seen, or a SAM event of this API that SAM merges into it
            t = self.add(fn, kind, res, settings)
            t.location = where
            seen[key] = t
        for auth in openapi.authorizers(defn.doc):
            fn = self.function_in_text(res, openapi.lambda_target(auth.uri))
            if fn is None or fn[0].kind != m.LAMBDA_FUNCTION:
                continue
            settings = {}
            if auth.ttl_s is not None:
                settings[m.AUTHORIZER_TTL] = Setting(auth.ttl_s, where, m.ORIGIN_LITERAL,
                                                     f"{note}, authorizer {auth.name} authorizerResultTtlInSeconds")
                convert(settings[m.AUTHORIZER_TTL], "int")
            elif res.kind == "rest_api":
                settings[m.AUTHORIZER_TTL] = default_setting("apigateway.rest_authorizer_ttl_default")
            t = self.add(fn, m.AUTHORIZER, res, settings)
            t.location = where

    _w_api_v2 = _w_rest_api

    def endpoint_type(self, api: Resource) -> dict[str, Setting]:
        """A REST API's endpoint type (EDGE, REGIONAL, PRIVATE) as a trigger setting."""
        et = api.setting(m.ENDPOINT_TYPE)
        if et is None:
            return {}
        s = Setting(et.value, et.location, et.origin, et.note)
        if isinstance(s.value, list) and len(s.value) == 1:
            s.value = s.value[0]
        return {m.ENDPOINT_TYPE: s}

    def _w_appsync_datasource(self, res: Resource) -> None:
        dtype = res.value("type")
        if isinstance(dtype, str) and dtype.upper() != "AWS_LAMBDA":
            return
        for fn in self.functions(res, "function"):
            self.add(fn, m.APPSYNC, res)

    def esm_kind(self, res: Resource) -> str:
        """What an event source mapping reads: from its source resource's kind, a literal ARN's
        service, or the source the front end knows; else Kafka / MQ from their settings."""
        for e in res.edges_via("event_source"):
            t = self.target(e)
            if t is not None and t.kind in SOURCE_KINDS:
                return SOURCE_KINDS[t.kind]
            text = e.literal if isinstance(e.literal, str) else (e.ref or "")
            mt = _ARN_SERVICE.search(text) or re.search(r":(sqs|kinesis|dynamodb|kafka|mq):", text)
            if mt and mt.group(1) in SOURCE_SERVICES:
                return SOURCE_SERVICES[mt.group(1)]
            for rtype in _TYPE_IN_TEXT.findall(text):
                if kind_of(rtype) in SOURCE_KINDS:
                    return SOURCE_KINDS[kind_of(rtype)]
        service = res.value("source_service")
        if service in SOURCE_SERVICES:
            return SOURCE_SERVICES[service]
        if res.setting("self_managed_source") is not None or res.setting("topics") is not None:
            return m.KAFKA
        if res.setting("queues") is not None:
            return m.MQ
        return m.OTHER

    def _w_event_source_mapping(self, res: Resource) -> None:
        for e in res.edges_via("function")[:1] + _more_instances(res, "function"):
            self._event_source_mapping(res, self.function(e))

    def _event_source_mapping(self, res: Resource, fn: tuple[ComputeUnit, Any] | None) -> None:
        if fn is not None:
            t = self.add(fn, self.esm_kind(res), res)
            sources = self.follow(res, "event_source")
            t.source = sources[0].address if sources else None

    def _w_s3_bucket(self, res: Resource) -> None:
        for fn in self.functions(res, "lambda_notification"):
            self.add(fn, m.S3, res)

    _w_s3_notification = _w_s3_bucket

    def _w_sns_subscription(self, res: Resource) -> None:
        protocol = res.value("protocol")
        if isinstance(protocol, str) and protocol.lower() == "lambda":
            for fn in self.functions(res, "endpoint"):
                self.add(fn, m.SNS, res)

    def _w_sns_topic(self, res: Resource) -> None:
        for fn in self.functions(res, "lambda_subscription"):
            self.add(fn, m.SNS, res)

    def _w_state_machine(self, res: Resource) -> None:
        """A state machine calls the functions its definition references (one trigger per
        function), with the shortest ``TimeoutSeconds`` of the Task states that invoke each one
        (``Resource`` the function's ARN, or ``lambda:invoke`` with ``Parameters`` / ``Arguments``
        ``FunctionName``)."""
        triggers: dict[int, Trigger] = {}
        for fn in self.functions(res, "definition"):
            if fn[0].kind == m.LAMBDA_FUNCTION and id(fn[0]) not in triggers:
                triggers[id(fn[0])] = self.add(fn, m.STEP_FUNCTIONS, res)
        from . import stepfunctions  # only for a state machine

        defn = stepfunctions.definition(res)
        if defn is None or not isinstance(defn.doc, dict):
            return
        for ref in stepfunctions.states(defn.doc):
            st = ref.state
            if st.get("Type") != "Task":
                continue
            texts = [st.get("Resource")] + [block.get("FunctionName") for block in
                                            (st.get("Parameters"), st.get("Arguments")) if isinstance(block, dict)]
            fn = next((f for text in texts if (f := self.function_in_text(res, text)) is not None
                       and f[0].kind == m.LAMBDA_FUNCTION), None)
            if fn is None:
                continue
            t = triggers.get(id(fn[0])) or self.add(fn, m.STEP_FUNCTIONS, res)
            triggers[id(fn[0])] = t
            where = defn.setting.location if defn.setting is not None else res.location
            paths = t.settings.setdefault(m.TASK_STATES, Setting([], where, m.ORIGIN_LITERAL,
                                                                 f"the {defn.source} of {res.address}"))
            paths.value.append(ref.path)
            seconds = stepfunctions.seconds(st.get("TimeoutSeconds"))
            current = t.settings.get(m.TASK_TIMEOUT)
            if seconds is not None and (current is None or seconds < current.value):
                t.settings[m.TASK_TIMEOUT] = Setting(
                    int(seconds) if float(seconds).is_integer() else seconds, where, m.ORIGIN_LITERAL,
                    f"TimeoutSeconds of Task state {ref.path} in the {defn.source} of {res.address}")

    def _w_custom_resource(self, res: Resource) -> None:
        for fn in self.functions(res, "service_token"):
            if fn[0].kind == m.LAMBDA_FUNCTION:
                self.add(fn, m.CUSTOM_RESOURCE, res)

    def _w_cognito_user_pool(self, res: Resource) -> None:
        for fn in self.functions(res, "lambda_trigger"):
            self.add(fn, m.COGNITO, res)

    def _w_cloudfront_distribution(self, res: Resource) -> None:
        viewer = [f[0] for f in self.functions(res, "lambda_viewer_association")]
        for fn in self.functions(res, "lambda_association"):
            if fn[0].kind == m.LAMBDA_FUNCTION:
                event = "viewer" if any(fn[0] is v for v in viewer) else "origin"
                self.add(fn, m.CLOUDFRONT, res, {m.EDGE_EVENT: Setting(event, res.location)})

    def api_kind_of_source(self, res: Resource) -> str | None:
        """REST, HTTP or WebSocket API, from the API a permission's source ARN names (None: unknown)."""
        for e in res.edges_via("source_arn"):
            t = self.target(e)
            if t is not None and t.kind == "rest_api":
                return m.REST_API
            if t is not None and t.kind == "api_v2":
                protocol = t.value("protocol_type")
                return m.WEBSOCKET_API if isinstance(protocol, str) and protocol.upper() == "WEBSOCKET" else m.HTTP_API
            text = " ".join(str(x) for x in (e.ref, e.literal, e.target) if isinstance(x, str))
            if "apigatewayv2" in text or ("api_gateway" in text and "http" in text.lower()):
                return m.HTTP_API
            if re.search(r"rest_?api", text, re.I):  # a module output: apigateway_restapi_execution_arn
                return m.REST_API
        return None

    def _w_lambda_permission(self, res: Resource) -> None:
        """A ``lambda:InvokeFunction`` permission explains an invocation only when nothing else does
        (an API defined by an OpenAPI body, a rule in another stack): it adds a trigger of the kind
        its principal implies unless the function already has one. A permission a front end
        derived from a declaration that wires the caller (a SAM event, a module's
        ``allowed_triggers``) is that caller and always adds its trigger."""
        for e in res.edges_via("function")[:1] + _more_instances(res, "function"):
            self._lambda_permission(res, self.function(e))

    def _lambda_permission(self, res: Resource, fn: tuple[ComputeUnit, Any] | None) -> None:
        if fn is None:
            return
        unit = fn[0]
        fallback = res.declared_by is None
        principal = res.value("principal")
        service = principal.split(".")[0] if isinstance(principal, str) else ""
        kind = m.PRINCIPAL_KINDS.get(service, m.OTHER)
        if fallback and service in ("apigateway", "appsync") and unit.triggers_of(m.AUTHORIZER):
            return  # the permission an API Gateway or AppSync Lambda authorizer needs
        if service == "apigateway":
            api_kind = self.api_kind_of_source(res)
            if fallback and unit.triggers_of(*((api_kind,) if api_kind else _API_KINDS)):
                return  # a method or integration already wires this API
            if api_kind is None:
                why = "no SourceArn" if not res.edges_via("source_arn") else "a SourceArn naming no API of the scanned code"
                unit.notes.append(f"{res.address}: API Gateway permission with {why}: REST, HTTP or WebSocket "
                                  "API unknown")
            kind = api_kind or m.API_GATEWAY
        elif service == "events":
            rules = [t for t in self.follow(res, "source_arn") if t.kind == "eventbridge_rule"]
            if any(m.SCHEDULE_EXPRESSION in r.attributes for r in rules):
                kind = m.SCHEDULE
            elif not rules and not fallback and re.search(r"schedul|cron", res.address.rsplit(".", 1)[-1], re.I):
                kind = m.SCHEDULE
        if fallback and unit.triggers_of(kind):
            return  # the wiring resource already produced this trigger
        q = self.invoked(res, unit, default=fn[1])
        self.add((unit, q), kind, res)


def parse_schedule(expr: Setting | None) -> Any:
    """A schedule expression parsed once for every check. An expression that cannot be read, or
    that the parser rejects, is a schedule with unknown runs per day and the reason: never raised."""
    from .schedules import Schedule, parse_aws

    if expr is None or not isinstance(expr.value, str):
        reason = expr.value.reason if expr is not None and is_unknown(expr.value) else "no expression"
        return Schedule(str(expr.value) if expr is not None else "", None, f"unknown schedule ({reason})")
    try:
        return parse_aws(expr.value)
    except Exception as exc:  # an odd value (rate(0 minutes)) is invalid, not a crash
        return Schedule(expr.value, None, f"invalid schedule ({type(exc).__name__}: {exc})")


def capacity_window(unit: ComputeUnit) -> Any:
    """How long an auto scaling group runs under its recurring scheduled actions (a
    ``schedules.Window``), or Unknown with the reason. One-time actions (no recurrence) do not
    shape a daily window and are left out, with a note."""
    from .schedules import capacity_window as simulate

    def size(value: Any) -> Any:
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    lo, hi = size(unit.value(m.MIN_SIZE)), size(unit.value(m.MAX_SIZE))
    if lo is None or hi is None:
        return Unknown("the group's min or max size could not be resolved")
    actions = []
    for res in unit.scheduled_actions:
        rec = res.setting("recurrence")
        if rec is None:
            unit.notes.append(f"{res.address}: one-time scheduled action (no recurrence), not part of the window")
            continue
        if not isinstance(rec.value, str):
            return Unknown(f"the recurrence of {res.address} could not be resolved")
        sizes = []
        for key in (m.MIN_SIZE, m.MAX_SIZE, m.DESIRED_CAPACITY):
            s = res.setting(key)
            if s is not None and size(s.value) is None:
                return Unknown(f"the {key} of {res.address} could not be resolved")
            sizes.append(None if s is None else s.value)
        actions.append((rec.value, *sizes))
    if not actions:
        return Unknown("no recurring scheduled action")
    found = simulate(lo, hi, size(unit.value(m.DESIRED_CAPACITY)), actions)
    return Unknown(found) if isinstance(found, str) else found


def instance_schedule(unit: ComputeUnit, resources: list[Resource]) -> Any:
    """The Instance Scheduler on AWS schedule an instance's or group's tag names (the tag key is
    the solution's default, ``Schedule``), read from the ``Custom::ServiceInstanceSchedule`` of
    that name in the same template: a ``schedules.Window``; Unknown with the reason when the tag
    is set but the schedule is not readable here; None without the tag (or when the schedule's
    OverrideStatus keeps it running)."""
    from . import facts
    from .schedules import scheduler_window

    key = facts.value("instance_scheduler.tag_key")
    tags = unit.value(m.TAGS)
    if not isinstance(tags, dict) or key not in tags:
        return None
    wanted = tags[key]
    if not isinstance(wanted, str):
        return Unknown(f"the value of its {key} tag is not known statically")
    if unit.kind == m.EC2_INSTANCE:
        count = 1
    else:
        lo, hi = unit.value(m.MIN_SIZE), unit.value(m.MAX_SIZE)
        if not (isinstance(lo, int) and lo == hi and not isinstance(lo, bool)):
            return Unknown("the group's size is not fixed")
        count = lo
    for res in resources:
        if res.kind != "instance_schedule":
            continue
        name = res.value("schedule_name")
        base = name if isinstance(name, str) else res.address
        if res.value("no_stack_prefix") is True:
            if wanted != base:
                continue
        elif not (wanted == "${AWS::StackName}-" + base or wanted.endswith("-" + base)):
            continue  # the solution names it "<stack name>-<Name>" unless NoStackPrefix is "True"
        unit.related.append(res.location)
        override = res.value("override_status")
        if isinstance(override, str) and override.lower() == "running":
            unit.notes.append(f"{res.address}: OverrideStatus running keeps it running around the clock")
            return None
        if isinstance(override, str) and override.lower() == "stopped":
            return Unknown(f"the schedule {res.address} has OverrideStatus stopped")
        shown = wanted.replace("${AWS::StackName}", "<stack name>")
        found = scheduler_window(shown, res.value("periods"), count, res.value("timezone"))
        if isinstance(found, str):
            return Unknown(f"the schedule {res.address} could not be read: {found}")
        return dataclasses.replace(found, resource=res.address)
    return Unknown(f"no Custom::ServiceInstanceSchedule named {wanted} in the scanned code; the solution keeps "
                   "its schedules in its configuration table")


def analyse_setup(unit: ComputeUnit) -> dict[str, Any]:
    """What a server's user data and cfn-init config set up (scheduled jobs, services, scripts
    whose content is not visible), analysed once for every check: setting key -> a
    ``workload.Workload``, or Unknown with the reason when the text cannot be read or analysed."""
    from . import workload

    names = unit.names()
    out: dict[str, Any] = {}
    for key in (m.USER_DATA, m.INIT_CONFIG):
        s = unit.setting(key)
        if s is None:
            continue
        if not isinstance(s.value, str):
            out[key] = s.value if is_unknown(s.value) else Unknown("not text")
            continue
        try:
            out[key] = workload.analyse(s.value, names)
        except Exception as exc:  # an odd script is unreadable, never a crash of the scan
            out[key] = Unknown(f"could not be analysed ({type(exc).__name__}: {exc})")
    return out


_CONTAINER_KEYS = {"name": "name", "image": "image", "command": "command", "entrypoint": "entry_point",
                   "essential": "essential", "resourcerequirements": "resource_requirements"}


_BARE_PLACEHOLDER = _lazy(r"([:\[,]\s*)\$\{[^{}\"]*\}")


def _key(k: str) -> str:
    """A container definition key in any spelling: ``EntryPoint``, ``entryPoint``, ``entry_point``."""
    return k.lower().replace("_", "")


def containers(setting: Setting | None) -> Any:
    """The containers of a task definition's container definitions (a list of objects, or the JSON
    text Terraform's jsonencode(), file() or templatefile() produce), with what each command runs:
    a list of :class:`model.Container`, or Unknown with the reason. Keys are read in either
    spelling (``EntryPoint`` / ``entryPoint``)."""
    import json

    from . import workload

    if setting is None:
        return Unknown("no container definitions")
    value = setting.value
    if is_unknown(value):
        return value
    if isinstance(value, str):
        # an unknown part outside quotes ("cpu": ${local.cpu}) is a JSON null; inside a string it stays
        text = _BARE_PLACEHOLDER.sub(r"\1null", value.replace('"${?}"', "null"))
        try:
            value = json.loads(text)
        except ValueError as exc:
            return Unknown(f"the container definitions are not readable JSON ({exc.__class__.__name__})")
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()) and not any(
            k.lower() in ("image", "name") for k in value):
        value = [{"name": k, **v} for k, v in value.items()]  # a module's map of containers by name
    elif isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return Unknown(f"the container definitions are a {type(value).__name__}")
    out = []
    for item in value:
        if not isinstance(item, dict):
            continue
        c = {_CONTAINER_KEYS[_key(k)]: v for k, v in item.items() if isinstance(k, str) and _key(k) in _CONTAINER_KEYS}
        parts = []
        for key in ("entry_point", "command"):
            v = c.get(key)
            if isinstance(v, list):
                parts += [str(x) for x in v if isinstance(x, (str, int, float))]
            elif isinstance(v, str):
                parts.append(v)
        command = " ".join(parts) if parts else None
        gpus: Any = 0
        for rr in c.get("resource_requirements") or []:
            if isinstance(rr, dict):
                rr = {str(k).lower(): v for k, v in rr.items()}
                if str(rr.get("type", "")).upper() == "GPU":
                    n = rr.get("value")
                    try:
                        gpus = int(str(n))
                    except ValueError:
                        gpus = Unknown(f"GPU count {n}")
        essential = c.get("essential", True)
        process = None
        if command:
            try:
                process = workload.analyse_container(command, c.get("image") if isinstance(c.get("image"), str) else None)
            except Exception as exc:  # an odd command is unreadable, never a crash of the scan
                process = None
                command = Unknown(f"could not be analysed ({type(exc).__name__}: {exc})")
        out.append(m.Container(c.get("name"), c.get("image"), command, essential is not False and
                               str(essential).lower() != "false", gpus, setting.location, process))
    return out


def _more_instances(res: Resource, via: str) -> list[Edge]:
    """After the first edge ``via``: the edges to the other instances of the same counted resource
    or module call (a reference to ``aws_lambda_function.fn[each.key]`` reaches each instance
    reported on its own, ``fn["a"]``, ``fn["b"]``; ``module.jobs[each.key].arn`` reaches
    ``module.jobs["a"].aws_lambda_function.this`` and ``module.jobs["b"]...``). Any other extra edge
    is ignored, as before."""
    edges = res.edges_via(via)
    if not edges or not edges[0].target or "]" not in edges[0].target:
        return []
    base = INSTANCE_KEY.sub("", edges[0].target)
    return [e for e in edges[1:] if e.target and "]" in e.target and INSTANCE_KEY.sub("", e.target) == base]


#: An instance key in an address, as Terraform prints it: ``[0]``, ``["nightly"]``.
INSTANCE_KEY = _lazy(r'\[(?:"(?:[^"\\]|\\.)*"|-?\d+)\]')


def link(doc: Document) -> Document:
    """Derive ``doc.units`` (with triggers and qualifiers) from ``doc.resources``."""
    Linker(doc).link()
    return doc
