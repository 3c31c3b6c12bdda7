"""The admin area's services for a site: details, origins, threshold, threads, plugin settings, Try it.

Views parse forms and call these; each change runs in one
:func:`~discuss.transactions.writing` block, writes an audit entry of only what
changed (:func:`discuss.admin.audit.record`), and stores nothing when anything
is wrong. Plugin settings are validated by each plugin's own schema through
:func:`discuss.plugins.effective_settings` and, as ``discuss sites add
--settings`` does, by :meth:`PluginHost.check_site` before the commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlsplit

import sqlalchemy as sa

from ..errors import Refusal
from ..i18n import N_, gettext as _
from ..extensions import db
from ..host import PluginHost, SiteFacts
from ..models import Moderator, Site, Thread, utcnow
from ..moderation import Screening, screen_comment
from ..origins import normalise_origin
from ..sites import valid_slug
from ..plugins import PluginInfo, PluginSettingsError, effective_settings
from ..submission import Submission
from ..transactions import writing
from ..values import SiteView
from . import audit
from .plugin_forms import FieldSpec, PluginForm, defaults_of, fields_for, flatten_errors, stored_form, submitted_form

MAX_NAME = 200
MAX_ORIGINS = 50
MAX_THRESHOLD = 100
#: The longest comment "Try it" screens when the service sets no MAX_BODY_LENGTH.
MAX_TRY_LENGTH = 10_000
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?|\[[0-9a-f:.]+\]")


class FormErrors(Refusal):
    """Fields the form must show again with a message beside each (``errors``: field -> messages)."""

    def __init__(self, errors: Mapping[str, list[str]], code: int = 422) -> None:
        super().__init__("", _("Please correct the fields marked."), code=code)
        self.errors = dict(errors)


# -- details: name, origins, threshold ---------------------------------------------

@dataclass(frozen=True)
class SiteDetails:
    name: str
    origins: tuple[str, ...]
    reports_to_hide: int | None  # None: the service's REPORTS_TO_HIDE


def check_origin(text: str) -> str:
    """One allowed origin, normalised; :class:`ValueError` with a message for a person otherwise."""
    value = text.strip()
    if value.lower() == "null":
        raise ValueError(_("\u201cnull\u201d is not an origin: it stands for sandboxed and local pages, "
                           "which must not post."))
    if "*" in value:
        raise ValueError(_("Wildcards are not allowed: list each origin, e.g. https://www.council.gov.uk."))
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(_("Start with https:// (or http://) and the host, e.g. https://www.council.gov.uk."))
    if "@" in parts.netloc:
        raise ValueError(_("An origin has no user name or password."))
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(_("An origin has no path: only scheme, host and port, e.g. https://www.council.gov.uk."))
    try:
        parts.port
    except ValueError:
        raise ValueError(_("The port must be a number from 1 to 65535.")) from None
    if not parts.hostname or not _HOST.fullmatch(parts.hostname):
        raise ValueError(_("That is not a host name."))
    return normalise_origin(value)


def parse_details(form: Mapping[str, Any]) -> SiteDetails:
    """Name, origins (one a line) and threshold from a form.

    :raises FormErrors: naming each bad field (every origin's problem, by line).
    """
    errors: dict[str, list[str]] = {}
    name = (form.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Give the site a name.")]
    elif len(name) > MAX_NAME:
        errors["name"] = [_("At most %(num)s characters.", num=MAX_NAME)]
    origins: list[str] = []
    lines = [line.strip() for line in (form.get("origins") or "").splitlines() if line.strip()]
    if len(lines) > MAX_ORIGINS:
        errors["origins"] = [_("At most %(num)s origins.", num=MAX_ORIGINS)]
    for line in lines[:MAX_ORIGINS]:
        try:
            origin = check_origin(line)
        except ValueError as exc:
            errors.setdefault("origins", []).append(_("%(line)s: %(problem)s", line=line[:100], problem=exc))
            continue
        if origin not in origins:
            origins.append(origin)
    threshold_text = (form.get("reports_to_hide") or "").strip()
    threshold = None
    if threshold_text:
        if not threshold_text.isascii() or not threshold_text.isdigit() or int(threshold_text) > MAX_THRESHOLD:
            errors["reports_to_hide"] = [_("A whole number from 0 to %(most)s (0: reports never hide "
                                           "a comment), or empty for the service's default.", most=MAX_THRESHOLD)]
        else:
            threshold = int(threshold_text)
    if errors:
        raise FormErrors(errors)
    return SiteDetails(name=name, origins=tuple(origins), reports_to_hide=threshold)


def _details_of(site: Site) -> dict[str, Any]:
    return {"name": site.name, "allowed_origins": list(site.allowed_origins or []),
            "reports_to_hide": site.reports_to_hide}


#: Marked here, translated where it is used.
SLUG_MESSAGE = N_("Use 1 to 64 lower-case letters, digits and hyphens, starting with a letter or digit.")


def slug_ok(slug: str) -> bool:
    """Whether ``slug`` can name a site (as ``discuss sites add`` requires)."""
    return valid_slug(slug)


def create_site(moderator: Moderator, slug: str, details: SiteDetails) -> Site:
    """Add a site (admins only: the view checks).

    :raises FormErrors: for a bad or taken slug.
    """
    slug = slug.strip()
    if not slug_ok(slug):
        raise FormErrors({"slug": [_(SLUG_MESSAGE)]})
    with writing():
        if db.session.execute(sa.select(Site.id).filter_by(slug=slug)).first() is not None:
            raise FormErrors({"slug": [_("There is a site %(slug)s already.", slug=slug)]})
        site = Site(slug=slug, name=details.name, allowed_origins=list(details.origins),
                    reports_to_hide=details.reports_to_hide, moderation={})
        db.session.add(site)
        db.session.flush()
        audit.record(moderator, "site_created", site=site, before={}, after={"slug": slug, **_details_of(site)})
    return site


def update_details(moderator: Moderator, site_id: int, details: SiteDetails) -> bool:
    """Change a site's name, origins and threshold; whether anything changed."""
    with writing():
        site = db.session.get(Site, site_id, populate_existing=True)
        before = _details_of(site)
        site.name = details.name
        site.allowed_origins = list(details.origins)
        site.reports_to_hide = details.reports_to_hide
        entry = audit.record(moderator, "site_edited", site=site, before=before, after=_details_of(site))
    return entry is not None


# -- threads -------------------------------------------------------------------

MAX_THREADS_SHOWN = 200


def site_threads(site_id: int, limit: int = MAX_THREADS_SHOWN) -> list[Thread]:
    """The site's threads, newest first."""
    return list(db.session.execute(
        sa.select(Thread).where(Thread.site_id == site_id).order_by(Thread.id.desc()).limit(limit)
    ).scalars())


def set_thread_closed(moderator: Moderator, site_id: int, thread_id: int, closed: bool) -> Thread | None:
    """Close or reopen one of the site's threads (``None``: no such thread on this site)."""
    with writing():
        thread = db.session.get(Thread, thread_id, populate_existing=True)
        if thread is None or thread.site_id != site_id:
            return None
        if thread.closed != closed:
            was = thread.closed
            thread.closed = closed
            audit.record(moderator, "thread_closed" if closed else "thread_reopened", site=thread.site,
                         reason=thread.key, before={"thread": thread.key, "closed": was},
                         after={"thread": thread.key, "closed": closed})
        return thread


# -- plugin settings -------------------------------------------------------------

@dataclass
class PluginSection:
    """One plugin on the settings page: what it is, its inputs, and what they show."""

    info: PluginInfo
    specs: list[FieldSpec]
    form: PluginForm
    switched_off: bool = False  # DISABLED_PLUGINS: off for the whole service
    summary: str = ""


@dataclass
class SettingsForm:
    sections: list[PluginSection]
    moderation: dict[str, Any]       # the whole site's settings the form describes
    errors: bool = False
    changed: list[str] = field(default_factory=list)


def _summary(info: PluginInfo) -> str:
    doc = (getattr(info.plugin, "__doc__", None) or "").strip()
    return doc.split("\n\n", 1)[0].replace("\n", " ") if doc else ""


def settings_form(host: PluginHost, site: Site) -> SettingsForm:
    """The settings form as the site has them stored."""
    stored = dict(site.moderation or {})
    sections = []
    for info in host.infos():
        specs = fields_for(info.schema)
        form = stored_form(info.name, info.schema, specs, stored.get(info.name), info.enabled_by_default)
        sections.append(PluginSection(info, specs, form, info.name in host.disabled, _summary(info)))
    return SettingsForm(sections=sections, moderation=stored)


def submitted_settings(host: PluginHost, site: Site, form: Mapping[str, Any]) -> SettingsForm:
    """The settings a posted form asks for, each plugin validated by its own schema.

    ``errors`` is set when any field is wrong (each message is in its section's
    ``form.errors`` under the field's name); ``moderation`` is then not to be stored.
    """
    stored = dict(site.moderation or {})
    moderation = dict(stored)  # plugins not registered now keep their settings
    sections, any_errors = [], False
    for info in host.infos():
        specs = fields_for(info.schema)
        shown, raw = submitted_form(info.name, specs, form, stored.get(info.name))
        entry = _kept(info, stored.get(info.name) or {}, shown.enabled, raw)
        if not shown.errors:
            try:
                effective_settings(info, entry, site_label=site.slug)
            except PluginSettingsError as exc:
                kinds = {spec.name: spec.kind for spec in specs}
                for key, messages in exc.messages.items():
                    entry = {"rows": _("row"), "table": _("line")}.get(kinds.get(str(key), ""), _("entry"))
                    shown.errors.setdefault(str(key), []).extend(flatten_errors(messages, entry))
        if shown.errors:
            any_errors = True
        if entry:
            moderation[info.name] = entry
        else:
            moderation.pop(info.name, None)
        sections.append(PluginSection(info, specs, shown, info.name in host.disabled, _summary(info)))
    return SettingsForm(sections=sections, moderation=moderation, errors=any_errors)


def _kept(info: PluginInfo, stored: Mapping[str, Any], enabled: bool, raw: Mapping[str, Any]) -> dict[str, Any]:
    """What to store for one plugin: the settings that differ from their defaults, and those
    stored already and left as they were (so saving an untouched form changes nothing).

    A setting put back to its default is removed, as is a field left empty (a number,
    a date, a removed secret): the plugin's default applies.
    """
    defaults = defaults_of(info.schema)
    unset = object()
    entry = {key: value for key, value in raw.items()
             if defaults.get(key, unset) != value or stored.get(key, unset) == value}
    if enabled != info.enabled_by_default or stored.get("enabled", unset) == enabled:
        entry = {"enabled": enabled, **entry}
    return entry


def save_settings(moderator: Moderator, host: PluginHost, site_id: int, moderation: Mapping[str, Any]) -> list[str]:
    """Store a site's whole plugin settings; audit each plugin that changed. Returns their names.

    :raises FormErrors: when the settings do not load (checked again, as the CLI does, before commit).
    """
    changed = []
    with writing():
        site = db.session.get(Site, site_id, populate_existing=True)
        before = dict(site.moderation or {})
        after = dict(moderation)
        site.moderation = after
        try:
            host.check_site(site)
        except PluginSettingsError as exc:
            raise FormErrors({exc.plugin or "settings": [str(exc)]}) from exc
        for name in sorted(set(before) | set(after)):
            entry = audit.record(moderator, "plugin_settings", site=site, reason=name,
                                 before={name: before[name]} if name in before else {},
                                 after={name: after[name]} if name in after else {})
            if entry is not None:
                changed.append(name)
    return changed


# -- Try it -----------------------------------------------------------------------

@dataclass(frozen=True)
class Trial:
    text: str
    screening: Screening


def try_comment(host: PluginHost, site: Site, moderation: Mapping[str, Any], text: str,
                author_email: str | None = None) -> Trial:
    """Every enabled plugin's verdict on ``text`` under ``moderation`` (unsaved settings); stores nothing.

    Uses the site's history (past comments, bans) as a real reply would.

    :raises FormErrors: for an empty or too long text.
    """
    if not text.strip():
        raise FormErrors({"try_text": [_("Paste a comment to try.")]})
    from flask import current_app

    limit = int(current_app.config.get("MAX_BODY_LENGTH") or MAX_TRY_LENGTH)
    if len(text) > limit:
        raise FormErrors({"try_text": [_("At most %(num)s characters, as for a reply.", num=limit)]})
    author_email = (author_email or "").strip().lower()[:320] or None
    facts = SiteFacts(SiteView.of(site), site.id, dict(moderation))
    submission = Submission(body=text, author_name="Try it", author_email=author_email,
                            site=site.slug, thread_key="/try-it", received_at=utcnow(), extra={"website": ""})
    return Trial(text=text, screening=screen_comment(host, submission, facts))
