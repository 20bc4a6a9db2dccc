"""computefit's checks inside cfn-lint, so the findings show where CloudFormation users already
look (cfn-lint's command line, its pre-commit hook and editor integrations)::

    pip install 'computefit[cfn-lint]'
    cfn-lint --append-rules computefit.cfnlint template.yaml

cfn-lint imports this module (``--append-rules`` takes a rules folder or a module path) and runs
every rule class in it. There is one rule per computefit rule and severity, because cfn-lint reads
a match's level from its rule ID's first letter: ``W9201`` is CF201's warnings, ``E9201`` its
errors, ``I9301`` CF301's informational findings (``9`` keeps clear of cfn-lint's own E0-E8
ranges). Each template is scanned once by computefit itself, with the configuration found from
it (as ``computefit scan`` would), suppressions applied; each finding is reported at its own line
with its message. ``--ignore-checks W9`` (or a single ID) turns them off like any cfn-lint rule.
"""

from __future__ import annotations

import os

from cfnlint.rules import CloudFormationLintRule, RuleMatch

#: computefit severity -> cfn-lint rule ID letter
LEVELS = {"error": "E", "warning": "W", "info": "I"}

_FINDINGS: dict[str, list] = {}


def rule_id(check_id: str, severity: str) -> str:
    """``CF201`` + ``warning`` -> ``W9201``."""
    return f"{LEVELS[severity]}9{check_id[2:]}"


def findings_for(filename: str) -> list:
    """computefit's findings for one template (scanned once per process)."""
    key = os.path.abspath(filename)
    if key not in _FINDINGS:
        from .config import Config, ConfigError, find_config, load_config
        from .runner import scan

        try:
            found = find_config([filename])
            config = load_config(found, discovered=True) if found else Config()
        except ConfigError:
            config = Config()  # cfn-lint has no place for our usage errors: run with defaults
        _FINDINGS[key] = scan([filename], config).findings
    return _FINDINGS[key]


class _Computefit:
    """What every generated rule does: report the findings of its check at its severity."""

    check_id = ""
    level = ""

    def match(self, cfn):
        matches = []
        for f in findings_for(cfn.filename):
            if f.check_id != self.check_id or f.severity != self.level:
                continue
            m = RuleMatch(["Resources", f.resource], f"{f.check_id} {f.message} Fix: {f.recommendation}")
            line = max(f.location.line, 1) - 1
            m.location = (line, 0, line, 0)  # cfn-lint uses this instead of resolving the path
            matches.append(m)
        return matches


def _rules() -> dict[str, type]:
    from .check import all_rules
    from .reporters.common import check_docs_url

    out = {}
    for cid, cls in all_rules().items():
        for severity in LEVELS:
            rid = rule_id(cid, severity)
            out[f"Computefit{rid}"] = type(f"Computefit{rid}", (_Computefit, CloudFormationLintRule), {
                "id": rid,
                "shortdesc": f"computefit {cid} {cls.name}",
                "description": cls.summary,
                "source_url": check_docs_url(cid),
                "tags": ["computefit", *cls.tags],
                "check_id": cid,
                "level": severity,
                "__module__": __name__,
            })
    return out


globals().update(_rules())
