#!/usr/bin/env python3
"""Rebuild computefit's price file (linter/data/prices/aws.json) from AWS Price List bulk offer files.

The AWS Price List bulk API is public and needs no credentials. A maintainer downloads, for each
service and region wanted, the region's offer file named by the service's region index:

    https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/index.json          (the services)
    https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSLambda/current/region_index.json
    -> regions.<region>.currentVersionUrl, e.g. /offers/v1.0/aws/AWSLambda/<version>/eu-west-1/index.json

for AWSLambda, AmazonECS (Fargate) and AmazonEC2 (instances and EBS), and runs:

    python scripts/refresh_prices.py OFFER.json [OFFER.csv ...] [--data linter/data/prices/aws.json]

(each region index entry also names the CSV form, ``currentVersionUrl`` with ``.csv``: both are read)

Each offer file updates the prices it holds for its region, with the offer file as their source
(its URL and publication date); every other price in the data file is kept as it is, with its own
source. Nothing is downloaded by this script; it prints what changed.

What is read, per offer (on-demand terms, USD):
* AWSLambda: products whose ``group`` is AWS-Lambda-Requests, AWS-Lambda-Duration,
  AWS-Lambda-Provisioned-Concurrency, AWS-Lambda-Duration-Provisioned, AWS-Lambda-Storage-Duration
  (each with -ARM for arm64), ``location`` other than "Any" (the free tier's); the duration's price
  dimensions are its tiers (beginRange / endRange in GB-seconds).
* AmazonECS: usagetypes ``...Fargate-vCPU-Hours:perCPU``, ``...Fargate-GB-Hours`` and their
  ``Fargate-ARM-`` forms.
* AmazonEC2: ``Compute Instance`` products of the instance types already in the data file, Linux,
  shared tenancy, no pre-installed software, capacitystatus Used (price, vCPU and memory together);
  ``Storage`` products of volumeApiName gp3 and gp2 (GB-month).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "linter" / "data" / "prices" / "aws.json"
INDEX_URL = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/{offer}/current/region_index.json"

_LAMBDA_GROUPS = {
    "AWS-Lambda-Requests": ("lambda_request", "x86_64"),
    "AWS-Lambda-Requests-ARM": ("lambda_request", "arm64"),
    "AWS-Lambda-Duration": ("lambda_gb_second", "x86_64"),
    "AWS-Lambda-Duration-ARM": ("lambda_gb_second", "arm64"),
    "AWS-Lambda-Provisioned-Concurrency": ("lambda_pc_gb_second", "x86_64"),
    "AWS-Lambda-Provisioned-Concurrency-ARM": ("lambda_pc_gb_second", "arm64"),
    "AWS-Lambda-Duration-Provisioned": ("lambda_pc_duration_gb_second", "x86_64"),
    "AWS-Lambda-Duration-Provisioned-ARM": ("lambda_pc_duration_gb_second", "arm64"),
    "AWS-Lambda-Storage-Duration": ("lambda_ephemeral_gb_second", "x86_64"),
    "AWS-Lambda-Storage-Duration-ARM": ("lambda_ephemeral_gb_second", "arm64"),
}
_FARGATE = re.compile(r"(?:^|-)Fargate-(ARM-)?(vCPU-Hours:perCPU|GB-Hours)$")


def _dimensions(offer: dict, sku: str) -> list[dict]:
    """The on-demand price dimensions of a SKU (one term), ordered by beginRange."""
    terms = offer.get("terms", {}).get("OnDemand", {}).get(sku, {})
    dims = [d for term in terms.values() for d in term.get("priceDimensions", {}).values()]
    return sorted(dims, key=lambda d: float(d.get("beginRange", "0") or 0))


def _usd(dim: dict) -> float:
    return float(dim["pricePerUnit"]["USD"])


def _tiers(dims: list[dict]) -> list[list]:
    """``[[up to this many units in the tier, or None for the rest, rate], ...]``."""
    out = []
    for d in dims:
        begin = float(d.get("beginRange", "0") or 0)
        end = d.get("endRange", "Inf")
        out.append([None if end in ("Inf", "", None) else float(end) - begin, _usd(d)])
    return out


def read_offer(offer: dict) -> tuple[str, dict[str, dict], dict[str, dict]]:
    """(offer code, {region: {price key: {arch or sub-key: value}}}, {instance type: {region, vcpu,
    memory_gib, linux_hour}}) of one offer file."""
    code = offer.get("offerCode", "")
    prices: dict[str, dict] = {}
    ec2: dict[str, dict] = {}
    for sku, product in offer.get("products", {}).items():
        a = product.get("attributes", {})
        region = a.get("regionCode")
        if not region or a.get("location") == "Any":
            continue
        dims = _dimensions(offer, sku)
        if not dims:
            continue
        if code == "AWSLambda" and a.get("group") in _LAMBDA_GROUPS:
            key, arch = _LAMBDA_GROUPS[a["group"]]
            value = _tiers(dims) if key == "lambda_gb_second" else _usd(dims[0])
            prices.setdefault(region, {}).setdefault(key, {})[arch] = value
        elif code == "AmazonECS":
            m = _FARGATE.search(a.get("usagetype", ""))
            if m:
                key = "fargate_vcpu_hour" if m.group(2).startswith("vCPU") else "fargate_gb_hour"
                prices.setdefault(region, {}).setdefault(key, {})["arm64" if m.group(1) else "x86_64"] = _usd(dims[0])
        elif code == "AmazonEC2" and product.get("productFamily") == "Compute Instance":
            if (a.get("operatingSystem"), a.get("tenancy"), a.get("preInstalledSw"), a.get("capacitystatus")) != (
                    "Linux", "Shared", "NA", "Used") or a.get("licenseModel", "No License required") != "No License required":
                continue
            memory = re.match(r"([\d.,]+)\s*GiB", a.get("memory", ""))
            if not memory or not a.get("vcpu"):
                continue
            ec2[f"{a['instanceType']}@{region}"] = {
                "type": a["instanceType"], "region": region, "vcpu": int(a["vcpu"]),
                "memory_gib": float(memory.group(1).replace(",", "")), "linux_hour": _usd(dims[0])}
        elif code == "AmazonEC2" and product.get("productFamily") == "Storage" and a.get("volumeApiName") in ("gp3", "gp2"):
            prices.setdefault(region, {}).setdefault("ebs_gb_month", {})[a["volumeApiName"]] = _usd(dims[0])
    return code, prices, ec2


#: The product attributes read, by their CSV column names made comparable (lower case, letters and
#: digits only): "Region Code" -> regionCode, "Pre Installed S/W" -> preInstalledSw.
_ATTRIBUTES = ("regionCode", "location", "group", "usagetype", "instanceType", "vcpu", "memory", "operatingSystem",
               "tenancy", "preInstalledSw", "capacitystatus", "licenseModel", "volumeApiName")


def _plain(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def read_csv_offer(text: str) -> dict:
    """A bulk-API CSV offer file as the JSON form's ``products`` and ``terms`` (on-demand rows only):
    metadata lines ("FormatVersion", "OfferCode", "Publication Date", ...), then a header row
    starting with SKU, then one row per price dimension."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    meta = {r[0]: r[1] for r in rows if len(r) == 2}
    start = next(i for i, r in enumerate(rows) if r and r[0] == "SKU")
    header = [_plain(h) for h in rows[start]]
    col = {h: i for i, h in enumerate(header)}
    want = {_plain(a): a for a in _ATTRIBUTES}
    offer = {"offerCode": meta.get("OfferCode", ""), "publicationDate": meta.get("Publication Date", ""),
             "products": {}, "terms": {"OnDemand": {}}}
    for r in rows[start + 1:]:
        if len(r) != len(header) or r[col["termtype"]] != "OnDemand":
            continue
        sku = r[col["sku"]]
        attributes = {want[h]: r[i] for h, i in col.items() if h in want and r[i] != ""}
        offer["products"][sku] = {"sku": sku, "productFamily": r[col["productfamily"]], "attributes": attributes}
        term = offer["terms"]["OnDemand"].setdefault(sku, {}).setdefault(
            f"{sku}.{r[col['offertermcode']]}", {"priceDimensions": {}})
        term["priceDimensions"][r[col["ratecode"]]] = {
            "beginRange": r[col["startingrange"]], "endRange": r[col["endingrange"]], "unit": r[col["unit"]],
            "pricePerUnit": {r[col["currency"]]: r[col["priceperunit"]]}}
    return offer


