"""Stage 1: find the inputs.

Folders are walked recursively; CloudFormation is recognised by content, so other YAML and JSON (CI
workflows, Kubernetes manifests, package.json) is skipped silently. Every folder holding ``.tf`` or
``.tf.json`` files is one Terraform module. Explicitly named ``.tf`` files (a pre-commit run) are
evaluated with the rest of their folder, and findings are reported only for the files named; so are
explicitly named ``.tfvars`` files of a folder holding Terraform (a finding whose value comes from
the tfvars line is reported for it).

Reads stay inside the read boundary of each scanned path (:mod:`computefit.boundary`): a symbolic
link to a file outside it is not read and a symbolic link to a folder is not walked (as
``os.walk`` does); a link leaving the boundary is a notice either way.

Never walked into: version-control and tool caches (``.git``, ``.terraform``,
``.terragrunt-cache``, ``node_modules``, ...), Python virtualenvs (any folder holding a
``pyvenv.cfg``), and CDK asset folders (``cdk.out/asset.*``, copies of the application's code).
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field

from .boundary import Notice, find_boundary, inside, resolve
from .lazyre import LazyPattern as _lazy
from .model import FileError

#: Folders never walked into. Not "env": Terraform layouts use env/ for environments, and a
#: virtualenv of any name is recognised by its pyvenv.cfg.
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", ".terraform", ".terragrunt-cache", "node_modules", ".venv", "venv",
     ".tox", ".nox", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".aws-sam",
     ".serverless", "site-packages"}
)
#: Files larger than this are reported, not read. CloudFormation itself refuses a template body over
#: 1 MB (51,200 bytes inline), so a 10 MB file is not a deployable template and not worth a scan.
MAX_FILE_BYTES = 10 * 1024 * 1024

CFN_SUFFIXES = (".yaml", ".yml", ".json", ".template")
# A template is recognised by its content; these cheap markers decide whether to parse at all.
_CFN_MARKER = _lazy(rb"AWSTemplateFormatVersion|[\"']?Resources[\"']?\s*:")
_AWS_TYPE = _lazy(rb"AWS::[A-Za-z0-9]+::[A-Za-z0-9]+")


@dataclass
class TerraformModule:
    """A Terraform root module found by discovery: its folder and files, and the files to report on."""

    directory: str  # as reported
    files: list[str]  # every .tf / .tf.json file of the folder
    #: The files to report findings for; None means all of them (folder scans).
    report_files: list[str] | None = None
    #: The read boundary for files this module reads (None: found from its folder when loaded).
    boundary: str | None = None


@dataclass
class PlanFile:
    """A Terraform plan JSON file (``terraform show -json``) and the read boundary for the
    ``.tf`` files its findings point at."""

    path: str  # as reported
    boundary: str
    #: ``--root`` when given: searched for the plan's .tf files when they are not beside it
    search_root: str | None = None


@dataclass
class Inputs:
    """What discovery found: templates, Terraform modules and plan files, and the files it refused."""

    templates: list[str] = field(default_factory=list)
    #: The read boundary of each template (the files it names: nested stacks, samconfig, definitions).
    template_boundaries: dict[str, str] = field(default_factory=dict)
    modules: list[TerraformModule] = field(default_factory=list)
    plans: list[PlanFile] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    #: Files taken as templates but refused before parsing (binary, empty, oversized): in ``errors``.
    refused: list[str] = field(default_factory=list)
    #: What was not read because it leads outside the read boundary (symbolic links).
    notices: list[Notice] = field(default_factory=list)
    #: Paths (files, or folders not walked) left out by an exclude pattern.
    excluded: list[str] = field(default_factory=list)
    #: Files looked at and skipped as not infrastructure code (counted in the summary, listed by
    #: --show-files).
    skipped: list[str] = field(default_factory=list)

    @property
    def file_count(self) -> int:
        """Files scanned, counting the ones that turned out to be unreadable."""
        return len(self.templates) + len(self.plans) + len(self.refused) + sum(
            len(m.report_files if m.report_files is not None else m.files) for m in self.modules
        )


def display_path(path: str | os.PathLike) -> str:
    """The path as reported: relative to the working directory when it lies under it."""
    p = os.path.abspath(path)
    cwd = os.getcwd()
    try:
        rel = os.path.relpath(p, cwd)
    except ValueError:  # other drive on Windows
        return p
    if rel == os.curdir:
        return rel
    return p if rel.startswith(os.pardir) else rel


def is_terraform_file(name: str) -> bool:
    return name.endswith(".tf") or name.endswith(".tf.json")


def is_tfvars_file(name: str) -> bool:
    return name.endswith(".tfvars") or name.endswith(".tfvars.json")


def _named_as_template(name: str) -> bool:
    low = name.lower()
    return (
        low.endswith(".template")
        or low.endswith(".template.json")
        or low.endswith(".template.yaml")
        or low.endswith(".template.yml")
    )


def _is_cfn_candidate_name(name: str) -> bool:
    low = name.lower()
    return low.endswith(CFN_SUFFIXES) and not is_terraform_file(low)


def _excluded(path: str, excludes: tuple[str, ...]) -> bool:
    if not excludes:
        return False
    norm = path.replace(os.sep, "/")
    parts = norm.split("/")
    for pat in excludes:
        if fnmatch.fnmatch(norm, pat) or fnmatch.fnmatch(norm, pat.rstrip("/") + "/*"):
            return True
        if any(fnmatch.fnmatch(p, pat) for p in parts):
            return True
    return False


#: How much of a file the content sniff reads before deciding (and before any size limit applies).
SNIFF_BYTES = 64 * 1024
#: Byte-order marks of the Unicode encodings a template may be saved in (UTF-32 before UTF-16:
#: the UTF-32 LE mark starts with the UTF-16 LE one).
BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``data`` names, if any."""
    return next((enc for bom, enc in BOMS if data.startswith(bom)), None)


