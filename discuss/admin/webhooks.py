"""Admin page for webhook deliveries that failed for good: what, where, why; replay one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..deliveries import DeliveryRefused, failed_deliveries, replay, waiting_for_retry
from ..i18n import gettext as _
from ..transactions import end_read
from . import bp
from .access import admin_area, administered_sites, viewer


@bp.route("/webhooks", methods=["GET"])
@admin_area
def webhooks():
    """Failed deliveries of the viewer's sites, newest first, with a Replay button each."""
    site = request.args.get("site") or ""
    sites = administered_sites(viewer())
    if site and site not in {s.slug for s in sites}:
        abort(404)
    html = render_template("admin/webhooks.html", rows=failed_deliveries(viewer(), site or None), sites=sites,
                           site=site, waiting=waiting_for_retry(viewer()))
    end_read()
    return html


@bp.route("/webhooks/<int:dead_id>/replay", methods=["POST"])
@admin_area
def webhooks_replay(dead_id: int):
    try:
        delivery = replay(viewer(), dead_id)
    except DeliveryRefused as refused:
        abort(refused.code)
    flash(_("Delivery of %(event)s to %(url)s queued again.", event=delivery.event, url=delivery.url), "ok")
    site = request.args.get("site") or ""
    return redirect(url_for("admin.webhooks", **({"site": site} if site else {})), code=303)
