"""gunicorn settings for discuss: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Why these (docs/operations.md, "Web server"):

- ``gthread`` workers: each process serves requests on a pool of threads. A
  reply waiting on screening sleeps on a lock (the plugins run on the plugin
  host's own threads, with a time budget each), so it ties up one request
  thread, not a whole process; reads on the other threads go on. With ``sync``
  workers one slow post stalled every read queued behind it on that worker.
- Processes for the cores, threads for the waits: the interpreter lock lets one
  thread of a process run Python at a time, so CPU-bound reads scale with
  processes (two per core), while threads cover requests that wait (screening,
  the database).
- ``preload_app`` stays off: the app starts threads at creation (the cache
  invalidation listener, the plugin pool) and those do not survive a fork.

Every value can be set from the environment (``GUNICORN_WORKERS=4``...); gunicorn's
own ``GUNICORN_CMD_ARGS`` and command-line flags override this file.
"""

from __future__ import annotations

import gc
import os
import sys
import time
import traceback


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").split(",")

# Two processes per core: while one waits for the interpreter lock or the database,
# the other runs. Each is a full copy of the app (~100 MB).
workers = _int("GUNICORN_WORKERS", 2 * _cores())
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# Threads per process: enough that the requests waiting on screening (at most a few
# seconds each, PLUGIN_TIMEOUT per plugin) leave threads for reads. A waiting thread
# costs a little memory and no CPU. Keep the database pool (DISCUSS_DATABASE_POOL_SIZE 12 + 4 overflow)
# in mind: reads served from the page cache take no connection, posts hand theirs back
# while the plugins run (discuss/comments.py).
threads = _int("GUNICORN_THREADS", 16)
# Open connections per process, idle keep-alive ones included (gthread parks them in
# a poller, not in a thread).
worker_connections = _int("GUNICORN_WORKER_CONNECTIONS", 1000)
# Connections waiting to be accepted; beyond this the kernel refuses them (the proxy retries
# another upstream or answers 502 at once: better than a request queued for minutes).
backlog = _int("GUNICORN_BACKLOG", 2048)

# Seconds a worker may go without telling the arbiter it is alive before it is killed
# (SIGABRT, then SIGKILL) and replaced. With gthread the heartbeat comes from the main
# loop, so only a process-wide stall trips it (C code holding the interpreter lock:
# what DISCUSS_ISOLATE_PLUGINS moves into killable processes), never one slow request.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (deploy, scale-down, max_requests) a worker stops accepting and finishes
# what it has for up to this long: longer than the slowest honest request (every
# plugin's budget plus a write) so a reply is not cut between commit and answer.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind a proxy that keeps upstream connections open (nginx: `keepalive` in the
# upstream block), gunicorn must keep them longer than the proxy does (nginx's
# upstream keepalive_timeout is 60 s), else it closes one the proxy is reusing and
# that request fails with a 502.
keepalive = _int("GUNICORN_KEEPALIVE", 75)

# Recycle each worker after about this many requests, so a slow leak (in a plugin, say)
# cannot grow without bound; the jitter keeps workers from restarting together.
max_requests = _int("GUNICORN_MAX_REQUESTS", 50_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 5_000)

preload_app = False
# The heartbeat file on tmpfs: on a container's overlay filesystem its updates can block.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Request logging is the proxy's job (nginx logs every request); set
# GUNICORN_ACCESS_LOG=- to log here too (it costs CPU at thousands of requests a second).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "discuss"


def post_worker_init(worker) -> None:
    """Screen one comment before this worker accepts requests: a process's first screening
    loads what the plugins need (the toxicity model takes seconds), which would otherwise
    land on a resident's post (and, under load, past its plugin's budget)."""
    app = worker.wsgi
    host = getattr(app, "extensions", {}).get("discuss")
    if host is None:
        return
    from discuss import Submission

    started = time.perf_counter()
    try:
        with app.app_context():
            host.screen(Submission(body="Warming up: is this thing on? https://example.org", author_name="warm-up",
                                   author_email=None, site="-", thread_key="/warm-up"), None)
    except Exception:  # noqa: BLE001 - a worker that cannot warm up still serves
        worker.log.exception("warming up the plugins failed")
    else:
        worker.log.info("plugins warmed up in %.1f s", time.perf_counter() - started)
    freeze_what_was_loaded()


def freeze_what_was_loaded() -> None:
    """Move everything loaded so far (the app, the plugins' lexicons and model: about
    240,000 objects) out of the cyclic garbage collector's sight, for good.

    They live as long as the process, yet every full collection walked all of them:
    about 140 ms on an idle core and 400 to 800 ms under load, during which the whole
    worker (every request thread) stood still, two or three times a minute. That was
    the worst of the read latency's tail (bench/mixed_load.py). Collected first, so no
    garbage is frozen with them.
    """
    gc.collect()
    gc.freeze()


def worker_abort(worker) -> None:
    """A worker is being killed for missing its heartbeat: log where every thread was."""
    frames = sys._current_frames()
    for thread_id, frame in frames.items():
        stack = "".join(traceback.format_stack(frame))
        worker.log.error("worker %s timed out; thread %s was at:\n%s", worker.pid, thread_id, stack)


# ---------------------------------------------------------------------------------
# prometheus_client's multiprocess mode: a worker that exits leaves its metric files;
# marking it dead keeps its counters but drops its gauges (discuss/metrics.py).
def child_exit(server, worker) -> None:
    """Called in the arbiter after a worker exited, whatever the cause."""
    from discuss.metrics import child_exit as drop_samples

    drop_samples(server, worker)
# ---------------------------------------------------------------------------------
