"""The no-JavaScript discussion page: /embed/<site>/<key>, its form and its token."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from discuss import Verdict, hookimpl
from discuss.comments import HELD_MESSAGE
from discuss.extensions import db
from discuss.models import PENDING, PUBLISHED, REJECTED, Comment, FormNonce
from tests.embed_helpers import add_comment, make_thread, soup
from tests.plugin_helpers import ScreenTogether

PAGE = "/embed/council/blog/post"


class Scripted:
    """Holds bodies containing [hold], rejects bodies containing [reject]."""

    @hookimpl
    def discuss_screen_comment(self, submission):
        if "[hold]" in submission.body:
            return Verdict.hold("asked to hold")
        if "[reject]" in submission.body:
            return Verdict.reject("asked to reject", public_reason="Please keep to the topic of the post.")
        return None


def comments() -> list[Comment]:
    return list(db.session.execute(sa.select(Comment).order_by(Comment.id)).scalars())


def form_token(client, url=PAGE) -> str:
    page = soup(client.get(url))
    return page.find("input", {"name": "token"})["value"]


def send(client, url=PAGE, token=None, **fields):
    data = {"author_name": "Resident", "author_email": "", "body": "A fair point.", "website": ""}
    data.update(fields)
    data["token"] = form_token(client, url) if token is None else token
    return client.post(url, data=data)


@pytest.fixture
def thread(site):
    thread = make_thread(site)
    top = add_comment(thread, "Dave Griffin", "Very interesting video.")
    add_comment(thread, "Public-i team", "Good point, Dave.", parent=top)
    add_comment(thread, "Someone", "held back", status=PENDING)
    return thread


def test_page_shows_the_nested_thread_and_a_labelled_form(client, thread):
    response = client.get(PAGE)
    assert response.status_code == 200
    page = soup(response)
    assert page.find("h1").get_text() == "Join the discussion"
    assert page.find(class_="count-heading").get_text() == "2 Comments"
    top = page.select("ol.comments > li.comment")
    assert len(top) == 1
    assert top[0].select_one(".author").get_text() == "Dave Griffin"
    assert top[0].select_one("time")["datetime"].endswith("Z")
    reply = top[0].select("ol.replies > li.comment")
    assert [r.select_one(".author").get_text() for r in reply] == ["Public-i team"]
    assert "held back" not in response.get_data(as_text=True)
    form = page.find("form", id="reply")
    assert form["method"] == "post"
    for name, label in (("author_name", "Name"), ("author_email", "Email"), ("body", "Comment")):
        control = form.find(id=name)
        assert form.find("label", attrs={"for": name}).get_text().startswith(label)
        assert control["name"] == name
    assert "never published" in form.find("label", attrs={"for": "author_email"}).get_text()
    trap = form.find("input", {"name": "website"})
    assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"
    assert trap.find_parent("div")["aria-hidden"] == "true"
    assert page.find("link", type="application/atom+xml")["href"] == "/feeds/council/blog/post.atom"


def test_page_runs_no_script_and_sets_the_browser_cookie(client, thread):
    response = client.get(PAGE)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert response.headers["Cache-Control"] == "no-store"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("discuss_browser=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_unknown_site_is_404_html(client, site):
    response = client.get("/embed/nowhere/blog/post", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_a_published_reply_redirects_back_with_the_outcome(client, thread):
    response = send(client, body="Collections *were* late.", author_name="Ann")
    assert response.status_code == 303
    stored = comments()[-1]
    assert (stored.author_name, stored.status, stored.parent_id) == ("Ann", PUBLISHED, None)
    assert response.headers["Location"] == f"{PAGE}?posted=published&comment={stored.id}"
    page = soup(client.get(response.headers["Location"]))
    outcome = page.find(id="discuss-outcome")
    assert outcome["role"] == "status" and outcome.has_attr("autofocus")
    assert "Your comment is published." in outcome.get_text()
    assert page.find(id=f"comment-{stored.id}").select_one(".body").decode_contents() == \
        "<p>Collections <em>were</em> late.</p>"
    assert page.find(class_="count-heading").get_text() == "3 Comments"


def test_a_held_reply_says_it_awaits_moderation(client, thread, pm):
    pm.register(Scripted(), name="scripted")
    response = send(client, body="Please [hold] this")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{PAGE}?posted=held"
    assert comments()[-1].status == PENDING
    page = soup(client.get(response.headers["Location"]))
    assert page.find(id="discuss-outcome").get_text().strip() == HELD_MESSAGE
    assert "Please [hold] this" not in str(page)


def test_a_rejected_reply_shows_the_reason_beside_the_text_it_keeps(client, thread, pm):
    pm.register(Scripted(), name="scripted")
    response = send(client, body="Off topic [reject]", author_name="Bo", author_email="bo@example.org")
    assert response.status_code == 422
    assert comments()[-1].status == REJECTED
    page = soup(response)
    assert page.find(id="body-error").get_text() == "Please keep to the topic of the post."
    assert page.find(id="body")["aria-invalid"] == "true"
    assert "body-error" in page.find(id="body")["aria-describedby"]
    assert page.find(id="body").get_text() == "Off topic [reject]"
    assert page.find(id="author_name")["value"] == "Bo"
    assert page.find(id="author_email")["value"] == "bo@example.org"
    assert page.find(class_="error-summary")["role"] == "alert"
    assert page.find("title").get_text().startswith("Error: ")


def test_invalid_fields_use_the_api_rules(client, thread):
    response = send(client, author_name="   ", body="Kept text", author_email="not-an-email")
    assert response.status_code == 422
    page = soup(response)
    assert page.find(id="author_name-error").get_text()
    assert page.find(id="author_email-error").get_text()
    assert page.find(id="body").get_text() == "Kept text"
    assert len(comments()) == 3


def test_reply_to_puts_the_form_under_the_comment_and_posts_a_reply(client, thread):
    top = comments()[0]
    url = f"{PAGE}?reply_to={top.id}"
    page = soup(client.get(url))
    form = page.find("form", id="reply")
    assert form.find_parent("li")["id"] == f"comment-{top.id}"
    assert form.find("input", {"name": "parent_id"})["value"] == str(top.id)
    assert "Replying to Dave Griffin" in form.select_one(".replying").get_text(" ", strip=True)
    token = form.find("input", {"name": "token"})["value"]
    response = send(client, token=token, parent_id=str(top.id), body="Me too.")
    assert response.status_code == 303
    assert comments()[-1].parent_id == top.id


def test_replying_to_an_unpublished_comment_is_refused_beside_the_form(client, thread):
    held = comments()[2]
    response = send(client, parent_id=str(held.id), body="Hello?")
    assert response.status_code == 422
    assert "not published" in soup(response).find(class_="error-summary").get_text()
    assert len(comments()) == 3


def test_a_token_is_spent_once(client, thread):
    token = form_token(client)
    assert send(client, token=token, body="First").status_code == 303
    replay = send(client, token=token, body="Second")
    assert replay.status_code == 400
    assert "already sent" in soup(replay).find(class_="error-summary").get_text()
    assert soup(replay).find(id="body").get_text() == "Second"
    assert [c.body for c in comments()].count("Second") == 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(FormNonce)).scalar_one() == 1


@pytest.mark.parametrize("body,status", [("Sent twice", 303), ("Sent twice [hold]", 303),
                                         ("Sent twice [reject]", 422)])
def test_the_same_form_sent_again_answers_its_first_outcome_and_stores_nothing(client, thread, pm, body, status):
    """The token's nonce is the form's idempotency key: a browser retrying after the
    connection dropped gets the first answer (the same redirect, or the same reason)."""
    pm.register(Scripted(), name="scripted")
    token = form_token(client)
    first = send(client, token=token, body=body)
    assert first.status_code == status
    again = send(client, token=token, body=body)
    assert again.status_code == status
    assert again.headers.get("Location") == first.headers.get("Location")
    if status == 422:
        assert soup(again).find(id="body-error").get_text() == "Please keep to the topic of the post."
    assert [c.body for c in comments()].count(body) == 1


def test_the_same_form_sent_twice_at_once_stores_one_reply_and_both_see_it(client, thread, pm):
    """A resident presses Send again while the first is still being screened: both
    requests screen, one commits, the other answers the first's outcome."""
    import threading

    together = ScreenTogether()
    pm.register(together, name="together")
    token = form_token(client)
    db.session.commit()
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(send(client, token=token, body="Pressed twice")))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not together.barrier.broken, "the two requests did not screen at the same time"
    assert [a.status_code for a in answers] == [303, 303]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    assert [c.body for c in comments()].count("Pressed twice") == 1


