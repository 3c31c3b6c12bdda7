"""Residents' data rights (UK GDPR): export, erasure, retention, redacted edits.

What discuss holds about a resident is keyed by the email they gave (optional)
and a keyed hash of their IP address: their comments (name, email, body, IP
hash, dates, status), what each plugin said about them (verdicts), the audit
entries of moderators' decisions on them, and bans on that email. Reports they
made cannot be found: a report stores only a keyed hash of the reporter's IP
address, never an email, so nothing links a report to a person's address.

* :func:`export` gathers all of it as JSON-ready data (``discuss privacy export``).
* :func:`erase` removes the email, name and IP hashes from their comments
  (optionally the bodies too), lifts bans on the email, scrubs the audit entries
  of those comments and records one ``erase`` entry that names no one.
* :func:`purge` applies the retention period (``PRIVACY_RETENTION_DAYS``): IP
  hashes of every comment and report older than it, and the emails and bodies of
  rejected comments older than it. Idempotent; run it daily (docs/operations.md).

Mail (discuss/mail/) adds, per address: a ``mail_recipient`` row (language, when
it was sent a confirmation, confirmed, unsubscribed), its ``reply_subscription``
rows (which comments' replies it asked for) and the ``outbound_mail`` messages to
it. Export lists them; erasure deletes them all (an erased address is mailed
nothing more); retention deletes delivered or given-up messages, and addresses
that never confirmed or have unsubscribed, older than the period.
* :func:`redacted_body` is what the audit log keeps of a moderator's edit in
  place of the text the edit replaced: edits are how personal data is taken out
  of a comment, so the log must not keep it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from .extensions import db
from .i18n import N_
from .models import (
    REJECTED, Ban, Comment, DeadJob, MailRecipient, Moderator, ModeratorAction, OutboundMail, Report,
    ReplySubscription, Site, VerdictRecord, lower_email, utcnow,
)
from .render import render_body

ERASE = "erase"
ERASED_NAME = "Former commenter"
REMOVED_BODY = "[This comment was removed at its author's request.]"
REPORTS_NOTE = ("Reports a person made cannot be listed: a report stores only a keyed hash of the "
                "reporter's IP address, never an email, so no report can be linked to an email address.")
DEFAULT_NOTICE = N_("Your name and comment are published. Your email address is never shown: we keep it, with a "
                  "one-way hash of your internet address, only to prevent abuse, and delete them when no "
                  "longer needed. You can ask the council for a copy of what we hold about you, or for it "
                  "to be erased.")


#: The default notice when the service sends mail: the email also serves the notifications asked for.
DEFAULT_NOTICE_WITH_MAIL = N_("Your name and comment are published. Your email address is never shown: we keep "
                              "it, with a one-way hash of your internet address, only to prevent abuse and, if "
                              "you ask, to email you about replies, and delete them when no longer needed. You "
                              "can ask the council for a copy of what we hold about you, or for it to be erased.")


def notice_text(site_notice: str | None) -> str:
    """The privacy notice shown under a site's reply form: the site's own, or the default
    (which says what the email is used for, so it names reply mail when the service sends it)."""
    text = (site_notice or "").strip()
    default = DEFAULT_NOTICE_WITH_MAIL if current_app.config.get("MAIL_HOST") else DEFAULT_NOTICE
    return text or current_app.config.get("PRIVACY_NOTICE") or default


def redacted_body(text: str | None) -> str:
    """What an edit's audit entry keeps of the replaced text (never the text itself)."""
    return f"[replaced text not kept: {len(text or '')} characters]"


def _iso(value) -> str | None:
    return value.isoformat() + "Z" if value is not None else None


def _comments_of(email: str) -> list[Comment]:
    return list(db.session.execute(
        sa.select(Comment).where(Comment.author_email == email).order_by(Comment.id)
    ).scalars())


# -- export ------------------------------------------------------------------------

