"""Terraform front end: read a module's ``.tf`` / ``.tf.json`` files, evaluate what can be known
statically, and build the compute model.

Public API (called by the runner): :func:`load` for one module folder, and :func:`load_all`, which
also decides which folders are only used as local modules by other scanned folders.

Modules called by another module of the same scan are evaluated only through their callers (with
the caller's inputs, units named ``module.CALL.aws_x.y``), so each resource is reported once and with
the values it really gets. A folder nobody in the scan calls is evaluated as a root module with its
variable defaults and tfvars files. (Only :func:`load_all` applies this rule; :func:`load` on its own
evaluates the folder it is given.)

Scope of evaluation, by design:

* Root module variables, lowest precedence first, as Terraform takes them: ``TF_VAR_name``
  environment variables, ``terraform.tfvars``, ``terraform.tfvars.json``, ``*.auto.tfvars(.json)``
  in name order, then ``--var-file`` files and ``--var NAME=VALUE`` (:class:`VarInputs`; the
  configuration file's ``var-file`` / ``var`` come before the command line's).
* Files (``file``, ``templatefile``, ``filebase64``, ``fileset``, ...), local module sources and
  tfvars are read only inside the read boundary (:mod:`computefit.boundary`: the git work tree
  holding the scanned path, the scanned path outside git, or ``--root``), never the working
  directory. A missing file is Unknown with a note on the unit; one outside the boundary is also a
  scan-level notice (``notices``).
* A function, instance or group with ``count`` / ``for_each`` over a known number, map or set is
  evaluated per instance (``each.key``, ``each.value``, ``count.index`` bound); instances whose
  checked settings differ are units of their own (``aws_lambda_function.fn["iis"]``), instances that
  agree one unit without index. A count known to be 0 or an empty for_each removes the resource; an
  unknown one keeps it once, with a note, and its findings at medium confidence. Module calls with
  ``count`` / ``for_each`` are the same: each instance is a scope of its own
  (``module.jobs["nightly"].``), the instances are compared as a whole and kept apart only when
  they differ. A reference with a known instance key reaches that instance only.
  ``dynamic`` blocks are expanded for a known for_each.
* Override files (``override.tf``, ``*_override.tf``) are merged last, as Terraform does.
* Remote (registry, git) module calls are evaluated from the folders ``terraform init`` downloaded
  when the root module has ``.terraform/modules/modules.json``, exactly like local modules; nothing
  is downloaded. One not downloaded is a "not followed" notice, and only the terraform-aws-modules
  lambda / ec2-instance / autoscaling (and the other mapped ones) are modelled from their inputs.
* Evaluation has budgets (``budgets.py``: loop iterations, collection and string sizes, nesting,
  number size, module instances and their resources): past one the value is Unknown with a note
  naming it. A root module still evaluating after ``MODULE_SECONDS`` is an error entry.
* Regular expressions (``regex``, ``regexall``, ``replace``) are RE2, as Terraform's, through the
  google-re2 package.
"""

from __future__ import annotations

import os

from ..boundary import find_boundary
from ..discovery import TerraformModule
from ..lazyre import LazyPattern as _lazy
from ..model import Document, FileError, ParseError
from .build import build_document
from .scope import Loader, ParseCache, Scope, VarInputs
from .syntax import oversized

__all__ = ["load", "load_all", "called_module_dirs", "VarInputs"]


