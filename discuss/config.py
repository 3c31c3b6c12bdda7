"""Configuration: defaults, overridable from the environment as ``DISCUSS_<KEY>``.

Every key in :data:`DEFAULTS` can be set in the environment with the ``DISCUSS_``
prefix (``DISCUSS_DATABASE_URL``, ``DISCUSS_SECRET_KEY`` ...).  Values are parsed
according to the type of the default: booleans accept ``1/true/yes/on`` and
``0/false/no/off``, integers and floats are parsed as numbers, lists and dicts as JSON.
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping

PREFIX = "DISCUSS_"

DEFAULTS: dict[str, Any] = {
    # None means "a SQLite file in the instance folder".
    "DATABASE_URL": None,
    "SECRET_KEY": "dev-only-change-me",
    # Posting limits (Flask-Limiter syntax).  Memory storage by default;
    # point RATELIMIT_STORAGE_URI at redis://... in production.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_POST": "10 per minute;60 per hour",
    "RATELIMIT_REPORT": "10 per hour",
    "RATELIMIT_LOGIN": "10 per minute",
    # Bodies and requests.
    "MAX_BODY_LENGTH": 10_000,
    "MAX_NAME_LENGTH": 80,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # Plugins.
    "PLUGIN_TIMEOUT": 2.0,           # seconds, per plugin
    "DISABLED_PLUGINS": [],          # plugin names switched off for every site
    "LOAD_ENTRY_POINTS": True,       # load third-party plugins from the "discuss" group
    "TRACE_HOOKS": False,            # log every hook call (plugin authors' debugging aid)
    # Threads.
    "THREAD_PAGE_SIZE": 100,         # top-level comments per page, when ?limit is not given
    "THREAD_MAX_PAGE_SIZE": 500,
    "THREAD_CACHE_SECONDS": 0,       # Cache-Control max-age on thread reads (0: revalidate each time)
    "THREAD_PAGE_CACHE": True,       # keep serialised pages per process, checked on every read
    # Reports.
    "REPORTS_TO_HIDE": 3,
    # Behind a proxy: how many X-Forwarded-For hops to trust (0 = none).
    "PROXY_FIX_HOPS": 0,
    # Where the service is reachable from outside (used in embed snippets and feeds).
    "PUBLIC_URL": "",
    # The no-JavaScript reply form: how long its signed one-time token stays valid (seconds).
    "EMBED_FORM_MAX_AGE": 6 * 3600,
    # Serve the demo council page at /demo (it creates the "demo" site on first visit).
    "DEMO_PAGE": True,
    # Privacy (discuss/privacy.py): days after which `discuss privacy purge` clears IP
    # hashes, and rejected comments' emails and bodies (0 = keep); the notice under
    # the reply form when a site has none of its own ("" = the built-in text).
    "PRIVACY_RETENTION_DAYS": 365,
    "PRIVACY_NOTICE": "",
}


def parse_value(raw: str, default: Any) -> Any:
    """Parse an environment string into the type of ``default``.

    :raises ValueError: when the string cannot be parsed as that type.
    """
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"expected a boolean, got {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, (list, dict)):
        value = json.loads(raw)
        if not isinstance(value, type(default)):
            raise ValueError(f"expected a JSON {type(default).__name__}, got {raw!r}")
        return value
    return raw


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the settings given in the environment, parsed, keyed without the prefix."""
    environ = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    for key, default in DEFAULTS.items():
        name = PREFIX + key
        if name in environ:
            try:
                settings[key] = parse_value(environ[name], default)
            except ValueError as exc:
                raise RuntimeError(f"{name}: {exc}") from exc
    return settings
