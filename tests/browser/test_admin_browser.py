"""The admin area's site pages in real Chromium: axe-core, the keyboard, a site admin kept to their
sites, and a setting changed in the browser screening the very next comment.

Set ``DISCUSS_SCREENSHOT_DIR`` to save a screenshot of each page there (docs/admin-*.png come from it).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import marshmallow as ma
import pytest

from discuss import Verdict, hookimpl
from discuss.extensions import db
from discuss.models import Thread
from tests.browser.conftest import run_axe
from tests.reviewing import PASSWORD, add_moderator, other_site  # noqa: F401

SHOTS = os.environ.get("DISCUSS_SCREENSHOT_DIR")


class ListedSettings(ma.Schema):
    words = ma.fields.List(ma.fields.String(), load_default=list, metadata={"description": "words to act on"})
    action = ma.fields.String(load_default="hold", validate=ma.validate.OneOf(["hold", "reject"]))
    strict = ma.fields.Boolean(load_default=False, metadata={"description": "also match inside longer words"})


class Listed:
    """Holds or rejects comments that use one of the site's listed words."""

    name = "listed"
    settings_schema = ListedSettings

    @hookimpl
    def discuss_screen_comment(self, submission, settings):
        for word in settings["words"]:
            at = submission.body.lower().find(word.lower())
            if at >= 0:
                verdict = Verdict.reject if settings["action"] == "reject" else Verdict.hold
                return verdict(f"uses the listed word {word!r}", public_reason="Please leave out that word.",
                               spans=[[at, at + len(word)]])
        return None


@pytest.fixture
def listed(service_app):
    host = service_app.extensions["discuss"]
    plugin = Listed()
    host.register(plugin)
    yield plugin
    host.unregister(plugin)


@pytest.fixture
def admins(app, site, other_site, listed):
    add_moderator("admin@council.example", role="admin", sites=(), password=PASSWORD)
    add_moderator("web@council.example", role="site_admin", password=PASSWORD)
    db.session.add_all([Thread(site_id=site.id, key="/blog/councillors-and-social-media",
                               title="Councillors and social media", url=""),
                        Thread(site_id=site.id, key="/news/bins", title="Bin collections", url="", closed=True)])
    db.session.commit()


def sign_in(page, service, email, target="/moderation/admin/"):
    page.goto(f"{service}/moderation/login?next={target}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/moderation/login" not in url)


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"admin-{name}.png"), full_page=True)


