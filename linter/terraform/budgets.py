"""Limits on static evaluation of Terraform, so that hostile or runaway code cannot hang a scan or
exhaust memory. Every limit is here, with why it has its value.

Past a budget the value is :class:`~computefit.model.Unknown` with a note naming the budget (the
evaluator turns :class:`OverBudget` into that), except the per-module CPU-time budget: a module
still being evaluated after :data:`MODULE_SECONDS` becomes an error entry (:class:`ModuleTimeout`,
a ParseError, naming the file and line being evaluated) and the scan goes on with the next module.

The numbers are far above what real code needs and far below what hurts (each is reached in well
under a second). Measured on the 3,489 Terraform folders of the shared corpus: the largest single
evaluation takes 832 steps and builds 48 K characters, one module load builds at most 131 K
characters, the deepest nesting is 70 levels, a root module follows at most 217 module instances,
with 2,753 resource blocks in all, and the slowest module loads in 3.4 s (2 shared cores).
"""

from __future__ import annotations

import time

from ..model import ParseError

#: Loop iterations (``for`` expressions, template ``%{ for }``) plus elements produced by collection
#: functions (range, setproduct, flatten, concat, ...) in one evaluation of one attribute, local or
#: variable. 50,000 is 60 times the largest real evaluation; at a few microseconds each it is
#: reached in about half a second. (A nested ``for`` over range(1000) x range(1000) took 21 s.)
MAX_STEPS = 50_000

#: Elements of any single collection value. Terraform's own range() stops at 1,024; 10,000 leaves
#: room for setproduct() and flatten() of real inputs.
MAX_COLLECTION = 10_000

#: Characters of any single string (format widths, padding, replace(), join(), indent(), templates,
#: jsonencode()). 1 Mi characters is the largest .tf file a scan reads (syntax.MAX_HCL_BYTES) and 40
#: times the largest value AWS accepts in the attributes we check (EC2 user data: 25,600 bytes).
#: ``format("%999999999d", 1)`` took 117 s and 2.9 GB without it.
MAX_STRING = 1024 * 1024

#: Characters produced by string operations in one evaluation (many strings each under
#: MAX_STRING, e.g. jsonencode() of a list of big strings). Bounds memory per attribute to tens of MB.
MAX_EVAL_CHARS = 8 * MAX_STRING

#: Characters and steps produced in one whole module load (all instances): what memoised values
#: can hold in memory at most (a few hundred MB), whatever the number of attributes.
MAX_MODULE_CHARS = 64 * MAX_STRING
MAX_MODULE_STEPS = 50 * MAX_STEPS

#: Nesting of expression evaluation, counted across locals and variables that refer to each other:
#: twice the deepest real nesting (70). Each level is a few Python frames, and Python's default
#: recursion limit is 1,000 frames.
MAX_DEPTH = 150

#: Characters of a yamldecode() input. PyYAML reads about 400 KB/s even with libyaml (and cannot be
#: interrupted), so 256 Ki characters is under a second; YAML documents given to yamldecode() in
#: real code are a few KB.
MAX_YAML_CHARS = 256 * 1024

#: Binary digits of an integer. Terraform numbers are 512-bit floats; 1,024 bits (309 decimal
#: digits) is past any real value and keeps Python's int/str conversion (refused over 4,300 digits)
#: and arithmetic cheap. Non-finite numbers (NaN, infinities) are never values at all.
MAX_NUMBER_BITS = 1024

#: Digits of a number written in the source or a string (tonumber()): past the 309 of
#: MAX_NUMBER_BITS, with room for long decimal fractions; checked before any conversion.
MAX_NUMBER_DIGITS = 400

#: Steps one uncached parse of a template interpolation is charged: parsing takes about 80 us, ten
#: loop steps (a 1 MB template of distinct interpolations parsed for 7 s).
PARSE_STEPS = 10

#: Module instances (the root and every local module call followed, at any depth) in one root
#: module's load: 2.4 times the most in a real root (217). Modules that each call the next four
#: times, eight levels deep (87,381 instances from 108 KB of code), took over 300 s.
MAX_MODULE_INSTANCES = 512

#: Resource blocks of all those instances together: 2.2 times the most in a real root (2,753 in 87
#: instances). Each resource costs about 0.17 ms of CPU to model, so this bounds a root to about a
#: second however the instances are shaped (512 instances of 64 resources took 3.6 s).
MAX_MODULE_RESOURCES = 6_000

