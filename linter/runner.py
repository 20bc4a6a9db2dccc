"""Stages 2-4: parse the discovered inputs, build the model, run the checks, then apply
suppressions (inline comments, CloudFormation Metadata) and, after them, a baseline.

Each stage is a plain function of the one before. No stage raises past here for bad input: a file
that cannot be read becomes a FileError and every other file is still scanned.
"""

from __future__ import annotations

import json
import os
import re
import traceback
from dataclasses import dataclass, field
from datetime import date

from .boundary import Notice
from .check import Check, CheckContext, EngineRule, Finding, all_checks, all_rules, plugin_errors
from .config import Config
from .discovery import Inputs, discover
from .model import FileError, Model, ParseError


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files_scanned: int = 0
    model: Model = field(default_factory=Model)
    #: (finding, why) pairs silenced by a suppression or baseline, for --show-suppressed.
    suppressed: list[tuple[Finding, str]] = field(default_factory=list)
    #: IDs of the enabled checks that ran to the end (a check that failed is an error instead),
    #: for reports that list passes.
    checks: list[str] = field(default_factory=list)
    #: The baseline applied (its path), and its entries that matched no finding of this scan.
    baseline: str | None = None
    baseline_stale: list = field(default_factory=list)  # list[baseline.StaleEntry]
    #: What the scan chose not to read (outside the read boundary, not a regular file, a local
    #: module not followed): shown in the reports, never part of the exit code.
    notices: list[Notice] = field(default_factory=list)
    #: How many of ``suppressed`` the baseline accepted (the others: suppression comments/Metadata).
    baselined: int = 0
    #: Files discovery skipped: not IaC by name or content, and excluded by --exclude / exclude.
    skipped_not_iac: int = 0
    excluded: int = 0
    #: Inputs recognised as infrastructure code computefit does not read (yet), each with what it is.
    unsupported: list = field(default_factory=list)  # list[tuple[str, str]]
    #: Every file looked at and what it was read as (for --show-files).
    files: list = field(default_factory=list)  # list[tuple[str, str]]


def build_model(inputs: Inputs, notices: list[Notice] | None = None, progress=None, config: Config | None = None
                ) -> tuple[Model, list[FileError], dict[str, set[str]]]:
    """Parse every input into one model. Returns the model, the errors, and for Terraform modules
    scanned for named files only, the set of files to report per module directory. What the read
    boundary refused is appended to ``notices`` when given; ``progress(done, total)`` is called
    as the inputs are read."""
    total = len(inputs.templates) + len(inputs.modules)
    progress = progress or (lambda done, total: None)
    model = Model()
    errors: list[FileError] = []
    report_only: dict[str, set[str]] = {}
    if inputs.templates:
        from . import cloudformation  # imported only when there is a template

        for done, path in enumerate(inputs.templates):
            progress(done, total)
            try:
                model.documents.append(cloudformation.load(path))
            except ParseError as exc:
                errors.append(exc.to_error())
            except RecursionError:
                errors.append(FileError(path, None, "template is nested too deeply to read"))
            except Exception as exc:  # a parser bug must not hide the other files' findings
                errors.append(_internal_error(path, "CloudFormation parser", exc))
    planned: set[str] = set()  # folders whose configuration a scanned plan was made from
    if inputs.plans:
        from . import plan  # imported only when there is a plan

        for pf in inputs.plans:
            try:
                doc, plan_errors, folders = plan.load(pf.path, pf.boundary, notices, pf.search_root)
            except ParseError as exc:
                errors.append(exc.to_error())
                continue
            except RecursionError:
                errors.append(FileError(pf.path, None, "plan is nested too deeply to read"))
                continue
            except Exception as exc:  # a parser bug must not hide the other files' findings
                errors.append(_internal_error(pf.path, "Terraform plan reader", exc))
                continue
            model.documents.append(doc)
            errors.extend(plan_errors)
            planned |= folders
    modules = [m for m in inputs.modules if os.path.realpath(m.directory) not in planned]
    if modules:
        from . import terraform  # imported only when there is Terraform

        # load_all evaluates a folder that another scanned module calls as a local module only
        # through its callers (unless one of its files was named), and parses each file once.
        # A folder a scanned plan was made from is read through the plan only.
        progress(len(inputs.templates), total)
        var_inputs = terraform.VarInputs.from_environment(
            var_files=config.var_files, checked=config.var_files_checked,
            values=config.variables) if config is not None else None
        docs, module_errors = terraform.load_all(modules, notices=notices, inputs=var_inputs)
        model.documents.extend(docs)
        errors.extend(module_errors)
        for module in modules:
            if module.report_files is not None:
                report_only[module.directory] = set(module.report_files)
    progress(total, total)
    return model, errors, report_only