def _looks_like_cfn(data: bytes) -> bool:
    return b"AWSTemplateFormatVersion" in data or bool(_CFN_MARKER.search(data) and _AWS_TYPE.search(data))


def sniff_cloudformation(path: str, errors: list[FileError], explicit: bool) -> bool:
    """Decide from the file's content whether it is a CloudFormation template.

    Returns True for a template (to be parsed). Non-template YAML/JSON returns False silently. A file
    that cannot be a template but is named as one (``*.template``, ``*.template.json``), and a
    binary or empty file named explicitly or as a template, is an error. The size comes from
    ``stat`` and the content sniff reads a bounded prefix first: a file over the limit is refused
    (without being read) only when it is recognised as a template, so a 15 MB package-lock.json is
    skipped silently. UTF-16 and UTF-32 files with a byte-order mark are sniffed decoded.
    """
    name = os.path.basename(path)
    named_template = _named_as_template(name)
    try:
        size = os.stat(path).st_size
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        errors.append(FileError(path, None, f"cannot read file: {exc.strerror or exc}"))
        return False
    encoding = bom_encoding(head)
    if encoding in ("utf-16", "utf-32"):
        head = head.decode(encoding, errors="ignore").encode("utf-8")
    if size > MAX_FILE_BYTES:
        if named_template or _looks_like_cfn(head):
            errors.append(
                FileError(path, 1, f"file is {size / 1048576:.1f} MB, over the "
                                   f"{MAX_FILE_BYTES // 1048576} MB limit for a template "
                                   "(CloudFormation accepts at most 1 MB); not scanned")
            )
        return False
    if not head.strip():
        if named_template or explicit and name.lower() in ("template.yaml", "template.yml"):
            errors.append(FileError(path, 1, "file is empty: a template needs a Resources section"))
        return False
    if b"\x00" in head[:8192]:
        if named_template or explicit:
            errors.append(FileError(path, 1, "binary file (contains NUL bytes), not a template"))
        return False
    if named_template:
        return True
    if _looks_like_cfn(head):
        return True
    if size <= SNIFF_BYTES:
        return False
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        errors.append(FileError(path, None, f"cannot read file: {exc.strerror or exc}"))
        return False
    if encoding in ("utf-16", "utf-32"):
        data = data.decode(encoding, errors="ignore").encode("utf-8")
    return _looks_like_cfn(data)


#: How much of a JSON file is read to tell a Terraform plan from anything else.
PLAN_SNIFF_BYTES = 65536
_PLAN_START = _lazy(rb'^(?:[^{\n][^\n]*\n)*\s*\{\s*"format_version"\s*:')  # after a wrapper's lines
_PLAN_MARKER = _lazy(rb'"(?:planned_values|resource_changes)"\s*:')


