"""Reply notifications: opting in, the confirmation, the notice, unsubscribing.

An address is mailed a reply notice only once it has confirmed through the
signed link of its one confirmation mail; until then it gets nothing else
(and at most one confirmation per ``MAIL_CONFIRM_HOURS``, so a stranger typing
someone's address cannot mail them repeatedly). A notice is made due in the
transaction that publishes the reply (posted and published at once, or approved
later), never for a held or rejected one, and carries a one-click unsubscribe
link (RFC 8058). Unsubscribing stops every reply notice to the address.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..i18n import N_
from ..models import Comment, MailRecipient, OutboundMail, ReplySubscription, Site, Thread, utcnow
from ..transactions import writing
from . import compose, enabled, outbox, tokens
from .tokens import LinkError

CONFIRMED, ALREADY_CONFIRMED = "confirmed", "already confirmed"
UNSUBSCRIBED, ALREADY_UNSUBSCRIBED = "unsubscribed", "already unsubscribed"

UNKNOWN = N_("This link is for notifications that no longer exist (the address's data may have been erased).")
SUPERSEDED = N_("You unsubscribed after this link was sent, so it no longer applies. To hear of replies again, "
                "tick the box when you next comment.")


def _confirm_seconds() -> int:
    return int(current_app.config["MAIL_CONFIRM_HOURS"]) * 3600


def _unsubscribe_seconds() -> int:
    return int(current_app.config["MAIL_UNSUBSCRIBE_DAYS"]) * 86400


def _recipient(email: str, language: str) -> MailRecipient:
    found = db.session.execute(sa.select(MailRecipient).where(MailRecipient.email == email)).scalar_one_or_none()
    if found is not None:
        return found
    recipient = MailRecipient(email=email, language=language, created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(recipient)
    except IntegrityError:  # another reply from the same address, at the same moment
        return db.session.execute(sa.select(MailRecipient).where(MailRecipient.email == email)).scalar_one()
    return recipient


def watch_replies(comment: Comment, site: Site, thread_title: str, language: str) -> None:
    """Inside the reply's write transaction: its author asked to hear of replies to it.

    The first time (or once an earlier confirmation link has expired, or after
    unsubscribing) the address is sent a confirmation mail.
    """
    if not enabled() or not comment.author_email:
        return
    recipient = _recipient(comment.author_email, language)
    db.session.add(ReplySubscription(comment_id=comment.id, recipient_id=recipient.id, created_at=utcnow()))
    if recipient.confirmed_at is not None:
        return
    now = utcnow()
    sent = recipient.confirm_sent_at
    if sent is not None and sent > now - timedelta(seconds=_confirm_seconds()):
        return  # its link still works: one confirmation mail per link lifetime
    recipient.confirm_sent_at = now
    recipient.language = language
    db.session.flush()
    url = compose.link(f"/mail/confirm/{tokens.make(tokens.CONFIRM, recipient.id, recipient.email)}")
    message = compose.confirmation(lang=language, site_name=site.name, title=thread_title or "",
                                   confirm_url=url, hours=int(current_app.config["MAIL_CONFIRM_HOURS"]))
    outbox.add(key=f"confirm:{recipient.id}:{now:%Y%m%dT%H%M%S.%f}", kind="confirm", to=recipient.email,
               message=message, site_id=site.id)


def reply_published(comment: Comment, site: Site) -> None:
    """Inside the transaction that published ``comment``: notify the parent's author, if they
    asked and confirmed (and are not its author). At most once per reply."""
    if not enabled() or comment.parent_id is None:
        return
    found = db.session.execute(
        sa.select(MailRecipient).join(ReplySubscription, ReplySubscription.recipient_id == MailRecipient.id)
        .where(ReplySubscription.comment_id == comment.parent_id)
    ).scalar_one_or_none()
    if found is None or found.confirmed_at is None or found.email == (comment.author_email or "").lower():
        return
    thread = db.session.get(Thread, comment.thread_id)
    title = thread.title or thread.key
    unsubscribe = compose.link(f"/mail/unsubscribe/{tokens.make(tokens.UNSUBSCRIBE, found.id, found.email)}")
    message = compose.reply_notice(
        lang=found.language, site_name=site.name, title=title, replier=comment.author_name,
        reply_body=comment.body, read_url=compose.thread_link(site.slug, thread.key, thread.url, comment.id),
        unsubscribe_url=unsubscribe, unsubscribe_mailto=current_app.config["MAIL_UNSUBSCRIBE_MAILTO"])
    outbox.add(key=f"reply:{comment.id}", kind="reply", to=found.email, message=message, site_id=site.id)


def check_confirm(token: str) -> tuple[MailRecipient, str | None]:
    """What a confirm link would do: the recipient and ``ALREADY_CONFIRMED``, or ``None`` (it would confirm).

    :raises LinkError: forged or tampered (400), expired (410), unknown (404), superseded (409).
    """
    link = tokens.read(tokens.CONFIRM, token, _confirm_seconds())
    recipient = db.session.get(MailRecipient, link.recipient_id)
    if recipient is None or not tokens.matches(link, recipient.email):
        raise LinkError(404, UNKNOWN)
    if recipient.confirmed_at is not None:
        return recipient, ALREADY_CONFIRMED
    if recipient.unsubscribed_at is not None and link.issued_at < recipient.unsubscribed_at.replace(microsecond=0):
        raise LinkError(409, SUPERSEDED)
    return recipient, None


def confirm(token: str) -> tuple[MailRecipient, str]:
    """Confirm the address of a confirm link: ``CONFIRMED``, or ``ALREADY_CONFIRMED`` (a replay: harmless).

    :raises LinkError: as :func:`check_confirm`.
    """
    with writing(keep_loaded=True):
        recipient, already = check_confirm(token)
        if already:
            return recipient, already
        recipient.confirmed_at = utcnow()
        recipient.unsubscribed_at = None
    return recipient, CONFIRMED


def check_unsubscribe(token: str) -> tuple[MailRecipient | None, str | None]:
    """What an unsubscribe link would do: ``ALREADY_UNSUBSCRIBED`` or ``None`` (it would unsubscribe).

    :raises LinkError: forged or tampered (400), expired (410).
    """
    link = tokens.read(tokens.UNSUBSCRIBE, token, _unsubscribe_seconds())
    recipient = db.session.get(MailRecipient, link.recipient_id)
    if recipient is None or not tokens.matches(link, recipient.email):
        return None, ALREADY_UNSUBSCRIBED  # erased since: nothing is sent to it
    if recipient.confirmed_at is None:
        return recipient, ALREADY_UNSUBSCRIBED
    return recipient, None


def unsubscribe(token: str) -> str:
    """Stop every reply notice to the link's address (and drop those not yet sent):
    ``UNSUBSCRIBED``, or ``ALREADY_UNSUBSCRIBED`` (a replay: harmless).

    :raises LinkError: as :func:`check_unsubscribe`.
    """
    with writing():
        recipient, already = check_unsubscribe(token)
        if already or recipient is None:
            return ALREADY_UNSUBSCRIBED
        stop(recipient)
    return UNSUBSCRIBED


def stop(recipient: MailRecipient) -> None:
    """Unsubscribe ``recipient`` inside the caller's transaction."""
    db.session.execute(sa.delete(ReplySubscription).where(ReplySubscription.recipient_id == recipient.id))
    db.session.execute(sa.delete(OutboundMail).where(
        OutboundMail.to_address == recipient.email, OutboundMail.kind == "reply",
        OutboundMail.status != outbox.SENT))
    recipient.confirmed_at = None
    recipient.confirm_sent_at = None
    recipient.unsubscribed_at = utcnow()
