"""discuss import wordpress: a WXR file with every status, nesting, HTML and non-ASCII names."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from discuss.extensions import db
from discuss.models import Comment, ImportSource, ModeratorAction, Thread

DATA = Path(__file__).parent / "data" / "import"
WXR = str(DATA / "wordpress.xml")


def _import(runner, *args):
    return runner.invoke(args=["import", "wordpress", *args])


def _comments():
    return {c.author_name: c for c in db.session.execute(sa.select(Comment)).scalars()}


def test_a_wordpress_export_becomes_threads_on_their_pages(runner, client, site):
    result = _import(runner, WXR, "--site", "council")
    assert result.exit_code == 0, result.output
    assert "threads: 2 created" in result.output
    assert "comments: 7 created (1 deleted, 1 pending, 4 published, 1 rejected)" in result.output
    assert "skipped: 1 pingbacks" in result.output
    assert "skipped: 1 page not published (draft)" in result.output
    assert "skipped: 1 attachment (not a page)" in result.output

    page = client.get("/api/v1/sites/council/threads/2023/12/01/bin-collections").json
    assert page["thread"]["title"] == "Bin collections over Christmas"
    [sian] = page["comments"]  # the held, spam and binned ones are not shown
    assert sian["author_name"] == "Siân Llywelyn"
    assert "<strong>garden waste</strong>" in sian["body_html"]
    assert '<a href="https://council.example/bins" rel="nofollow ugc noopener">the bins page</a>' in sian["body_html"]
    [web] = sian["replies"]
    assert web["author_name"] == "Web team"
    [zoe] = web["replies"]
    assert zoe["author_name"] == "Zoë O'Brien"
    assert "script" not in zoe["body_html"] and "onerror" not in zoe["body_html"]
    assert "javascript" not in zoe["body_html"] and "onclick" not in zoe["body_html"]
    assert zoe["body_html"] == "<p>Thanks! Diolch click</p>"

    comments = _comments()
    assert comments["Waiting Resident"].status == "pending"
    assert comments["Cheap Pills"].status == "rejected"
    assert comments["Binned"].status == "deleted"
    assert comments["Siân Llywelyn"].author_email == "sian@example.org"
    assert str(comments["Siân Llywelyn"].created_at) == "2023-12-01 10:15:00"
    # comment_date_gmt empty: comment_date read in the --timezone zone (UTC by default)
    assert str(comments["Waiting Resident"].created_at) == "2023-12-02 08:00:00"
    assert comments["Zoë O'Brien"].root_id == comments["Siân Llywelyn"].id
    dafydd = comments["Dafydd ap Gwilym"]
    assert dafydd.body_html == "<blockquote>\n<p>Write to us.</p>\n</blockquote>\n<p>Where, exactly? *Asterisks* stay [as typed].</p>"
    contact = db.session.execute(sa.select(Thread).filter_by(key="/contact")).scalar_one()
    assert contact.closed is True  # comment_status closed
    assert str(dafydd.created_at) == "2023-08-02 09:00:00"  # the GMT date, not the local one

    audit = db.session.execute(sa.select(ModeratorAction).filter_by(action="import")).scalar_one()
    assert audit.after["comments"]["published"] == 4 and "sian" not in str(audit.after).lower()


def test_importing_twice_creates_nothing_twice(runner, site):
    assert _import(runner, WXR, "--site", "council").exit_code == 0
    counts = [db.session.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
              for t in (Comment, Thread, ImportSource)]
    again = _import(runner, WXR, "--site", "council")
    assert again.exit_code == 0, again.output
    assert "comments: 0 created (none), 7 already imported" in again.output
    assert "threads: 0 created, 0 joined existing, 2 already imported" in again.output
    assert [db.session.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (Comment, Thread, ImportSource)] == counts


def test_pingbacks_on_request(runner, site):
    result = _import(runner, WXR, "--site", "council", "--include-pingbacks")
    assert result.exit_code == 0, result.output
    assert _comments()["Another Blog"].status == "published"


def test_dates_without_a_zone_follow_timezone(runner, site, tmp_path):
    from tests.import_files import wxr, wxr_comment, wxr_item

    path = tmp_path / "summer.xml"
    path.write_bytes(wxr(wxr_item(1, [
        wxr_comment(1, date="2024-07-01 10:00:00", date_gmt="0000-00-00 00:00:00", author="Local only"),
        wxr_comment(2, date="2024-07-01 10:00:00", date_gmt="2024-07-01 09:00:00", author="Both"),
    ])))
    assert _import(runner, str(path), "--site", "council", "--timezone", "Europe/London").exit_code == 0
    comments = _comments()
    assert str(comments["Local only"].created_at) == "2024-07-01 09:00:00"  # 10:00 BST is 09:00 UTC
    assert str(comments["Both"].created_at) == "2024-07-01 09:00:00"  # the GMT date wins
    bad = _import(runner, WXR, "--site", "council", "--timezone", "Mars/Olympus")
    assert bad.exit_code != 0 and "--timezone" in bad.output


def test_an_existing_thread_with_the_page_key_is_joined(runner, client, site):
    from tests.helpers import post

    assert post(client, "Posted here first",
                url="/api/v1/sites/council/threads/2023/12/01/bin-collections").status_code == 201
    result = _import(runner, WXR, "--site", "council")
    assert "1 created, 1 joined existing" in result.output
    page = client.get("/api/v1/sites/council/threads/2023/12/01/bin-collections").json
    assert sorted(c["author_name"] for c in page["comments"]) == ["Resident", "Siân Llywelyn"]


def test_screen_holds_what_the_plugins_would_hold(runner, site, pm):
    from discuss import Verdict, hookimpl

    class HoldsGarden:
        @hookimpl
        def discuss_screen_comment(self, submission):
            if "garden" in submission.body:
                return Verdict.hold("mentions gardens")
            return None

    pm.register(HoldsGarden(), name="holds-garden")
    result = _import(runner, WXR, "--site", "council", "--screen")
    assert result.exit_code == 0, result.output
    comments = _comments()
    held = comments["Siân Llywelyn"]
    assert held.status == "pending"  # approved in WordPress, held by the plugin
    assert any(v.plugin == "holds-garden" and v.reason == "mentions gardens" for v in held.verdicts)
    assert comments["Zoë O'Brien"].status == "published"
    assert comments["Cheap Pills"].status == "rejected"  # never less strict than the source
    assert comments["Web team"].verdicts  # every screened comment keeps its verdicts


def test_replies_deeper_than_the_limit_hang_beside_their_parent(runner, client, site, tmp_path):
    from discuss.comments import MAX_DEPTH
    from tests.import_files import wxr, wxr_comment, wxr_item

    chain = [wxr_comment(n, parent=n - 1 if n > 1 else 0, content=f"Level {n}") for n in range(1, 36)]
    path = tmp_path / "deep.xml"
    path.write_bytes(wxr(wxr_item(1, chain)))
    result = _import(runner, str(path), "--site", "council")
    assert result.exit_code == 0, result.output
    assert "comments: 35 created (35 published)" in result.output
    depth, node = 0, {"replies": client.get("/api/v1/sites/council/threads/news/post-1").json["comments"]}
    while node["replies"]:
        depth += 1
        node = node["replies"][0]
    assert depth == MAX_DEPTH
    level_31 = db.session.execute(sa.select(Comment).filter_by(body="Level 31")).scalar_one()
    assert level_31.parent.body == "Level 29"  # Level 30 is as deep as replies go: 31 is its sibling


def test_a_reply_to_a_pingback_is_skipped_with_it(runner, site, tmp_path):
    from tests.import_files import wxr, wxr_comment, wxr_item

    path = tmp_path / "ping.xml"
    path.write_bytes(wxr(wxr_item(1, [wxr_comment(2, parent=1, content="About that pingback"),
                                      wxr_comment(1, kind="pingback"), wxr_comment(3)])))
    result = _import(runner, str(path), "--site", "council")
    assert result.exit_code == 0, result.output
    assert "skipped: 1 replies to a skipped comment (first: comment 2" in result.output
    assert [c.source_id for c in db.session.execute(
        sa.select(ImportSource).filter_by(kind="comment")).scalars()] == ["3"]


def test_the_progress_bar_follows_the_bytes_read():
    import io

    from tqdm import tqdm

    from discuss.importing.cli import _Progress

    with tqdm(total=10_000, file=io.StringIO(), disable=False) as bar:
        reader = _Progress(io.BytesIO(b"x" * 10_000), bar)
        while reader.read(4096):
            pass
        assert bar.n == 10_000


def test_a_large_file_imports_with_the_bar_on(runner, site, monkeypatch):
    from discuss.importing import cli

    monkeypatch.setattr(cli, "PROGRESS_FROM_BYTES", 0)
    result = _import(runner, WXR, "--site", "council")
    assert result.exit_code == 0 and "comments: 7 created" in result.output
