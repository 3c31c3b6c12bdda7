"""Signed, expiring links for confirming and unsubscribing (itsdangerous, keyed by SECRET_KEY).

A token is ``URLSafeTimedSerializer(SECRET_KEY, salt=<purpose>)`` over the
recipient's id and a keyed digest of its address: a confirm link cannot
unsubscribe (nor the reverse), a link for an erased address cannot act on a new
row that reused its id, and the link shows no address. The token's own
timestamp says when it was made, which is how a confirm link sent before the
address unsubscribed is told from a fresh one.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..i18n import N_

CONFIRM = "discuss.mail.confirm"
UNSUBSCRIBE = "discuss.mail.unsubscribe"


class LinkError(ValueError):
    """A link that cannot be used; ``code`` is the HTTP status, the message says why."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


FORGED = N_("This link is not valid. It may have been copied incompletely: please use the whole link from the email.")
EXPIRED = N_("This link has expired.")


@dataclass(frozen=True)
class Link:
    recipient_id: int
    digest: str
    issued_at: datetime  # naive UTC, as the database keeps times


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def address_digest(email: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"mail:" + email.lower().encode(), hashlib.sha256).hexdigest()[:20]


def make(purpose: str, recipient_id: int, email: str) -> str:
    return _serializer(purpose).dumps([recipient_id, address_digest(email)])


def read(purpose: str, token: str, max_age_seconds: int) -> Link:
    """The link's recipient and when it was made.

    :raises LinkError: 400 forged or tampered (or a link for the other purpose), 410 expired.
    """
    try:
        payload, stamp = _serializer(purpose).loads(token or "", max_age=max_age_seconds, return_timestamp=True)
    except SignatureExpired as exc:
        raise LinkError(410, EXPIRED) from exc
    except BadSignature as exc:
        raise LinkError(400, FORGED) from exc
    if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], int)
            and isinstance(payload[1], str)):
        raise LinkError(400, FORGED)
    issued = stamp.astimezone(timezone.utc).replace(tzinfo=None)
    return Link(payload[0], payload[1], issued)


def matches(link: Link, email: str) -> bool:
    return hmac.compare_digest(link.digest, address_digest(email))
