"""The discussion in Welsh, in real Chromium: the widget on a Welsh council page, the demo
page switched to Welsh, and the no-JavaScript page in Welsh (axe-core, lang attributes)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from discuss.extensions import db
from discuss.models import PENDING, PUBLISHED, Comment, Site
from tests.browser.conftest import HOLD, run_axe
from tests.embed_helpers import add_comment, make_thread

#: Where to save the screenshots docs/ shows (DISCUSS_SCREENSHOTS=docs); unset, none are written,
#: so a test run leaves the working tree as it was.
SHOTS = os.environ.get("DISCUSS_SCREENSHOTS")
PUBLISHED_CY = "Mae eich sylw wedi'i gyhoeddi."
HELD_CY = "Diolch, mae eich sylw yn aros i gael ei gymedroli."


def council_page(service: str, html_lang: str, embed_lang: str | None = None) -> str:
    lang = f' data-discuss-lang="{embed_lang}"' if embed_lang else ""
    return f"""<!doctype html><html lang="{html_lang}"><head><meta charset="utf-8"><title>Casgliadau biniau</title></head>
<body><main><h1>Casgliadau biniau</h1>
<div data-discuss-site="council" data-discuss-thread="/blog/post"{lang}></div>
</main><script src="{service}/embed.js" async></script></body></html>"""


@pytest.fixture
def discussion(app, council):
    site = Site(slug="council", name="Cyngor Prawf", allowed_origins=[council.origin], moderation={})
    db.session.add(site)
    db.session.commit()
    thread = make_thread(site)
    top = add_comment(thread, "Dave Griffin", "Very interesting video.")
    add_comment(thread, "Siân Jones", "Diolch, Dave.", parent=top)
    return thread


def widget_lang(page) -> str | None:
    return page.evaluate("() => document.querySelector('[data-discuss-site]').shadowRoot"
                         ".querySelector('section').getAttribute('lang')")


def comments() -> list[Comment]:
    db.session.rollback()  # a fresh snapshot: the service wrote since the last read
    return list(db.session.execute(sa.select(Comment).order_by(Comment.id)).scalars())


def test_a_welsh_page_gets_the_welsh_widget_and_a_reply_is_told_in_welsh(page, council, service, discussion,
                                                                           axe_source):
    page.goto(council.page("/cy/blog/post", council_page(service, "cy")))
    page.get_by_role("heading", name="2 sylw").wait_for()
    assert page.get_by_role("heading", name="Ymunwch â'r drafodaeth").is_visible()
    assert page.get_by_role("heading", name="Gadael ateb").is_visible()
    assert widget_lang(page) == "cy"
    assert page.get_by_role("button", name="Ateb i Dave Griffin").is_visible()
    meta = page.locator("ol.comments > li .meta").first.text_content()
    assert " meddai: " in meta and " am " in meta
    for label in ("Enw (gofynnol)", "E-bost (dewisol, ni chaiff ei gyhoeddi byth)", "Sylw (gofynnol)"):
        assert page.get_by_label(label, exact=True).is_visible()
    assert page.locator(".privacy-notice").text_content().startswith("Caiff eich enw")
    assert run_axe(page, axe_source) == []

    # Errors found before sending are Welsh too.
    page.get_by_role("button", name="Cyflwyno sylw").click()
    page.get_by_text("Rhowch eich enw.").wait_for()
    assert run_axe(page, axe_source) == []

    # A reply: published in place, counted and announced in Welsh.
    page.get_by_role("button", name="Ateb i Dave Griffin").click()
    assert page.locator(".replying").text_content().startswith("Yn ateb Dave Griffin")
    page.get_by_label("Enw (gofynnol)").fill("Gwenllian")
    page.get_by_label("Sylw (gofynnol)").fill("Cytuno'n llwyr.")
    page.get_by_role("button", name="Cyflwyno sylw").click()
    page.get_by_role("heading", name="3 sylw").wait_for()
    assert page.get_by_role("status").text_content() == PUBLISHED_CY
    assert comments()[-1].author_name == "Gwenllian" and comments()[-1].status == PUBLISHED

    # A held one: the service's answer is in the widget's language.
    page.get_by_label("Enw (gofynnol)").fill("Gwenllian")
    page.get_by_label("Sylw (gofynnol)").fill(f"Un arall {HOLD}")
    page.get_by_role("button", name="Cyflwyno sylw").click()
    page.get_by_role("status").get_by_text(HELD_CY).wait_for()
    assert comments()[-1].status == PENDING
    assert run_axe(page, axe_source) == []


def test_the_embeds_own_language_wins_over_the_pages(page, council, service, discussion):
    page.goto(council.page("/en/blog/post", council_page(service, "en-GB", embed_lang="cy")))
    page.get_by_role("heading", name="Ymunwch â'r drafodaeth").wait_for()
    assert widget_lang(page) == "cy"
    page.goto(council.page("/cy/blog/post2", council_page(service, "cy", embed_lang="en")))
    page.get_by_role("heading", name="Join the discussion").wait_for()
    assert widget_lang(page) == "en"
    assert page.get_by_role("heading", name="2 Comments").is_visible()
    # A CMS that writes the tag with an underscore still gets Welsh, and its thread.
    page.goto(council.page("/cy/blog/post3", council_page(service, "cy_GB")))
    page.get_by_role("heading", name="2 sylw").wait_for()
    assert widget_lang(page) == "cy"
    assert page.locator(".privacy-notice").text_content().startswith("Caiff eich enw")


def test_an_unshipped_language_falls_back_to_the_sites_then_english(page, council, service, discussion):
    page.goto(council.page("/fr/blog/post", council_page(service, "fr")))
    page.get_by_role("heading", name="Join the discussion").wait_for()
    assert widget_lang(page) == "en"
    discussion.site.language = "cy"
    db.session.commit()
    # (Another tag than before: the words for "fr" on this site are cached for five minutes.)
    page.goto(council.page("/de/blog/post", council_page(service, "de")))
    page.get_by_role("heading", name="Ymunwch â'r drafodaeth").wait_for()
    assert widget_lang(page) == "cy"


def test_the_demo_page_switches_to_welsh(page, service, app, axe_source):
    page.goto(f"{service}/demo")
    page.get_by_role("heading", name="2 Comments").wait_for()
    page.get_by_role("link", name="Cymraeg").click()
    page.get_by_role("heading", name="2 sylw").wait_for()
    assert page.url.endswith("/demo?lang=cy#comments")
    assert widget_lang(page) == "cy"
    assert page.get_by_role("link", name="English").get_attribute("lang") == "en"
    assert run_axe(page, axe_source) == []
    if SHOTS:
        page.set_viewport_size({"width": 900, "height": 1100})
        page.locator("#comments").scroll_into_view_if_needed()
        page.locator("#comments").screenshot(path=str(Path(SHOTS) / "welsh-widget.png"))


def test_the_no_js_page_in_welsh(page, service, discussion, axe_source):
    page.goto(f"{service}/embed/council/blog/post?lang=cy")
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("heading", name="Ymunwch â'r drafodaeth").is_visible()
    assert page.get_by_role("link", name="English").get_attribute("lang") == "en"
    assert run_axe(page, axe_source) == []
    page.get_by_role("button", name="Cyflwyno sylw").click()  # empty: errors shown, in Welsh
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert summary.get_by_role("heading").text_content() == "Ni chyflwynwyd eich sylw"
    assert page.locator("html").get_attribute("lang") == "cy"
    assert run_axe(page, axe_source) == []
    if SHOTS:
        page.set_viewport_size({"width": 900, "height": 1400})
        page.screenshot(path=str(Path(SHOTS) / "welsh-no-js.png"))
