"""Settings: defaults, DISCUSS_* environment, explicit config."""

import os

import pytest

from discuss import create_app
from discuss.config import DEFAULTS, parse_value


def _app(tmp_path, **config):
    # TESTING: these apps may run on test keys (tests/test_keys.py covers the refusal).
    return create_app({"TESTING": True, "LOAD_ENTRY_POINTS": False, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
                       **config})


def test_environment_values_take_the_type_of_the_default(monkeypatch, tmp_path):
    env = {
        "DISCUSS_RATELIMIT_ENABLED": "off",
        "DISCUSS_MAX_BODY_LENGTH": "500",
        "DISCUSS_PLUGIN_TIMEOUT": "1",
        "DISCUSS_DISABLED_PLUGINS": '["profanity"]',
        "DISCUSS_SECRET_KEY": "1234",
        "DISCUSS_PUBLIC_URL": "https://comments.council.example",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = _app(tmp_path).config
    assert config["RATELIMIT_ENABLED"] is False
    assert config["MAX_BODY_LENGTH"] == 500
    assert config["PLUGIN_TIMEOUT"] == 1.0 and isinstance(config["PLUGIN_TIMEOUT"], float)
    assert config["DISABLED_PLUGINS"] == ["profanity"]
    assert config["SECRET_KEY"] == "1234"  # text stays text, even when it reads as a number
    assert config["PUBLIC_URL"] == "https://comments.council.example"


@pytest.mark.parametrize("raw, default", [("maybe", True), ("ten", 1), ("1.5", 1), ("true", 1), ('{"a": 1}', []),
                                          ("[", []), ("fast", 2.0)])
def test_unparseable_values_are_errors(raw, default):
    with pytest.raises(ValueError):
        parse_value(raw, default)


@pytest.mark.parametrize("name, value", [("DISCUSS_MAX_BODY_LENGTH", "lots"), ("DISCUSS_RATELIMIT_ENABLED", "maybe"),
                                         ("DISCUSS_DISABLED_PLUGINS", "profanity"),
                                         ("DISCUSS_PUBLIC_URL", "comments.council.example")])
def test_a_bad_environment_value_names_the_variable(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=name):
        _app(tmp_path)


def test_every_default_is_overridable(monkeypatch):
    for key in DEFAULTS:
        assert key.isupper()


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DISCUSS_DATABASE_URL", raising=False)
    monkeypatch.setenv("DISCUSS_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app({"TESTING": True, "LOAD_ENTRY_POINTS": False})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + os.path.join(str(tmp_path / "inst"), "discuss.db")


def test_environment_reaches_the_app_and_postgres_urls_use_psycopg(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCUSS_DATABASE_URL", "postgresql://u@127.0.0.1:5432/nowhere")
    monkeypatch.setenv("DISCUSS_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("DISCUSS_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/3")
    app = create_app({"TESTING": True, "LOAD_ENTRY_POINTS": False, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@127.0.0.1:5432/nowhere"
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


def test_explicit_config_beats_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DISCUSS_MAX_BODY_LENGTH", "5")
    app = create_app({"TESTING": True, "MAX_BODY_LENGTH": 7, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "LOAD_ENTRY_POINTS": False})
    assert app.config["MAX_BODY_LENGTH"] == 7


def test_the_postgresql_pool_keeps_the_configured_connections_open(monkeypatch, tmp_path):
    """Enough kept connections that a loaded worker does not open and close one per request."""
    monkeypatch.setenv("DISCUSS_DATABASE_POOL_SIZE", "20")
    app = _app(tmp_path, DATABASE_URL="postgresql://postgres@127.0.0.1:1/none")
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert (options["pool_size"], options["max_overflow"]) == (20, DEFAULTS["DATABASE_MAX_OVERFLOW"])
    assert options["pool_pre_ping"] is True
    with app.app_context():
        from discuss.extensions import db

        assert db.engine.pool.size() == 20
