"""Time and peak memory of the Terraform inputs that hung the evaluator (hostile-input issue).

Usage: python benchmarks/tf_hostile.py [CASE ...]

Each case runs in a fresh Python process; prints its wall and CPU time (imports excluded), the
peak resident memory of that process and the outcome (the Unknown's note, or the module's units and errors). Before the budgets
these took: format width 117 s / 2.9 GB, nested for 21 s, the regex minutes, the module fan-out
over 300 s. The unit tests (tests/test_tf_budgets.py) assert the outcomes; this measures them.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

EXPRESSIONS = {
    "format-width": 'format("%999999999d", 1)',
    "nested-for": "[for i in range(1000) : [for j in range(1000) : i * j]]",
    "template-loops": '"%{ for i in range(1000) }%{ for j in range(1000) }x%{ endfor }%{ endfor }"',
    "regex-backtracking": 'regex("^(([a-z])+.)+[A-Z]([a-z])+$", "' + "a" * 100_000 + '!")',
    "string-growth": 'jsonencode([for i in range(1000) : format("%100000s", "x")])',
    "setproduct": "setproduct(range(1000), range(1000), range(1000))",
    "deep-nesting": "[" * 300 + "1" + "]" * 300,
    "huge-integer": "1" + "0" * 5000,
}
MODULE_CASES = ("module-fanout", "module-fanout-heavy", "locals-chain")


def _eval(expr: str) -> str:
    from computefit.model import Unknown
    from computefit.terraform.evaluate import Evaluator
    from computefit.terraform.syntax import HclExpr, parse_hcl_text

    class Scope:
        prefix = ""
        path_module = path_root = "."
        path_root_abs = root_dir = tempfile.gettempdir()
        notes: list = []

        def lookup_var(self, name, ev):
            return Unknown("unset")

        lookup_local = lookup_var

        def lookup_module(self, name, output, ev):
            return Unknown("unset")

        def has_resource(self, rtype, name):
            return False

        def resolve_ref_value(self, ref):
            return Unknown("unset")

    text = f"x = {expr}\n"
    node = parse_hcl_text(text).children[0].children[0].children[-1]
    value = Evaluator(Scope()).eval(HclExpr(node, text, "bench.tf", 1))
    return value.reason if isinstance(value, Unknown) else f"value of {len(repr(value)):,} characters"


def _fanout(tmp: Path, levels: int, calls: int, resources: int) -> None:
    body = "".join(
        f'resource "aws_lambda_function" "f{k}" {{\n  function_name = "${{local.name}}-{k}"\n'
        f'  timeout = var.x + {k}\n  memory_size = local.sizes[{k % 3}]\n'
        f'  environment {{\n    variables = {{ A = local.name, B = jsonencode(local.sizes) }}\n  }}\n}}\n'
        for k in range(resources))
    for d in range(levels + 1):
        text = ('variable "x" {\n  default = 1\n}\n'
                'locals {\n  name = "fn-${var.x}"\n  sizes = [for i in range(3) : 128 * (i + 1)]\n}\n' + body)
        if d < levels:
            text += "".join(f'module "c{k}" {{\n  source = "../m{d + 1}"\n  x = var.x + {k}\n}}\n'
                            for k in range(calls))
        (tmp / f"m{d}").mkdir(parents=True, exist_ok=True)
        (tmp / f"m{d}" / "main.tf").write_text(text)


def _module(case: str) -> str:
    from computefit import terraform
    from computefit.discovery import discover

    tmp = Path(tempfile.mkdtemp())
    if case == "locals-chain":
        n = 400
        chain = "\n".join(f"  l{i} = local.l{i - 1} + 1" for i in range(1, n))
        (tmp / "m0").mkdir()
        (tmp / "m0" / "main.tf").write_text(
            f"locals {{\n  l0 = 0\n{chain}\n}}\n"
            f'resource "aws_lambda_function" "f" {{\n  function_name = "f"\n  timeout = local.l{n - 1}\n}}\n')
    else:
        _fanout(tmp, 8, 4, 12 if case == "module-fanout" else 64)
    size = sum(p.stat().st_size for p in tmp.rglob("*.tf"))
    os.chdir(tmp)
    docs, errors = terraform.load_all(discover(["m0"]).modules)
    units = [u for d in docs for u in d.units]
    notes = sorted({n for u in units for n in u.notes if "budget" in n})
    timeouts = [u.value("timeout") for u in units][:1]
    return (f"{size / 1024:.0f} KB of code: {len(units):,} units, {len(errors)} errors; "
            f"{notes[0][:130] if notes else 'no budget note'}; first timeout {timeouts}")


def run_case(case: str) -> None:
    import computefit.runner  # noqa: F401 - imports are not part of the measurement
    import computefit.terraform.evaluate  # noqa: F401

    t = time.perf_counter()
    cpu = time.process_time()
    outcome = _eval(EXPRESSIONS[case]) if case in EXPRESSIONS else _module(case)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{time.perf_counter() - t:.2f} s ({time.process_time() - cpu:.2f} s CPU)\t"
          f"{peak_kb / 1024:.0f} MB\t{outcome}")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--case"]:
        run_case(argv[1])
        return 0
    cases = argv or list(EXPRESSIONS) + list(MODULE_CASES)
    for case in cases:
        proc = subprocess.run([sys.executable, __file__, "--case", case], capture_output=True, text=True,
                              cwd=REPO, timeout=600)
        if proc.returncode != 0:
            print(f"{case:22} FAILED: {proc.stderr.strip()[-300:]}")
            continue
        seconds, peak, outcome = proc.stdout.strip().split("\t", 2)
        print(f"{case:20} {seconds:>20}  peak {peak:>7}  {outcome[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
