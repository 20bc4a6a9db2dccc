"""What the reporters share: severity names per consumer, report paths, counts, fingerprints,
money, and the check metadata (documentation sections and page URL) the rich formats embed.

Every reporter imports this module; it imports nothing heavy (``importlib.metadata`` only when a
documentation URL is asked for).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from functools import lru_cache

from ..check import ERROR, INFO, SEVERITIES, WARNING
from ..lazyre import LazyPattern as _lazy

# --------------------------------------------------------------------------------------------------
# Text from the scanned files, at the output boundary
# --------------------------------------------------------------------------------------------------

#: What a report never passes through raw. C0 controls (ESC starts ANSI and OSC sequences), DEL and
#: C1 (8-bit CSI/OSC); bidirectional embeddings, overrides, isolates and marks (text displayed in
#: another order than it is read: CVE-2021-42574, "Trojan Source"); the Unicode line and paragraph
#: separators; and surrogates, which no UTF-8 output can carry: a lone half from a ``\ud800``
#: escape in a JSON template, or U+DC80-U+DCFF, Python's stand-in for each byte of a file name
#: that is not UTF-8.
_CONTROLS = "\x00-\x1f\x7f-\x9f"
_INVISIBLE = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_SURROGATES = "\ud800-\udfff"
_VISIBLE = _lazy(f"[{_CONTROLS}{_INVISIBLE}{_SURROGATES}]")
_VISIBLE_NO_CONTROLS = _lazy(f"[{_INVISIBLE}{_SURROGATES}]")
_SURROGATE = _lazy(f"[{_SURROGATES}]")


def escape_char(ch: str) -> str:
    """``ch`` as a visible escape: ``\\x1b``, ``\\u202e``; a byte of an undecodable file name
    (U+DC80-U+DCFF) as that byte, ``\\xe9``."""
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text, keep: str = "\t", controls: bool = True) -> str:
    """``text`` with the characters above turned into visible escapes, except those in ``keep``
    (which the format escapes its own way, e.g. line breaks); ``controls=False`` leaves the
    control characters to the caller (XML replaces those it cannot carry)."""
    pattern = _VISIBLE if controls else _VISIBLE_NO_CONTROLS
    return pattern.sub(lambda m: m.group() if m.group() in keep else escape_char(m.group()), str(text))


def valid_unicode(text: str) -> str:
    """``text`` without surrogates (each as a visible escape): it encodes as UTF-8."""
    return _SURROGATE.sub(lambda m: escape_char(m.group()), text)


def utf8(text: str) -> bytes:
    """``text`` as UTF-8, a byte of an undecodable file name as that byte (for hashing and URIs)."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that is not a stand-in for a byte
        return valid_unicode(text).encode("utf-8", "surrogateescape")


