"""Bans in the admin area: list them, lift them, change when they end.

Bans are placed from the review queue (:mod:`discuss.decisions`) and enforced
by the ``bans`` plugin through :meth:`discuss.history.History.active_ban`. A
lifted ban is not deleted: it ends now (``expires_at``), so the list keeps who
was banned, why and by whom. Site admins see and change their sites' bans; bans
on every site are admins' only. Each change is a
:class:`~discuss.models.ModeratorAction` (subject ``ban:<id>``) with the old and
new end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from .auth import site_ids
from .errors import Refusal
from .extensions import db
from .i18n import gettext as _
from .models import Ban, Moderator, ModeratorAction, Site, utcnow
from .transactions import writing

ACTIVE, EXPIRED, ALL = "active", "expired", "all"
STATES = (ACTIVE, EXPIRED, ALL)
LIFTED, EXPIRY_CHANGED = "ban_lift", "ban_expiry"
PAGE_SIZE = 100
MAX_REASON_LENGTH = 500


class BanRefused(Refusal):
    """404 (unknown ban, or another site's), 422 (a bad ``field``)."""


@dataclass(frozen=True)
class BanRow:
    id: int
    site: str | None          # slug; None: every site
    email: str | None
    ip_hash: str | None       # shortened for display by the template
    reason: str
    by: str | None            # the banning moderator's email
    created_at: datetime
    expires_at: datetime | None
    active: bool


def _scope(query, actor: Moderator):
    allowed = site_ids(actor)
    if allowed is not None:
        query = query.where(Ban.site_id.in_(allowed or [-1]))
    return query


def list_bans(actor: Moderator, state: str = ACTIVE, site_slug: str | None = None, *,
              limit: int = PAGE_SIZE) -> list[BanRow]:
    """Bans ``actor`` may see, newest first, filtered in SQL.

    :raises BanRefused: 422 for an unknown ``state``; 404 for a site the actor does not see.
    """
    if state not in STATES:
        raise BanRefused("state", _("Choose one of: %(states)s.", states=", ".join(STATES)))
    by = aliased(Moderator)
    query = (sa.select(Ban, Site.slug, by.email)
             .outerjoin(Site, Site.id == Ban.site_id).outerjoin(by, by.id == Ban.moderator_id))
    query = _scope(query, actor)
    now = utcnow()
    live = sa.or_(Ban.expires_at.is_(None), Ban.expires_at > now)
    if state == ACTIVE:
        query = query.where(live)
    elif state == EXPIRED:
        query = query.where(sa.not_(live))
    if site_slug:
        site = db.session.execute(sa.select(Site).where(Site.slug == site_slug)).scalar_one_or_none()
        allowed = site_ids(actor)
        if site is None or (allowed is not None and site.id not in allowed):
            raise BanRefused("site", _("No site %(slug)r.", slug=site_slug), 404)
        query = query.where(Ban.site_id == site.id)
    rows = db.session.execute(query.order_by(Ban.id.desc()).limit(limit)).all()
    return [BanRow(id=ban.id, site=slug, email=ban.email, ip_hash=ban.ip_hash, reason=ban.reason, by=email,
                   created_at=ban.created_at, expires_at=ban.expires_at,
                   active=ban.expires_at is None or ban.expires_at > now)
            for ban, slug, email in rows]


def _load(actor: Moderator, ban_id: int) -> Ban:
    ban = db.session.get(Ban, ban_id)
    if ban is None:
        raise BanRefused("ban", _("No ban %(id)s.", id=ban_id), 404)
    allowed = site_ids(actor)
    if allowed is not None and ban.site_id not in allowed:
        raise BanRefused("ban", _("No ban %(id)s.", id=ban_id), 404)  # as for an unknown one
    return ban


def _audit(actor: Moderator, action: str, ban: Ban, before: dict[str, Any], after: dict[str, Any],
           reason: str) -> ModeratorAction:
    record = ModeratorAction(moderator_id=actor.id, action=action, subject=f"ban:{ban.id}", site_id=ban.site_id,
                             reason=reason, before=before, after=after, created_at=utcnow())
    db.session.add(record)
    return record


def _iso(value: datetime | None) -> str | None:
    return value.replace(microsecond=0).isoformat() + "Z" if value else None


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise BanRefused("reason", _("The reason may have at most %(num)s characters.", num=MAX_REASON_LENGTH))
    return reason


def lift(actor: Moderator, ban_id: int, reason: str = "") -> ModeratorAction:
    """End ban ``ban_id`` now. :raises BanRefused: 404, or 422 when it has ended already."""
    reason = _check_reason(reason)
    with writing():
        actor = db.session.get(Moderator, actor.id)
        ban = _load(actor, ban_id)
        now = utcnow()
        if ban.expires_at is not None and ban.expires_at <= now:
            raise BanRefused("ban", _("Ban %(id)s has ended already.", id=ban_id))
        before = {"expires_at": _iso(ban.expires_at)}
        ban.expires_at = now
        return _audit(actor, LIFTED, ban, before, {"expires_at": _iso(now)}, reason)


def change_expiry(actor: Moderator, ban_id: int, expires_at: datetime | None,
                  reason: str = "") -> ModeratorAction | None:
    """Make ban ``ban_id`` end at ``expires_at`` (``None``: never); ``None`` back when unchanged.

    :raises BanRefused: 404; 422 ``expires_at`` for a time not in the future.
    """
    reason = _check_reason(reason)
    if expires_at is not None and expires_at <= utcnow():
        raise BanRefused("expires_at", _("Choose an end in the future (or none, for a ban without end)."))
    with writing():
        actor = db.session.get(Moderator, actor.id)
        ban = _load(actor, ban_id)
        if ban.expires_at == expires_at:
            return None
        before = {"expires_at": _iso(ban.expires_at)}
        ban.expires_at = expires_at
        return _audit(actor, EXPIRY_CHANGED, ban, before, {"expires_at": _iso(expires_at)}, reason)
