"""Hostile input at the output boundary (issue 15): a scanned repository must not choose where the
run writes, writes are atomic, and whatever a scanned file or file name holds reaches every report
format escaped for it, never as a crash, a live link, a terminal escape or invalid JSON/XML."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from computefit.cli import main

from conftest import REPO

SAM_900 = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  NightlyExport:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: export.handler
      MemorySize: 1024
      Timeout: 900
"""


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


# --------------------------------------------------------------------------------------------------
# 1. Output destinations come only from the command line or --config
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def hostile_repo(tmp_path, monkeypatch):
    """A checked-out repository (``.git``) beside the victim's home folder, with a template that
    has a finding; the working directory is the repository."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "template.yaml").write_text(SAM_900, encoding="utf-8")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / ".bashrc").write_text("# the victim's shell start-up\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    return repo, victim


def assert_refused(result, config_name: str, key: str, spec: str) -> None:
    assert result.exit_code == 2, result.output
    assert f"{config_name}: {key}: {spec!r} names an output file" in result.output
    assert f"--format {spec}" in result.output and f"--config {config_name}" in result.output
    assert "NightlyExport" not in result.output  # refused before scanning: no report at all


@pytest.mark.parametrize("target", ["relative", "absolute"])
def test_discovered_config_cannot_name_an_output_file(hostile_repo, target):
    repo, victim = hostile_repo
    dest = "../victim/.bashrc" if target == "relative" else str(victim / ".bashrc")
    (repo / ".computefit.toml").write_text(f'format = ["text", "text:{dest}"]\n', encoding="utf-8")
    before = (victim / ".bashrc").read_bytes()
    result = invoke("scan", ".")
    assert_refused(result, ".computefit.toml", "format", f"text:{dest}")
    assert (victim / ".bashrc").read_bytes() == before
    assert sorted(os.listdir(victim)) == [".bashrc"]  # no temporary file either


def test_discovered_pyproject_cannot_name_an_output_file_from_a_subfolder(hostile_repo):
    repo, victim = hostile_repo
    (repo / "pyproject.toml").write_text('[tool.computefit]\nformat = "json:../victim/report.json"\n',
                                         encoding="utf-8")
    (repo / "stacks").mkdir()
    (repo / "stacks" / "t.yaml").write_text(SAM_900, encoding="utf-8")
    result = invoke("scan", "stacks")
    assert_refused(result, "pyproject.toml", "tool.computefit.format", "json:../victim/report.json")
    assert not (victim / "report.json").exists()
    # `computefit checks` reads the same configuration and refuses it the same way
    listed = invoke("checks", "stacks")
    assert listed.exit_code == 2 and "names an output file" in listed.output


def test_discovered_config_may_choose_the_format_of_standard_output(hostile_repo):
    repo, victim = hostile_repo
    (repo / ".computefit.toml").write_text('format = ["json"]\n', encoding="utf-8")
    result = invoke("scan", ".")
    assert result.exit_code == 1
    assert result.output.lstrip().startswith("{") and '"NightlyExport"' in result.output
    assert sorted(os.listdir(repo)) == [".computefit.toml", ".git", "template.yaml"]


def test_config_named_with_option_may_name_output_files(hostile_repo):
    repo, victim = hostile_repo
    config = repo / ".computefit.toml"
    config.write_text('format = ["text", "json:out/report.json"]\n', encoding="utf-8")
    (repo / "out").mkdir()
    result = invoke("scan", ".", "--config", str(config))
    assert result.exit_code == 1, result.output
    assert "NightlyExport" in result.output  # the text report on standard output
    assert '"NightlyExport"' in (repo / "out" / "report.json").read_text(encoding="utf-8")
    # and the command line always may
    result = invoke("scan", ".", "--format", "sarif:cli.sarif", "--config", str(config), "--format", "text")
    assert result.exit_code == 1 and (repo / "cli.sarif").is_file()


def test_the_pre_commit_hook_entry_refuses_a_committed_output_file(hostile_repo):
    """The hook's own entry (from .pre-commit-hooks.yaml), run as pre-commit runs it: from the
    repository root with the staged file names. tests/test_precommit.py runs real pre-commit too."""
    repo, victim = hostile_repo
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    entry = shlex.split(hook["entry"])
    assert entry[0] == "computefit"
    (repo / ".computefit.toml").write_text('format = "text:../victim/.bashrc"\n', encoding="utf-8")
    before = (victim / ".bashrc").read_bytes()
    script = Path(sys.executable).with_name("computefit")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "computefit.cli"]
    proc = subprocess.run([*command, *entry[1:], "template.yaml", ".computefit.toml"], cwd=repo,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "names an output file" in proc.stderr and "Traceback" not in proc.stderr
    assert (victim / ".bashrc").read_bytes() == before


# --------------------------------------------------------------------------------------------------
# 2. Atomic writes
# --------------------------------------------------------------------------------------------------


def _many_functions(n: int, prefix: str) -> str:
    """A SAM template with ``n`` functions near the timeout limit: ``n`` CF201 findings."""
    body = "".join(f"  {prefix}Fn{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                   f"      Runtime: python3.12\n      Handler: a.b\n      Timeout: 900\n" for i in range(n))
    return "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n" + body


def _write_baseline_rounds(folder: str, baseline: str, rounds: int, start, done) -> None:
    """One writer process: ``computefit scan FOLDER --write-baseline BASELINE``, ``rounds`` times;
    each round starts when the test says so (``start``), so the writers of a round race."""
    import threading

    try:
        for _ in range(rounds):
            start.wait(timeout=120)
            try:
                main(["scan", folder, "--select", "CF201", "--write-baseline", baseline], standalone_mode=False)
            except SystemExit:
                pass
            done.wait(timeout=120)
    except threading.BrokenBarrierError:  # the test failed and aborted the round
        pass


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the writers are forked processes")
def test_parallel_baseline_writes_to_one_path_leave_valid_json(tmp_path, monkeypatch):
    import json
    import multiprocessing

    monkeypatch.chdir(tmp_path)
    # Four writers, each with its own findings (baselines of different lengths, tens of KB: a
    # writer that truncates and rewrites in place leaves the tail of a longer one behind).
    folders = []
    for w in range(4):
        folder = tmp_path / f"stack{w}"
        folder.mkdir()
        (folder / "template.yaml").write_text(_many_functions(60 * (w + 1), f"W{w}"), encoding="utf-8")
        folders.append(str(folder))
    baseline = tmp_path / "baseline.json"
    rounds = 6
    ctx = multiprocessing.get_context("fork")
    start, done = ctx.Barrier(len(folders) + 1), ctx.Barrier(len(folders) + 1)
    procs = [ctx.Process(target=_write_baseline_rounds, args=(f, str(baseline), rounds, start, done))
             for f in folders]
    for p in procs:
        p.start()
    expected_counts = {60 * (w + 1) for w in range(4)}
    try:
        for r in range(rounds):
            start.wait(timeout=120)
            # While the round runs, every read sees a whole baseline (or none yet).
            while True:
                if baseline.exists():
                    doc = json.loads(baseline.read_text(encoding="utf-8"))
                    assert sum(e["count"] for e in doc["findings"]) in expected_counts
                if done.n_waiting == len(folders):
                    break
            done.wait(timeout=120)
            doc = json.loads(baseline.read_text(encoding="utf-8"))  # strict: a valid document
            assert doc["version"] == 1
            assert sum(e["count"] for e in doc["findings"]) in expected_counts, f"round {r}"
    except BaseException:
        start.abort()
        done.abort()
        raise
    finally:
        for p in procs:
            p.join(timeout=120)
    assert all(p.exitcode == 0 for p in procs)
    assert sorted(os.listdir(tmp_path)) == ["baseline.json", "stack0", "stack1", "stack2", "stack3"]


def test_a_symlink_at_the_destination_is_replaced_not_followed(hostile_repo):
    # A repository commits `computefit.txt -> ../victim/.bashrc`; the CI job writes its report to
    # computefit.txt. The report replaces the link; the victim is untouched.
    repo, victim = hostile_repo
    before = (victim / ".bashrc").read_bytes()
    (repo / "computefit.txt").symlink_to(victim / ".bashrc")
    (repo / "baseline.json").symlink_to(victim / "baseline.json")  # dangling: would create it
    result = invoke("scan", "template.yaml", "--format", "text:computefit.txt")
    assert result.exit_code == 1
    assert not (repo / "computefit.txt").is_symlink()
    assert "NightlyExport" in (repo / "computefit.txt").read_text(encoding="utf-8")
    assert invoke("scan", "template.yaml", "--write-baseline", "baseline.json").exit_code == 0
    assert not (repo / "baseline.json").is_symlink()
    assert (victim / ".bashrc").read_bytes() == before
    assert sorted(os.listdir(victim)) == [".bashrc"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")
def test_atomic_write_keeps_the_mode_and_writes_streams_in_place(tmp_path):
    from computefit.atomic import write_text

    report = tmp_path / "report.txt"
    report.write_text("old\n")
    report.chmod(0o640)
    write_text(str(report), "new\n")
    assert report.read_text() == "new\n" and (report.stat().st_mode & 0o777) == 0o640
    write_text(str(tmp_path / "fresh.txt"), "x")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "fresh.txt").stat().st_mode & 0o777 == 0o666 & ~mask
    write_text(os.devnull, "discarded")  # a device is written, not replaced
    assert Path(os.devnull).is_char_device()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    write_text(str(fifo), "through the pipe\n")
    assert reader.communicate(timeout=30)[0] == b"through the pipe\n"
    with pytest.raises(IsADirectoryError):
        write_text(str(tmp_path), "x")
    # /dev/stdout is a symlink (to /proc/self/fd/1): written through, never replaced
    for stream in ("/dev/stdout", "/proc/self/fd/1"):
        if os.path.exists(stream):
            was_link = os.path.islink(stream)
            proc = subprocess.run([sys.executable, "-c", f"from computefit.atomic import write_text; "
                                   f"write_text({stream!r}, 'to standard output')"],
                                  capture_output=True, text=True, timeout=60)
            assert (proc.returncode, proc.stdout) == (0, "to standard output"), proc.stderr
            assert os.path.islink(stream) == was_link
    assert sorted(os.listdir(tmp_path)) == ["fresh.txt", "pipe", "report.txt"]


# --------------------------------------------------------------------------------------------------
# 3 and 4. Scanned text and file names reach every format escaped for it, and never crash it
# --------------------------------------------------------------------------------------------------

import json  # noqa: E402
import re  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

from computefit.reporters import FORMATS  # noqa: E402
from computefit.reporters.common import check_docs_url  # noqa: E402

LINK = "[x](https://evil.example/a)"
IMAGE = "![i](https://evil.example/i.png)"
HTML = "<img src=x onerror=alert(1)>"
#: File names with shell, markdown and terminal syntax in them (a name cannot hold "/").
HOSTILE_NAMES = [
    "$(echo INJECTED >&2).yaml",
    "tick`s|pipe [x](http:e) ![i](e.png) <b>bold\nnewline.yaml",
    "osc\x1b]8;;http:e\x07link\x1b]8;;\x07 ansi\x1b[31mred \u202egnp.yaml",
]
#: Bytes that are not UTF-8: Python reads the name with surrogateescape (U+DCE9, U+DCFF).
UNDECODABLE = b"caf\xe9-\xff.yaml"
#: User data whose cron line CF101 quotes in its message.
CRON_WITH_MARKUP = f"/opt/\u202e{LINK}{IMAGE}www.evil.example/me@evil.example/{HTML}.sh"
EC2_CRON = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Trainer:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: r5.large
      UserData:
        Fn::Base64: |
          #!/bin/bash
          echo '0 5 * * 0 root CRON' > /etc/cron.d/retrain
"""
#: A JSON template whose strings hold a lone surrogate ("\\ud800" escapes): a logical ID that the
#: messages quote and a property value.
LONE_SURROGATE_JSON = (
    '{"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31",'
    ' "Resources": {"Fn\\ud800X": {"Type": "AWS::Serverless::Function", "Properties":'
    ' {"Runtime": "python3.12", "Handler": "a.b", "Timeout": 900, "FunctionName": "\\ud800\\udfff"}}}}'
)
#: What no report may carry raw: ESC, BEL, other C0/C1 controls but tab/LF/CR, bidi controls,
#: surrogates.
RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _write_undecodable(folder: Path) -> None:
    with open(os.path.join(os.fsencode(folder), UNDECODABLE), "w", encoding="utf-8") as fh:
        fh.write(SAM_900)


