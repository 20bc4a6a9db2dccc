"""Effective settings for one run: which checks, their severities and options, excludes, fail-on,
default formats.

Built from defaults, then a configuration file, then command-line options, later ones winning:

* ``.computefit.toml`` (keys at the top level) or ``[tool.computefit]`` in ``pyproject.toml``,
  looked for in the scanned folder and then upwards, stopping at the filesystem root or at a folder
  holding ``.git`` (the repository root); in one folder ``.computefit.toml`` wins. ``--config FILE``
  names the file instead.
* A configuration that was looked for (not named with ``--config``) lies in the scanned tree, which
  may be someone else's code: it chooses formats for standard output only. A ``FORMAT:FILE`` entry
  in it is a :class:`ConfigError`; output files come from the command line or from ``--config``.
* Every key and value is checked: an unknown key, an unknown check ID, a wrong type or a bad
  severity is a :class:`ConfigError` naming the file and the key (the CLI exits with 2).

The shape (documented in the README, "Configuration")::

    [tool.computefit]
    select = ["CF"]              # IDs or prefixes; default: every check
    ignore = ["CF3"]
    exclude = ["cdk.out", "legacy/**"]
    fail-on = "warning"          # error | warning | info | never
    format = ["text", "json:computefit.json"]   # FORMAT:FILE only in a file named with --config
    baseline = "computefit-baseline.json"       # relative to this file's folder; inside its
                                                # read boundary when the file was looked for
    usage-file = "infracost-usage.yml"          # the same (computefit.usage)

    [tool.computefit.checks.CF201]
    severity = "error"
    threshold_seconds = 600      # any option of the check (computefit explain CF201)
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from typing import Any

from .check import SEVERITIES
from .lazyre import LazyPattern as _lazy

FAIL_ON = (*reversed(SEVERITIES), "never")  # error, warning, info, never
CONFIG_FILE = ".computefit.toml"
PYPROJECT = "pyproject.toml"
TOP_KEYS = ("select", "ignore", "exclude", "fail-on", "format", "baseline", "checks", "var-file", "var",
            "parameter-file", "parameter", "sam-config", "sam-config-env", "region", "prices", "usage-file")


@dataclass
class Config:
    """The effective configuration of a run: what is selected and ignored, severities, check options,
    exclusions, outputs and the environment a scan reads the code in (variables, parameters, region)."""

    select: tuple[str, ...] = ()  # IDs or prefixes; empty = all checks
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)  # check ID -> severity override
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # check ID -> {option: value}
    exclude: tuple[str, ...] = ()  # glob patterns of paths to skip
    fail_on: str = "warning"  # error | warning | info | never
    formats: tuple[str, ...] = ()  # default output formats
    source: str | None = None  # the file this configuration was read from
    baseline: str | None = None  # the baseline file to apply (the path resolved from the config's folder)
    notices: tuple = ()  # boundary.Notice entries about the configuration itself (a competing file)
    #: Terraform root-module inputs (issue 8): var-files in order (absolute paths; from a discovered
    #: configuration they must lie inside the read boundary: ``var_files_checked``) and --var values
    var_files: tuple[str, ...] = ()
    var_files_checked: tuple[str, ...] = ()
    variables: tuple[tuple[str, str, str], ...] = ()  # (name, value text, where it was set)
    #: CloudFormation parameter values (issue 8): (key, value text, where it was set), from
    #: --parameter-file then --parameter, later ones winning over earlier ones and over Defaults
    parameters: tuple[tuple[str, str, str], ...] = ()
    #: A SAM CLI configuration file (--sam-config; absolute) read for every template instead of
    #: the samconfig file beside each one, and the environment of it to read (None: ``default``).
    #: Its values rank below every parameter value above.
    sam_config: str | None = None
    sam_config_env: str | None = None
    #: The values read from ``sam_config`` (set by the runner when it reads the file once per scan)
    sam_values: tuple[tuple[str, str, str], ...] | None = None
    #: The region costs are priced in (issue 12): ``--region`` (``region_cli``) or the
    #: configuration's ``region``; a price override (``--price-file`` or ``[prices]``)
    region_cli: str | None = None
    region: str | None = None
    price_overrides: Any = None  # prices.Overrides | None

    def region_choice(self):
        """The run's region settings (:class:`computefit.prices.RegionChoice`)."""
        from .prices import RegionChoice

        return RegionChoice(cli=self.region_cli, config=self.region, config_source=self.source,
                            overrides=self.price_overrides)
    #: The usage file (issue 12): its path (from --usage-file, or ``usage-file`` relative to the
    #: configuration's folder and, for a discovered configuration, inside its read boundary), and
    #: once read, the loaded :class:`computefit.usage.UsageFile` the checks look values up in.
    usage_file: str | None = None
    usage: Any = None

    def load_usage(self) -> "Config":
        """This configuration with its usage file read (raises ``usage.UsageFileError``)."""
        if self.usage_file is None or self.usage is not None:
            return self
        from .usage import load

        return dataclasses.replace(self, usage=load(self.usage_file))

    def enabled(self, check_id: str, *, engine: bool = False) -> bool:
        """Whether a rule reports. ``select`` picks the checks to run; an engine rule (CF001-CF003,
        about the suppressions themselves) is on unless ``ignore`` names it, so ``--select CF2``
        never hides an invalid suppression. An opt-in check (``default_enabled = False``) runs only
        when ``select`` names it."""
        cid = check_id.upper()
        if self.select and not engine and not any(cid.startswith(s.upper()) for s in self.select):
            return False
        if not self.select and not engine and _opt_in(cid):
            return False
        return not any(cid.startswith(s.upper()) for s in self.ignore)

    def severity_for(self, check_id: str, default: str) -> str:
        return self.severity.get(check_id.upper(), default)

    def options_for(self, check_cls) -> dict[str, Any]:
        merged = check_cls.default_options()
        merged.update(self.options.get(check_cls.id, {}))
        return merged

    def with_cli(self, *, select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
                 exclude: tuple[str, ...] = (), fail_on: str | None = None,
                 formats: tuple[str, ...] = (), var_files: tuple[str, ...] = (),
                 variables: tuple[str, ...] = (),
                 parameters: tuple[tuple[str, str, str], ...] = (), sam_config: str | None = None,
                 sam_config_env: str | None = None,
                 region: str | None = None, price_overrides: Any = None,
                 usage_file: str | None = None) -> "Config":
        """This configuration with command-line options applied. ``--select`` replaces the file's
        ``select`` and ``ignore`` (the command line says exactly what to run); ``--ignore`` and
        ``--exclude`` add to the file's; ``--fail-on`` and ``--format`` replace the file's."""
        changes: dict[str, Any] = {}
        if select:
            changes["select"] = tuple(s.upper() for s in select)
            changes["ignore"] = ()
        if ignore:
            changes["ignore"] = changes.get("ignore", self.ignore) + tuple(s.upper() for s in ignore)
        if exclude:
            changes["exclude"] = tuple(self.exclude) + tuple(exclude)
        if fail_on:
            changes["fail_on"] = fail_on
        if formats:
            changes["formats"] = tuple(formats)
        if var_files:  # after the file's, as later -var-file options win in Terraform
            changes["var_files"] = self.var_files + tuple(os.path.abspath(f) for f in var_files)
        if variables:
            changes["variables"] = self.variables + tuple(
                (v.split("=", 1)[0], v.split("=", 1)[1], f"--var {v.split('=', 1)[0]}") for v in variables)
        if parameters:
            changes["parameters"] = self.parameters + tuple(parameters)
        if sam_config:
            changes["sam_config"] = os.path.abspath(sam_config)
        if sam_config_env:
            changes["sam_config_env"] = sam_config_env
        if region:
            changes["region_cli"] = region
        if price_overrides is not None:  # --price-file replaces the configuration's table
            changes["price_overrides"] = price_overrides
        if usage_file:  # --usage-file replaces the file's
            changes["usage_file"] = usage_file
            changes["usage"] = None
        return dataclasses.replace(self, **changes)


