"""The admin area's site pages: create, edit, origins, threshold, threads, plugin settings, Try it, audit."""

from __future__ import annotations

import re
from datetime import date, timedelta

import marshmallow as ma
import pytest
import sqlalchemy as sa

from discuss import Verdict, hookimpl
from discuss.admin.audit import MASK
from discuss.extensions import db
from discuss.models import ModeratorAction, Site, Thread
from tests.helpers import THREAD_URL
from tests.reviewing import PASSWORD, add_moderator, other_site  # noqa: F401

SITE = "/moderation/admin/sites/council"
SETTINGS = SITE + "/settings"


@pytest.fixture
def people(app, site, other_site):
    add_moderator("siteadmin@council.example", role="site_admin", password=PASSWORD)
    add_moderator("admin@discuss.example", role="admin", sites=(), password=PASSWORD)
    add_moderator("mod@council.example", password=PASSWORD)


def login(client, email="siteadmin@council.example", **extra):
    response = client.post("/moderation/login", data={"email": email, "password": PASSWORD, **extra})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


@pytest.fixture
def signed_in(client, people):
    login(client)
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def fresh_site(slug="council") -> Site:
    db.session.expire_all()
    return db.session.execute(sa.select(Site).filter_by(slug=slug)).scalar_one()


def actions(kind=None) -> list[ModeratorAction]:
    db.session.expire_all()
    query = sa.select(ModeratorAction).order_by(ModeratorAction.id)
    if kind:
        query = query.where(ModeratorAction.action == kind)
    return list(db.session.execute(query).scalars())


def settings_fields(html: str) -> dict[str, object]:
    """The settings form as a browser would submit it untouched (text, checked boxes, selected options)."""
    data: dict[str, object] = {}

    def add(name, value):
        if name in data:
            existing = data[name]
            data[name] = (existing if isinstance(existing, list) else [existing]) + [value]
        else:
            data[name] = value

    for tag in re.finditer(r"<input\b[^>]*>", html):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(0)))
        name = attrs.get("name")
        if not name or name.startswith("try_") or name == "csrf_token":
            continue
        kind = attrs.get("type", "text")
        if kind == "checkbox":
            if " checked" in tag.group(0):
                add(name, attrs.get("value", "on"))
        else:
            add(name, _unescape(attrs.get("value", "")))
    for area in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        if not area.group(1).startswith("try_"):
            data[area.group(1)] = _unescape(area.group(2))
    for select in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r"<option selected>([^<]*)</option>", select.group(2))
        data[select.group(1)] = _unescape(chosen.group(1)) if chosen else ""
    return data


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


# -- the site page: details, origins, threshold -----------------------------------------

def test_the_site_page_shows_details_snippet_and_threads(signed_in, site):
    db.session.add(Thread(site_id=site.id, key="/blog/post", title="A post", url=""))
    db.session.commit()
    html = text(signed_in.get(SITE))
    assert 'value="Test Council"' in html
    assert "https://council.example" in html
    assert "data-discuss-site=&#34;council&#34;" in html or 'data-discuss-site="council"' in html.replace("&#34;", '"')
    assert "/embed.js" in html and "/embed/council/path/of/page" in html
    assert "/blog/post" in html and ">Close<" in html


def test_the_snippet_uses_the_public_url(client, people, app):
    app.config["PUBLIC_URL"] = "https://comments.council.example"
    login(client)
    html = _unescape(text(client.get(SITE)))
    assert '<script src="https://comments.council.example/embed.js" async></script>' in html
    assert 'href="https://comments.council.example/embed/council/path/of/page"' in html


