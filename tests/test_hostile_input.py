"""Hostile input (issue 15): every case finishes quickly as a value, an Unknown with a reason or an
error entry with its line, and a good file scanned beside it keeps its finding.

The canary is a SAM function with ``Timeout: 900`` (a CF201 warning at line 8 of ``good.yaml``) or
the Terraform equivalent (line 7 of ``good.tf``). No test asserts a timing: the adversarial inputs
are sized so that the quadratic or unbounded behaviour they exercise would take minutes (or
gigabytes), and the assertions are on the outcome.
"""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from computefit import model as m
from computefit import userdata
from computefit.cli import main
from computefit.model import Unknown
from computefit.runner import scan

# the canary files and the report helpers of the robustness tests
from conftest import REPO  # noqa: E402
from test_robustness import GOOD_SAM, GOOD_TF, findings, scan_json  # noqa: E402

CANARY_CFN = ("good.yaml", 8, "CF201")


def no_internal_error(report: dict) -> None:
    assert not [e for e in report["errors"] if "internal error" in e["message"]], report["errors"]


def units(result, kind: str | None = None) -> dict[str, m.ComputeUnit]:
    return {u.name: u for u in result.model.units if kind is None or u.kind == kind}


# --------------------------------------------------------------------------------------------------
# 1. gzip user data: decompression is capped; corrupt gzip is Unknown; the template is kept
# --------------------------------------------------------------------------------------------------

def gzip_bomb(members: int, member_bytes: int = 1024 * 1024) -> bytes:
    """``members`` concatenated gzip members of ``member_bytes`` newlines each (gzip -d and
    cloud-init read every member): 1 KB of gzip per MB of output."""
    one = gzip.compress(b"\n" * member_bytes, compresslevel=9)
    return one * members


CRON_SCRIPT = b"#!/bin/bash\necho '0 3 * * * root /opt/backup.sh' > /etc/cron.d/backup\n"


def instance_template(user_data: str) -> str:
    return f"""\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Worker:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: m5.large
      ImageId: ami-12345678
      UserData: {user_data}
"""


def test_gzip_bomb_is_not_decompressed_past_the_budget():
    bomb = gzip_bomb(members=2000)  # 2 MB of gzip, 2 GB decompressed
    assert len(bomb) < 3 * 1024 * 1024
    value = userdata.decode_bytes(bomb)
    assert isinstance(value, Unknown)
    assert value.reason == "gzip user data expands to over 4 MB; not decompressed further"
    one_big_member = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = b"".join(one_big_member.compress(b"\0" * (1 << 20)) for _ in range(64)) + one_big_member.flush()
    assert isinstance(userdata.decode_bytes(data), Unknown)  # one member of 64 MB


def test_gzip_user_data_within_the_budget_is_read_member_by_member():
    data = gzip.compress(CRON_SCRIPT[:20]) + gzip.compress(CRON_SCRIPT[20:])
    assert userdata.decode_bytes(data) == CRON_SCRIPT.decode()
    assert userdata.decode_base64(base64.b64encode(data).decode()) == CRON_SCRIPT.decode()


@pytest.mark.parametrize("data, reason", [
    (b"\x1f\x8b" + b"garbage" * 10, "user data is gzip data that could not be decompressed"),
    (gzip.compress(CRON_SCRIPT)[:-12], "user data is gzip data that could not be decompressed (truncated)"),
])
def test_corrupt_gzip_user_data_is_unknown(data, reason):
    value = userdata.decode_bytes(data)
    assert isinstance(value, Unknown) and value.reason.startswith(reason)


@pytest.mark.parametrize("payload, expected", [
    (gzip_bomb(members=200), "gzip user data expands to over 4 MB; not decompressed further"),
    (b"\x1f\x8b\x08\x00" + b"\xff" * 64, "user data is gzip data that could not be decompressed"),
])
def test_cloudformation_gzip_user_data_is_unknown_and_the_template_kept(tmp_path, monkeypatch, payload, expected):
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    (tmp_path / "worker.yaml").write_text(instance_template(base64.b64encode(payload).decode()))
    monkeypatch.chdir(tmp_path)
    result = scan(["."])
    assert [e.message for e in result.errors] == []
    ud = units(result)["Worker"].settings[m.USER_DATA].value
    assert isinstance(ud, Unknown) and ud.reason.startswith(expected)
    assert [(f.location.file, f.location.line, f.check_id) for f in result.findings] == [CANARY_CFN]


def test_cloudformation_gzip_user_data_within_the_budget_is_read(tmp_path, monkeypatch):
    (tmp_path / "worker.yaml").write_text(instance_template(base64.b64encode(gzip.compress(CRON_SCRIPT)).decode()))
    monkeypatch.chdir(tmp_path)
    result = scan(["."])
    assert units(result)["Worker"].settings[m.USER_DATA].value == CRON_SCRIPT.decode()
    assert [f.check_id for f in result.findings] == ["CF101"]


