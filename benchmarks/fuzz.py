"""Seeded mutation fuzzing of the whole scan: mutate real templates and Terraform files, scan each
mutant beside a canary template, and check that nothing breaks.

    python benchmarks/fuzz.py --mutants 12000 --seed 1            # the documented long run
    python benchmarks/fuzz.py --mutants 500 --seed 7 --save /tmp/fuzz-failures

Sources are the fixtures (fixtures/*) and a seeded sample of the shared corpus
(``/work/shared/corpus/files``, or COMPUTEFIT_CORPUS; skipped when absent). Each mutant applies one
to three mutations: byte flips, deleted spans, duplicated, deleted or swapped lines, and inserted or
substituted hostile values (huge and non-finite numbers, lone surrogates, invalid UTF-8, control and
escape characters, deep nesting, odd schedules, unclosed heredocs and placeholders, gzip bombs in
user data). Every mutant is scanned in process (click's CliRunner) with a canary template beside it
(a SAM function with Timeout: 900, a CF201 finding), writing every report format at once, and must:

* exit 0, 1 or 2, with no Python traceback and no "internal error" entry;
* write valid reports: json, sarif and gitlab parse with a strict JSON parser (no NaN/Infinity),
  junit parses as XML;
* still report the canary's CF201 finding;
* finish within the per-mutant time limit (a hang is a failure).

It prints the totals (mutants, tracebacks, internal errors, invalid reports, missing canaries,
hangs, bad exit codes) and the first failures; ``--save DIR`` keeps each failing mutant there to
reproduce it with ``computefit scan``. tests/test_fuzz.py runs a one-minute sample of the same.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
CORPUS = Path(os.environ.get("COMPUTEFIT_CORPUS") or REPO.parent / "shared" / "corpus") / "files"

CANARY = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  CanaryExport:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Timeout: 900
"""
CFN_SUFFIXES = (".yaml", ".yml", ".json", ".template")
TF_SUFFIXES = (".tf", ".tf.json", ".tfvars")
MAX_SOURCE_BYTES = 200 * 1024
FORMATS = ("json", "sarif", "gitlab", "junit", "github", "markdown")
_BOMB = base64.b64encode(gzip.compress(b"\n" * (1 << 20)) * 64).decode()  # 64 MB of newlines, 64 KB of gzip

HOSTILE_VALUES = [
    "9" * 5000, "-" + "9" * 4400, "1.0e+999", "-1.0e+999", "1e999", ".nan", ".inf", "nan", "NaN", "Infinity",
    '"nan"', '"1e999"', "0x" + "f" * 300, "-0", "1_000", "0o777", "18446744073709551617",
    '"\\ud800"', '"\\udfff\\ud800"', "'\ud800'", "\ud83d", "\x07", "\x1b[31m", "\x1b]8;;https://x\x07", "\u202e",
    "\x00", "\ufeff", "\r", "\t", "\x85", "\u2028",
    "[" * 150 + "]" * 150, "{a: " * 120 + "}" * 120, "[" * 1200,
    "rate(0 minutes)", "rate(-1 hours)", "rate(99999999999999999999999 days)", "rate(1 fortnight)",
    "cron(99 99 * * ? *)", "cron(0 3 * * * *)", "cron(" + "9" * 5000 + " * * * ? *)", "cron(*/0 * * * ? *)",
    "OnCalendar=Mon..Xyz", "OnCalendar=*-*-* 99:00", "OnCalendar=*:0/0", "OnUnitActiveSec=" + "9" * 3000,
    "${", "${" * 200, "}" * 50, "${!", "$${x}", "%{ for x in y }", "%{", "<<EOF", "<<-EOT\n" + "\n" * 2000,
    "!Ref", "!Ref X", "!Split ['', abc]", "!Select [-1, [a]]", "!Select [99, []]", "!If [C]", "!FindInMap [M]",
    "!GetAtt", "!Sub ['${A}', {A: !Ref A}]", "!Join [',', !Ref L]", "!Base64 {x: y}", "!!python/object:os.system",
    "&a [*a]", "*undefined", "? [a]: b", "<<: *a", "---\n---", "...",
    '${jsonencode(', 'regex("(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")', 'format("%999999d", 1)',
    'range(100000000)', '[for i in range(1000) : [for j in range(1000) : i * j]]', 'file("/etc/passwd")',
    'templatefile("../../../etc/shadow", {})', 'base64gzip("x")', 'base64decode("!!!")', 'jsondecode("{")',
    'yamldecode("a: [")', 'cidrsubnet("10.0.0.0/8", 99, 1)', 'timeadd("x", "y")', "1/0", "-9223372036854775809",
    _BOMB, "H4sIAAAAAAAA/wMAAAAAAAAAAAA=", "H4sI" + "A" * 60,
    "#cloud-config\nruncmd: 5\nwrite_files: [{path: 7}]", "while true; do\n" * 50, "cat > /etc/cron.d/x <<EOF\n" * 50,
    "\n" * 5000, " " * 5000, "a" * 70000,
]
_VALUE_AFTER = re.compile(rb"(:\s*|=\s*)([^\s,}\]]+)")
# A name: a YAML or JSON key, or a Terraform block label.
_NAME = re.compile(rb'(?m)^[ \t]*"?([A-Za-z][A-Za-z0-9_-]*)"?[ \t]*:|^(?:resource|module|variable)[ \t]+"[^"]*"[ \t]+"([^"]*)"')
#: What a hostile name holds: Markdown and HTML, bidi overrides, escape sequences.
HOSTILE_NAMES = ["[x](https://evil.example)", "`", "<b>", "\u202e", "\u200b", "*_~", "\\x1b[31m", "$(id)", "|"]
#: Lone surrogates in names (JSON escapes, Terraform escapes): they must be escaped at every output.
SURROGATE_NAMES = ["\\ud800", "\\udfff"]


