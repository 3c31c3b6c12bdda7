"""Languages: which one a request is answered in, and the helpers that translate.

The one place the language is chosen (docs/translating.md). Residents' pages and
the widget are shipped in :data:`LANGUAGES` (English and Welsh); the moderation
UI in English. A language that is not shipped is never an error: it is skipped,
and the choice falls through to the next source, then the site's default, then
English.

- the widget: ``data-discuss-lang``, else the host page's ``<html lang>``, else the
  site's default (``/embed/i18n.json`` answers which, with its strings);
- the no-JS page: ``?lang=``, else ``Accept-Language``, else the site's default;
- the JSON API: ``Accept-Language`` (the widget sends its own), else the site's default;
- the moderation UI: English.

Flask-Babel asks :func:`selected_locale` for the locale; views call :func:`use`
once they know the language. Catalogues live in ``discuss/translations``:
domain ``messages`` (everything a resident sees; every language) and domain
``moderation`` (the review queue; English), merged into one translation table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from babel import Locale
from babel.dates import format_date, format_time, get_month_names
from flask import Flask, g, request
from flask_babel import Babel, LazyString, get_translations, gettext, lazy_gettext, lazy_ngettext, ngettext, refresh

__all__ = [
    "LANGUAGES", "DEFAULT_LANGUAGE", "NAMES", "shipped", "choose", "page_language", "api_language",
    "use", "current", "public_text", "display_date", "plural_forms", "init_app", "N_",
    "gettext", "ngettext", "lazy_gettext", "lazy_ngettext",
]

#: Languages residents can be answered in (each has a complete ``messages`` catalogue).
LANGUAGES: tuple[str, ...] = ("en", "cy")
DEFAULT_LANGUAGE = "en"
#: Each language's name in itself, for language switches.
NAMES = {"en": "English", "cy": "Cymraeg"}


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (a constant
    translated where it is shown, e.g. through :func:`public_text`)."""
    return message


def shipped(tag: str | None) -> str | None:
    """The shipped language a tag names (``cy``, ``cy-GB``, ``CY_gb``), or ``None``."""
    if not tag or not isinstance(tag, str):
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else None


def choose(candidates: Iterable[str | None], site_default: str | None = None) -> str:
    """The first shipped language among ``candidates``, else the site's default, else English."""
    for tag in candidates:
        found = shipped(tag)
        if found:
            return found
    return shipped(site_default) or DEFAULT_LANGUAGE


def _accepted() -> str | None:
    """The best shipped language of the request's ``Accept-Language`` (``*`` does not count)."""
    for tag, quality in request.accept_languages:
        if quality > 0 and shipped(tag):
            return shipped(tag)
    return None


def page_language(site_default: str | None) -> str:
    """The no-JS page's language: ``?lang=``, else ``Accept-Language``, else the site's default."""
    return choose([request.args.get("lang"), _accepted()], site_default)


def api_language(site_default: str | None) -> str:
    """A JSON answer's language: ``Accept-Language``, else the site's default."""
    return choose([_accepted()], site_default)


def use(language: str) -> str:
    """Answer the rest of this request in ``language`` (a shipped one); returns it."""
    g.discuss_language = shipped(language) or DEFAULT_LANGUAGE
    refresh()  # Flask-Babel keeps the locale it chose first on the context
    return g.discuss_language


def current() -> str:
    """The language this request is answered in."""
    return g.get("discuss_language", DEFAULT_LANGUAGE)


def selected_locale() -> str:
    """Flask-Babel's locale selector: what :func:`use` chose, else English."""
    return current()


def public_text(value: Any) -> str:
    """Text a resident sees, in the request's language.

    A lazy string (a plugin's ``lazy_gettext``, or its own Flask-Babel ``Domain``'s)
    is evaluated now, in this request's locale. A plain ``str`` is looked up in the
    ``messages`` catalogue, so a built-in English text (a plugin setting's default)
    is translated and any other text (a council's own wording) is shown as written.
    """
    if isinstance(value, LazyString):
        return str(value)
    text = "" if value is None else str(value)
    return gettext(text) if text else ""


def display_date(when: datetime | None) -> str:
    """A date and time as residents read it: "5 January 2026 at 09:30", "5 Ionawr 2026 am 09:30" (UTC)."""
    if not when:
        return ""
    locale = current()
    return gettext("%(date)s at %(time)s", date=format_date(when, "d MMMM y", locale=locale),
                   time=format_time(when, "HH:mm", locale=locale))


def month_names(language: str) -> list[str]:
    """The months, January first, as they are written in a date in ``language``."""
    names = get_month_names("wide", context="format", locale=language)
    return [names[month] for month in range(1, 13)]


def plural_forms(singular: str, plural: str, language: str) -> dict[str, str]:
    """A plural message in each of ``language``'s CLDR plural categories
    (``zero``, ``one``, ``two``, ``few``, ``many``, ``other``), ``%(num)d`` left in.

    Babel's plural rule for the language names the categories; each is filled with
    the catalogue's form for a number in that category, so the widget can choose with
    ``Intl.PluralRules`` and never evaluate the catalogue's ``Plural-Forms`` expression.
    """
    rule = Locale.parse(language).plural_form
    forms: dict[str, str] = {}
    for number in range(0, 1001):
        category = rule(number)
        if category not in forms:
            # The catalogue's form for this number, its %(num)d placeholder kept.
            forms[category] = get_translations().ungettext(singular, plural, number)
        if len(forms) == len(rule.tags) + 1:  # tags: every category but "other"
            break
    return forms


def init_app(app: Flask) -> None:
    """Flask-Babel with our catalogues and locale selector."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    # moderation first: the last catalogue merged gives the plural rule, and messages has one in every language.
    app.config["BABEL_DOMAIN"] = "moderation;messages"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = "translations;translations"
    Babel(app, locale_selector=selected_locale)
    app.jinja_env.globals.update(display_date=display_date)
