"""Stages 2-4: parse the discovered inputs, build the model, run the checks, then apply
suppressions (inline comments, CloudFormation Metadata) and, after them, a baseline.

Each stage is a plain function of the one before. No stage raises past here for bad input: a file
that cannot be read becomes a FileError and every other file is still scanned.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date

from .boundary import Notice, group_notices
from .check import (Check, CheckContext, Finding, all_checks, all_rules, check_info, checks_needed,
                    engine_rule_ids, plugin_errors)
from .config import Config
from .discovery import Inputs, discover
from .lazyre import LazyPattern as _lazy
from .model import Document, FileError, Model, ParseError


@dataclass
class ScanResult:
    """What a scan produced: findings, errors, suppressed findings, notices and the model they came from."""

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


def _jobs(inputs: Inputs, planned: set[str] = frozenset()) -> list[tuple[str, object]]:
    """The documents a scan parses, in report order: each template, then each Terraform root
    module (a folder another scanned module calls is evaluated through its callers; a folder a
    scanned plan was made from is read through the plan only)."""
    jobs: list[tuple[str, object]] = [("cloudformation", (p, inputs.template_boundaries.get(p)))
                                      for p in inputs.templates]
    modules = [m for m in inputs.modules if os.path.realpath(m.directory) not in planned]
    if modules:
        from . import terraform  # imported only when there is Terraform

        jobs += [("terraform", m) for m in terraform.root_modules(modules)]
    return jobs


def _load_plans(inputs: Inputs, notices: list[Notice]) -> tuple[list[Document], list[FileError], set[str]]:
    """The scanned Terraform plans (read in this process: there are few), their errors, and the
    folders of the configurations they were made from."""
    docs: list[Document] = []
    errors: list[FileError] = []
    planned: set[str] = set()
    if not inputs.plans:
        return docs, errors, planned
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
        docs.append(doc)
        errors.extend(plan_errors)
        planned |= folders
    return docs, errors, planned


def _var_inputs(config: Config | None):
    """The Terraform root-module inputs of the configuration and the command line (var-files,
    --var, TF_VAR_name), or None."""
    if config is None:
        return None
    from . import terraform

    return terraform.VarInputs.from_environment(var_files=config.var_files, checked=config.var_files_checked,
                                                values=config.variables)


def _load(job: tuple[str, object], cache, notices: list[Notice], config: Config | None = None
          ) -> tuple[Document | None, list[FileError]]:
    """One job's document (None when it cannot be read) and its errors."""
    kind, what = job
    if kind == "terraform":
        from . import terraform

        return terraform.load_one(what, cache, notices, _var_inputs(config))
    from . import cloudformation  # imported only when there is a template

    path, boundary = what
    errors: list[FileError] = []
    try:
        if config is None:
            return cloudformation.load(path, boundary=boundary, notices=notices, errors=errors), errors
        return cloudformation.load(path, config.parameters, boundary=boundary, sam_env=config.sam_config_env,
                                   sam_values=config.sam_values, notices=notices, errors=errors), errors
    except ParseError as exc:
        return None, errors + [exc.to_error()]
    except RecursionError:
        return None, [FileError(path, None, "template is nested too deeply to read")]
    except Exception as exc:  # a parser bug must not hide the other files' findings
        return None, [_internal_error(path, "CloudFormation parser", exc)]


def _read_sam_config(config: Config | None) -> tuple[Config | None, list[FileError]]:
    """The configuration with the values of its SAM CLI configuration file (``sam_config``), read
    once for every template; a file that cannot be read is an error entry, and the templates are
    read without it."""
    if config is None or not config.sam_config or config.sam_values is not None:
        return config, []
    import dataclasses

    from .cloudformation import samconfig
    from .cloudformation.parameters import ParameterFileError
    from .discovery import display_path

    env = config.sam_config_env or samconfig.DEFAULT_ENV
    shown = display_path(config.sam_config)
    try:
        values, found = samconfig.read(config.sam_config, env, shown, boundary=os.sep)  # named: read where it is
    except ParameterFileError as exc:
        return dataclasses.replace(config, sam_values=()), [FileError(exc.file, exc.line, exc.message)]
    if not found:
        return dataclasses.replace(config, sam_values=()), [
            FileError(shown, None, f"no environment {env} in this samconfig file (--sam-config-env)")]
    return dataclasses.replace(config, sam_values=tuple(values)), []


