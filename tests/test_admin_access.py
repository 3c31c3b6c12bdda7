"""The admin area's door: who gets in, on which sites, and the CLI's site_admin role."""

from __future__ import annotations

import pytest

from tests.reviewing import PASSWORD, add_moderator, other_site  # noqa: F401


@pytest.fixture
def people(app, site, other_site):
    add_moderator("mod@council.example", password=PASSWORD)
    add_moderator("siteadmin@council.example", role="site_admin", password=PASSWORD)
    add_moderator("admin@discuss.example", role="admin", sites=(), password=PASSWORD)


def login(client, email):
    response = client.post("/moderation/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("url", ["/moderation/admin/", "/moderation/admin/sites", "/moderation/admin/sites/council"])
def test_anonymous_visitors_are_sent_to_sign_in(client, people, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/moderation/login?next=")


@pytest.mark.parametrize("url", ["/moderation/admin/sites", "/moderation/admin/sites/council"])
def test_plain_moderators_are_refused(client, people, url):
    login(client, "mod@council.example")
    assert client.get(url).status_code == 403
    assert "/moderation/admin/" not in client.get("/moderation/").get_data(as_text=True)


def test_a_site_admin_sees_only_their_sites(client, people):
    login(client, "siteadmin@council.example")
    html = client.get("/moderation/admin/sites").get_data(as_text=True)
    assert "/moderation/admin/sites/council" in html
    assert "/moderation/admin/sites/other" not in html
    assert client.get("/moderation/admin/sites/council").status_code == 200
    # Another site answers as an unknown one does.
    assert client.get("/moderation/admin/sites/other").status_code == 404
    assert client.get("/moderation/admin/sites/nowhere").status_code == 404
    assert 'href="/moderation/admin/"' in client.get("/moderation/").get_data(as_text=True)


def test_an_admin_sees_every_site(client, people):
    login(client, "admin@discuss.example")
    html = client.get("/moderation/admin/sites").get_data(as_text=True)
    assert "/moderation/admin/sites/council" in html and "/moderation/admin/sites/other" in html
    assert client.get("/moderation/admin/sites/other").status_code == 200


def test_the_nav_links_only_sections_that_exist(client, people, app):
    from discuss.admin import NAV

    login(client, "admin@discuss.example")
    html = client.get("/moderation/admin/sites").get_data(as_text=True)
    for endpoint, label in NAV:
        shown = f">{label}</a>" in html
        assert shown == (endpoint in app.view_functions), endpoint


def test_cli_adds_a_site_admin_for_given_sites(app, site, runner):
    result = runner.invoke(args=["moderators", "add", "web@council.example", "--name", "Web Team",
                                 "--role", "site_admin", "--site", "council", "--password-stdin"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "site_admin web@council.example added (council)" in result.output
    refused = runner.invoke(args=["moderators", "add", "web2@council.example", "--name", "Web",
                                  "--role", "site_admin", "--password-stdin"], input=PASSWORD + "\n")
    assert refused.exit_code != 0 and "--site" in refused.output


def test_anonymous_forms_are_refused_and_change_nothing(client, people):
    from discuss.extensions import db
    from discuss.models import Site

    for url in ("/moderation/admin/sites/council", "/moderation/admin/sites/council/settings",
                "/moderation/admin/sites/new"):
        response = client.post(url, data={"name": "Anon", "slug": "anon", "origins": "", "intent": "save"})
        assert response.status_code == 401
    db.session.expire_all()
    assert [s.name for s in db.session.query(Site).order_by(Site.slug)] == ["Test Council", "Other Council"]

