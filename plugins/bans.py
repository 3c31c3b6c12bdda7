"""Bans: a banned email or hashed IP rejects.

Reads the :class:`~discuss.models.Ban` records the review queue writes when a
moderator bans an author: one site's ban or an all-sites ban (``site_id``
empty), by email (compared case-blind) or by hashed IP, until it expires (or
for ever when ``expires_at`` is empty).
"""

from __future__ import annotations

from typing import Mapping

import marshmallow as ma
import sqlalchemy as sa

from discuss import Submission, Verdict, hookimpl

name = "bans"
enabled_by_default = True

PUBLIC_REASON = "You cannot comment on this site."


class settings_schema(ma.Schema):
    """Per-site settings of the bans plugin."""

    public_reason = ma.fields.String(load_default=PUBLIC_REASON,
                                     metadata={"description": "what a banned author is told"})


def active_ban(email: str | None, ip_hash: str | None, site_id: int | None):
    """The newest ban in force for this email or hashed IP on this site, or None.

    :return: a row with ``id``, ``email`` and ``expires_at``.
    """
    from discuss.extensions import db
    from discuss.models import Ban, utcnow

    who = []
    if email:
        # Stored emails are lower-case (models.lower_email), so the column's index serves.
        who.append(Ban.email == email.strip().lower())
    if ip_hash:
        who.append(Ban.ip_hash == ip_hash)
    if not who:
        return None
    where = [sa.or_(*who), sa.or_(Ban.expires_at.is_(None), Ban.expires_at > utcnow())]
    where.append(Ban.site_id.is_(None) if not site_id else sa.or_(Ban.site_id.is_(None), Ban.site_id == site_id))
    # Core execution on the session's connection: this runs for every comment.
    return db.session.connection().execute(
        sa.select(Ban.id, Ban.email, Ban.expires_at).where(*where).order_by(Ban.id.desc()).limit(1)
    ).first()


@hookimpl
def discuss_screen_comment(submission: Submission, site, settings: Mapping) -> Verdict | None:
    """Reject comments from banned authors or addresses."""
    ban = active_ban(submission.author_email, submission.ip_hash, getattr(site, "id", None))
    if ban is None:
        return None
    by = "email" if ban.email and submission.author_email and \
        ban.email.lower() == submission.author_email.strip().lower() else "ip"
    return Verdict.reject("banned", public_reason=settings["public_reason"], ban_id=ban.id, by=by,
                          expires_at=ban.expires_at.isoformat() if ban.expires_at else None)
