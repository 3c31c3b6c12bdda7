"""What plugins may ask about the past: a read-only, indexed set of questions.

A screening plugin that needs history declares a ``history`` argument and gets a
:class:`History` for the comment's site. Each question is one indexed query
(emails are stored lower-case; ``ip_hash``, ``author_email`` and ban columns are
indexed), answered with plain values. The questions of the plugins of one
screening that take ``history``, one after another, share one pooled connection,
opened on the first question, so plugins that ask nothing cost nothing. Screening
gives it back (:meth:`History.close`) before it calls a third-party plugin that does
not take ``history``, and when it ends: a call abandoned in such a plugin while it
hangs holds no connection (discuss/moderation.py).

This is the only way plugins read the database: they never import
``discuss.models`` or ``discuss.extensions``, so the schema can change under them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
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
    #: By that email *from* that address. Emails are not verified, so anyone can
    #: type someone else's: a limit on this pair cannot be used up by a stranger.
    by_email_and_ip: Count = Count()


@dataclass(frozen=True)
class BanView:
    """A ban in force: ``by`` is ``"email"`` or ``"ip"``; ``expires_at`` None is for ever."""

    id: int
    by: str
    expires_at: datetime | None
    all_sites: bool
    #: For a ban by email: whether the comment comes from an address that email
    #: had posted from before the ban. Emails are not verified, so a banned email
    #: from a new address may be someone else whose address was typed.
    #: Always True for a ban by address.
    known_address: bool = True


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
        # A pooled driver connection: these statements need none of SQLAlchemy's
        # Connection machinery (returning it to the pool rolls back what it began).
        self._connection: Any = None

    @classmethod
    def empty(cls) -> "History":
        return cls(None, None)

    # -- the questions ---------------------------------------------------------

    def recent_activity(self, *, ip_hash: str | None = None, email: str | None = None,
                        within: timedelta) -> Activity:
        """Comments (any status: refused attempts count too) by ``ip_hash`` and by
        ``email`` posted within the last ``within``, on every site. One query."""
        email = lower_email(email)
        if not ip_hash and not email:
            return Activity()
        row = self._first(_activity_query(bool(ip_hash), bool(email)),
                          {"ip": ip_hash, "email": email, "since": utcnow() - within})
        counts = {}
        values = list(row) if row is not None else []
        both = bool(ip_hash) and bool(email)
        for kind, present in (("ip", bool(ip_hash)), ("email", bool(email)), ("both", both)):
            if not present:
                continue
            count, oldest = (values.pop(0), values.pop(0)) if values else (0, None)
            counts[kind] = Count(int(count or 0), _as_datetime(oldest))
        return Activity(by_ip=counts.get("ip", Count()), by_email=counts.get("email", Count()),
                        by_email_and_ip=counts.get("both", Count()))

    def active_ban(self, *, email: str | None = None, ip_hash: str | None = None) -> BanView | None:
        """The newest ban in force on this site (or on every site) for ``email`` or ``ip_hash``."""
        email = lower_email(email)
        if not email and not ip_hash:
            return None
        row = self._first(_ban_query(bool(ip_hash), bool(email), self._site_id is not None),
                          {"ip": ip_hash, "email": email, "now": utcnow(), "site_id": self._site_id})
        if row is None:
            return None
        ban_id, ban_email, expires_at, site_id, known = row
        by = "email" if email and ban_email == email else "ip"
        return BanView(id=ban_id, by=by, expires_at=_as_datetime(expires_at), all_sites=site_id is None,
                       known_address=by == "ip" or bool(known))

    def has_published(self, email: str, *, any_site: bool = False) -> bool:
        """Whether ``email`` has a published comment on this site (or on any site)."""
        if not email or (not any_site and self._site_id is None):
            return False
        query = _published_query(not any_site)
        return self._first(query, {"email": lower_email(email), "site_id": self._site_id}) is not None

    def recent_bodies(self, *, email: str | None = None, ip_hash: str | None = None, within: timedelta,
                      thread_key: str | None = None, limit: int = 50) -> list[PastComment]:
        """The newest comments by ``email`` or ``ip_hash`` on this site within ``within``
        (only on the thread ``thread_key`` when given), newest first, at most ``limit``."""
        email = lower_email(email)
        if (not email and not ip_hash) or self._site_id is None:
            return []
        rows = self._all(
            _bodies_query(bool(ip_hash), bool(email), thread_key is not None),
            {"ip": ip_hash, "email": email, "site_id": self._site_id, "since": utcnow() - within,
             "key": thread_key, "limit": max(0, min(int(limit), 500))},
        )
        return [PastComment(row[0], row[1], _as_datetime(row[2])) for row in rows]

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

    def _first(self, query: sa.Select, params: dict[str, Any]) -> Any:
        rows = self._all(query, params)
        return rows[0] if rows else None

    def _all(self, query: sa.Select, params: dict[str, Any]) -> list[tuple]:
        connection = self._connect()
        if connection is None:
            return []
        # These statements run for every comment: each is compiled once per dialect
        # and executed on the driver's connection, without SQLAlchemy's per-call
        # compile-cache lookup and result machinery (0.13 ms -> 0.01 ms on SQLite).
        # Outside a transaction of ours, so SQLite needs no BEGIN; the pool's
        # reset-on-return rolls back whatever the driver began (PostgreSQL).
        dialect = self._engine.dialect
        sql, names, sqlite = _compiled(query, dialect)
        values = {**_defaults(query, dialect), **params}
        if sqlite:
            values = {k: _sqlite_datetime(v) if isinstance(v, datetime) else v for k, v in values.items()}
        cursor = connection.cursor()
        try:
            cursor.execute(sql, [values[name] for name in names] if names is not None else values)
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def _connect(self) -> Any:
        if self._connection is None and self._engine is not None:
            self._connection = self._engine.raw_connection()
        return self._connection


@lru_cache(maxsize=None)
def _compiled(query: sa.Select, dialect: Any) -> tuple[str, tuple[str, ...] | None, bool]:
    """(SQL, names of the positional parameters or None for named ones, is SQLite)."""
    compiled = query.compile(dialect=dialect)
    names = tuple(compiled.positiontup) if dialect.positional else None
    return str(compiled), names, dialect.name == "sqlite"


@lru_cache(maxsize=None)
def _defaults(query: sa.Select, dialect: Any) -> dict[str, Any]:
    """Values of the statement's literal parameters (a CASE's 1, SQLite's OFFSET)."""
    return dict(query.compile(dialect=dialect).params)