@dataclass
class Source:
    path: Path  # a file; a Terraform file is fuzzed with the other files of its folder
    label: str

    @property
    def terraform(self) -> bool:
        return self.path.name.endswith(TF_SUFFIXES)


@dataclass
class Failure:
    kind: str
    source: str
    mutations: list[str]
    detail: str
    mutant: bytes = b""


@dataclass
class Totals:
    mutants: int = 0
    tracebacks: int = 0
    internal_errors: int = 0
    invalid_reports: int = 0
    missing_canaries: int = 0
    hangs: int = 0
    bad_exit_codes: int = 0
    exit_codes: dict[int, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    def add(self, failure: Failure) -> None:
        attr = {"traceback": "tracebacks", "internal error": "internal_errors", "invalid report": "invalid_reports",
                "missing canary": "missing_canaries", "hang": "hangs", "exit code": "bad_exit_codes"}[failure.kind]
        setattr(self, attr, getattr(self, attr) + 1)
        self.failures.append(failure)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def summary(self) -> str:
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(self.exit_codes.items()))
        return (f"mutants {self.mutants}, tracebacks {self.tracebacks}, internal errors {self.internal_errors}, "
                f"invalid reports {self.invalid_reports}, missing canaries {self.missing_canaries}, "
                f"hangs {self.hangs}, bad exit codes {self.bad_exit_codes} (exit codes {codes})")


def sources(seed: int, corpus_sample: int) -> list[Source]:
    """The fixtures, then a seeded sample of the corpus (none when it is absent)."""
    out = [Source(p, str(p.relative_to(REPO))) for p in sorted(FIXTURES.rglob("*"))
           if p.is_file() and p.name.endswith(CFN_SUFFIXES + TF_SUFFIXES)]
    if corpus_sample and CORPUS.is_dir():
        found = []
        for root, _dirs, files in os.walk(CORPUS):
            for name in files:
                if name.endswith(CFN_SUFFIXES + TF_SUFFIXES):
                    p = Path(root) / name
                    try:
                        if 0 < p.stat().st_size <= MAX_SOURCE_BYTES:
                            found.append(p)
                    except OSError:
                        continue
        found.sort()
        rng = random.Random(seed)
        for p in rng.sample(found, min(corpus_sample, len(found))):
            out.append(Source(p, "corpus/" + str(p.relative_to(CORPUS))))
    return out


