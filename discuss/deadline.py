"""Late writes are not processed: a queue deadline, and a client that has gone.

Under overload requests wait in queues (the proxy's, the listen backlog, the
worker's); a client that gave up meanwhile retries, and if the first attempt
is still processed minutes later the retry and the original both count. Two
guards:

- **The queue deadline.** The proxy stamps when it received each request
  (nginx: ``proxy_set_header X-Request-Start "t=${msec}";``). :class:`RequestDeadline`,
  a WSGI middleware, answers a write (POST, PUT, PATCH, DELETE) that has waited
  longer than ``REQUEST_DEADLINE`` seconds with 503, ``Retry-After`` and the error
  shape, before any of the app runs. The header is believed only from a peer in
  ``TRUSTED_PROXIES`` (anyone else could make any request look late). Reads are
  answered however late: they change nothing and cost little.
- **The client that has gone.** Before a write transaction commits,
  :func:`discuss.transactions.writing` calls :func:`check_client`: when the
  client's connection is already closed (gunicorn puts the socket in
  ``environ["gunicorn.socket"]``; a non-blocking ``MSG_PEEK`` that reads end of
  file means the peer closed it) the transaction rolls back and nothing is
  stored; the request ends with :class:`ClientGone` (499, the status nginx logs
  for it). A client that closes after the check is told nothing, but its write
  is stored with its idempotency key, so its retry answers the first outcome.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from typing import Any, Callable, Iterable

from flask import has_request_context, request
from werkzeug.exceptions import HTTPException

from .clients import Network, _address, _trusted
from .errors import RETRY_AFTER, error_body

log = logging.getLogger(__name__)

HEADER = "HTTP_X_REQUEST_START"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ClientGone(HTTPException):
    """The client closed its connection before the write committed; nothing was stored."""

    code = 499
    description = "The client closed the connection before the reply was stored; nothing was stored."


def request_start(value: str) -> float | None:
    """Seconds since the epoch at which the proxy received the request, from ``X-Request-Start``.

    Takes ``t=1700000000.123`` (nginx ``$msec``: seconds), ``t=1700000000123``
    (milliseconds) and ``t=1700000000123456`` (microseconds, Apache's ``%t``), with
    or without ``t=``; None for anything else.
    """
    text = value.strip()
    if text.startswith("t="):
        text = text[2:]
    try:
        number = float(text)
    except ValueError:
        return None
    if number != number or number <= 0:  # NaN, zero, negative
        return None
    if number > 1e14:
        return number / 1e6
    if number > 1e11:
        return number / 1e3
    return number


def waited(environ: dict[str, Any], networks: tuple[Network, ...], now: float | None = None) -> float | None:
    """Seconds the request waited since the proxy stamped it; None when there is no stamp
    from a trusted proxy."""
    stamp = environ.get(HEADER)
    if not stamp or not networks:
        return None
    # discuss.clients.TrustedProxies keeps the peer here when it rewrote REMOTE_ADDR.
    peer = environ.get("discuss.peer_addr", environ.get("REMOTE_ADDR", ""))
    if not _trusted(_address(peer), networks):
        return None
    started = request_start(stamp)
    if started is None:
        return None
    return max(0.0, (time.time() if now is None else now) - started)


class RequestDeadline:
    """WSGI middleware: a write that waited longer than ``deadline`` seconds gets a 503."""

    def __init__(self, app: Callable, deadline: float, networks: tuple[Network, ...]) -> None:
        self.app = app
        self.deadline = deadline
        self.networks = networks

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") in WRITES:
            late = waited(environ, self.networks)
            if late is not None and late > self.deadline:
                log.warning("%s %s waited %.1f s in the queue, over the %g s deadline: answered 503 unprocessed",
                            environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), late, self.deadline)
                return self.too_late(start_response, late)
        return self.app(environ, start_response)

    def too_late(self, start_response: Callable, late: float) -> list[bytes]:
        body = error_body(503, errors={"request": [
            f"Waited {late:.1f} s before it could be handled (the limit is {self.deadline:g} s); "
            "nothing was stored: send it again."]})
        data = json.dumps(body).encode()
        start_response("503 SERVICE UNAVAILABLE", [
            ("Content-Type", "application/json"), ("Content-Length", str(len(data))),
            ("Retry-After", str(RETRY_AFTER)), ("Cache-Control", "no-store")])
        return [data]


def client_gone(environ: dict[str, Any]) -> bool:
    """Whether the client has closed the connection this request came on (gunicorn only;
    False when it cannot tell)."""
    sock = environ.get("gunicorn.socket")
    flags = getattr(socket, "MSG_DONTWAIT", 0)
    if sock is None or not flags:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK | flags) == b""
    except (BlockingIOError, InterruptedError):
        return False  # nothing to read: still there
    except ValueError:
        return False  # a TLS socket takes no flags: cannot tell
    except OSError:
        return True  # reset by the peer


def check_client() -> None:
    """Raise :class:`ClientGone` when the current request's client has gone (see the module docstring).

    :raises ClientGone: called inside a write transaction, which then rolls back.
    """
    if has_request_context() and client_gone(request.environ):
        log.warning("%s %s: the client closed the connection before the write committed; rolled back",
                    request.method, request.path)
        raise ClientGone()


def init_app(app: Any) -> None:
    """Install :class:`RequestDeadline` when there is a deadline and a proxy to stamp requests."""
    from .clients import parse_networks

    deadline = float(app.config["REQUEST_DEADLINE"])
    networks = parse_networks(app.config["TRUSTED_PROXIES"])
    if deadline > 0 and networks:
        app.wsgi_app = RequestDeadline(app.wsgi_app, deadline, networks)
