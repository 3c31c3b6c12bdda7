"""Prometheus metrics, served at ``/metrics`` (docs/operations.md, "Metrics").

Every metric discuss exports is defined here, and recorded from three seams:

- :class:`MeasureRequests`, WSGI middleware around the whole app, counts and
  times every request by route (the Flask rule, never the raw path: ids and
  thread keys would make a series per URL) and status. It sits outside
  :class:`discuss.api.replay.ReplayReads`, so thread reads answered before
  Flask are counted too (route ``replay``);
- :func:`comment_posted`, called by the comment service once a reply is stored:
  its outcome, and each plugin's screening time, errors and timeouts;
- :func:`database_unavailable`, called where a request becomes a 503 because
  the database did not answer (:mod:`discuss.errors`).

The job queue's depth, age, outbox and dead letters are read when Prometheus
scrapes (:class:`QueueCollector`), from the storage every process shares. Jobs
themselves are counted and timed where they run (:func:`count_jobs`, on Huey's
signals): ``discuss worker`` serves those on ``DISCUSS_WORKER_METRICS_PORT``
(:func:`serve_worker_metrics`).

**Across gunicorn workers.** With ``PROMETHEUS_MULTIPROC_DIR`` set to an empty,
writable directory (a tmpfs) before the server starts, each worker writes its
samples to memory-mapped files there and ``/metrics`` adds up every worker's
(prometheus_client's multiprocess mode). gunicorn's configuration must then
call :func:`child_exit` from its ``child_exit`` hook, so a dead worker's live
gauges are dropped. Without the variable (the demo, ``flask run``, tests) the
samples live in this process's default registry.

``/metrics`` answers to addresses in ``DISCUSS_METRICS_NETWORKS`` (the
loopback by default) and to a request bearing ``Authorization: Bearer
<DISCUSS_METRICS_TOKEN>``; anyone else gets a 404.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from typing import TYPE_CHECKING, Any, Callable, Iterable

from flask import Blueprint, Flask, Response, abort, current_app, request, request_started
from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram,
                               disable_created_metrics, generate_latest)
from prometheus_client.core import GaugeMetricFamily

if TYPE_CHECKING:  # pragma: no cover
    from .moderation import Screening

log = logging.getLogger(__name__)
# No "*_created" series beside every counter and histogram: Prometheus does not need them.
disable_created_metrics()

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
#: The route label of thread reads answered whole by discuss.api.replay, before Flask.
REPLAYED = "replay"
#: The route label of requests that matched no rule (404s, 405s from the router).
UNMATCHED = "unmatched"
ROUTE_KEY = "discuss.route"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# Request latency: a replayed read takes well under a millisecond, a post with every plugin tens.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Plugin screening: most plugins take microseconds; a budget is seconds (DISCUSS_PLUGIN_TIMEOUT).
SCREENING_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                     1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("discuss_http_requests", "HTTP requests answered, by route (Flask rule), method and status.",
                   ["route", "method", "status"])
LATENCY = Histogram("discuss_http_request_duration_seconds",
                    "Seconds from a request reaching the app to its response, by route and method.",
                    ["route", "method"], buckets=LATENCY_BUCKETS)
COMMENTS = Counter("discuss_comments", "Replies stored, by outcome (published, held, rejected, silent).",
                   ["outcome"])
SCREENING = Histogram("discuss_plugin_screening_seconds", "Seconds each plugin took to screen a reply.",
                      ["plugin"], buckets=SCREENING_BUCKETS)
PLUGIN_FAILURES = Counter("discuss_plugin_failures",
                          "Screenings a plugin failed (the reply was held), by kind: error or timeout.",
                          ["plugin", "kind"])
DATABASE_UNAVAILABLE = Counter("discuss_database_unavailable",
                               "Requests answered 503 because the database did not answer.")
# The job's label is "task": Prometheus gives every scraped series a "job" label of its own.
JOB_RUNS = Counter("discuss_job_runs", "Job attempts, by task and outcome (ok, failed: raised, gave up or timed out).",
                   ["task", "outcome"])
JOB_DURATION = Histogram("discuss_job_duration_seconds", "Seconds a job attempt ran, by task.", ["task"],
                         buckets=LATENCY_BUCKETS)

#: Every family /metrics always shows (tests/test_grafana.py checks the dashboard queries only these);
#: the queue's appear when a job queue is configured.
FAMILIES = ("discuss_http_requests_total", "discuss_http_request_duration_seconds", "discuss_comments_total",
            "discuss_plugin_screening_seconds", "discuss_plugin_failures_total",
            "discuss_database_unavailable_total")
QUEUE_FAMILIES = ("discuss_queue_pending", "discuss_queue_scheduled", "discuss_queue_oldest_pending_seconds",
                  "discuss_queue_outbox", "discuss_queue_dead_letters")
#: Shown by the process that runs jobs (``discuss worker``), once it has run one.
JOB_FAMILIES = ("discuss_job_runs_total", "discuss_job_duration_seconds")


def multiprocess_dir() -> str | None:
    """The directory worker processes share their samples in, or None (one process)."""
    return os.environ.get(MULTIPROC_VARIABLE) or None


# -- recording -------------------------------------------------------------------

def comment_posted(outcome: str, screening: "Screening") -> None:
    """A reply was stored with ``outcome``; record it and what each plugin's screening cost.

    Called after the commit: it never raises (a full metrics directory must not
    turn a stored comment into an error).
    """
    try:
        COMMENTS.labels(outcome).inc()
        for verdict in screening.verdicts:
            SCREENING.labels(verdict.plugin).observe(verdict.elapsed_ms / 1000)
            kind = failure_kind(verdict.verdict)
            if kind is not None:
                PLUGIN_FAILURES.labels(verdict.plugin, kind).inc()
    except Exception:  # noqa: BLE001
        log.exception("metrics: could not record a stored comment")


def failure_kind(verdict: Any) -> str | None:
    """``timeout``, ``error`` or None: what discuss.moderation made of a plugin that failed.

    A failed plugin's verdict is a hold for "plugin error" whose ``error`` detail
    says why: "timed out after 2s" or "took 2.31s, over its 2s budget" for an
    overrun, anything else (an exception, a wrong return value) for an error.
    """
    from .moderation import PLUGIN_ERROR

    if verdict.reason != PLUGIN_ERROR:
        return None
    detail = str(verdict.details.get("error", ""))
    return "timeout" if detail.startswith("timed out") or "over its" in detail else "error"


def database_unavailable() -> None:
    """A request was answered 503 because the database did not answer (never raises)."""
    try:
        DATABASE_UNAVAILABLE.inc()
    except Exception:  # noqa: BLE001
        log.exception("metrics: could not count a 503")


class MeasureRequests:
    """WSGI middleware: counts and times every request by route, method and status.

    The route is the Flask rule that matched (noted on ``request_started``, see
    :func:`init_app`), ``replay`` for a thread read answered before Flask ran,
    ``unmatched`` for anything else. The time runs until the app returns its
    response (a streamed body, such as a CSV export, is not waited for).
    """

    def __init__(self, wsgi_app: Callable) -> None:
        from .api.replay import request_key

        self.wsgi_app = wsgi_app
        self.replayable = request_key

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        status = ["500"]

        def noting(code: str, headers: list, exc_info: Any = None):
            status[0] = code[:3]
            return start_response(code, headers, exc_info) if exc_info else start_response(code, headers)

        try:
            return self.wsgi_app(environ, noting)
        finally:
            try:
                self.record(environ, status[0], time.perf_counter() - started)
            except Exception:  # noqa: BLE001 - the answer (perhaps a stored comment's) must still go out
                log.exception("metrics: could not record a request")

    def record(self, environ: dict[str, Any], status: str, seconds: float) -> None:
        route = environ.get(ROUTE_KEY) or (REPLAYED if self.replayable(environ) is not None else UNMATCHED)
        method = environ.get("REQUEST_METHOD", "")
        key = (route, method if method in METHODS else "other", status)
        children = _children.get(key)
        if children is None:
            children = _children[key] = (REQUESTS.labels(*key), LATENCY.labels(*key[:2]))
        children[0].inc()
        children[1].observe(seconds)


#: Each (route, method, status)'s counter and histogram, so a request skips ``labels()``'s lookup.
#: Bounded: routes are the app's rules, methods a fixed set, statuses HTTP's.
_children: dict[tuple[str, str, str], tuple[Any, Any]] = {}


def _note_route(sender: Flask, **_extra: Any) -> None:
    rule = request.url_rule
    request.environ[ROUTE_KEY] = rule.rule if rule is not None else UNMATCHED


# -- the job queue, read at scrape time -----------------------------------------------

class QueueCollector:
    """The job queue's depth, age and dead letters, read from the broker when Prometheus scrapes.

    Every process sees the same broker, so any worker's answer is the whole
    queue's. A broker that does not answer gives no samples (and a warning), not
    a failed scrape: ``/readyz`` is where an unreachable broker is reported.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app

    def describe(self) -> list:
        return []  # collected fresh on every scrape

    def collect(self) -> Iterable[GaugeMetricFamily]:
        stats = queue_stats(self.app)
        if stats is None:
            return
        yield _gauge("discuss_queue_pending", "Jobs waiting to run now.", stats.get("pending"))
        yield _gauge("discuss_queue_scheduled", "Jobs waiting for a later time (retries with backoff, delays).",
                     stats.get("scheduled"))
        yield _gauge("discuss_queue_oldest_pending_seconds", "Age of the oldest job waiting to run (0: none).",
                     stats.get("oldest_pending_seconds"))
        yield _gauge("discuss_queue_outbox", "Jobs stored with their write but not yet taken by a worker.",
                     stats.get("outbox"))
        yield _gauge("discuss_queue_dead_letters", "Jobs that failed their last attempt, awaiting an admin.",
                     stats.get("dead_letters"))


