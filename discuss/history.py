"""What plugins may ask about the past: a read-only, indexed set of questions.

A screening plugin that needs history declares a ``history`` argument and gets a
:class:`History` for the comment's site. Each question is one indexed query
(emails are stored lower-case; ``ip_hash``, ``author_email`` and ban columns are
indexed), answered with plain values. All the questions of one screening share
one connection and one snapshot, opened on the first question and released when
the screening ends, so plugins that ask nothing cost nothing.

This is the only way plugins read the database: they never import
``discuss.models`` or ``discuss.extensions``, so the schema can change under them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from .models import PUBLISHED, Ban, Comment, Thread, lower_email, utcnow


@dataclass(frozen=True)
class Count:
    """How many comments matched, and when the oldest of them was posted (UTC, naive)."""

    count: int = 0
    oldest: datetime | None = None


@dataclass(frozen=True)
class Activity:
    """Recent comments by one hashed address and by one email, on every site."""

    by_ip: Count = Count()
    by_email: Count = Count()


@dataclass(frozen=True)
class BanView:
    """A ban in force: ``by`` is ``"email"`` or ``"ip"``; ``expires_at`` None is for ever."""

    id: int
    by: str
    expires_at: datetime | None
    all_sites: bool


@dataclass(frozen=True)
class PastComment:
    id: int
    body: str
    created_at: datetime


class History:
    """Questions about past comments and bans, scoped to one site.

    Build one with :meth:`for_site` (the service does); :meth:`empty` answers
    every question with "nothing" (for screening without a database).
    """

    def __init__(self, engine: sa.Engine | None, site_id: int | None) -> None:
        self._engine = engine
        self._site_id = site_id
        self._connection: sa.Connection | None = None

    @classmethod
    def empty(cls) -> "History":
        return cls(None, None)

    # -- the questions ---------------------------------------------------------

    def recent_activity(self, *, ip_hash: str | None = None, email: str | None = None,
                        within: timedelta) -> Activity:
        """Comments (any status: refused attempts count too) by ``ip_hash`` and by
        ``email`` posted within the last ``within``, on every site. One query."""
        email = lower_email(email)
        checks = [("ip", Comment.ip_hash == ip_hash)] if ip_hash else []
        if email:
            checks.append(("email", Comment.author_email == email))
        if not checks:
            return Activity()
        columns = []
        for _, condition in checks:
            columns.append(sa.func.count(sa.case((condition, 1))))
            columns.append(sa.func.min(sa.case((condition, Comment.created_at))))
        row = self._first(
            sa.select(*columns).where(sa.or_(*(c for _, c in checks)), Comment.created_at >= utcnow() - within)
        )
        counts: dict[str, Count] = {}
        for index, (kind, _) in enumerate(checks):
            count, oldest = (row[2 * index], row[2 * index + 1]) if row is not None else (0, None)
            if isinstance(oldest, str):  # SQLite returns min() of a CASE as text
                oldest = datetime.fromisoformat(oldest)
            counts[kind] = Count(int(count or 0), oldest)
        return Activity(by_ip=counts.get("ip", Count()), by_email=counts.get("email", Count()))

    def active_ban(self, *, email: str | None = None, ip_hash: str | None = None) -> BanView | None:
        """The newest ban in force on this site (or on every site) for ``email`` or ``ip_hash``."""
        email = lower_email(email)
        who = []
        if email:
            who.append(Ban.email == email)
        if ip_hash:
            who.append(Ban.ip_hash == ip_hash)
        if not who:
            return None
        scope = Ban.site_id.is_(None) if self._site_id is None else \
            sa.or_(Ban.site_id.is_(None), Ban.site_id == self._site_id)
        row = self._first(
            sa.select(Ban.id, Ban.email, Ban.expires_at, Ban.site_id)
            .where(sa.or_(*who), sa.or_(Ban.expires_at.is_(None), Ban.expires_at > utcnow()), scope)
            .order_by(Ban.id.desc()).limit(1)
        )
        if row is None:
            return None
        by = "email" if email and row.email == email else "ip"
        return BanView(id=row.id, by=by, expires_at=row.expires_at, all_sites=row.site_id is None)

    def has_published(self, email: str, *, any_site: bool = False) -> bool:
        """Whether ``email`` has a published comment on this site (or on any site)."""
        query = sa.select(Comment.id).where(Comment.author_email == lower_email(email),
                                            Comment.status == PUBLISHED)
        if not any_site:
            if self._site_id is None:
                return False
            query = query.join(Thread, Thread.id == Comment.thread_id).where(Thread.site_id == self._site_id)
        return self._first(query.limit(1)) is not None

    def recent_bodies(self, *, email: str | None = None, ip_hash: str | None = None, within: timedelta,
                      thread_key: str | None = None, limit: int = 50) -> list[PastComment]:
        """The newest comments by ``email`` or ``ip_hash`` on this site within ``within``
        (only on the thread ``thread_key`` when given), newest first, at most ``limit``."""
        email = lower_email(email)
        who = ([Comment.author_email == email] if email else []) + \
              ([Comment.ip_hash == ip_hash] if ip_hash else [])
        if not who or self._site_id is None:
            return []
        where = [Thread.site_id == self._site_id, Comment.created_at >= utcnow() - within, sa.or_(*who)]
        if thread_key is not None:
            where.append(Thread.key == thread_key)
        rows = self._all(
            sa.select(Comment.id, Comment.body, Comment.created_at)
            .join(Thread, Thread.id == Comment.thread_id)
            .where(*where).order_by(Comment.id.desc()).limit(max(0, min(limit, 500)))
        )
        return [PastComment(row.id, row.body, row.created_at) for row in rows]

    # -- the connection --------------------------------------------------------

    def close(self) -> None:
        """Release the connection (ending the read transaction)."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.close()

    def _first(self, query: sa.Select) -> Any:
        connection = self._connect()
        return connection.execute(query).first() if connection is not None else None

    def _all(self, query: sa.Select) -> list[Any]:
        connection = self._connect()
        return list(connection.execute(query).all()) if connection is not None else []

    def _connect(self) -> sa.Connection | None:
        if self._connection is None and self._engine is not None:
            self._connection = self._engine.connect()
        return self._connection
