"""Durable background work on Huey: jobs, periodic jobs, enqueue-after-commit, dead letters.

A job is a function decorated with :func:`job`; calling it enqueues it and
returns at once (Huey's semantics: ``task(*args)``, ``task.schedule(args,
delay=...)``). Its arguments are plain values (ids, strings, dicts of them),
never ORM rows: they are pickled into the queue and read again by a worker.

Where the queue lives is the ``QUEUE_URL`` setting: a SQLite file in the
instance folder by default (Huey's embedded storage, no other service), or
``redis://...`` (Huey's Redis storage). ``discuss worker`` runs Huey's consumer;
:func:`discuss.testing.run_jobs` runs what is due in-process, through the same
storage.

Every job carries the request id current when it was enqueued and runs inside
``requestid.bound(that id)`` and a fresh app context of an app built from the
same settings (the worker's own app).

:func:`enqueue_after_commit` is how a service enqueues work that follows a
write. It stores the job's message in the ``job_outbox`` table *in the same
transaction* and enqueues it once that transaction commits (nothing for a
rolled-back write). The job deletes its outbox row when it first runs; a row
that outlives :data:`OUTBOX_GRACE` (the queue was unreachable at commit, or a
worker lost the message) is enqueued again by :func:`sweep_outbox`, which the
worker runs every minute. The delete is the claim: of two copies of a message
only the one that deletes the row runs, so a sweep never runs a job twice.

A job that still fails after its last retry is a *dead letter*: a
``dead_job`` row naming the task, its arguments, the error and the request
id, which admins see and can replay (:func:`replay_dead_letter`).
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import threading
import time
import uuid
from typing import Any, Callable

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.storage import RedisStorage, SqliteStorage
from huey.api import TaskWrapper
from huey.exceptions import CancelExecution
from huey.signals import SIGNAL_INTERRUPTED

from . import requestid

log = logging.getLogger(__name__)

__all__ = ["job", "periodic", "enqueue_after_commit", "queue_stats", "replay_dead_letter", "sweep_outbox",
           "GiveUp", "crontab", "huey", "init_app"]

#: An outbox row older than this (seconds) is enqueued again by :func:`sweep_outbox`.
OUTBOX_GRACE = 300
#: Keyword argument that carries a job's metadata through the queue.
META = "_discuss"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
#: Characters of an error kept on a dead letter.
ERROR_LENGTH = 2000


class GiveUp(Exception):
    """Raised by a job that must not be retried (a refusal, not a fault): it becomes a dead letter at once."""


# -- the queue and where it is stored -------------------------------------------------

class _AppStorage:
    """Huey's storage, resolved per call: the current app's, else the worker's.

    Jobs are declared at import time on one :data:`huey`; which storage they go to
    is a setting of each app (``QUEUE_URL``), so the storage is looked up when used.
    """

    def __init__(self, name: str, **_kwargs: Any):
        self.name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(storage_for(_app()), attribute)


class _Job(TaskWrapper):
    """Huey's task wrapper, stamping each message with the request id and its enqueueing."""

    def s(self, *args: Any, **kwargs: Any):
        task = super().s(*args, **kwargs)
        task.kwargs[META] = _meta(task.retries)
        return task

    def schedule(self, args=None, kwargs=None, **options: Any):
        retries = options.get("retries")
        kwargs = dict(kwargs or {}, **{META: _meta(self.retries if retries is None else retries)})
        return super().schedule(args, kwargs, **options)


class _Huey(Huey):
    def get_task_wrapper_class(self):
        return _Job


#: The one Huey instance every job is declared on. Results are not kept (nobody waits for them).
huey = _Huey("discuss", results=False, utc=True, storage_class=_AppStorage)

_worker_app: Flask | None = None


def _app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _worker_app is not None:
        return _worker_app
    raise RuntimeError("no app: enqueue inside an app context, or start the worker with bind_worker(app)")


def bind_worker(app: Flask) -> None:
    """Make ``app`` the one jobs run in when no app context is active (the worker's threads)."""
    global _worker_app
    _worker_app = app


def queue_url(app: Flask) -> str:
    """The queue's URL: ``QUEUE_URL``, else a SQLite file in the instance folder."""
    import os

    return app.config.get("QUEUE_URL") or "sqlite:///" + os.path.join(app.instance_path, "queue.db")


_storage_lock = threading.Lock()


