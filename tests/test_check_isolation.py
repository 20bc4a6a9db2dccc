"""A check runs per subject: one odd resource yields an error entry naming it, never a silenced check."""

from __future__ import annotations

import textwrap

from computefit.check import get_check
from computefit.config import Config
from computefit.runner import scan

TEMPLATE = """
    Resources:
      OddSchedule:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: a.h
          Timeout: 850
          Events:
            Tick:
              Type: Schedule
              Properties:
                Schedule: rate(0 minutes)
      LongJob:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: b.h
          Timeout: 900
    """


def _scan(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(TEMPLATE))
    return scan([str(path)], Config(select=["CF201"]))


def test_rate_zero_minutes_does_not_silence_cf201_for_another_function(tmp_path):
    result = _scan(tmp_path)
    by = {f.resource: f for f in result.findings if f.check_id == "CF201"}
    assert "LongJob" in by and by["LongJob"].location.line == 19
    # the odd schedule is either judged like any other function or named in an internal error
    named = [e for e in result.errors if "OddSchedule" in e.message]
    assert "OddSchedule" in by or named
    assert not [e for e in result.errors if "OddSchedule" not in e.message]


def test_an_exception_on_one_subject_is_an_error_naming_it(tmp_path, monkeypatch):
    cls = get_check("CF201")
    original = cls.detect

    def detect(self, unit, ctx):
        if unit.name == "OddSchedule":
            raise ValueError("boom")
        return original(self, unit, ctx)

    monkeypatch.setattr(cls, "detect", detect)
    result = _scan(tmp_path)
    assert [f.resource for f in result.findings] == ["LongJob"]
    [err] = result.errors
    assert err.file.endswith("template.yaml") and err.line == 3
    assert "CF201" in err.message and "OddSchedule" in err.message and "ValueError: boom" in err.message
    assert "CF201" not in result.checks  # it did not see every subject: no clean pass
    assert err.internal  # counted as an internal error, not as a file that could not be read


def test_an_internal_error_is_counted_as_one_not_as_an_unreadable_file():
    """A check that raises is an internal error in the summary, never 'a file could not be read'."""
    from computefit.model import FileError
    from computefit.reporters.common import summary_line
    from computefit.runner import ScanResult

    result = ScanResult(errors=[FileError("t.yaml", 3, "internal error in the check CF201 ...", internal=True),
                                FileError("bad.yaml", 1, "YAML syntax error")], files_scanned=2)
    assert summary_line(result) == ("0 findings (0 error, 0 warning, 0 info) in 2 files; 1 file could not be "
                                    "read; 1 internal error (please report)")
