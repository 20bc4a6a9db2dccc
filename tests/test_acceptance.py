"""Acceptance tests for CF101-CF103, CF201-CF206, CF301-CF304, CF401-CF403, CF502 (and issue 12's
CF501, CF503 and costs), written from the specification only.

Every folder under tests/acceptance/ is one realistic case: CloudFormation / SAM / CDK templates or
a Terraform root folder, plus an ``expected.json``::

    {"description": "...",
     "findings": [{"check_id": "CF301", "resource": "OrdersApi", "severity": "warning", "line": 42}]}

The scan must report exactly the listed findings of these checks (no more, no fewer). ``line``
is given only where the specification fixes it (CF201: the line that set the timeout); when an
expectation also names a ``file`` (relative to the case folder), the finding must be in that file.
An expectation may list ``mentions``: regular expressions its message or recommendation must match
(what the specification says the finding states, such as CF101's hours for a part-time host).

Optional top-level keys:

- ``select``: opt-in checks (off by default, such as CF502) the case turns on;
- ``costs``: ``{resource: {rule: value}}``, issue 12's "honest figures" for every finding on that
  resource with costs: ``max_concurrency`` N (no "R runs/month x S s" line bills more than 730 h x
  N), ``volume_unknown`` true (the runs per month are not in the source: no option prints
  $0.00/month and a line gives the cost per 1,000 runs), ``min_runs_per_month`` N (every trigger
  counts: no current-model line prices fewer runs than the schedule gives), ``fargate``
  ("V vCPU / M GB": the Fargate size the stated sizing rule gives), ``current_priced`` true (an
  instance type of the families issue 12 puts on file has a current-model price).

Whatever the case, every Fargate size named in a cost line must be one Fargate offers.

Issue 8 keys (a case with any of them is scanned through the CLI, ``computefit scan --format json``,
as a user runs it):

- ``scan``: the path to scan, relative to the case folder (default: the case folder);
- ``options``: more ``computefit scan`` arguments (``--var-file``, ``--parameter``,
  ``--sam-config-env`` ...); ``{case}`` in an argument is replaced by the case folder's path;
- ``env``: environment variables for the scan (``TF_VAR_name``);
- ``notices``: regular expressions, each of which some notice of the report must match (a remote
  module listed as not followed);
- per finding, ``evidence``: regular expressions its JSON evidence must match (``prod.tfvars:4``);
  ``confidence``: the confidences it may have (``["medium", "low"]``); ``construct_path``: the CDK
  construct path the report names beside the logical ID;
- ``any_cwd``: true when the case is also scanned from the repository root, the folder above it and
  /tmp with an absolute path, which must give identical findings (issue 8, "Done when").

Issue 12 keys (costs a FinOps reviewer would sign; dollar figures are worked out by hand from AWS's
published unit prices, the arithmetic in the case's description):

- more ``costs`` rules: ``current_usd`` (the current-model line's monthly figure, to the cent),
  ``per_1000_runs_usd`` (its cost per 1,000 runs when the volume is unknown), ``from_usage_file``
  (regular expressions, e.g. ``infracost-usage\\.yml:12``, each matched by some cost line: the line
  says it came from the usage file), ``cost_lines`` (the same for any text), ``region`` (the region
  priced) and ``usage`` (``known`` / ``assumed``); a case with CLI keys is priced through the CLI,
  so ``options`` can pass ``--usage-file {case}/infracost-usage.yml``;
- ``reports``: ``{"text"|"markdown": [patterns]}`` the report must match (the totals), and every
  finding with costs must carry ``current``, ``cheapest_alternative`` and ``monthly_saving``;
- ``costs_command``: ``computefit costs PATH --format json`` (with its ``options``) must have the
  issue's exact shape, price every resource two ways or more with the current model first, and give
  each listed resource its ``current_usd`` / ``resource_type`` / ``mentions``;
- ``usage_init``: ``computefit usage PATH --init FILE`` must list ``resources`` under
  ``resource_usage`` and none of ``absent``;
- ``usage_error``: the scan with these ``options`` exits 2 and its output matches ``output``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parent.parent
CASES_DIR = Path(__file__).resolve().parent / "acceptance"
CHECKS = (
    "CF101", "CF102", "CF103", "CF201", "CF202", "CF203", "CF204", "CF205", "CF206",
    "CF301", "CF302", "CF303", "CF304", "CF401", "CF402", "CF403",
)
#: checks that are off by default: a case turns them on with ``"select"``
OPT_IN = ("CF502",)
#: issue 12's new checks, still on another helper's branch: a case names them in ``select`` (they
#: are on by default once they exist; until then every case selecting them is a known bug)
PENDING = ("CF501", "CF503")
SEVERITIES = {"info", "warning", "error"}


def _case_names() -> list[str]:
    return sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir() and (p / "expected.json").is_file())


CASES = _case_names()

#: Cases whose expectation stands but the implementation is known to get wrong: each names the
#: bug. strict, so the case fails loudly once the bug is fixed and the entry must go.
#: case -> the bug that makes it fail (the case is then a strict xfail, so the fix must remove it)
_NO_CF501 = "CF501 steady-high-volume-lambda (issue 12 item 6) is not on main: `--select CF501` is an unknown check"
_NO_CF503 = "CF503 low-traffic-api-on-always-on-server (issue 12 item 8) is not on main: `--select CF503` is an unknown check"
KNOWN_BUGS: dict[str, str] = {
}

_USAGE_NOT_KNOWN = ("costs.usage is 'assumed' (and the totals say 'all of it on assumed usage') though every volume "
                    "comes from the code and the usage file (README: known when both rest only on those)")

_NESTED_KEY = ("a usage-file entry keyed by the nested stack's resource as findings name it ('Workers/Worker') is "
               "rejected as 'neither a Terraform address nor a logical ID' (issue 12: stack-qualified IDs)")

#: The same for the cost expectations: ``case`` for its Fargate sizes, ``case:resource:rule`` for
#: one rule of its ``costs``.
KNOWN_COST_BUGS: dict[str, str] = {
}


def _judged_cases(known: dict[str, str] = KNOWN_BUGS) -> list:
    return [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=known[c])) if c in known
            else c for c in CASES]


def _load_expected(case: str) -> dict:
    return json.loads((CASES_DIR / case / "expected.json").read_text(encoding="utf-8"))


def _severity(value) -> str:
    return str(getattr(value, "value", value)).lower()


def _same_file(reported: str, case: str, expected_file: str) -> bool:
    want = (CASES_DIR / case / expected_file).resolve()
    got = Path(reported)
    return (got if got.is_absolute() else (REPO / got)).resolve() == want


def _actual_key(finding, expectation: dict | None, case: str) -> tuple:
    """Key of a reported finding, shaped like the expectation it is compared with."""
    key = (finding.check_id, finding.resource, _severity(finding.severity))
    if expectation is None:
        return key + (finding.location.line, finding.location.file)
    if "line" in expectation:
        key += (finding.location.line,)
    if "file" in expectation:
        key += (expectation["file"] if _same_file(finding.location.file, case, expectation["file"])
                else finding.location.file,)
    return key


def _expected_key(expectation: dict) -> tuple:
    key = (expectation["check_id"], expectation["resource"], expectation["severity"])
    if "line" in expectation:
        key += (expectation["line"],)
    if "file" in expectation:
        key += (expectation["file"],)
    return key


def test_cases_are_present():
    assert len(CASES) >= 10, CASES
    assert set(KNOWN_BUGS) <= set(CASES), set(KNOWN_BUGS) - set(CASES)
    rules = {f"{c}:{r}:{k}" for c in CASES for r, ks in _load_expected(c).get("costs", {}).items() for k in ks}
    assert set(KNOWN_COST_BUGS) <= set(CASES) | rules, set(KNOWN_COST_BUGS) - set(CASES) - rules


@pytest.mark.parametrize("case", CASES)
def test_expected_json_is_well_formed(case):
    expected = _load_expected(case)
    assert {"description", "findings"} <= set(expected) <= {
        "description", "findings", "select", "costs", *CLI_KEYS, "any_cwd", "usage_error"}
    for fmt, patterns in expected.get("reports", {}).items():
        assert fmt in ("text", "markdown") and patterns, fmt
        for pattern in patterns:
            re.compile(pattern)
    if "costs_command" in expected:
        assert set(expected["costs_command"]) <= {"options", "resources", "region"}, expected["costs_command"]
        for rules in expected["costs_command"]["resources"].values():
            assert set(rules) <= {"current_usd", "resource_type", "mentions"}, rules
    if "usage_init" in expected:
        assert set(expected["usage_init"]) <= {"resources", "absent"}, expected["usage_init"]
    assert all(isinstance(a, str) for a in expected.get("options", []))
    assert all(k.startswith("TF_VAR_") or k.startswith("AWS_") for k in expected.get("env", {}))
    assert (CASES_DIR / case / expected.get("scan", ".")).exists()
    for pattern in expected.get("notices", []):
        re.compile(pattern)
    assert expected["description"].strip()
    assert set(expected.get("select", [])) <= set(OPT_IN + PENDING)
    pairs = [(item.get("check_id"), item.get("resource")) for item in expected["findings"]]
    assert len(pairs) == len(set(pairs)), "one expectation per (check, resource)"
    for item in expected["findings"]:
        assert {"check_id", "resource", "severity"} <= set(item) <= {
            "check_id", "resource", "severity", "line", "file", "mentions", "evidence", "confidence",
            "construct_path"}
        assert set(item.get("confidence", [])) <= {"high", "medium", "low"}
        for pattern in item.get("evidence", []):
            re.compile(pattern)
        assert item["check_id"] in CHECKS + tuple(expected.get("select", []))
        assert item["severity"] in SEVERITIES
        if "line" in item:
            assert isinstance(item["line"], int) and item["line"] > 0
        if "file" in item:
            assert (CASES_DIR / case / item["file"]).is_file()
        for pattern in item.get("mentions", []):
            re.compile(pattern)
    flagged = {resource for _, resource in pairs}
    for resource, rules in expected.get("costs", {}).items():
        assert resource in flagged, f"costs for {resource}, which no expected finding names"
        assert rules and set(rules) <= set(COST_RULES), rules
        for pattern in rules.get("from_usage_file", []) + rules.get("cost_lines", []):
            re.compile(pattern)
        if "fargate" in rules:
            assert _valid_fargate(*_fargate_size(rules["fargate"])), rules["fargate"]


#: expected.json keys that make a case run through the CLI
CLI_KEYS = ("scan", "options", "env", "notices", "reports", "costs_command", "usage_init")
#: the rules a case's ``costs`` may give for a resource
COST_RULES = ("max_concurrency", "volume_unknown", "fargate", "min_runs_per_month", "current_priced",
              "current_usd", "from_usage_file", "region", "usage", "cost_lines", "per_1000_runs_usd")


def _cli_args(case: str, base: str) -> list[str]:
    """``computefit scan`` arguments for a case, with the case folder spelled as ``base``."""
    expected = _load_expected(case)
    target = expected.get("scan", ".")
    path = base if target == "." else f"{base}/{target}"
    return [path] + [a.replace("{case}", base) for a in expected.get("options", [])]


def _cli_scan(case: str, monkeypatch, cwd: Path = REPO, base: str | None = None) -> dict:
    """Run ``computefit scan --format json`` on a case from ``cwd``; the parsed report."""
    from click.testing import CliRunner

    from computefit.cli import main

    expected = _load_expected(case)
    selected = CHECKS + tuple(expected.get("select", []))
    monkeypatch.chdir(cwd)
    for name in [n for n in os.environ if n.startswith("TF_VAR_")]:
        monkeypatch.delenv(name)
    for name, value in expected.get("env", {}).items():
        monkeypatch.setenv(name, value)
    base = base or f"tests/acceptance/{case}"
    args = ["scan", *_cli_args(case, base), "--format", "json", "--select", ",".join(selected),
            "--fail-on", "never", "-j", "1"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, f"computefit {' '.join(args)} exited {result.exit_code}: {result.output}"
    return json.loads(result.output)


def _as_finding(item: dict, cwd: Path = REPO):
    file = item["file"] if Path(item["file"]).is_absolute() else str((cwd / item["file"]).resolve())
    return SimpleNamespace(check_id=item["check_id"], resource=item["resource"], severity=item["severity"],
                           location=SimpleNamespace(file=file, line=item["line"]), message=item["message"],
                           recommendation=item.get("recommendation") or "", evidence=item.get("evidence") or {},
                           confidence=item.get("confidence"), construct_path=item.get("construct_path"),
                           to_dict=lambda: item)


def _scan(case: str, monkeypatch):
    from computefit.config import Config
    from computefit.runner import scan

    expected = _load_expected(case)
    if set(CLI_KEYS) & set(expected):
        report = _cli_scan(case, monkeypatch)
        assert report["errors"] == [], f"file errors while scanning {case}: {report['errors']}"
        notices = [json.dumps(n) for n in report.get("notices", [])]
        unseen = [p for p in expected.get("notices", []) if not any(re.search(p, n) for n in notices)]
        assert not unseen, f"case {case}: no notice matches {unseen}; notices: {notices}"
        return expected, [_as_finding(f) for f in report["findings"]]
    selected = CHECKS + tuple(expected.get("select", []))
    monkeypatch.chdir(REPO)
    result = scan([f"tests/acceptance/{case}"], Config(select=selected))
    assert list(result.errors) == [], f"file errors while scanning {case}: {result.errors}"
    return expected, [f for f in result.findings if f.check_id in selected]


@pytest.mark.parametrize("case", _judged_cases())
def test_acceptance_case(case, monkeypatch):
    expected, findings = _scan(case, monkeypatch)
    # Match each reported finding with the expectation for the same check and resource, so the
    # key has the same shape (line / file only where the expectation gives them).
    by_id = {(e["check_id"], e["resource"]): e for e in expected["findings"]}
    actual = {
        _actual_key(f, by_id.get((f.check_id, f.resource)), case) for f in findings
    }
    wanted = {_expected_key(e) for e in expected["findings"]}

    missing = wanted - actual
    unexpected = actual - wanted
    unsaid = [
        f"  {f.check_id} {f.resource}: neither message nor recommendation matches {pattern!r}: {f.message}"
        for f in findings
        for pattern in by_id.get((f.check_id, f.resource), {}).get("mentions", [])
        if not re.search(pattern, f"{f.message}\n{f.recommendation}")
    ] + [
        f"  {f.check_id} {f.resource}: evidence does not match {pattern!r}: {json.dumps(f.evidence)}"
        for f in findings
        for pattern in by_id.get((f.check_id, f.resource), {}).get("evidence", [])
        if not re.search(pattern, json.dumps(getattr(f, "evidence", None) or {}))
    ] + [
        f"  {f.check_id} {f.resource}: confidence {getattr(f, 'confidence', None)}, expected one of {want}"
        for f in findings
        if (want := by_id.get((f.check_id, f.resource), {}).get("confidence"))
        and _severity(getattr(f, "confidence", None)) not in want
    ] + [
        f"  {f.check_id} {f.resource}: construct path {getattr(f, 'construct_path', None)!r}, expected {want!r}"
        for f in findings
        if (want := by_id.get((f.check_id, f.resource), {}).get("construct_path"))
        and getattr(f, "construct_path", None) != want
    ]
    report = "\n".join(
        [f"case {case}: {expected['description']}"]
        + [f"  missing:    {k}" for k in sorted(missing, key=str)]
        + [f"  unexpected: {k}" for k in sorted(unexpected, key=str)]
        + unsaid
        + [f"  reported:   {f.check_id} {f.resource} {_severity(f.severity)} "
           f"{f.location.file}:{f.location.line} - {getattr(f, 'message', '')}" for f in findings]
    )
    assert actual == wanted and not unsaid, report


# --- the working directory (issue 8, item 1) --------------------------------------------------

def _located(report: dict, cwd: Path) -> set[tuple]:
    return {(f.check_id, f.resource, f.severity, f.location.file, f.location.line)
            for f in map(lambda item: _as_finding(item, cwd), report["findings"])}


@pytest.mark.parametrize("case", [c for c in CASES if _load_expected(c).get("any_cwd")])
def test_acceptance_case_same_from_any_working_directory(case, monkeypatch, tmp_path):
    """The repository root, the folder above it and /tmp with an absolute path give one report."""
    case_dir = CASES_DIR / case
    runs = {
        "repository root": (REPO, f"tests/acceptance/{case}"),
        "folder above": (REPO.parent, f"{REPO.name}/tests/acceptance/{case}"),
        "/tmp, absolute path": (Path("/tmp"), str(case_dir)),
    }
    reports = {name: _cli_scan(case, monkeypatch, cwd, base) for name, (cwd, base) in runs.items()}
    located = {name: _located(r, runs[name][0]) for name, r in reports.items()}
    assert located["repository root"], f"case {case}: no findings to compare"
    for name in ("folder above", "/tmp, absolute path"):
        assert located[name] == located["repository root"], (
            f"case {case} from {name}: {sorted(located[name] ^ located['repository root'], key=str)}")
        assert len(reports[name].get("notices", [])) == len(reports["repository root"].get("notices", [])), name


# --- costs (issue 12, "Wrong or impossible figures" and "Honest figures") ---------------------

_FARGATE_SIZE = re.compile(r"(\d+(?:\.\d+)?) vCPU / (\d+(?:\.\d+)?) GB")
_RUNS = re.compile(r"([\d,]+(?:\.\d+)?) runs/month x ([\d,]+(?:\.\d+)?) s\b")


def _fargate_size(text: str) -> tuple[float, float]:
    vcpu, gb = _FARGATE_SIZE.search(text).groups()
    return float(vcpu), float(gb)


def _valid_fargate(vcpu: float, gb: float) -> bool:
    """The task sizes Fargate offers (memory in GB per vCPU size), from
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html"""
    if vcpu == 0.25:
        return gb in (0.5, 1, 2)
    if vcpu == 0.5:
        return gb in (1, 2, 3, 4)
    if vcpu == 1:
        return gb in range(2, 9)
    if vcpu == 2:
        return gb in range(4, 17)
    if vcpu == 4:
        return gb in range(8, 31)
    if vcpu == 8:
        return gb in range(16, 61, 4)
    if vcpu == 16:
        return gb in range(32, 121, 8)
    return False


def _cost_lines(finding) -> list[tuple[str, float | None, list[str]]]:
    costs = finding.to_dict().get("costs") or {}
    return [(o["option"], o["monthly_usd"], list(o["assumptions"])) for o in costs.get("options", [])]


def _fargate_sizes_named(finding) -> list[tuple[float, float]]:
    sizes = []
    for option, _, assumptions in _cost_lines(finding):
        for text in [option] + assumptions:
            if "Fargate" in option or "Fargate" in text or "ECS" in option:
                sizes += [(float(v), float(g)) for v, g in _FARGATE_SIZE.findall(text)]
    return sizes


def _per_n(finding, lines) -> bool:
    """A cost per 1,000 (or per million) runs, or a figure priced for that many and said to scale."""
    per = re.compile(r"(per|priced for) (1,000|1,000,000|thousand|million)\b")
    return any(per.search(text) for option, _, assumptions in lines
               for text in [option, finding.message] + assumptions)


def _rule_problems(rule: str, want, finding) -> list[str]:
    """What breaks one cost expectation of issue 12 in one finding's cost lines."""
    where = f"{finding.check_id} {finding.resource}"
    lines = _cost_lines(finding)
    if not lines:
        return [f"{where}: no cost lines"]
    problems = []
    if rule == "max_concurrency":
        cap = 730 * 3600 * want
        for option, _, assumptions in lines:
            for runs, seconds in (m for a in assumptions for m in _RUNS.findall(a)):
                billed = float(runs.replace(",", "")) * float(seconds.replace(",", ""))
                if billed > cap:
                    problems.append(f"{where}: {option!r} bills {billed / 3600:,.0f} h in a month, above "
                                    f"730 h x {want} concurrent")
    elif rule == "volume_unknown":
        problems += [f"{where}: {option!r} prints ${usd:.2f}/month for an unknown volume"
                     for option, usd, _ in lines if usd is not None and round(usd, 2) == 0]
        if not _per_n(finding, lines):
            problems.append(f"{where}: runs per month unknown, but no line gives the cost per 1,000 runs")
    elif rule == "min_runs_per_month":
        for option, _, assumptions in lines:
            if not option.startswith("current"):
                continue
            # a line capped by reserved concurrency (issue 12: upper bounds never exceed 730 h x
            # the reserved concurrency) may price fewer runs than the triggers give, when it says so
            capped = any(a.startswith("capped at ") and "reserved concurrency" in a for a in assumptions)
            for runs, _seconds in (m for a in assumptions for m in _RUNS.findall(a)):
                if float(runs.replace(",", "")) < want and not capped:
                    problems.append(f"{where}: {option!r} prices {runs} runs/month; its triggers give at "
                                    f"least {want:,}")
    elif rule == "current_priced":
        problems += [f"{where}: {option!r} has no price" for option, usd, _ in lines
                     if option.startswith("current") and usd is None]
    elif rule == "current_usd":
        current = [(option, usd) for option, usd, _ in lines if option.startswith("current")]
        if not current:
            problems.append(f"{where}: no current-model line")
        problems += [f"{where}: {option!r} is ${usd}/month, expected ${want:,.2f} (by hand)"
                     for option, usd in current if usd is None or abs(usd - want) > 0.005]
    elif rule in ("from_usage_file", "cost_lines"):
        texts = [text for option, _, assumptions in lines for text in [option] + assumptions]
        said = "says it came from the usage file" if rule == "from_usage_file" else "matches"
        problems += [f"{where}: no cost line {said} ({pattern!r}): {texts}"
                     for pattern in want if not any(re.search(pattern, t) for t in texts)]
    elif rule == "per_1000_runs_usd":
        options = (finding.to_dict().get("costs") or {}).get("options", [])
        current = [o for o in options if o["option"].startswith("current")]
        problems += [f"{where}: {o['option']!r} per_1000_runs_usd {o.get('per_1000_runs_usd')}, expected "
                     f"${want:,.2f} (by hand)" for o in current
                     if o.get("per_1000_runs_usd") is None or abs(o["per_1000_runs_usd"] - want) > 0.005]
        if not current:
            problems.append(f"{where}: no current-model line")
    elif rule == "usage":
        costs = finding.to_dict().get("costs") or {}
        if costs.get("usage") != want:
            problems.append(f"{where}: usage {costs.get('usage')!r}, expected {want!r} (volumes from "
                            f"the code and the usage file are known usage)")
    elif rule == "region":
        costs = finding.to_dict().get("costs") or {}
        if costs.get("region") != want:
            problems.append(f"{where}: priced in {costs.get('region')!r} ({costs.get('region_from')}), "
                            f"expected {want!r}")
    elif rule == "fargate":
        named = set(_fargate_sizes_named(finding))
        if named and named != {_fargate_size(want)}:
            problems.append(f"{where}: Fargate sizes {sorted(named)}, expected {_fargate_size(want)}")
    return problems


