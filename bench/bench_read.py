"""Read and write benchmark: discuss against the framework's limit, a bare floor and Isso.

One run prints:

* requests/s reading a 200-comment thread, every server under the same gunicorn
  (``-w 2``) and the same load generator (wrk when installed, else a Python
  client), rounds interleaved: a Flask route returning a constant JSON object
  (the framework's limit), a bare Flask + sqlite3 route returning the 200 rows
  (the floor), discuss with its page cache (zero-query reads), discuss checking
  every read (``THREAD_CACHE_INVALIDATION=check``: the fallback when the
  invalidation channel is down) and Isso 0.14 (from PyPI, in the bench's own
  virtualenv ``bench/.isso-venv``; moderation and rate-limit guard off);
* median and p99 latency of POSTing a 500-word comment: discuss with every
  default plugin screening it, and Isso (which screens nothing), both under gunicorn
  ``-w 2``, the posts interleaved one by one (so load falls on both alike), and the ratio;
* a 20,000-comment thread: the first page and a deep cursor page (cold: page
  cache off; and cached), a reply, an approval, and each worker's memory after
  serving it beside a worker that served the 200-comment thread.

    .venv/bin/python bench/bench_read.py [--seconds 4] [--rounds 3] [--connections 16] [--posts 300]
        [--big 20000] [--no-isso] [--parts reads posts big]

wrk: ``apt-get install wrk``. The machine's other load falls on every server
alike (rounds interleave them); absolute figures move with it, ratios less.
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
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ISSO_VERSION = "0.14.0"
ISSO_VENV = ROOT / "bench" / ".isso-venv"
WORKERS = 2

WORDS = ("council bins parking library park road consultation budget meeting councillor ward "
         "residents planning school bus route potholes recycling housing community centre "
         "thanks agree disagree evidence question answer report survey twitter email blog").split()


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def comment_body(rng: random.Random, n: int) -> str:
    body = "\n\n".join(sentence(rng, rng.randint(12, 30)) for _ in range(rng.randint(1, 3)))
    if n % 5 == 0:
        body += " See https://council.example/page and *this*."
    return body


def build_database(path: Path, comments: int = 200, big: int = 0, held: int = 0) -> dict[str, int]:
    """Migrate a SQLite database; thread ``/blog/post`` gets ``comments`` published comments,
    ``/big/thread`` ``big`` of them and ``held`` pending ones; a moderator token for approvals.

    Rows go in with Core ``executemany`` (bodies rendered once each, as the write path does).
    """
    os.environ["DISCUSS_DATABASE_URL"] = f"sqlite:///{path}"
    # Throwaway keys: the app refuses to start on none (the gunicorn workers inherit them).
    os.environ.setdefault("DISCUSS_SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("DISCUSS_IP_HASH_KEY", secrets.token_urlsafe(48))
    from discuss import create_app
    from discuss.auth import create_moderator, issue_token
    from discuss.extensions import db
    from discuss.models import PENDING, PUBLISHED, Comment, Site, Thread
    from discuss.render import render_body

    app = create_app({"LOAD_ENTRY_POINTS": False})
    rng = random.Random(7)
    facts: dict[str, int] = {}
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        site = Site(slug="bench", name="Bench Council", allowed_origins=[], moderation={})
        db.session.add(site)
        db.session.flush()
        table = Comment.__table__
        next_id = 1
        for key, count, pending in (("/blog/post", comments, 0), ("/big/thread", big, held)):
            if not count:
                continue
            thread = Thread(site_id=site.id, key=key, title="A busy post")
            db.session.add(thread)
            db.session.flush()
            rows, tops = [], []
            for n in range(count + pending):
                reply_to = rows[rng.choice(tops)] if tops and n % 4 else None
                body = comment_body(rng, n)
                row = {"id": next_id, "thread_id": thread.id, "parent_id": reply_to["id"] if reply_to else None,
                       "root_id": reply_to["root_id"] if reply_to else next_id, "author_name": f"Resident {n}",
                       "body": body, "body_html": render_body(body),
                       "status": PENDING if n >= count else PUBLISHED}
                if reply_to is None and n < count:
                    tops.append(len(rows))
                rows.append(row)
                next_id += 1
            db.session.execute(table.insert(), rows)
            facts[key] = thread.id
            if key == "/big/thread":
                facts["big_last_top"] = rows[tops[-3]]["id"]  # a cursor near the end
                facts["big_parent"] = rows[tops[len(tops) // 2]]["id"]
                facts["big_first_held"] = next_id - pending
        moderator = create_moderator("bench@council.example", "Bench", "admin", None, ())
        db.session.flush()
        token = issue_token(moderator)
        db.session.commit()
        db.engine.dispose()
    facts["token"] = token  # type: ignore[assignment]
    return facts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, app: str, env: dict[str, str], *, python: str = sys.executable, workers: int = WORKERS,
                 port: int | None = None):
        self.port = port or free_port()
        # A file, not a pipe nobody reads: a chatty server (Isso logs every comment) would block on it.
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [python, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", app],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        self.log.seek(0)
        raise RuntimeError(f"gunicorn {app} did not start: {self.log.read().decode()[-2000:]}")

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker (the master's children), from /proc."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        sizes = []
        for pid in children:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def load_wrk(port: int, path: str, seconds: int, connections: int) -> float:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout
    rate = None
    for line in out.splitlines():
        if "Non-2xx or 3xx responses" in line:
            raise RuntimeError(f"{path}: {line.strip()}")
        if line.startswith("Requests/sec:"):
            rate = float(line.split()[1])
    if rate is None:
        raise RuntimeError(out)
    return rate


def load_python(port: int, path: str, seconds: int, connections: int) -> float:
    done = [0] * connections
    errors = [0]
    stop_at = time.monotonic() + seconds

    def worker(slot: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop_at:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                done[slot] += 1
            else:
                errors[0] += 1
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


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def post(port: int, path: str, payload: dict, headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        started = time.perf_counter()
        conn.request("POST", path, json.dumps(payload).encode(),
                     {"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - started
    finally:
        conn.close()


def count_comments(body: bytes) -> int:
    data = json.loads(body)
    if isinstance(data, list):  # the bare floor
        return len(data)
    if "thread" in data:  # discuss
        return data["thread"]["comment_count"]

    def walk(nodes):  # Isso: {"replies": [{..., "replies": [...]}]}
        return sum(1 + walk(node.get("replies", [])) for node in nodes)

    return walk(data["replies"])


def latency(samples: list[float]) -> tuple[float, float]:
    """Median and p99, in milliseconds."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p99 * 1000


