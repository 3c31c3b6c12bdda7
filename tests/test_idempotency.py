"""Exactly-once replies: the Idempotency-Key header, and nothing failing after the commit."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from discuss import Verdict, hookimpl
from discuss.extensions import db
from discuss.models import Comment, IdempotencyKey, Site
from tests.helpers import THREAD_URL
from tests.plugin_helpers import ScreenTogether

POST_URL = THREAD_URL + "/comments"


def count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def send(client, body="A fair point about the bins.", *, key: str | None, url: str = POST_URL, **fields):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(url, json={"author_name": "Resident", "body": body, **fields}, headers=headers)


def age_keys(*ids: int) -> None:
    """Move these keys 25 hours into the past (in Python: date arithmetic in SQL differs by database)."""
    for row in db.session.execute(sa.select(IdempotencyKey).where(IdempotencyKey.id.in_(ids))).scalars():
        row.created_at -= timedelta(hours=25)
    db.session.commit()


def new_key() -> str:
    return str(uuid.uuid4())


class Screener:
    """Holds "hold me", rejects "reject me" with a public reason."""

    @hookimpl
    def discuss_screen_comment(self, submission):
        if "hold me" in submission.body:
            return Verdict.hold("asked to be held")
        if "reject me" in submission.body:
            return Verdict.reject("asked to be rejected", public_reason="Please keep to the topic.")
        return None


@pytest.mark.parametrize("body,status", [("published at once", 201), ("please hold me", 202),
                                         ("please reject me", 422)])
def test_a_repeated_key_answers_the_first_outcome_and_stores_nothing(client, site, pm, body, status):
    pm.register(Screener(), name="screener")
    key = new_key()
    first = send(client, body, key=key)
    assert first.status_code == status
    again = send(client, body, key=key)
    assert again.status_code == status
    assert again.get_json() == first.get_json()
    assert count(Comment) == 1
    assert count(IdempotencyKey) == 1


def test_the_published_comment_is_answered_again_even_after_it_was_moderated(client, site):
    key = new_key()
    first = send(client, key=key)
    comment = db.session.get(Comment, first.json["comment"]["id"])
    comment.status = "deleted"
    db.session.commit()
    again = send(client, key=key)
    assert (again.status_code, again.json) == (201, first.json)


def test_without_a_key_each_post_is_a_new_comment(client, site):
    assert send(client, "one", key=None).status_code == 201
    assert send(client, "two", key=None).status_code == 201
    assert count(Comment) == 2
    assert count(IdempotencyKey) == 0


def test_the_same_key_with_a_different_body_is_422_naming_the_header(client, site):
    key = new_key()
    assert send(client, "the first words", key=key).status_code == 201
    response = send(client, "different words", key=key)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["errors"]
    assert count(Comment) == 1


def test_the_same_key_on_another_thread_is_a_different_request(client, site):
    key = new_key()
    assert send(client, key=key).status_code == 201
    response = send(client, key=key, url="/api/v1/sites/council/threads/elsewhere/comments")
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["errors"]


def test_keys_are_per_site(client, site):
    db.session.add(Site(slug="other", name="Other", allowed_origins=[], moderation={}))
    db.session.commit()
    key = new_key()
    assert send(client, key=key).status_code == 201
    assert send(client, key=key, url="/api/v1/sites/other/threads/blog/post/comments").status_code == 201
    assert count(Comment) == 2


@pytest.mark.parametrize("key", ["", "short", "x" * 129, "has spaces in it ok", "ünïcödé-key-0123456789",
                                 "semi;colon-0123456789"])
def test_a_malformed_key_is_422_naming_the_header_and_stores_nothing(client, site, key):
    response = send(client, key=key)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"Idempotency-Key"}
    assert count(Comment) == 0


def test_an_expired_key_may_be_used_again_and_old_keys_are_deleted_on_write(client, site):
    key = new_key()
    assert send(client, "yesterday's words", key=key).status_code == 201
    age_keys(1)
    again = send(client, "today's words", key=key)
    assert again.status_code == 201, again.json
    assert count(Comment) == 2
    ages = db.session.execute(sa.select(IdempotencyKey.created_at)).scalars().all()
    assert len(ages) == 1  # the expired row went in the same transaction


def test_privacy_purge_deletes_expired_keys(client, runner, site):
    send(client, "kept", key=new_key())
    send(client, "expires", key=new_key())
    age_keys(2)
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(sa.select(IdempotencyKey.id)).scalars().all() == [1]


def test_two_requests_with_one_key_at_once_store_one_comment(client, site, pm):
    """Both pass the look-up before either commits (a barrier in screening): the unique
    constraint lets one commit, and the other answers its outcome."""
    together = ScreenTogether()
    pm.register(together, name="together")
    key = new_key()
    db.session.commit()
    responses = []

    def one():
        responses.append(send(client, key=key))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not together.barrier.broken, "the two requests did not screen at the same time"
    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json == responses[1].json
    assert count(Comment) == 1
    assert count(IdempotencyKey) == 1


# -- after the commit -----------------------------------------------------------

class BrokenAnnouncer:
    @hookimpl
    def discuss_comment_published(self):
        raise RuntimeError("the webhook receiver is on fire")


def test_an_event_hook_that_raises_does_not_turn_a_stored_comment_into_an_error(client, site, pm, caplog):
    pm.register(BrokenAnnouncer(), name="broken")
    key = new_key()
    response = send(client, key=key)
    assert response.status_code == 201
    assert count(Comment) == 1
    assert "the webhook receiver is on fire" in caplog.text
    assert send(client, key=key).json == response.json


class DatabaseGoesAway:
    """Every statement after the reply's commit fails, as when PostgreSQL restarts then."""

    def __init__(self, engine):
        self.engine = engine
        self.armed = False    # set while screening: the next commit is the reply's
        self.broken = False
        self.failed = 0

    @hookimpl
    def discuss_screen_comment(self):
        self.armed = True
        return None

    @hookimpl
    def discuss_comment_published(self):
        # After-commit work that reads (as a webhook plugin looking something up would).
        db.session.execute(sa.text("SELECT 1"))

    def on_commit(self, _conn):
        if self.armed:
            self.broken = True

    def before_execute(self, *_args):
        if self.broken:
            self.failed += 1
            raise sa.exc.OperationalError("SELECT ...", {}, ConnectionError("server closed the connection"))

    def __enter__(self):
        sa.event.listen(self.engine, "commit", self.on_commit)
        sa.event.listen(self.engine, "before_cursor_execute", self.before_execute)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "commit", self.on_commit)
        sa.event.remove(self.engine, "before_cursor_execute", self.before_execute)