def fails(severity: str, fail_on: str) -> bool:
    """Whether a finding of ``severity`` fails the run under ``fail_on``."""
    if fail_on == "never":
        return False
    return SEVERITIES.index(severity) >= SEVERITIES.index(fail_on)


class ConfigError(Exception):
    """An invalid configuration: names the file and the key."""

    def __init__(self, file: str | None, key: str | None, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.key = key
        self.message = message

    def __str__(self) -> str:
        where = ": ".join(p for p in (self.file, self.key) if p)
        return f"{where}: {self.message}" if where else self.message


# --------------------------------------------------------------------------------------------------
# Finding and reading the file
# --------------------------------------------------------------------------------------------------


def find_config(paths: list[str]) -> str | None:
    """The configuration file for a scan of ``paths``: from their common folder upwards to the
    filesystem root or the first folder holding ``.git``."""
    existing = [os.path.abspath(p) for p in paths if os.path.exists(p)] or [os.getcwd()]
    dirs = [p if os.path.isdir(p) else os.path.dirname(p) for p in existing]
    try:
        here = os.path.commonpath(dirs)
    except ValueError:  # paths on different drives
        here = dirs[0]
    while True:
        candidate = os.path.join(here, CONFIG_FILE)
        if os.path.isfile(candidate):
            return candidate
        candidate = os.path.join(here, PYPROJECT)
        if os.path.isfile(candidate) and _has_tool_table(candidate):
            return candidate
        parent = os.path.dirname(here)
        if os.path.exists(os.path.join(here, ".git")) or parent == here:
            return None
        here = parent


def resolve_config(paths: list[str], config_file: str | None = None) -> Config:
    """The configuration for a scan of ``paths``: the file named by ``config_file`` (``--config``),
    else the one :func:`find_config` finds from ``paths`` upwards (read with ``discovered=True``:
    it may not name output files), else the defaults. Raises :class:`ConfigError` naming the file
    and the key."""
    if config_file:
        if not os.path.isfile(config_file):
            raise ConfigError(config_file, None, "no such configuration file")
        return load_config(config_file)
    found = find_config(paths)
    return load_config(found, discovered=True) if found else Config()


#: A line of a pyproject.toml that may open or write into [tool.computefit], whatever the quoting and
#: spacing TOML allows: a ``[tool.computefit...]`` or ``[[tool.computefit...]]`` header, a bare
#: ``[tool]`` table (its ``computefit.x = ...`` keys), or a top-level ``tool.computefit...`` or
#: ``tool = {...}`` key. Only a file with one is parsed; a file that merely names computefit (as a
#: dependency) is not. A false match only costs the parse.
_MAY_HOLD_TOOL_TABLE = _lazy(
    r"""^[ \t]*(?:\[{1,2}[ \t]*)?(?:tool|"tool"|'tool')[ \t]*(?:\]|=|\.[ \t]*["']?computefit\b)""", re.M)


def _has_tool_table(pyproject: str) -> bool:
    try:
        with open(pyproject, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return False
    if "computefit" not in text or not _MAY_HOLD_TOOL_TABLE.search(text):
        return False  # cheap: most pyproject files are not ours to parse
    data = _read_toml(pyproject)
    return isinstance(data.get("tool"), dict) and "computefit" in data["tool"]


def _read_toml(path: str) -> dict:
    try:  # Python 3.11+; imported only when there is a configuration file to read
        import tomllib as _toml
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as _toml  # type: ignore[no-redef]
    try:
        with open(path, "rb") as fh:
            return _toml.load(fh)
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read configuration: {exc.strerror or exc}")
    except _toml.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"invalid TOML: {exc}")
    except UnicodeDecodeError:
        raise ConfigError(path, None, "invalid TOML: not UTF-8 text")


def load_config(path: str, *, discovered: bool = False) -> Config:
    """Read and check the configuration in ``path`` (``pyproject.toml``: its ``[tool.computefit]``
    table; any other file: its top level). ``discovered``: the file was found by looking from the
    scanned path upwards rather than named with ``--config``; then it may not name output files."""
    shown = _display(path)
    data = _read_toml(path)
    if os.path.basename(path) == PYPROJECT:
        tool = data.get("tool")
        table = tool.get("computefit") if isinstance(tool, dict) else None
        if table is None:
            raise ConfigError(shown, None, "has no [tool.computefit] table")
        prefix = "tool.computefit."
    else:
        table, prefix = data, ""
    if not isinstance(table, dict):
        raise ConfigError(shown, prefix.rstrip(".") or None, "must be a table")
    cfg = parse(table, shown, prefix, os.path.dirname(os.path.abspath(path)), destinations=not discovered)
    if discovered:
        cfg.notices = tuple(_competing(path))
        cfg.var_files_checked = cfg.var_files  # found in the scanned tree: var-files are reads inside the boundary
    return cfg


def _competing(path: str) -> list:
    """A notice when the folder of the configuration used holds another that configures
    computefit (``.computefit.toml`` wins over ``pyproject.toml [tool.computefit]``)."""
    from .boundary import Notice

    folder = os.path.dirname(os.path.abspath(path))
    other = os.path.join(folder, PYPROJECT)
    if os.path.basename(path) == CONFIG_FILE and os.path.isfile(other) and _has_tool_table(other):
        return [Notice(_display(other), None, f"[tool.computefit] here is not used: {CONFIG_FILE} in the "
                                              "same folder configures computefit and wins; keep one of them")]
    return []


def _display(path: str) -> str:
    from .discovery import display_path

    return display_path(path)


# --------------------------------------------------------------------------------------------------
# Checking the values
# --------------------------------------------------------------------------------------------------


def parse(table: dict, source: str, prefix: str = "", base_dir: str | None = None, *,
          destinations: bool = True) -> Config:
    """Build a Config from a configuration table, checking every key and value. ``destinations``
    False: a ``FORMAT:FILE`` entry is an error (the file was found in the scanned tree, not named
    by the user)."""
    from .check import all_rules

    rules = all_rules()
    cfg = Config(source=source)

    def err(key: str, message: str) -> ConfigError:
        return ConfigError(source, prefix + key, message)

    for key in table:
        if key not in TOP_KEYS:
            hint = {"fail_on": " (write fail-on)", "usage_file": " (write usage-file)"}.get(key, "")
            raise err(key, f"unknown key{hint}; expected one of: {', '.join(TOP_KEYS)}")
    for key in ("select", "ignore"):
        if key in table:
            values = _str_list(table[key], lambda m, k=key: err(k, m))
            for v in values:
                problem = selector_problem(v, rules)
                if problem:
                    raise err(key, problem)
            setattr(cfg, key, tuple(v.upper() for v in values))
    if "exclude" in table:
        patterns = _str_list(table["exclude"], lambda m: err("exclude", m))
        cfg.exclude = tuple(_exclude_pattern(p, base_dir) for p in patterns)
    if "fail-on" in table:
        value = table["fail-on"]
        if value not in FAIL_ON:
            raise err("fail-on", f"must be one of {', '.join(FAIL_ON)}; got {_show(value)}")
        cfg.fail_on = value
    if "format" in table:
        value = table["format"]
        values = [value] if isinstance(value, str) else _str_list(value, lambda m: err("format", m))
        for v in values:
            problem = format_problem(v) or (None if destinations else destination_problem(v, source))
            if problem:
                raise err("format", problem)
        cfg.formats = tuple(values)
    if "baseline" in table:
        cfg.baseline = _baseline_path(table["baseline"], base_dir, lambda m: err("baseline", m),
                                      inside_boundary=not destinations)
    if "var-file" in table:
        value = table["var-file"]
        files = [value] if isinstance(value, str) else _str_list(value, lambda m: err("var-file", m))
        cfg.var_files = tuple(os.path.normpath(os.path.join(base_dir or ".", f)) for f in files)
    if "var" in table:
        cfg.variables = _values(table, "var", source, err, 'Terraform variable values (var = { env = "prod" })',
                                "write complex values in a var-file")
    if "parameter-file" in table:
        from .cloudformation.parameters import ParameterFileError, read_file

        value = table["parameter-file"]
        files = [value] if isinstance(value, str) else _str_list(value, lambda m: err("parameter-file", m))
        for f in files:
            path = _baseline_path(f, base_dir, lambda m: err("parameter-file", m), inside_boundary=not destinations,
                                  instead="name the file with --parameter-file instead")
            try:
                cfg.parameters += tuple(read_file(path, _display(path)))
            except ParameterFileError as exc:
                raise err("parameter-file", str(exc))
    if "usage-file" in table:  # an input: inside the read boundary when the file was looked for
        cfg.usage_file = _baseline_path(table["usage-file"], base_dir, lambda m: err("usage-file", m),
                                        inside_boundary=not destinations,
                                        instead="name the usage file with --usage-file instead")
    if "parameter" in table:
        cfg.parameters += _values(table, "parameter", source, err,
                                  'CloudFormation parameter values (parameter = { Env = "prod" })',
                                  "write a list as comma-separated text")
    if "sam-config" in table:
        cfg.sam_config = _baseline_path(table["sam-config"], base_dir, lambda m: err("sam-config", m),
                                        inside_boundary=not destinations,
                                        instead="name the file with --sam-config instead")
    if "sam-config-env" in table:
        value = table["sam-config-env"]
        if not isinstance(value, str) or not value.strip():
            raise err("sam-config-env", f"must be an environment name (a string); got {_show(value)}")
        cfg.sam_config_env = value
    if "region" in table:
        from .prices import region_problem

        problem = region_problem(table["region"])
        if problem:
            raise err("region", problem)
        cfg.region = table["region"]
    if "prices" in table:
        from .prices import PriceFileError, parse_overrides

        try:
            cfg.price_overrides = parse_overrides(table["prices"], f"{source} [{prefix}prices]")
        except PriceFileError as exc:
            raise err("prices", str(exc))
    checks = table.get("checks", {})
    if not isinstance(checks, dict):
        raise err("checks", f"must be a table of check IDs ([{prefix}checks.CF201]); got {_show(checks)}")
    for raw_id, settings in checks.items():
        cid = str(raw_id).upper()
        where = f"checks.{raw_id}"
        rule = rules.get(cid)
        if rule is None:
            raise err(where, f"unknown check ID {raw_id!r}; known: {', '.join(rules)}")
        if not isinstance(settings, dict):
            raise err(where, f"must be a table of settings; got {_show(settings)}")
        for name, value in settings.items():
            if name == "severity":
                if value not in SEVERITIES:
                    raise err(f"{where}.severity", f"must be one of {', '.join(SEVERITIES)}; got {_show(value)}")
                cfg.severity[cid] = value
                continue
            opt = rule.options.get(name)
            if opt is None:
                known = ", ".join(["severity", *rule.options])
                raise err(f"{where}.{name}", f"unknown setting for {cid}; expected one of: {known}")
            if not _has_type(value, opt.type):
                raise err(f"{where}.{name}", f"must be {_type_name(opt.type)}; got {_show(value)}")
            cfg.options.setdefault(cid, {})[name] = float(value) if opt.type is float else value
    return cfg


def _values(table: dict, key: str, source: str, err, what: str, hint: str) -> tuple[tuple[str, str, str], ...]:
    """A table of input values (``var``, ``parameter``) as (name, value text, where it was set)."""
    value = table[key]
    if not isinstance(value, dict):
        raise err(key, f"must be a table of {what}; got {_show(value)}")
    out: tuple[tuple[str, str, str], ...] = ()
    for name, v in value.items():
        if isinstance(v, (dict, list)) or isinstance(v, float) and v != v:
            raise err(f"{key}.{name}", f"must be a string, number or boolean ({hint})")
        text = ("true" if v else "false") if isinstance(v, bool) else str(v)
        out += ((str(name), text, f"{source} {key}.{name}"),)
    return out


def _baseline_path(value: Any, base_dir: str | None, error, *, inside_boundary: bool,
                   instead: str = "name the baseline with --baseline instead") -> str:
    """The ``baseline`` key as a path: relative to the configuration's folder. A configuration that
    was looked for lies in the scanned tree (maybe someone else's code), so its baseline must lie
    inside that tree's read boundary (computefit.boundary), like every other file a scan reads."""
    if not isinstance(value, str) or not value.strip():
        raise error(f"must be a file name (a string); got {_show(value)}")
    base = base_dir or os.getcwd()
    if not inside_boundary:
        return os.path.normpath(os.path.join(base, value))
    from .boundary import find_boundary, resolve

    resolved = resolve(value, base, find_boundary(base))
    if resolved.path is None:
        raise error(f"{resolved.refused}; {instead}")
    return resolved.path


def selector_problem(value: str, rules: dict | None = None) -> str | None:
    """Why ``value`` is not a valid check ID or prefix (None when it is)."""
    if rules is None:
        from .check import all_rules

        rules = all_rules()
    v = value.strip().upper()
    if not v:
        return "an empty string selects nothing"
    if not any(cid.startswith(v) for cid in rules):
        return f"{value!r} is not a check ID or the prefix of one; known: {', '.join(rules)}"
    return None


def format_problem(spec: str) -> str | None:
    from .reporters import FORMATS

    name = spec.split(":", 1)[0]
    if name not in FORMATS:
        return f"unknown format {name!r}; choose from {', '.join(FORMATS)} (FORMAT or FORMAT:FILE)"
    return None


def destination_problem(spec: str, source: str) -> str | None:
    """Why a discovered configuration may not hold ``spec`` (None for a bare FORMAT)."""
    if ":" not in spec:
        return None
    return (f"{spec!r} names an output file, and a configuration found in the scanned tree may only "
            "choose formats for standard output (it could be anyone's code, and could name any file). "
            f"Write the file from the command line (--format {spec}), or name this configuration "
            f"with --config {source}")


def _exclude_pattern(pattern: str, base_dir: str | None) -> str:
    """A glob from the file, relative to the file's folder, as discovery matches it (against paths
    as reported: relative to the working directory, or absolute outside it). A pattern without a
    ``/`` matches a file or folder name anywhere and is kept as it is."""
    if base_dir is None or "/" not in pattern.strip("/") or os.path.isabs(pattern):
        return pattern
    full = os.path.normpath(os.path.join(base_dir, pattern))
    rel = os.path.relpath(full, os.getcwd())
    return full if rel.startswith(os.pardir) else rel.replace(os.sep, "/")


def _str_list(value: Any, error) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise error(f"must be a list of strings; got {_show(value)}")
    return value


def _has_type(value: Any, typ: type) -> bool:
    if typ is bool:
        return isinstance(value, bool)
    if typ is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if typ is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, typ)


def _type_name(typ: type) -> str:
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string",
            list: "an array"}.get(typ, typ.__name__)


def _show(value: Any) -> str:
    kind = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "table"}.get(type(value), type(value).__name__)
    return f"{kind} {value!r}"


def _opt_in(check_id: str) -> bool:
    """Whether a registered check is off unless selected (``default_enabled = False``)."""
    from .check import all_checks, check_info

    return check_id in all_checks() and not check_info(check_id)["default_enabled"]