def _reported_alone(docs: list[Document]) -> set[int]:
    """The indexes of the documents to report: all but the templates another scanned template
    includes as a nested stack (their resources are reported through it, once per instance). A
    template that is only included by templates that are themselves included (a cycle) is kept
    the first time the cycle is met."""
    included = {p: i for i, d in enumerate(docs) for p in d.nested}
    if not included:
        return set(range(len(docs)))
    real = [os.path.realpath(d.path) if d.source_format == "cloudformation" else None for d in docs]
    by_path = {p: i for i, p in enumerate(real) if p is not None}
    inside = {by_path[p] for p in included if p in by_path}
    kept = set(range(len(docs))) - inside
    reached = {by_path[p] for i in kept for p in docs[i].nested if p in by_path}
    for i in sorted(inside - reached):  # included only from within a cycle
        if i not in reached:
            kept.add(i)
            reached |= {by_path[p] for p in docs[i].nested if p in by_path}
    return kept


#: Files a pool worker keeps parsed (an LRU; this process keeps ParseCache's default, 256). A worker
#: takes the largest root modules first, one after another: with 256 parsed files kept, one grew
#: to 207 MB on the 40 largest roots of the ministryofjustice folder, with 64 to 140 MB and no
#: more CPU (shared child modules are reused within a few roots).
WORKER_PARSE_CACHE = 64


def _parse_cache(maxsize: int | None = None):
    from .terraform.scope import ParseCache

    # bounded: parsed HCL is large, reuse is of a few shared child modules
    return ParseCache() if maxsize is None else ParseCache(maxsize)


def _report_only(inputs: Inputs) -> dict[str, set[str]]:
    return {m.directory: set(m.report_files) for m in inputs.modules if m.report_files is not None}


def _merge_errors(errors: list[FileError], jobs: list[tuple[str, object]]) -> list[FileError]:
    """Terraform modules' errors once each (a child module two roots call reports its errors once)."""
    if any(kind == "terraform" for kind, _ in jobs):
        from .terraform import dedupe_errors

        cfn = [e for e in errors if not isinstance(e, _TfError)]
        tf = [e.error for e in errors if isinstance(e, _TfError)]
        return cfn + dedupe_errors(tf)
    return errors


@dataclass(frozen=True)
class _TfError:
    """A Terraform module's error as the parallel runner returns it (merged with the module's others)."""

    error: FileError


def build_model(inputs: Inputs, notices: list[Notice] | None = None, progress=None, config: Config | None = None
                ) -> tuple[Model, list[FileError], dict[str, set[str]]]:
    """Parse every input into one model. Returns the model, the errors, and for Terraform modules
    scanned for named files only, the set of files to report per module directory. What the read
    boundary refused is appended to ``notices`` when given; ``progress(done, total)`` is called
    as the inputs are read."""
    sink = notices if notices is not None else []
    progress = progress or (lambda done, total: None)
    config, sam_errors = _read_sam_config(config)
    plan_docs, plan_errors, planned = _load_plans(inputs, sink)
    model = Model(list(plan_docs))
    jobs = _jobs(inputs, planned)
    cache = _parse_cache() if any(kind == "terraform" for kind, _ in jobs) else None
    errors: list = list(plan_errors) + sam_errors
    for done, job in enumerate(jobs):
        progress(done, len(jobs))
        doc, errs = _load(job, cache, sink, config)
        if doc is not None:
            model.documents.append(doc)
        errors.extend(_TfError(e) if job[0] == "terraform" else e for e in errs)
    progress(len(jobs), len(jobs))
    kept = _reported_alone(model.documents)
    model.documents = [d for i, d in enumerate(model.documents) if i in kept]
    return model, _merge_errors(errors, jobs), _report_only(inputs)


# --------------------------------------------------------------------------------------------------
# Checks, one document at a time
#
# Every check reads one document at a time (a subject's links stay inside its document), so the
# checks of a scan run document by document, in one process or in a pool (``jobs``). Each finding
# and check error is tagged with where the serial loop (check by check; for each, the units of every
# document, then the other resources) would have produced it, and the merge sorts by that tag: the
# output of a scan is the same whatever the number of processes.
# --------------------------------------------------------------------------------------------------

_UNITS, _RESOURCES = 0, 1