class Announcer:
    def __init__(self):
        self.seen = []

    @hookimpl
    def discuss_comment_published(self, comment):
        self.seen.append(comment.id)


def test_a_database_error_after_the_commit_still_answers_the_stored_comment(app, client, site, pm):
    key = new_key()
    db.session.commit()
    with DatabaseGoesAway(db.engine) as fault:
        pm.register(fault, name="fault")
        response = send(client, key=key)
        pm.unregister(fault)
    assert fault.failed >= 1, "the fault was never injected after the commit"
    assert response.status_code == 201
    assert response.json["comment"]["body_html"] == "<p>A fair point about the bins.</p>"
    stored = db.session.execute(sa.select(Comment)).scalar_one()
    assert response.json["comment"]["id"] == stored.id
    again = send(client, key=key)
    assert (again.status_code, again.json) == (201, response.json)
    assert count(Comment) == 1


def test_the_header_is_in_the_openapi_document_and_allowed_cross_origin(client, site):
    spec = client.get("/api/openapi.json").json
    post_op = spec["paths"]["/api/v1/sites/{site}/threads/{key}/comments"]["post"]
    header = [p for p in post_op["parameters"] if p["in"] == "header"]
    assert [p["name"] for p in header] == ["Idempotency-Key"]
    assert "16,128" in header[0]["schema"]["pattern"]
    preflight = client.options(POST_URL, headers={"Origin": "https://council.example",
                                                  "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "content-type,idempotency-key"})
    assert "Idempotency-Key" in preflight.headers["Access-Control-Allow-Headers"]
