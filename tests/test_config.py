"""Configuration files: discovery, every key, validation errors, precedence of the command line."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from computefit import check as check_api
from computefit.check import WARNING, Check, Option, all_checks
from computefit.cli import main
from computefit.config import Config, ConfigError, find_config, load_config, resolve_config
from computefit.runner import scan

LAMBDA = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Export:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          Timeout: {timeout}
    """)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def repo(tmp_path):
    """A repository root (has .git) with a template whose Lambda timeout is 650 s: under CF201's
    default threshold of 720 s, over a configured 600."""
    (tmp_path / ".git").mkdir()
    write(tmp_path / "stacks" / "app" / "template.yaml", LAMBDA.format(timeout=650))
    return tmp_path


# -- discovery ----------------------------------------------------------------------------------


def test_found_upwards_pyproject(repo):
    cfg = write(repo / "pyproject.toml", """\
        [project]
        name = "x"
        [tool.computefit]
        fail-on = "error"
        """)
    assert find_config([str(repo / "stacks" / "app" / "template.yaml")]) == str(cfg)
    assert find_config([str(repo / "stacks")]) == str(cfg)


def test_computefit_toml_wins_in_the_same_folder_and_nearer_wins(repo):
    write(repo / "pyproject.toml", "[tool.computefit]\n")
    own = write(repo / ".computefit.toml", 'fail-on = "info"\n')
    assert find_config([str(repo / "stacks")]) == str(own)
    nearer = write(repo / "stacks" / "pyproject.toml", "[tool.computefit]\n")
    assert find_config([str(repo / "stacks" / "app")]) == str(nearer)


def test_pyproject_without_our_table_is_skipped(repo):
    write(repo / "stacks" / "pyproject.toml", '[project]\nname = "x"\n')
    cfg = write(repo / ".computefit.toml", "")
    assert find_config([str(repo / "stacks" / "app")]) == str(cfg)


@pytest.mark.parametrize("table", [
    '[tool.computefit]\nfail-on = "error"', '[ tool . "computefit" ]\nfail-on = "error"',
    "[tool.'computefit'.checks.CF201]\nthreshold_seconds = 600", '[tool]\ncomputefit.fail-on = "error"',
    '[tool]\ncomputefit = { fail-on = "error" }', 'tool.computefit.fail-on = "error"',
    'tool = { computefit = { fail-on = "error" } }', '"tool".computefit.fail-on = "error"',
])
def test_every_toml_spelling_of_our_table_is_found(repo, table):
    before = '[project]\nname = "x"\n' if table.startswith("[") else ""  # a top-level key comes first
    cfg = write(repo / "stacks" / "pyproject.toml", f"{before}{table}\n")
    assert find_config([str(repo / "stacks" / "app")]) == str(cfg)


def test_a_pyproject_that_only_names_computefit_is_not_ours(repo):
    write(repo / "stacks" / "pyproject.toml", '[project]\nname = "x"\ndependencies = ["computefit>=0.1"]\n'
                                              '[tool.ruff]\nsrc = ["computefit"]\n[tool.computefit-extra]\nx = 1\n')
    cfg = write(repo / ".computefit.toml", "")
    assert find_config([str(repo / "stacks" / "app")]) == str(cfg)


def test_search_stops_at_the_repository_root(tmp_path):
    write(tmp_path / ".computefit.toml", 'fail-on = "info"\n')  # outside the repository
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    write(tmp_path / "repo" / "t.yaml", LAMBDA.format(timeout=900))
    assert find_config([str(tmp_path / "repo" / "t.yaml")]) is None
    # A .git file (a worktree or submodule) marks a root too.
    (tmp_path / "wt").mkdir()
    (tmp_path / "wt" / ".git").write_text("gitdir: elsewhere\n")
    assert find_config([str(tmp_path / "wt")]) is None


def test_common_folder_of_several_paths(repo):
    cfg = write(repo / "stacks" / ".computefit.toml", "")
    write(repo / "stacks" / "other" / "t.yaml", LAMBDA.format(timeout=1))
    paths = [str(repo / "stacks" / "app" / "template.yaml"), str(repo / "stacks" / "other" / "t.yaml")]
    assert find_config(paths) == str(cfg)


