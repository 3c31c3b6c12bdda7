"""The moderation JSON API: who may do what, the queue, decisions, conflicts, the audit log."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from discuss import hookimpl
from discuss.extensions import db
from discuss.models import PENDING, PUBLISHED, REJECTED, Ban, Comment, ModeratorAction, Report
from tests.helpers import THREAD_URL
from tests.reviewing import OTHER_URL, held, holding, other_site, people, published, status_of, version_of  # noqa: F401

QUEUE = "/api/v1/moderation/queue"
AUDIT = "/api/v1/moderation/audit"


def decision_url(comment_id: int) -> str:
    return f"/api/v1/moderation/comments/{comment_id}/decision"


def decide(client, who, comment_id, action="approve", **body):
    body.setdefault("version", version_of(comment_id))
    return client.post(decision_url(comment_id), json={"action": action, **body}, headers=who)


def assert_error(response, code):
    assert response.status_code == code, response.get_data(as_text=True)
    assert set(response.json) >= {"code", "status", "message", "errors"}
    assert response.json["code"] == code
    return response.json


# -- who may do what ---------------------------------------------------------------

def _endpoints(comment_id: int, version: int):
    """Every moderation endpoint, as (method, url, json) for the council's comment."""
    return [
        ("get", QUEUE + "?site=council", None),
        ("get", f"/api/v1/moderation/comments/{comment_id}", None),
        ("post", decision_url(comment_id), {"action": "approve", "version": version}),
        ("post", "/api/v1/moderation/decisions",
         {"action": "approve", "items": [{"id": comment_id, "version": version}]}),
        ("get", AUDIT + f"?comment_id={comment_id}", None),
        ("get", f"/api/v1/moderation/audit.csv?comment_id={comment_id}", None),
    ]


@pytest.mark.parametrize("index", range(6))
def test_anonymous_and_bad_tokens_get_401_everywhere(client, people, holding, index):
    comment_id = held(client)
    method, url, body = _endpoints(comment_id, version_of(comment_id))[index]
    for headers in ({}, {"Authorization": "Bearer dsk_not-a-real-token"}, {"Authorization": "Basic Zm9vOmJhcg=="}):
        response = getattr(client, method)(url, json=body, headers=headers)
        assert_error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert status_of(comment_id) == PENDING


@pytest.mark.parametrize("index", range(6))
def test_another_sites_moderator_is_refused_everywhere(client, people, holding, index):
    """A site filter naming another site is 403; another site's comment is 404, exactly as an unknown id."""
    comment_id = held(client)
    method, url, body = _endpoints(comment_id, version_of(comment_id))[index]
    response = getattr(client, method)(url, json=body, headers=people["outsider"])
    unknown_id = 2**30
    unknown_url = url.replace(f"/{comment_id}", f"/{unknown_id}").replace(f"={comment_id}", f"={unknown_id}")
    unknown = getattr(client, method)(unknown_url,
                                      json=_with_id(body, comment_id, unknown_id), headers=people["outsider"])
    if url.endswith("/decisions"):  # bulk: the refusal is per item
        assert response.status_code == 200
        assert response.json["results"][0]["code"] == 404
        assert response.json["results"][0]["message"] == \
            unknown.json["results"][0]["message"].replace(str(unknown_id), str(comment_id))
    elif "site=council" in url:
        assert_error(response, 403)
    else:
        assert_error(response, 404)
        assert response.get_data().replace(str(comment_id).encode(), b"#") == \
            unknown.get_data().replace(str(unknown_id).encode(), b"#")
    assert status_of(comment_id) == PENDING


def _with_id(body, old: int, new: int):
    if body and "items" in body:
        return {**body, "items": [{**item, "id": new} for item in body["items"]]}
    return body


