"""Bans: a banned email or hashed IP rejects.

Asks ``history.active_ban`` for the bans the review queue places when a
moderator bans an author: this site's or every site's, by email (compared
case-blind) or by hashed IP, until it expires (or for ever).
"""

from __future__ import annotations

from typing import Mapping

import marshmallow as ma

from discuss import N_, History, Submission, Verdict, hookimpl

name = "bans"
enabled_by_default = True

PUBLIC_REASON = N_("You cannot comment on this site.")


class settings_schema(ma.Schema):
    """Per-site settings of the bans plugin."""

    public_reason = ma.fields.String(load_default=PUBLIC_REASON,
                                     metadata={"description": "what a banned author is told"})


@hookimpl
def discuss_screen_comment(submission: Submission, settings: Mapping, history: History) -> Verdict | None:
    """Reject comments from banned authors or addresses."""
    ban = history.active_ban(email=submission.author_email, ip_hash=submission.ip_hash)
    if ban is None:
        return None
    return Verdict.reject("banned", public_reason=settings["public_reason"], ban_id=ban.id, by=ban.by,
                          expires_at=ban.expires_at.isoformat() if ban.expires_at else None)
