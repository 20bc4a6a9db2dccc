"""The check API: what a check is, what it returns, and the registry that finds them.

A check is a class in its own module under ``checks/`` (installed as ``computefit.checks``). Its
docstring is its documentation, written like ruff's rule docs, with these sections in this order::

    ## What it does
    ## Why is this bad?
    ## Example
    ## Use instead
    ## Options            (optional: the configurable thresholds)
    ## References

``computefit explain ID`` prints it, and ``docs/checks/ID.md`` is generated from it.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable, Mapping

from .model import ComputeUnit, Location, Model, Resource, Setting, Trigger
from .pricing import CostLine

# Severities, lowest first.
INFO = "info"
WARNING = "warning"
ERROR = "error"
SEVERITIES = (INFO, WARNING, ERROR)

# How sure a finding is.
HIGH = "high"
MEDIUM = "medium"
LOW = "low"


@dataclass
class Finding:
    """One reported mismatch: the check, the resource and the line to change, why it matters, what
    to do instead, how sure it is and on what evidence, and what each option costs."""

    check_id: str
    check_name: str
    severity: str
    message: str  # one sentence: what is wrong with which resource, and why it matters
    recommendation: str  # what to do instead
    resource: str
    resource_type: str
    location: Location  # the line a user should look at (the setting's line, else the resource's)
    confidence: str = HIGH
    evidence: dict[str, Any] = field(default_factory=dict)
    costs: list[CostLine] = field(default_factory=list)
    #: The resource's own location, when the finding points at a different line (a Globals line,
    #: a variable default). Suppressions and baselines key on the resource.
    resource_location: Location | None = None
    #: Other resources the finding concerns (the function a queue feeds), by address.
    related: list[str] = field(default_factory=list)
    #: The resource's CDK construct path (``PaymentsStack/ExportFn/Resource``), for a template
    #: ``cdk synth`` wrote; None otherwise.
    construct_path: str | None = None
    #: What the costs are priced at (:meth:`computefit.prices.Basis.to_dict`: currency, region and
    #: how it was chosen, prices' date, any override), set by the runner; None: the default basis.
    pricing: dict | None = None

    @property
    def file(self) -> str:
        return self.location.file

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def resource_at(self) -> Location:
        """Where the resource is declared (suppressions, baselines and fingerprints key on it),
        which may differ from where the finding points."""
        return self.resource_location or self.location

    def to_dict(self) -> dict:
        d = {
            "check_id": self.check_id,
            "check_name": self.check_name,
            "severity": self.severity,
            "confidence": self.confidence,
            "message": self.message,
            "recommendation": self.recommendation,
            "resource": self.resource,
            "resource_type": self.resource_type,
            "file": self.location.file,
            "line": self.location.line,
            "evidence": self.evidence,
        }
        d["related"] = list(self.related)
        if self.construct_path:
            d["construct_path"] = self.construct_path
        if self.costs:
            from . import prices
            from .pricing import cost_summary

            d["costs"] = {**(self.pricing or prices.Basis().to_dict()),
                          "options": [c.to_dict() for c in self.costs], **cost_summary(self.costs)}
        return d


@dataclass(frozen=True)
class Option:
    """A configurable threshold of a check."""

    default: Any
    description: str
    type: type = int


@dataclass
class Usage:
    """The usage values of one resource: key -> :class:`Setting` (value, the file and line that
    gave it, origin ``usage-file``). Empty when no usage file gives any."""

    settings: dict[str, Setting] = field(default_factory=dict)

    def get(self, key: str) -> Setting | None:
        return self.settings.get(key)

    def value(self, key: str, default: Any = None) -> Any:
        s = self.settings.get(key)
        return default if s is None else s.value

    def where(self, key: str) -> str | None:
        """``usage file infracost-usage.yml:12`` for a key that is set, else None."""
        s = self.settings.get(key)
        return None if s is None else f"usage file {s.location}"

    def __contains__(self, key: str) -> bool:
        return key in self.settings

    def __bool__(self) -> bool:
        return bool(self.settings)


#: The usage values of a resource no usage file gives values for.
EMPTY = Usage()


class CheckContext:
    """What a check gets besides its subject: its effective options, the model (to follow a
    subject's links: the functions a queue feeds), and the usage file's values
    (:meth:`usage`)."""

    def __init__(self, options: dict[str, Any] | None = None, model: Model | None = None,
                 usage_file: Any = None) -> None:
        self.options = options or {}
        self.model = model if model is not None else Model()
        self.usage_file = usage_file  # a computefit.usage.UsageFile, or None

    def option(self, name: str) -> Any:
        return self.options[name]

    def usage(self, subject: Any):
        """The usage values of ``subject`` (a unit or resource) from the usage file: a
        :class:`computefit.usage.Usage` whose :meth:`~computefit.usage.Usage.get` gives each key
        as a Setting (value, the file and line, origin ``usage-file``); empty without a file."""
        if self.usage_file is None or subject is None:
            return EMPTY
        return self.usage_file.lookup(subject)


class Rule:
    """What every rule has, whoever produces its findings: an ID, a name, a default severity, a
    one-line summary, options, and its documentation (the class docstring)."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]  # the default severity; a finding may use a lower one (CF301's info)
    summary: ClassVar[str]  # one line for `computefit checks`
    options: ClassVar[dict[str, Option]] = {}
    #: Keywords for SARIF rule ``tags`` (GitHub shows the first 10): the service, the concern.
    tags: ClassVar[tuple[str, ...]] = ()
    #: The lowest confidence its findings can have: the rule's SARIF ``precision``.
    confidence: ClassVar[str] = HIGH
    #: The compute-unit kinds (model.LAMBDA_FUNCTION, ...) it examines: reports that list what
    #: passed (JUnit) name each of these resources without a finding as a passing testcase.
    kinds: ClassVar[tuple[str, ...]] = ()
    #: False for an opt-in rule (one that fires on most resources, a suggestion rather than a
    #: fault): it runs only when ``select`` names it (its ID or a prefix of it, such as ``CF5``).
    default_enabled: ClassVar[bool] = True

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def default_options(cls) -> dict[str, Any]:
        return {k: o.default for k, o in cls.options.items()}


@dataclass
class Violation:
    """What a check detected on one subject: the fields its message needs. A check subclasses it
    with its own fields; :meth:`Check.explain` turns it into a finding."""

    subject: Any  # the unit or resource the finding is about


class Check(Rule):
    """A rule that reads the model, one subject at a time.

    ``applies_to`` names the kinds of its subjects (unit kinds such as ``lambda_function``, or
    resource kinds from the kinds table such as ``sqs_queue``). The runner calls :meth:`detect`
    for each subject, which yields small :class:`Violation` records, and :meth:`explain` for each
    violation, which builds the message, recommendation, evidence and costs. An exception on one
    subject is an internal-error entry naming that resource; the check still runs on every other.
    """

    applies_to: ClassVar[tuple[str, ...]] = ()

    def subjects(self, model: Model) -> list[Any]:
        """The units (or, for resource kinds, the resources) this check applies to."""
        units = list(model.units_of(*self.applies_to))
        unit_resources = {id(u.resource) for u in units}
        resources = [r for r in model.resources if r.kind in self.applies_to and id(r) not in unit_resources]
        return units + resources

    def detect(self, subject: Any, ctx: CheckContext) -> Iterable[Violation]:  # pragma: no cover
        raise NotImplementedError

    def explain(self, violation: Violation, ctx: CheckContext) -> Finding:  # pragma: no cover
        raise NotImplementedError

    def run(self, model: Model, ctx: CheckContext) -> Iterable[Finding]:
        """Every finding of this check on ``model`` (exceptions propagate: the runner calls
        :meth:`detect` per subject itself). A check may instead override ``run`` to read the
        whole model at once; the runner then calls it once, and an exception drops the check."""
        for subject in self.subjects(model):
            for v in self.detect(subject, ctx):
                yield self.explain(v, ctx)

    # helpers -------------------------------------------------------------------------------
    def finding(
        self,
        unit: ComputeUnit | Trigger,
        message: str,
        recommendation: str,
        *,
        at: Setting | Location | None = None,
        severity: str | None = None,
        confidence: str = HIGH,
        evidence: dict[str, Any] | None = None,
        costs: list[CostLine] | None = None,
        related: list[str] | None = None,
    ) -> Finding:
        """Build a finding about ``unit`` (a unit, a resource or a trigger); ``at`` is the setting
        (or location) to point at, the line to edit."""
        loc = unit.location
        res = getattr(unit, "resource", None)
        graph = unit if isinstance(unit, Resource) else res if isinstance(res, Resource) else getattr(unit, "via", None)
        if getattr(res, "may_not_exist", None) and confidence == HIGH:
            confidence = MEDIUM  # the resource may not be created at all
            evidence = {**(evidence or {}), "may_not_exist": res.may_not_exist}
        if isinstance(at, Setting) and at.location is not None:
            loc = at.location
        elif isinstance(at, Location):
            loc = at
        return Finding(
            check_id=self.id,
            check_name=self.name,
            severity=severity or self.severity,
            message=message,
            recommendation=recommendation,
            resource=unit.resource if isinstance(unit, Trigger) else unit.name,
            resource_type=unit.resource_type,
            location=loc,
            confidence=confidence,
            evidence=evidence or {},
            costs=costs or [],
            resource_location=unit.location,
            related=related or [],
            construct_path=getattr(graph, "construct_path", None),
        )


def setting_evidence(setting: Setting | None) -> dict[str, Any]:
    """Evidence entry for a setting: its value, where it was set and how."""
    if setting is None:
        return {"value": None, "set_by": "not set"}
    from .model import is_unknown

    value = setting.value
    out: dict[str, Any] = {
        "value": f"unknown ({value.reason})" if is_unknown(value) else value,
        "set_by": setting.describe_origin(),
    }
    if setting.location is not None:
        out["at"] = str(setting.location)
    return out


# --------------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------------

_REGISTRY: Mapping[str, type[Check]] | None = None

#: The entry-point group under which other distributions register checks. Each entry point names a
#: module (every Check subclass defined in it is registered) or a Check class (``module:Class``).
ENTRY_POINT_GROUP = "computefit.checks"


@dataclass(frozen=True)
class PluginError:
    """A third-party check that was not registered: its entry point and why (the runner reports it
    as an error entry; the other checks still run)."""

    entry_point: str  # "name = value" as the distribution declares it
    distribution: str | None
    message: str

    @property
    def where(self) -> str:
        dist = f" (from {self.distribution})" if self.distribution else ""
        return f"<plugin {self.entry_point}{dist}>"


_PLUGIN_ERRORS: list[PluginError] = []


def _collect(modules, base: type, found: dict) -> dict:
    """Add to ``found`` every subclass of ``base`` defined in ``modules``, keyed by ID."""
    for mod in modules:
        for obj in _defined_in(mod, base):
            if obj.id in found:
                raise RuntimeError(f"duplicate rule id {obj.id}")
            found[obj.id] = obj
    return found


def _defined_in(mod, base: type) -> list[type]:
    return [obj for obj in vars(mod).values()
            if isinstance(obj, type) and issubclass(obj, base) and obj is not base
            and obj.__module__ == mod.__name__]


class _Registry(Mapping):
    """Check ID -> check class, sorted by ID. A built-in check known from the index
    (:func:`_builtin_index`) has its module imported when its class is first asked for, so a scan
    imports only the checks that apply to what it read (:func:`checks_needed`)."""

    def __init__(self, index: dict[str, dict], loaded: dict[str, type[Check]]) -> None:
        self._index = index  # ID -> what the index says of a built-in check not imported yet
        self._loaded = dict(loaded)
        self._ids = sorted(set(index) | set(loaded))

    def __getitem__(self, check_id: str) -> type[Check]:
        cls = self._loaded.get(check_id)
        if cls is None:
            entry = self._index[check_id]  # KeyError for an unknown ID, as a dict raises
            mod = importlib.import_module(f"{__package__}.checks.{entry['module']}")
            for obj in _defined_in(mod, Check):
                self._loaded.setdefault(obj.id, obj)
            cls = self._loaded[check_id]
        return cls

    def __setitem__(self, check_id: str, cls: type[Check]) -> None:  # a plugin's check
        self._loaded[check_id] = cls
        self._ids = sorted(set(self._ids) | {check_id})

    def __contains__(self, check_id: object) -> bool:
        return check_id in self._loaded or check_id in self._index

    def __iter__(self):
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def info(self, check_id: str) -> dict:
        """What the runner needs to know of a check without importing it (see :func:`_describe`)."""
        cls = self._loaded.get(check_id)
        return _describe(cls) if cls is not None else self._index[check_id]


def _describe(cls: type[Check]) -> dict:
    """A check's index entry: its module (under ``computefit.checks``), what it applies to, whether
    the runner calls it per subject, and whether it runs unless selected."""
    return {
        "module": cls.__module__.rsplit(".", 1)[-1],
        "applies_to": list(getattr(cls, "applies_to", ())),
        "per_subject": cls.run is Check.run,
        "own_subjects": cls.subjects is not Check.subjects,
        "default_enabled": bool(getattr(cls, "default_enabled", True)),
    }


def _builtin_index(pkg) -> dict[str, dict] | None:
    """The index of the built-in checks (ID -> :func:`_describe`), kept in computefit's cache folder
    (:mod:`computefit.usercache`) under a name made of computefit's version and the name, size and
    mtime of every file in the checks folder, so adding or editing a check builds it again. Building
    it imports every check; None when the folder cannot be listed (the checks are then imported)."""
    import zlib

    from . import __version__, usercache

    folders = list(getattr(pkg, "__path__", []))
    if len(folders) != 1:
        return None
    try:
        with os.scandir(folders[0]) as it:
            stamp = sorted(f"{e.name}:{e.stat().st_size}:{e.stat().st_mtime_ns}"
                           for e in it if e.name != "__pycache__")
    except OSError:
        return None
    name = f"check-index-{__version__}-{zlib.crc32(chr(0).join(stamp).encode()):08x}.json"
    modules = _builtin_modules(pkg)
    index = usercache.read_json(name)
    if _index_fits(index, modules):
        return index
    found = _collect(_import_builtin(pkg, modules), Check, {})
    index = {cid: _describe(cls) for cid, cls in found.items()}
    usercache.write_json(name, index)
    return index


def _index_fits(index, modules: list[str]) -> bool:
    """Whether ``index`` (read back from the cache) has the shape :func:`_describe` gives, and names
    exactly the modules of the checks folder (each defines at least one check): an entry of another
    shape, or one naming a module that is not there or leaving one out, is built again."""
    if not isinstance(index, dict) or not index:
        return False
    for cid, v in index.items():
        if not (isinstance(cid, str) and isinstance(v, dict) and isinstance(v.get("module"), str)
                and isinstance(v.get("applies_to"), list) and all(isinstance(k, str) for k in v["applies_to"])
                and all(isinstance(v.get(k), bool) for k in ("per_subject", "own_subjects", "default_enabled"))):
            return False
    return {v["module"] for v in index.values()} == set(modules)


def _builtin_modules(pkg) -> list[str]:
    """The names of the check modules in the checks package (a name starting with ``_`` is a helper)."""
    return [info.name for info in pkgutil.iter_modules(pkg.__path__) if not info.name.startswith("_")]


def _import_builtin(pkg, modules: list[str] | None = None) -> list:
    return [importlib.import_module(f"{pkg.__name__}.{name}")
            for name in (_builtin_modules(pkg) if modules is None else modules)]


def all_checks() -> Mapping[str, type[Check]]:
    """Every check class in ``computefit.checks`` and every check registered under the
    ``computefit.checks`` entry-point group, keyed and sorted by ID. A plugin that cannot be loaded,
    is not a check or reuses a registered ID is left out and recorded (:func:`plugin_errors`).
    A built-in check's module is imported when its class is first looked up."""
    global _REGISTRY
    if _REGISTRY is None:
        from . import checks as pkg  # computefit.checks

        index = _builtin_index(pkg)
        registry = _Registry(index or {}, {} if index is not None else _collect(_import_builtin(pkg), Check, {}))
        _PLUGIN_ERRORS[:] = _add_plugins(registry)
        _REGISTRY = registry
    return _REGISTRY


def check_info(check_id: str) -> dict:
    """:func:`_describe` of a registered check, without importing a built-in check's module."""
    registry = all_checks()
    return registry.info(check_id) if isinstance(registry, _Registry) else _describe(registry[check_id])


def checks_needed(kinds: set[str]) -> set[str]:
    """The IDs of the checks that may have subjects among resources and units of ``kinds``: those
    whose ``applies_to`` names one of them, and those that choose their own subjects or read the
    whole model."""
    out = set()
    for check_id in all_checks():
        info = check_info(check_id)
        if not info["per_subject"] or info["own_subjects"] or kinds.intersection(info["applies_to"]):
            out.add(check_id)
    return out


def plugin_errors() -> list[PluginError]:
    """The third-party checks that could not be registered (empty when every plugin loaded)."""
    all_checks()
    return list(_PLUGIN_ERRORS)


def _may_declare_plugins() -> bool:
    """Whether a distribution on ``sys.path`` may declare a ``computefit.checks`` entry point.

    importlib.metadata costs a fifth of a one-file scan's start-up (its import pulls in the email
    package, zipfile and csv, then it parses every distribution's metadata). This looks where its
    path finder looks (each ``sys.path`` folder's ``*.dist-info`` and ``*.egg-info`` folders, and an
    ``.egg`` folder's ``EGG-INFO``) for an ``entry_points.txt`` that mentions the group at all, so
    a scan without plugins never imports it. What it cannot judge this way (a zip file on the path,
    another finder that lists distributions) counts as a yes."""
    import sys
    from importlib.machinery import PathFinder

    if any(finder is not PathFinder and hasattr(finder, "find_distributions") for finder in sys.meta_path):
        return True
    for root in sys.path:
        folder = root or "."
        try:
            children = os.listdir(folder)
        except OSError:
            if os.path.isfile(folder):  # a zip file: importlib.metadata reads it, this does not
                return True
            continue
        egg = os.path.basename(root).lower().endswith(".egg")
        for child in children:
            low = child.lower()
            if not (low.endswith((".dist-info", ".egg-info")) or (egg and low == "egg-info")):
                continue
            try:
                with open(os.path.join(folder, child, "entry_points.txt"), "rb") as fh:
                    if ENTRY_POINT_GROUP.encode() in fh.read():
                        return True
            except OSError:  # none (most distributions), or not a folder
                continue
    return False


def _add_plugins(found: dict[str, type[Check]]) -> list[PluginError]:
    """Add the checks of the ``computefit.checks`` entry points to ``found``; the problems."""
    if not _may_declare_plugins():
        return []
    from importlib.metadata import entry_points

    errors: list[PluginError] = []
    try:
        eps = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value))
    except Exception as exc:  # a malformed entry_points.txt somewhere on the path
        return [PluginError(ENTRY_POINT_GROUP, None, f"cannot read the entry points: {type(exc).__name__}: {exc}")]
    engine_ids = {r.id: r for name in ENGINE_RULE_MODULES
                  for r in _defined_in(importlib.import_module(f"{__package__}.{name}"), EngineRule)}
    for ep in eps:
        dist = getattr(ep, "dist", None)

        def problem(message: str) -> None:
            errors.append(PluginError(f"{ep.name} = {ep.value}", getattr(dist, "name", None), message))

        try:
            obj = ep.load()
        except (Exception, SystemExit) as exc:  # its import failed: the other checks still run
            problem(f"cannot be loaded: {type(exc).__name__}: {exc}; the plugin's checks are not registered")
            continue
        if inspect.ismodule(obj):
            classes = _defined_in(obj, Check)
            if not classes:
                problem(f"module {obj.__name__} defines no computefit.check.Check subclass")
        elif isinstance(obj, type) and issubclass(obj, Check) and obj is not Check:
            classes = [obj]
        else:
            problem(f"names {obj!r}, which is neither a module nor a computefit.check.Check subclass")
            continue
        for cls in classes:
            qualname = f"{cls.__module__}.{cls.__qualname__}"
            bad = _class_problem(cls)
            if bad:
                problem(f"{qualname} {bad}; it is not registered")
                continue
            owner = found.get(cls.id) or engine_ids.get(cls.id)
            if owner is not None:
                problem(f"{qualname} uses check ID {cls.id}, which {owner.__module__}.{owner.__qualname__} "
                        "already has; it is not registered (give it an ID of its own)")
                continue
            found[cls.id] = cls
    return errors


