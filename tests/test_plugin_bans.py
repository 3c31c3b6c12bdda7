"""The bans plugin: reads the Ban records the review queue writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from discuss.clients import hash_ip
from discuss.extensions import db
from discuss.models import Ban, Site, VerdictRecord, utcnow
from discuss.plugins import PluginSettingsError
from discuss.testing import load_settings
from discuss_builtins import bans
from tests.plugin_helpers import configure, post_as


def ban(**fields) -> Ban:
    record = Ban(reason="abuse", **fields)
    db.session.add(record)
    db.session.commit()
    return record


TROLL_IP = "203.0.113.9"


def posted_before(client, email: str, ip: str = TROLL_IP) -> None:
    """The comment a moderator bans for: ``email`` posting from ``ip``."""
    assert post_as(client, "first words", email=email, ip=ip).status_code == 201


def test_banned_email_rejects_case_blind(client, site):
    posted_before(client, "troll@example.org")
    ban(site_id=site.id, email="Troll@Example.org")
    response = post_as(client, "hello again", email="troll@example.org", ip=TROLL_IP)
    assert response.status_code == 422
    assert response.json["errors"]["body"] == ["You cannot comment on this site."]
    assert post_as(client, "hello", email="friend@example.org", ip=TROLL_IP).status_code == 201


def test_banned_email_from_an_address_it_never_used_is_held_not_rejected(client, site):
    # Emails are unverified: a troll may have typed a resident's address. The resident,
    # posting from home, is not locked out; a moderator sees why it was held.
    posted_before(client, "resident@example.org")
    ban(site_id=site.id, email="resident@example.org")
    response = post_as(client, "my own comment", email="resident@example.org", ip="198.51.100.200")
    assert response.status_code == 202
    newest = db.session.scalars(sa.select(VerdictRecord).where(VerdictRecord.plugin == "bans")
                                .order_by(VerdictRecord.id.desc())).first()
    verdicts = {"bans": newest}
    assert verdicts["bans"].decision == "hold"
    assert verdicts["bans"].reason == "banned email from a new address"
    # From the address the banned comment came from, it is rejected.
    assert post_as(client, "again", email="resident@example.org", ip=TROLL_IP).status_code == 422


def test_an_address_used_only_after_the_ban_is_still_new(client, site):
    posted_before(client, "troll@example.org")
    ban(site_id=site.id, email="troll@example.org")
    assert post_as(client, "one", email="troll@example.org", ip="198.51.100.201").status_code == 202
    # The held attempt does not make that address "known" for the email.
    assert post_as(client, "two", email="troll@example.org", ip="198.51.100.201").status_code == 202


def test_sites_may_reject_banned_emails_from_any_address(client, site):
    configure(site, "bans", email_from_new_address="reject")
    ban(site_id=site.id, email="troll@example.org")
    assert post_as(client, "hello", email="troll@example.org", ip="198.51.100.202").status_code == 422


def test_banned_address_rejects(client, site, app):
    with app.test_request_context():
        ban(site_id=None, ip_hash=hash_ip("198.51.100.66"))
    assert post_as(client, "hello", ip="198.51.100.66").status_code == 422
    assert post_as(client, "hello", ip="198.51.100.67").status_code == 201


def test_ban_on_another_site_does_not_apply(client, site):
    other = Site(slug="other", name="Other", allowed_origins=[], moderation={})
    db.session.add(other)
    db.session.commit()
    ban(site_id=other.id, email="troll@example.org")
    assert post_as(client, "hello", email="troll@example.org").status_code == 201


def test_expired_ban_no_longer_applies(client, site):
    posted_before(client, "later@example.org")
    ban(site_id=site.id, email="troll@example.org", expires_at=utcnow() - timedelta(minutes=1))
    ban(site_id=site.id, email="later@example.org", expires_at=utcnow() + timedelta(days=1))
    assert post_as(client, "hello", email="troll@example.org").status_code == 201
    assert post_as(client, "hello", email="later@example.org", ip=TROLL_IP).status_code == 422


def test_public_reason_is_a_setting(client, site):
    configure(site, "bans", public_reason="Your account is suspended.")
    posted_before(client, "troll@example.org")
    ban(email="troll@example.org")
    response = post_as(client, "hello", email="troll@example.org", ip=TROLL_IP)
    assert response.json["message"] == "Your account is suspended."


def test_wrong_settings_name_the_field():
    with pytest.raises(PluginSettingsError, match=r"plugin 'bans': colour"):
        load_settings(bans, {"colour": "red"})
