"""Logs: one format for every record, each carrying the request id.

``DISCUSS_LOG_FORMAT=json`` writes one JSON object a line (python-json-logger):
``time``, ``level``, ``logger``, ``message``, ``request_id``, anything passed
with ``extra=`` and, for errors, ``exc_info``. ``text`` (the default) writes
``time level [request id] logger: message``. Records go to standard error,
through one handler on the root logger, so discuss's loggers, Flask's,
Flask-Limiter's, SQLAlchemy's and gunicorn's error log all come out alike;
``DISCUSS_LOG_LEVEL`` (``INFO``) is the root logger's level.

The request id (:mod:`discuss.requestid`) is taken by :class:`RequestIds`, WSGI
middleware around the whole app: ``X-Request-Id`` when a trusted proxy
(``DISCUSS_TRUSTED_PROXIES``) sent a safe one, else a new one; bound while the
request runs and sent back in the response's ``X-Request-Id``. It wraps the
replay layer too, so every answer has one. A job binds the id of the request
that enqueued it while it runs, so its records carry the same id.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Callable, Iterable

from flask import Flask

from . import requestid
from .clients import _address, _trusted

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
#: The fields of a JSON record, in order (renamed by :data:`JSON_NAMES`); ``extra=`` fields follow.
JSON_FIELDS = ("asctime", "levelname", "name", "message", "request_id")
JSON_NAMES = {"asctime": "time", "levelname": "level", "name": "logger"}
#: Loggers with handlers of their own (gunicorn's) whose records should look like ours.
FOREIGN_LOGGERS = ("gunicorn.error", "gunicorn.access")


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or ``-`` outside any request or job) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = requestid.current() or "-"
        return True


class _StandardError(logging.StreamHandler):
    """A stream handler that writes to whatever ``sys.stderr`` is now (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for ``DISCUSS_LOG_FORMAT`` (``text`` or ``json``)."""
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(list(JSON_FIELDS), rename_fields=JSON_NAMES, datefmt="%Y-%m-%dT%H:%M:%S%z")
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(app: Flask) -> None:
    """Send every record to standard error in ``app``'s format, with the request id.

    Idempotent: a second app (tests make many) replaces the first one's handler.
    """
    chosen = formatter(app.config["LOG_FORMAT"])
    ids = RequestIdFilter()
    handler = _StandardError()
    handler.setFormatter(chosen)
    handler.addFilter(ids)
    handler.discuss = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "discuss", False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"].upper())
    # Flask's own handler on app.logger would write each of discuss's records a second time.
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)
    for name in FOREIGN_LOGGERS:
        for foreign in logging.getLogger(name).handlers:
            foreign.setFormatter(chosen)
            for old in [f for f in foreign.filters if isinstance(f, RequestIdFilter)]:
                foreign.removeFilter(old)
            foreign.addFilter(ids)


def check_log_format(value: str) -> str:
    """``DISCUSS_LOG_FORMAT``: ``text`` or ``json``."""
    if value not in FORMATS:
        raise ValueError(f"expected 'text' or 'json', got {value!r}")
    return value


def check_log_level(value: str) -> str:
    """``DISCUSS_LOG_LEVEL``: a level name logging knows (``DEBUG`` ... ``CRITICAL``)."""
    if not isinstance(logging.getLevelName(value.upper()), int):
        raise ValueError(f"expected a level such as INFO or WARNING, got {value!r}")
    return value.upper()


class RequestIds:
    """WSGI middleware: every request runs under a request id, sent back in ``X-Request-Id``.

    The id a trusted proxy offers is kept when it is a safe token
    (:func:`discuss.requestid.accept`); a client's own header, or a proxy's
    unsafe one, is replaced by a new id. Put it outermost, where ``REMOTE_ADDR``
    is still the peer that connected.
    """

    def __init__(self, wsgi_app: Callable, networks: tuple) -> None:
        self.wsgi_app = wsgi_app
        self.networks = networks

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        offered = None
        if self.networks and _trusted(_address(environ.get("REMOTE_ADDR", "")), self.networks):
            offered = environ.get("HTTP_X_REQUEST_ID")
        request_id = requestid.accept(offered)

        def echoing(status: str, headers: list, exc_info: Any = None):
            # A new list: the replay layer keeps the one it was given, and must not keep this id.
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"] + [(requestid.HEADER, request_id)]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        with requestid.bound(request_id):
            return self.wsgi_app(environ, echoing)


def identify_requests(app: Flask) -> None:
    """Give every request an id: wrap the app in :class:`RequestIds` (last, so it is outermost)."""
    from .clients import parse_networks

    app.wsgi_app = RequestIds(app.wsgi_app, parse_networks(app.config["TRUSTED_PROXIES"]))
