"""Fixtures: an app on a throwaway database (SQLite, or PostgreSQL when asked).

Set ``DISCUSS_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test``
to run the suite on PostgreSQL. The schema is built once per run with the
migrations, and emptied after every test.

A test runs inside an app context of its own (for its direct database work), but
every request and CLI command it makes runs as in production, in a fresh app
context with its own ``g`` and database session (:class:`IsolatedClient`,
:class:`IsolatedCliRunner`): nothing a request leaves on ``g`` reaches the next.
"""

from __future__ import annotations

import contextvars
import os
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskCliRunner, FlaskClient

from discuss import create_app
from discuss.extensions import db
from discuss.models import Site

TEST_DATABASE_URL = os.environ.get("DISCUSS_TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
IN_CI = os.environ.get("CI", "").lower() == "true"

COUNCIL_ORIGIN = "https://council.example"


@pytest.fixture(scope="session", autouse=True)
def _plugins_warmed_up() -> None:
    """Load what the built-in plugins load once per process (the toxicity model takes 1.5 s
    or more, the profanity word list a tenth of that) before any test screens, as gunicorn's
    post_worker_init does for a worker (deploy/gunicorn.conf.py): otherwise whichever test
    screens first pays it inside a 2 s plugin budget, and on a loaded machine overruns it."""
    from discuss_builtins import profanity, toxicity

    toxicity.get_model().probability("Warming up: is this thing on?")
    profanity.find_words_cached("Warming up: is this thing on?", profanity.wordlist((), ()))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """The database every test uses; migrated once, here."""
    if ON_POSTGRES:
        url = _fresh_postgres_database(TEST_DATABASE_URL)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "discuss-test.db")
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    yield url
    if ON_POSTGRES:
        _drop_postgres_database(url)


def _admin_engine(url: str) -> sa.Engine:
    return sa.create_engine(sa.engine.make_url(url), isolation_level="AUTOCOMMIT")


def _fresh_postgres_database(url: str) -> str:
    """A new, empty database of this run's own next to the given one.

    Named after the process, so that two runs at once never drop each other's.
    """
    base = sa.engine.make_url(url)
    name = f"discuss_test_{os.getpid()}"
    admin = _admin_engine(url)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.exit(f"PostgreSQL at {base.render_as_string(hide_password=True)} is unreachable: {exc}", 2)
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    name = sa.engine.make_url(url).database
    admin = _admin_engine(TEST_DATABASE_URL)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _outside_the_test(call, *args: Any, **kwargs: Any) -> Any:
    """Run ``call`` in an empty context, so Flask pushes a fresh app context for it.

    The test's own session commits first: the request sees what the test stored,
    and the test's next read starts a new transaction that sees what the request did.
    """
    if has_app_context():
        db.session.commit()
    return contextvars.Context().run(call, *args, **kwargs)


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context (as under a WSGI server)."""

    def open(self, *args: Any, **kwargs: Any):
        # Buffered: the body (a streamed CSV, say) is produced inside the request's own context.
        kwargs.setdefault("buffered", True)
        return _outside_the_test(super().open, *args, **kwargs)


class IsolatedCliRunner(FlaskCliRunner):
    """A CLI runner whose every command gets its own app context (as from a shell)."""

    def invoke(self, *args: Any, **kwargs: Any):
        return _outside_the_test(super().invoke, *args, **kwargs)


def make_app(database_url: str, **overrides):
    config = {
        "DATABASE_URL": database_url,
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "RATELIMIT_ENABLED": False,
        "LOAD_ENTRY_POINTS": False,
        "WTF_CSRF_ENABLED": False,
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    app.test_cli_runner_class = IsolatedCliRunner
    return app


@pytest.fixture
def app_config() -> dict:
    """Override to change the app's settings for one test module or test."""
    return {}


@pytest.fixture
def app(database_url, app_config, tmp_path):
    # Each test's job queue is a SQLite file of its own (the embedded storage), unless it asks for another.
    app = make_app(database_url, **{"QUEUE_URL": "sqlite:///" + str(tmp_path / "queue.db"), **app_config})
    with app.app_context():
        yield app
        db.session.remove()
        cache = app.extensions.get("discuss_page_cache")
        if cache is not None:
            cache.watcher.close()  # the PostgreSQL listener's connection
        _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def pm(app):
    """The app's plugin host; register test plugins on it (they are unregistered after)."""
    host = app.extensions["discuss"]
    before = {id(plugin) for _, plugin in host.pm.list_name_plugin()}
    yield host
    for _, plugin in list(host.pm.list_name_plugin()):
        if id(plugin) not in before:
            host.unregister(plugin)


@pytest.fixture
def site(app) -> Site:
    """A council site that allows https://council.example to embed it."""
    site = Site(slug="council", name="Test Council", allowed_origins=[COUNCIL_ORIGIN], moderation={})
    db.session.add(site)
    db.session.commit()
    return site
