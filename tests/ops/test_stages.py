"""ops/stages.py: a stage's environment, Settings and function names come from config.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.errors import ConfigError
from ops.stages import aws_environment, load_config, load_stage


def test_stage_environment_is_the_top_level_one_overlaid_by_the_stage() -> None:
    config = load_config()
    stage = load_stage("prod")
    for name, value in config["environment_variables"].items():
        assert stage.environment[name] == value
    for name, value in config["stages"]["prod"]["environment_variables"].items():
        assert stage.environment[name] == value


def test_stage_settings_are_what_its_lambda_builds() -> None:
    config = load_config()["stages"]["dev"]["environment_variables"]
    settings = load_stage("dev").settings({"AWS_DEFAULT_REGION": "eu-west-1", "USERS_TABLE": "x"})
    assert settings.users_table == config["USERS_TABLE"]  # the stage wins over the shell
    assert settings.queue_name == config["MAIL_QUEUE"]
    assert settings.secret_parameter == config["SECRET_KEY_PARAMETER"]
    assert settings.region == "eu-west-1"


def test_function_names_follow_chalice(project_copy: Path) -> None:
    config_path = project_copy / ".chalice" / "config.json"
    config = json.loads(config_path.read_text())
    config["stages"]["dev"]["lambda_functions"] = {"bounces": {"lambda_timeout": 5}}
    config_path.write_text(json.dumps(config))
    names = load_stage("dev", project_copy).function_names()
    assert names == {
        "api_handler": "microblog-accounts-dev",
        "bounces": "microblog-accounts-dev-bounces",
        "mail_events": "microblog-accounts-dev-mail_events",
        "mail_worker": "microblog-accounts-dev-mail_worker",
    }


def test_every_lambda_function_of_the_app_is_configured() -> None:
    """A handler missing from lambda_functions would escape the policy, the template and
    the deploy checks, which all list functions from config.json."""
    import app as app_module

    handlers = {source.name for source in app_module.app.event_sources} | {"api_handler"}
    assert set(load_stage("dev").function_names()) == handlers


def test_unknown_stage_is_refused() -> None:
    with pytest.raises(ConfigError, match="no stage 'staging'"):
        load_stage("staging")


def test_region_comes_from_the_environment_first() -> None:
    assert aws_environment({"AWS_REGION": "ap-south-1"}) == {"AWS_REGION": "ap-south-1"}
    env = aws_environment({"AWS_DEFAULT_REGION": "eu-west-3"})
    assert env["AWS_DEFAULT_REGION"] == "eu-west-3"


def test_no_region_anywhere_fails_loudly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION")
    with pytest.raises(ConfigError, match="no AWS region"):
        aws_environment({})


def test_without_a_region_variable_the_profile_region_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    profile = tmp_path / "config"
    profile.write_text("[default]\nregion = sa-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(profile))
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION")
    assert aws_environment({})["AWS_DEFAULT_REGION"] == "sa-east-1"
    assert load_stage("dev").settings({}).region == "sa-east-1"
