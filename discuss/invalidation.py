"""Cache invalidation: which threads changed, told to every worker on every host.

The database says what changed, whoever changed it (a reply, a moderator's
decision, the admin console, an import, a hand-written ``UPDATE``): triggers on
``comment``, ``thread`` and ``site`` (migration ``0011_cache_change``) name a
*tag* per changed row:

* ``t:<thread id>`` — a comment of the thread, or the thread itself, changed (a
  comment *inserted* held or rejected names nothing: no page shows it until an
  update publishes it; migration ``0016_quiet_unpublished_inserts``);
* ``n:<site id>``   — a thread of the site was created or renamed (pages of keys
  that had no thread yet are cached under this tag);
* ``s:<site id>``   — the site changed (origins, privacy notice, language...);
* ``*``             — the comment or thread table was truncated: everything.

Each process keeps one :class:`Watcher` that hears those tags and drops the
cached pages carrying them (:meth:`discuss.api.page_cache.PageCache.invalidate`):

* PostgreSQL (:class:`PostgresListener`): the triggers ``pg_notify`` the tag on
  channel ``discuss_cache``; a notification is part of the writing transaction,
  so it is delivered only on commit, to every listening connection of every
  host. A listener thread per process holds one ``LISTEN`` connection, wakes as
  soon as a notification arrives, proves the channel alive every ``heartbeat``
  seconds (``SELECT 1``) and reconnects when it drops. A read asks nothing of the
  socket (no lock, no system call): it trusts the cache while the channel is proven.
  A write answers only once every listener connected at its commit has
  acknowledged its fence (:meth:`PostgresListener.wait_for`, :func:`install_fences`),
  at most two heartbeats and a quarter second: so a read in any process that
  starts after the answer never serves the page from before the write.
* SQLite (:class:`SQLiteWatcher`, one host): the triggers record the tag with a
  rising sequence number in the ``cache_change`` table; each read asks
  ``PRAGMA data_version`` on a connection of its own that never writes (a number
  in shared memory, no disk read) and only when another connection has
  committed since does it read the tags past the last sequence it saw.

Failure mode: while the watcher cannot vouch for the cache (PostgreSQL
connection lost, not yet re-listened, heartbeat overdue; SQLite connection
failing; triggers missing) :meth:`Watcher.trusted` is ``False`` and the read path
falls back to checking every page against the thread's signature, one query per
read: never stale. Regaining trust clears the cache first (a "resync"): tags
missed while deaf cannot matter.
"""

from __future__ import annotations

import logging
import os
import secrets
import select
import sqlite3
import threading
import time
import weakref
from typing import Callable, Iterable

log = logging.getLogger(__name__)

CHANNEL = "discuss_cache"
#: Each listener also listens on ``discuss_ack_<its name>`` for acknowledgements of its fences,
#: and names its connection ``discuss-cache:<its name>`` (``application_name``).
ACK_CHANNEL = "discuss_ack_"
LISTENER_NAME = "discuss-cache:"
#: How many triggers migration 0011_cache_change makes (a migration that rebuilds one of
#: the tables on SQLite must make its triggers again; below this, every read checks).
SQLITE_TRIGGERS = 9
POSTGRES_TRIGGERS = 5
ALL = "*"

Invalidate = Callable[[Iterable[str]], None]


class Watcher:
    """Hears which tags changed; says whether the cache may be trusted without a query."""

    def __init__(self) -> None:
        self._cache_ref: Callable[[], object | None] = lambda: None

    def attach(self, cache) -> None:
        """Send the tags to ``cache`` (held weakly: a discarded app stops its watcher)."""
        self._cache_ref = weakref.ref(cache)

    def _invalidate(self, tags: Iterable[str]) -> None:
        cache = self._cache_ref()
        if cache is not None:
            cache.invalidate(tags)

    def _reset(self) -> None:
        cache = self._cache_ref()
        if cache is not None:
            cache.reset()

    def trusted(self) -> bool:
        """Whether every change committed so far has been applied to the cache."""
        return False

    def close(self) -> None:
        pass


