"""Time workload.analyse on adversarial user data at two sizes: a linear reader takes about twice as
long on twice the input, a quadratic one four times as long.

    python benchmarks/userdata_regex.py            # 40 KB and 80 KB of each input
    python benchmarks/userdata_regex.py --kb 200   # 200 KB and 400 KB

Each input is built to defeat one pattern that used to backtrack (issue 15: an 80 KB template with
many blank lines in its user data took 34 s); tests/test_hostile_input.py asserts the outcome of
the same inputs, this script measures them.
"""

from __future__ import annotations

import argparse
import time

from computefit import workload

#: name -> (repeated unit, text around it with @@ where the repeats go); a "#" in the unit is
#: replaced by its number
ADVERSARIAL: dict[str, tuple[str, str]] = {
    "blank lines before OnCalendar": ("\n", "@@OnCalendar=daily\n"),
    "blank lines in a here-document": ("\n", "cat > /etc/cron.d/x <<EOF\n0 3 * * * root /x.sh\n@@EOF\n"),
    "spaces after cat": (" ", "cat@@x\n"),
    "here-document openers without delimiter": ("cat > /x <<EOF\n", "@@"),
    "one long token": ("a", "@@\n"),
    "cron-field tokens on one line": ("1 ", "@@\n"),
    "echo with stars, unclosed": ("*", "echo '@@ cron\n"),
    "docker run without -d": ("docker run ", "@@\n"),
    "curl without -o": ("curl ", "@@\n"),
    "curl lines without -o": ("curl x\n", "@@"),
    "while loops without sleep": ("while true; do x; done\n", "@@"),
    "spaces after while true": (" ", "while true@@x\n"),
    "placeholders without brace": ("${", "@@\n"),
    "dotted name before .timer": ("a.", "@@\n"),
    "systemctl units": ("systemctl enable a#\n", "@@"),
    "fetched scripts": ("curl -o /opt/a.sh x\n", "@@\n"),
    "digits for OnUnitActiveSec": ("9", "OnUnitActiveSec=@@.\n"),
    "cron lines": ("*/5 * * * * root /x.sh\n", "echo > /etc/cron.d/x\n@@"),
}


def build(name: str, units: int) -> str:
    unit, frame = ADVERSARIAL[name]
    repeats = "".join(unit.replace("#", str(i)) for i in range(units)) if "#" in unit else unit * units
    return frame.replace("@@", repeats)


def measure(name: str, size: int) -> float:
    unit = ADVERSARIAL[name][0]
    text = build(name, max(1, size // len(unit)))
    start = time.perf_counter()
    workload.analyse(text)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, default=40, help="smaller size in KB (the larger is twice it)")
    args = parser.parse_args()
    size = args.kb * 1024
    print(f"{'input':45} {args.kb:>6} KB {2 * args.kb:>6} KB  ratio")
    for name in ADVERSARIAL:
        a, b = measure(name, size), measure(name, 2 * size)
        print(f"{name:45} {a:8.3f} s {b:7.3f} s  {b / a if a else 0:5.1f}")


if __name__ == "__main__":
    main()
