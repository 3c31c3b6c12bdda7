"""Admin pages for bans: the list with filters, lift, change when a ban ends."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for

from ..bans import ACTIVE, STATES, BanRefused, change_expiry, lift, list_bans
from ..bounds import MAX_YEAR, MIN_YEAR
from ..i18n import gettext as _
from ..transactions import end_read
from . import bp
from .access import admin_area, administered_sites, viewer


def _filters() -> dict[str, str]:
    args = request.args
    return {"state": args.get("state") or ACTIVE, "site": args.get("site") or ""}


def _page(errors: dict[int, dict[str, str]] | None = None, code: int = 200):
    filters = _filters()
    error = None
    rows = []
    try:
        rows = list_bans(viewer(), filters["state"], filters["site"] or None)
    except BanRefused as refused:
        if refused.code == 404:
            abort(404)
        error, code = refused.message, 422
    shown = {row.id for row in rows}
    # A refusal about a ban the filters hide (lifted already, say) is shown at the top.
    for ban_id, messages in (errors or {}).items():
        if ban_id not in shown:
            error = _("Ban %(id)s: %(messages)s", id=ban_id, messages=" ".join(messages.values()))
    html = render_template("admin/bans.html", rows=rows, filters=filters, states=STATES, error=error,
                           sites=administered_sites(viewer()), errors=errors or {})
    end_read()
    return html, code


@bp.route("/bans", methods=["GET"])
@admin_area
def bans():
    """Bans on the viewer's sites, active ones first by default."""
    return _page()


def _back() -> str:
    return url_for("admin.bans", **{k: v for k, v in _filters().items() if v})


@bp.route("/bans/<int:ban_id>/lift", methods=["POST"])
@admin_area
def bans_lift(ban_id: int):
    try:
        lift(viewer(), ban_id, request.form.get("reason", ""))
    except BanRefused as refused:
        if refused.code == 404:
            abort(404)
        return _page({ban_id: {refused.field: refused.message}}, code=422)
    flash(_("Lifted ban %(id)s.", id=ban_id), "ok")
    return redirect(_back(), code=303)


def parse_expiry(text: str) -> datetime | None:
    """A ``datetime-local`` value (``YYYY-MM-DDTHH:MM``, UTC); empty: never.

    :raises BanRefused: 422 ``expires_at``.
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BanRefused("expires_at", _("Use a date and time like 2026-12-31 18:00.")) from None
    if value.tzinfo is not None or not MIN_YEAR <= value.year <= MAX_YEAR:
        raise BanRefused("expires_at", _("Use a date and time (UTC) in the years %(first)s to %(last)s.",
                                           first=MIN_YEAR, last=MAX_YEAR))
    return value


@bp.route("/bans/<int:ban_id>/expiry", methods=["POST"])
@admin_area
def bans_expiry(ban_id: int):
    try:
        made = change_expiry(viewer(), ban_id, parse_expiry(request.form.get("expires_at", "")),
                             request.form.get("reason", ""))
    except BanRefused as refused:
        if refused.code == 404:
            abort(404)
        return _page({ban_id: {refused.field: refused.message}}, code=422)
    flash(_("Ban %(id)s now ends as set.", id=ban_id) if made else _("Ban %(id)s already ended then.", id=ban_id),
          "ok" if made else "info")
    return redirect(_back(), code=303)
