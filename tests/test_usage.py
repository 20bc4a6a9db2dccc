"""Usage files (issue 12 item 1): infracost's format read with every value's file and line,
Terraform instance addresses and type defaults resolved with infracost's precedence, CloudFormation
logical IDs, and what is not used reported as notices, never silence."""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from computefit import usage as u
from computefit.cli import main
from computefit.config import Config, ConfigError, load_config
from computefit.discovery import discover
from computefit.model import ORIGIN_USAGE_FILE
from computefit.runner import build_model, scan

LAMBDA = """
resource "aws_lambda_function" "{name}" {{
  function_name = "{name}"
  role          = "arn:aws:iam::123456789012:role/r"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  timeout       = 900
}}
"""

MODULE_CHILD = """
variable "keys" {}
resource "aws_lambda_function" "test" {
  for_each      = var.keys
  function_name = "test"
  role          = "arn:aws:iam::123456789012:role/r"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}
"""


def write(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"))


def units(path) -> dict:
    model, errors, _ = build_model(discover([str(path)]))
    assert errors == []
    return {x.name: x for x in [*model.units, *model.resources]}


def usage_file(tmp_path, text: str, name: str = "infracost-usage.yml") -> u.UsageFile:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip("\n"))
    return u.load(str(p), name)


# -- addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("aws_lambda_function.fn", ((), "aws_lambda_function", "fn", None)),
    ("aws_lambda_function.fn[0]", ((), "aws_lambda_function", "fn", "0")),
    ('aws_lambda_function.fn["a.b"]', ((), "aws_lambda_function", "fn", '"a.b"')),
    ('module.a["k"].module.b[*].aws_instance.this[2]',
     ((("a", '"k"'), ("b", "*")), "aws_instance", "this", "2")),
    ("module.lambda", ((("lambda", None),), None, None, None)),
    ("data.aws_iam_policy.x", ((), "data.aws_iam_policy", "x", None)),
])
def test_parse_address(text, expected):
    a = u.parse_address(text)
    assert (a.modules, a.rtype, a.rname, a.rindex) == expected


@pytest.mark.parametrize("text", ["MyFunction", "a.b.c", "aws_lambda_function.fn[", "module.x.y",
                                  "aws_lambda_function[0].fn"])
def test_not_an_address(text):
    assert u.parse_address(text) is None


# -- values, lines, precedence --------------------------------------------------------------


def test_values_carry_file_line_and_origin(tmp_path):
    write(tmp_path, {"main.tf": LAMBDA.format(name="fn")})
    uf = usage_file(tmp_path, """
        version: 0.1
        resource_usage:
          aws_lambda_function.fn:
            monthly_requests: 1000000   # a million a month
            request_duration_ms: 120.5
        """)
    got = uf.lookup(units(tmp_path)["aws_lambda_function.fn"])
    s = got.get("monthly_requests")
    assert s.value == 1000000 and isinstance(s.value, int)
    assert str(s.location) == "infracost-usage.yml:4" and s.origin == ORIGIN_USAGE_FILE
    assert s.describe_origin() == "usage file: resource_usage aws_lambda_function.fn"
    assert got.value("request_duration_ms") == 120.5
    assert got.where("request_duration_ms") == "usage file infracost-usage.yml:5"
    assert got.get("peak_concurrency") is None and "peak_concurrency" not in got


def test_exact_instance_beats_wildcard_and_wildcard_beats_type_default(tmp_path):
    write(tmp_path, {"main.tf": """
        resource "aws_lambda_function" "fn" {
          for_each      = { a = 60, b = 900 }
          function_name = "fn-${each.key}"
          role          = "arn:aws:iam::123456789012:role/r"
          handler       = "index.handler"
          runtime       = "python3.12"
          filename      = "fn.zip"
          timeout       = each.value
        }
        """})
    uf = usage_file(tmp_path, """
        version: 0.1
        resource_type_default_usage:
          aws_lambda_function:
            monthly_requests: 5
            request_duration_ms: 7
        resource_usage:
          aws_lambda_function.fn[*]:
            monthly_requests: 100
          aws_lambda_function.fn["b"]:
            monthly_requests: 200
        """)
    found = units(tmp_path)
    a, b = uf.lookup(found['aws_lambda_function.fn["a"]']), uf.lookup(found['aws_lambda_function.fn["b"]'])
    assert a.value("monthly_requests") == 100 and b.value("monthly_requests") == 200
    assert a.value("request_duration_ms") == 7  # the type default, for a key no entry gives
    assert a.get("request_duration_ms").describe_origin() == \
        "usage file: resource_type_default_usage aws_lambda_function"
    assert str(b.get("monthly_requests").location) == "infracost-usage.yml:10"


