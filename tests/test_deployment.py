"""docker-compose.yml and deploy/nginx.conf: valid, and configuring the app the way it reads settings.

Docker cannot run on the development machine, so the compose file is checked
against the Compose Specification's JSON schema (tests/data/compose/) and for
what the stack needs: two web instances behind the proxy, a worker, a one-shot
migration everything waits for, health checks, secrets with no defaults, and
Varnish between the proxy and the webs with the purge relay beside it. The nginx
configuration is checked by ``nginx -t`` and the Varnish one by ``varnishd -C``
where they are installed.
"""

import ipaddress
import json
import re
import subprocess
import tempfile
from pathlib import Path

import yaml

from discuss.clients import parse_networks, resolve_client
from discuss.config import DEFAULTS, PREFIX, parse_value
from tests.servers import compose_backends, need, write_vcl

ROOT = Path(__file__).resolve().parent.parent
WEBS = ("web1", "web2")
APP_SERVICES = ("migrate", *WEBS, "worker", "purge-relay")
#: Variables in the app's environment that are not discuss settings, and who reads them.
NOT_SETTINGS = {"PROMETHEUS_MULTIPROC_DIR": "prometheus_client", "GUNICORN_BIND": "deploy/gunicorn.conf.py",
                "GUNICORN_WORKERS": "deploy/gunicorn.conf.py"}
SECRETS = ("DISCUSS_SECRET_KEY", "DISCUSS_IP_HASH_KEY", "DISCUSS_METRICS_TOKEN")


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def nginx_conf() -> str:
    return (ROOT / "deploy" / "nginx.conf").read_text()


def varnish_backends() -> str:
    return (ROOT / "deploy" / "varnish-backends.vcl").read_text()


def edge_address(service: str):
    return ipaddress.ip_address(compose()["services"][service]["networks"]["edge"]["ipv4_address"])


