"""What the load and fault benchmarks share: a private stack, writers, readers, reconciliation.

- :class:`Stack`: a private PostgreSQL and Redis (tests/servers.py) and gunicorn with
  ``deploy/gunicorn.conf.py`` serving ``bench.served_app:app`` on a free port; with
  ``cache=True`` also Varnish in front (``deploy/varnish.vcl``) and ``discuss
  purge-relay`` purging it on every committed change, as docs/operations.md deploys it.
- :class:`Writers`: residents posting from Python threads. Each post carries an
  ``Idempotency-Key`` and an ``X-Request-Start`` stamp (as the proxy would send), and
  is retried with the same key after a timeout, a dropped connection or a 5xx,
  until it is acknowledged (201/202) or refused (4xx).
- :func:`read_with_wrk`: readers as ``wrk`` connections (Debian's ``wrk``, a C
  load generator, so the readers do not eat the CPU the server needs), reading
  thread pages and the widget's other reads (``bench/readers.lua``).
- :class:`Probe`: one reader asking for ``/readyz`` and a thread page in turn, to see
  how long a single request waits.
- :func:`reconcile`: every acknowledged write against the database and the public
  API: lost, duplicated, unscreened (published without every enabled plugin's
  verdict), visible.
"""

from __future__ import annotations

import collections
import http.client
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.servers import PrivatePostgres, PrivateRedis, PrivateVarnish, free_port, start_purge_relay  # noqa: E402

SITE = "council"
API = f"/api/v1/sites/{SITE}/threads"
BODY = re.compile(r"^bench (?P<key>[0-9a-f]{32}) ")
#: Settings of the served app beyond the defaults: writers come from 127.0.0.1 with the
#: resident's address in X-Forwarded-For, as nginx sends it. The rate limit is the default:
#: each post comes from a resident (an address) of its own.
APP_ENV = {
    "DISCUSS_TRUSTED_PROXIES": '["127.0.0.1"]',
    "DISCUSS_LOAD_ENTRY_POINTS": "false",
}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


# -- the stack ---------------------------------------------------------------------

class Stack:
    """Private PostgreSQL + Redis + gunicorn (deploy/gunicorn.conf.py) on free ports."""

    def __init__(self, workers: int = 4, threads: int | None = None, plugins: Iterable[str] = (),
                 env: dict[str, str] | None = None, cache: bool = False) -> None:
        self.workers = workers
        self.cache = cache
        self.varnish: PrivateVarnish | None = None
        self.relay: subprocess.Popen | None = None
        self.threads = threads
        self.plugins = tuple(plugins)
        self.extra_env = dict(env or {})
        self.tmp = Path(tempfile.mkdtemp(prefix="discuss-load-"))
        self.redis = PrivateRedis(self.tmp)
        self.pg = PrivatePostgres(max_connections=200)
        self.port = free_port()
        self.web: subprocess.Popen | None = None
        self.env: dict[str, str] = {}

    def start(self) -> "Stack":
        self.redis.start()
        self.pg.init().start()
        self.env = {
            **os.environ, **APP_ENV,
            "DISCUSS_DATABASE_URL": self.pg.url,
            "DISCUSS_SECRET_KEY": "bench-secret-" + uuid.uuid4().hex * 2,
            "DISCUSS_IP_HASH_KEY": "bench-ip-" + uuid.uuid4().hex * 2,
            "DISCUSS_RATELIMIT_STORAGE_URI": self.redis.url,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(self.workers),
            "BENCH_PLUGINS": ",".join(self.plugins),
            **self.extra_env,
        }
        if self.threads:
            self.env["GUNICORN_THREADS"] = str(self.threads)
        discuss = str(Path(sys.executable).parent / "discuss")
        for command in (["init-db"], ["sites", "add", SITE, "--name", "Council"]):
            subprocess.run([discuss, *command], env=self.env, check=True, capture_output=True, cwd=ROOT)
        self.start_web()
        if self.cache:
            self.start_cache()
        return self

    @property
    def read_port(self) -> int:
        """Where readers read: Varnish when the stack has it, else gunicorn."""
        return self.varnish.port if self.varnish is not None else self.port

    def start_cache(self) -> None:
        """Varnish in front of gunicorn, and the purge relay (one process) purging it."""
        self.varnish = PrivateVarnish(self.port).start()
        self.relay = start_purge_relay(self.env, self.varnish.url, self.tmp / "relay.log")

    def start_web(self) -> None:
        self.web = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "deploy/gunicorn.conf.py"),
             "--chdir", str(ROOT), "bench.served_app:app"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=open(self.tmp / "gunicorn.log", "a"))
        deadline = time.monotonic() + 60
        while len(self.worker_pids()) < self.workers or not self._answers():
            if self.web.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start:\n" + self.log()[-3000:])
            time.sleep(0.1)

    def _answers(self) -> bool:
        try:
            return get(self.port, "/healthz", timeout=2)[0] == 200
        except OSError:
            return False

    def log(self) -> str:
        return (self.tmp / "gunicorn.log").read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        if self.web is None:
            return []
        try:
            children = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the live gunicorn workers."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def kill_worker(self) -> int:
        """SIGKILL one gunicorn worker (the arbiter starts another); its pid."""
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        if self.relay is not None and self.relay.poll() is None:
            self.relay.terminate()
            self.relay.wait(10)
        if self.varnish is not None:
            self.varnish.remove()
        if self.web is not None and self.web.poll() is None:
            self.web.terminate()
            try:
                self.web.wait(15)
            except subprocess.TimeoutExpired:
                self.web.kill()
                self.web.wait(5)
        self.redis.stop()
        self.pg.remove()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> "Stack":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *_exc: Any) -> None:
        self.stop()