def test_module_instances_and_resource_index_precedence(tmp_path):
    """infracost's wildcard-module case: module instances are read as one module, so an entry for
    one module instance applies when the instances' entries agree, and is reported when not."""
    write(tmp_path, {
        "main.tf": """
            module "mod" {
              for_each = { test = "1", test2 = "2" }
              source   = "./modules/test"
              keys     = { foo = "bar", baz = "bat" }
            }
            module "mod2" {
              for_each = { test = "1", test2 = "2" }
              source   = "./modules/test"
              keys     = { foo = "bar", baz = "bat" }
            }
            """,
        "modules/test/lambda.tf": MODULE_CHILD,
    })
    uf = usage_file(tmp_path, """
        version: 0.1
        resource_usage:
          module.mod[*].aws_lambda_function.test[*]:
            monthly_requests: 100000000
            request_duration_ms: 250
          module.mod["test2"].aws_lambda_function.test["baz"]:
            monthly_requests: 700000000
          module.mod2["test2"].aws_lambda_function.test[*]:
            monthly_requests: 900000000
          module.mod2["test2"].aws_lambda_function.test["baz"]:
            request_duration_ms: 200
          module.mod2["test2"].aws_lambda_function.test["foo"]:
            request_duration_ms: 100
        """)
    found = units(tmp_path)
    mod = uf.lookup(found["module.mod.aws_lambda_function.test"])
    assert (mod.value("monthly_requests"), mod.value("request_duration_ms")) == (100000000, 250)
    mod2 = uf.lookup(found["module.mod2.aws_lambda_function.test"])
    assert mod2.value("monthly_requests") == 900000000
    assert "given for one instance" in mod2.get("monthly_requests").describe_origin()
    assert mod2.get("request_duration_ms") is None  # 200 and 100 for what is read as one function
    notices = uf.notices(found.values())
    assert any("request_duration_ms differs between" in n.message and n.line == 10 for n in notices), notices


def test_registry_module_is_addressed_by_the_resource_it_creates(tmp_path):
    write(tmp_path, {"main.tf": """
        module "crawler" {
          source        = "terraform-aws-modules/lambda/aws"
          function_name = "crawler"
          handler       = "crawler.handler"
          runtime       = "python3.12"
          timeout       = 900
        }
        """})
    uf = usage_file(tmp_path, """
        version: 0.1
        resource_usage:
          module.crawler.aws_lambda_function.this[0]:
            monthly_requests: 30
        """)
    found = units(tmp_path)
    assert uf.lookup(found["module.crawler"]).value("monthly_requests") == 30
    assert [n for n in uf.notices(found.values()) if "matches no resource" in n.message] == []


def test_cloudformation_logical_id_and_type_default_of_the_same_kind(tmp_path):
    write(tmp_path, {"template.yaml": """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Worker:
            Type: AWS::Serverless::Function
            Properties: {Runtime: python3.12, Handler: index.handler, CodeUri: src/}
          Other:
            Type: AWS::Serverless::Function
            Properties: {Runtime: python3.12, Handler: index.handler, CodeUri: src/}
        """})
    uf = usage_file(tmp_path, """
        version: 0.1
        resource_type_default_usage:
          aws_lambda_function:
            monthly_requests: 10
        resource_usage:
          Worker:
            monthly_requests: 4000
            monthly_hrs: 3
        """)
    found = units(tmp_path)
    assert uf.lookup(found["Worker"]).value("monthly_requests") == 4000
    assert uf.lookup(found["Other"]).value("monthly_requests") == 10
    notices = [n.message for n in uf.notices(found.values())]
    assert any("monthly_hrs is not a usage key of a lambda function in resource_usage Worker" in m
               for m in notices), notices


# -- notices ----------------------------------------------------------------------------------