def queue_stats(app: Flask) -> dict[str, Any] | None:
    """The queue's figures (:func:`discuss.jobs.queue_stats`), or None without a queue or broker."""
    try:
        from .jobs import queue_stats as read
    except ImportError:
        return None
    try:
        return read(app)
    except Exception as exc:  # noqa: BLE001 - a scrape must not fail on the broker
        log.warning("metrics: could not read the job queue: %s", exc)
        return None


def _gauge(name: str, documentation: str, value: Any) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=float(value or 0))


# -- jobs, where they run --------------------------------------------------------------

_started: dict[str, float] = {}
_counting_jobs = False


def count_jobs() -> None:
    """Count and time every job attempt this process runs, from Huey's signals (once per process)."""
    global _counting_jobs
    if _counting_jobs:
        return
    try:
        from huey import signals

        from .jobs import huey
    except ImportError:
        return
    _counting_jobs = True

    def started(_signal: str, task: Any, *_args: Any) -> None:
        _started[task.id] = time.perf_counter()

    def finished(signal: str, task: Any, *_args: Any) -> None:
        began = _started.pop(task.id, None)
        name = f"{type(task).__module__}.{task.name}"  # as discuss.jobs names it: module.function
        JOB_RUNS.labels(name, "ok" if signal == signals.SIGNAL_COMPLETE else "failed").inc()
        if began is not None:
            JOB_DURATION.labels(name).observe(time.perf_counter() - began)

    huey.signal(signals.SIGNAL_EXECUTING)(started)
    huey.signal(signals.SIGNAL_COMPLETE, signals.SIGNAL_ERROR, signals.SIGNAL_CANCELED,
                signals.SIGNAL_TIMEOUT)(finished)