def test_the_moderator_filter_only_knows_moderators_on_your_sites(client, people, holding):
    """Whether an email moderates another site cannot be learnt: it answers as an unknown one."""
    comment_id = held(client)
    decide(client, people["mod"], comment_id)
    elsewhere = client.get(AUDIT + "?moderator=outsider@other.example", headers=people["mod"])
    unknown = client.get(AUDIT + "?moderator=nobody@other.example", headers=people["mod"])
    assert assert_error(elsewhere, 422)["errors"].keys() == assert_error(unknown, 422)["errors"].keys() == {"moderator"}
    assert elsewhere.json["message"].replace("outsider", "nobody") == unknown.json["message"]
    # Admins act on every site, so they are moderators on yours; your own site's moderators too.
    assert client.get(AUDIT + "?moderator=admin@discuss.example", headers=people["mod"]).status_code == 200
    mine = client.get(AUDIT + "?moderator=mod@council.example", headers=people["mod"])
    assert [e["comment_id"] for e in mine.json["entries"]] == [comment_id]
    assert client.get(AUDIT + "?moderator=outsider@other.example", headers=people["admin"]).status_code == 200


@pytest.mark.parametrize("who", ["mod", "admin"])
@pytest.mark.parametrize("index", range(6))
def test_the_sites_moderator_and_an_admin_may_use_every_endpoint(client, people, holding, who, index):
    comment_id = held(client)
    method, url, body = _endpoints(comment_id, version_of(comment_id))[index]
    response = getattr(client, method)(url, json=body, headers=people[who])
    assert response.status_code == 200, response.get_data(as_text=True)
    if body is not None:
        assert status_of(comment_id) == PUBLISHED


def test_an_outsider_sees_an_empty_queue_and_no_audit_of_other_sites(client, people, holding):
    comment_id = held(client)
    decide(client, people["mod"], comment_id)
    assert client.get(QUEUE, headers=people["outsider"]).json["items"] == []
    assert client.get(AUDIT, headers=people["outsider"]).json["entries"] == []
    assert len(client.get(AUDIT, headers=people["admin"]).json["entries"]) == 1


def test_a_disabled_moderators_token_stops_working_at_once(client, people, holding):
    held(client)
    assert client.get(QUEUE, headers=people["mod"]).status_code == 200
    people["models"]["mod"].active = False
    db.session.commit()
    assert_error(client.get(QUEUE, headers=people["mod"]), 401)


# -- the queue -----------------------------------------------------------------------

def test_queue_items_carry_context_verdicts_and_spans(client, people, holding):
    parent = published(client, "The bins were late.")
    held(client, "first hold")  # same address as the next one
    comment_id = held(client, "Please hold: call me", parent_id=parent, author_email="Res@Example.org",
                      page_title="Bin news")
    items = client.get(QUEUE, headers=people["mod"]).json["items"]
    item = next(i for i in items if i["comment"]["id"] == comment_id)
    comment = item["comment"]
    assert comment["status"] == "pending" and comment["version"] == 1
    # a held reply never names its thread (only a published one does)
    assert comment["thread"] == {"key": "/blog/post", "title": "", "url": ""}
    assert comment["parent"]["body"] == "The bins were late."
    assert comment["author_email"] == "res@example.org"
    assert comment["same_ip_count"] == 2  # the first hold and this one came from one address; the parent did not
    assert comment["spans"] == [[7, 11]]
    assert comment["body"][7:11] == "hold"
    verdicts = {v["plugin"]: v for v in item["verdicts"]}
    assert verdicts["holdword"]["decision"] == "hold"
    assert verdicts["holdword"]["reason"] == "asked to be held"


