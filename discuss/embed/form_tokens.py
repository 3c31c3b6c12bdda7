"""Signed, one-time tokens for the no-JavaScript reply form.

A token is ``URLSafeTimedSerializer(SECRET_KEY)`` over (site, thread key, nonce,
browser). It proves the form came from our page for this thread, recently
(``EMBED_FORM_MAX_AGE``), and is bound to the browser that loaded the page
through a random ``SameSite=Lax`` cookie: another site cannot read our page
(so cannot see a token) and its cross-site POST carries no cookie, which is
what defeats CSRF here. The nonce is spent on first use (a row in
``form_nonce``), so a captured or resubmitted form cannot post twice.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import Response, current_app, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..i18n import N_
from ..models import FormNonce, utcnow
from ..transactions import writing

SALT = "discuss.embed.reply-form"
COOKIE = "discuss_browser"


class FormTokenError(ValueError):
    """The token is missing, forged, for another thread, expired, or already used."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def browser_id() -> str:
    """This browser's random id from its cookie, or a new one (set by :func:`remember_browser`)."""
    value = request.cookies.get(COOKIE, "")
    if len(value) == 32 and all(ch in "0123456789abcdef" for ch in value):
        return value
    if not hasattr(request, "_discuss_browser"):
        request._discuss_browser = secrets.token_hex(16)  # type: ignore[attr-defined]
    return request._discuss_browser  # type: ignore[attr-defined]


def remember_browser(response: Response) -> Response:
    """Set the browser cookie when this request had none (or a malformed one)."""
    value = browser_id()
    if request.cookies.get(COOKIE) != value:
        response.set_cookie(COOKIE, value, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=request.is_secure, path="/embed/")
    return response


def _fingerprint(browser: str) -> str:
    # The token is readable (only signed), so it carries a keyed digest of the id.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, browser.encode(), hashlib.sha256).hexdigest()[:16]


def issue(site: str, key: str) -> str:
    """A fresh token for a reply to ``key`` on ``site`` from this browser."""
    return _serializer().dumps([site, key, secrets.token_urlsafe(18), _fingerprint(browser_id())])


def spend(token: str, site: str, key: str, *, max_age: int | None = None) -> None:
    """Check the token and spend its nonce (committed at once).

    :raises FormTokenError: with a message fit to show to the person posting.
    """
    max_age = current_app.config["EMBED_FORM_MAX_AGE"] if max_age is None else max_age
    try:
        payload = _serializer().loads(token or "", max_age=max_age)
    except SignatureExpired as exc:
        raise FormTokenError(N_("This form has expired. Please check your comment and send it again.")) from exc
    except BadSignature as exc:
        raise FormTokenError(N_("This form could not be verified. Please send it again from this page.")) from exc
    if not (isinstance(payload, list) and len(payload) == 4):
        raise FormTokenError(N_("This form could not be verified. Please send it again from this page."))
    token_site, token_key, nonce, fingerprint = payload
    if (token_site, token_key) != (site, key):
        raise FormTokenError(N_("This form belongs to another discussion. Please send it again from this page."))
    if not hmac.compare_digest(str(fingerprint), _fingerprint(browser_id())):
        raise FormTokenError(N_("This form was opened in another browser, or your browser did not keep our "
                                "cookie. Please allow cookies from this site and send it again."))
    _spend_nonce(str(nonce), max_age)


def _spend_nonce(nonce: str, max_age: int) -> None:
    now = utcnow()
    try:
        with writing():
            db.session.add(FormNonce(nonce=nonce[:64], used_at=now))
            # Spent nonces older than a token's lifetime can never match again.
            db.session.execute(sa.delete(FormNonce).where(FormNonce.used_at < now - timedelta(seconds=max_age)))
    except IntegrityError as exc:  # spent already (writing() rolled back)
        raise FormTokenError(N_("This form was already sent. If your comment is not shown, please write it "
                                "again below.")) from exc

