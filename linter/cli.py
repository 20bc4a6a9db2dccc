"""The ``computefit`` command line.

Exit codes: 0 nothing at or above ``--fail-on`` was reported (suppressed and baselined findings do
not count); 1 something was; 2 a usage error, an invalid configuration or baseline file, or a file
that could not be read (reported in the output too; every other file is still scanned), or an
internal error (one line on standard error, never a traceback: see ``_Main``). Exit 2 wins over
``--fail-on never`` and ``--exit-zero``.
"""

from __future__ import annotations

import gc
import os
import sys

#: Python collects cyclic garbage every 700 allocations, dozens of times while a one-file scan
#: imports its modules and builds their classes (3 ms of a 100 ms run), finding almost nothing:
#: while it starts, the command line collects every 50,000 (mypy sets 200,000 in mypy/build.py).
#: Set before the imports it is for; :func:`_started` puts the defaults back for the scan itself.
_GC_DEFAULTS = gc.get_threshold()
gc.set_threshold(50_000, 20, 20)

import click  # noqa: E402

from . import __version__  # noqa: E402
from .config import FAIL_ON  # noqa: E402


def _started() -> None:
    """Start-up is over: what it made lives until exit, so the collector never looks at it again
    (``gc.freeze``; forked workers inherit it untouched), and the default thresholds return. A
    large scan's cyclic garbage holds whole parsed modules: collected every 50,000 allocations, a
    worker's peak on the ministryofjustice folder doubled (107 MB to 212 MB). Once a process:
    a caller running several commands in one process (the tests, through click's CliRunner) does
    not freeze the garbage of the earlier ones."""
    global _STARTED
    if _STARTED:
        return
    _STARTED = True
    gc.freeze()
    gc.set_threshold(*_GC_DEFAULTS)


_STARTED = False


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


class _Main(click.Group):
    """The command group: an exception that escapes a command (a bug) exits 2 with one line on
    standard error, never a traceback; exit 1 stays reserved for findings."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            import traceback

            tb = traceback.extract_tb(exc.__traceback__)
            where = f" ({tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno})" if tb else ""
            what = " ".join(str(exc).split())[:200].encode("ascii", "backslashreplace").decode("ascii")
            click.echo(f"computefit: internal error: {type(exc).__name__}: {what}{where}; please report it",
                       err=True)
            ctx.exit(2)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="computefit")
def main() -> None:
    """Find AWS workloads running on the wrong compute model in CloudFormation, SAM and Terraform."""


def _price_options(ctx, region: str | None, price_file: str | None) -> dict:
    """``--region`` and ``--price-file``, checked, as :meth:`Config.with_cli` takes them."""
    from .prices import PriceFileError, read_price_file, region_problem

    out: dict = {}
    if region:
        problem = region_problem(region)
        if problem:
            raise click.BadParameter(problem, ctx=ctx, param_hint="--region")
        out["region"] = region
    if price_file:
        try:
            out["price_overrides"] = read_price_file(price_file)
        except PriceFileError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param_hint="--price-file")
    return out


def _parameters(ctx, files: tuple[str, ...], options: tuple[str, ...]) -> tuple:
    """CloudFormation parameter values: the files' in order, then the --parameter options."""
    if not files and not options:
        return ()  # a scan that sets none does not import the CloudFormation front end for it
    from .cloudformation.parameters import ParameterFileError, from_option, read_file

    values: list = []
    for f in files:
        try:
            values += read_file(f, f)
        except ParameterFileError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param_hint="--parameter-file")
    for text in options:
        try:
            values.append(from_option(text))
        except ValueError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param_hint="--parameter")
    return tuple(values)


