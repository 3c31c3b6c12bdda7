"""The whole edge on one host, as docker-compose.yml chains it: deploy/nginx.conf under a
real nginx, in front of Varnish (deploy/varnish.vcl with the compose's own
deploy/varnish-backends.vcl: its probes and round-robin director, its hosts, ports and
purger's address made local) and of two web instances (gunicorn), with
``discuss purge-relay`` purging the cache.

On one host the proxy and the cache both reach the instances from 127.0.0.1, so the
instances trust 127.0.0.1 alone (where the compose's trust the proxy's and the cache's
fixed addresses). The test's client connects from another address of the loopback,
127.0.0.5 (all of 127.0.0.0/8 is the host's own), so the address the app resolves for it
is not one of the hops it trusts: an instance that sees 127.0.0.5 read X-Forwarded-For,
and read it from the right, past the proxy and the cache.

What the app resolved is seen two ways: the keyed hash a reply is stored with (the
moderation API shows it), and each instance's gunicorn access log, which logs the
``REMOTE_ADDR`` that :class:`discuss.clients.TrustedProxies` rewrote (thread reads use
no address, so the log is the only window on the read path).

The instances tell the cache to keep thread reads for 5 minutes, so a reply that shows
within seconds has been purged, not expired.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from discuss.clients import hash_ip
from tests.helpers import THREAD_URL
from tests.reviewing import add_moderator, bearer
from tests.servers import PrivateVarnish
from tests.test_two_instances import Instance, _ids, _json, nginx_in_front
from tests.test_varnish import KEEP_SECONDS, from_cache, shown_soon, start_relay

#: The client's address: the loopback, but not the proxy's and the cache's 127.0.0.1.
CLIENT = "127.0.0.5"
#: What a client claims in its own X-Forwarded-For; nginx must replace it.
FORGED = "203.0.113.9"
#: The instances' DISCUSS_IP_HASH_KEY (tests.test_two_instances.Instance).
IP_HASH_KEY = "y" * 48


@dataclass
class Edge:
    base: str                  # nginx, the way in
    access_log: Path           # nginx's JSON access log
    instances: list[Instance]  # web1, web2
    varnish: PrivateVarnish


@pytest.fixture
def edge(database_url, site, tmp_path):
    with ExitStack() as stack:
        settings = {"DISCUSS_TRUSTED_PROXIES": '["127.0.0.1"]', "DISCUSS_THREAD_CACHE_SECONDS": KEEP_SECONDS}
        instances = []
        for name in ("web1", "web2"):
            instance = Instance(database_url, name, access_log=tmp_path / f"{name}.log", **settings)
            stack.callback(instance.stop)
            instances.append(instance)
        for instance in instances:
            instance.wait_until_ready()
        varnish = PrivateVarnish([instance.port for instance in instances]).start()
        stack.callback(varnish.remove)
        for instance in instances:
            _wait_until_probed(instance, varnish)
        start_relay(stack, database_url, varnish.url, tmp_path / "relay.log")
        (tmp_path / "nginx").mkdir()
        base, access_log = stack.enter_context(nginx_in_front(tmp_path / "nginx", instances, varnish.port))
        yield Edge(base, access_log, instances, varnish)


def _wait_until_probed(instance: Instance, varnish: PrivateVarnish) -> None:
    """Until Varnish's probe has had a 200 from ``instance``: the backend starts one good probe
    short of healthy (``.initial`` is ``.threshold`` - 1), so it is healthy from then on."""
    deadline = time.monotonic() + 15
    while not any(line["path"] == "/healthz" and line["status"] == "200" for line in instance.logged()):
        assert time.monotonic() < deadline, f"Varnish never probed {instance.name}: {varnish.log()}"
        time.sleep(0.1)
    time.sleep(0.2)  # Varnish counts the probe once it has read the answer


def send(base: str, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    """``(status, headers, decoded JSON body)`` of one request from :data:`CLIENT`, always with
    a forged X-Forwarded-For (and a forged request id) of its own."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30, source_address=(CLIENT, 0))
    try:
        connection.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                           headers={"Content-Type": "application/json", "X-Forwarded-For": FORGED,
                                    "X-Request-Id": "client-forged-id", **(headers or {})})
        answer = connection.getresponse()
        return answer.status, answer.headers, _json(answer.read())
    finally:
        connection.close()


def post(edge: Edge, body: str):
    """A reply posted through nginx: ``(its id, the answer's headers)``."""
    status, headers, posted = send(edge.base, "POST", THREAD_URL + "/comments", {"author_name": "R", "body": body})
    assert status == 201, posted
    return posted["comment"]["id"], headers


def read(edge: Edge):
    """A thread read through nginx: ``(ids shown, whether the cache answered it, headers)``."""
    status, headers, body = send(edge.base, "GET", THREAD_URL)
    assert status == 200, body
    return _ids(body["comments"]), from_cache(headers), headers