def _scan_for_costs(case: str, monkeypatch):
    from computefit.config import Config
    from computefit.runner import scan

    expected = _load_expected(case)
    if set(CLI_KEYS) & set(expected):
        return expected, [_as_finding(f) for f in _cli_scan(case, monkeypatch)["findings"]]
    monkeypatch.chdir(REPO)
    selected = CHECKS + tuple(expected.get("select", []))
    return expected, [f for f in scan([f"tests/acceptance/{case}"], Config(select=selected)).findings
                      if f.check_id in selected]


@pytest.mark.parametrize("case", _judged_cases(KNOWN_COST_BUGS))
def test_acceptance_fargate_sizes_are_valid(case, monkeypatch):
    """Issue 12: every Fargate size named in a cost line is one Fargate offers."""
    _, findings = _scan_for_costs(case, monkeypatch)
    problems = [f"{f.check_id} {f.resource}: {vcpu:g} vCPU / {gb:g} GB is not a Fargate size"
                for f in findings for vcpu, gb in _fargate_sizes_named(f) if not _valid_fargate(vcpu, gb)]
    assert not problems, "\n".join([f"case {case}:"] + problems)


_UNOPENABLE = re.compile(r"(?i)knowledge base|knowledge\.md|section \d+\.\d+")


@pytest.mark.parametrize("case", _judged_cases(KNOWN_COST_BUGS))
def test_acceptance_cost_sources_can_be_opened(case, monkeypatch):
    """Issue 12 'Sources users cannot open': no cost line cites a document that is not in the
    repository (``knowledge base section 3.2``); sources are URLs or files a user can open."""
    _, findings = _scan_for_costs(case, monkeypatch)
    problems = [f"{f.check_id} {f.resource}: {text!r}" for f in findings for option, _, assumptions in _cost_lines(f)
                for text in [option, *assumptions] if _UNOPENABLE.search(text)]
    assert not problems, "\n".join([f"case {case}:"] + problems)


