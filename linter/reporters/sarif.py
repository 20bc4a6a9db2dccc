"""SARIF 2.1.0, for GitHub code scanning, Azure DevOps, VS Code's SARIF viewer and other tools that
read static-analysis results.

- One rule per registered check: ``id``, ``name``, ``shortDescription`` (the check's summary),
  ``fullDescription`` (its "What it does" section), ``help`` (the whole documentation, as text and
  markdown), ``helpUri`` (its page under the project's Documentation URL) and
  ``defaultConfiguration.level`` from its default severity (error/warning/note).
- One result per finding: ``ruleId``/``ruleIndex``, ``level`` (the finding's own severity, which a
  check or the configuration may have lowered or raised), the message, the location as a path
  relative to ``%SRCROOT%`` (the working directory, given in ``originalUriBaseIds``) with the line
  (no region when the line is unknown), the resource as a logical location, ``partialFingerprints``
  that survive line moves (check ID + resource file + resource) and ``properties`` with the
  confidence, recommendation, evidence and costs.
- Files that could not be read are ``toolExecutionNotifications`` of the invocation, and
  ``executionSuccessful`` is false when there are any.
- Suppressed findings are ALWAYS included, with a ``suppressions`` entry (whatever
  ``--show-suppressed`` says): SARIF has first-class suppressions, and consumers such as GitHub code
  scanning close a suppressed alert as dismissed, whereas a result that silently disappears looks
  fixed. The kind is ``external`` when the reason names a baseline or configuration file, else
  ``inSource`` (an inline suppression comment); the reason is the ``justification``.
- Text from the scanned files: a plain-text message escapes ``[`` and ``]`` (SARIF reads
  ``[text](uri)`` in one as an embedded link), ``message.markdown`` is escaped markdown (as in the
  markdown report), control characters and bidi overrides are visible escapes, and the document is
  strict JSON (no NaN, no lone surrogate; a file name that is not UTF-8 is percent-encoded byte
  for byte in its URI).
"""

from __future__ import annotations

import re

from .. import __version__
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
    working_directory_uri,
)
from .markdown import escape as markdown_escape

_BRACKET = re.compile(r"([\[\]])")


def plain_message(text: str) -> str:
    """A SARIF plain-text message from scanned text: brackets escaped (no embedded link), control
    characters and bidi overrides as visible escapes (line breaks kept)."""
    return _BRACKET.sub(r"\\\1", visible(text, keep="\t\n\r"))

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_NAME = "computefit/checkResourceHash/v1"


def _rule(cls) -> dict:
    doc = cls.doc()
    what = doc_sections(doc).get("What it does", "") or cls.summary
    return {
        "id": cls.id,
        "name": cls.name,
        "shortDescription": {"text": cls.summary},
        "fullDescription": {"text": plain_paragraph(what), "markdown": what},
        "help": {"text": doc or cls.summary, "markdown": doc or cls.summary},
        "helpUri": check_docs_url(cls.id),
        "defaultConfiguration": {"level": severity_name("sarif", cls.severity)},
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
    result.update(
        level=severity_name("sarif", finding.severity),
        message={
            "text": plain_message(finding.message),
            "markdown": f"{markdown_escape(finding.message)}\n\n**Fix:** {markdown_escape(finding.recommendation)}",
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
    note: dict = {"level": level, "message": {"text": plain_message(error.message)}}
    if is_file_path(error.file):
        note["locations"] = [{"physicalLocation": _physical_location(error.file, error.line)}]
    else:
        note["message"]["text"] = plain_message(f"{error.file}: {error.message}")
    return note


def to_dict(result, options) -> dict:
    from ..check import all_checks

    checks = list(all_checks().values())
    rule_index = {cls.id: i for i, cls in enumerate(checks)}
    suppressed = [f for f, _ in result.suppressed]
    everything = list(result.findings) + suppressed
    prints = fingerprints(everything)
    results = [_result(f, fp, rule_index) for f, fp in zip(everything, prints)]
    for res, (_, why) in zip(results[len(result.findings):], result.suppressed):
        res["suppressions"] = [{"kind": _suppression_kind(why), "justification": why}]
    invocation: dict = {"executionSuccessful": not result.errors}
    notes = [_notification(e) for e in result.errors]
    notes += [_notification(n, "note") for n in getattr(result, "notices", [])]
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "computefit",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": homepage_url(),
                "rules": [_rule(cls) for cls in checks],
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": working_directory_uri()}},
            "invocations": [invocation],
            "results": results,
        }],
    }


def render(result, options) -> str:
    return json_text(to_dict(result, options), indent=2)