TF_INSTANCE = """\
resource "aws_instance" "worker" {
  ami              = "ami-12345678"
  instance_type    = "m5.large"
  user_data_base64 = filebase64("${path.module}/boot.gz")
}
"""


@pytest.mark.parametrize("payload, expected", [
    (gzip_bomb(members=500), "gzip user data expands to over 4 MB; not decompressed further"),
    (b"\x1f\x8b\x08\x00" + b"\xff" * 64, "user data is gzip data that could not be decompressed"),
])
def test_terraform_gzip_user_data_is_unknown_and_the_module_kept(tmp_path, monkeypatch, payload, expected):
    (tmp_path / "main.tf").write_text(TF_INSTANCE)
    (tmp_path / "good.tf").write_text(GOOD_TF)
    (tmp_path / "boot.gz").write_bytes(payload)
    monkeypatch.chdir(tmp_path)
    result = scan(["."])
    assert [e.message for e in result.errors] == []
    ud = units(result)["aws_instance.worker"].settings[m.USER_DATA].value
    assert isinstance(ud, Unknown) and ud.reason.startswith(expected)
    assert [(f.location.file, f.location.line, f.check_id) for f in result.findings] == [("good.tf", 7, "CF201")]


def test_terraform_gzip_user_data_within_the_budget_is_read(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(TF_INSTANCE)
    (tmp_path / "boot.gz").write_bytes(gzip.compress(CRON_SCRIPT))
    monkeypatch.chdir(tmp_path)
    result = scan(["."])
    assert units(result)["aws_instance.worker"].settings[m.USER_DATA].value == CRON_SCRIPT.decode()
    assert [f.check_id for f in result.findings] == ["CF101"]


# --------------------------------------------------------------------------------------------------
# 2. regular expressions on user data are linear: adversarial scripts give the right outcome
# --------------------------------------------------------------------------------------------------
# Each input is sized so that the pattern it used to defeat took minutes (the 80 KB template with
# blank lines in its user data took 34 s); benchmarks/userdata_regex.py measures them.

from computefit import schedules, workload  # noqa: E402

KB80 = 80 * 1024


def jobs(text: str) -> list[tuple[str, str]]:
    return [(j.schedule.expression, j.command) for j in workload.analyse(text).jobs]


def kinds(text: str) -> list[str]:
    return [s.kind for s in workload.analyse(text).services]


def test_blank_lines_before_systemd_keys():
    text = ("cat > /etc/systemd/system/r.timer <<EOF\n[Timer]\n" + "\n" * KB80 + "OnCalendar=daily\nUnit=r.service\nEOF\n"
            "cat > /etc/systemd/system/r.service <<EOF\n" + "\n" * KB80 + "ExecStart=/opt/reindex.sh\nEOF\n")
    assert jobs(text) == [("daily", "/opt/reindex.sh")]
    assert jobs("\n" * KB80 + "OnUnitActiveSec=1h\n") == [("OnUnitActiveSec=1h", "systemd timer")]
    long_span = "OnUnitActiveSec=" + "9" * KB80 + "."
    assert [(j.schedule.runs_per_day, j.schedule.description) for j in workload.analyse(long_span).jobs] == [
        (None, "unknown interval")]


def test_blank_lines_inside_a_here_document_are_part_of_it():
    text = "cat > /etc/cron.d/backup <<EOF\n0 3 * * * root /opt/backup.sh\n" + "\n" * KB80 + "EOF\n"
    assert jobs(text) == [("0 3 * * *", "/opt/backup.sh")]
    assert workload._heredoc_blocks(text) == [("/etc/cron.d/backup", "0 3 * * * root /opt/backup.sh")]


def test_here_document_openers_without_a_delimiter():
    text = "cat > /etc/cron.d/x <<EOF\n" * 4000 + "0 3 * * * root /opt/x.sh\n"
    assert workload._heredoc_blocks(text) == []
    assert jobs(text) == [("0 3 * * *", "/opt/x.sh")]  # still a cron line of a script that writes cron.d
    assert workload._heredoc_blocks("cat" + " " * KB80 + "> /etc/cron.d/x <<EOF\n* * * * * /a\nEOF\n") == [
        ("/etc/cron.d/x", "* * * * * /a")]


def test_a_here_document_ends_at_its_own_delimiter():
    """The delimiter is the whole word, and an empty body ends at the next line."""
    text = ("cat > /etc/cron.d/a <<EOF_A\n0 1 * * * root /a.sh\nEOF\nEOF_A\n"
            "cat > /etc/systemd/system/b.timer <<EOF\nEOF\nOnCalendar=weekly\n")
    assert workload._heredoc_blocks(text) == [("/etc/cron.d/a", "0 1 * * * root /a.sh\nEOF"),
                                               ("/etc/systemd/system/b.timer", "")]


@pytest.mark.parametrize("line", [
    "a" * KB80,  # one token of cron-field characters, searched from every position
    "x " * (KB80 // 2),  # cron-field tokens that are no schedule
    "echo '" + "*" * KB80 + " cron",  # stars inside an unclosed quote
    "docker run " * (KB80 // 11),  # no -d after any of them
    "docker compose " * (KB80 // 15),
    "curl " * (KB80 // 5),  # no -o after any of them
    "wget " * (KB80 // 5),
    "${" * (KB80 // 2),  # placeholders without a closing brace
    "a." * (KB80 // 2),  # a dotted name that never reaches .timer
    "while true" + " " * KB80 + "x",
    "while true; do x; done " * (KB80 // 23),  # loops without a sleep
])
def test_long_adversarial_lines_are_read(line):
    wl = workload.analyse("#!/bin/bash\n" + line + "\n0 3 * * * root /opt/x.sh > /etc/cron.d/x\n")
    assert [(j.schedule.expression, j.command) for j in wl.jobs] == [("0 3 * * *", "/opt/x.sh > /etc/cron.d/x")]
    assert wl.services == [] and wl.opaque == []


def test_many_lines_of_services_and_fetched_scripts_are_bounded():
    text = "".join(f"systemctl enable app{i}\ncurl -o /opt/s{i}.sh x\nbash /opt/s{i}.sh\n" for i in range(5000))
    wl = workload.analyse(text)
    assert len(wl.services) == workload.MAX_SERVICES
    assert wl.services[0].evidence == "systemctl enable app0"
    assert len(wl.opaque) == workload.MAX_SERVICES
    assert wl.opaque[0] == "runs /opt/s0.sh, fetched at boot (its content is not visible)"


def test_more_cron_lines_than_the_budget_are_noted():
    text = "echo > /etc/cron.d/x\n" + "".join(f"{i % 60} {i % 24} * * * root /opt/job{i}.sh\n" for i in range(3000))
    wl = workload.analyse(text)
    assert len(wl.jobs) == workload.MAX_CRON_LINES
    assert wl.opaque == ["over 1,000 cron lines: the rest of the script was not read"]


def test_while_sleep_loops_pair_each_head_with_the_next_sleep():
    text = "while true; do\n /opt/a.sh\n sleep 300\ndone &\n" + "while :; do x; done\n" * 3000 + \
           "while [ 1 ]; do /opt/b.sh; sleep 1h; done &\n"
    found = jobs(text)  # a head without a sleep pairs with the next sleep, as the shell would loop
    assert found[0] == ("sleep 300", "/opt/a.sh")
    assert [(e, c[:16]) for e, c in found[1:]] == [("sleep 1h", "x; done while :;")]


def test_fetched_script_found_after_many_curls_without_output():
    text = "curl " * 10000 + "\ncurl -sL https://x/setup.sh -o /opt/setup.sh\nbash /opt/setup.sh\n"
    assert workload.analyse(text).opaque == ["runs /opt/setup.sh, fetched at boot (its content is not visible)"]
    assert kinds("docker run " * 5000 + "-d busybox") == ["container host"]


def test_cloud_config_with_odd_values_is_read_or_taken_as_a_script():
    bomb = "#cloud-config\na: &a [x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    assert workload.analyse(bomb + "runcmd: *i\npackages: 7\n").jobs == []  # shared lists are not expanded
    odd = "#cloud-config\nruncmd: 'echo hi'\nbootcmd: [[a, [b]], 5, {x: y}]\nwrite_files: [{path: 5}, {path: /x, content: [1]}]\n"
    assert workload.analyse(odd).jobs == []
    assert workload.analyse("#cloud-config\na: !!int " + "9" * 5000 + "\n").jobs == []
    assert workload.analyse("#cloud-config\n" + "[" * 2000).jobs == []


def test_adversarial_user_data_in_a_template_is_still_read(tmp_path, monkeypatch):
    """The 80 KB template of issue 15: blank lines in user data, then a cron job."""
    script = "#!/bin/bash\n" + "\n" * KB80 + "echo '0 3 * * * root /opt/backup.sh' > /etc/cron.d/backup\n"
    (tmp_path / "worker.yaml").write_text(instance_template(base64.b64encode(script.encode()).decode()))
    (tmp_path / "worker.tf").write_text(
        'resource "aws_instance" "w" {\n  ami = "ami-1"\n  instance_type = "m5.large"\n'
        '  user_data = <<-EOT\n' + script + "  EOT\n}\n")
    monkeypatch.chdir(tmp_path)
    result = scan(["."])
    assert result.errors == []
    assert sorted((f.check_id, f.resource) for f in result.findings) == [("CF101", "Worker"), ("CF101", "aws_instance.w")]


# --------------------------------------------------------------------------------------------------
# 4. schedules never raise: malformed expressions are invalid, with a reason
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("expr, reason", [
    ("rate(0 minutes)", "rate value must be at least 1"),
    ("rate(-1 hours)", "rate value '-1' is not a positive whole number"),
    ("rate(1.5 hours)", "rate value '1.5' is not a positive whole number"),
    ("rate(5 weeks)", "rate unit 'weeks': AWS accepts minutes, hours and days"),
    ("rate(5)", "rate() takes a value and a unit, as in rate(5 minutes)"),
    ("rate(" + "9" * 5000 + " days)", "rate value of 5000 digits"),
    ("cron(99 99 * * ? *)", "cannot read '99 99 * * *': "),
    ("cron(0 3 * * ? )", "AWS cron takes 6 fields, not 5"),
    ("cron(0 3 * * * *)", "AWS cron needs ? in the day-of-month or the day-of-week field"),
    ("cron(0 3 ? * " + "9" * 5000 + " *)", "a number in it is too large for a cron field"),
    ("cron(0 3 ? * ² *)", "cannot read '0 3 * * ²': "),
    ("every day", "not a rate(), cron() or at() expression"),
])
def test_malformed_aws_schedules_are_invalid(expr, reason):
    s = schedules.parse_aws(expr)
    assert (s.runs_per_day, s.known) == (None, False)
    assert s.invalid.startswith(reason), s.invalid
    assert s.description == f"invalid schedule ({s.invalid})"


@pytest.mark.parametrize("spec, reason", [
    ("Mon..Xyz", "OnCalendar=Mon..Xyz: 'xyz' is not a weekday"),
    ("Mon.. *-*-* 02:00", "OnCalendar=Mon.. *-*-* 02:00: '' is not a weekday"),
    ("Mon,Xyz *-*-* 02:00", "OnCalendar=Mon,Xyz *-*-* 02:00: 'xyz' is not a weekday"),
    ("*-*-* 99:00", "OnCalendar=*-*-* 99:00: hour 99 is out of range (0-23)"),
    ("*-*-* 25..3:00", "OnCalendar=*-*-* 25..3:00: hour 25 is out of range (0-23)"),
    ("*:0/0", "OnCalendar=*:0/0: a minute step of 0"),
])
def test_malformed_systemd_calendars_are_invalid(spec, reason):
    s = schedules.parse_systemd_calendar(spec)
    assert s.runs_per_day is None and s.invalid == reason


def test_valid_schedules_are_unchanged():
    assert [schedules.parse_aws(e).runs_per_day for e in (
        "rate(1 hour)", "rate(5 minutes)", "rate(2 days)", "cron(0 3 * * ? *)", "cron(0/15 * ? * MON-FRI *)")] == [
        24.0, 288.0, 0.5, 1.0, pytest.approx(96 * 261 / 365)]
    assert [schedules.parse_systemd_calendar(e).runs_per_day for e in (
        "daily", "*:0/15", "Mon..Fri *-*-* 09:00", "*-*-* 1..5:00")] == [1.0, 96.0, pytest.approx(5 / 7), 5.0]
    assert schedules.parse_duration("9" * 5000 + ".") is None
    assert schedules.parse_duration("1e999") is None
    assert schedules.interval(float("inf"), "x").invalid == "an interval must be a positive number of seconds"


SAM_SCHEDULED = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Nightly:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Timeout: 850
      Events:
        Tick:
          Type: Schedule
          Properties:
            Schedule: {schedule}
"""


@pytest.mark.parametrize("schedule", ["rate(0 minutes)", "rate(-1 hours)", "cron(99 99 * * ? *)", "'rate(1 day'"])
def test_a_malformed_schedule_disables_no_check(tmp_path, monkeypatch, schedule):
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    (tmp_path / "nightly.yaml").write_text(SAM_SCHEDULED.format(schedule=schedule))
    (tmp_path / "worker.yaml").write_text(instance_template(base64.b64encode(
        b"#!/bin/bash\ncat > /etc/systemd/system/x.timer <<EOF\n[Timer]\nOnCalendar=Mon..Xyz\nEOF\n"
        b"echo '0 3 * * * root /opt/backup.sh' > /etc/cron.d/backup\n").decode()))
    monkeypatch.chdir(tmp_path)
    code, report = scan_json()
    no_internal_error(report)
    assert (code, report["errors"]) == (1, [])
    # every check still runs: CF201 on both functions, CF101 on the cron host, and the schedule
    # checks report the malformed expression (CF401) on a scheduled rule (CF402)
    assert findings(report) == [("good.yaml", 8, "CF201"), ("nightly.yaml", 8, "CF201"),
                                ("nightly.yaml", 10, "CF402"), ("nightly.yaml", 13, "CF401"),
                                ("worker.yaml", 8, "CF101")]


# --------------------------------------------------------------------------------------------------
# 3. size limits by stat, after a bounded content sniff
# --------------------------------------------------------------------------------------------------

GIB = 1024 ** 3


class _ReadRecorder:
    """Wraps builtins.open to record how many bytes are read from files under ``root``."""

    def __init__(self, monkeypatch, root: Path) -> None:
        import builtins

        self.bytes: dict[str, int] = {}
        real_open = builtins.open
        recorder = self

        class Wrapped:
            def __init__(self, fh, name):
                self._fh, self._name = fh, name

            def read(self, *args):
                data = self._fh.read(*args)
                recorder.bytes[self._name] = recorder.bytes.get(self._name, 0) + len(data)
                return data

            def __getattr__(self, item):
                return getattr(self._fh, item)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return self._fh.__exit__(*exc)

            def __iter__(self):
                return iter(self._fh)

        def fake_open(file, *args, **kwargs):
            fh = real_open(file, *args, **kwargs)
            name = str(file)
            if isinstance(file, (str, Path)) and str(Path(file).resolve()).startswith(str(root)):
                return Wrapped(fh, Path(file).name)
            return fh

        monkeypatch.setattr(builtins, "open", fake_open)


def sparse(path: Path, size: int, head: bytes = b"") -> None:
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)


def test_sparse_one_gigabyte_terraform_file_is_refused_by_stat(tmp_path, monkeypatch):
    (tmp_path / "lambda.tf").write_text(GOOD_TF.replace("900", "850"))
    sparse(tmp_path / "huge.tf", GIB, b'module "m" {\n  source = "./m"\n}\n')
    sparse(tmp_path / "terraform.tfvars", GIB, b"x = 1\n")
    monkeypatch.chdir(tmp_path)
    reads = _ReadRecorder(monkeypatch, tmp_path.resolve())
    code, report = scan_json()
    assert code == 2
    assert [(e["file"], e["line"], e["message"]) for e in report["errors"]] == [
        ("huge.tf", 1, "file is 1024.0 MB, over the 1 MB limit for a Terraform file; not scanned"),
        ("terraform.tfvars", 1, "file is 1024.0 MB, over the 1 MB limit for a Terraform file; not scanned")]
    assert findings(report) == [("lambda.tf", 7, "CF201")]
    assert reads.bytes.get("huge.tf", 0) == 0 and reads.bytes.get("terraform.tfvars", 0) == 0


def test_sparse_one_gigabyte_template_is_refused_after_a_bounded_sniff(tmp_path, monkeypatch):
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    sparse(tmp_path / "huge.yaml", GIB, b'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n')
    sparse(tmp_path / "huge.template", GIB)  # named as a template: refused by its name and size
    monkeypatch.chdir(tmp_path)
    reads = _ReadRecorder(monkeypatch, tmp_path.resolve())
    code, report = scan_json()
    assert code == 2
    assert [(e["file"], e["line"]) for e in report["errors"]] == [("huge.template", 1), ("huge.yaml", 1)]
    assert report["errors"][1]["message"].startswith("file is 1024.0 MB, over the 10 MB limit for a template")
    assert findings(report) == [CANARY_CFN]
    assert reads.bytes["huge.yaml"] <= 64 * 1024 and reads.bytes["huge.template"] <= 64 * 1024


@pytest.mark.parametrize("named", [False, True])
def test_large_json_that_is_not_a_template_is_skipped_silently(tmp_path, monkeypatch, named):
    """issue 13 item 1: the content sniff comes before the size limit (a 15 MB package-lock.json,
    named by a pre-commit hook or found in a folder)."""
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    lock = '{\n  "name": "app",\n  "lockfileVersion": 3,\n  "packages": {\n' + \
        ''.join(f'    "node_modules/p{i}": {{"version": "1.0.{i}", "resolved": "https://registry.npmjs.org/p{i}"}},\n'
                for i in range(150_000)) + '    "": {}\n  }\n}\n'
    (tmp_path / "package-lock.json").write_text(lock)
    assert (tmp_path / "package-lock.json").stat().st_size > 14 * 1024 * 1024
    monkeypatch.chdir(tmp_path)
    code, report = scan_json(*(["package-lock.json", "good.yaml"] if named else []))
    assert (code, report["errors"], findings(report)) == (1, [], [CANARY_CFN])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be", "utf-8-sig"])
def test_utf16_and_utf32_templates_with_a_bom_are_read(tmp_path, monkeypatch, encoding):
    bom = {"utf-16": "", "utf-32": "", "utf-16-be": "\ufeff", "utf-32-be": "\ufeff", "utf-8-sig": ""}[encoding]
    (tmp_path / "stack.yaml").write_bytes((bom + GOOD_SAM).encode(encoding))
    (tmp_path / "stack.json").write_bytes((bom + json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
        "F": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12", "Timeout": 900}}}},
        indent=1)).encode(encoding))
    monkeypatch.chdir(tmp_path)
    code, report = scan_json()
    assert (code, report["errors"]) == (1, [])
    assert findings(report) == [("stack.json", 8, "CF201"), ("stack.yaml", 8, "CF201")]


def test_invalid_utf16_template_is_an_error_with_its_line(tmp_path, monkeypatch):
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    (tmp_path / "bad.yaml").write_bytes("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A: 1\n".encode("utf-16")
                                        + b"\x00\xd8")  # a lone high surrogate at the end
    monkeypatch.chdir(tmp_path)
    code, report = scan_json()
    assert code == 2
    assert [(e["file"], e["line"], e["message"]) for e in report["errors"]] == [
        ("bad.yaml", 4, "file is not valid UTF-16 text")]
    assert findings(report) == [CANARY_CFN]


# --------------------------------------------------------------------------------------------------
# 5. CloudFormation values: surrogates, huge and non-finite numbers, control characters, depth
# --------------------------------------------------------------------------------------------------

from computefit.cloudformation.intrinsics import Template  # noqa: E402
from computefit.cloudformation.loader import load_text  # noqa: E402
from computefit.model import ParseError  # noqa: E402

LAMBDA = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Timeout: {timeout}
"""


@pytest.mark.parametrize("timeout, reason", [
    ("9" * 5000, "an integer of 5,000 digits cannot be represented"),
    ("1.0e+999", "1.0e+999 is not a finite number"),
    ("-1.0e+999", "-1.0e+999 is not a finite number"),
    (".nan", ".nan is not a finite number"),
    (".inf", ".inf is not a finite number"),
    ('"nan"', "'nan' is not a finite number"),
    ('"1e999"', "'1e999' is not a finite number"),
    ("1e999", "'1e999' is not a finite number"),  # YAML 1.1 reads it as text
    ('"' + "9" * 5000 + '"', "is not a finite number"),
])
def test_unrepresentable_numbers_are_unknown_before_any_check(tmp_path, monkeypatch, timeout, reason):
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    (tmp_path / "fn.yaml").write_text(LAMBDA.format(timeout=timeout))
    monkeypatch.chdir(tmp_path)
    result = scan(["."])
    assert result.errors == []
    value = units(result)["Fn"].settings[m.TIMEOUT].value
    assert isinstance(value, Unknown) and reason in value.reason
    assert [(f.location.file, f.location.line, f.check_id) for f in result.findings] == [CANARY_CFN]


@pytest.mark.parametrize("timeout", ["1e999", '"nan"', '"1e999"', "-1e999"])
def test_terraform_non_finite_numbers_are_unknown(tmp_path, monkeypatch, timeout):
    (tmp_path / "good.tf").write_text(GOOD_TF)
    (tmp_path / "fn.tf").write_text(GOOD_TF.replace('"export"', '"fn"').replace("= 900", f"= {timeout}"))
    monkeypatch.chdir(tmp_path)
    result = scan(["."])
    assert result.errors == []
    assert isinstance(units(result)["aws_lambda_function.fn"].settings[m.TIMEOUT].value, Unknown)
    assert [(f.location.file, f.location.line, f.check_id) for f in result.findings] == [("good.tf", 7, "CF201")]


def test_json_numbers_and_surrogates(tmp_path, monkeypatch):
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    (tmp_path / "fn.json").write_text(
        '{"AWSTemplateFormatVersion": "2010-09-09", "Description": "\\ud800 and \\udfff",\n'
        ' "Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {\n'
        '   "Runtime": "python3.12", "MemorySize": ' + "9" * 5000 + ', "Timeout": 1.0e+999}}}}\n')
    monkeypatch.chdir(tmp_path)
    result = scan(["."])
    assert result.errors == []
    fn = units(result)["Fn"]
    assert isinstance(fn.settings[m.TIMEOUT].value, Unknown) and isinstance(fn.settings[m.MEMORY_SIZE].value, Unknown)
    assert load_text('{"Description": "\\ud800"}', "t.json")["Description"] == "\ud800"
    assert [(f.location.file, f.check_id) for f in result.findings] == [("good.yaml", "CF201")]


@pytest.mark.parametrize("text, file, line, message", [
    ('Resources:\n  A:\n    Type: "AWS::S3::\x07Bucket"\n', "t.yaml", 3,
     "YAML syntax error: unacceptable character #x0007: control characters are not allowed"),
    ('Description: "é"\nResources: {}\nX: "\x1b[31m"\n', "t.yaml", 3,
     "YAML syntax error: unacceptable character #x001b: control characters are not allowed"),
    ('Description: "\\ud800"\n', "t.yaml", 1, "YAML syntax error: found invalid Unicode character escape code"),
    ("Resources:\n  A:\n    B: " + "[" * 150 + "]" * 150 + "\n", "t.yaml", 3,
     "values nest deeper than 100 levels; not read"),
    ("Resources:\n  A:\n    B: " + "[" * 990 + "]" * 990 + "\n", "t.yaml", 3,
     "values nest deeper than 100 levels; not read"),
    ("Resources:\n  A:\n    B: " + "[" * 5000 + "]" * 5000 + "\n", "t.yaml", 3, "YAML syntax error: exceeded maximum nesting depth"),
    ("a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 200)), "t.yaml", 98,
     "values nest deeper than 100 levels (through a YAML alias); not read"),
    ('{"Resources":\n {"A": ' + "[" * 100_000 + "]" * 100_000 + "}}", "t.json", 2,
     "values nest deeper than 100 levels; not read"),
    ('{"Resources":\n {"A": ' + "[" * 500 + "]" * 500 + "}}", "t.json", 2,
     "values nest deeper than 100 levels; not read"),
])
def test_unreadable_yaml_and_json_errors_carry_the_line(text, file, line, message):
    with pytest.raises(ParseError) as exc:
        load_text(text, file)
    assert (exc.value.line, exc.value.message[:len(message)]) == (line, message)


INTRINSIC_TEMPLATE = """\
Parameters:
  Env: {Type: String, Default: prod}
  Loop: {Type: String, Default: !Ref Loop}
Mappings:
  M:
    a: {b: !FindInMap [M, a, b], c: [x, y]}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  Self: !Condition Self
Resources: {}
"""


@pytest.mark.parametrize("src, expected", [
    ("!Split ['', 'abc']", Unknown("Fn::Split with an empty delimiter")),
    ("!Select [0, !Split ['', '900']]", Unknown("Fn::Select from a list only known at deploy time")),
    ("!Select [5, [a, b]]", Unknown("Fn::Select index 5 is out of range (the list has 2 items)")),
    ("!Select [-1, [a, b]]", Unknown("Fn::Select index -1 is out of range (the list has 2 items)")),
    ("!Select [1.5, [a, b]]", Unknown("Fn::Select with an index that is not a whole number")),
    ("!Select ['x', [a, b]]", Unknown("Fn::Select with an index that is not a whole number")),
    ("!Select [" + "9" * 5000 + ", [a, b]]", Unknown("Fn::Select with an index only known at deploy time")),
    ("!Select [1, [a, b]]", "b"),
    ("!FindInMap [M, a, b]", Unknown("mapping M holds a value that is not a literal at a/b")),
    ("!FindInMap [M, a, c]", ["x", "y"]),
    ("!FindInMap [M, a, zz]", Unknown("mapping M has no a/zz")),
    ("!FindInMap [M, a]", Unknown("malformed Fn::FindInMap")),
    ("!Ref Loop", Unknown("parameter Loop has a Default that is not a literal value")),
    ("!If [IsProd, a]", Unknown("Fn::If is only known at deploy time")),
    ("!If [Self, a, b]", Unknown("depends on condition Self")),
    ("!Join [',', !Ref Env]", "${Join}"),
    ("!Sub ['${A}-${B', {A: !Ref Env}]", "prod-${B"),
    ("!Sub [5]", "${Sub}"),
    ("!Base64 {a: b}", "${?}"),
])
def test_intrinsics_are_total(src, expected):
    tpl = Template("t.yaml", load_text(INTRINSIC_TEMPLATE, "t.yaml"))
    value = load_text(f"X: {src}\n", "x.yaml")["X"]
    assert tpl.value(value) == expected
    assert isinstance(tpl.render(value), str)
    assert tpl.setting(value, 1) is not None


def test_rendering_repeated_aliases_is_bounded():
    big = "x" * (1024 * 1024)
    text = f"a: &a {big}\nb: &b [{', '.join(['*a'] * 64)}]\nc: !Join ['', *b]\nd: *b\ne: !Sub ['{'${A}' * 64}', {{A: *a}}]\n"
    data = load_text(text, "t.yaml")
    tpl = Template("t.yaml", data)
    assert tpl.render(data["c"]) == "${TooLarge}"
    assert tpl.render(data["d"]) == "${TooLarge}"
    assert len(tpl.render(data["e"])) < 8 * 1024 * 1024


def test_sam_event_type_from_an_intrinsic_is_read(tmp_path, monkeypatch):
    (tmp_path / "fn.yaml").write_text(GOOD_SAM + "      Events:\n        E:\n          Type: !Ref X\n"
                                      "        F:\n          Type: [Schedule]\n")
    monkeypatch.chdir(tmp_path)
    code, report = scan_json()
    assert (code, report["errors"], findings(report)) == (1, [], [("fn.yaml", 8, "CF201")])


# --------------------------------------------------------------------------------------------------
# 6. an exception that escapes is exit 2 with one line, never a traceback (exit 1 is for findings)
# --------------------------------------------------------------------------------------------------

def test_an_escaping_exception_exits_2_with_one_line(tmp_path, monkeypatch):
    import computefit.runner

    def boom(*args, **kwargs):
        raise KeyError("bug")

    monkeypatch.setattr(computefit.runner, "scan", boom)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["scan", "."])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "computefit: internal error: KeyError: 'bug' (test_hostile_input.py:"
        + result.stderr.split("test_hostile_input.py:")[1].split(")")[0] + "); please report it"]
    assert "Traceback" not in result.output


def test_an_escaping_exception_from_the_installed_script(tmp_path):
    import subprocess
    import sys

    (tmp_path / "sitecustomize.py").write_text(
        "import computefit.runner\n"
        "def boom(*a, **k):\n    raise RuntimeError('bug')\n"
        "computefit.runner.scan = boom\n")
    env = {**__import__("os").environ, "PYTHONPATH": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "computefit.cli", "scan", str(tmp_path)], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert proc.stderr.startswith("computefit: internal error: RuntimeError: bug")


def test_an_unknown_package_type_is_written_into_json_evidence(tmp_path, monkeypatch):
    """Fuzz finding: CF301 put an Unknown package type into its evidence, which JSON cannot write."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_lambda_function" "api" {\n  function_name = "api"\n  runtime = "java21"\n'
        '  handler = "a.B::h"\n  package_type = var.undeclared\n}\n'
        'resource "aws_lambda_function_url" "u" {\n  function_name = aws_lambda_function.api.function_name\n'
        '  authorization_type = "NONE"\n}\n')
    monkeypatch.chdir(tmp_path)
    code, report = scan_json()
    no_internal_error(report)
    [f] = [f for f in report["findings"] if f["check_id"] == "CF301"]
    assert f["evidence"]["runtime"]["package_type"].startswith("<unknown: ")


@pytest.mark.parametrize("schedule", ["rate(0 minutes)", "rate(-1 hours)", "cron(99 99 * * ? *)", "rate(" + "9" * 5000 + " days)"])
def test_a_malformed_terraform_schedule_disables_no_check(tmp_path, monkeypatch, schedule):
    text = (REPO / "fixtures" / "CF201" / "tf" / "fire_literal" / "main.tf").read_text()
    (tmp_path / "main.tf").write_text(text.replace("rate(1 hour)", schedule))
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    monkeypatch.chdir(tmp_path)
    code, report = scan_json()
    no_internal_error(report)
    assert (code, report["errors"]) == (1, [])
    # CF201 still runs; the schedule checks report the malformed expression on a scheduled rule
    assert findings(report) == [CANARY_CFN, ("main.tf", 9, "CF201"), ("main.tf", 13, "CF402"),
                                ("main.tf", 14, "CF401")]
    [f] = [f for f in report["findings"] if f["file"] == "main.tf" and f["check_id"] == "CF201"]
    costs = json.dumps(f["costs"])  # no run count from an invalid schedule: per 1,000 runs, and why
    assert "900 s per run" in costs and "could not be read" in costs


# --------------------------------------------------------------------------------------------------
# a wall-clock budget per template: past it, an error entry, and the scan goes on
# --------------------------------------------------------------------------------------------------

def test_a_template_over_its_time_budget_is_an_error_and_the_rest_is_scanned(tmp_path, monkeypatch):
    import time as _time

    import computefit.cloudformation as cfn
    from computefit import budget

    real = cfn.load_text

    def slow_for_one(text, path):
        while path.endswith("slow.yaml"):
            _time.sleep(0.01)  # a hang nobody has found yet
        return real(text, path)

    monkeypatch.setattr(cfn, "load_text", slow_for_one)
    monkeypatch.setattr(budget, "FILE_SECONDS", 0.3)
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    (tmp_path / "slow.yaml").write_text(GOOD_SAM)
    monkeypatch.chdir(tmp_path)
    code, report = scan_json()
    assert code == 2
    assert report["errors"] == [{"file": "slow.yaml", "line": None,
                                 "message": "reading it took over 0.3 s; not scanned (please report this file)"}]
    assert findings(report) == [CANARY_CFN]


def test_the_budget_keeps_a_callers_own_timer():
    import signal
    import time as _time

    from computefit import budget

    fired = []
    old = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with budget.file_budget("x", 5):
            _time.sleep(0.1)
        left = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 0.2 < left <= 0.4
        with budget.file_budget("y", 0.05):  # shorter than the caller's: installed, then theirs restored
            pass
        deadline = _time.monotonic() + 2
        while not fired and _time.monotonic() < deadline:
            _time.sleep(0.01)
        assert fired == [1]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
