"""Moderator identity: passwords, API tokens, sessions, and who may act on which site.

Passwords are hashed with scrypt (werkzeug). API tokens are random 32-byte
strings shown once and stored as SHA-256 hashes. A moderator whose account is
disabled is refused on the very next request, by session or by token, because
both paths check ``Moderator.active`` every time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Iterable

import sqlalchemy as sa
from flask import request, session
from werkzeug.security import check_password_hash, generate_password_hash

from .errors import APIError
from .extensions import db, login_manager
from .models import ApiToken, Moderator, Site, utcnow
from .transactions import writing

#: ``moderator``: the queue of their sites; ``site_admin``: that, and the admin area
#: (``/moderation/admin/``) for their sites; ``admin``: everything, on every site.
ROLES = ("moderator", "site_admin", "admin")
TOKEN_PREFIX = "dsk_"
#: How precisely ``ApiToken.last_used_at`` follows a token's use.
TOKEN_USE_RESOLUTION = timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 10

# Compared against when the email is unknown, so a login takes as long either way.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


# -- passwords ---------------------------------------------------------------

def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password``.

    :raises ValueError: when the password is shorter than :data:`MIN_PASSWORD_LENGTH`.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return generate_password_hash(password, method="scrypt")


def authenticate(email: str, password: str) -> Moderator | None:
    """The active moderator with this email and password, else ``None``."""
    moderator = find_moderator(email)
    if moderator is None or not moderator.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(moderator.password_hash, password):
        return None
    return moderator if moderator.active else None


def find_moderator(email: str) -> Moderator | None:
    return db.session.execute(
        sa.select(Moderator).where(Moderator.email == email.strip().lower())
    ).scalar_one_or_none()


# -- API tokens ----------------------------------------------------------------

def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(moderator: Moderator) -> str:
    """Create a token for ``moderator`` and return it; only its hash is stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(moderator_id=moderator.id, token_hash=_token_hash(raw)))
    return raw


def moderator_for_token(raw: str) -> Moderator | None:
    """The active moderator owning token ``raw``, else ``None``."""
    if not raw or len(raw) > 200:
        return None
    digest = _token_hash(raw)
    row = db.session.execute(
        sa.select(ApiToken).where(ApiToken.token_hash == digest)
    ).scalar_one_or_none()
    # The lookup is by hash already; compare again in constant time for good measure.
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    moderator = row.moderator
    if not moderator.active:
        return None
    _note_use(row)
    return moderator


def _note_use(token: ApiToken) -> None:
    """Record when ``token`` was last used, to within :data:`TOKEN_USE_RESOLUTION`.

    Coarse on purpose: a write on every API request would make each one wait for
    SQLite's write lock; one every few minutes per token is enough to spot unused tokens.
    """
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_USE_RESOLUTION:
        return
    token_id = token.id
    with writing():
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


def require_token() -> Moderator:
    """The moderator named by the request's ``Authorization: Bearer`` token.

    :raises APIError: 401 when the header is missing, malformed or the token is
        unknown, revoked or belongs to a disabled moderator.
    """
    # Cached per request (not on ``g``, which lives as long as the app context).
    cached = request.environ.get("discuss.moderator")
    if cached is not None:
        return cached
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="discuss"'}
    if scheme.lower() != "bearer" or not raw.strip():
        raise APIError(401, "Send a moderator's API token: Authorization: Bearer <token>.",
                       errors={"authorization": ["Missing bearer token."]}, headers=challenge)
    moderator = moderator_for_token(raw.strip())
    if moderator is None:
        raise APIError(401, "That token is not valid (unknown, revoked, or its moderator is disabled).",
                       errors={"authorization": ["Invalid token."]}, headers=challenge)
    request.environ["discuss.moderator"] = moderator
    return moderator


# -- sessions (Flask-Login) ----------------------------------------------------