# -- requests ---------------------------------------------------------------------

def get(port: int, path: str, timeout: float = 10, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        res = conn.getresponse()
        data = res.read()
        try:
            return res.status, json.loads(data) if data else None
        except ValueError:
            return res.status, data
    finally:
        conn.close()


@dataclass
class Attempt:
    key: str
    phase: str
    outcome: str            # "201", "503", "503-deadline", "timeout", "reset"...
    seconds: float
    comment_id: int | None = None
    at: float = 0.0         # time.monotonic() when it was sent


class Writers:
    """``count`` residents posting top-level replies to ``threads`` threads; see the module docstring.

    Each writer posts, waits ``think`` seconds, posts again. A failed attempt is retried with the
    same key (after ``Retry-After``, at most 1 s) until acknowledged or refused; after :meth:`stop`
    a writer keeps retrying its last post for up to ``drain`` seconds, so every post ends known.
    """

    def __init__(self, port: int, count: int = 50, threads: int = 20, think: float = 1.0,
                 timeout: float = 10.0, drain: float = 30.0) -> None:
        self.port = port
        self.count = count
        self.threads = threads
        self.think = think
        self.timeout = timeout
        self.drain = drain
        self.phase = "load"
        self.attempts: list[Attempt] = []
        self.keys: dict[str, str] = {}  # key -> phase of its first attempt
        self.acked: dict[str, set[int]] = collections.defaultdict(set)
        self.refused: dict[str, str] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []
        self.cpu_seconds = 0.0

    def start(self) -> "Writers":
        for n in range(self.count):
            thread = threading.Thread(target=self._writer, args=(n,), daemon=True)
            thread.start()
            self._workers.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._workers:
            thread.join(self.drain + self.timeout + 5)

    def _writer(self, n: int) -> None:
        started_cpu = time.thread_time()
        conn: http.client.HTTPConnection | None = None
        sequence = 0
        rng = random.Random(n)
        try:
            # Residents arrive at their own moments and think for their own while (on average
            # ``think``), as the readers do (bench/readers.lua): fixed pauses from a common start
            # would post all 50 together every ``think`` seconds, a burst no site sees.
            self._stop.wait(rng.uniform(0, self.think))
            while not self._stop.is_set():
                key = uuid.uuid4().hex
                thread = f"bench/t{(n + sequence) % self.threads}"
                # Each post from a new resident (address): one address posting every second
                # for a minute is a flood, and the flood plugin rightly refuses it.
                address = f"10.{n % 256}.{sequence // 250 % 256}.{sequence % 250 + 1}"
                sequence += 1
                body = json.dumps({"author_name": f"Writer {n}", "body": f"bench {key} writer {n} post {sequence}"})
                with self._lock:
                    self.keys[key] = self.phase
                given_up_at = None
                while True:
                    if self._stop.is_set() and given_up_at is None:
                        given_up_at = time.monotonic() + self.drain
                    if given_up_at is not None and time.monotonic() > given_up_at:
                        break
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                    outcome, wait, answer = self._post(conn, thread, key, body, address)
                    if outcome in ("timeout", "reset", "refused"):
                        conn.close()
                        conn = None
                    if outcome in ("201", "202"):
                        with self._lock:
                            self.acked[key].add(answer["comment"]["id"])
                        break
                    if outcome.startswith("4") and outcome != "429":
                        with self._lock:
                            self.refused[key] = f"{outcome} {answer['refusal']}"
                        break
                    time.sleep(wait)
                self._stop.wait(rng.uniform(0, 2 * self.think))
        finally:
            if conn is not None:
                conn.close()
            with self._lock:
                self.cpu_seconds += time.thread_time() - started_cpu

    def _post(self, conn: http.client.HTTPConnection, thread: str, key: str, body: str,
              address: str) -> tuple[str, float, Any]:
        started, at = time.perf_counter(), time.monotonic()
        answer, wait = None, 0.2
        try:
            conn.request("POST", f"{API}/{thread}/comments", body=body, headers={
                "Content-Type": "application/json", "Idempotency-Key": key,
                "X-Forwarded-For": address, "X-Request-Start": f"t={time.time():.3f}"})
            res = conn.getresponse()
            data = res.read()
            outcome = str(res.status)
            if res.status in (201, 202):
                answer = json.loads(data)
            elif res.status == 503 and b'"request"' in data:
                outcome = "503-deadline"  # waited past DISCUSS_REQUEST_DEADLINE (discuss/deadline.py)
            if 400 <= res.status < 500:
                answer = {"refusal": data[:300].decode(errors="replace")}
            retry_after = res.getheader("Retry-After")
            if retry_after and retry_after.isdigit():
                wait = min(1.0, float(retry_after))
            if res.getheader("Connection", "").lower() == "close":
                conn.close()
        except socket.timeout:
            outcome = "timeout"
        except ConnectionRefusedError:
            outcome = "refused"
        except (ConnectionError, http.client.HTTPException, OSError):
            outcome = "reset"
        with self._lock:
            self.attempts.append(Attempt(key, self.phase, outcome, time.perf_counter() - started,
                                         answer["comment"]["id"] if answer and "comment" in answer else None, at))
        return outcome, wait, answer

    # what the clients saw
    def statuses(self, phase: str | None = None) -> collections.Counter:
        return collections.Counter(a.outcome for a in self.attempts if phase is None or a.phase == phase)

    def latencies(self, phase: str | None = None) -> list[float]:
        return [a.seconds for a in self.attempts
                if a.outcome in ("201", "202") and (phase is None or a.phase == phase)]


# -- readers ------------------------------------------------------------------------

def reader_paths(threads: int) -> list[str]:
    """What a page with the widget reads: its thread (most often), the script, its words."""
    paths = [f"{API}/bench/t{n}" for n in range(threads)]
    return paths * 8 + ["/embed.js", f"/embed/i18n/en.json?site={SITE}"] * max(1, threads // 2)


def add_reader_arguments(parser) -> None:
    """The readers' options the load and fault benchmarks share: their pause and where they read."""
    parser.add_argument("--read-think", type=float, default=100.0, help="mean ms a reader waits between reads")
    parser.add_argument("--through", choices=("varnish", "gunicorn"), default="varnish",
                        help="where readers read: Varnish in front (production), or gunicorn itself")


def where_readers_read(args) -> str:
    """For a benchmark's first line: where :func:`add_reader_arguments`' ``--through`` sends them."""
    return "through Varnish (deploy/varnish.vcl) with the purge relay" if args.through == "varnish" else "gunicorn"


@dataclass
class WrkResult:
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    statuses: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    cpu_seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def count_5xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if status.startswith("5"))


def need_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    return path


def read_with_wrk(port: int, seconds: float, connections: int, paths: list[str],
                  think_ms: float = 0.0, wrk_threads: int = 2) -> WrkResult:
    """``connections`` readers for ``seconds``, each reading ``paths`` in turn (offset per connection)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [need_wrk(), f"-t{wrk_threads}", f"-c{max(connections, wrk_threads)}", f"-d{max(1, round(seconds))}s",
         "--timeout", "5s", "-s", str(ROOT / "bench/readers.lua"), f"http://127.0.0.1:{port}",
         "--", str(think_ms), *paths],
        capture_output=True, text=True, timeout=seconds + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((ln for ln in reversed(done.stdout.splitlines()) if ln.startswith("{")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {done.stdout}\n{done.stderr}")
    data = json.loads(line)
    return WrkResult(
        requests=data["requests"], seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000, p99_ms=data["p99_us"] / 1000,
        statuses={str(k): v for k, v in data["statuses"].items()}, errors=data["errors"],
        cpu_seconds=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))


class Probe:
    """One client asking for ``/readyz`` then a thread page, every ``interval`` seconds."""

    def __init__(self, port: int, thread_path: str, interval: float = 0.05, read_port: int | None = None) -> None:
        self.port = port
        self.read_port = read_port or port  # the thread page is read where the readers read it
        self.paths = ("/readyz", thread_path)
        self.interval = interval
        self.phase = "load"
        self.seen: list[tuple[str, str, str, float]] = []  # phase, path, status, seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "Probe":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(15)

    def _run(self) -> None:
        while not self._stop.is_set():
            for path in self.paths:
                started = time.perf_counter()
                try:
                    status = str(get(self.port if path == "/readyz" else self.read_port, path, timeout=10)[0])
                except OSError as exc:
                    status = type(exc).__name__
                self.seen.append((self.phase, path, status, time.perf_counter() - started))
            self._stop.wait(self.interval)

    def summary(self, phase: str) -> dict[str, Any]:
        out = {}
        for path in self.paths:
            rows = [(s, t) for ph, p, s, t in self.seen if ph == phase and p == path]
            times = [t for _, t in rows]
            out[path.split("?")[0].rsplit("/", 1)[-1] if path != "/readyz" else "readyz"] = {
                "n": len(rows), "p50_ms": percentile(times, 50) * 1000, "p99_ms": percentile(times, 99) * 1000,
                "max_ms": max(times, default=float("nan")) * 1000,
                "statuses": dict(collections.Counter(s for s, _ in rows))}
        return out


# -- reconciliation -------------------------------------------------------------------

@dataclass
class Reconciliation:
    sent: int = 0                 # keys the writers tried
    acknowledged: int = 0         # keys answered 201/202
    lost: int = 0                 # acknowledged, not in the database
    duplicated: int = 0           # keys stored more than once, or acknowledged as two comments
    unscreened: int = 0           # published without a verdict from every enabled plugin
    published: int = 0
    visible: int = 0              # published and in the public thread
    held_visible: int = 0         # not published, yet in the public thread (must be 0)
    stale_in_cache: int = 0       # through Varnish: published yet missing, or not published yet shown
    unacknowledged_stored: int = 0  # the client never heard, the comment is stored once (a retry would answer it)
    refused: int = 0              # answered 4xx: a moderation rejection (stored as rejected) or bad input
    held: int = 0                 # stored, not published (held for review, or rejected)

    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.unscreened or self.held_visible
                    or self.visible != self.published or self.stale_in_cache)


def reconcile(stack: Stack, writers: Writers) -> dict[str, Reconciliation]:
    """Every key the writers sent against the database and the public API, by the phase of its
    first attempt (and ``"all"``). Run after the writers have stopped."""
    import sqlalchemy as sa

    from discuss import create_app
    from discuss.extensions import db
    from discuss.models import PUBLISHED, Comment, Site, Thread, VerdictRecord

    env = stack.env
    app = create_app({
        "DATABASE_URL": env["DISCUSS_DATABASE_URL"], "SECRET_KEY": env["DISCUSS_SECRET_KEY"],
        "IP_HASH_KEY": env["DISCUSS_IP_HASH_KEY"], "LOAD_ENTRY_POINTS": False, "THREAD_PAGE_CACHE": False})
    host = app.extensions["discuss"]
    import importlib

    for module in stack.plugins:
        host.register(importlib.import_module(module))
    with app.app_context():
        site = db.session.execute(sa.select(Site).where(Site.slug == SITE)).scalar_one()
        enabled = {e.info.name for e in host.enabled(site)}
        rows = db.session.execute(
            sa.select(Comment.id, Comment.body, Comment.status, Thread.key)
            .join(Thread, Comment.thread_id == Thread.id).where(Thread.site_id == site.id)).all()
        verdicts: dict[int, set[str]] = collections.defaultdict(set)
        for comment_id, plugin in db.session.execute(sa.select(VerdictRecord.comment_id, VerdictRecord.plugin)):
            verdicts[comment_id].add(plugin)
        db.session.remove()
        db.engine.dispose()

    stored: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
    for comment_id, body, status, _key in rows:
        match = BODY.match(body or "")
        if match:
            stored[match["key"]].append((comment_id, status))
    visible = _visible_ids(stack.port, {key for _, _, _, key in rows})
    # Through the cache too, when there is one: every purge must have landed by now.
    cached = _visible_ids(stack.read_port, {key for _, _, _, key in rows}) if stack.varnish else visible

    results: dict[str, Reconciliation] = collections.defaultdict(Reconciliation)
    for key, phase in writers.keys.items():
        for name in (phase, "all"):
            r = results[name]
            copies = stored.get(key, [])
            acked = writers.acked.get(key, set())
            r.sent += 1
            r.acknowledged += bool(acked)
            r.refused += key in writers.refused
            r.lost += bool(acked) and not any(cid in acked for cid, _ in copies)
            r.duplicated += len(copies) > 1 or len(acked) > 1
            r.unacknowledged_stored += bool(copies) and not acked and key not in writers.refused
            for comment_id, status in copies:
                if status == PUBLISHED:
                    r.published += 1
                    r.visible += comment_id in visible
                    r.unscreened += not enabled <= verdicts.get(comment_id, set())
                    r.stale_in_cache += comment_id not in cached
                else:
                    r.held += 1
                    r.held_visible += comment_id in visible
                    r.stale_in_cache += comment_id in cached
    return dict(results)


def _visible_ids(port: int, thread_keys: Iterable[str]) -> set[int]:
    """Ids of every comment the public API shows in those threads (following cursors, replies included)."""
    seen: set[int] = set()

    def walk(comments: list[dict[str, Any]]) -> None:
        for comment in comments:
            seen.add(comment["id"])
            walk(comment.get("replies") or [])

    for key in thread_keys:
        cursor = ""
        while True:
            status, page = get(port, f"{API}/{key}?limit=500" + (f"&cursor={cursor}" if cursor else ""), timeout=30)
            if status != 200:
                raise RuntimeError(f"reading thread {key}: {status} {page}")
            walk(page["comments"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
    return seen