@dataclass
class _DocChecks:
    """What the checks found in one document: (check index, phase, seq, item) tagged findings and
    errors, and the checks that failed on a subject or could not list their subjects."""

    findings: list[tuple[int, int, int, Finding]] = field(default_factory=list)
    errors: list[tuple[int, int, int, FileError]] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)
    #: check ID -> the error of its subjects() on this document (the serial loop drops the check).
    no_subjects: dict[str, FileError] = field(default_factory=dict)


def _per_subject_checks(config: Config, doc: Document) -> list[tuple[int, str, type[Check]]]:
    """The enabled per-subject checks that may have subjects in ``doc``, with their positions among
    all checks (a check with none is not even imported: :func:`computefit.check.checks_needed`)."""
    registry = all_checks()
    needed = checks_needed({u.kind for u in doc.units} | {r.kind for r in doc.resources})
    return [(i, cid, registry[cid]) for i, cid in enumerate(registry)
            if cid in needed and config.enabled(cid) and check_info(cid)["per_subject"]]


def _check_document(doc: Document, config: Config) -> _DocChecks:
    from . import prices

    basis = prices.resolve_region(config.region_choice(), doc.region, doc.region_at)
    with prices.using(basis):
        return _check_document_at(doc, config, basis)


def _priced(findings: list[Finding], basis) -> list[Finding]:
    """The findings with what their costs were priced at."""
    for f in findings:
        if f.costs:
            f.pricing = basis.to_dict()
    return findings


def _check_document_at(doc: Document, config: Config, basis) -> _DocChecks:
    from .model import ComputeUnit

    out = _DocChecks()
    model = Model([doc])
    seq = 0
    for index, check_id, check_cls in _per_subject_checks(config, doc):
        check = check_cls()
        ctx = CheckContext(config.options_for(check_cls), model, config.usage)
        try:
            subjects = check.subjects(model)
        except Exception as exc:
            out.no_subjects[check_id] = _internal_error("<model>", f"check {check_id}", exc)
            continue
        for subject in subjects:
            phase = _UNITS if isinstance(subject, ComputeUnit) else _RESOURCES
            try:
                found = [check.explain(v, ctx) for v in list(check.detect(subject, ctx))]
            except Exception as exc:  # one odd resource must not silence the check for the others
                out.failed.add(check_id)
                loc = subject.location
                out.errors.append((index, phase, seq, _internal_error(
                    loc.file, f"check {check_id} on {subject.name} (line {loc.line})", exc, line=loc.line or None)))
                seq += 1
                continue
            for f in _priced(_configured(found, config), basis):
                out.findings.append((index, phase, seq, f))
                seq += 1
    return out


def _merge_checks(model: Model, per_doc: list[_DocChecks], config: Config
                  ) -> tuple[list[Finding], list[FileError], set[str]]:
    """The findings, errors and passing checks of the serial loop, from each document's results
    (in document order) and the whole-model checks, run here on the whole model."""
    tagged_f: list[tuple] = []
    tagged_e: list[tuple] = []
    dropped: dict[str, FileError] = {}
    failed: set[str] = set()
    for d, res in enumerate(per_doc):
        for cid, err in res.no_subjects.items():
            dropped.setdefault(cid, err)
        failed |= res.failed
        tagged_f += [(i, phase, d, seq, f) for i, phase, seq, f in res.findings]
        tagged_e += [(i, phase, d, seq, e) for i, phase, seq, e in res.errors]
    checks = list(all_checks())
    ran: set[str] = set()
    for index, check_id in enumerate(checks):
        if not config.enabled(check_id):
            continue
        if check_info(check_id)["per_subject"]:
            if check_id in dropped:  # its subjects could not be listed: the check did not run
                tagged_e.append((index, -1, -1, 0, dropped[check_id]))
            elif check_id not in failed:  # only a check that saw every subject can call a suppression unused
                ran.add(check_id)
            continue
        check_cls = all_checks()[check_id]
        check = check_cls()  # a whole-model check (the earlier API): one call on the whole model
        from . import prices

        basis = prices.resolve_region(config.region_choice())
        try:
            with prices.using(basis):
                found = _priced(list(check.run(model, CheckContext(config.options_for(check_cls), model,
                                                                   config.usage))), basis)
        except Exception as exc:
            tagged_e.append((index, -1, -1, 0, _internal_error("<model>", f"check {check_id}", exc)))
            continue
        ran.add(check_id)
        tagged_f += [(index, -1, -1, seq, f) for seq, f in enumerate(_configured(found, config))]
    findings = [t[-1] for t in sorted(tagged_f, key=lambda t: t[:4])
                if checks[t[0]] not in dropped]
    errors = [t[-1] for t in sorted(tagged_e, key=lambda t: t[:4])
              if t[1] == -1 or checks[t[0]] not in dropped]
    return findings, errors, ran


