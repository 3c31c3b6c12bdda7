"""Prometheus metrics at /metrics (discuss/metrics.py): what is counted, from where, and who may read it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from discuss import Verdict, hookimpl, jobs, metrics
from discuss.testing import run_jobs
from tests.conftest import make_app
from tests.helpers import THREAD_URL, post
from tests.reviewing import held, holding  # noqa: F401 (holding: a fixture)
from tests.servers import free_port
from tests.test_page_cache import listening

THREAD_RULE = "/api/v1/sites/<site>/threads/<path:key>"


def value(name: str, **labels) -> float:
    """A sample of this process's registry (0 when it has not been recorded yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scraped(text: str) -> dict[tuple[str, tuple], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def test_requests_are_counted_by_rule_and_status_never_by_path(client, site):
    before = value("discuss_http_requests_total", route=THREAD_RULE, method="GET", status="200")
    timed = value("discuss_http_request_duration_seconds_count", route=THREAD_RULE, method="GET")
    assert client.get(THREAD_URL).status_code == 200
    assert client.get("/api/v1/sites/council/threads/another/page/entirely").status_code == 200
    assert value("discuss_http_requests_total", route=THREAD_RULE, method="GET", status="200") == before + 2
    assert value("discuss_http_request_duration_seconds_count", route=THREAD_RULE, method="GET") == timed + 2
    missing = value("discuss_http_requests_total", route="unmatched", method="GET", status="404")
    assert client.get("/no/such/page/4711").status_code == 404
    assert value("discuss_http_requests_total", route="unmatched", method="GET", status="404") == missing + 1
    labels = {value for (_, pairs) in scraped(client.get("/metrics").get_data(as_text=True))
              for _, value in pairs}
    assert not [label for label in labels
                if "blog/post" in label or "4711" in label or "another/page" in label]
    assert THREAD_RULE in labels


def test_an_unknown_method_is_one_label_not_one_per_verb(client):
    before = value("discuss_http_requests_total", route="unmatched", method="other", status="405")
    assert client.open("/healthz", method="BREW").status_code == 405
    assert value("discuss_http_requests_total", route="unmatched", method="other", status="405") == before + 1
    assert "BREW" not in client.get("/metrics").get_data(as_text=True)


def test_a_read_answered_before_flask_is_counted_as_replayed(client, site, app):
    post(client, "first")
    listening(app)
    client.get(THREAD_URL)  # through Flask, kept whole
    before = value("discuss_http_requests_total", route="replay", method="GET", status="200")
    flask_before = value("discuss_http_requests_total", route=THREAD_RULE, method="GET", status="200")
    for _ in range(3):
        assert client.get(THREAD_URL).status_code == 200
    assert value("discuss_http_requests_total", route="replay", method="GET", status="200") == before + 3
    assert value("discuss_http_requests_total", route=THREAD_RULE, method="GET", status="200") == flask_before


def test_comments_are_counted_by_outcome_with_each_plugins_time(client, site, holding):
    published = value("discuss_comments_total", outcome="published")
    waiting = value("discuss_comments_total", outcome="held")
    timed = value("discuss_plugin_screening_seconds_count", plugin="holdword")
    assert post(client, "a fine remark").status_code == 201
    held(client, "please hold this")
    assert value("discuss_comments_total", outcome="published") == published + 1
    assert value("discuss_comments_total", outcome="held") == waiting + 1
    assert value("discuss_plugin_screening_seconds_count", plugin="holdword") == timed + 2


def test_a_silent_rejection_is_its_own_outcome(client, site, pm):
    class Bot:
        @hookimpl
        def discuss_screen_comment(self, submission):
            return Verdict.reject("a bot", silent=True)

    pm.register(Bot(), name="botcatcher")
    silent = value("discuss_comments_total", outcome="silent")
    rejected = value("discuss_comments_total", outcome="rejected")
    post(client, "buy cheap watches")
    assert value("discuss_comments_total", outcome="silent") == silent + 1
    assert value("discuss_comments_total", outcome="rejected") == rejected


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("app_config", [{"PLUGIN_TIMEOUT": 0.3}], indirect=True)
def test_plugin_errors_and_timeouts_are_counted_apart(client, site, pm):
    class Broken:
        @hookimpl
        def discuss_screen_comment(self, submission):
            raise RuntimeError("boom")

    class Slow:
        @hookimpl
        def discuss_screen_comment(self, submission):
            time.sleep(1.0)

    pm.register(Broken(), name="broken")
    pm.register(Slow(), name="slow")
    errors = value("discuss_plugin_failures_total", plugin="broken", kind="error")
    timeouts = value("discuss_plugin_failures_total", plugin="slow", kind="timeout")
    assert post(client, "anything").status_code == 202  # held: a failing plugin holds
    assert value("discuss_plugin_failures_total", plugin="broken", kind="error") == errors + 1
    assert value("discuss_plugin_failures_total", plugin="slow", kind="timeout") == timeouts + 1
    assert value("discuss_plugin_failures_total", plugin="broken", kind="timeout") == 0


