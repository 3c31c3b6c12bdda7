"""Admin pages for sites: the list, create, one site's page (details, threads, embed snippet),
and its plugin settings with "Try it".

Views parse the form, call :mod:`discuss.admin.site_admin`, and either redirect
with a message (post/redirect/get) or show the form again with each message
beside its field (422) and the values as typed.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from ..host import get_host
from ..i18n import gettext as _
from ..origins import public_url
from ..review.queue import highlight
from ..transactions import end_read
from . import bp
from .plugin_forms import NOTES
from .access import admin_area, administered_sites, full_admin, is_full_admin, site_for_admin, viewer
from .site_admin import (
    MAX_THREADS_SHOWN, SLUG_MESSAGE, FormErrors, slug_ok, create_site, parse_details, save_settings, set_thread_closed, settings_form,
    site_threads, submitted_settings, try_comment, update_details,
)


@bp.route("/", methods=["GET"])
@admin_area
def index():
    """The admin area's front page: the sites list."""
    return redirect(url_for("admin.sites"))


@bp.route("/sites", methods=["GET"])
@admin_area
def sites():
    """Every site the viewer administers."""
    rows = administered_sites(viewer())
    html = render_template("admin/sites.html", sites=rows, may_create=is_full_admin(viewer()))
    end_read()
    return html


@bp.route("/sites/new", methods=["GET", "POST"])
@full_admin
def sites_new():
    """Create a site (admins only)."""
    form = request.form
    if request.method == "GET":
        return render_template("admin/site_new.html", values={}, errors={})
    slug = (form.get("slug") or "").strip()
    try:
        details = parse_details(form)
        create_site(viewer(), slug, details)
    except FormErrors as exc:
        errors = dict(exc.errors)
        if not slug_ok(slug):
            errors["slug"] = [_(SLUG_MESSAGE)]
        return render_template("admin/site_new.html", values=form, errors=errors), 422
    flash(_("Site %(slug)s created. Set its plugins below, then paste the snippet into its pages.", slug=slug), "ok")
    return redirect(url_for("admin.sites_show", slug=slug), code=303)


@bp.route("/sites/<slug>", methods=["GET"])
@admin_area
def sites_show(slug: str):
    """One site: its details, its threads (close and reopen), and the embed snippet."""
    site = site_for_admin(slug)
    return _site_page(site, _details_values(site), {})


@bp.route("/sites/<slug>", methods=["POST"])
@admin_area
def sites_update(slug: str):
    """Save a site's name, allowed origins and reports threshold."""
    site = site_for_admin(slug)
    try:
        details = parse_details(request.form)
    except FormErrors as exc:
        return _site_page(site, request.form, exc.errors, code=422)
    changed = update_details(viewer(), site.id, details)
    flash(_("Saved.") if changed else _("Nothing changed."), "ok")
    return redirect(url_for("admin.sites_show", slug=slug), code=303)


@bp.route("/sites/<slug>/threads/<int:thread_id>", methods=["POST"])
@admin_area
def sites_thread(slug: str, thread_id: int):
    """Close or reopen one of the site's threads."""
    site = site_for_admin(slug)
    action = request.form.get("action")
    if action not in ("close", "reopen"):
        abort(400)
    thread = set_thread_closed(viewer(), site.id, thread_id, action == "close")
    if thread is None:
        abort(404)
    flash(_("%(key)s: closed to new comments.", key=thread.key) if thread.closed
          else _("%(key)s: open for comments again.", key=thread.key), "ok")
    return redirect(url_for("admin.sites_show", slug=slug) + "#threads", code=303)


def _details_values(site) -> dict[str, Any]:
    return {"name": site.name, "origins": "\n".join(site.allowed_origins or []),
            "reports_to_hide": "" if site.reports_to_hide is None else str(site.reports_to_hide)}


def _site_page(site, values, errors, code: int = 200):
    threads = site_threads(site.id)
    html = render_template(
        "admin/site.html", site=site, values=values, errors=errors, threads=threads,
        threads_capped=len(threads) >= MAX_THREADS_SHOWN, snippet=_snippet(site),
        default_threshold=current_app.config["REPORTS_TO_HIDE"],
    )
    end_read()
    return html, code


def _snippet(site) -> str:
    """The README's embed snippet for this site, under this service's public address."""
    script = public_url("/embed.js")
    fallback = public_url(f"/embed/{site.slug}/path/of/page")
    return (f'<div data-discuss-site="{site.slug}" data-discuss-thread="/path/of/page"></div>\n'
            f'<script src="{script}" async></script>\n'
            f'<noscript><a href="{fallback}">Read and join the discussion without JavaScript</a></noscript>')


# -- plugin settings and Try it ----------------------------------------------------

@bp.route("/sites/<slug>/settings", methods=["GET"])
@admin_area
def sites_settings(slug: str):
    """The site's plugins: each switch and setting as a form from the plugin's own schema."""
    site = site_for_admin(slug)
    return _settings_page(site, settings_form(get_host(), site))


@bp.route("/sites/<slug>/settings", methods=["POST"])
@admin_area
def sites_settings_save(slug: str):
    """Save the settings form (``intent=save``) or try a comment under it (``intent=try``)."""
    site = site_for_admin(slug)
    host = get_host()
    form = submitted_settings(host, site, request.form)
    intent = request.form.get("intent", "save")
    if intent == "try":
        trial, try_error = None, None
        if not form.errors:
            try:
                trial = try_comment(host, site, form.moderation, request.form.get("try_text", ""),
                                    request.form.get("try_email", "").strip() or None)
            except FormErrors as exc:
                try_error = exc.errors.get("try_text", [exc.message])[0]
        return _settings_page(site, form, trial=trial, try_error=try_error,
                              code=422 if form.errors or try_error else 200)
    if form.errors:
        return _settings_page(site, form, code=422)
    try:
        changed = save_settings(viewer(), host, site.id, form.moderation)
    except FormErrors as exc:
        flash(" ".join(message for messages in exc.errors.values() for message in messages), "error")
        return _settings_page(site, form, code=422)
    flash(_("Saved: %(plugins)s.", plugins=", ".join(changed)) if changed else _("Nothing changed."), "ok")
    return redirect(url_for("admin.sites_settings", slug=slug), code=303)


def _settings_page(site, form, *, trial=None, try_error=None, code: int = 200):
    html = render_template(
        "admin/settings.html", site=site, form=form, trial=trial, try_error=try_error,
        try_text=request.form.get("try_text", ""), try_email=request.form.get("try_email", ""),
        highlight=highlight, spans_in=_spans_in, notes={plugin: _(note) for plugin, note in NOTES.items()},
    )
    end_read()
    return html, code


def _spans_in(details: Any) -> list[Any]:
    found = (details or {}).get("spans") if hasattr(details, "get") else None
    return list(found) if isinstance(found, (list, tuple)) else []
