"""discuss import disqus: threads with links, posts with parents, deleted and spam flags."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from discuss.extensions import db
from discuss.models import Comment, Thread

DISQUS = str(Path(__file__).parent / "data" / "import" / "disqus.xml")


def _comments():
    return {c.author_name: c for c in db.session.execute(sa.select(Comment)).scalars()}


def test_a_disqus_export_becomes_threads_nested_as_before(runner, client, site):
    result = runner.invoke(args=["import", "disqus", DISQUS, "--site", "council"])
    assert result.exit_code == 0, result.output
    # http/https and trailing-slash variants of one page are one thread
    assert "threads: 1 created, 1 joined existing" in result.output
    assert "comments: 5 created (1 deleted, 3 published, 1 rejected)" in result.output
    assert "skipped: 1 on a page that was skipped" in result.output
    assert "skipped: 1 thread deleted in Disqus" in result.output
    page = client.get("/api/v1/sites/council/threads/planning/high-street").json
    assert page["thread"]["title"] == "High Street planning application"
    [gwen] = page["comments"]
    assert gwen["author_name"] == "Gwenllïan Jones"
    assert gwen["body_html"] == (
        "<p>I object: the <strong>height</strong> is too much.</p>\n<p>Second paragraph with "
        '<a href="https://council.example/plans" rel="nofollow ugc noopener">the plans</a>.</p>')
    [web] = gwen["replies"]
    assert web["body_html"] == "<p>Could you say which floor?<br>\nThanks</p>"
    [jan] = web["replies"]  # came before its parent in the file
    assert jan["body_html"] == "<p>Agreed — <em>far</em> too tall.</p>"
    comments = _comments()
    assert comments["Watches"].status == "rejected"
    assert comments["Anon"].status == "deleted"
    assert str(comments["Gwenllïan Jones"].created_at) == "2019-03-01 10:00:00"
    assert db.session.execute(sa.select(sa.func.count()).select_from(Thread)).scalar_one() == 1


def test_importing_disqus_twice_creates_nothing_twice(runner, site):
    assert runner.invoke(args=["import", "disqus", DISQUS, "--site", "council"]).exit_code == 0
    again = runner.invoke(args=["import", "disqus", DISQUS, "--site", "council"])
    assert again.exit_code == 0, again.output
    assert "comments: 0 created (none), 5 already imported" in again.output
    assert db.session.execute(sa.select(sa.func.count()).select_from(Comment)).scalar_one() == 5
