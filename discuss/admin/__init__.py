"""The admin area: ``/moderation/admin/``, server-rendered like the review queue.

Same sign-in, session, CSRF and strict CSP as :mod:`discuss.review`; who may see
what is decided in :mod:`discuss.admin.access`. Each section is a module with its
own routes on the one blueprint :data:`bp`, and one entry in :data:`NAV`.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, request
from flask_login import current_user

from ..i18n import N_, gettext as _

bp = Blueprint("admin", __name__, url_prefix="/moderation/admin", template_folder="templates",
               static_folder="static", static_url_path="/static")

#: The admin area's navigation, in order: (endpoint, label; translated where shown). A link is shown only when its
#: endpoint exists, so a section adds itself here with one line. A section's other pages
#: are named ``<endpoint>_<something>`` (``admin.sites_show``) so its link stays marked current.
NAV: list[tuple[str, str]] = [
    ("admin.sites", N_("Sites")),
    ("admin.moderators", N_("Moderators")),
    ("admin.bans", N_("Bans")),
    ("admin.dashboard", N_("Dashboard")),
    ("admin.webhooks", N_("Webhook deliveries")),
    ("admin.mail", N_("Mail")),
]


def nav_links() -> list[dict[str, object]]:
    """The :data:`NAV` entries whose endpoint is registered, marking the current section."""
    from flask import url_for

    links = []
    here = request.endpoint or ""
    for endpoint, label in NAV:
        if endpoint not in current_app.view_functions:
            continue
        current = here == endpoint or here.startswith(endpoint + "_")
        links.append({"url": url_for(endpoint), "label": _(label), "current": current})
    return links


@bp.app_context_processor
def _admin_context() -> dict[str, object]:
    # Only the moderation pages ask who is signed in: a public page must not touch the
    # session (that would make its responses vary by cookie).
    if request.blueprint not in ("review", "admin", "mail_account"):
        return {}
    from .access import may_use_admin_area

    shows = bool(getattr(current_user, "is_authenticated", False)) and may_use_admin_area(current_user.moderator)
    return {"admin_link": shows}


@bp.context_processor
def _nav_context() -> dict[str, object]:
    return {"admin_nav": nav_links()}


def register_admin(app: Flask) -> None:
    """Register the admin blueprint (its views are imported for their routes)."""
    from . import sites  # noqa: F401  (routes)
    from . import bans, dashboard, mail, moderators, webhooks  # noqa: F401  (routes)

    app.register_blueprint(bp)
