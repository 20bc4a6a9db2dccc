"""computefit, cfn-lint and checkov side by side on the same inputs, and computefit -j 1 against -j N.

Usage: python benchmarks/bench_side_by_side.py [--reps N] [--folder-reps N] [--jobs-reps N]
           [--cfn-lint PATH] [--checkov PATH] [--computefit PATH] [--corpus PATH] [--jobs N]
           [--skip-peers] [--skip-folders] [--skip-jobs]

Every command runs as a child process, several times. The commands of one comparison run in turn
(computefit, then each peer, then computefit again...), so that a change of the machine's load
weighs on all of them alike, after one untimed run each (page cache, .pyc files, computefit's
cached HCL parser). Printed for each: the median wall time, the median CPU time (the child and its
workers), the peak resident set size of the largest process (``os.wait4``), and the computefit /
peer ratios of wall time, CPU time and memory. Then the issue's table, refreshed, as markdown.

Peers are found next to this interpreter, else on PATH, else given with --cfn-lint / --checkov; one
that is not installed is skipped with a message. Install each in an environment of its own (``pip
install cfn-lint``, ``pip install checkov``). checkov runs with ``--framework
cloudformation|terraform --skip-download --quiet --compact``. computefit should be a regular
installation (``pip install .``, not ``-e``: an editable install adds an import hook to every
start-up).

Inputs: one CloudFormation template and one Terraform file (with its folder) of the bundled
examples. The Terraform file is scanned twice over: unchanged (after the untimed run, every file
of its folder and the expressions of its templates are read back from computefit's parse cache,
without lark), and edited (a copy of the folder whose file gets a new comment before each run:
that file is parsed, its siblings are read back; what a pre-commit hook sees on a commit that
changed the file); from the shared corpus (skipped when absent) awslabs/aws-cloudformation-templates
(cfn-lint gets the template files the corpus MANIFEST.tsv lists, computefit and checkov the folder)
and terraform-aws-modules/terraform-aws-lambda. Then computefit ``-j 1`` against ``-j N`` on
ministryofjustice/modernisation-platform-environments (4,000 .tf files), with identical findings
checked: wall time, CPU time, and the ratio of CPU-seconds (what the pool costs in total).

The tools do different jobs (cfn-lint validates everything against the resource specification,
checkov runs about a thousand policies; computefit reads the compute resources only): the ratios are
what a CI step pays for each, not a like-for-like comparison of engines. On a machine shared with
other work the wall times follow the load average (printed before and after each block); CPU times
move less, and a -j N scan's wall time can only shrink when the CPUs are free.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_vs_cfnlint import DEFAULT_CORPUS, REPO, corpus_templates, find_tool, measure_in_turn  # noqa: E402

CFN_FOLDER = "awslabs__aws-cloudformation-templates"
TF_FOLDER = "terraform-aws-modules__terraform-aws-lambda"
JOBS_FOLDER = "ministryofjustice__modernisation-platform-environments"
ONE_TEMPLATE = REPO / "examples" / "orders-api" / "template.yaml"
ONE_TF = REPO / "examples" / "terraform" / "main.tf"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def fmt(m: dict | None) -> str:
    if m is None:
        return f"{'(skipped)':>34}"
    return (f"{m['median'] * 1000:8.0f} ms  cpu {m['cpu'] * 1000:7.0f} ms  "
            f"{m['rss_mb']:4d} MiB  exit {','.join(map(str, m['exit']))}")


def ratios(base: dict, m: dict) -> dict:
    return {"wall": base["median"] / m["median"], "cpu": base["cpu"] / max(m["cpu"], 1e-9),
            "rss": base["rss_mb"] / max(m["rss_mb"], 1)}


def block(title: str, rows: list[tuple[str, dict | None]]) -> None:
    """One comparison: computefit first, then each peer with computefit's ratios to it (the other
    computefit rows and the interpreter floor are shown as they are)."""
    print(f"{title}  [load {load()}]")
    base = rows[0][1]
    for label, m in rows:
        extra = ""
        if m is not None and base is not None and label.split()[0] in ("cfn-lint", "checkov"):
            r = ratios(base, m)
            extra = f"  computefit/{label.split()[0]}: wall {r['wall']:.3f}, cpu {r['cpu']:.3f}, RSS {r['rss']:.2f}"
        print(f"  {label:<33} {fmt(m)}{extra}")
    print()


def seconds(m: dict) -> str:
    s = m["median"]
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=9, help="timed runs per command, one file")
    ap.add_argument("--folder-reps", type=int, default=3, help="timed runs per command, folders")
    ap.add_argument("--jobs-reps", type=int, default=1, help="timed runs of -j 1 and -j N")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="N of -j N (default: CPUs)")
    ap.add_argument("--computefit", default=find_tool("computefit"))
    ap.add_argument("--cfn-lint", dest="cfn_lint", default=find_tool("cfn-lint"))
    ap.add_argument("--checkov", default=find_tool("checkov"))
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    ap.add_argument("--skip-peers", action="store_true", help="no peer runs (computefit alone)")
    ap.add_argument("--skip-folders", action="store_true", help="no corpus folder runs")
    ap.add_argument("--skip-jobs", action="store_true", help="no -j 1 against -j N run")
    args = ap.parse_args(argv)

    cf = args.computefit
    if not cf or not Path(cf).exists():
        print("computefit is not installed (pip install .)")
        return 1
    peers = {}
    for name, path in (("cfn-lint", args.cfn_lint), ("checkov", args.checkov)):
        if args.skip_peers:
            continue
        if path and Path(path).exists():
            peers[name] = path
        else:
            print(f"{name}: not found, skipped (give its path with --{name})")
    print(f"python {sys.version.split()[0]}; {os.cpu_count()} CPUs; computefit {cf}")
    for name, path in peers.items():
        print(f"{name} {path}")
    print()

    def peer(name: str, *cmd: str) -> list[str] | None:
        return [peers[name], *cmd] if name in peers else None

    def checkov(framework: str, *target: str) -> list[str] | None:
        return peer("checkov", *target, "--framework", framework, "--skip-download", "--quiet", "--compact")

    def run(title: str, commands: list[tuple[str, list[str] | None]], reps: int, warm: bool = True,
            before: dict | None = None) -> list:
        shown = [label for label, c in commands if c is not None]
        hooks = {shown.index(label): fn for label, fn in (before or {}).items()}
        measured = measure_in_turn([c for _, c in commands if c is not None], reps, REPO, warm_up=warm,
                                   before=hooks)
        got = iter(measured)
        rows = [(label, next(got) if c is not None else None) for label, c in commands]
        block(title, rows)
        return rows

    table: list[tuple[str, dict, str, dict | None]] = []  # (what, computefit, peer label, peer)
    py = sys.executable if Path(cf).parent == Path(sys.executable).parent else None
    floor = [("python -c pass", [py, "-c", "pass"])] if py else []
    edited_dir = Path(tempfile.mkdtemp(prefix="computefit-bench-"))
    shutil.copytree(ONE_TF.parent, edited_dir / ONE_TF.parent.name)
    edited = edited_dir / ONE_TF.parent.name / ONE_TF.name
    original = edited.read_text(encoding="utf-8")
    edits = iter(range(1, 1 << 30))

    def edit() -> None:
        """A text never scanned before: the one file is parsed, its folder's other files are not."""
        edited.write_text(f"{original}# edit {next(edits)} at {time.time_ns()}\n", encoding="utf-8")

    one = run(f"One CloudFormation template ({ONE_TEMPLATE.relative_to(REPO)}), median of {args.reps}", [
        ("computefit scan", [cf, "scan", str(ONE_TEMPLATE)]),
        ("computefit scan (Terraform file)", [cf, "scan", str(ONE_TF)]),
        ("computefit scan (edited TF file)", [cf, "scan", str(edited)]),
        ("cfn-lint", peer("cfn-lint", str(ONE_TEMPLATE))),
        ("checkov -f (template)", checkov("cloudformation", "-f", str(ONE_TEMPLATE))),
        ("checkov -f (Terraform file)", checkov("terraform", "-f", str(ONE_TF))),
        *floor,
        ("computefit --version", [cf, "--version"]),
    ], args.reps, before={"computefit scan (edited TF file)": edit})
    shutil.rmtree(edited_dir, ignore_errors=True)
    rows = dict(one)
    if rows["cfn-lint"] is not None:
        table.append(("one template (pre-commit)", rows["computefit scan"], "cfn-lint", rows["cfn-lint"]))
        table.append(("one Terraform file with its folder (pre-commit)", rows["computefit scan (Terraform file)"],
                      "cfn-lint (the template)", rows["cfn-lint"]))
        table.append(("the same Terraform file just edited (pre-commit)", rows["computefit scan (edited TF file)"],
                      "cfn-lint (the template)", rows["cfn-lint"]))
    if rows["checkov -f (Terraform file)"] is not None:
        table.append(("one Terraform file", rows["computefit scan (Terraform file)"], "checkov",
                      rows["checkov -f (Terraform file)"]))

    corpus = Path(args.corpus)
    files = corpus / "files"
    if not args.skip_folders:
        folder = files / CFN_FOLDER
        if (corpus / "MANIFEST.tsv").is_file() and folder.is_dir():
            templates = corpus_templates(corpus.resolve(), folder.resolve())
            rows = dict(run(f"{CFN_FOLDER} ({len(templates)} CloudFormation templates), median of {args.folder_reps}", [
                ("computefit scan", [cf, "scan", str(folder)]),
                ("cfn-lint", peer("cfn-lint", *map(str, templates))),
                ("checkov -d", checkov("cloudformation", "-d", str(folder))),
            ], args.folder_reps, warm=False))
            what = f"{len(templates)} CloudFormation templates ({CFN_FOLDER.replace('__', '/')})"
            for label in ("cfn-lint", "checkov -d"):
                if rows[label] is not None:
                    table.append((what, rows["computefit scan"], label.split()[0], rows[label]))
        else:
            print(f"{CFN_FOLDER}: skipped, no corpus at {corpus}\n")
        folder = files / TF_FOLDER
        if folder.is_dir():
            n = sum(1 for _ in folder.rglob("*.tf"))
            rows = dict(run(f"{TF_FOLDER} ({n} .tf files), median of {args.folder_reps}", [
                ("computefit scan", [cf, "scan", str(folder)]),
                ("checkov -d", checkov("terraform", "-d", str(folder))),
            ], args.folder_reps, warm=False))
            if rows["checkov -d"] is not None:
                table.append((f"{n} .tf files ({TF_FOLDER.replace('__', '/')})", rows["computefit scan"],
                              "checkov", rows["checkov -d"]))
        else:
            print(f"{TF_FOLDER}: skipped, no corpus at {corpus}\n")

    jobs_line = None
    folder = files / JOBS_FOLDER
    if not args.skip_jobs:
        if folder.is_dir():
            n = sum(1 for _ in folder.rglob("*.tf"))
            with tempfile.TemporaryDirectory() as tmp:
                outs = [os.path.join(tmp, f"j{j}.json") for j in (1, args.jobs)]
                rows = run(f"{JOBS_FOLDER} ({n} .tf files), median of {args.jobs_reps}", [
                    ("computefit -j 1", [cf, "scan", "-j", "1", "--format", "json", "-o", outs[0], str(folder)]),
                    (f"computefit -j {args.jobs}", [cf, "scan", "-j", str(args.jobs), "--format", "json", "-o",
                                                   outs[1], str(folder)]),
                ], args.jobs_reps, warm=False)
                same = Path(outs[0]).read_bytes() == Path(outs[1]).read_bytes()
            serial, parallel = rows[0][1], rows[1][1]
            jobs_line = (f"-j {args.jobs} against -j 1 on {JOBS_FOLDER.replace('__', '/')} ({n} .tf files): "
                         f"{serial['median'] / parallel['median']:.2f}x faster (wall {seconds(serial)} -> "
                         f"{seconds(parallel)}); CPU-seconds {serial['cpu']:.1f} -> {parallel['cpu']:.1f} "
                         f"(ratio {parallel['cpu'] / serial['cpu']:.2f}); peak RSS per process "
                         f"{serial['rss_mb']} -> {parallel['rss_mb']} MiB; reports {'identical' if same else 'DIFFER'}")
            print(f"  {jobs_line}\n")
            if not same:
                print("  the -j 1 and -j N reports differ: a bug")
        else:
            print(f"{JOBS_FOLDER}: skipped, no corpus at {corpus}\n")

    print("| Same run | computefit | peer | ratio (wall; CPU) |")
    print("|---|---|---|---|")
    for what, mine, label, theirs in table:
        r = ratios(mine, theirs)
        print(f"| {what} | {seconds(mine)}, {mine['rss_mb']} MiB (CPU {mine['cpu'] * 1000:.0f} ms) | "
              f"{label} {seconds(theirs)}, {theirs['rss_mb']} MiB (CPU {theirs['cpu'] * 1000:.0f} ms) | "
              f"{r['wall']:.3f}; {r['cpu']:.3f} |")
    if jobs_line:
        print(f"\n{jobs_line}")
    print(f"\nload average at the end: {load()}; git {_revision()}")
    return 0


def _revision() -> str:
    try:
        return subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