def test_resolve_config_named_found_or_defaults(repo):
    """The library resolves the configuration as the CLI does: --config, else found, else defaults."""
    template = str(repo / "stacks" / "app" / "template.yaml")
    assert resolve_config([template]) == Config()
    write(repo / ".computefit.toml", 'fail-on = "info"\n')
    found = resolve_config([template])
    assert (found.fail_on, found.source) == ("info", str(repo / ".computefit.toml"))
    named = write(repo / "elsewhere.toml", 'fail-on = "error"\nformat = ["json:out.json"]\n')
    assert resolve_config([template], str(named)).fail_on == "error"
    with pytest.raises(ConfigError, match="no such configuration file"):
        resolve_config([template], str(repo / "missing.toml"))
    # A found file may not name an output file; the same file named with --config may.
    (repo / ".computefit.toml").write_text('format = ["json:out.json"]\n')
    with pytest.raises(ConfigError, match="names an output file"):
        resolve_config([template])
    assert resolve_config([template], str(repo / ".computefit.toml")).formats == ("json:out.json",)


# -- reading every key --------------------------------------------------------------------------


def test_every_key(repo, monkeypatch):
    monkeypatch.chdir(repo)
    cfg_path = write(repo / "stacks" / "pyproject.toml", """\
        [tool.computefit]
        select = ["cf2", "CF0"]
        ignore = ["CF002"]
        exclude = ["cdk.out", "legacy/**"]
        fail-on = "error"
        format = ["text", "json:report.json"]

        [tool.computefit.checks.CF201]
        severity = "error"
        threshold_seconds = 600

        [tool.computefit.checks.cf001]
        severity = "warning"
        """)
    cfg = load_config(str(cfg_path))
    assert cfg.source == os.path.join("stacks", "pyproject.toml")
    assert cfg.select == ("CF2", "CF0")
    assert cfg.ignore == ("CF002",)
    # A pattern with a folder is relative to the config file's folder; a bare name matches anywhere.
    assert cfg.exclude == ("cdk.out", "stacks/legacy/**")
    assert cfg.fail_on == "error"
    assert cfg.formats == ("text", "json:report.json")
    assert cfg.severity == {"CF201": "error", "CF001": "warning"}
    assert cfg.options == {"CF201": {"threshold_seconds": 600}}
    assert cfg.options_for(all_checks()["CF201"]) == {"threshold_seconds": 600}


def test_threshold_and_severity_change_the_findings(repo):
    template = repo / "stacks" / "app" / "template.yaml"
    assert scan([str(template)]).findings == []  # 650 s < the default 720 s
    cfg = write(repo / ".computefit.toml", """\
        [checks.CF201]
        threshold_seconds = 600
        severity = "error"
        """)
    result = scan([str(template)], load_config(str(cfg)))
    assert [(f.check_id, f.resource, f.line, f.severity) for f in result.findings] == [
        ("CF201", "Export", 8, "error")]
    assert result.findings[0].evidence["threshold_seconds"] == 600


def test_exclude_from_the_file_is_relative_to_its_folder(repo, monkeypatch):
    write(repo / "stacks" / "legacy" / "old.yaml", LAMBDA.format(timeout=900))
    write(repo / "stacks" / "app" / "new.yaml", LAMBDA.format(timeout=900))
    cfg = write(repo / "stacks" / ".computefit.toml", 'exclude = ["legacy/*"]\n')
    monkeypatch.chdir(repo)  # the working folder is not the config's folder
    result = scan(["stacks"], load_config(str(cfg)))
    assert sorted(f.file for f in result.findings) == [os.path.join("stacks", "app", "new.yaml")]


