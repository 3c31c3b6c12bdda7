"""An XSS corpus stored in every field and rendered on every surface: none runs.

Every payload of :mod:`tests.browser.xss_corpus` (155, our own) calls
``__xss(n)`` or ``alert(n)`` if it ever executes. ``__xss`` is exposed to every
frame of every page by Playwright, so a call from any document is recorded, and
the ``page`` fixture records every dialog. The payloads go into comment bodies,
author names, emails, page titles and URLs, thread keys, report notes,
moderators' reasons and edits; then Chromium opens the widget on a council page
of another origin, the demo page, the no-JavaScript pages, the Atom feeds, the
review queue, the comment pages and the audit log.
"""

from __future__ import annotations

import importlib
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from discuss.extensions import db
from discuss.models import Comment, Site, Thread
from discuss.plugins import BUILTIN_PLUGINS, plugin_name
from tests.browser.test_widget import council_page
from tests.browser.xss_corpus import payloads, short
from tests.reviewing import PASSWORD, add_moderator, bearer, holding  # noqa: F401

PAYLOADS = payloads()
API = "/api/v1/sites/{site}/threads{key}/comments"
SETTLE_MS = 150  # time for onerror/onload/onfocus handlers to fire after a page loads
THREADS = 30  # threads whose title, link and key are payloads (each is two page loads)