#: CPU seconds (of this process) for one root module (with its child modules), checked
#: cooperatively in the evaluator's loops. Six times the slowest real module (3.4 s); only the last
#: line of defence behind the budgets above. CPU time, not wall-clock time: on a loaded machine
#: (a shared CI runner, a scan beside other jobs) wall-clock time stretches and a module would be
#: dropped on one run and read on the next; the CPU a module costs does not depend on the load.
MODULE_SECONDS = 20.0


class OverBudget(Exception):
    """A budget is exhausted: the value being computed is Unknown with this note."""

    def __init__(self, note: str) -> None:
        super().__init__(note)
        self.note = note


class ModuleTimeout(ParseError):
    """The module's CPU-time budget is exhausted: the module is an error entry, the scan goes on."""


class Budget:
    """The budgets of one module load (shared by every evaluator of its instances).

    ``steps`` and ``chars`` count per outermost evaluation (reset when the evaluation that started
    it ends); ``total_*`` count for the whole load; ``depth`` is the current nesting."""

    __slots__ = ("seconds", "deadline", "module", "steps", "chars", "total_steps", "total_chars",
                 "depth", "active", "instances", "resources", "_ticks", "clock")

    def __init__(self, seconds: float | None = None, module: str = "", clock=None) -> None:
        self.clock = clock or time.process_time
        self.seconds = MODULE_SECONDS if seconds is None else seconds
        self.deadline = self.clock() + self.seconds
        self.module = module
        self.steps = self.chars = self.total_steps = self.total_chars = 0
        self.depth = 0
        self.active = 0
        self.instances = 0
        self.resources = 0
        self._ticks = 0

    # ---- one evaluation -----------------------------------------------------------------------

    def enter(self) -> None:
        if self.active == 0:
            self.steps = self.chars = 0
        self.active += 1

    def leave(self) -> None:
        self.active -= 1

    # ---- charges ------------------------------------------------------------------------------

    def step(self, n: int = 1, file: str = "", line: int = 0) -> None:
        """Charge ``n`` iterations or produced elements; checks the deadline now and then."""
        self.steps += n
        self.total_steps += n
        if self.steps > MAX_STEPS:
            raise OverBudget(f"evaluation stopped after {MAX_STEPS:,} loop iterations and collection "
                             "elements (budget MAX_STEPS)")
        if self.total_steps > MAX_MODULE_STEPS:
            raise OverBudget(f"module evaluation stopped after {MAX_MODULE_STEPS:,} loop iterations "
                             "and collection elements (budget MAX_MODULE_STEPS)")
        self._ticks += n
        if self._ticks >= 256:
            self._ticks = 0
            self.check_deadline(file, line)

    def chars_for(self, n: int, what: str) -> None:
        """Charge a string of ``n`` characters about to be built by ``what``."""
        if n > MAX_STRING:
            raise OverBudget(f"{what} would build a string of {n:,} characters, over the "
                             f"{MAX_STRING:,} of budget MAX_STRING")
        self.chars += n
        self.total_chars += n
        if self.chars > MAX_EVAL_CHARS:
            raise OverBudget(f"{what}: evaluation built more than {MAX_EVAL_CHARS:,} characters of "
                             "strings (budget MAX_EVAL_CHARS)")
        if self.total_chars > MAX_MODULE_CHARS:
            raise OverBudget(f"{what}: module evaluation built more than {MAX_MODULE_CHARS:,} "
                             "characters of strings (budget MAX_MODULE_CHARS)")

    def collection(self, n: int, what: str) -> None:
        """Check (and charge) a collection of ``n`` elements about to be built by ``what``."""
        if n > MAX_COLLECTION:
            raise OverBudget(f"{what} would build {n:,} elements, over the {MAX_COLLECTION:,} of "
                             "budget MAX_COLLECTION")
        self.step(n)

    def check_deadline(self, file: str = "", line: int = 0) -> None:
        if self.clock() > self.deadline:
            where = file or self.module
            raise ModuleTimeout(where, line or None,
                                f"Terraform evaluation of this module stopped after {self.seconds:g} s of CPU time "
                                "(budget MODULE_SECONDS); its resources are not checked")

    def tick(self, file: str = "", line: int = 0) -> None:
        """A cheap call for every evaluated node: checks the deadline every 256 calls."""
        self._ticks += 1
        if self._ticks >= 256:
            self._ticks = 0
            self.check_deadline(file, line)