def test_editing_details_saves_and_audits_only_what_changed(signed_in):
    response = signed_in.post(SITE, data={"name": "Test Council", "origins": "https://council.example\nhttps://WWW.Council.example:443/",
                                          "reports_to_hide": "5"})
    assert response.status_code == 303
    site = fresh_site()
    assert site.allowed_origins == ["https://council.example", "https://www.council.example"]
    assert site.reports_to_hide == 5
    [entry] = actions("site_edited")
    assert entry.before == {"allowed_origins": ["https://council.example"], "reports_to_hide": None}
    assert entry.after == {"allowed_origins": ["https://council.example", "https://www.council.example"],
                           "reports_to_hide": 5}
    assert entry.site_id == site.id and entry.moderator.email == "siteadmin@council.example"
    # Saving the same again records nothing.
    signed_in.post(SITE, data={"name": "Test Council", "origins": "https://council.example\nhttps://www.council.example",
                               "reports_to_hide": "5"})
    assert len(actions("site_edited")) == 1


@pytest.mark.parametrize("origin, message", [
    ("https://council.example/path", "no path"),
    ("https://*.council.example", "Wildcards are not allowed"),
    ("*", "Wildcards are not allowed"),
    ("null", "is not an origin"),
    ("council.example", "Start with https://"),
    ("ftp://council.example", "Start with https://"),
    ("https://user@council.example", "no user name"),
    ("https://council.example:99999", "port"),
    ("https://council.example?x=1", "no path"),
    ("https://bad_host!.example", "not a host name"),
])
def test_bad_origins_are_refused_beside_the_field_and_nothing_is_saved(signed_in, origin, message):
    response = signed_in.post(SITE, data={"name": "Renamed", "origins": f"https://ok.example\n{origin}",
                                          "reports_to_hide": "2"})
    assert response.status_code == 422
    html = text(response)
    error = re.search(r'<ul class="field-error" id="origins-error">(.*?)</ul>', html, re.S)
    assert error and message in error.group(1).replace("&#34;", '"').replace("&#8220;", "").replace("\u201c", "")
    assert 'aria-invalid="true"' in html
    assert 'value="Renamed"' in html  # what was typed is kept
    site = fresh_site()
    assert site.name == "Test Council" and site.allowed_origins == ["https://council.example"]
    assert site.reports_to_hide is None
    assert actions() == []


@pytest.mark.parametrize("value", ["-1", "abc", "101", "2.5"])
def test_a_bad_threshold_is_refused(signed_in, value):
    response = signed_in.post(SITE, data={"name": "Test Council", "origins": "", "reports_to_hide": value})
    assert response.status_code == 422
    assert 'id="reports_to_hide-error"' in text(response)
    assert fresh_site().reports_to_hide is None


def test_the_sites_threshold_is_what_hides_a_comment(client, people, app):
    """Set to 1 in the admin area: one reader's report hides a comment."""
    login(client, "admin@discuss.example")
    client.post(SITE, data={"name": "Test Council", "origins": "https://council.example", "reports_to_hide": "1"})
    posted = client.post(THREAD_URL + "/comments", json={"author_name": "Resident", "body": "A fair point."})
    assert posted.status_code == 201, posted.json
    comment_id = posted.json["comment"]["id"]
    reported = client.post(f"/api/v1/comments/{comment_id}/reports", json={"reason": "spam"},
                           environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert reported.status_code == 201, reported.json
    from discuss.models import PENDING, Comment

    db.session.expire_all()
    comment = db.session.get(Comment, comment_id)
    assert comment.hidden_by_reports is True and comment.status == PENDING


# -- creating a site ---------------------------------------------------------------

def test_an_admin_creates_a_site(client, people):
    login(client, "admin@discuss.example")
    assert client.get("/moderation/admin/sites/new").status_code == 200
    response = client.post("/moderation/admin/sites/new", data={
        "slug": "camden", "name": "Camden Council", "origins": "https://www.camden.gov.uk", "reports_to_hide": ""})
    assert response.status_code == 303 and response.headers["Location"] == "/moderation/admin/sites/camden"
    site = fresh_site("camden")
    assert site.allowed_origins == ["https://www.camden.gov.uk"] and site.moderation == {}
    [entry] = actions("site_created")
    assert entry.after["slug"] == "camden" and entry.site_id == site.id


@pytest.mark.parametrize("slug, message", [("Camden!", "lower-case"), ("", "lower-case"), ("council", "already")])
def test_bad_or_taken_slugs_are_refused(client, people, slug, message):
    login(client, "admin@discuss.example")
    response = client.post("/moderation/admin/sites/new", data={"slug": slug, "name": "X", "origins": ""})
    assert response.status_code == 422
    assert message in text(response)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Site)).scalar_one() == 2