def test_a_database_outage_is_counted_as_503s(tmp_path):
    from discuss.extensions import db

    app = make_app(f"sqlite:///{tmp_path / 'never-migrated.db'}")  # no tables: every query fails
    client = app.test_client()
    before = value("discuss_database_unavailable_total")
    try:
        assert client.get(THREAD_URL).status_code == 503
    finally:
        with app.app_context():
            db.engine.dispose()
    assert value("discuss_database_unavailable_total") == before + 1


# -- who may read /metrics ------------------------------------------------------------

def test_metrics_answer_the_loopback_and_hide_from_anyone_else(client):
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics").headers["Content-Type"].startswith("text/plain")
    outsider = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert outsider.status_code == 404


@pytest.mark.parametrize("app_config", [{"METRICS_TOKEN": "s" * 32, "METRICS_NETWORKS": ["10.1.0.0/16"]}],
                         indirect=True)
def test_metrics_answer_the_token_bearer_and_the_allowed_networks(client):
    far = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=far).status_code == 404
    assert client.get("/metrics", environ_base=far, headers={"Authorization": "Bearer " + "s" * 31}).status_code == 404
    assert client.get("/metrics", environ_base=far, headers={"Authorization": "Bearer " + "s" * 32}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics").status_code == 404  # the loopback is no longer listed


def test_a_short_metrics_token_or_a_bad_network_stops_start_up(database_url):
    with pytest.raises(RuntimeError, match="DISCUSS_METRICS_TOKEN"):
        make_app(database_url, METRICS_TOKEN="short")
    with pytest.raises(RuntimeError, match="DISCUSS_METRICS_NETWORKS"):
        make_app(database_url, METRICS_NETWORKS=["not-a-network"])


def test_the_failure_kind_follows_what_screening_records():
    from discuss.moderation import PLUGIN_ERROR

    assert metrics.failure_kind(Verdict.hold(PLUGIN_ERROR, error="timed out after 2s")) == "timeout"
    assert metrics.failure_kind(Verdict.hold(PLUGIN_ERROR, error="took 2.31s, over its 2s budget")) == "timeout"
    assert metrics.failure_kind(Verdict.hold(PLUGIN_ERROR, error="raised ValueError: x")) == "error"
    assert metrics.failure_kind(Verdict.hold("asked to be held")) is None


# -- several gunicorn workers: multiprocess mode ------------------------------------------

def _wait_until_up(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 40
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_metrics_add_up_every_gunicorn_workers_requests(database_url, site, tmp_path):
    """Two workers, PROMETHEUS_MULTIPROC_DIR set: /metrics, whichever worker answers it,
    counts every request either worker served."""
    from tests.test_page_cache import _builtin_plugins

    port = free_port()
    shared = tmp_path / "prometheus"
    shared.mkdir()
    env = {**os.environ, "DISCUSS_DATABASE_URL": database_url, "DISCUSS_SECRET_KEY": "x" * 48,
           "DISCUSS_IP_HASH_KEY": "y" * 48, "DISCUSS_RATELIMIT_ENABLED": "false",
           "DISCUSS_LOAD_ENTRY_POINTS": "false", "DISCUSS_DISABLED_PLUGINS": json.dumps(_builtin_plugins()),
           "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    config = tmp_path / "gunicorn_conf.py"
    config.write_text("from discuss.metrics import child_exit  # noqa: F401\n")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(config), "-w", "2",
                             "-b", f"127.0.0.1:{port}", "wsgi:app"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc)
        for n in range(6):
            request = urllib.request.Request(base + THREAD_URL + "/comments", method="POST",
                                             data=json.dumps({"author_name": "R", "body": f"reply {n}"}).encode(),
                                             headers={"Content-Type": "application/json"})
            urllib.request.urlopen(request, timeout=20).read()
        # /readyz: only this loop asks it (the wait above asked /healthz, perhaps more than once).
        readyz = ("discuss_http_requests_total", (("method", "GET"), ("route", "/readyz"), ("status", "200")))
        sent = 0
        deadline = time.monotonic() + 60
        while True:  # until both workers are up and have served some (a worker boots in seconds here)
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda _: urllib.request.urlopen(base + "/readyz", timeout=20).read(), range(20)))
            sent += 20
            served = _per_worker(shared, readyz, exclude=proc.pid)
            if len([count for count in served.values() if count]) == 2 or time.monotonic() > deadline:
                break
        assert len([count for count in served.values() if count]) == 2, served
        assert sum(served.values()) == sent
        for _ in range(6):  # every scrape, whichever worker answers, adds up both workers' files
            samples = scraped(urllib.request.urlopen(base + "/metrics", timeout=10).read().decode())
            assert samples[("discuss_comments_total", (("outcome", "published"),))] == 6
            assert samples[("discuss_http_request_duration_seconds_count",
                            (("method", "POST"), ("route", THREAD_RULE + "/comments")))] == 6
            assert samples[readyz] == sent
    finally:
        proc.terminate()
        proc.wait(15)


