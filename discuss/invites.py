"""Invitations: a one-time link that lets a new moderator set their password.

Inviting creates the account (role and sites, no password: it cannot sign in)
and an invite whose token is shown once, to the admin on the page or by
``discuss moderators invite``, and kept only as a SHA-256 hash. The link works
once and for :data:`INVITE_LIFETIME`. Inviting an address again while it has no
password replaces the link (the old one stops working); an address that already
signs in is refused. Accepting sets the password, spends the invite and returns
the account, all in one transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

import sqlalchemy as sa

from .auth import MIN_PASSWORD_LENGTH, find_moderator, hash_password
from .errors import Refusal
from .extensions import db
from .i18n import gettext as _
from .models import Moderator, ModeratorInvite, utcnow
from .staff import INVITED, PASSWORD_SET, StaffRefused, audit, check_grant, may_manage
from .transactions import writing

INVITE_LIFETIME = timedelta(hours=72)
TOKEN_PREFIX = "dsi_"
MAX_NAME_LENGTH = 200


class InviteRefused(Refusal):
    """The link cannot be used: 404 unknown, 410 used or expired; or 422 a bad ``field``."""


@dataclass(frozen=True)
class Invitation:
    moderator_id: int
    email: str
    token: str            # shown once; only its hash is stored
    expires_at: datetime
    refreshed: bool       # an earlier invite for this address was replaced


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(actor: Moderator | None, email: str, name: str, role: str, site_slugs: Iterable[str]) -> Invitation:
    """Invite ``email`` as ``role`` on ``site_slugs``; ``actor`` ``None`` is the CLI (an operator).

    :raises StaffRefused: 422 for a bad ``email``, ``name``, ``role`` or ``sites``, or an address
        that already has a password; 403 for an account ``actor`` may not manage.
    """
    email = (email or "").strip().lower()
    name = (name or "").strip()
    if "@" not in email or len(email) > 320 or any(c.isspace() for c in email):
        raise StaffRefused("email", _("Enter an email address like name@council.gov.uk."))
    if len(name) > MAX_NAME_LENGTH:
        raise StaffRefused("name", _("A name may have at most %(num)s characters.", num=MAX_NAME_LENGTH))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        return _invite(actor, email, name, role, site_slugs, token)
    except sa.exc.IntegrityError:
        # The same address invited at the same moment elsewhere (PostgreSQL lets both
        # transactions look first): the other one won; nothing of this one is stored.
        raise StaffRefused("email", _("%(email)s was being invited at the same moment; "
                                     "look at the list, or invite again for a new link.", email=email), 409) from None


def _invite(actor: Moderator | None, email: str, name: str, role: str, site_slugs: Iterable[str],
            token: str) -> Invitation:
    now = utcnow()
    with writing():
        actor = db.session.get(Moderator, actor.id) if actor is not None else None
        sites = check_grant(actor, role, site_slugs)
        existing = find_moderator(email)
        refreshed = existing is not None
        if existing is not None:
            if existing.password_hash:
                raise StaffRefused("email", _("%(email)s is already a moderator; change their role or sites instead.",
                                                 email=email))
            if actor is not None and not may_manage(actor, existing):
                raise StaffRefused("email", _("%(email)s was invited to sites you do not administer.", email=email), 403)
            moderator = existing
            before = {"role": moderator.role, "sites": sorted(s.slug for s in moderator.sites)}
            moderator.role, moderator.sites = role, sites
            if name:
                moderator.name = name
        else:
            moderator = Moderator(email=email, name=name or email, role=role, sites=sites, password_hash="",
                                  active=True, created_at=now)
            db.session.add(moderator)
            before = {}
        db.session.flush()
        row = db.session.execute(
            sa.select(ModeratorInvite).where(ModeratorInvite.moderator_id == moderator.id)
        ).scalar_one_or_none()
        if row is None:
            row = ModeratorInvite(moderator_id=moderator.id)
            db.session.add(row)
        row.token_hash, row.created_at, row.expires_at, row.used_at = _hash(token), now, now + INVITE_LIFETIME, None
        row.invited_by_id = actor.id if actor is not None else None
        after = {"role": role, "sites": [s.slug for s in sites],
                 "expires_at": row.expires_at.replace(microsecond=0).isoformat() + "Z"}
        changed_before = {k: v for k, v in before.items() if after.get(k) != v}
        changed_after = {k: v for k, v in after.items() if k not in before or before[k] != v}
        audit(actor, INVITED, moderator, changed_before, changed_after,
              reason="invite sent again" if refreshed else "")
        result = Invitation(moderator_id=moderator.id, email=email, token=token, expires_at=row.expires_at,
                            refreshed=refreshed)
    return result


def _find(token: str, *, lock: bool = False) -> ModeratorInvite:
    if not token or len(token) > 200 or not token.startswith(TOKEN_PREFIX):
        raise InviteRefused("token", _("This link is not valid. Ask an admin for a new invitation."), 404)
    digest = _hash(token)
    query = sa.select(ModeratorInvite).where(ModeratorInvite.token_hash == digest)
    if lock:  # PostgreSQL: a second acceptance waits, then sees the link spent (SQLite's writer lock does the same)
        query = query.with_for_update()
    row = db.session.execute(query).scalar_one_or_none()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        raise InviteRefused("token", _("This link is not valid. Ask an admin for a new invitation."), 404)
    if row.used_at is not None or row.moderator.password_hash:
        raise InviteRefused("token", _("This link has been used already. Sign in with your password, "
                                      "or ask an admin for a new invitation."), 410)
    if row.expires_at <= utcnow():
        raise InviteRefused("token", _("This link has expired. Ask an admin to invite you again."), 410)
    if not row.moderator.active:
        raise InviteRefused("token", _("This account is disabled. Ask an admin."), 410)
    return row


def pending(token: str) -> Moderator:
    """The account a usable link ``token`` is for. :raises InviteRefused: 404 or 410."""
    return _find(token).moderator


def accept(token: str, password: str, confirmation: str) -> Moderator:
    """Set the password of the account ``token`` invites and spend the link.

    :raises InviteRefused: 404/410 for the link, 422 naming ``password`` or ``confirmation``.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InviteRefused("password", _("Use at least %(num)s characters.", num=MIN_PASSWORD_LENGTH))
    if len(password) > 1000:
        raise InviteRefused("password", _("Use at most 1000 characters."))
    if password != confirmation:
        raise InviteRefused("confirmation", _("The two passwords differ; type the same one twice."))
    pending(token)  # refuse a spent link before the slow hash
    password_hash = hash_password(password)
    with writing():
        row = _find(token, lock=True)  # again, under the write lock: a link is spent once
        moderator = row.moderator
        moderator.password_hash = password_hash
        row.used_at = utcnow()
        audit(moderator, PASSWORD_SET, moderator, {}, {"password": "set"}, reason="invitation accepted")
    return moderator