def test_a_site_admin_cannot_create_sites(signed_in):
    assert signed_in.get("/moderation/admin/sites/new").status_code == 403
    assert signed_in.post("/moderation/admin/sites/new", data={"slug": "x", "name": "X"}).status_code == 403


# -- another site by URL -------------------------------------------------------------

@pytest.mark.parametrize("method, url", [
    ("get", "/moderation/admin/sites/other"),
    ("post", "/moderation/admin/sites/other"),
    ("get", "/moderation/admin/sites/other/settings"),
    ("post", "/moderation/admin/sites/other/settings"),
    ("post", "/moderation/admin/sites/other/threads/1"),
])
def test_a_site_admin_cannot_reach_another_site_by_url(signed_in, other_site, method, url):
    before = (other_site.name, list(other_site.allowed_origins), dict(other_site.moderation))
    response = getattr(signed_in, method)(url, data={"name": "Taken over", "origins": "https://evil.example",
                                                     "action": "close", "intent": "save"})
    assert response.status_code == 404
    site = fresh_site("other")
    assert (site.name, site.allowed_origins, site.moderation) == before
    assert actions() == []


def test_a_thread_of_another_site_is_not_found_through_ones_own(signed_in, other_site):
    thread = Thread(site_id=other_site.id, key="/news", title="", url="")
    db.session.add(thread)
    db.session.commit()
    response = signed_in.post(f"{SITE}/threads/{thread.id}", data={"action": "close"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).closed is False


# -- CSRF --------------------------------------------------------------------------

@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_forged_csrf_tokens_are_refused_and_change_nothing(client, people, app_config):
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(client.get("/moderation/login"))).group(1)
    login(client, csrf_token=token)
    real = re.search(r'name="csrf_token" value="([^"]+)"', text(client.get(SITE))).group(1)
    for forged in (None, "forged-token", real[:-4] + "AAAA"):
        extra = {} if forged is None else {"csrf_token": forged}
        response = client.post(SITE, data={"name": "Forged", "origins": "", **extra})
        assert response.status_code == 400
        response = client.post(SETTINGS, data={"intent": "save", **extra})
        assert response.status_code == 400
    assert fresh_site().name == "Test Council"
    assert actions() == []
    assert client.post(SITE, data={"name": "Real", "origins": "", "csrf_token": real}).status_code == 303
    assert fresh_site().name == "Real"


# -- threads --------------------------------------------------------------------------

def test_closing_and_reopening_a_thread_is_audited(signed_in, site):
    thread = Thread(site_id=site.id, key="/blog/post", title="", url="")
    db.session.add(thread)
    db.session.commit()
    assert signed_in.post(f"{SITE}/threads/{thread.id}", data={"action": "close"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).closed is True
    refused = signed_in.post(THREAD_URL + "/comments", json={"author_name": "R", "body": "Hello there."})
    assert refused.status_code in (403, 409, 422), refused.json
    assert ">Reopen<" in text(signed_in.get(SITE))
    signed_in.post(f"{SITE}/threads/{thread.id}", data={"action": "reopen"})
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).closed is False
    closed, reopened = actions("thread_closed"), actions("thread_reopened")
    assert closed[0].before == {"closed": False} and closed[0].after == {"closed": True}
    assert closed[0].reason == "/blog/post" and reopened[0].after == {"closed": False}


# -- plugin settings -----------------------------------------------------------------

