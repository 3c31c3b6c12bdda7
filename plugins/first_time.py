"""First-time commenters (opt-in per site): an email never approved before holds.

Turn it on for a site with ``{"first_time": {"enabled": true}}``. Once a
moderator approves one comment, the author's later comments go through the
other plugins as usual. Comments without an email hold too unless
``hold_without_email`` is false, since nothing ties them to a past approval.
"""

from __future__ import annotations

from typing import Mapping

import marshmallow as ma

from discuss import History, Submission, Verdict, hookimpl

name = "first_time"
enabled_by_default = False

REASON = "first comment"


class settings_schema(ma.Schema):
    """Per-site settings of the first-time commenters plugin."""

    scope = ma.fields.String(load_default="site", validate=ma.validate.OneOf(["site", "all"]),
                             metadata={"description": "count approvals on this site, or on every site"})
    hold_without_email = ma.fields.Boolean(load_default=True)


@hookimpl
def discuss_screen_comment(submission: Submission, settings: Mapping, history: History) -> Verdict | None:
    """Hold comments by authors with no published comment yet."""
    if not submission.author_email:
        return Verdict.hold(REASON, without_email=True) if settings["hold_without_email"] else None
    if history.has_published(submission.author_email, any_site=settings["scope"] == "all"):
        return None
    return Verdict.hold(REASON)
