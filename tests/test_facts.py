"""computefit.facts: every limit, default and price is read from data/facts.toml with its source."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from computefit import facts, prices


def all_fact_keys(node=None, prefix="") -> list[str]:
    node = facts._data() if node is None else node
    keys = []
    for name, child in node.items():
        if (name == "meta" and not prefix) or not isinstance(child, dict):
            continue
        key = f"{prefix}{name}"
        keys += [key] if "value" in child else all_fact_keys(child, key + ".")
    return keys


def test_fact_carries_value_unit_source_and_date():
    f = facts.fact("lambda.timeout_max")
    assert (f.key, f.value, f.unit) == ("lambda.timeout_max", 900, "s")
    assert f.url.startswith("https://docs.aws.amazon.com/lambda/")
    assert f.cite() == f"{f.source} (as of {f.as_of})"
    assert facts.value("lambda.timeout_max") == 900


def test_meta_and_raw_tables():
    assert facts.meta("hours_per_month") == 730
    table = facts.raw("fargate.minimum_seconds")
    assert table["value"] == facts.value("fargate.minimum_seconds") == 60
    assert table["unit"] == "s"


@pytest.mark.parametrize("key", ["lambda.timeout_maximum", "nothing", "price.lambda_gb_second.arm"])
def test_unknown_key_is_a_key_error(key):
    with pytest.raises(KeyError):
        facts.fact(key)


def test_a_table_that_is_not_a_fact_is_a_key_error():
    with pytest.raises(KeyError, match="lambda is not a fact"):
        facts.fact("lambda")


def test_every_fact_has_a_source_an_openable_url_and_an_as_of_date():
    keys = all_fact_keys()
    assert "lambda.timeout_max" in keys and "fargate.minimum_seconds" in keys
    for key in keys:
        f = facts.fact(key)
        assert f.source.strip(), key
        # The url names the page, not a site root such as https://repost.aws/.
        url = urlsplit(f.url or "")
        assert url.scheme == "https" and url.netloc and url.path.strip("/"), (key, f.url)
        # The date is the fact's own, not the file-wide price date a missing as_of falls back to.
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(facts.raw(key).get("as_of", ""))), key
        # A source a reader can find: never a document that is not in the repository.
        assert not re.search(r"knowledge base|knowledge\.md|\bsection \d", f.source, re.I), (key, f.source)


def test_per_architecture_prices_cover_both_architectures():
    for key in ("lambda_gb_second", "lambda_pc_gb_second", "lambda_pc_duration_gb_second",
                "fargate_vcpu_hour", "fargate_gb_hour"):
        table = prices.data()["regions"]["us-east-1"][key]["value"]
        assert set(table) == {"x86_64", "arm64"}, key
        assert 0 < prices.rate(key, "arm64") < prices.rate(key, "x86_64"), key  # Graviton is the cheaper one