def _cost_rules() -> list:
    params = []
    for case in CASES:
        for resource, rules in _load_expected(case).get("costs", {}).items():
            for rule, want in rules.items():
                key = f"{case}:{resource}:{rule}"
                marks = [pytest.mark.xfail(strict=True, reason=KNOWN_COST_BUGS[key])] if key in KNOWN_COST_BUGS else []
                params.append(pytest.param(case, resource, rule, want, id=key, marks=marks))
    return params


@pytest.mark.parametrize("case,resource,rule,want", _cost_rules())
def test_acceptance_cost_rule(case, resource, rule, want, monkeypatch):
    """Issue 12's honest figures, one expectation of one resource at a time."""
    _, findings = _scan_for_costs(case, monkeypatch)
    mine = [f for f in findings if f.resource == resource]
    assert mine, f"case {case}: no finding on {resource}"
    problems = [p for f in mine if f.to_dict().get("costs") for p in _rule_problems(rule, want, f)]
    assert any(f.to_dict().get("costs") for f in mine), f"case {case}: no costs on {resource}"
    if rule == "fargate":
        assert any(_fargate_sizes_named(f) for f in mine), f"case {case}: no Fargate size named for {resource}"
    assert not problems, "\n".join([f"case {case}:"] + problems)


# --- issue 12: report totals, `computefit costs`, `computefit usage --init` ----------------------

