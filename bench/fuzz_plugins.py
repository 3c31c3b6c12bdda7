"""Fuzz every built-in screening plugin with hostile text and print the worst time.

    .venv/bin/python -m bench.fuzz_plugins [--examples 300] [--mega]
    .venv/bin/python -m bench.fuzz_plugins --shapes [--repeat 5]

``--shapes`` prints, per plugin, the median CPU time (``time.thread_time``: other
processes on a loaded machine do not count) on each of the hand-built worst
shapes of issue 10 (:data:`WORST_SHAPES`, 10,000 characters; the last three a
megabyte), with the word caches emptied before every run, and a trivial
baseline from the same run (a Python loop over 10,000 characters).

Runs the strategies of tests/hostile_text.py (long runs of punctuation, dotted
labels, at-signs, slashes, spaced letters, every Unicode category) far longer
than the test suite does, each body fresh (so no plugin cache answers), plus
the known backtracking shapes at the body limit and, with ``--mega``,
megabyte-long words (beyond the body limit: how the patterns scale). The
baseline, from the same run, is the link pattern before issue 11 under
Python's ``re`` on ``"a." * 5000``.
"""

from __future__ import annotations

import argparse
import re
import time
import uuid

from hypothesis import HealthCheck, given, settings

from discuss.history import History
from discuss.textnorm import normalise
from discuss.testing import make_submission, run_plugin
from discuss_builtins import (
    bans, election_period, first_time, flood, links, personal_data, profanity, toxicity, watch_words,
)
from tests.hostile_text import hostile
from tests.test_screening_linear import SETTINGS

PLUGINS = [links, personal_data, watch_words, election_period, bans, flood, first_time, profanity, toxicity]
SHAPES = ["a.", "a-a.", "aA1.", "a.a-", "w@w.", "a.b@", "1-", "1 ", "f u c k ", "s.h.i.t ", "x.com.", "//"]
# Issue 10 "Bad input": the worst shapes found for each plugin (see docs/plugins.md).
WORST_SHAPES = {
    "a-a.": "a-a." * 2500, "a.": "a." * 5000, "f u c k": "f u c k " * 1250, "f  u  c  k": "f  u  c  k  " * 833,
    "s.h.i.t": "s.h.i.t " * 1250, "x y z": "x y z " * 2000, "_a": "_a" * 5000, "zwsp": "\u200b" * 10_000,
    "zwj in words": "fu\u200dck\u200d " * 1250, "mixed scripts": "aа𝐚é ı" * 2000,
    "every category": "".join(chr(c) for c in range(0x20, 0x30000, 37)
                              if not 0xd800 <= c < 0xe000)[:10_000],
    "Capitalised": "Dick Cock Twatt " * 625, "leet": "sh1t f4ck 5od 0ff " * 550, "1-": "1-" * 5000,
    "long word": "a" * 10_000, "group names": "Muslims Jews Travellers asylum seekers " * 260,
    "1 MB word": "a" * 1_000_000, "1 MB zwsp": "a\u200b" * 500_000, "1 MB a.": "a." * 500_000,
}


def cold_cpu(plugin, text: str) -> float:
    """CPU time of one screening of a fresh copy of ``text``, every per-text cache emptied first."""
    words = profanity.wordlist()
    words._clean.clear()
    words._bad.clear()
    profanity.find_words_cached.cache_clear()
    normalise.cache_clear()
    submission = make_submission(fresh(text), author_email="fuzz@example.org")
    started = time.thread_time()
    run_plugin(plugin, submission, SETTINGS[plugin.name], history=History.empty())
    return time.thread_time() - started


def shapes(repeat: int) -> None:
    import statistics
    import os

    def loop():
        started = time.thread_time()
        sum(1 for c in "x" * 10_000 if c == "y")
        return time.thread_time() - started

    baseline = statistics.median(loop() for _ in range(repeat * 3))
    print(f"load average {os.getloadavg()[0]:.2f}; baseline (Python loop over 10,000 chars) "
          f"{baseline * 1000:.2f} ms CPU; medians of {repeat}, ms CPU")
    for plugin in PLUGINS:
        timed(plugin, "warm up")
        row = []
        for label, text in WORST_SHAPES.items():
            text = text if label.startswith("1 MB") else text[:10_000]
            row.append((statistics.median(cold_cpu(plugin, text) for _ in range(repeat)), label))
        worst = max(row)
        print(f"{plugin.name:16} worst {worst[0] * 1000:7.1f} on {worst[1]!r}:  "
              + "  ".join(f"{label}={took * 1000:.1f}" for took, label in row), flush=True)


OLD_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|net|org|info|biz|xyz|top|io|co|uk|ru|cn|online|site|shop|club|live|app|me|ly)\b"
    r"(?:/[^\s<>\"')\]]*)?",
    re.IGNORECASE,
)


def timed(plugin, text: str) -> float:
    submission = make_submission(text, author_email="fuzz@example.org")
    started = time.perf_counter()
    run_plugin(plugin, submission, SETTINGS[plugin.name], history=History.empty())
    return time.perf_counter() - started


def fresh(text: str) -> str:
    """The text with a unique tail, so that no per-text cache answers."""
    return text + " " + uuid.uuid4().hex[:8]


def fuzz(plugin, examples: int) -> tuple[float, str]:
    worst = [0.0, ""]

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(hostile)
    def run(text):
        took = timed(plugin, fresh(text))
        if took > worst[0]:
            worst[:] = [took, f"{text[:12]!r}... ({len(text)} chars)"]

    run()
    for shape in SHAPES:
        text = fresh((shape * 10_000)[:9_990])
        took = timed(plugin, text)
        if took > worst[0]:
            worst[:] = [took, f"{shape!r} * n (10,000 chars)"]
    return worst[0], worst[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--mega", action="store_true", help="also 1,000,000-character words")
    parser.add_argument("--shapes", action="store_true", help="the worst shapes of issue 10, CPU medians")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.shapes:
        shapes(args.repeat)
        return
    started = time.perf_counter()
    list(OLD_LINK.finditer("a." * 5000))
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    links.find_links("a." * 5000)
    now = time.perf_counter() - started
    print(f"baseline: old link pattern (re) on 'a.' * 5000: {baseline * 1000:.0f} ms; "
          f"RE2 now: {now * 1000:.2f} ms (ratio {baseline / max(now, 1e-9):.0f}x)")
    for plugin in PLUGINS:
        timed(plugin, "warm up")
        worst, where = fuzz(plugin, args.examples)
        line = f"{plugin.name:16} worst {worst * 1000:7.1f} ms  ({worst / baseline:.3f} of baseline) on {where}"
        if args.mega:
            mega = max(timed(plugin, fresh(word)) for word in ("a" * 1_000_000, "a." * 500_000, "1-" * 500_000))
            line += f"; 1 MB words worst {mega * 1000:.0f} ms"
        print(line, flush=True)


if __name__ == "__main__":
    main()
