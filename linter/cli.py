"""The ``computefit`` command line.

Exit codes: 0 nothing at or above ``--fail-on`` was reported (suppressed and baselined findings do
not count); 1 something was; 2 a usage error, an invalid configuration or baseline file, or a file
that could not be read (reported in the output too; every other file is still scanned).
"""

from __future__ import annotations

import os
import sys

import click

from . import __version__
from .config import FAIL_ON


def _format_names() -> list[str]:
    from .reporters import FORMATS

    return list(FORMATS)


def _pair_outputs(formats: tuple[str, ...], outputs: tuple[str, ...]) -> list[tuple[str, str]]:
    """Pair each --format with its destination: ``FORMAT:FILE`` inline, else the --output at the
    same position, else standard output ('-')."""
    names = _format_names()
    pairs: list[tuple[str, str]] = []
    outs = list(outputs)
    for fmt in formats or ("text",):
        dest = None
        if ":" in fmt and fmt.split(":", 1)[0] in names:
            fmt, dest = fmt.split(":", 1)
        if fmt not in names:
            raise click.BadParameter(
                f"unknown format {fmt!r}; choose from {', '.join(names)}", param_hint="--format"
            )
        if dest is None:
            dest = outs.pop(0) if outs else "-"
        pairs.append((fmt, dest))
    if outs:
        raise click.BadParameter(
            f"{len(outs)} --output without a --format to write", param_hint="--output"
        )
    if sum(1 for _, d in pairs if d == "-") > 1:
        raise click.BadParameter(
            "only one format can go to standard output; give the others an --output FILE",
            param_hint="--format",
        )
    return pairs


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="computefit")
def main() -> None:
    """Find AWS workloads running on the wrong compute model in CloudFormation, SAM and Terraform."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "formats", multiple=True, metavar="FORMAT[:FILE]",
              help=f"Report format (repeatable): {', '.join(_format_names())}. "
                   "FORMAT:FILE writes that format to FILE.")
@click.option("--output", "-o", "outputs", multiple=True, metavar="FILE",
              help="Write the report to FILE instead of standard output (pairs with --format in order).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="Lowest severity that makes the exit code 1 (default: warning).")
@click.option("--select", multiple=True, metavar="ID",
              help="Run only these checks (IDs or prefixes such as CF2); replaces select and ignore of the config file.")
@click.option("--ignore", multiple=True, metavar="ID", help="Skip these checks (IDs or prefixes).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Read settings from FILE (default: .computefit.toml or pyproject.toml [tool.computefit], "
                   "looked for from the scanned path upwards to the repository root).")
@click.option("--show-suppressed", is_flag=True,
              help="Also list the findings silenced by a suppression or the baseline, and why.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Report only findings not recorded in FILE; list its entries that no longer match.")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False), metavar="FILE",
              help="Record this run's findings in FILE (exit 0 unless a file could not be read).")
@click.option("--root", "root", type=click.Path(exists=True, file_okay=False), metavar="DIR",
              help="Read boundary: files read beyond the scanned ones (file(), templatefile(), local "
                   "modules, tfvars, linked files) must lie in DIR (default: the git work tree holding "
                   "each scanned path, or the path itself outside git).")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: only on a terminal).")
@click.option("--jobs", "-j", "jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Parse and check documents in N processes (default: one per CPU; 1: in this process). "
                   "The report is the same for any N.")
def scan(paths, formats, outputs, fail_on, select, ignore, exclude, config_file, show_suppressed,
         baseline_file, write_baseline, root, color, jobs) -> None:
    """Scan PATHS (files or folders; default: the current folder)."""
    from .config import fails, selector_problem
    from .reporters import RenderOptions, render
    from .reporters.common import valid_unicode
    from .runner import scan as run_scan

    ctx = click.get_current_context()
    paths = list(paths) or ["."]
    for option, values in (("--select", select), ("--ignore", ignore)):
        for value in values:
            problem = selector_problem(value)
            if problem:
                raise click.BadParameter(problem, ctx=ctx, param_hint=option)
    if baseline_file and write_baseline:
        raise click.UsageError("--baseline and --write-baseline cannot be combined: write the "
                               "baseline again to refresh it", ctx=ctx)
    config = _load_config(paths, config_file).with_cli(
        select=select, ignore=ignore, exclude=exclude, fail_on=fail_on, formats=formats)
    try:
        pairs = _pair_outputs(config.formats, outputs)
    except click.BadParameter as exc:
        exc.ctx = ctx
        raise
    baseline = None
    if baseline_file:
        from .baseline import BaselineError, load

        try:
            baseline = load(baseline_file)
        except BaselineError as exc:
            _fail(str(exc))

    result = run_scan(paths, config, baseline=baseline, root=root, jobs=jobs)

    for fmt, dest in pairs:
        use_color = color if color is not None else (
            # https://no-color.org: NO_COLOR set to a non-empty value disables colour
            dest == "-" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        )
        use_color = bool(use_color and fmt == "text")
        text = render(fmt, result, RenderOptions(color=use_color, show_suppressed=show_suppressed,
                                                 fail_on=config.fail_on))
        # Each format escapes what it prints; this is the last guard: whatever reaches the output
        # encodes as UTF-8 (no surrogate from a JSON "\ud800" or an undecodable file name).
        text = valid_unicode(text)
        if dest == "-":
            # UTF-8 bytes whatever the locale's encoding (a report is UTF-8; a name that the
            # terminal's encoding cannot show must not crash the run). Bytes are written as they
            # are: the only ANSI codes in them are computefit's own colours, when asked for.
            click.echo(text.encode("utf-8"), nl=False)
        else:
            from .atomic import write_text

            try:
                write_text(dest, text)
            except OSError as exc:
                click.echo(f"computefit: cannot write {dest}: {exc.strerror or exc}", err=True)
                sys.exit(2)

    if write_baseline:
        from .baseline import BaselineError, write

        try:
            n = write(result.findings, write_baseline)
        except BaselineError as exc:
            _fail(str(exc))
        click.echo(f"computefit: recorded {n} finding{'s' if n != 1 else ''} in {write_baseline}", err=True)
    if result.errors:
        sys.exit(2)
    if not write_baseline and any(fails(f.severity, config.fail_on) for f in result.findings):
        sys.exit(1)
    sys.exit(0)


def _fail(message: str) -> None:
    """Exit 2 with ``message`` on standard error; it may quote a scanned file (a configuration key,
    a path), so control characters and bidi overrides in it are shown as escapes."""
    from .reporters.common import visible

    click.echo(f"computefit: {visible(message)}", err=True)
    sys.exit(2)


def _load_config(paths: list[str], config_file: str | None):
    """The configuration named by --config, else the one found from ``paths`` upwards, else the
    defaults. An invalid file exits with 2, naming the file and the key; so does a found one that
    names an output file (only the command line and --config choose where the run writes)."""
    from .config import Config, ConfigError, find_config, load_config

    try:
        if config_file:
            if not os.path.isfile(config_file):
                raise ConfigError(config_file, None, "no such configuration file")
            return load_config(config_file)
        found = find_config(paths)
        return load_config(found, discovered=True) if found else Config()
    except ConfigError as exc:
        _fail(str(exc))


@main.command("checks")
@click.argument("path", required=False, type=click.Path())
@click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Read settings from FILE instead of looking for one from PATH upwards.")
def list_checks(path, config_file) -> None:
    """List the checks and engine rules with their effective settings for a scan of PATH (default:
    the current folder): enabled or not, severity, option values, and the config file used."""
    from .check import EngineRule, all_rules

    config = _load_config([path or "."], config_file)
    from .reporters.common import visible

    source = visible(config.source) if config.source else "none found (defaults)"
    click.echo(f"configuration: {source}")
    rules = all_rules()
    w_name = max((len(c.name) for c in rules.values()), default=4)
    for cid, cls in rules.items():
        state = "on " if config.enabled(cid, engine=issubclass(cls, EngineRule)) else "off"
        sev = config.severity_for(cid, cls.severity)
        mark = "*" if cid in config.severity else " "
        kind = "  [engine rule: reported by the suppression stage]" if issubclass(cls, EngineRule) else ""
        click.echo(f"{cid}  {cls.name:<{w_name}}  {state}  {sev + mark:<8}  {cls.summary}{kind}")
        effective = config.options_for(cls)
        for name, opt in cls.options.items():
            value = effective[name]
            note = "" if value == opt.default else f" (default {opt.default!r}, from {source})"
            click.echo(f"{'':{len(cid) + 2}}{name} = {value!r}{note}  {opt.description}")
    if config.severity:
        click.echo(f"* severity set in {source}")


@main.command(short_help="Print the documentation of a check.")
@click.argument("check_id")
def explain(check_id: str) -> None:
    """Print the documentation of check or engine rule CHECK_ID (e.g. CF201, CF001)."""
    from .check import all_rules, get_rule

    cls = get_rule(check_id)
    if cls is None:
        known = ", ".join(all_rules())
        click.echo(f"computefit: no check {check_id!r}; known checks: {known}", err=True)
        sys.exit(2)
    from .docs import render_check

    click.echo(render_check(cls), nl=False)  # the same text as docs/checks/ID.md


@main.command("docs")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 listing stale, missing and extra pages (for CI).")
@click.option("--readme", type=click.Path(dir_okay=False),
              help="Also update the checks table between the markers of this README "
                   "(default: README.md, when DIRECTORY is not given and it has the markers).")
def docs_command(directory: str | None, check_only: bool, readme: str | None) -> None:
    """Generate the check documentation: one Markdown page per check and an index README.md in
    DIRECTORY (default: docs/checks), from the same text `computefit explain` prints, and the
    checks table of the project's README.md."""
    from .docs import DEFAULT_DIR, README, compare, pages, readme_table, update_readme, write

    readme_path = readme or (None if directory else README)
    directory = directory or DEFAULT_DIR
    expected = pages()
    readme_now = readme_new = None
    if readme_path:
        try:
            with open(readme_path, encoding="utf-8", newline="") as fh:
                readme_now = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            if readme:
                click.echo(f"computefit: cannot read {readme}: {getattr(exc, 'strerror', None) or exc}", err=True)
                sys.exit(2)
        if readme_now is not None:
            readme_new = update_readme(readme_now, readme_table())
            if readme_new is None and readme:
                click.echo(f"computefit: {readme} has no checks table markers", err=True)
                sys.exit(2)
    readme_stale = readme_new is not None and readme_new != readme_now
    if check_only:
        drift = compare(directory, expected)
        for label, names in (("stale", drift.stale), ("missing", drift.missing), ("extra", drift.extra)):
            for name in names:
                click.echo(f"{label}: {os.path.join(directory, name)}")
        if readme_stale:
            click.echo(f"stale: {readme_path} (checks table)")
        if drift or readme_stale:
            click.echo(f"computefit: the documentation is out of date; run `computefit docs"
                       f"{'' if directory == DEFAULT_DIR else ' ' + directory}`", err=True)
            sys.exit(1)
        click.echo(f"{directory}: {len(expected)} files up to date")
        if readme_new is not None:
            click.echo(f"{readme_path}: checks table up to date")
        return
    try:
        drift, kept = write(directory, expected)
        if readme_stale:
            with open(readme_path, "w", encoding="utf-8", newline="") as fh:
                fh.write(readme_new)
    except OSError as exc:
        click.echo(f"computefit: cannot write {exc.filename or directory}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    for name in drift.stale + drift.missing:
        click.echo(f"wrote {os.path.join(directory, name)}")
    for name in drift.extra:
        verb = "kept (not generated by computefit)" if name in kept else "removed"
        click.echo(f"{verb} {os.path.join(directory, name)}")
    if readme_stale:
        click.echo(f"wrote {readme_path} (checks table)")
    if not drift:
        click.echo(f"{directory}: {len(expected)} files up to date")


@main.command("model", short_help="Print the resource graph and compute model computefit reads.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
def model_command(paths, fmt: str, exclude) -> None:
    """Print what computefit reads from PATHS (default: the current folder), found as `scan`
    finds them: every resource with its kind, resolved attributes (and where each was set) and
    edges, then the compute units with their triggers and qualifiers. Exit 2 when a file could not
    be read (listed in the output)."""
    import json

    from .discovery import discover
    from .modelview import model_dict, model_text
    from .runner import build_model

    inputs = discover(list(paths) or ["."], excludes=tuple(exclude))
    model, errors, _ = build_model(inputs)
    errors = inputs.errors + errors
    if fmt == "json":
        click.echo(json.dumps(model_dict(model, errors), indent=2))
    else:
        click.echo(model_text(model, errors), nl=False)
    if errors:
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
