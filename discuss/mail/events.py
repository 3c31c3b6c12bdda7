"""Where the write path and the decisions call mail: inside their write transactions.

Each function only makes messages due in the outbox (rows in the caller's
transaction; delivery is a job after the commit), so nothing here talks to an
SMTP server or can make a request wait for one. Mail off: they return at once.
"""

from __future__ import annotations

from ..models import PENDING, PUBLISHED, Comment, Site
from . import enabled, moderators, subscriptions


def comment_stored(comment: Comment, site: Site, *, watch_replies: bool, language: str,
                   reasons: list[str]) -> None:
    """A reply was just stored (published, held or rejected): subscribe its author if asked,
    notify a subscribed parent's author when it is published, moderators when it is held."""
    if not enabled():
        return
    title = comment.thread.title or comment.thread.key
    if watch_replies and comment.status in (PUBLISHED, PENDING):  # a rejected reply (or a bot's) mails no one
        subscriptions.watch_replies(comment, site, title, language)
    if comment.status == PUBLISHED:
        subscriptions.reply_published(comment, site)
    elif comment.status == PENDING:
        moderators.comment_held(comment, site, title, reasons)


def comment_published(comment: Comment, site: Site) -> None:
    """A moderator's decision just published ``comment`` (approved, edited, restored)."""
    if enabled():
        subscriptions.reply_published(comment, site)
