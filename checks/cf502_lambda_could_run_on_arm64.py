from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from computefit import facts, pricing, runtimes
from computefit import model as m
from computefit.check import INFO, MEDIUM, Check, CheckContext, Finding, Option, Violation, setting_evidence


@dataclass
class CouldRunOnArm64(Violation):
    runtime: runtimes.Runtime
    architectures: m.Setting | None  # None: not set, the x86_64 default


class LambdaCouldRunOnArm64(Check):
    """
    ## What it does
    Flags a zip-packaged Lambda function that runs on x86_64 (no `Architectures` /
    `architectures`, which defaults to x86_64, or `x86_64` written out, on the function, in SAM
    `Globals` or as a terraform-aws-modules/lambda input) with a managed runtime that runs the same
    package on arm64: Python, Node.js, Java, .NET and Ruby. The finding gives the saving a month
    when a schedule says how often the function runs, and per million invocations otherwise, each
    invocation priced at the function's timeout (an upper bound).

    It stays quiet for functions already on arm64, container images (`PackageType: Image`,
    `ImageUri`, `image_uri`: the image must be rebuilt for arm64), OS-only `provided.*` runtimes
    (a compiled binary), the deprecated runtimes never offered on arm64, and a runtime, package type
    or architecture it cannot resolve.

    It is opt-in, as it fires on most functions: enable it with `--select CF502` (or `CF5`, or
    `select = ["CF"]` in the configuration).

    ## Why is this bad?
    Lambda bills arm64 (Graviton) duration 20 % cheaper per GB-second than x86_64, and AWS reports
    better price-performance on it. For an interpreted, JVM or .NET runtime the switch is one line:
    the same code runs on either architecture. What can break is native code bundled in the
    package: compiled Python wheels, Node.js modules built with node-gyp, JNI libraries in a jar,
    native NuGet packages, Ruby gems with C extensions, and layers published for x86_64 only.

    ## Example
    ```yaml
    Resources:
      Thumbnails:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          CodeUri: src/          # no Architectures: x86_64
    ```
    ```hcl
    resource "aws_lambda_function" "thumbnails" {
      runtime  = "nodejs20.x"
      handler  = "index.handler"
      filename = "thumbnails.zip"
      architectures = ["x86_64"]
    }
    ```

    ## Use instead
    Build the package for arm64 (`sam build` with `Architectures: [arm64]`, `pip install
    --platform manylinux2014_aarch64 --only-binary=:all:`, `npm ci` on an arm64 builder, layers
    published for arm64) and set the architecture:
    ```yaml
    Globals:
      Function:
        Architectures: [arm64]
    ```
    ```hcl
    resource "aws_lambda_function" "thumbnails" {
      architectures = ["arm64"]
    }
    ```

    ## Options
    - `assumed_invocations_per_month`: the volume the cost lines assume when no schedule gives the
      runs per month (default 1,000,000: the saving is then per million invocations).

    ## References
    - [Lambda instruction set architectures](https://docs.aws.amazon.com/lambda/latest/dg/foundation-arch.html)
    - [Lambda runtimes](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html) (architectures per runtime)
    - [Lambda pricing](https://aws.amazon.com/lambda/pricing/) (x86 and Arm duration prices)
    - [Migrating Lambda functions to arm64](https://aws.amazon.com/blogs/compute/migrating-aws-lambda-functions-to-arm-based-aws-graviton2-processors/)
    """

    id = "CF502"
    name = "lambda-could-run-on-arm64"
    severity = INFO
    summary = "Zip Lambda function on x86_64 with a runtime that runs unchanged on arm64, whose GB-seconds cost less (opt-in)"
    tags = ("aws", "lambda", "arm64", "graviton", "cost")
    confidence = MEDIUM  # native code in the package is not visible in the infrastructure code
    default_enabled = False  # fires on most x86 functions: a suggestion, run when selected
    kinds = (m.LAMBDA_FUNCTION,)
    options = {
        "assumed_invocations_per_month": Option(
            1_000_000, "invocations a month the cost lines assume when no schedule counts them"),
    }

    applies_to = (m.LAMBDA_FUNCTION,)

    def detect(self, unit: m.ComputeUnit, ctx: CheckContext) -> Iterable[CouldRunOnArm64]:
        if not self._zip(unit):
            return
        arch = unit.setting(m.ARCHITECTURES)
        if arch is not None:
            value = arch.value
            if not (arch.known and isinstance(value, list) and len(value) == 1 and isinstance(value[0], str)
                    and value[0].strip().lower() == "x86_64"):
                return  # arm64, or not known
        rt = runtimes.parse(unit.value(m.RUNTIME), unit.value(m.PACKAGE_TYPE))
        table = facts.raw("lambda.arm64_runtimes")
        if (rt.family not in table["value"] or rt.version is None or rt.name in table["x86_only"]
                or not re.fullmatch(r"[a-z]+[0-9][0-9a-z.]*", rt.name)):
            return  # provided.*, unknown or a placeholder (JAVA_VERSION), or never offered on arm64
        yield CouldRunOnArm64(unit, rt, arch)

    @staticmethod
    def _zip(unit: m.ComputeUnit) -> bool:
        """A zip package, known: PackageType Zip or unset, and no image URI."""
        package = unit.setting(m.PACKAGE_TYPE)
        if package is not None and not (package.known and isinstance(package.value, str)
                                        and package.value.strip().lower() == "zip"):
            return False
        return unit.setting(m.IMAGE_URI) is None

    def explain(self, v: CouldRunOnArm64, ctx: CheckContext) -> Finding:
        unit = v.subject
        from computefit import prices

        cut = 1 - prices.unit("lambda_gb_second", "arm64").rate / prices.unit("lambda_gb_second", "x86_64").rate
        where = v.architectures.describe_origin() if v.architectures is not None else "not set, x86_64 by default"
        costs, saving, per = self._costs(unit, ctx)
        message = (f"{unit.name} runs {v.runtime.name} on x86_64 ({where}): the same zip package runs on arm64, "
                   f"whose duration costs {cut:.0%} less per GB-second")
        if saving is not None:
            message += f" (up to ${saving:,.2f} {per})" if saving >= 0.005 else f" (under $0.01 {per})"
        message += "."
        if unit.source_format == "terraform":
            setting = 'architectures = ["arm64"]'
        elif unit.resource_type == "AWS::Serverless::Function":
            setting = "Architectures: [arm64] (on the function or in Globals Function)"
        else:
            setting = "Architectures: [arm64]"
        recommendation = (
            f"Set {setting} after checking the package for native code built for x86_64: compiled Python "
            "wheels (pip install --platform manylinux2014_aarch64 --only-binary=:all:), Node.js modules built "
            "with node-gyp, JNI libraries in Java jars, native NuGet packages or Ruby gems with C extensions, "
            "and layers published for x86_64 only; rebuild those for arm64 (sam build and most bundlers "
            "follow the architecture) and run the tests on arm64 before switching.")
        evidence = {
            "runtime": setting_evidence(unit.setting(m.RUNTIME)),
            "architectures": setting_evidence(v.architectures),
            "package_type": setting_evidence(unit.setting(m.PACKAGE_TYPE)),
            "memory_size": setting_evidence(unit.setting(m.MEMORY_SIZE)),
            "timeout": setting_evidence(unit.setting(m.TIMEOUT)),
            "duration_price_cut": round(cut, 4),
            "triggers": [{"kind": t.kind, "resource": t.resource, "at": str(t.location)} for t in unit.triggers],
        }
        if saving is not None:
            evidence["saving_usd"] = {"amount": round(saving, 2), "per": per}
        return self.finding(unit, message, recommendation, at=v.architectures, confidence=MEDIUM,
                            evidence=evidence, costs=costs)

    @staticmethod
    def _costs(unit: m.ComputeUnit, ctx: CheckContext) -> tuple[list[pricing.CostLine], float | None, str]:
        """Both architectures' cost at the timeout (an upper bound), over a schedule's runs a month
        or the assumed volume; and the saving."""
        memory, timeout = unit.value(m.MEMORY_SIZE), unit.value(m.TIMEOUT)
        if not (isinstance(memory, int) and isinstance(timeout, (int, float))):
            return [], None, ""
        usage = ctx.usage(unit)
        runs = pricing.lambda_runs(unit, usage)
        if runs.known:
            basis, per = runs.per_month, "a month"
            label = f"x {basis:,.0f} runs/month" + (" (at least)" if runs.lower_bound else "")
            volume = "; ".join(runs.notes)
        else:
            basis = float(ctx.option("assumed_invocations_per_month"))
            label, per = f"x {basis:,.0f} invocations/month (assumed)", f"per {basis:,.0f} invocations"
            volume = (f"invocations per month unknown (no schedule counts them): priced for {basis:,.0f}, "
                      "the figure scales linearly with volume")
        duration = min(timeout, facts.value("lambda.timeout_max"))  # a longer one is rejected (CF201)
        given = usage.get("request_duration_ms")
        if given is not None:
            duration = min(given.value / 1000, duration)
            assumptions = [pricing.input_note("each invocation", given, f"{given.value:,} ms"), volume]
        else:
            assumptions = ["every invocation lasts the full timeout (an upper bound)", volume]
        reserved = unit.value(m.RESERVED_CONCURRENCY)
        if isinstance(reserved, int) and not isinstance(reserved, bool) and reserved >= 0:
            most = float(facts.meta("seconds_per_month")) * reserved / duration
            if reserved == 0:
                return [], None, ""  # throttled: it never runs
            if basis > most:
                basis, label = most, f"x {most:,.0f} runs/month (capped)"
                assumptions.append(f"capped at what reserved concurrency {reserved} can run in a month, "
                                   "every environment busy all month")
        lines = []
        for arch, name in (("x86_64", "current: Lambda x86_64"), ("arm64", "Lambda arm64")):
            line = pricing.lambda_job(basis, duration, memory, arch,
                                      option=f"{name} {memory} MB, {duration:g} s {label}")
            line.assumptions[:0] = assumptions
            lines.append(line)
        return lines, lines[0].monthly_usd - lines[1].monthly_usd, per
