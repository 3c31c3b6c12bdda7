"""The moderation pages: signing in, the queue, every action by form, CSRF, throttling."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from discuss.extensions import db
from discuss.models import DELETED, PENDING, PUBLISHED, REJECTED, Ban, Comment, Moderator
from tests.helpers import THREAD_URL
from tests.reviewing import PASSWORD, OTHER_URL, add_moderator, held, holding, other_site, published, status_of, version_of  # noqa: F401,E501

QUEUE = "/moderation/"


@pytest.fixture
def mod(app, site, other_site):
    return add_moderator("mod@council.example", password=PASSWORD)


def login(client, email="mod@council.example", password=PASSWORD, **extra):
    return client.post("/moderation/login", data={"email": email, "password": password, **extra})


def decide(client, comment_id, action, version=None, **fields):
    data = {"action": action, "version": version or version_of(comment_id), "next": QUEUE, **fields}
    return client.post(f"/moderation/comments/{comment_id}/decide", data=data)


def page(client, url=QUEUE):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


# -- signing in ------------------------------------------------------------------

@pytest.mark.parametrize("url", [QUEUE, "/moderation/comments/1", "/moderation/audit", "/moderation/audit.csv"])
def test_pages_send_anonymous_visitors_to_sign_in(client, mod, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/moderation/login?next=")


@pytest.mark.parametrize("url", ["/moderation/comments/1/decide", "/moderation/bulk"])
def test_anonymous_forms_are_401_and_change_nothing(client, mod, holding, url):
    comment_id = held(client)
    response = client.post(url, data={"action": "approve", "version": version_of(comment_id),
                                      "selected": f"{comment_id}:{version_of(comment_id)}"})
    assert response.status_code == 401
    assert status_of(comment_id) == PENDING


def test_sign_in_out(client, mod):
    assert "Sign in" in page(client, "/moderation/login")
    wrong = login(client, password="not the password")
    assert wrong.status_code == 401
    assert "do not match" in wrong.get_data(as_text=True)
    response = login(client, next="/moderation/audit")
    assert response.status_code == 302 and response.headers["Location"] == "/moderation/audit"
    assert "Audit log" in page(client, "/moderation/audit")
    client.post("/moderation/logout")
    assert client.get(QUEUE).status_code == 302


def test_sign_in_never_redirects_off_site(client, mod):
    for target in ("https://evil.example/", "//evil.example/", "/api/v1/moderation/queue"):
        assert login(client, next=target).headers["Location"] == "/moderation/"


def test_a_disabled_moderators_session_stops_at_once(client, mod):
    login(client)
    assert client.get(QUEUE).status_code == 200
    db.session.get(Moderator, mod.id).active = False
    db.session.commit()
    assert client.get(QUEUE).status_code == 302


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3 per minute"}])
def test_sign_in_is_throttled(client, mod, app_config):
    for _ in range(3):
        assert login(client, password="guess guess guess").status_code == 401
    throttled = login(client)  # even the right password waits
    assert throttled.status_code == 429
    assert client.get(QUEUE).status_code == 302


# -- CSRF ----------------------------------------------------------------------------

@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_forms_without_a_valid_csrf_token_are_refused(client, mod, holding, app_config):
    comment_id = held(client)
    assert login(client).status_code == 400  # no token
    token = csrf_from(page(client, "/moderation/login"))
    assert login(client, csrf_token=token).status_code == 302
    html = page(client)
    for forged in (None, "forged-token", csrf_from(html)[:-4] + "AAAA"):
        extra = {} if forged is None else {"csrf_token": forged}
        assert decide(client, comment_id, "approve", **extra).status_code == 400
        assert status_of(comment_id) == PENDING
    assert client.post("/moderation/logout").status_code == 400
    response = decide(client, comment_id, "approve", csrf_token=csrf_from(html))
    assert response.status_code == 303
    assert status_of(comment_id) == PUBLISHED


# -- the queue ---------------------------------------------------------------------

def test_the_queue_shows_context_verdicts_and_highlights(client, mod, holding):
    parent = published(client, "The bins were late.", page_title="Bin news")
    held(client, "hold one")
    held(client, 'hold <script>alert("x")</script>', parent_id=parent, author_email="res@example.org")
    held(client, "hold elsewhere", url=OTHER_URL)
    login(client)
    html = page(client)
    assert "(2 waiting)" in html  # not the other site's
    assert "Bin news" in html
    assert "In reply to Resident" in html and "The bins were late." in html
    assert "res@example.org" in html
    assert "2 comments from this address" in html  # on this site; the other site's one does not count
    assert "asked to be held" in html and "holdword" in html
    assert "<mark>hold</mark> &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "hold elsewhere" not in html


def test_the_queue_pages_and_filters(client, mod, holding):
    ids = [held(client, f"hold {n}") for n in range(27)]
    login(client)
    first = page(client)
    assert f'id="c{ids[0]}"' in first and f'id="c{ids[25]}"' not in first
    next_url = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = page(client, next_url)
    assert f'id="c{ids[25]}"' in second and f'id="c{ids[26]}"' in second and f'id="c{ids[0]}"' not in second
    assert f'id="c{ids[0]}"' not in page(client, QUEUE + "?until=2000-01-01")
    newest = page(client, QUEUE + "?order=newest")
    assert newest.index(f'id="c{ids[26]}"') < newest.index(f'id="c{ids[2]}"')
    bad = client.get(QUEUE + "?status=lost")
    assert bad.status_code == 422 and "Cannot filter by status" in bad.get_data(as_text=True)
    assert client.get(QUEUE + "?since=yesterday").status_code == 422


def test_another_sites_moderator_is_refused(client, mod, holding):
    comment_id = held(client)
    add_moderator("outsider@other.example", sites=("other",), password=PASSWORD)
    login(client, "outsider@other.example")
    # Another site's comment answers exactly as an unknown one.
    assert client.get(f"/moderation/comments/{comment_id}").status_code == 404
    assert decide(client, comment_id, "approve").status_code == 404
    assert client.get(QUEUE + "?site=council").status_code == 403
    assert client.get(f"/moderation/audit?comment_id={comment_id}").status_code == 404
    assert f'id="c{comment_id}"' not in page(client)
    assert status_of(comment_id) == PENDING


# -- actions ---------------------------------------------------------------------------

def test_approve_and_reject_by_form(client, mod, holding):
    a, b = held(client, "hold a"), held(client, "hold b")
    login(client)
    response = decide(client, a, "approve")
    assert response.status_code == 303 and response.headers["Location"] == QUEUE
    assert f"Approved comment {a}" in page(client)
    decide(client, b, "reject", reason="Spam or advertising")
    assert (status_of(a), status_of(b)) == (PUBLISHED, REJECTED)
    assert [c["id"] for c in client.get(THREAD_URL).json["comments"]] == [a]
    assert "Nothing waiting" in page(client)


def test_a_stale_form_is_a_conflict_message_not_a_second_decision(client, mod, holding):
    comment_id = held(client)
    seen = version_of(comment_id)
    login(client)
    decide(client, comment_id, "approve", version=seen)
    decide(client, comment_id, "reject", version=seen, reason="Off-topic")
    html = page(client)
    assert f"Comment {comment_id} is now published" in html
    assert status_of(comment_id) == PUBLISHED


def test_bulk_approve_and_reject(client, mod, holding):
    ids = [held(client, f"hold {n}") for n in range(4)]
    login(client)
    selected = [f"{i}:{version_of(i)}" for i in ids[:2]]
    response = client.post("/moderation/bulk", data={"action": "approve", "selected": selected, "next": QUEUE})
    assert response.status_code == 303
    assert "Approved 2 comments" in page(client)
    client.post("/moderation/bulk", data={"action": "reject", "reason": "Off-topic",
                                          "selected": [f"{i}:{version_of(i)}" for i in ids[2:]]})
    assert [status_of(i) for i in ids] == [PUBLISHED, PUBLISHED, REJECTED, REJECTED]
    client.post("/moderation/bulk", data={"action": "approve", "selected": []})
    assert "Select some comments first" in page(client)
    assert client.post("/moderation/bulk", data={"action": "approve", "selected": "x:y"}).status_code == 400


def test_edit_then_approve_ban_delete_restore_from_the_comment_page(client, mod, holding):
    comment_id = held(client, "hold on, my number is 07700 900123", author_email="res@example.org")
    login(client)
    detail = page(client, f"/moderation/comments/{comment_id}")
    assert "Edit, then publish" in detail and "Ban the author" in detail
    decide(client, comment_id, "edit", body="hold on, ring the council", reason="removed a phone number")
    assert client.get(THREAD_URL).json["comments"][0]["body_html"] == "<p>hold on, ring the council</p>"
    decide(client, comment_id, "delete", reason_text="on reflection")
    assert status_of(comment_id) == DELETED
    decide(client, comment_id, "restore")
    assert status_of(comment_id) == PUBLISHED
    decide(client, comment_id, "ban", ban_email="1", ban_days="30", reason="repeat offender")
    assert status_of(comment_id) == REJECTED
    ban = db.session.execute(sa.select(Ban)).scalar_one()
    assert ban.email == "res@example.org" and ban.expires_at is not None and ban.ip_hash is None
    history = page(client, f"/moderation/comments/{comment_id}")
    for action in ("edit", "delete", "restore", "ban"):
        assert f"<td>{action}</td>" in history
    # The edit took the phone number out: the log keeps the length of the old text, not the text.
    assert "07700" not in history and "[replaced text not kept: 34 characters]" in history
    decide(client, comment_id, "ban", ban_days="soon")
    assert "number of days" in page(client)


def test_the_audit_page_and_csv(client, mod, holding):
    comment_id = held(client)
    login(client)
    decide(client, comment_id, "reject", reason="Abusive or offensive")
    html = page(client, "/moderation/audit")
    assert "mod@council.example" in html and "Abusive or offensive" in html
    assert "pending → rejected" in html
    assert "No entries" in page(client, "/moderation/audit?since=2999-01-01")
    assert client.get("/moderation/audit?moderator=nobody@x.org").status_code == 422
    exported = client.get("/moderation/audit.csv")
    assert exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[1][3:7] == [str(comment_id), "mod@council.example", "reject", "Abusive or offensive"]


def test_unknown_comments_are_404(client, mod):
    login(client)
    assert client.get("/moderation/comments/999").status_code == 404
    assert decide(client, 999, "approve", version=1).status_code == 404
    assert client.post("/moderation/comments/1/decide", data={"action": "approve", "version": "x"}).status_code == 400