#: Below this much work a scan stays in one process: starting the workers (about 50 ms of CPU on
#: the 2-core machine of benchmarks/bench_side_by_side.py, with the front ends imported before the
#: fork) and sending the documents back costs more than it saves. Work is counted in templates
#: (about 2 ms each); a Terraform root module with its child modules weighs about 16 of them
#: (20 roots of terraform-aws-lambda: 750 ms; 186 awslabs templates: 415 ms).
MIN_PARALLEL_WORK = 48
TERRAFORM_ROOT_WEIGHT = 16


def _work(todo: list[tuple[str, object]]) -> int:
    return sum(TERRAFORM_ROOT_WEIGHT if kind == "terraform" else 1 for kind, _ in todo)


_WORKER_CACHE = None  # a worker process's Terraform parse cache, kept across its jobs


def default_jobs() -> int:
    """One process per CPU this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _scan_job(job: tuple[str, object], config: Config, cache=None
              ) -> tuple[Document | None, list[FileError], list[Notice], _DocChecks | None]:
    """Parse one document and run the per-subject checks on it (in a worker, or in this process)."""
    global _WORKER_CACHE
    if cache is None and job[0] == "terraform":
        if _WORKER_CACHE is None:
            _WORKER_CACHE = _parse_cache(WORKER_PARSE_CACHE)
        cache = _WORKER_CACHE
    notices: list[Notice] = []
    doc, errors = _load(job, cache, notices, config)
    return doc, errors, notices, (None if doc is None else _check_document(doc, config))


def _scan_chunk(chunk: list[tuple[str, object]], config: Config, whole: bool) -> list[tuple]:
    """A worker's results for some jobs: each document as its outline (what the stages after the
    checks read), unless ``whole`` (a whole-model check runs on the full documents here)."""
    out = []
    for job in chunk:
        doc, errors, notices, checked = _scan_job(job, config)
        out.append((doc if whole or doc is None else outline(doc), errors, notices, checked))
    return out


def outline(doc: Document) -> Document:
    """``doc`` without what only the checks read: the units' settings, triggers, qualifiers and
    derived setup, the resources' attributes, edges and raw properties. What is kept is what the
    stages after the checks read (suppressions, findings once per module, generated templates,
    the report scope, the JUnit passes): paths and files, every unit and resource with its kind,
    name, type, lines, related locations and metadata suppressions. A worker of a pool sends this
    back instead of the document: a third of the bytes to pickle and for the parent to keep (large
    Terraform root modules), under half on small templates."""
    import dataclasses

    resources = {id(r): dataclasses.replace(r, attributes={}, edges=[], raw={}, notes=[]) for r in doc.resources}
    units = [dataclasses.replace(u, settings={}, qualifiers=[], triggers=[], notes=[], setup={}, containers=[],
                                 scheduled_actions=[], window=None, instance_schedule=None,
                                 resource=None if u.resource is None else resources.get(id(u.resource)))
             for u in doc.units]
    return dataclasses.replace(doc, units=units, resources=list(resources.values()))


def _whole_model_checks(config: Config) -> bool:
    """Whether an enabled check reads the whole model (the earlier API: ``run(model, ctx)``)."""
    return any(config.enabled(cid) and not check_info(cid)["per_subject"] for cid in all_checks())


def _prepare(todo: list[tuple[str, object]]) -> None:
    """Import the front ends and checks the jobs need, and build the HCL parser, before the pool
    forks: the workers inherit them instead of each importing them again."""
    registry = all_checks()
    for cid in registry:
        registry[cid]  # noqa: B018  (imports the check's module)
    kinds = {kind for kind, _ in todo}
    if "cloudformation" in kinds:
        from . import cloudformation  # noqa: F401
    if "terraform" in kinds:
        from .terraform import syntax

        syntax._parser()
    from . import schedules, workload  # noqa: F401  (what the checks read schedules and workloads with)


def _size(job: tuple[str, object]) -> int:
    """A job's bytes of source: what its cost is estimated by (for a Terraform root module, its
    own files; the local modules it calls are not counted)."""
    kind, what = job
    total = 0
    for f in (what.files if kind == "terraform" else [what[0]]):  # a template job: (path, boundary)
        try:
            total += os.path.getsize(f)
        except OSError:
            pass
    return total


#: A chunk of small jobs sent to a worker at once holds about this share of the scan's bytes (per
#: worker), and at most MAX_CHUNK jobs: few enough messages for 15,000 small templates, small
#: enough chunks for the last ones to spread over every worker.
CHUNK_SHARE = 1 / 32
MAX_CHUNK = 64


def _chunks(todo: list[tuple[str, object]], workers: int) -> list[list[int]]:
    """The jobs' indexes in chunks, largest jobs first (each worker takes the next chunk when it is
    free, so the longest jobs start first and the small ones fill the gaps at the end)."""
    sizes = [_size(job) for job in todo]
    order = sorted(range(len(todo)), key=lambda i: -sizes[i])
    target = max(1, int(sum(sizes) * CHUNK_SHARE / workers))
    chunks: list[list[int]] = []
    current: list[int] = []
    held = 0
    for i in order:
        if current and (held + sizes[i] > target or len(current) >= MAX_CHUNK):
            chunks.append(current)
            current, held = [], 0
        current.append(i)
        held += sizes[i]
    if current:
        chunks.append(current)
    return chunks


def _run_jobs(todo: list[tuple[str, object]], config: Config, jobs: int | None):
    """Each job's result, in order: in a process pool when ``jobs`` allows more than one process
    and there are enough documents to be worth it, else here. From a pool, each document comes
    back as its :func:`outline` unless a whole-model check needs the documents in full."""
    workers = min(default_jobs() if jobs is None else max(1, jobs), len(todo))
    if workers < 2 or _work(todo) < MIN_PARALLEL_WORK:
        cache = _parse_cache() if any(kind == "terraform" for kind, _ in todo) else None
        for job in todo:
            yield _scan_job(job, config, cache)
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool
    from pickle import PicklingError

    _prepare(todo)
    whole = _whole_model_checks(config)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    results: dict[int, tuple] = {}  # finished, not yet yielded (in order)
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            pending = {pool.submit(_scan_chunk, [todo[i] for i in chunk], config, whole): chunk
                       for chunk in _chunks(todo, workers)}
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    results.update(zip(pending.pop(future), future.result()))
                while done in results:
                    yield results.pop(done)
                    done += 1
    except (OSError, BrokenProcessPool, PicklingError):
        # No pool on this system (no semaphores), or a worker died (out of memory): the jobs
        # not yet reported run here, so the report is still whole.
        rest = [i for i in range(done, len(todo)) if i not in results]
        cache = _parse_cache() if any(todo[i][0] == "terraform" for i in rest) else None
        for i in range(done, len(todo)):
            yield results.pop(i) if i in results else _scan_job(todo[i], config, cache)


def _run_checks(model: Model, config: Config) -> tuple[list[Finding], list[FileError], set[str]]:
    """The enabled checks' findings (with configured severities), the errors of checks that
    failed, and the IDs of the checks that ran to the end."""
    findings, errors, ran = _merge_checks(model, [_check_document(d, config) for d in model.documents], config)
    return findings, _plugin_errors() + errors, ran


def _plugin_errors() -> list[FileError]:
    """A third-party check that could not be registered is an error entry; the others still run."""
    return [FileError(p.where, None, p.message) for p in plugin_errors()]


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
         today: date | None = None, root: str | None = None, progress=None, jobs: int | None = 1) -> ScanResult:
    """Scan ``paths`` (files or folders; one path may be given alone). ``config`` defaults to
    :class:`Config`'s defaults (no file is looked for: :func:`computefit.config.resolve_config`
    finds one as the CLI does). ``baseline`` is a loaded :class:`computefit.baseline.Baseline` (applied after
    suppressions); ``today`` decides which suppressions have expired (default: the current date);
    ``root`` is the read boundary for every path (default: each path's git work tree, or the path
    itself outside git; see :mod:`computefit.boundary`); ``progress(done, total)`` is told how many
    inputs have been read. ``jobs`` is the number of processes that parse and check documents
    (None: one per CPU); the findings, errors and notices are the same for any number, and from a
    pool each document of ``model`` is its :func:`outline`.
    """
    from . import suppress

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [os.fspath(p) for p in paths]
    config = (config or Config()).load_usage()  # raises usage.UsageFileError for a bad file
    progress = progress or (lambda done, total: None)
    inputs = discover(paths, excludes=tuple(config.exclude), root=root)
    notices = list(inputs.notices) + list(getattr(config, "notices", ()))
    config, sam_errors = _read_sam_config(config)
    plan_docs, parse_errors, planned = _load_plans(inputs, notices)
    parse_errors += sam_errors
    todo = _jobs(inputs, planned)
    model = Model(list(plan_docs))
    per_doc: list[_DocChecks] = [_check_document(d, config) for d in plan_docs]
    results = _run_jobs(todo, config, jobs)
    for done, (kind, (doc, errs, job_notices, checked)) in enumerate(zip((k for k, _ in todo), results)):
        progress(done, len(todo))
        if doc is not None:
            model.documents.append(doc)
            per_doc.append(checked)
        parse_errors.extend(_TfError(e) if kind == "terraform" else e for e in errs)
        notices.extend(job_notices)
    progress(len(todo), len(todo))
    kept = _reported_alone(model.documents)
    model.documents = [d for i, d in enumerate(model.documents) if i in kept]
    per_doc = [c for i, c in enumerate(per_doc) if i in kept]
    parse_errors = _merge_errors(parse_errors, todo)
    if config.usage is not None:  # what the usage file gives that nothing in the scan used
        notices.extend(config.usage.notices([*model.units, *model.resources]))
    report_only = _report_only(inputs)
    findings, check_errors, ran = _merge_checks(model, per_doc, config)
    check_errors = _plugin_errors() + check_errors
    findings = same_findings_once(findings, model)
    name_generated_templates(findings, model)
    rules = all_rules()
    engine = engine_rule_ids()
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
        # the group (root module) is part of the order: two roots' notices of one shared module call
        # have the same file, line and message, and a set's order changes with every process
        notices=group_notices(sorted(set(notices), key=lambda n: (n.file, n.line or 0, n.message, n.group or ()))),
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


_ADDRESS = _lazy(r"^((?:module\.[^.]+\.)*?)((?:module\.[^.]+)|(?:[^.]+\.[^.]+))$")


def same_findings_once(findings: list[Finding], model: Model) -> list[Finding]:
    """A finding about a resource of a local module that several scanned root modules call is
    produced once per root. Findings that say the same thing about the same resource (the same
    check, severity, lines, message, advice, evidence and costs once the calling module's address
    prefix is set aside) are reported once; the one kept names the roots in its evidence and
    message. Findings that differ (another input value, another line) are all kept."""
    roots: dict[tuple, list[str]] = {}
    by_doc: list[set[str]] = []
    for d in model.documents:
        if d.source_format == "terraform":
            by_doc.append({r.address for r in d.resources})
            for r in d.resources:
                roots.setdefault((r.address, r.location), []).append(d.path)

    def two_resources(a: str, b: str) -> bool:
        """Two addresses of one root module: two module calls of the same module, not one
        resource reached through two roots."""
        return a != b and any(a in addrs and b in addrs for addrs in by_doc)

    groups: dict[tuple, list[Finding]] = {}
    out: list[Finding] = []
    for f in findings:
        key = _same_key(f)
        if key in groups and not any(two_resources(f.resource, g.resource) for g in groups[key]):
            groups[key].append(f)
        elif key in groups:
            out.append(f)  # the same finding about another resource of the same root: its own
        else:
            groups[key] = [f]
            out.append(f)
    for same in groups.values():
        if len(same) < 2:
            continue
        paths = sorted({p for f in same for p in roots.get((f.resource, f.resource_at), [])})
        kept = same[0]
        addresses = sorted({f.resource for f in same})
        if len(addresses) > 1:  # the roots call the module by different names, or module instances
            kept.evidence["same_resource_as"] = [a for a in addresses if a != kept.resource]
        if len(paths) >= 2:
            kept.evidence["root_modules"] = paths
            kept.message += f" (the same finding through {len(paths)} root modules: {', '.join(paths)})"
        elif len(addresses) > 1:  # instances of a module call (count / for_each) that differ elsewhere
            others = [a for a in addresses if a != kept.resource]
            kept.message += (f" (the same finding for {len(others)} other module instance"
                             f"{'s' if len(others) > 1 else ''}: {', '.join(others)})")
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
    import traceback  # here: only a bug needs it

    tb = traceback.extract_tb(exc.__traceback__)
    origin = f" ({tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno})" if tb else ""
    return FileError(
        where, line,
        f"internal error in the {what}: {type(exc).__name__}: {exc}{origin}. "
        "Please report this; the other files were still scanned.",
        internal=True,
    )
