"""Bans: a banned email or hashed IP rejects.

Asks ``history.active_ban`` for the bans the review queue places when a
moderator bans an author: this site's or every site's, by email (compared
case-blind) or by hashed IP, until it expires (or for ever).

Emails are not verified, so anyone can post under someone else's, and a
moderator who bans that email would lock its owner out. A banned email arriving
from an address it had posted from before the ban is rejected; from a new
address it is held for a moderator instead (setting ``email_from_new_address``),
who can tell the banned author from the owner of a borrowed address.
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
    email_from_new_address = ma.fields.String(
        load_default="hold", validate=ma.validate.OneOf(["hold", "reject"]),
        metadata={"description": "a banned email from an address it had not posted from before the ban"})


@hookimpl
def discuss_screen_comment(submission: Submission, settings: Mapping, history: History) -> Verdict | None:
    """Reject comments from banned authors or addresses."""
    ban = history.active_ban(email=submission.author_email, ip_hash=submission.ip_hash)
    if ban is None:
        return None
    if not ban.known_address and settings["email_from_new_address"] == "hold":
        return Verdict.hold("banned email from a new address", ban_id=ban.id, by=ban.by,
                            expires_at=ban.expires_at.isoformat() if ban.expires_at else None)
    return Verdict.reject("banned", public_reason=settings["public_reason"], ban_id=ban.id, by=ban.by,
                          expires_at=ban.expires_at.isoformat() if ban.expires_at else None)