def export(email: str) -> dict[str, Any]:
    """Everything held about ``email``, as JSON-ready data."""
    email = lower_email(email) or ""
    comments = _comments_of(email)
    ids = [c.id for c in comments]
    audit: dict[int, list[dict[str, Any]]] = {}
    if ids:
        for action in db.session.execute(
            sa.select(ModeratorAction).where(ModeratorAction.comment_id.in_(ids)).order_by(ModeratorAction.id)
        ).scalars():
            audit.setdefault(action.comment_id, []).append({
                "action": action.action, "reason": action.reason, "before": action.before or {},
                "after": action.after or {}, "created_at": _iso(action.created_at),
            })
    sites = {s.id: s.slug for s in db.session.execute(sa.select(Site)).scalars()}
    bans = db.session.execute(sa.select(Ban).where(Ban.email == email).order_by(Ban.id)).scalars()
    moderator = db.session.execute(sa.select(Moderator).where(Moderator.email == email)).scalar_one_or_none()
    return {
        "email": email,
        "generated_at": _iso(utcnow()),
        "comments": [{
            "id": c.id,
            "site": sites.get(c.thread.site_id),
            "thread": {"key": c.thread.key, "title": c.thread.title, "url": c.thread.url},
            "parent_id": c.parent_id,
            "status": c.status,
            "author_name": c.author_name,
            "body": c.body,
            "ip_hash": c.ip_hash,
            "hidden_by_reports": c.hidden_by_reports,
            "created_at": _iso(c.created_at),
            "updated_at": _iso(c.updated_at),
            "verdicts": [{"plugin": v.plugin, "decision": v.decision, "reason": v.reason,
                          "details": v.details or {}} for v in c.verdicts],
            "moderation": audit.get(c.id, []),
        } for c in comments],
        "bans": [{"id": b.id, "site": sites.get(b.site_id) if b.site_id else None, "reason": b.reason,
                  "expires_at": _iso(b.expires_at), "created_at": _iso(b.created_at)} for b in bans],
        "moderator_account": None if moderator is None else {
            "name": moderator.name, "role": moderator.role, "active": moderator.active,
            "sites": sorted(s.slug for s in moderator.sites), "created_at": _iso(moderator.created_at),
        },
        "reports_made": {"linkable": False, "note": REPORTS_NOTE},
        "mail": _mail_of(email),
    }


def _mail_of(email: str) -> dict[str, Any]:
    """The address's reply notifications: its choice, the comments it follows, the messages to it."""
    recipient = db.session.execute(sa.select(MailRecipient).where(MailRecipient.email == email)).scalar_one_or_none()
    messages = db.session.execute(
        sa.select(OutboundMail).where(OutboundMail.to_address == email).order_by(OutboundMail.id)).scalars()
    return {
        "recipient": None if recipient is None else {
            "language": recipient.language, "created_at": _iso(recipient.created_at),
            "confirmation_sent_at": _iso(recipient.confirm_sent_at), "confirmed_at": _iso(recipient.confirmed_at),
            "unsubscribed_at": _iso(recipient.unsubscribed_at),
            "replies_followed_on_comments": list(db.session.execute(
                sa.select(ReplySubscription.comment_id).where(ReplySubscription.recipient_id == recipient.id)
                .order_by(ReplySubscription.comment_id)).scalars()),
        },
        "messages": [{"kind": m.kind, "subject": m.subject, "status": m.status, "created_at": _iso(m.created_at),
                      "sent_at": _iso(m.sent_at)} for m in messages],
    }


# -- erasure -----------------------------------------------------------------------

@dataclass(frozen=True)
class Erasure:
    comments: int
    bodies_removed: int
    bans_lifted: int
    audit_entries_scrubbed: int
    record_id: int
    mail_rows: int = 0  # the address's mail recipient, reply subscriptions and messages, deleted


