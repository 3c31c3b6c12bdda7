"""The widget in real Chromium: a council page on another origin embeds it."""

from __future__ import annotations

import json
import os

import pytest
import sqlalchemy as sa

from discuss.api.threads import HELD_MESSAGE
from discuss.extensions import db
from discuss.models import PENDING, PUBLISHED, REJECTED, Comment, Site, Thread
from tests.browser.conftest import HOLD, REJECT, REJECT_REASON
from tests.embed_helpers import add_comment, make_thread

XSS_NAME = '<img src=x onerror="window.__pwned=1;alert(1)">'
XSS_BODY = '<script>window.__pwned=2;alert(2)</script><svg onload="window.__pwned=3">'
XSS_TITLE = '</title><script>window.__pwned=4;alert(4)</script>'


def council_page(service: str, *containers: str, title: str = "Bin collections") -> str:
    hosts = "\n".join(containers) or '<div data-discuss-site="council" data-discuss-thread="/blog/post"></div>'
    return f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:"DejaVu Serif",serif}} button,input,textarea{{text-transform:uppercase}}
.author{{color:rgb(200,0,0)}}</style></head>
<body><main><h1>Bin collections</h1><p class="author">Not a comment.</p>
{hosts}
</main><script src="{service}/embed.js" async></script></body></html>"""


def comments() -> list[Comment]:
    db.session.expire_all()
    return list(db.session.execute(sa.select(Comment).order_by(Comment.id)).scalars())


@pytest.fixture
def council_site(app, council):
    site = Site(slug="council", name="Test Council", allowed_origins=[council.origin], moderation={})
    db.session.add(site)
    db.session.commit()
    return site


@pytest.fixture
def discussion(council_site):
    thread = make_thread(council_site)
    top = add_comment(thread, "Dave Griffin", "Very interesting video.\nIs there any *evidence*?")
    add_comment(thread, "Public-i team", "Good point, Dave.", parent=top)
    return thread


@pytest.fixture
def opened(page, council, service, discussion):
    """The council's page with the discussion loaded."""
    page.goto(council.page("/blog/post", council_page(service)))
    page.get_by_role("heading", name="2 Comments").wait_for()
    return page


def active_in_widget(page, index: int = 0) -> dict:
    """What has focus inside the index-th widget's shadow root."""
    return page.evaluate(
        """(i) => { const el = document.querySelectorAll('[data-discuss-site]')[i].shadowRoot.activeElement;
                 return el ? {tag: el.tagName, cls: el.className, text: el.textContent, id: el.id} : null; }""",
        index,
    )


def test_cross_origin_page_shows_the_nested_discussion(opened, council, service):
    page = opened
    assert council.origin.split(":")[1] != service.split(":")[1]  # localhost vs 127.0.0.1
    assert page.get_by_role("heading", name="Join the discussion").is_visible()
    top = page.locator("ol.comments > li.comment")
    assert top.count() == 1
    assert top.locator(".meta .author").first.text_content() == "Dave Griffin"
    assert top.locator("time").first.get_attribute("datetime").endswith("Z")
    assert top.locator("> article .body").inner_html() == "<p>Very interesting video.<br>\nIs there any <em>evidence</em>?</p>"
    reply = top.locator("> ol.replies > li.comment")
    assert reply.locator(".author").text_content() == "Public-i team"
    indent = page.evaluate("""() => { const r = document.querySelector('[data-discuss-site]').shadowRoot;
        return [r.querySelector('.comments > li > article').getBoundingClientRect().left,
                r.querySelector('.replies > li > article').getBoundingClientRect().left]; }""")
    assert indent[1] > indent[0] + 10  # replies are indented
    assert page.get_by_role("button", name="Reply to Dave Griffin").is_visible()
    feed = page.get_by_role("link", name="Comments feed (Atom)")
    assert feed.get_attribute("href") == f"{service}/feeds/council/blog/post.atom?lang=en"
    for label in ("Name (required)", "Email (optional, never published)", "Comment (required)"):
        assert page.get_by_label(label, exact=True).is_visible()