@pytest.fixture
def unicode_tree(tmp_path, monkeypatch):
    """Only the two Unicode defects: a lone surrogate in a JSON template, a non-UTF-8 file name."""
    (tmp_path / ".git").mkdir()
    _write_undecodable(tmp_path)
    (tmp_path / "surrogate.json").write_text(LONE_SURROGATE_JSON, encoding="ascii")
    monkeypatch.chdir(tmp_path)
    return tmp_path


#: A template that cannot be read, with a hostile name: an error row in every format.
BROKEN_NAME = "broken|`x`[x](http:e)<b>\u202e.yaml"


@pytest.fixture
def hostile_tree(unicode_tree):
    for name in HOSTILE_NAMES:
        (unicode_tree / name).write_text(SAM_900, encoding="utf-8")
    (unicode_tree / BROKEN_NAME).write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A: [\n",
                                            encoding="utf-8")
    (unicode_tree / "markup").mkdir()
    (unicode_tree / "markup" / "ec2.yaml").write_text(EC2_CRON.replace("CRON", CRON_WITH_MARKUP), encoding="utf-8")
    logical_id = '"Fn[x](https://evil.example/b)<b>html</b> me@evil.example www.evil.example"'
    (unicode_tree / "markup" / "sam.yaml").write_text(SAM_900.replace("NightlyExport", logical_id), encoding="utf-8")
    return unicode_tree


