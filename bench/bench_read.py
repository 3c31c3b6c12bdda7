"""Read-path benchmark: a 200-comment thread served by gunicorn (2 workers).

In the same run, a bare Flask endpoint returning the same 200 rows from sqlite3
as JSON is served by the same gunicorn settings; both are loaded with the same
client, one after the other, and the ratio ours / baseline is printed. Also
prints the median latency of posting a 500-word comment through the full
screened write path.

    .venv/bin/python bench/bench_read.py [--seconds 4] [--rounds 3] [--connections 8]

Uses wrk when it is installed (apt-get install wrk), else a Python client.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ("council bins parking library park road consultation budget meeting councillor ward "
         "residents planning school bus route potholes recycling housing community centre "
         "thanks agree disagree evidence question answer report survey twitter email blog").split()


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def build_database(path: Path, comments: int = 200) -> int:
    """Create the schema with the migrations and a thread of ``comments`` published comments."""
    os.environ["DISCUSS_DATABASE_URL"] = f"sqlite:///{path}"
    # Throwaway keys: the app refuses to start on none (the gunicorn workers inherit them).
    os.environ.setdefault("DISCUSS_SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("DISCUSS_IP_HASH_KEY", secrets.token_urlsafe(48))
    from discuss import create_app
    from discuss.extensions import db
    from discuss.models import PUBLISHED, Comment, Site, Thread
    from discuss.render import render_body

    app = create_app({"LOAD_ENTRY_POINTS": False})
    rng = random.Random(7)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        site = Site(slug="bench", name="Bench Council", allowed_origins=[], moderation={})
        db.session.add(site)
        db.session.flush()
        thread = Thread(site_id=site.id, key="/blog/post", title="A busy post")
        db.session.add(thread)
        db.session.flush()
        tops: list[Comment] = []
        for n in range(comments):
            parent = rng.choice(tops) if tops and n % 4 else None
            body = "\n\n".join(sentence(rng, rng.randint(12, 30)) for _ in range(rng.randint(1, 3)))
            if n % 5 == 0:
                body += " See https://council.example/page and *this*."
            comment = Comment(thread_id=thread.id, parent_id=parent.id if parent else None,
                              root_id=parent.root_id if parent else None, author_name=f"Resident {n}",
                              body=body, body_html=render_body(body), status=PUBLISHED)
            db.session.add(comment)
            db.session.flush()
            if parent is None:
                comment.root_id = comment.id
                tops.append(comment)
        db.session.commit()
        thread_id = thread.id
        db.engine.dispose()
    return thread_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, app: str, env: dict[str, str], workers: int = 2):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", app],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn {app} did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def load_wrk(port: int, path: str, seconds: int, connections: int) -> float:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(out)


def load_python(port: int, path: str, seconds: int, connections: int) -> float:
    done = [0] * connections
    errors = [0]
    stop_at = time.monotonic() + seconds

    def worker(slot: int) -> None:
        while time.monotonic() < stop_at:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    done[slot] += 1
                else:
                    errors[0] += 1
            finally:
                conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors[0]:
        raise RuntimeError(f"{errors[0]} failed requests")
    return sum(done) / (time.monotonic() - started)


def check(port: int, path: str, expect_comments: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    body = json.loads(conn.getresponse().read())
    if isinstance(body, list):
        count = len(body)
    else:
        count = body["thread"]["comment_count"]
    if count != expect_comments:
        raise RuntimeError(f"{path} served {count} comments, expected {expect_comments}")


def post_latency(port: int, posts: int) -> float:
    rng = random.Random(11)
    timings = []
    for n in range(posts):
        body = " ".join(rng.choice(WORDS) for _ in range(500))
        payload = json.dumps({"author_name": f"Poster {n}", "body": body}).encode()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.perf_counter()
        conn.request("POST", "/api/v1/sites/bench/threads/blog/other/comments", payload,
                     {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        timings.append(time.perf_counter() - started)
        conn.close()
        if response.status not in (201, 202, 422):  # 422: screened and refused (e.g. flood), still a full screening
            raise RuntimeError(f"post answered {response.status}")
    return statistics.median(timings) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4, help="seconds per load run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--posts", type=int, default=40)
    args = parser.parse_args()
    load = load_wrk if shutil.which("wrk") else load_python
    client = "wrk" if load is load_wrk else "python client"

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        thread_id = build_database(db_path)
        common = {"DISCUSS_DATABASE_URL": f"sqlite:///{db_path}", "DISCUSS_RATELIMIT_ENABLED": "false",
                  "BENCH_SQLITE_PATH": str(db_path), "BENCH_THREAD_ID": str(thread_id),
                  "DISCUSS_LOAD_ENTRY_POINTS": "false"}
        thread_path = "/api/v1/sites/bench/threads/blog/post"
        variants = (
            ("baseline (bare Flask + sqlite3)", "bench.baseline_app:app", "/thread", {}),
            ("discuss GET thread", "wsgi:app", thread_path, {}),
            ("discuss, page cache off", "wsgi:app", thread_path, {"DISCUSS_THREAD_PAGE_CACHE": "false"}),
        )
        # All three servers idle side by side; rounds interleave them so that any
        # other load on the machine falls on each alike. Medians of the rounds.
        servers = []
        try:
            for name, app, path, extra in variants:
                servers.append((name, Gunicorn(app, {**common, **extra}), path))
            for name, server, path in servers:
                check(server.port, path, 200)
                load(server.port, path, 1, args.connections)  # warm up
            samples: dict[str, list[float]] = {name: [] for name, _, _ in servers}
            for _ in range(args.rounds):
                for name, server, path in servers:
                    samples[name].append(load(server.port, path, args.seconds, args.connections))
        finally:
            for _, server, _ in servers:
                server.stop()
        results = {name: statistics.median(values) for name, values in samples.items()}
        server = Gunicorn("wsgi:app", common)
        try:
            latency = post_latency(server.port, args.posts)
        finally:
            server.stop()

    baseline, ours, uncached = results.values()
    print(f"client: {client}, {args.connections} connections, {args.rounds} rounds x {args.seconds}s, "
          "gunicorn -w 2 (medians)")
    for name, value in results.items():
        print(f"{name:34s} {value:8.1f} req/s")
    print(f"ratio discuss / baseline           {ours / baseline:8.2f}  (target >= 0.7, goal 0.9)")
    print(f"ratio, page cache off              {uncached / baseline:8.2f}")
    print(f"median POST of a 500-word comment  {latency:8.1f} ms  ({args.posts} posts, full screening)")


if __name__ == "__main__":
    main()