def post_comment(service, body):
    request = urllib.request.Request(
        f"{service}/api/v1/sites/council/threads/blog/councillors-and-social-media/comments",
        data=json.dumps({"author_name": "Resident", "body": body}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_every_admin_page_has_no_axe_violations(page, service, service_app, admins, axe_source, monkeypatch):
    # Every built-in plugin's form on the page, as a real deployment has them.
    monkeypatch.setitem(service_app.config, "DISABLED_PLUGINS", [])
    page.set_viewport_size({"width": 1100, "height": 900})
    sign_in(page, service, "admin@council.example")
    assert page.get_by_role("heading", name="Sites").is_visible()
    assert run_axe(page, axe_source) == []
    shot(page, "sites")

    page.get_by_role("link", name="Add a site").click()
    assert run_axe(page, axe_source) == []
    page.get_by_label("Short name").fill("camden")
    page.get_by_label("Name", exact=True).fill("Camden Council")
    page.get_by_label("Allowed origins").fill("https://www.camden.gov.uk/news\nnull")
    page.get_by_role("button", name="Create the site").click()
    assert page.locator("#origins-error").is_visible()
    assert run_axe(page, axe_source) == []  # with the errors showing
    shot(page, "site-new")

    page.goto(f"{service}/moderation/admin/sites/council")
    assert "data-discuss-site" in page.get_by_label("Embed snippet for council").input_value()
    assert run_axe(page, axe_source) == []
    shot(page, "site")

    page.get_by_role("link", name="Plugin settings and Try it").click()
    assert run_axe(page, axe_source) == []
    page.locator("#plugin-listed").get_by_label("Words").fill("pigeon")
    page.locator("#plugin-watch_words").get_by_label("Words").fill("bus lane* | hold | road safety")
    page.locator("#p-election_period-periods-0-start").fill("2027-05-06")
    page.locator("#p-election_period-periods-0-end").fill("2027-04-01")
    page.get_by_role("button", name="Save settings").last.click()
    assert "end is before start" in page.locator("#p-election_period-periods-error").text_content()
    assert run_axe(page, axe_source) == []  # with the errors showing
    if SHOTS:
        page.locator("#plugin-election_period").screenshot(path=str(Path(SHOTS) / "admin-settings-error.png"))
    page.locator("#p-election_period-periods-0-start").fill("2027-04-01")
    page.locator("#p-election_period-periods-0-end").fill("2027-05-06")
    page.locator("#plugin-election_period").get_by_label("Parties").fill("Green Party\nReform UK")
    page.get_by_label("Comment", exact=True).fill("The pigeon in the bus lane would vote for the Green Party.")
    page.get_by_role("button", name="Try it", exact=True).click()
    assert page.locator(".trial mark").first.text_content() == "pigeon"
    assert run_axe(page, axe_source) == []
    if SHOTS:
        page.locator("#try").screenshot(path=str(Path(SHOTS) / "admin-try-it.png"))
        page.locator("#plugin-watch_words").screenshot(path=str(Path(SHOTS) / "admin-settings.png"))

    page.get_by_role("button", name="Save settings").last.click()
    page.wait_for_selector("text=Saved:")
    page.get_by_role("link", name="Audit log").click()
    rows = page.locator("table.audit tbody tr")
    assert "plugin_settings" in rows.first.text_content()
    assert run_axe(page, axe_source) == []
    shot(page, "audit")


def test_the_settings_form_by_keyboard_alone(page, service, admins, app):
    sign_in(page, service, "admin@council.example", "/moderation/admin/sites/council/settings")

    def tab_to(name, limit=400):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement && document.activeElement.name") == name:
                return
        raise AssertionError(f"Tab never reached {name}")

    tab_to("p.listed.words")
    page.keyboard.type("pigeon")
    page.keyboard.press("Enter")
    page.keyboard.type("gull")
    tab_to("p.listed.action")
    page.keyboard.press("ArrowDown")  # hold -> reject
    tab_to("p.listed.strict")
    page.keyboard.press("Space")
    tab_to("intent")  # the first intent button after the fields is "Save settings"
    assert page.evaluate("() => document.activeElement.textContent") == "Save settings"
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Saved: listed.")
    from discuss.models import Site
    import sqlalchemy as sa

    db.session.expire_all()
    site = db.session.execute(sa.select(Site).filter_by(slug="council")).scalar_one()
    assert site.moderation["listed"] == {"words": ["pigeon", "gull"], "action": "reject", "strict": True}


def test_a_site_admin_is_refused_on_another_sites_pages(page, service, admins):
    sign_in(page, service, "web@council.example")
    assert page.get_by_role("link", name="council", exact=True).is_visible()
    assert page.get_by_role("link", name="other", exact=True).count() == 0
    for path in ("/moderation/admin/sites/other", "/moderation/admin/sites/other/settings",
                 "/moderation/admin/sites/new"):
        response = page.goto(service + path)
        assert response.status in (403, 404), path
    assert page.goto(service + "/moderation/admin/sites/council/settings").status == 200


def test_a_setting_saved_in_the_browser_screens_the_next_comment(page, service, admins):
    status, _ = post_comment(service, "A pigeon sat on the wall.")
    assert status == 201
    sign_in(page, service, "web@council.example", "/moderation/admin/sites/council/settings")
    page.locator("#plugin-listed").get_by_label("Words").fill("pigeon")
    page.locator("#plugin-listed").get_by_label("Action").select_option("reject")
    page.get_by_role("button", name="Save settings").last.click()
    page.wait_for_selector("text=Saved: listed.")
    status, answer = post_comment(service, "Another pigeon on the wall.")
    assert status == 422, answer
    assert "Please leave out that word." in json.dumps(answer)