def test_posting_publishes_in_place_and_moves_focus_to_it(opened):
    page = opened
    page.get_by_label("Name (required)").fill("Ann Other")
    page.get_by_label("Comment (required)").fill("Collections were **late** again.")
    page.get_by_role("button", name="Post Comment").click()
    page.get_by_role("heading", name="3 Comments").wait_for()
    new = page.locator("ol.comments > li.comment").nth(1)
    assert new.locator(".author").text_content() == "Ann Other"
    assert new.locator(".body").inner_html() == "<p>Collections were <strong>late</strong> again.</p>"
    assert active_in_widget(page)["tag"] == "ARTICLE"
    assert page.get_by_role("status").text_content() == "Your comment is published."
    assert page.get_by_label("Comment (required)").input_value() == ""
    stored = comments()[-1]
    assert (stored.author_name, stored.status, stored.parent_id) == ("Ann Other", PUBLISHED, None)
    draft = json.loads(page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))"))
    assert all("late" not in value for value in draft.values())


def test_a_retry_after_the_network_failed_reuses_the_key_and_publishes_once(opened):
    """The first POST reaches the service (stored) but its answer is lost; sending again
    reuses the draft's idempotency key, so the service answers the first comment."""
    page = opened
    keys = []

    def lose_the_first_answer(route):
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()   # the service stores the comment...
            route.abort()   # ...and the browser never hears so
        else:
            route.continue_()

    page.route("**/comments", lose_the_first_answer)
    page.get_by_label("Name (required)").fill("Ann Other")
    page.get_by_label("Comment (required)").fill("Sent on a train.")
    page.get_by_role("button", name="Post Comment").click()
    page.get_by_role("status").get_by_text("We could not reach the comment service", exact=False).wait_for()
    page.get_by_role("button", name="Post Comment").click()
    page.get_by_role("heading", name="3 Comments").wait_for()
    assert len(keys) == 2 and keys[0] == keys[1] and len(keys[0]) == 32
    assert [c.body for c in comments()].count("Sent on a train.") == 1
    assert page.locator("ol.comments > li.comment .body").get_by_text("Sent on a train.").count() == 1
    # The next reply gets a key of its own.
    page.get_by_label("Comment (required)").fill("And another.")
    page.get_by_role("button", name="Post Comment").click()
    page.get_by_role("heading", name="4 Comments").wait_for()
    assert len(set(keys)) == 2


def test_a_reply_appears_under_its_parent(opened):
    page = opened
    page.get_by_role("button", name="Reply to Dave Griffin").click()
    assert active_in_widget(page)["tag"] == "TEXTAREA"
    assert "Replying to Dave Griffin" in page.locator(".replying").text_content()
    page.get_by_label("Name (required)").fill("Cllr Tim")
    page.get_by_label("Comment (required)").fill("I do read them all.")
    page.get_by_role("button", name="Post Comment").click()
    page.get_by_role("heading", name="3 Comments").wait_for()
    replies = page.locator("ol.comments > li.comment").first.locator("> ol.replies > li .author")
    assert replies.all_text_contents() == ["Public-i team", "Cllr Tim"]
    assert comments()[-1].parent_id == comments()[0].id


def test_a_held_comment_is_announced_and_focused(opened):
    page = opened
    page.get_by_label("Name (required)").fill("Ann")
    page.get_by_label("Comment (required)").fill(f"Please {HOLD} this one")
    page.get_by_role("button", name="Post Comment").click()
    status = page.get_by_role("status")
    status.get_by_text(HELD_MESSAGE).wait_for()
    assert status.get_attribute("aria-live") == "polite"
    assert active_in_widget(page)["cls"].startswith("status")
    assert page.get_by_role("heading", name="2 Comments").is_visible()
    assert comments()[-1].status == PENDING


