"""Mixed load: residents posting while readers read, then every acknowledged write reconciled.

    .venv/bin/python bench/mixed_load.py                 # 50 writers + 200 readers, 60 s
    .venv/bin/python bench/mixed_load.py --seconds 10    # a short run

The production stack of docs/operations.md on one machine: gunicorn with
``deploy/gunicorn.conf.py`` (4 workers, gthread) on a private PostgreSQL (``initdb`` on a
free port, ``fsync=off``) with a private Redis for rate limits, every built-in plugin
screening every post; in front, Varnish with ``deploy/varnish.vcl`` and ``discuss
purge-relay`` purging each thread's pages the moment a commit changes them
(``--through gunicorn``: readers read gunicorn directly, no cache).

Writers are Python threads (``bench/loadgen.py``: each posts to gunicorn with an
``Idempotency-Key``, thinks a random while averaging ``--write-think`` seconds, retries
a timeout or 5xx with the same key). Readers are ``wrk`` connections (C, so they cost
the server little CPU) reading the writers' thread pages, ``/embed.js`` and the widget's
words, each after a random pause averaging ``--read-think`` ms: 200 readers at 100 ms
ask for up to 2,000 reads a second, twice the target (0: back to back, which measures
how much CPU the load generator and the cache can take from the writers, not readers).
Then every key sent is looked up in the database, the public API and, with the cache,
the public API through Varnish (a page the relay failed to purge shows there).
Prints each figure beside its target and PASS/FAIL, the load average, and the CPU the
load generator used (it shares the machine).

Needs wrk (``apt-get install -y wrk``), varnish and varnish-modules (xkey), redis-server,
initdb and pg_ctl.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.loadgen import (  # noqa: E402
    Probe, Stack, Writers, add_reader_arguments, percentile, read_with_wrk, reader_paths, reconcile,
    where_readers_read)

TARGETS = {"reads_per_s": 1000, "read_p99_ms": 250, "write_p99_ms": 500}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--readers", type=int, default=200, help="wrk connections")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=20, help="threads (pages) the writers post to")
    parser.add_argument("--write-think", type=float, default=1.0, help="seconds a writer waits between posts")
    parser.add_argument("--warm-seconds", type=float, default=5, help="writers alone first, unmeasured")
    parser.add_argument("--baseline-seconds", type=float, default=10,
                        help="readers alone first, for comparison (0: skip)")
    add_reader_arguments(parser)
    args = parser.parse_args(argv)

    print(f"mixed load: {args.writers} writers (think {args.write_think:g} s) + {args.readers} readers "
          f"(wrk, think {args.read_think:g} ms) for {args.seconds:g} s; gunicorn {args.workers} workers "
          f"(deploy/gunicorn.conf.py); private PostgreSQL and Redis; readers read {where_readers_read(args)}")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with Stack(workers=args.workers, cache=args.through == "varnish") as stack:
        # Warm up, unmeasured: the writers at full rate for a few seconds, so every thread has
        # pages and every worker has opened its database connections and met every statement
        # (what the first seconds after a deploy cost is not what a minute of load costs).
        warm = Writers(stack.port, count=args.writers, threads=args.threads, think=args.write_think, drain=30)
        warm.phase = "warm-up"
        warm.start()
        time.sleep(args.warm_seconds)
        warm.stop()
        alone = None
        if args.baseline_seconds:
            cpu = stack.cpu_seconds()
            alone = read_with_wrk(stack.read_port, args.baseline_seconds, args.readers, reader_paths(args.threads),
                                  think_ms=args.read_think)
            alone_cpu = stack.cpu_seconds() - cpu
        writers = Writers(stack.port, count=args.writers, threads=args.threads, think=args.write_think)
        probe = Probe(stack.port, "/api/v1/sites/council/threads/bench/t0", interval=0.2,
                      read_port=stack.read_port).start()
        cpu_before = time.process_time()
        server_cpu_before = stack.cpu_seconds()
        writers.start()
        reads = read_with_wrk(stack.read_port, args.seconds, args.readers, reader_paths(args.threads),
                              think_ms=args.read_think)
        writers.stop()
        probe.stop()
        server_cpu = stack.cpu_seconds() - server_cpu_before
        load_cpu = time.process_time() - cpu_before + reads.cpu_seconds
        load_after = os.getloadavg()[0]
        results = reconcile(stack, writers)["load"]

    statuses = writers.statuses("load")
    latencies = writers.latencies("load")
    writes_per_s = sum(n for s, n in statuses.items() if s in ("201", "202")) / reads.seconds
    write_5xx = sum(n for s, n in statuses.items() if s.startswith("5"))
    read_5xx = reads.count_5xx()
    figures = [
        ("reads/s", reads.per_second, ">=", TARGETS["reads_per_s"]),
        ("read p50 ms", reads.p50_ms, "", None),
        ("read p99 ms", reads.p99_ms, "<", TARGETS["read_p99_ms"]),
        ("writes/s (acknowledged attempts)", writes_per_s, "", None),
        ("write p50 ms", percentile(latencies, 50) * 1000, "", None),
        ("write p99 ms", percentile(latencies, 99) * 1000, "<", TARGETS["write_p99_ms"]),
        ("read 5xx", read_5xx, "==", 0),
        ("write 5xx", write_5xx, "==", 0),
        ("lost", results.lost, "==", 0),
        ("duplicated", results.duplicated, "==", 0),
        ("unscreened", results.unscreened, "==", 0),
        ("published but not visible", results.published - results.visible, "==", 0),
        ("held yet visible", results.held_visible, "==", 0),
        ("stale through the cache", results.stale_in_cache, "==", 0),
    ]
    print()
    print(f"{'figure':36} {'measured':>10}  target")
    failed = 0
    for name, value, op, target in figures:
        verdict = ""
        if target is not None:
            ok = {">=": value >= target, "<": value < target, "==": value == target}[op]
            failed += not ok
            verdict = f"{op} {target:<6} {'PASS' if ok else 'FAIL'}"
        print(f"{name:36} {value:>10.1f}  {verdict}" if isinstance(value, float) else
              f"{name:36} {value:>10}  {verdict}")
    print()
    print(f"write attempts by status: {dict(sorted(statuses.items()))}")
    print(f"reads by status: {reads.statuses}; wrk socket errors: {reads.errors}")
    if alone is not None:
        print(f"readers alone (same run, before the writers): {alone.per_second:.0f} reads/s, p50 {alone.p50_ms:.1f} ms, "
              f"p99 {alone.p99_ms:.1f} ms, server CPU {1000 * alone_cpu / max(1, alone.requests):.2f} ms a read; "
              f"under the mixed load: {reads.per_second / max(1.0, alone.per_second):.2f}x the reads/s")
        writes = sum(n for s, n in statuses.items() if s in ("201", "202", "422"))
        per_read = alone_cpu / max(1, alone.requests)
        print(f"server CPU a write, estimated (mixed CPU less its reads at the alone rate): "
              f"{1000 * (server_cpu - reads.requests * per_read) / max(1, writes):.1f} ms")
    print(f"reconciliation: sent {results.sent}, acknowledged {results.acknowledged}, "
          f"published {results.published} (visible {results.visible}), held {results.held}, "
          f"refused {results.refused}, stored without the client hearing {results.unacknowledged_stored}")
    for name, row in probe.summary("load").items():
        print(f"probe {name:8} n={row['n']} p50 {row['p50_ms']:.1f} ms p99 {row['p99_ms']:.1f} ms "
              f"max {row['max_ms']:.1f} ms {row['statuses']}")
    print(f"load generator CPU: {load_cpu:.1f} s over {reads.seconds:.1f} s "
          f"({100 * load_cpu / reads.seconds:.0f}% of one core; wrk {reads.cpu_seconds:.1f} s)")
    print(f"server CPU (gunicorn workers): {server_cpu:.1f} s, {100 * server_cpu / reads.seconds:.0f}% of one core "
          f"of the {os.cpu_count()}")
    print(f"load average after: {load_after:.2f}")
    print("RESULT:", "PASS" if not failed else f"FAIL ({failed} figures off target)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