def storage_for(app: Flask):
    """The app's Huey storage, made on first use (one per app, shared by its threads)."""
    storage = app.extensions.get("discuss_queue")
    if storage is not None:
        return storage
    with _storage_lock:
        return app.extensions.get("discuss_queue") or _make_storage(app)


def _make_storage(app: Flask):
    url, name = queue_url(app), app.config.get("QUEUE_NAME") or "discuss"
    if url.startswith(REDIS_SCHEMES):
        import redis

        # Short connect timeout: a request enqueueing while Redis is down waits a second, not minutes.
        pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=1, socket_timeout=5)
        storage = RedisStorage(name, connection_pool=pool, blocking=True, read_timeout=1)
    elif url.startswith("sqlite:///"):
        import os

        filename = url[len("sqlite:///"):]
        os.makedirs(os.path.dirname(filename) or ".", exist_ok=True)
        storage = SqliteStorage(name, filename=filename, timeout=30)
    else:
        raise RuntimeError(f"DISCUSS_QUEUE_URL: expected sqlite:///PATH or redis://..., got {url.split(':')[0]}:...")
    app.extensions["discuss_queue"] = storage
    return storage


#: Core modules that declare jobs, imported by every app so a worker knows every job by name
#: (plugins' jobs are known once the plugin manager has imported them).
JOB_MODULES: tuple[str, ...] = ()


def init_app(app: Flask) -> None:
    """Check the queue's URL, import the modules that declare jobs, and have
    enqueue-after-commit listen to the app's sessions."""
    import importlib

    for module in JOB_MODULES:
        importlib.import_module(module)
    url = queue_url(app)
    if not url.startswith((*REDIS_SCHEMES, "sqlite:///")):
        raise RuntimeError(f"DISCUSS_QUEUE_URL: expected sqlite:///PATH or redis://..., got {url!r}")
    app.config["QUEUE_URL"] = url
    _listen_to_sessions()


def is_redis(app: Flask) -> bool:
    return queue_url(app).startswith(REDIS_SCHEMES)


# -- declaring jobs -------------------------------------------------------------------

def job(*, retries: int = 0, retry_delay: float = 0, backoff: bool = False, name: str | None = None):
    """Make a function a durable job; calling it enqueues it and returns at once.

    :param retries: further attempts after a failure (an exception other than :class:`GiveUp`).
    :param retry_delay: seconds before the first retry.
    :param backoff: double the delay before each further retry.
    :param name: the job's name in the queue (default: the function's name; the module is prepended).
    """
    def decorator(func: Callable[..., Any]):
        return _known(huey.task(retries=retries, retry_delay=retry_delay, retry_backoff=2 if backoff else 0,
                                name=name or func.__name__, context=True)(_running(func)))
    return decorator


def periodic(when: Any, *, name: str | None = None):
    """A job the worker runs on a schedule: ``when`` is a :func:`crontab`
    (``crontab(minute="0", hour="7")``: daily at 07:00 UTC) or a number of seconds, a
    whole number of minutes dividing an hour or a day (``periodic(300)``: every five
    minutes; ``periodic(3600)``: hourly). Periodic jobs take no arguments.

    :raises ValueError: for seconds the worker's once-a-minute scheduler cannot keep.
    """
    if isinstance(when, (int, float)):
        when = _every(int(when))

    def decorator(func: Callable[..., Any]):
        return _known(huey.periodic_task(when, name=name or func.__name__, context=True)(_running(func)))
    return decorator


