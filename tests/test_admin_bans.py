"""Admin page for bans: filters, lift, change of end; permissions and the audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from discuss.extensions import db
from discuss.models import Ban, ModeratorAction, Site, utcnow
from tests.reviewing import PASSWORD, add_moderator, other_site  # noqa: F401

BANS = "/moderation/admin/bans"


@pytest.fixture
def people(app, site, other_site):
    return {
        "mod": add_moderator("mod@council.example", password=PASSWORD),
        "site_admin": add_moderator("web@council.example", role="site_admin", password=PASSWORD),
        "admin": add_moderator("admin@discuss.example", role="admin", sites=(), password=PASSWORD),
    }


@pytest.fixture
def bans(people):
    council = db.session.execute(sa.select(Site).filter_by(slug="council")).scalar_one()
    other = db.session.execute(sa.select(Site).filter_by(slug="other")).scalar_one()
    now = utcnow()
    rows = {
        "active": Ban(site_id=council.id, email="troll@example.org", reason="abuse in #12",
                      moderator_id=people["mod"].id, expires_at=now + timedelta(days=7)),
        "forever": Ban(site_id=council.id, ip_hash="ab" * 32, reason="spam run", moderator_id=people["mod"].id),
        "ended": Ban(site_id=council.id, email="old@example.org", reason="long ago",
                     expires_at=now - timedelta(days=1)),
        "elsewhere": Ban(site_id=other.id, email="theirs@example.org", reason="other council's"),
        "everywhere": Ban(site_id=None, email="spammer@example.org", reason="everywhere"),
    }
    db.session.add_all(rows.values())
    db.session.commit()
    return {name: ban.id for name, ban in rows.items()}


def login(client, email):
    assert client.post("/moderation/login", data={"email": email, "password": PASSWORD}).status_code == 302


def ban(ban_id):
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Ban, ban_id)


def entries():
    db.session.commit()
    return list(db.session.execute(sa.select(ModeratorAction).order_by(ModeratorAction.id)).scalars())


def test_anonymous_and_plain_moderators(client, bans):
    assert client.get(BANS).status_code == 302
    assert client.post(f"{BANS}/{bans['active']}/lift").status_code == 401
    login(client, "mod@council.example")
    assert client.get(BANS).status_code == 403
    assert client.post(f"{BANS}/{bans['active']}/lift").status_code == 403
    assert ban(bans["active"]).expires_at > utcnow()


def test_filters(client, bans):
    login(client, "admin@discuss.example")
    active = client.get(BANS).get_data(as_text=True)
    assert "troll@example.org" in active and "abababababab" not in active and "ababababab…" in active
    assert "old@example.org" not in active and "spammer@example.org" in active and "every site" in active
    assert "abuse in #12" in active and "mod@council.example" in active  # why and by whom
    ended = client.get(BANS + "?state=expired").get_data(as_text=True)
    assert "old@example.org" in ended and "troll@example.org" not in ended
    every = client.get(BANS + "?state=all&site=other").get_data(as_text=True)
    assert "theirs@example.org" in every and "troll@example.org" not in every
    assert client.get(BANS + "?state=sideways").status_code == 422
    assert client.get(BANS + "?site=nowhere").status_code == 404


def test_a_site_admin_sees_and_changes_only_their_sites_bans(client, bans):
    login(client, "web@council.example")
    html = client.get(BANS + "?state=all").get_data(as_text=True)
    assert "troll@example.org" in html and "old@example.org" in html
    assert "theirs@example.org" not in html and "spammer@example.org" not in html
    assert client.get(BANS + "?site=other").status_code == 404
    for name in ("elsewhere", "everywhere"):
        assert client.post(f"{BANS}/{bans[name]}/lift").status_code == 404
        later = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
        assert client.post(f"{BANS}/{bans[name]}/expiry", data={"expires_at": later}).status_code == 404
        assert ban(bans[name]).expires_at is None
    assert entries() == []


def test_lift_is_audited_and_the_ban_stops_applying(client, bans, people):
    login(client, "web@council.example")
    before = ban(bans["active"]).expires_at
    response = client.post(f"{BANS}/{bans['active']}/lift?state=active", data={"reason": "apologised"})
    assert response.status_code == 303 and response.headers["Location"].endswith("state=active")
    lifted = ban(bans["active"])
    assert lifted.expires_at <= utcnow()
    (entry,) = entries()
    assert entry.action == "ban_lift" and entry.subject == f"ban:{bans['active']}"
    assert entry.reason == "apologised" and entry.moderator_id == people["site_admin"].id
    assert entry.before == {"expires_at": before.replace(microsecond=0).isoformat() + "Z"} and set(entry.after) == {"expires_at"}
    # Lifting again is refused beside the ban, nothing recorded.
    again = client.post(f"{BANS}/{bans['active']}/lift")
    assert again.status_code == 422 and "ended already" in again.get_data(as_text=True)
    assert len(entries()) == 1
    assert "troll@example.org" not in client.get(BANS).get_data(as_text=True)
    # The site admin sees their change in the audit log.
    assert "ban:%d" % bans["active"] in client.get("/moderation/audit").get_data(as_text=True)


def test_a_lifted_email_can_comment_again(client, bans, people):
    from tests.helpers import post

    refused = post(client, "Before the lift.", author_email="troll@example.org")
    # Banned by email: rejected, or held when it comes from an address the email never used.
    assert refused.status_code in (202, 422), refused.json
    login(client, "admin@discuss.example")
    client.post(f"{BANS}/{bans['active']}/lift")
    client.post("/moderation/logout")
    again = post(client, "After the lift.", author_email="troll@example.org")
    assert again.status_code == 201, again.json


def test_change_expiry(client, bans):
    login(client, "admin@discuss.example")
    later = utcnow().replace(second=0, microsecond=0) + timedelta(days=30)
    response = client.post(f"{BANS}/{bans['forever']}/expiry",
                           data={"expires_at": later.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 303
    assert ban(bans["forever"]).expires_at == later
    (entry,) = entries()
    assert entry.action == "ban_expiry" and entry.before == {"expires_at": None}
    assert entry.after == {"expires_at": later.isoformat() + "Z"}
    # Empty: for good again.
    assert client.post(f"{BANS}/{bans['forever']}/expiry", data={"expires_at": ""}).status_code == 303
    assert ban(bans["forever"]).expires_at is None


@pytest.mark.parametrize("value, message", [
    ("2001-01-01T10:00", "in the future"),
    ("tomorrow", "Use a date and time"),
    ("9999-01-01T00:00", "in the years"),
])
def test_a_bad_expiry_is_refused_beside_the_field(client, bans, value, message):
    login(client, "admin@discuss.example")
    response = client.post(f"{BANS}/{bans['forever']}/expiry", data={"expires_at": value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="expires-{bans["forever"]}-error"' in html and message in html
    assert ban(bans["forever"]).expires_at is None
    assert entries() == []


def test_unknown_bans_are_404(client, bans):
    login(client, "admin@discuss.example")
    assert client.post(f"{BANS}/999999/lift").status_code == 404


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_ban_forms_without_a_valid_csrf_token_are_refused(client, bans, app_config):
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      client.get("/moderation/login").get_data(as_text=True)).group(1)
    client.post("/moderation/login", data={"email": "admin@discuss.example", "password": PASSWORD,
                                           "csrf_token": token})
    good = re.search(r'name="csrf_token" value="([^"]+)"', client.get(BANS).get_data(as_text=True)).group(1)
    for forged in ({}, {"csrf_token": "forged"}):
        assert client.post(f"{BANS}/{bans['active']}/lift", data=forged).status_code == 400
        assert client.post(f"{BANS}/{bans['forever']}/expiry", data={"expires_at": "", **forged}).status_code == 400
    assert ban(bans["active"]).expires_at > utcnow()
    assert entries() == []
    assert client.post(f"{BANS}/{bans['active']}/lift", data={"csrf_token": good}).status_code == 303
