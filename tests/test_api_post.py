"""Posting replies: POST /api/v1/sites/<site>/threads/<key>/comments, and every bad input."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from discuss import Verdict, hookimpl
from discuss.extensions import db
from discuss.models import PENDING, PUBLISHED, REJECTED, Comment, Thread, VerdictRecord
from tests.helpers import THREAD_URL, post

POST_URL = THREAD_URL + "/comments"


def count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


class Holder:
    @hookimpl
    def discuss_screen_comment(self, submission):
        if "hold me" in submission.body:
            return Verdict.hold("asked to be held")
        return None


def test_published_reply_is_201_and_creates_the_thread(client, site):
    response = post(client, "Bins were *late* again", page_title="Bin news", page_url="https://council.example/blog/post")
    assert response.status_code == 201
    comment = response.json["comment"]
    assert comment["status"] == "published"
    assert comment["body_html"] == "<p>Bins were <em>late</em> again</p>"
    assert comment["author_name"] == "Resident"
    assert "author_email" not in comment
    thread = db.session.execute(sa.select(Thread)).scalar_one()
    assert (thread.key, thread.title, thread.url) == ("/blog/post", "Bin news", "https://council.example/blog/post")


def test_held_reply_is_202_and_not_shown(client, site, pm):
    pm.register(Holder(), name="holder")
    response = post(client, "please hold me")
    assert response.status_code == 202
    assert response.json["comment"]["status"] == "pending"
    assert "awaiting moderation" in response.json["message"]
    assert client.get(THREAD_URL).json["thread"]["comment_count"] == 0
    stored = db.session.execute(sa.select(Comment)).scalar_one()
    assert stored.status == PENDING
    reasons = {v.plugin: (v.decision, v.reason) for v in stored.verdicts}
    assert reasons["holder"] == ("hold", "asked to be held")


def test_rejected_reply_is_422_with_the_public_reason_and_kept_for_audit(client, site, pm):
    class Rejecter:
        @hookimpl
        def discuss_screen_comment(self):
            return Verdict.reject("spam pattern", public_reason="Please don't post adverts.")

    pm.register(Rejecter(), name="rejecter")
    response = post(client, "buy now")
    assert response.status_code == 422
    assert response.json["message"] == "Please don't post adverts."
    assert response.json["errors"] == {"body": ["Please don't post adverts."]}
    stored = db.session.execute(sa.select(Comment)).scalar_one()
    assert stored.status == REJECTED
    assert client.get(THREAD_URL).json["comments"] == []


def test_a_silent_rejection_looks_held_to_the_client(client, site, pm):
    class Honeypot:
        @hookimpl
        def discuss_screen_comment(self, submission):
            if submission.extra.get("website"):
                return Verdict.reject("honeypot", silent=True)
            return None

    pm.register(Honeypot(), name="honeypot-test")
    response = post(client, "hello", website="http://spam.example")
    assert response.status_code == 202
    assert db.session.execute(sa.select(Comment.status)).scalar_one() == REJECTED


def test_author_name_is_plain_text_and_body_is_sanitised(client, site):
    response = post(client, "<script>alert(1)</script> [x](javascript:alert(1))", author_name="<b>Bob</b>")
    assert response.status_code == 201
    comment = response.json["comment"]
    assert comment["author_name"] == "<b>Bob</b>"  # the widget puts it in textContent
    assert "<script>" not in comment["body_html"]
    assert "javascript:" not in comment["body_html"].replace("[x](javascript:alert(1))", "")
    assert 'href="javascript' not in comment["body_html"]


def test_email_is_stored_lowercased_and_never_returned(client, site):
    post(client, "hello", author_email="Resident@Example.org")
    stored = db.session.execute(sa.select(Comment)).scalar_one()
    assert stored.author_email == "resident@example.org"
    assert "resident@example.org" not in client.get(THREAD_URL).get_data(as_text=True)


def test_ip_is_kept_only_as_a_keyed_hash(client, site):
    client.post(POST_URL, json={"author_name": "A", "body": "b"}, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    stored = db.session.execute(sa.select(Comment)).scalar_one()
    assert stored.ip_hash and "203.0.113.9" not in stored.ip_hash
    from discuss.clients import hash_ip

    assert stored.ip_hash == hash_ip("203.0.113.9")
    assert hash_ip("203.0.113.9", "another-secret") != stored.ip_hash


def test_every_verdict_is_stored_with_the_comment(client, site, pm):
    pm.register(Holder(), name="holder")
    post(client, "hold me please")
    plugins = {v.plugin for v in db.session.execute(sa.select(VerdictRecord)).scalars()}
    assert {"holder", "profanity"} <= plugins


# -- bad input ----------------------------------------------------------------


def assert_error(response, status, field):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == status
    assert field in body["errors"], body
    assert count(Comment) == 0 and count(Thread) == 0 and count(VerdictRecord) == 0


def test_malformed_json(client, site):
    response = client.post(POST_URL, data='{"author_name": "A", "body": ', content_type="application/json")
    assert_error(response, 400, "json")


def test_json_that_is_not_an_object(client, site):
    assert_error(client.post(POST_URL, json=["body"]), 422, "json")


def test_wrong_content_type(client, site):
    response = client.post(POST_URL, data="author_name=A&body=b", content_type="application/x-www-form-urlencoded")
    assert_error(response, 415, "content_type")


@pytest.mark.parametrize("payload, field", [
    ({"body": "no name"}, "author_name"),
    ({"author_name": "A"}, "body"),
    ({"author_name": "   ", "body": "x"}, "author_name"),
    ({"author_name": "A", "body": " \n\t "}, "body"),
    ({"author_name": 7, "body": "x"}, "author_name"),
    ({"author_name": "A", "body": ["x"]}, "body"),
    ({"author_name": "A", "body": "x", "parent_id": "1"}, "parent_id"),
    ({"author_name": "A", "body": "x", "parent_id": True}, "parent_id"),
    ({"author_name": "A", "body": "x", "parent_id": -1}, "parent_id"),
    ({"author_name": "A", "body": "x", "author_email": "not-an-email"}, "author_email"),
    ({"author_name": "A", "body": "x", "page_url": "javascript:alert(1)"}, "page_url"),
    ({"author_name": "A", "body": "x", "surprise": 1}, "surprise"),
    ({"author_name": "A", "body": "nul \x00 byte"}, "body"),
    ({"author_name": "A\ud800", "body": "x"}, "author_name"),
    ({"author_name": "A" * 81, "body": "x"}, "author_name"),
])
def test_invalid_fields_are_422_naming_the_field(client, site, payload, field):
    assert_error(client.post(POST_URL, json=payload), 422, field)


def test_oversize_body_is_422_and_the_limit_is_configurable(app, client, site):
    assert_error(post(client, "x" * 10_001), 422, "body")
    app.config["MAX_BODY_LENGTH"] = 20
    assert_error(post(client, "Bins were late again!"), 422, "body")  # 21 characters
    assert post(client, "Bins were late again").status_code == 201


def test_oversize_request_is_413(client, site):
    response = client.post(POST_URL, data=b'{"body": "' + b"x" * 70_000 + b'"}', content_type="application/json")
    assert response.status_code == 413
    assert response.json["code"] == 413
    assert count(Comment) == 0


def test_parent_must_exist_be_in_this_thread_and_be_published(client, site, pm):
    assert_error(post(client, "reply", parent_id=999), 422, "parent_id")
    other = post(client, "elsewhere", url="/api/v1/sites/council/threads/other/page").json["comment"]["id"]
    response = post(client, "reply", parent_id=other)
    assert response.status_code == 422 and "parent_id" in response.json["errors"]
    pm.register(Holder(), name="holder")
    held = post(client, "hold me").json["comment"]["id"]
    response = post(client, "reply", parent_id=held)
    assert response.status_code == 422 and "parent_id" in response.json["errors"]
    assert count(Comment) == 2  # nothing written by the refused replies


def test_unknown_site_is_404(client, site):
    assert_error(post(client, "hi", url="/api/v1/sites/nowhere/threads/x"), 404, "site")


def test_origin_not_allowed_is_403(client, site):
    response = client.post(POST_URL, json={"author_name": "A", "body": "b"}, headers={"Origin": "https://evil.example"})
    assert_error(response, 403, "origin")


def test_allowed_origin_posts_and_gets_cors_headers(client, site):
    response = client.post(POST_URL, json={"author_name": "A", "body": "b"}, headers={"Origin": "https://council.example"})
    assert response.status_code == 201
    assert response.headers["Access-Control-Allow-Origin"] == "https://council.example"


def test_nothing_half_written_when_storing_fails(client, site, monkeypatch):
    def explode(_source):
        raise RuntimeError("renderer broke")

    monkeypatch.setattr("discuss.comments.render_body", explode)
    response = post(client, "hello")
    assert response.status_code == 500
    assert response.json["code"] == 500
    assert "renderer broke" not in response.get_data(as_text=True)
    assert count(Comment) == 0 and count(Thread) == 0 and count(VerdictRecord) == 0


def test_replies_cannot_nest_without_end(client, site):
    parent = post(client, "level 0").json["comment"]["id"]
    from discuss.comments import MAX_DEPTH

    for level in range(1, MAX_DEPTH + 1):
        response = post(client, f"level {level}", parent_id=parent)
        if response.status_code != 201:
            break
        parent = response.json["comment"]["id"]
    assert level == MAX_DEPTH
    assert response.status_code == 422
    assert "parent_id" in response.json["errors"]


@pytest.mark.parametrize("text", ["", "\u202etxet desrever", "emoji \U0001f600\U0001f44d\U0001f3fd", "Z\u0351\u0352\u0353\u0354" * 50,
                                  "control \x07\x1b chars", "x" * 10_000])
def test_odd_but_valid_text_never_500s(client, site, text):
    response = post(client, text or "ok")
    assert response.status_code in (201, 202, 422)
    assert response.status_code != 500