def test_a_form_that_stored_nothing_may_be_sent_again_with_the_same_token(client, thread):
    token = form_token(client)
    assert send(client, token=token, author_name="   ", body="Forgot my name").status_code == 422
    assert send(client, token=token, author_name="Ann", body="Forgot my name").status_code == 303
    assert [c.body for c in comments()].count("Forgot my name") == 1


@pytest.mark.parametrize("token", ["", "forged.token.value"])
def test_a_missing_or_forged_token_is_refused(client, thread, token):
    response = send(client, token=token)
    assert response.status_code == 400
    assert len(comments()) == 3


def test_a_token_for_another_thread_is_refused(client, thread):
    other = form_token(client, "/embed/council/other/page")
    response = send(client, token=other)
    assert response.status_code == 400
    assert "another discussion" in soup(response).find(class_="error-summary").get_text()


def test_a_token_from_another_browser_is_refused(app, client, thread):
    token = form_token(client)
    stranger = app.test_client()
    response = send(stranger, token=token)
    assert response.status_code == 400
    assert len(comments()) == 3
    # The refusal page gave the stranger a cookie and a fresh token: sending again works.
    fresh = soup(response).find("input", {"name": "token"})["value"]
    assert send(stranger, token=fresh).status_code == 303


@pytest.mark.parametrize("app_config", [{"EMBED_FORM_MAX_AGE": -1}])
def test_an_expired_token_is_refused(client, thread):
    response = send(client)
    assert response.status_code == 400
    assert "expired" in soup(response).find(class_="error-summary").get_text()