def mutate(data: bytes, rng: random.Random, surrogates: bool = True) -> tuple[bytes, list[str]]:
    """One to three seeded mutations of ``data``, and what they were. ``surrogates``: names may
    get lone surrogates too."""
    done = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        op = rng.choice(("flip", "delete", "dup-line", "del-line", "swap-lines", "insert", "insert", "substitute",
                         "substitute", "truncate", "rename"))
        lines = data.split(b"\n")
        if op == "flip" and data:
            i = rng.randrange(len(data))
            data = data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
            done.append(f"flip byte {i}")
        elif op == "delete" and data:
            i = rng.randrange(len(data))
            n = rng.choice((1, 2, 5, 20, 200))
            data = data[:i] + data[i + n:]
            done.append(f"delete {n} bytes at {i}")
        elif op == "dup-line":
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            data = b"\n".join(lines)
            done.append(f"duplicate line {i + 1}")
        elif op == "del-line" and len(lines) > 1:
            i = rng.randrange(len(lines))
            del lines[i]
            data = b"\n".join(lines)
            done.append(f"delete line {i + 1}")
        elif op == "swap-lines" and len(lines) > 1:
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
            done.append(f"swap lines {i + 1} and {j + 1}")
        elif op == "truncate" and data:
            i = rng.randrange(len(data))
            data = data[:i]
            done.append(f"truncate at {i}")
        elif op == "insert":
            value = rng.choice(HOSTILE_VALUES)
            raw = value.encode("utf-8", "surrogatepass") if rng.random() < 0.2 else value.encode("utf-8", "replace")
            if rng.random() < 0.05:
                raw = b"\xff\xfe\xc3\x28"  # invalid UTF-8
            i = rng.randrange(len(data) + 1)
            data = data[:i] + raw + data[i:]
            done.append(f"insert {value[:30]!r} at {i}")
        elif op == "substitute":
            matches = list(_VALUE_AFTER.finditer(data))
            if matches:
                m = rng.choice(matches)
                value = rng.choice(HOSTILE_VALUES)
                data = data[:m.start(2)] + value.encode("utf-8", "replace") + data[m.end(2):]
                done.append(f"replace {m.group(2)[:20]!r} at {m.start(2)} with {value[:30]!r}")
        elif op == "rename":
            matches = list(_NAME.finditer(data))
            if matches:
                m = rng.choice(matches)
                group = 1 if m.group(1) is not None else 2
                value = rng.choice(HOSTILE_NAMES + (SURROGATE_NAMES if surrogates else []))
                at = m.end(group)
                data = data[:at] + value.encode("utf-8") + data[at:]
                done.append(f"rename {m.group(group)[:20]!r} at {at} with {value!r}")
    return data, done


class Hang(BaseException):
    """Raised by the alarm: a BaseException, so no ``except Exception`` in the scan swallows it."""


def _on_alarm(signum, frame):
    raise Hang()


def _strict_json(text: str):
    def refuse(constant):
        raise ValueError(f"{constant} in JSON")

    return json.loads(text, parse_constant=refuse)


