"""Helpers for the built-in plugin tests: post through the API as a given person."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from discuss import hookimpl
from discuss.extensions import db
from discuss.models import Comment, Site
from tests.helpers import THREAD_URL


def post_as(client, body: str, *, ip: str = "198.51.100.1", email: str | None = None, url: str = THREAD_URL,
            **fields):
    """POST a reply from address ``ip`` (and ``email``); the response."""
    payload = {"author_name": "Resident", "body": body, **fields}
    if email:
        payload["author_email"] = email
    return client.post(url + "/comments", json=payload, environ_base={"REMOTE_ADDR": ip})


def age_comments(minutes: int) -> None:
    """Move every stored comment ``minutes`` into the past."""
    # Row by row in Python: date arithmetic in SQL differs between SQLite and PostgreSQL.
    for comment_id, created_at in db.session.execute(sa.select(Comment.id, Comment.created_at)).all():
        db.session.execute(sa.update(Comment).where(Comment.id == comment_id)
                           .values(created_at=created_at - timedelta(minutes=minutes)))
    db.session.commit()


def configure(site: Site, plugin: str, **settings) -> Site:
    """Save ``settings`` for ``plugin`` on ``site``; the saved site.

    Works from the row, not the object: a request may have ended the session the
    object belonged to.
    """
    saved = db.session.get(Site, sa.inspect(site).identity[0])
    saved.moderation = {**(saved.moderation or {}), plugin: settings}
    db.session.commit()
    return saved


class ScreenTogether:
    """A plugin that makes two screenings meet (a barrier), so both requests pass their
    look-ups before either commits; it has no opinion. Register it as ``together``."""

    def __init__(self, parties: int = 2, timeout: float = 1.5) -> None:
        self.barrier = threading.Barrier(parties, timeout=timeout)

    @hookimpl
    def discuss_screen_comment(self):
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return None