def _run_checks(model: Model, config: Config) -> tuple[list[Finding], list[FileError], set[str]]:
    """The enabled checks' findings (with configured severities), the errors of checks that
    failed, and the IDs of the checks that ran to the end."""
    findings: list[Finding] = []
    # A third-party check that could not be registered is an error entry; the others still run.
    errors: list[FileError] = [FileError(p.where, None, p.message) for p in plugin_errors()]
    ran: set[str] = set()
    for check_id, check_cls in all_checks().items():
        if not config.enabled(check_id):
            continue
        check = check_cls()
        ctx = CheckContext(config.options_for(check_cls), model)
        if type(check).run is not Check.run:  # a whole-model check (the earlier API): one call
            try:
                found = list(check.run(model, ctx))
            except Exception as exc:
                errors.append(_internal_error("<model>", f"check {check_id}", exc))
                continue
            ran.add(check_id)
            findings.extend(_configured(found, config))
            continue
        try:
            subjects = check.subjects(model)
        except Exception as exc:
            errors.append(_internal_error("<model>", f"check {check_id}", exc))
            continue
        found: list[Finding] = []
        failed = False
        for subject in subjects:
            try:
                found.extend(check.explain(v, ctx) for v in list(check.detect(subject, ctx)))
            except Exception as exc:  # one odd resource must not silence the check for the others
                failed = True
                loc = subject.location
                errors.append(_internal_error(loc.file, f"check {check_id} on {subject.name} (line {loc.line})",
                                              exc, line=loc.line or None))
        if not failed:  # only a check that saw every subject can call a suppression unused
            ran.add(check_id)
        findings.extend(_configured(found, config))
    return findings, errors, ran


def _configured(findings: list[Finding], config: Config, engine: bool = False) -> list[Finding]:
    """Findings of enabled rules only, each with its configured severity."""
    out = []
    for f in findings:
        if not config.enabled(f.check_id, engine=engine):
            continue
        if f.check_id in config.severity:
            f.severity = config.severity[f.check_id]
        out.append(f)
    return out


def _sort_key(f: Finding):
    return (f.location.file, f.location.line, f.check_id, f.resource)


def _in_report_scope(f: Finding, report_only: dict[str, set[str]], model: Model) -> bool:
    files = {f.location.file}
    if f.resource_location is not None:
        files.add(f.resource_location.file)
    return _files_in_scope(files, report_only, model)


def _files_in_scope(files: set[str], report_only: dict[str, set[str]], model: Model) -> bool:
    if not report_only:
        return True
    for doc in model.documents:
        if doc.path in report_only and (files & set(doc.files)):
            return bool(files & report_only[doc.path])
    return True


def _judged_files(inputs: Inputs, report_only: dict[str, set[str]], model: Model) -> set[str]:
    """Files whose findings this scan can report: a baseline entry for another file is not stale,
    just not looked at (a pre-commit run names only the changed files)."""
    files = set(inputs.templates)
    for module in inputs.modules:
        files.update(module.report_files if module.report_files is not None else module.files)
    for unit in model.units:
        if _files_in_scope({unit.location.file}, report_only, model):
            files.add(unit.location.file)
    return files


def scan(paths: list[str] | str | os.PathLike, config: Config | None = None, *, baseline=None,
         today: date | None = None, root: str | None = None, progress=None) -> ScanResult:
    """Scan ``paths`` (files or folders; one path may be given alone). ``config`` defaults to
    :class:`Config`'s defaults (no file is looked for: :func:`computefit.config.resolve_config`
    finds one as the CLI does). ``baseline`` is a loaded :class:`computefit.baseline.Baseline` (applied after
    suppressions); ``today`` decides which suppressions have expired (default: the current date);
    ``root`` is the read boundary for every path (default: each path's git work tree, or the path
    itself outside git; see :mod:`computefit.boundary`); ``progress(done, total)`` is told how many
    inputs have been read."""
    from . import suppress

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [os.fspath(p) for p in paths]
    config = config or Config()
    inputs = discover(paths, excludes=tuple(config.exclude), root=root)
    notices = list(inputs.notices) + list(getattr(config, "notices", ()))
    model, parse_errors, report_only = build_model(inputs, notices, progress, config)
    findings, check_errors, ran = _run_checks(model, config)
    findings = same_findings_once(findings, model)
    name_generated_templates(findings, model)
    rules = all_rules()
    engine = {cid for cid, cls in rules.items() if issubclass(cls, EngineRule)}
    try:
        outcome = suppress.apply(findings, model, ran=ran, known=set(rules) - engine, engine=engine,
                                 today=today or date.today())
    except Exception as exc:  # a bug here must not hide the findings: report them unsuppressed
        outcome = suppress.Outcome(kept=findings, suppressed=[], meta=[], suppressions=[])
        check_errors.append(_internal_error("<suppressions>", "suppression stage", exc))

    def in_scope(f: Finding) -> bool:
        return _in_report_scope(f, report_only, model)

    reported = [f for f in outcome.kept + _configured(outcome.meta, config, engine=True) if in_scope(f)]
    suppressed = [(f, why) for f, why in outcome.suppressed if in_scope(f)]
    result = ScanResult(
        errors=sorted(inputs.errors + parse_errors + check_errors, key=lambda e: (e.file, e.line or 0)),
        files_scanned=inputs.file_count,
        model=model,
        checks=sorted(ran),  # a check that failed is an error, never a clean pass
        notices=sorted(set(notices), key=lambda n: (n.file, n.line or 0, n.message)),
    )
    from .inventory import classify

    result.files, result.unsupported, result.skipped_not_iac = classify(inputs, result.errors)
    result.excluded = len(inputs.excluded)
    if baseline is not None:
        applied = baseline.apply(reported, judged=_judged_files(inputs, report_only, model))
        reported = applied.new
        suppressed += [(f, f"baseline {baseline.path}") for f in applied.matched]
        result.baselined = len(applied.matched)
        result.baseline = baseline.path
        result.baseline_stale = applied.stale
    result.findings = sorted(reported, key=_sort_key)
    result.suppressed = sorted(suppressed, key=lambda p: _sort_key(p[0]))
    return result


