"""The admin page for mail: what has not been delivered, why, and "send again"."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for

from ..i18n import gettext as _
from ..mail import enabled, outbox
from ..transactions import end_read
from . import bp
from .access import admin_area, administered_site_ids, viewer


@bp.route("/mail", methods=["GET"])
@admin_area
def mail():
    """Undelivered mail on the viewer's sites (every site's, and mail of no site, for admins)."""
    found = outbox.undelivered(administered_site_ids(viewer()))
    html = render_template("admin/mail.html", found=found, enabled=enabled(),
                           host=current_app.config["MAIL_HOST"], attempts=outbox.ATTEMPTS)
    end_read()
    return html


@bp.route("/mail/<int:mail_id>/send", methods=["POST"])
@admin_area
def mail_send(mail_id: int):
    """Send a given-up message again (its attempts start from zero)."""
    if not outbox.send_again(mail_id, administered_site_ids(viewer())):
        abort(404)
    flash(_("Message %(id)s will be sent again.", id=mail_id), "ok")
    return redirect(url_for("admin.mail"), 303)