def _environment_options(command):
    """The options that say which environment is read (``scan`` and ``model`` take the same): the
    read boundary, Terraform variables and CloudFormation parameters."""
    options = [
        click.option("--root", "root", type=click.Path(exists=True, file_okay=False), metavar="DIR",
                     help="Read boundary: files read beyond the scanned ones (file(), templatefile(), local "
                          "modules, tfvars, linked files) must lie in DIR (default: the git work tree holding "
                          "each scanned path, or the path itself outside git)."),
        click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
                     metavar="FILE", help="Terraform: read root module variable values from FILE (.tfvars or "
                                          ".tfvars.json; repeatable, later files win over earlier ones and over "
                                          "terraform.tfvars, *.auto.tfvars and TF_VAR_name variables)."),
        click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
                     help="Terraform: set a root module variable (repeatable; wins over every var-file)."),
        click.option("--parameter", "parameters", multiple=True, metavar="KEY=VALUE",
                     help="CloudFormation: set a template parameter, overriding its Default (repeatable; wins "
                          "over every parameter file)."),
        click.option("--parameter-file", "parameter_files", multiple=True,
                     type=click.Path(exists=True, dir_okay=False),
                     metavar="FILE", help="CloudFormation: read parameter values from FILE: the aws-cli list "
                                          "[{\"ParameterKey\", \"ParameterValue\"}], {\"Parameters\": {...}} or "
                                          "KEY=VALUE lines (repeatable, later files win)."),
        click.option("--sam-config", "sam_config", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
                     help="CloudFormation: read parameter_overrides from this SAM CLI configuration file "
                          "(default: the samconfig.toml, .yaml or .yml beside each template). Its values rank "
                          "below --parameter-file and --parameter."),
        click.option("--sam-config-env", "sam_config_env", metavar="NAME",
                     help="CloudFormation: the environment of the samconfig file to read (default: default), "
                          "as sam deploy --config-env."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _environment_config(ctx, paths: list[str], config_file: str | None, var_files, variables, parameters,
                        parameter_files, sam_config=None, sam_config_env=None, **cli):
    """The configuration found for ``paths`` (or ``config_file``) with the command line's
    environment options (and ``cli``: select, ignore, ...) applied; a bad --var exits with 2."""
    for value in variables:
        if "=" not in value or not value.split("=", 1)[0].strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", ctx=ctx, param_hint="--var")
    return _load_config(paths, config_file).with_cli(
        var_files=var_files, variables=variables, parameters=_parameters(ctx, parameter_files, parameters),
        sam_config=sam_config, sam_config_env=sam_config_env, **cli)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.option("--output", "-o", "output", metavar="FILE", help="Write to FILE instead of standard output.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Read settings (region, prices, var-file, parameter) from FILE.")
@click.option("--region", "region", metavar="REGION", default=None, help="Price in REGION (as for scan).")
@click.option("--price-file", "price_file", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="Your own rates (as for scan).")
@click.option("--usage-file", "usage_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Monthly volumes from an infracost usage file (as for scan).")
@_environment_options
def costs(paths, fmt, output, config_file, region, price_file, usage_file, root, var_files, variables, parameters,
          parameter_files, sam_config, sam_config_env) -> None:
    """Price every compute resource in PATHS under its current model and each alternative.

    Lambda functions (with their provisioned concurrency), EC2 instances, auto scaling groups and
    ECS services, each with its monthly cost now and under the alternatives the checks know, and
    the assumptions each figure rests on, whether or not a check fires. Where the code gives no
    volume the option gives the cost per 1,000 runs instead of a monthly figure.
    """
    import json as _json

    from . import costs as bill
    from .runner import scan as run_scan

    _started()

    ctx = click.get_current_context()
    paths = list(paths) or ["."]
    config = _environment_config(ctx, paths, config_file, var_files, variables, parameters, parameter_files,
                                 sam_config, sam_config_env, usage_file=usage_file,
                                 **_price_options(ctx, region, price_file))
    config = _load_usage(config)
    result = run_scan(paths, config, root=root, jobs=1)
    billed = bill.bill(result.model, choice=config.region_choice(), usage=config.usage)
    text = (_json.dumps(bill.report(billed), indent=2, ensure_ascii=True) + "\n" if fmt == "json"
            else bill.render_text(billed))
    if output:
        from .atomic import write_text

        write_text(output, text)  # a temp file renamed into place: never a half-written report
    else:
        click.echo(text, nl=False)
    if result.errors:
        ctx.exit(2)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "formats", multiple=True, metavar="FORMAT[:FILE]",
              help=f"Report format (repeatable): {', '.join(_format_names())}. "
                   "FORMAT:FILE writes that format to FILE.")
@click.option("--output", "-o", "outputs", multiple=True, metavar="FILE",
              help="Write the report to FILE instead of standard output (pairs with --format in order).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="Lowest severity that makes the exit code 1 (default: warning). A file that could "
                   "not be read still exits with 2, even with never.")
@click.option("--ignore-bad-template", is_flag=True,
              help="A file that could not be read (a broken or oversized template) is still listed, "
                   "but does not make the exit code 2 (cfn-lint's option of the same name).")
@click.option("--exit-zero", is_flag=True,
              help="Exit 0 whatever was found: --fail-on never (exit 2 for an unreadable file stays).")
@click.option("--select", multiple=True, metavar="ID[,ID...]",
              help="Run only these checks (IDs or prefixes such as CF2; repeatable or comma-separated); "
                   "replaces select and ignore of the config file.")
