"""Start-up refuses secrets anyone could know (finding 1 of issue 11)."""

from __future__ import annotations

import pytest

from discuss import create_app
from discuss.keys import weakness

STRONG = "s" * 20 + "ecret-key-for-tests-only-0123456789"
OTHER = "i" * 20 + "p-hash-key-for-tests-only-0123456789"


def _app(tmp_path, **config):
    return create_app({"LOAD_ENTRY_POINTS": False, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", **config})


@pytest.fixture(autouse=True)
def _no_keys_in_environment(monkeypatch):
    for name in ("DISCUSS_SECRET_KEY", "DISCUSS_IP_HASH_KEY", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("secret", [None, "", "dev-only-change-me", "short-but-not-known"])
def test_production_refuses_a_missing_default_or_short_secret_key(tmp_path, secret):
    config = {"IP_HASH_KEY": OTHER}
    if secret is not None:
        config["SECRET_KEY"] = secret
    with pytest.raises(RuntimeError, match="DISCUSS_SECRET_KEY"):
        _app(tmp_path, **config)


def test_production_refuses_a_missing_ip_hash_key(tmp_path):
    with pytest.raises(RuntimeError, match="DISCUSS_IP_HASH_KEY"):
        _app(tmp_path, SECRET_KEY=STRONG)


def test_the_two_keys_must_differ(tmp_path):
    with pytest.raises(RuntimeError, match="DISCUSS_IP_HASH_KEY must differ"):
        _app(tmp_path, SECRET_KEY=STRONG, IP_HASH_KEY=STRONG)


def test_keys_from_the_environment_start_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCUSS_SECRET_KEY", STRONG)
    monkeypatch.setenv("DISCUSS_IP_HASH_KEY", OTHER)
    app = _app(tmp_path)
    assert app.config["SECRET_KEY"] == STRONG and app.config["IP_HASH_KEY"] == OTHER


def test_debug_and_tests_may_run_without_keys(tmp_path, monkeypatch):
    assert weakness(_app(tmp_path, TESTING=True).config["SECRET_KEY"]) is None  # a key for this process
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert _app(tmp_path).debug


def test_weakness_names_the_reason():
    assert weakness(None) and weakness("dev-only-change-me") and weakness(b"x" * 10)
    assert weakness(STRONG) is None


def test_production_warns_when_public_url_is_set_but_any_host_is_answered(tmp_path, caplog):
    # Finding 9: links followed the Host header and nothing limited which hosts were answered.
    _app(tmp_path, SECRET_KEY=STRONG, IP_HASH_KEY=OTHER, PUBLIC_URL="https://comments.council.example")
    assert "DISCUSS_TRUSTED_HOSTS is empty" in caplog.text
    caplog.clear()
    app = _app(tmp_path, SECRET_KEY=STRONG, IP_HASH_KEY=OTHER, PUBLIC_URL="https://comments.council.example",
               TRUSTED_HOSTS=["comments.council.example"])
    assert "DISCUSS_TRUSTED_HOSTS" not in caplog.text
    assert app.test_client().get("/healthz", base_url="https://evil.example").status_code == 400


def test_trusted_hosts_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCUSS_TRUSTED_HOSTS", '["comments.council.example"]')
    app = _app(tmp_path, TESTING=True)
    assert app.config["TRUSTED_HOSTS"] == ["comments.council.example"]
    assert app.test_client().get("/healthz", base_url="http://comments.council.example").status_code == 200