def test_a_cross_site_post_is_refused(client, thread):
    token = form_token(client)
    response = client.post(PAGE, data={"author_name": "X", "body": "spam", "token": token},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert len(comments()) == 3


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_the_form_needs_no_session_csrf_token(client, thread):
    assert send(client).status_code == 303


def test_markup_in_names_bodies_and_titles_is_shown_as_text(client, site):
    thread = make_thread(site, title="<script>alert('title')</script>", url="javascript:alert(1)")
    add_comment(thread, "<img src=x onerror=alert(1)>", "<script>alert('body')</script> **hi**")
    response = client.get(PAGE)
    html = response.get_data(as_text=True)
    assert "<script>" not in html and "<img" not in html
    page = soup(response)
    assert page.select_one(".author").get_text() == "<img src=x onerror=alert(1)>"
    assert "<script>alert('title')</script>" in page.find("title").get_text()
    assert page.select_one(".about").find("a") is None  # a javascript: page URL is not linked


@pytest.mark.parametrize("app_config", [{"THREAD_PAGE_SIZE": 2}])
def test_long_threads_page_by_top_level_comment(client, site):
    thread = make_thread(site)
    for n in range(3):
        add_comment(thread, f"Author {n}", f"Comment {n}")
    page = soup(client.get(PAGE))
    assert [a.get_text() for a in page.select("ol.comments > li .author")] == ["Author 0", "Author 1"]
    more = page.find("a", class_="more")["href"]
    page = soup(client.get(more))
    assert [a.get_text() for a in page.select("ol.comments > li .author")] == ["Author 2"]


@pytest.mark.parametrize("app_config", [{"THREAD_PAGE_COMMENTS": 3}])
def test_a_page_stops_at_its_comment_bound_and_links_to_the_rest(client, site):
    thread = make_thread(site)
    first = add_comment(thread, "Author 0", "Comment 0")
    for n in range(3):
        add_comment(thread, f"Replier {n}", f"Reply {n}", parent=first)
    for n in range(1, 3):
        add_comment(thread, f"Author {n}", f"Comment {n}")
    page = soup(client.get(PAGE))
    assert [a.get_text() for a in page.select("ol.comments > li > article .author")] == ["Author 0"]
    assert len(page.select(".author")) == 4  # the first discussion whole, though over the bound
    page = soup(client.get(page.find("a", class_="more")["href"]))
    assert [a.get_text() for a in page.select("ol.comments > li .author")] == ["Author 1", "Author 2"]
    assert page.find("a", class_="more") is None


def test_the_home_page_thread(client, site):
    thread = make_thread(site, key="/", title="Home")
    add_comment(thread, "Ann", "On the home page")
    page = soup(client.get("/embed/council/"))
    assert page.select_one(".author").get_text() == "Ann"
    assert page.find("form", id="reply")["action"] == "/embed/council/"
    response = send(client, url="/embed/council/", body="Second on home")
    assert response.status_code == 303
    assert comments()[-1].thread_id == thread.id


def test_a_closed_thread_shows_no_form_and_refuses_posts(client, thread):
    token = form_token(client)
    thread.closed = True
    db.session.commit()
    page = soup(client.get(PAGE))
    assert page.find("form") is None
    assert page.find(class_="closed").get_text() == "This discussion is closed to new comments."
    assert page.find(class_="reply-button") is None
    response = send(client, token=token)
    assert response.status_code == 403
    assert len(comments()) == 3