def test_queue_is_oldest_first_and_pages_by_cursor_without_gaps(client, people, holding):
    ids = [held(client, f"hold number {n}") for n in range(7)]
    seen, cursor = [], None
    while True:
        url = QUEUE + "?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=people["mod"]).json
        assert page["total"] == 7
        seen += [item["comment"]["id"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == ids
    newest = client.get(QUEUE + "?order=newest&limit=50", headers=people["mod"]).json["items"]
    assert [item["comment"]["id"] for item in newest] == ids[::-1]


def test_queue_filters(client, people, holding):
    from discuss import Verdict

    class Shouty:
        @hookimpl
        def discuss_screen_comment(self, submission):
            return Verdict.hold("too excited") if "!!" in submission.body else None

    holding.register(Shouty(), name="shouty")
    on_blog = held(client, "hold on")
    on_news = held(client, "hold on", url="/api/v1/sites/council/threads/news")
    shouted = held(client, "hold it!!")
    outside = held(client, "hold on", url=OTHER_URL)
    mod, admin = people["mod"], people["admin"]

    def ids(query, who=mod):
        response = client.get(QUEUE + query, headers=who)
        assert response.status_code == 200, response.json
        return {item["comment"]["id"] for item in response.json["items"]}

    assert ids("") == {on_blog, on_news, shouted}
    assert ids("", admin) == {on_blog, on_news, shouted, outside}
    assert ids("?site=other", admin) == {outside}
    assert ids("?thread=/news") == {on_news}
    assert ids("?thread=blog/post/") == {on_blog, shouted}
    assert ids("?plugin=shouty") == {shouted}
    assert ids("?reason=too%20excited") == {shouted}
    assert ids("?reason=asked%20to%20be%20held") == {on_blog, on_news, shouted}
    assert ids("?since=2000-01-01&until=2999-01-01") == {on_blog, on_news, shouted}
    assert ids("?until=2000-01-01") == set()
    assert ids("?status=reported") == set()
    assert ids("?status=held") == {on_blog, on_news, shouted}


@pytest.mark.parametrize("query, field", [
    ("?status=lost", "status"),
    ("?order=sideways", "order"),
    ("?since=yesterday", "since"),
    ("?limit=0", "limit"),
    ("?limit=1000", "limit"),
    ("?cursor=bm90LWEtY3Vyc29y", "cursor"),
    ("?site=nowhere", "site"),
    ("?thread=/a/../b", "thread"),
    ("?since=2026-05-02&until=2026-05-01", "until"),
    ("?colour=red", "colour"),
])
def test_bad_queue_filters_are_422_naming_the_field(client, people, holding, query, field):
    body = assert_error(client.get(QUEUE + query, headers=people["mod"]), 422)
    assert field in body["errors"]


# -- decisions --------------------------------------------------------------------------

def test_approve_publishes_at_once_and_changes_the_etag(client, people, holding):
    published(client, "Already here.")
    before = client.get(THREAD_URL)
    comment_id = held(client, "hold this for a moment")
    response = decide(client, people["mod"], comment_id, "approve", reason="fine")
    assert response.status_code == 200, response.json
    assert response.json["comment"]["status"] == "published"
    assert response.json["comment"]["version"] == 1 + response.json["audit"]["before"]["version"]
    assert response.json["audit"]["moderator"] == "mod@council.example"
    after = client.get(THREAD_URL, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert [c["id"] for c in after.json["comments"]] == [1, comment_id]
    assert client.get(QUEUE, headers=people["mod"]).json["items"] == []


def test_reject_needs_a_reason_and_never_shows(client, people, holding):
    comment_id = held(client)
    assert "reason" in assert_error(decide(client, people["mod"], comment_id, "reject"), 422)["errors"]
    response = decide(client, people["mod"], comment_id, "reject", reason="Breaks the house rules")
    assert response.status_code == 200
    assert status_of(comment_id) == REJECTED
    assert client.get(THREAD_URL).json["comments"] == []


def test_edit_then_approve_rerenders_and_records_the_new_text_only(client, people, holding):
    comment_id = held(client, "hold on, ring me on 07700 900123")
    response = decide(client, people["mod"], comment_id, "edit", body="hold on, ring the *council*",
                      reason="removed a phone number")
    assert response.status_code == 200
    assert response.json["comment"]["body_html"] == "<p>hold on, ring the <em>council</em></p>"
    assert client.get(THREAD_URL).json["comments"][0]["body_html"] == "<p>hold on, ring the <em>council</em></p>"
    entry = client.get(AUDIT + f"?comment_id={comment_id}", headers=people["mod"]).json["entries"][0]
    assert entry["action"] == "edit"
    # The replaced text (here a phone number) is not kept: only its length (docs/moderation.md).
    assert entry["before"]["body"] == "[replaced text not kept: 32 characters]"
    assert "07700" not in client.get(AUDIT + ".csv", headers=people["mod"]).get_data(as_text=True)
    assert entry["after"]["body"] == "hold on, ring the *council*"
    assert entry["reason"] == "removed a phone number"
    assert "body" in assert_error(decide(client, people["mod"], comment_id, "edit", body="  "), 422)["errors"]


def test_ban_rejects_and_records_the_ban(client, people, holding):
    comment_id = held(client, "hold this", author_email="troll@example.org")
    response = decide(client, people["mod"], comment_id, "ban", reason="repeat abuse",
                      ban={"email": True, "ip": True, "expires_at": "2999-01-01"})
    assert response.status_code == 200, response.json
    assert status_of(comment_id) == REJECTED
    ban = db.session.execute(sa.select(Ban)).scalar_one()
    assert ban.email == "troll@example.org"
    assert ban.ip_hash == db.session.get(Comment, comment_id).ip_hash
    assert ban.site_id == people["models"]["mod"].sites[0].id
    assert ban.expires_at.year == 2999
    assert response.json["ban"]["email"] == "troll@example.org"


def test_ban_on_every_site_is_for_admins_and_needs_something_to_ban(client, people, holding):
    comment_id = held(client)  # no email
    assert "email" in assert_error(decide(client, people["mod"], comment_id, "ban"), 422)["errors"]
    assert_error(decide(client, people["mod"], comment_id, "ban", ban={"email": False, "ip": True,
                                                                        "all_sites": True}), 403)
    response = decide(client, people["admin"], comment_id, "ban", ban={"email": False, "ip": True,
                                                                        "all_sites": True})
    assert response.status_code == 200
    assert db.session.execute(sa.select(Ban.site_id)).scalar_one() is None
    assert "expires_at" in assert_error(
        decide(client, people["admin"], comment_id, "ban", ban={"email": False, "ip": True,
                                                                "expires_at": "2001-01-01"}), 422)["errors"]


def test_delete_and_restore(client, people):
    comment_id = published(client, "Visible for now.")
    assert decide(client, people["mod"], comment_id, "delete", reason="on reflection").status_code == 200
    assert client.get(THREAD_URL).json["comments"] == []
    assert decide(client, people["mod"], comment_id, "restore").status_code == 200
    assert client.get(THREAD_URL).json["comments"][0]["id"] == comment_id
    assert [e["after"]["version"] - e["before"]["version"] for e in
            client.get(AUDIT, headers=people["mod"]).json["entries"]] == [1, 1]


def test_a_stale_version_is_409_with_the_current_state(client, people, holding):
    comment_id = held(client)
    seen = version_of(comment_id)
    assert decide(client, people["mod"], comment_id, "approve", version=seen).status_code == 200
    body = assert_error(decide(client, people["admin"], comment_id, "reject", version=seen, reason="spam"), 409)
    assert body["current"]["status"] == "published"
    assert body["current"]["version"] == seen + 1
    assert body["current"]["last_action"]["moderator"] == "mod@council.example"
    assert status_of(comment_id) == PUBLISHED
    # an action that does not apply to the current state is a conflict too
    assert_error(decide(client, people["mod"], comment_id, "restore"), 409)


@pytest.mark.parametrize("body, field", [
    ({"action": "promote", "version": 1}, "action"),
    ({"action": "approve"}, "version"),
    ({"action": "approve", "version": "1"}, "version"),
    ({"action": "approve", "version": 1, "reason": "x" * 501}, "reason"),
    ({"action": "approve", "version": 1, "colour": "red"}, "colour"),
    ({"action": "ban", "version": 1, "ban": {"email": "yes please"}}, "ban"),
])
def test_bad_decisions_are_422_naming_the_field(client, people, holding, body, field):
    comment_id = held(client)
    response = client.post(decision_url(comment_id), json=body, headers=people["mod"])
    assert field in assert_error(response, 422)["errors"]
    assert status_of(comment_id) == PENDING


def test_unknown_comments_are_404(client, people):
    assert_error(client.post(decision_url(999), json={"action": "approve", "version": 1},
                             headers=people["mod"]), 404)
    assert_error(client.get("/api/v1/moderation/comments/999", headers=people["mod"]), 404)
    assert_error(client.get(AUDIT + "?comment_id=999", headers=people["mod"]), 404)


def test_bulk_decides_each_and_reports_conflicts(client, people, holding):
    first, second, third = (held(client, f"hold {n}") for n in range(3))
    seen = {n: version_of(n) for n in (first, second, third)}
    decide(client, people["mod"], third, "approve")
    response = client.post("/api/v1/moderation/decisions", headers=people["mod"], json={
        "action": "reject", "reason": "spam",
        "items": [{"id": first, "version": seen[first]}, {"id": second, "version": seen[second]},
                  {"id": third, "version": seen[third]}, {"id": 999, "version": 1}],
    })
    assert response.status_code == 200
    results = response.json["results"]
    assert [r["ok"] for r in results] == [True, True, False, False]
    assert results[2]["code"] == 409 and results[2]["current"]["status"] == "published"
    assert results[3]["code"] == 404
    assert (status_of(first), status_of(second), status_of(third)) == (REJECTED, REJECTED, PUBLISHED)
    bad = client.post("/api/v1/moderation/decisions", headers=people["mod"],
                      json={"action": "edit", "items": [{"id": first, "version": version_of(first)}]})
    assert "action" in assert_error(bad, 422)["errors"]
    assert "reason" in assert_error(client.post("/api/v1/moderation/decisions", headers=people["mod"], json={
        "action": "reject", "items": [{"id": first, "version": version_of(first)}]}), 422)["errors"]


# -- events ----------------------------------------------------------------------------

def test_decisions_fire_moderation_decided_then_published(client, people, holding):
    calls = []

    class Listener:
        @hookimpl
        def discuss_moderation_decided(self, comment, site, action, moderator, reason, record):
            calls.append(("decided", comment.id, comment.status, site.slug, action, moderator.email, reason,
                          record.before["status"]))

        @hookimpl
        def discuss_comment_published(self, comment):
            calls.append(("published", comment.id))

    holding.register(Listener(), name="listener")
    comment_id = held(client)
    decide(client, people["mod"], comment_id, "approve", reason="ok")
    decide(client, people["mod"], comment_id, "delete", reason="gone")
    assert calls == [
        ("decided", comment_id, "published", "council", "approve", "mod@council.example", "ok", "pending"),
        ("published", comment_id),
        ("decided", comment_id, "deleted", "council", "delete", "mod@council.example", "gone", "published"),
    ]


def test_a_refused_decision_fires_nothing(client, people, holding):
    calls = []

    class Listener:
        @hookimpl
        def discuss_moderation_decided(self, comment):
            calls.append(comment.id)

    holding.register(Listener(), name="listener")
    comment_id = held(client)
    decide(client, people["mod"], comment_id, "approve", version=7)
    decide(client, people["outsider"], comment_id, "approve")
    assert calls == []


# -- the audit log -------------------------------------------------------------------

def test_audit_lists_every_decision_with_who_when_and_filters(client, people, holding):
    a, b = held(client, "hold a"), held(client, "hold b")
    decide(client, people["mod"], a, "approve", reason="fine")
    decide(client, people["admin"], b, "reject", reason="spam")
    entries = client.get(AUDIT, headers=people["mod"]).json["entries"]
    assert [(e["comment_id"], e["moderator"], e["action"], e["reason"]) for e in entries] == [
        (b, "admin@discuss.example", "reject", "spam"), (a, "mod@council.example", "approve", "fine")]
    assert entries[0]["before"]["status"] == "pending" and entries[0]["after"]["status"] == "rejected"
    assert entries[0]["created_at"].endswith("Z")
    only_admin = client.get(AUDIT + "?moderator=admin@discuss.example", headers=people["mod"]).json["entries"]
    assert [e["comment_id"] for e in only_admin] == [b]
    assert client.get(AUDIT + "?since=2999-01-01", headers=people["mod"]).json["entries"] == []
    assert "moderator" in assert_error(client.get(AUDIT + "?moderator=nobody@x.org", headers=people["mod"]),
                                       422)["errors"]
    paged = client.get(AUDIT + "?limit=1", headers=people["mod"]).json
    assert len(paged["entries"]) == 1
    rest = client.get(AUDIT + f"?limit=1&cursor={paged['next']}", headers=people["mod"]).json
    assert [e["comment_id"] for e in rest["entries"]] == [a] and rest["next"] is None


def test_audit_csv_export(client, people, holding):
    comment_id = held(client)
    decide(client, people["mod"], comment_id, "reject", reason="=HYPERLINK(\"x\")")
    response = client.get("/api/v1/moderation/audit.csv", headers=people["mod"])
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["id", "created_at", "site", "comment_id", "moderator", "action", "reason", "before", "after",
                       "subject"]
    assert rows[1][2:6] == ["council", str(comment_id), "mod@council.example", "reject"]
    assert rows[1][6].startswith("'=")  # not a formula in a spreadsheet


def test_every_moderation_route_is_in_the_openapi_document_with_bearer_auth(client):
    spec = client.get("/api/openapi.json").json
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path in ("/api/v1/moderation/queue", "/api/v1/moderation/comments/{comment_id}/decision",
                 "/api/v1/moderation/audit", "/api/v1/moderation/decisions", "/api/v1/moderation/audit.csv",
                 "/api/v1/moderation/comments/{comment_id}"):
        operations = spec["paths"][path]
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["security"] == [{"bearerAuth": []}], path
    decision = spec["paths"]["/api/v1/moderation/comments/{comment_id}/decision"]["post"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(decision["responses"])
    assert "/api/v1/comments/{comment_id}/reports" in spec["paths"]


def test_a_comment_shows_its_audit_history(client, people, holding):
    comment_id = held(client)
    decide(client, people["mod"], comment_id, "approve")
    body = client.get(f"/api/v1/moderation/comments/{comment_id}", headers=people["mod"]).json
    assert body["comment"]["status"] == "published"
    assert [e["action"] for e in body["audit"]] == ["approve"]


def test_reports_are_resolved_by_a_decision(client, people):
    comment_id = published(client)
    client.post(f"/api/v1/comments/{comment_id}/reports", json={"reason": "spam"})
    items = client.get(QUEUE + "?status=reported", headers=people["mod"]).json["items"]
    assert [i["comment"]["id"] for i in items] == [comment_id]
    assert items[0]["reports"][0]["reason"] == "spam"
    decide(client, people["mod"], comment_id, "approve", reason="not spam")
    assert client.get(QUEUE, headers=people["mod"]).json["items"] == []
    assert db.session.execute(sa.select(Report.resolved)).scalar_one() is True
    assert db.session.execute(sa.select(sa.func.count()).select_from(ModeratorAction)).scalar_one() == 1


def test_the_total_is_counted_up_to_a_cap(client, people, holding, monkeypatch):
    from discuss.review import queue

    for n in range(3):
        held(client, f"hold {n}")
    page = client.get(QUEUE, headers=people["mod"]).json
    assert (page["total"], page["total_capped"]) == (3, False)
    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    page = client.get(QUEUE, headers=people["mod"]).json
    assert (page["total"], page["total_capped"], len(page["items"])) == (2, True, 3)


def test_editing_a_published_comment_changes_the_public_thread_at_once(client, people):
    comment_id = published(client, "The bins were late on Tuesday.")
    before = client.get(THREAD_URL)
    response = decide(client, people["mod"], comment_id, "edit", body="The bins were late on Wednesday.")
    assert response.status_code == 200
    after = client.get(THREAD_URL, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.json["comments"][0]["body_html"] == "<p>The bins were late on Wednesday.</p>"
