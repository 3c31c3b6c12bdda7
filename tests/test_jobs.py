"""The job queue (discuss/jobs.py) on its real storages: SQLite (embedded) and Redis."""

from __future__ import annotations

import json
import os
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import current_app, has_app_context

from discuss import jobs, requestid
from discuss.extensions import db
from discuss.models import DeadJob, JobOutbox, Site, utcnow
from discuss.testing import run_jobs
from discuss.transactions import writing

#: What the jobs below saw, in the order they ran.
SEEN: list[dict] = []


@pytest.fixture(autouse=True)
def _forget():
    SEEN.clear()
    yield
    SEEN.clear()


@jobs.job()
def note(text: str, *, extra: str = "") -> None:
    SEEN.append({"text": text, "extra": extra, "request_id": requestid.current(),
                 "app_context": has_app_context(), "queue_url": current_app.config["QUEUE_URL"],
                 "sites": db.session.execute(sa.select(sa.func.count()).select_from(Site)).scalar_one()})


@jobs.job(retries=2, retry_delay=10, backoff=True)
def always_fails(text: str) -> None:
    SEEN.append({"text": text})
    raise RuntimeError(f"cannot do {text}")


@jobs.job(retries=5, retry_delay=1)
def refuses(text: str) -> None:
    SEEN.append({"text": text})
    raise jobs.GiveUp(f"{text} is refused")


def add_site(slug: str) -> None:
    db.session.add(Site(slug=slug, name=slug, allowed_origins=[], moderation={}))


def test_calling_a_job_enqueues_it_and_a_worker_runs_it_later(app):
    note("hello")
    assert SEEN == []
    assert jobs.queue_stats(app)["pending"] == 1
    ran = run_jobs(app)
    assert [entry["task"] for entry in ran] == [f"{__name__}.note"]
    assert ran[0]["ok"] and ran[0]["args"] == ["hello"]
    assert SEEN[0]["text"] == "hello" and SEEN[0]["app_context"]
    assert SEEN[0]["queue_url"] == app.config["QUEUE_URL"]
    assert jobs.queue_stats(app)["pending"] == 0
    assert run_jobs(app) == []


def test_a_job_runs_under_the_request_id_it_was_enqueued_with(app):
    with requestid.bound("req-0123456789"):
        note("one")
    note("two")
    run_jobs(app)
    assert SEEN[0]["request_id"] == "req-0123456789"
    assert SEEN[1]["request_id"] and SEEN[1]["request_id"] != "req-0123456789"


def test_enqueue_after_commit_waits_for_the_commit(app):
    with writing():
        add_site("after-commit")
        jobs.enqueue_after_commit(note, "committed", extra="x")
        db.session.flush()
        assert jobs.queue_stats(app)["pending"] == 0
    assert jobs.queue_stats(app)["pending"] == 1
    run_jobs(app)
    assert SEEN == [dict(SEEN[0], text="committed", extra="x", sites=1)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobOutbox)) == 0


def test_a_rolled_back_write_enqueues_nothing(app):
    with pytest.raises(ZeroDivisionError):
        with writing():
            add_site("rolled-back")
            jobs.enqueue_after_commit(note, "never")
            1 / 0
    assert jobs.queue_stats(app)["pending"] == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobOutbox)) == 0
    with writing():  # the next commit does not pick up the discarded job either
        add_site("next")
    assert run_jobs(app) == []


def test_outside_a_write_the_job_is_enqueued_at_once_with_its_outbox_row(app):
    db.session.execute(sa.select(Site)).all()  # a read transaction only
    jobs.enqueue_after_commit(note, "now")
    assert jobs.queue_stats(app)["pending"] == 1
    assert jobs.queue_stats(app)["outbox"] == 1
    run_jobs(app)
    assert [seen["text"] for seen in SEEN] == ["now"]
    assert jobs.queue_stats(app)["outbox"] == 0


def test_queue_down_at_commit_keeps_the_write_and_the_sweep_delivers_it_once(database_url, tmp_path):
    from tests.conftest import make_app

    down = make_app(database_url, QUEUE_URL="redis://127.0.0.1:1/0")
    with down.app_context():
        with writing():
            add_site("queue-down")
            jobs.enqueue_after_commit(note, "kept")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Site)) == 1  # the write stands
        assert db.session.scalar(sa.select(sa.func.count()).select_from(JobOutbox)) == 1
        db.session.remove()
    up = make_app(database_url, QUEUE_URL="sqlite:///" + str(tmp_path / "up.db"))
    try:
        with up.app_context():
            assert jobs.sweep_outbox(up) == 0  # within the grace period: a worker may still have it
            assert jobs.sweep_outbox(up, older_than=0) == 1
            assert jobs.sweep_outbox(up, older_than=0) == 1  # still unclaimed: pushed again
            ran = run_jobs(up)
            assert len(ran) == 2 and [seen["text"] for seen in SEEN] == ["kept"]  # the second copy is skipped
            assert jobs.queue_stats(up)["outbox"] == 0
    finally:
        with up.app_context():
            db.session.execute(sa.delete(Site))
            db.session.commit()
            db.engine.dispose()


