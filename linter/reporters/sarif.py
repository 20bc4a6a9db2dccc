"""SARIF 2.1.0, for GitHub code scanning, Azure DevOps, VS Code's SARIF viewer and other tools that
read static-analysis results.

- One rule per registered check and engine rule (CF001-CF003 too; and one for any other ``ruleId``
  a result carries): ``id``, ``name``, ``shortDescription`` (the summary), ``fullDescription``
  (its "What it does" section, cut at a word to GitHub's 1,024 characters), ``help`` (the whole
  documentation, as text and markdown), ``helpUri`` (its page under the project's Documentation
  URL), ``defaultConfiguration.level`` from its default severity (error/warning/note) and
  ``properties``: ``tags`` (GitHub shows them as filters) and ``precision`` from the lowest
  confidence its findings can have (``very-high`` for an engine rule).
- One result per finding: ``ruleId``/``ruleIndex``, ``level`` (the finding's own severity, which a
  check or the configuration may have lowered or raised), the message, the location as a path
  relative to ``%SRCROOT%`` (the working directory, given in ``originalUriBaseIds``) with the line
  (no region when the line is unknown), the resource as a logical location, ``partialFingerprints``
  and ``properties`` with the confidence, recommendation, evidence and costs.
- ``partialFingerprints`` holds two keys. ``primaryLocationLineHash``, the only one GitHub reads,
  computed from the file as GitHub's upload action computes it (:mod:`.linehash`), so an upload
  through the REST API matches alerts too. Beside it, computefit's own key (check ID + resource
  file + resource, never the line), which survives edits that change the hashed line; the JSON
  report's fingerprints are the same.
- Suppressed and baselined findings are left out, because GitHub code scanning ignores SARIF
  ``suppressions`` (github/codeql-action#1230): a result carrying one is an open alert, the
  opposite of a suppression. ``--show-suppressed`` includes them, each with a ``suppressions``
  entry, for consumers that honour it (VS Code's SARIF viewer, Azure DevOps): the kind is
  ``external`` when the reason names a baseline or configuration file, else ``inSource`` (an
  inline suppression comment); the reason is the ``justification``.
- ``--sarif-category NAME`` sets ``automationDetails.id`` (``NAME/``, as GitHub's upload action
  writes a category), so two computefit runs on one repository (two folders, two configurations)
  keep separate alerts.
- Files that could not be read are ``toolExecutionNotifications`` of the invocation, and
  ``executionSuccessful`` is false when there are any.
- Text from the scanned files: a plain-text message escapes ``[`` and ``]`` (SARIF reads
  ``[text](uri)`` in one as an embedded link), ``message.markdown`` is escaped markdown (as in the
  markdown report), control characters and bidi overrides are visible escapes, and the document is
  strict JSON (no NaN, no lone surrogate; a file name that is not UTF-8 is percent-encoded byte
  for byte in its URI).
"""

from __future__ import annotations


from .. import __version__, facts
from ..lazyre import LazyPattern as _lazy
from .common import (
    check_docs_url,
    doc_sections,
    file_uri,
    fingerprints,
    homepage_url,
    is_file_path,
    json_text,
    plain_paragraph,
    resource_file,
    severity_name,
    visible,
    with_construct_path,
    working_directory_uri,
)
from .markdown import escape as markdown_escape

_BRACKET = _lazy(r"([\[\]])")


def plain_message(text: str) -> str:
    """A SARIF plain-text message from scanned text: brackets escaped (no embedded link), control
    characters and bidi overrides as visible escapes (line breaks kept)."""
    return _BRACKET.sub(r"\\\1", visible(text, keep="\t\n\r"))

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_NAME = "computefit/checkResourceHash/v1"
LINE_HASH_NAME = "primaryLocationLineHash"

#: confidence -> SARIF ``precision`` (GitHub: very-high, high, medium, low)
PRECISION = {"high": "high", "medium": "medium", "low": "low"}