def test_options_of_any_check_come_from_its_options_dict(monkeypatch, tmp_path):
    class Ratio(Check):
        """A test-only check with a float option."""

        id = "CF902"
        name = "test-ratio"
        severity = WARNING
        summary = "test only"
        options = {"ratio": Option(1.5, "a ratio", float), "strict": Option(False, "strict mode", bool)}

        def run(self, model, ctx):
            return []

    monkeypatch.setattr(check_api, "_REGISTRY", {**all_checks(), "CF902": Ratio})
    monkeypatch.setattr(check_api, "_RULES", None)
    cfg = write(tmp_path / ".computefit.toml", "[checks.CF902]\nratio = 2\nstrict = true\n")
    assert load_config(str(cfg)).options_for(Ratio) == {"ratio": 2.0, "strict": True}
    write(tmp_path / ".computefit.toml", '[checks.CF902]\nstrict = "yes"\n')
    with pytest.raises(ConfigError, match=r"checks\.CF902\.strict: must be true or false; got string 'yes'"):
        load_config(str(cfg))


# -- invalid files ------------------------------------------------------------------------------


@pytest.mark.parametrize("body, key, message", [
    ('colour = "red"\n', "colour", "unknown key; expected one of"),
    ('fail_on = "error"\n', "fail_on", "unknown key (write fail-on)"),
    ('fail-on = "critical"\n', "fail-on", "must be one of error, warning, info, never; got string 'critical'"),
    ('select = "CF201"\n', "select", "must be a list of strings; got string 'CF201'"),
    ('select = ["CF9"]\n', "select", "'CF9' is not a check ID or the prefix of one"),
    ('ignore = [""]\n', "ignore", "an empty string selects nothing"),
    ('exclude = [1]\n', "exclude", "must be a list of strings; got array [1]"),
    ('format = ["yaml"]\n', "format", "unknown format 'yaml'"),
    ('checks = 1\n', "checks", "must be a table of check IDs"),
    ('[checks.CF999]\nseverity = "error"\n', "checks.CF999", "unknown check ID 'CF999'"),
    ('[checks.CF201]\nseverity = "high"\n', "checks.CF201.severity", "must be one of info, warning, error; got string 'high'"),
    ('[checks.CF201]\nthreshold_seconds = "600"\n', "checks.CF201.threshold_seconds", "must be an integer; got string '600'"),
    ('[checks.CF201]\nthreshold_seconds = true\n', "checks.CF201.threshold_seconds", "must be an integer; got boolean True"),
    ('[checks.CF201]\nthreshold = 600\n', "checks.CF201.threshold", "unknown setting for CF201; expected one of: severity, threshold_seconds"),
    ('[checks.CF001]\nthreshold_seconds = 1\n', "checks.CF001.threshold_seconds", "unknown setting for CF001; expected one of: severity"),
])
def test_invalid_values_name_the_file_and_key(tmp_path, body, key, message):
    cfg = write(tmp_path / ".computefit.toml", body)
    with pytest.raises(ConfigError) as info:
        load_config(str(cfg))
    assert info.value.file == str(cfg)
    assert info.value.key == key
    assert message in info.value.message
    assert str(info.value).startswith(f"{cfg}: {key}: ")


def test_pyproject_keys_are_named_with_their_table(tmp_path):
    cfg = write(tmp_path / "pyproject.toml", '[tool.computefit.checks.CF201]\nseverity = "loud"\n')
    with pytest.raises(ConfigError) as info:
        load_config(str(cfg))
    assert info.value.key == "tool.computefit.checks.CF201.severity"


def test_invalid_toml_and_missing_table(tmp_path):
    cfg = write(tmp_path / ".computefit.toml", "select = [\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(str(cfg))
    pyproject = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"has no \[tool.computefit\] table"):
        load_config(str(pyproject))


# -- the command line ---------------------------------------------------------------------------


def test_cli_uses_the_found_file_and_an_invalid_one_exits_2(repo):
    runner = CliRunner()
    path = str(repo / "stacks" / "app")
    assert runner.invoke(main, ["scan", path]).exit_code == 0
    write(repo / "pyproject.toml", "[tool.computefit.checks.CF201]\nthreshold_seconds = 600\n")
    out = runner.invoke(main, ["scan", path])
    assert out.exit_code == 1 and "CF201" in out.output
    write(repo / "pyproject.toml", '[tool.computefit.checks.CF201]\nthreshold_seconds = "ten"\n')
    out = runner.invoke(main, ["scan", path])
    assert out.exit_code == 2
    assert "pyproject.toml: tool.computefit.checks.CF201.threshold_seconds: must be an integer" in out.output


