"""A thread's title and link come only from a published reply on one of the site's own pages."""

from __future__ import annotations

import re

import pytest

from discuss import Verdict, hookimpl
from discuss.extensions import db
from discuss.models import Thread
from tests.helpers import THREAD_URL, post

PHISHING = {"page_title": "Council tax refund: claim online", "page_url": "https://evil.example/council-tax-refund"}
OWN_PAGE = {"page_title": "Bin collections", "page_url": "https://council.example/blog/post"}


class JudgeByWord:
    """Rejects "bloody", holds "hold", publishes the rest."""

    @hookimpl
    def discuss_screen_comment(self, submission):
        if re.search(r"bloody", submission.body):
            return Verdict.reject("profanity", public_reason="Please keep it civil.")
        if "hold" in submission.body:
            return Verdict.hold("asked to be held")
        return None


@pytest.fixture
def judging(pm):
    pm.register(JudgeByWord(), name="judge")
    return pm


def thread_row() -> Thread | None:
    db.session.commit()
    db.session.expire_all()
    return db.session.execute(db.select(Thread)).scalar_one_or_none()


@pytest.mark.parametrize("body", ["A fair point.", "bloody council", "please hold"])
def test_a_page_url_off_the_sites_origins_is_422_naming_it(client, site, judging, body):
    response = post(client, body, **PHISHING)
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["page_url"]
    assert thread_row() is None  # nothing written


def test_the_no_js_form_never_takes_a_page_url(client, site):
    from tests.test_embed_pages import send

    assert send(client, **PHISHING).status_code == 303
    assert "evil.example" not in thread_row().url and "refund" not in thread_row().title


@pytest.mark.parametrize("body", ["bloody council tax", "please hold this"])
def test_a_held_or_rejected_first_reply_leaves_the_thread_untitled(client, site, judging, body):
    response = post(client, body, page_title="Council tax refund: claim online",
                    page_url="https://council.example/refund")
    assert response.status_code in (202, 422)
    thread = thread_row()
    assert (thread.title, thread.url) == ("", "")
    for surface in (client.get(THREAD_URL).json["thread"], ):
        assert (surface["title"], surface["url"]) == ("", "")
    feed = client.get("/feeds/council/blog/post.atom").get_data(as_text=True)
    assert "refund" not in feed
    # the first published reply names it
    assert post(client, "A fair point.", **OWN_PAGE).status_code == 201
    thread = thread_row()
    assert (thread.title, thread.url) == (OWN_PAGE["page_title"], OWN_PAGE["page_url"])


def test_a_published_reply_on_the_sites_page_names_the_thread_once(client, site, judging):
    assert post(client, "First.", **OWN_PAGE).status_code == 201
    assert post(client, "Second.", page_title="Another title", page_url="https://council.example/other").status_code == 201
    thread = thread_row()
    assert (thread.title, thread.url) == (OWN_PAGE["page_title"], OWN_PAGE["page_url"])
