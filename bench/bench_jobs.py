"""Job-queue benchmark: what enqueueing a job after a commit costs a write, and a worker's run per job.

In one process, on a throwaway SQLite database (and PostgreSQL when ``--postgres URL``
or ``DISCUSS_TEST_DATABASE_URL`` is given), times ``--writes`` write transactions that
change one row:

- baseline: the write alone;
- with a job: the same write plus ``enqueue_after_commit`` of a no-op job (the
  outbox row in the transaction, the push to the queue after the commit), on the
  embedded SQLite queue and, when ``--redis URL`` / ``DISCUSS_TEST_REDIS_URL``
  answers, on Redis;
- the worker side: ``run_jobs`` running those jobs (claim, app context, the job).

Prints CPU time of this process (``time.process_time``; the queue's own server,
Redis, is not counted) and wall time per write, and the ratio to the baseline
measured in the same run.

    .venv/bin/python bench/bench_jobs.py [--writes 500] [--postgres URL] [--redis URL]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from discuss import jobs  # noqa: E402


@jobs.job()
def nothing(n: int) -> None:
    """A job that does nothing: what is measured is the queue."""


def _app(database_url: str, queue_url: str):
    from discuss import create_app

    return create_app({"DATABASE_URL": database_url, "QUEUE_URL": queue_url, "TESTING": True,
                       "QUEUE_NAME": f"bench-{uuid.uuid4().hex}", "LOAD_ENTRY_POINTS": False,
                       "THREAD_PAGE_CACHE": False, "SECRET_KEY": "bench"})


def _writes(app, writes: int, enqueue: bool) -> tuple[float, float]:
    import sqlalchemy as sa

    from discuss.extensions import db
    from discuss.models import Site
    from discuss.transactions import writing

    with app.app_context():
        site_id = db.session.execute(sa.select(Site.id).limit(1)).scalar_one()
        cpu, wall = time.process_time(), time.perf_counter()
        for n in range(writes):
            with writing():
                db.session.execute(sa.update(Site).where(Site.id == site_id).values(name=f"Council {n}"))
                if enqueue:
                    jobs.enqueue_after_commit(nothing, n)
        return (time.process_time() - cpu) / writes, (time.perf_counter() - wall) / writes


def run(database_url: str, queues: dict[str, str], writes: int) -> None:
    from discuss.extensions import db
    from discuss.models import Site
    from discuss.testing import run_jobs

    label = database_url.split(":", 1)[0]
    for name, queue_url in queues.items():
        app = _app(database_url, queue_url)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            db.session.add(Site(slug=f"bench-{uuid.uuid4().hex[:8]}", name="Bench", allowed_origins=[],
                                moderation={}))
            db.session.commit()
        _writes(app, 20, enqueue=True)  # warm up: connections, the queue's tables
        run_jobs(app)
        base_cpu, base_wall = _writes(app, writes, enqueue=False)
        job_cpu, job_wall = _writes(app, writes, enqueue=True)
        cpu = time.process_time()
        ran = run_jobs(app)
        run_cpu = (time.process_time() - cpu) / max(1, len(ran))
        assert len(ran) == writes and all(entry["ok"] for entry in ran), "every job ran once"
        print(f"{label:10} queue={name:7} write alone {base_cpu * 1e3:6.2f} ms CPU ({base_wall * 1e3:6.2f} ms wall); "
              f"with a job {job_cpu * 1e3:6.2f} ms CPU ({job_wall * 1e3:6.2f} ms wall), "
              f"x{job_cpu / base_cpu:.2f} CPU; worker {run_cpu * 1e3:5.2f} ms CPU per job")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--postgres", default=os.environ.get("DISCUSS_TEST_DATABASE_URL", ""))
    parser.add_argument("--redis", default=os.environ.get("DISCUSS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="discuss-bench-jobs-"))
    queues = {"sqlite": f"sqlite:///{folder}/queue.db"}
    try:
        import redis

        redis.Redis.from_url(args.redis, socket_connect_timeout=0.5).ping()
        queues["redis"] = args.redis
    except Exception as exc:  # noqa: BLE001
        print(f"(Redis at {args.redis} does not answer: {type(exc).__name__}; SQLite queue only)")
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}; {args.writes} writes each")
    run(f"sqlite:///{folder}/bench.db", queues, args.writes)
    if args.postgres:
        import sqlalchemy as sa

        base = sa.engine.make_url(args.postgres)
        name = f"discuss_bench_jobs_{os.getpid()}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            run(base.set(database=name).render_as_string(hide_password=False), queues, args.writes)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
