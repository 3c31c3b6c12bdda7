"""Refuse to run in production on a secret anyone could know.

``SECRET_KEY`` signs moderators' session cookies and the no-JS form tokens;
``IP_HASH_KEY`` keys the hashes of client addresses. A known or short value lets
anyone forge a moderator's session, or reverse every IPv4 hash by trying all
2^32 addresses, so start-up stops with a message naming the variable. Debug and
test apps (``app.debug``, ``TESTING``) may run without them; ``scripts/demo.sh``
generates its own.
"""

from __future__ import annotations

import secrets

from flask import Flask

#: Values published somewhere (our own old default, examples) and so never secret.
KNOWN_VALUES = frozenset({"", "dev-only-change-me", "changeme", "change-me", "secret", "test", "dev"})
MIN_LENGTH = 32


def weakness(value: str | bytes | None) -> str | None:
    """Why ``value`` cannot be a production secret, or ``None`` when it can."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    value = value or ""
    if value.strip().lower() in KNOWN_VALUES:
        return "is unset or a published default"
    if len(value) < MIN_LENGTH:
        return f"is shorter than {MIN_LENGTH} characters"
    return None


def check_secrets(app: Flask) -> None:
    """Stop start-up when a secret is weak, unless the app is for debugging or tests.

    :raises RuntimeError: naming ``DISCUSS_SECRET_KEY`` or ``DISCUSS_IP_HASH_KEY``.
    """
    cfg = app.config
    if app.debug or cfg.get("TESTING"):
        if not cfg.get("SECRET_KEY"):
            # Sessions need some key; one per process is enough for debugging.
            cfg["SECRET_KEY"] = secrets.token_urlsafe(48)
        return
    hint = "set it to a long random string, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'"
    for key in ("SECRET_KEY", "IP_HASH_KEY"):
        problem = weakness(cfg.get(key))
        if problem:
            raise RuntimeError(f"DISCUSS_{key} {problem}: {hint} (docs/operations.md, Secrets)")
    if cfg["SECRET_KEY"] == cfg["IP_HASH_KEY"]:
        raise RuntimeError("DISCUSS_IP_HASH_KEY must differ from DISCUSS_SECRET_KEY, so that rotating one "
                           "leaves the other (docs/operations.md, Secrets)")