def post_latencies(targets: dict[str, tuple[int, str, Callable, bool]], posts: int,
                   warm_up: int = 10) -> dict[str, list[float]]:
    """Latencies of ``posts`` POSTs to each target after ``warm_up`` untimed ones (models load
    on first use), interleaved: post n goes to every target in turn (the order rotating), so
    the machine's other load falls on each alike. Each post a new connection, the same client.

    A target is (port, path, make(n, text) -> payload, distinct_addresses): each post from its own
    client address (``X-Forwarded-For``, the server trusting 127.0.0.1 as its proxy), as residents
    post; else all from one address. Every target gets the same 500-word texts.
    """
    rng = random.Random(11)
    timings: dict[str, list[float]] = {name: [] for name in targets}
    names = list(targets)
    for n in range(-warm_up, posts):
        text = " ".join(rng.choice(WORDS) for _ in range(500))
        shift = n % len(names)
        for name in names[shift:] + names[:shift]:
            port, path, make, distinct = targets[name]
            headers = {"X-Forwarded-For": f"10.{(n + 100) // 250 % 250}.{(n + 100) % 250}.7"} if distinct else {}
            status, body, took = post(port, path, make(n, text), headers)
            # 422: screened and refused (flood after many posts from one address): still a full screening.
            if status not in (200, 201, 202, 422):
                raise RuntimeError(f"{name}: POST {path} answered {status}: {body[:300]!r}")
            if n >= 0:
                timings[name].append(took)
    return timings


# -- Isso ------------------------------------------------------------------------------