def _strict_json(data: bytes):
    """Parse as a strict parser would: UTF-8, no NaN/Infinity, no lone surrogate in any string."""
    def refuse(name):
        raise AssertionError(f"{name} in a JSON report")

    doc = json.loads(data.decode("utf-8"), parse_constant=refuse)
    json.dumps(doc, ensure_ascii=False).encode("utf-8")  # raises on a surrogate that was escaped
    return doc


def _assert_valid(fmt: str, data: bytes):
    """The report parses as its format demands; returns the parsed document (or the text)."""
    text = data.decode("utf-8")  # strict: no surrogate, valid UTF-8
    assert not RAW.search(text), (fmt, RAW.search(text))
    if fmt in ("json", "gitlab"):
        return _strict_json(data)
    if fmt == "sarif":
        from test_reporters import assert_valid_sarif

        doc = _strict_json(data)
        assert_valid_sarif(doc)
        return doc
    if fmt == "junit":
        return ET.fromstring(data)
    if fmt == "github":
        lines = text.splitlines()
        assert all(re.fullmatch(r"::(error|warning|notice) [^:]*::.*", line) for line in lines), lines
        return lines
    return text


def _scan(tmp_path, fmt: str, exit_code: int = 1) -> bytes:
    """``fmt`` to standard output and to a file (-o): the same bytes, the exit code (1: findings,
    2: a file could not be read), no traceback."""
    to_stdout = CliRunner().invoke(main, ["scan", ".", "--format", fmt])
    assert to_stdout.exit_code == exit_code, (fmt, to_stdout.output, to_stdout.exception)
    dest = tmp_path.parent / f"report-{fmt}"
    to_file = CliRunner().invoke(main, ["scan", ".", "--format", fmt, "-o", str(dest)])
    assert to_file.exit_code == exit_code, (fmt, to_file.output, to_file.exception)
    assert dest.read_bytes() == to_stdout.stdout_bytes, fmt
    return to_stdout.stdout_bytes


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_lone_surrogate_and_undecodable_file_name_never_crash_a_format(unicode_tree, fmt):
    doc = _assert_valid(fmt, _scan(unicode_tree, fmt))
    if fmt == "json":
        assert {(f["file"], f["resource"]) for f in doc["findings"]} == {
            ("caf\\xe9-\\xff.yaml", "NightlyExport"),  # the bytes that are not UTF-8, as escapes
            ("surrogate.json", "Fn\\ud800X"),
        }
    if fmt == "sarif":
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
        assert uris == {"caf%E9-%FF.yaml", "surrogate.json"}  # the file's real bytes, percent-encoded
    if fmt == "text":
        assert doc.startswith("'caf\\xe9-\\xff.yaml':10:7: CF201") and "Fn\\ud800X has a timeout" in doc
    if fmt == "full":
        assert "\n  'caf\\xe9-\\xff.yaml':10  CF201" in doc and "Fn\\ud800X has a timeout" in doc


