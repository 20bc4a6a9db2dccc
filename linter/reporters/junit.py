"""JUnit XML, for CI servers that show test reports (GitLab ``artifacts:reports:junit``, Jenkins
``junit``, Azure Pipelines, CircleCI).

Layout::

    <testsuites name="computefit" tests failures errors skipped time>
      <testsuite name="CF201 lambda-near-timeout-limit" tests failures errors skipped time>
        <testcase classname="FILE.CF201" name="CF201 RESOURCE" file="FILE" time="0">
          <failure message="MESSAGE" type="warning">FILE:LINE MESSAGE + resource, fix, costs</failure>
        </testcase>
        <testcase classname="FILE.CF201" name="CF201 OTHER" file="FILE" time="0"/>   checked, passed
        <testcase classname="computefit" name="CF101 (no findings)" .../>   ran, nothing to check
      </testsuite>
      <testsuite name="computefit file errors">
        <testcase classname="FILE.parse" name="parse FILE"><error message type="FileError">...</error>...
      </testsuite>
      <testsuite name="computefit notices">            what was not read (outside the read boundary)
        <testcase classname="FILE.notice" name="not read: FILE:LINE"><skipped message>...</skipped>...
      </testsuite>
    </testsuites>

One testsuite per check that ran, one testcase per check, file and resource, one ``<failure>`` per
finding (``type`` = its severity). Every other resource the check examined (its ``kinds`` of
compute unit in the model) is a passing testcase, as checkov lists passed checks, so the report
shows what was checked and not only what failed. The ``classname`` is the file, then a dot and
the check ID: Jenkins splits a classname at its last dot into package and class, so the package
is the file (not the file name without its extension) and the class the check. A finding below ``--fail-on`` is not a failure: its testcase
passes and the finding is in its ``<system-out>``, so the report agrees with the exit code (an info
finding never fails a build by default; Jenkins would otherwise mark the build unstable). Suppressed
findings, when shown, are ``<skipped>`` testcases named ``... (suppressed)``.

What the consumers read:

- GitLab: testcase ``classname`` (shown as the suite), ``name``, ``file``, ``time``; the *content*
  of ``failure``/``error``/``skipped``; testcase ``system-out``/``system-err``. It ignores the
  ``message`` and ``type`` attributes and the testsuite name, and keeps only the first of
  several testcases with the same classname and name; hence the body repeats the message and the
  names are unique.
- Jenkins: testsuite ``name``; testcase ``classname`` (split at its last dot into package and
  class: ``dir/template.yaml.CF201`` shows as package ``dir/template.yaml``, class ``CF201``), ``name``,
  ``time``; ``failure``/``error`` ``message``, ``type`` and content; ``skipped``; ``system-out``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby
from operator import attrgetter

from ..config import fails
from ..lazyre import LazyPattern as _lazy
from .common import is_file_path, report_path, visible
from .text import finding_details

#: Characters XML 1.0 cannot carry (control characters other than tab, LF, CR).
_NOT_XML = _lazy("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text) -> str:
    """Text XML can carry and a CI page shows as it reads: bidi overrides and surrogates (a lone
    ``\\ud800``, an undecodable file name's bytes) as visible escapes, then what XML 1.0 cannot
    carry (other control characters) as U+FFFD."""
    return _NOT_XML.sub("\ufffd", visible(text, controls=False))


def _body(f) -> str:
    where = f"{report_path(f.location.file)}:{f.location.line}" if f.location.line else report_path(f.location.file)
    return "\n".join([f"{where}: {f.check_id} {f.severity}: {f.message}", *finding_details(f)])


def _case_key(f) -> tuple[str, str]:
    return report_path(f.location.file), f.resource


class _Suite:
    def __init__(self, parent: ET.Element, name: str) -> None:
        self.el = ET.SubElement(parent, "testsuite", name=_x(name))
        self.counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}

    def case(self, classname: str, name: str, file: str | None = None) -> ET.Element:
        self.counts["tests"] += 1
        attrs = {"classname": _x(classname), "name": _x(name)}
        if file:
            attrs["file"] = _x(file)
        attrs["time"] = "0"
        return ET.SubElement(self.el, "testcase", attrs)

    def outcome(self, case: ET.Element, tag: str, message: str, text: str, type_: str | None = None):
        self.counts[{"failure": "failures", "error": "errors", "skipped": "skipped"}[tag]] += 1
        attrs = {"message": _x(message)}
        if type_:
            attrs["type"] = type_
        ET.SubElement(case, tag, attrs).text = _x(text)

    def close(self) -> dict[str, int]:
        for k, v in self.counts.items():
            self.el.set(k, str(v))
        self.el.set("time", "0")
        return self.counts


def _passed(result, check_cls, reported: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """(file, resource) of each resource of the check's kinds that has no finding of it."""
    if check_cls is None or not check_cls.kinds:
        return []
    out = set()
    for unit in result.model.units_of(*check_cls.kinds):
        key = (report_path(unit.location.file), unit.name)
        if key not in reported:
            out.add(key)
    return sorted(out)


def to_element(result, options) -> ET.Element:
    from ..check import all_checks

    registry = all_checks()
    root = ET.Element("testsuites", name="computefit")
    shown_suppressed = result.suppressed if options.show_suppressed else []
    ran = list(dict.fromkeys(
        list(result.checks) + [f.check_id for f in result.findings]
        + [f.check_id for f, _ in shown_suppressed]
    ))
    suites = []
    for check_id in sorted(ran):
        cls = registry.get(check_id)
        suite = _Suite(root, f"{check_id} {cls.name}" if cls else check_id)
        suites.append(suite)
        own = [f for f in result.findings if f.check_id == check_id]
        for (file, resource), group in groupby(sorted(own, key=_case_key), key=_case_key):
            case = suite.case(f"{file}.{check_id}", f"{check_id} {resource}", file)
            below = []
            for f in group:
                if fails(f.severity, options.fail_on):
                    suite.outcome(case, "failure", f.message, _body(f), f.severity)
                else:
                    below.append(f"below --fail-on {options.fail_on}: {_body(f)}")
            if below:
                ET.SubElement(case, "system-out").text = _x("\n\n".join(below))
        for f, why in shown_suppressed:
            if f.check_id == check_id:
                file = report_path(f.location.file)
                case = suite.case(f"{file}.{check_id}", f"{check_id} {f.resource} (suppressed)", file)
                suite.outcome(case, "skipped", f"suppressed: {why}", f"suppressed: {why}\n{_body(f)}")
        mine = own + [f for f, _ in result.suppressed if f.check_id == check_id]
        reported = {(report_path(f.resource_at.file), f.resource) for f in mine}
        passed = _passed(result, cls, reported) if check_id in result.checks else []
        for file, resource in passed:
            suite.case(f"{file}.{check_id}", f"{check_id} {resource}", file)
        if not own and not passed and not any(f.check_id == check_id for f, _ in shown_suppressed):
            suite.case("computefit", f"{check_id} (no findings)")
    if result.errors:
        suite = _Suite(root, "computefit file errors")
        suites.append(suite)
        by_file = attrgetter("file")
        for file, errors in groupby(sorted(result.errors, key=by_file), key=by_file):
            path = report_path(file) if is_file_path(file) else file
            case = suite.case(f"{path}.parse", f"parse {path}", path if is_file_path(file) else None)
            for e in errors:
                where = f"{path}:{e.line}" if e.line else path
                suite.outcome(case, "error", e.message, f"{where}: {e.message}", "FileError")
    notices = getattr(result, "notices", [])
    if notices:  # what was not read: skipped, so a notice never fails the build
        suite = _Suite(root, "computefit notices")
        suites.append(suite)
        for n in notices:
            path = report_path(n.file)
            where = f"{path}:{n.line}" if n.line else path
            case = suite.case(f"{path}.notice", f"not read: {where}", path)
            text = f"{where}: {n.message}" + "".join(  # a grouped notice: each one it stands for
                f"\n{report_path(i.file)}{f':{i.line}' if i.line else ''}: {i.message}" for i in n.items)
            suite.outcome(case, "skipped", n.message, text)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        for k, v in suite.close().items():
            totals[k] += v
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", "0")
    return root


def render(result, options) -> str:
    root = to_element(result, options)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
