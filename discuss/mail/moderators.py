"""Moderators' notices of held comments: at once, or in a digest.

Each moderator chooses (:class:`~discuss.models.ModeratorMail`, on
``/moderation/mail``): ``immediate`` (a mail for every held comment), ``digest``
(the default: urgent holds, threats, at once; the rest in a periodic digest) or
``none``. A site's moderators are those assigned to it and the admins (who
work on every site). A held comment's notices are made due in the transaction
that stores it; :func:`send_digests` runs periodically and skips a moderator
with nothing new since their last digest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import PENDING, Comment, Moderator, ModeratorMail, Site, Thread, moderator_site, utcnow
from ..transactions import end_read, writing
from . import compose, enabled, outbox

IMMEDIATE, DIGEST, NONE = "immediate", "digest", "none"
CHOICES = (IMMEDIATE, DIGEST, NONE)
#: The first digest looks back this far.
FIRST_DIGEST = timedelta(days=1)
#: Items listed in one digest (the count says how many more are waiting).
DIGEST_ITEMS = 50


def preference(moderator_id: int) -> str:
    row = db.session.get(ModeratorMail, moderator_id)
    return row.held if row is not None else DIGEST


def set_preference(moderator_id: int, held: str) -> None:
    """Record a moderator's choice (one of :data:`CHOICES`).

    :raises ValueError: for anything else.
    """
    if held not in CHOICES:
        raise ValueError(f"choose one of {', '.join(CHOICES)}")
    with writing():
        row = db.session.get(ModeratorMail, moderator_id)
        if row is None:
            db.session.add(ModeratorMail(moderator_id=moderator_id, held=held))
        else:
            row.held = held


def _moderators_of(site_id: int) -> list[tuple[Moderator, str]]:
    """The active moderators of a site (assigned, and admins) with their choice."""
    assigned = sa.select(moderator_site.c.moderator_id).where(moderator_site.c.site_id == site_id)
    rows = db.session.execute(
        sa.select(Moderator, ModeratorMail.held)
        .outerjoin(ModeratorMail, ModeratorMail.moderator_id == Moderator.id)
        .where(Moderator.active.is_(True), Moderator.password_hash != "",
               sa.or_(Moderator.role == "admin", Moderator.id.in_(assigned)))
        .order_by(Moderator.id)
    ).all()
    return [(moderator, held or DIGEST) for moderator, held in rows]


def comment_held(comment: Comment, site: Site, thread_title: str, reasons: list[str]) -> None:
    """Inside the transaction that stored a held comment: mail those who want it at once."""
    if not enabled():
        return
    for moderator, held in _moderators_of(site.id):
        if held == IMMEDIATE or (held == DIGEST and comment.urgent):
            message = compose.held_notice(
                site_name=site.name, site_slug=site.slug, comment_id=comment.id, author=comment.author_name,
                title=thread_title, body=comment.body, reasons=reasons, urgent=comment.urgent)
            outbox.add(key=f"held:{comment.id}:{moderator.id}", kind="held", to=moderator.email,
                       message=message, site_id=site.id)


def send_digests(now: datetime | None = None) -> int:
    """One digest per moderator and site with held comments new since their last digest; how many."""
    if not enabled():
        return 0
    from ..auth import visible_sites

    now = now or utcnow()
    made = 0
    ids = list(db.session.execute(
        sa.select(Moderator.id).outerjoin(ModeratorMail, ModeratorMail.moderator_id == Moderator.id)
        .where(Moderator.active.is_(True), Moderator.password_hash != "",
               sa.func.coalesce(ModeratorMail.held, DIGEST) == DIGEST).order_by(Moderator.id)).scalars())
    end_read()
    for moderator_id in ids:
        with writing():
            moderator = db.session.get(Moderator, moderator_id)
            row = db.session.get(ModeratorMail, moderator_id)
            if row is None:
                row = ModeratorMail(moderator_id=moderator_id, held=DIGEST)
                db.session.add(row)
            since = row.last_digest_at or now - FIRST_DIGEST
            for site in visible_sites(moderator):
                made += _digest(site, moderator, since, now)
            row.last_digest_at = now
    return made


def _digest(site: Site, moderator: Moderator, since: datetime, now: datetime) -> int:
    waiting = (sa.select(Comment).join(Thread, Thread.id == Comment.thread_id)
               .where(Thread.site_id == site.id, Comment.status == PENDING))
    new = list(db.session.execute(
        waiting.where(Comment.created_at > since, Comment.created_at <= now)
        .order_by(Comment.urgent.desc(), Comment.created_at).limit(DIGEST_ITEMS)).scalars())
    if not new:
        return 0
    total = db.session.execute(sa.select(sa.func.count()).select_from(waiting.subquery())).scalar_one()
    items = [{"id": c.id, "author": c.author_name, "title": c.thread.title or c.thread.key, "body": c.body,
              "urgent": c.urgent} for c in new]
    message = compose.digest(site_name=site.name, site_slug=site.slug, items=items, waiting=total)
    outbox.add(key=f"digest:{moderator.id}:{site.id}:{now:%Y%m%dT%H%M%S}", kind="digest", to=moderator.email,
               message=message, site_id=site.id)
    return 1