def within(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters: whole, or cut at the last word that fits, with
    an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "\u2026"


def _rule(cls) -> dict:
    from ..check import EngineRule

    doc = cls.doc()
    what = doc_sections(doc).get("What it does", "") or cls.summary
    limit = facts.value("github.sarif_description_max")
    tags = list(dict.fromkeys(cls.tags))[:facts.value("github.sarif_tags_per_rule")]
    precision = "very-high" if issubclass(cls, EngineRule) else PRECISION.get(cls.confidence, "medium")
    return {
        "id": cls.id,
        "name": cls.name,
        "shortDescription": {"text": within(cls.summary, limit)},
        "fullDescription": {"text": within(plain_paragraph(what), limit), "markdown": within(what, limit)},
        "help": {"text": doc or cls.summary, "markdown": doc or cls.summary},
        "helpUri": check_docs_url(cls.id),
        "defaultConfiguration": {"level": severity_name("sarif", cls.severity)},
        "properties": {"tags": tags, "precision": precision},
    }


def _unregistered_rule(finding) -> dict:
    """A rule for a result whose check is not in the registry (GitHub wants a rule per ruleId)."""
    name = finding.check_name or finding.check_id
    return {
        "id": finding.check_id,
        "name": name,
        "shortDescription": {"text": within(name, facts.value("github.sarif_description_max"))},
        "defaultConfiguration": {"level": "warning"},
    }


def _physical_location(file: str, line: int | None) -> dict:
    uri, relative = file_uri(file)
    artifact = {"uri": uri, "uriBaseId": SRCROOT} if relative else {"uri": uri}
    loc: dict = {"artifactLocation": artifact}
    if line:
        loc["region"] = {"startLine": line}
    return loc


def _suppression_kind(why: str) -> str:
    lowered = why.lower()
    return "external" if ("baseline" in lowered or "config" in lowered) else "inSource"


def _result(finding, fingerprint: str, rule_index: dict[str, int]) -> dict:
    d = finding.to_dict()
    result = {"ruleId": finding.check_id}
    if finding.check_id in rule_index:
        result["ruleIndex"] = rule_index[finding.check_id]
    properties = {
        "confidence": finding.confidence,
        "resourceType": finding.resource_type,
        "recommendation": finding.recommendation,
        "evidence": d["evidence"],
    }
    if "costs" in d:
        properties["costs"] = d["costs"]
    if finding.related:
        properties["related"] = list(finding.related)  # the function a queue feeds...
    if getattr(finding, "construct_path", None):
        properties["constructPath"] = finding.construct_path  # the CDK construct behind the logical ID
    result.update(
        level=severity_name("sarif", finding.severity),
        message={
            "text": plain_message(with_construct_path(finding, finding.message)),
            "markdown": f"{markdown_escape(with_construct_path(finding, finding.message))}\n\n**Fix:** {markdown_escape(finding.recommendation)}",
        },
        locations=[{
            "physicalLocation": _physical_location(finding.location.file, finding.location.line),
            "logicalLocations": [{
                "name": finding.resource,
                "kind": "resource",
                "fullyQualifiedName": f"{resource_file(finding)}#{finding.resource}",
            }],
        }],
        partialFingerprints={FINGERPRINT_NAME: fingerprint},
        properties=properties,
    )
    return result


def _notification(error, level: str = "error") -> dict:
    """A file error or notice; a grouped notice has a location for each notice it stands for."""
    note: dict = {"level": level, "message": {"text": plain_message(error.message)}}
    items = getattr(error, "items", ()) or (error,)
    if is_file_path(error.file):
        note["locations"] = [{"physicalLocation": _physical_location(i.file, i.line)}
                             for i in items if is_file_path(i.file)]
    else:
        note["message"]["text"] = plain_message(f"{error.file}: {error.message}")
    return note


def add_line_hashes(results: list[dict], findings) -> None:
    """Set ``primaryLocationLineHash`` on each result from its file (read once per file)."""
    from .linehash import file_line_hashes

    by_file: dict[str, set[int]] = {}
    for f in findings:
        by_file.setdefault(f.location.file, set()).add(f.location.line or 1)
    hashes = {file: file_line_hashes(file, lines) for file, lines in by_file.items()}
    for res, f in zip(results, findings):
        value = hashes[f.location.file].get(f.location.line or 1)
        if value:
            res["partialFingerprints"] = {LINE_HASH_NAME: value, **res.get("partialFingerprints", {})}


def to_dict(result, options) -> dict:
    from ..check import all_rules

    rules = [_rule(cls) for cls in all_rules().values()]
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}
    suppressed = [f for f, _ in result.suppressed] if options.show_suppressed else []
    everything = list(result.findings) + suppressed
    for f in everything:
        if f.check_id not in rule_index:
            rule_index[f.check_id] = len(rules)
            rules.append(_unregistered_rule(f))
    prints = fingerprints(list(result.findings) + [f for f, _ in result.suppressed])
    results = [_result(f, fp, rule_index) for f, fp in zip(everything, prints)]
    for res, (_, why) in zip(results[len(result.findings):], result.suppressed):
        res["suppressions"] = [{"kind": _suppression_kind(why), "justification": why}]
    add_line_hashes(results, everything)
    invocation: dict = {"executionSuccessful": not result.errors}
    notes = [_notification(e) for e in result.errors]
    notes += [_notification(n, "note") for n in getattr(result, "notices", [])]
    if notes:
        invocation["toolExecutionNotifications"] = notes
    run: dict = {
        "tool": {"driver": {
            "name": "computefit",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": homepage_url(),
            "rules": rules,
        }},
    }
    category = getattr(options, "sarif_category", None)
    if category:
        run["automationDetails"] = {"id": category if category.endswith("/") else category + "/"}
    run.update({
        "originalUriBaseIds": {SRCROOT: {"uri": working_directory_uri()}},
        "invocations": [invocation],
        "results": results,
    })
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result, options) -> str:
    return json_text(to_dict(result, options), indent=2)
