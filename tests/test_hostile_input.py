"""Hostile input (issue 15): every case finishes quickly as a value, an Unknown with a reason or an
error entry with its line, and a good file scanned beside it keeps its finding.

The canary is a SAM function with ``Timeout: 900`` (a CF201 warning at line 8 of ``good.yaml``) or
the Terraform equivalent (line 7 of ``good.tf``). No test asserts a timing: the adversarial inputs
are sized so that the quadratic or unbounded behaviour they exercise would take minutes (or
gigabytes), and the assertions are on the outcome.
"""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from computefit import model as m
from computefit import userdata
from computefit.cli import main
from computefit.config import Config
from computefit.model import Unknown
from computefit.runner import scan

GOOD_SAM = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Export:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Timeout: 900
"""

GOOD_TF = """\
resource "aws_lambda_function" "export" {
  function_name = "export"
  role          = "arn:aws:iam::123456789012:role/export"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "export.zip"
  timeout       = 900
}
"""

CANARY_CFN = ("good.yaml", 8, "CF201")


def scan_json(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["scan", "--format", "json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def findings(report: dict) -> list[tuple[str, int, str]]:
    return [(f["file"], f["line"], f["check_id"]) for f in report["findings"]]


def no_internal_error(report: dict) -> None:
    assert not [e for e in report["errors"] if "internal error" in e["message"]], report["errors"]


def units(result, kind: str | None = None) -> dict[str, m.ComputeUnit]:
    return {u.name: u for u in result.model.units if kind is None or u.kind == kind}


# --------------------------------------------------------------------------------------------------
# 1. gzip user data: decompression is capped; corrupt gzip is Unknown; the template is kept
# --------------------------------------------------------------------------------------------------

def gzip_bomb(members: int, member_bytes: int = 1024 * 1024) -> bytes:
    """``members`` concatenated gzip members of ``member_bytes`` newlines each (gzip -d and
    cloud-init read every member): 1 KB of gzip per MB of output."""
    one = gzip.compress(b"\n" * member_bytes, compresslevel=9)
    return one * members


CRON_SCRIPT = b"#!/bin/bash\necho '0 3 * * * root /opt/backup.sh' > /etc/cron.d/backup\n"


def instance_template(user_data: str) -> str:
    return f"""\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Worker:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: m5.large
      ImageId: ami-12345678
      UserData: {user_data}
"""


def test_gzip_bomb_is_not_decompressed_past_the_budget():
    bomb = gzip_bomb(members=2000)  # 2 MB of gzip, 2 GB decompressed
    assert len(bomb) < 3 * 1024 * 1024
    value = userdata.decode_bytes(bomb)
    assert isinstance(value, Unknown)
    assert value.reason == "gzip user data expands to over 4 MB; not decompressed further"
    one_big_member = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = b"".join(one_big_member.compress(b"\0" * (1 << 20)) for _ in range(64)) + one_big_member.flush()
    assert isinstance(userdata.decode_bytes(data), Unknown)  # one member of 64 MB


def test_gzip_user_data_within_the_budget_is_read_member_by_member():
    data = gzip.compress(CRON_SCRIPT[:20]) + gzip.compress(CRON_SCRIPT[20:])
    assert userdata.decode_bytes(data) == CRON_SCRIPT.decode()
    assert userdata.decode_base64(base64.b64encode(data).decode()) == CRON_SCRIPT.decode()


@pytest.mark.parametrize("data, reason", [
    (b"\x1f\x8b" + b"garbage" * 10, "user data is gzip data that could not be decompressed"),
    (gzip.compress(CRON_SCRIPT)[:-12], "user data is gzip data that could not be decompressed (truncated)"),
])
def test_corrupt_gzip_user_data_is_unknown(data, reason):
    value = userdata.decode_bytes(data)
    assert isinstance(value, Unknown) and value.reason.startswith(reason)


@pytest.mark.parametrize("payload, expected", [
    (gzip_bomb(members=200), "gzip user data expands to over 4 MB; not decompressed further"),
    (b"\x1f\x8b\x08\x00" + b"\xff" * 64, "user data is gzip data that could not be decompressed"),
])
def test_cloudformation_gzip_user_data_is_unknown_and_the_template_kept(tmp_path, monkeypatch, payload, expected):
    (tmp_path / "good.yaml").write_text(GOOD_SAM)
    (tmp_path / "worker.yaml").write_text(instance_template(base64.b64encode(payload).decode()))
    monkeypatch.chdir(tmp_path)
    result = scan(["."])
    assert [e.message for e in result.errors] == []
    ud = units(result)["Worker"].settings[m.USER_DATA].value
    assert isinstance(ud, Unknown) and ud.reason.startswith(expected)
    assert [(f.location.file, f.location.line, f.check_id) for f in result.findings] == [CANARY_CFN]


def test_cloudformation_gzip_user_data_within_the_budget_is_read(tmp_path, monkeypatch):
    (tmp_path / "worker.yaml").write_text(instance_template(base64.b64encode(gzip.compress(CRON_SCRIPT)).decode()))
    monkeypatch.chdir(tmp_path)
    result = scan(["."])
    assert units(result)["Worker"].settings[m.USER_DATA].value == CRON_SCRIPT.decode()
    assert [f.check_id for f in result.findings] == ["CF101"]


TF_INSTANCE = """\
resource "aws_instance" "worker" {
  ami              = "ami-12345678"
  instance_type    = "m5.large"
  user_data_base64 = filebase64("${path.module}/boot.gz")
}
"""


@pytest.mark.parametrize("payload, expected", [
    (gzip_bomb(members=500), "gzip user data expands to over 4 MB; not decompressed further"),
    (b"\x1f\x8b\x08\x00" + b"\xff" * 64, "user data is gzip data that could not be decompressed"),
])
def test_terraform_gzip_user_data_is_unknown_and_the_module_kept(tmp_path, monkeypatch, payload, expected):
    (tmp_path / "main.tf").write_text(TF_INSTANCE)
    (tmp_path / "good.tf").write_text(GOOD_TF)
    (tmp_path / "boot.gz").write_bytes(payload)
    monkeypatch.chdir(tmp_path)
    result = scan(["."])
    assert [e.message for e in result.errors] == []
    ud = units(result)["aws_instance.worker"].settings[m.USER_DATA].value
    assert isinstance(ud, Unknown) and ud.reason.startswith(expected)
    assert [(f.location.file, f.location.line, f.check_id) for f in result.findings] == [("good.tf", 7, "CF201")]


def test_terraform_gzip_user_data_within_the_budget_is_read(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(TF_INSTANCE)
    (tmp_path / "boot.gz").write_bytes(gzip.compress(CRON_SCRIPT))
    monkeypatch.chdir(tmp_path)
    result = scan(["."])
    assert units(result)["aws_instance.worker"].settings[m.USER_DATA].value == CRON_SCRIPT.decode()
    assert [f.check_id for f in result.findings] == ["CF101"]
