"""Moderator identity: password hashing, tokens, disabling, site permissions."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from discuss.auth import (
    authenticate, create_moderator, hash_password, issue_token, may_act_on, moderator_for_token, site_ids,
)
from discuss.extensions import db
from discuss.models import ApiToken
from tests.reviewing import PASSWORD, add_moderator, other_site  # noqa: F401


def test_passwords_are_hashed_with_scrypt_and_salted():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("scrypt:")
    assert first != second  # salted
    assert PASSWORD not in first
    with pytest.raises(ValueError, match="at least"):
        hash_password("short")


def test_authenticate(app, site):
    moderator = add_moderator("Mod@Council.example", password=PASSWORD)
    assert moderator.email == "mod@council.example"
    assert authenticate("MOD@council.example ", PASSWORD) is moderator
    assert authenticate("mod@council.example", PASSWORD + "!") is None
    assert authenticate("nobody@council.example", PASSWORD) is None
    moderator.active = False
    db.session.commit()
    assert authenticate("mod@council.example", PASSWORD) is None


def test_a_moderator_without_a_password_cannot_sign_in(app, site):
    add_moderator("tokens-only@council.example")
    assert authenticate("tokens-only@council.example", "") is None


def test_tokens_are_stored_hashed_and_die_with_the_account(app, site):
    moderator = add_moderator("mod@council.example")
    raw = issue_token(moderator)
    db.session.commit()
    stored = db.session.execute(sa.select(ApiToken.token_hash)).scalar_one()
    assert stored == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in stored
    assert moderator_for_token(raw) is moderator
    assert moderator_for_token(raw + "x") is None
    assert moderator_for_token("") is None
    moderator.active = False
    db.session.commit()
    assert moderator_for_token(raw) is None


def test_using_a_token_records_when_now_and_then(app, client, site):
    from datetime import timedelta

    from discuss.auth import TOKEN_USE_RESOLUTION

    moderator = add_moderator("mod@council.example")
    raw = issue_token(moderator)
    db.session.commit()
    token = db.session.execute(sa.select(ApiToken)).scalar_one()
    assert token.last_used_at is None
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/moderation/queue", headers=headers).status_code == 200
    first = token.last_used_at
    assert first is not None
    assert client.get("/api/v1/moderation/queue", headers=headers).status_code == 200
    assert token.last_used_at == first  # not a write per request
    token.last_used_at = first - TOKEN_USE_RESOLUTION - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/moderation/queue", headers=headers).status_code == 200
    assert token.last_used_at > first


def test_sites_and_roles(app, site, other_site):
    moderator = add_moderator("mod@council.example")
    admin = add_moderator("admin@discuss.example", role="admin", sites=())
    assert site_ids(moderator) == {site.id}
    assert site_ids(admin) is None
    assert may_act_on(moderator, site.id) and not may_act_on(moderator, other_site.id)
    assert may_act_on(admin, other_site.id)
    assert not may_act_on(moderator, None) and may_act_on(admin, None)  # every site: admins only
    admin.active = False
    assert not may_act_on(admin, site.id)


@pytest.mark.parametrize("email, role, sites, message", [
    ("not-an-email", "moderator", ("council",), "not an email"),
    ("a@b.example", "boss", ("council",), "role"),
    ("a@b.example", "moderator", ("nowhere",), "no site"),
])
def test_create_moderator_refuses_bad_input(app, site, email, role, sites, message):
    with pytest.raises(ValueError, match=message):
        create_moderator(email, "A", role, PASSWORD, sites)


def test_emails_are_unique(app, site):
    add_moderator("mod@council.example")
    with pytest.raises(ValueError, match="exists"):
        create_moderator("MOD@council.example", "Again", "moderator", None, ("council",))