def test_cli_options_win_over_the_file(repo):
    runner = CliRunner()
    path = str(repo / "stacks" / "app")
    write(repo / ".computefit.toml", """\
        ignore = ["CF201"]
        fail-on = "never"
        format = ["json"]
        [checks.CF201]
        threshold_seconds = 600
        """)
    out = runner.invoke(main, ["scan", path])
    assert out.exit_code == 0 and json.loads(out.output)["findings"] == []  # ignored; json by default
    out = runner.invoke(main, ["scan", path, "--select", "CF201"])  # replaces the file's ignore
    assert out.exit_code == 0  # fail-on = never from the file
    assert [f["check_id"] for f in json.loads(out.output)["findings"]] == ["CF201"]
    out = runner.invoke(main, ["scan", path, "--select", "CF201", "--fail-on", "warning", "--format", "text"])
    assert out.exit_code == 1 and out.output.startswith(str(repo / "stacks" / "app" / "template.yaml"))
    other = write(repo / "elsewhere.toml", "")
    out = runner.invoke(main, ["scan", path, "--config", str(other)])
    assert out.exit_code == 0 and "0 findings" in out.output  # defaults: 650 s < 720 s, text


def test_cli_rejects_unknown_select(repo):
    out = CliRunner().invoke(main, ["scan", str(repo), "--select", "XX1"])
    assert out.exit_code == 2
    assert "'XX1' is not a check ID or the prefix of one" in out.output


def test_cli_missing_config_file(repo):
    out = CliRunner().invoke(main, ["scan", str(repo), "--config", str(repo / "nope.toml")])
    assert out.exit_code == 2 and "nope.toml: no such configuration file" in out.output


def test_checks_shows_effective_settings(repo):
    write(repo / ".computefit.toml", """\
        ignore = ["CF001"]
        [checks.CF201]
        severity = "error"
        threshold_seconds = 600
        """)
    out = CliRunner().invoke(main, ["checks", str(repo / "stacks")])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0] == f"configuration: {repo / '.computefit.toml'}"
    row = {line.split()[0]: line for line in lines if line.startswith("CF")}
    assert row["CF001"].split()[2:4] == ["off", "info"]
    assert row["CF003"].split()[2:4] == ["on", "warning"]
    assert row["CF201"].split()[2:4] == ["on", "error*"]
    assert any(line.strip().startswith("threshold_seconds = 600 (default 720, from ") for line in lines)
    out = CliRunner().invoke(main, ["checks", str(repo / "stacks"), "--config", str(write(repo / "e.toml", ""))])
    assert "threshold_seconds = 720  " in out.output


def test_checks_without_config(tmp_path):
    (tmp_path / ".git").mkdir()
    out = CliRunner().invoke(main, ["checks", str(tmp_path)])
    assert out.output.splitlines()[0] == "configuration: none found (defaults)"


def test_with_cli_precedence():
    base = Config(select=("CF2",), ignore=("CF201",), exclude=("a",), fail_on="never", formats=("json",))
    merged = base.with_cli(ignore=("cf3",), exclude=("b",))
    assert (merged.select, merged.ignore, merged.exclude, merged.fail_on, merged.formats) == (
        ("CF2",), ("CF201", "CF3"), ("a", "b"), "never", ("json",))
    merged = base.with_cli(select=("CF201",), fail_on="info", formats=("text",))
    assert (merged.select, merged.ignore, merged.fail_on, merged.formats) == (("CF201",), (), "info", ("text",))


def test_readme_configuration_example_is_valid(tmp_path):
    """The README's pyproject.toml example loads with the real loader and means what it says."""
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", readme, re.S)
    example = next(b for b in blocks if "[tool.computefit]" in b)
    config = load_config(str(write(tmp_path / "pyproject.toml", example)))
    assert config.fail_on == "warning"
    assert config.severity_for("CF201", "warning") == "error"
    assert config.options.get("CF201", {}).get("threshold_seconds") == 600