def logged(source, request_ids: set[str]) -> dict[str, dict]:
    """The lines of ``source`` (nginx's JSON access log, or instances' logs) for these request ids,
    by id; waits for them (a line is written once the answer has gone)."""
    deadline = time.monotonic() + 10
    while True:
        if isinstance(source, Path):
            lines = [json.loads(line) for line in source.read_text().splitlines()]
        else:
            lines = [line for instance in source for line in instance.logged()]
        found = {line["request_id"]: line for line in lines if line["request_id"] in request_ids}
        if set(found) == request_ids or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def fetches(instance: Instance) -> int:
    """Thread reads ``instance`` has answered (each one a fetch by the cache, for a client)."""
    return sum(1 for line in instance.logged() if line["method"] == "GET" and line["path"] == THREAD_URL)


def test_the_app_sees_the_client_behind_the_proxy_and_the_cache_and_never_its_forged_address(edge):
    reply, posted_headers = post(edge, "Thank you for the new bins.")
    write_id = posted_headers["X-Request-Id"]
    ids, hit, read_headers = read(edge)
    assert ids == [reply] and not hit
    read_id = read_headers["X-Request-Id"]  # a fetched answer's id is nginx's, passed on by Varnish
    assert "client-forged-id" not in (write_id, read_id)
    # The write path (nginx, an instance) and the read path (nginx, Varnish, an instance)
    # resolve the same client, the one nginx saw, and not what it claimed. (Two things keep
    # the claim out: nginx replaces the header, and the app reads it from the right; a
    # claim nginx let through would be the right-most untrusted hop, and seen.)
    seen = logged(edge.instances, {write_id, read_id})
    assert seen[write_id]["method"] == "POST" and seen[read_id]["method"] == "GET"
    assert seen[write_id]["client"] == CLIENT
    assert seen[read_id]["client"] == CLIENT
    # The reply is stored with that address's hash (what bans and the queue's same-address
    # counts go by).
    moderator = bearer(add_moderator("mod@council.example"))
    status, _headers, shown = send(edge.base, "GET", f"/api/v1/moderation/comments/{reply}", headers=moderator)
    assert status == 200, shown
    assert shown["comment"]["ip_hash"] == hash_ip(CLIENT, IP_HASH_KEY)
    assert hash_ip(CLIENT, IP_HASH_KEY) not in (hash_ip(FORGED, IP_HASH_KEY), hash_ip("127.0.0.1", IP_HASH_KEY))
    assert {line["client"] for line in logged(edge.access_log, {write_id, read_id}).values()} == {CLIENT}


def test_reads_are_kept_by_the_cache_and_a_reply_posted_through_the_proxy_purges_them(edge):
    first, posted_headers = post(edge, "The library hours are better.")
    assert "X-Varnish" not in posted_headers  # a write never goes through the cache
    ids, hit, _headers = read(edge)
    assert ids == [first] and not hit
    ids, hit, kept_headers = read(edge)
    assert ids == [first] and hit
    assert "X-Request-Id" not in kept_headers  # a kept answer's id was another request's
    second, posted_headers = post(edge, "And the park is tidy.")
    assert "X-Varnish" not in posted_headers
    write_id = posted_headers["X-Request-Id"]
    # The cache keeps reads for 5 minutes: only the relay's purge can show the reply this soon.
    assert shown_soon(lambda: read(edge)[0], [first, second]) == [first, second]
    ids, hit, _headers = read(edge)
    assert ids == [first, second] and hit
    # nginx sent the write to an instance, and the reads to Varnish.
    lines = [json.loads(line) for line in edge.access_log.read_text().splitlines()]
    writes = {line["upstream"] for line in lines if line["method"] == "POST"}
    reads = {line["upstream"] for line in lines if line["method"] == "GET" and line["uri"] == THREAD_URL}
    assert writes and writes <= {f"127.0.0.1:{instance.port}" for instance in edge.instances}
    assert reads == {f"127.0.0.1:{edge.varnish.port}"}
    assert logged(edge.instances, {write_id})[write_id]["method"] == "POST"


def test_the_cache_fetches_from_both_instances_in_turn(edge):
    shown = []
    for round_ in range(6):
        reply, _headers = post(edge, f"Round {round_}: the bins again.")
        shown.append(reply)
        # The first read after the purge is fetched, by the director's next instance.
        assert shown_soon(lambda: read(edge)[0], shown) == shown, f"round {round_}: the reply never showed"
    served = [fetches(instance) for instance in edge.instances]
    assert sum(served) >= len(shown)  # at least one fetch after each purge
    assert min(served) >= 1 and max(served) - min(served) <= 1, f"fetches per instance: {served}"