def test_retries_back_off_and_the_last_failure_is_a_dead_letter(app):
    with requestid.bound("req-dead-letter"):
        always_fails("the thing")
    assert len(run_jobs(app)) == 1  # the first attempt; the retry waits 10 s
    stats = jobs.queue_stats(app)
    assert stats["scheduled"] == 1 and stats["dead_letters"] == 0
    ran = run_jobs(app, now=utcnow() + timedelta(hours=1))
    assert len(ran) == 2 and not any(entry["ok"] for entry in ran)
    assert len(SEEN) == 3
    dead = db.session.execute(sa.select(DeadJob)).scalar_one()
    assert dead.task == f"{__name__}.always_fails" and dead.args == ["the thing"]
    assert dead.attempts == 3 and dead.error == "RuntimeError: cannot do the thing"
    assert dead.request_id == "req-dead-letter"
    assert jobs.queue_stats(app) | {"oldest_pending_seconds": 0} == {
        "pending": 0, "scheduled": 0, "oldest_pending_seconds": 0, "dead_letters": 1, "outbox": 0}


def test_the_backoff_doubles_the_delay(app):
    always_fails("x")
    run_jobs(app)
    with app.app_context():
        (retry,) = jobs.huey.scheduled()
    assert retry.retry_delay == 20  # the next retry waits twice the first delay
    assert retry.retries == 1


def test_give_up_is_a_dead_letter_at_once(app):
    refuses("that")
    ran = run_jobs(app, now=utcnow() + timedelta(hours=1))
    assert len(ran) == 1 and not ran[0]["ok"]
    dead = db.session.execute(sa.select(DeadJob)).scalar_one()
    assert dead.attempts == 1 and dead.error == "GiveUp: that is refused"


def test_a_dead_letter_is_replayed_once(app):
    always_fails("again")
    run_jobs(app, now=utcnow() + timedelta(hours=1))
    dead_id = db.session.execute(sa.select(DeadJob.id)).scalar_one()
    with writing():
        assert jobs.replay_dead_letter(dead_id)
    assert jobs.queue_stats(app)["dead_letters"] == 0
    SEEN.clear()
    run_jobs(app, now=utcnow() + timedelta(hours=1))
    assert [seen["text"] for seen in SEEN] == ["again"] * 3
    assert jobs.queue_stats(app)["dead_letters"] == 1
    with writing():
        assert not jobs.replay_dead_letter(dead_id + 1000)


def enqueue_an_old_and_a_new_job(monkeypatch) -> None:
    import time

    real = time.time
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: real() - 600)  # enqueued ten minutes ago
        note("old")
    note("new")


def test_queue_stats_reports_the_age_of_the_next_job_to_run(app, monkeypatch):
    assert jobs.queue_stats(app)["oldest_pending_seconds"] == 0
    enqueue_an_old_and_a_new_job(monkeypatch)
    stats = jobs.queue_stats(app)
    assert stats["pending"] == 2 and 599 <= stats["oldest_pending_seconds"] < 3600
    assert set(stats) == {"pending", "scheduled", "oldest_pending_seconds", "dead_letters", "outbox"}


@jobs.periodic(300)
def every_five_minutes() -> None:
    SEEN.append({"text": "periodic", "request_id": requestid.current()})


def test_periodic_jobs_run_when_due(app):
    from datetime import datetime

    ran = run_jobs(app, now=datetime(2026, 1, 1, 12, 5), periodic=True)
    assert f"{__name__}.every_five_minutes" in {entry["task"] for entry in ran}
    assert SEEN[-1]["text"] == "periodic" and SEEN[-1]["request_id"]
    SEEN.clear()
    ran = run_jobs(app, now=datetime(2026, 1, 1, 12, 6), periodic=True)
    assert f"{__name__}.every_five_minutes" not in {entry["task"] for entry in ran}


