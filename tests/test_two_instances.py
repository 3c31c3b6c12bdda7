"""Two web instances on one database, as docker-compose.yml runs them (web1, web2), and
the proxy in front of them (deploy/nginx.conf, under a real nginx).

Each instance is its own gunicorn server (its own master, worker, page cache and
invalidation watcher), started here as a subprocess; the test talks to them over
HTTP only. A comment a moderator approves through one is in the thread read through
the other at once: the first read after the approval's answer, with the thread
already cached in the other (so its cache must have heard of the change). On
PostgreSQL (production) the news travels by LISTEN/NOTIFY; on SQLite (one host)
by the file's data_version.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.helpers import THREAD_URL
from tests.reviewing import add_moderator, bearer
from tests.servers import free_port, need

ROOT = Path(__file__).resolve().parent.parent

#: The only plugin left on: its built-in legal-risk list holds a reply that says "corrupt".
SCREENING = "watch_words"


#: gunicorn's access log line when an Instance keeps one: the client's address as the app
#: resolved it (discuss.clients.TrustedProxies rewrites REMOTE_ADDR in the environ gunicorn
#: logs from), the request id the proxy sent, the method, the path and the status.
ACCESS_LOG_FORMAT = "%(h)s %({x-request-id}i)s %(m)s %(U)s %(s)s"


class Instance:
    """One web instance: ``gunicorn wsgi:app`` on a free port (with ``access_log``, gunicorn
    logs each request there in :data:`ACCESS_LOG_FORMAT`)."""

    def __init__(self, database_url: str, name: str, access_log: Path | None = None, **settings: str) -> None:
        from tests.test_page_cache import _builtin_plugins

        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DISCUSS_DATABASE_URL": database_url, "DISCUSS_SECRET_KEY": "x" * 48,
               "DISCUSS_IP_HASH_KEY": "y" * 48, "DISCUSS_RATELIMIT_ENABLED": "false",
               "DISCUSS_LOAD_ENTRY_POINTS": "false",
               "DISCUSS_DISABLED_PLUGINS": json.dumps([p for p in _builtin_plugins() if p != SCREENING]),
               **settings}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.access_log = access_log
        log_args = ["--access-logfile", str(access_log), "--access-logformat", ACCESS_LOG_FORMAT] if access_log else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{self.port}", *log_args, "wsgi:app"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.call("GET", "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not come up")
            time.sleep(0.2)

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        status, _headers, answer = call(self.base, method, path, body, headers)
        return status, answer

    def thread(self) -> list[int]:
        status, body = self.call("GET", THREAD_URL)
        assert status == 200, body
        return _ids(body["comments"])

    def logged(self) -> list[dict[str, str]]:
        """The access log's lines so far, each as ``client``, ``request_id``, ``method``, ``path``, ``status``."""
        fields = ("client", "request_id", "method", "path", "status")
        # The app's logging formats gunicorn's records too: "<time> INFO [<id>] gunicorn.access: <line>".
        return [dict(zip(fields, line.split("gunicorn.access: ", 1)[1].split()))
                for line in self.access_log.read_text().splitlines() if "gunicorn.access: " in line]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(15)


