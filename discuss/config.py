"""Configuration: defaults, overridable from the environment as ``DISCUSS_<KEY>``.

Every key in :data:`DEFAULTS` can be set in the environment with the ``DISCUSS_``
prefix (``DISCUSS_DATABASE_URL``, ``DISCUSS_SECRET_KEY`` ...). Flask's
``from_prefixed_env`` reads them (as JSON when a value parses as JSON); each is
then held to the type of its default: booleans accept ``1/true/yes/on`` and
``0/false/no/off``, integers and floats must be numbers, lists and dicts JSON,
and text stays exactly as written. A value that does not fit stops start-up
with an error naming the variable.
"""

from __future__ import annotations

import json
import os
from urllib.parse import urlsplit
from typing import Any, Mapping

from flask import Flask

PREFIX = "DISCUSS"

DEFAULTS: dict[str, Any] = {
    # None means "a SQLite file in the instance folder".
    "DATABASE_URL": None,
    # PostgreSQL connections each process keeps open, and how many more it may open for a
    # burst (closed again when handed back). Keep the kept ones at or above gunicorn's
    # threads plus a few for screening, or connections are opened and closed all the
    # time under load (each costs PostgreSQL a new backend). Workers x (both) + one
    # listener each must fit in the server's max_connections (docs/operations.md).
    "DATABASE_POOL_SIZE": 12,
    "DATABASE_MAX_OVERFLOW": 4,
    # Signs sessions and form tokens. Required outside debug and tests (see discuss/secrets.py).
    "SECRET_KEY": "",
    # Keys the hashes of client addresses; separate so rotating one leaves the other.
    "IP_HASH_KEY": "",
    # Posting limits (Flask-Limiter syntax).  Memory storage by default;
    # point RATELIMIT_STORAGE_URI at redis://... in production.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_POST": "10 per minute;60 per hour",
    "RATELIMIT_REPORT": "10 per hour",
    "RATELIMIT_LOGIN": "10 per minute",
    # Failed sign-ins per account (the submitted email), whatever address they come from.
    "RATELIMIT_LOGIN_ACCOUNT": "10 per 15 minutes",
    # Bodies and requests.
    "MAX_BODY_LENGTH": 10_000,
    "MAX_NAME_LENGTH": 80,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # Plugins.
    "PLUGIN_TIMEOUT": 2.0,           # seconds, per plugin
    "DISABLED_PLUGINS": [],          # plugin names switched off for every site
    # A plugin with this many calls still running past their budget (abandoned, in one
    # process) is not called again until one ends: its verdict is hold at once (discuss/moderation.py).
    "PLUGIN_STUCK_LIMIT": 2,
    # Plugins that screen in a separate process, killed when they overrun (discuss/isolation.py):
    # names, or "third-party" for every plugin that is not built in. JSON list in the environment.
    "ISOLATE_PLUGINS": [],
    "ISOLATION_WORKERS": 2,          # processes in the isolated plugins' pool, per server process
    "LOAD_ENTRY_POINTS": True,       # load third-party plugins from the "discuss" group
    "TRACE_HOOKS": False,            # log every hook call (plugin authors' debugging aid)
    # Threads.
    "THREAD_PAGE_SIZE": 100,         # top-level comments per page, when ?limit is not given
    "THREAD_MAX_PAGE_SIZE": 500,
    "THREAD_PAGE_COMMENTS": 200,     # published comments per page at most (a first discussion may exceed it)
    # Cache-Control on thread reads: max-age (0: "no-cache", revalidate each time) and
    # stale-while-revalidate; a change shows in shared caches within their sum unless
    # they are purged (docs/operations.md, Caching).
    "THREAD_CACHE_SECONDS": 5,
    "THREAD_STALE_SECONDS": 10,
    # Keep thread heads and serialised pages per process; served without a query while the
    # invalidation channel vouches for them (discuss/invalidation.py), else checked per read.
    "THREAD_PAGE_CACHE": True,
    # Answer a kept thread read before Flask, whole (discuss/api/replay.py).
    "THREAD_REPLAY": True,
    # Invalidation: "auto" (LISTEN/NOTIFY on PostgreSQL, PRAGMA data_version on SQLite),
    # or "check" (no channel: every read checks the thread's signature).
    "THREAD_CACHE_INVALIDATION": "auto",
    # PostgreSQL listener: seconds between proofs that the LISTEN connection is alive.
    # The cache is trusted only while the last proof is under twice this old.
    "THREAD_CACHE_HEARTBEAT": 1.0,
    # Reports.
    "REPORTS_TO_HIDE": 3,
    # Behind a reverse proxy: the addresses or networks (CIDR) of the proxies whose
    # X-Forwarded-For/-Proto/-Host are believed. Empty: none (the peer is the client).
    "TRUSTED_PROXIES": [],
    # Seconds a write may wait between the trusted proxy's X-Request-Start stamp and the app
    # before it is answered 503 unprocessed (discuss/deadline.py); 0 = no deadline.
    "REQUEST_DEADLINE": 10.0,
    # Host names the service answers to (Flask's TRUSTED_HOSTS); others get 400. Empty: any.
    "TRUSTED_HOSTS": [],
    # Moderators' sessions.
    "SESSION_LIFETIME_HOURS": 12,
    "SESSION_COOKIE_SECURE": False,  # also on whenever PUBLIC_URL is https
    # Strict-Transport-Security on https requests (seconds; 0 = never sent).
    "HSTS_SECONDS": 31_536_000,
    # Where the service is reachable from outside, e.g. https://comments.council.gov.uk:
    # absolute links in feeds use it ("" means the host each request came to).
    "PUBLIC_URL": "",
    # The no-JavaScript reply form: how long its signed one-time token stays valid (seconds).
    "EMBED_FORM_MAX_AGE": 6 * 3600,
    # Replies sent with an idempotency key (discuss/idempotency.py): how long a repeat of the
    # key answers the first outcome (hours).
    "IDEMPOTENCY_HOURS": 24,
    # Serve the demo council page at /demo (it creates the "demo" site on first visit).
    # Off unless asked for: scripts/demo.sh turns it on.
    "DEMO_PAGE": False,
    # Privacy (discuss/privacy.py): days after which `discuss privacy purge` clears IP
    # hashes, and rejected comments' emails and bodies (0 = keep); the notice under
    # the reply form when a site has none of its own ("" = the built-in text).
    "PRIVACY_RETENTION_DAYS": 365,
    "PRIVACY_NOTICE": "",
    # Logs (discuss/logs.py): "text" or "json" (one object a line), and the root logger's level.
    "LOG_FORMAT": "text",
    "LOG_LEVEL": "INFO",
    # /metrics (discuss/metrics.py): who may scrape it. A bearer token (at least 16 characters;
    # "" = none), and client addresses or networks allowed without one.
    "METRICS_TOKEN": "",
    "METRICS_NETWORKS": ["127.0.0.1", "::1"],
    # `discuss worker` serves its own metrics (jobs run, failed, their time) on this port; 0: none.
    "WORKER_METRICS_PORT": 0,
    # Mail (discuss/mail/, docs/operations.md "Mail"): off while MAIL_HOST is empty (no opt-in is
    # offered, nothing is queued). MAIL_FROM and PUBLIC_URL are required when it is set.
    "MAIL_HOST": "",
    "MAIL_PORT": 587,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_FROM": "",                 # e.g. "Camden Council comments <comments@camden.gov.uk>"
    "MAIL_SECURITY": "starttls",     # "starttls" (port 587), "ssl" (port 465) or "none"
    "MAIL_TIMEOUT": 10.0,            # seconds per SMTP connection
    "MAIL_UNSUBSCRIBE_MAILTO": "",   # optional address for List-Unsubscribe's mailto (besides the https link)
    "MAIL_CONFIRM_HOURS": 72,        # how long a confirmation link works
    "MAIL_UNSUBSCRIBE_DAYS": 365,    # how long an unsubscribe link in a sent mail works
    # The job queue (discuss/jobs.py, docs/operations.md "Background jobs"): "" means a SQLite
    # file in the instance folder (embedded, no other service); redis://... in production.
    "QUEUE_URL": "",
    # The queue's name in its storage: two installations sharing one Redis need different names.
    "QUEUE_NAME": "discuss",
}


