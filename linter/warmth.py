"""Warm capacity of a Lambda function, read once for every cold-start check (CF301-CF304):
the provisioned concurrency on each of its qualifiers, and whether its SnapStart can deploy and is
ever used by what invokes it.

Every answer keeps Unknown apart from "no": a value that could not be resolved is never read as
"not configured".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import facts, runtimes
from . import model as m


def executions(setting: m.Setting | None) -> Any:
    """Provisioned executions: an int, Unknown, or None when not configured."""
    if setting is None or setting.value is None:
        return None
    value = setting.value
    if m.is_unknown(value) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return m.Unknown(f"provisioned concurrency {value!r} is not a number")


def describe_qualifier(qualifier: Any) -> str:
    """What a caller invokes, in words: None is the unqualified function ($LATEST)."""
    if qualifier is None:
        return "the unqualified function ($LATEST)"
    if m.is_unknown(qualifier):
        return f"an alias or version that is unknown ({qualifier.reason})"
    return qualifier.describe()


def provisioned(unit: m.ComputeUnit) -> list[tuple[m.Qualifier, int]]:
    """The qualifiers with a known provisioned concurrency of 1 or more, and that number."""
    out = []
    for q in unit.qualifiers:
        n = executions(q.provisioned_concurrency)
        if isinstance(n, int) and n > 0:
            out.append((q, n))
    return out


#: Callers that never hold a user's request open: a cold start there delays no one waiting.
#: WebSocket APIs are left out (a route's reply may be awaited), and so is every caller the linker
#: cannot classify.
BACKGROUND = m.NOT_LATENCY_SENSITIVE - {m.WEBSOCKET_API}


def only_background_callers(unit: m.ComputeUnit) -> bool:
    """Whether ``unit`` has callers in the code and every one is a background source (queue,
    stream, schedule, S3, SNS, EventBridge, Step Functions...)."""
    return bool(unit.triggers) and all(t.kind in BACKGROUND for t in unit.triggers)


def callers_of(unit: m.ComputeUnit, qualifier: m.Qualifier) -> list[m.Trigger]:
    """The triggers that invoke ``qualifier`` (an alias or version of ``unit``)."""
    return [t for t in unit.triggers if qualifier.same(t.qualifier)]


def snapstart_on(unit: m.ComputeUnit) -> bool:
    return unit.value(m.SNAP_START) == "PublishedVersions"


@dataclass
class Blocker:
    """A setting SnapStart cannot be combined with: the deployment is rejected."""

    key: str  # "runtime", "package_type", "provisioned_concurrency", "file_system", "ephemeral_storage"
    text: str  # "nodejs20.x does not support SnapStart"
    fix: str  # what to change
    setting: m.Setting | None = None
    location: m.Location | None = None


def snapstart_blockers(unit: m.ComputeUnit) -> list[Blocker]:
    """Why SnapStart cannot be enabled on ``unit`` (empty when nothing known blocks it, or when
    SnapStart is not enabled). Unresolved values block nothing: they are not known to."""
    if not snapstart_on(unit):
        return []
    out: list[Blocker] = []
    rt = runtimes.parse(unit.value(m.RUNTIME), unit.value(m.PACKAGE_TYPE))
    supported = facts.value("lambda.snapstart_runtimes")
    names = "Java 11+, Python 3.12+ and .NET 8+ managed runtimes"
    if rt.image:
        out.append(Blocker("package_type", "a container image cannot use SnapStart (zip packages on " + names + " only)",
                           "package the function as a zip on a supported runtime, or remove SnapStart",
                           unit.setting(m.PACKAGE_TYPE)))
    elif rt.name is not None and not rt.snapstart_supported:
        fix = (f"upgrade to {rt.family}{supported[rt.family]} or later, the first version with SnapStart, "
               "or remove SnapStart" if rt.family in supported
               else "remove SnapStart (provisioned concurrency is the warm-start option for this runtime)")
        out.append(Blocker("runtime", f"{rt.label()} does not support SnapStart ({names} only)", fix,
                           unit.setting(m.RUNTIME)))
    for q, n in provisioned(unit):
        out.append(Blocker("provisioned_concurrency",
                           f"{describe_qualifier(q)} has provisioned concurrency {n}, which SnapStart cannot be combined with",
                           "keep one of the two: SnapStart, or provisioned concurrency (steadier latency, billed around the clock)",
                           q.provisioned_concurrency, q.location))
    fs = unit.setting(m.FILE_SYSTEM)
    if fs is not None and fs.known and fs.value not in (None, [], {}, ""):
        out.append(Blocker("file_system", "an EFS file system is mounted, which SnapStart cannot be combined with",
                           "remove the EFS mount (read the files from S3 at init) or remove SnapStart", fs))
    eph = unit.value(m.EPHEMERAL_STORAGE)
    eph_max = facts.value("lambda.snapstart_max_ephemeral_storage")
    if isinstance(eph, int) and not isinstance(eph, bool) and eph > eph_max:
        out.append(Blocker("ephemeral_storage",
                           f"ephemeral storage is {eph} MB; SnapStart allows at most {eph_max} MB",
                           f"reduce ephemeral storage to {eph_max} MB or remove SnapStart",
                           unit.setting(m.EPHEMERAL_STORAGE)))
    return out


#: Why SnapStart never runs (see :func:`snapstart_unused`).
NO_VERSION = "no-version"  # nothing publishes a version
ALL_LATEST = "all-latest"  # every caller invokes $LATEST


def publishes(unit: m.ComputeUnit) -> Any:
    """Whether a deployment of ``unit`` publishes a version: True (publish = true, SAM
    AutoPublishAlias, a version or alias resource), False, or Unknown."""
    if unit.qualifiers:
        return True
    s = unit.setting(m.PUBLISH)
    if s is not None and m.is_unknown(s.value):
        return s.value
    return s is not None and s.value is True


def snapstart_unused(unit: m.ComputeUnit) -> str | None:
    """Why a supported SnapStart configuration never restores anything: ``NO_VERSION`` when no
    version is ever published, ``ALL_LATEST`` when every caller (one at least) invokes the
    unqualified function; None when it may be used, or SnapStart is not enabled, or something
    blocks it (the deployment fails: :func:`snapstart_blockers`)."""
    if not snapstart_on(unit) or snapstart_blockers(unit):
        return None
    pub = publishes(unit)
    if pub is False:
        return NO_VERSION
    if pub is True and unit.triggers and all(t.qualifier is None for t in unit.triggers):
        return ALL_LATEST
    return None
