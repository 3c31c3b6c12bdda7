"""Screening benchmark: the whole default plugin pipeline on 500-word comments.

Generates deterministic, realistic 500-word comments (council vocabulary,
punctuation, numbers, names, curly quotes and the odd accented word), then in
the same run times, per comment:

* ``screen_comment`` with every built-in plugin at its default settings, in an
  app on a temporary SQLite database (the database-reading plugins query it),
  each comment a new text as in life (the headline figure), and the same
  comments again (what the per-text memory saves);
* the same without the toxicity plugin, and with one plugin in an isolated process;
* the profanity plugin's matcher alone, warm and with nothing remembered;
* the hate plugin alone (its analysis is remembered per text, for the toxicity
  plugin to share; here the memory is emptied before every call);
* the whole pipeline on 50-word comments;
* ``better_profanity.profanity.contains_profanity`` on the same texts
  (slow: about a second per comment, so it runs on ``--baseline-comments`` of them).

and prints milliseconds per comment (median and mean wall-clock time, and the
median CPU time of the process, which other processes on a shared machine do not
inflate as much: the pipeline's plugins run on a worker thread, so wall-clock time
includes waiting for the operating system to run it) and the ratio to better-profanity.

    .venv/bin/python bench/bench_screening.py [--comments 40] [--rounds 5] [--baseline-comments 4]
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VOCABULARY = """
the council bins collection street parking road residents planning application meeting
Thursday library park bus route children school traffic potholes consultation budget tax
housing development green space flooding drains lights pavement cycle lane neighbours noise
hours week month year please thank you would could should think agree disagree because
however also really very good bad poor better worse service staff email phone website online
form response decision committee councillor ward local area town village centre shops market
recycling tip fly-tipping litter dog fouling allotment allotments bench benches playground
footpath bridleway hedge verge grass cutting gritting winter summer evening morning officers
survey results minutes agenda report evidence question answer people community volunteers
it's don't can't we've they're isn't who what when where why how and but or so if then
not all any some many few more most less least first last next new old same other every
""".split()
NAMES = ["Harrogate Road", "Penistone", "Scunthorpe", "Cockermouth", "Essex", "Cllr Patel",
         "Mrs O'Neill", "St Mary's", "Dickens Close", "Middlesex Street", "Évian", "Café Nero"]
ENDINGS = [".", ".", ".", "?", "!", "…"]


def make_comment(rng: random.Random, words: int = 500) -> str:
    """One deterministic, readable-looking comment of ``words`` words."""
    out: list[str] = []
    sentence: list[str] = []
    written = 0
    while written + len(sentence) < words:
        roll = rng.random()
        if roll < 0.03:
            sentence.append(rng.choice(NAMES))
        elif roll < 0.05:
            sentence.append(str(rng.choice([2, 7, 12, 30, 45, 101, 2024, 2026])))
        elif roll < 0.06:
            sentence.append("“" + rng.choice(VOCABULARY) + "”")
        else:
            sentence.append(rng.choice(VOCABULARY))
        if len(sentence) >= rng.randint(8, 22):
            text = " ".join(sentence)
            out.append(text[0].upper() + text[1:] + rng.choice(ENDINGS))
            written += len(sentence)
            sentence = []
    if sentence:
        out.append(" ".join(sentence) + ".")
    return " ".join(out)


def per_comment_ms(function, texts, rounds: int, after=None) -> tuple[float, float, float]:
    """(median, mean, median CPU) milliseconds per call over ``rounds`` passes over
    ``texts``; ``after(text)`` runs after each call, untimed. CPU time is the whole
    process's (``time.process_time``: the screening worker thread's included)."""
    times, cpu = [], []
    for _ in range(rounds):
        for text in texts:
            started, started_cpu = time.perf_counter(), time.process_time()
            function(text)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            if after is not None:
                after(text)
    return statistics.median(times), statistics.fmean(times), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline-comments", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--short-words", type=int, default=50)
    args = parser.parse_args()

    from better_profanity import profanity as better_profanity

    from discuss import create_app
    from discuss.extensions import db
    from discuss.models import Site
    from discuss.moderation import screen_comment
    from discuss.testing import make_submission
    from discuss_builtins.profanity import WordList, builtin_tiers, find_words, wordlist

    rng = random.Random(args.seed)
    texts = [make_comment(rng) for _ in range(args.comments)]
    words = statistics.fmean(len(t.split()) for t in texts)
    short_texts = [make_comment(rng, args.short_words) for _ in range(args.comments * args.rounds)]
    fresh_texts = [make_comment(rng) for _ in range(args.comments * args.rounds)]
    # New texts again for the per-plugin figures (a plugin's time on a text seen before
    # would not count the analysis the plugins share per text).
    plugin_texts = [make_comment(rng) for _ in range(args.comments)]

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.db", "LOAD_ENTRY_POINTS": False,
                          "SECRET_KEY": secrets.token_urlsafe(48), "IP_HASH_KEY": secrets.token_urlsafe(48)})
        with app.app_context():
            db.create_all()
            site = Site(slug="bench", name="Bench Council", allowed_origins=[], moderation={})
            db.session.add(site)
            db.session.commit()
            pm = app.extensions["discuss"]
            submissions = {t: make_submission(t, site="bench")
                           for t in texts + short_texts + fresh_texts + plugin_texts}

            def pipeline(text):
                return screen_comment(pm, submissions[text], site)

            def end_request(_text):
                # What the end of a request does; a request loads its site anyway,
                # so reloading the expired row is not the screening's time.
                db.session.rollback()
                db.session.refresh(site)

            # Load the toxicity model and the plugins' caches on an unrelated text.
            started = time.perf_counter()
            pipeline_result = screen_comment(pm, make_submission(make_comment(random.Random(1)), site="bench"), site)
            load_seconds = time.perf_counter() - started
            end_request(None)

            # Every comment a new text, as in life: nothing remembered per text helps.
            first_sight = per_comment_ms(pipeline, fresh_texts, 1, end_request)
            decisions = {pipeline(t).decision for t in texts}
            end_request(None)
            full = per_comment_ms(pipeline, texts, args.rounds, end_request)
            per_plugin: dict[str, list[float]] = {}
            for text in plugin_texts:
                for pv in pipeline(text).verdicts:
                    per_plugin.setdefault(pv.plugin, []).append(pv.elapsed_ms)
                end_request(text)
            short = per_comment_ms(pipeline, short_texts, 1, end_request)
            from discuss import hatespeech
            from discuss.testing import load_settings
            from discuss_builtins import hate

            hate_settings = load_settings(hate)

            def hate_alone(text):
                hatespeech._analyse_cached.cache_clear()
                return hate.discuss_screen_comment(submissions[text], hate_settings)

            hate_only = per_comment_ms(hate_alone, texts, args.rounds)
            # One plugin screening in an isolated process (discuss/isolation.py): the price of
            # being able to kill a plugin stuck in C code.
            app.config["ISOLATE_PLUGINS"] = ["watch_words"]
            pipeline(texts[0])
            isolated = per_comment_ms(pipeline, texts, args.rounds, end_request)
            app.config["ISOLATE_PLUGINS"] = []
            pm._isolation.close()
            app.config["DISABLED_PLUGINS"] = ["toxicity"]
            without_toxicity = per_comment_ms(pipeline, texts, args.rounds, end_request)
            app.config["DISABLED_PLUGINS"] = []
            matcher = per_comment_ms(lambda t: find_words(t, wordlist()), texts, args.rounds)
            # The matcher remembers tokens it has judged; with an empty memory every
            # distinct token of the comment is classified afresh.
            tiers = builtin_tiers()
            fresh = {t: WordList(tiers) for t in texts}
            matcher_cold = per_comment_ms(lambda t: find_words(t, fresh[t]), texts, 1)

    better_profanity.load_censor_words()
    baseline_texts = texts[: args.baseline_comments]
    baseline = per_comment_ms(better_profanity.contains_profanity, baseline_texts, 1)

    print(f"{len(texts)} comments of {words:.0f} words; {args.rounds} rounds; "
          f"better-profanity on {len(baseline_texts)} of them, 1 round")
    print(f"first screening in the process (loads the toxicity model): {load_seconds * 1000:.0f} ms")
    print(f"decisions: {sorted(decisions)} ({pipeline_result.decision} for the warm-up text)")
    print()
    print(f"{'':44}{'median ms':>12}{'mean ms':>12}{'CPU ms':>12}{'x faster':>12}")
    rows = [
        ("better_profanity.contains_profanity", baseline),
        ("PIPELINE, all built-ins, each comment new", first_sight),
        ("pipeline, the same comments again", full),
        ("pipeline without toxicity", without_toxicity),
        ("pipeline, watch_words in an isolated process", isolated),
        (f"pipeline, {args.short_words}-word comments, each new", short),
        ("hate plugin alone, nothing remembered", hate_only),
        ("profanity matcher alone", matcher),
        ("profanity matcher, nothing remembered", matcher_cold),
    ]
    for label, (median, mean, cpu) in rows:
        ratio = baseline[0] / median if median else float("inf")
        print(f"{label:44}{median:12.3f}{mean:12.3f}{cpu:12.3f}{ratio:12.0f}")
    print("(CPU ms: median CPU time of the whole process; for the isolated row the child's is not counted)")
    print()
    print("per plugin, mean ms inside the pipeline (new comments; the first plugin to read a text\n"
          "pays for what the plugins share: its normalisation, the hate analysis):")
    for plugin, values in sorted(per_plugin.items(), key=lambda item: -statistics.fmean(item[1])):
        print(f"  {plugin:20}{statistics.fmean(values):8.3f}")


if __name__ == "__main__":
    main()