def _per_worker(shared, sample, exclude: int) -> dict[str, float]:
    """What each worker's own files hold of ``sample`` (copied apart and read one worker at a time);
    not the ``exclude`` process's (gunicorn's master, which imported discuss.metrics for the hook)."""
    import shutil

    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    found = {}
    for pid in {path.stem.rsplit("_", 1)[-1] for path in shared.glob("*.db")} - {str(exclude)}:
        alone = shared.parent / f"worker-{pid}"
        shutil.rmtree(alone, ignore_errors=True)
        alone.mkdir()
        for path in shared.glob(f"*_{pid}.db"):
            shutil.copy(path, alone / path.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        found[pid] = scraped(generate_latest(registry).decode()).get(sample, 0.0)
    return found


# -- the job queue ------------------------------------------------------------------------

@jobs.job()
def chore(text: str) -> None:
    pass


@jobs.job()
def fails(text: str) -> None:
    raise RuntimeError(f"cannot {text}")


def test_queue_depth_outbox_and_dead_letters_are_read_at_scrape_time(client, app):
    def queue() -> dict:
        samples = scraped(client.get("/metrics").get_data(as_text=True))
        return {name: samples[(name, ())] for name in metrics.QUEUE_FAMILIES}

    assert queue() == {name: 0 for name in metrics.QUEUE_FAMILIES}
    chore("sweep")
    chore("mop")
    waiting = queue()
    assert waiting["discuss_queue_pending"] == 2
    assert waiting["discuss_queue_oldest_pending_seconds"] >= 0
    fails("always")
    run_jobs(app)
    assert queue() == {**{name: 0 for name in metrics.QUEUE_FAMILIES}, "discuss_queue_dead_letters": 1}


def test_the_oldest_pending_job_ages(client, app):
    chore("later")
    first = scraped(client.get("/metrics").get_data(as_text=True))[("discuss_queue_oldest_pending_seconds", ())]
    time.sleep(0.2)
    second = scraped(client.get("/metrics").get_data(as_text=True))[("discuss_queue_oldest_pending_seconds", ())]
    assert second >= first + 0.15


def test_job_attempts_are_counted_and_timed_where_they_run(app):
    name = f"{__name__}.chore"
    ok = value("discuss_job_runs_total", task=name, outcome="ok")
    failed = value("discuss_job_runs_total", task=f"{__name__}.fails", outcome="failed")
    timed = value("discuss_job_duration_seconds_count", task=name)
    chore("dust")
    fails("again")
    run_jobs(app)
    assert value("discuss_job_runs_total", task=name, outcome="ok") == ok + 1
    assert value("discuss_job_duration_seconds_count", task=name) == timed + 1
    assert value("discuss_job_runs_total", task=f"{__name__}.fails", outcome="failed") == failed + 1


def test_a_broken_queue_leaves_the_scrape_working(client, app):
    kept = app.config["QUEUE_URL"]
    app.config["QUEUE_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        response = client.get("/metrics")
    finally:
        app.config["QUEUE_URL"] = kept
    assert response.status_code == 200
    assert "discuss_queue_pending" not in response.get_data(as_text=True)
    assert "discuss_http_requests_total" in response.get_data(as_text=True)


def test_the_worker_serves_its_metrics_on_its_own_port(database_url, tmp_path):
    app = make_app(database_url, WORKER_METRICS_PORT=free_port(), QUEUE_URL=f"sqlite:///{tmp_path / 'q.db'}")
    server = metrics.serve_worker_metrics(app)
    try:
        port = app.config["WORKER_METRICS_PORT"]
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert "discuss_queue_pending 0.0" in text
    assert metrics.serve_worker_metrics(make_app(database_url)) is None  # port 0: none


def test_a_failure_to_record_never_reaches_the_client(client, site, monkeypatch):
    """A full metrics directory (say) must not turn a stored comment into an error."""

    def broken(*_args, **_kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(metrics.MeasureRequests, "record", broken)
    monkeypatch.setattr(metrics.COMMENTS, "labels", broken)
    response = post(client, "stored whatever the metrics say")
    assert response.status_code == 201