def call(base: str, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    """``(status, headers, decoded JSON body or None)`` of one HTTP request."""
    request = urllib.request.Request(base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers, _json(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, _json(error.read())


def _json(data: bytes):
    try:
        return json.loads(data or b"null")
    except ValueError:
        return None


def _ids(nodes) -> list[int]:
    found = []
    for node in nodes:
        found.append(node["id"])
        found.extend(_ids(node["replies"]))
    return found


@pytest.fixture
def instances(database_url, site):
    with ExitStack() as stack:
        pair = []
        for name in ("web1", "web2"):
            # Both believe the proxy on the loopback, as the compose file's believe 172.30.0.10.
            instance = Instance(database_url, name, DISCUSS_TRUSTED_PROXIES='["127.0.0.1"]')
            stack.callback(instance.stop)
            pair.append(instance)
        for instance in pair:
            instance.wait_until_ready()
        yield pair


def test_a_comment_approved_through_one_instance_is_seen_through_the_other_at_once(instances):
    one, other = instances
    moderator = bearer(add_moderator("mod@council.example"))
    status, first = one.call("POST", THREAD_URL + "/comments", {"author_name": "R", "body": "Good work on the bins."})
    assert status == 201, first
    shown = [first["comment"]["id"]]
    for round_ in range(4):
        writer, reader = (one, other) if round_ % 2 == 0 else (other, one)  # both ways
        status, held = writer.call("POST", THREAD_URL + "/comments",
                                   {"author_name": "R", "body": f"The councillor is corrupt ({round_})."})
        assert status == 202, held  # held by the legal-risk list
        waiting = held["comment"]["id"]
        # The reader has the thread cached without the held reply (a second read comes from its cache).
        assert reader.thread() == shown
        assert reader.thread() == shown
        status, queued = writer.call("GET", f"/api/v1/moderation/comments/{waiting}", headers=moderator)
        assert status == 200, queued
        status, decided = writer.call("POST", f"/api/v1/moderation/comments/{waiting}/decision",
                                      {"action": "approve", "version": queued["comment"]["version"]},
                                      headers=moderator)
        assert status == 200, decided
        shown.append(waiting)
        assert reader.thread() == shown, f"round {round_}: {writer.name}'s approval not seen by {reader.name}"
        assert writer.thread() == shown


# -- the proxy -----------------------------------------------------------------------------

@pytest.fixture
def proxy(instances, tmp_path):
    """deploy/nginx.conf under a real nginx, its upstreams pointed at the two instances."""
    with nginx_in_front(tmp_path, instances) as running:
        yield running


@contextmanager
def nginx_in_front(directory: Path, instances: list[Instance], cache_port: int | None = None):
    """deploy/nginx.conf under a real nginx on a free port of 127.0.0.1: ``(base URL, access log)``.

    ``web1`` and ``web2`` are the two instances; ``cache:6081`` is Varnish at ``cache_port``,
    or without one the instances themselves (the reads nginx would send to the cache go
    straight to them: nginx's part alone).
    """
    nginx = need("nginx")
    port = free_port()
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    for name, instance in zip(("web1", "web2"), instances):
        assert f"server {name}:8000" in conf
        conf = conf.replace(f"server {name}:8000", f"server 127.0.0.1:{instance.port}")
    assert "server cache:6081" in conf
    if cache_port is None:
        conf = conf.replace("server cache:6081", ";\n    ".join(f"server 127.0.0.1:{i.port}" for i in instances))
    else:
        conf = conf.replace("server cache:6081", f"server 127.0.0.1:{cache_port}")
    assert "listen 8080;" in conf
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    access_log = directory / "access.log"
    conf = conf.replace("access_log /dev/stdout", f"access_log {access_log}")
    (directory / "default.conf").write_text(conf)
    (directory / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {directory}/nginx.pid;\nerror_log {directory}/error.log;\nevents {{}}\n"
        + f"http {{\n    include {directory}/default.conf;\n}}\n")
    process = subprocess.Popen([nginx, "-p", str(directory), "-c", str(directory / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if call(base, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("nginx did not come up: " + (directory / "error.log").read_text())
            time.sleep(0.1)
        yield base, access_log
    finally:
        process.terminate()
        process.wait(10)


def test_the_proxy_spreads_requests_over_both_instances_each_with_its_own_request_id(proxy, instances):
    base, access_log = proxy
    status, _headers, posted = call(base, "POST", THREAD_URL + "/comments",
                                    {"author_name": "R", "body": "Through the proxy."})
    assert status == 201, posted
    answered = []
    for _ in range(12):
        # A client's own id and address are replaced by the proxy's.
        status, headers, body = call(base, "GET", THREAD_URL,
                                     headers={"X-Request-Id": "client-forged-id", "X-Forwarded-For": "203.0.113.9"})
        assert status == 200 and _ids(body["comments"]) == [posted["comment"]["id"]]
        answered.append(headers["X-Request-Id"])
    assert "client-forged-id" not in answered and len(set(answered)) == len(answered)
    deadline = time.monotonic() + 10
    while True:  # nginx writes a request's log line once the response has gone
        lines = [json.loads(line) for line in access_log.read_text().splitlines()]
        logged = {line["request_id"]: line for line in lines}
        if set(answered) <= set(logged) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    # The app kept the proxy's id (the one in nginx's log) rather than making its own.
    assert set(answered) <= set(logged)
    assert {line["client"] for line in lines} == {"127.0.0.1"}
    upstreams = {logged[request_id]["upstream"] for request_id in answered}
    assert upstreams == {f"127.0.0.1:{instance.port}" for instance in instances}


def test_metrics_are_not_served_through_the_proxy(proxy, instances):
    base, _log = proxy
    assert call(base, "GET", "/metrics")[0] == 404
    # Directly, from the loopback, an instance answers (the proxy is the only way in from outside).
    assert call(instances[0].base, "GET", "/metrics")[0] == 200
