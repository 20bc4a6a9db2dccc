"""The ``computefit`` command line.

Exit codes: 0 nothing at or above ``--fail-on`` was found; 1 something was; 2 a usage error, or a
file that could not be read (reported in the output too; every other file is still scanned).
"""

from __future__ import annotations

import os
import sys

import click

from . import __version__
from .check import SEVERITIES

FAIL_ON = (*reversed(SEVERITIES), "never")  # error, warning, info, never


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
              help="Report format (repeatable): text, json. FORMAT:FILE writes that format to FILE.")
@click.option("--output", "-o", "outputs", multiple=True, metavar="FILE",
              help="Write the report to FILE instead of standard output (pairs with --format in order).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="Lowest severity that makes the exit code 1 (default: warning).")
@click.option("--select", multiple=True, metavar="ID", help="Run only these checks (IDs or prefixes such as CF2).")
@click.option("--ignore", multiple=True, metavar="ID", help="Skip these checks (IDs or prefixes).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: only on a terminal).")
def scan(paths, formats, outputs, fail_on, select, ignore, exclude, color) -> None:
    """Scan PATHS (files or folders; default: the current folder)."""
    from .config import Config, fails
    from .reporters import RenderOptions, render
    from .runner import scan as run_scan

    try:
        pairs = _pair_outputs(formats, outputs)
    except click.BadParameter as exc:
        exc.ctx = click.get_current_context()
        raise
    config = Config()
    if fail_on:
        config.fail_on = fail_on
    if select:
        config.select = tuple(s.upper() for s in select)
    if ignore:
        config.ignore = tuple(s.upper() for s in ignore)
    if exclude:
        config.exclude = tuple(config.exclude) + tuple(exclude)

    result = run_scan(list(paths) or ["."], config)

    for fmt, dest in pairs:
        use_color = color if color is not None else (
            dest == "-" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        )
        text = render(fmt, result, RenderOptions(color=bool(use_color and fmt == "text"),
                                                 fail_on=config.fail_on))
        if dest == "-":
            click.echo(text, nl=False)
        else:
            try:
                with open(dest, "w", encoding="utf-8") as fh:
                    fh.write(text)
            except OSError as exc:
                click.echo(f"computefit: cannot write {dest}: {exc.strerror or exc}", err=True)
                sys.exit(2)

    if result.errors:
        sys.exit(2)
    if any(fails(f.severity, config.fail_on) for f in result.findings):
        sys.exit(1)
    sys.exit(0)


@main.command("checks")
def list_checks() -> None:
    """List the checks: ID, name, severity and what each one finds."""
    from .check import all_checks

    rows = [(c.id, c.name, c.severity, c.summary) for c in all_checks().values()]
    w_name = max((len(r[1]) for r in rows), default=4)
    for cid, name, sev, summary in rows:
        click.echo(f"{cid}  {name:<{w_name}}  {sev:<7}  {summary}")


@main.command()
@click.argument("check_id")
def explain(check_id: str) -> None:
    """Print the documentation of check CHECK_ID (e.g. CF101)."""
    from .check import all_checks, get_check

    cls = get_check(check_id)
    if cls is None:
        known = ", ".join(all_checks())
        click.echo(f"computefit: no check {check_id!r}; known checks: {known}", err=True)
        sys.exit(2)
    from .docs import render_check

    click.echo(render_check(cls), nl=False)  # the same text as docs/checks/ID.md


@main.command("docs")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 listing stale, missing and extra pages (for CI).")
def docs_command(directory: str | None, check_only: bool) -> None:
    """Generate the check documentation: one Markdown page per check and an index README.md in
    DIRECTORY (default: docs/checks), from the same text `computefit explain` prints."""
    from .docs import DEFAULT_DIR, compare, pages, write

    directory = directory or DEFAULT_DIR
    expected = pages()
    if check_only:
        drift = compare(directory, expected)
        for label, names in (("stale", drift.stale), ("missing", drift.missing), ("extra", drift.extra)):
            for name in names:
                click.echo(f"{label}: {os.path.join(directory, name)}")
        if drift:
            click.echo(f"computefit: {directory} is out of date; run `computefit docs {directory}`", err=True)
            sys.exit(1)
        click.echo(f"{directory}: {len(expected)} files up to date")
        return
    try:
        drift, kept = write(directory, expected)
    except OSError as exc:
        click.echo(f"computefit: cannot write {directory}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    for name in drift.stale + drift.missing:
        click.echo(f"wrote {os.path.join(directory, name)}")
    for name in drift.extra:
        verb = "kept (not generated by computefit)" if name in kept else "removed"
        click.echo(f"{verb} {os.path.join(directory, name)}")
    if not drift:
        click.echo(f"{directory}: {len(expected)} files up to date")


if __name__ == "__main__":  # pragma: no cover
    main()