def test_compose_is_valid_against_the_compose_specification():
    import jsonschema

    schema = json.loads((ROOT / "tests" / "data" / "compose" / "compose-spec.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    assert [error.message for error in validator.iter_errors(compose())] == []
    broken = compose()
    broken["services"]["web1"]["depends_on"]["migrate"]["condition"] = "service_finished"
    assert list(validator.iter_errors(broken))  # the schema does catch a wrong value


def test_compose_has_the_whole_stack():
    services = compose()["services"]
    assert set(services) == {"proxy", "cache", "purge-relay", *WEBS, "worker", "migrate", "db", "redis"}
    for name in WEBS:
        assert services[name]["command"] == ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]
    assert services["worker"]["command"] == ["discuss", "worker"]
    assert services["worker"]["stop_signal"] == "SIGINT"  # finishes the jobs in hand before exiting
    assert services["migrate"]["command"] == ["discuss", "db", "upgrade"]
    assert services["worker"]["environment"]["DISCUSS_QUEUE_URL"] == "redis://redis:6379/1"
    assert services["purge-relay"]["command"] == ["discuss", "purge-relay", "--url", "http://cache:6081/"]


def test_every_service_has_a_healthcheck_or_runs_once():
    services = compose()["services"]
    for name, service in services.items():
        if service.get("restart") == "no":
            assert "healthcheck" not in service, name
            continue
        check = service.get("healthcheck")
        assert check and check["test"], f"{name} has no health check"
    assert services["migrate"]["restart"] == "no"
    for name in WEBS:  # the web instances are checked for readiness, not just liveness
        assert "/readyz" in " ".join(services[name]["healthcheck"]["test"])


def test_web_and_worker_wait_for_the_migration_and_the_proxy_for_ready_webs():
    services = compose()["services"]
    for name in (*WEBS, "worker"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
    assert services["migrate"]["depends_on"]["db"] == {"condition": "service_healthy"}
    assert services["purge-relay"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["cache"]["depends_on"] == {name: {"condition": "service_healthy"} for name in WEBS}
    assert services["proxy"]["depends_on"] == {name: {"condition": "service_healthy"} for name in (*WEBS, "cache")}


def test_the_app_services_run_one_image_with_one_configuration():
    services = compose()["services"]
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1
    common = {key: value for key, value in services["migrate"]["environment"].items()}
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert {key: environment[key] for key in common} == common, name


def test_every_setting_in_compose_is_one_the_app_reads_and_parses():
    services = compose()["services"]
    for service in APP_SERVICES:
        for name, value in services[service]["environment"].items():
            if name in NOT_SETTINGS:
                continue
            assert name.startswith(PREFIX + "_"), name
            key = name[len(PREFIX) + 1:]
            assert key in DEFAULTS, f"{name} ({service}) is not a setting the app reads"
            if "${" not in str(value):
                parse_value(str(value), DEFAULTS[key])  # raises when the app could not read it


def test_secrets_are_required_from_the_environment_with_no_default():
    services = compose()["services"]
    for service in APP_SERVICES:
        environment = services[service]["environment"]
        for name in SECRETS:
            assert re.fullmatch(r"\$\{%s:\?[^}]+\}" % name, environment[name]), (service, name)
        assert "${POSTGRES_PASSWORD:?" in environment["DISCUSS_DATABASE_URL"]
    assert re.fullmatch(r"\$\{POSTGRES_PASSWORD:\?[^}]+\}", services["db"]["environment"]["POSTGRES_PASSWORD"])
    # No secret anywhere with a fallback value (${NAME:-default} or ${NAME-default}).
    text = (ROOT / "docker-compose.yml").read_text()
    for name in (*SECRETS, "POSTGRES_PASSWORD"):
        assert not re.search(r"\$\{%s:?-" % name, text), name


def test_compose_points_the_app_at_its_own_database_redis_and_queue():
    services = compose()["services"]
    environment = services["web1"]["environment"]
    db = services["db"]["environment"]
    url = environment["DISCUSS_DATABASE_URL"]
    assert url.startswith(f"postgresql+psycopg://{db['POSTGRES_USER']}:")
    assert url.endswith(f"@db:5432/{db['POSTGRES_DB']}")
    assert environment["DISCUSS_RATELIMIT_STORAGE_URI"] == "redis://redis:6379/0"
    assert environment["DISCUSS_QUEUE_URL"] == "redis://redis:6379/1"  # another database than the limits
    assert environment["DISCUSS_RATELIMIT_ENABLED"] == "true"
    assert "--appendonly" in services["redis"]["command"]  # queued jobs survive a Redis restart
    assert any(volume.endswith(":/data") for volume in services["redis"]["volumes"])


def test_prometheus_and_the_health_checks_reach_the_webs_by_a_trusted_host_name():
    # Flask answers 400 to a Host outside DISCUSS_TRUSTED_HOSTS: the scrape (web1:8000) and the
    # health checks (127.0.0.1) must be in the default list.
    value = compose()["services"]["web1"]["environment"]["DISCUSS_TRUSTED_HOSTS"]
    default = json.loads(re.fullmatch(r"\$\{DISCUSS_TRUSTED_HOSTS:-(.*)\}", value).group(1))
    assert {"127.0.0.1", *WEBS} <= set(default)


def test_the_workers_health_check_asks_its_metrics_server():
    worker = compose()["services"]["worker"]
    port = worker["environment"]["DISCUSS_WORKER_METRICS_PORT"]
    assert f"127.0.0.1:{port}/metrics" in " ".join(worker["healthcheck"]["test"])
    assert [str(p) for p in worker["expose"]] == [port]


def test_metrics_are_shared_by_each_instances_workers_on_a_tmpfs():
    services = compose()["services"]
    for name in WEBS:
        directory = services[name]["environment"]["PROMETHEUS_MULTIPROC_DIR"]
        assert directory in services[name]["tmpfs"]


def test_the_image_installs_the_package_and_serves_wsgi_with_the_gunicorn_config():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install" in dockerfile and "wsgi:app" in dockerfile
    assert "COPY deploy ./deploy" in dockerfile and "deploy/gunicorn.conf.py" in dockerfile
    assert (ROOT / "wsgi.py").read_text().strip().endswith("app = create_app()")


def test_only_the_proxy_is_published_and_the_app_trusts_exactly_it_and_the_cache():
    # Finding 2: gunicorn was published directly while the app believed one X-Forwarded-For hop.
    services = compose()["services"]
    for name in (*APP_SERVICES, "cache", "db", "redis"):
        assert "ports" not in services[name], name
    assert [str(port).split(":")[-1] for port in services["proxy"]["ports"]] == ["8080"]
    environment = services["web1"]["environment"]
    assert "DISCUSS_PROXY_FIX_HOPS" not in environment
    trusted = parse_networks(json.loads(environment["DISCUSS_TRUSTED_PROXIES"]))
    proxy_address, cache_address = edge_address("proxy"), edge_address("cache")
    assert set(trusted) == {ipaddress.ip_network(proxy_address), ipaddress.ip_network(cache_address)}
    edge = ipaddress.ip_network(compose()["networks"]["edge"]["ipam"]["config"][0]["subnet"])
    assert proxy_address in edge and cache_address in edge
    for name in WEBS:
        assert set(services[name]["networks"]) >= {"edge"}
    assert set(services["worker"]["networks"]) == {"backend"}
    # What the app makes of a request through that proxy, and of one that bypasses it:
    assert resolve_client(str(proxy_address), "203.0.113.7", trusted) == "203.0.113.7"
    assert resolve_client("172.30.0.99", "203.0.113.7", trusted) == "172.30.0.99"
    # Through the cache: Varnish appends its peer, the proxy, to the proxy's header.
    assert resolve_client(str(cache_address), f"203.0.113.7, {proxy_address}", trusted) == "203.0.113.7"
    # A client's own header never reaches the app (nginx replaces it), but a forged hop
    # left of the proxy's would not be believed either way.
    assert resolve_client(str(cache_address), f"198.51.100.1, 203.0.113.7, {proxy_address}", trusted) == "203.0.113.7"


def test_the_webs_see_the_proxy_and_the_cache_at_their_trusted_addresses():
    """A container on two networks with a web instance could reach it, and be seen, from
    either address; the proxy and the cache share only ``edge`` with the webs, where their
    addresses are fixed, and every address there is fixed (no dynamic one can take them)."""
    services = compose()["services"]
    for name in ("proxy", "cache"):
        assert set(services[name]["networks"]) == {"edge"}, name
    on_edge = {name: edge_address(name) for name, service in services.items() if "edge" in service["networks"]}
    assert set(on_edge) == {"proxy", "cache", "purge-relay", *WEBS}
    assert len(set(on_edge.values())) == len(on_edge)


def test_the_cache_takes_purges_from_the_relay_alone():
    acl = re.search(r"acl\s+discuss_purgers\s*\{(.*?)\}", varnish_backends(), re.S)
    assert acl, "no acl discuss_purgers"
    assert re.findall(r'"([^"]+)"', acl.group(1)) == [str(edge_address("purge-relay"))]
    # The relay reaches the cache by name, on the one network they share.
    services = compose()["services"]
    assert set(services["cache"]["networks"]) & set(services["purge-relay"]["networks"]) == {"edge"}
    assert "http://cache:6081/" in services["purge-relay"]["command"]


def test_the_cache_runs_deploy_varnish_vcl_with_the_compose_backends():
    cache = compose()["services"]["cache"]
    assert re.fullmatch(r"varnish:7(\.\d+)*", cache["image"])  # the official image ships xkey (varnish-modules)
    mounts = {source: target for source, target, mode in (volume.split(":") for volume in cache["volumes"])
              if mode == "ro"}
    assert len(mounts) == len(cache["volumes"])  # all read-only
    deploy = mounts["./deploy"]
    command = cache["command"]
    assert command[0] == "varnishd" and "-F" in command  # in the foreground: the container's process
    assert command[command.index("-f") + 1] == f"{deploy}/varnish.vcl"
    assert "-a" in command and command[command.index("-a") + 1].split(",")[0].endswith(":6081")
    # varnish.vcl includes discuss-backends.vcl: this file, in a folder on vcl_path.
    backends = Path(mounts["./deploy/varnish-backends.vcl"])
    assert backends.name == "discuss-backends.vcl"
    assert 'include "discuss-backends.vcl";' in (ROOT / "deploy" / "varnish.vcl").read_text()
    vcl_path = next(arg.split("=", 1)[1] for arg in command if arg.startswith("vcl_path="))
    assert str(backends.parent) in vcl_path.split(":")
    # The backends are the two webs on gunicorn's port, probed and taken in turn.
    vcl = varnish_backends()
    assert sorted(re.findall(r'\.host\s*=\s*"([\w.]+)";\s*\.port\s*=\s*"(\d+)";', vcl)) == [
        (name, "8000") for name in WEBS]
    assert "directors.round_robin()" in vcl and re.search(r"set req\.backend_hint = \w+\.backend\(\);", vcl)
    assert re.search(r'\.url\s*=\s*"/healthz";', vcl)
    assert "6081" in " ".join(cache["healthcheck"]["test"])


def test_the_varnish_configuration_compiles():
    varnishd = need("varnishd")  # scripts/test.sh installs Debian's varnish and varnish-modules
    # varnishd -C resolves backend host names: the compose's resolve only inside its network,
    # so the webs are put at 127.0.0.1 (compose_backends fails if the file has other backends).
    backends = compose_backends([8000] * len(WEBS))
    # Its own directory under /tmp, copies the unprivileged user varnishd compiles as can read
    # (tests.servers.write_vcl), as tests.servers.PrivateVarnish does.
    with tempfile.TemporaryDirectory(prefix="discuss-vcl-") as directory:
        vcl = write_vcl(Path(directory), backends)
        result = subprocess.run(
            [varnishd, "-C", "-n", f"{directory}/work", "-f", str(vcl), "-p", f"vcl_path={directory}"],
            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_proxy_sends_to_both_webs_and_sets_the_headers_the_app_reads():
    proxy = compose()["services"]["proxy"]
    source, target = proxy["volumes"][0].split(":")[:2]
    assert target == "/etc/nginx/conf.d/default.conf"
    conf = (ROOT / source).read_text()
    assert re.search(r"listen\s+8080;", conf)
    upstream = re.search(r"upstream\s+(\w+)\s*\{(.*?)\}", conf, re.S)
    assert upstream, "no upstream block"
    servers = re.findall(r"^\s*server\s+([\w.]+):(\d+)", upstream.group(2), re.M)
    assert sorted(servers) == [(name, "8000") for name in WEBS]
    assert re.search(r"location\s+/\s*\{\s*proxy_pass\s+http://%s;" % upstream.group(1), conf)
    # $remote_addr, not $proxy_add_x_forwarded_for: a client's own header is dropped here.
    assert re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;", conf)
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$scheme;", conf)
    # A fresh id for every request (a client's own is replaced), and when nginx received it.
    assert re.search(r"proxy_set_header\s+X-Request-Id\s+\$request_id;", conf)
    assert re.search(r'proxy_set_header\s+X-Request-Start\s+"t=\$\{msec\}";', conf)
    assert re.search(r"location\s+=\s+/metrics\s*\{\s*return\s+404;", conf)


def test_the_proxy_sends_public_reads_through_the_cache_and_the_rest_to_the_webs():
    conf = nginx_conf()
    upstream = re.search(r"upstream\s+varnish\s*\{(.*?)\}", conf, re.S)
    assert upstream and re.findall(r"^\s*server\s+([\w.]+):(\d+)", upstream.group(1), re.M) == [("cache", "6081")]
    choice = re.search(r"map\s+\$request_method\s+\$(\w+)\s*\{(.*?)\}", conf, re.S)
    assert choice, "no map from the method to an upstream"
    rules = dict(re.findall(r"^\s*(\S+)\s+(\w+);", choice.group(2), re.M))
    assert rules == {"GET": "varnish", "HEAD": "varnish", "default": "discuss"}  # a POST never goes to the cache
    through_cache = {location.strip() for location in
                     re.findall(r"location\s+([^{]+?)\s*\{\s*proxy_pass\s+http://\$%s;" % choice.group(1), conf)}
    assert through_cache == {"~ ^/api/v1/sites/[^/]+/threads/", "= /embed.js", "^~ /embed/i18n/"}
    # The headers the app reads are set once, for every location (none sets its own,
    # which would drop the inherited ones).
    server = conf[conf.index("server {"):]
    assert server.count("proxy_set_header X-Forwarded-For") == 1
    assert not re.search(r"location[^{]*\{[^}]*proxy_set_header", server)


def test_the_nginx_configuration_is_accepted_by_nginx(tmp_path):
    nginx = need("nginx")  # scripts/test.sh installs Debian's nginx-light
    # The compose service names resolve only inside compose's network: test with local ones.
    conf = re.sub(r"server\s+(web\d|cache):\d+", "server 127.0.0.1:8000", nginx_conf())
    conf = conf.replace("access_log /dev/stdout", f"access_log {tmp_path}/access.log")
    (tmp_path / "default.conf").write_text(conf)
    mime = "/etc/nginx/mime.types"
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    {'include ' + mime + ';' if Path(mime).exists() else ''}\n"
        f"    include {tmp_path}/default.conf;\n}}\n")
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_a_worker_freezes_what_it_loaded_after_warming_up(app):
    """deploy/gunicorn.conf.py's post_worker_init: the warm-up screening, then gc.freeze, so a
    full collection no longer walks the app, the lexicons and the model (seconds of stalls a
    minute under load before)."""
    import gc
    import logging
    import runpy
    from types import SimpleNamespace

    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        conf["post_worker_init"](SimpleNamespace(wsgi=app, log=logging.getLogger("test")))
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