def isso_python() -> tuple[str | None, str]:
    """The bench venv's python with Isso installed (made on first use), or None and why not."""
    python = ISSO_VENV / "bin" / "python"
    check = [str(python), "-c", "import isso, gunicorn; print(isso.__version__ if hasattr(isso, '__version__') else '')"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return str(python), ""
    try:
        subprocess.run([sys.executable, "-m", "venv", str(ISSO_VENV)], check=True, capture_output=True)
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", f"isso=={ISSO_VERSION}", "gunicorn"],
                              capture_output=True, text=True)
        if done.returncode:
            return None, f"pip install isso=={ISSO_VERSION} failed: {done.stderr.strip()[-500:]}"
    except (OSError, subprocess.CalledProcessError) as exc:
        return None, f"could not make {ISSO_VENV}: {exc}"
    return str(python), ""


def isso_server(python: str, tmp: Path) -> Gunicorn:
    port_hint = free_port()
    config = tmp / "isso.cfg"
    config.write_text(f"""[general]
dbpath = {tmp / 'isso.db'}
host = http://127.0.0.1:{port_hint}/
[moderation]
enabled = false
[guard]
enabled = false
[server]
listen = http://127.0.0.1:{port_hint}
""")
    # Isso checks on its first request that it can reach "host" (the commented site): itself here.
    return Gunicorn("isso.run:application", {"ISSO_SETTINGS": str(config)}, python=python, port=port_hint)


def seed_isso(port: int, comments: int) -> None:
    """The same thread shape as discuss's: 200 comments, three in four replies."""
    rng = random.Random(7)
    ids: list[int] = []
    for n in range(comments):
        payload = {"text": comment_body(rng, n), "author": f"Resident {n}", "title": "A busy post"}
        if ids and n % 4:
            payload["parent"] = rng.choice(ids)
        status, body, _ = post(port, "/new?uri=%2Fblog%2Fpost", payload)
        if status not in (200, 201, 202):
            raise RuntimeError(f"seeding Isso: {status} {body[:200]!r}")
        if "parent" not in payload:
            ids.append(json.loads(body)["id"])


# -- the run ---------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4, help="seconds per load run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--posts", type=int, default=300, help="POSTs timed per server")
    parser.add_argument("--big", type=int, default=20_000, help="comments in the big thread (0: skip)")
    parser.add_argument("--no-isso", action="store_true")
    parser.add_argument("--parts", nargs="+", choices=("reads", "posts", "big"), default=["reads", "posts", "big"],
                        help="what to measure (all by default)")
    args = parser.parse_args()
    load = load_wrk if shutil.which("wrk") else load_python
    client = "wrk -t2" if load is load_wrk else "python client"

    isso, isso_problem = (None, "--no-isso") if args.no_isso else isso_python()

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db_path = tmp / "bench.db"
        facts = build_database(db_path, 200, big=args.big, held=50 if args.big else 0)
        common = {"DISCUSS_DATABASE_URL": f"sqlite:///{db_path}", "DISCUSS_RATELIMIT_ENABLED": "false",
                  "BENCH_SQLITE_PATH": str(db_path), "BENCH_THREAD_ID": str(facts["/blog/post"]),
                  "DISCUSS_LOAD_ENTRY_POINTS": "false"}
        thread_path = "/api/v1/sites/bench/threads/blog/post"
        variants = [
            ("Flask, constant JSON (the limit)", "bench.baseline_app:app", "/constant", {}, 0),
            ("bare Flask + sqlite3 (the floor)", "bench.baseline_app:app", "/thread", {}, 200),
            ("discuss, cached thread", "wsgi:app", thread_path, {}, 200),
            ("discuss, checking every read", "wsgi:app", thread_path, {"DISCUSS_THREAD_CACHE_INVALIDATION": "check"}, 200),
        ]
        servers: list[tuple[str, Gunicorn, str, int]] = []
        samples: dict[str, list[float]] = {}
        isso_server_ = None
        try:
            for name, app, path, extra, expect in (variants if "reads" in args.parts else []):
                servers.append((name, Gunicorn(app, {**common, **extra}), path, expect))
            if isso and {"reads", "posts"} & set(args.parts):
                isso_server_ = isso_server(isso, tmp)
                seed_isso(isso_server_.port, 200)
                servers.append((f"Isso {ISSO_VERSION}", isso_server_, "/?uri=%2Fblog%2Fpost", 200))
            for name, server, path, expect in servers:
                status, body = get(server.port, path)
                if status != 200 or (expect and count_comments(body) != expect):
                    raise RuntimeError(f"{name} {path}: {status}, {body[:200]!r}")
                load(server.port, path, 1, args.connections)  # warm up
            # Rounds interleave the servers, so the machine's other load falls on each alike.
            for _ in range(args.rounds if "reads" in args.parts else 0):
                for name, server, path, _ in servers:
                    samples.setdefault(name, []).append(load(server.port, path, args.seconds, args.connections))
        except BaseException:
            if isso_server_ is not None:
                isso_server_.stop()
            raise
        finally:
            for name, server, _, _ in servers:
                if server is not isso_server_:
                    server.stop()
        rates = {name: statistics.median(values) for name, values in samples.items()}

        try:
            timings = measure_posts(common, isso_server_, args.posts) if "posts" in args.parts else {}
        finally:
            if isso_server_ is not None:
                isso_server_.stop()
        discuss_posts = latency(timings["discuss"]) if timings else None
        discuss_one_address = latency(timings["discuss, one address"]) if timings else None
        isso_posts = latency(timings["Isso"]) if "Isso" in timings else None

        big = big_thread(common, facts, args) if args.big and "big" in args.parts else None

    if rates:
        print_reads(args, client, rates, isso_problem)
    if discuss_posts:
        print_posts(args, discuss_posts, discuss_one_address, isso_posts)
    if big:
        print(f"a {args.big:,}-comment thread (medians of single requests)")
        for name, value in big.items():
            print(f"  {name:44s} {value}")


