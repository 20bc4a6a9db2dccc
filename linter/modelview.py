"""The model as data, for ``computefit model`` and for tests: every resource with its kind, resolved
attributes (with where each was set) and edges, and the compute view the linker derived from
them (units, triggers, qualifiers)."""

from __future__ import annotations

from typing import Any

from . import model as m
from .check import setting_evidence
from .model import ComputeUnit, Document, Edge, Model, Qualifier, Resource, Setting, Trigger, is_unknown


def _plain(value: Any) -> Any:
    """A JSON-safe copy: Unknown becomes ``"unknown (reason)"``, anything odd its text."""
    if is_unknown(value):
        return f"unknown ({value.reason})"
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def _setting(s: Setting) -> dict[str, Any]:
    out = setting_evidence(s)
    out["value"] = _plain(out["value"])
    return out


def _invokes(q: Any) -> str:
    if q is None:
        return "$LATEST"
    if is_unknown(q):
        return f"unknown ({q.reason})"
    return q.describe()


def _edge(e: Edge) -> dict[str, Any]:
    out: dict[str, Any] = {"via": e.via, "target": e.target}
    if e.ref:
        out["ref"] = e.ref
    if e.qualifier is not None:
        out["qualifier"] = _plain(e.qualifier)
    if e.literal is not None:
        out["literal"] = _plain(e.literal)
    if e.location is not None:
        out["at"] = str(e.location)
    return out


def resource_dict(r: Resource) -> dict[str, Any]:
    out: dict[str, Any] = {
        "address": r.address, "type": r.type, "kind": r.kind, "file": r.location.file,
        "line": r.location.line, "end_line": r.end_line,
        "attributes": {k: _setting(s) for k, s in r.attributes.items()},
        "edges": [_edge(e) for e in r.edges],
    }
    if r.raw:
        out["raw"] = {k: _plain(v) for k, v in r.raw.items()}  # properties the kinds table does not map
    if r.declared_by:
        out["declared_by"] = r.declared_by
    if r.construct_path:
        out["construct_path"] = r.construct_path
    if r.notes:
        out["notes"] = list(r.notes)
    return out


def _trigger(t: Trigger) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": t.kind, "resource": t.resource, "type": t.resource_type, "at": str(t.location),
                           "invokes": _invokes(t.qualifier)}
    if t.settings:
        out["settings"] = {k: _setting(s) for k, s in t.settings.items()}
    if t.schedule is not None:
        out["schedule"] = {"runs_per_day": t.schedule.runs_per_day, "description": t.schedule.description}
    return out


def _qualifier(q: Qualifier) -> dict[str, Any]:
    out = {"kind": q.kind, "name": _plain(q.name), "describe": q.describe(), "resource": q.resource,
           "at": str(q.location) if q.location else None,
           "provisioned_concurrency": _setting(q.provisioned_concurrency) if q.provisioned_concurrency else None}
    if q.scaled_by or q.maybe_scaled_by:
        out["scaled_by"], out["maybe_scaled_by"] = list(q.scaled_by), list(q.maybe_scaled_by)
    return out


def unit_dict(u: ComputeUnit) -> dict[str, Any]:
    out: dict[str, Any] = {"name": u.name, "kind": u.kind, "type": u.resource_type, "at": str(u.location),
                           "triggers": [_trigger(t) for t in u.triggers],
                           "qualifiers": [_qualifier(q) for q in u.qualifiers]}
    if u.setup:
        out["setup"] = {k: _setup(w) for k, w in u.setup.items()}
    if u.kind in (m.ECS_TASK, m.ECS_SERVICE):
        out["containers"] = _containers(u.containers)
    if u.scheduled_actions:
        out["scheduled_actions"] = [a.address for a in u.scheduled_actions]
        out["window"] = _window(u.window)
    if u.instance_schedule is not None:
        out["instance_schedule"] = _window(u.instance_schedule)
    if u.notes:
        out["notes"] = list(u.notes)
    return out


