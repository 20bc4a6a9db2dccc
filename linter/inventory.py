"""What a scan looked at and did not read as infrastructure code, for the summary and
``--show-files``: files skipped as not IaC, excluded paths, and inputs recognised as
infrastructure code computefit does not read (yet), so "0 findings in 0 files" never reads as a
pass when the code was there in a form computefit skipped.

Recognised by name, cheaply: a Serverless Framework service (``serverless.yml``, ``.yaml`` or
``.json``). Terraform plan JSON is read (discovery recognises it by content), so it is listed with
what it was read as.
"""

from __future__ import annotations

import os

SERVERLESS_NAMES = {f"serverless.{ext}" for ext in ("yml", "yaml", "json")}


def unsupported_kind(path: str) -> str | None:
    """What infrastructure code ``path`` is when computefit does not read it, else None."""
    name = os.path.basename(path).lower()
    if name in SERVERLESS_NAMES:
        return "Serverless Framework service, not read"
    return None


def classify(inputs, errors) -> tuple[list[tuple[str, str]], list[tuple[str, str]], int]:
    """(every file with what it was read as, the unsupported inputs with what they are, the number
    of files skipped as not IaC)."""
    unreadable = {e.file for e in errors}
    files: list[tuple[str, str]] = []
    for t in inputs.templates:
        files.append((t, "could not be read" if t in unreadable else "CloudFormation template"))
    for p in getattr(inputs, "plans", ()):
        files.append((p.path, "could not be read" if p.path in unreadable else "Terraform plan JSON"))
    for r in inputs.refused:
        files.append((r, "could not be read"))
    for m in inputs.modules:
        shown = set(m.report_files) if m.report_files is not None else set(m.files)
        for f in m.files:
            what = f"Terraform, module {m.directory}"
            files.append((f, what if f in shown else f"{what} (read for its folder, not reported)"))
    unsupported = []
    not_iac = 0
    for s in inputs.skipped:
        kind = unsupported_kind(s)
        if kind:
            unsupported.append((s, kind))
            files.append((s, kind))
        else:
            not_iac += 1
            files.append((s, "skipped: not infrastructure code"))
    for x in inputs.excluded:
        files.append((x, "excluded"))
    return sorted(files), unsupported, not_iac
