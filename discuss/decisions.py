"""Moderators' decisions on comments: approve, reject, edit, ban, delete, restore.

Every decision names the comment version the moderator saw. Inside one write
transaction (:func:`discuss.transactions.writing`) the comment is read again and
changed through the ORM, whose ``version_id_col`` (see
:class:`~discuss.models.Comment`) turns the change into ``UPDATE ... WHERE id =
:id AND version = :seen``. When two moderators decide the same comment at once
exactly one update matches (SQLite serialises writers; PostgreSQL makes the
second wait for the first's row lock, then re-checks the version and matches
nothing), and the other gets :class:`DecisionRefused` with code 409 and the
comment's current state. Every status change bumps the version, so the version
alone says whether the moderator's view is still true.

The update, the audit entry (:class:`~discuss.models.ModeratorAction`, with the
state before and after), any :class:`~discuss.models.Ban`, and the resolution
of open reader reports commit together; ``discuss_moderation_decided`` (and
``discuss_comment_published`` when the comment became public) fire afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from .auth import is_admin, may_act_on
from .errors import Refusal
from .extensions import db
from .models import (
    DELETED, PENDING, PUBLISHED, REJECTED, Ban, Comment, Moderator, ModeratorAction, Report, Site,
    utcnow,
)
from .host import PluginHost
from .mail import events as mail_events
from .moderation import fire_event
from .privacy import redacted_body
from .render import render_body
from .schemas import BanOut
from .transactions import writing

APPROVE, REJECT, EDIT, BAN, DELETE, RESTORE = "approve", "reject", "edit", "ban", "delete", "restore"
ACTIONS = (APPROVE, REJECT, EDIT, BAN, DELETE, RESTORE)
BULK_ACTIONS = (APPROVE, REJECT)

#: The states each action may start from. Approving a published comment keeps it
#: up and dismisses its reader reports; rejecting it takes it down.
FROM_STATES: dict[str, tuple[str, ...]] = {
    APPROVE: (PENDING, PUBLISHED),
    REJECT: (PENDING, PUBLISHED),
    EDIT: (PENDING, PUBLISHED),
    BAN: (PENDING, PUBLISHED, REJECTED, DELETED),
    DELETE: (PUBLISHED,),
    RESTORE: (REJECTED, DELETED),
}

_TARGET = {APPROVE: PUBLISHED, REJECT: REJECTED, EDIT: PUBLISHED, DELETE: DELETED, RESTORE: PUBLISHED}

MAX_REASON_LENGTH = 500


class DecisionRefused(Refusal):
    """The decision was not made.

    ``code`` is the HTTP status that fits (404 unknown comment, 403 not this
    moderator's site, 409 not in the state the moderator saw, 422 invalid);
    ``field`` names the culprit; ``current`` is the comment's state on a 409.
    """

    def __init__(self, code: int, message: str, *, field: str = "comment",
                 current: CommentState | None = None):
        super().__init__(field, message, code)
        self.current = current


@dataclass(frozen=True)
class BanRequest:
    """Whom to ban along with a ``ban`` decision."""

    email: bool = True
    ip: bool = False
    expires_at: datetime | None = None
    all_sites: bool = False  # admins only


@dataclass(frozen=True)
class Decision:
    comment: Comment
    site: Site
    record: ModeratorAction
    ban: Ban | None


@dataclass(frozen=True)
class LastAction:
    action: str
    moderator: str | None  # email; None for an automatic hide
    reason: str
    at: datetime


@dataclass(frozen=True)
class CommentState:
    """What a moderator needs to know to decide again: status, version, last decision."""

    id: int
    status: str
    version: int
    hidden_by_reports: bool
    updated_at: datetime
    last_action: LastAction | None


def comment_state(comment: Comment) -> CommentState:
    """The comment's state now, with the last decision on it."""
    last = db.session.execute(
        sa.select(ModeratorAction).where(ModeratorAction.comment_id == comment.id)
        .order_by(ModeratorAction.id.desc()).limit(1)
    ).scalar_one_or_none()
    return CommentState(
        id=comment.id, status=comment.status, version=comment.version,
        hidden_by_reports=comment.hidden_by_reports, updated_at=comment.updated_at,
        last_action=None if last is None else LastAction(
            action=last.action, moderator=last.moderator.email if last.moderator else None,
            reason=last.reason, at=last.created_at,
        ),
    )


def decide(
    host: PluginHost,
    comment_id: int,
    moderator: Moderator,
    action: str,
    *,
    expected_version: int,
    reason: str = "",
    body: str | None = None,
    ban: BanRequest | None = None,
) -> Decision:
    """Apply ``action`` to comment ``comment_id`` if it is still at ``expected_version``.

    :param body: the edited Markdown, required for ``edit``.
    :param ban: whom to ban, for ``ban`` (default: the author's email).
    :raises DecisionRefused: see the class; nothing is changed then.

    The comment is checked as read, then read and changed again inside one
    write transaction; see :func:`_apply` for the versioned update.
    """
    reason = (reason or "").strip()
    if action not in ACTIONS:
        raise DecisionRefused(422, f"Unknown action {action!r}; use one of {', '.join(ACTIONS)}.",
                              field="action")
    if len(reason) > MAX_REASON_LENGTH:
        raise DecisionRefused(422, f"The reason may have at most {MAX_REASON_LENGTH} characters.",
                              field="reason")
    if action == REJECT and not reason:
        raise DecisionRefused(422, "Say why the comment is rejected.", field="reason")

    comment = _load(comment_id)
    site = db.session.get(Site, comment.thread.site_id)
    if not may_act_on(moderator, site.id):
        raise DecisionRefused(404, f"No comment {comment_id}.")  # as for an unknown id: nothing to learn
    new_body = _check_body(action, body)
    ban_row = _ban_for(action, ban, comment, site, moderator, reason)
    if comment.version != expected_version or comment.status not in FROM_STATES[action]:
        raise _conflict(comment, action)

    try:
        with writing():
            record = _apply(comment_id, moderator, action, expected_version, reason, new_body, ban_row)
            if record.after["status"] == PUBLISHED and record.before["status"] != PUBLISHED:
                # A reply notice is due with the publication itself (discuss/mail: the outbox).
                mail_events.comment_published(_load(comment_id), db.session.get(Site, site.id))
    except StaleDataError:
        # Another decision committed between our read and our UPDATE (PostgreSQL
        # re-checks the version after waiting for its row lock): nothing changed.
        raise _conflict(_load(comment_id), action) from None

    comment = _load(comment_id)
    site = db.session.get(Site, comment.thread.site_id)
    fire_event(host, "discuss_moderation_decided", site, comment=comment, action=action,
               moderator=moderator, reason=reason, record=record)
    if comment.status == PUBLISHED and record.before["status"] != PUBLISHED:
        fire_event(host, "discuss_comment_published", site, comment=comment)
    return Decision(comment=comment, site=site, record=record, ban=ban_row)


@dataclass(frozen=True)
class BulkOutcome:
    comment_id: int
    decision: Decision | None
    refused: DecisionRefused | None


def decide_many(
    host: PluginHost,
    items: Iterable[tuple[int, int]],
    moderator: Moderator,
    action: str,
    *,
    reason: str = "",
) -> list[BulkOutcome]:
    """Approve or reject several ``(comment_id, expected_version)`` pairs.

    Each comment is decided on its own (one transaction each), so a conflict on
    one does not undo the others; the outcomes come back in the given order.
    """
    if action not in BULK_ACTIONS:
        raise DecisionRefused(422, f"Bulk decisions can only {' or '.join(BULK_ACTIONS)}.", field="action")
    outcomes = []
    for comment_id, version in items:
        try:
            decision = decide(host, comment_id, moderator, action, expected_version=version, reason=reason)
        except DecisionRefused as refused:
            if refused.field in ("action", "reason"):
                raise
            outcomes.append(BulkOutcome(comment_id, None, refused))
        else:
            outcomes.append(BulkOutcome(comment_id, decision, None))
    return outcomes


# -- internals -------------------------------------------------------------------

def _apply(comment_id: int, moderator: Moderator, action: str, expected_version: int, reason: str,
           new_body: str | None, ban_row: Ban | None) -> ModeratorAction:
    """The decision's writes, inside the caller's write transaction.

    The comment is read again under the write lock and changed through the ORM:
    the mapper's ``version_id_col`` makes the flush an ``UPDATE ... WHERE id = :id
    AND version = :seen`` that bumps the version, and raises ``StaleDataError``
    when another decision got there first.
    """
    comment = _load(comment_id)
    if comment.version != expected_version or comment.status not in FROM_STATES[action]:
        raise _conflict(comment, action)
    before: dict[str, Any] = {"status": comment.status, "version": comment.version,
                              "hidden_by_reports": comment.hidden_by_reports}
    comment.status = _TARGET.get(action, REJECTED if comment.status in (PENDING, PUBLISHED) else comment.status)
    comment.hidden_by_reports = False
    comment.updated_at = utcnow()  # even when only the version changes (a ban of a rejected comment)
    if new_body is not None:
        # Edits are how personal data leaves a comment: the log keeps the size, not the text.
        before["body"] = redacted_body(comment.body)
        comment.body = new_body
        comment.body_html = render_body(new_body)
    db.session.flush()
    after: dict[str, Any] = {"status": comment.status, "version": comment.version, "hidden_by_reports": False}
    if new_body is not None:
        after["body"] = new_body
    db.session.execute(
        sa.update(Report).where(Report.comment_id == comment_id, Report.resolved.is_(False))
        .values(resolved=True)
    )
    if ban_row is not None:
        db.session.add(ban_row)
        db.session.flush()
        after["ban"] = BanOut().dump(ban_row)
    record = ModeratorAction(comment_id=comment_id, moderator_id=moderator.id, action=action,
                             reason=reason, before=before, after=after, created_at=utcnow())
    db.session.add(record)
    return record


def _load(comment_id: int) -> Comment:
    comment = db.session.execute(
        sa.select(Comment).where(Comment.id == comment_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if comment is None:
        raise DecisionRefused(404, f"No comment {comment_id}.")
    return comment


def _conflict(comment: Comment, action: str) -> DecisionRefused:
    state = comment_state(comment)
    last = state.last_action
    by = f" ({last.action} by {last.moderator or 'readers'})" if last else ""
    return DecisionRefused(
        409,
        f"Comment {comment.id} is now {comment.status} at version {comment.version}{by}; "
        f"cannot {action} it as seen. Reload and decide again.",
        field="version", current=state,
    )


def _check_body(action: str, body: str | None) -> str | None:
    if action != EDIT:
        return None
    text = (body or "").strip()
    if not text:
        raise DecisionRefused(422, "An edit needs the new text.", field="body")
    limit = current_app.config["MAX_BODY_LENGTH"]
    if len(text) > limit:
        raise DecisionRefused(422, f"The text may have at most {limit} characters.", field="body")
    return text


def _ban_for(action: str, request: BanRequest | None, comment: Comment, site: Site,
             moderator: Moderator, reason: str) -> Ban | None:
    if action != BAN:
        return None
    request = request or BanRequest()
    if request.all_sites and not is_admin(moderator):
        raise DecisionRefused(403, "Only admins can ban on every site.", field="all_sites")
    email = comment.author_email if request.email else None
    ip_hash = comment.ip_hash if request.ip else None
    if request.email and not email:
        raise DecisionRefused(422, "This comment has no email address to ban.", field="email")
    if request.ip and not ip_hash:
        raise DecisionRefused(422, "This comment has no address to ban.", field="ip")
    if not email and not ip_hash:
        raise DecisionRefused(422, "Ban the author's email, address, or both.", field="ban")
    if request.expires_at is not None and request.expires_at <= utcnow():
        raise DecisionRefused(422, "The ban's expiry must be in the future.", field="expires_at")
    return Ban(site_id=None if request.all_sites else site.id, email=email, ip_hash=ip_hash,
               reason=reason, expires_at=request.expires_at, moderator_id=moderator.id,
               created_at=utcnow())
