"""Degrade, never 500: Redis down, the database down, and what /healthz and /readyz say.

Faults are real: a private redis-server or PostgreSQL (tests/servers.py) is
stopped in the middle of the test; the machine's own servers are never touched.
"""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from discuss.extensions import db, limiter
from discuss.health import code_head
from discuss.models import Site
from tests.conftest import make_app
from tests.helpers import THREAD_URL, post
from tests.servers import PrivatePostgres, PrivateRedis

EMBED_PAGE = "/embed/council/blog/post"


def test_healthz_is_liveness_and_readyz_checks_the_database_and_migrations(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["ready"] is True
    assert set(ready.json["checks"]) == {"database", "migrations"}  # memory:// rate limits: no Redis
    assert ready.json["checks"]["migrations"]["detail"] == code_head()


def test_readyz_is_503_when_the_database_is_behind_the_code(client):
    current = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    db.session.commit()
    try:
        response = client.get("/readyz")
    finally:
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": current})
        db.session.commit()
    assert response.status_code == 503
    assert response.json["failing"] == ["migrations"]
    assert "database at 0001" in response.json["checks"]["migrations"]["detail"]
    assert response.json["checks"]["database"]["ok"] is True


# -- Redis ----------------------------------------------------------------------

@pytest.fixture
def redis_server(tmp_path):
    server = PrivateRedis(tmp_path).start()
    yield server
    server.stop()
    limiter._storage_dead = False  # the limiter outlives this test's app


class TestRedisDown:
    @pytest.fixture
    def app_config(self, redis_server):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_POST": "3 per minute",
                "RATELIMIT_STORAGE_URI": redis_server.url}

    def test_posting_keeps_working_with_in_process_limits_and_readyz_names_redis(
            self, client, site, redis_server, caplog):
        import redis

        assert post(client, "while Redis is up").status_code == 201
        assert list(redis.Redis.from_url(redis_server.url).scan_iter("LIMITS:LIMITER/discuss*"))
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json["checks"]["redis:RATELIMIT_STORAGE_URI"]["ok"] is True

        redis_server.stop()
        response = post(client, "while Redis is down")
        assert response.status_code == 201, response.json
        assert "falling back to in-memory storage" in caplog.text
        # Still limited, now in this process: within the minute's three, a 429 comes.
        statuses = [post(client, f"down {n}").status_code for n in range(4)]
        assert 429 in statuses and 500 not in statuses
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json["failing"] == ["redis:RATELIMIT_STORAGE_URI"]
        assert ready.json["checks"]["redis:RATELIMIT_STORAGE_URI"]["detail"].startswith("unreachable")
        assert redis_server.url not in ready.get_data(as_text=True)


    def test_redis_stopping_while_a_reply_is_screened_still_answers_the_stored_comment(
            self, client, site, pm, redis_server):
        """The limit was checked with Redis up; it stops before the after-request rate-limit
        headers read it again. The comment is stored, so the answer must say so."""
        from discuss import hookimpl

        class StopsRedis:
            @hookimpl
            def discuss_screen_comment(self):
                redis_server.stop()
                return None

        pm.register(StopsRedis(), name="stops_redis")
        response = post(client, "Redis goes away mid-request")
        assert response.status_code == 201, response.get_data(as_text=True)
        assert response.json["comment"]["body_html"] == "<p>Redis goes away mid-request</p>"
        assert "X-RateLimit-Limit" in response.headers  # from the in-process counts


# -- the database ---------------------------------------------------------------

def _migrated(url: str):
    """An app on ``url``, migrated to head (nothing to do when an earlier test did it)."""
    app = make_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    return app


def _serve(url: str):
    app = _migrated(url)
    with app.app_context():
        db.session.add(Site(slug="council", name="Test Council", allowed_origins=["https://council.example"],
                            moderation={}))
        db.session.commit()
        db.session.remove()
    return app


def _assert_unavailable(client) -> None:
    for response in (client.get(THREAD_URL), post(client, "while the database is down")):
        assert response.status_code == 503, response.get_data(as_text=True)
        assert set(response.json) == {"code", "status", "message", "errors"}
        assert response.json["errors"] == {"database": ["unavailable"]}
        assert int(response.headers["Retry-After"]) > 0
    page = client.get(EMBED_PAGE, headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert page.mimetype == "text/html"
    assert "Service Unavailable" in page.get_data(as_text=True)
    assert client.get("/healthz").status_code == 200


@pytest.fixture(scope="module")
def postgres():
    server = PrivatePostgres()
    try:
        yield server.init().start()
    finally:
        server.remove()


def test_postgres_down_is_503_with_retry_after_and_recovers(postgres):
    app = _serve(postgres.url)
    client = app.test_client()
    try:
        assert post(client, "before").status_code == 201
        postgres.stop()
        _assert_unavailable(client)
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "database" in ready.json["failing"]
        assert ready.json["checks"]["database"]["detail"].startswith("unreachable")

        postgres.start()
        assert client.get("/readyz").status_code == 200
        assert post(client, "after").status_code == 201
    finally:
        with app.app_context():
            db.engine.dispose()


def test_readyz_answers_while_every_pooled_connection_is_taken(postgres):
    """Readiness asks on a connection of its own: posts holding the whole pool must not make
    a loaded instance look down (nor make its check wait for the pool)."""
    app = _migrated(postgres.url)  # the module's database: a site, if any, is already there
    try:
        with app.app_context():
            pool = db.engine.pool
            held = [db.engine.connect() for _ in range(pool.size() + pool._max_overflow)]
            assert pool.checkedout() == len(held)
            ready = app.test_client().get("/readyz")
            for conn in held:
                conn.close()
        assert ready.status_code == 200, ready.json
        assert ready.json["checks"]["database"]["ok"] is True
        assert ready.json["checks"]["migrations"]["ok"] is True
    finally:
        with app.app_context():
            db.engine.dispose()


def test_readyz_is_ready_at_once_after_a_database_restart_it_did_not_see(postgres):
    """Its kept connection died with the server: the next check must not call that an outage."""
    app = _migrated(postgres.url)
    try:
        client = app.test_client()
        assert client.get("/readyz").status_code == 200  # the check's connection is open now
        postgres.stop()
        postgres.start()
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.json
        assert ready.json["checks"]["database"]["ok"] is True
    finally:
        with app.app_context():
            db.engine.dispose()


def test_sqlite_file_gone_is_503_and_readyz_names_the_migrations(tmp_path):
    path = tmp_path / "discuss.db"
    app = _serve(f"sqlite:///{path}")
    client = app.test_client()
    try:
        assert post(client, "before").status_code == 201
        with app.app_context():
            db.engine.dispose()
        shutil.move(path, tmp_path / "elsewhere.db")  # a new, empty file opens in its place
        _assert_unavailable(client)
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json["failing"] == ["migrations"]
    finally:
        with app.app_context():
            db.engine.dispose()


def test_readyz_checks_only_the_services_own_redis_settings():
    from discuss.health import redis_settings

    config = {"RATELIMIT_STORAGE_URI": "redis://cache:6379/0", "TEST_REDIS_URL": "redis://tests:6379/0",
              "PUBLIC_URL": "https://comments.example"}
    assert redis_settings(config) == {"RATELIMIT_STORAGE_URI": "redis://cache:6379/0"}