def parse_value(raw: str, default: Any) -> Any:
    """What ``DISCUSS_<KEY>=raw`` becomes for a setting whose default is ``default``.

    Flask's ``from_prefixed_env`` reads the string as JSON when it can (else keeps
    it); :func:`checked` then holds that to the default's type.

    :raises ValueError: when the string cannot be a value of that type.
    """
    try:
        loaded = json.loads(raw)
    except ValueError:
        loaded = raw
    return checked(loaded, raw, default)


def checked(loaded: Any, raw: str, default: Any) -> Any:
    """``loaded`` (Flask's reading of the string ``raw``) as the type of ``default``.

    Booleans also take ``yes/no/on/off``; a float setting takes an integer; text
    settings keep the string as written (``DISCUSS_SECRET_KEY=1234`` is text).

    :raises ValueError: naming what was expected.
    """
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"expected a boolean, got {raw!r}")
    if isinstance(default, int):
        if isinstance(loaded, bool) or not isinstance(loaded, int):
            raise ValueError(f"expected an integer, got {raw!r}")
        return loaded
    if isinstance(default, float):
        if isinstance(loaded, bool) or not isinstance(loaded, (int, float)):
            raise ValueError(f"expected a number, got {raw!r}")
        return float(loaded)
    if isinstance(default, (list, dict)):
        if not isinstance(loaded, type(default)):
            raise ValueError(f"expected a JSON {type(default).__name__}, got {raw!r}")
        return loaded
    return raw


def _public_url(value: str) -> str:
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment):
        raise ValueError(f"expected an http(s) URL such as https://comments.council.gov.uk, got {value!r}")
    return value


def _invalidation(value: str) -> str:
    if value not in ("auto", "check"):
        raise ValueError(f"expected 'auto' or 'check', got {value!r}")
    return value


def _log_format(value: str) -> str:
    from .logs import check_log_format

    return check_log_format(value)


def _log_level(value: str) -> str:
    from .logs import check_log_level

    return check_log_level(value)


#: Settings that need more than their default's type.
CHECKS = {"PUBLIC_URL": _public_url, "THREAD_CACHE_INVALIDATION": _invalidation,
          "LOG_FORMAT": _log_format, "LOG_LEVEL": _log_level}


def load_settings(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill ``app.config``: :data:`DEFAULTS`, then the environment, then ``overrides``.

    The environment is read by Flask's ``app.config.from_prefixed_env("DISCUSS")``;
    every setting of ours it set is then checked against its default's type.

    :raises RuntimeError: naming the variable, when one cannot be read.
    """
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env(PREFIX)
    for key, default in DEFAULTS.items():
        name = f"{PREFIX}_{key}"
        if name in os.environ:
            try:
                value = checked(app.config[key], os.environ[name], default)
                app.config[key] = CHECKS[key](value) if key in CHECKS else value
            except ValueError as exc:
                raise RuntimeError(f"{name}: {exc}") from exc
    app.config.from_mapping(overrides or {})
