"""First-time commenters (opt-in per site): an email never approved before holds.

Turn it on for a site with ``{"first_time": {"enabled": true}}``. Once a
moderator approves one comment, the author's later comments go through the
other plugins as usual. Comments without an email hold too unless
``hold_without_email`` is false, since nothing ties them to a past approval.
"""

from __future__ import annotations

from typing import Mapping

import marshmallow as ma
import sqlalchemy as sa

from discuss import Submission, Verdict, hookimpl

name = "first_time"
enabled_by_default = False

REASON = "first comment"


class settings_schema(ma.Schema):
    """Per-site settings of the first-time commenters plugin."""

    scope = ma.fields.String(load_default="site", validate=ma.validate.OneOf(["site", "all"]),
                             metadata={"description": "count approvals on this site, or on every site"})
    hold_without_email = ma.fields.Boolean(load_default=True)


def approved_before(email: str, site_id: int | None) -> bool:
    """True when a comment by ``email`` (case-blind) has been published, here or anywhere."""
    from discuss.extensions import db
    from discuss.models import PUBLISHED, Comment, Thread

    query = sa.select(Comment.id).where(
        Comment.author_email == email.strip().lower(), Comment.status == PUBLISHED)  # stored lower-case
    if site_id is not None:
        query = query.join(Thread, Thread.id == Comment.thread_id).where(Thread.site_id == site_id)
    return db.session.connection().execute(query.limit(1)).first() is not None


@hookimpl
def discuss_screen_comment(submission: Submission, site, settings: Mapping) -> Verdict | None:
    """Hold comments by authors with no published comment yet."""
    if not submission.author_email:
        return Verdict.hold(REASON, without_email=True) if settings["hold_without_email"] else None
    site_id = getattr(site, "id", None) if settings["scope"] == "site" else None
    if approved_before(submission.author_email, site_id):
        return None
    return Verdict.hold(REASON)