class CheckingWatcher(Watcher):
    """No channel (an in-memory database, or switched off): every read checks."""


class SQLiteWatcher(Watcher):
    """``PRAGMA data_version`` on a read-only connection of this process, then ``cache_change``."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._version: int | None = None
        self._seq = 0

    def _open(self) -> None:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False,
                               isolation_level=None, timeout=5)
        try:
            # The triggers must be there, or nothing would tell us of changes.
            found = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                 "AND name LIKE 'discuss_cache_%'").fetchone()[0]
            if found < SQLITE_TRIGGERS:
                raise sqlite3.OperationalError("no cache_change triggers (database not migrated)")
            self._version = conn.execute("PRAGMA data_version").fetchone()[0]
            self._seq = conn.execute("SELECT coalesce(max(seq), 0) FROM cache_change").fetchone()[0]
        except BaseException:
            conn.close()
            raise
        self._conn, self._pid = conn, os.getpid()
        self._reset()  # anything cached before now was never vouched for

    def trusted(self) -> bool:
        with self._lock:
            try:
                if self._conn is None or self._pid != os.getpid():
                    self._conn = None  # a forked worker opens its own
                    self._open()
                conn = self._conn
                version = conn.execute("PRAGMA data_version").fetchone()[0]
                if version != self._version:
                    self._version = version
                    rows = conn.execute("SELECT tag, seq FROM cache_change WHERE seq > ? ORDER BY seq",
                                        (self._seq,)).fetchall()
                    if rows:
                        self._seq = rows[-1][1]
                        self._invalidate(tag for tag, _ in rows)
                    elif conn.execute("SELECT coalesce(max(seq), 0) FROM cache_change").fetchone()[0] < self._seq:
                        # The table was made again (its numbers restarted): what changed is unknown.
                        self._seq = 0
                        self._reset()
                return True
            except sqlite3.Error as exc:
                log.warning("page cache: cannot watch %s (%s); checking every read", self.path, exc)
                self.drop()
                return False

    def drop(self) -> None:
        """Lose the connection (as a failure would); the next read reopens and resyncs."""
        conn, self._conn = self._conn, None
        if conn is not None and self._pid == os.getpid():
            conn.close()

    close = drop


class _Fence:
    """One write waiting to be heard: by this process's listener and by every other one."""

    def __init__(self) -> None:
        self.heard = False
        self.deaf = False  # this process's listener was down: acknowledgements cannot arrive
        self.expected: set[str] = set()
        self.acked: set[str] = set()
        self.changed = threading.Event()

    def done(self) -> bool:
        return self.heard and self.expected <= self.acked


