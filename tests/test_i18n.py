"""Welsh and English: choosing the language, the catalogues, the widget's words, and every
resident-facing answer in the language asked for (docs/translating.md)."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from discuss import Verdict, hookimpl, i18n, lazy_gettext
from discuss.extensions import db
from discuss.models import Site
from tests.embed_helpers import add_comment, make_thread, soup
from tests.helpers import THREAD_URL, post

TRANSLATIONS = Path(i18n.__file__).parent / "translations"
PAGE = "/embed/council/blog/post"


def catalogue(path: Path):
    with path.open("rb") as f:
        return read_po(f)


# -- choosing the language ---------------------------------------------------------

@pytest.mark.parametrize("tag, expected", [
    ("cy", "cy"), ("cy-GB", "cy"), ("CY_gb", "cy"), ("en-GB", "en"), ("en", "en"),
    ("fr", None), ("", None), (None, None), ("c", None), ("cym", None),
])
def test_shipped_languages_are_recognised_by_their_primary_subtag(tag, expected):
    assert i18n.shipped(tag) == expected


def test_the_first_shipped_candidate_wins_then_the_site_default_then_english():
    assert i18n.choose(["cy", "en"], "en") == "cy"
    assert i18n.choose([None, "fr", "en-GB"], "cy") == "en"
    assert i18n.choose([None, "fr"], "cy") == "cy"      # nothing shipped asked for: the site's default
    assert i18n.choose(["de"], "xx") == "en"             # and English when even that is not shipped
    assert i18n.choose([], None) == "en"


@pytest.fixture
def thread(site):
    thread = make_thread(site)
    top = add_comment(thread, "Dave Griffin", "Very interesting video.")
    add_comment(thread, "Public-i team", "Good point, Dave.", parent=top)
    return thread


def heading(response) -> str:
    return soup(response).find("h1").get_text()


def test_the_page_takes_lang_then_accept_language_then_the_site_default(client, site, thread):
    welsh = {"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}
    assert heading(client.get(PAGE + "?lang=cy")) == "Ymunwch â'r drafodaeth"
    assert heading(client.get(PAGE + "?lang=en", headers=welsh)) == "Join the discussion"   # ?lang first
    assert heading(client.get(PAGE, headers=welsh)) == "Ymunwch â'r drafodaeth"
    assert heading(client.get(PAGE, headers={"Accept-Language": "fr, de;q=0.5"})) == "Join the discussion"
    site.language = "cy"
    db.session.commit()
    assert heading(client.get(PAGE)) == "Ymunwch â'r drafodaeth"                             # the site's default
    assert heading(client.get(PAGE, headers={"Accept-Language": "en-GB"})) == "Join the discussion"
    assert heading(client.get(PAGE + "?lang=fr", headers={"Accept-Language": "fr"})) == "Ymunwch â'r drafodaeth"


def test_an_unknown_language_is_english_never_an_error(client, thread):
    for query in ("?lang=xx", "?lang=", "?lang=%00", "?lang=" + "a" * 500):
        response = client.get(PAGE + query, headers={"Accept-Language": "*;q=0.1, zz"})
        assert response.status_code == 200
        assert heading(response) == "Join the discussion"
        assert soup(response).html["lang"] == "en"


def test_the_welsh_page_is_marked_welsh_and_links_to_english(client, thread):
    response = client.get(PAGE + "?lang=cy")
    page = soup(response)
    assert page.html["lang"] == "cy"
    assert response.headers["Content-Language"] == "cy"
    assert "Accept-Language" in response.headers["Vary"]
    switch = page.select_one(".languages a")
    assert (switch.get_text(), switch["lang"], switch["hreflang"]) == ("English", "en", "en")
    assert switch["href"].endswith("?lang=en")
    assert page.find(class_="count-heading").get_text() == "2 sylw"
    meta = page.select_one(".meta").get_text(" ", strip=True)
    assert " meddai: " in meta and " am " in meta
    # The form and the feed keep the language it was asked for.
    assert page.find("form", class_="reply-form")["action"].endswith("?lang=cy")
    assert page.find("link", type="application/atom+xml")["href"] == "/feeds/council/blog/post.atom?lang=cy"
    assert page.find("label", attrs={"for": "author_name"}).get_text(" ", strip=True) == "Enw (gofynnol)"
    assert page.find(class_="privacy-notice").get_text().startswith("Caiff eich enw a'ch sylw eu cyhoeddi.")


def test_dates_are_formatted_by_babel_in_the_language(app):
    from datetime import datetime

    when = datetime(2026, 3, 5, 9, 7)
    with app.test_request_context("/"):
        i18n.use("cy")
        assert i18n.display_date(when) == "5 Mawrth 2026 am 09:07"
        i18n.use("en")
        assert i18n.display_date(when) == "5 March 2026 at 09:07"


# -- the form's errors and outcomes, the API's answers ----------------------------------

class Scripted:
    @hookimpl
    def discuss_screen_comment(self, submission):
        if "[hold]" in submission.body:
            return Verdict.hold("asked to hold")
        if "[plain]" in submission.body:
            return Verdict.reject("plain", public_reason="Please keep to the topic of the post.")
        if "[lazy]" in submission.body:
            return Verdict.reject("lazy", public_reason=lazy_gettext("You cannot comment on this site."))
        if "[builtin]" in submission.body:
            return Verdict.reject("builtin", public_reason="You have already posted this comment.")
        return None


def test_the_api_answers_in_the_widgets_language(client, site, pm):
    pm.register(Scripted(), name="scripted")
    welsh = {"Accept-Language": "cy"}
    held = client.post(THREAD_URL + "/comments", json={"author_name": "Siân", "body": "[hold] Diolch"}, headers=welsh)
    assert held.status_code == 202
    assert held.get_json()["message"] == "Diolch, mae eich sylw yn aros i gael ei gymedroli."
    lazy = client.post(THREAD_URL + "/comments", json={"author_name": "Siân", "body": "[lazy]"}, headers=welsh)
    assert lazy.status_code == 422
    assert lazy.get_json()["errors"]["body"] == ["Ni allwch wneud sylwadau ar y wefan hon."]
    builtin = client.post(THREAD_URL + "/comments", json={"author_name": "Siân", "body": "[builtin]"}, headers=welsh)
    assert builtin.get_json()["message"] == "Rydych eisoes wedi cyflwyno'r sylw hwn."
    # A plugin's own plain wording has no translation: it is shown as written, in any language.
    plain = client.post(THREAD_URL + "/comments", json={"author_name": "Siân", "body": "[plain]"}, headers=welsh)
    assert plain.get_json()["message"] == "Please keep to the topic of the post."
    # The same lazy reason in English for an English reader.
    english = post(client, "[lazy]")
    assert english.get_json()["errors"]["body"] == ["You cannot comment on this site."]


def test_field_errors_are_translated_for_the_api_and_the_form(client, site, thread):
    bad = client.post(THREAD_URL + "/comments", json={"author_name": "  ", "body": "x" * 20_000,
                                                      "author_email": "nope"}, headers={"Accept-Language": "cy"})
    assert bad.status_code == 422
    errors = bad.get_json()["errors"]
    assert errors["author_name"] == ["Ni ddylai fod yn wag."]
    assert errors["author_email"] == ["Nid yw hwn yn gyfeiriad e-bost dilys."]
    assert errors["body"] == ["Ni ddylai fod yn hwy na 10000 nod."]
    page = soup(client.get(PAGE + "?lang=cy"))
    token = page.find("input", {"name": "token"})["value"]
    response = client.post(PAGE + "?lang=cy", data={"author_name": "", "body": "Helo", "token": token, "website": ""})
    assert response.status_code == 422
    summary = soup(response).find(class_="error-summary")
    assert summary.find("h3").get_text() == "Ni chyflwynwyd eich sylw"
    assert summary.find("a").get_text() == "Enw: Ni ddylai fod yn wag."


def test_the_form_tells_the_welsh_outcome(client, site, thread, pm):
    pm.register(Scripted(), name="scripted")
    page = soup(client.get(PAGE + "?lang=cy"))
    token = page.find("input", {"name": "token"})["value"]
    sent = client.post(PAGE + "?lang=cy", data={"author_name": "Siân", "body": "[hold] Diolch", "token": token,
                                                "website": ""})
    assert sent.status_code == 303 and "lang=cy" in sent.headers["Location"]
    outcome = soup(client.get(sent.headers["Location"])).find(id="discuss-outcome")
    assert outcome.get_text().strip() == "Diolch, mae eich sylw yn aros i gael ei gymedroli."


def test_the_feed_title_is_in_the_language(client, thread):
    welsh = client.get("/feeds/council/blog/post.atom?lang=cy").get_data(as_text=True)
    assert "<title>Sylwadau ar Bin collections</title>" in welsh
    assert "Gwnaeth Dave Griffin sylw" in welsh and 'xml:lang="cy"' in welsh
    english = client.get("/feeds/council/blog/post.atom").get_data(as_text=True)
    assert "<title>Comments on Bin collections</title>" in english


def test_the_thread_api_gives_the_default_privacy_notice_in_the_language(client, thread):
    welsh = client.get(THREAD_URL, headers={"Accept-Language": "cy"})
    english = client.get(THREAD_URL)
    assert welsh.get_json()["thread"]["privacy_notice"].startswith("Caiff eich enw")
    assert english.get_json()["thread"]["privacy_notice"].startswith("Your name and comment")
    assert welsh.headers["ETag"] != english.headers["ETag"]
    assert welsh.headers["Content-Language"] == "cy" and "Accept-Language" in welsh.headers["Vary"]
    again = client.get(THREAD_URL, headers={"Accept-Language": "cy", "If-None-Match": welsh.headers["ETag"]})
    assert again.status_code == 304


# -- plural forms --------------------------------------------------------------------

@pytest.mark.parametrize("count, expected", [
    (0, "Dim sylwadau"), (1, "1 sylw"), (2, "2 sylw"), (3, "3 sylw"), (6, "6 sylw"), (4, "4 sylw"), (11, "11 sylw"),
])
def test_welsh_count_uses_its_six_plural_forms(app, count, expected):
    with app.test_request_context("/"):
        i18n.use("cy")
        assert i18n.ngettext("%(num)d Comment", "%(num)d Comments", count) == expected


def test_the_welsh_catalogue_declares_six_plural_forms_by_babels_rules():
    cy = catalogue(TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po")
    assert cy.num_plurals == 6
    from babel.messages.plurals import get_plural

    assert cy.plural_expr == get_plural("cy").plural_expr


def test_plural_forms_by_cldr_category(app):
    with app.test_request_context("/"):
        i18n.use("cy")
        forms = i18n.plural_forms("%(num)d Comment", "%(num)d Comments", "cy")
        assert set(forms) == {"zero", "one", "two", "few", "many", "other"}
        assert forms["zero"] == "Dim sylwadau" and forms["few"] == "%(num)d sylw"
        i18n.use("en")
        assert i18n.plural_forms("%(num)d Comment", "%(num)d Comments", "en") == {
            "one": "%(num)d Comment", "other": "%(num)d Comments"}


# -- the catalogues --------------------------------------------------------------------

def test_every_public_message_has_a_welsh_translation():
    template = catalogue(TRANSLATIONS / "messages.pot")
    welsh = catalogue(TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po")
    missing = []
    for message in template:
        if not message.id:
            continue
        found = welsh.get(message.id)
        strings = found.string if found is not None else None
        if isinstance(strings, tuple):
            ok = all(strings) and len(strings) == welsh.num_plurals
        else:
            ok = bool(strings)
        if not ok or (found is not None and found.fuzzy):
            missing.append(message.id)
    assert not missing, f"untranslated in cy/messages.po: {missing}"


def test_welsh_keeps_every_placeholder():
    welsh = catalogue(TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po")
    assert not [(m.id, errors) for m, errors in welsh.check()]


@pytest.mark.parametrize("po", sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")), ids=lambda p: str(p.relative_to(TRANSLATIONS)))
def test_the_committed_mo_files_match_their_po(po):
    """The .mo files are committed (a clean clone needs no build step): this fails until
    `bash scripts/translations.sh compile` has been run after a .po changed."""
    from io import BytesIO

    from babel.messages.mofile import write_mo

    fresh = BytesIO()
    write_mo(fresh, catalogue(po))
    fresh.seek(0)
    with po.with_suffix(".mo").open("rb") as f:
        committed = gettext.GNUTranslations(f)
    expected = gettext.GNUTranslations(fresh)
    strip = lambda table: {key: value for key, value in table.items() if key != ""}  # noqa: E731 (the header's dates)
    assert strip(committed._catalog) == strip(expected._catalog)
    assert committed.plural(3) == expected.plural(3) and committed.plural(6) == expected.plural(6)


def test_the_source_and_the_template_agree():
    """Every message the code marks is in the .pot (run `bash scripts/translations.sh extract`)."""
    import tempfile

    from babel.messages.frontend import CommandLineInterface

    root = Path(i18n.__file__).parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "messages.pot"
        CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(TRANSLATIONS / "messages.cfg"),
                                    "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "-k", "N_",
                                    "-o", str(out), str(root)])
        fresh = {m.id for m in catalogue(out) if m.id}
    committed = {m.id for m in catalogue(TRANSLATIONS / "messages.pot") if m.id}
    assert fresh == committed


# -- the widget's words ------------------------------------------------------------------

def test_the_widget_gets_only_its_own_languages_words(client):
    welsh = client.get("/embed/i18n/cy.json")
    assert welsh.status_code == 200
    data = welsh.get_json()
    assert data["lang"] == "cy"
    assert data["strings"]["title"] == "Ymunwch â'r drafodaeth"
    assert data["strings"]["leave_reply"] == "Gadael ateb"
    assert data["plurals"]["comments"]["zero"] == "Dim sylwadau"
    assert data["months"][0] == "Ionawr"
    assert "Join the discussion" not in welsh.get_data(as_text=True)
    english = client.get("/embed/i18n/en-GB.json").get_json()
    assert english["lang"] == "en" and english["strings"]["title"] == "Join the discussion"
    assert set(english["strings"]) == set(data["strings"])


def test_the_widgets_words_are_cached_and_etagged(client):
    first = client.get("/embed/i18n/cy.json")
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get("/embed/i18n/cy.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/embed/i18n/en.json").headers["ETag"] != first.headers["ETag"]


def test_the_widgets_words_fall_back_to_the_site_then_english(client, site):
    assert client.get("/embed/i18n/-.json?site=council").get_json()["lang"] == "en"
    site.language = "cy"
    db.session.commit()
    assert client.get("/embed/i18n/-.json?site=council").get_json()["lang"] == "cy"
    assert client.get("/embed/i18n/fr.json?site=council").get_json()["lang"] == "cy"
    assert client.get("/embed/i18n/en.json?site=council").get_json()["lang"] == "en"
    for odd in ("/embed/i18n/fr.json", "/embed/i18n/-.json?site=nowhere", "/embed/i18n/%00.json?site=%00"):
        response = client.get(odd)
        assert response.status_code == 200 and response.get_json()["lang"] == "en"


def test_widget_js_ships_no_language(client):
    script = client.get("/embed.js").get_data(as_text=True)
    for text in ("Join the discussion", "Leave a Reply", "Post Comment", "Ymunwch", "awaiting moderation"):
        assert text not in script


# -- the site's default language -------------------------------------------------------

def test_sites_add_sets_and_validates_the_language(runner, app):
    result = runner.invoke(args=["sites", "add", "ceredigion", "--name", "Cyngor Sir Ceredigion",
                                 "--language", "cy"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(db.select(Site.language).filter_by(slug="ceredigion")).scalar_one() == "cy"
    refused = runner.invoke(args=["sites", "add", "ceredigion", "--name", "x", "--language", "fr"])
    assert refused.exit_code != 0 and "fr" in refused.output
    assert db.session.execute(db.select(Site.language).filter_by(slug="ceredigion")).scalar_one() == "cy"
    runner.invoke(args=["sites", "add", "camden", "--name", "Camden"])
    assert db.session.execute(db.select(Site.language).filter_by(slug="camden")).scalar_one() == "en"


@pytest.fixture
def demo_client(database_url):
    from tests.conftest import make_app

    app = make_app(database_url, DEMO_PAGE=True)
    with app.app_context():
        yield app.test_client()
        from tests.conftest import _empty_tables

        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def test_the_demo_page_has_a_visible_welsh_switch(demo_client):
    english = soup(demo_client.get("/demo"))
    switch = english.select_one(".language-switch a")
    assert (switch.get_text(), switch["lang"]) == ("Cymraeg", "cy")
    assert english.find(attrs={"data-discuss-site": "demo"})["data-discuss-lang"] == "en"
    welsh = soup(demo_client.get(switch["href"].split("#")[0]))
    assert welsh.find(attrs={"data-discuss-site": "demo"})["data-discuss-lang"] == "cy"
    assert welsh.select_one(".language-switch a").get_text() == "English"
    assert welsh.find("noscript").find("a")["href"].endswith("?lang=cy")


def test_a_report_is_thanked_in_the_readers_language(client, thread):
    comment_id = thread_comment_ids(thread)[0]
    welsh = client.post(f"/api/v1/comments/{comment_id}/reports", json={"reason": "abuse"},
                        headers={"Accept-Language": "cy"}, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert welsh.status_code == 201
    assert welsh.get_json()["message"] == "Diolch: bydd y cymedrolwyr yn edrych arno."
    english = client.post(f"/api/v1/comments/{comment_id}/reports", json={"reason": "abuse"},
                          environ_base={"REMOTE_ADDR": "198.51.100.8"})
    assert english.get_json()["message"] == "Thank you: the moderators will look at it."


def thread_comment_ids(thread) -> list[int]:
    from discuss.models import Comment

    return list(db.session.execute(db.select(Comment.id).filter_by(thread_id=thread.id).order_by(Comment.id)).scalars())


def test_the_moderation_ui_has_its_own_catalogue_shipped_in_english():
    moderation = {m.id for m in catalogue(TRANSLATIONS / "moderation.pot") if m.id}
    public = {m.id for m in catalogue(TRANSLATIONS / "messages.pot") if m.id}
    assert {"Review queue", "Signed out.", "Approve selected", "Ban the author"} <= moderation
    assert ("Approved %(num)d comment.", "Approved %(num)d comments.") in moderation
    assert "Review queue" not in public
    assert (TRANSLATIONS / "en" / "LC_MESSAGES" / "moderation.mo").exists()


def test_built_in_plugins_public_reasons_are_welsh(app, client, site):
    from discuss_builtins import bans, hate, profanity
    from tests.plugin_helpers import configure

    # The flood plugin's reason is a lazy plural message: Welsh when the resident reads Welsh.
    configure(site, "flood", max_per_ip=1, window_minutes=10)
    assert post(client, "first").status_code == 201
    welsh = client.post(THREAD_URL + "/comments", json={"author_name": "Siân", "body": "ail"},
                        headers={"Accept-Language": "cy"})
    assert welsh.status_code == 422
    assert welsh.get_json()["message"] == ("Rydych wedi anfon llawer o sylwadau mewn amser byr. "
                                           "Rhowch gynnig arall arni ymhen 10 munud.")
    assert post(client, "third").get_json()["message"].endswith("Please try again in 10 minutes.")
    # Settings' defaults and constants are message ids of the catalogue.
    with app.test_request_context("/"):
        i18n.use("cy")
        assert i18n.public_text(bans.PUBLIC_REASON) == "Ni allwch wneud sylwadau ar y wefan hon."
        assert i18n.public_text(profanity.PUBLIC_REASON).startswith("Aileiriwch eich sylw heb regfeydd")
        assert i18n.public_text(hate.PUBLIC_REASON).startswith("Aileiriwch eich sylw: efallai")
