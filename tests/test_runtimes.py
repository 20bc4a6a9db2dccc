"""computefit.runtimes: a Lambda runtime's family, version, cold-start tier and SnapStart support.

Tiers and SnapStart minimum versions come from facts.toml (lambda.slow_cold_start_runtimes:
java, dotnet; lambda.snapstart_runtimes: java 11, python 3.12, dotnet 8).
"""

from __future__ import annotations

import pytest

from computefit import facts, runtimes
from computefit.model import Unknown
from computefit.runtimes import FAST, SLOW, UNKNOWN, Runtime


@pytest.mark.parametrize("name,family,version,tier,snapstart", [
    ("java21", "java", (21,), SLOW, True),
    ("java11", "java", (11,), SLOW, True),
    ("java8.al2", "java", (8,), SLOW, False),  # below Java 11
    ("python3.13", "python", (3, 13), FAST, True),
    ("python3.12", "python", (3, 12), FAST, True),
    ("python3.11", "python", (3, 11), FAST, False),
    ("python3.9", "python", (3, 9), FAST, False),  # (3, 9) < (3, 12): compared as numbers, not text
    ("dotnet8", "dotnet", (8,), SLOW, True),
    ("dotnet6", "dotnet", (6,), SLOW, False),
    ("dotnetcore3.1", "dotnet", (3, 1), SLOW, False),
    ("nodejs22.x", "nodejs", (22,), FAST, False),
    ("ruby3.3", "ruby", (3, 3), FAST, False),
    ("provided.al2023", "provided", None, FAST, False),
    ("go1.x", "provided", (1,), FAST, False),  # the retired Go runtime ran as a custom runtime
])
def test_managed_runtimes(name, family, version, tier, snapstart):
    rt = runtimes.parse(name)
    assert rt == Runtime(name, family, version, False)
    assert (rt.tier, rt.snapstart_supported, rt.label()) == (tier, snapstart, name)


def test_name_is_normalised():
    assert runtimes.parse("  Java17 ") == Runtime("java17", "java", (17,), False)


@pytest.mark.parametrize("value", [None, Unknown("parameter Runtime has no Default"), 42, ["java21"]])
def test_unresolved_runtime_is_unknown(value):
    rt = runtimes.parse(value)
    assert rt == Runtime(None, None, None, False)
    assert (rt.tier, rt.snapstart_supported, rt.label()) == (UNKNOWN, False, "unknown runtime")


def test_unrecognised_runtime_keeps_its_name_with_an_unknown_tier():
    rt = runtimes.parse("cobol85")
    assert rt == Runtime("cobol85", None, None, False)
    assert (rt.tier, rt.snapstart_supported, rt.label()) == (UNKNOWN, False, "cobol85")


@pytest.mark.parametrize("package_type", ["Image", "image"])
def test_container_image_is_slow_and_has_no_snapstart(package_type):
    rt = runtimes.parse(None, package_type)
    assert rt == Runtime(None, None, None, True)
    assert (rt.tier, rt.snapstart_supported, rt.label()) == (SLOW, False, "container image")
    java_image = runtimes.parse("java21", package_type)  # a Runtime next to an image is ignored by Lambda
    assert (java_image.image, java_image.tier, java_image.snapstart_supported) == (True, SLOW, False)


def test_zip_package_type_is_not_an_image():
    assert runtimes.parse("java21", "Zip").image is False
    assert runtimes.parse("java21", Unknown("parameter PackageType")).image is False


def test_tiers_and_snapstart_follow_the_facts():
    slow = facts.value("lambda.slow_cold_start_runtimes")
    assert {f for f in ("java", "python", "dotnet", "nodejs", "ruby", "provided")
            if Runtime("x", f, (99,)).tier == SLOW} == set(slow)
    for family, minimum in facts.value("lambda.snapstart_runtimes").items():
        version = tuple(int(p) for p in str(minimum).split("."))
        assert Runtime("x", family, version).snapstart_supported
        assert not Runtime("x", family, version[:-1] + (version[-1] - 1,)).snapstart_supported
    assert not Runtime("x", "java", None).snapstart_supported  # a version is needed to compare