def _every(seconds: int):
    minutes, odd = divmod(seconds, 60)
    if odd or minutes < 1:
        raise ValueError(f"periodic({seconds}): a whole number of minutes, in seconds (the scheduler runs each minute)")
    if 60 % minutes == 0:
        return crontab(minute=f"*/{minutes}")
    if minutes % 60 == 0 and 24 % (minutes // 60) == 0:
        return crontab(minute="0", hour=f"*/{minutes // 60}")
    raise ValueError(f"periodic({seconds}): use a crontab(...) for a period that does not divide an hour or a day")


#: Every job by its queue name (``module.name``), for replays.
_JOBS: dict[str, _Job] = {}


def _known(wrapper: _Job) -> _Job:
    _JOBS[huey._registry.task_to_string(wrapper.task_class)] = wrapper
    return wrapper


def _meta(retries: int | None) -> dict[str, Any]:
    return {"request_id": requestid.current(), "enqueued_at": time.time(), "retries": retries or 0}


def _running(func: Callable[..., Any]) -> Callable[..., Any]:
    """What the worker executes: the job inside an app context and its request id, dead-lettered at the end."""

    def run(*args: Any, task=None, **kwargs: Any) -> Any:
        meta = kwargs.pop(META, None) or {}
        app = _app()
        with requestid.bound(meta.get("request_id")), app.app_context():
            outbox_id = meta.get("outbox")
            if outbox_id and not meta.get("claimed"):
                if not _claim(outbox_id):
                    log.info("job %s: outbox row %s already claimed or rolled back; not running", func.__name__,
                             outbox_id)
                    return None
                # The task's own metadata (Huey copies kwargs, not this dict): a retry or a
                # re-run after an interruption is serialised with it and does not claim again.
                meta["claimed"] = True
            try:
                return func(*args, **kwargs)
            except GiveUp as exc:
                _dead_letter(task, func, args, kwargs, meta, exc)
                raise CancelExecution(retry=False) from exc
            except Exception as exc:
                if task is None or not task.retries:
                    _dead_letter(task, func, args, kwargs, meta, exc)
                raise
            finally:
                from .extensions import db

                db.session.remove()

    run.__name__ = func.__name__
    run.__qualname__ = func.__qualname__
    run.__module__ = func.__module__
    run.__doc__ = func.__doc__
    return run


def _claim(outbox_id: str) -> bool:
    from .extensions import db
    from .models import JobOutbox

    with db.engine.begin() as connection:
        deleted = connection.execute(JobOutbox.__table__.delete().where(JobOutbox.__table__.c.id == outbox_id))
    return deleted.rowcount == 1


def _dead_letter(task, func, args, kwargs, meta, exc: BaseException) -> None:
    from .extensions import db
    from .models import DeadJob

    name = huey._registry.task_to_string(type(task)) if task is not None else f"{func.__module__}.{func.__name__}"
    error = f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]
    attempts = int(meta.get("retries", 0)) + 1 if not isinstance(exc, GiveUp) else \
        int(meta.get("retries", 0)) - (task.retries if task is not None else 0) + 1
    log.error("job %s failed for good after %d attempt(s): %s", name, attempts, error)
    try:
        with db.engine.begin() as connection:
            connection.execute(DeadJob.__table__.insert().values(
                task=name, args=_plain(list(args)), kwargs=_plain(kwargs), error=error, attempts=attempts,
                request_id=meta.get("request_id"), failed_at=_utcnow()))
    except Exception:  # noqa: BLE001 - the failure is logged above with everything needed to redo it
        log.exception("could not store the dead letter for %s (args %r)", name, args)


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=repr))


def _utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)


@huey.signal(SIGNAL_INTERRUPTED)
def _run_again(_signal, task, *_args, **_kwargs) -> None:
    """A job cut short by the worker's shutdown (SIGTERM) is queued again, not lost: jobs are
    at-least-once, and say so (a webhook's receiver dedupes on its ``webhook-id``)."""
    log.warning("job %s interrupted by shutdown: queued again", task)
    huey.enqueue(task)


# -- enqueueing after a commit --------------------------------------------------------

_PENDING = "discuss_jobs_after_commit"
_WROTE = "discuss_jobs_wrote"


