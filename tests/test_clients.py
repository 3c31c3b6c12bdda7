"""Who the client is: trusted proxies only, and hashes of addresses (findings 1 and 2 of issue 11)."""

from __future__ import annotations

import hashlib
import hmac

import pytest
import sqlalchemy as sa

from discuss.clients import hash_ip, parse_networks, resolve_client
from discuss.extensions import db
from discuss.models import Comment
from tests.helpers import THREAD_URL

PROXIES = parse_networks(["10.0.0.0/8", "2001:db8:ffff::1"])


@pytest.mark.parametrize("peer, forwarded, client", [
    ("203.0.113.9", "", "203.0.113.9"),
    ("203.0.113.9", "198.51.100.1", "203.0.113.9"),                # a direct client forging the header
    ("10.0.0.2", "203.0.113.9", "203.0.113.9"),                    # through our proxy
    ("10.0.0.2", "198.51.100.1, 203.0.113.9", "203.0.113.9"),      # spoofed left part ignored
    ("10.0.0.2", "203.0.113.9, 10.0.0.7", "203.0.113.9"),          # two proxies of ours
    ("10.0.0.2", "not-an-address, 203.0.113.9", "203.0.113.9"),
    ("10.0.0.2", "203.0.113.9, garbage", "10.0.0.2"),              # garbage next to us: believe nothing further
    ("10.0.0.2", "10.0.0.3", "10.0.0.3"),                          # only proxies: the furthest one
    ("2001:db8:ffff::1", "[2001:db8:1::5]:4711", "2001:db8:1::5"),
    ("::ffff:10.0.0.2", "203.0.113.9", "203.0.113.9"),             # IPv4-mapped peer
])
def test_client_is_the_rightmost_untrusted_address(peer, forwarded, client):
    assert resolve_client(peer, forwarded, PROXIES) == client


def test_a_setting_that_is_not_an_address_stops_start_up(database_url):
    from tests.conftest import make_app

    with pytest.raises(RuntimeError, match="DISCUSS_TRUSTED_PROXIES"):
        make_app(database_url, TRUSTED_PROXIES=["proxy.internal"])


def _stored_ip_hash(body: str) -> str:
    return db.session.execute(sa.select(Comment.ip_hash).filter_by(body=body)).scalar_one()


def _post(client, body: str, peer: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return client.post(THREAD_URL + "/comments", json={"author_name": "R", "body": body}, headers=headers,
                       environ_base={"REMOTE_ADDR": peer})


class TestWithoutTrustedProxies:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_POST": "3 per minute"}

    def test_rotating_the_header_does_not_escape_the_rate_limit(self, client, site):
        # Finding 2: a client rotating X-Forwarded-For posted 14 times with no 429.
        codes = [_post(client, f"comment {n}", "203.0.113.9", f"198.51.100.{n}").status_code for n in range(5)]
        assert codes == [201, 201, 201, 429, 429]

    def test_the_header_does_not_reach_the_ip_hash(self, client, site):
        _post(client, "forged", "203.0.113.9", "198.51.100.1")
        assert _stored_ip_hash("forged") == hash_ip("203.0.113.9")


class TestBehindTrustedProxy:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_POST": "3 per minute", "TRUSTED_PROXIES": ["10.0.0.0/8"]}

    def test_each_client_behind_the_proxy_has_its_own_bucket(self, client, site):
        # Finding 2, the other way: behind a proxy everyone shared one bucket.
        for n in range(3):
            assert _post(client, f"a {n}", "10.0.0.2", "203.0.113.1").status_code == 201
        assert _post(client, "a 3", "10.0.0.2", "203.0.113.1").status_code == 429
        assert _post(client, "b 0", "10.0.0.2", "203.0.113.2").status_code == 201

    def test_a_spoofed_left_part_does_not_change_the_client(self, client, site):
        for n in range(3):
            assert _post(client, f"s {n}", "10.0.0.2", f"198.51.100.{n}, 203.0.113.1").status_code == 201
        assert _post(client, "s 3", "10.0.0.2", "198.51.100.99, 203.0.113.1").status_code == 429
        assert _stored_ip_hash("s 0") == hash_ip("203.0.113.1")

    def test_proto_and_host_are_believed_from_the_proxy_only(self, client, site):
        through = client.get("/healthz", headers={"X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": "10.0.0.2"})
        direct = client.get("/healthz", headers={"X-Forwarded-Proto": "https"},
                            environ_base={"REMOTE_ADDR": "203.0.113.9"})
        assert "Strict-Transport-Security" in through.headers
        assert "Strict-Transport-Security" not in direct.headers


def test_ipv6_addresses_are_hashed_by_their_64(app):
    assert hash_ip("2001:db8:1:2::1") == hash_ip("2001:db8:1:2:ffff:ffff:ffff:9")
    assert hash_ip("2001:db8:1:2::1") != hash_ip("2001:db8:1:3::1")
    assert hash_ip("203.0.113.1") != hash_ip("203.0.113.2")


@pytest.mark.parametrize("app_config", [{"IP_HASH_KEY": "a separate key for hashing addresses only"}])
def test_addresses_are_keyed_by_the_ip_hash_key_not_the_secret_key(app):
    # Finding 1: the session key also keyed IP hashes, so one leak undid both.
    expected = hmac.new(b"a separate key for hashing addresses only", b"203.0.113.1", hashlib.sha256).hexdigest()[:32]
    assert hash_ip("203.0.113.1") == expected
    with_session_key = hmac.new(app.config["SECRET_KEY"].encode(), b"203.0.113.1", hashlib.sha256).hexdigest()[:32]
    assert hash_ip("203.0.113.1") != with_session_key
