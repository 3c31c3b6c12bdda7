"""Settings: defaults, DISCUSS_* environment, explicit config."""

import os

import pytest

from discuss import create_app
from discuss.config import DEFAULTS, from_environment, parse_value


def test_environment_values_take_the_type_of_the_default():
    env = {
        "DISCUSS_RATELIMIT_ENABLED": "false",
        "DISCUSS_MAX_BODY_LENGTH": "500",
        "DISCUSS_PLUGIN_TIMEOUT": "0.5",
        "DISCUSS_DISABLED_PLUGINS": '["profanity"]',
        "DISCUSS_SECRET_KEY": "s3cret",
        "UNRELATED": "x",
    }
    assert from_environment(env) == {
        "RATELIMIT_ENABLED": False, "MAX_BODY_LENGTH": 500, "PLUGIN_TIMEOUT": 0.5,
        "DISABLED_PLUGINS": ["profanity"], "SECRET_KEY": "s3cret",
    }


@pytest.mark.parametrize("raw, default", [("maybe", True), ("ten", 1), ('{"a": 1}', []), ("[", [])])
def test_unparseable_values_are_errors(raw, default):
    with pytest.raises(ValueError):
        parse_value(raw, default)


def test_a_bad_environment_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("DISCUSS_MAX_BODY_LENGTH", "lots")
    with pytest.raises(RuntimeError, match="DISCUSS_MAX_BODY_LENGTH"):
        from_environment()


def test_every_default_is_overridable(monkeypatch):
    for key in DEFAULTS:
        assert key.isupper()


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DISCUSS_DATABASE_URL", raising=False)
    monkeypatch.setenv("DISCUSS_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app({"LOAD_ENTRY_POINTS": False})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + os.path.join(str(tmp_path / "inst"), "discuss.db")


def test_environment_reaches_the_app_and_postgres_urls_use_psycopg(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCUSS_DATABASE_URL", "postgresql://u@127.0.0.1:5432/nowhere")
    monkeypatch.setenv("DISCUSS_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("DISCUSS_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/3")
    app = create_app({"LOAD_ENTRY_POINTS": False, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@127.0.0.1:5432/nowhere"
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


def test_explicit_config_beats_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DISCUSS_MAX_BODY_LENGTH", "5")
    app = create_app({"MAX_BODY_LENGTH": 7, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "LOAD_ENTRY_POINTS": False})
    assert app.config["MAX_BODY_LENGTH"] == 7
