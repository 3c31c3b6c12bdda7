"""Admin pages for moderators: invitations, role and sites, disable and enable, tokens, and the audit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from discuss.extensions import db
from discuss.models import ApiToken, Moderator, ModeratorAction, ModeratorInvite
from tests.reviewing import PASSWORD, add_moderator, bearer, other_site  # noqa: F401

ADMIN = "/moderation/admin"
NEW_PASSWORD = "a long new passphrase"


@pytest.fixture
def people(app, site, other_site):
    return {
        "mod": add_moderator("mod@council.example", password=PASSWORD),
        "outsider": add_moderator("outsider@other.example", sites=("other",), password=PASSWORD),
        "site_admin": add_moderator("web@council.example", role="site_admin", password=PASSWORD),
        "admin": add_moderator("admin@discuss.example", role="admin", sites=(), password=PASSWORD),
    }


def login(client, email):
    response = client.post("/moderation/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def invite(client, email="new@council.example", role="moderator", sites=("council",), **extra):
    return client.post(f"{ADMIN}/moderators/invite",
                       data={"email": email, "name": "New Person", "role": role, "sites": list(sites), **extra})


def link_in(response) -> str:
    html = response.get_data(as_text=True)
    match = re.search(r'id="invite-link"[^>]*value="http://localhost(/moderation/admin/invites/[^"]+)"', html)
    assert match, html[:2000]
    return match.group(1)


def fresh(model, **where):
    db.session.commit()
    db.session.expire_all()
    return db.session.execute(sa.select(model).filter_by(**where)).scalar_one_or_none()


def entries(action=None):
    db.session.commit()
    query = sa.select(ModeratorAction).where(ModeratorAction.comment_id.is_(None)).order_by(ModeratorAction.id)
    if action:
        query = query.where(ModeratorAction.action == action)
    return list(db.session.execute(query).scalars())


# -- who gets in ------------------------------------------------------------------------

PAGES = [f"{ADMIN}/moderators", f"{ADMIN}/moderators/1"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, people, url):
    response = client.get(url)
    assert response.status_code == 302 and "/moderation/login" in response.headers["Location"]


def test_anonymous_forms_change_nothing(client, people):
    assert invite(client).status_code == 401
    assert fresh(Moderator, email="new@council.example") is None


def test_plain_moderators_are_refused(client, people):
    login(client, "mod@council.example")
    assert client.get(f"{ADMIN}/moderators").status_code == 403
    assert invite(client).status_code == 403
    assert client.post(f"{ADMIN}/moderators/{people['outsider'].id}/active", data={"active": "0"}).status_code == 403
    assert fresh(Moderator, email="outsider@other.example").active


def test_a_site_admin_sees_and_manages_only_their_sites(client, people):
    login(client, "web@council.example")
    html = client.get(f"{ADMIN}/moderators").get_data(as_text=True)
    assert "mod@council.example" in html
    assert "outsider@other.example" not in html and "admin@discuss.example" not in html
    outsider, admin = people["outsider"].id, people["admin"].id
    for target in (outsider, admin):
        assert client.get(f"{ADMIN}/moderators/{target}").status_code == 404
        assert client.post(f"{ADMIN}/moderators/{target}/active", data={"active": "0"}).status_code == 404
        assert client.post(f"{ADMIN}/moderators/{target}/tokens/revoke").status_code == 404
        assert client.post(f"{ADMIN}/moderators/{target}/access",
                           data={"role": "moderator", "sites": ["council"]}).status_code == 404
    assert fresh(Moderator, email="outsider@other.example").active
    assert fresh(Moderator, email="admin@discuss.example").role == "admin"
    # Nor can they give another site, or the admin role.
    refused = invite(client, sites=("other",))
    assert refused.status_code == 422 and "only the sites you administer" in refused.get_data(as_text=True)
    refused = invite(client, role="admin", sites=())
    assert refused.status_code == 422 and 'id="role-error"' in refused.get_data(as_text=True)
    assert fresh(Moderator, email="new@council.example") is None
    assert entries() == []


def test_a_site_admin_cannot_take_over_a_moderator_shared_with_another_site(client, people):
    shared = add_moderator("both@council.example", sites=("council", "other"), password=PASSWORD)
    login(client, "web@council.example")
    page = client.get(f"{ADMIN}/moderators/{shared.id}")
    assert page.status_code == 200 and "not change it" in page.get_data(as_text=True)
    assert client.post(f"{ADMIN}/moderators/{shared.id}/active", data={"active": "0"}).status_code == 403
    assert fresh(Moderator, email="both@council.example").active


# -- invitations ---------------------------------------------------------------------------

def test_invite_then_set_a_password_and_sign_in(client, people, app):
    login(client, "web@council.example")
    response = invite(client)
    assert response.status_code == 201
    link = link_in(response)
    assert "new@council.example" in response.get_data(as_text=True)
    invited = fresh(Moderator, email="new@council.example")
    assert invited.role == "moderator" and [s.slug for s in invited.sites] == ["council"]
    assert invited.password_hash == ""
    # Only the hash of the link's token is stored, and it is not in the audit log.
    token = link.rsplit("/", 1)[1]
    row = fresh(ModeratorInvite, moderator_id=invited.id)
    assert row.token_hash != token and token not in row.token_hash
    (entry,) = entries("moderator_invite")
    assert token not in str(entry.before) + str(entry.after) + entry.reason
    assert entry.subject == "moderator:new@council.example" and entry.after["role"] == "moderator"
    assert entry.moderator.email == "web@council.example"

    visitor = app.test_client()
    page = visitor.get(link)
    assert page.status_code == 200 and "new@council.example" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    done = visitor.post(link, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/moderation/"
    queue = visitor.get("/moderation/")
    assert queue.status_code == 200 and "New Person (moderator)" in queue.get_data(as_text=True)
    # Used once: the link is spent.
    again = app.test_client().get(link)
    assert again.status_code == 410 and "used already" in again.get_data(as_text=True)
    second = {"password": "other password!", "confirmation": "other password!"}
    assert app.test_client().post(link, data=second).status_code == 410
    assert fresh(ModeratorInvite, moderator_id=invited.id).used_at is not None
    assert entries("moderator_password_set")[0].after == {"password": "set"}


def test_bad_passwords_are_refused_beside_the_field(client, people, app):
    login(client, "admin@discuss.example")
    link = link_in(invite(client))
    visitor = app.test_client()
    short = visitor.post(link, data={"password": "short", "confirmation": "short"})
    assert short.status_code == 422 and 'id="password-error"' in short.get_data(as_text=True)
    differ = visitor.post(link, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD + "x"})
    assert differ.status_code == 422 and 'id="confirmation-error"' in differ.get_data(as_text=True)
    assert fresh(Moderator, email="new@council.example").password_hash == ""
    assert visitor.get("/moderation/").status_code == 302  # not signed in


def test_an_expired_or_unknown_link_is_refused(client, people, app):
    login(client, "admin@discuss.example")
    link = link_in(invite(client))
    row = fresh(ModeratorInvite, moderator_id=fresh(Moderator, email="new@council.example").id)
    row.expires_at = row.expires_at - timedelta(hours=73)
    db.session.commit()
    visitor = app.test_client()
    expired = visitor.get(link)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert visitor.post(link, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}).status_code == 410
    assert fresh(Moderator, email="new@council.example").password_hash == ""
    assert visitor.get(f"{ADMIN}/invites/dsi_not-a-real-token").status_code == 404
    assert visitor.get(f"{ADMIN}/invites/" + "x" * 300).status_code == 404


def test_inviting_twice_renews_the_link_without_a_second_account(client, people, app):
    login(client, "admin@discuss.example")
    first = link_in(invite(client))
    second_response = invite(client, role="site_admin")
    assert second_response.status_code == 201
    assert "Invitation renewed" in second_response.get_data(as_text=True)
    second = link_in(second_response)
    assert first != second
    db.session.commit()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Moderator)
                              .where(Moderator.email == "new@council.example")).scalar() == 1
    assert db.session.execute(sa.select(sa.func.count()).select_from(ModeratorInvite)).scalar() == 1
    assert app.test_client().get(first).status_code == 404  # the old link stopped working
    assert app.test_client().get(second).status_code == 200
    renewed = entries("moderator_invite")[-1]
    assert renewed.before == {"role": "moderator"} and renewed.after["role"] == "site_admin"
    assert "sites" not in renewed.after  # unchanged


def test_inviting_someone_who_has_a_password_is_refused(client, people):
    login(client, "admin@discuss.example")
    response = invite(client, email="MOD@council.example")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="email-error"' in html and "already a moderator" in html
    assert entries() == []


@pytest.mark.parametrize("fields, field", [
    ({"email": "not an email"}, "email"),
    ({"role": "overlord"}, "role"),
    ({"sites": ()}, "sites"),
    ({"sites": ("nowhere",)}, "sites"),
])
def test_bad_invitations_are_refused_beside_the_field(client, people, fields, field):
    login(client, "admin@discuss.example")
    response = invite(client, **fields)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert fresh(Moderator, email="new@council.example") is None
    assert entries() == []


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_forms_without_a_valid_csrf_token_are_refused(client, people, app, app_config):
    html = client.get("/moderation/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/moderation/login", data={"email": "admin@discuss.example", "password": PASSWORD,
                                           "csrf_token": token})
    page = client.get(f"{ADMIN}/moderators").get_data(as_text=True)
    good = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    for forged in ({}, {"csrf_token": "forged"}):
        assert invite(client, **forged).status_code == 400
        assert client.post(f"{ADMIN}/moderators/{people['mod'].id}/active",
                           data={"active": "0", **forged}).status_code == 400
    assert fresh(Moderator, email="new@council.example") is None
    assert fresh(Moderator, email="mod@council.example").active
    link = link_in(invite(client, csrf_token=good))
    visitor = app.test_client()
    visitor.get(link)
    assert visitor.post(link, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD,
                                    "csrf_token": "forged"}).status_code == 400
    assert fresh(Moderator, email="new@council.example").password_hash == ""


def test_cli_prints_a_link_and_renews_it(runner, people, app):
    result = runner.invoke(args=["moderators", "invite", "cli@council.example", "--role", "site_admin",
                                 "--site", "council"])
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("http://localhost:8000/moderation/admin/invites/dsi_")
    again = runner.invoke(args=["moderators", "invite", "cli@council.example", "--site", "council"])
    assert again.exit_code == 0 and "renewed" in again.output
    assert app.test_client().get(link.removeprefix("http://localhost:8000")).status_code == 404
    refused = runner.invoke(args=["moderators", "invite", "mod@council.example", "--site", "council"])
    assert refused.exit_code != 0 and "already a moderator" in refused.output
    missing = runner.invoke(args=["moderators", "invite", "x@council.example"])
    assert missing.exit_code != 0 and "at least one site" in missing.output


# -- changes to accounts ---------------------------------------------------------------------

def test_role_and_sites_change_is_audited_and_ends_sessions(client, people, app):
    victim = app.test_client()
    login(victim, "mod@council.example")
    login(client, "admin@discuss.example")
    mod_id = people["mod"].id
    response = client.post(f"{ADMIN}/moderators/{mod_id}/access",
                           data={"role": "site_admin", "sites": ["council", "other"]})
    assert response.status_code == 303
    changed = fresh(Moderator, email="mod@council.example")
    assert changed.role == "site_admin" and sorted(s.slug for s in changed.sites) == ["council", "other"]
    assert victim.get("/moderation/").status_code == 302  # signed out
    (entry,) = entries("moderator_change")
    assert entry.before == {"role": "moderator", "sites": ["council"]}
    assert entry.after == {"role": "site_admin", "sites": ["council", "other"]}
    # Saving the same again changes and records nothing.
    client.post(f"{ADMIN}/moderators/{mod_id}/access", data={"role": "site_admin", "sites": ["council", "other"]})
    assert len(entries("moderator_change")) == 1
    bad = client.post(f"{ADMIN}/moderators/{mod_id}/access", data={"role": "moderator", "sites": []})
    assert bad.status_code == 422 and 'id="sites-error"' in bad.get_data(as_text=True)
    assert fresh(Moderator, email="mod@council.example").role == "site_admin"


def test_disable_ends_sessions_and_tokens_then_enable(client, people, app):
    victim = app.test_client()
    login(victim, "mod@council.example")
    headers = bearer(people["mod"])
    assert app.test_client().get("/api/v1/moderation/queue", headers=headers).status_code == 200
    login(client, "web@council.example")
    mod_id = people["mod"].id
    assert client.post(f"{ADMIN}/moderators/{mod_id}/active", data={"active": "0"}).status_code == 303
    assert victim.get("/moderation/").status_code == 302
    assert app.test_client().get("/api/v1/moderation/queue", headers=headers).status_code == 401
    assert not fresh(Moderator, email="mod@council.example").active
    (entry,) = entries("moderator_disable")
    assert entry.before == {"active": True} and entry.after == {"active": False, "tokens_revoked": 1}
    assert client.post(f"{ADMIN}/moderators/{mod_id}/active", data={"active": "1"}).status_code == 303
    assert fresh(Moderator, email="mod@council.example").active
    assert entries("moderator_enable")[0].after == {"active": True}
    assert client.post(f"{ADMIN}/moderators/{mod_id}/active", data={"active": "maybe"}).status_code == 400
    # Nobody changes their own account here.
    own = people["site_admin"].id
    assert client.post(f"{ADMIN}/moderators/{own}/active", data={"active": "0"}).status_code == 403


def test_revoke_tokens(client, people, app):
    headers = bearer(people["mod"])
    bearer(people["mod"])
    login(client, "admin@discuss.example")
    response = client.post(f"{ADMIN}/moderators/{people['mod'].id}/tokens/revoke")
    assert response.status_code == 303
    assert app.test_client().get("/api/v1/moderation/queue", headers=headers).status_code == 401
    db.session.commit()
    assert db.session.execute(sa.select(sa.func.count()).select_from(ApiToken)).scalar() == 0
    (entry,) = entries("moderator_tokens_revoke")
    assert entry.before == {"tokens": 2} and entry.after == {"tokens": 0}
    assert "dsk_" not in str(entry.before) + str(entry.after)
    page = client.get(f"{ADMIN}/moderators/{people['mod'].id}", follow_redirects=True).get_data(as_text=True)
    assert "Revoked 2 API tokens" in page


def test_admin_changes_show_in_the_audit_log(client, people):
    login(client, "web@council.example")
    client.post(f"{ADMIN}/moderators/{people['mod'].id}/active", data={"active": "0"})
    html = client.get("/moderation/audit").get_data(as_text=True)
    assert "moderator_disable" in html and "moderator:mod@council.example" in html