class SignedIn:
    """The Flask-Login user: a thin wrapper so the model stays free of web concerns."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, moderator: Moderator):
        self.moderator = moderator

    @property
    def is_active(self) -> bool:
        return bool(self.moderator.active)

    def get_id(self) -> str:
        # "id:version": a session names the moderator's session version, so bumping it
        # (end_sessions) makes every copy of the cookie worthless.
        return f"{self.moderator.id}:{self.moderator.session_version}"

    def __getattr__(self, name: str):
        return getattr(self.moderator, name)


@login_manager.user_loader
def _load_user(user_id: str) -> SignedIn | None:
    moderator_id, _, version = user_id.partition(":")
    if not (moderator_id.isascii() and moderator_id.isdigit() and version.isascii() and version.isdigit()):
        return None  # also every session from before session versions
    if len(moderator_id) > 18 or len(version) > 18:
        return None
    moderator = db.session.get(Moderator, int(moderator_id))
    if moderator is None or not moderator.active:
        return None  # disabled: the session stops working at once
    if moderator.session_version != int(version):
        return None  # signed out, password changed or disabled since this cookie was issued
    if session.get("_id") != _session_identifier():
        # Flask-Login's "strong" protection only marks a *permanent* session stale;
        # ours is permanent (it has a lifetime), so the check that ends it is here.
        return None
    return SignedIn(moderator)


def end_sessions(moderator: Moderator) -> None:
    """Sign ``moderator`` out everywhere: every session cookie issued so far stops working.

    Call inside :func:`~discuss.transactions.writing`.
    """
    moderator.session_version = (moderator.session_version or 1) + 1


def _session_identifier() -> str:
    """Flask-Login's "strong" protection, keyed on the address the app trusts.

    Flask-Login's own identifier reads ``X-Forwarded-For`` as sent, which any client
    can set; :func:`discuss.clients.client_ip` believes it only from trusted proxies.
    """
    from .clients import client_ip

    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(f"{client_ip()}|{agent}".encode("utf-8", "replace")).hexdigest()


login_manager.login_view = "review.login"
login_manager.login_message = "Please sign in to moderate."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"
# No public setter exists; this attribute is what Flask-Login calls for the identifier.
login_manager._session_identifier_generator = _session_identifier


# -- permissions ---------------------------------------------------------------

def is_admin(moderator: Moderator) -> bool:
    return moderator.role == "admin"


def site_ids(moderator: Moderator) -> set[int] | None:
    """The ids of the sites ``moderator`` works on; ``None`` means every site (admins)."""
    if is_admin(moderator):
        return None
    return {site.id for site in moderator.sites}


def may_act_on(moderator: Moderator, site_id: int | None) -> bool:
    """Whether ``moderator`` may see and decide comments of site ``site_id``.

    ``None`` stands for "every site" (a ban everywhere): admins only.
    """
    if not moderator.active:
        return False
    if is_admin(moderator):
        return True
    return site_id is not None and site_id in (site_ids(moderator) or set())


def visible_sites(moderator: Moderator) -> list[Site]:
    """The sites ``moderator`` works on, by slug."""
    query = sa.select(Site).order_by(Site.slug)
    ids = site_ids(moderator)
    if ids is not None:
        query = query.where(Site.id.in_(ids))
    return list(db.session.execute(query).scalars())


def create_moderator(email: str, name: str, role: str, password: str | None,
                     site_slugs: Iterable[str] = ()) -> Moderator:
    """Add a moderator (not committed).

    :raises ValueError: for an unknown role or site, a taken email, or a weak password.
    """
    email = email.strip().lower()
    if "@" not in email:
        raise ValueError(f"not an email address: {email!r}")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if find_moderator(email) is not None:
        raise ValueError(f"a moderator with email {email} exists already")
    sites = []
    for slug in site_slugs:
        site = db.session.execute(sa.select(Site).filter_by(slug=slug)).scalar_one_or_none()
        if site is None:
            raise ValueError(f"no site {slug!r}")
        sites.append(site)
    moderator = Moderator(email=email, name=name.strip() or email, role=role,
                          password_hash=hash_password(password) if password else "", sites=sites,
                          active=True, created_at=utcnow())
    db.session.add(moderator)
    return moderator
