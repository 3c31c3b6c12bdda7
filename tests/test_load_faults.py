"""The fault scenarios of bench/faults.py, briefly, against real processes.

gunicorn with deploy/gunicorn.conf.py (2 workers, gthread) on a private PostgreSQL
and Redis (tests/servers.py: missing binaries skip outside CI and fail in it). Each
scenario has a few residents posting for a couple of seconds while the fault happens,
then reconciles every key they sent (bench/loadgen.py): nothing lost, nothing twice,
nothing published unscreened, and no 5xx but 503s while the database is really down.
Plus the request deadline and the client that has gone (discuss/deadline.py).
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import uuid

import pytest

from bench.faults import Faults, stack_for_faults
from bench.loadgen import API, Writers, get, reconcile
from discuss.deadline import RequestDeadline, request_start, waited
from discuss.clients import parse_networks

SLOW = "tests.sample_plugins.slow"


@pytest.fixture(scope="module")
def stack():
    stack, flag = stack_for_faults(workers=2, threads=8)
    stack.plugins += (SLOW,)
    stack.extra_env.update({"SLOW_FLAG": str(stack.tmp / "slow-now"), "SLOW_SECONDS": "1.5",
                            "DISCUSS_REQUEST_DEADLINE": "3"})
    with stack:
        stack.hang_flag = flag
        _STACK_URL[:] = [stack.pg.url]
        yield stack


def post_under(stack, fault, *, writers: int = 4, before: float = 0.7, after: float = 1.5):
    """Residents post while ``fault()`` runs; the writers, once every post has ended."""
    w = Writers(stack.port, count=writers, threads=3, think=0.05, drain=30)
    w.phase = "fault"
    w.start()
    time.sleep(before)
    fault()
    time.sleep(after)
    w.stop()
    return w


def assert_reconciled(stack, writers):
    result = reconcile(stack, writers)["fault"]
    # Every post ended known: acknowledged, or refused (a flood of posts from one address gets
    # some rejected by the flood plugin: stored as rejected, answered 422 naming the body).
    assert all(" " in why and '"body"' in why for why in writers.refused.values()), writers.refused
    assert result.acknowledged + result.refused == result.sent > 0
    assert (result.lost, result.duplicated, result.unscreened) == (0, 0, 0)
    assert result.visible == result.published and result.held_visible == 0
    return result


def test_a_worker_killed_mid_load_loses_and_duplicates_nothing(stack):
    killed = []
    writers = post_under(stack, lambda: killed.append(stack.kill_worker()))
    assert killed and killed[0] not in stack.worker_pids()
    assert not [a for a in writers.attempts if a.outcome.startswith("5")]
    assert_reconciled(stack, writers)
    assert get(stack.port, "/readyz")[0] == 200  # the arbiter replaced it


def test_a_database_restart_answers_503_only_while_it_is_down(stack):
    faults = Faults(stack, stack.hang_flag)
    writers = post_under(stack, lambda: faults.database_restart(3.0), after=1.0)
    fives = [a for a in writers.attempts if a.outcome.startswith("5")]
    start, end = faults.database_down[0]
    assert_reconciled(stack, writers)
    unexpected = [a for a in fives if a.outcome != "503" or not faults.expected_503(a)]
    assert all(a.outcome == "503" and faults.expected_503(a) for a in fives), (
        f"down for {end - start:.1f} s (with the grace); outside it: "
        + ", ".join(f"{a.outcome} sent {a.at - start:+.2f} s, took {a.seconds:.2f} s"
                    for a in unexpected))


def test_redis_down_posting_keeps_working(stack):
    stack.redis.stop()
    try:
        writers = post_under(stack, lambda: None, before=0.2)
        assert get(stack.port, "/readyz")[1]["failing"] == ["redis:RATELIMIT_STORAGE_URI"]
    finally:
        stack.redis.start()
    assert set(writers.statuses()) <= {"201", "202", "422"}  # 422: the flood plugin's rejections
    assert_reconciled(stack, writers)


def test_a_hanging_plugin_holds_posts_and_reads_do_not_wait_behind_them(stack):
    stack.hang_flag.touch()
    try:
        writers = Writers(stack.port, count=4, threads=3, think=0.05, drain=30)
        writers.phase = "fault"
        writers.start()
        time.sleep(0.3)  # the first posts are screening: the plugin sleeps 30 s past its 1 s budget
        reads = [get(stack.port, f"{API}/bench/t0")[0] for _ in range(5)] + [get(stack.port, "/readyz")[0]]
        still_screening = not writers.attempts
        time.sleep(1.5)
        writers.stop()
    finally:
        stack.hang_flag.unlink()
    assert still_screening  # the reads above were answered while every post waited on the plugin
    assert reads == [200] * 6
    # Held, or the flood plugin's rejections; never a timeout: the screening is abandoned on the hanging
    # plugin's budget whatever plugin ran before it (a 10 s one made the caller sleep through it, issue 12).
    assert set(writers.statuses()) <= {"202", "422"}, writers.statuses()
    result = assert_reconciled(stack, writers)
    assert result.held == result.acknowledged + result.refused and result.published == 0
    # The stuck calls are bounded: later posts were held without calling the plugin.
    assert "earlier calls are still running past their budget" in stack.log()


def _post(port, thread, body, headers=None, timeout=20):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", f"{API}/{thread}/comments", body=json.dumps(body),
                     headers={"Content-Type": "application/json", **(headers or {})})
        res = conn.getresponse()
        return res.status, json.loads(res.read() or b"{}"), dict(res.getheaders())
    finally:
        conn.close()


def _comments(port, thread, everything=False):
    """Bodies of the thread's comments: the public ones, or (``everything``) every stored one."""
    if everything:
        import sqlalchemy as sa

        engine = sa.create_engine(_STACK_URL[0])
        try:
            with engine.connect() as conn:
                return list(conn.execute(sa.text(
                    "SELECT c.body FROM comment c JOIN thread t ON t.id = c.thread_id WHERE t.key LIKE :key"),
                    {"key": f"%{thread}"}).scalars())
        finally:
            engine.dispose()
    status, page = get(port, f"{API}/{thread}")
    return [c["body"] for c in page["comments"]] if status == 200 else []