def _window(w: Any) -> Any:
    """How long a group runs under its scheduled actions (derived by the linker)."""
    if is_unknown(w) or w is None:
        return f"unknown ({w.reason if w is not None else 'none'})"
    return {"description": w.description, "hours_per_day": round(w.hours_per_day, 2),
            "instance_hours_per_day": round(w.instance_hours_per_day, 2), "peak": w.peak,
            "reaches_zero": w.reaches_zero, "longest_run_hours": round(w.longest_hours, 2)}


def _setup(w: Any) -> Any:
    """What a server's user data or cfn-init config sets up (derived by the linker)."""
    if is_unknown(w):
        return f"unknown ({w.reason})"
    return {"jobs": [j.to_dict() for j in w.jobs], "services": [x.to_dict() for x in w.services],
            "not_visible": list(w.opaque)}


def _containers(cs: Any) -> Any:
    """The containers of a task definition (derived by the linker)."""
    if is_unknown(cs):
        return f"unknown ({cs.reason})"
    return [c.to_dict() for c in cs]


def document_dict(d: Document) -> dict[str, Any]:
    return {"path": d.path, "source_format": d.source_format, "files": list(d.files),
            "resources": [resource_dict(r) for r in _in_source_order(d.resources)], "units": [unit_dict(u) for u in d.units]}


def _in_source_order(resources: list[Resource]) -> list[Resource]:
    return sorted(resources, key=lambda r: (r.location.file, r.location.line))


