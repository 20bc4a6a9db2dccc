"""Load every Terraform folder of the shared corpus through the Terraform front end.

Usage: python benchmarks/corpus_tf.py [--sample N] [--corpus PATH]

Prints: modules, files, units, errors by kind, exceptions (bugs), total and slowest times. Every folder
holding a ``tf`` / ``tf-json`` file of MANIFEST.tsv is one module. Exit status 1 when any folder
raised anything other than a ParseError.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"


def tf_folders(corpus: Path) -> list[Path]:
    folders: set[Path] = set()
    with open(corpus / "MANIFEST.tsv", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 4 or parts[3] not in ("tf", "tf-json"):
                continue
            repo, _commit, path, _kind = parts
            p = corpus / "files" / repo.replace("/", "__") / path
            folders.add(p.parent)
    return sorted(folders)


def sample(folders: list[Path], n: int | None) -> list[Path]:
    if not n or n >= len(folders):
        return folders
    step = len(folders) / n
    return [folders[int(i * step)] for i in range(n)]  # deterministic: evenly spaced


def run(folders: list[Path]) -> dict:
    from computefit import terraform
    from computefit.discovery import TerraformModule, is_terraform_file
    from computefit.model import ParseError

    stats = collections.Counter()
    error_kinds: collections.Counter = collections.Counter()
    crashes: list[tuple[str, str]] = []
    slowest: list[tuple[float, str]] = []
    t0 = time.perf_counter()
    for folder in folders:
        if not folder.is_dir():
            continue
        files = sorted(str(folder / f) for f in os.listdir(folder)
                       if is_terraform_file(f) and (folder / f).is_file())
        if not files:
            continue
        module = TerraformModule(directory=str(folder), files=files)
        stats["modules"] += 1
        stats["files"] += len(files)
        t = time.perf_counter()
        try:
            doc, errors = terraform.load(module, root_dir=str(folder.parent))
            stats["units"] += len(doc.units)
            stats["triggers"] += sum(len(u.triggers) for u in doc.units)
            for e in errors:
                error_kinds[_kind(e.message)] += 1
        except ParseError as exc:
            stats["parse_error_modules"] += 1
            error_kinds[_kind(exc.message)] += 1
        except Exception as exc:  # a bug
            crashes.append((str(folder), "".join(traceback.format_exception(exc))[-1500:]))
        slowest.append((time.perf_counter() - t, str(folder)))
    stats["seconds"] = round(time.perf_counter() - t0, 2)
    slowest.sort(reverse=True)
    return {"stats": stats, "errors": error_kinds, "crashes": crashes, "slowest": slowest[:5]}


def _kind(message: str) -> str:
    for prefix in ("HCL syntax error", "JSON syntax error", "cannot read", "binary file", "file is not valid UTF-8"):
        if message.startswith(prefix):
            return prefix
    return message.split(":")[0][:60]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=None)
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    args = ap.parse_args(argv)
    corpus = Path(args.corpus)
    if not (corpus / "MANIFEST.tsv").is_file():
        print(f"no corpus at {corpus}")
        return 0
    result = run(sample(tf_folders(corpus), args.sample))
    for k, v in sorted(result["stats"].items()):
        print(f"{k:>22}: {v}")
    print("errors by kind:")
    for k, v in result["errors"].most_common():
        print(f"  {v:6d}  {k}")
    print("slowest folders:")
    for t, f in result["slowest"]:
        print(f"  {t:6.2f}s  {f}")
    print(f"exceptions: {len(result['crashes'])}")
    for folder, tb in result["crashes"][:20]:
        print("---", folder)
        print(tb)
    return 1 if result["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