def _sqlite_datetime(value: datetime) -> str:
    # The format SQLAlchemy's SQLite DateTime stores, so that text comparison is time order
    # ("%Y-%m-%d %H:%M:%S.%f"; isoformat writes the same for a naive time, five times as fast).
    if value.tzinfo is None and value.year >= 1000:
        return value.isoformat(" ", "microseconds")
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _as_datetime(value: Any) -> datetime | None:
    """SQLite hands datetimes back as text; PostgreSQL as datetimes."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


# -- the statements: built once per shape, then only executed (they run for every comment)

def _who(column_ip: Any, column_email: Any, by_ip: bool, by_email: bool) -> list[Any]:
    return ([column_ip == sa.bindparam("ip")] if by_ip else []) + \
           ([column_email == sa.bindparam("email")] if by_email else [])


@lru_cache(maxsize=None)
def _activity_query(by_ip: bool, by_email: bool) -> sa.Select:
    who = _who(Comment.ip_hash, Comment.author_email, by_ip, by_email)
    counted = who + ([sa.and_(*who)] if by_ip and by_email else [])
    columns = []
    for condition in counted:
        columns.append(sa.func.count(sa.case((condition, 1))))
        columns.append(sa.func.min(sa.case((condition, Comment.created_at))))
    return sa.select(*columns).where(sa.or_(*who), Comment.created_at >= sa.bindparam("since"))


@lru_cache(maxsize=None)
def _ban_query(by_ip: bool, by_email: bool, on_site: bool) -> sa.Select:
    scope = sa.or_(Ban.site_id.is_(None), Ban.site_id == sa.bindparam("site_id")) if on_site \
        else Ban.site_id.is_(None)
    if by_ip and by_email:
        # Had this email posted from this address before the ban was placed?
        known = sa.exists().where(Comment.author_email == sa.bindparam("email"),
                                  Comment.ip_hash == sa.bindparam("ip"),
                                  Comment.created_at <= Ban.created_at)
    else:
        known = sa.literal(False)
    return (
        sa.select(Ban.id, Ban.email, Ban.expires_at, Ban.site_id, known)
        .where(sa.or_(*_who(Ban.ip_hash, Ban.email, by_ip, by_email)),
               sa.or_(Ban.expires_at.is_(None), Ban.expires_at > sa.bindparam("now")), scope)
        .order_by(Ban.id.desc()).limit(1)
    )


@lru_cache(maxsize=None)
def _published_query(on_site: bool) -> sa.Select:
    query = sa.select(Comment.id).where(Comment.author_email == sa.bindparam("email"),
                                        Comment.status == PUBLISHED)
    if on_site:
        query = query.join(Thread, Thread.id == Comment.thread_id).where(Thread.site_id == sa.bindparam("site_id"))
    return query.limit(1)


@lru_cache(maxsize=None)
def _bodies_query(by_ip: bool, by_email: bool, on_thread: bool) -> sa.Select:
    where = [Thread.site_id == sa.bindparam("site_id"), Comment.created_at >= sa.bindparam("since"),
             sa.or_(*_who(Comment.ip_hash, Comment.author_email, by_ip, by_email))]
    if on_thread:
        where.append(Thread.key == sa.bindparam("key"))
    return (
        sa.select(Comment.id, Comment.body, Comment.created_at)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(*where).order_by(Comment.id.desc()).limit(sa.bindparam("limit"))
    )
