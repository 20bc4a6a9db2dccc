"""The JSON report: ``{"version": 1, "findings": [...], "errors": [...], "notices": [...],
"summary": {...}}``.

The contract is documented in the README; ``version`` changes only on an incompatible change.
Strict JSON: no NaN or infinity (null instead), no lone surrogate (a visible escape instead).
"""

from __future__ import annotations

from .common import count_by_check, count_by_severity, json_text


def notice_dict(n) -> dict:
    """A notice; a grouped one lists the notices it stands for as ``items``."""
    out = {"file": n.file, "line": n.line, "message": n.message}
    if getattr(n, "items", ()):
        out["items"] = [{"file": i.file, "line": i.line, "message": i.message} for i in n.items]
    return out


def to_dict(result, options) -> dict:
    doc = {
        "version": 1,
        "findings": [f.to_dict() for f in result.findings],
        "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in result.errors],
        "notices": [notice_dict(n) for n in getattr(result, "notices", [])],
        "summary": {
            "files_scanned": result.files_scanned,
            "findings": len(result.findings),
            "errors": len(result.errors),
            "by_severity": count_by_severity(result.findings),
            "by_check": count_by_check(result.findings),
            "suppressed": len(result.suppressed) - getattr(result, "baselined", 0),
            "baselined": getattr(result, "baselined", 0),
            "skipped": getattr(result, "skipped_not_iac", 0),
            "excluded": getattr(result, "excluded", 0),
            "unsupported": [{"file": f, "kind": k} for f, k in getattr(result, "unsupported", [])],
        },
    }
    if getattr(result, "baseline", None):
        doc["baseline"] = {
            "file": result.baseline,
            "stale": [e.to_dict() for e in result.baseline_stale],
        }
    if options.show_suppressed:
        doc["suppressed"] = [dict(f.to_dict(), suppressed_by=why) for f, why in result.suppressed]
    return doc


def render(result, options) -> str:
    return json_text(to_dict(result, options), indent=2)