def test_hostile_names_and_text_are_escaped_in_every_format(hostile_tree):
    from computefit.reporters.sarif import FINGERPRINT_NAME

    reports = {fmt: _scan(hostile_tree, fmt, exit_code=2) for fmt in FORMATS}
    parsed = {fmt: _assert_valid(fmt, data) for fmt, data in reports.items()}
    n_files = len(HOSTILE_NAMES) + 4  # + the undecodable name, ec2.yaml, sam.yaml, surrogate.json

    # JSON, SARIF, GitLab: every finding present; JSON carries each name itself (JSON-escaped)
    findings = parsed["json"]["findings"]
    assert len(findings) == n_files
    assert set(HOSTILE_NAMES) <= {f["file"] for f in findings}
    results = parsed["sarif"]["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "%24%28echo%20INJECTED%20%3E%262%29.yaml" in uris
    assert len({r["partialFingerprints"][FINGERPRINT_NAME] for r in results}) == n_files
    for r in results:
        assert not re.search(r"(?<!\\)\[", r["message"]["text"])  # no embedded SARIF link
        assert "<" not in r["message"]["markdown"] and not re.search(r"(?<!\\)\[", r["message"]["markdown"])
    assert [e["file"] for e in parsed["json"]["errors"]] == [BROKEN_NAME]
    [note] = parsed["sarif"]["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "broken%7C%60x%60%5Bx%5D%28http%3Ae%29%3Cb%3E%E2%80%AE.yaml")
    gitlab = parsed["gitlab"]
    assert len(gitlab) == n_files + 1 and len({i["fingerprint"] for i in gitlab}) == n_files + 1
    assert "broken|`x`[x](http:e)<b>\\u202e.yaml: YAML syntax error" in gitlab[-1]["description"]
    assert int(parsed["junit"].get("failures")) == n_files and int(parsed["junit"].get("errors")) == 1

    # GitHub workflow commands: one command per line, the data and properties escaped
    lines = parsed["github"]
    assert len(lines) == n_files + 1
    assert lines[-1].startswith("::error file=broken|`x`[x](http%3Ae)<b>\\u202e.yaml,line=4,title=")
    lines = lines[:-1]
    assert all(re.fullmatch(r"::warning file=[^:,]*,line=\d+,title=[^:,]*::.*", line) for line in lines), lines
    assert any(line.startswith("::warning file=tick`s|pipe [x](http%3Ae) ![i](e.png) <b>bold%0Anewline.yaml,")
               for line in lines)
    assert any("osc\\x1b]8;;http%3Ae\\x07link" in line and "\\u202egnp.yaml" in line for line in lines)

    # text: visible escapes, and file names quoted for a shell
    text = parsed["full"]
    assert "\n  '$(echo INJECTED >&2).yaml':10  CF201" in text
    assert "\n  'tick`s|pipe [x](http:e) ![i](e.png) <b>bold\\x0anewline.yaml':10  CF201" in text
    assert "osc\\x1b]8;;http:e\\x07link\\x1b]8;;\\x07 ansi\\x1b[31mred \\u202egnp.yaml" in text
    assert "/opt/\\u202e[x](https://evil.example/a)" in text  # the bidi override in the quoted cron line
    assert "\n  'broken|`x`[x](http:e)<b>\\u202e.yaml':4  error  YAML syntax error" in text
    # the one-line layout quotes and escapes the same way
    concise = parsed["text"]
    assert "\n'$(echo INJECTED >&2).yaml':10:7: CF201 [warning]" in "\n" + concise
    assert "\n'tick`s|pipe [x](http:e) ![i](e.png) <b>bold\\x0anewline.yaml':10:7: CF201" in "\n" + concise
    assert "\n  'broken|`x`[x](http:e)<b>\\u202e.yaml':4  error  YAML syntax error" in concise


def test_hostile_markdown_renders_no_link_image_or_html(hostile_tree):
    cmarkgfm = pytest.importorskip("cmarkgfm", reason="cmarkgfm (GitHub's cmark-gfm) renders the markdown")
    from cmarkgfm.cmark import Options

    report = _assert_valid("markdown", _scan(hostile_tree, "markdown", exit_code=2))
    html = cmarkgfm.github_flavored_markdown_to_html(report, options=Options.CMARK_OPT_UNSAFE)
    links = re.findall(r'<a href="([^"]*)"', html)
    assert links and set(links) <= {check_docs_url(c) for c in ("CF101", "CF201")}, links
    assert "<img" not in html and "<b>" not in html and "onerror" not in html.replace("onerror=alert", "")
    assert "evil.example" in html  # the text is there, as text
    headings = re.findall(r"<h3><code>(.*?)</code></h3>", html)
    assert len(headings) == len(HOSTILE_NAMES) + 4
    assert "tick`s|pipe [x](http:e) ![i](e.png) &lt;b&gt;bold\\x0anewline.yaml" in headings
    assert "$(echo INJECTED &gt;&amp;2).yaml" in headings
    # every table row has its cells (no pipe from a name or message splits one): five per
    # finding, three in the errors table, whose file cell shows the name as written
    by_check, *tables = re.findall(r"<tbody>(.*?)</tbody>", html, re.S)  # first: findings per check
    costs = [t for t in tables if "<strong>All</strong>" in t]  # last: the cost totals, six cells a row
    tables = [t for t in tables if t not in costs]
    assert all(len(re.findall(r"<td[^>]*>", row)) == 6 for t in costs for row in re.findall(r"<tr>(.*?)</tr>", t, re.S))
    assert [len(re.findall(r"<td[^>]*>", row)) for row in re.findall(r"<tr>(.*?)</tr>", by_check, re.S)] == [5, 5]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            for t in tables for row in re.findall(r"<tr>(.*?)</tr>", t, re.S)]
    assert sorted(len(r) for r in rows) == [3] + [5] * (len(HOSTILE_NAMES) + 4)
    [error_row] = [r for r in rows if len(r) == 3]
    assert error_row[:2] == ["broken|`x`[x](http:e)&lt;b&gt;\\u202e.yaml", "4"]


def test_reports_never_contain_nan_or_infinity(tmp_path, monkeypatch):
    """A non-finite number or a huge integer that reaches a report (evidence, costs) is null."""
    from computefit.check import CostLine
    from computefit.reporters import RenderOptions, render
    from computefit.runner import ScanResult
    from test_reporters import assert_valid_sarif, finding

    monkeypatch.chdir(tmp_path)
    f = finding(costs=[CostLine("current: Lambda", float("inf"), ["x"]), CostLine("Fargate", float("nan"), [])])
    f.evidence = {"timeout": {"value": float("inf"), "set_by": "property"}, "big": 10 ** 400, "nan": float("-nan")}
    result = ScanResult(findings=[f], checks=["CF201"])
    doc = _strict_json(render("json", result).encode("utf-8"))
    [out] = doc["findings"]
    assert out["evidence"] == {"timeout": {"value": None, "set_by": "property"}, "big": None, "nan": None}
    assert [o["monthly_usd"] for o in out["costs"]["options"]] == [None, None]
    sarif = _strict_json(render("sarif", result).encode("utf-8"))
    assert_valid_sarif(sarif)
    assert sarif["runs"][0]["results"][0]["properties"]["evidence"]["timeout"]["value"] is None
    _strict_json(render("gitlab", result).encode("utf-8"))
    for fmt in ("text", "markdown", "junit", "github"):
        assert "nan" not in render(fmt, result, RenderOptions()).lower().replace("finance", "")


def test_baseline_of_undecodable_names_and_surrogates_is_strict_json_and_matches(unicode_tree):
    assert invoke("scan", ".", "--write-baseline", "baseline.json").exit_code == 0
    doc = _strict_json((unicode_tree / "baseline.json").read_bytes())
    assert {(e["file"], e["resource"]) for e in doc["findings"]} == {
        ("caf\\xe9-\\xff.yaml", "NightlyExport"), ("surrogate.json", "Fn\\ud800X")}
    again = invoke("scan", ".", "--baseline", "baseline.json", "--format", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["findings"] == []  # both recorded findings still match
