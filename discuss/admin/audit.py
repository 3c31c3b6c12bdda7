"""Audit entries for changes made in the admin area: who, when, what, before and after.

Every admin change is one :class:`~discuss.models.ModeratorAction` naming the site
(``site_id``) when it concerns one, with ``before``/``after`` holding only the
keys that changed (:func:`changes`). Secrets are never stored in the log:
a key named in :data:`SECRET_KEYS` (at any depth) is written as :data:`MASK`.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..extensions import db
from ..models import Moderator, ModeratorAction, Site, utcnow

#: What a secret looks like in the audit log (and on a page once it is set).
MASK = "•••••• (secret)"

#: Setting names whose values are secrets, whatever plugin or section holds them.
SECRET_KEYS = frozenset({"secret", "signing_secret", "password", "token", "api_key"})


def is_secret(key: str) -> bool:
    """Whether a setting called ``key`` holds a secret (never shown again once set)."""
    lowered = key.lower()
    return lowered in SECRET_KEYS or lowered.endswith(("_secret", "_password", "_token", "_key"))


def mask(value: Any) -> Any:
    """``value`` with every secret (by key, at any depth) replaced by :data:`MASK`."""
    if isinstance(value, Mapping):
        return {k: (MASK if is_secret(str(k)) and v not in (None, "") else mask(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v) for v in value]
    return value


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only what differs between ``before`` and ``after``, nested mappings compared key by key.

    A key missing on one side is absent from that side's result.
    """
    old, new = {}, {}
    for key in sorted(set(before) | set(after), key=str):
        was, now = before.get(key, _MISSING), after.get(key, _MISSING)
        if was == now:
            continue
        if isinstance(was, Mapping) and isinstance(now, Mapping):
            inner_old, inner_new = changes(was, now)
            old[key], new[key] = inner_old, inner_new
            continue
        if was is not _MISSING:
            old[key] = was
        if now is not _MISSING:
            new[key] = now
    return old, new


def record(moderator: Moderator, action: str, *, site: Site | None = None, before: Mapping[str, Any] | None = None,
           after: Mapping[str, Any] | None = None, reason: str = "") -> ModeratorAction | None:
    """Add one audit entry for an admin change (inside the change's ``writing()`` block).

    ``before``/``after`` are reduced to what changed and masked; nothing is recorded
    (``None`` returned) when nothing changed.
    """
    old, new = changes(dict(before or {}), dict(after or {}))
    if not old and not new:
        return None
    entry = ModeratorAction(moderator_id=moderator.id, site_id=site.id if site is not None else None,
                            action=action, reason=reason[:500], before=mask(old), after=mask(new),
                            created_at=utcnow())
    db.session.add(entry)
    return entry


class _Missing:
    def __repr__(self) -> str:  # pragma: no cover
        return "<missing>"


_MISSING: Any = _Missing()
