"""The no-JavaScript page and the demo page in real Chromium, with axe-core."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from discuss.api.threads import HELD_MESSAGE
from discuss.extensions import db
from discuss.models import PENDING, Comment, Site
from tests.browser.conftest import HOLD, REJECT, REJECT_REASON, run_axe
from tests.embed_helpers import add_comment, make_thread


@pytest.fixture
def discussion(app):
    site = Site(slug="council", name="Test Council", allowed_origins=[], moderation={})
    db.session.add(site)
    db.session.commit()
    thread = make_thread(site)
    top = add_comment(thread, "Dave Griffin", "Very interesting video.")
    add_comment(thread, "Public-i team", "Good point, Dave.", parent=top)
    return thread


@pytest.fixture
def no_js(browser):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def last_comment() -> Comment:
    db.session.expire_all()
    return db.session.execute(sa.select(Comment).order_by(Comment.id.desc()).limit(1)).scalar_one()


def test_no_js_page_reads_and_posts(no_js, service, discussion):
    page = no_js
    page.goto(f"{service}/embed/council/blog/post")
    assert page.get_by_role("heading", name="2 Comments").is_visible()
    top = page.locator("ol.comments > li.comment")
    assert top.locator("> article .author").text_content() == "Dave Griffin"
    assert top.locator("> ol.replies > li .author").text_content() == "Public-i team"
    page.get_by_label("Name (required)").fill("No Script")
    page.get_by_label("Comment (required)").fill("Posted *without* JavaScript.")
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_url("**posted=published**")
    assert page.get_by_role("status").text_content().strip().startswith("Your comment is published.")
    assert page.get_by_role("heading", name="3 Comments").is_visible()
    assert page.locator(".body em").text_content() == "without"
    assert page.evaluate("() => document.activeElement.id") == "discuss-outcome"


def test_no_js_reply_held_and_rejected(no_js, service, discussion):
    page = no_js
    page.goto(f"{service}/embed/council/blog/post")
    page.get_by_role("link", name="Reply to Dave Griffin").click()
    page.get_by_label("Name (required)").fill("Ann")
    page.get_by_label("Comment (required)").fill(f"A reply to {HOLD}")
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_url("**posted=held**")
    assert page.get_by_role("status").text_content().strip() == HELD_MESSAGE
    held = last_comment()
    assert (held.status, held.parent_id is not None) == (PENDING, True)

    page.get_by_label("Name (required)").fill("Ann")
    page.get_by_label("Comment (required)").fill(f"Off topic {REJECT}")
    page.get_by_role("button", name="Post Comment").click()
    assert page.locator("#body-error").text_content() == REJECT_REASON
    assert page.get_by_label("Comment (required)").input_value() == f"Off topic {REJECT}"
    assert page.get_by_role("alert").is_visible()


def test_axe_finds_nothing_on_the_demo_page(page, service, app, axe_source):
    page.goto(f"{service}/demo")
    page.get_by_role("heading", name="2 Comments").wait_for()
    assert page.locator("[data-discuss-site] .author").first.text_content() == "Dave Griffin"
    assert run_axe(page, axe_source) == []
    # And with an error shown beside a field.
    page.get_by_role("button", name="Post Comment").click()
    page.get_by_text("Please enter your name.").wait_for()
    assert run_axe(page, axe_source) == []


def test_axe_finds_nothing_on_the_no_js_page(page, service, discussion, axe_source):
    page.goto(f"{service}/embed/council/blog/post")
    assert run_axe(page, axe_source) == []
    page.get_by_role("button", name="Post Comment").click()  # empty: errors shown
    page.locator(".error-summary").wait_for()
    assert run_axe(page, axe_source) == []


def test_demo_page_takes_a_reply(page, service, app):
    page.goto(f"{service}/demo")
    page.get_by_role("heading", name="2 Comments").wait_for()
    assert page.get_by_role("heading", level=1).text_content().startswith("Councillors and social media")
    # Styled under the page's strict CSP, in the page's font and the council's colour.
    looks = page.evaluate("""() => { const r = document.querySelector('[data-discuss-site]').shadowRoot;
        const s = getComputedStyle(r.querySelector('.submit'));
        return [s.backgroundColor, getComputedStyle(r.querySelector('.body')).fontFamily,
                getComputedStyle(document.body).fontFamily]; }""")
    assert looks[0] == "rgb(75, 31, 111)"
    assert looks[1] == looks[2] and looks[1].startswith("Georgia")
    page.get_by_label("Name (required)").fill("Royston Resident")
    page.get_by_label("Comment (required)").fill("I follow Cllr Tim, for one.")
    page.get_by_role("button", name="Post Comment").click()
    page.get_by_role("heading", name="3 Comments").wait_for()
    assert last_comment().author_name == "Royston Resident"


def test_no_js_errors_take_focus(no_js, service, discussion):
    page = no_js
    page.goto(f"{service}/embed/council/blog/post")
    page.get_by_label("Comment (required)").fill("Kept")
    page.get_by_role("button", name="Post Comment").click()
    summary = page.get_by_role("alert")
    assert summary.get_by_role("link", name="Name: Must not be empty.").get_attribute("href") == "#author_name"
    assert page.evaluate("() => document.activeElement.className") == "error-summary"