@click.option("--ignore", multiple=True, metavar="ID[,ID...]",
              help="Skip these checks (IDs or prefixes; repeatable or comma-separated).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Read settings from FILE (default: .computefit.toml or pyproject.toml [tool.computefit], "
                   "looked for from the scanned path upwards to the repository root).")
@click.option("--show-suppressed", is_flag=True,
              help="Also list the findings silenced by a suppression or the baseline, and why (SARIF: "
                   "include them with a suppressions entry, which GitHub code scanning ignores).")
@click.option("--sarif-category", metavar="NAME",
              help="SARIF automationDetails.id: the analysis category GitHub code scanning keeps "
                   "alerts apart by (one per scanned folder or configuration).")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Report only findings not recorded in FILE; list its entries that no longer match.")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False), metavar="FILE",
              help="Record this run's findings in FILE (exit 0 unless a file could not be read).")
@_environment_options
@click.option("--region", "region", metavar="REGION", default=None,
              help="Price costs in REGION (such as eu-west-1), over the configuration's region, the "
                   "Terraform provider's region and AWS_REGION / AWS_DEFAULT_REGION (default us-east-1).")
@click.option("--price-file", "price_file", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="Your own rates (TOML: discount = 0.1 for 10% off every on-demand price, and/or "
                   "\"ec2.m5.large\" = 0.07, \"lambda_gb_second.x86_64\" = 0.000015 ...); replaces the "
                   "configuration's [prices] table. The report says an override is in use.")
@click.option("--usage-file", "usage_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Read monthly volumes and durations (requests, run minutes, instance hours) from FILE, "
                   "an infracost usage file (version: 0.1); cost lines then say which came from it. "
                   "Replaces usage-file of the config file.")
@click.option("--color/--no-color", default=None,
              help="Colour the text report (default: on a terminal, or when FORCE_COLOR is set; "
                   "never when NO_COLOR is set).")
@click.option("-v", "--verbose", is_flag=True, help="Text report in full: --format full (fix, costs, assumptions).")
@click.option("-q", "--quiet", is_flag=True, help="Text report: only the files that could not be read and the summary.")
@click.option("--diff-base", metavar="REF",
              help="Report only findings on lines added or changed since git revision REF (a pull "
                   "request's base), like reviewdog's filter_mode added.")
@click.option("--github-limits", is_flag=True,
              help="Keep within GitHub's limits: annotations (github format) ordered by severity and "
                   "capped per level with a count of the rest; the markdown report under the 1 MiB "
                   "job-summary limit. The GitHub Action passes it.")
@click.option("--show-files", is_flag=True,
              help="Text report: list every file looked at and what it was read as (template, "
                   "Terraform module, skipped, excluded, not supported).")
@click.option("--statistics", is_flag=True,
              help="Text report: the number of findings per check and severity instead of the findings.")
@click.option("--jobs", "-j", "jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Parse and check documents in N processes (default: one per CPU; 1: in this process). "
                   "The report is the same for any N.")
