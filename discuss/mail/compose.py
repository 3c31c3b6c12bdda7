"""The messages' words: subject, plain-text body and headers, in the recipient's language.

Residents' mail is translated through the ``messages`` catalogue (English and
Welsh) in the language the resident used when opting in; moderators' mail is in
English, like the review queue. Links are absolute under ``PUBLIC_URL`` (mail
may be composed by a job, outside any request).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator
from urllib.parse import quote, urlsplit

from flask import current_app, g

from .. import i18n
from ..i18n import gettext as _

#: The longest excerpt of a comment quoted in a mail (characters).
EXCERPT = 1500


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    headers: dict[str, str] = field(default_factory=dict)


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Translate in ``lang`` inside the block, then return to the language before it."""
    before = g.get("discuss_language")
    i18n.use(lang)
    try:
        yield
    finally:
        if before is None:
            g.pop("discuss_language", None)
            i18n.refresh()
        else:
            i18n.use(before)


def link(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def thread_link(site_slug: str, thread_key: str, thread_url: str, comment_id: int | None = None) -> str:
    """Where the discussion can be read: the council's page when it is an http(s) URL, else ours."""
    fragment = f"#comment-{comment_id}" if comment_id else ""
    if urlsplit(thread_url or "").scheme in ("http", "https"):
        return thread_url.split("#", 1)[0] + fragment
    return link(f"/embed/{quote(site_slug)}/{quote(thread_key.lstrip('/'))}") + fragment


def excerpt(text: str) -> str:
    text = (text or "").strip()
    return text if len(text) <= EXCERPT else text[:EXCERPT].rstrip() + " […]"


def quoted(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in excerpt(text).splitlines())


def confirmation(*, lang: str, site_name: str, title: str, confirm_url: str, hours: int) -> Message:
    with language(lang):
        subject = _("Confirm reply notifications from %(site)s", site=site_name)
        body = "\n\n".join([
            _("You asked to be emailed when someone replies to your comment on “%(title)s” (%(site)s).",
              title=title, site=site_name),
            _("To confirm, open this link within %(hours)d hours and press the button:", hours=hours)
            + "\n" + confirm_url,
            _("Until you confirm we will not email you again. If you did not ask for this, ignore this email."),
        ]) + "\n"
    return Message(subject, body, {"Auto-Submitted": "auto-generated"})


def reply_notice(*, lang: str, site_name: str, title: str, replier: str, reply_body: str, read_url: str,
                 unsubscribe_url: str, unsubscribe_mailto: str = "") -> Message:
    with language(lang):
        subject = _("%(name)s replied to your comment on “%(title)s”", name=replier, title=title)
        body = "\n\n".join([
            _("%(name)s replied to your comment on “%(title)s” (%(site)s):", name=replier, title=title,
              site=site_name),
            quoted(reply_body),
            _("Read the discussion:") + "\n" + read_url,
            "-- \n" + _("You get this email because you asked to hear of replies to your comments. "
                        "To stop these emails, open:") + "\n" + unsubscribe_url,
        ]) + "\n"
    targets = f"<{unsubscribe_url}>"
    if unsubscribe_mailto:
        targets += f", <mailto:{unsubscribe_mailto}?subject=unsubscribe>"
    return Message(subject, body, {
        "Auto-Submitted": "auto-generated",
        "List-Unsubscribe": targets,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058
    })


def held_notice(*, site_name: str, site_slug: str, comment_id: int, author: str, title: str, body: str,
                reasons: list[str], urgent: bool) -> Message:
    with language("en"):
        subject = (f"[{site_name}] URGENT: held for review: {author} on “{title}”" if urgent
                   else f"[{site_name}] Held for review: {author} on “{title}”")
        lines = [
            ("An urgent comment (a threat) is waiting for review" if urgent
             else "A comment is waiting for review") + f" on {site_name} ({site_slug}):",
            f"By: {author}\nOn: {title}\nWhy it was held: " + ("; ".join(reasons) or "(no reason given)"),
            quoted(body),
            "Review it: " + link(f"/moderation/comments/{comment_id}"),
            "-- \nYou get these emails as a moderator of this site. Choose which you get: "
            + link("/moderation/mail"),
        ]
    return Message(subject, "\n\n".join(lines) + "\n", {"Auto-Submitted": "auto-generated"})


def digest(*, site_name: str, site_slug: str, items: list[dict], waiting: int) -> Message:
    """``items``: the held comments new since the last digest (id, author, title, body, urgent)."""
    noun = "comment" if len(items) == 1 else "comments"
    subject = f"[{site_name}] {len(items)} new {noun} held for review"
    parts = [f"{len(items)} new {noun} held for review on {site_name} ({site_slug}); "
             f"{waiting} waiting in all.", "Review them: " + link(f"/moderation/?site={quote(site_slug)}")]
    for item in items:
        flag = "URGENT " if item["urgent"] else ""
        parts.append(f"{flag}#{item['id']} by {item['author']} on “{item['title']}”\n"
                     + quoted(item["body"][:300]) + "\n" + link(f"/moderation/comments/{item['id']}"))
    parts.append("-- \nYou get this digest as a moderator of this site. Choose which emails you get: "
                 + link("/moderation/mail"))
    return Message(subject, "\n\n".join(parts) + "\n", {"Auto-Submitted": "auto-generated"})
