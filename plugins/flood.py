"""Flood: too many comments from one hashed IP, or one email from one address, in a window reject.

The rate limiter stops request storms; this stops a person (or a script
rotating through threads) posting more comments than any resident does, and
tells them when they may post again. Every stored comment counts, whatever its
status, so rejected attempts count too.

Emails are not verified: anyone can type someone else's. So the email limit
counts that email's comments *from the commenter's address*: a stranger posting
under a resident's email from elsewhere cannot use up the resident's quota (the
stranger's own address still counts against its limit).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Mapping

import marshmallow as ma

from discuss import History, Submission, Verdict, hookimpl, lazy_ngettext

name = "flood"
enabled_by_default = True


class settings_schema(ma.Schema):
    """Per-site settings of the flood plugin."""

    # Loose per address: libraries, offices and mobile networks put many people
    # behind one IP. An email is one person.
    max_per_ip = ma.fields.Integer(load_default=30, validate=ma.validate.Range(min=1),
                                   metadata={"description": "comments per hashed IP per window"})
    max_per_email = ma.fields.Integer(load_default=10, validate=ma.validate.Range(min=1),
                                      metadata={"description": "comments per email (from one address) per window"})
    window_minutes = ma.fields.Integer(load_default=10, validate=ma.validate.Range(min=1, max=7 * 24 * 60))


@hookimpl
def discuss_screen_comment(submission: Submission, settings: Mapping, history: History) -> Verdict | None:
    """Reject when the author has already posted the maximum within the window."""
    window = timedelta(minutes=settings["window_minutes"])
    activity = history.recent_activity(ip_hash=submission.ip_hash, email=submission.author_email,
                                       within=window)
    by_email = activity.by_email_and_ip if submission.ip_hash else activity.by_email
    checks = (("ip", activity.by_ip, settings["max_per_ip"]), ("email", by_email, settings["max_per_email"]))
    for kind, seen, limit in checks:
        if seen.count >= limit and seen.oldest is not None:
            retry_after = max(1, math.ceil((seen.oldest + window - utcnow()).total_seconds()))
            minutes = math.ceil(retry_after / 60)
            return Verdict.reject(
                f"more than {limit} comments in {settings['window_minutes']} minutes by {kind}",
                # Evaluated when the resident is answered, in their language.
                public_reason=lazy_ngettext(
                    "You have posted a lot in a short time. Please try again in %(num)d minute.",
                    "You have posted a lot in a short time. Please try again in %(num)d minutes.", minutes),
                retry_after=retry_after, by=kind, count=seen.count,
            )
    return None


def utcnow() -> datetime:
    """Now, in UTC without a zone, as the history's times are."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