@pytest.mark.parametrize("seconds", [30, 90, 7 * 60, 5 * 3600, 2 * 86400])
def test_periodic_refuses_a_period_the_scheduler_cannot_keep(seconds):
    with pytest.raises(ValueError, match="periodic"):
        jobs.periodic(seconds)


def test_periodic_in_seconds_is_a_crontab():
    from datetime import datetime

    hourly = jobs._every(3600)
    assert hourly(datetime(2026, 1, 1, 13, 0)) and not hourly(datetime(2026, 1, 1, 13, 5))
    assert jobs._every(600)(datetime(2026, 1, 1, 13, 50)) and not jobs._every(600)(datetime(2026, 1, 1, 13, 55))


def test_a_bad_queue_url_stops_start_up(database_url):
    from tests.conftest import make_app

    with pytest.raises(RuntimeError, match="DISCUSS_QUEUE_URL"):
        make_app(database_url, QUEUE_URL="amqp://rabbit/")


def test_readyz_names_an_unreachable_queue_broker(database_url):
    from tests.conftest import make_app

    app = make_app(database_url, QUEUE_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["failing"] == ["redis:QUEUE_URL"]
    with app.app_context():
        db.engine.dispose()


REDIS_URL = os.environ.get("DISCUSS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class TestRedisStorage:
    @pytest.fixture
    def app_config(self):
        return {"QUEUE_URL": REDIS_URL, "QUEUE_NAME": f"discuss-test-{uuid.uuid4().hex}"}

    @pytest.fixture(autouse=True)
    def _redis(self, app_config):
        redis = pytest.importorskip("redis")
        client = redis.Redis.from_url(REDIS_URL)
        try:
            client.ping()
        except redis.ConnectionError:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail("Redis is unreachable in CI")
            pytest.skip("Redis is not running")
        yield
        for key in client.scan_iter(f"huey.*{app_config['QUEUE_NAME']}*"):
            client.delete(key)

    def test_jobs_go_through_redis(self, app):
        with requestid.bound("req-through-redis"):
            with writing():
                add_site("redis")
                jobs.enqueue_after_commit(note, "via redis")
        stats = jobs.queue_stats(app)
        assert stats["pending"] == 1
        assert run_jobs(app)[0]["ok"]
        assert SEEN[0]["text"] == "via redis" and SEEN[0]["request_id"] == "req-through-redis"

    def test_the_oldest_pending_job_is_the_next_to_run(self, app, monkeypatch):
        enqueue_an_old_and_a_new_job(monkeypatch)
        assert 599 <= jobs.queue_stats(app)["oldest_pending_seconds"] < 3600
        run_jobs(app)
        assert [seen["text"] for seen in SEEN] == ["old", "new"]

    def test_retries_are_scheduled_in_redis(self, app):
        always_fails("in redis")
        run_jobs(app)
        assert jobs.queue_stats(app)["scheduled"] == 1
        run_jobs(app, now=utcnow() + timedelta(hours=1))
        assert jobs.queue_stats(app)["dead_letters"] == 1

    def test_readyz_checks_the_queue_broker(self, client):
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json["checks"]["redis:QUEUE_URL"]["ok"]


def test_a_write_transaction_with_nothing_added_yet_still_waits_for_its_commit(app):
    with writing():  # BEGIN IMMEDIATE on SQLite: an outbox row on another connection would wait for this lock
        jobs.enqueue_after_commit(note, "early")
        assert jobs.queue_stats(app)["pending"] == 0
        add_site("late")
    assert jobs.queue_stats(app)["pending"] == 1


FLAKY: dict[str, int] = {}


@jobs.job(retries=1)
def flaky(key: str) -> None:
    FLAKY[key] = FLAKY.get(key, 0) + 1
    SEEN.append({"text": key, "attempt": FLAKY[key]})
    if FLAKY[key] == 1:
        raise RuntimeError("first attempt fails")


@jobs.job()
def cut_short(key: str) -> None:
    FLAKY[key] = FLAKY.get(key, 0) + 1
    SEEN.append({"text": key, "attempt": FLAKY[key]})
    if FLAKY[key] == 1:
        raise KeyboardInterrupt  # what a worker's shutdown does to the job in hand


def test_a_retry_of_a_job_enqueued_after_commit_runs_although_its_outbox_row_is_claimed(app):
    with writing():
        add_site("flaky")
        jobs.enqueue_after_commit(flaky, "retry-me")
    run_jobs(app)
    assert [seen["attempt"] for seen in SEEN] == [1, 2]
    assert jobs.queue_stats(app)["dead_letters"] == 0


def test_a_job_interrupted_by_shutdown_is_queued_again(app):
    with writing():
        add_site("interrupted")
        jobs.enqueue_after_commit(cut_short, "again")
    ran = run_jobs(app)
    assert [seen["attempt"] for seen in SEEN] == [1, 2]
    assert len(ran) == 2 and jobs.queue_stats(app) | {"oldest_pending_seconds": 0} == {
        "pending": 0, "scheduled": 0, "oldest_pending_seconds": 0, "dead_letters": 0, "outbox": 0}


def test_dead_letters_go_with_the_retention_period(app):
    from discuss import privacy

    always_fails("kept a while")
    run_jobs(app, now=utcnow() + timedelta(hours=1))
    assert privacy.purge(days=30).dead_letters == 0
    db.session.execute(sa.update(DeadJob).values(failed_at=utcnow() - timedelta(days=31)))
    db.session.commit()
    assert privacy.purge(days=30).dead_letters == 1
    assert jobs.queue_stats(app)["dead_letters"] == 0


def test_a_job_enqueued_in_a_rolled_back_savepoint_does_not_run(app):
    with writing():
        add_site("kept")
        try:
            with db.session.begin_nested():
                add_site("undone")
                jobs.enqueue_after_commit(note, "undone")
                db.session.flush()
                raise LookupError
        except LookupError:
            pass
        jobs.enqueue_after_commit(note, "kept")
    run_jobs(app)
    assert [seen["text"] for seen in SEEN] == ["kept"]  # the undone one's outbox row went with its savepoint
    assert jobs.queue_stats(app)["outbox"] == 0


def test_a_released_savepoint_is_not_the_commit(app):
    with writing():
        add_site("outer")
        jobs.enqueue_after_commit(note, "before the savepoint")
        with db.session.begin_nested():
            add_site("inner")
            jobs.enqueue_after_commit(note, "in the savepoint")
        assert jobs.queue_stats(app)["pending"] == 0  # released, not committed
        try:
            with db.session.begin_nested():
                add_site("undone")
                raise LookupError
        except LookupError:
            pass
        assert jobs.queue_stats(app)["pending"] == 0
        jobs.enqueue_after_commit(note, "after the savepoints")
    assert jobs.queue_stats(app)["pending"] == 3
    run_jobs(app)
    assert [seen["text"] for seen in SEEN] == ["before the savepoint", "in the savepoint", "after the savepoints"]


def test_a_statement_that_writes_makes_the_transaction_a_write(app):
    add_site("statement")
    db.session.commit()
    db.session.execute(sa.update(Site).values(name="Renamed"))  # no writing(), no flush: a bare UPDATE
    jobs.enqueue_after_commit(note, "after the update")
    assert jobs.queue_stats(app)["pending"] == 0
    db.session.commit()
    assert jobs.queue_stats(app)["pending"] == 1


def test_plugin_authors_run_their_jobs_on_the_kits_app(discuss_app, tmp_path):
    """discuss.testing's discuss_app keeps its queue beside its throwaway database."""
    assert discuss_app.config["QUEUE_URL"].startswith("sqlite:///" + str(tmp_path))
    note("from a plugin's test")
    assert [entry["ok"] for entry in run_jobs(discuss_app)] == [True]
    assert SEEN[0]["text"] == "from a plugin's test"


def test_the_jobs_command_shows_figures_lists_dead_letters_and_replays_one(app, runner):
    from discuss.jobs_cli import jobs_group

    always_fails("by hand")
    run_jobs(app, now=utcnow() + timedelta(hours=1))
    figures = json.loads(runner.invoke(jobs_group, ["stats"]).output)
    assert figures["dead_letters"] == 1 and figures["pending"] == 0
    listed = runner.invoke(jobs_group, ["dead"]).output
    dead_id = db.session.execute(sa.select(DeadJob.id)).scalar_one()
    assert f"{dead_id}\t" in listed and "always_fails\t3 attempt(s)\tRuntimeError: cannot do by hand" in listed
    result = runner.invoke(jobs_group, ["replay", str(dead_id)])
    assert result.exit_code == 0 and "queued again" in result.output
    assert json.loads(runner.invoke(jobs_group, ["stats"]).output)["pending"] == 1
    missing = runner.invoke(jobs_group, ["replay", str(dead_id)])
    assert missing.exit_code == 1 and f"no dead letter {dead_id}" in missing.output
    assert runner.invoke(jobs_group, ["replay", "0"]).exit_code == 2  # not an id: a usage error