_STACK_URL: list[str] = []


def test_a_write_that_waited_past_the_deadline_is_answered_503_unprocessed(stack):
    key = uuid.uuid4().hex
    body = {"author_name": "R", "body": f"late {key}"}
    stale = {"Idempotency-Key": key, "X-Request-Start": f"t={time.time() - 10:.3f}"}
    status, answer, headers = _post(stack.port, "bench/deadline", body, stale)
    assert status == 503 and headers["Retry-After"] == "5"
    assert answer["code"] == 503 and "request" in answer["errors"]
    assert not any(key in text for text in _comments(stack.port, "bench/deadline", everything=True))
    # The retry with a fresh stamp is processed: the first attempt stored nothing, not even its key.
    status, answer, _ = _post(stack.port, "bench/deadline", body,
                              {"Idempotency-Key": key, "X-Request-Start": f"t={time.time():.3f}"})
    assert status in (201, 202)  # 202: held while the hanging plugin of an earlier test is busy
    assert sum(key in text for text in _comments(stack.port, "bench/deadline", everything=True)) == 1
    # Reads are answered however late.
    assert get(stack.port, f"{API}/bench/deadline", headers={"X-Request-Start": f"t={time.time() - 10:.3f}"})[0] == 200


def test_a_post_whose_client_has_gone_stores_nothing(stack):
    slow_flag = stack.tmp / "slow-now"
    key = uuid.uuid4().hex
    body = json.dumps({"author_name": "R", "body": f"gone {key}"}).encode()
    slow_flag.touch()
    try:
        with socket.create_connection(("127.0.0.1", stack.port)) as sock:
            sock.sendall(b"POST " + f"{API}/bench/gone/comments".encode() + b" HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/json\r\nIdempotency-Key: " + key.encode() +
                         b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            time.sleep(0.3)  # the request is read and screening (1.5 s); the client gives up
        deadline = time.monotonic() + 20
        while "the client closed the connection before the write committed" not in stack.log():
            assert time.monotonic() < deadline, stack.log()[-2000:]
            time.sleep(0.1)
    finally:
        slow_flag.unlink()
    assert not any(key in text for text in _comments(stack.port, "bench/gone", everything=True))
    status, _answer, _ = _post(stack.port, "bench/gone", json.loads(body), {"Idempotency-Key": key})
    assert status in (201, 202)  # a new post, not the answer to an earlier one: nothing was kept
    assert sum(key in text for text in _comments(stack.port, "bench/gone", everything=True)) == 1


# -- the deadline's parts, without a server -----------------------------------------

@pytest.mark.parametrize("header, expected", [
    ("t=1700000000.123", 1700000000.123),      # nginx $msec
    ("t=1700000000123", 1700000000.123),       # milliseconds
    ("t=1700000000123456", 1700000000.123456),  # microseconds
    ("1700000000.5", 1700000000.5),
    ("t=soon", None), ("t=", None), ("t=-5", None), ("t=nan", None),
])
def test_request_start_reads_the_usual_stamps(header, expected):
    assert request_start(header) == pytest.approx(expected) if expected else request_start(header) is None


def test_the_stamp_is_believed_only_from_a_trusted_proxy():
    proxies = parse_networks(["10.0.0.5"])
    stamp = {"HTTP_X_REQUEST_START": "t=1000.0"}
    assert waited({**stamp, "REMOTE_ADDR": "10.0.0.5"}, proxies, now=1012.5) == 12.5
    assert waited({**stamp, "REMOTE_ADDR": "203.0.113.9"}, proxies, now=1012.5) is None
    # Behind TrustedProxies REMOTE_ADDR is the client; the peer is kept aside.
    assert waited({**stamp, "REMOTE_ADDR": "203.0.113.9", "discuss.peer_addr": "10.0.0.5"}, proxies,
                  now=1012.5) == 12.5
    assert waited({**stamp, "REMOTE_ADDR": "10.0.0.5"}, (), now=1012.5) is None


def test_only_late_writes_are_turned_away():
    seen = []
    app = RequestDeadline(lambda environ, start: seen.append(environ["REQUEST_METHOD"]) or [b"ok"], 5.0,
                          parse_networks(["127.0.0.1"]))
    late = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REQUEST_START": f"t={time.time() - 60:.3f}"}
    statuses = []
    for method in ("GET", "POST", "DELETE"):
        body = app({**late, "REQUEST_METHOD": method}, lambda status, headers: statuses.append(status))
        if method != "GET":
            assert json.loads(b"".join(body))["errors"]["request"]
    assert seen == ["GET"] and statuses == ["503 SERVICE UNAVAILABLE"] * 2
