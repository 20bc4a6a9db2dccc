"""computefit, cfn-lint and checkov side by side on the same inputs, and computefit -j 1 against -j N.

Usage: python benchmarks/bench_side_by_side.py [--reps N] [--folder-reps N] [--jobs-reps N]
           [--cfn-lint PATH] [--checkov PATH] [--computefit PATH] [--corpus PATH] [--jobs N]
           [--skip-peers] [--skip-jobs]

Every command runs as a child process, several times (the one-file commands once more first,
untimed, to warm the page cache and the .pyc files); printed: the median wall time, the median CPU
time (the child and its workers), the peak resident set size of the largest process (``os.wait4``)
and the computefit / peer ratios. A peer that is not installed is skipped with a message. checkov
runs with ``--framework cloudformation|terraform --skip-download --quiet`` (install it in its own
environment: ``python3 -m venv /work/checkov-venv && /work/checkov-venv/bin/pip install checkov``,
then ``--checkov /work/checkov-venv/bin/checkov``).

Inputs: one CloudFormation template and one Terraform folder of the bundled examples; from the
shared corpus (skipped when absent), awslabs/aws-cloudformation-templates (CloudFormation; cfn-lint
gets the template files the corpus MANIFEST.tsv lists, computefit and checkov the folder) and
terraform-aws-modules/terraform-aws-lambda (Terraform; computefit and checkov). Then computefit
``-j 1`` against ``-j N`` on ministryofjustice/modernisation-platform-environments (4,000 .tf files).

The tools do different jobs (cfn-lint validates everything against the resource specification,
checkov runs about a thousand policies; computefit reads the compute resources only): the ratios are
what a CI step pays for each, not a like-for-like comparison of engines. On a machine shared with
other work the wall times move with the load average (printed); the CPU times move less.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_vs_cfnlint import DEFAULT_CORPUS, REPO, corpus_templates, find_tool, measure  # noqa: E402

CFN_FOLDER = "awslabs__aws-cloudformation-templates"
TF_FOLDER = "terraform-aws-modules__terraform-aws-lambda"
JOBS_FOLDER = "ministryofjustice__modernisation-platform-environments"
ONE_TEMPLATE = REPO / "examples" / "orders-api" / "template.yaml"
ONE_TF = REPO / "examples" / "terraform" / "main.tf"


def fmt(m: dict | None) -> str:
    if m is None:
        return f"{'(skipped)':>34}"
    return (f"{m['median'] * 1000:8.0f} ms  cpu {m['cpu'] * 1000:7.0f} ms  "
            f"{m['rss_mb']:4d} MiB  exit {','.join(map(str, m['exit']))}")


def table(title: str, rows: list[tuple[str, dict | None]]) -> None:
    """One block: computefit first, then each peer with its ratio to computefit."""
    print(title)
    base = rows[0][1]
    for label, m in rows:
        ratio = ""
        if m is not None and base is not None and m is not base:
            ratio = (f"  computefit/{label.split()[0]}: wall {base['median'] / m['median']:.3f}, "
                     f"cpu {base['cpu'] / max(m['cpu'], 1e-9):.3f}, RSS {base['rss_mb'] / max(m['rss_mb'], 1):.2f}")
        print(f"  {label:<28} {fmt(m)}{ratio}")
    print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=7, help="timed runs per command, one file")
    ap.add_argument("--folder-reps", type=int, default=3, help="timed runs per command, folders")
    ap.add_argument("--jobs-reps", type=int, default=1, help="timed runs of -j 1 and -j N")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="N of -j N (default: CPUs)")
    ap.add_argument("--computefit", default=find_tool("computefit"))
    ap.add_argument("--cfn-lint", dest="cfn_lint", default=find_tool("cfn-lint"))
    ap.add_argument("--checkov", default=find_tool("checkov"))
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    ap.add_argument("--skip-peers", action="store_true", help="only computefit -j 1 against -j N")
    ap.add_argument("--skip-jobs", action="store_true", help="no -j 1 against -j N run")
    args = ap.parse_args(argv)

    cf = args.computefit
    if not cf or not Path(cf).exists():
        print("computefit is not installed (pip install .)")
        return 1
    peers = {}
    for name, path in (("cfn-lint", args.cfn_lint), ("checkov", args.checkov)):
        if path and Path(path).exists():
            peers[name] = path
        elif not args.skip_peers:
            print(f"{name}: not found, skipped (give its path with --{name})")
    print(f"python {sys.version.split()[0]}; {os.cpu_count()} CPUs; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; computefit {cf}")
    print()

    def peer(name: str, cmd: list[str], reps: int, warm: bool = True) -> dict | None:
        return measure([peers[name], *cmd], reps, REPO, warm_up=warm) if name in peers else None

    def checkov(framework: str, *target: str, reps: int, warm: bool = True) -> dict | None:
        return peer("checkov", [*target, "--framework", framework, "--skip-download", "--quiet", "--compact"],
                    reps, warm)

    corpus = Path(args.corpus)
    files = corpus / "files"
    if not args.skip_peers:
        table(f"One CloudFormation template ({ONE_TEMPLATE.relative_to(REPO)}), median of {args.reps}", [
            ("computefit scan", measure([cf, "scan", str(ONE_TEMPLATE)], args.reps, REPO)),
            ("cfn-lint", peer("cfn-lint", [str(ONE_TEMPLATE)], args.reps)),
            ("checkov -f", checkov("cloudformation", "-f", str(ONE_TEMPLATE), reps=args.reps)),
        ])
        table(f"One Terraform file with its folder ({ONE_TF.relative_to(REPO)}), median of {args.reps}", [
            ("computefit scan", measure([cf, "scan", str(ONE_TF)], args.reps, REPO)),
            ("cfn-lint (the CFN template)", peer("cfn-lint", [str(ONE_TEMPLATE)], args.reps)),
            ("checkov -f", checkov("terraform", "-f", str(ONE_TF), reps=args.reps)),
        ])
        folder = files / CFN_FOLDER
        if (corpus / "MANIFEST.tsv").is_file() and folder.is_dir():
            templates = corpus_templates(corpus.resolve(), folder.resolve())
            table(f"{CFN_FOLDER} ({len(templates)} CloudFormation templates), median of {args.folder_reps}", [
                ("computefit scan", measure([cf, "scan", str(folder)], args.folder_reps, REPO, warm_up=False)),
                ("cfn-lint", peer("cfn-lint", list(map(str, templates)), args.folder_reps, warm=False)),
                ("checkov -d", checkov("cloudformation", "-d", str(folder), reps=args.folder_reps, warm=False)),
            ])
        else:
            print(f"{CFN_FOLDER}: skipped, no corpus at {corpus}\n")
        folder = files / TF_FOLDER
        if folder.is_dir():
            n = sum(1 for _ in folder.rglob("*.tf"))
            table(f"{TF_FOLDER} ({n} .tf files), median of {args.folder_reps}", [
                ("computefit scan", measure([cf, "scan", str(folder)], args.folder_reps, REPO, warm_up=False)),
                ("checkov -d", checkov("terraform", "-d", str(folder), reps=args.folder_reps, warm=False)),
            ])
        else:
            print(f"{TF_FOLDER}: skipped, no corpus at {corpus}\n")
    folder = files / JOBS_FOLDER
    if not args.skip_jobs:
        if folder.is_dir():
            n = sum(1 for _ in folder.rglob("*.tf"))
            serial = measure([cf, "scan", "-j", "1", str(folder)], args.jobs_reps, REPO, warm_up=False)
            parallel = measure([cf, "scan", "-j", str(args.jobs), str(folder)], args.jobs_reps, REPO, warm_up=False)
            print(f"{JOBS_FOLDER} ({n} .tf files), median of {args.jobs_reps}")
            print(f"  {'computefit -j 1':<28} {fmt(serial)}")
            print(f"  {f'computefit -j {args.jobs}':<28} {fmt(parallel)}")
            print(f"  speed-up -j {args.jobs} over -j 1: {serial['median'] / parallel['median']:.2f}x wall "
                  f"(CPU {parallel['cpu'] / serial['cpu']:.2f}x of the serial run's)")
        else:
            print(f"{JOBS_FOLDER}: skipped, no corpus at {corpus}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