def _cli(args: list[str], monkeypatch, env: dict | None = None) -> str:
    from click.testing import CliRunner

    from computefit.cli import main

    monkeypatch.chdir(REPO)
    for name in [n for n in os.environ if n.startswith(("TF_VAR_", "AWS_REGION", "AWS_DEFAULT_REGION"))]:
        monkeypatch.delenv(name)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code in (0, 1), f"computefit {' '.join(args)} exited {result.exit_code}: {result.output}"
    return result.output


def _judged(cases: list[str], known: dict[str, str]) -> list:
    return [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=known[c])) if c in known else c
            for c in cases]


#: ``case:what`` (``reports``, ``totals``, ``costs_command``, ``usage_init``) -> the bug
KNOWN_COMMAND_BUGS: dict[str, str] = {
}


def _command_cases(key: str) -> list:
    cases = [c for c in CASES if key in _load_expected(c)]
    return [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=KNOWN_COMMAND_BUGS[f"{c}:{key}"]))
            if f"{c}:{key}" in KNOWN_COMMAND_BUGS else c for c in cases]


@pytest.mark.parametrize("case", _command_cases("reports"))
def test_acceptance_report_totals(case, monkeypatch):
    """Issue 12 item 5: each finding with costs carries current, cheapest alternative and the saving
    in the JSON report; the text and markdown reports end with totals (what ``reports`` names)."""
    expected = _load_expected(case)
    selected = CHECKS + tuple(expected.get("select", []))
    base = [*_cli_args(case, f"tests/acceptance/{case}"), "--select", ",".join(selected), "--fail-on", "never",
            "-j", "1"]
    report = json.loads(_cli(["scan", *base, "--format", "json"], monkeypatch, expected.get("env")))
    problems = []
    for f in report["findings"]:
        costs = f.get("costs")
        if not costs:
            continue
        where = f"{f['check_id']} {f['resource']}"
        if not {"current", "cheapest_alternative", "monthly_saving"} <= set(costs):
            problems.append(f"{where}: costs lack current / cheapest_alternative / monthly_saving: {sorted(costs)}")
            continue
        cur, alt, saving = costs["current"], costs["cheapest_alternative"], costs["monthly_saving"]
        if cur and alt and cur.get("monthly_usd") is not None and alt.get("monthly_usd") is not None:
            if saving is None or abs(saving - (cur["monthly_usd"] - alt["monthly_usd"])) > 0.011:
                problems.append(f"{where}: monthly_saving {saving} is not current {cur} minus cheapest {alt}")
    for fmt, patterns in expected["reports"].items():
        out = _cli(["scan", *base, "--format", fmt, "--no-color"], monkeypatch, expected.get("env"))
        problems += [f"{fmt} report does not match {p!r}" for p in patterns if not re.search(p, out)]
        if problems and fmt == "text":
            problems.append(out[-3000:])
    assert not problems, "\n".join([f"case {case}:"] + problems)


