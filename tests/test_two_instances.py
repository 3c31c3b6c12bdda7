"""Two web instances on one PostgreSQL database, as docker-compose.yml runs them (web1, web2).

Each instance is its own gunicorn server (its own master, worker, page cache and
invalidation listener), started here as a subprocess; the test talks to them over
HTTP only. A comment a moderator approves through one is in the thread read through
the other at once: the first read after the approval's answer, with the thread
already cached in the other (so its cache must have heard of the change).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack

import pytest

from tests.conftest import ON_POSTGRES
from tests.helpers import THREAD_URL
from tests.reviewing import add_moderator, bearer
from tests.servers import free_port

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="two instances share a PostgreSQL database")

#: The only plugin left on: its built-in legal-risk list holds a reply that says "corrupt".
SCREENING = "watch_words"


class Instance:
    """One web instance: ``gunicorn wsgi:app`` on a free port."""

    def __init__(self, database_url: str, name: str) -> None:
        from tests.test_page_cache import _builtin_plugins

        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DISCUSS_DATABASE_URL": database_url, "DISCUSS_SECRET_KEY": "x" * 48,
               "DISCUSS_IP_HASH_KEY": "y" * 48, "DISCUSS_RATELIMIT_ENABLED": "false",
               "DISCUSS_LOAD_ENTRY_POINTS": "false",
               "DISCUSS_DISABLED_PLUGINS": json.dumps([p for p in _builtin_plugins() if p != SCREENING])}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{self.port}", "wsgi:app"],
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
        request = urllib.request.Request(self.base + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def thread(self) -> list[int]:
        status, body = self.call("GET", THREAD_URL)
        assert status == 200, body
        return _ids(body["comments"])

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(15)


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
            instance = Instance(database_url, name)
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
