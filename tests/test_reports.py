"""Readers' reports: POST /api/v1/comments/<id>/reports, hiding after enough of them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from discuss import hookimpl
from discuss.extensions import db
from discuss.models import PENDING, PUBLISHED, Comment, ModeratorAction, Report
from tests.conftest import COUNCIL_ORIGIN
from tests.helpers import THREAD_URL
from tests.reviewing import held, holding, other_site, people, published, version_of  # noqa: F401


def report(client, comment_id, reason="abuse", ip="198.51.100.1", headers=None, **fields):
    return client.post(f"/api/v1/comments/{comment_id}/reports", json={"reason": reason, **fields},
                       environ_base={"REMOTE_ADDR": ip}, headers=headers or {})


def test_a_report_is_stored_and_acknowledged(client, site):
    comment_id = published(client)
    response = report(client, comment_id, "personal-data", note="Names my neighbour")
    assert response.status_code == 201
    assert response.json["report"] == {"id": 1, "comment_id": comment_id, "reason": "personal-data"}
    stored = db.session.execute(sa.select(Report)).scalar_one()
    assert (stored.reason, stored.note, stored.resolved) == ("personal-data", "Names my neighbour", False)
    assert stored.ip_hash and "198.51.100.1" not in stored.ip_hash
    assert client.get(THREAD_URL).json["comments"][0]["id"] == comment_id  # one report hides nothing


def test_the_same_reader_reporting_twice_counts_once(client, site):
    comment_id = published(client)
    assert report(client, comment_id).status_code == 201
    again = report(client, comment_id, "spam")
    assert again.status_code == 200
    assert db.session.execute(sa.select(sa.func.count()).select_from(Report)).scalar_one() == 1


def test_three_readers_hide_it_until_a_moderator_decides(client, people):
    events = []

    class Listener:
        @hookimpl
        def discuss_comment_reported(self, comment, site, report, hidden):
            events.append((comment.id, comment.status, site.slug, report.reason, hidden))

    client.application.extensions["discuss"].register(Listener(), name="listener")
    try:
        comment_id = published(client)
        before = client.get(THREAD_URL)
        for n, ip in enumerate(["198.51.100.1", "198.51.100.2", "198.51.100.3"]):
            assert report(client, comment_id, "abuse", ip=ip).status_code == 201
        assert [e[-1] for e in events] == [False, False, True]
        assert events[-1][:4] == (comment_id, PENDING, "council", "abuse")
    finally:
        client.application.extensions["discuss"].unregister(name="listener")

    comment = db.session.get(Comment, comment_id, populate_existing=True)
    assert (comment.status, comment.hidden_by_reports) == (PENDING, True)
    after = client.get(THREAD_URL)
    assert after.json["comments"] == [] and after.headers["ETag"] != before.headers["ETag"]
    hide = db.session.execute(sa.select(ModeratorAction)).scalar_one()
    assert (hide.action, hide.moderator_id, hide.comment_id) == ("hide", None, comment_id)
    assert hide.before["status"] == PUBLISHED and hide.after["status"] == PENDING

    queue = client.get("/api/v1/moderation/queue?status=reported", headers=people["mod"]).json["items"]
    assert [item["comment"]["id"] for item in queue] == [comment_id]
    assert queue[0]["comment"]["hidden_by_reports"] is True
    assert [r["reason"] for r in queue[0]["reports"]] == ["abuse"] * 3
    assert client.get("/api/v1/moderation/queue?status=held", headers=people["mod"]).json["items"] == []

    # a fourth report while hidden is taken but hides nothing more
    assert report(client, comment_id, "spam", ip="198.51.100.4").status_code == 201
    audit = client.get("/api/v1/moderation/audit", headers=people["mod"]).json["entries"]
    assert [(e["action"], e["moderator"]) for e in audit] == [("hide", None)]

    keep = client.post(f"/api/v1/moderation/comments/{comment_id}/decision", headers=people["mod"],
                       json={"action": "approve", "version": version_of(comment_id), "reason": "fair comment"})
    assert keep.status_code == 200
    assert client.get(THREAD_URL).json["comments"][0]["id"] == comment_id
    assert db.session.execute(sa.select(Report.resolved).distinct()).scalars().all() == [True]
    # resolved reports no longer count, and a moderator kept it: fresh reports queue it, never hide it
    assert report(client, comment_id, ip="198.51.100.1").status_code == 201
    assert db.session.get(Comment, comment_id, populate_existing=True).status == PUBLISHED


def test_after_a_moderator_approved_it_reports_queue_it_instead_of_hiding_it(client, people, holding):
    comment_id = held(client)
    approve = client.post(f"/api/v1/moderation/comments/{comment_id}/decision", headers=people["mod"],
                          json={"action": "approve", "version": version_of(comment_id)})
    assert approve.status_code == 200
    for ip in ("198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"):
        assert report(client, comment_id, "abuse", ip=ip).status_code == 201
    comment = db.session.get(Comment, comment_id, populate_existing=True)
    assert (comment.status, comment.hidden_by_reports) == (PUBLISHED, False)
    assert [c["id"] for c in client.get(THREAD_URL).json["comments"]] == [comment_id]
    queue = client.get("/api/v1/moderation/queue?status=reported", headers=people["mod"]).json["items"]
    assert [item["comment"]["id"] for item in queue] == [comment_id]
    assert len(queue[0]["reports"]) == 4
    assert [e["action"] for e in client.get("/api/v1/moderation/audit", headers=people["mod"]).json["entries"]] \
        == ["approve"]  # no automatic hide


def test_one_address_rotating_browsers_is_one_reader(client, site):
    comment_id = published(client)
    answers = [report(client, comment_id, ip="198.51.100.9", headers={"User-Agent": f"Browser/{n}"}).status_code
               for n in range(3)]
    assert answers == [201, 200, 200]  # the second and third are the same reader again
    assert db.session.get(Comment, comment_id, populate_existing=True).status == PUBLISHED
    assert db.session.execute(sa.select(sa.func.count(Report.id))).scalar_one() == 1


def test_one_browser_hopping_addresses_is_one_reader(client, site):
    # A VPN or a phone moving between networks: the id the browser keeps ties the reports.
    comment_id = published(client)
    reader = "r" * 8 + "A1b2C3d4e5F6g7H8"
    answers = [report(client, comment_id, ip=f"203.0.113.{n}", reader=reader).status_code for n in (1, 2, 3)]
    assert answers == [201, 200, 200]
    assert db.session.get(Comment, comment_id, populate_existing=True).status == PUBLISHED
    stored = db.session.execute(sa.select(Report)).scalar_one()
    assert stored.reader_hash and reader not in stored.reader_hash


def test_readers_linked_through_an_address_or_a_browser_count_once(client, site):
    comment_id = published(client)
    # Browser A at home, then browser B at home (same address), then B at work: one reader.
    assert report(client, comment_id, ip="203.0.113.10", reader="browser-A-0123456789").status_code == 201
    assert report(client, comment_id, ip="203.0.113.10", reader="browser-B-0123456789").status_code == 200
    assert report(client, comment_id, ip="203.0.113.11", reader="browser-C-0123456789").status_code == 201
    assert report(client, comment_id, ip="203.0.113.12", reader="browser-C-0123456789").status_code == 200
    # Two readers so far (home; browser C at two addresses): still public.
    assert db.session.get(Comment, comment_id, populate_existing=True).status == PUBLISHED
    assert report(client, comment_id, ip="203.0.113.13", reader="browser-D-0123456789").status_code == 201
    assert db.session.get(Comment, comment_id, populate_existing=True).hidden_by_reports is True


def test_count_readers_merges_reports_that_share_an_address_or_a_browser():
    from discuss.reports import count_readers
    assert count_readers([]) == 0
    assert count_readers([("1", "ip1", None), ("2", "ip2", None), ("3", None, None)]) == 3
    # 1 and 2 share a browser, 2 and 3 an address: one chain, one reader; 4 stands alone.
    assert count_readers([("1", "ip1", "b1"), ("2", "ip2", "b1"), ("3", "ip2", "b2"), ("4", "ip4", "b4")]) == 2


@pytest.mark.parametrize("app_config", [{"REPORTS_TO_HIDE": 1}])
def test_the_threshold_is_configurable(client, site, app_config):
    comment_id = published(client)
    report(client, comment_id)
    assert db.session.get(Comment, comment_id, populate_existing=True).hidden_by_reports is True


@pytest.mark.parametrize("body, field", [
    ({"reason": "boring"}, "reason"),
    ({}, "reason"),
    ({"reason": "spam", "note": "x" * 1001}, "note"),
    ({"reason": "spam", "colour": "red"}, "colour"),
    ({"reason": "spam", "reader": "short"}, "reader"),
    ({"reason": "spam", "reader": "x" * 65}, "reader"),
    ({"reason": "spam", "reader": "not allowed <chars> here!"}, "reader"),
])
def test_bad_reports_are_422_naming_the_field(client, site, body, field):
    comment_id = published(client)
    response = client.post(f"/api/v1/comments/{comment_id}/reports", json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(Report)).scalar_one() == 0


def test_not_json_is_415(client, site):
    comment_id = published(client)
    response = client.post(f"/api/v1/comments/{comment_id}/reports", data="reason=spam",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json["code"] == 415


def test_only_public_comments_can_be_reported(client, site, holding):
    held_id = held(client)
    for comment_id in (held_id, 999):
        response = report(client, comment_id)
        assert response.status_code == 404
        assert set(response.json) == {"code", "status", "message", "errors"}


def test_origins_the_site_does_not_allow_are_refused_and_allowed_ones_may_read(client, site):
    comment_id = published(client)
    refused = report(client, comment_id, headers={"Origin": "https://elsewhere.example"})
    unknown = report(client, 999_999, headers={"Origin": "https://elsewhere.example"})
    # Another site's page cannot show the comment: it answers exactly as an unknown id.
    assert refused.status_code == 404
    assert {k: v for k, v in refused.json.items() if k != "message"} == \
        {k: v for k, v in unknown.json.items() if k != "message"}
    assert "Access-Control-Allow-Origin" not in refused.headers
    allowed = report(client, comment_id, headers={"Origin": COUNCIL_ORIGIN})
    assert allowed.status_code == 201
    assert allowed.headers["Access-Control-Allow-Origin"] == COUNCIL_ORIGIN
    preflight = client.options(f"/api/v1/comments/{comment_id}/reports",
                               headers={"Origin": COUNCIL_ORIGIN, "Access-Control-Request-Method": "POST"})
    assert preflight.headers["Access-Control-Allow-Origin"] == COUNCIL_ORIGIN
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_REPORT": "2 per hour"}])
def test_reports_are_rate_limited_per_address(client, site, app_config):
    ids = [published(client, f"Comment {n}") for n in range(4)]
    assert report(client, ids[0]).status_code == 201
    assert report(client, ids[1]).status_code == 201
    limited = report(client, ids[2])
    assert limited.status_code == 429
    assert limited.json["code"] == 429 and "Retry-After" in limited.headers
    assert report(client, ids[3], ip="198.51.100.99").status_code == 201  # another reader is not limited


def test_the_widget_can_name_every_reason_the_service_takes():
    from discuss.embed.strings import WIDGET_STRINGS
    from discuss.reports import REASONS
    assert {f"reason_{reason}" for reason in REASONS} <= set(WIDGET_STRINGS)
