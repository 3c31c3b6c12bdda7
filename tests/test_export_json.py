"""discuss export and discuss import json: the round trip holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from discuss.extensions import db
from discuss.models import Comment, Site, Thread
from tests.conftest import _empty_tables

DATA = Path(__file__).parent / "data" / "import"


@pytest.fixture
def imported(runner, site):
    site.moderation = {"links": {"enabled": True}}
    site.privacy_notice = "Our notice."
    site.language = "cy"
    db.session.commit()
    for kind, name in (("wordpress", "wordpress.xml"), ("disqus", "disqus.xml")):
        result = runner.invoke(args=["import", kind, str(DATA / name), "--site", "council"])
        assert result.exit_code == 0, result.output
    return site


def _export(runner, *args) -> str:
    result = runner.invoke(args=["export", "--site", "council", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_export_is_documented_json(runner, client, imported):
    from tests.helpers import post

    assert post(client, "Written here, with an *emphasis*.", author_email="me@example.org").status_code == 201
    document = json.loads(_export(runner))
    assert document["format"] == "discuss-export" and document["version"] == 1
    assert document["personal_data"] is False
    assert document["site"] == {"slug": "council", "name": "Test Council",
                                "allowed_origins": ["https://council.example"],
                                "moderation": {"links": {"enabled": True}}, "privacy_notice": "Our notice.",
                                "language": "cy"}
    threads = {t["key"]: t for t in document["threads"]}
    assert set(threads) == {"/2023/12/01/bin-collections", "/contact", "/planning/high-street", "/blog/post"}
    assert threads["/contact"]["closed"] is True
    bins = threads["/2023/12/01/bin-collections"]["comments"]
    by_author = {c["author_name"]: c for c in bins}
    assert by_author["Web team"]["parent"] == by_author["Siân Llywelyn"]["id"]
    assert by_author["Zoë O'Brien"]["parent"] == by_author["Web team"]["id"]
    assert {c["status"] for c in bins} == {"published", "pending", "rejected", "deleted"}
    assert by_author["Siân Llywelyn"]["created_at"] == "2023-12-01T10:15:00.000000Z"
    assert all("author_email" not in c for t in document["threads"] for c in t["comments"])
    text = json.dumps(document)
    assert "sian@example.org" not in text and "me@example.org" not in text
    personal = json.loads(_export(runner, "--include-personal-data"))
    emails = {c["author_name"]: c["author_email"] for t in personal["threads"] for c in t["comments"]}
    assert emails["Siân Llywelyn"] == "sian@example.org" and emails["Binned"] is None


def test_export_import_export_gives_the_same_document(runner, client, imported, tmp_path):
    from tests.helpers import post

    assert post(client, "Native reply", author_email="me@example.org").status_code == 201
    first = _export(runner, "--include-personal-data")
    (tmp_path / "site.json").write_text(first, encoding="utf-8")
    db.session.commit()
    _empty_tables()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Site)).scalar_one() == 0

    result = runner.invoke(args=["import", "json", str(tmp_path / "site.json")])
    assert result.exit_code == 0, result.output
    assert _export(runner, "--include-personal-data") == first
    page = client.get("/api/v1/sites/council/threads/2023/12/01/bin-collections").json
    assert page["comments"][0]["replies"][0]["replies"][0]["author_name"] == "Zoë O'Brien"

    again = runner.invoke(args=["import", "json", str(tmp_path / "site.json")])
    assert again.exit_code == 0, again.output
    assert "comments: 0 created (none), 13 already imported" in again.output
    assert _export(runner, "--include-personal-data") == first


def test_export_to_a_file_and_bad_arguments(runner, imported, tmp_path):
    out = tmp_path / "out.json"
    result = runner.invoke(args=["export", "--site", "council", "--output", str(out)])
    assert result.exit_code == 0 and "12 comments of council" in result.output
    assert json.loads(out.read_text(encoding="utf-8"))["site"]["slug"] == "council"
    missing = runner.invoke(args=["export", "--site", "nowhere"])
    assert missing.exit_code == 2 and "no site 'nowhere'" in missing.output


@pytest.mark.parametrize("content, message", [
    ("{", "not JSON"),
    ("[]", 'expected an object with "format": "discuss-export"'),
    ('{"format": "discuss-export", "version": 9}', "export version 9"),
    ('{"format": "discuss-export", "version": 1, "site": {"slug": "Bad Slug", "name": "x"}, "threads": []}',
     "site.slug: 'Bad Slug'"),
    ('{"format": "discuss-export", "version": 1, "site": {"slug": "s", "name": "x", "moderation": '
     '{"links": {"enabled": "perhaps"}}}, "threads": []}', "site.moderation"),
    ('{"format": "discuss-export", "version": 1, "site": {"slug": "s", "name": "x", "language": "fr"}, '
     '"threads": []}', "site.language: 'fr'"),
    ('{"format": "discuss-export", "version": 1, "site": {"slug": "s", "name": "x"}, "threads": [{"key": "/a", '
     '"comments": [{"id": 1, "parent": 5, "author_name": "A", "status": "published", "body": "x", '
     '"created_at": "2020-01-01T00:00:00Z"}]}]}', "threads[0].comments[0] (comment 1): its parent 5"),
    ('{"format": "discuss-export", "version": 1, "site": {"slug": "s", "name": "x"}, "threads": [{"key": "/a", '
     '"comments": [{"id": 1, "author_name": "A", "status": "shown", "body": "x", '
     '"created_at": "2020-01-01T00:00:00Z"}]}]}', "threads[0].comments[0] (comment 1).status"),
    ('{"format": "discuss-export", "version": 1, "site": {"slug": "s", "name": "x"}, "threads": [{"key": "/a", '
     '"comments": [{"id": 1, "author_name": "A\\u0000", "status": "published", "body": "x", '
     '"created_at": "2020-01-01T00:00:00Z"}]}]}', "cannot be stored"),
])
def test_bad_json_documents_import_nothing(runner, app, tmp_path, content, message):
    path = tmp_path / "doc.json"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["import", "json", str(path)])
    assert result.exit_code == 1, result.output
    assert message in result.output
    for table in (Site, Thread, Comment):
        assert db.session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0


def test_importing_into_an_existing_site_keeps_its_settings(runner, imported, tmp_path):
    path = tmp_path / "site.json"
    document = json.loads(_export(runner))
    document["site"]["name"] = "Renamed elsewhere"
    document["threads"][0]["comments"].append({
        "id": 999, "parent": None, "author_name": "Newcomer", "status": "published", "body": "New since.",
        "created_at": "2024-02-01T10:00:00.000000Z", "updated_at": "2024-02-01T10:00:00.000000Z"})
    path.write_text(json.dumps(document), encoding="utf-8")
    result = runner.invoke(args=["import", "json", str(path)])
    assert result.exit_code == 0, result.output
    # what the XML imports brought is joined by page key; only the new comment is new to this source
    assert "threads: 0 created, 3 joined existing" in result.output
    # the comments are the ones already here (same page, parent, author, date, text): only one is new
    assert "comments: 1 created (1 published), 12 already imported" in result.output
    assert db.session.execute(sa.select(Site.name)).scalar_one() == "Test Council"
    assert db.session.execute(
        sa.select(sa.func.count()).select_from(Comment).filter_by(author_name="Newcomer")).scalar_one() == 1