def _scrub(value: Any, email: str, hashes: set[str], remove_bodies: bool) -> Any:
    """``value`` (an audit entry's before/after) without the email, its IP hashes and,
    when asked, comment bodies."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "body" and remove_bodies and isinstance(item, str):
                out[key] = redacted_body(item)
            else:
                out[key] = _scrub(item, email, hashes, remove_bodies)
        return out
    if isinstance(value, list):
        return [_scrub(item, email, hashes, remove_bodies) for item in value]
    if isinstance(value, str) and (value.lower() == email or value in hashes):
        return None
    return value


def erase(email: str, *, remove_bodies: bool = False, by: Moderator | None = None) -> Erasure:
    """Remove ``email``'s personal data; one transaction. The comments stay (replies
    hang under them) with name, email and IP hash gone, and, with ``remove_bodies``,
    their text replaced by a notice. Bans on the email are lifted (they cannot be
    kept without keeping the email). The ``erase`` audit entry counts, never names."""
    email = lower_email(email) or ""
    comments = _comments_of(email)
    ids = [c.id for c in comments]
    hashes = {c.ip_hash for c in comments if c.ip_hash}
    bans = list(db.session.execute(sa.select(Ban).where(Ban.email == email)).scalars())
    hashes |= {b.ip_hash for b in bans if b.ip_hash}
    for comment in comments:  # through the ORM: each bumps version (stale decisions conflict)
        comment.author_email = None
        comment.author_name = ERASED_NAME
        comment.ip_hash = None
        if remove_bodies:
            comment.body = REMOVED_BODY
            comment.body_html = render_body(REMOVED_BODY)
            for verdict in comment.verdicts:
                verdict.details = {}  # spans and quoted words come from the body
    scrubbed = 0
    conditions = [ModeratorAction.action == "ban"]
    if ids:
        conditions.append(ModeratorAction.comment_id.in_(ids))
    for action in db.session.execute(sa.select(ModeratorAction).where(sa.or_(*conditions))).scalars():
        before = _scrub(action.before or {}, email, hashes, remove_bodies)
        after = _scrub(action.after or {}, email, hashes, remove_bodies)
        if (before, after) != (action.before or {}, action.after or {}):
            action.before, action.after = before, after
            scrubbed += 1
    for ban in bans:
        db.session.delete(ban)
    mail_rows = _erase_mail(email)
    record = ModeratorAction(
        comment_id=None, moderator_id=by.id if by is not None else None, action=ERASE,
        reason="erasure request",
        before={}, after={"comments": len(ids), "bodies_removed": len(ids) if remove_bodies else 0,
                          "bans_lifted": len(bans), "audit_entries_scrubbed": scrubbed, "mail_rows": mail_rows},
        created_at=utcnow(),
    )
    db.session.add(record)
    db.session.commit()
    return Erasure(comments=len(ids), bodies_removed=len(ids) if remove_bodies else 0, bans_lifted=len(bans),
                   audit_entries_scrubbed=scrubbed, record_id=record.id, mail_rows=mail_rows)


def _erase_mail(email: str) -> int:
    recipients = sa.select(MailRecipient.id).where(MailRecipient.email == email).scalar_subquery()
    removed = db.session.execute(sa.delete(ReplySubscription).where(ReplySubscription.recipient_id == recipients)
                                 .execution_options(synchronize_session=False)).rowcount
    removed += db.session.execute(sa.delete(MailRecipient).where(MailRecipient.email == email)
                                  .execution_options(synchronize_session=False)).rowcount
    removed += db.session.execute(sa.delete(OutboundMail).where(OutboundMail.to_address == email)
                                  .execution_options(synchronize_session=False)).rowcount
    return removed


# -- retention ---------------------------------------------------------------------

@dataclass(frozen=True)
class Purge:
    days: int
    ip_hashes: int
    report_ip_hashes: int
    rejected_comments: int
    dead_letters: int = 0
    mail_rows: int = 0  # messages delivered or given up, and unconfirmed or unsubscribed addresses


def purge(days: int | None = None) -> Purge:
    """Apply the retention period: older than ``days`` (default ``PRIVACY_RETENTION_DAYS``;
    0 keeps everything), clear IP hashes of comments and reports, and the email and
    body of rejected comments, and delete dead letters (failed jobs, which keep their
    arguments: a webhook's body names the author and quotes the comment). Counts only
    what changed, so a second run reports 0.
    Expired idempotency keys (older than ``IDEMPOTENCY_HOURS``) go too, whatever ``days``."""
    from . import idempotency

    idempotency.purge()
    db.session.commit()
    days = int(current_app.config["PRIVACY_RETENTION_DAYS"] if days is None else days)
    if days <= 0:
        return Purge(days=0, ip_hashes=0, report_ip_hashes=0, rejected_comments=0)
    cutoff = utcnow() - timedelta(days=days)
    table = Comment.__table__
    old = table.c.created_at < cutoff
    ip_hashes = db.session.execute(
        sa.update(table).where(old, table.c.ip_hash.is_not(None)).values(ip_hash=None)
    ).rowcount
    reports = Report.__table__
    report_ip_hashes = db.session.execute(
        sa.update(reports).where(reports.c.created_at < cutoff,
                                 sa.or_(reports.c.ip_hash.is_not(None), reports.c.reader_hash.is_not(None)))
        .values(ip_hash=None, reader_hash=None)
    ).rowcount
    emptied = sa.or_(table.c.author_email.is_not(None), table.c.body != "")
    rejected_ids = list(db.session.execute(
        sa.select(table.c.id).where(old, table.c.status == REJECTED, emptied)
    ).scalars())
    if rejected_ids:
        db.session.execute(
            sa.update(table).where(table.c.id.in_(rejected_ids))
            .values(author_email=None, body="", body_html="", version=table.c.version + 1, updated_at=utcnow())
        )
        db.session.execute(sa.update(VerdictRecord.__table__)
                           .where(VerdictRecord.__table__.c.comment_id.in_(rejected_ids)).values(details={}))
    dead = DeadJob.__table__
    dead_letters = db.session.execute(sa.delete(dead).where(dead.c.failed_at < cutoff)).rowcount
    mail_rows = _purge_mail(cutoff)
    db.session.commit()
    return Purge(days=days, ip_hashes=ip_hashes, report_ip_hashes=report_ip_hashes,
                 rejected_comments=len(rejected_ids), dead_letters=dead_letters, mail_rows=mail_rows)


def _purge_mail(cutoff) -> int:
    removed = db.session.execute(sa.delete(OutboundMail).where(
        OutboundMail.created_at < cutoff, OutboundMail.status != "pending")).rowcount
    stale = sa.select(MailRecipient.id).where(
        MailRecipient.confirmed_at.is_(None),
        sa.func.coalesce(MailRecipient.unsubscribed_at, MailRecipient.confirm_sent_at, MailRecipient.created_at)
        < cutoff)
    ids = list(db.session.execute(stale).scalars())
    if ids:
        removed += db.session.execute(sa.delete(ReplySubscription)
                                      .where(ReplySubscription.recipient_id.in_(ids))).rowcount
        removed += db.session.execute(sa.delete(MailRecipient).where(MailRecipient.id.in_(ids))).rowcount
    return removed


