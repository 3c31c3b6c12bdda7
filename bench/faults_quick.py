"""Quick fault check against a real gunicorn: a private Redis and a private PostgreSQL
are stopped while residents post; prints what clients saw and what was stored.

    .venv/bin/python bench/faults_quick.py

Needs redis-server, initdb and pg_ctl (tests/servers.py starts them on free ports).
Not the full fault benchmark of issue 12 (no load, no worker kill, no hanging plugin).
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.servers import PrivatePostgres, PrivateRedis, free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def request(port: int, path: str, body: dict | None = None, headers: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method="POST" if body else "GET",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, json.loads(res.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    redis = PrivateRedis(tmp).start()
    pg = PrivatePostgres()
    try:
        pg.init().start()
        run(tmp, redis, pg)
    finally:
        redis.stop()
        pg.remove()
        shutil.rmtree(tmp, ignore_errors=True)


def run(tmp: Path, redis: PrivateRedis, pg: PrivatePostgres) -> None:
    port = free_port()
    env = dict(os.environ, DISCUSS_DATABASE_URL=pg.url, DISCUSS_SECRET_KEY="bench-secret-" + uuid.uuid4().hex + uuid.uuid4().hex,
               DISCUSS_IP_HASH_KEY="bench-ip-" + uuid.uuid4().hex + uuid.uuid4().hex, DISCUSS_RATELIMIT_STORAGE_URI=redis.url,
               DISCUSS_RATELIMIT_POST="1000 per minute", DISCUSS_TRUSTED_PROXIES='["127.0.0.1"]',
               DISCUSS_LOAD_ENTRY_POINTS="false")
    discuss = [str(ROOT / ".venv/bin/discuss")]
    subprocess.run([*discuss, "init-db"], env=env, check=True, capture_output=True)
    subprocess.run([*discuss, "sites", "add", "council", "--name", "Council"], env=env, check=True,
                   capture_output=True)
    web = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                            "--chdir", str(ROOT), "wsgi:app"], env=env, stdout=subprocess.DEVNULL,
                           stderr=open(tmp / "gunicorn.log", "w"))
    try:
        for _ in range(100):
            try:
                if request(port, "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        seen: dict[str, collections.Counter] = {}
        acknowledged: dict[str, int] = {}

        def phase(name: str, n: int) -> None:
            counts = collections.Counter()
            for i in range(n):
                key = uuid.uuid4().hex
                body = {"author_name": "Resident", "body": f"{name} {i} {key[:6]}"}
                status, answer = request(port, "/api/v1/sites/council/threads/bench/comments", body,
                                         {"Idempotency-Key": key, "X-Forwarded-For": f"10.0.{i % 250}.1"})
                counts[status] += 1
                if status == 201:
                    # the retry a client would make: must answer the same comment, store nothing
                    again = request(port, "/api/v1/sites/council/threads/bench/comments", body,
                                    {"Idempotency-Key": key, "X-Forwarded-For": f"10.0.{i % 250}.1"})
                    counts["retry same answer" if again == (status, answer) else "retry DIFFERENT"] += 1
                    acknowledged[answer["comment"]["id"]] = acknowledged.get(answer["comment"]["id"], 0) + 1
            ready = request(port, "/readyz")
            counts[f"readyz {ready[0]} failing={ready[1].get('failing', [])}"] += 1
            counts[f"healthz {request(port, '/healthz')[0]}"] += 1
            seen[name] = counts

        phase("all up", 20)
        redis.stop()
        phase("redis down", 20)
        pg.stop()
        phase("redis and database down", 20)
        pg.start()
        time.sleep(0.5)
        phase("database back, redis down", 20)
        for name, counts in seen.items():
            print(f"{name:28} {dict(counts)}")
        status, thread = request(port, "/api/v1/sites/council/threads/bench?limit=500")
        stored = [c["id"] for c in thread["comments"]]
        print(f"acknowledged (201) comments: {len(acknowledged)}; in the public thread: {len(stored)}; "
              f"acknowledged but missing: {len(set(acknowledged) - set(stored))}; "
              f"duplicated ids: {len(stored) - len(set(stored))}")
    finally:
        web.terminate()
        web.wait(10)


if __name__ == "__main__":
    main()
