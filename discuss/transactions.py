"""Transactions: one way to write, one way to finish reading.

Every service that writes does it inside :func:`writing`: it ends whatever the
session was reading (so nothing read earlier is trusted without being read
again), begins the write transaction with SQLite's ``BEGIN IMMEDIATE`` (the
``sqlite_immediate`` execution option, see :func:`discuss._configure_sqlite`)
so a writer waits for the lock up front instead of failing half-way, commits
when the block ends and rolls back when it raises, or when the request's client
has already closed its connection (:func:`discuss.deadline.check_client`). Views that only read call
:func:`end_read` to hand the connection back before they shape the response.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.orm import Session

from .deadline import check_client
from .extensions import db


@contextmanager
def writing(*, keep_loaded: bool = False) -> Iterator[Session]:
    """One write transaction: ``BEGIN IMMEDIATE`` on SQLite, commit on success, roll back on error.

    Anything read before the block is released first; read again inside it what
    the write depends on. ``keep_loaded``: objects keep the values they had at
    commit instead of being read again on next use (for a writer that answers with
    what it wrote and needs nothing others may change meanwhile).
    """
    session = db.session
    session.rollback()
    try:
        session.connection(execution_options={"sqlite_immediate": True})
        yield session
        check_client()  # a client that has gone gets nothing stored (discuss/deadline.py)
        if keep_loaded:
            real = session()
            real.expire_on_commit = False
            try:
                session.commit()
            finally:
                real.expire_on_commit = True
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise


def end_read() -> None:
    """Finish the current read transaction and give the connection back to the pool.

    Called before slow work that needs no database (plugins screening a reply,
    rendering a page), so a request does not hold a connection through it.
    A request that never used the session (a cached read) creates none.
    """
    if db.session.registry.has():
        db.session.rollback()