class Stored:
    """How many payloads each field accepted (a refusal is a 4xx: also safe)."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.refused: dict[str, int] = {}

    def note(self, field: str, response) -> bool:
        ok = response.status_code < 300
        target = self.counts if ok else self.refused
        target[field] = target.get(field, 0) + 1
        assert response.status_code < 500, (field, response.status_code)
        return ok


def post(client, stored, field, *, site="council", key="/xss/a", ip="198.51.100.1", **body):
    payload = {"author_name": "Resident", "body": "A comment.", **body}
    response = client.post(API.format(site=site, key=key), json=payload, environ_base={"REMOTE_ADDR": ip})
    return response if stored.note(field, response) else None


@pytest.fixture
def corpus(app, client, council, holding):
    """The corpus stored everywhere it can be; what was stored, and the ids to visit."""
    builtins = {plugin_name(importlib.import_module(name)): {"enabled": False} for name in BUILTIN_PLUGINS}
    site = Site(slug="council", name="Test Council", allowed_origins=[council.origin], moderation=builtins)
    db.session.add(site)
    db.session.commit()
    mod = add_moderator("mod@council.example", password=PASSWORD)
    token = bearer(mod)
    stored = Stored()
    published, held = [], []
    names = short(PAYLOADS, 80)
    # Bodies and names, published, on two threads (under the widget's page size).
    for i, payload in enumerate(PAYLOADS):
        key = "/xss/a" if i < 90 else "/xss/b"
        extra = {"page_title": payload[:300], "page_url": council.origin + "/xss?q=" + quote(payload)} if i in (0, 90) \
            else {}
        response = post(client, stored, "body", key=key, ip=f"198.51.100.{i % 200}", body=payload,
                        author_name=names[i % len(names)], **extra)
        if response is not None:
            published.append(response.json["comment"]["id"])
    # Names on their own, published (every short payload once).
    for i, name in enumerate(names):
        post(client, stored, "author_name", key="/xss/names", ip=f"203.0.113.{i % 200}", author_name=name)
    # Thread keys, titles and links: a thread takes its title and link from its first
    # comment, so each of these threads has a payload in all three (the link alone when
    # the URL validator refuses the payload).
    for i, payload in enumerate(PAYLOADS[:THREADS]):
        key = "/xss/key/" + quote(payload.replace("/", "|"), safe="")
        url = council.origin + "/p?x=" + payload.replace(" ", "%20")
        title = PAYLOADS[-1 - i][:300]
        made = post(client, stored, "page_url", key=key, page_title=title, page_url=url)
        if made is not None:
            stored.counts["page_title"] = stored.counts.get("page_title", 0) + 1  # in the same post
        else:
            made = post(client, stored, "page_title", key=key, page_title=title)
        if made is not None:
            stored.counts["thread_key"] = stored.counts.get("thread_key", 0) + 1
    for i, payload in enumerate(["javascript:__xss(1000)", "JAVASCRIPT:__xss(1001)//", "data:text/html,x",
                                 "https://x.example/\"onmouseover=\"__xss(1002)\""]):
        post(client, stored, "page_url", key="/xss/a", page_url=payload)
    # Emails: the shapes an email validator lets through.
    for i, email in enumerate(['"<svg/onload=__xss(2000)>"@example.org', "x+<script>__xss(2001)</script>@example.org",
                               "javascript:__xss(2002)@example.org", "'-__xss(2003)-'@example.org",
                               "a\"onmouseover=\"__xss(2004)@example.org", "<img/src/onerror=__xss(2005)>@x.org"]):
        response = post(client, stored, "author_email", key="/xss/held", body=f"hold {i}", author_email=email)
        if response is not None:
            held.append(response.json["comment"]["id"])
    # Held comments for the queue: payload bodies and names.
    for i, payload in enumerate(PAYLOADS[:60]):
        response = post(client, stored, "held body", key="/xss/held", ip=f"192.0.2.{i % 200}",
                        body="hold " + payload, author_name=names[-1 - i % len(names)])
        if response is not None:
            held.append(response.json["comment"]["id"])
    # Report notes: two reports a comment (three would hide it from the widget).
    for i, payload in enumerate(PAYLOADS):
        target = published[i // 2]
        response = client.post(f"/api/v1/comments/{target}/reports", json={"reason": "other", "note": payload},
                               environ_base={"REMOTE_ADDR": f"10.9.{i}.1"})
        stored.note("report note", response)
    # Moderators' reasons and edits.
    for i, comment_id in enumerate(held[:40]):
        version = db.session.execute(sa.select(Comment.version).where(Comment.id == comment_id)).scalar_one()
        payload = PAYLOADS[(i * 4) % len(PAYLOADS)]
        if i % 2:
            body = {"action": "edit", "version": version, "body": PAYLOADS[(i * 4 + 1) % len(PAYLOADS)],
                    "reason": payload}
            field = "edit"
        else:
            body = {"action": "reject", "version": version, "reason": payload}
            field = "moderator reason"
        stored.note(field, client.post(f"/api/v1/moderation/comments/{comment_id}/decision", json=body,
                                       headers=token))
    db.session.expire_all()
    keys = list(db.session.execute(sa.select(Thread.key).order_by(Thread.id)).scalars())
    return {"stored": stored, "published": published, "held": held, "keys": keys}


def test_no_payload_runs_anywhere(page, context, service, council, corpus, capsys):
    calls: list = []
    context.expose_function("__xss", lambda n: calls.append(n))
    visited: list[str] = []

    def visit(url: str, wait_for: str | None = None) -> None:
        page.goto(url)
        if wait_for:
            page.wait_for_selector(wait_for)
        page.wait_for_timeout(SETTLE_MS)
        visited.append(url)
        page.mouse.move(200, 200)  # hover handlers
        page.keyboard.press("Tab")  # focus handlers
        page.wait_for_timeout(20)

    def walk(url: str) -> None:
        """A paged surface: every page, following rel=next."""
        while url:
            visit(url)
            following = page.locator("a[rel=next]")
            url = following.first.get_attribute("href") if following.count() else None
            if url and url.startswith("/"):
                url = service + url

    # The widget on a council page of another origin: two threads of payloads.
    for key in ("/xss/a", "/xss/b", "/xss/names"):
        html = council_page(service, f'<div data-discuss-site="council" data-discuss-thread="{key}"></div>')
        visit(council.page(key, html))
        page.locator("[data-discuss-site] >> css=ol.comments > li.comment").first.wait_for()
        page.wait_for_timeout(SETTLE_MS)
    # The no-JavaScript pages and the feeds of every thread (payload keys, titles, URLs).
    for key in corpus["keys"]:
        visit(f"{service}/embed/council/{quote(key.lstrip('/'), safe='/')}")
        visit(f"{service}/feeds/council/{quote(key.lstrip('/'), safe='/')}.atom")
    # The demo page, after storing payloads on its thread.
    visit(f"{service}/demo")
    from discuss.demo import DEMO_KEY, DEMO_SITE
    from flask import current_app

    client = current_app.test_client()
    for i, payload in enumerate(PAYLOADS[:60]):
        client.post(API.format(site=DEMO_SITE, key=DEMO_KEY), json={"author_name": payload[:80], "body": payload},
                    environ_base={"REMOTE_ADDR": f"198.18.0.{i}"})
    visit(f"{service}/demo")
    page.wait_for_timeout(1000)
    # The review queue (every page), the comment pages and the audit log, signed in.
    page.goto(f"{service}/moderation/login")
    page.get_by_label("Email").fill("mod@council.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{service}/moderation/")
    walk(f"{service}/moderation/?status=all")
    for comment_id in corpus["held"][:16] + corpus["published"][:30:3]:
        visit(f"{service}/moderation/comments/{comment_id}")
    walk(f"{service}/moderation/audit")

    stored = corpus["stored"]
    with capsys.disabled():
        print(f"\nXSS corpus: {len(PAYLOADS)} payloads; stored per field {stored.counts}; "
              f"refused (4xx) {stored.refused}; {len(visited)} page loads; executed: {len(calls)}; "
              f"dialogs: {len(page.dialogs)}")
    assert calls == [], f"payloads ran: {sorted(set(calls))}"
    assert page.dialogs == []
    # The corpus really was stored in each field (a field refusing everything tests nothing).
    for field in ("body", "author_name", "page_title", "page_url", "thread_key", "held body", "report note",
                  "moderator reason", "edit"):
        assert stored.counts.get(field, 0) >= 10, (field, stored.counts, stored.refused)
    assert len(PAYLOADS) >= 150
