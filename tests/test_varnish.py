"""Varnish in front (deploy/varnish.vcl, under a real varnishd with the xkey module) and
``discuss purge-relay`` purging it, as docs/operations.md ("Varnish in front")
deploys them: thread reads are answered by the cache, a commit that changes a thread
drops its pages at once, and nothing that is not public is ever kept.

The instance tells the cache to keep thread reads for 5 minutes
(``DISCUSS_THREAD_CACHE_SECONDS``), so a change that shows within seconds has been
purged, not expired.
"""

from __future__ import annotations

import os
import time
from contextlib import ExitStack
from typing import Callable
from pathlib import Path

import pytest

from tests.helpers import THREAD_URL
from tests.reviewing import add_moderator, bearer
from tests.servers import PrivateVarnish, start_purge_relay
from tests.test_two_instances import SCREENING, Instance, _ids, call

#: Long enough that only a purge can explain a change showing within the test.
KEEP_SECONDS = "300"
#: How long a purge may take to land (the relay hears the commit, then sends PURGE).
PURGE_SECONDS = 5.0


@pytest.fixture
def cached(database_url, site, tmp_path):
    """``(cache base URL, instance)``: one instance, Varnish in front, the relay purging it."""
    with ExitStack() as stack:
        settings = {"DISCUSS_TRUSTED_PROXIES": '["127.0.0.1"]', "DISCUSS_THREAD_CACHE_SECONDS": KEEP_SECONDS}
        instance = Instance(database_url, "web", **settings)
        stack.callback(instance.stop)
        instance.wait_until_ready()
        varnish = PrivateVarnish(instance.port).start()
        stack.callback(varnish.remove)
        start_relay(stack, database_url, varnish.url, tmp_path / "relay.log")
        yield varnish.url, instance


def start_relay(stack: ExitStack, database_url: str, cache_url: str, log: Path) -> None:
    """``discuss purge-relay --url <cache_url>/`` until ``stack`` closes; back once it relays."""
    env = {**os.environ, "DISCUSS_DATABASE_URL": database_url, "DISCUSS_SECRET_KEY": "x" * 48,
           "DISCUSS_IP_HASH_KEY": "y" * 48, "DISCUSS_LOAD_ENTRY_POINTS": "false"}
    relay = start_purge_relay(env, cache_url, log)
    stack.callback(lambda: (relay.terminate(), relay.wait(10)))
    time.sleep(0.5)  # the relay's first LISTEN (PostgreSQL) or first look (SQLite)


def from_cache(headers) -> bool:
    """Whether Varnish answered from what it kept: X-Varnish then holds this request's id and
    the id of the request that fetched the object (one id: fetched for this request)."""
    return len(headers["X-Varnish"].split()) == 2


def read(base: str, path: str = THREAD_URL, headers: dict | None = None):
    """``(ids shown, whether the cache answered it, headers)``."""
    status, answer_headers, body = call(base, "GET", path, headers=headers)
    assert status == 200, body
    return _ids(body["comments"]), from_cache(answer_headers), answer_headers


def shown_soon(read_ids: Callable[[], list[int]], wanted: list[int]) -> list[int]:
    """What ``read_ids`` shows once it shows ``wanted``, or after :data:`PURGE_SECONDS`."""
    deadline = time.monotonic() + PURGE_SECONDS
    while True:
        ids = read_ids()
        if ids == wanted or time.monotonic() > deadline:
            return ids
        time.sleep(0.05)


def test_a_thread_read_is_kept_and_a_new_reply_purges_it(cached):
    base, instance = cached
    status, _h, first = call(base, "POST", THREAD_URL + "/comments", {"author_name": "R", "body": "Bins: thank you."})
    assert status == 201, first
    ids, _hit, _headers = read(base)
    assert ids == [first["comment"]["id"]]
    ids, hit, headers = read(base)
    assert hit and ids == [first["comment"]["id"]]
    assert "xkey" not in {name.lower() for name in headers}  # the cache's index is its own
    assert "X-Request-Id" not in headers  # a kept answer's id is another request's
    status, _h, second = call(instance.base, "POST", THREAD_URL + "/comments",
                              {"author_name": "R", "body": "And the library hours."})
    assert status == 201, second
    assert shown_soon(lambda: read(base)[0], [first["comment"]["id"], second["comment"]["id"]]) == [
        first["comment"]["id"], second["comment"]["id"]]


def test_a_held_reply_is_never_shown_and_its_approval_purges_the_page(cached):
    base, instance = cached
    moderator = bearer(add_moderator("mod@council.example"))
    status, _h, first = call(base, "POST", THREAD_URL + "/comments", {"author_name": "R", "body": "Good work."})
    assert status == 201, first
    shown = [first["comment"]["id"]]
    status, _h, held = call(base, "POST", THREAD_URL + "/comments",
                            {"author_name": "R", "body": "The councillor is corrupt."})
    assert status == 202, held  # held by the legal-risk list (SCREENING)
    assert SCREENING == "watch_words"
    waiting = held["comment"]["id"]
    assert read(base)[0] == shown
    ids, hit, _headers = read(base)
    assert hit and ids == shown
    status, _h, queued = call(instance.base, "GET", f"/api/v1/moderation/comments/{waiting}", headers=moderator)
    assert status == 200, queued
    status, _h, decided = call(base, "POST", f"/api/v1/moderation/comments/{waiting}/decision",
                               {"action": "approve", "version": queued["comment"]["version"]}, headers=moderator)
    assert status == 200, decided
    assert shown_soon(lambda: read(base)[0], shown + [waiting]) == shown + [waiting]


def test_a_reader_with_a_cookie_shares_the_public_page_and_private_answers_are_never_kept(cached):
    base, _instance = cached
    status, _h, first = call(base, "POST", THREAD_URL + "/comments", {"author_name": "R", "body": "Hello."})
    assert status == 201, first
    read(base)
    ids, hit, headers = read(base, headers={"Cookie": "session=a-moderator-s", "Authorization": "Bearer x"})
    assert hit and ids == [first["comment"]["id"]] and "Set-Cookie" not in headers
    # Answers the app does not mark public: never kept, whatever Varnish's default TTL.
    for path in ("/readyz", "/healthz", "/embed/council/threads/blog/post"):
        for _ in range(2):
            status, headers, _body = call(base, "GET", path)
            assert status == 200, path
            assert not from_cache(headers), f"{path} was answered from the cache"
    # The widget's script is public: kept.
    call(base, "GET", "/embed.js")
    status, headers, _body = call(base, "GET", "/embed.js")
    assert status == 200 and from_cache(headers)


def test_a_purge_must_name_its_keys(cached):
    base, _instance = cached
    status, _headers, _body = call(base, "PURGE", "/")
    assert status == 400  # no keys named
    status, _headers, _body = call(base, "PURGE", "/", headers={"xkey-purge": "discuss"})
    assert status == 200  # from 127.0.0.1, the test's purger