def test_what_is_not_used_is_a_notice_naming_it(tmp_path):
    write(tmp_path, {"main.tf": LAMBDA.format(name="fn")})
    uf = usage_file(tmp_path, """
        version: 0.1
        budget: 3
        resource_type_default_usage:
          aws_s3_bucket:
            storage_gb: 10
        resource_usage:
          aws_lambda_function.fn:
            monthly_request: 10
          aws_lambda_function.gone:
            monthly_requests: 10
          aws_instance.web:
            monthly_hrs: 100
            operating_system: windows
          aws_dynamodb_table.t:
            storage_gb: 1
          Missing:
            monthly_requests: 1
        """)
    notices = {(n.line, n.message) for n in uf.notices(units(tmp_path).values())}
    messages = "\n".join(m for _l, m in notices)
    assert (2, "unknown top-level key budget; not used (a usage file has version, resource_type_default_usage, "
               "resource_usage)") in notices
    assert any(line == 8 and "unknown key monthly_request in resource_usage aws_lambda_function.fn" in m
               for line, m in notices), messages
    assert (9, "resource_usage aws_lambda_function.gone matches no resource in the scanned code; its values "
               "are not used") in notices
    assert any(line == 11 and "aws_instance.web matches no resource" in m for line, m in notices)
    assert any(line == 16 and "Missing matches no resource" in m for line, m in notices)
    assert "2 entries for resource types computefit does not price are not used: aws_dynamodb_table, " \
           "aws_s3_bucket" in messages
    assert "infracost keys computefit does not use: operating_system (aws_instance.web line 13)" in messages


# -- malformed files: an error naming the file and line ----------------------------------------


@pytest.mark.parametrize("text,line,fragment", [
    ("version: 0.1\nresource_usage:\n  aws_lambda_function.fn: [1, 2\n", 4, "invalid YAML"),
    ("version: 0.1\nresource_usage:\n  aws_lambda_function.fn:\n    monthly_requests: lots\n", 4,
     "monthly_requests of aws_lambda_function.fn must be a number of requests/month, at least 0; got 'lots'"),
    ("version: 0.1\nresource_usage:\n  aws_lambda_function.fn:\n    monthly_requests: -1\n", 4, "at least 0"),
    ("version: 0.1\nresource_usage:\n  aws_autoscaling_group.g:\n    instances: 1.5\n", 4, "a whole number"),
    ("version: 0.1\nresource_usage:\n  Fn:\n    monthly_requests: true\n", 4, "got True"),
    ("version: 0.1\nresource_usage:\n  a.b:\n    monthly_hrs: 1\n  a.b:\n    monthly_hrs: 2\n", 5,
     "duplicate key a.b in resource_usage (first at line 3)"),
    ("version: 0.2\n", 1, "usage file version 0.2 is not supported"),
    ("resource_usage: {}\n", 1, "no version key"),
    ("- 1\n", 1, "the usage file must be a mapping"),
    ("version: 0.1\nresource_usage: [1]\n", 2, "resource_usage must be a mapping"),
    ("version: 0.1\nresource_usage:\n  aws_lambda_function.fn: 3\n", 3, "must be a mapping"),
])
def test_malformed_file_names_file_and_line(tmp_path, text, line, fragment):
    (tmp_path / "u.yml").write_text(text)
    with pytest.raises(u.UsageFileError) as exc:
        u.load(str(tmp_path / "u.yml"), "u.yml")
    assert exc.value.line == line and exc.value.file == "u.yml"
    assert fragment in str(exc.value) and str(exc.value).startswith(f"u.yml:{line}: ")


def test_empty_and_missing_files(tmp_path):
    (tmp_path / "empty.yml").write_text("")
    with pytest.raises(u.UsageFileError, match="empty usage file"):
        u.load(str(tmp_path / "empty.yml"))
    with pytest.raises(u.UsageFileError, match="usage file not found"):
        u.load(str(tmp_path / "nope.yml"))


def test_alias_bomb_is_refused(tmp_path):
    lines = ["version: 0.1", "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
              for i in range(1, 9)]
    lines += ["resource_usage:", "  aws_lambda_function.fn:", "    monthly_requests: *a8"]
    (tmp_path / "bomb.yml").write_text("\n".join(lines) + "\n")
    with pytest.raises(u.UsageFileError):
        u.load(str(tmp_path / "bomb.yml"))


