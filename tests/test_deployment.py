"""docker-compose.yml is valid and configures the app the way the app reads settings."""

import ipaddress
import json
import re
from pathlib import Path

import yaml

from discuss.clients import parse_networks, resolve_client
from discuss.config import DEFAULTS, PREFIX, parse_value

ROOT = Path(__file__).resolve().parent.parent


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_proxy_web_database_and_redis():
    services = compose()["services"]
    assert set(services) == {"proxy", "web", "db", "redis"}
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


def test_only_the_proxy_is_published_and_the_app_trusts_exactly_it():
    # Finding 2: gunicorn was published directly while the app believed one X-Forwarded-For hop.
    services = compose()["services"]
    assert "ports" not in services["web"]
    assert [str(port).split(":")[-1] for port in services["proxy"]["ports"]] == ["8080"]
    for name in ("db", "redis"):
        assert "ports" not in services[name]
    environment = services["web"]["environment"]
    assert "DISCUSS_PROXY_FIX_HOPS" not in environment
    trusted = parse_networks(json.loads(environment["DISCUSS_TRUSTED_PROXIES"]))
    proxy_address = ipaddress.ip_address(services["proxy"]["networks"]["edge"]["ipv4_address"])
    assert any(proxy_address in network for network in trusted)
    edge = ipaddress.ip_network(compose()["networks"]["edge"]["ipam"]["config"][0]["subnet"])
    assert proxy_address in edge
    assert set(services["web"]["networks"]) >= {"edge"}
    # What the app makes of a request through that proxy, and of one that bypasses it:
    assert resolve_client(str(proxy_address), "203.0.113.7", trusted) == "203.0.113.7"
    assert resolve_client("172.30.0.99", "203.0.113.7", trusted) == "172.30.0.99"


def test_the_proxy_config_is_mounted_and_overwrites_forwarded_for():
    proxy = compose()["services"]["proxy"]
    source, target = proxy["volumes"][0].split(":")[:2]
    assert target == "/etc/nginx/conf.d/default.conf"
    conf = (ROOT / source).read_text()
    assert re.search(r"listen\s+8080;", conf)
    assert re.search(r"proxy_pass\s+http://web:8000;", conf)
    assert "--bind 0.0.0.0:8000" in compose()["services"]["web"]["command"]
    # $remote_addr, not $proxy_add_x_forwarded_for: a client's own header is dropped here.
    assert re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;", conf)
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$scheme;", conf)


def test_compose_requires_both_secrets():
    environment = compose()["services"]["web"]["environment"]
    for name in ("DISCUSS_SECRET_KEY", "DISCUSS_IP_HASH_KEY"):
        assert re.fullmatch(r"\$\{%s:\?.+\}" % name, environment[name]), name
