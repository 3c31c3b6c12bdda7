"""transactions.writing(): the one write transaction every service uses."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from discuss.extensions import db
from discuss.models import Site
from discuss.transactions import writing
from tests.conftest import ON_POSTGRES


def _slugs():
    return set(db.session.execute(sa.select(Site.slug)).scalars())


def test_a_block_that_ends_commits_and_one_that_raises_leaves_nothing(app):
    with writing():
        db.session.add(Site(slug="kept", name="Kept", allowed_origins=[], moderation={}))
    with pytest.raises(RuntimeError):
        with writing():
            db.session.add(Site(slug="dropped", name="Dropped", allowed_origins=[], moderation={}))
            db.session.flush()
            raise RuntimeError("half-way")
    db.session.rollback()  # read afresh
    assert _slugs() == {"kept"}


@pytest.mark.skipif(ON_POSTGRES, reason="BEGIN IMMEDIATE is SQLite's")
def test_on_sqlite_the_write_lock_is_taken_up_front(app):
    path = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with writing():
            # Nothing written yet, but the lock is ours: another writer cannot begin.
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released at commit
        other.execute("ROLLBACK")
    finally:
        other.close()
