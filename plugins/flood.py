"""Flood: too many comments from one hashed IP or one email in a window reject.

The rate limiter stops request storms; this stops a person (or a script
rotating through threads) posting more comments than any resident does, and
tells them when they may post again. Every stored comment counts, whatever its
status, so rejected attempts count too.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Mapping

import marshmallow as ma
import sqlalchemy as sa

from discuss import Submission, Verdict, hookimpl

name = "flood"
enabled_by_default = True


class settings_schema(ma.Schema):
    """Per-site settings of the flood plugin."""

    # Loose per address: libraries, offices and mobile networks put many people
    # behind one IP. An email is one person.
    max_per_ip = ma.fields.Integer(load_default=30, validate=ma.validate.Range(min=1),
                                   metadata={"description": "comments per hashed IP per window"})
    max_per_email = ma.fields.Integer(load_default=10, validate=ma.validate.Range(min=1),
                                      metadata={"description": "comments per email per window"})
    window_minutes = ma.fields.Integer(load_default=10, validate=ma.validate.Range(min=1, max=7 * 24 * 60))


@hookimpl
def discuss_screen_comment(submission: Submission, settings: Mapping) -> Verdict | None:
    """Reject when the author has already posted the maximum within the window."""
    from discuss.extensions import db
    from discuss.models import Comment, utcnow

    now = utcnow()
    window = timedelta(minutes=settings["window_minutes"])
    checks = []
    if submission.ip_hash:
        checks.append(("ip", Comment.ip_hash == submission.ip_hash, settings["max_per_ip"]))
    if submission.author_email:
        # Stored emails are lower-case (models.lower_email), so the column's index serves.
        checks.append(("email", Comment.author_email == submission.author_email.strip().lower(),
                       settings["max_per_email"]))
    if not checks:
        return None
    # One query for both counts: this runs for every comment.
    columns = []
    for _, condition, _ in checks:
        columns.append(sa.func.count(sa.case((condition, 1))))
        columns.append(sa.func.min(sa.case((condition, Comment.created_at))))
    row = db.session.connection().execute(
        sa.select(*columns).where(sa.or_(*(c for _, c, _ in checks)), Comment.created_at >= now - window)
    ).one()
    for index, (kind, _, limit) in enumerate(checks):
        count, oldest = row[2 * index], row[2 * index + 1]
        if count >= limit:
            if isinstance(oldest, str):  # SQLite returns min() of a CASE as text
                oldest = datetime.fromisoformat(oldest)
            retry_after = max(1, math.ceil((oldest + window - now).total_seconds()))
            minutes = math.ceil(retry_after / 60)
            return Verdict.reject(
                f"more than {limit} comments in {settings['window_minutes']} minutes by {kind}",
                public_reason=(f"You have posted a lot in a short time. Please try again in "
                               f"{minutes} minute{'s' if minutes != 1 else ''}."),
                retry_after=retry_after, by=kind, count=count,
            )
    return None
