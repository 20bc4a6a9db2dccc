"""Evaluate CloudFormation intrinsic functions statically.

``Ref`` to a parameter resolves to its ``Default``; ``Fn::Sub``/``Fn::Join``/``Fn::Base64`` render to
text with unknown parts kept as visible placeholders (``${DbHost}``, ``${AWS::Region}``);
``Fn::FindInMap`` with known keys, ``Fn::If`` with a condition decidable from parameter defaults,
``Fn::Select``/``Fn::Split`` on known values. Everything else is Unknown, never guessed.

Every function is total: for any arguments (wrong types or arity, an empty delimiter, an index out
of range, a mapping or parameter default that is not a literal) the result is a value or Unknown
with a reason, never an exception; rendered text is bounded by :data:`MAX_RENDER` (YAML aliases can
repeat one long string many times), past which the part is a ``${...}`` placeholder.
"""

from __future__ import annotations

import re
from typing import Any

from ..lazyre import LazyPattern as _lazy
from ..model import (
    ORIGIN_LITERAL,
    ORIGIN_MAPPING,
    ORIGIN_PARAMETER_DEFAULT,
    ORIGIN_PARAMETER_VALUE,
    ORIGIN_UNKNOWN,
    Location,
    Setting,
    Unknown,
    is_unknown,
)
from .loader import CfnDict

# ``${Name}`` / ``${!Literal}`` in Fn::Sub. No ``$`` inside: a search from every ``${`` without a
# closing brace would otherwise rescan the rest of the text (quadratic); no variable name holds one.
_SUB_VAR = _lazy(r"\$\{(!?)([^}$]*)\}")
#: Longest text a value renders to. A real user data script is a few KB (EC2 takes 16 KB).
MAX_RENDER = 4 * 1024 * 1024
_TOO_LARGE = "${TooLarge}"


def _is_literal(value: Any) -> bool:
    """A plain value: text, a number, a boolean, or a list of them (no intrinsic, no mapping)."""
    if isinstance(value, list):
        return all(isinstance(v, (str, int, float)) for v in value)
    return isinstance(value, (str, int, float)) and not is_unknown(value)


def _fn(value: Any) -> tuple[str, Any] | None:
    """('Ref', arg) / ('Fn::Sub', arg) / ('Condition', arg) for a one-key intrinsic mapping."""
    if isinstance(value, dict) and len(value) == 1:
        (k, v), = value.items()
        if k == "Ref" or k == "Condition" or k.startswith("Fn::"):
            return k, v
    return None