def measure_posts(common: dict[str, str], isso: Gunicorn | None, posts: int) -> dict[str, list[float]]:
    """POST latency: discuss with every default plugin; Isso screening nothing. Both under
    gunicorn -w 2, the posts interleaved one by one."""
    server = Gunicorn("wsgi:app", {**common, "DISCUSS_TRUSTED_PROXIES": '["127.0.0.1"]'})
    try:
        def discuss_reply(n, body):
            return {"author_name": f"Poster {n}", "body": body}

        targets = {
            "discuss": (server.port, "/api/v1/sites/bench/threads/blog/other/comments", discuss_reply, True),
            "discuss, one address": (server.port, "/api/v1/sites/bench/threads/blog/third/comments",
                                     discuss_reply, False),
        }
        if isso is not None:
            targets["Isso"] = (isso.port, "/new?uri=%2Fblog%2Fother",
                               lambda n, body: {"text": body, "author": f"Poster {n}", "title": "Other"}, False)
        return post_latencies(targets, posts)
    finally:
        server.stop()


def print_reads(args, client: str, rates: dict[str, float], isso_problem: str) -> None:
    print(f"client: {client}, {args.connections} connections, {args.rounds} rounds x {args.seconds}s, "
          f"gunicorn -w {WORKERS} (medians of rounds); a 200-comment thread")
    for name, value in rates.items():
        print(f"  {name:36s} {value:9.1f} req/s")
    limit = rates["Flask, constant JSON (the limit)"]
    ours = rates["discuss, cached thread"]
    print(f"  discuss cached / constant JSON       {ours / limit:9.2f}  (target >= 0.8)")
    print(f"  discuss cached / bare floor          {ours / rates['bare Flask + sqlite3 (the floor)']:9.2f}")
    if f"Isso {ISSO_VERSION}" in rates:
        print(f"  discuss cached / Isso                {ours / rates[f'Isso {ISSO_VERSION}']:9.1f}  (target >= 50)")
    else:
        print(f"  Isso: not run ({isso_problem})")


def print_posts(args, discuss_posts, discuss_one_address, isso_posts) -> None:
    print(f"POST a 500-word comment ({args.posts} posts each, interleaved one by one; one client, a new "
          f"connection each; gunicorn -w {WORKERS} each)")
    print(f"  discuss, every default plugin        median {discuss_posts[0]:6.2f} ms   p99 {discuss_posts[1]:7.2f} ms"
          "   (each post from its own address)")
    print(f"  discuss, all from one address        median {discuss_one_address[0]:6.2f} ms   p99 "
          f"{discuss_one_address[1]:7.2f} ms   (the flood plugin holds/refuses most: more history read)")
    if isso_posts:
        print(f"  Isso {ISSO_VERSION} (screens nothing)       median {isso_posts[0]:6.2f} ms   p99 {isso_posts[1]:7.2f} ms")
        print(f"  discuss / Isso                       median {discuss_posts[0] / isso_posts[0]:6.2f}      "
              f"p99 {discuss_posts[1] / isso_posts[1]:7.2f}      (target: median <= 1)")