class PostgresListener(Watcher):
    """``LISTEN discuss_cache`` on a connection of this process, kept by a listener thread."""

    def __init__(self, conninfo: str, heartbeat: float = 1.0) -> None:
        super().__init__()
        self.conninfo = conninfo
        self.heartbeat = heartbeat
        self._lock = threading.RLock()
        self._conn = None
        self._synced = False
        self._last_ok = 0.0
        self._pid = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._fences: dict[str, _Fence] = {}
        self._fence_count = 0
        self._id = ""  # this listener's name among the listeners (a new one per connection)
        self._acks_out: list[tuple[str, str]] = []  # (channel, payload) to send
        # Fences of this process's commits not yet waited for: the next read waits for them
        # (read-your-writes for commits outside a request: the CLI, scripts, tests).
        self._pending: list[str] = []

    # -- the read path's side ---------------------------------------------------------
    def trusted(self) -> bool:
        self._ensure_thread()
        if not self._synced or time.monotonic() - self._last_ok > 2 * self.heartbeat:
            return False
        for token in list(self._pending):
            self.wait_for(token)
        # No lock and no system call here: every writer's answer already waits for every
        # listener's acknowledgement (the fences), and the listener thread wakes the moment
        # bytes arrive. Draining the socket on each read (as this once did) took a lock held
        # across a select(), which let the interpreter lock go: under load each read queued
        # for the lock, then for the interpreter, and a third of a worker's time went there.
        return self._synced

    # -- read-your-writes, in this process and every other: fences -----------------------
    @property
    def fence_timeout(self) -> float:
        """How long a write's answer waits at most for every listener's acknowledgement: by
        then each listener has heard the write, or has gone 2 heartbeats without proving its
        channel and so distrusts its cache (see :meth:`trusted`)."""
        return 2 * self.heartbeat + 0.25

    def fence_sql(self) -> tuple[str, str] | None:
        """A ``NOTIFY`` to send last in a writing transaction, and its token; ``None`` when deaf.

        The transaction's own notifications are delivered before it (PostgreSQL keeps
        their order), so a listener that has heard the fence has heard the write. The
        statement also names every listener connected to the database now
        (``application_name``), so the writer knows whose acknowledgements to wait for.
        """
        if self._pid != os.getpid() or not self._id:
            return None  # never listened in this process: nothing of it to keep in step
        listeners = (f"array(SELECT application_name FROM pg_stat_activity WHERE datname = current_database() "
                     f"AND application_name LIKE '{LISTENER_NAME}%')")
        with self._lock:
            self._fence_count += 1
            if not self._synced:
                # Deaf (reconnecting): nobody can acknowledge to us, so the write waits the
                # whole bound if any other listener is connected (slow, never stale).
                token = f"d:{self._id}:{self._fence_count}"
                fence = self._fences[token] = _Fence()
                fence.heard = fence.deaf = True
                return token, f"SELECT NULL, {listeners}"
            token = f"f:{self._id}:{self._fence_count}"
            self._fences[token] = _Fence()
        return token, f"SELECT pg_notify('{CHANNEL}', '{token}'), {listeners}"

    def expect(self, token: str, listeners: Iterable[str]) -> None:
        """The listeners (``application_name`` values) connected when ``token``'s write committed."""
        fence = self._fences.get(token)
        if fence is not None:
            fence.expected = {name[len(LISTENER_NAME):] for name in listeners} - {self._id}

    def forget(self, token: str) -> None:
        """Drop a fence whose write will not commit."""
        self._fences.pop(token, None)

    def wait_for(self, token: str, timeout: float | None = None) -> None:
        """Wait until this process's listener has heard ``token`` and every other listener
        connected at the write's commit has acknowledged it (each acknowledges after
        dropping what the write changed), at most :attr:`fence_timeout`. If this process's
        listener has not heard it in time, distrust the cache until it resyncs; a listener
        that has not acknowledged is named in the log (it distrusts its own cache by now).
        While this process's listener is down no acknowledgement can arrive: a write then
        waits the whole bound, if any other listener is connected (slow, never stale)."""
        fence = self._fences.get(token)
        if fence is None:
            return
        deadline = time.monotonic() + (self.fence_timeout if timeout is None else timeout)
        while not fence.done() and time.monotonic() < deadline:
            if fence.deaf:  # no acknowledgement can arrive: by the deadline the others distrust
                time.sleep(max(0.0, deadline - time.monotonic()))
                break
            with self._lock:
                try:
                    if self._conn is not None:
                        self._drain(wait=0)
                except Exception as exc:  # noqa: BLE001
                    self._lost(exc)
            if not fence.done():
                fence.changed.wait(0.0005)
                fence.changed.clear()
        self._fences.pop(token, None)
        try:
            self._pending.remove(token)
        except ValueError:
            pass
        if not fence.heard:
            with self._lock:
                self._lost(TimeoutError("a write's notification did not arrive in time"))
        elif fence.expected - fence.acked and not fence.deaf:
            log.warning("page cache: listeners %s did not acknowledge a write within %.2f s; they "
                        "distrust their caches until their channel proves itself again",
                        ", ".join(sorted(fence.expected - fence.acked)), self.fence_timeout)

    def _heard(self, tags: list[str]) -> None:
        changed = []
        for tag in tags:
            if tag.startswith("f:"):
                fence = self._fences.get(tag)
                if fence is not None:
                    fence.heard = True
                    fence.changed.set()
                elif self._id:
                    # Another listener's write: acknowledge it once the tags before it are applied.
                    writer = tag.split(":")[1]
                    if writer and writer != self._id:
                        self._acks_out.append((ACK_CHANNEL + writer, f"a {tag} {self._id}"))
            elif tag.startswith("a "):
                _, token, listener = tag.split(" ", 2)
                fence = self._fences.get(token)
                if fence is not None:
                    fence.acked.add(listener)
                    fence.changed.set()
            else:
                changed.append(tag)
        if changed:
            self._invalidate(changed)

    def _send_acks(self) -> None:
        """Send the acknowledgements owed (on this listener's connection, under the lock)."""
        while self._acks_out and self._conn is not None:
            owed, self._acks_out = self._acks_out, []
            self._conn.execute("SELECT pg_notify(c, p) FROM unnest(%s::text[], %s::text[]) AS owed(c, p)",
                               ([channel for channel, _ in owed], [payload for _, payload in owed]))

    def wait_until_listening(self, timeout: float = 10.0) -> bool:
        """Start the listener if need be and wait until it vouches for the cache."""
        self._ensure_thread()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.trusted():
                return True
            time.sleep(0.01)
        return False

    def drop(self) -> None:
        """Close the listening connection, as a network failure would (tests, operators)."""
        with self._lock:
            if self._conn is not None:
                self._lost(RuntimeError("dropped"))

    def close(self) -> None:
        self._stop.set()
        self.drop()

    # -- the listener thread ----------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
                return
            if self._pid != os.getpid():  # forked: the parent's connection is not ours
                self._conn, self._synced = None, False
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="discuss-cache-listener", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        backoff = 0.1
        while not self._stop.is_set() and self._cache_ref() is not None:
            if self._conn is None:
                try:
                    self._connect()
                    backoff = 0.1
                except Exception as exc:  # noqa: BLE001
                    log.warning("page cache: cannot listen (%s); checking every read", exc)
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
            conn = self._conn
            try:
                ready, _, _ = select.select([conn.fileno()], [], [], self.heartbeat / 2)
            except (OSError, ValueError, AttributeError) as exc:
                with self._lock:
                    if conn is self._conn:
                        self._lost(exc)
                continue
            with self._lock:
                if conn is not self._conn:
                    continue
                try:
                    if ready:
                        self._drain(wait=0)
                    if time.monotonic() - self._last_ok >= self.heartbeat / 2:
                        # Proves the channel: PostgreSQL sends every notification committed before
                        # the query started ahead of its answer, so the cache is vouched for as of
                        # the start (trusted() allows 2 heartbeats since then).
                        started = time.monotonic()
                        conn.execute("SELECT 1")
                        self._last_ok = started
                        self._send_acks()
                except Exception as exc:  # noqa: BLE001
                    self._lost(exc)
        with self._lock:
            self._close_conn()

    def _connect(self) -> None:
        import psycopg

        conn = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5)
        try:
            if conn.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'discuss_cache_%'").fetchone()[0] < POSTGRES_TRIGGERS:
                raise RuntimeError("no discuss_cache triggers (database not migrated)")
            conn.add_notify_handler(lambda n: self._heard([n.payload]))
            name = secrets.token_hex(8)
            started = time.monotonic()
            conn.execute(f"LISTEN {CHANNEL}")
            conn.execute(f"LISTEN {ACK_CHANNEL}{name}")
            # Named only once listening: a writer that counts this listener will be acknowledged.
            conn.execute(f"SET application_name = '{LISTENER_NAME}{name}'")
        except BaseException:
            conn.close()
            raise
        with self._lock:
            self._id = name
            self._conn = conn
            # Listening from now on; anything cached before was not heard about: resync.
            self._reset()
            self._last_ok = started
            self._synced = True

    def _drain(self, wait: float) -> None:
        conn = self._conn
        if conn is None:
            raise RuntimeError("not connected")
        ready, _, _ = select.select([conn.fileno()], [], [], wait)
        if not ready:
            return
        pgconn = conn.pgconn
        pgconn.consume_input()  # raises when the server has gone
        tags = []
        while (note := pgconn.notifies()) is not None:
            tags.append(note.extra.decode())
        if tags:
            self._heard(tags)
        if conn.closed or pgconn.status != 0:  # 0: CONNECTION_OK
            raise RuntimeError("connection lost")
        self._send_acks()

    def _lost(self, exc: BaseException) -> None:
        for fence in list(self._fences.values()):
            # This process's reads check meanwhile; a write still waits for the others'
            # acknowledgements, which can no longer arrive: the whole bound (never stale).
            fence.heard = fence.deaf = True
            fence.changed.set()
        self._acks_out.clear()
        if self._synced:
            log.warning("page cache: lost the invalidation channel (%s); checking every read until back", exc)
        self._synced = False
        self._close_conn()

    def _close_conn(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass


def purge_key(tag: str) -> str:
    """The surrogate key (``Surrogate-Key``/``Cache-Tag``) of a tag: ``t:12`` is ``discuss-t12``;
    ``*`` is ``discuss``, which every thread read carries."""
    return "discuss" if tag == ALL else "discuss-" + tag.replace(":", "")


def watcher_for(url: str, heartbeat: float = 1.0) -> Watcher:
    """The watcher for a SQLAlchemy database URL."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = parsed.database or ""
        if not path or path == ":memory:" or path.startswith("file:"):
            return CheckingWatcher()
        return SQLiteWatcher(os.path.abspath(path))
    if backend == "postgresql":
        conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresListener(conninfo, heartbeat)
    return CheckingWatcher()


def install_fences(app, engine, watcher: Watcher) -> None:
    """Read-your-writes on PostgreSQL: a request that committed a write answers only once
    this process's listener has heard that commit (:meth:`PostgresListener.wait_for`),
    and any read of this process after a commit of its own waits for it too.

    A writing transaction sends a fence ``NOTIFY`` just before it commits; the
    request waits for it after the view returns (``after_request``); a commit made
    outside a request (the CLI, a script) is waited for by the next read.
    """
    if not isinstance(watcher, PostgresListener):
        return
    from flask import g, has_request_context
    from sqlalchemy import event
    from sqlalchemy import exc as sa_exc

    @event.listens_for(engine, "after_cursor_execute")
    def _wrote(conn, _cursor, statement, *_args):
        if statement[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            conn.info["discuss_wrote"] = True

    @event.listens_for(engine, "rollback")
    def _rolled_back(conn):
        if conn.invalidated:  # the database went away: nothing to forget, and conn.info would raise
            return
        conn.info.pop("discuss_wrote", None)

    @event.listens_for(engine, "commit")
    def _fence(conn):
        if not conn.info.pop("discuss_wrote", False):
            return
        made = watcher.fence_sql()
        if made is None and has_request_context():
            # A worker's first write, before it ever read a thread: listen now (once per
            # process), so this write too waits for the other listeners' acknowledgements.
            watcher.wait_until_listening(timeout=watcher.fence_timeout)
            made = watcher.fence_sql()
        if made is None:
            return
        token, sql = made
        try:
            listeners = conn.connection.driver_connection.execute(sql).fetchone()[1]
        except Exception as exc:
            # The database went away at the commit (this runs just before it): the commit
            # cannot happen either. Raised as SQLAlchemy's own error (a connection lost is an
            # OperationalError: the client gets a 503 to retry, never a 500), and the write
            # is not stored: nothing waits for this fence.
            watcher.forget(token)
            dbapi = conn.dialect.loaded_dbapi
            raise sa_exc.DBAPIError.instance(sql, None, exc, dbapi.Error,
                                             dialect=conn.dialect) from exc
        watcher.expect(token, listeners or ())
        watcher._pending.append(token)
        if len(watcher._pending) > 1000:  # a process that writes and never reads: stop keeping them
            watcher._pending.clear()
        if has_request_context():
            g.setdefault("discuss_fences", []).append(token)

    @app.after_request
    def _wait(response):
        for token in g.pop("discuss_fences", []):
            watcher.wait_for(token)
        return response