def _class_problem(cls: type) -> str | None:
    """Why ``cls`` cannot be registered as a check (None when it can)."""
    for attr in ("id", "name", "summary"):
        value = getattr(cls, attr, None)
        if not isinstance(value, str) or not value.strip():
            return f"has no {attr} (a non-empty string)"
    if cls.id != cls.id.upper() or not cls.id.isalnum():
        return f"has check ID {cls.id!r}: use upper-case letters and digits (such as ACME101)"
    if getattr(cls, "severity", None) not in SEVERITIES:
        return f"has severity {getattr(cls, 'severity', None)!r}: use one of {', '.join(SEVERITIES)}"
    return None


def get_check(check_id: str) -> type[Check] | None:
    return all_checks().get(check_id.upper())


class EngineRule(Rule):
    """A rule whose findings come from a stage of the engine, not from a check reading the model.

    The suppression stage reports unused, expired and invalid suppressions (CF001-CF003). These
    rules are documented, selectable and configurable like checks (``computefit explain CF001``,
    ``ignore = ["CF001"]``, a severity override), but they have no ``run()``: the runner never calls
    them. Their findings are built by the stage named in ``stage``, from what that stage saw.
    """

    stage: ClassVar[str]  # the engine stage that reports this rule's findings, e.g. "suppressions"


