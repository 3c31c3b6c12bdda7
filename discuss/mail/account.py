"""``/moderation/mail``: a moderator chooses how they hear of held comments."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..i18n import gettext as _
from ..transactions import end_read
from . import enabled, moderators

bp = Blueprint("mail_account", __name__, url_prefix="/moderation", template_folder="templates")


@bp.route("/mail", methods=["GET", "POST"])
@login_required
def held_mail():
    moderator_id = current_user.moderator.id
    error = None
    if request.method == "POST":
        try:
            moderators.set_preference(moderator_id, request.form.get("held", ""))
        except ValueError:
            error = _("Choose one of the three.")
        else:
            flash(_("Saved: how you hear of held comments."), "ok")
            return redirect(url_for("mail_account.held_mail"), 303)
    chosen = request.form.get("held") if error else moderators.preference(moderator_id)
    html = render_template("mail/account.html", chosen=chosen, error=error, enabled=enabled())
    end_read()
    return html, 422 if error else 200
