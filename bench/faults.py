"""Faults under load: what residents saw and what was stored, phase by phase.

    .venv/bin/python bench/faults.py                       # 50 writers + 200 readers, 15 s a phase
    .venv/bin/python bench/faults.py --phase-seconds 5     # a short run

The stack of ``bench/mixed_load.py`` (gunicorn with deploy/gunicorn.conf.py, 4 workers,
a private PostgreSQL and Redis, Varnish with deploy/varnish.vcl and the purge relay in
front of the readers; ``--through gunicorn`` for none) with the sample plugin ``hanging``
(tests/sample_plugins/hanging.py: sleeps 30 s past a 1 s budget while its flag file
exists) installed. Writers post throughout (an ``Idempotency-Key`` each, retried with
the same key after a timeout, a dropped connection or a 5xx); readers read with wrk
(pausing ``--read-think`` ms on average, as in mixed_load.py); a probe asks gunicorn
for ``/readyz`` and reads a thread page where the readers read, every 50 ms. The
phases, in turn:

1. ``all up``;
2. ``worker killed``: one gunicorn worker gets SIGKILL (the arbiter starts another);
3. ``database restart``: the private PostgreSQL stops (immediate) for 3 s, then starts;
4. ``redis down``: the private Redis is stopped for the phase;
5. ``plugin hangs``: every screening meets the hanging plugin.

For each phase: write attempts by status, reads by status, the probe's latencies, and
the reconciliation of the keys first sent in that phase (lost, duplicated, unscreened,
visible). Targets: 0 lost, 0 duplicated, 0 unscreened, no 5xx but 503s while the
database is really down, and /readyz and reads under 100 ms (probe p99) while the
plugin hangs. Replaces bench/faults_quick.py.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.loadgen import (  # noqa: E402
    API, Probe, Reconciliation, Stack, Writers, WrkResult, add_reader_arguments, read_with_wrk, reader_paths,
    reconcile, where_readers_read)

HANG_TARGET_MS = 100
#: After PostgreSQL is back, requests that were already failing may still answer 503 for a moment.
DATABASE_GRACE = 2.0
HANGING = "tests.sample_plugins.hanging"


class Faults:
    """The faults, each run for ``seconds`` beside the load; each records when the database was down."""

    def __init__(self, stack: Stack, flag: Path) -> None:
        self.stack = stack
        self.flag = flag
        self.database_down: list[tuple[float, float]] = []
        self.notes: list[str] = []

    def all_up(self, seconds: float) -> None:
        time.sleep(seconds)

    def worker_killed(self, seconds: float) -> None:
        time.sleep(seconds * 0.3)
        pid = self.stack.kill_worker()
        self.notes.append(f"worker {pid} killed")
        time.sleep(seconds * 0.7)

    def database_restart(self, seconds: float) -> None:
        time.sleep(seconds * 0.2)
        down = time.monotonic()
        self.stack.pg.stop()
        time.sleep(min(3.0, seconds * 0.4))
        self.stack.pg.start()
        self.database_down.append((down, time.monotonic() + DATABASE_GRACE))
        time.sleep(max(0.0, seconds - (time.monotonic() - down) - seconds * 0.2))

    def redis_down(self, seconds: float) -> None:
        self.stack.redis.stop()
        try:
            time.sleep(seconds)
        finally:
            self.stack.redis.start()

    def plugin_hangs(self, seconds: float) -> None:
        self.flag.touch()
        try:
            time.sleep(seconds)
        finally:
            self.flag.unlink()

    def expected_503(self, attempt) -> bool:
        """Whether the attempt was under way while the database was down (or just back)."""
        return any(attempt.at <= end and attempt.at + attempt.seconds >= start
                   for start, end in self.database_down)


PHASES: dict[str, Callable[[Faults, float], None]] = {
    "all up": Faults.all_up,
    "worker killed": Faults.worker_killed,
    "database restart": Faults.database_restart,
    "redis down": Faults.redis_down,
    "plugin hangs": Faults.plugin_hangs,
}


def stack_for_faults(workers: int, threads: int | None = None, cache: bool = False) -> tuple[Stack, Path]:
    """A stack with the hanging plugin installed, hanging only while the returned flag file exists."""
    stack = Stack(workers=workers, threads=threads, plugins=[HANGING], cache=cache)
    flag = stack.tmp / "hang-now"
    stack.extra_env.update({"HANGING_FLAG": str(flag), "HANGING_SECONDS": "30"})
    return stack, flag


def run_phase(faults: Faults, writers: Writers, probe: Probe, name: str, seconds: float,
              readers: int, thread_count: int, use_wrk: bool = True, think_ms: float = 0.0) -> WrkResult | None:
    """Run the fault ``name`` for ``seconds`` while writers post and readers read."""
    writers.phase = probe.phase = name
    fault = threading.Thread(target=PHASES[name], args=(faults, seconds), daemon=True)
    fault.start()
    reads = None
    if use_wrk and readers:
        reads = read_with_wrk(faults.stack.read_port, seconds, readers, reader_paths(thread_count),
                              think_ms=think_ms)
    fault.join(seconds + 60)
    return reads


def unexpected_5xx(faults: Faults, writers: Writers, phase: str) -> int:
    """Write attempts in ``phase`` answered 5xx, other than 503s while the database was down."""
    return sum(1 for a in writers.attempts if a.phase == phase and a.outcome.startswith("5")
               and not (a.outcome == "503" and faults.expected_503(a)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phase-seconds", type=float, default=15)
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--hang-readers", type=int, default=None,
                        help="wrk connections during the hanging phase (default: --readers)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=20, help="threads (pages) the writers post to")
    parser.add_argument("--write-think", type=float, default=1.0)
    parser.add_argument("--phases", default=",".join(PHASES),
                        help=f"comma-separated, of: {', '.join(PHASES)}")
    add_reader_arguments(parser)
    args = parser.parse_args(argv)
    phases = [name.strip() for name in args.phases.split(",") if name.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")

    print(f"faults under load: {args.writers} writers + {args.readers} readers (wrk), "
          f"{args.phase_seconds:g} s a phase; gunicorn {args.workers} workers (deploy/gunicorn.conf.py); "
          f"private PostgreSQL and Redis; the 'hanging' plugin installed; readers read {where_readers_read(args)}")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    stack, flag = stack_for_faults(args.workers, cache=args.through == "varnish")
    reads: dict[str, WrkResult | None] = {}
    with stack:
        faults = Faults(stack, flag)
        writers = Writers(stack.port, count=args.writers, threads=args.threads, think=args.write_think)
        probe = Probe(stack.port, f"{API}/bench/t0", interval=0.05, read_port=stack.read_port)
        writers.phase = probe.phase = phases[0]
        writers.start()
        probe.start()
        for name in phases:
            readers = args.hang_readers if name == "plugin hangs" and args.hang_readers is not None else args.readers
            reads[name] = run_phase(faults, writers, probe, name, args.phase_seconds, readers, args.threads,
                                    think_ms=args.read_think)
        writers.phase = probe.phase = "after"
        writers.stop()
        probe.stop()
        load_after = os.getloadavg()[0]
        results = reconcile(stack, writers)

    failed = 0
    print()
    for name in phases:
        r = results.get(name, Reconciliation())
        bad_5xx = unexpected_5xx(faults, writers, name)
        read = reads[name]
        read_5xx = read.count_5xx() if read else 0
        if name == "database restart" and read:
            read_5xx -= read.statuses.get("503", 0)  # reads need the database while it is down too
        checks = {"lost": r.lost == 0, "duplicated": r.duplicated == 0, "unscreened": r.unscreened == 0,
                  "published visible": r.visible == r.published and r.held_visible == 0,
                  "no unexpected 5xx": bad_5xx == 0 and read_5xx == 0}
        probe_rows = probe.summary(name)
        if name == "plugin hangs":
            checks[f"readyz and reads p99 < {HANG_TARGET_MS} ms"] = all(
                row["p99_ms"] < HANG_TARGET_MS for row in probe_rows.values())
        failed += not all(checks.values())
        print(f"== {name}: {'PASS' if all(checks.values()) else 'FAIL'}")
        print(f"   writes by status: {dict(sorted(writers.statuses(name).items()))}; unexpected 5xx {bad_5xx}")
        if bad_5xx and faults.database_down:
            start = faults.database_down[0][0]
            print("   unexpected 5xx sent at (s from the database stop): " + ", ".join(
                f"{a.outcome}@{a.at - start:+.1f}" for a in writers.attempts
                if a.phase == name and a.outcome.startswith("5")
                and not (a.outcome == "503" and faults.expected_503(a))))
        if read:
            print(f"   reads: {read.per_second:.0f}/s, p50 {read.p50_ms:.1f} ms, p99 {read.p99_ms:.1f} ms, "
                  f"by status {read.statuses}, socket errors {read.errors}")
        for path, row in probe_rows.items():
            print(f"   probe {path:8} n={row['n']} p50 {row['p50_ms']:.1f} ms p99 {row['p99_ms']:.1f} ms "
                  f"max {row['max_ms']:.1f} ms {row['statuses']}")
        print(f"   stored: sent {r.sent}, acknowledged {r.acknowledged}, lost {r.lost}, duplicated {r.duplicated}, "
              f"unscreened {r.unscreened}, published {r.published} (visible {r.visible}), held {r.held} "
              f"(visible {r.held_visible}), stored unacknowledged {r.unacknowledged_stored}, refused {r.refused}")
        print("   checks: " + ", ".join(f"{k} {'ok' if v else 'FAILED'}" for k, v in checks.items()))
    total = results.get("all", Reconciliation())
    print(f"\nall phases: sent {total.sent}, acknowledged {total.acknowledged}, lost {total.lost}, "
          f"duplicated {total.duplicated}, unscreened {total.unscreened}")
    print(f"notes: {'; '.join(faults.notes)}; database down windows (s): "
          f"{[round(end - start - DATABASE_GRACE, 1) for start, end in faults.database_down]}")
    print(f"load average after: {load_after:.2f}")
    print("RESULT:", "PASS" if not failed else f"FAIL ({failed} phases)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
