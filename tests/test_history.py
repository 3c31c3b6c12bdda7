"""History: the read-only questions plugins may ask, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings, strategies as st

from discuss import History
from discuss.history import _sqlite_datetime
from discuss.extensions import db
from discuss.models import Ban, Comment, Site, Thread, utcnow

IP, OTHER_IP = "a" * 64, "b" * 64


def _comment(thread, *, email="Resident@Example.org", ip=IP, body="hello", status="published", age=0):
    comment = Comment(thread_id=thread.id, author_name="R", author_email=email, ip_hash=ip, body=body,
                      body_html=f"<p>{body}</p>", status=status, created_at=utcnow() - timedelta(minutes=age))
    db.session.add(comment)
    db.session.flush()
    return comment


@pytest.fixture
def two_sites(app, site):
    other = Site(slug="other", name="Other", allowed_origins=[], moderation={})
    db.session.add(other)
    db.session.flush()
    here = Thread(site_id=site.id, key="/here", title="", url="")
    there = Thread(site_id=other.id, key="/there", title="", url="")
    db.session.add_all([here, there])
    db.session.flush()
    return site, other, here, there


def history(app, site) -> History:
    return app.extensions["discuss"].history_for(site)


def test_recent_activity_counts_every_site_within_the_window(app, two_sites):
    site, _, here, there = two_sites
    _comment(here, age=1, status="rejected")
    _comment(there, age=2)
    _comment(here, age=30)  # outside a 10 minute window
    _comment(here, email="someone@else.org", ip=OTHER_IP, age=1)
    db.session.commit()
    with history(app, site) as h:
        seen = h.recent_activity(ip_hash=IP, email="RESIDENT@example.org", within=timedelta(minutes=10))
        assert (seen.by_ip.count, seen.by_email.count) == (2, 2)
        assert seen.by_ip.oldest is not None and utcnow() - seen.by_ip.oldest >= timedelta(minutes=2)
        only_email = h.recent_activity(email="resident@example.org", within=timedelta(hours=1))
        assert (only_email.by_ip.count, only_email.by_email.count) == (0, 3)
        assert h.recent_activity(within=timedelta(hours=1)).by_ip.count == 0


def test_active_ban_scope_expiry_and_how_it_matched(app, two_sites):
    site, other, _, _ = two_sites
    db.session.add_all([
        Ban(site_id=other.id, email="banned@example.org"),                        # another site only
        Ban(site_id=None, ip_hash=OTHER_IP),                                     # every site
        Ban(site_id=site.id, email="gone@example.org", expires_at=utcnow() - timedelta(days=1)),
    ])
    db.session.commit()
    with history(app, site) as h:
        assert h.active_ban(email="banned@example.org") is None
        ban = h.active_ban(email="x@example.org", ip_hash=OTHER_IP)
        assert ban is not None and ban.by == "ip" and ban.all_sites and ban.expires_at is None
        assert h.active_ban(email="gone@example.org") is None
    with history(app, other) as h:
        ban = h.active_ban(email="Banned@Example.org")
        assert ban is not None and ban.by == "email" and not ban.all_sites


def test_has_published_here_or_anywhere(app, two_sites):
    site, _, here, there = two_sites
    _comment(there, email="known@example.org")
    _comment(here, email="held@example.org", status="pending")
    db.session.commit()
    with history(app, site) as h:
        assert not h.has_published("known@example.org")
        assert h.has_published("KNOWN@example.org", any_site=True)
        assert not h.has_published("held@example.org", any_site=True)


def test_recent_bodies_newest_first_on_this_site_and_thread(app, two_sites):
    site, _, here, there = two_sites
    first = _comment(here, body="first", age=5)
    second = _comment(here, body="second", age=1)
    _comment(there, body="elsewhere", age=1)
    other_thread = Thread(site_id=site.id, key="/page", title="", url="")
    db.session.add(other_thread)
    db.session.flush()
    third = _comment(other_thread, body="third", age=1, email=None)
    db.session.commit()
    with history(app, site) as h:
        bodies = h.recent_bodies(email="resident@example.org", ip_hash=IP, within=timedelta(minutes=30))
        assert [b.body for b in bodies] == ["third", "second", "first"]
        assert [b.id for b in h.recent_bodies(ip_hash=IP, within=timedelta(minutes=30), thread_key="/here",
                                              limit=1)] == [second.id]
        assert h.recent_bodies(ip_hash=IP, within=timedelta(minutes=3)) and \
            first.id not in {b.id for b in h.recent_bodies(ip_hash=IP, within=timedelta(minutes=3))}
        assert third.id in {b.id for b in h.recent_bodies(ip_hash=IP, within=timedelta(minutes=3))}


def test_an_empty_history_knows_nothing():
    h = History.empty()
    assert h.recent_activity(ip_hash=IP, within=timedelta(days=1)).by_ip.count == 0
    assert h.active_ban(ip_hash=IP) is None
    assert not h.has_published("a@b.org", any_site=True)
    assert h.recent_bodies(ip_hash=IP, within=timedelta(days=1)) == []


@settings(max_examples=300, deadline=None)
@given(st.datetimes(timezones=st.one_of(st.none(), st.timezones())))
def test_times_are_written_as_sqlalchemy_stores_them_in_sqlite(when):
    assert _sqlite_datetime(when) == when.strftime("%Y-%m-%d %H:%M:%S.%f")