# -- the command line and the configuration -------------------------------------------------------


def test_scan_with_usage_file_reports_notices_in_json(tmp_path, monkeypatch):
    write(tmp_path, {"main.tf": LAMBDA.format(name="fn")})
    (tmp_path / "usage.yml").write_text("version: 0.1\nresource_usage:\n  aws_lambda_function.nope:\n"
                                        "    monthly_requests: 3\n")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["scan", ".", "--usage-file", "usage.yml", "--format", "json", "--fail-on", "never"])
    assert res.exit_code == 0, res.output
    notices = json.loads(res.output)["notices"]
    assert {"file": "usage.yml", "line": 3,
            "message": "resource_usage aws_lambda_function.nope matches no resource in the scanned code; its "
                       "values are not used"} in notices


def test_malformed_usage_file_exits_2_naming_file_and_line(tmp_path, monkeypatch):
    write(tmp_path, {"main.tf": LAMBDA.format(name="fn")})
    (tmp_path / "usage.yml").write_text("version: 0.1\nresource_usage:\n  aws_lambda_function.fn:\n"
                                        "    request_duration_ms: fast\n")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["scan", ".", "--usage-file", "usage.yml"])
    assert res.exit_code == 2
    assert "computefit: usage.yml:4: request_duration_ms of aws_lambda_function.fn must be a number" in res.output
    assert "Traceback" not in res.output


def test_config_key_is_relative_to_the_config_and_inside_the_boundary(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "u.yml").write_text("version: 0.1\n")
    (tmp_path / "outside.yml").write_text("version: 0.1\n")
    cfg = tmp_path / "repo" / ".computefit.toml"
    cfg.write_text('usage-file = "u.yml"\n')
    assert load_config(str(cfg), discovered=True).usage_file == str((tmp_path / "repo" / "u.yml").resolve())
    cfg.write_text('usage-file = "../outside.yml"\n')
    with pytest.raises(ConfigError, match="outside the read boundary.*--usage-file instead"):
        load_config(str(cfg), discovered=True)
    assert load_config(str(cfg)).usage_file.endswith("outside.yml")  # named with --config: the user's choice
    cfg.write_text('usage_file = "u.yml"\n')
    with pytest.raises(ConfigError, match=r"unknown key \(write usage-file\)"):
        load_config(str(cfg))


def test_usage_file_from_the_command_line_replaces_the_configs(tmp_path):
    cfg = Config(usage_file="a.yml").with_cli(usage_file="b.yml")
    assert cfg.usage_file == "b.yml"


def test_scan_api_reads_the_usage_file_and_checks_get_it(tmp_path):
    write(tmp_path, {"main.tf": LAMBDA.format(name="fn")})
    (tmp_path / "u.yml").write_text("version: 0.1\nresource_usage:\n  aws_lambda_function.fn:\n"
                                    "    monthly_requests: 3\n")
    result = scan([str(tmp_path)], Config(select=("CF201",), usage_file=str(tmp_path / "u.yml")))
    assert result.errors == [] and result.findings
    with pytest.raises(u.UsageFileError):
        scan([str(tmp_path)], Config(usage_file=str(tmp_path / "missing.yml")))


def test_every_key_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Usage files", 1)[1].split("\n## ", 1)[0]
    for key in u.keys():
        assert f"`{key}`" in section, key


# -- computefit usage --init ----------------------------------------------------------------------


