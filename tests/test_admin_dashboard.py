"""The admin dashboard: figures per site and period, scriptless SVG charts, CSV, permissions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from discuss.charts import scriptless
from discuss.dashboard import DashboardRefused, parse_period
from discuss.extensions import db
from discuss.models import Comment, ModeratorAction, utcnow
from tests.helpers import post
from tests.reviewing import OTHER_URL, PASSWORD, add_moderator, held, holding, other_site  # noqa: F401

DASH = "/moderation/admin/dashboard"


@pytest.fixture
def people(app, site, other_site):
    add_moderator("mod@council.example", password=PASSWORD)
    add_moderator("web@council.example", role="site_admin", password=PASSWORD)
    add_moderator("admin@discuss.example", role="admin", sites=(), password=PASSWORD)


def login(client, email):
    assert client.post("/moderation/login", data={"email": email, "password": PASSWORD}).status_code == 302


def decide(client, comment_id, action, reason=""):
    version = db.session.execute(sa.select(Comment.version).where(Comment.id == comment_id)).scalar_one()
    response = client.post(f"/moderation/comments/{comment_id}/decide",
                           data={"action": action, "version": version, "reason": reason, "next": "/moderation/"})
    assert response.status_code == 303


def age(comment_id, *, created_hours_ago: float, decided_hours_ago: float | None = None):
    now = utcnow()
    db.session.execute(sa.update(Comment).where(Comment.id == comment_id)
                       .values(created_at=now - timedelta(hours=created_hours_ago)))
    if decided_hours_ago is not None:
        db.session.execute(sa.update(ModeratorAction).where(ModeratorAction.comment_id == comment_id)
                           .values(created_at=now - timedelta(hours=decided_hours_ago)))
    db.session.commit()


@pytest.fixture
def activity(client, people, holding):
    """On council: 2 published, 3 held of which 1 approved (after 2 h) and 1 rejected (after 4 h),
    one report; on other: 1 held. One council comment 40 days old."""
    first = post(client, "A fair point about the bins.").json["comment"]["id"]
    post(client, "Another fair point.", author_name="Someone")
    waiting = held(client, "hold: waiting")
    approved = held(client, "hold: approved later", ip="203.0.113.8")
    rejected = held(client, "hold: rejected later", ip="203.0.113.9")
    held(client, "hold: elsewhere", url=OTHER_URL)
    old = post(client, "An old comment.", author_name="Old").json["comment"]["id"]
    report = client.post(f"/api/v1/comments/{first}/reports", json={"reason": "spam"})
    assert report.status_code in (201, 202), report.json
    login(client, "mod@council.example")
    decide(client, approved, "approve")
    decide(client, rejected, "reject", "Abusive")
    client.post("/moderation/logout")
    age(waiting, created_hours_ago=30)
    age(approved, created_hours_ago=10, decided_hours_ago=8)
    age(rejected, created_hours_ago=10, decided_hours_ago=6)
    age(old, created_hours_ago=40 * 24)


def test_anonymous_and_plain_moderators(client, people):
    assert client.get(DASH).status_code == 302
    assert client.get(DASH + ".csv").status_code == 302
    login(client, "mod@council.example")
    assert client.get(DASH).status_code == 403
    assert client.get(DASH + "/charts/outcomes.svg").status_code == 403


def test_a_site_admin_cannot_read_another_sites_figures(client, people):
    login(client, "web@council.example")
    assert client.get(DASH + "?site=council").status_code == 200
    for url in (DASH + "?site=other", DASH + ".csv?site=other", DASH + "/charts/outcomes.svg?site=other"):
        assert client.get(url).status_code == 404, url


def test_figures_for_one_site(client, activity):
    login(client, "web@council.example")
    html = client.get(DASH + "?site=council&period=7").get_data(as_text=True)
    assert "Which plugins hold most" in html and "holdword" in html
    rows = {(r["figure"], r["key"]): r["value"] for r in csv.DictReader(io.StringIO(
        client.get(DASH + ".csv?site=council&period=7").get_data(as_text=True)))}
    assert rows[("comments", "published")] == "3"  # 2 posted, 1 approved; the 40-day-old one is outside
    assert rows[("comments", "held")] == "1" and rows[("comments", "rejected")] == "1"
    assert rows[("queue", "size")] == "1"
    assert 29.9 <= float(rows[("queue", "oldest_age_hours")]) <= 30.5
    assert rows[("hold_to_decision", "decided")] == "2"
    assert rows[("hold_to_decision", "median_hours")] == "3.00"  # median of 2 h and 4 h
    assert rows[("held_by_plugin", "holdword")] == "3"
    assert rows[("reports", "spam")] == "1"
    # A site admin's "all sites" is their sites only.
    everything = {(r["figure"], r["key"]): r["value"] for r in csv.DictReader(io.StringIO(
        client.get(DASH + ".csv?period=90").get_data(as_text=True)))}
    assert everything[("comments", "published")] == "4" and everything[("queue", "size")] == "1"


def test_an_admin_sees_every_site_and_a_custom_period(client, activity):
    login(client, "admin@discuss.example")
    rows = {(r["figure"], r["key"]): r["value"] for r in csv.DictReader(io.StringIO(
        client.get(DASH + ".csv?period=30").get_data(as_text=True)))}
    assert rows[("queue", "size")] == "2"
    old_day = (utcnow() - timedelta(days=40)).date().isoformat()
    custom = {(r["figure"], r["key"]): r["value"] for r in csv.DictReader(io.StringIO(
        client.get(DASH + f".csv?period=custom&start={old_day}&end={old_day}").get_data(as_text=True)))}
    assert custom[("comments", "published")] == "1" and custom[("daily_published", old_day)] == "1"


@pytest.mark.parametrize("query, field", [
    ("period=custom&start=2026-05-10&end=2026-05-01", "end"),
    ("period=custom&start=yesterday&end=2026-05-01", "start"),
    ("period=12", "period"),
])
def test_bad_periods_are_refused_beside_the_field(client, people, query, field):
    login(client, "admin@discuss.example")
    response = client.get(f"{DASH}?{query}")
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert client.get(f"{DASH}.csv?{query}").status_code == 422


def test_charts_are_svg_without_scripts(client, activity):
    login(client, "admin@discuss.example")
    html = client.get(DASH).get_data(as_text=True)
    assert "<script" not in html
    for name in ("outcomes", "plugins", "reports"):
        response = client.get(f"{DASH}/charts/{name}.svg?period=30")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        svg = response.get_data(as_text=True)
        assert svg.startswith("<svg") and "<script" not in svg and "onload" not in svg.lower()
        assert "script-src" not in response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert client.get(f"{DASH}/charts/nothing.svg").status_code == 404


def test_scriptless_removes_scripts_handlers_and_links():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="x()">'
           '<script>alert(1)</script><g onclick="y()"><a xlink:href="javascript:z()"><text>t</text></a>'
           '<foreignObject><div/></foreignObject><rect width="1"/></g></svg>')
    import xml.etree.ElementTree as ET

    registered = dict(ET._namespace_map)  # process-wide: the Atom feeds rely on it
    clean = scriptless(svg)
    assert dict(ET._namespace_map) == registered
    assert clean.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    for bad in ("script", "onload", "onclick", "javascript", "foreignObject"):
        assert bad not in clean
    assert "<rect" in clean


def test_parse_period():
    from datetime import date

    today = date(2026, 11, 30)
    assert parse_period("7", today=today).start == date(2026, 11, 24)
    assert parse_period(None, today=today).start == date(2026, 11, 1)
    with pytest.raises(DashboardRefused) as refused:
        parse_period("custom", "2020-01-01", "2026-01-01", today=today)
    assert refused.value.field == "end"


def test_figures_take_the_same_few_queries_however_many_comments(app, activity):
    """Aggregated in the database: the number of statements does not grow with the rows."""
    from discuss.dashboard import figures
    from discuss.models import Moderator

    admin = db.session.execute(sa.select(Moderator).filter_by(email="admin@discuss.example")).scalar_one()
    period = parse_period("90")

    def statements() -> int:
        db.session.commit()
        db.session.refresh(admin)  # the same starting point each time: the viewer loaded
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            figures(admin, None, period)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    few = statements()
    thread_id = db.session.execute(sa.select(Comment.thread_id).limit(1)).scalar_one()
    db.session.add_all([Comment(thread_id=thread_id, author_name="Bulk", body="b", body_html="<p>b</p>",
                                status="published") for _ in range(200)])
    db.session.commit()
    assert few <= 5
    assert statements() == few