def test_the_settings_page_has_a_form_for_each_plugin(signed_in):
    html = text(signed_in.get(SETTINGS))
    # Boolean -> checkbox, Integer with Range -> number with min, OneOf -> select, List(String) -> lines,
    # List(Nested) of text -> one entry a line, a period -> date inputs.
    assert re.search(r'<input type="checkbox" id="p-personal_data-phone_numbers" name="p.personal_data.phone_numbers"', html)
    assert re.search(r'<input type="number" id="p-flood-window_minutes"[^>]*min="1"[^>]*max="10080"', html, re.S)
    assert re.search(r'<select id="p-profanity-mode" name="p.profanity.mode"', html)
    assert re.search(r'<option selected>reject</option>', html)
    assert re.search(r'<textarea id="p-links-allow_domains"', html)
    assert 'name="p.election_period.periods.0.start"' in html and 'type="date"' in html
    assert re.search(r'<textarea id="p-watch_words-words"', html)
    assert "pattern | action | reason" in html
    assert "pre-election period" in html  # what changes during the period
    # Dict (profanity add_words) falls back to JSON.
    assert re.search(r'<textarea id="p-profanity-add_words"[^>]*class="code"', html)


def test_saving_the_untouched_form_changes_nothing(signed_in):
    data = settings_fields(text(signed_in.get(SETTINGS)))
    response = signed_in.post(SETTINGS, data={**data, "intent": "save"})
    assert response.status_code == 303, text(response)[:2000]
    assert fresh_site().moderation == {}
    assert actions() == []


def test_watch_words_and_an_election_period_are_saved_and_audited(signed_in):
    data = settings_fields(text(signed_in.get(SETTINGS)))
    data["p.watch_words.words"] = "bus lane*\nbrib* | reject | no allegations\n\n"
    data["p.election_period.periods.0.start"] = "2027-04-01"
    data["p.election_period.periods.0.end"] = "2027-05-06"
    data["p.election_period.periods.0.name"] = "local elections"
    data["p.election_period.parties"] = "Green Party\nReform UK"
    data["p.flood.max_per_ip"] = "12"
    data.pop("p.links.enabled", None)  # untick: disable
    response = signed_in.post(SETTINGS, data={**data, "intent": "save"})
    assert response.status_code == 303, text(response)[:3000]
    moderation = fresh_site().moderation
    assert moderation["watch_words"] == {"words": [{"pattern": "bus lane*"},
                                                   {"pattern": "brib*", "action": "reject", "reason": "no allegations"}]}
    assert moderation["election_period"] == {
        "periods": [{"start": "2027-04-01", "end": "2027-05-06", "name": "local elections"}],
        "parties": ["Green Party", "Reform UK"]}
    assert moderation["flood"] == {"max_per_ip": 12}
    assert moderation["links"] == {"enabled": False}
    entries = {e.reason: e for e in actions("plugin_settings")}
    assert set(entries) == {"watch_words", "election_period", "flood", "links"}
    assert entries["flood"].before == {} and entries["flood"].after == {"flood": {"max_per_ip": 12}}
    assert entries["links"].before == {} and entries["links"].after == {"links": {"enabled": False}}
    # The page shows them back.
    html = text(signed_in.get(SETTINGS))
    assert "brib* | reject | no allegations" in html
    assert 'value="2027-05-06"' in html
    # Change one value: the audit has only that.
    data = settings_fields(html)
    data["p.flood.max_per_ip"] = "20"
    signed_in.post(SETTINGS, data={**data, "intent": "save"})
    latest = actions("plugin_settings")[-1]
    assert latest.reason == "flood"
    assert latest.before == {"flood": {"max_per_ip": 12}} and latest.after == {"flood": {"max_per_ip": 20}}


