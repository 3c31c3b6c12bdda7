"""The outbox: every message is a row before it is mail.

:func:`add` writes the row inside the caller's write transaction (the reply,
the decision, the digest that makes it due) and asks the job queue to deliver
it once that transaction commits; ``key`` makes the same message due at most
once. :func:`deliver` is the job's body: it claims the row (so two runs never
send one message at once), hands it to SMTP and records the outcome. A failed
attempt is logged, kept on the row (``attempts``, ``last_error``) and raised
for the queue to retry with backoff; after :data:`ATTEMPTS` the row is
``failed`` and waits in the admin console, where it can be sent again.
:func:`requeue_stale` (periodic) delivers rows whose job was lost (the broker
was down when the transaction committed): an outage delays mail, loses none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import OutboundMail, utcnow
from ..transactions import end_read, writing
from . import smtp
from .compose import Message

log = logging.getLogger(__name__)

PENDING, SENT, FAILED = "pending", "sent", "failed"
#: Attempts before a message is given up (kept as ``failed``): the first and the job's retries.
ATTEMPTS = 9
#: A pending row untouched this long had its job lost: :func:`requeue_stale` delivers it.
STALE_AFTER = timedelta(hours=3)

#: Set by discuss.mail.tasks: enqueues delivery of a row once the current transaction commits.
_deliver_after_commit: Callable[[int], None] | None = None


def add(*, key: str, kind: str, to: str, message: Message, site_id: int | None = None) -> int | None:
    """Make a message due, inside the caller's write transaction; the row's id, or ``None``
    when a message with this ``key`` was made due already (nothing is added twice)."""
    key = key[:200]
    # Looked up rather than caught: a savepoint here would end the job queue's view of this
    # transaction as a write (discuss/jobs.py listens for commits, and a savepoint's release is one).
    # A key is made due by one writer at a time (a comment is published by one decision, a
    # digest by one run), so the unique constraint only meets a repeat (a comment published
    # again after a rejection, a job run twice), which this finds first.
    if db.session.execute(sa.select(OutboundMail.id).where(OutboundMail.key == key)).first() is not None:
        return None
    row = OutboundMail(key=key, kind=kind, site_id=site_id, to_address=to, subject=message.subject[:300],
                       body=message.body, headers=dict(message.headers), status=PENDING, attempts=0,
                       last_error="", created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    if _deliver_after_commit is not None:
        _deliver_after_commit(row.id)
    return row.id


def email_message(row: OutboundMail, config: Any) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    # One id per row: a retry after a lost answer is the same message to the receiver.
    domain = config["MAIL_FROM"].rsplit("@", 1)[-1].strip(" >") or "discuss.invalid"
    message["Message-ID"] = f"<discuss.outbox.{row.id}.{row.created_at:%Y%m%d%H%M%S}@{domain}>"
    for name, value in (row.headers or {}).items():
        message[name] = value
    message.set_content(row.body)
    return message


def deliver(mail_id: int) -> str:
    """Send one due message; ``sent``, ``failed`` (given up), or ``skipped`` (sent already,
    given up, being sent by another run, or gone).

    :raises smtp.NotSent: when this attempt failed and another will follow (the queue retries).
    """
    config = current_app.config
    now = utcnow()
    lease = timedelta(seconds=4 * float(config["MAIL_TIMEOUT"]) + 60)
    with writing():
        claimed = db.session.execute(
            sa.update(OutboundMail)
            .where(OutboundMail.id == mail_id, OutboundMail.status == PENDING,
                   sa.or_(OutboundMail.claimed_until.is_(None), OutboundMail.claimed_until < now))
            .values(claimed_until=now + lease, attempts=OutboundMail.attempts + 1, last_attempt_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    if not claimed:
        end_read()
        return "skipped"
    row = db.session.get(OutboundMail, mail_id)
    message = email_message(row, config)
    attempt, kind = row.attempts, row.kind
    end_read()
    try:
        smtp.send(message, config)
    except smtp.NotSent as exc:
        given_up = attempt >= ATTEMPTS
        with writing():
            db.session.execute(
                sa.update(OutboundMail).where(OutboundMail.id == mail_id)
                .values(claimed_until=None, last_error=str(exc)[:500], status=FAILED if given_up else PENDING)
                .execution_options(synchronize_session=False))
        if given_up:
            log.error("mail %s (%s) not sent after %d attempts, given up: %s", mail_id, kind, attempt, exc)
            return "failed"
        log.warning("mail %s (%s) not sent, attempt %d of %d: %s", mail_id, kind, attempt, ATTEMPTS, exc)
        raise
    with writing():
        db.session.execute(
            sa.update(OutboundMail).where(OutboundMail.id == mail_id)
            .values(status=SENT, sent_at=utcnow(), claimed_until=None, last_error="")
            .execution_options(synchronize_session=False))
    log.info("mail %s (%s) sent", mail_id, kind)
    return "sent"


def requeue_stale(now: datetime | None = None) -> list[int]:
    """Pending rows nobody has tried for :data:`STALE_AFTER` (a worker died mid-job and its
    message went with it): deliver them again."""
    now = now or utcnow()
    cutoff = now - STALE_AFTER
    ids = list(db.session.execute(
        sa.select(OutboundMail.id).where(
            OutboundMail.status == PENDING,
            sa.or_(OutboundMail.claimed_until.is_(None), OutboundMail.claimed_until < now),
            sa.func.coalesce(OutboundMail.last_attempt_at, OutboundMail.created_at) < cutoff,
        ).order_by(OutboundMail.id).limit(1000)
    ).scalars())
    end_read()
    for mail_id in ids:
        _enqueue(mail_id)
    return ids


def send_again(mail_id: int, site_ids: Iterable[int] | None = None) -> bool:
    """An admin's "send again" for a message given up: pending, attempts from zero. False when
    there is no such failed message (or not on ``site_ids``, when given)."""
    with writing():
        query = sa.update(OutboundMail).where(OutboundMail.id == mail_id, OutboundMail.status == FAILED)
        if site_ids is not None:
            query = query.where(OutboundMail.site_id.in_(list(site_ids)))
        changed = db.session.execute(
            query.values(status=PENDING, attempts=0, claimed_until=None)
            .execution_options(synchronize_session=False)).rowcount
    if changed:
        _enqueue(mail_id)
    return bool(changed)


def _enqueue(mail_id: int) -> None:
    """Outside a write: the queue's outbox row is committed at once (on SQLite, a write of
    ours still open would make that wait for our lock)."""
    if _deliver_after_commit is not None:
        _deliver_after_commit(mail_id)


@dataclass(frozen=True)
class Undelivered:
    retrying: int   # pending after at least one failed attempt
    waiting: int    # pending, not tried yet
    failed: int     # given up
    rows: list[OutboundMail]


def undelivered(site_ids: Iterable[int] | None = None, limit: int = 100) -> Undelivered:
    """What has not been delivered (newest first), for the admin console; ``site_ids``: only those sites'."""
    scope = [OutboundMail.status != SENT]
    if site_ids is not None:
        scope.append(OutboundMail.site_id.in_(list(site_ids)))
    counts = dict(db.session.execute(
        sa.select(sa.case((OutboundMail.status == FAILED, "failed"),
                          (OutboundMail.attempts > 0, "retrying"), else_="waiting").label("state"),
                  sa.func.count()).where(*scope).group_by("state")
    ).all())
    rows = list(db.session.execute(
        sa.select(OutboundMail).where(*scope).order_by(OutboundMail.id.desc()).limit(limit)).scalars())
    return Undelivered(counts.get("retrying", 0), counts.get("waiting", 0), counts.get("failed", 0), rows)
