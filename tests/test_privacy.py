"""Residents' data rights: export, erasure, retention purge, redacted edits, the notice."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from discuss.extensions import db
from discuss.models import REJECTED, Ban, Comment, ModeratorAction, Report, Site, VerdictRecord
from discuss.privacy import DEFAULT_NOTICE, REMOVED_BODY
from discuss.privacy_cli import privacy_group
from tests.helpers import THREAD_URL
from tests.reviewing import held, holding, other_site, people, published, version_of  # noqa: F401

EMAIL = "Resident.One@Example.org"
DECISION = "/api/v1/moderation/comments/{}/decision"


def everything_stored() -> str:
    """Every row of every table, as text: what an erasure must leave no trace in."""
    dumped = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).all():
            dumped.append(json.dumps([str(value) for value in row], ensure_ascii=False))
    return "\n".join(dumped).lower()


def decide(client, who, comment_id, action, **body):
    return client.post(DECISION.format(comment_id), headers=who,
                       json={"action": action, "version": version_of(comment_id), **body})


def post_from(client, ip: str, body: str, **fields) -> int:
    response = client.post(THREAD_URL + "/comments", json={"body": body, **fields},
                           environ_base={"REMOTE_ADDR": ip})
    assert response.status_code == 201, response.json
    return response.json["comment"]["id"]


def resident_history(client, people):
    """Two comments by the resident (one published, one held then banned), one by someone else."""
    kept = post_from(client, "198.51.100.22", "The bins on Elm Road were missed again.", author_email=EMAIL,
                     author_name="Ruth Resident", page_title="Bin news")
    banned = held(client, "please hold: my number is on the notice board", author_email=EMAIL,
                  author_name="Ruth Resident", ip="198.51.100.23")
    assert decide(client, people["mod"], banned, "ban", reason="abuse",
                  ban={"email": True, "ip": True}).status_code == 200
    other = post_from(client, "203.0.113.99", "Agreed, Ruth.", author_email="neighbour@example.org",
                      author_name="Nia")
    client.post(f"/api/v1/comments/{kept}/reports", json={"reason": "spam", "note": "not spam really"})
    return kept, banned, other


def test_export_lists_everything_held_about_an_email(client, people, holding, runner):
    kept, banned, other = resident_history(client, people)
    result = runner.invoke(privacy_group, ["export", EMAIL.upper()])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["email"] == EMAIL.lower()
    by_id = {c["id"]: c for c in data["comments"]}
    assert set(by_id) == {kept, banned}  # not the neighbour's
    first = by_id[kept]
    assert first["body"] == "The bins on Elm Road were missed again."
    assert first["status"] == "published" and first["site"] == "council"
    assert first["thread"]["key"] == "/blog/post" and first["thread"]["title"] == "Bin news"
    assert first["author_name"] == "Ruth Resident" and first["ip_hash"]
    assert first["created_at"].endswith("Z") and first["updated_at"]
    assert {v["plugin"] for v in first["verdicts"]} >= {"links", "profanity"}
    assert by_id[banned]["status"] == "rejected"
    assert [m["action"] for m in by_id[banned]["moderation"]] == ["ban"]
    assert len(data["bans"]) == 1 and data["bans"][0]["reason"] == "abuse"
    assert data["reports_made"]["linkable"] is False and "hash" in data["reports_made"]["note"]
    assert data["moderator_account"] is None


def test_export_of_an_unknown_email_is_empty_and_a_non_email_is_refused(app, runner):
    data = json.loads(runner.invoke(privacy_group, ["export", "nobody@example.org"]).output)
    assert data["comments"] == [] and data["bans"] == []
    refused = runner.invoke(privacy_group, ["export", "not-an-email"])
    assert refused.exit_code != 0 and "EMAIL" in refused.output


def test_erase_leaves_no_email_name_or_ip_hash_anywhere(client, people, holding, runner):
    kept, banned, other = resident_history(client, people)
    hashes = {h for h in db.session.execute(sa.select(Comment.ip_hash).where(Comment.id.in_([kept, banned])))
              .scalars() if h}
    assert hashes
    assert EMAIL.lower() in everything_stored()
    result = runner.invoke(privacy_group, ["erase", EMAIL, "--yes", "--by", "mod@council.example"])
    assert result.exit_code == 0, result.output
    assert "2 comments, 0 bodies removed, 1 bans lifted" in result.output
    db.session.expire_all()
    stored = everything_stored()
    assert EMAIL.lower() not in stored
    assert "ruth resident" not in stored
    for ip_hash in hashes:
        assert ip_hash.lower() not in stored
    # The bodies are kept (no --remove-bodies); the comments stay where they were.
    kept_row = db.session.get(Comment, kept)
    assert kept_row.body == "The bins on Elm Road were missed again." and kept_row.status == "published"
    assert client.get(THREAD_URL).json["comments"][0]["author_name"] == "Former commenter"
    # The neighbour is untouched.
    assert db.session.get(Comment, other).author_email == "neighbour@example.org"
    assert db.session.execute(sa.select(Ban)).scalars().all() == []
    # One audit entry, by the named moderator, with counts only.
    entry = db.session.execute(sa.select(ModeratorAction).where(ModeratorAction.action == "erase")).scalar_one()
    assert entry.moderator_id == people["models"]["mod"].id and entry.comment_id is None
    assert entry.after["comments"] == 2 and "@" not in json.dumps(entry.after)


def test_erase_with_remove_bodies_replaces_the_text_everywhere(client, people, holding, runner):
    comment_id = held(client, "hold: I live at 4 Elm Road", author_email=EMAIL)
    assert decide(client, people["mod"], comment_id, "edit", body="hold: I live nearby",
                  reason="address").status_code == 200
    assert decide(client, people["mod"], comment_id, "approve").status_code == 200
    result = runner.invoke(privacy_group, ["erase", EMAIL, "--yes", "--remove-bodies"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    stored = everything_stored()
    assert "elm road" not in stored and "live nearby" not in stored
    assert client.get(THREAD_URL).json["comments"][0]["body_html"] == f"<p>{REMOVED_BODY}</p>"
    assert all(v.details == {} for v in db.session.execute(
        sa.select(VerdictRecord).where(VerdictRecord.comment_id == comment_id)).scalars())
    entry = db.session.execute(sa.select(ModeratorAction).where(ModeratorAction.action == "erase")).scalar_one()
    assert entry.moderator_id is None and entry.after["bodies_removed"] == 1


def test_erase_asks_first_and_refuses_an_unknown_moderator(client, site, holding, runner):
    published(client, author_email=EMAIL)
    assert runner.invoke(privacy_group, ["erase", EMAIL], input="n\n").exit_code != 0
    assert runner.invoke(privacy_group, ["erase", EMAIL, "--yes", "--by", "x@example.org"]).exit_code != 0
    db.session.expire_all()
    assert db.session.execute(sa.select(Comment.author_email)).scalar_one() == EMAIL.lower()


def _age(comment_id: int, days: int) -> None:
    row = db.session.get(Comment, comment_id)
    db.session.execute(sa.update(Comment.__table__).where(Comment.__table__.c.id == comment_id)
                       .values(created_at=row.created_at - timedelta(days=days)))
    db.session.execute(sa.update(Report.__table__).where(Report.__table__.c.comment_id == comment_id)
                       .values(created_at=row.created_at - timedelta(days=days)))
    db.session.commit()


def test_purge_clears_old_ip_hashes_and_rejected_emails_and_bodies_once(client, people, holding, runner, app):
    old_published = published(client, "An old comment.", author_email="old@example.org")
    client.post(f"/api/v1/comments/{old_published}/reports", json={"reason": "spam"})
    old_rejected = held(client, "hold: an old rejected comment", author_email="rejected@example.org")
    assert decide(client, people["mod"], old_rejected, "reject", reason="off topic").status_code == 200
    new_rejected = held(client, "hold: a new rejected comment", author_email="new@example.org")
    assert decide(client, people["mod"], new_rejected, "reject", reason="off topic").status_code == 200
    for comment_id in (old_published, old_rejected):
        _age(comment_id, 400)
    result = runner.invoke(privacy_group, ["purge"])
    assert result.exit_code == 0, result.output
    assert "2 comment IP hashes, 1 report IP hashes, 1 rejected comments" in result.output
    db.session.expire_all()
    old, gone, new = (db.session.get(Comment, i) for i in (old_published, old_rejected, new_rejected))
    assert old.ip_hash is None and old.author_email == "old@example.org" and old.body == "An old comment."
    assert gone.status == REJECTED and gone.author_email is None and gone.body == "" and gone.ip_hash is None
    assert new.ip_hash and new.author_email == "new@example.org" and new.body
    assert db.session.execute(sa.select(Report.ip_hash)).scalar_one() is None
    again = runner.invoke(privacy_group, ["purge"])
    assert "0 comment IP hashes, 0 report IP hashes, 0 rejected comments" in again.output
    # 0 keeps everything, from the option or the setting.
    assert "nothing purged" in runner.invoke(privacy_group, ["purge", "--days", "0"]).output
    app.config["PRIVACY_RETENTION_DAYS"] = 0
    assert "nothing purged" in runner.invoke(privacy_group, ["purge"]).output
    db.session.expire_all()
    assert db.session.get(Comment, new_rejected).body == "hold: a new rejected comment"


def test_the_privacy_notice_is_in_the_thread_json_and_the_no_js_page(client, site, runner):
    page_url = "/embed/council/blog/post"
    assert client.get(THREAD_URL).json["thread"]["privacy_notice"] == DEFAULT_NOTICE
    assert DEFAULT_NOTICE in client.get(page_url).get_data(as_text=True)
    from discuss.cli import sites

    result = runner.invoke(sites, ["add", "council", "--name", "Test Council",
                                   "--privacy-notice", "Test Council keeps <b>your</b> email for a year."])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.execute(sa.select(Site.privacy_notice)).scalar_one().startswith("Test Council keeps")
    notice = "Test Council keeps <b>your</b> email for a year."
    assert client.get(THREAD_URL).json["thread"]["privacy_notice"] == notice
    html = client.get(page_url).get_data(as_text=True)
    assert "Test Council keeps &lt;b&gt;your&lt;/b&gt; email for a year." in html  # text, escaped
    assert DEFAULT_NOTICE not in html
