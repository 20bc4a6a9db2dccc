"""Stages 2-4: parse the discovered inputs, build the model, run the checks.

Each stage is a plain function of the one before. No stage raises past here for bad input: a file
that cannot be read becomes a FileError and every other file is still scanned.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field

from .check import CheckContext, Finding, all_checks
from .config import Config
from .discovery import Inputs, discover
from .model import Document, FileError, Model, ParseError


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files_scanned: int = 0
    model: Model = field(default_factory=Model)
    #: (finding, why) pairs silenced by a suppression or baseline, for --show-suppressed.
    suppressed: list[tuple[Finding, str]] = field(default_factory=list)
    #: IDs of the checks that ran (enabled by the configuration), for reports that list passes.
    checks: list[str] = field(default_factory=list)


def build_model(inputs: Inputs) -> tuple[Model, list[FileError], dict[str, set[str]]]:
    """Parse every input into one model. Returns the model, the errors, and for Terraform modules
    scanned for named files only, the set of files to report per module directory."""
    model = Model()
    errors: list[FileError] = []
    report_only: dict[str, set[str]] = {}
    if inputs.templates:
        from . import cloudformation  # imported only when there is a template

        for path in inputs.templates:
            try:
                model.documents.append(cloudformation.load(path))
            except ParseError as exc:
                errors.append(exc.to_error())
            except RecursionError:
                errors.append(FileError(path, None, "template is nested too deeply to read"))
            except Exception as exc:  # a parser bug must not hide the other files' findings
                errors.append(_internal_error(path, "CloudFormation parser", exc))
    if inputs.modules:
        from . import terraform  # imported only when there is Terraform

        # load_all evaluates a folder that another scanned module calls as a local module only
        # through its callers (unless one of its files was named), and parses each file once.
        docs, module_errors = terraform.load_all(inputs.modules)
        model.documents.extend(docs)
        errors.extend(module_errors)
        for module in inputs.modules:
            if module.report_files is not None:
                report_only[module.directory] = set(module.report_files)
    return model, errors, report_only


def run_checks(model: Model, config: Config) -> tuple[list[Finding], list[FileError]]:
    findings: list[Finding] = []
    errors: list[FileError] = []
    for check_id, check_cls in all_checks().items():
        if not config.enabled(check_id):
            continue
        check = check_cls()
        ctx = CheckContext(config.options_for(check_cls))
        try:
            for f in check.run(model, ctx):
                if check_id in config.severity:
                    f.severity = config.severity[check_id]
                findings.append(f)
        except Exception as exc:
            errors.append(_internal_error("<model>", f"check {check_id}", exc))
    findings.sort(key=lambda f: (f.location.file, f.location.line, f.check_id, f.resource))
    return findings, errors


def _in_report_scope(f: Finding, report_only: dict[str, set[str]], model: Model) -> bool:
    if not report_only:
        return True
    files = {f.location.file}
    if f.resource_location is not None:
        files.add(f.resource_location.file)
    for doc in model.documents:
        if doc.path in report_only and (files & set(doc.files)):
            return bool(files & report_only[doc.path])
    return True


def scan(paths: list[str], config: Config | None = None) -> ScanResult:
    config = config or Config()
    inputs = discover(paths, excludes=tuple(config.exclude))
    model, parse_errors, report_only = build_model(inputs)
    findings, check_errors = run_checks(model, config)
    findings = [f for f in findings if _in_report_scope(f, report_only, model)]
    return ScanResult(
        findings=findings,
        errors=sorted(inputs.errors + parse_errors + check_errors, key=lambda e: (e.file, e.line or 0)),
        files_scanned=inputs.file_count,
        model=model,
        checks=[check_id for check_id in all_checks() if config.enabled(check_id)],
    )


def _internal_error(where: str, what: str, exc: BaseException) -> FileError:
    tb = traceback.extract_tb(exc.__traceback__)
    origin = f" ({tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno})" if tb else ""
    return FileError(
        where, None,
        f"internal error in the {what}: {type(exc).__name__}: {exc}{origin}. "
        "Please report this; the other files were still scanned.",
    )