def test_a_period_ending_before_it_starts_is_refused_beside_the_field(signed_in):
    data = settings_fields(text(signed_in.get(SETTINGS)))
    data["p.election_period.periods.0.start"] = "2027-05-06"
    data["p.election_period.periods.0.end"] = "2027-04-01"
    data["p.flood.max_per_ip"] = "12"  # a good change elsewhere is not half-saved
    response = signed_in.post(SETTINGS, data={**data, "intent": "save"})
    assert response.status_code == 422
    html = text(response)
    error = re.search(r'<ul class="field-error" id="p-election_period-periods-error">(.*?)</ul>', html, re.S)
    assert error and "row 1: end: end is before start" in error.group(1)
    assert 'value="2027-04-01"' in html and 'value="12"' in html  # kept as typed
    assert fresh_site().moderation == {}
    assert actions() == []


@pytest.mark.parametrize("field, value, message", [
    ("p.flood.max_per_ip", "0", "Must be greater than or equal to 1"),
    ("p.flood.max_per_ip", "many", "Enter a whole number"),
    ("p.toxicity.threshold", "1.5", "less than or equal to 1"),
    ("p.profanity.mode", "shout", "Must be one of"),
    ("p.profanity.add_words", "{not json", "Not valid JSON"),
    ("p.profanity.add_words", '{"darn": "very"}', "Must be one of"),
    ("p.webhook.urls", "not a url", "Not a valid URL"),
    ("p.watch_words.words", "a*b*c", "at most one *"),
    ("p.watch_words.words", "word | hold | why | extra", "At most 3 parts"),
    ("p.election_period.councillor_emails", "not-an-email", "Not a valid email"),
])
def test_settings_failing_their_schema_are_refused_beside_the_field(signed_in, field, value, message):
    data = settings_fields(text(signed_in.get(SETTINGS)))
    data[field] = value
    response = signed_in.post(SETTINGS, data={**data, "intent": "save"})
    assert response.status_code == 422
    html = text(response)
    error_id = field.replace(".", "-") + "-error"
    error = re.search(rf'<ul class="field-error" id="{re.escape(error_id)}">(.*?)</ul>', html, re.S)
    assert error, html[:200]
    assert message in error.group(1).replace("&#39;", "'")
    assert fresh_site().moderation == {}
    assert actions() == []


def test_the_webhook_secret_is_never_shown_again_and_masked_in_the_audit(signed_in):
    data = settings_fields(text(signed_in.get(SETTINGS)))
    data["p.webhook.secret"] = "s3cret-signing-key"
    assert signed_in.post(SETTINGS, data={**data, "intent": "save"}).status_code == 303
    assert fresh_site().moderation["webhook"]["secret"] == "s3cret-signing-key"
    html = text(signed_in.get(SETTINGS))
    assert "s3cret-signing-key" not in html
    assert "set — replace" in html
    [entry] = actions("plugin_settings")
    assert entry.after == {"webhook": {"secret": MASK}}
    audit_page = text(signed_in.get("/moderation/audit"))
    assert "s3cret-signing-key" not in audit_page and "plugin_settings" in audit_page
    # Saving again with the box empty keeps the secret; ticking "remove" clears it.
    data = settings_fields(html)
    assert signed_in.post(SETTINGS, data={**data, "intent": "save"}).status_code == 303
    assert fresh_site().moderation["webhook"]["secret"] == "s3cret-signing-key"
    assert len(actions("plugin_settings")) == 1
    signed_in.post(SETTINGS, data={**data, "p.webhook.secret.clear": "1", "intent": "save"})
    assert "secret" not in fresh_site().moderation.get("webhook", {})


def test_the_audit_log_shows_site_changes_to_the_site_admin_only_for_their_sites(client, people, other_site):
    login(client, "admin@discuss.example")
    client.post("/moderation/admin/sites/other", data={"name": "Other Borough", "origins": ""})
    client.post(SITE, data={"name": "Council Renamed", "origins": "https://council.example"})
    client.post("/moderation/logout")
    login(client)
    html = text(client.get("/moderation/audit"))
    assert "Council Renamed" in html and "Other Borough" not in html
    assert "site_edited" in html


# -- a third-party plugin with nested fields ------------------------------------------------

