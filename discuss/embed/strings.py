"""The widget's words: ``/embed/i18n/<lang>.json``, one language at a time.

widget.js holds no text of its own (but one English line for when this cannot be
fetched). It asks for the language its page asked for (``data-discuss-lang``,
else ``<html lang>``; ``-`` for none) and the site; this answers in that language
when we ship it, else in the site's default, else English, and says which in
``lang``. The answer is the same for everyone, so it is cached (five minutes, like
``/embed.js``, so a change of the site's default spreads soon) with an ETag.

``plurals`` holds each plural message by CLDR plural category (Welsh has six:
zero, one, two, few, many, other), filled from the catalogue with Babel's plural
rule for the language; the widget chooses with ``Intl.PluralRules``.
"""

from __future__ import annotations

import hashlib
import json
import re

from flask import Response, request

from .. import i18n
from ..comments import HELD_MESSAGE, PUBLISHED_MESSAGE
from ..i18n import N_
from ..sites import find_site
from ..transactions import end_read
from . import bp

CACHE = "public, max-age=300"
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")

#: Every message widget.js shows, by the name it uses. ``%(name)s`` placeholders are filled in the browser.
WIDGET_STRINGS: dict[str, str] = {
    "title": N_("Join the discussion"),
    "feed": N_("Comments feed (Atom)"),
    "own_page": N_("Open on its own page"),
    "loading": N_("Loading comments…"),
    "load_failed": N_("The comments could not be loaded. Please try again later, or use the link to the "
                      "discussion's own page."),
    "more": N_("Show more comments"),
    "removed": N_("This comment was removed."),
    "says": N_("says:"),
    "reply": N_("Reply"),
    "reply_to": N_("to %(name)s"),
    "replying_to": N_("Replying to"),
    "cancel_reply": N_("Cancel reply"),
    "leave_reply": N_("Leave a Reply"),
    "name": N_("Name"),
    "email": N_("Email"),
    "comment": N_("Comment"),
    "required": N_("(required)"),
    "optional": N_("(optional, never published)"),
    "hint": N_("Plain text or a little Markdown: *italic*, **bold**, [a link](https://…), > quote, - list."),
    "honeypot": N_("Leave this empty"),
    "post": N_("Post Comment"),
    "notify": N_("Email me when someone replies"),
    "notify_hint": N_("Needs your email address. The first time, we send a link to confirm; every email has a "
                      "link to stop them."),
    "closed": N_("This discussion is closed to new comments."),
    "need_name": N_("Please enter your name."),
    "need_body": N_("Please write your comment."),
    "cannot_reply": N_("You cannot reply to that comment: %(reason)s"),
    "sending": N_("Sending your comment…"),
    "unreachable": N_("We could not reach the comment service. Your comment is kept here; please try again."),
    "published": PUBLISHED_MESSAGE,
    "held": HELD_MESSAGE,
    "failed": N_("Your comment could not be posted (error %(status)s)."),
    "too_often": N_("You are posting too often. Please wait a minute and try again; your comment is kept."),
    "date_time": N_("%(date)s at %(time)s"),
    "report": N_("Report"),
    "report_comment_by": N_("the comment by %(name)s"),
    "report_title": N_("Report this comment to the moderators"),
    "report_reason": N_("What is wrong with it?"),
    "reason_spam": N_("Spam or advertising"),
    "reason_abuse": N_("Abusive, hateful or threatening"),
    "reason_personal-data": N_("It shares someone's personal information"),
    "reason_off-topic": N_("Off topic"),
    "reason_other": N_("Something else"),
    "report_note": N_("Anything the moderators should know (optional)"),
    "report_choose": N_("Please choose what is wrong with it."),
    "send_report": N_("Send report"),
    "cancel": N_("Cancel"),
    "reporting": N_("Sending your report…"),
    "report_thanks": N_("Thank you: the moderators will look at it."),
    "report_failed": N_("Your report could not be sent. Please try again later."),
    "report_too_often": N_("You have sent a lot of reports. Please try again later."),
}

#: Plural messages: (singular, plural) msgids, ``%(num)d`` the number.
WIDGET_PLURALS: dict[str, tuple[str, str]] = {
    "comments": ("%(num)d Comment", "%(num)d Comments"),
}


def _mark_plurals() -> None:  # pragma: no cover - only for the extractor, which reads ngettext calls
    i18n.ngettext("%(num)d Comment", "%(num)d Comments", 1)


def widget_strings(language: str) -> dict:
    """Everything the widget shows, in ``language`` (a shipped one); the request is answered in it."""
    i18n.use(language)
    return {
        "lang": language,
        "strings": {name: i18n.gettext(msgid) for name, msgid in WIDGET_STRINGS.items()},
        "plurals": {name: i18n.plural_forms(one, many, language) for name, (one, many) in WIDGET_PLURALS.items()},
        "months": i18n.month_names(language),
    }


@bp.get("/embed/i18n/<lang>.json")
def widget_i18n(lang: str):
    """The widget's strings in ``lang`` (``-``: none asked for), else the site's language (``?site=``),
    else English. Never an error: an unknown language or site gives English."""
    language = i18n.shipped(lang)
    if language is None:
        slug = request.args.get("site", "")
        site = find_site(slug) if SLUG.fullmatch(slug) else None  # no query for what cannot be a slug
        language = i18n.choose([], site.language if site is not None else None)
        end_read()
    body = json.dumps(widget_strings(language), ensure_ascii=False, sort_keys=True).encode()
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = CACHE
    response.headers["Content-Language"] = language
    # Any page may embed the widget; the strings hold nothing private.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.set_etag(hashlib.blake2b(body, digest_size=16).hexdigest())
    return response.make_conditional(request)