#: Modules (under ``computefit``) that define the engine rules.
ENGINE_RULE_MODULES = ("suppress",)

_RULES: Mapping[str, type[Rule]] | None = None


class _Rules(Mapping):
    """Rule ID -> rule class: the engine rules, then the checks (looked up in :func:`all_checks`,
    so a check's module is imported only when its class is asked for)."""

    def __init__(self, engine: dict[str, type[Rule]], checks: Mapping[str, type[Check]]) -> None:
        clash = sorted(set(engine) & set(checks))
        if clash:
            raise RuntimeError(f"duplicate rule id {clash[0]}")
        self.engine = engine
        self._checks = checks
        self._ids = sorted(set(engine) | set(checks))

    def __getitem__(self, rule_id: str) -> type[Rule]:
        return self.engine[rule_id] if rule_id in self.engine else self._checks[rule_id]

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self.engine or rule_id in self._checks

    def __iter__(self):
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def all_rules() -> Mapping[str, type[Rule]]:
    """Every check and every engine rule, keyed and sorted by ID (for ``computefit checks``,
    ``explain`` and configuration validation)."""
    global _RULES
    if _RULES is None:
        modules = [importlib.import_module(f"{__package__}.{name}") for name in ENGINE_RULE_MODULES]
        _RULES = _Rules(_collect(modules, EngineRule, {}), all_checks())
    return _RULES


def engine_rule_ids() -> set[str]:
    """The IDs of the engine rules (CF001-CF003)."""
    rules = all_rules()
    return set(rules.engine) if isinstance(rules, _Rules) else {
        cid for cid, cls in rules.items() if issubclass(cls, EngineRule)}


def get_rule(rule_id: str) -> type[Rule] | None:
    return all_rules().get(rule_id.upper())
