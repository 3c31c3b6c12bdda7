"""The purge relay: tells a CDN or Varnish in front which thread reads changed.

Thread reads carry surrogate keys (``Surrogate-Key`` and ``Cache-Tag``:
``discuss``, ``discuss-s<site>``, ``discuss-t<thread>`` or ``discuss-n<site>``,
see :func:`discuss.api.threads.surrogate_keys`). ``discuss purge-relay --url URL``
runs one :class:`PurgeRelay` process next to the cache: it hears every committed
change through the same watcher the page cache uses (discuss/invalidation.py)
and sends ``PURGE URL`` with the changed keys in a header (``xkey-purge`` for
Varnish's xkey module by default). When the watcher loses its channel, it purges
``discuss`` (everything) once it is back, as the page cache resyncs.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.request
from typing import Iterable

import click
from flask import current_app
from flask.cli import with_appcontext

from .invalidation import PostgresListener, Watcher, purge_key, watcher_for

log = logging.getLogger(__name__)


class PurgeRelay:
    """Receives tags like a page cache does, and purges their surrogate keys."""

    def __init__(self, url: str, *, method: str = "PURGE", header: str = "xkey-purge", timeout: float = 5.0):
        self.url, self.method, self.header, self.timeout = url, method, header, timeout
        self.sent: list[list[str]] = []
        self._lock = threading.Lock()

    def invalidate(self, tags: Iterable[str]) -> None:
        self.purge(sorted({purge_key(tag) for tag in tags}))

    def reset(self) -> None:
        self.purge(["discuss"])

    def purge(self, keys: list[str]) -> None:
        if not keys:
            return
        request = urllib.request.Request(self.url, method=self.method, headers={self.header: " ".join(keys)})
        with self._lock:
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    response.read()
                self.sent.append(keys)
            except OSError as exc:
                # The keys' pages expire by max-age anyway; say so and carry on.
                log.warning("purge of %s at %s failed: %s", " ".join(keys), self.url, exc)


def run(watcher: Watcher, relay: PurgeRelay, *, interval: float = 0.2, stop: threading.Event | None = None) -> None:
    """Relay until ``stop`` is set: the PostgreSQL listener's thread pushes; SQLite is polled."""
    stop = stop or threading.Event()
    watcher.attach(relay)
    if isinstance(watcher, PostgresListener):
        watcher.wait_until_listening(timeout=30)
    while not stop.is_set():
        watcher.trusted()  # SQLite: reads the new tags; PostgreSQL: drains the socket
        stop.wait(interval)
    watcher.close()


@click.command("purge-relay")
@click.option("--url", required=True, help="Where to send purges, e.g. http://127.0.0.1:6081/")
@click.option("--method", default="PURGE", show_default=True)
@click.option("--header", default="xkey-purge", show_default=True,
              help="The request header that carries the space-separated keys.")
@with_appcontext
def purge_relay(url: str, method: str, header: str) -> None:
    """Purge a CDN or Varnish by surrogate key whenever a thread changes (runs until stopped)."""
    watcher = watcher_for(current_app.config["SQLALCHEMY_DATABASE_URI"], current_app.config["THREAD_CACHE_HEARTBEAT"])
    relay = PurgeRelay(url, method=method, header=header)
    click.echo(f"relaying purges to {method} {url} ({header})")
    try:
        run(watcher, relay)
    except KeyboardInterrupt:
        pass
    time.sleep(0)