def sniff_plan(path: str) -> bool:
    """Whether a JSON file is a Terraform plan (``terraform show -json``): its object opens with
    ``format_version`` and has ``planned_values`` or ``resource_changes``. Reads a bounded prefix
    (``variables`` can come first: then up to ``MAX_FILE_BYTES`` of a file that opens like a plan);
    lines a CI wrapper printed before the JSON (``[command]...``) are skipped."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(PLAN_SNIFF_BYTES)
            if not _PLAN_START.match(head[:4096]):
                return False
            if _PLAN_MARKER.search(head):
                return True
            data = head + fh.read(MAX_FILE_BYTES - len(head))
    except OSError:
        return False
    return bool(_PLAN_MARKER.search(data))


def read_input(path: str, limit: int, what: str = "a template") -> bytes:
    """The bytes of a scanned input, read at most ``limit`` + 1 bytes (a file that grew past the
    limit since discovery is refused, never read whole). Raises ParseError naming the file."""
    from .model import ParseError

    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise ParseError(path, None, f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise ParseError(path, 1, f"file is over the {limit // 1048576} MB limit for {what}; not scanned")
    return raw


def read_source_text(path: str) -> str | None:
    """The text of a scanned file for a look at its comments, or None when it cannot be read or is
    over the size limit (checked by ``stat``: it was not scanned either). Decoded by its byte-order
    mark, else as UTF-8, with undecodable bytes replaced."""
    try:
        if os.stat(path).st_size > MAX_FILE_BYTES:
            return None
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    return raw.decode(bom_encoding(raw) or "utf-8", errors="replace")


def _has_terraform(folder: str) -> bool:
    try:
        return any(is_terraform_file(f) for f in os.listdir(folder))
    except OSError:
        return False


def _cache_folders() -> set[str]:
    """computefit's cache folders (:func:`computefit.usercache.folders`) as a walk names them:
    absolute, and resolved, so that a cache folder inside a scanned tree is not scanned."""
    from . import usercache

    out = set()
    for folder in usercache.folders():
        out.add(os.path.abspath(folder))
        out.add(os.path.realpath(folder))
    return out


def _walk(top: str, onerror):
    """Like ``os.walk(top)`` (top-down; the caller may prune ``dirs``), but yields
    ``(folder, dirs, files, links)``: symbolic links are listed apart, unfollowed, so not even their
    target is looked at (``os.walk`` calls ``stat`` on every link to sort it)."""
    stack = [top]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as it:
                entries = list(it)
        except OSError as exc:
            onerror(exc)
            continue
        dirs: list[str] = []
        files: list[str] = []
        links: list[str] = []
        for entry in entries:
            try:
                if entry.is_symlink():
                    links.append(entry.name)
                elif entry.is_dir(follow_symlinks=False):
                    dirs.append(entry.name)
                else:
                    files.append(entry.name)
            except OSError:
                files.append(entry.name)
        links.sort()
        yield here, dirs, files, links
        stack.extend(os.path.join(here, d) for d in reversed(dirs))


def discover(paths: list[str], excludes: tuple[str, ...] = (), root: str | None = None) -> Inputs:
    """Find templates and Terraform modules under ``paths`` (files or folders).

    Each path has its own read boundary (:func:`computefit.boundary.find_boundary`), or ``root``
    for all of them; a path outside ``root`` is an error. A symbolic link leading outside the
    boundary is not followed and becomes a notice. A module folder reached from several paths keeps
    the widest of their boundaries (they are nested: each one contains the folder)."""
    inputs = Inputs()
    seen_templates: set[str] = set()
    # module dir (abs) -> (all files, files to report or None for all)
    modules: dict[str, tuple[list[str], set[str] | None]] = {}
    boundaries: dict[str, str] = {}  # module dir (abs) -> its read boundary
    real_root = os.path.realpath(root) if root is not None else None
    noticed: set[str] = set()
    cache_folders = _cache_folders()

    def outside(abs_path: str, boundary: str, what: str, action: str = "not read") -> bool:
        """Whether the entry ``abs_path`` (in a folder already inside ``boundary``) leads outside
        it; if so, a notice (once per path)."""
        res = resolve(os.path.basename(abs_path), os.path.dirname(abs_path), boundary)
        if res.refused is None:
            return False
        shown = display_path(abs_path)
        if shown not in noticed:
            noticed.add(shown)
            inputs.notices.append(Notice(shown, None, f"{what} {res.why(action)}"))
        return True

    def add_tf_dir(abs_dir: str, report: str | None, boundary: str) -> None:
        if abs_dir not in modules:
            files = []
            for f in sorted(os.listdir(abs_dir)):
                full = os.path.join(abs_dir, f)
                if is_terraform_file(f) and not outside(full, boundary, "Terraform file") and os.path.isfile(full):
                    files.append(full)
            modules[abs_dir] = (files, set() if report else None)
        if abs_dir not in boundaries or len(boundary) < len(boundaries[abs_dir]):
            boundaries[abs_dir] = boundary
        files, report_set = modules[abs_dir]
        if report is None:
            modules[abs_dir] = (files, None)  # a folder scan reports everything
        elif report_set is not None:
            report_set.add(report)

    def add_template(abs_path: str, explicit: bool) -> None:
        if abs_path in seen_templates:  # named twice, or named and inside a scanned folder
            return
        seen_templates.add(abs_path)
        shown = display_path(abs_path)
        errors_before = len(inputs.errors)
        if shown.lower().endswith(".json") and sniff_plan(shown):
            inputs.plans.append(PlanFile(shown, boundary, real_root))
        elif sniff_cloudformation(shown, inputs.errors, explicit):
            inputs.templates.append(shown)
            inputs.template_boundaries[shown] = boundary
        elif len(inputs.errors) > errors_before:
            inputs.refused.append(shown)
        else:
            inputs.skipped.append(shown)

    def walk_error(exc: OSError) -> None:
        where = display_path(exc.filename) if exc.filename else display_path(path)
        inputs.errors.append(FileError(where, None, f"cannot read folder: {exc.strerror or exc}"))

    for raw in paths:
        path = os.path.abspath(raw)
        if not os.path.exists(path):
            inputs.errors.append(FileError(display_path(path), None, "no such file or folder"))
            continue
        if real_root is not None:
            if not inside(os.path.realpath(path), real_root):
                inputs.errors.append(FileError(display_path(path), None,
                                               f"outside --root {display_path(real_root)}; not scanned"))
                continue
            boundary = real_root
        else:
            boundary = find_boundary(path)
        if os.path.isfile(path):
            name = os.path.basename(path)
            if _excluded(display_path(path), excludes):
                inputs.excluded.append(display_path(path))
                continue
            tf_like = is_terraform_file(name) or is_tfvars_file(name)
            if (tf_like or _is_cfn_candidate_name(name)) and outside(path, boundary, "named file"):
                continue
            if is_terraform_file(name):
                add_tf_dir(os.path.dirname(path), path, boundary)
            elif is_tfvars_file(name) and _has_terraform(os.path.dirname(path)):
                add_tf_dir(os.path.dirname(path), path, boundary)
            elif _is_cfn_candidate_name(name):
                add_template(path, explicit=True)
            else:
                inputs.skipped.append(display_path(path))
            continue
        if not os.path.isdir(path):  # a FIFO, socket or device: reading it could block forever
            inputs.errors.append(FileError(display_path(path), None, "not a regular file or folder"))
            continue
        for here, dirs, files, links in _walk(path, walk_error):
            if here in cache_folders:  # computefit's own cache, set inside the tree: not the user's files
                dirs[:], files[:], links[:] = [], [], []
                continue
            if excludes:
                inputs.excluded.extend(display_path(os.path.join(here, d)) for d in sorted(dirs)
                                       if d not in SKIP_DIRS and _excluded(display_path(os.path.join(here, d)), excludes))
            dirs[:] = sorted(
                d for d in dirs
                if d not in SKIP_DIRS
                and not (d.startswith("asset.") and os.path.basename(here) == "cdk.out")
                and not os.path.isfile(os.path.join(here, d, "pyvenv.cfg"))
                and not _excluded(display_path(os.path.join(here, d)), excludes)
            )
            for name in links:
                # A link leading outside is a notice whatever it points to (deciding by its target
                # would tell whether that exists); one to a file inside is read as a file; one to a
                # folder is not walked (it could loop or repeat a folder).
                full = os.path.join(here, name)
                if name in SKIP_DIRS or _excluded(display_path(full), excludes):
                    continue
                if outside(full, boundary, "symbolic link", "not followed"):
                    continue
                target = resolve(name, here, boundary)
                if target.is_file:
                    files.append(name)
                elif target.stat is None and (is_terraform_file(name) or _named_as_template(name)):
                    inputs.errors.append(FileError(display_path(full), None,
                                                   "broken symbolic link: the file it points to is missing"))
            has_tf = False
            for f in sorted(files):
                full = os.path.join(here, f)
                if not (is_terraform_file(f) or _is_cfn_candidate_name(f)):
                    continue
                if _excluded(display_path(full), excludes):
                    inputs.excluded.append(display_path(full))
                    continue
                if not os.path.isfile(full):  # a FIFO, socket or device
                    continue
                if is_terraform_file(f):
                    has_tf = True
                else:
                    add_template(full, explicit=False)
            if has_tf:
                add_tf_dir(here, None, boundary)

    for abs_dir, (files, report_set) in sorted(modules.items()):
        if excludes:
            inputs.excluded.extend(display_path(f) for f in files if _excluded(display_path(f), excludes))
            files = [f for f in files if not _excluded(display_path(f), excludes)]
        inputs.modules.append(
            TerraformModule(
                directory=display_path(abs_dir),
                files=[display_path(f) for f in files],
                report_files=None if report_set is None else sorted(display_path(f) for f in report_set),
                boundary=boundaries[abs_dir],
            )
        )
    return inputs