def _costs_shape_problems(doc: dict) -> list[str]:
    """What in a ``computefit costs --format json`` document departs from issue 12's shape: every
    resource priced both ways, the current model first."""
    problems = []
    if set(doc) != {"version", "currency", "region", "prices_as_of", "resources"}:
        problems.append(f"top-level keys {sorted(doc)}")
    if doc.get("version") != 1 or doc.get("currency") != "USD":
        problems.append(f"version {doc.get('version')!r}, currency {doc.get('currency')!r}")
    for r in doc.get("resources", []):
        if set(r) != {"resource", "resource_type", "file", "line", "options"}:
            problems.append(f"{r.get('resource')}: keys {sorted(r)}")
        options = r.get("options") or []
        if len(options) < 2:
            problems.append(f"{r.get('resource')}: priced one way only: {[o.get('option') for o in options]}")
        if not options or not str(options[0].get("option", "")).startswith("current"):
            problems.append(f"{r.get('resource')}: first option is not the current model")
        for o in options:
            if not {"option", "monthly_usd", "assumptions"} <= set(o):
                problems.append(f"{r.get('resource')}: option keys {sorted(o)}")
    return problems


#: the model kinds issue 12 item 4 calls compute resources
COMPUTE_KINDS = {"lambda_function", "ec2_instance", "autoscaling_group", "ecs_service"}


