"""The admin console speaks through the ``moderation`` catalogue, as the review queue does
(docs/translating.md): every word an admin reads in discuss/admin/templates is marked."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import discuss
from discuss.i18n import gettext
from tests.reviewing import other_site  # noqa: F401  (a fixture)
from tests.test_admin_sites import login, people  # noqa: F401  (a fixture)

ROOT = Path(discuss.__file__).parent
TEMPLATES = sorted((ROOT / "admin" / "templates" / "admin").glob("*.html"))
TRANSLATIONS = ROOT / "translations"
#: Attributes whose values a reader sees or hears.
VISIBLE_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder"}
#: Jinja comments, expressions and statements: what is left is the template's own text.
JINJA = re.compile(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", re.S)
#: A macro's output that is attributes for a tag elsewhere (``aria-invalid="true"``), not words.
ATTRIBUTES_ONLY = re.compile(r'(\s*[\w-]+="[^"]*")+\s*')


class _Words(HTMLParser):
    """The words a template writes itself: text outside tags and <code>, and visible attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.code = 0

    def handle_starttag(self, tag, attrs):
        self.code += tag == "code"
        self.found += [value for name, value in attrs if name in VISIBLE_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        self.code -= tag == "code"

    def handle_data(self, data):
        if not self.code:
            self.found.append(data)


def unmarked_words(source: str) -> list[str]:
    parser = _Words()
    parser.feed(JINJA.sub(" ", source))
    return [text.strip() for text in parser.found
            if re.search(r"[A-Za-z]", text) and not ATTRIBUTES_ONLY.fullmatch(text)]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_word_of_the_admin_templates_is_marked_for_translation(template):
    assert unmarked_words(template.read_text(encoding="utf-8")) == []


def test_the_check_finds_an_unmarked_word():
    assert unmarked_words('<h1>{{ _("Sites") }}</h1><p title="Help">Add a site</p><code>discuss</code>') == [
        "Help", "Add a site"]
    assert unmarked_words('<label>{{ _("Site") }} <input aria-label="{{ _("Site") }}"></label>{# note #}') == []


def test_the_admin_consoles_messages_are_in_the_moderation_catalogue_not_the_residents():
    moderation = {m.id for m in read_po((TRANSLATIONS / "moderation.pot").open("rb")) if m.id}
    public = {m.id for m in read_po((TRANSLATIONS / "messages.pot").open("rb")) if m.id}
    admin = {"Invite a moderator", "Plugin settings", "Download these figures as CSV", "Lift ban %(id)s",
             ("Revoke all %(num)d API token", "Revoke all %(num)d API tokens")}
    assert admin <= moderation
    assert not admin & public


def test_the_moderation_template_is_what_the_code_marks():
    """Every message the review queue and the admin console mark is in moderation.pot, and nothing
    else (run `bash scripts/translations.sh extract`)."""
    import tempfile

    from babel.messages.frontend import CommandLineInterface

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "moderation.pot"
        CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(TRANSLATIONS / "moderation.cfg"),
                                    "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "-k", "N_",
                                    "-o", str(out), str(ROOT.parent)])
        fresh = {m.id for m in read_po(out.open("rb")) if m.id}
    assert fresh == {m.id for m in read_po((TRANSLATIONS / "moderation.pot").open("rb")) if m.id}


def test_the_admin_pages_and_their_messages_are_read_from_the_catalogue(app, client, people):
    """With a test-only translation in the table, the page and its flash message show it."""
    login(client)
    with app.test_request_context():
        gettext("Sites")  # loads this app's merged catalogues
        from flask_babel import get_translations

        table = get_translations()
        table._catalog.update({"Sites you administer": "[sites you administer]",
                               "Saved.": "[saved]", "Nothing changed.": "[nothing changed]"})
    page = client.get("/moderation/admin/sites").get_data(as_text=True)
    assert "[sites you administer]" in page and "Sites you administer" not in page
    saved = client.post("/moderation/admin/sites/council", data={"name": "Renamed council", "origins": ""},
                        follow_redirects=True).get_data(as_text=True)
    assert "[saved]" in saved