def load_offer(path: Path) -> dict:
    text = path.read_text(encoding="utf-8-sig")
    return read_csv_offer(text) if path.suffix.lower() == ".csv" else json.loads(text)


def _number(x):
    return int(x) if isinstance(x, float) and x.is_integer() else x


def merge(data: dict, offer: dict, changes: list[str]) -> dict:
    """``data`` with the prices of one offer file, each citing that offer file."""
    code, found, ec2 = read_offer(offer)
    as_of = str(offer.get("publicationDate", ""))[:10] or data["prices_as_of"]
    source_id = f"aws-price-list-{code}"
    data["sources"][source_id] = {
        "title": f"AWS Price List bulk offer file {code} (publication {as_of}), on-demand terms",
        "url": INDEX_URL.format(offer=code), "as_of": as_of}
    for region, keys in found.items():
        table = data["regions"].setdefault(region, {})
        for key, values in keys.items():
            entry = table.setdefault(key, {"value": {}, "source": source_id})
            if not isinstance(entry.get("value"), dict):
                entry["value"] = {}
            for sub, value in values.items():
                old = entry["value"].get(sub)
                if old != value:
                    changes.append(f"{region} {key} {sub}: {old!r} -> {value!r}")
                entry["value"][sub] = value
                if entry.get("source") != source_id:
                    entry[f"source_{sub}"] = source_id
    types = data["ec2"]["types"]
    for row in ec2.values():
        spec = types.get(row["type"])
        if spec is None:
            continue  # only the types the data file lists (add a type there to have it priced)
        old = spec["linux_hour"].get(row["region"])
        if old != row["linux_hour"]:
            changes.append(f"{row['region']} ec2 {row['type']}: {old!r} -> {row['linux_hour']!r}")
        spec["linux_hour"][row["region"]] = row["linux_hour"]
        spec["vcpu"], spec["memory_gib"] = row["vcpu"], _number(row["memory_gib"])
        data["ec2"]["price_sources"][row["region"]] = source_id
        if row["region"] == "us-east-1":  # the offer file is now this type's source too
            data["ec2"]["price_source_by_type"].pop(row["type"], None)
    if found or ec2:
        data["prices_as_of"] = max(data["prices_as_of"], as_of)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("offers", nargs="+", type=Path, help="offer files (JSON or CSV) downloaded from the bulk API")
    parser.add_argument("--data", type=Path, default=DATA, help="the price file to update (default: %(default)s)")
    parser.add_argument("--dry-run", action="store_true", help="print the changes without writing")
    args = parser.parse_args(argv)
    data = json.loads(args.data.read_text(encoding="utf-8"))
    changes: list[str] = []
    for path in args.offers:
        try:
            offer = load_offer(path)
        except (OSError, ValueError, KeyError, StopIteration) as exc:
            print(f"refresh_prices: {path}: {exc}", file=sys.stderr)
            return 2
        merge(data, offer, changes)
    for line in changes:
        print(line)
    print(f"{len(changes)} price(s) changed")
    if not args.dry_run:
        args.data.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