def test_acceptance_costs_command_prices_bundled_examples(monkeypatch):
    """Issue 12 'Done when': `computefit costs` prices every compute resource of the bundled examples
    both ways (the compute resources are what `computefit model` lists). By hand: ReportingHost
    m5.large 730 h x $0.096 = $70.08; aws_instance.invoice_batch t3.large 730 x $0.0832 = $60.74;
    aws_instance.web t3.small 730 x $0.0208 = $15.18; aws_lambda_function.reconcile arm64 2,048 MB,
    730 runs x 870 s x 2 GB = 1,270,200 GB-s x $0.0000133334 = $16.94."""
    model = json.loads(_cli(["model", "examples", "--format", "json"], monkeypatch))
    compute = {r["address"] for d in model["documents"] for r in d["resources"] if r.get("kind") in COMPUTE_KINDS}
    assert len(compute) >= 8, compute
    doc = json.loads(_cli(["costs", "examples", "--format", "json"], monkeypatch))
    problems = _costs_shape_problems(doc)
    priced = {r["resource"]: r for r in doc["resources"]}
    problems += [f"{name}: a compute resource of the examples, not priced" for name in sorted(compute - set(priced))]
    for name, usd in {"ReportingHost": 70.08, "aws_instance.invoice_batch": 60.74, "aws_instance.web": 15.18,
                      "aws_lambda_function.reconcile": 16.94}.items():
        got = priced.get(name, {}).get("options", [{}])[0].get("monthly_usd")
        if got is None or abs(got - usd) > 0.005:
            problems.append(f"{name}: current ${got}, expected ${usd} (by hand)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", _command_cases("costs_command"))
