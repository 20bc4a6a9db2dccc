"""Lambda runtime classification: family, version, cold-start tier and SnapStart eligibility.

Tiers and SnapStart support come from facts data (``lambda.slow_cold_start_runtimes``,
``lambda.snapstart_runtimes``), not from this code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import facts
from .model import is_unknown

SLOW = "slow"
FAST = "fast"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Runtime:
    """A Lambda runtime read from its identifier (``java21``): family, version, or a container image."""

    name: str | None  # e.g. "java21"; None for container images or when unresolved
    family: str | None  # "java", "python", "dotnet", "nodejs", "ruby", "provided"
    version: tuple[int, ...] | None  # (21,), (3, 12), (8,) ...
    image: bool = False

    @property
    def tier(self) -> str:
        if self.image:
            return SLOW
        if self.family is None:
            return UNKNOWN
        return SLOW if self.family in facts.value("lambda.slow_cold_start_runtimes") else FAST

    @property
    def snapstart_supported(self) -> bool:
        if self.image or self.family is None or self.version is None:
            return False
        minimum = facts.value("lambda.snapstart_runtimes").get(self.family)
        return minimum is not None and self.version >= _vtuple(str(minimum))

    def label(self) -> str:
        if self.image:
            return "container image"
        return self.name or "unknown runtime"


def parse(runtime, package_type=None) -> Runtime:
    """Classify a RUNTIME setting value (and PACKAGE_TYPE)."""
    image = isinstance(package_type, str) and package_type.lower() == "image"
    if runtime is None or is_unknown(runtime) or not isinstance(runtime, str):
        return Runtime(None, None, None, image)
    name = runtime.strip().lower()
    m = re.match(r"^(java|python|dotnet|nodejs|ruby|provided|go)(core)?(\d+(?:\.\d+)?)?", name)
    if not m:
        return Runtime(name, None, None, image)
    family = m.group(1)
    if family == "go":
        family = "provided"
    version = _vtuple(m.group(3)) if m.group(3) else None
    return Runtime(name, family, version, image)


def _vtuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isdigit())