def test_a_rejected_comment_shows_the_reason_and_keeps_the_text_across_a_reload(opened):
    page = opened
    text = f"Something off topic {REJECT}"
    page.get_by_label("Name (required)").fill("Ann")
    page.get_by_label("Comment (required)").fill(text)
    page.get_by_role("button", name="Post Comment").click()
    body = page.get_by_label("Comment (required)")
    page.get_by_text(REJECT_REASON).wait_for()
    assert body.get_attribute("aria-invalid") == "true"
    assert body.input_value() == text
    assert active_in_widget(page)["tag"] == "TEXTAREA"
    # The reason is part of the field's description, so screen readers read it with the field.
    described = body.get_attribute("aria-describedby").split()
    assert page.evaluate("""(ids) => ids.map(id => document.querySelector('[data-discuss-site]')
        .shadowRoot.getElementById(id).textContent).join(' ')""", described).endswith(REJECT_REASON)
    assert comments()[-1].status == REJECTED
    page.reload()
    page.get_by_role("heading", name="2 Comments").wait_for()
    assert page.get_by_label("Comment (required)").input_value() == text
    assert page.get_by_label("Name (required)").input_value() == "Ann"


def test_missing_fields_are_flagged_without_a_request(opened):
    page = opened
    page.get_by_role("button", name="Post Comment").click()
    assert page.get_by_text("Please enter your name.").is_visible()
    assert page.get_by_text("Please write your comment.").is_visible()
    assert active_in_widget(page)["id"].endswith("author_name")
    assert len(comments()) == 2


def test_keyboard_only_posting_skips_the_honeypot(opened):
    page = opened
    page.get_by_label("Name (required)").focus()
    page.keyboard.type("Keyboard User")
    page.keyboard.press("Tab")
    assert active_in_widget(page)["id"].endswith("author_email")
    page.keyboard.press("Tab")
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")
    assert active_in_widget(page)["tag"] == "BUTTON"  # not the honeypot
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="3 Comments").wait_for()
    assert comments()[-1].author_name == "Keyboard User"


def test_an_origin_the_site_does_not_allow_is_refused(page, council, service, app):
    stranger = Site(slug="stranger", name="Another Council", allowed_origins=["https://other.example"],
                    moderation={})
    db.session.add(stranger)
    db.session.commit()
    add_comment(make_thread(stranger), "Private", "Not for other sites")
    host = '<div data-discuss-site="stranger" data-discuss-thread="/blog/post"></div>'
    page.goto(council.page("/refused", council_page(service, host)))
    page.get_by_text("The comments could not be loaded.").wait_for()
    assert page.get_by_text("Not for other sites").count() == 0
    outcome = page.evaluate(
        """(url) => fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'},
              body: JSON.stringify({author_name: 'X', body: 'cross-site'})})
            .then(r => 'status ' + r.status, e => 'blocked')""",
        f"{service}/api/v1/sites/stranger/threads/blog/post/comments",
    )
    assert outcome == "blocked"
    assert [c.body for c in comments()] == ["Not for other sites"]


def assert_nothing_ran(page) -> None:
    # Let any injected image fail to load (its onerror would fire) before looking.
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => window.__pwned") is None
    assert page.dialogs == []


def test_markup_in_names_bodies_and_titles_never_runs(page, council, service, council_site):
    thread = make_thread(council_site, title=XSS_TITLE)
    add_comment(thread, XSS_NAME, XSS_BODY)
    page.goto(council.page("/blog/post", council_page(service, title="Bins &lt;b&gt;")))
    page.get_by_role("heading", name="1 Comment", exact=True).wait_for()
    assert page.locator("ol.comments .author").first.text_content() == XSS_NAME
    assert_nothing_ran(page)
    # One more with markup in the name and body, shown in place by the widget.
    page.get_by_label("Name (required)").fill(XSS_NAME)
    page.get_by_label("Comment (required)").fill(XSS_BODY)
    page.get_by_role("button", name="Post Comment").click()
    page.get_by_role("heading", name="2 Comments").wait_for()
    assert page.locator("ol.comments .author").nth(1).text_content() == XSS_NAME
    assert_nothing_ran(page)
    # The same discussion on the no-JS page (scripts allowed in this browser) and in the feed.
    page.goto(f"{service}/embed/council/blog/post")
    assert page.locator(".author").nth(1).text_content() == XSS_NAME
    assert XSS_TITLE in page.title()
    assert_nothing_ran(page)
    page.goto(f"{service}/feeds/council/blog/post.atom")
    assert_nothing_ran(page)


