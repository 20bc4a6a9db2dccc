"""Limits, defaults and billing rules, read from ``data/facts.toml``.

Every fact carries its source and as-of date so that a finding can state what its numbers rest on.
Checks call :func:`value` / :func:`fact`; they never hard-code a limit or a price. Unit prices per
region are in ``data/prices/aws.json``, read through :mod:`computefit.prices`.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any

_FACTS_FILE = os.path.join(os.path.dirname(__file__), "data", "facts.toml")


@dataclass(frozen=True)
class Fact:
    """One limit, default or billing rule from ``data/facts.toml``, with its source and as-of date."""

    key: str
    value: Any
    unit: str | None
    source: str
    url: str | None
    as_of: str

    def cite(self) -> str:
        return f"{self.source} (as of {self.as_of})"

    def cite_url(self) -> str:
        """The citation with the page a reader can open, for cost lines: ``source, URL, as of DATE``."""
        return f"{self.source}, {self.url}, as of {self.as_of}" if self.url else self.cite()


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    from . import usercache

    return usercache.data_table(_FACTS_FILE)


def fact(key: str) -> Fact:
    """``fact("lambda.timeout_max")`` -> the Fact with its source. Raises KeyError for a typo."""
    node: Any = _data()
    for part in key.split("."):
        node = node[part]
    if not isinstance(node, dict) or "value" not in node:
        raise KeyError(f"{key} is not a fact (no 'value')")
    return Fact(
        key=key,
        value=node["value"],
        unit=node.get("unit"),
        source=node.get("source", ""),
        url=node.get("url"),
        as_of=node.get("as_of", ""),
    )


def value(key: str) -> Any:
    return fact(key).value


def meta(key: str) -> Any:
    return _data()["meta"][key]


def raw(key: str) -> dict:
    """The whole table of a fact (for extra fields such as ``free_per_month``)."""
    node: Any = _data()
    for part in key.split("."):
        node = node[part]
    return node