_ADDRESS = re.compile(r"^((?:module\.[^.]+\.)*?)((?:module\.[^.]+)|(?:[^.]+\.[^.]+))$")


def same_findings_once(findings: list[Finding], model: Model) -> list[Finding]:
    """A finding about a resource of a local module that several scanned root modules call is
    produced once per root. Findings that say the same thing about the same resource (the same
    check, severity, lines, message, advice, evidence and costs once the calling module's address
    prefix is set aside) are reported once; the one kept names the roots in its evidence and
    message. Findings that differ (another input value, another line) are all kept."""
    roots: dict[tuple, list[str]] = {}
    for d in model.documents:
        if d.source_format == "terraform":
            for r in d.resources:
                roots.setdefault((r.address, r.location), []).append(d.path)
    groups: dict[tuple, list[Finding]] = {}
    out: list[Finding] = []
    for f in findings:
        key = _same_key(f)
        if key in groups:
            groups[key].append(f)
        else:
            groups[key] = [f]
            out.append(f)
    for same in groups.values():
        if len(same) < 2:
            continue
        paths = sorted({p for f in same for p in roots.get((f.resource, f.resource_at), [])})
        if len(paths) < 2:
            continue
        kept = same[0]
        kept.evidence["root_modules"] = paths
        addresses = sorted({f.resource for f in same})
        if len(addresses) > 1:  # the roots call the module by different names
            kept.evidence["same_resource_as"] = [a for a in addresses if a != kept.resource]
        kept.message += f" (the same finding through {len(paths)} root modules: {', '.join(paths)})"
    return out


def _same_key(f: Finding) -> tuple:
    mt = _ADDRESS.match(f.resource)
    prefix = mt.group(1) if mt else ""

    def plain(text: str) -> str:
        return text.replace(prefix, "") if prefix else text

    costs = tuple((c.option, None if c.monthly_usd is None else round(c.monthly_usd, 2), tuple(c.assumptions))
                  for c in f.costs)
    return (f.check_id, f.severity, f.location, f.resource_at, plain(f.resource), plain(f.message),
            plain(f.recommendation), plain(json.dumps(f.evidence, sort_keys=True, default=str)), costs)


def name_generated_templates(findings: list[Finding], model: Model) -> None:
    """Two templates may describe the same functions: a template generated from source code (Lambda
    Annotations' ``serverless.template``) beside a hand-written ``template.yaml``. Both are
    reported; a finding in the generated one says so, and a finding in a hand-written template
    names the generated one beside it that declares the same resource."""
    generated = {d.path: d for d in model.documents if d.generated_by}
    if not generated:
        return
    for f in findings:
        doc = generated.get(f.resource_at.file)
        if doc is not None:
            f.evidence["generated_template"] = {"file": doc.path, "generated_by": doc.generated_by}
            f.message += (f" {os.path.basename(doc.path)} is generated by {doc.generated_by}, which rewrites the "
                          "functions it manages from the source code's attributes: change those, not the file.")
            continue
        folder = os.path.dirname(f.resource_at.file)
        for path, doc in generated.items():
            if os.path.dirname(path) != folder or not f.resource_at.file.endswith((".yaml", ".yml", ".json", ".template")):
                continue
            same = any(r.address == f.resource for r in doc.resources)
            f.evidence["generated_template"] = {"file": path, "generated_by": doc.generated_by,
                                                "declares_this_resource": same}
            f.message += (f" {os.path.basename(path)} beside this template is generated by {doc.generated_by} and "
                          + (f"declares {f.resource} too." if same else "may describe the same functions."))
            break


def _internal_error(where: str, what: str, exc: BaseException, line: int | None = None) -> FileError:
    tb = traceback.extract_tb(exc.__traceback__)
    origin = f" ({tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno})" if tb else ""
    return FileError(
        where, line,
        f"internal error in the {what}: {type(exc).__name__}: {exc}{origin}. "
        "Please report this; the other files were still scanned.",
        internal=True,
    )
