"""The thread page cache: reads without a query while the invalidation channel vouches
for them, never stale (discuss/invalidation.py, discuss/api/page_cache.py).

Runs on SQLite (PRAGMA data_version) and, with DISCUSS_TEST_DATABASE_URL, on
PostgreSQL (LISTEN/NOTIFY); the two-process tests need PostgreSQL.
"""

from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from discuss.extensions import db
from discuss.models import DELETED, PENDING, PUBLISHED, REJECTED, Comment, Site, Thread
from tests.conftest import ON_POSTGRES, make_app
from tests.helpers import THREAD_URL, post
from tests.reviewing import add_moderator, bearer, held, holding, version_of  # noqa: F401 (holding: a fixture)

OTHER_URL = "/api/v1/sites/council/threads/other/page"


def ids(nodes):
    found = []
    for node in nodes:
        if not node.get("removed"):
            found.append(node["id"])
        found.extend(ids(node["replies"]))
    return found


@contextlib.contextmanager
def counting(engine):
    """Every statement sent through ``engine`` while the block runs."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def cache_of(app):
    return app.extensions["discuss_page_cache"]


def listening(app) -> None:
    """Wait until the app's watcher vouches for its cache (PostgreSQL: the listener is up)."""
    watcher = cache_of(app).watcher
    if hasattr(watcher, "wait_until_listening"):
        assert watcher.wait_until_listening()
    assert cache_of(app).trusted()


def store(comment_id: int, **values) -> None:
    """A write from elsewhere: a Core UPDATE committed on its own connection."""
    with db.engine.begin() as conn:
        conn.execute(sa.update(Comment).where(Comment.id == comment_id).values(**values))


def settle(app) -> None:
    """PostgreSQL delivers a commit's notifications asynchronously: give the listener its moment.

    (A write made outside a request, through another connection, is heard by the listener
    thread as soon as its bytes arrive: this gives that thread its moment.)
    """
    if ON_POSTGRES:
        import time

        time.sleep(0.05)


def test_a_cached_read_sends_no_statement(client, site, app):
    first = post(client, "first").json["comment"]["id"]
    listening(app)
    assert ids(client.get(THREAD_URL).json["comments"]) == [first]
    with counting(db.engine) as statements:
        again = client.get(THREAD_URL)
    assert ids(again.json["comments"]) == [first]
    assert statements == []


def test_a_write_is_seen_at_once_and_then_cached_again(client, site, app):
    first = post(client, "first").json["comment"]["id"]
    listening(app)
    client.get(THREAD_URL)
    second = post(client, "second").json["comment"]["id"]
    settle(app)
    assert ids(client.get(THREAD_URL).json["comments"]) == [first, second]
    with counting(db.engine) as statements:
        assert ids(client.get(THREAD_URL).json["comments"]) == [first, second]
    assert statements == []


def test_a_write_to_one_thread_keeps_the_other_threads_pages(client, site, app):
    post(client, "here")
    other = post(client, "there", url=OTHER_URL).json["comment"]["id"]
    listening(app)
    client.get(THREAD_URL)
    client.get(OTHER_URL)
    post(client, "another here")
    settle(app)
    cache_of(app).trusted()  # hears the write
    with counting(db.engine) as statements:
        assert ids(client.get(OTHER_URL).json["comments"]) == [other]
    assert statements == []  # the other thread's page was not dropped
    with counting(db.engine) as statements:
        assert len(client.get(THREAD_URL).json["comments"]) == 2
    assert statements  # this thread's page was


@pytest.mark.parametrize("status", [PENDING, REJECTED, DELETED])
def test_held_rejected_and_deleted_comments_are_never_served(client, site, app, status):
    keep = post(client, "keep").json["comment"]["id"]
    gone = post(client, "goes").json["comment"]["id"]
    listening(app)
    assert ids(client.get(THREAD_URL).json["comments"]) == [keep, gone]
    store(gone, status=status)
    settle(app)
    assert ids(client.get(THREAD_URL).json["comments"]) == [keep]
    assert ids(client.get(THREAD_URL).json["comments"]) == [keep]  # and not from the cache either


