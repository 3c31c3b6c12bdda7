"""Exactly-once replies: an idempotency key makes a retry answer the first outcome.

A client sends a random key with each submission attempt (the widget keeps it
with the draft, so a retry after a network failure reuses it; the API takes it
as the ``Idempotency-Key`` header; the no-JavaScript form's one-time token
serves). :func:`remember` writes the outcome (the status and the very body the
client was sent) inside the reply's own transaction, so a crash cannot leave a
comment without its key or a key without its comment. A repeat of the key on
the same site finds it with :func:`earlier` and answers it again, storing
nothing; the same key with a different request is refused, naming the key.

Two requests with one key at once: both may screen, but the unique constraint on
(site, key digest) lets one commit; the other's transaction (its comment with
it) rolls back with :class:`KeyTaken`, and it answers the winner's outcome.

Only SHA-256 digests of the key and of the request are kept, and rows older
than ``IDEMPOTENCY_HOURS`` are deleted as new ones are written (and by
``discuss privacy purge``).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Mapping

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from .errors import Refusal
from .extensions import db
from .models import IdempotencyKey, utcnow

HEADER = "Idempotency-Key"
#: 16 to 128 letters, digits and ``-_.:`` (a UUID or 32 hex digits fits): long
#: enough that two clients' random keys never meet on one site.
KEY_PATTERN = re.compile(r"[A-Za-z0-9_.:\-]{16,128}")


class BadKey(Refusal):
    """The key is malformed, or was used for a different request."""

    def __init__(self, message: str) -> None:
        super().__init__(HEADER, message, 422)


class KeyTaken(Exception):
    """Another request with the same key committed first; read its outcome with :func:`earlier`."""


@dataclass(frozen=True)
class Claim:
    """An idempotency key presented with a request, as digests."""

    site_id: int
    key_hash: str
    request_hash: str


@dataclass(frozen=True)
class Outcome:
    """What the first request with the key was answered."""

    status: int
    response: dict[str, Any]


def digest(value: Any) -> str:
    """SHA-256 of ``value`` as canonical JSON (text as itself)."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str,
                                                           separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def claim(site_id: int, key: str | None, request: Mapping[str, Any]) -> Claim | None:
    """The claim for ``key`` (None when no key was sent) on a request whose content is ``request``.

    :raises BadKey: when the key is empty, too long or has other characters.
    """
    if key is None:
        return None
    if not KEY_PATTERN.fullmatch(key):
        raise BadKey(f"{HEADER} must be 16 to 128 letters, digits, '-', '_', '.' or ':'.")
    return Claim(site_id, digest(key), digest(dict(request)))


def earlier(claim: Claim) -> Outcome | None:
    """The outcome stored for the claim's key, or None (never used, or expired).

    :raises BadKey: when the key was used for a different request.
    """
    row = db.session.connection().execute(_EARLIER, {
        "site_id": claim.site_id, "key_hash": claim.key_hash, "cutoff": _cutoff()}).first()
    if row is None:
        return None
    if row.request_hash != claim.request_hash:
        raise BadKey(f"This {HEADER} was already used for a different request; send a new key.")
    return Outcome(row.status, row.response)


def remember(claim: Claim, status: int, response: dict[str, Any]) -> None:
    """Store the outcome, inside the caller's write transaction; expired keys go first.

    :raises KeyTaken: when a request with the same key committed meanwhile (the
        caller's transaction must roll back: :func:`discuss.transactions.writing` does).
    """
    connection = db.session.connection()
    connection.execute(_EXPIRE, {"site_id": claim.site_id, "cutoff": _cutoff()})
    try:
        connection.execute(_INSERT, {"site_id": claim.site_id, "key_hash": claim.key_hash,
                                     "request_hash": claim.request_hash, "status": status, "response": response,
                                     "created_at": utcnow()})
    except IntegrityError as exc:
        raise KeyTaken() from exc


# Prebuilt Core statements: one of each per reply, no unit-of-work flush (a reply's
# write path is the service's busiest; see discuss/comments.py's _store).
_key = IdempotencyKey.__table__
_EARLIER = sa.select(_key.c.request_hash, _key.c.status, _key.c.response).where(
    _key.c.site_id == sa.bindparam("site_id"), _key.c.key_hash == sa.bindparam("key_hash"),
    _key.c.created_at >= sa.bindparam("cutoff"))
_EXPIRE = sa.delete(_key).where(_key.c.site_id == sa.bindparam("site_id"), _key.c.created_at < sa.bindparam("cutoff"))
_INSERT = sa.insert(_key)


def purge() -> int:
    """Delete every expired key; the number deleted."""
    result = db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < _cutoff()))
    return result.rowcount or 0


def _cutoff():
    return utcnow() - timedelta(hours=current_app.config["IDEMPOTENCY_HOURS"])
