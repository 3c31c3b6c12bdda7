"""The bans plugin: reads the Ban records the review queue writes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from discuss.clients import hash_ip
from discuss.extensions import db
from discuss.models import Ban, Site, utcnow
from discuss.plugins import PluginSettingsError
from discuss.testing import load_settings
from discuss_builtins import bans
from tests.plugin_helpers import configure, post_as


def ban(**fields) -> Ban:
    record = Ban(reason="abuse", **fields)
    db.session.add(record)
    db.session.commit()
    return record


def test_banned_email_rejects_case_blind(client, site):
    ban(site_id=site.id, email="Troll@Example.org")
    response = post_as(client, "hello again", email="troll@example.org")
    assert response.status_code == 422
    assert response.json["errors"]["body"] == ["You cannot comment on this site."]
    assert post_as(client, "hello", email="friend@example.org").status_code == 201


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
    ban(site_id=site.id, email="troll@example.org", expires_at=utcnow() - timedelta(minutes=1))
    ban(site_id=site.id, email="later@example.org", expires_at=utcnow() + timedelta(days=1))
    assert post_as(client, "hello", email="troll@example.org").status_code == 201
    assert post_as(client, "hello", email="later@example.org").status_code == 422


def test_public_reason_is_a_setting(client, site):
    configure(site, "bans", public_reason="Your account is suspended.")
    ban(email="troll@example.org")
    response = post_as(client, "hello", email="troll@example.org")
    assert response.json["message"] == "Your account is suspended."


def test_wrong_settings_name_the_field():
    with pytest.raises(PluginSettingsError, match=r"plugin 'bans': colour"):
        load_settings(bans, {"colour": "red"})