def test_a_site_or_thread_change_reaches_the_cached_page(client, site, app):
    post(client, "first")
    listening(app)
    client.get(THREAD_URL)
    with db.engine.begin() as conn:
        conn.execute(sa.update(Thread).values(title="Renamed"))
    settle(app)
    assert client.get(THREAD_URL).json["thread"]["title"] == "Renamed"
    with db.engine.begin() as conn:
        conn.execute(sa.update(Site).values(privacy_notice="Our own notice."))
    settle(app)
    assert client.get(THREAD_URL).json["thread"]["privacy_notice"] == "Our own notice."


def test_a_site_change_reaches_the_next_reply_at_once(client, site, app):
    """The site a reply is posted to is kept like a page (no query while trusted) and dropped
    by the site's tag: a change made elsewhere (origins, moderation settings) holds for the
    very next reply."""
    from tests.conftest import COUNCIL_ORIGIN

    listening(app)
    origin = {"Origin": COUNCIL_ORIGIN}

    def reply(body):
        return client.post(THREAD_URL + "/comments", json={"author_name": "Resident", "body": body}, headers=origin)

    assert reply("About the bins.").status_code == 201
    with counting(db.engine) as statements:
        assert reply("About the library.").status_code == 201
    assert not any("FROM site" in statement for statement in statements)  # the kept site
    with db.engine.begin() as conn:  # elsewhere: another worker's admin, psql
        conn.execute(sa.update(Site).values(allowed_origins=["https://other.example"]))
    settle(app)
    refused = reply("About the park.")
    assert refused.status_code == 403
    assert "origin" in refused.json["errors"]


def test_an_empty_page_is_dropped_when_its_thread_is_created(client, site, app):
    listening(app)
    assert client.get(THREAD_URL).json["comments"] == []
    first = post(client, "the first ever").json["comment"]["id"]
    settle(app)
    assert ids(client.get(THREAD_URL).json["comments"]) == [first]


def test_a_read_racing_a_write_does_not_keep_what_it_read(client, site, app, monkeypatch):
    """The write commits after the read's query but before the page is kept: not kept."""
    first = post(client, "first").json["comment"]["id"]
    listening(app)
    import discuss.api.page_cache as page_cache

    original = page_cache.read_page
    raced = []

    def read_then_write(*args, **kwargs):
        page = original(*args, **kwargs)
        if not raced:
            raced.append(True)
            store(first, status=DELETED)  # commits while the old page is in hand
            settle(app)
            assert cache_of(app).trusted()  # the watcher hears of it before the page is kept
        return page

    monkeypatch.setattr(page_cache, "read_page", read_then_write)
    racing = client.get(THREAD_URL)
    assert ids(racing.json["comments"]) == [first]  # what the database said when it was asked
    assert ids(client.get(THREAD_URL).json["comments"]) == []  # the page read in the race was not kept


def test_a_watcher_that_missed_messages_checks_until_it_resyncs(client, site, app):
    first = post(client, "first").json["comment"]["id"]
    listening(app)
    client.get(THREAD_URL)
    watcher = cache_of(app).watcher
    if ON_POSTGRES:
        watcher.heartbeat = 30.0  # keep the listener from reconnecting during the test's first half
        watcher.drop()
        watcher.heartbeat = 1.0  # (its thread now waits 15 s on the closed socket) the bound a deaf write waits
        assert not cache_of(app).trusted()
        store(first, status=DELETED)  # its notification is lost: nobody is listening
        with counting(db.engine) as statements:
            assert client.get(THREAD_URL).json["comments"] == []  # checked, not served stale
        assert statements  # the signature query
    else:
        watcher.drop()
        store(first, status=DELETED)
        assert client.get(THREAD_URL).json["comments"] == []
    listening(app)
    assert client.get(THREAD_URL).json["comments"] == []
    with counting(db.engine) as statements:
        assert client.get(THREAD_URL).json["comments"] == []
    assert statements == []


def test_without_a_channel_every_read_checks(site, database_url):
    app = make_app(database_url, THREAD_CACHE_INVALIDATION="check")
    client = app.test_client()
    with app.app_context():
        first = post(client, "first").json["comment"]["id"]
        client.get(THREAD_URL)
        assert not cache_of(app).trusted()
        store(first, status=DELETED)
        assert client.get(THREAD_URL).json["comments"] == []
        db.engine.dispose()


