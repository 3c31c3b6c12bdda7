"""docker-compose.yml is valid and configures the app the way the app reads settings."""

from pathlib import Path

import yaml

from discuss.config import DEFAULTS, PREFIX, parse_value

ROOT = Path(__file__).resolve().parent.parent


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_web_database_and_redis():
    services = compose()["services"]
    assert set(services) == {"web", "db", "redis"}
    assert "gunicorn" in services["web"]["command"] and "wsgi:app" in services["web"]["command"]
    assert set(services["web"]["depends_on"]) == {"db", "redis"}


def test_every_setting_in_compose_is_one_the_app_reads_and_parses():
    environment = compose()["services"]["web"]["environment"]
    for name, value in environment.items():
        assert name.startswith(PREFIX + "_"), name
        key = name[len(PREFIX) + 1:]
        assert key in DEFAULTS, f"{name} is not a setting the app reads"
        if "${" not in str(value):
            parse_value(str(value), DEFAULTS[key])  # raises when the app could not read it


def test_compose_points_the_app_at_its_own_database_and_redis():
    services = compose()["services"]
    environment = services["web"]["environment"]
    db = services["db"]["environment"]
    url = environment["DISCUSS_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://")
    assert f"{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}@db:5432/{db['POSTGRES_DB']}" in url
    assert environment["DISCUSS_RATELIMIT_STORAGE_URI"].startswith("redis://redis:6379")
    assert environment["DISCUSS_RATELIMIT_ENABLED"] == "true"


def test_the_image_installs_the_package_and_serves_wsgi():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install" in dockerfile and "wsgi:app" in dockerfile
    assert (ROOT / "wsgi.py").read_text().strip().endswith("app = create_app()")