class Rule(ma.Schema):
    word = ma.fields.String(required=True)
    weight = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=5))


class NestedSettings(ma.Schema):
    rules = ma.fields.List(ma.fields.Nested(Rule), load_default=list)
    limits = ma.fields.Nested(Rule, load_default=lambda: {"word": "x", "weight": 1})
    level = ma.fields.String(load_default="low", validate=ma.validate.OneOf(["low", "high"]))
    since = ma.fields.Date(load_default=None, allow_none=True)


class NestedPlugin:
    """Holds any comment naming one of its rules' words."""

    name = "nested_rules"
    settings_schema = NestedSettings
    enabled_by_default = False

    @hookimpl
    def discuss_screen_comment(self, submission, settings):
        for rule in settings["rules"]:
            at = submission.body.find(rule["word"])
            if at >= 0:
                return Verdict.hold(f"names {rule['word']}", spans=[[at, at + len(rule["word"])]])
        return None


@pytest.fixture
def nested(pm):
    pm.register(NestedPlugin())
    return pm


def test_a_third_party_plugin_with_nested_fields_gets_a_json_editor(signed_in, nested):
    html = text(signed_in.get(SETTINGS))
    assert re.search(r'<textarea id="p-nested_rules-rules"[^>]*class="code"', html)
    assert re.search(r'<select id="p-nested_rules-level"', html)
    assert re.search(r'<input type="date" id="p-nested_rules-since"', html)
    data = settings_fields(html)
    data["p.nested_rules.rules"] = '[{"word": "pigeon", "weight": 9}]'
    data["p.nested_rules.enabled"] = "1"
    response = signed_in.post(SETTINGS, data={**data, "intent": "save"})
    assert response.status_code == 422
    error = re.search(r'<ul class="field-error" id="p-nested_rules-rules-error">(.*?)</ul>', text(response), re.S)
    assert error and "entry 1: weight" in error.group(1)
    assert fresh_site().moderation == {}
    data["p.nested_rules.rules"] = '[{"word": "pigeon", "weight": 2}]'
    assert signed_in.post(SETTINGS, data={**data, "intent": "save"}).status_code == 303
    assert fresh_site().moderation["nested_rules"] == {"enabled": True, "rules": [{"word": "pigeon", "weight": 2}]}


# -- Try it --------------------------------------------------------------------------

def test_try_it_screens_under_the_unsaved_settings_and_stores_nothing(signed_in, nested):
    data = settings_fields(text(signed_in.get(SETTINGS)))
    data["p.nested_rules.enabled"] = "1"
    data["p.nested_rules.rules"] = '[{"word": "pigeon"}]'
    data["p.watch_words.words"] = "bus lane*"
    response = signed_in.post(SETTINGS, data={**data, "intent": "try",
                                              "try_text": "The pigeon sat in the bus lanes all day."})
    assert response.status_code == 200, text(response)[:3000]
    html = text(response)
    assert "Outcome: <strong" in html and ">hold</strong>" in html
    assert re.search(r"<td>nested_rules</td><td>hold</td><td>names pigeon</td>\s*<td><mark>pigeon</mark>", html)
    assert re.search(r"<td>watch_words</td><td>hold</td>.*?<mark>bus lanes</mark>", html, re.S)
    assert "The <mark>pigeon</mark> sat in the <mark>bus lanes</mark> all day." in html
    # The unsaved values are still on the page, and nothing was stored.
    assert "[{&#34;word&#34;: &#34;pigeon&#34;}]" in html or '[{"word": "pigeon"}]' in html
    assert fresh_site().moderation == {}
    assert actions() == []
    from discuss.models import Comment

    assert db.session.execute(sa.select(sa.func.count()).select_from(Comment)).scalar_one() == 0


def test_try_it_with_invalid_settings_shows_the_errors_not_a_verdict(signed_in):
    data = settings_fields(text(signed_in.get(SETTINGS)))
    data["p.flood.max_per_ip"] = "0"
    response = signed_in.post(SETTINGS, data={**data, "intent": "try", "try_text": "Hello"})
    assert response.status_code == 422
    assert 'id="p-flood-max_per_ip-error"' in text(response) and "Outcome:" not in text(response)