def big_thread(common: dict[str, str], facts: dict, args) -> dict[str, str]:
    """First page, deep cursor page, reply and approval on the big thread; workers' memory."""
    from discuss.threads import encode_cursor

    path = "/api/v1/sites/bench/threads/big/thread"
    deep = f"{path}?cursor={encode_cursor(facts['big_last_top'])}"
    out: dict[str, str] = {}

    def timed(port: int, target: str, times: int = 30, touch: bool = False) -> float:
        """Median latency; ``touch``: a write to the thread before each read (every read a miss)."""
        samples = []
        for _ in range(times):
            if touch:
                with sqlite3.connect(common["BENCH_SQLITE_PATH"]) as conn:
                    conn.execute("UPDATE thread SET closed = closed WHERE key = '/big/thread'")
                time.sleep(0.01)
            started = time.perf_counter()
            status, body = get(port, target)
            samples.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"{target}: {status} {body[:200]!r}")
        return statistics.median(samples) * 1000

    cold = Gunicorn("wsgi:app", {**common, "DISCUSS_THREAD_PAGE_CACHE": "false"})
    try:
        for name, target in (("first page", path), ("deep cursor page", deep)):
            _, body = get(cold.port, target)
            page = json.loads(body)

            def count(nodes):
                return sum(1 + count(node["replies"]) for node in nodes)

            out[f"{name}: what it holds"] = (f"{len(page['comments'])} top-level, {count(page['comments'])} comments, "
                                              f"{len(body) / 1024:.0f} KB")
        out["first page, checking every read (page cache off)"] = f"{timed(cold.port, path):8.2f} ms"
        out["deep cursor page, checking every read"] = f"{timed(cold.port, deep):8.2f} ms"
    finally:
        cold.stop()
    server = Gunicorn("wsgi:app", common)
    try:
        for _ in range(10):  # both workers serve the small thread (and import what reads need)
            get(server.port, "/api/v1/sites/bench/threads/blog/post")
        before = server.worker_rss_mb()
        out["first page, a miss (after a write to the thread)"] = f"{timed(server.port, path, touch=True):8.2f} ms"
        out["deep cursor page, a miss"] = f"{timed(server.port, deep, touch=True):8.2f} ms"
        out["first page, cached"] = f"{timed(server.port, path):8.2f} ms"
        out["deep cursor page, cached"] = f"{timed(server.port, deep):8.2f} ms"
        for _ in range(10):
            get(server.port, path)
            get(server.port, deep)
        after = server.worker_rss_mb()
        out["worker RSS: after the 200-comment thread"] = " ".join(f"{mb:6.1f}" for mb in before) + " MB"
        out["worker RSS: then after the big thread's pages"] = " ".join(f"{mb:6.1f}" for mb in after) + " MB"
        replies = []
        for n in range(20):
            status, body, took = post(server.port, path + "/comments",
                                      {"author_name": f"Replier {n}", "parent_id": facts["big_parent"],
                                       "body": "A reply deep in a big thread about the bins."})
            if status not in (201, 202, 422):
                raise RuntimeError(f"reply: {status} {body[:200]!r}")
            replies.append(took)
        out["reply (POST, every default plugin)"] = f"{statistics.median(replies) * 1000:8.2f} ms"
        approvals = []
        for comment_id in range(facts["big_first_held"], facts["big_first_held"] + 20):
            status, body, took = post(server.port, f"/api/v1/moderation/comments/{comment_id}/decision",
                                      {"action": "approve", "version": 1},
                                      {"Authorization": f"Bearer {facts['token']}"})
            if status != 200:
                raise RuntimeError(f"approval: {status} {body[:200]!r}")
            approvals.append(took)
        out["approval (moderation API)"] = f"{statistics.median(approvals) * 1000:8.2f} ms"
        out["first page after the writes (a miss)"] = f"{timed(server.port, path, 1):8.2f} ms"
    finally:
        server.stop()
    return out


if __name__ == "__main__":
    main()
