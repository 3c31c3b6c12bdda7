"""Fuzz every built-in screening plugin with hostile text and print the worst time.

    .venv/bin/python -m bench.fuzz_plugins [--examples 300] [--mega]

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
from discuss.testing import make_submission, run_plugin
from discuss_builtins import (
    bans, election_period, first_time, flood, links, personal_data, profanity, toxicity, watch_words,
)
from tests.hostile_text import hostile
from tests.test_screening_linear import SETTINGS

PLUGINS = [links, personal_data, watch_words, election_period, bans, flood, first_time, profanity, toxicity]
SHAPES = ["a.", "a-a.", "aA1.", "a.a-", "w@w.", "a.b@", "1-", "1 ", "f u c k ", "s.h.i.t ", "x.com.", "//"]
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
    args = parser.parse_args()
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