def scan(paths, formats, outputs, fail_on, ignore_bad_template, exit_zero, select, ignore, exclude, config_file, show_suppressed,
         sarif_category, baseline_file, write_baseline, root, var_files, variables, parameters, parameter_files,
         sam_config, sam_config_env, region, price_file, usage_file, color, verbose, quiet, diff_base, github_limits,
         show_files,
         statistics, jobs) -> None:
    """Scan PATHS (files or folders; default: the current folder).

    Exit codes: 0 nothing at or above --fail-on; 1 something was; 2 a usage error, an invalid
    configuration or baseline, or a file that could not be read (2 wins over --fail-on never and
    --exit-zero: a file that is not IaC is skipped, never an error).
    """
    from .config import fails, selector_problem
    from .reporters import RenderOptions, render
    from .reporters.common import valid_unicode
    from .runner import scan as run_scan

    _started()

    ctx = click.get_current_context()
    paths = list(paths) or ["."]
    select, ignore = _split_commas(select), _split_commas(ignore)
    if exit_zero:
        if fail_on not in (None, "never"):
            raise click.UsageError("--exit-zero and --fail-on cannot be combined", ctx=ctx)
        fail_on = "never"
    for option, values in (("--select", select), ("--ignore", ignore)):
        for value in values:
            problem = selector_problem(value)
            if problem:
                raise click.BadParameter(problem, ctx=ctx, param_hint=option)
    if baseline_file and write_baseline:
        raise click.UsageError("--baseline and --write-baseline cannot be combined: write the "
                               "baseline again to refresh it", ctx=ctx)
    config = _environment_config(ctx, paths, config_file, var_files, variables, parameters, parameter_files,
                                 sam_config, sam_config_env, select=select, ignore=ignore, exclude=exclude,
                                 fail_on=fail_on, formats=formats, usage_file=usage_file,
                                 **_price_options(ctx, region, price_file))
    config = _load_usage(config)
    try:
        pairs = _pair_outputs(config.formats, outputs)
    except click.BadParameter as exc:
        exc.ctx = ctx
        raise
    if verbose:
        pairs = [("full" if fmt == "text" else fmt, dest) for fmt, dest in pairs]
    baseline = None
    if not baseline_file and not write_baseline and config.baseline:
        baseline_file = config.baseline  # `baseline = FILE` in the configuration
    if baseline_file:
        from .baseline import BaselineError, load

        try:
            baseline = load(baseline_file)
        except BaselineError as exc:
            _fail(str(exc))

    from .progress import Progress

    with Progress(sys.stderr) as progress:
        result = run_scan(paths, config, baseline=baseline, root=root, progress=progress.update, jobs=jobs)
    if diff_base:
        from .diffbase import DiffError, apply

        try:
            dropped = apply(result, diff_base)
        except DiffError as exc:
            _fail(str(exc))
        if dropped:
            click.echo(f"computefit: {dropped} finding{'s' if dropped != 1 else ''} on lines not changed "
                       f"since {diff_base} not reported (--diff-base)", err=True)

    if write_baseline:
        # Recording a baseline prints what it wrote (and what could not be read), not a report;
        # a report asked for with FORMAT:FILE is still written.
        pairs = [(fmt, dest) for fmt, dest in pairs if dest != "-"]
    for fmt, dest in pairs:
        to_terminal = dest == "-" and sys.stdout.isatty()
        use_color = bool((color if color is not None else _colour_wanted(to_terminal))
                         and fmt in ("text", "full"))
        width = None
        if to_terminal:
            import shutil

            width = shutil.get_terminal_size().columns
        text = render(fmt, result, RenderOptions(color=use_color, show_suppressed=show_suppressed,
                                                 fail_on=config.fail_on, sarif_category=sarif_category,
                                                 width=width, quiet=quiet, statistics=statistics,
                                                 show_files=show_files, github_limits=github_limits))
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
        from .reporters.common import visible

        for e in result.errors:
            where = f"{e.file}:{e.line}" if e.line else e.file
            click.echo(f"computefit: {visible(where)}: {visible(e.message)}", err=True)
        kept = len(result.findings) - n
        note = (f" ({kept} not recorded: CF002/CF003 findings are never baselined)" if kept else "")
        click.echo(f"computefit: recorded {n} finding{'s' if n != 1 else ''} in {write_baseline}{note}", err=True)
    if any(not (ignore_bad_template and _bad_file(e)) for e in result.errors):
        sys.exit(2)
    if not write_baseline and any(fails(f.severity, config.fail_on) for f in result.findings):
        sys.exit(1)
    sys.exit(0)


def _bad_file(error) -> bool:
    """A file (or a module folder none of whose files could be read) that exists but could not be
    read as a template or module (what --ignore-bad-template lets pass); not a missing path or an
    internal error (``<model>``)."""
    from .reporters.common import is_file_path

    if getattr(error, "internal", False) or not is_file_path(error.file):
        return False
    return os.path.isfile(error.file) or os.path.isdir(error.file)


