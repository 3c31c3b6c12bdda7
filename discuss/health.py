"""``/healthz`` (liveness) and ``/readyz`` (readiness).

``/healthz`` answers 200 whenever this process can answer at all: it touches
nothing external, so a database or Redis outage never gets a working process
restarted. ``/readyz`` checks every dependency the configuration names, each
with a short timeout, and answers 200 ``{"ready": true, "checks": {...}}`` or
503 naming each check that failed:

- ``database``: the database answers (one query, which also reads its revision);
- ``migrations``: the database's Alembic revision is the code's head;
- ``redis:<SETTING>``: a ``PING`` to every setting that points at Redis
  (``RATELIMIT_STORAGE_URI``, ``QUEUE_URL`` when they are ``redis://...``): for
  ``QUEUE_URL`` that is the job queue's broker (an embedded SQLite queue is a
  file beside the database, not checked).

A server database is asked on a connection of the check's own, kept open (autocommit:
one round trip a check), never one of the requests' pool: a pool busy with posts must
neither slow the answer nor make a loaded instance look broken to its load balancer.
Redis clients are kept too (one per URL), so a check does not open a connection.

Details name the kind of failure only (never a URL, which may hold a password).
"""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa
from flask import Blueprint, current_app

from .extensions import db
from .transactions import end_read

bp = Blueprint("health", __name__)

#: Seconds a Redis check may take to connect, and to answer.
REDIS_TIMEOUT = 0.5
MIGRATIONS = Path(__file__).parent / "migrations"


@bp.get("/healthz")
def healthz():
    """Liveness: 200 while the process answers; depends on nothing external."""
    return {"status": "ok"}, 200


@bp.get("/readyz")
def readyz():
    """Readiness: 200 when every configured dependency answers, else 503 naming each that does not."""
    checks: dict[str, dict[str, Any]] = {}
    revision = _timed(checks, "database", _database)
    _timed(checks, "migrations", lambda: _migrations(revision))
    for setting, url in redis_settings(current_app.config).items():
        _timed(checks, f"redis:{setting}", lambda url=url: _redis(url))
    ready = all(check["ok"] for check in checks.values())
    body: dict[str, Any] = {"ready": ready, "checks": checks}
    if not ready:
        body["failing"] = sorted(name for name, check in checks.items() if not check["ok"])
        return body, 503, {"Retry-After": "5", "Cache-Control": "no-store"}
    return body, 200, {"Cache-Control": "no-store"}


def redis_settings(config) -> dict[str, str]:
    """Every discuss setting (one of :data:`discuss.config.DEFAULTS`) whose value is a Redis
    URL, by name. Other keys Flask loaded from ``DISCUSS_*`` variables (a test suite's
    ``DISCUSS_TEST_REDIS_URL``) are not the service's dependencies."""
    from .config import DEFAULTS

    return {key: value for key, value in config.items()
            if key in DEFAULTS and isinstance(value, str) and value.startswith(("redis://", "rediss://"))}


def _timed(checks: dict[str, dict[str, Any]], name: str, check: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        current_app.logger.warning("readiness check %s failed: %s", name, exc)
        checks[name] = {"ok": False, "detail": _detail(exc), "ms": _ms(started)}
        return None
    checks[name] = {"ok": True, "ms": _ms(started)}
    if isinstance(result, str):
        checks[name]["detail"] = result
    return result


def _database() -> str | None:
    """The database's Alembic revision (None: no version table); raises when it does not answer."""
    if db.engine.dialect.name != "sqlite":
        return _server_revision(_probe_engine(db.engine.url.render_as_string(hide_password=False)))
    try:
        db.session.execute(sa.text("SELECT 1"))
        try:
            with db.session.begin_nested():
                return db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        except sa.exc.DBAPIError:
            return None
    finally:
        end_read()


@lru_cache(maxsize=4)
def _probe_engine(url: str) -> sa.Engine:
    """A one-connection engine for readiness checks (per process: forked workers each make
    their own, as the cache is filled after the fork, on a worker's first check)."""
    return sa.create_engine(url, pool_size=1, max_overflow=0, pool_timeout=2, pool_pre_ping=False,
                            isolation_level="AUTOCOMMIT", pool_reset_on_return=None,
                            connect_args={"connect_timeout": 3})


def _server_revision(engine: sa.Engine) -> str | None:
    # The kept connection is not pinged before use (a round trip each check): when the
    # server has restarted since, the first question finds it dead, and is asked once more
    # on a new connection (SQLAlchemy has dropped the dead one), so a restart that is over
    # is never reported as an outage.
    try:
        return _ask_revision(engine)
    except sa.exc.DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        return _ask_revision(engine)


def _ask_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        except sa.exc.ProgrammingError:  # no version table: the database answered
            return None


def _migrations(revision: str | None) -> str:
    head = code_head()
    if revision != head:
        raise NotAtHead(f"database at {revision or 'no revision'}, code at {head}: run `flask db upgrade`")
    return head


class NotAtHead(Exception):
    pass


@lru_cache(maxsize=1)
def code_head() -> str:
    """The migrations' head revision (one head: the lead keeps the chain linear)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head() or ""


def _redis(url: str) -> None:
    _redis_client(url).ping()


@lru_cache(maxsize=8)
def _redis_client(url: str):
    """A kept client (its own small connection pool, thread-safe; it reconnects by itself)."""
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)


def _detail(exc: Exception) -> str:
    if isinstance(exc, NotAtHead):
        return str(exc)
    if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None:
        return f"unreachable ({type(exc.orig).__name__})"
    return f"unreachable ({type(exc).__name__})"


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
