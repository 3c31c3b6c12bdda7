"""Links and spam: too many links hold, blocked domains and duplicates reject.

Checks, in order of how sure they are:

* the honeypot form field (hidden from people, filled in by bots) rejects
  *silently*: the bot is told its comment awaits review;
* a link to a domain on the site's deny list rejects;
* the same text from the same email or hashed IP within the window rejects as a
  duplicate (a double click, or a spammer pasting);
* more than ``max_links`` links to domains not on the allow list hold;
* obvious spam patterns (casino, crypto and loan offers, "work from home",
  messaging-app contact offers) and words disguised in look-alike letters hold.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Mapping

import marshmallow as ma
import re2

from discuss import N_, History, Submission, Verdict, hookimpl
from discuss.textnorm import disguised_words, normalise

name = "links"
enabled_by_default = True

# A URL with a scheme, or www., or a bare domain with a common TLD.
# Run by RE2 (google-re2), which matches in time linear in the text: with Python's
# backtracking ``re`` the repeated label group made "a." * 5000 take seconds, holding
# the GIL so that no time budget could fire. RE2's ``\b`` is ASCII-only: a domain
# directly after a non-ASCII letter ("éexample.com") counts as a link here, where
# ``re`` would not have matched it; for spam that errs on the right side.
_LINK = re2.compile(
    r"(?i)(?:https?://|www\.)[^\s<>\"')\]]+"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|net|org|info|biz|xyz|top|io|co|uk|ru|cn|online|site|shop|club|live|app|me|ly)\b"
    r"(?:/[^\s<>\"')\]]*)?"
)
# ``_HOST`` stays in ``re`` and is linear by construction: it is anchored and runs
# once per link found. tests/test_screening_linear.py and bench/fuzz_plugins.py
# hold every pattern here to a time bound.
_HOST = re.compile(r"^(?:https?://)?(?:[^@/\s]+@)?([^/:?#\s]+)", re.IGNORECASE)

# Phrases that only spam uses; matched on normalised text, whole words.
SPAM_PATTERNS = (
    r"\bonline\s+casinos?\b", r"\bcasino\s+bonus(?:es)?\b", r"\bviagra\b", r"\bcialis\b", r"\bpayday\s+loans?\b",
    r"\bcrypto(?:currency)?\s+(?:investment|trading|signals?|profits?)\b", r"\bbitcoin\s+(?:investment|doubler)\b",
    r"\bforex\s+(?:signals?|trading)\b", r"\bwork\s+from\s+home\b.{0,40}\b(?:earn|\$|£)",
    r"\bearn\s+(?:\$|£)\s?\d[\d,]*\s*(?:per|a|every)\s+(?:day|week|hour)\b", r"\bseo\s+services?\b",
    r"\bbuy\s+(?:cheap\s+)?(?:followers|likes|backlinks)\b",
    r"\b(?:contact|message|text|dm)\s+(?:me\s+)?(?:on|via)\s+(?:whatsapp|telegram)\b",
    r"\bclick\s+(?:here|the\s+link)\s+(?:to|for)\s+(?:claim|win|earn|get)\b", r"\bhot\s+singles\b",
    r"\bcheap\s+(?:replica|rolex|pills)\b", r"\bspell\s+caster\b", r"\bloan\s+offer\b",
)
# One RE2 pass (linear, at C speed) over the whole comment: over its normalised UTF-8
# (encoded once for every plugin that searches it), and again as text only to say where.
_SPAM = re2.compile("|".join(SPAM_PATTERNS))
_SPAM_UTF8 = re2.compile(_SPAM.pattern.encode())
# Every link has "//", "www" or a dot directly followed by a letter ("example.org").
_LINK_HINT = re.compile(r"\.[a-zA-Z]")


class settings_schema(ma.Schema):
    """Per-site settings of the links and spam plugin."""

    max_links = ma.fields.Integer(load_default=2, validate=ma.validate.Range(min=0),
                                  metadata={"description": "more links than this hold"})
    allow_domains = ma.fields.List(ma.fields.String(), load_default=list,
                                   metadata={"description": "domains (and their subdomains) that never count"})
    deny_domains = ma.fields.List(ma.fields.String(), load_default=list,
                                  metadata={"description": "domains whose links reject"})
    duplicate_window_minutes = ma.fields.Integer(load_default=60, validate=ma.validate.Range(min=0),
                                                 metadata={"description": "0 turns the duplicate check off"})
    # "thread": a double post or a repeat on the same page. "site": also the same text
    # pasted under several pages (spam), at the cost of "Thank you!" on two pages.
    duplicate_scope = ma.fields.String(load_default="thread", validate=ma.validate.OneOf(["thread", "site"]))
    honeypot_field = ma.fields.String(load_default="website",
                                      metadata={"description": "form field people never fill in"})
    spam_patterns = ma.fields.Boolean(load_default=True)
    hold_disguised_letters = ma.fields.Boolean(load_default=True)


def find_links(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, host)`` of every link in ``text``."""
    links = []
    for match in _LINK.finditer(text):
        host = _HOST.match(match.group())
        links.append((match.start(), match.end(), (host.group(1) if host else match.group()).lower().rstrip(".")))
    return links


def _domain_in(host: str, domains: list[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in (x.lower().strip().lstrip(".") for x in domains) if d)


@hookimpl
def discuss_screen_comment(submission: Submission, settings: Mapping, history: History) -> Verdict | None:
    """Silently reject bots, reject blocked links and duplicates, hold link-heavy or spammy text."""
    if str(submission.extra.get(settings["honeypot_field"]) or "").strip():
        return Verdict.reject("honeypot field filled in", silent=True)
    body = submission.body
    links = find_links(body) if ("//" in body or "www" in body or _LINK_HINT.search(body)) else []
    denied = [link for link in links if _domain_in(link[2], settings["deny_domains"])]
    if denied:
        return Verdict.reject(
            "blocked link", public_reason=N_("Links to that website are not allowed here."),
            spans=[[a, b] for a, b, _ in denied], domains=sorted({h for _, _, h in denied}),
        )
    if settings["duplicate_window_minutes"]:
        duplicate = _find_duplicate(submission, history, settings["duplicate_window_minutes"],
                                    same_thread=settings["duplicate_scope"] == "thread")
        if duplicate is not None:
            return Verdict.reject("duplicate", public_reason=N_("You have already posted this comment."),
                                  duplicate_of=duplicate)
    counted = [link for link in links if not _domain_in(link[2], settings["allow_domains"])]
    if len(counted) > settings["max_links"]:
        return Verdict.hold(f"more than {settings['max_links']} links",
                            spans=[[a, b] for a, b, _ in counted], links=len(counted))
    if settings["spam_patterns"]:
        norm = normalise(body)
        match = _SPAM.search(norm.text) if _SPAM_UTF8.search(norm.utf8) is not None else None
        if match:
            return Verdict.hold("looks like spam", spans=[list(norm.original_span(*match.span()))],
                                pattern=match.group())
    if settings["hold_disguised_letters"]:
        spans = disguised_words(body)
        if spans:
            return Verdict.hold("disguised letters", spans=[list(s) for s in spans])
    return None


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _find_duplicate(submission: Submission, history: History, minutes: int, *, same_thread: bool) -> int | None:
    """The id of a comment with the same text by the same author or address, recently."""
    recent = history.recent_bodies(
        email=submission.author_email, ip_hash=submission.ip_hash, within=timedelta(minutes=minutes),
        thread_key=submission.thread_key if same_thread else None,
    )
    for past in recent:
        if _same_text(past.body, submission.body):
            return past.id
    return None