def test_several_widgets_and_the_default_thread_key(page, council, service, council_site):
    add_comment(make_thread(council_site, key="/news/a"), "Alice", "On page A")
    add_comment(make_thread(council_site, key="/"), "Dora", "On the page itself")
    hosts = ('<div data-discuss-site="council" data-discuss-thread="/news/a"></div>',
             '<div data-discuss-site="council"></div>')
    page.goto(council.page("/", council_page(service, *hosts)))  # the home page: key "/"
    page.get_by_text("On page A").wait_for()
    page.get_by_text("On the page itself").wait_for()
    widgets = page.locator("[data-discuss-site]")
    assert widgets.nth(0).locator(".author").all_text_contents() == ["Alice"]
    assert widgets.nth(1).locator(".author").all_text_contents() == ["Dora"]
    # Each widget's form is its own: labels point at their own fields.
    widgets.nth(1).get_by_label("Name (required)").fill("Second")
    widgets.nth(1).get_by_label("Comment (required)").fill("Into the second widget")
    widgets.nth(1).get_by_role("button", name="Post Comment").click()
    widgets.nth(1).get_by_text("Into the second widget").wait_for()
    assert widgets.nth(0).get_by_text("Into the second widget").count() == 0
    assert comments()[-1].thread_id == db.session.execute(
        sa.select(Thread.id).where(Thread.key == "/")).scalar_one()
    links = widgets.nth(1).get_by_role("link")
    # The links keep the widget's language (docs/translating.md).
    assert links.nth(0).get_attribute("href") == f"{service}/feeds/council.atom?lang=en"
    assert links.nth(1).get_attribute("href") == f"{service}/embed/council/?lang=en"


def test_styles_neither_leak_out_nor_in(opened):
    page = opened
    styles = page.evaluate("""() => {
        const root = document.querySelector('[data-discuss-site]').shadowRoot;
        const css = (el, p) => getComputedStyle(el).getPropertyValue(p);
        return {
          pageAuthor: css(document.querySelector('main > p.author'), 'color'),
          pageFont: css(document.body, 'font-family'),
          widgetFont: css(root.querySelector('.body'), 'font-family'),
          widgetButton: css(root.querySelector('.submit'), 'text-transform'),
          widgetInputFont: css(root.querySelector('textarea'), 'font-family'),
        }; }""")
    assert styles["pageAuthor"] == "rgb(200, 0, 0)"  # our .author rule stays in the widget
    assert styles["widgetButton"] == "none"  # the page's button rule stays out
    assert styles["widgetFont"] == styles["pageFont"] == styles["widgetInputFont"]


def test_coming_back_after_posting_shows_the_new_comment(opened):
    page = opened
    page.get_by_label("Name (required)").fill("Ann")
    page.get_by_label("Comment (required)").fill("Still here when I come back?")
    page.get_by_role("button", name="Post Comment").click()
    page.get_by_role("heading", name="3 Comments").wait_for()
    page.goto(page.url)  # coming back by a link: no forced revalidation, unlike reload()
    page.get_by_role("heading", name="3 Comments").wait_for()
    assert page.get_by_text("Still here when I come back?").is_visible()


def test_a_closed_discussion_has_no_form(page, council, service, discussion):
    discussion.closed = True
    db.session.commit()
    page.goto(council.page("/blog/post", council_page(service)))
    page.get_by_text("This discussion is closed to new comments.").wait_for()
    assert page.get_by_role("heading", name="2 Comments").is_visible()
    assert page.get_by_role("button", name="Post Comment").count() == 0
    assert page.get_by_role("button", name="Reply to Dave Griffin").count() == 0


def test_long_threads_load_more_on_demand(page, council, service, council_site, service_app, monkeypatch):
    monkeypatch.setitem(service_app.config, "THREAD_PAGE_SIZE", 2)
    thread = make_thread(council_site)
    for n in range(3):
        add_comment(thread, f"Author {n}", f"Comment {n}")
    page.goto(council.page("/blog/post", council_page(service)))
    page.get_by_role("heading", name="3 Comments").wait_for()
    authors = page.locator("ol.comments > li > article .author")
    assert authors.all_text_contents() == ["Author 0", "Author 1"]
    page.get_by_role("button", name="Show more comments").click()
    page.get_by_text("Comment 2").wait_for()
    assert authors.all_text_contents() == ["Author 0", "Author 1", "Author 2"]
    assert page.get_by_role("button", name="Show more comments").count() == 0


