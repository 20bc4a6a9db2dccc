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
import pkgutil
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable

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
        if self.costs:
            from . import facts

            d["costs"] = {
                "currency": facts.meta("currency"),
                "region": facts.meta("region"),
                "prices_as_of": facts.meta("prices_as_of"),
                "options": [c.to_dict() for c in self.costs],
            }
        return d


@dataclass(frozen=True)
class Option:
    """A configurable threshold of a check."""

    default: Any
    description: str
    type: type = int


class CheckContext:
    """What a check gets besides its subject: its effective options, and the model (to follow a
    subject's links: the functions a queue feeds)."""

    def __init__(self, options: dict[str, Any] | None = None, model: Model | None = None) -> None:
        self.options = options or {}
        self.model = model if model is not None else Model()

    def option(self, name: str) -> Any:
        return self.options[name]


class Rule:
    """What every rule has, whoever produces its findings: an ID, a name, a default severity, a
    one-line summary, options, and its documentation (the class docstring)."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]  # the default severity; a finding may use a lower one (CF301's info)
    summary: ClassVar[str]  # one line for `computefit checks`
    options: ClassVar[dict[str, Option]] = {}

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

_REGISTRY: dict[str, type[Check]] | None = None


def _collect(modules, base: type, found: dict) -> dict:
    """Add to ``found`` every subclass of ``base`` defined in ``modules``, keyed by ID."""
    for mod in modules:
        for obj in vars(mod).values():
            if (isinstance(obj, type) and issubclass(obj, base) and obj is not base
                    and obj.__module__ == mod.__name__):
                if obj.id in found:
                    raise RuntimeError(f"duplicate rule id {obj.id}")
                found[obj.id] = obj
    return found


def all_checks() -> dict[str, type[Check]]:
    """Every check class in ``computefit.checks``, keyed and sorted by ID."""
    global _REGISTRY
    if _REGISTRY is None:
        from . import checks as pkg  # computefit.checks

        modules = [importlib.import_module(f"{pkg.__name__}.{info.name}")
                   for info in pkgutil.iter_modules(pkg.__path__) if not info.name.startswith("_")]
        _REGISTRY = dict(sorted(_collect(modules, Check, {}).items()))
    return _REGISTRY


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

_RULES: dict[str, type[Rule]] | None = None


def all_rules() -> dict[str, type[Rule]]:
    """Every check and every engine rule, keyed and sorted by ID (for ``computefit checks``,
    ``explain`` and configuration validation)."""
    global _RULES
    if _RULES is None:
        modules = [importlib.import_module(f"{__package__}.{name}") for name in ENGINE_RULE_MODULES]
        _RULES = dict(sorted(_collect(modules, EngineRule, dict(all_checks())).items()))
    return _RULES


def get_rule(rule_id: str) -> type[Rule] | None:
    return all_rules().get(rule_id.upper())