def test_a_cursor_from_a_deleted_comment_serves_nothing_hidden(client, site, app):
    tops = [post(client, f"top {n}").json["comment"]["id"] for n in range(4)]
    reply = post(client, "a reply", parent_id=tops[2]).json["comment"]["id"]
    listening(app)
    first = client.get(THREAD_URL + "?limit=2").json
    assert ids(first["comments"]) == tops[:2]
    cursor = first["next_cursor"]
    second = client.get(THREAD_URL + f"?limit=2&cursor={cursor}").json
    assert ids(second["comments"]) == [tops[2], reply, tops[3]]
    store(tops[1], status=DELETED)  # the comment the cursor points after
    store(reply, status=PENDING)
    settle(app)
    again = client.get(THREAD_URL + f"?limit=2&cursor={cursor}").json
    assert ids(again["comments"]) == [tops[2], tops[3]]
    assert again["next_cursor"] is None


def test_a_stale_etag_gets_the_new_body_and_the_current_one_a_304(client, site, app):
    post(client, "first")
    listening(app)
    old = client.get(THREAD_URL)
    etag = old.headers["ETag"]
    assert client.get(THREAD_URL, headers={"If-None-Match": etag}).status_code == 304
    second = post(client, "second").json["comment"]["id"]
    settle(app)
    fresh = client.get(THREAD_URL, headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert second in ids(fresh.json["comments"])
    assert fresh.headers["ETag"] != etag
    assert client.get(THREAD_URL, headers={"If-None-Match": fresh.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("status", [DELETED, REJECTED, PENDING])
def test_a_cdn_revalidating_with_a_stale_tag_never_gets_a_removed_comment(client, site, app, status):
    """A CDN holds the page with a comment, which is then deleted, rejected or held again; it
    revalidates with the old tag (as Varnish and CDNs do): the answer is the new body without
    the comment, never a 304 that would keep it shown; the replayed answer too."""
    first = post(client, "first").json["comment"]["id"]
    shown = post(client, "shown, then removed").json["comment"]["id"]
    listening(app)
    held = client.get(THREAD_URL)
    assert ids(held.json["comments"]) == [first, shown]
    etag = held.headers["ETag"]
    assert client.get(THREAD_URL, headers={"If-None-Match": etag}).status_code == 304
    store(shown, status=status)
    settle(app)
    for _ in range(2):  # the first read keeps the new answer, the second may be replayed
        again = client.get(THREAD_URL, headers={"If-None-Match": etag})
        assert again.status_code == 200
        assert ids(again.json["comments"]) == [first]
        assert b"shown, then removed" not in again.data
        assert again.headers["ETag"] != etag


def test_thread_reads_carry_cache_control_and_surrogate_keys(client, site, app):
    post(client, "first")
    response = client.get(THREAD_URL, headers={"Origin": "https://council.example"})
    control = response.headers["Cache-Control"]
    assert control.startswith("public, max-age=")
    assert "stale-while-revalidate=" in control
    thread_id = db.session.execute(sa.select(Thread.id)).scalar_one()
    keys = response.headers["Surrogate-Key"].split()
    assert keys == ["discuss", f"discuss-s{site.id}", f"discuss-t{thread_id}"]
    assert response.headers["Cache-Tag"] == ",".join(keys)
    assert "Origin" in response.headers["Vary"]
    empty = client.get("/api/v1/sites/council/threads/no/thread/yet")
    assert f"discuss-n{site.id}" in empty.headers["Surrogate-Key"].split()


def test_held_comments_never_reach_the_page_until_approved(client, site, app, holding):
    mod = bearer(add_moderator("mod@council.example"))
    first = post(client, "first").json["comment"]["id"]
    waiting = held(client, "please hold this")
    listening(app)
    assert ids(client.get(THREAD_URL).json["comments"]) == [first]
    assert ids(client.get(THREAD_URL).json["comments"]) == [first]
    response = client.post(f"/api/v1/moderation/comments/{waiting}/decision",
                           json={"action": "approve", "version": version_of(waiting)}, headers=mod)
    assert response.status_code == 200, response.json
    settle(app)
    assert ids(client.get(THREAD_URL).json["comments"]) == [first, waiting]



def test_a_reply_stored_held_keeps_the_cached_page_and_its_approval_drops_it(client, site, app, holding):
    """A held insert shows on no page, so it invalidates nothing (0016_quiet_unpublished_inserts);
    the approval, an update, does."""
    mod = bearer(add_moderator("mod@council.example"))
    first = post(client, "first").json["comment"]["id"]
    listening(app)
    assert ids(client.get(THREAD_URL).json["comments"]) == [first]
    waiting = held(client, "please hold this")
    settle(app)
    cache_of(app).trusted()  # hears whatever the insert named
    with counting(db.engine) as statements:
        assert ids(client.get(THREAD_URL).json["comments"]) == [first]
    assert statements == []  # still the kept page
    response = client.post(f"/api/v1/moderation/comments/{waiting}/decision",
                           json={"action": "approve", "version": version_of(waiting)}, headers=mod)
    assert response.status_code == 200, response.json
    settle(app)
    assert ids(client.get(THREAD_URL).json["comments"]) == [first, waiting]
    published_reply = post(client, "a published reply", parent_id=first).json["comment"]["id"]
    settle(app)
    assert ids(client.get(THREAD_URL).json["comments"]) == [first, published_reply, waiting]


@pytest.mark.skipif(not ON_POSTGRES, reason="the write fences are PostgreSQL's")
def test_a_database_lost_at_the_commit_answers_503_and_stores_nothing(client, site, app, monkeypatch):
    """The fence is the write's last statement before its commit: the database going away
    there (here: the fence's statement ends its own session) is a 503, never a 500."""
    post(client, "first")
    listening(app)
    watcher = cache_of(app).watcher
    fence_sql = watcher.fence_sql

    def dying():
        token, _sql = fence_sql()
        return token, "SELECT pg_terminate_backend(pg_backend_pid()), NULL"

    monkeypatch.setattr(watcher, "fence_sql", dying)
    response = post(client, "lost at the commit")
    assert response.status_code == 503, response.json
    assert response.json["errors"] == {"database": ["unavailable"]}
    monkeypatch.setattr(watcher, "fence_sql", fence_sql)
    assert db.session.scalar(sa.select(sa.func.count()).where(Comment.body == "lost at the commit")) == 0
    assert post(client, "lost at the commit").status_code == 201  # the retry is stored, once
    assert db.session.scalar(sa.select(sa.func.count()).where(Comment.body == "lost at the commit")) == 1


# -- two processes on one PostgreSQL database -------------------------------------------

@pytest.mark.skipif(not ON_POSTGRES, reason="LISTEN/NOTIFY between processes needs PostgreSQL")
def test_an_approval_through_one_app_is_seen_through_the_other_at_once(database_url, site, app, holding):
    """Two app objects, each with its own engine, pool and listener thread, as two
    gunicorn workers (or two hosts) have."""
    other = make_app(database_url)
    reader = other.test_client()
    writer = app.test_client()
    mod = bearer(add_moderator("mod@council.example"))
    first = post(writer, "first").json["comment"]["id"]
    waiting = held(writer, "please hold this")
    listening(other)
    with other.app_context():
        other_engine = db.engine
    assert ids(reader.get(THREAD_URL).json["comments"]) == [first]
    with counting(other_engine) as statements:
        assert ids(reader.get(THREAD_URL).json["comments"]) == [first]
    assert statements == []  # the other app serves it from its cache
    response = writer.post(f"/api/v1/moderation/comments/{waiting}/decision",
                           json={"action": "approve", "version": version_of(waiting)}, headers=mod)
    assert response.status_code == 200
    assert ids(reader.get(THREAD_URL).json["comments"]) == [first, waiting]
    cache_of(other).watcher.close()
    other_engine.dispose()


@contextlib.contextmanager
def far_host(database_url, **overrides):
    """A second app whose every connection (its listener's too) hears PostgreSQL late:
    another host on a slow network. Yields the app and the proxy (set ``proxy.lag``)."""
    from tests.servers import LaggingProxy

    url = sa.engine.make_url(database_url)
    with LaggingProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        other = make_app(proxy.url(database_url), **overrides)
        with other.app_context():
            engine = db.engine
        try:
            yield other, proxy, engine
        finally:
            cache_of(other).watcher.close()
            engine.dispose()


@pytest.mark.skipif(not ON_POSTGRES, reason="LISTEN/NOTIFY between processes needs PostgreSQL")
def test_a_write_answers_only_once_a_lagging_host_has_dropped_the_old_page(database_url, site, app):
    """Host B hears PostgreSQL 0.3 s late. Notifications reach B after A's own listener has
    heard them, so A must not answer on its own listener's word: it waits until B has
    acknowledged its fence (B acknowledges after dropping what the write changed). B's first
    read after A's answer, with no query, is the new page."""
    with far_host(database_url) as (other, proxy, other_engine):
        reader, writer = other.test_client(), app.test_client()
        listening(app)
        listening(other)
        first = post(writer, "first").json["comment"]["id"]
        assert ids(reader.get(THREAD_URL).json["comments"]) == [first]
        proxy.lag = 0.3
        with counting(other_engine) as statements:
            assert ids(reader.get(THREAD_URL).json["comments"]) == [first]
        assert statements == []  # B serves its kept page
        second = post(writer, "second").json["comment"]["id"]
        assert ids(reader.get(THREAD_URL).json["comments"]) == [first, second]


@pytest.mark.skipif(not ON_POSTGRES, reason="LISTEN/NOTIFY between processes needs PostgreSQL")
def test_a_worker_that_never_read_waits_for_the_others_from_its_first_write(database_url, site, app, holding):
    """A fresh worker A whose first request is a moderator's approval: it starts listening at
    that write, so the approval, like any write, answers only once lagging host B has dropped
    the old page (B's next read, after A's answer, is the new page)."""
    from tests.conftest import make_app as fresh

    with far_host(database_url) as (other, proxy, other_engine):
        reader = other.test_client()
        listening(other)
        mod = bearer(add_moderator("mod@council.example"))
        first = post(app.test_client(), "first").json["comment"]["id"]
        waiting = held(app.test_client(), "please hold this")
        assert ids(reader.get(THREAD_URL).json["comments"]) == [first]
        version = version_of(waiting)
        writer_app = fresh(database_url)  # a worker that has served nothing yet
        proxy.lag = 0.3
        response = writer_app.test_client().post(f"/api/v1/moderation/comments/{waiting}/decision",
                                                 json={"action": "approve", "version": version}, headers=mod)
        assert response.status_code == 200
        assert ids(reader.get(THREAD_URL).json["comments"]) == [first, waiting]
    cache_of(writer_app).watcher.close()


@pytest.mark.skipif(not ON_POSTGRES, reason="LISTEN/NOTIFY between processes needs PostgreSQL")
def test_a_host_lagging_beyond_the_bound_checks_instead_of_serving_the_old_page(database_url, app_config, site):
    """Past the writer's bound (2 heartbeats and a quarter second) A answers without B's
    acknowledgement; by then B has gone 2 heartbeats without its channel proving itself, so it
    distrusts its cache and reads the thread's signature: the new page, never the old."""
    from tests.conftest import make_app as fresh

    writer_app = fresh(database_url, THREAD_CACHE_HEARTBEAT=0.2)
    with far_host(database_url, THREAD_CACHE_HEARTBEAT=0.2) as (other, proxy, other_engine):
        reader, writer = other.test_client(), writer_app.test_client()
        listening(writer_app)
        listening(other)
        first = post(writer, "first").json["comment"]["id"]
        assert ids(reader.get(THREAD_URL).json["comments"]) == [first]
        proxy.lag = 1.0  # longer than the writer waits (0.65 s)
        second = post(writer, "second").json["comment"]["id"]
        assert not cache_of(other).trusted()
        assert ids(reader.get(THREAD_URL).json["comments"]) == [first, second]
    cache_of(writer_app).watcher.close()


@pytest.mark.skipif(not ON_POSTGRES, reason="LISTEN/NOTIFY between processes needs PostgreSQL")
def test_two_gunicorn_workers_see_each_others_writes(database_url, site, app, tmp_path):
    """Real processes: gunicorn with two workers. A write answers once every listener has
    acknowledged it, so every read that starts after the answer, on either worker, shows it."""
    import json
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DISCUSS_DATABASE_URL": database_url, "DISCUSS_SECRET_KEY": "x" * 48,
           "DISCUSS_IP_HASH_KEY": "y" * 48, "DISCUSS_RATELIMIT_ENABLED": "false",
           "DISCUSS_LOAD_ENTRY_POINTS": "false", "DISCUSS_DISABLED_PLUGINS": json.dumps(_builtin_plugins())}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + THREAD_URL, timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        seen = []
        for n in range(20):
            request = urllib.request.Request(base + THREAD_URL + "/comments", method="POST",
                                             data=json.dumps({"author_name": "R", "body": f"reply {n}"}).encode(),
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as answer:
                seen.append(json.loads(answer.read())["comment"]["id"])
            for _ in range(6):  # keep-alive off: each read may land on either worker
                with urllib.request.urlopen(base + THREAD_URL, timeout=10) as answer:
                    assert ids(json.loads(answer.read())["comments"]) == seen
    finally:
        proc.terminate()
        proc.wait(10)


def _builtin_plugins() -> list[str]:
    from discuss.plugins import get_plugin_manager

    return [name for name, _ in get_plugin_manager(load_entry_points=True).list_name_plugin()]


def test_the_purge_relay_purges_the_changed_threads_keys(client, site, app):
    """A real HTTP server stands in for Varnish; the relay sends it PURGE with the keys."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from discuss.invalidation import watcher_for
    from discuss.purge import PurgeRelay, run

    received = []

    class Varnish(BaseHTTPRequestHandler):
        def do_PURGE(self):
            received.append(self.headers["xkey-purge"])
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Varnish)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    first = post(client, "first").json["comment"]["id"]
    thread_id = db.session.execute(sa.select(Thread.id)).scalar_one()
    relay = PurgeRelay(f"http://127.0.0.1:{server.server_port}/")
    stop = threading.Event()
    runner = threading.Thread(target=run, args=(watcher_for(app.config["SQLALCHEMY_DATABASE_URI"]), relay),
                              kwargs={"interval": 0.02, "stop": stop}, daemon=True)
    runner.start()
    try:
        import time

        deadline = time.monotonic() + 10
        while not relay.sent and time.monotonic() < deadline:  # the start-up resync purges everything
            time.sleep(0.02)
        store(first, status=DELETED)
        while len(relay.sent) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        runner.join(5)
        server.shutdown()
    assert received[0] == "discuss"
    assert received[1] == f"discuss-t{thread_id}"


def test_a_replayed_answer_is_the_answer_flask_gave(client, site, app):
    post(client, "first")
    listening(app)
    council = {"Origin": "https://council.example"}
    through_flask = client.get(THREAD_URL, headers=council)
    replayed = client.get(THREAD_URL, headers=council)
    assert replayed.get_data() == through_flask.get_data()
    # Every header but the request id, which is each request's own (discuss/logs.py).
    assert replayed.headers["X-Request-Id"] != through_flask.headers["X-Request-Id"]
    assert (sorted((k, v) for k, v in replayed.headers.items() if k != "X-Request-Id")
            == sorted((k, v) for k, v in through_flask.headers.items() if k != "X-Request-Id"))
    assert replayed.headers["Access-Control-Allow-Origin"] == "https://council.example"
    # Another origin's answer is its own (no CORS grant for it), not the council's replayed.
    stranger = client.get(THREAD_URL, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in stranger.headers
    assert "Access-Control-Allow-Origin" not in client.get(THREAD_URL, headers={"Origin": "https://evil.example"}).headers
    # A conditional read of the replayed answer.
    assert client.get(THREAD_URL, headers={**council, "If-None-Match": replayed.headers["ETag"]}).status_code == 304


def test_a_replayed_answer_is_dropped_by_a_write_and_not_replayed_while_untrusted(client, site, app):
    first = post(client, "first").json["comment"]["id"]
    listening(app)
    client.get(THREAD_URL)
    client.get(THREAD_URL)  # replayed from now on
    store(first, status=REJECTED)
    settle(app)
    assert client.get(THREAD_URL).json["comments"] == []
    client.get(THREAD_URL)
    watcher = cache_of(app).watcher
    if ON_POSTGRES:
        watcher.heartbeat = 30.0
    watcher.drop()
    store(first, status=PUBLISHED)
    assert ids(client.get(THREAD_URL).json["comments"]) == [first]
    watcher.heartbeat = 1.0


def test_a_write_drops_every_language_and_cursor_of_the_thread(client, site, app):
    tops = [post(client, f"top {n}").json["comment"]["id"] for n in range(3)]
    listening(app)
    welsh = {"Accept-Language": "cy"}
    english = client.get(THREAD_URL + "?limit=2")
    cymraeg = client.get(THREAD_URL + "?limit=2", headers=welsh)
    assert english.headers["Content-Language"] == "en" and cymraeg.headers["Content-Language"] == "cy"
    assert english.json["thread"]["privacy_notice"] != cymraeg.json["thread"]["privacy_notice"]
    assert "Accept-Language" in cymraeg.headers["Vary"]
    cursor = english.json["next_cursor"]
    for headers in ({}, welsh):  # kept, and replayed, per language
        assert client.get(THREAD_URL + "?limit=2", headers=headers).headers["Content-Language"] == \
            headers.get("Accept-Language", "en")
        client.get(THREAD_URL + f"?limit=2&cursor={cursor}", headers=headers)
    store(tops[0], status=DELETED)
    store(tops[2], status=PENDING)
    settle(app)
    for headers in ({}, welsh):
        assert ids(client.get(THREAD_URL + "?limit=2", headers=headers).json["comments"]) == [tops[1]]
        assert client.get(THREAD_URL + f"?limit=2&cursor={cursor}", headers=headers).json["comments"] == []


def test_answers_with_cookies_or_to_credentials_are_never_replayed(site, app):
    """A signed-in moderator reading a thread may get their session cookie refreshed:
    that answer must never be replayed to anyone else; nor is an answer to a request
    that carried a cookie or credentials kept."""
    from werkzeug.test import Client

    from discuss.api.replay import MARK, ReplayReads

    listening(app)
    calls = []

    def thread_view(environ, start_response):  # a WSGI app answering as the thread view does
        calls.append(environ.get("QUERY_STRING"))
        environ[MARK] = frozenset(["t:1", "s:1"])
        headers = [("Content-Type", "application/json"), ("ETag", '"abc"')]
        if "cookie" in environ.get("QUERY_STRING", ""):
            headers.append(("Set-Cookie", "session=secret; HttpOnly"))
        start_response("200 OK", headers)
        return [b"{}"]

    replaying = Client(ReplayReads(thread_view, cache_of(app)))
    for _ in range(2):
        replaying.get(THREAD_URL + "?plain")
    assert calls.count("plain") == 1  # kept, then replayed
    for _ in range(2):
        assert "session=secret" in replaying.get(THREAD_URL + "?cookie").headers["Set-Cookie"]
    assert calls.count("cookie") == 2  # never kept
    for _ in range(2):
        replaying.get(THREAD_URL + "?signed-in", headers={"Cookie": "session=mine"})
        replaying.get(THREAD_URL + "?bearer", headers={"Authorization": "Bearer x"})
    assert calls.count("signed-in") == 2 and calls.count("bearer") == 2


def test_emptying_the_change_table_does_not_blind_the_watcher(client, site, app):
    """SQLite's cache_change numbers never go back (AUTOINCREMENT), even when its rows
    are deleted (as the test suite's cleanup does), so later changes are still heard."""
    first = post(client, "first").json["comment"]["id"]
    listening(app)
    client.get(THREAD_URL)
    with db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM cache_change"))
    cache_of(app).trusted()
    store(first, status=DELETED)
    settle(app)
    assert client.get(THREAD_URL).json["comments"] == []
