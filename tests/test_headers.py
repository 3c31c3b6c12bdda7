"""Security headers, set in one place (discuss/headers.py): findings 7 and 9 of issue 11."""

from __future__ import annotations

import pytest

from tests.conftest import COUNCIL_ORIGIN
from tests.embed_helpers import add_comment, make_thread
from tests.helpers import THREAD_URL
from tests.reviewing import PASSWORD, add_moderator, bearer


def csp(response) -> dict[str, str]:
    """The Content-Security-Policy as {directive: sources}."""
    parts = (part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts if part[0]}


@pytest.mark.parametrize("url", ["/healthz", THREAD_URL, "/embed/council/blog/post", "/feeds/council.atom",
                                 "/moderation/login", "/api/docs", "/api/openapi.json", "/embed.js", "/nowhere"])
def test_every_response_has_nosniff_referrer_policy_and_a_csp(client, site, url):
    response = client.get(url)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "same-origin", "no-referrer")
    assert "frame-ancestors" in csp(response)
    assert "Strict-Transport-Security" not in response.headers  # plain http


def test_moderation_pages_cannot_be_framed_or_cached(app, client, site):
    # Finding 7: the signed-in queue rendered inside another origin's iframe (clickjacking).
    add_moderator("mod@council.example", password=PASSWORD)
    login = client.get("/moderation/login")
    assert csp(login)["frame-ancestors"] == "'none'" and csp(login)["default-src"] == "'self'"
    assert login.headers["X-Frame-Options"] == "DENY"
    assert login.headers["Cache-Control"] == "no-store"
    client.post("/moderation/login", data={"email": "mod@council.example", "password": PASSWORD})
    for url in ("/moderation/", "/moderation/audit", "/moderation/audit.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert csp(response)["frame-ancestors"] == "'none'", url


def test_the_moderation_api_is_not_cached(client, site):
    headers = bearer(add_moderator("mod@council.example"))
    response = client.get("/api/v1/moderation/queue", headers=headers)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert csp(response)["default-src"] == "'none'"


def test_the_no_js_page_may_be_framed_by_the_sites_origins_only(client, site):
    response = client.get("/embed/council/blog/post")
    assert response.status_code == 200
    assert csp(response)["frame-ancestors"] == f"'self' {COUNCIL_ORIGIN}"
    assert csp(response)["default-src"] == "'none'"
    assert "X-Frame-Options" not in response.headers
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"  # it carries a one-time form token


def test_public_reads_keep_their_own_caching(client, site):
    assert "no-store" not in client.get(THREAD_URL).headers.get("Cache-Control", "")


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": ["10.0.0.1"]}])
def test_hsts_only_on_https_as_the_trusted_proxy_says(client, site):
    https = client.get("/healthz", headers={"X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert https.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/healthz", environ_base={"REMOTE_ADDR": "10.0.0.1"}).headers


@pytest.mark.parametrize("app_config", [{"HSTS_SECONDS": 0}])
def test_hsts_can_be_switched_off(client, site):
    assert "Strict-Transport-Security" not in client.get("/healthz", base_url="https://localhost").headers


@pytest.mark.parametrize("app_config", [{"TRUSTED_HOSTS": ["comments.council.example"]}])
def test_an_untrusted_host_is_refused(client, site):
    assert client.get("/healthz", base_url="https://comments.council.example").status_code == 200
    assert client.get("/healthz", base_url="https://evil.example").status_code == 400


@pytest.mark.parametrize("app_config", [{"PUBLIC_URL": "https://comments.council.example"}])
def test_feed_links_come_from_public_url_not_the_host_header(client, site):
    # Finding 9: Host: evil.example made the feed link to evil.example.
    thread = make_thread(site, "/blog/post")
    add_comment(thread, "Resident", "A fair point.")
    body = client.get("/feeds/council/blog/post.atom", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in body
    assert "https://comments.council.example/embed/council/blog/post" in body