def test_try_it_needs_a_comment(signed_in):
    data = settings_fields(text(signed_in.get(SETTINGS)))
    response = signed_in.post(SETTINGS, data={**data, "intent": "try", "try_text": "  "})
    assert response.status_code == 422 and 'id="try_text-error"' in text(response)


def test_a_saved_setting_applies_to_the_next_comment(signed_in):
    data = settings_fields(text(signed_in.get(SETTINGS)))
    data["p.watch_words.words"] = "pothole* | reject"
    assert signed_in.post(SETTINGS, data={**data, "intent": "save"}).status_code == 303
    response = signed_in.post(THREAD_URL + "/comments", json={"author_name": "R", "body": "Potholes again!"})
    assert response.status_code == 422, response.json


def test_an_election_period_today_holds_a_party_name(signed_in):
    data = settings_fields(text(signed_in.get(SETTINGS)))
    today = date.today()
    data["p.election_period.periods.0.start"] = (today - timedelta(days=1)).isoformat()
    data["p.election_period.periods.0.end"] = (today + timedelta(days=1)).isoformat()
    data["p.election_period.parties"] = "Green Party"
    response = signed_in.post(SETTINGS, data={**data, "intent": "try", "try_text": "Vote for the Green Party!"})
    assert re.search(r"<td>election_period</td><td>hold</td><td>pre-election period</td>", text(response))


def test_try_it_refuses_a_comment_longer_than_a_reply_may_be(signed_in, app):
    data = settings_fields(text(signed_in.get(SETTINGS)))
    too_long = "a" * (app.config["MAX_BODY_LENGTH"] + 1)
    response = signed_in.post(SETTINGS, data={**data, "intent": "try", "try_text": too_long})
    assert response.status_code == 422 and "as for a reply" in text(response)


def test_the_admin_audit_entries_are_in_the_csv_export(client, people):
    login(client, "admin@discuss.example")
    client.post(SITE, data={"name": "Renamed", "origins": "https://council.example"})
    csv_text = text(client.get("/moderation/audit.csv"))
    assert "site_edited" in csv_text and "council" in csv_text and "Renamed" in csv_text


def test_the_example_third_party_plugin_gets_its_form(signed_in, pm):
    import discuss_no_shouting

    pm.register(discuss_no_shouting)
    html = text(signed_in.get(SETTINGS))
    assert re.search(r'<input type="number" id="p-no_shouting-min_letters"[^>]*step="1"[^>]*min="1"', html, re.S)
    assert re.search(r'<input type="number" id="p-no_shouting-max_capitals"[^>]*step="any"[^>]*min="0.0"[^>]*max="1.0"',
                     html, re.S)
    data = settings_fields(html)
    data["p.no_shouting.max_capitals"] = "0.5"
    assert signed_in.post(SETTINGS, data={**data, "intent": "save"}).status_code == 303
    assert fresh_site().moderation["no_shouting"] == {"max_capitals": 0.5}


def test_a_period_row_emptied_is_removed_and_the_page_keeps_one_blank_row(signed_in):
    data = settings_fields(text(signed_in.get(SETTINGS)))
    data.update({"p.election_period.periods.0.start": "2027-04-01", "p.election_period.periods.0.end": "2027-05-06"})
    signed_in.post(SETTINGS, data={**data, "intent": "save"})
    html = text(signed_in.get(SETTINGS))
    assert 'name="p.election_period.periods.1.start"' in html and 'name="p.election_period.periods.2.start"' not in html
    data = settings_fields(html)
    data.update({"p.election_period.periods.0.start": "", "p.election_period.periods.0.end": ""})
    signed_in.post(SETTINGS, data={**data, "intent": "save"})
    assert "election_period" not in fresh_site().moderation