def test_acceptance_costs_command(case, monkeypatch):
    """Issue 12 item 4: ``computefit costs PATH --format json`` prices every compute resource both
    ways, with exactly the JSON shape the issue gives, current model first."""
    expected = _load_expected(case)
    want = expected["costs_command"]
    path = f"tests/acceptance/{case}/{expected.get('scan', '.')}".rstrip("/.")
    args = ["costs", path, *[a.replace("{case}", f"tests/acceptance/{case}") for a in want.get("options", [])],
            "--format", "json"]
    doc = json.loads(_cli(args, monkeypatch, expected.get("env")))
    problems = _costs_shape_problems(doc)
    if "region" in want and doc.get("region") != want["region"]:
        problems.append(f"region {doc.get('region')!r}, expected {want['region']!r}")
    by_name = {r.get("resource"): r for r in doc.get("resources", [])}
    for name, rules in want["resources"].items():
        r = by_name.get(name)
        if r is None:
            problems.append(f"{name}: not priced (resources: {sorted(by_name, key=str)})")
            continue
        if "resource_type" in rules and r["resource_type"] != rules["resource_type"]:
            problems.append(f"{name}: resource_type {r['resource_type']!r}")
        current = (r.get("options") or [{}])[0]
        if "current_usd" in rules and (current.get("monthly_usd") is None
                                       or abs(current["monthly_usd"] - rules["current_usd"]) > 0.005):
            problems.append(f"{name}: {current.get('option')!r} ${current.get('monthly_usd')}, expected "
                            f"${rules['current_usd']:,.2f}")
        texts = [t for o in r.get("options", []) for t in [o["option"], *o["assumptions"]]]
        problems += [f"{name}: no line matches {p!r}: {texts}" for p in rules.get("mentions", [])
                     if not any(re.search(p, t) for t in texts)]
    assert not problems, "\n".join([f"case {case}:"] + problems)


