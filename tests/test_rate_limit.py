"""Posting is rate-limited per client, in memory by default or in Redis."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.helpers import post


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_POST": "3 per minute"}


def test_fourth_post_in_a_minute_is_429_in_the_error_shape(client, site):
    for n in range(3):
        assert post(client, f"comment {n}").status_code == 201
    response = post(client, "one too many")
    assert response.status_code == 429
    assert response.json["code"] == 429
    assert set(response.json) == {"code", "status", "message", "errors"}
    assert int(response.headers["Retry-After"]) > 0


def test_limits_are_per_client(client, site):
    for n in range(3):
        assert post(client, f"comment {n}").status_code == 201
    other = client.post("/api/v1/sites/council/threads/blog/post/comments",
                        json={"author_name": "B", "body": "from elsewhere"},
                        environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other.status_code == 201


def test_reading_is_not_limited(client, site):
    for _ in range(10):
        assert client.get("/api/v1/sites/council/threads/blog/post").status_code == 200


class TestRedisStorage:
    @pytest.fixture
    def app_config(self):
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_POST": "2 per minute",
            "RATELIMIT_STORAGE_URI": os.environ.get("DISCUSS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
        }

    @pytest.fixture(autouse=True)
    def _redis(self, app_config):
        redis = pytest.importorskip("redis")
        client = redis.Redis.from_url(app_config["RATELIMIT_STORAGE_URI"])
        try:
            client.ping()
        except redis.ConnectionError:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail("Redis is unreachable in CI")
            pytest.skip("Redis is not running")
        yield
        for key in client.scan_iter("LIMITS:LIMITER/discuss*"):
            client.delete(key)

    def test_limit_is_kept_in_redis(self, client, site, app):
        address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.1"
        env = {"REMOTE_ADDR": address}
        url = "/api/v1/sites/council/threads/blog/post/comments"
        for n in range(2):
            assert client.post(url, json={"author_name": "A", "body": f"c{n}"}, environ_base=env).status_code == 201
        assert client.post(url, json={"author_name": "A", "body": "c3"}, environ_base=env).status_code == 429
        import redis

        keys = list(redis.Redis.from_url(app.config["RATELIMIT_STORAGE_URI"]).scan_iter("LIMITS:LIMITER/discuss*"))
        assert keys, "the limiter wrote nothing to Redis"


class TestDisabled:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": False, "RATELIMIT_POST": "1 per minute"}

    def test_switch_turns_limits_off(self, client, site):
        for n in range(3):
            assert post(client, f"comment {n}").status_code == 201