def model_dict(model: Model, errors: list | None = None, notices: list | None = None) -> dict[str, Any]:
    from .reporters.json_report import notice_dict

    out = {"version": 1, "documents": [document_dict(d) for d in model.documents],
           "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in errors or []]}
    if notices is not None:
        out["notices"] = [notice_dict(n) for n in notices]
    return out


def model_text(model: Model, errors: list | None = None, notices: list | None = None) -> str:
    lines: list[str] = []
    for d in model.documents:
        lines.append(f"{d.path} ({d.source_format})")
        for r in _in_source_order(d.resources):
            extent = f"{r.location}" + (f"-{r.end_line}" if r.end_line and r.end_line != r.location.line else "")
            by = f"  (from {r.declared_by})" if r.declared_by else ""
            by += f"  (CDK {r.construct_path})" if r.construct_path and not r.declared_by else ""
            lines.append(f"  {r.address}  {r.type}  [{r.kind or 'unmapped'}]  {extent}{by}")
            for k, s in r.attributes.items():
                ev = _setting(s)
                at = f" at {ev['at']}" if "at" in ev else ""
                value = repr(ev["value"])
                value = value if len(value) <= 100 else value[:97] + "..."
                lines.append(f"    {k} = {value}  ({ev['set_by']}{at})")
            for e in r.edges:
                what = e.target if e.target else f"(not in the scanned code: {_plain(e.literal)!r})"
                extra = (f" ({e.ref})" if e.ref else "") + (
                    f", qualifier {_plain(e.qualifier)!r}" if e.qualifier is not None else "")
                lines.append(f"    {e.via} -> {what}{extra}")
            if r.raw:
                lines.append(f"    not mapped: {', '.join(r.raw)}")
            for n in r.notes:
                lines.append(f"    note: {n}")
        if d.units:
            lines.append("  compute units:")
        for u in d.units:
            lines.append(f"    {u.name} [{u.kind}]")
            for t in u.triggers:
                sched = f", {t.schedule.description}" if t.schedule is not None else ""
                lines.append(f"      trigger {t.kind} from {t.resource} at {t.location}, invokes {_invokes(t.qualifier)}{sched}")
            for q in u.qualifiers:
                pc = q.provisioned_concurrency
                pc_text = f", provisioned concurrency {_plain(pc.value)}" if pc is not None else ""
                if q.scaled_by or q.maybe_scaled_by:
                    pc_text += ", scaled by " + ", ".join(q.scaled_by + [f"{a} (maybe)" for a in q.maybe_scaled_by])
                lines.append(f"      qualifier {q.describe()} ({q.resource}){pc_text}")
            if u.kind in (m.ECS_TASK, m.ECS_SERVICE):
                if is_unknown(u.containers):
                    lines.append(f"      containers: unknown ({u.containers.reason})")
                for c in u.containers if not is_unknown(u.containers) else []:
                    what = f": {c.process.kind} ({c.process.evidence})" if c.process is not None else ""
                    gpu = f", {_plain(c.gpus)} GPU" if c.gpus else ""
                    lines.append(f"      container {_plain(c.name)} image {_plain(c.image)}{gpu}{what}")
            if u.scheduled_actions:
                w = _window(u.window)
                text = w if isinstance(w, str) else (
                    f"{w['description']}: {w['hours_per_day']:g} h/day, peak {w['peak']}"
                    + (", reaches 0" if w["reaches_zero"] else ""))
                lines.append(f"      scheduled actions: {', '.join(a.address for a in u.scheduled_actions)}; "
                             f"window {text}")
            if u.instance_schedule is not None:
                w = _window(u.instance_schedule)
                text = w if isinstance(w, str) else f"{w['description']}: {w['hours_per_day']:g} h/day"
                lines.append(f"      instance scheduler: {text}")
            for key, w in u.setup.items():
                if is_unknown(w):
                    lines.append(f"      {key}: unknown ({w.reason})")
                    continue
                for j in w.jobs:
                    lines.append(f"      {key} job: {j.schedule.description}: {j.command}")
                for x in w.services:
                    lines.append(f"      {key} service: {x.kind} ({x.evidence})")
    for e in errors or []:
        lines.append(f"error: {e.file}:{e.line or 0}: {e.message}")
    for n in notices or []:
        lines.append(f"notice: {n.file}:{n.line or 0}: {n.message}")
        lines.extend(f"  {i.file}:{i.line or 0}: {i.message}" for i in getattr(n, "items", ()))
    return "\n".join(lines) + "\n"


#: The attributes a neutral dump compares (the ones both languages spell).
NEUTRAL_ATTRIBUTES = ("timeout", "memory_size", "runtime", "architectures", "snap_start", "package_type",
                      "instance_type", "min_size", "max_size", "desired_capacity", "desired_count", "launch_type",
                      "cpu", "memory", "requires_compatibilities", "cpu_architecture", "operating_system_family")


def neutral(model: Model) -> list[dict[str, Any]]:
    """What a scenario means, without its spelling: the units with their kinds and attribute values,
    their triggers (kind, what they invoke, trigger settings) and the provisioned concurrency on
    each alias or version. No addresses, files or lines: the same architecture written in
    CloudFormation and in Terraform has the same neutral dump."""

    def invoked(q: Any) -> Any:
        if q is None:
            return "$LATEST"
        if is_unknown(q):
            return "unknown"
        return ("alias", q.name) if q.kind == "alias" else ("version",)

    out = []
    for u in model.units:
        pcs = {}  # the qualifiers with provisioned concurrency (a version resource without is spelling)
        for q in u.qualifiers:
            if q.provisioned_concurrency is not None:
                pcs[invoked(q)] = _plain(q.provisioned_concurrency.value)
        out.append({
            "kind": u.kind,
            "attributes": {k: _plain(u.value(k)) for k in NEUTRAL_ATTRIBUTES if u.setting(k) is not None},
            "triggers": sorted((t.kind, str(invoked(t.qualifier)),
                                str(sorted((k, _plain(s.value)) for k, s in t.settings.items())))
                               for t in u.triggers),
            "qualifiers": sorted((str(k), str(v)) for k, v in pcs.items()),
        })
        if u.kind in (m.ECS_TASK, m.ECS_SERVICE):
            out[-1]["containers"] = _containers(u.containers)
    return sorted(out, key=lambda d: (d["kind"], str(d["attributes"])))