@pytest.mark.parametrize("case", _command_cases("usage_init"))
def test_acceptance_usage_init(case, monkeypatch, tmp_path):
    """Issue 12 item 1: ``computefit usage PATH --init FILE`` writes a usage file listing every
    resource a check could price (and, as infracost's format, only under ``resource_usage``)."""
    import yaml

    expected = _load_expected(case)
    want = expected["usage_init"]
    target = tmp_path / "infracost-usage.yml"
    path = f"tests/acceptance/{case}/{expected.get('scan', '.')}".rstrip("/.")
    _cli(["usage", path, "--init", str(target)], monkeypatch, expected.get("env"))
    doc = yaml.safe_load(target.read_text(encoding="utf-8"))
    problems = []
    if str(doc.get("version")) != "0.1":
        problems.append(f"version {doc.get('version')!r}")
    listed = set((doc.get("resource_usage") or {}))
    problems += [f"{name} not listed (listed: {sorted(listed)})" for name in want["resources"] if name not in listed]
    problems += [f"{name} listed, but no check could price it" for name in want.get("absent", []) if name in listed]
    assert not problems, "\n".join([f"case {case}:"] + problems + [target.read_text(encoding="utf-8")])


@pytest.mark.parametrize("case", _command_cases("usage_error"))
def test_acceptance_usage_file_error(case, monkeypatch):
    """README 'Usage files': a usage file that cannot be read stops the run with exit code 2 and a
    message naming the file and the line (no traceback)."""
    from click.testing import CliRunner

    from computefit.cli import main

    want = _load_expected(case)["usage_error"]
    monkeypatch.chdir(REPO)
    args = ["scan", f"tests/acceptance/{case}", *[a.replace("{case}", f"tests/acceptance/{case}") for a in want["options"]],
            "--format", "json"]
    result = CliRunner().invoke(main, args)
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2, f"exit {result.exit_code}: {text}"
    assert "Traceback" not in text
    unsaid = [p for p in want["output"] if not re.search(p, text)]
    assert not unsaid, f"case {case}: output does not match {unsaid}: {text}"


# --- issue 12 'Done when', second bullet: the corpus scan ---------------------------------------

CORPUS = REPO.parent / "shared" / "corpus" / "files"
_RESERVED = re.compile(r"reserved concurrency (\d+)")


def _corpus_cost_problems(report: dict) -> list[str]:
    """No $0.00 for an unknown volume, no invalid Fargate size, no upper bound above 730 h per
    environment of reserved concurrency, in every finding's cost lines."""
    problems = []
    for item in report["findings"]:
        f = _as_finding(item)
        where = f"{f.check_id} {f.resource} ({item['file']}:{item['line']})"
        lines = _cost_lines(f)
        problems += [f"{where}: {vcpu:g} vCPU / {gb:g} GB is not a Fargate size"
                     for vcpu, gb in _fargate_sizes_named(f) if not _valid_fargate(vcpu, gb)]
        problems += [f"{where}: cites {text!r}, which no user can open" for _, _, assumptions in lines
                     for text in assumptions if _UNOPENABLE.search(text)][:1]
        for option, usd, assumptions in lines:
            if usd is not None and round(usd, 2) == 0 and any("unknown" in a for a in assumptions):
                problems.append(f"{where}: {option!r} prints $0.00/month for an unknown volume")
        reserved = [int(n) for _, _, assumptions in lines for a in assumptions for n in _RESERVED.findall(a)]
        if reserved:
            problems += _rule_problems("max_concurrency", min(reserved), f)[:1]
    return problems


@pytest.mark.slow
def test_acceptance_corpus_costs_are_honest(monkeypatch, tmp_path):
    """Scan the shared corpus (skipped when it is absent) and judge every cost line."""
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not on this machine")
    out = tmp_path / "corpus.json"
    from click.testing import CliRunner

    from computefit.cli import main

    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["scan", str(CORPUS), "--format", "json", "-o", str(out), "--fail-on", "never"])
    # exit 2 is right for a corpus holding unreadable files (they are listed in the report)
    assert result.exit_code in (0, 2) and "internal error" not in result.output, result.output[-2000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert len(report["findings"]) > 100, len(report["findings"])
    problems = _corpus_cost_problems(report)
    assert not problems, "\n".join(problems[:40] + [f"... {len(problems)} in all"])