def _split_commas(values: tuple[str, ...]) -> tuple[str, ...]:
    """``("CF1,CF2", "CF3")`` -> ``("CF1", "CF2", "CF3")`` (blank items dropped)."""
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def _colour_wanted(to_terminal: bool) -> bool:
    """Colour by the environment, as CPython decides for itself: NO_COLOR set to a non-empty value
    disables it (https://no-color.org), else FORCE_COLOR set to a non-empty value enables it
    (https://force-color.org), else colour on a terminal only."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return to_terminal


def _fail(message: str) -> None:
    """Exit 2 with ``message`` on standard error; it may quote a scanned file (a configuration key,
    a path), so control characters and bidi overrides in it are shown as escapes."""
    from .reporters.common import visible

    click.echo(f"computefit: {visible(message)}", err=True)
    sys.exit(2)


def _load_usage(config):
    """The configuration with its usage file read; a file that cannot be read exits with 2,
    naming the file and the line."""
    if config.usage_file is None:
        return config
    from .usage import UsageFileError

    try:
        return config.load_usage()
    except UsageFileError as exc:
        _fail(str(exc))


def _load_config(paths: list[str], config_file: str | None):
    """The configuration for a scan of ``paths`` (:func:`computefit.config.resolve_config`); an
    invalid file exits with 2, naming the file and the key."""
    from .config import ConfigError, resolve_config

    try:
        return resolve_config(paths, config_file)
    except ConfigError as exc:
        _fail(str(exc))


@main.command("checks")
@click.argument("path", required=False, type=click.Path())
@click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Read settings from FILE instead of looking for one from PATH upwards.")
def list_checks(path, config_file) -> None:
    """List the checks and engine rules with their effective settings for a scan of PATH (default:
    the current folder): enabled or not, severity, option values, and the config file used."""
    from .check import EngineRule, all_rules, plugin_errors

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
    for problem in plugin_errors():
        click.echo(f"computefit: {visible(problem.where)}: {visible(problem.message)}", err=True)


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


@main.command("usage", short_help="Write a usage file listing every resource a check could price.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--init", "init_file", required=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the usage file to FILE (refused when FILE exists, unless --force).")
@click.option("--force", is_flag=True, help="Replace FILE when it exists.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Read settings (exclude, check options, Terraform and CloudFormation inputs) from FILE.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
def usage_command(paths, init_file: str, force: bool, config_file, exclude) -> None:
    """Write FILE, a usage file in infracost's format (version 0.1) listing every resource of PATHS
    (default: the current folder) that a check could price: Lambda functions, provisioned
    concurrency, EC2 instances, auto scaling groups, ECS services and task definitions. Each key
    is commented out with the value computefit assumes today (or why it has none): uncomment and
    correct the ones you know, then scan with --usage-file FILE. Exit 2 when a file could not be
    read (the others are still listed) or FILE cannot be written."""
    from datetime import date

    from .atomic import write_text
    from .discovery import discover, display_path
    from .reporters.common import visible
    from .runner import build_model
    from .usage import init_text

    _started()

    paths = list(paths) or ["."]
    config = _load_config(paths, config_file).with_cli(exclude=exclude)
    if os.path.lexists(init_file) and not force:
        _fail(f"{init_file} exists; computefit usage --init writes a new file (--force replaces it)")
    inputs = discover(paths, excludes=tuple(config.exclude))
    model, errors, _ = build_model(inputs, config=config)
    errors = inputs.errors + errors
    text = init_text(model, config, [display_path(p) for p in paths], date.today().isoformat())
    try:
        write_text(init_file, text)
    except OSError as exc:
        _fail(f"cannot write {init_file}: {exc.strerror or exc}")
    listed = sum(1 for line in text.splitlines() if line.startswith("  ") and not line.startswith("    "))
    click.echo(f"computefit: wrote {init_file}: {listed} resource{'s' if listed != 1 else ''} to fill in", err=True)
    for e in errors:
        where = f"{e.file}:{e.line}" if e.line else e.file
        click.echo(f"computefit: {visible(where)}: {visible(e.message)}", err=True)
    if errors:
        sys.exit(2)


@main.command("model", short_help="Print the resource graph and compute model computefit reads.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Read settings (var-file, var, parameter, exclude) from FILE instead of looking for "
                   "one from the paths upwards.")
@_environment_options
def model_command(paths, fmt: str, exclude, config_file, root, var_files, variables, parameters,
                  parameter_files, sam_config, sam_config_env) -> None:
    """Print what computefit reads from PATHS (default: the current folder), found and evaluated
    as `scan` does (the same configuration, --root, --var-file, --var, --parameter-file,
    --parameter, --sam-config and --sam-config-env): every resource with its kind, resolved attributes (and where each was set) and
    edges, then the compute units with their triggers and qualifiers, and the notices (what was
    not read or followed). Exit 2 when a file could not be read (listed in the output)."""
    import json

    from .boundary import group_notices
    from .discovery import discover
    from .modelview import model_dict, model_text
    from .runner import build_model

    _started()

    ctx = click.get_current_context()
    paths = list(paths) or ["."]
    config = _environment_config(ctx, paths, config_file, var_files, variables, parameters, parameter_files,
                                 sam_config, sam_config_env, exclude=exclude)
    inputs = discover(paths, excludes=tuple(config.exclude), root=root)
    notices = list(inputs.notices)
    model, errors, _ = build_model(inputs, notices, config=config)
    errors = inputs.errors + errors
    notices = group_notices(sorted(set(notices), key=lambda n: (n.file, n.line or 0, n.message)))
    if fmt == "json":
        click.echo(json.dumps(model_dict(model, errors, notices), indent=2))
    else:
        click.echo(model_text(model, errors, notices), nl=False)
    if errors:
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