def serve_worker_metrics(app: Flask) -> Any:
    """Serve this process's metrics (jobs run, the queue) on ``WORKER_METRICS_PORT``; 0 serves none.

    The job worker has no web server of its own; this is prometheus_client's small
    one, on a thread. Reach it only from the internal network (the compose file
    does not publish it). Returns the server, or None.
    """
    port = int(app.config["WORKER_METRICS_PORT"])
    if not port:
        return None
    from prometheus_client import start_http_server

    server, _thread = start_http_server(port, registry=_registry(app))
    log.info("worker metrics on port %d", port)
    return server


# -- serving /metrics -----------------------------------------------------------------

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics():
    """Every metric, in Prometheus's text format, for the allowed scrapers only."""
    if not allowed_scraper(current_app.config, request.remote_addr or "", request.headers.get("Authorization", "")):
        abort(404)  # as if there were nothing here
    return Response(exposition(current_app._get_current_object()), 200,
                    {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


def exposition(app: Flask) -> bytes:
    """The text Prometheus scrapes: every worker's samples (or this process's) and the queue's."""
    return generate_latest(_registry(app))


def _registry(app: Flask) -> CollectorRegistry:
    registry = CollectorRegistry()
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(QueueCollector(app))
    return registry


class _ThisProcess:
    """The default registry (our metrics, and the process's own), inside a registry of one scrape."""

    def describe(self) -> list:
        return []

    def collect(self) -> Iterable:
        return REGISTRY.collect()


def allowed_scraper(config: Any, address: str, authorization: str) -> bool:
    """Whether a request from ``address`` with this ``Authorization`` header may read the metrics:
    the bearer of ``METRICS_TOKEN`` (when one is set), or any address in ``METRICS_NETWORKS``."""
    token = config.get("METRICS_TOKEN") or ""
    scheme, _, offered = authorization.partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(offered.strip().encode(), token.encode()):
        return True
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    peer = getattr(peer, "ipv4_mapped", None) or peer
    return any(peer in network for network in config["METRICS_NETWORKS_PARSED"])


# -- wiring -----------------------------------------------------------------------------

#: A token shorter than this is refused at start-up: it guards what the service is doing.
MIN_TOKEN_LENGTH = 16


def init_app(app: Flask) -> None:
    """Serve ``/metrics``, note each request's route, and measure every request (outermost)."""
    from .clients import parse_networks

    token = app.config["METRICS_TOKEN"]
    if token and len(token) < MIN_TOKEN_LENGTH:
        raise RuntimeError(f"DISCUSS_METRICS_TOKEN: use at least {MIN_TOKEN_LENGTH} random characters")
    try:
        app.config["METRICS_NETWORKS_PARSED"] = parse_networks(app.config["METRICS_NETWORKS"])
    except ValueError as exc:
        raise RuntimeError(f"DISCUSS_METRICS_NETWORKS: {exc}") from exc
    app.register_blueprint(bp)
    request_started.connect(_note_route, app)
    app.wsgi_app = MeasureRequests(app.wsgi_app)
    count_jobs()


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn's ``child_exit`` hook: drop a dead worker's live samples (multiprocess mode).

    In deploy/gunicorn.conf.py: ``from discuss.metrics import child_exit``.
    """
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