def test_a_long_thread_pages_by_comments_too(page, council, service, council_site, service_app, monkeypatch):
    """Early comments of a long thread gather most replies: a page stops at
    THREAD_PAGE_COMMENTS, and "Show more comments" brings the next discussions."""
    monkeypatch.setitem(service_app.config, "THREAD_PAGE_COMMENTS", 6)
    thread = make_thread(council_site)
    for n in range(4):
        top = add_comment(thread, f"Author {n}", f"Comment {n} about the bins.")
        for m in range(4 - n):
            add_comment(thread, f"Replier {n}.{m}", f"Reply {m} to comment {n}.", parent=top)
    page.goto(council.page("/blog/post", council_page(service)))
    page.get_by_role("heading", name="14 Comments").wait_for()
    authors = page.locator("ol.comments > li > article .author")
    assert authors.all_text_contents() == ["Author 0"]  # 5 comments; with the next (4 more) over 6
    shots = os.environ.get("DISCUSS_SCREENSHOTS")
    if shots:  # widget-long-thread.png: the first page and its "more" button
        page.set_viewport_size({"width": 760, "height": 900})
        page.locator("[data-discuss-site]").screenshot(path=os.path.join(shots, "widget-long-thread.png"))
    page.get_by_role("button", name="Show more comments").click()
    page.get_by_text("Comment 1 about the bins.").wait_for()
    assert authors.all_text_contents() == ["Author 0", "Author 1"]
    page.get_by_role("button", name="Show more comments").click()
    page.get_by_text("Comment 3 about the bins.").wait_for()
    assert authors.all_text_contents() == ["Author 0", "Author 1", "Author 2", "Author 3"]
    assert page.get_by_role("button", name="Show more comments").count() == 0
    assert page.locator(".author", has_text="Replier 0.3").count() == 1


def reports() -> list:
    from discuss.models import Report
    db.session.rollback()  # a new snapshot: the service wrote from another thread
    return db.session.scalars(sa.select(Report).order_by(Report.id)).all()


def test_a_reader_reports_a_comment_with_the_keyboard(opened, axe_source):
    from tests.browser.conftest import run_axe
    page = opened
    report = page.get_by_role("button", name="Report the comment by Dave Griffin")
    report.focus()
    page.keyboard.press("Enter")
    assert report.get_attribute("aria-expanded") == "true"
    # Focus is on the first reason; the form has no accessibility violations.
    assert active_in_widget(page)["tag"] == "INPUT"
    assert run_axe(page, axe_source) == []
    if os.environ.get("DISCUSS_SCREENSHOTS"):  # docs/widget-report.png (DISCUSS_SCREENSHOTS=docs)
        page.set_viewport_size({"width": 760, "height": 900})
        page.locator("[data-discuss-site]").screenshot(path=os.path.join(os.environ["DISCUSS_SCREENSHOTS"],
                                                                          "widget-report.png"))
    # Sending without a reason says so, without a request.
    page.get_by_role("button", name="Send report").click()
    page.get_by_text("Please choose what is wrong with it.").wait_for()
    assert reports() == []
    page.get_by_label("Abusive, hateful or threatening").check()
    page.get_by_label("Anything the moderators should know (optional)").fill("Aimed at my neighbour.")
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("status").filter(has_text="Thank you: the moderators will look at it.").wait_for()
    assert "Thank you" in active_in_widget(page)["text"]
    [stored] = reports()
    assert (stored.reason, stored.note) == ("abuse", "Aimed at my neighbour.")
    # The browser's id went with it (as a keyed hash), and is kept for the next report.
    reader = page.evaluate("() => JSON.parse(localStorage.getItem('discuss-reader'))")
    assert stored.reader_hash and reader and reader not in stored.reader_hash


def test_cancelling_a_report_returns_focus_and_sends_nothing(opened):
    page = opened
    report = page.get_by_role("button", name="Report the comment by Public-i team")
    report.click()
    page.get_by_role("button", name="Cancel", exact=True).click()
    assert report.get_attribute("aria-expanded") == "false"
    assert active_in_widget(page)["cls"] == "report-button"
    assert reports() == []
