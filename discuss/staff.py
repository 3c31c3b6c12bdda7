"""Moderator accounts from the admin area: who may see and manage whom, and each change audited.

An admin manages everyone. A site admin sees the moderators and site admins of
their sites and manages those whose every site is one of theirs, never an admin;
they can give only their own sites and never the ``admin`` role. Every change is
a :class:`~discuss.models.ModeratorAction` naming its subject
(``moderator:<email>``) with the before and after of what changed, never a
password or a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

import sqlalchemy as sa

from .admin.access import may_use_admin_area
from .auth import end_sessions, is_admin, site_ids
from .errors import Refusal
from .extensions import db
from .i18n import gettext as _
from .models import ApiToken, Moderator, ModeratorAction, ModeratorInvite, Site, moderator_site, utcnow
from .transactions import writing

ADMIN, SITE_ADMIN, MODERATOR = "admin", "site_admin", "moderator"

# Audit actions (ModeratorAction.action) for changes to accounts.
INVITED, ROLE_CHANGED, DISABLED, ENABLED, TOKENS_REVOKED, PASSWORD_SET = (
    "moderator_invite", "moderator_change", "moderator_disable", "moderator_enable",
    "moderator_tokens_revoke", "moderator_password_set")


class StaffRefused(Refusal):
    """A change to an account was refused: 404 (unknown, or not the actor's to see),
    403 (seen but not the actor's to manage), 422 (invalid ``field``), 409 (conflict)."""


@dataclass(frozen=True)
class StaffRow:
    """One account as the moderators page lists it."""

    id: int
    email: str
    name: str
    role: str
    active: bool
    sites: tuple[str, ...]       # slugs
    tokens: int
    token_last_used: datetime | None
    invite: str                  # "", "pending", "expired" (no password set yet)
    manageable: bool


def is_site_admin(moderator: Moderator) -> bool:
    return moderator.role == SITE_ADMIN


def grantable_roles(actor: Moderator | None) -> tuple[str, ...]:
    """The roles ``actor`` may give; ``None`` is an operator at the server's shell (every role)."""
    if actor is None or is_admin(actor):
        return (MODERATOR, SITE_ADMIN, ADMIN)
    return (MODERATOR, SITE_ADMIN) if is_site_admin(actor) else ()


def may_see(actor: Moderator, target: Moderator) -> bool:
    if is_admin(actor):
        return True
    if not is_site_admin(actor) or is_admin(target):
        return False
    return bool({s.id for s in target.sites} & (site_ids(actor) or set()))


def may_manage(actor: Moderator, target: Moderator) -> bool:
    """Whether ``actor`` may change ``target`` (never themself: another admin must)."""
    if actor.id == target.id or not may_use_admin_area(actor):
        return False
    if is_admin(actor):
        return True
    if is_admin(target) or not is_site_admin(actor):
        return False
    theirs = {s.id for s in target.sites}
    return bool(theirs) and theirs <= (site_ids(actor) or set())


def list_staff(actor: Moderator) -> list[StaffRow]:
    """The accounts ``actor`` may see, by email, with token counts in one aggregate query."""
    query = sa.select(Moderator).order_by(Moderator.email)
    if not is_admin(actor):
        mine = site_ids(actor) or {-1}
        query = query.where(
            Moderator.role != ADMIN,
            Moderator.id.in_(sa.select(moderator_site.c.moderator_id).where(moderator_site.c.site_id.in_(mine))),
        )
    moderators = list(db.session.execute(query).scalars())
    ids = [m.id for m in moderators] or [-1]
    tokens = {mid: (count, last) for mid, count, last in db.session.execute(
        sa.select(ApiToken.moderator_id, sa.func.count(), sa.func.max(ApiToken.last_used_at))
        .where(ApiToken.moderator_id.in_(ids)).group_by(ApiToken.moderator_id))}
    invites = {i.moderator_id: i for i in db.session.execute(
        sa.select(ModeratorInvite).where(ModeratorInvite.moderator_id.in_(ids), ModeratorInvite.used_at.is_(None))
    ).scalars()}
    slugs = _slugs_by_moderator(ids)
    now = utcnow()
    rows = []
    for m in moderators:
        count, last = tokens.get(m.id, (0, None))
        invite = invites.get(m.id)
        state = "" if invite is None or m.password_hash else ("pending" if invite.expires_at > now else "expired")
        rows.append(StaffRow(id=m.id, email=m.email, name=m.name, role=m.role, active=m.active,
                             sites=slugs.get(m.id, ()), tokens=count, token_last_used=last, invite=state,
                             manageable=may_manage(actor, m)))
    return rows


def _slugs_by_moderator(ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for mid, slug in db.session.execute(
        sa.select(moderator_site.c.moderator_id, Site.slug).join(Site, Site.id == moderator_site.c.site_id)
        .where(moderator_site.c.moderator_id.in_(ids)).order_by(Site.slug)
    ):
        found.setdefault(mid, []).append(slug)
    return {mid: tuple(slugs) for mid, slugs in found.items()}


def load_visible(actor: Moderator, moderator_id: int) -> Moderator:
    """The account ``moderator_id`` if ``actor`` may see it. :raises StaffRefused: 404."""
    target = db.session.get(Moderator, moderator_id)
    if target is None or not may_see(actor, target):
        raise StaffRefused("moderator", _("No moderator %(id)s.", id=moderator_id), 404)
    return target


def check_grant(actor: Moderator | None, role: str, site_slugs: Iterable[str]) -> list[Site]:
    """The sites named, if ``actor`` (``None``: an operator at the shell) may give ``role`` on them.

    :raises StaffRefused: 422 naming ``role`` or ``sites``.
    """
    if role not in grantable_roles(actor):
        raise StaffRefused("role", _("Choose one of: %(roles)s.", roles=", ".join(grantable_roles(actor))))
    slugs = sorted({s.strip() for s in site_slugs if s and s.strip()})
    sites = list(db.session.execute(sa.select(Site).where(Site.slug.in_(slugs or ["-"]))).scalars())
    if len(sites) != len(slugs):
        missing = sorted(set(slugs) - {s.slug for s in sites})
        raise StaffRefused("sites", _("No site %(slugs)s.", slugs=", ".join(missing)))
    if actor is not None and not is_admin(actor):
        mine = site_ids(actor) or set()
        if any(s.id not in mine for s in sites):
            raise StaffRefused("sites", _("You can give only the sites you administer."))
    if role != ADMIN and not sites:
        raise StaffRefused("sites", _("A %(role)s needs at least one site.", role=role.replace("_", " ")))
    return [] if role == ADMIN else sorted(sites, key=lambda s: s.slug)


def audit(actor: Moderator | None, action: str, subject: Moderator, before: dict[str, Any],
          after: dict[str, Any], reason: str = "") -> ModeratorAction:
    """Add the audit entry for a change to ``subject`` (inside the caller's transaction)."""
    # The audit log shows site admins the entries of their sites: name the subject's first site.
    slugs = after.get("sites") or before.get("sites") or sorted(s.slug for s in subject.sites)
    site_id = db.session.execute(sa.select(Site.id).where(Site.slug == slugs[0])).scalar() if slugs else None
    record = ModeratorAction(moderator_id=actor.id if actor else None, action=action, site_id=site_id,
                             subject=f"moderator:{subject.email}", reason=reason,
                             before=before, after=after, created_at=utcnow())
    db.session.add(record)
    return record


def _managed(actor_id: int, moderator_id: int) -> tuple[Moderator, Moderator]:
    """Actor and target, read again inside a write transaction. :raises StaffRefused: 404/403."""
    actor = db.session.get(Moderator, actor_id)
    target = load_visible(actor, moderator_id)
    if not may_manage(actor, target):
        raise StaffRefused("moderator", _("You cannot change %(email)s.", email=target.email), 403)
    return actor, target


def change_access(actor: Moderator, moderator_id: int, role: str, site_slugs: Iterable[str]) -> ModeratorAction | None:
    """Give account ``moderator_id`` ``role`` on ``site_slugs``; audited, ``None`` when nothing changed.

    Taking a role or site away ends the account's sessions, so it applies at once.
    """
    with writing():
        actor, target = _managed(actor.id, moderator_id)
        sites = check_grant(actor, role, site_slugs)
        before_sites = sorted(s.slug for s in target.sites)
        after_sites = [s.slug for s in sites]
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        if target.role != role:
            before["role"], after["role"] = target.role, role
        if before_sites != after_sites:
            before["sites"], after["sites"] = before_sites, after_sites
        if not after:
            return None
        target.role = role
        target.sites = sites
        end_sessions(target)
        return audit(actor, ROLE_CHANGED, target, before, after)


def set_active(actor: Moderator, moderator_id: int, active: bool) -> ModeratorAction | None:
    """Disable (ending every session and revoking every token) or enable an account."""
    with writing():
        actor, target = _managed(actor.id, moderator_id)
        if target.active == active:
            return None
        after: dict[str, Any] = {"active": active}
        target.active = active
        if not active:
            end_sessions(target)
            revoked = db.session.execute(sa.delete(ApiToken).where(ApiToken.moderator_id == target.id)).rowcount
            if revoked:
                after["tokens_revoked"] = revoked
        return audit(actor, ENABLED if active else DISABLED, target, {"active": not active}, after)


def revoke_tokens(actor: Moderator, moderator_id: int) -> int:
    """Delete every API token of account ``moderator_id``; how many there were (0: no audit entry)."""
    with writing():
        actor, target = _managed(actor.id, moderator_id)
        count = db.session.execute(sa.delete(ApiToken).where(ApiToken.moderator_id == target.id)).rowcount
        if count:
            audit(actor, TOKENS_REVOKED, target, {"tokens": count}, {"tokens": 0})
        return count
