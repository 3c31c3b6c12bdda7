"""Moderators' sessions: Secure cookies, a lifetime, and a version that ends every copy
(finding 6 of issue 11), plus sign-in throttling per account (finding 2)."""

from __future__ import annotations

import pytest

from tests.reviewing import PASSWORD, add_moderator

QUEUE = "/moderation/"
EMAIL = "mod@council.example"


@pytest.fixture
def moderator(app, site):
    return add_moderator(EMAIL, password=PASSWORD)


def sign_in(client, email=EMAIL, password=PASSWORD, peer="127.0.0.1", **headers):
    return client.post("/moderation/login", data={"email": email, "password": password}, headers=headers,
                       environ_base={"REMOTE_ADDR": peer})


def copy_of_session(app, client):
    """Another browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def signed_in(client, peer="127.0.0.1", **headers) -> bool:
    response = client.get(QUEUE, headers=headers, environ_base={"REMOTE_ADDR": peer})
    return response.status_code == 200


def test_a_copied_cookie_stops_working_after_logout(app, client, moderator):
    assert sign_in(client).status_code == 302
    thief = copy_of_session(app, client)
    assert signed_in(thief)
    client.post("/moderation/logout")
    assert not signed_in(client)
    assert not signed_in(thief)


def test_a_password_change_signs_out_every_session(app, client, runner, moderator):
    sign_in(client)
    assert signed_in(client)
    result = runner.invoke(args=["moderators", "password", EMAIL, "--password-stdin"], input="another long password\n")
    assert result.exit_code == 0, result.output
    assert not signed_in(client)


def test_disable_then_enable_does_not_revive_old_sessions(app, client, runner, moderator):
    sign_in(client)
    thief = copy_of_session(app, client)
    assert runner.invoke(args=["moderators", "disable", EMAIL]).exit_code == 0
    assert runner.invoke(args=["moderators", "enable", EMAIL]).exit_code == 0
    assert not signed_in(client) and not signed_in(thief)
    sign_in(client)
    assert signed_in(client)  # signing in again works


def test_session_protection_uses_the_address_the_app_trusts(app, client, moderator):
    # Flask-Login hashed X-Forwarded-For as sent: a thief could claim the victim's address.
    sign_in(client, peer="203.0.113.5")
    assert signed_in(client, peer="203.0.113.5", **{"X-Forwarded-For": "198.51.100.1"})
    thief = copy_of_session(app, client)
    assert not signed_in(thief, peer="198.51.100.9", **{"X-Forwarded-For": "203.0.113.5"})


def test_the_session_is_permanent_with_the_configured_lifetime(app, client, moderator):
    response = sign_in(client)
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie
    assert "Secure" not in cookie  # plain http, no setting
    lifetime = client.get_cookie("session").expires - client.get_cookie("session").expires.now(
        client.get_cookie("session").expires.tzinfo)
    assert 11.9 * 3600 < lifetime.total_seconds() <= 12 * 3600


@pytest.mark.parametrize("app_config", [{"PUBLIC_URL": "https://comments.council.example"},
                                        {"SESSION_COOKIE_SECURE": True}])
def test_cookies_are_secure_when_the_service_is_https_or_told_so(app, client, moderator):
    assert "; Secure" in sign_in(client).headers["Set-Cookie"]


@pytest.mark.parametrize("app_config", [{"SESSION_LIFETIME_HOURS": 1}])
def test_the_lifetime_is_a_setting(app, client, moderator):
    sign_in(client)
    assert app.permanent_session_lifetime.total_seconds() == 3600


class TestThrottling:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "100 per minute",
                "RATELIMIT_LOGIN_ACCOUNT": "3 per 15 minutes"}

    def test_failures_per_account_add_up_across_addresses(self, client, moderator):
        # Finding 2: 13 admin passwords were tried from rotating addresses with no throttle.
        for n in range(3):
            assert sign_in(client, password=f"wrong guess {n}", peer=f"198.51.100.{n}").status_code == 401
        assert sign_in(client, peer="198.51.100.50").status_code == 429  # even with the right password
        other = add_moderator("other@council.example", password=PASSWORD)
        assert sign_in(client, email=other.email, peer="198.51.100.51").status_code == 302

    def test_successful_sign_ins_do_not_count(self, client, moderator):
        for _ in range(4):
            assert sign_in(client).status_code == 302
            client.post("/moderation/logout")

    def test_per_address_limit_still_applies(self, app, client, moderator):
        app.config["RATELIMIT_LOGIN"] = "2 per minute"
        codes = [sign_in(client, email=f"nobody{n}@x.example", password="wrong guess",
                         **{"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(3)]
        assert codes == [401, 401, 429]
