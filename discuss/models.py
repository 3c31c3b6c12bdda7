"""The database tables.

Persistence only: policy (who may see or change what) lives in the services
(``moderation``, ``threads``, ``review``), never here.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .extensions import db

# Comment statuses.  Only PUBLISHED is ever shown publicly.
PENDING = "pending"
PUBLISHED = "published"
REJECTED = "rejected"
DELETED = "deleted"
STATUSES = (PENDING, PUBLISHED, REJECTED, DELETED)


def lower_email(value: str | None) -> str | None:
    """Emails are kept lower-case so that lookups can use the column's index."""
    return value.strip().lower() if value else value


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Site(db.Model):
    """A council website that embeds discussions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # Origins (scheme://host[:port]) allowed to post and to read cross-origin.
    allowed_origins: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # Per-plugin settings: {"<plugin>": {"enabled": bool, ...plugin fields}}.
    moderation: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # Shown under the reply form; empty: the service's default (discuss.privacy.notice_text).
    privacy_notice: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Reader reports from different people that hide a comment; empty: the service's REPORTS_TO_HIDE.
    reports_to_hide: Mapped[int | None] = mapped_column()
    # The language residents are answered in when their page or browser names none we ship
    # (discuss.i18n.LANGUAGES): "en" or "cy".
    language: Mapped[str] = mapped_column(sa.String(16), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    threads: Mapped[list["Thread"]] = relationship(back_populates="site")


class Thread(db.Model):
    """The discussion under one page of a site; ``key`` is the normalised page path."""

    __table_args__ = (sa.UniqueConstraint("site_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(500))
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    url: Mapped[str] = mapped_column(sa.String(1000), default="")
    closed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site] = relationship(back_populates="threads")


class Comment(db.Model):
    """One comment.  ``body`` is the author's Markdown, ``body_html`` its sanitised
    rendering, made once when the comment is written or edited."""

    __table_args__ = (
        sa.Index("ix_comment_thread_status_root", "thread_id", "status", "root_id"),
        # Covers the thread's signature (discuss.threads._HEAD): read without the rows.
        sa.Index("ix_comment_thread_signature", "thread_id", "status", "version", "updated_at"),
        sa.Index("ix_comment_status_created", "status", "created_at"),
        # The queue reads urgent items first, each group in date order.
        sa.Index("ix_comment_status_urgent_created", "status", "urgent", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("thread.id"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id"), index=True)
    # Id of the top-level comment this one hangs under (its own id when top-level);
    # lets the read path page by top-level comment in one query.
    root_id: Mapped[int | None] = mapped_column(index=True)
    author_name: Mapped[str] = mapped_column(sa.String(200))
    author_email: Mapped[str | None] = mapped_column(sa.String(320), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default=PENDING)
    # Keyed hash (HMAC) of the client's IP address: never the address itself.
    ip_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Bumped on every moderation decision; a decision names the version it saw.
    version: Mapped[int] = mapped_column(default=1)
    # Set while hidden because readers reported it; cleared by a moderator's decision.
    hidden_by_reports: Mapped[bool] = mapped_column(default=False)
    # A verdict that held or rejected it said ``urgent`` (a threat): the queue shows it first.
    urgent: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    thread: Mapped[Thread] = relationship()
    parent: Mapped["Comment | None"] = relationship(remote_side=[id])
    verdicts: Mapped[list["VerdictRecord"]] = relationship(
        back_populates="comment", order_by="VerdictRecord.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @validates("author_email")
    def _lower_email(self, _key: str, value: str | None) -> str | None:
        return lower_email(value)


class VerdictRecord(db.Model):
    """What one plugin said about one comment, kept for the review queue and the audit."""

    __tablename__ = "verdict"
    # The queue's category filter: verdicts with a category, per comment.
    __table_args__ = (sa.Index("ix_verdict_category_comment", "category", "comment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comment.id"), index=True)
    plugin: Mapped[str] = mapped_column(sa.String(100))
    decision: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    elapsed_ms: Mapped[float] = mapped_column(default=0.0)
    # ``details["category"]`` of a verdict that held or rejected (threat, slur, ...), for filtering.
    category: Mapped[str | None] = mapped_column(sa.String(40))

    comment: Mapped[Comment] = relationship(back_populates="verdicts")


moderator_site = sa.Table(
    "moderator_site",
    db.metadata,
    sa.Column("moderator_id", sa.ForeignKey("moderator.id"), primary_key=True),
    sa.Column("site_id", sa.ForeignKey("site.id"), primary_key=True),
)


class Moderator(db.Model):
    """A person who works the review queue.  Admins work on every site."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(16), default="moderator")
    password_hash: Mapped[str] = mapped_column(sa.String(300), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of every session's identity: bumping it (logout, password change, disable)
    # signs out every copy of every session cookie at once.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    sites: Mapped[list[Site]] = relationship(secondary=moderator_site)
    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="moderator")