def json_safe(value):
    """``value`` ready for a strict JSON parser: strings without surrogates, non-finite floats
    (NaN, infinities) and integers beyond a double's range (which parsers read as infinity) as
    null."""
    if isinstance(value, str):
        return valid_unicode(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int):
        return value if value.bit_length() <= 1024 else None
    if isinstance(value, dict):
        return {json_safe(k) if isinstance(k, str) else k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def json_text(doc, **kwargs) -> str:
    """A JSON report: :func:`json_safe`, written with NaN refused; ASCII (every other character
    escaped), so the file is valid UTF-8 and shows no raw control character in a terminal."""
    return json.dumps(json_safe(doc), allow_nan=False, **kwargs) + "\n"


# --------------------------------------------------------------------------------------------------
# Severities
# --------------------------------------------------------------------------------------------------

#: computefit severity -> the consumer's name for it. One table, so a new format or severity is
#: one edit here. SARIF ``level``; GitHub workflow command; GitLab Code Quality ``severity``.
SEVERITY_NAMES: dict[str, dict[str, str]] = {
    "sarif": {ERROR: "error", WARNING: "warning", INFO: "note"},
    "github": {ERROR: "error", WARNING: "warning", INFO: "notice"},
    "gitlab": {ERROR: "critical", WARNING: "major", INFO: "info"},
}


def severity_name(consumer: str, severity: str) -> str:
    """``severity`` as ``consumer`` ("sarif", "github", "gitlab") spells it; an unknown severity
    is treated as a warning rather than dropped."""
    names = SEVERITY_NAMES[consumer]
    return names.get(severity, names[WARNING])


def count_by_severity(findings) -> dict[str, int]:
    """``{"error": n, "warning": n, "info": n}`` (every severity present, most severe first)."""
    counts = Counter(f.severity for f in findings)
    return {s: counts.get(s, 0) for s in reversed(SEVERITIES)}


def count_by_check(findings) -> dict[str, dict[str, int]]:
    """``{"CF201": {"findings": n, "error": n, "warning": n, "info": n}, ...}``, by check ID."""
    out: dict[str, dict[str, int]] = {}
    for cid in sorted({f.check_id for f in findings}):
        mine = [f for f in findings if f.check_id == cid]
        out[cid] = {"findings": len(mine), **count_by_severity(mine)}
    return out


def resource_label(finding) -> str:
    """The resource as a report names it: its logical ID or address, and beside it the CDK
    construct path when ``cdk synth`` wrote the template (``ExportFnA1B2C3D4
    (PaymentsStack/ExportFn/Resource)``): the name in the CDK app the logical ID was made from."""
    path = getattr(finding, "construct_path", None)
    return f"{finding.resource} ({path})" if path else finding.resource


def with_construct_path(finding, message: str) -> str:
    """``message`` with the construct path after the resource's name it starts with (or before
    it, when it does not start with the name); unchanged without a construct path."""
    if not getattr(finding, "construct_path", None):
        return message
    if finding.resource and message.startswith(finding.resource + " "):
        return resource_label(finding) + message[len(finding.resource):]
    return f"{resource_label(finding)}: {message}"


def named_message(finding, message: str | None = None) -> str:
    """``resource: message``, or the message alone when it starts with the resource's name (most
    do), so a one-line report does not name the resource twice; with the construct path beside
    the name (:func:`resource_label`)."""
    message = finding.message if message is None else message
    if finding.resource and message.startswith(finding.resource + " "):
        return with_construct_path(finding, message)
    return f"{resource_label(finding)}: {message}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(result) -> str:
    """``2 findings (0 error, 2 warning, 0 info) in 4 files[; 1 file could not be read][; ...]``."""
    counts = count_by_severity(result.findings)
    by_sev = ", ".join(f"{n} {s}" for s, n in counts.items())
    text = f"{plural(len(result.findings), 'finding')} ({by_sev}) in {plural(result.files_scanned, 'file')}"
    internal = sum(1 for e in result.errors if getattr(e, "internal", False))
    unreadable = len(result.errors) - internal
    if unreadable:
        text += f"; {plural(unreadable, 'file')} could not be read"
    if internal:
        text += f"; {plural(internal, 'internal error')} (please report)"
    if result.suppressed:
        text += f"; {len(result.suppressed)} suppressed"
    stale = getattr(result, "baseline_stale", None)
    if stale:
        text += f"; {len(stale)} stale baseline entr{'ies' if len(stale) != 1 else 'y'}"
    return text + skipped_text(result)


def skipped_text(result) -> str:
    """``; 12 files skipped as not IaC; 3 paths excluded; not read: serverless.yml (Serverless
    Framework service, not read)``: what the scan left out, so a run that read nothing never
    looks like a pass."""
    text = ""
    not_iac = getattr(result, "skipped_not_iac", 0)
    if not_iac:
        text += f"; {plural(not_iac, 'file')} skipped as not IaC"
    excluded = getattr(result, "excluded", 0)
    if excluded:
        text += f"; {plural(excluded, 'path')} excluded"
    unsupported = getattr(result, "unsupported", [])
    if unsupported:
        named = ", ".join(f"{report_path(p)} ({kind.split(',')[0]})" for p, kind in unsupported[:3])
        more = f" and {len(unsupported) - 3} more" if len(unsupported) > 3 else ""
        text += f"; not supported: {named}{more}"
    return text


def dollars(usd: float) -> str:
    """``$1,234.50``; ``<$0.01`` for an amount above zero that rounds to nothing, so a cost that
    is small is never shown as free."""
    return "<$0.01" if 0 < usd < 0.005 else f"${usd:,.2f}"


def money(usd: float | None) -> str:
    """``$1,234.50/month``; ``unknown`` for None and for a number that is not finite."""
    return "unknown" if usd is None or not math.isfinite(usd) else f"{dollars(usd)}/month"


def cost_text(cost) -> str:
    """A cost line's figure: ``$12.00/month``; ``unknown`` when it cannot be computed; and when
    only the runs per month are unknown, ``unknown/month ($0.75 per 1,000 runs)``."""
    per = getattr(cost, "per_1000_runs", None)
    if cost.monthly_usd is None and per is not None and math.isfinite(per):
        return f"unknown/month ({dollars(per) if per >= 0.005 else f'${per:.4f}'} per 1,000 runs)"
    return money(cost.monthly_usd)


def _known(usd) -> bool:
    return usd is not None and math.isfinite(usd)


def cost_change(finding) -> str | None:
    """``$70.08 -> $0.59 /month`` (:func:`cost_pair`), None when unknown or unchanged."""
    pair = cost_pair(finding)
    if pair is None:
        return None
    now, best = dollars(pair[0]), dollars(pair[1])
    return None if now == best else f"{now} -> {best} /month"


def cost_totals(findings) -> dict | None:
    """The totals a report ends with, over the findings with both a current and an alternative
    cost: ``{"bases": [header, ...], "overall": totals, "by_check": {ID: totals}}``, each totals
    ``{"findings", "current", "saving", "assumed"}`` (the monthly cost of the flagged resources
    today, the potential saving (findings whose cheapest option costs more add nothing), and the
    part of that saving resting on assumed rather than known usage). None when no finding has both."""
    from ..prices import header_of
    from ..pricing import cost_summary

    def zero() -> dict:
        return {"findings": 0, "current": 0.0, "saving": 0.0, "assumed": 0.0, "unpriced": 0}

    overall, by_check, bases = zero(), {}, []
    for f in findings:
        pair = cost_pair(f)
        # costed, but with no monthly figure (runs a month unknown): counted, never as $0
        unpriced = pair is None and bool(f.costs) and not _known(f.costs[0].monthly_usd)
        if pair is None and not unpriced:
            continue
        header = header_of(f.pricing)
        if header not in bases:
            bases.append(header)
        if unpriced:
            for t in (overall, by_check.setdefault(f.check_id, zero())):
                t["unpriced"] += 1
            continue
        saving = max(0.0, pair[0] - pair[1])
        assumed = saving if cost_summary(f.costs).get("usage") != "known" else 0.0
        for t in (overall, by_check.setdefault(f.check_id, zero())):
            t["findings"] += 1
            t["current"] += pair[0]
            t["saving"] += saving
            t["assumed"] += assumed
    if not overall["findings"] and not overall["unpriced"]:
        return None
    return {"bases": bases, "overall": overall, "by_check": dict(sorted(by_check.items()))}


def totals_sentence(t: dict) -> str:
    """``3 flagged resources cost $120.00/month; potential saving $90.00/month, $90.00 of it on
    assumed usage``."""
    unpriced = t.get("unpriced", 0)
    if not t["findings"]:
        return (f"{plural(unpriced, 'flagged resource')} with no monthly figure (runs a month unknown: "
                "give them in a usage file)")
    text = (f"{plural(t['findings'], 'flagged resource')} cost {money(t['current'])}; "
            f"potential saving {money(t['saving'])}")
    if t["saving"] > 0:
        text += (", all of it on assumed usage" if abs(t["assumed"] - t["saving"]) < 0.005
                 else f", {dollars(t['assumed'])} of it on assumed usage" if t["assumed"] >= 0.005
                 else ", all of it on known usage")
    if unpriced:
        text += f"; {unpriced} more with no monthly figure (runs a month unknown)"
    return text


def cost_pair(finding) -> tuple[float, float] | None:
    """(current monthly cost, cheapest alternative's) when both are known
    (:func:`computefit.pricing.cheapest`)."""
    from ..pricing import cheapest

    found = cheapest(finding.costs)
    if found is None or not _known(found[0].monthly_usd) or found[2] is None:
        return None
    return found[0].monthly_usd, found[2]


# --------------------------------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------------------------------


def is_file_path(path: str) -> bool:
    """False for pseudo-paths such as ``<model>`` (an internal error not tied to a file)."""
    return bool(path) and not (path.startswith("<") and path.endswith(">"))


def report_path(path: str) -> str:
    """The path as CI tools want it: forward slashes, relative to the working directory when the
    file lies under it (locations already are; this also normalises ``./x`` and absolute paths
    under the working directory), else absolute.

    On POSIX this reads the path by pathlib's rules (repeated slashes and ``.`` parts dropped,
    ``..`` kept, a leading ``//`` kept) without importing pathlib, which with urllib.parse is 2 ms
    of a one-file scan; tests hold it to pathlib's answers. Elsewhere pathlib reads it."""
    if os.sep != "/" or os.altsep:
        return _report_path_by_pathlib(path)
    root, parts = _posix_parts(path)
    if root:
        cwd_root, cwd_parts = _posix_parts(os.getcwd())
        if root != cwd_root or parts[:len(cwd_parts)] != cwd_parts:
            return root + "/".join(parts)
        parts = parts[len(cwd_parts):]
    return "/".join(parts) or "."


def _posix_parts(path: str) -> tuple[str, list[str]]:
    """(root, parts) of a POSIX path as pathlib splits it: POSIX keeps exactly two leading slashes."""
    if not path.startswith("/"):
        root = ""
    elif path.startswith("//") and not path.startswith("///"):
        root = "//"
    else:
        root = "/"
    return root, [part for part in path.split("/") if part and part != "."]


def _report_path_by_pathlib(path: str) -> str:
    from pathlib import Path, PurePosixPath

    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_posix()
    return PurePosixPath(*p.parts).as_posix() if p.parts else "."


def file_uri(path: str) -> tuple[str, bool]:
    """A URI for ``path`` and whether it is relative to the working directory (then it is a
    percent-encoded relative reference, else an absolute ``file://`` URI)."""
    from pathlib import PurePosixPath
    from urllib.parse import quote

    rel = report_path(path)
    if PurePosixPath(rel).is_absolute():
        return "file://" + quote(utf8(rel), safe="/"), False
    return quote(utf8(rel), safe="/"), True


def working_directory_uri() -> str:
    """``file:///...`` URI of the working directory, ending with ``/`` (a SARIF base URI)."""
    from pathlib import Path

    uri = Path.cwd().resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


# --------------------------------------------------------------------------------------------------
# Fingerprints
# --------------------------------------------------------------------------------------------------


def resource_file(finding) -> str:
    """The file that declares the finding's resource (the finding may point elsewhere: a SAM
    Globals line, a Terraform variable default or ``.tfvars`` value)."""
    return report_path(finding.resource_at.file)


def fingerprints(findings) -> list[str]:
    """A fingerprint per finding, stable across runs and line moves: the SHA-256 of check ID,
    resource file and resource, never the line. When one check reports the same resource more than
    once, the second and later occurrences (in report order) add their ordinal so every
    fingerprint in a report stays unique."""
    import hashlib  # here: a text report needs none, and hashlib's OpenSSL start-up costs 2 ms

    seen: Counter[str] = Counter()
    out = []
    for f in findings:
        key = "\0".join((f.check_id, resource_file(f), f.resource))
        seen[key] += 1
        if seen[key] > 1:
            key += f"\0{seen[key]}"
        out.append(hashlib.sha256(utf8(key)).hexdigest())
    return out


# --------------------------------------------------------------------------------------------------
# Check metadata
# --------------------------------------------------------------------------------------------------

#: Used when the installed package metadata has no Documentation URL (running from a source tree).
DEFAULT_DOCS_URL = "https://github.com/computefit/computefit/blob/main/docs/checks"
DEFAULT_HOMEPAGE = "https://github.com/computefit/computefit"


@lru_cache(maxsize=None)
def project_urls() -> dict[str, str]:
    """``[project.urls]`` of the installed package (``Project-URL: Label, URL`` metadata)."""
    from importlib import metadata

    try:
        entries = metadata.metadata("computefit").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return {}
    urls = {}
    for entry in entries:
        label, sep, url = entry.partition(",")
        if sep and url.strip():
            urls[label.strip().lower()] = url.strip()
    return urls


def homepage_url() -> str:
    return project_urls().get("homepage", DEFAULT_HOMEPAGE)


def check_docs_url(check_id: str) -> str:
    """The check's documentation page, ``<Documentation URL>/<ID>.md``."""
    base = project_urls().get("documentation", DEFAULT_DOCS_URL).rstrip("/")
    return f"{base}/{check_id}.md"


_SECTION = _lazy(r"^##\s+(.+?)\s*$", re.MULTILINE)


def doc_sections(doc: str) -> dict[str, str]:
    """A check docstring's ``## Title`` sections: title -> body (stripped)."""
    parts = _SECTION.split(doc)
    return {title: body.strip() for title, body in zip(parts[1::2], parts[2::2])}


def plain_paragraph(markdown: str) -> str:
    """One-paragraph plain text of a short markdown section (whitespace folded, backticks dropped)."""
    return " ".join(markdown.replace("`", "").split())