class Template:
    def __init__(self, file: str, data: CfnDict, parameters: tuple[tuple[str, str, str], ...] = ()) -> None:
        """``parameters``: (key, value text, where it was set) values that override the parameters'
        defaults (``--parameter``, ``--parameter-file``), later ones winning."""
        self.file = file
        self.data = data
        self.overrides: dict[str, tuple[str, str]] = {k: (v, where) for k, v, where in parameters}
        params = data.get("Parameters")
        self.parameters: CfnDict = params if isinstance(params, dict) else CfnDict()
        maps = data.get("Mappings")
        self.mappings = maps if isinstance(maps, dict) else {}
        conds = data.get("Conditions")
        self.conditions = conds if isinstance(conds, dict) else {}
        res = data.get("Resources")
        self.resources: dict = res if isinstance(res, dict) else {}
        self._cond_memo: dict[str, bool | None] = {}
        #: parameters that stand for a resource of the template that nests this one (its
        #: ``!GetAtt Queue.Arn`` passed as a parameter): name -> (address, attribute, None)
        self.external_refs: dict[str, tuple] = {}

    # -- helpers ---------------------------------------------------------------------------
    def loc(self, line: int | None) -> Location:
        return Location(self.file, line or 0)

    def resource_type(self, name: str) -> str | None:
        r = self.resources.get(name)
        return r.get("Type") if isinstance(r, dict) else None

    def param_default(self, name: str) -> tuple[Any, int | None]:
        """(default or Unknown, line of the Default).

        A list parameter's default (``CommaDelimitedList``, ``List<...>``) is the list it stands
        for. An SSM parameter type's default is the name of an SSM parameter, not its value, so
        the value is Unknown.
        """
        p = self.parameters.get(name)
        if not isinstance(p, dict):
            return Unknown(f"parameter {name} is not declared"), None
        line = p.line_of("Default") if isinstance(p, CfnDict) else None
        if name in self.overrides:
            default, line = self.overrides[name][0], None
        elif "Default" not in p:
            return Unknown(f"parameter {name} has no Default (set at deploy time)"), getattr(p, "line", None)
        else:
            default = p["Default"]
        ptype = p.get("Type")
        ptype = ptype.strip() if isinstance(ptype, str) else ""
        if is_unknown(default):
            return default, line
        if not _is_literal(default):
            return Unknown(f"parameter {name} has a Default that is not a literal value"), line
        if ptype.startswith("AWS::SSM::Parameter::Value"):
            return Unknown(f"parameter {name} is read from SSM parameter {default} at deploy time"), line
        if (ptype == "CommaDelimitedList" or ptype.startswith("List<")) and isinstance(default, str):
            return [item.strip() for item in default.split(",")], line
        return default, line

    # -- settings --------------------------------------------------------------------------
    def setting(self, value: Any, line: int | None) -> Setting:
        """Resolve a property value into a Setting that points at the line that set it."""
        f = _fn(value)
        if f is None:
            return Setting(value, self.loc(line), ORIGIN_LITERAL)
        name, arg = f
        if name == "Ref" and isinstance(arg, str):
            if arg in self.parameters:
                default, dline = self.param_default(arg)
                if is_unknown(default):
                    return Setting(default, self.loc(line), ORIGIN_UNKNOWN, note=f"parameter {arg}")
                if arg in self.overrides:  # no line of the template sets it: point at the reference
                    return Setting(default, self.loc(line), ORIGIN_PARAMETER_VALUE,
                                   note=f"parameter {arg} from {self.overrides[arg][1]}, referenced at line {line}")
                return Setting(
                    default, self.loc(dline), ORIGIN_PARAMETER_DEFAULT,
                    note=f"parameter {arg} Default at line {dline}, referenced at line {line}",
                )
            return Setting(Unknown(f"Ref {arg} is only known at deploy time"), self.loc(line), ORIGIN_UNKNOWN)
        if name == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            cond = self.condition(arg[0])
            if cond is None:
                return Setting(Unknown(f"depends on condition {arg[0]}"), self.loc(line), ORIGIN_UNKNOWN)
            chosen = arg[1] if cond else arg[2]
            if _fn(chosen) == ("Ref", "AWS::NoValue"):
                return Setting(None, self.loc(line), ORIGIN_LITERAL,
                               note=f"{self.describe_condition(arg[0], cond)} removes it")
            s = self.setting(chosen, line)
            s.note = ((s.note + "; ") if s.note else "") + self.describe_condition(arg[0], cond)
            return s
        if name == "Fn::FindInMap":
            v = self.find_in_map(arg)
            if is_unknown(v):
                return Setting(v, self.loc(line), ORIGIN_UNKNOWN)
            return Setting(v, self.loc(line), ORIGIN_MAPPING, note=f"Fn::FindInMap {self.render(arg)}")
        if name in ("Fn::Sub", "Fn::Join", "Fn::Base64"):
            return Setting(self.render(value), self.loc(line), ORIGIN_LITERAL)
        if name in ("Fn::Select", "Fn::Split"):
            v = self.value(value)
            return Setting(v, self.loc(line), ORIGIN_UNKNOWN if is_unknown(v) else ORIGIN_LITERAL)
        return Setting(self._deploy_time(name, arg), self.loc(line), ORIGIN_UNKNOWN)

    def value(self, value: Any) -> Any:
        """The plain value, or Unknown."""
        f = _fn(value)
        if f is None:
            if isinstance(value, list):
                return [self.value(v) for v in value]
            return value
        name, arg = f
        if name == "Ref" and isinstance(arg, str):
            if arg in self.parameters:
                return self.param_default(arg)[0]
            if arg == "AWS::NoValue":  # the property is removed
                return None
            return Unknown(f"Ref {arg}")
        if name == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            cond = self.condition(arg[0])
            if cond is None:
                return Unknown(f"depends on condition {arg[0]}")
            return self.value(arg[1] if cond else arg[2])
        if name == "Fn::FindInMap":
            return self.find_in_map(arg)
        if name in ("Fn::Sub", "Fn::Join", "Fn::Base64"):
            return self.render(value)
        if name == "Fn::Select" and isinstance(arg, list) and len(arg) == 2:
            idx, lst = self.value(arg[0]), self.value(arg[1])
            if not isinstance(lst, list):
                return Unknown("Fn::Select from a list only known at deploy time")
            try:
                i = int(idx) if not isinstance(idx, float) or idx.is_integer() else None
            except (TypeError, ValueError, OverflowError):
                i = None
            if is_unknown(idx):
                return Unknown("Fn::Select with an index only known at deploy time")
            if i is None or isinstance(idx, bool):
                return Unknown("Fn::Select with an index that is not a whole number")
            if not 0 <= i < len(lst):
                return Unknown(f"Fn::Select index {str(idx)[:20]} is out of range (the list has {len(lst)} items)")
            return lst[i]
        if name == "Fn::Split" and isinstance(arg, list) and len(arg) == 2:
            sep, text = self.value(arg[0]), self.value(arg[1])
            if isinstance(sep, str) and isinstance(text, str):
                if not sep:
                    return Unknown("Fn::Split with an empty delimiter")
                return text.split(sep)
            return Unknown("Fn::Split of an unknown value")
        return self._deploy_time(name, arg)

    def _deploy_time(self, name: str, arg: Any) -> Unknown:
        """Unknown for a function evaluated by CloudFormation (GetAtt, ImportValue, GetAZs...)."""
        if name == "Fn::GetAtt":
            what = f"Fn::GetAtt {self.render({name: arg})[2:-1]}"
        elif name == "Fn::ImportValue":
            what = f"Fn::ImportValue {self.render(arg)}"
        else:
            what = name
        return Unknown(f"{what} is only known at deploy time")

    def find_in_map(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 3:
            return Unknown("malformed Fn::FindInMap")
        keys = [self.value(a) for a in arg]
        if any(not isinstance(k, (str, int)) for k in keys):
            return Unknown("Fn::FindInMap with a key only known at deploy time")
        try:
            level = self.mappings[keys[0]]
            level = level[keys[1]] if isinstance(level, dict) else None
            found = level[keys[2]] if isinstance(level, dict) else None
        except (KeyError, TypeError):
            found = None
        if found is None or is_unknown(found):
            return Unknown(f"mapping {str(keys[0])[:60]} has no {str(keys[1])[:60]}/{str(keys[2])[:60]}")
        if not _is_literal(found):
            return Unknown(f"mapping {str(keys[0])[:60]} holds a value that is not a literal at "
                           f"{str(keys[1])[:60]}/{str(keys[2])[:60]}")
        return found

    def resource_condition(self, name: str) -> tuple[bool | None, str]:
        """Whether resource ``name`` is created, by its ``Condition``: (True, "") without one,
        (False, why) when the condition is known false, (None, why) when it is not known."""
        res = self.resources.get(name)
        cond = res.get("Condition") if isinstance(res, dict) else None
        if cond is None:
            return True, ""
        if not isinstance(cond, str) or cond not in self.conditions:
            return None, f"Condition {str(cond)[:60]} is not declared in Conditions"
        value = self.condition(cond)
        if value is None:
            why = [d.reason for d in (self.param_default(p)[0] for p in self.params_read({"Condition": cond}))
                   if is_unknown(d)]
            return None, f"Condition {cond} is not known statically" + (f" ({'; '.join(why)})" if why else "")
        return value, "C" + self.describe_condition(cond, value)[1:]

    def params_read(self, expr: Any, _seen: set | None = None) -> list[str]:
        """The parameters an expression or condition (``{"Condition": name}``) reads, through the
        conditions it names, in order."""
        seen = set() if _seen is None else _seen
        out: list[str] = []
        f = _fn(expr)
        if f is not None and f[0] == "Ref" and f[1] in self.parameters and f[1] not in seen:
            seen.add(f[1])
            out.append(f[1])
        elif f is not None and f[0] == "Condition" and isinstance(f[1], str) and ("?" + f[1]) not in seen:
            seen.add("?" + f[1])
            out += self.params_read(self.conditions.get(f[1]), seen)
        elif isinstance(expr, dict):
            for v in expr.values():
                out += self.params_read(v, seen)
        elif isinstance(expr, list):
            for v in expr:
                out += self.params_read(v, seen)
        return out

    def given(self, expr: Any) -> list[str]:
        """Where the given values (--parameter, --parameter-file) an expression reads were set:
        ["parameter Env from --parameter"]."""
        return [f"parameter {p} from {self.overrides[p][1]}" for p in self.params_read(expr) if p in self.overrides]

    def describe_condition(self, name: str, value: bool) -> str:
        """'condition IsProd is True (parameter Env from --parameter)'."""
        given = self.given({"Condition": name})
        return f"condition {name} is {value}" + (f" ({'; '.join(given)})" if given else "")

    def condition(self, name: Any) -> bool | None:
        if not isinstance(name, str):
            return None
        if name in self._cond_memo:
            return self._cond_memo[name]
        self._cond_memo[name] = None  # cycle guard
        result = self._eval_cond(self.conditions.get(name))
        self._cond_memo[name] = result
        return result

    def _eval_cond(self, expr: Any) -> bool | None:
        f = _fn(expr)
        if f is None:
            return expr if isinstance(expr, bool) else None
        name, arg = f
        if name == "Condition":
            return self.condition(arg)
        if name == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            a, b = self.value(arg[0]), self.value(arg[1])
            if is_unknown(a) or is_unknown(b) or isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
                return None
            return str(a).lower() == str(b).lower() if isinstance(a, bool) or isinstance(b, bool) else str(a) == str(b)
        if name in ("Fn::And", "Fn::Or") and isinstance(arg, list):
            vals = [self._eval_cond(a) for a in arg]
            if name == "Fn::And":
                return False if False in vals else (None if None in vals else True)
            return True if True in vals else (None if None in vals else False)
        if name == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            v = self._eval_cond(arg[0])
            return None if v is None else not v
        return None

    # -- text rendering --------------------------------------------------------------------
    def render(self, value: Any) -> str:
        """Text of a value, with unknown parts as ``${Name}`` placeholders (at most MAX_RENDER
        characters: a longer part is ``${TooLarge}``)."""
        text = self._render(value)
        return text if len(text) <= MAX_RENDER else _TOO_LARGE

    def _join(self, sep: str, items: Any) -> str:
        out, size = [], 0
        for item in items:
            piece = self.render(item)
            size += len(piece) + len(sep)
            if size > MAX_RENDER:
                return _TOO_LARGE
            out.append(piece)
        return sep.join(out)

    def _render(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int, float)):
            return str(value)
        f = _fn(value)
        if f is None:
            if isinstance(value, list):
                return self._join(",", value)
            return "${" + "?" + "}"
        name, arg = f
        if name == "Ref" and isinstance(arg, str):
            if arg in self.parameters:
                default = self.param_default(arg)[0]
                if not is_unknown(default) and not isinstance(default, (dict, list)):
                    return self.render(default)
            return "${" + arg + "}"
        if name == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if isinstance(parts, list):
                return "${" + ".".join(self.render(p) for p in parts) + "}"
            return "${GetAtt}"
        if name == "Fn::Base64":
            return self.render(arg)
        if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
            sep = self.render(arg[0])
            items = arg[1]
            if isinstance(items, list):
                return self._join(sep, items)
            v = self.value(items)
            if isinstance(v, list):
                return self._join(sep, v)
            return "${" + "Join" + "}"
        if name == "Fn::Sub":
            if isinstance(arg, str):
                return self._sub(arg, {})
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                variables = arg[1] if len(arg) > 1 and isinstance(arg[1], dict) else {}
                return self._sub(arg[0], variables)
            return "${Sub}"
        if name == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            cond = self.condition(arg[0])
            if cond is None:
                return "${If:" + str(arg[0]) + "}"
            chosen = arg[1] if cond else arg[2]
            return "" if _fn(chosen) == ("Ref", "AWS::NoValue") else self.render(chosen)
        if name == "Fn::FindInMap":
            v = self.find_in_map(arg)
            return "${FindInMap}" if is_unknown(v) else self.render(v)
        if name in ("Fn::Select", "Fn::Split"):
            v = self.value(value)
            return "${" + name[4:] + "}" if is_unknown(v) else self.render(v)
        if name == "Fn::ImportValue":
            return "${ImportValue:" + self.render(arg) + "}"
        return "${" + name + "}"

    def _sub(self, template: str, variables: dict) -> str:
        budget = [MAX_RENDER]

        def repl(m: re.Match) -> str:
            text = substitute(m)
            budget[0] -= len(text)
            return text if budget[0] >= 0 else m.group(0)

        def substitute(m: re.Match) -> str:
            if m.group(1) == "!":  # ${!Literal} -> ${Literal}
                return "${" + m.group(2) + "}"
            var = m.group(2).strip()
            if var in variables:
                return self.render(variables[var])
            if var in self.parameters:
                default = self.param_default(var)[0]
                if not is_unknown(default) and not isinstance(default, (dict, list)):
                    return self.render(default)
            return "${" + var + "}"

        return _SUB_VAR.sub(repl, template)
