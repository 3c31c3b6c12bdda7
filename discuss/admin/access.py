"""Who may use the admin area (``/moderation/admin/``), and on which sites: one place.

Roles (:data:`discuss.auth.ROLES`):

* ``admin``: every page, every site; the only role that may create a site.
* ``site_admin``: the admin pages of the sites they are given (the same
  moderator-to-site association as a moderator's queue: ``Moderator.sites``).
* ``moderator``: no admin page at all (403); they keep the queue.

Anonymous visitors are sent to sign in (Flask-Login's ``login_required``). A
site the viewer may not administer answers 404, exactly as a site that does not
exist, so its slug is not confirmed to outsiders.

Use in a view::

    from discuss.admin.access import admin_area, full_admin, site_for_admin, viewer

    @bp.route("/things")
    @admin_area                      # signed in, role admin or site_admin, else 403
    def things():
        sites = administered_sites(viewer())

    @bp.route("/sites/<slug>/thing", methods=["POST"])
    @admin_area
    def thing(slug):
        site = site_for_admin(slug)   # the Site row, or abort(404)

    @bp.route("/only-admins")
    @full_admin                      # role admin only, else 403
    def only_admins(): ...

Services that are not views take the moderator and call :func:`may_administer`.
"""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

import sqlalchemy as sa
from flask import abort
from flask_login import current_user, login_required

from ..extensions import db
from ..models import Moderator, Site

#: Roles that may open the admin area at all.
ADMIN_ROLES = ("admin", "site_admin")

F = TypeVar("F", bound=Callable[..., Any])


def is_full_admin(moderator: Moderator) -> bool:
    """An ``admin``: every site, and creating sites."""
    return bool(moderator.active) and moderator.role == "admin"


def may_use_admin_area(moderator: Moderator) -> bool:
    """Whether ``moderator`` may open ``/moderation/admin/`` at all."""
    return bool(moderator.active) and moderator.role in ADMIN_ROLES


def administered_site_ids(moderator: Moderator) -> set[int] | None:
    """Ids of the sites ``moderator`` administers; ``None`` means every site (admins).

    A plain moderator administers none (an empty set).
    """
    if not may_use_admin_area(moderator):
        return set()
    if moderator.role == "admin":
        return None
    return {site.id for site in moderator.sites}


def may_administer(moderator: Moderator, site: Site | int | None) -> bool:
    """Whether ``moderator`` may change site ``site`` (a row or an id) in the admin area."""
    if site is None:
        return False
    site_id = site if isinstance(site, int) else site.id
    ids = administered_site_ids(moderator)
    return ids is None or site_id in ids


def administered_sites(moderator: Moderator) -> list[Site]:
    """The sites ``moderator`` administers, by slug."""
    query = sa.select(Site).order_by(Site.slug)
    ids = administered_site_ids(moderator)
    if ids is not None:
        query = query.where(Site.id.in_(ids or [-1]))
    return list(db.session.execute(query).scalars())


def viewer() -> Moderator:
    """The signed-in moderator (call only in a view guarded by :func:`admin_area`)."""
    return current_user.moderator


def site_for_admin(slug: str) -> Site:
    """The site ``slug`` when the signed-in viewer administers it; otherwise 404 (unknown and
    not-yours look the same)."""
    site = db.session.execute(sa.select(Site).filter_by(slug=slug)).scalar_one_or_none()
    if site is None or not may_administer(viewer(), site):
        abort(404)
    return site


def admin_area(view: F) -> F:
    """Guard a view: anonymous → sign in; signed in without an admin role → 403."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not may_use_admin_area(viewer()):
            abort(403)
        return view(*args, **kwargs)

    return login_required(guarded)  # type: ignore[return-value]


def full_admin(view: F) -> F:
    """Guard a view for ``admin`` only: anonymous → sign in; anyone else → 403."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not is_full_admin(viewer()):
            abort(403)
        return view(*args, **kwargs)

    return login_required(guarded)  # type: ignore[return-value]
