"""What metrics and request ids cost a request: CPU time per request with and without them.

One run, in one process, on a SQLite database in a temporary folder: a replayed
thread read (the cheapest request there is, answered before Flask) and a
``/healthz`` through Flask, each called through the whole WSGI stack
(RequestIds -> MeasureRequests -> ReplayReads -> ...) and through the stack
under those two (the baseline), rounds interleaved. CPU time
(``time.process_time``), not wall clock, so other load on the machine matters
less. Prints microseconds per request and the ratio; run it with and without
``PROMETHEUS_MULTIPROC_DIR`` (a fresh empty folder) to see both modes.

    .venv/bin/python bench/bench_observability.py [--requests 20000] [--rounds 5]
    PROMETHEUS_MULTIPROC_DIR=$(mktemp -d) .venv/bin/python bench/bench_observability.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from flask_migrate import upgrade
    from werkzeug.test import EnvironBuilder

    from discuss import create_app
    from discuss.extensions import db
    from discuss.models import Site

    folder = tempfile.mkdtemp(prefix="discuss-bench-obs-")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/discuss.db", "TESTING": True, "SECRET_KEY": "s" * 40,
                      "RATELIMIT_ENABLED": False, "LOAD_ENTRY_POINTS": False, "QUEUE_URL": f"sqlite:///{folder}/q.db",
                      "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade()
        db.session.add(Site(slug="council", name="Council", allowed_origins=["*"], moderation={}))
        db.session.commit()
    client = app.test_client()
    thread = "/api/v1/sites/council/threads/blog/post"
    assert client.post(thread + "/comments", json={"author_name": "R", "body": "hello"}).status_code in (201, 202)
    client.get(thread)  # kept whole: the next reads are replayed

    whole = app.wsgi_app                      # RequestIds(MeasureRequests(ReplayReads(...)))
    inner = whole.wsgi_app.wsgi_app           # ReplayReads(...): the same stack without the two
    assert type(whole).__name__ == "RequestIds" and type(whole.wsgi_app).__name__ == "MeasureRequests"

    def environ(path: str) -> dict:
        return EnvironBuilder(path=path, base_url="http://localhost").get_environ()

    def start_response(status, headers, exc_info=None):
        return None

    def cpu_per_request(stack, path: str) -> float:
        template = environ(path)
        started = time.process_time()
        for _ in range(args.requests):
            body = stack(dict(template), start_response)
            for _chunk in body:
                pass
            if hasattr(body, "close"):
                body.close()
        return (time.process_time() - started) / args.requests * 1e6

    mode = "multiprocess" if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else "single process"
    print(f"metrics: {mode}; {args.requests} requests x {args.rounds} rounds; load {os.getloadavg()[0]:.1f}")
    for label, path in (("replayed thread read", thread), ("/healthz through Flask", "/healthz")):
        bare, full = [], []
        for _ in range(args.rounds):
            bare.append(cpu_per_request(inner, path))
            full.append(cpu_per_request(whole, path))
        b, f = statistics.median(bare), statistics.median(full)
        print(f"{label:24s} without {b:7.1f} us   with {f:7.1f} us   +{f - b:5.1f} us ({f / b:.2f}x)")


if __name__ == "__main__":
    main()
