"""Admin pages for moderator accounts: list, invite, role and sites, disable and enable, tokens;
and the invitation link's page, where an invited moderator sets a password.

Views parse the form, call :mod:`discuss.staff` or :mod:`discuss.invites`, and
shape the page; a refusal naming a field is shown beside that field (422).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import login_user
from werkzeug.wrappers import Response

from ..auth import MIN_PASSWORD_LENGTH, SignedIn
from ..i18n import N_, gettext as _, ngettext
from ..invites import INVITE_LIFETIME, InviteRefused, accept, invite, pending
from ..staff import (StaffRefused, change_access, grantable_roles, list_staff, load_visible, may_manage,
                     revoke_tokens, set_active)
from ..transactions import end_read
from . import bp
from .access import admin_area, administered_sites, viewer

ROLE_LABELS = {"moderator": N_("Moderator (the queue)"), "site_admin": N_("Site admin (the queue and these pages)"),
               "admin": N_("Admin (every site)")}


def _role_labels() -> dict[str, str]:
    """:data:`ROLE_LABELS` in the request's language."""
    return {role: _(label) for role, label in ROLE_LABELS.items()}


def _invite_page(errors: dict[str, str] | None = None, form: dict | None = None, invitation=None, code: int = 200):
    actor = viewer()
    html = render_template(
        "admin/moderators.html", rows=list_staff(actor), roles=grantable_roles(actor), role_labels=_role_labels(),
        sites=administered_sites(actor), errors=errors or {}, form=form or {}, invitation=invitation,
        invite_url=url_for("admin.invite_accept", token=invitation.token, _external=True) if invitation else None,
        lifetime_hours=int(INVITE_LIFETIME.total_seconds() // 3600),
    )
    end_read()
    return html, code


@bp.route("/moderators", methods=["GET"])
@admin_area
def moderators():
    """The accounts the viewer may see, and the invite form."""
    return _invite_page()


@bp.route("/moderators/invite", methods=["POST"])
@admin_area
def moderators_invite():
    """Invite by email: the account and a one-time link, shown once on the page that answers."""
    form = request.form
    entered = {"email": form.get("email", "").strip(), "name": form.get("name", "").strip(),
               "role": form.get("role", ""), "sites": form.getlist("sites")}
    try:
        made = invite(viewer(), entered["email"], entered["name"], entered["role"], entered["sites"])
    except StaffRefused as refused:
        if refused.code == 403:
            abort(403)
        return _invite_page({refused.field: refused.message}, entered, code=refused.code)
    return _invite_page(invitation=made, code=201)


def _target(moderator_id: int):
    try:
        return load_visible(viewer(), moderator_id)
    except StaffRefused:
        abort(404)


@bp.route("/moderators/<int:moderator_id>", methods=["GET"])
@admin_area
def moderators_show(moderator_id: int):
    return _account_page(moderator_id)


def _account_page(moderator_id: int, errors: dict[str, str] | None = None, form: dict | None = None,
                  code: int = 200):
    actor = viewer()
    target = _target(moderator_id)
    row = next((r for r in list_staff(actor) if r.id == target.id), None)
    if row is None:
        abort(404)
    chosen = form or {"role": target.role, "sites": list(row.sites)}
    html = render_template("admin/moderator.html", row=row, manageable=may_manage(actor, target),
                           roles=grantable_roles(actor), role_labels=_role_labels(), sites=administered_sites(actor),
                           errors=errors or {}, form=chosen)
    end_read()
    return html, code


def _refused(refused: StaffRefused, moderator_id: int, form: dict | None = None):
    if refused.code in (403, 404):
        abort(refused.code)
    return _account_page(moderator_id, {refused.field: refused.message}, form, code=422)


@bp.route("/moderators/<int:moderator_id>/access", methods=["POST"])
@admin_area
def moderators_access(moderator_id: int):
    """Set role and sites."""
    form = {"role": request.form.get("role", ""), "sites": request.form.getlist("sites")}
    try:
        made = change_access(viewer(), moderator_id, form["role"], form["sites"])
    except StaffRefused as refused:
        return _refused(refused, moderator_id, form)
    flash(_("Role and sites saved; their sessions were ended.") if made else _("Nothing changed."),
          "ok" if made else "info")
    return redirect(url_for("admin.moderators_show", moderator_id=moderator_id), code=303)


@bp.route("/moderators/<int:moderator_id>/active", methods=["POST"])
@admin_area
def moderators_active(moderator_id: int):
    """Disable (sessions end, tokens revoked) or enable."""
    wanted = request.form.get("active")
    if wanted not in ("0", "1"):
        abort(400)
    try:
        made = set_active(viewer(), moderator_id, wanted == "1")
    except StaffRefused as refused:
        return _refused(refused, moderator_id)
    if made is not None:
        flash(_("Enabled.") if wanted == "1" else _("Disabled: their sessions ended and their API tokens were revoked."),
              "ok")
    return redirect(url_for("admin.moderators_show", moderator_id=moderator_id), code=303)


@bp.route("/moderators/<int:moderator_id>/tokens/revoke", methods=["POST"])
@admin_area
def moderators_tokens(moderator_id: int):
    """Revoke every API token."""
    try:
        count = revoke_tokens(viewer(), moderator_id)
    except StaffRefused as refused:
        return _refused(refused, moderator_id)
    flash(ngettext("Revoked %(num)d API token.", "Revoked %(num)d API tokens.", count) if count
          else _("There were no tokens to revoke."),
          "ok" if count else "info")
    return redirect(url_for("admin.moderators_show", moderator_id=moderator_id), code=303)


# -- the invitation link (no sign-in needed: the token is the credential) -------------------

def _no_referrer(response: Response) -> Response:
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in this page's URL
    return response


@bp.route("/invites/<token>", methods=["GET", "POST"])
def invite_accept(token: str):
    """Set a password through a one-time link, then start a session as the new moderator."""
    if len(token) > 200:
        abort(404)
    try:
        moderator = pending(token)
        email = moderator.email
    except InviteRefused as refused:
        end_read()
        return _no_referrer(Response(render_template("admin/invite_refused.html", message=refused.message),
                                     status=refused.code, mimetype="text/html"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            moderator = accept(token, request.form.get("password", ""), request.form.get("confirmation", ""))
        except InviteRefused as refused:
            if refused.field == "token":
                end_read()
                return _no_referrer(Response(render_template("admin/invite_refused.html", message=refused.message),
                                             status=refused.code, mimetype="text/html"))
            errors[refused.field] = refused.message
        else:
            session.clear()
            session.permanent = True
            login_user(SignedIn(moderator))
            flash(_("Welcome, %(name)s: your password is set and you are signed in.", name=moderator.name), "ok")
            return _no_referrer(redirect(url_for("review.queue"), code=303))
    end_read()
    html = render_template("admin/invite_accept.html", email=email, errors=errors,
                           min_length=MIN_PASSWORD_LENGTH)
    return _no_referrer(Response(html, status=422 if errors else 200, mimetype="text/html"))
