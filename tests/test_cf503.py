"""CF503 low-traffic-api-on-always-on-server: what the fixture snapshots do not pin (the seed
arithmetic with volumes and address, the break-even, the options, usage-file hours and instance
counts, and the quiet cases: no price on file, a group that is not one instance)."""

from __future__ import annotations

import textwrap

import pytest
from conftest import cost_line, only_finding, scan_case

from computefit import facts, prices
from computefit.config import Config
from computefit.runner import scan

ID = "CF503"
NGINX = "#!/bin/bash\\ndnf install -y nginx\\nsystemctl enable --now nginx\\n"


def _lambda(requests, ms, memory=512, arch="x86_64"):
    gb_s = prices.rate("lambda_gb_second", arch)
    return requests * (2e-7 + ms / 1000 * memory / 1024 * gb_s + prices.rate("apigw_http_request"))


def _scan(tmp_path, usage, instance_type="t3.micro", address="aws_instance.web", body=None, **options):
    (tmp_path / "main.tf").write_text(body or textwrap.dedent(f"""\
        resource "aws_instance" "web" {{
          instance_type = "{instance_type}"
          user_data     = "{NGINX}"
        }}
        """))
    (tmp_path / "u.yml").write_text(f"version: 0.1\nresource_usage:\n  {address}:\n"
                                    + "".join(f"    {k}: {v}\n" for k, v in usage.items()))
    config = Config(select=(ID,), options={ID: options} if options else {}, usage_file=str(tmp_path / "u.yml"))
    return [f for f in scan([str(tmp_path / "main.tf")], config).findings if f.check_id == ID]


def test_seed_scenario_instance_volume_and_address_against_lambda_behind_an_http_api():
    f = [f for f in scan_case(ID, "tf/fire_instance_and_module").findings if f.resource == "aws_instance.api"][0]
    instance = prices.rate("ec2.t3.micro") * 730
    current = instance + 20 * prices.rate("ebs_gb_month", "gp3") + prices.rate("public_ipv4_hour") * 730
    assert cost_line(f, "current:").monthly_usd == pytest.approx(current)
    lam = cost_line(f, "Lambda 512 MB (x86_64) behind an HTTP API")
    assert lam.monthly_usd == pytest.approx(_lambda(100_000, 100))
    assert round(lam.monthly_usd, 2) == 0.20  # the seed's ~$0.20 for 100,000 requests
    break_even = current / _lambda(1, 100)
    assert f.evidence["break_even_requests_per_month"] == round(break_even)
    assert f"below about {break_even / 1e6:,.1f} million requests a month" in f.message
    assert (f.severity, f.confidence) == ("info", "high")
    assert f.location.line == 14  # the user data that installs the web server


def test_no_duration_assumes_the_option_and_says_so(tmp_path):
    [f] = _scan(tmp_path, {"monthly_requests": 50_000})
    assert f.confidence == "medium" and "100 ms a request (assumed)" in f.message
    assert any("option assumed_request_ms" in a for a in cost_line(f, "Lambda").assumptions)
    [g] = _scan(tmp_path, {"monthly_requests": 50_000}, assumed_request_ms=400)
    assert cost_line(g, "Lambda").monthly_usd == pytest.approx(_lambda(50_000, 400))


def test_lambda_memory_is_an_option(tmp_path):
    [f] = _scan(tmp_path, {"monthly_requests": 50_000, "request_duration_ms": 100}, lambda_memory_mb=2048)
    assert cost_line(f, "Lambda 2048 MB").monthly_usd == pytest.approx(_lambda(50_000, 100, 2048))


def test_above_the_break_even_is_quiet(tmp_path):
    per = _lambda(1, 100)
    at = prices.rate("ec2.t3.micro") * 730 / per
    assert _scan(tmp_path, {"monthly_requests": int(at * 0.99), "request_duration_ms": 100})
    assert _scan(tmp_path, {"monthly_requests": int(at * 1.01), "request_duration_ms": 100}) == []


def test_usage_file_hours_price_the_instance(tmp_path):
    [f] = _scan(tmp_path, {"monthly_requests": 10_000, "monthly_hrs": 200})
    line = cost_line(f, "current:")
    assert line.monthly_usd == pytest.approx(prices.rate("ec2.t3.micro") * 200)
    assert "200 h/month from the usage file" in line.option


def test_no_price_on_file_is_quiet(tmp_path):
    assert prices.ec2_hour("t2.micro") is None
    assert _scan(tmp_path, {"monthly_requests": 10_000}, instance_type="t2.micro") == []


def test_a_group_is_flagged_only_as_one_instance(tmp_path):
    body = textwrap.dedent(f"""\
        resource "aws_launch_template" "web" {{
          instance_type = "t3.micro"
          user_data     = base64encode("{NGINX}")
        }}
        resource "aws_autoscaling_group" "web" {{
          min_size = 1
          max_size = 1
          launch_template {{
            id = aws_launch_template.web.id
          }}
        }}
        """)
    [f] = _scan(tmp_path, {"monthly_requests": 10_000}, address="aws_autoscaling_group.web", body=body)
    assert "auto scaling group of fixed size 1 (t3.micro)" in f.message
    assert _scan(tmp_path, {"monthly_requests": 10_000, "instances": 2}, address="aws_autoscaling_group.web",
                 body=body) == []


def test_without_usage_or_with_a_database_it_is_quiet():
    assert scan_case(ID, "tf/quiet_no_usage").findings == []
    assert scan_case(ID, "cfn/quiet_busy_or_database.yaml").findings == []


def test_volumes_and_address_written_in_cloudformation(tmp_path):
    (tmp_path / "t.yaml").write_text(textwrap.dedent("""\
        Parameters:
          Size: {Type: Number}
        Resources:
          Web:
            Type: AWS::EC2::Instance
            Properties:
              InstanceType: t3.micro
              BlockDeviceMappings:
                - DeviceName: /dev/xvda
                  Ebs: {VolumeSize: 10}
                - DeviceName: /dev/sdf
                  Ebs: {VolumeSize: 50, VolumeType: io1, Iops: 1000}
                - DeviceName: /dev/sdg
                  Ebs: {VolumeSize: !Ref Size}
              NetworkInterfaces:
                - {DeviceIndex: "0", AssociatePublicIpAddress: true}
              UserData: !Base64 "#!/bin/bash\\nyum install -y httpd\\n"
        """))
    (tmp_path / "u.yml").write_text("version: 0.1\nresource_usage:\n  Web:\n    monthly_requests: 1000\n")
    config = Config(select=(ID,), usage_file=str(tmp_path / "u.yml"))
    [f] = scan([str(tmp_path / "t.yaml")], config).findings
    line = cost_line(f, "current:")
    ebs = {t: prices.rate("ebs_gb_month", t) for t in ("gp2", "gp3", "io1")}
    extra = 10 * ebs["gp2"] + 50 * ebs["io1"] + prices.rate("public_ipv4_hour") * 730
    assert line.monthly_usd == pytest.approx(prices.rate("ec2.t3.micro") * 730 + extra)
    text = "\n".join(line.assumptions)
    # the wording of pricing.ec2_extras, which CF101 and CF103 share
    assert "EBS 10 GB gp2 at " in text and "(type not written: gp2, the EC2 default" in text
    assert "EBS 50 GB io1 at " in text and "excludes data transfer, snapshots and extra IOPS/throughput" in text
    assert "unknown (" in text and "not priced" in text  # the size from a parameter with no Default
