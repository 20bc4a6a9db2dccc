"""computefit: lint infrastructure-as-code for AWS workloads on the wrong compute model.

The public Python API (documented in the README, "Python API")::

    from computefit import scan, Config
    result = scan(["template.yaml"], Config(fail_on="error"))
    for finding in result.findings: ...

The names below are imported on first use, so ``import computefit`` stays cheap (a pre-commit hook
that only needs ``__version__`` does not load the front ends and the checks).
"""

from __future__ import annotations

__version__ = "0.1.0"

#: Public name -> the module (under ``computefit``) that defines it.
_PUBLIC = {
    "scan": "runner",
    "ScanResult": "runner",
    "Config": "config",
    "ConfigError": "config",
    "Finding": "check",
}

__all__ = ["__version__", *_PUBLIC]

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs more than the package
if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .check import Finding
    from .config import Config, ConfigError
    from typing import Any

    from .runner import ScanResult, scan


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
