"""Time ``computefit scan`` against ``cfn-lint`` on one template and on a folder of templates.

Usage: python benchmarks/bench_vs_cfnlint.py [--reps N] [--folder-reps N] [--template PATH]
                                             [--folder PATH] [--corpus PATH]

The corpus is found at ../shared/corpus, or where COMPUTEFIT_CORPUS points (a git worktree).

Both tools run as separate processes, side by side in the same run, N times each (the one-template
commands once more first, untimed, to warm the page cache and the .pyc files). Reported: the median
wall time and the peak resident set size of each child (from ``os.wait4``), and the computefit /
cfn-lint ratios. Floors for the one-file scan: ``python -c pass`` and ``computefit --version`` with
the same interpreter.

The single template is a bundled example; the folder is a folder of real CloudFormation templates
from the shared corpus (default: widdix/aws-cf-templates, 65 production templates), skipped with a
message when the corpus is absent. cfn-lint gets the template files of the folder as listed in the
corpus MANIFEST.tsv; computefit gets the folder and finds them itself (discovery is part of its
cost). The two tools do different jobs (cfn-lint validates everything against the resource
specification; computefit reads the compute resources only): the ratio is what a CI step pays for
each, not a like-for-like comparison of engines.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = Path(os.environ.get("COMPUTEFIT_CORPUS") or REPO.parent / "shared" / "corpus")
DEFAULT_TEMPLATE = REPO / "examples" / "orders-api" / "template.yaml"
DEFAULT_FOLDER = "widdix__aws-cf-templates"
CFN_KINDS = ("cfn-yaml", "cfn-json", "sam")


def find_tool(name: str) -> str | None:
    """The console script next to this interpreter (the project's venv), else on PATH."""
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else shutil.which(name)


def run_once(cmd: list[str], cwd: Path) -> tuple[float, int, int, float]:
    """(wall seconds, peak RSS in MB, exit code, CPU seconds) of one child process (the CPU time
    counts the child's own children: a -j N scan's workers)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen consistent
    rss_kb = usage.ru_maxrss  # kilobytes on Linux
    return wall, rss_kb // 1024, proc.returncode, usage.ru_utime + usage.ru_stime


def measure(cmd: list[str], reps: int, cwd: Path, warm_up: bool = True) -> dict:
    if warm_up:  # page cache and .pyc files; the folder runs come after the one-file runs
        run_once(cmd, cwd)
    runs = [run_once(cmd, cwd) for _ in range(reps)]
    walls = [r[0] for r in runs]
    return {
        "median": statistics.median(walls),
        "min": min(walls),
        "rss_mb": max(r[1] for r in runs),
        "exit": sorted({r[2] for r in runs}),
        "cpu": statistics.median(r[3] for r in runs),
    }


def measure_in_turn(cmds: list[list[str]], reps: int, cwd: Path, warm_up: bool = True,
                    before: dict | None = None) -> list[dict]:
    """``measure`` for several commands whose runs take turns (a, b, c, a, b, c, ...), so that a
    change of the machine's load during the measurement weighs on each command alike.
    ``before`` maps a command's index to a function called (untimed) before each of its runs."""
    before = before or {}

    def one(i: int, cmd: list[str]) -> tuple:
        if i in before:
            before[i]()
        return run_once(cmd, cwd)

    if warm_up:
        for i, cmd in enumerate(cmds):
            one(i, cmd)
    runs: list[list[tuple]] = [[] for _ in cmds]
    for _ in range(reps):
        for i, cmd in enumerate(cmds):
            runs[i].append(one(i, cmd))
    return [{
        "median": statistics.median(r[0] for r in rs),
        "min": min(r[0] for r in rs),
        "rss_mb": max(r[1] for r in rs),
        "exit": sorted({r[2] for r in rs}),
        "cpu": statistics.median(r[3] for r in rs),
    } for rs in runs]


def corpus_templates(corpus: Path, folder: Path) -> list[Path]:
    """The CloudFormation / SAM files under ``folder`` according to the corpus manifest."""
    out = []
    with open(corpus / "MANIFEST.tsv", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 4 or parts[3] not in CFN_KINDS:
                continue
            path = corpus / "files" / parts[0].replace("/", "__") / parts[2]
            if folder in path.parents and path.is_file():
                out.append(path)
    return sorted(out)


def row(label: str, m: dict) -> str:
    return (f"  {label:<34} {m['median'] * 1000:8.0f} ms  (min {m['min'] * 1000:6.0f})  "
            f"peak RSS {m['rss_mb']:5d} MB  exit {','.join(map(str, m['exit']))}")


def compare(title: str, cf: dict, lint: dict) -> None:
    print(title)
    print(row("computefit scan", cf))
    print(row("cfn-lint", lint))
    print(f"  ratio computefit/cfn-lint: wall {cf['median'] / lint['median']:.3f} "
          f"(cfn-lint is {lint['median'] / cf['median']:.1f}x slower), "
          f"peak RSS {cf['rss_mb'] / max(lint['rss_mb'], 1):.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=7, help="timed runs per command, one template")
    ap.add_argument("--folder-reps", type=int, default=3, help="timed runs per command, folder")
    ap.add_argument("--template", default=str(DEFAULT_TEMPLATE))
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    ap.add_argument("--folder", default=None,
                    help=f"folder of templates (default: {DEFAULT_FOLDER} in the corpus)")
    args = ap.parse_args(argv)

    computefit, cfn_lint = find_tool("computefit"), find_tool("cfn-lint")
    if not computefit or not cfn_lint:
        print("needs both computefit and cfn-lint installed (pip install -e .)")
        return 1
    template = Path(args.template).resolve()
    print(f"python {sys.version.split()[0]} ({sys.executable}); {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.2f}")
    print()

    floor = measure([sys.executable, "-c", "pass"], args.reps, REPO)
    version = measure([computefit, "--version"], args.reps, REPO)
    cf_one = measure([computefit, "scan", str(template)], args.reps, REPO)
    lint_one = measure([cfn_lint, str(template)], args.reps, REPO)
    print(f"One template: {template.relative_to(REPO) if REPO in template.parents else template} "
          f"({template.stat().st_size:,} bytes), median of {args.reps}")
    print(row("python -c pass (floor)", floor))
    print(row("computefit --version", version))
    compare("", cf_one, lint_one)
    print(f"  computefit scan over the interpreter floor: +{(cf_one['median'] - floor['median']) * 1000:.0f} ms "
          f"({cf_one['median'] / floor['median']:.1f}x python -c pass)")
    print()

    corpus = Path(args.corpus)
    folder = Path(args.folder).resolve() if args.folder else corpus / "files" / DEFAULT_FOLDER
    if not (corpus / "MANIFEST.tsv").is_file() or not folder.is_dir():
        print(f"Folder: skipped, no corpus folder at {folder}")
        return 0
    templates = corpus_templates(corpus.resolve(), folder)
    if not templates:
        print(f"Folder: skipped, the manifest lists no CloudFormation template under {folder}")
        return 0
    cf_dir = measure([computefit, "scan", str(folder)], args.folder_reps, REPO, warm_up=False)
    lint_dir = measure([cfn_lint, *map(str, templates)], args.folder_reps, REPO, warm_up=False)
    size = sum(p.stat().st_size for p in templates)
    compare(f"Folder: {folder} ({len(templates)} templates, {size / 1024:,.0f} KB), "
            f"median of {args.folder_reps}", cf_dir, lint_dir)
    print(f"  per template: computefit {cf_dir['median'] / len(templates) * 1000:.1f} ms, "
          f"cfn-lint {lint_dir['median'] / len(templates) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
