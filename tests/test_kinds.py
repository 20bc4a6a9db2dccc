"""The kinds table (linter/data/kinds.toml) is consistent: one kind per type, known attribute types,
defaults that name a fact, spellings for a language the kind exists in."""

from __future__ import annotations

from computefit import facts
from computefit.kinds import CONVERTERS, kind_of, mapped_keys, table

TYPES = set(CONVERTERS) | {"any", "ref"}


def test_every_type_has_one_kind():
    seen: dict[str, str] = {}
    for kind in table().values():
        names = [t for types in kind.types.values() for t in types] + (
            [f"module:{kind.module}"] if kind.module else [])
        for t in names:
            assert t not in seen, f"{t} is in {seen.get(t)} and {kind.name}"
            seen[t] = kind.name
            assert kind_of(t) == kind.name


def test_attributes_are_well_formed():
    for kind in table().values():
        for a in kind.attributes:
            assert a.type in TYPES and all(t in TYPES for _l, t in a.types), (kind.name, a.name)
            if a.default:
                facts.fact(a.default)  # a typo raises KeyError
            if "cloudformation" in a.paths:
                assert kind.types["cloudformation"], (kind.name, a.name)
            if "terraform" in a.paths:
                assert kind.types["terraform"], (kind.name, a.name)
            if "module" in a.paths:
                assert kind.module, (kind.name, a.name)


def test_one_row_serves_both_languages():
    lam = table()["lambda_function"]
    timeout = next(a for a in lam.attributes if a.name == "timeout")
    assert timeout.paths == {"cloudformation": ("Timeout",), "terraform": ("timeout",), "module": ("timeout",)}
    assert (timeout.type, timeout.unit, timeout.default) == ("int", "s", "lambda.timeout_default")
    assert "VisibilityTimeout" in mapped_keys("sqs_queue", "cloudformation")
    assert kind_of("module:terraform-aws-modules/sqs/aws") == "sqs_queue"
    assert kind_of("AWS::IAM::Role") is None  # unmapped types are still emitted, without a kind
