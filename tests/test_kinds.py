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
            for key in {a.default, *dict(a.defaults).values()} - {None}:
                facts.fact(key)  # a typo raises KeyError
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


def test_a_default_can_differ_by_language(tmp_path):
    # CloudFormation creates an ECS service with 1 task when DesiredCount is omitted; Terraform's
    # provider with 0 (so an omitted desired_count is not read as 1)
    from computefit.discovery import discover
    from computefit.runner import build_model

    (tmp_path / "t.yaml").write_text(
        "Resources:\n  Svc:\n    Type: AWS::ECS::Service\n    Properties:\n      Cluster: c\n")
    (tmp_path / "main.tf").write_text('resource "aws_ecs_service" "svc" {\n  name = "svc"\n}\n')
    model, errors, _ = build_model(discover([str(tmp_path)]))
    assert errors == []
    by_name = {r.address: r for r in model.resources}
    cfn = by_name["Svc"].attributes["desired_count"]
    assert (cfn.value, cfn.origin) == (1, "service-default")
    assert "aws-resource-ecs-service.html" in cfn.note
    assert "desired_count" not in by_name["aws_ecs_service.svc"].attributes