def enqueue_after_commit(task: _Job, *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task(*args, **kwargs)`` once the current database transaction commits.

    The message is stored in ``job_outbox`` in that transaction; a rolled-back
    write stores and enqueues nothing. Outside a write (no transaction, or one that
    has only read) the outbox row is committed at once on its own connection and
    the job enqueued. If the queue cannot be reached, the failure is logged and the
    caller carries on: the outbox row stays, and :func:`sweep_outbox` enqueues it.
    Huey's options (``retries=``, ``retry_delay=``, ``delay=``) may be passed as for ``task.s()``.
    """
    from .extensions import db
    from .models import JobOutbox

    message_task = task.s(*args, **kwargs)
    outbox_id = uuid.uuid4().hex
    message_task.kwargs[META]["outbox"] = outbox_id
    data = huey.serialize_task(message_task)
    row = {"id": outbox_id, "task": huey._registry.task_to_string(type(message_task)), "message": data,
           "created_at": _utcnow()}
    session = db.session()
    if _in_write(session):
        session.add(JobOutbox(**row))
        session.info.setdefault(_PENDING, []).append((current_app._get_current_object(), message_task, data))
        return
    with db.engine.begin() as connection:
        connection.execute(JobOutbox.__table__.insert().values(**row))
    _push(current_app._get_current_object(), message_task, data)


def _in_write(session) -> bool:
    """Whether the session's transaction writes: something added, changed or flushed, an
    INSERT/UPDATE/DELETE run through it, or begun by :func:`discuss.transactions.writing`
    (which holds SQLite's write lock from the start)."""
    if not session.in_transaction():
        return False
    if session.new or session.dirty or session.deleted or session.info.get(_WROTE):
        return True
    return bool(session.connection().get_execution_options().get("sqlite_immediate"))


def _push(app: Flask, task, data: bytes) -> None:
    try:
        if task.eta is not None:
            storage_for(app).add_to_schedule(data, task.eta)
        else:
            storage_for(app).enqueue(data, task.priority)
    except Exception as exc:  # noqa: BLE001 - the outbox keeps it; the request must not fail
        log.error("job queue unreachable (%s: %s): %s stays in the outbox for the worker's sweep",
                  type(exc).__name__, exc, task.name)


_listening = False


def _listen_to_sessions() -> None:
    global _listening
    if _listening:
        return
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    @sa.event.listens_for(Session, "after_flush")
    def _wrote(session, _context):
        session.info[_WROTE] = True

    @sa.event.listens_for(Session, "do_orm_execute")
    def _executed(state):
        if state.is_insert or state.is_update or state.is_delete:  # sa.update(...) through the session
            state.session.info[_WROTE] = True

    # Both events also fire when a savepoint is released or rolled back (SQLAlchemy dispatches
    # them for nested transactions): only the outermost transaction's end counts. Jobs enqueued
    # in a savepoint that rolled back stay pending; their outbox rows went with the savepoint,
    # so when they are pushed after the commit their claim fails and they do not run.
    @sa.event.listens_for(Session, "after_commit")
    def _committed(session):
        if session.in_nested_transaction():
            return
        pending = session.info.pop(_PENDING, [])
        session.info.pop(_WROTE, None)
        for app, task, data in pending:
            _push(app, task, data)

    @sa.event.listens_for(Session, "after_rollback")
    def _rolled_back(session):
        if session.in_nested_transaction():
            return
        session.info.pop(_PENDING, None)
        session.info.pop(_WROTE, None)

    _listening = True


def sweep_outbox(app: Flask | None = None, *, older_than: float = OUTBOX_GRACE) -> int:
    """Enqueue again every outbox row older than ``older_than`` seconds; how many.

    Each row's clock restarts, so a row is pushed at most once per grace period
    while the queue is down; the job's claim keeps two copies from both running."""
    import sqlalchemy as sa

    from .extensions import db
    from .models import JobOutbox

    app = app or _app()
    table = JobOutbox.__table__
    cutoff = _utcnow() - _dt.timedelta(seconds=older_than)
    with app.app_context():
        with db.engine.connect() as connection:
            rows = connection.execute(sa.select(table.c.id, table.c.message)
                                      .where(table.c.created_at <= cutoff).order_by(table.c.created_at)
                                      .limit(1000)).all()
        pushed = 0
        for row in rows:
            try:
                storage_for(app).enqueue(row.message, None)
            except Exception as exc:  # noqa: BLE001
                log.error("outbox sweep: queue unreachable (%s); %d row(s) wait", type(exc).__name__, len(rows))
                break
            with db.engine.begin() as connection:
                connection.execute(table.update().where(table.c.id == row.id).values(created_at=_utcnow()))
            pushed += 1
        if pushed:
            log.warning("outbox sweep: enqueued %d job(s) again", pushed)
        return pushed


@periodic(crontab(minute="*"), name="sweep_outbox")
def _sweep_outbox_every_minute() -> None:
    sweep_outbox(current_app._get_current_object())


# -- dead letters ---------------------------------------------------------------------

def replay_dead_letter(dead_id: int) -> bool:
    """Enqueue a dead letter's job again (after the caller's commit) and delete the row; False when gone.

    Call inside a write transaction (:func:`discuss.transactions.writing`), with the audit entry."""
    from .extensions import db
    from .models import DeadJob

    row = db.session.get(DeadJob, dead_id)
    if row is None:
        return False
    wrapper = task_named(row.task)
    db.session.delete(row)
    enqueue_after_commit(wrapper, *row.args, **row.kwargs)
    return True


def task_named(name: str) -> _Job:
    """The job registered as ``name`` (``module.function``).

    :raises LookupError: no such job in this process."""
    try:
        return _JOBS[name]
    except KeyError:
        raise LookupError(f"no job named {name!r}") from None


# -- looking at the queue -------------------------------------------------------------

def queue_stats(app: Flask) -> dict[str, Any]:
    """``pending`` (waiting to run now), ``scheduled`` (retries and delayed jobs), ``oldest_pending_seconds``
    (age of the next job to run, 0 when none), ``dead_letters`` and ``outbox`` (rows not yet claimed).

    :raises Exception: the storage's or the database's error when either cannot be reached
        (a metrics scrape reports the queue as unknown then)."""
    import sqlalchemy as sa

    from .extensions import db
    from .models import DeadJob, JobOutbox

    storage = storage_for(app)
    oldest = 0.0
    with app.app_context():
        for data in storage.enqueued_items(1):
            try:
                message = huey.serializer.deserialize(data)
                enqueued_at = (message.kwargs or {}).get(META, {}).get("enqueued_at")
            except Exception:  # noqa: BLE001 - a message from another version: no age
                enqueued_at = None
            if enqueued_at:
                oldest = max(0.0, time.time() - enqueued_at)
        with db.engine.connect() as connection:
            dead = connection.execute(sa.select(sa.func.count()).select_from(DeadJob.__table__)).scalar_one()
            outbox = connection.execute(sa.select(sa.func.count()).select_from(JobOutbox.__table__)).scalar_one()
    return {"pending": storage.queue_size(), "scheduled": storage.schedule_size(),
            "oldest_pending_seconds": round(oldest, 3), "dead_letters": dead, "outbox": outbox}


def ping(app: Flask) -> None:
    """Raise unless the queue's storage answers (``/readyz``)."""
    if is_redis(app):
        import redis

        client = redis.Redis.from_url(queue_url(app), socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            client.ping()
        finally:
            client.close()
    else:
        storage_for(app).queue_size()


# -- running --------------------------------------------------------------------------

def run_due(app: Flask, *, now: _dt.datetime | None = None, periodic_too: bool = False,
            limit: int = 10_000) -> list[dict[str, Any]]:
    """Run every job due at ``now`` (UTC, default the present) in this process; what ran, in order.

    Scheduled jobs (retries, delays) whose time has come are moved to the queue
    first, and again after each job, so a retry due before ``now`` runs in the same
    call. Each entry: ``{"task", "args", "kwargs", "ok", "error"}``.
    """
    now = now or _utcnow()
    ran: list[dict[str, Any]] = []
    with app.app_context():
        if periodic_too:
            for task in huey.read_periodic(now):
                huey.enqueue(task)
        for _ in range(limit):
            for task in huey.read_schedule(now):
                huey.enqueue(task)
            task = huey.dequeue()
            if task is None:
                break
            entry = {"task": huey._registry.task_to_string(type(task)), "args": list(task.args),
                     "kwargs": {k: v for k, v in task.kwargs.items() if k not in (META, "task")},
                     "ok": True, "error": None}
            errors: list[BaseException] = []

            def failed(signal, failed_task, exc=None):
                errors.append(exc)

            huey.signal("error", "canceled")(failed)
            try:
                huey.execute(task, timestamp=now)
            finally:
                huey.disconnect_signal(failed, "error", "canceled")
            if errors:
                entry["ok"], entry["error"] = False, repr(errors[0]) if errors[0] else "canceled"
            ran.append(entry)
    return ran


def run_worker(app: Flask, *, workers: int = 2, worker_type: str = "thread") -> None:
    """Run Huey's consumer for ``app`` until interrupted (``discuss worker``)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    bind_worker(app)
    if worker_type == "process":
        from .extensions import db

        with app.app_context():
            db.engine.dispose()  # no pooled connection is shared by the forked workers
    where = "redis" if is_redis(app) else queue_url(app)
    log.info("discuss worker: %d %s worker(s) on %s; jobs: %s", workers, worker_type, where, ", ".join(sorted(_JOBS)))
    consumer = huey.create_consumer(workers=workers, worker_type=worker_type, periodic=True,
                                    check_worker_health=True)
    consumer.run()
