"""The kinds table (``data/kinds.toml``): canonical resource kinds and attributes, and their spelling
in CloudFormation, Terraform and the terraform-aws-modules registry modules.

Front ends look up a resource type's kind and read the attributes the table names
(:func:`kind_of`, :func:`attributes`); :func:`normalise` then converts every attribute to its
canonical type and applies the AWS defaults, once, for both languages.
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass
from typing import Any

from . import facts
from .model import ORIGIN_SERVICE_DEFAULT, Resource, Setting, Unknown, is_unknown

_FILE = os.path.join(os.path.dirname(__file__), "data", "kinds.toml")

CLOUDFORMATION = "cloudformation"
TERRAFORM = "terraform"
MODULE = "module"


@dataclass(frozen=True)
class Attr:
    """One canonical attribute of a kind."""

    name: str
    type: str  # int, str, bool, list, map, text, base64, any, ref
    paths: dict[str, tuple[str, ...]]  # language ("cloudformation", "terraform", "module") -> paths
    unit: str | None = None
    default: str | None = None  # facts key
    types: tuple[tuple[str, str], ...] = ()  # per-language type overrides
    defaults: tuple[tuple[str, str], ...] = ()  # per-language defaults (facts keys) overriding default

    def type_in(self, language: str) -> str:
        return dict(self.types).get(language, self.type)

    def default_in(self, language: str) -> str | None:
        return dict(self.defaults).get(language, self.default)


@dataclass(frozen=True)
class Kind:
    """One row of the kinds table: a canonical kind, its resource types per language and attributes."""

    name: str
    types: dict[str, tuple[str, ...]]
    module: str | None
    attributes: tuple[Attr, ...]


_LANG_KEYS = {"cfn": CLOUDFORMATION, "tf": TERRAFORM, "module": MODULE}


@functools.lru_cache(maxsize=1)
def table() -> dict[str, Kind]:
    from . import usercache

    data = usercache.data_table(_FILE)
    out = {}
    for name, row in data.items():
        attrs = []
        for aname, spec in (row.get("attributes") or {}).items():
            paths = {_LANG_KEYS[k]: tuple(p.strip() for p in spec[k].split("|"))
                     for k in ("cfn", "tf", "module") if k in spec}
            types = ((TERRAFORM, spec["tf_type"]),) if "tf_type" in spec else ()
            defaults = tuple((_LANG_KEYS[k], spec[f"{k}_default"]) for k in ("cfn", "tf", "module")
                             if f"{k}_default" in spec)
            attrs.append(Attr(aname, spec["type"], paths, spec.get("unit"), spec.get("default"), types, defaults))
        out[name] = Kind(name, {CLOUDFORMATION: tuple(row.get("cloudformation", ())),
                                TERRAFORM: tuple(row.get("terraform", ()))},
                         row.get("module"), tuple(attrs))
    return out


@functools.lru_cache(maxsize=1)
def _by_type() -> dict[str, str]:
    out = {}
    for kind in table().values():
        for types in kind.types.values():
            for t in types:
                out[t] = kind.name
        if kind.module:
            out[f"module:{kind.module}"] = kind.name
    return out


def kind_of(rtype: str) -> str | None:
    """The canonical kind of a resource type (``module:<source>`` for a registry module), or None.
    A CloudFormation ``Custom::<Name>`` type is a custom resource, whatever its name."""
    kind = _by_type().get(rtype)
    if kind is None and isinstance(rtype, str) and rtype.startswith("Custom::"):
        return _by_type().get("AWS::CloudFormation::CustomResource")
    return kind


def attributes(kind: str | None, language: str) -> list[tuple[Attr, tuple[str, ...]]]:
    """The attributes of ``kind`` spelled in ``language``, with their paths."""
    if kind is None or kind not in table():
        return []
    return [(a, a.paths[language]) for a in table()[kind].attributes if language in a.paths]


def mapped_keys(kind: str | None, language: str) -> set[str]:
    """The top-level properties / arguments the table maps for ``kind`` in ``language``."""
    return {p.split(".")[0].split("[")[0] for _a, paths in attributes(kind, language) for p in paths}


# --------------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------------


def unresolved_parts(value: Any) -> tuple[str, ...]:
    """The unresolved parts of a text that is only partly known (empty when fully known)."""
    return tuple(getattr(value, "unresolved", ()) or ())


def to_int(v: Any) -> Any:
    if isinstance(v, bool):
        return Unknown(f"expected a number, got {v}")
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            return Unknown(f"{v} is not a finite number")
        return int(v) if v.is_integer() else v
    if isinstance(v, str):
        if unresolved_parts(v):
            return Unknown(f"partly unknown value {v}")
        try:
            f = float(v.strip())
        except ValueError:
            return Unknown(f"{v[:40]!r} is not a number")
        if not math.isfinite(f):
            return Unknown(f"{v[:40]!r} is not a finite number")
        return int(f) if f.is_integer() else f
    return Unknown(f"expected a number, got {type(v).__name__}")


def to_str(v: Any) -> Any:
    if isinstance(v, str) and unresolved_parts(v):
        return Unknown(f"partly unknown string {v}")
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        return str(v)
    return Unknown(f"expected a string, got {type(v).__name__}")


def to_bool(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower() == "true"
    return Unknown(f"expected a bool, got {v!r}")


def to_list(v: Any) -> Any:
    if isinstance(v, list):
        return list(v)
    return Unknown(f"expected a list, got {type(v).__name__}")


def to_map(v: Any) -> Any:
    if isinstance(v, dict):
        return dict(v)
    return Unknown(f"expected a map, got {type(v).__name__}")


def to_text(v: Any) -> Any:
    """User data as text: a partly known text keeps its placeholders (and its unresolved parts)."""
    decoded = getattr(v, "decoded", None)  # base64encode() of a partly known text
    if isinstance(decoded, str):
        return decoded
    if isinstance(v, str):
        return v
    return Unknown(f"user data is a {type(v).__name__}")


def from_base64(v: Any) -> Any:
    decoded = getattr(v, "decoded", None)
    if isinstance(decoded, str):
        return decoded
    if not isinstance(v, str) or unresolved_parts(v):
        return Unknown(f"base64 user data is not known statically: {v}")
    from . import userdata  # one decoder for both front ends, with the decompression budget

    return userdata.decode_base64(v)


def to_document(v: Any) -> Any:
    """A document (a state machine definition) as an object or text; text keeps its placeholders."""
    if isinstance(v, (dict, list, str)):
        return v
    return Unknown(f"expected a document, got {type(v).__name__}")


def to_blocks(v: Any) -> Any:
    """Nested blocks (EBS volumes): a list of dicts; one dict is a list of one."""
    if isinstance(v, dict):
        return [v]
    if isinstance(v, list):
        return v
    return Unknown(f"expected a list of blocks, got {type(v).__name__}")


CONVERTERS = {"int": to_int, "str": to_str, "bool": to_bool, "list": to_list, "map": to_map,
              "text": to_text, "base64": from_base64, "document": to_document, "file": to_document,
              "blocks": to_blocks}


def convert(setting: Setting, type_: str) -> Setting:
    """``setting`` with its value converted to ``type_`` (an Unknown stays as it is, except that
    base64 user data keeps its decoded text)."""
    fn = CONVERTERS.get(type_)
    v = setting.value
    if fn is None or v is None:
        return setting
    if is_unknown(v) and getattr(v, "decoded", None) is None:
        return setting
    setting.value = fn(v)
    return setting


def default_setting(key: str) -> Setting:
    """The AWS default a facts key names, as a service-default setting (nothing in the source
    sets it, so it has no location)."""
    f = facts.fact(key)
    unit = f" {f.unit}" if f.unit else ""
    return Setting(f.value, None, ORIGIN_SERVICE_DEFAULT, f"{f.value}{unit} per {f.url} (as of {f.as_of})")


def normalise(res: Resource, language: str) -> Resource:
    """Convert each mapped attribute to its canonical type; drop attributes set to null (the
    default applies); then fill the defaults the table names. Done once per resource."""
    k = table().get(res.kind or "")
    if k is None:
        return res
    for a in k.attributes:
        s = res.attributes.get(a.name)
        if s is not None:
            if s.value is None:
                del res.attributes[a.name]
                continue
            if a.type != "ref":
                parts = unresolved_parts(s.value) or unresolved_parts(getattr(s.value, "decoded", None))
                convert(s, a.type_in(language))
                if a.type_in(language) in ("text", "base64") and isinstance(s.value, str):
                    # the front end's partly-known string becomes a plain text plus the explicit list
                    s.unresolved = s.unresolved or parts or unresolved_parts(s.value)
                    s.value = str(s.value)
        default = a.default_in(language)
        if default and a.name not in res.attributes:
            res.attributes[a.name] = default_setting(default)
    return res