def test_usage_init_lists_priced_resources_with_todays_assumptions(tmp_path, monkeypatch):
    write(tmp_path, {
        "main.tf": LAMBDA.format(name="fn") + """
            resource "aws_cloudwatch_event_rule" "daily" {
              schedule_expression = "rate(1 day)"
            }
            resource "aws_cloudwatch_event_target" "fn" {
              rule = aws_cloudwatch_event_rule.daily.name
              arn  = aws_lambda_function.fn.arn
            }
            resource "aws_instance" "cron" {
              instance_type = "t3.small"
              user_data     = "#!/bin/bash\\necho '0 3 * * * root /opt/job.sh' > /etc/cron.d/job\\n"
            }
            module "crawler" {
              source        = "terraform-aws-modules/lambda/aws"
              function_name = "crawler"
              handler       = "crawler.handler"
              runtime       = "python3.12"
            }
            resource "aws_s3_bucket" "b" {}
            """,
    })
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["usage", ".", "--init", "usage.yml"])
    assert res.exit_code == 0, res.output
    text = (tmp_path / "usage.yml").read_text()
    assert "wrote usage.yml: 3 resources to fill in" in res.output
    assert "  aws_lambda_function.fn:  # aws_lambda_function at main.tf:1\n" in text
    assert "    # monthly_requests: 30.42  # assumed today: 30.4 runs/month from schedule " \
           "aws_cloudwatch_event_target.fn (rate(1 day))\n" in text
    assert "    # request_duration_ms: 900000  # assumed today: the full timeout, an upper bound\n" in text
    assert "    # monthly_hrs: 730  # assumed today: always on\n" in text
    assert "    # job_duration_minutes: 10  # assumed today: CF101 option assumed_job_minutes\n" in text
    assert "  module.crawler.aws_lambda_function.this[0]:" in text  # as infracost names it
    assert "aws_s3_bucket" not in text
    # it reads back as it is: every entry matches, nothing is set until a line is uncommented
    uf = u.load(str(tmp_path / "usage.yml"))
    found = units(tmp_path)
    assert uf.notices(found.values()) == [] and not uf.lookup(found["aws_lambda_function.fn"])
    (tmp_path / "usage.yml").write_text(text.replace("    # request_duration_ms: 900000", "    request_duration_ms: 1200"))
    assert uf.lookup(found["aws_lambda_function.fn"]).get("request_duration_ms") is None
    assert u.load(str(tmp_path / "usage.yml")).lookup(found["aws_lambda_function.fn"]).value("request_duration_ms") == 1200


def test_usage_init_refuses_to_replace_a_file_without_force(tmp_path, monkeypatch):
    write(tmp_path, {"main.tf": LAMBDA.format(name="fn")})
    (tmp_path / "usage.yml").write_text("keep me\n")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["usage", ".", "--init", "usage.yml"])
    assert res.exit_code == 2 and "usage.yml exists" in res.output
    assert (tmp_path / "usage.yml").read_text() == "keep me\n"
    res = CliRunner().invoke(main, ["usage", ".", "--init", "usage.yml", "--force"])
    assert res.exit_code == 0 and (tmp_path / "usage.yml").read_text().startswith("# Usage file")


def test_usage_values_reach_checks_in_worker_processes(monkeypatch):
    """The usage file travels with the configuration to the worker processes: -j 2 reports what
    -j 1 reports, usage-file lines included."""
    from conftest import FIXTURES, working_directory

    from computefit import runner

    monkeypatch.setattr(runner, "MIN_PARALLEL_WORK", 0)
    config = Config(select=("CF201",), usage_file="tf/usage_schedule_and_queue/infracost-usage.yml")
    with working_directory(FIXTURES / "CF201"):
        one = scan(["tf", "cfn"], config, jobs=1)
        two = scan(["tf", "cfn"], config, jobs=2)
    assert [f.to_dict() for f in one.findings] == [f.to_dict() for f in two.findings]
    assert one.notices == two.notices
    assert any("from the usage file" in a for f in two.findings for c in f.costs for a in c.assumptions)


def test_module_index_decides_before_the_resource_index(tmp_path):
    """infracost's order (infracost/infracost#1105): module.m[0].x[*] wins over module.m[*].x[1]."""
    write(tmp_path, {
        "main.tf": 'module "m" {\n  count  = 2\n  source = "./child"\n  keys   = { a = 1 }\n}\n',
        "child/main.tf": MODULE_CHILD,
    })
    uf = usage_file(tmp_path, """
        version: 0.1
        resource_usage:
          module.m[*].aws_lambda_function.test["a"]:
            monthly_requests: 1
          module.m[0].aws_lambda_function.test[*]:
            monthly_requests: 2
        """)
    unit = units(tmp_path)["module.m.aws_lambda_function.test"]
    # computefit reads module.m's instances as one module: both entries name one instance and disagree
    assert "monthly_requests" not in uf.lookup(unit)
    assert u._match(uf.entries[1], 'module.m[0].aws_lambda_function.test["a"]', "lambda_function", "terraform") > \
        u._match(uf.entries[0], 'module.m[0].aws_lambda_function.test["a"]', "lambda_function", "terraform")