def check_mutant(src: Source, data: bytes, mutations: list[str], work: Path, totals: Totals,
                 time_limit: float) -> None:
    """Scan one mutant beside the canary; record what went wrong in ``totals``."""
    from click.testing import CliRunner

    from computefit.cli import main

    scan_dir = work / "scan"
    out_dir = work / "out"
    shutil.rmtree(scan_dir, ignore_errors=True)
    shutil.rmtree(out_dir, ignore_errors=True)
    scan_dir.mkdir(parents=True)
    out_dir.mkdir()
    (scan_dir / "canary.yaml").write_text(CANARY)
    mutant_dir = scan_dir / "subject"
    mutant_dir.mkdir()
    if src.terraform:  # the rest of its module beside it, unchanged
        for sibling in src.path.parent.iterdir():
            if sibling.is_file() and sibling.name.endswith(TF_SUFFIXES) and sibling != src.path \
                    and sibling.stat().st_size <= MAX_SOURCE_BYTES:
                shutil.copyfile(sibling, mutant_dir / sibling.name)
    (mutant_dir / src.path.name).write_bytes(data)

    args = ["scan", str(scan_dir), "--format", "text"]
    for fmt in FORMATS:
        args += ["--format", f"{fmt}:{out_dir / ('report.' + fmt)}"]
    totals.mutants += 1

    def fail(kind: str, detail: str) -> None:
        totals.add(Failure(kind, src.label, mutations, detail[:500], data))

    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        result = CliRunner().invoke(main, args, catch_exceptions=True)
    except Hang:
        fail("hang", f"over {time_limit:g} s")
        return
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    totals.exit_codes[result.exit_code] = totals.exit_codes.get(result.exit_code, 0) + 1
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        fail("traceback", "".join(traceback.format_exception(result.exception))[-500:])
        return
    if "Traceback" in output:
        fail("traceback", output[-500:])
        return
    if result.exit_code not in (0, 1, 2):
        fail("exit code", f"exit {result.exit_code}: {output[-300:]}")
        return
    if "internal error" in output:
        fail("internal error", output[output.index("internal error") - 100:][:500])
        return
    reports = {fmt: out_dir / f"report.{fmt}" for fmt in FORMATS}
    try:
        texts = {fmt: p.read_text(encoding="utf-8") for fmt, p in reports.items()}
    except (OSError, UnicodeDecodeError) as exc:
        fail("invalid report", f"cannot read a report: {exc}")
        return
    parsed = {}
    for fmt in ("json", "sarif", "gitlab"):
        try:
            parsed[fmt] = _strict_json(texts[fmt])
        except ValueError as exc:
            fail("invalid report", f"{fmt}: {exc}")
            return
    try:
        ET.fromstring(texts["junit"])
    except ET.ParseError as exc:
        fail("invalid report", f"junit: {exc}")
        return
    errors = parsed["json"].get("errors", [])
    internal = [e for e in errors if "internal error" in e.get("message", "")]
    if internal:
        fail("internal error", json.dumps(internal[0], ensure_ascii=True))
        return
    overtime = [e for e in errors if "took over" in e.get("message", "")]  # computefit.budget fired
    if overtime:
        fail("hang", json.dumps(overtime[0], ensure_ascii=True))
        return
    canary = [f for f in parsed["json"].get("findings", [])
              if f.get("check_id") == "CF201" and str(f.get("file", "")).endswith("canary.yaml")]
    if not canary:
        fail("missing canary", json.dumps(errors[:3], ensure_ascii=True))


def run(mutants: int, seed: int, corpus_sample: int = 400, time_limit: float = 20.0, progress: bool = False,
        deadline: float | None = None, surrogates: bool = True) -> Totals:
    """Fuzz ``mutants`` mutants (or until ``deadline``, a time.monotonic() value); the totals."""
    rng = random.Random(seed)
    pool = sources(seed, corpus_sample)
    totals = Totals()
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="computefit-fuzz-") as tmp:
        work = Path(tmp)
        os.chdir(work)  # display paths relative to the fuzz folder, never the checkout
        try:
            for n in range(mutants):
                if deadline is not None and time.monotonic() > deadline:
                    break
                src = rng.choice(pool)
                data, mutations = mutate(src.path.read_bytes(), rng, surrogates)
                check_mutant(src, data, mutations, work, totals, time_limit)
                if progress and (n + 1) % 250 == 0:
                    print(f"  {n + 1}: {totals.summary()}", file=sys.stderr, flush=True)
        finally:
            os.chdir(cwd)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus-sample", type=int, default=400, help="corpus files to draw from (0: fixtures only)")
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds per mutant before it is a hang")
    parser.add_argument("--show", type=int, default=10, help="failures to print")
    parser.add_argument("--save", metavar="DIR", help="write each failing mutant into DIR")
    parser.add_argument("--no-surrogate-names", dest="surrogates", action="store_false",
                        help="never put lone surrogates in names")
    args = parser.parse_args()
    start = time.monotonic()
    totals = run(args.mutants, args.seed, args.corpus_sample, args.time_limit, progress=True,
                 surrogates=args.surrogates)
    print(f"{totals.summary()} in {time.monotonic() - start:.0f} s")
    for f in totals.failures[:args.show]:
        print(f"- {f.kind}: {f.source} after {'; '.join(f.mutations)}\n    {f.detail[:300]!r}")
    if args.save and totals.failures:
        out = Path(args.save)
        out.mkdir(parents=True, exist_ok=True)
        for i, f in enumerate(totals.failures):
            name = Path(f.source).name
            (out / f"{i:04d}-{f.kind.replace(' ', '-')}-{name}").write_bytes(f.mutant)
        print(f"failing mutants written to {out}")
    sys.exit(1 if totals.failed else 0)


if __name__ == "__main__":
    main()