class ApiToken(db.Model):
    """A moderator's bearer token, stored as a SHA-256 hash."""

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int] = mapped_column(sa.ForeignKey("moderator.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()

    moderator: Mapped[Moderator] = relationship(back_populates="tokens")


class ModeratorAction(db.Model):
    """The audit log: every decision, every automatic hide, every change made in the admin area.

    ``moderator_id`` is empty for automatic actions (a hide after reports).
    ``site_id`` names the site of a change that concerns no comment (a site's
    settings, a thread closed); a comment's site is found through its thread."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"), index=True)
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("moderator.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(32))
    # What an admin-area change was made to, when not a comment: "moderator:<email>", "ban:<id>".
    subject: Mapped[str | None] = mapped_column(sa.String(400))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    before: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    moderator: Mapped[Moderator | None] = relationship()
    comment: Mapped[Comment | None] = relationship()


class Report(db.Model):
    """A reader's report that a published comment breaks the rules."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comment.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(32))
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    ip_hash: Mapped[str | None] = mapped_column(sa.String(64))
    #: Keyed hash of the id the reader's browser keeps (optional): one browser
    #: reporting from several addresses is one reader.
    reader_hash: Mapped[str | None] = mapped_column(sa.String(64))
    resolved: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Ban(db.Model):
    """A banned author, by email or hashed IP; ``site_id`` empty means every site."""

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(320), index=True)
    ip_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    expires_at: Mapped[datetime | None] = mapped_column()
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("moderator.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @validates("email")
    def _lower_email(self, _key: str, value: str | None) -> str | None:
        return lower_email(value)


class FormNonce(db.Model):
    """A spent one-time form token nonce (the no-JavaScript reply form); replays find it here.

    Rows older than the token's lifetime are useless (the signature has expired)
    and are deleted as new ones arrive.
    """

    __tablename__ = "form_nonce"

    nonce: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ModeratorInvite(db.Model):
    """A one-time link that lets an invited moderator set their password.

    Only the SHA-256 hash of the link's token is kept; the link works once
    (``used_at``) and until ``expires_at``. A moderator has at most one invite:
    inviting again replaces its token and expiry.
    """

    __tablename__ = "moderator_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int] = mapped_column(sa.ForeignKey("moderator.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("moderator.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()

    moderator: Mapped[Moderator] = relationship(foreign_keys=[moderator_id])


class ImportSource(db.Model):
    """Where an imported thread or comment came from, so an import run twice creates nothing twice.

    ``source`` names the export (``wordpress:<blog url>``, ``disqus:<forum>``, ``json``),
    ``source_id`` the item's id in it; ``run`` is the import that wrote the row, which
    tells a duplicate in one file from an item an earlier run brought in.
    """

    __tablename__ = "import_source"
    __table_args__ = (sa.UniqueConstraint("site_id", "source", "kind", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    source: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[str] = mapped_column(sa.String(8))  # "thread" or "comment"
    source_id: Mapped[str] = mapped_column(sa.String(500))
    thread_id: Mapped[int | None] = mapped_column(sa.ForeignKey("thread.id"), index=True)
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id"), index=True)
    # How deep the comment hangs (1: top level); replies nest at most 30 deep.
    depth: Mapped[int] = mapped_column(default=0)
    run: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CacheChange(db.Model):
    """The last change to each invalidation tag (SQLite only: see discuss/invalidation.py).

    Written by triggers on ``comment``, ``thread`` and ``site`` (migration
    ``0011_cache_change``), never by the application: each change replaces its
    tag's row with a new ``seq``, so a process reads only the tags past the last
    ``seq`` it saw. ``seq`` is AUTOINCREMENT: it never goes back, even when the
    rows are deleted. One row per tag: the table grows with threads, not with
    writes. Empty on PostgreSQL, whose triggers ``NOTIFY`` instead.
    """

    __tablename__ = "cache_change"
    __table_args__ = (sa.UniqueConstraint("tag", name="uq_cache_change_tag"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(sa.String(40))


class IdempotencyKey(db.Model):
    """The first outcome of a reply sent with an idempotency key (discuss/idempotency.py).

    A repeat of the key on the same site answers ``status`` and ``response``
    again and stores nothing. Written in the comment's own transaction, so a
    stored reply always has its key and a key always its reply. Only digests of
    the key and of the request are kept; rows expire after ``IDEMPOTENCY_HOURS``.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (sa.UniqueConstraint("site_id", "key_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int] = mapped_column()
    response: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class MailRecipient(db.Model):
    """An address that asked to be told of replies (personal data: discuss/privacy.py).

    Mail goes to it only once ``confirmed_at`` is set, through the signed link of
    the one confirmation mail (discuss/mail/tokens.py). Unsubscribing clears
    ``confirmed_at``, drops its subscriptions and keeps the row (the address asked
    for no more mail) until the retention period ends.
    """

    __tablename__ = "mail_recipient"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    # The language its mail is written in: the page's when it opted in.
    language: Mapped[str] = mapped_column(sa.String(16), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirm_sent_at: Mapped[datetime | None] = mapped_column()
    confirmed_at: Mapped[datetime | None] = mapped_column()
    unsubscribed_at: Mapped[datetime | None] = mapped_column()

    @validates("email")
    def _lower_email(self, _key: str, value: str | None) -> str | None:
        return lower_email(value)


class ReplySubscription(db.Model):
    """A comment whose author asked to be mailed when someone replies to it."""

    __tablename__ = "reply_subscription"

    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("mail_recipient.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModeratorMail(db.Model):
    """How a moderator hears of held comments: ``immediate`` (each one), ``digest``
    (urgent ones at once, the rest in a periodic digest; the default) or ``none``."""

    __tablename__ = "moderator_mail"

    moderator_id: Mapped[int] = mapped_column(sa.ForeignKey("moderator.id", ondelete="CASCADE"), primary_key=True)
    held: Mapped[str] = mapped_column(sa.String(16), default="digest")
    # The newest held comment the last digest covered (the next one starts after it).
    last_digest_at: Mapped[datetime | None] = mapped_column()


class OutboundMail(db.Model):
    """One message to send: the outbox (discuss/mail/outbox.py).

    Written in the transaction that makes it due, delivered by a job with
    retries; ``status`` is ``pending`` until the SMTP server accepts it
    (``sent``) or the attempts run out (``failed``: listed for admins, who can
    send it again). ``key`` makes a message due at most once (``reply:<comment>``).
    """

    __tablename__ = "outbound_mail"
    __table_args__ = (sa.Index("ix_outbound_mail_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(sa.String(320), index=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    headers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column()
    # A delivery in progress holds the row until then (two jobs never send one message at once).
    claimed_until: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()


class JobOutbox(db.Model):
    """A job enqueued after a commit, kept until it first runs (discuss/jobs.py).

    Written in the transaction whose commit the job follows; deleted by the job
    when it starts (its claim). A row that outlives the grace period (the queue
    was unreachable) is enqueued again by the worker's sweep.
    """

    __tablename__ = "job_outbox"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    task: Mapped[str] = mapped_column(sa.String(200))
    message: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class DeadJob(db.Model):
    """A job that failed after its last retry (a dead letter), kept for admins to see and replay."""

    __tablename__ = "dead_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(sa.String(200), index=True)
    args: Mapped[list[Any]] = mapped_column(sa.JSON)
    kwargs: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    error: Mapped[str] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column()
    request_id: Mapped[str | None] = mapped_column(sa.String(128))
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