def load(module: TerraformModule, root_dir: str | None = None,
         _cache: dict | None = None, notices: list | None = None,
         inputs: VarInputs | None = None) -> tuple[Document, list[FileError]]:
    """Evaluate one Terraform module folder into a Document.

    One unreadable file yields a FileError and the module is still evaluated from its other files;
    ParseError is raised only when no file of the module could be read. Files and local modules are
    read only inside the read boundary ``root_dir`` (default: the module's ``boundary``, else
    :func:`computefit.boundary.find_boundary` of its folder). What the boundary refused is appended
    to ``notices`` when given.
    """
    abs_dir = os.path.abspath(module.directory)
    if root_dir is None:
        root_dir = module.boundary or find_boundary(abs_dir)
    loader = Loader(root_dir, _cache)
    if inputs is not None:
        loader.inputs = inputs
    scope = None
    try:
        scope = Scope(loader, abs_dir, list(module.files))
        own_errors = [e for e in loader.errors if e.file in module.files]
        if module.files and len(own_errors) >= len(module.files) and not any(
                f in loader.read_ok for f in module.files):
            first = own_errors[0]
            if len(module.files) == 1:
                raise ParseError(first.file, first.line, first.message)
            raise ParseError(module.directory, None,
                             f"no file of the module could be read (first error: {first.file}:"
                             f"{first.line or 0}: {first.message})")
        doc = build_document(scope, module.directory, list(module.files))
    finally:
        if scope is not None:
            scope.release()
        if notices is not None:
            notices.extend(loader.notices)
    return doc, dedupe_errors(loader.errors)


def dedupe_errors(errors: list[FileError]) -> list[FileError]:
    seen = set()
    out = []
    for e in errors:
        if (e.file, e.line, e.message) not in seen:
            seen.add((e.file, e.line, e.message))
            out.append(e)
    return out


_SOURCE_RE = _lazy(r"""\bsource\s*[=:]\s*"(\.\.?/[^"]*)\"""")


def called_module_dirs(modules: list[TerraformModule]) -> set[str]:
    """Absolute folders of the scanned modules that another scanned module calls as a local module
    (``source = "./..."`` / ``"../..."``). A cheap text scan: no parsing."""
    dirs = {os.path.abspath(m.directory) for m in modules}
    called: set[str] = set()
    for m in modules:
        here = os.path.abspath(m.directory)
        for f in m.files:
            if oversized(f) is not None:
                continue  # refused by its size when read (never read in full here)
            try:
                with open(f, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
            except OSError:
                continue
            for src in _SOURCE_RE.findall(text):
                target = os.path.normpath(os.path.join(here, src.split("//")[0]))
                if target in dirs and target != here:
                    called.add(target)
    return called


def load_all(modules: list[TerraformModule], notices: list | None = None,
             inputs: VarInputs | None = None) -> tuple[list[Document], list[FileError]]:
    """Load every module of a scan, skipping folders used as local modules by another scanned module
    unless the user named one of their files explicitly (``report_files``). What the read boundary
    refused is appended to ``notices`` (:class:`computefit.boundary.Notice`) when given."""
    cache = ParseCache()  # bounded: parsed HCL is large, reuse is of a few shared child modules
    docs: list[Document] = []
    errors: list[FileError] = []
    for m in root_modules(modules):
        doc, errs = load_one(m, cache, notices, inputs)
        if doc is not None:
            docs.append(doc)
        errors.extend(errs)
    return docs, dedupe_errors(errors)


def root_modules(modules: list[TerraformModule]) -> list[TerraformModule]:
    """The modules a scan loads: all but the folders another scanned module calls as a local
    module (those are evaluated through their callers), unless one of their files was named."""
    called = called_module_dirs(modules)
    return [m for m in modules if not (os.path.abspath(m.directory) in called and m.report_files is None)]


def load_one(m: TerraformModule, cache: ParseCache | None, notices: list | None = None,
             inputs: VarInputs | None = None) -> tuple[Document | None, list[FileError]]:
    """One root module's document (None when it cannot be read) and its errors; never raises for
    bad input."""
    try:
        return load(m, _cache=cache, notices=notices, inputs=inputs)
    except ParseError as exc:
        return None, [exc.to_error()]
    except RecursionError:
        return None, [FileError(m.directory, None, "module is nested too deeply to read")]
    except Exception as exc:  # a bug must not hide the other modules' findings
        return None, [FileError(m.directory, None,
                                f"internal error in the Terraform parser: {type(exc).__name__}: {exc}. "
                                "Please report this; the other files were still scanned.", internal=True)]
