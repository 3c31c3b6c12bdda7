"""Hostile input: every built-in plugin's time on the worst 10,000-character comments we could build.

The rule (issue 10, "Bad input"): no plugin may take more than 20 ms on a
10,000-character comment. For each hostile text this runs the whole default
pipeline (an app on a temporary SQLite database) and reports the slowest
plugin's time inside it, and the hate analysis alone with nothing remembered;
the baseline, in the same run, is an ordinary 10,000-character council comment.
Times are the best of ``--rounds`` runs (the machine is shared).

    .venv/bin/python bench/bench_hate.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_screening import make_comment  # noqa: E402

GROUPS = ["Muslims", "Jews", "immigrants", "refugees", "Travellers", "gay people", "trans people", "women",
          "disabled people", "black people", "asylum seekers", "Romanians", "Gypsies", "Sikhs", "Hindus"]


def hostile_texts() -> dict[str, str]:
    rng = random.Random(10)
    every_category = "".join(chr(c) for c in range(0x20, 0x30000, 7) if c < 0xD800 or c > 0xDFFF)
    return {
        "ordinary comment (baseline)": make_comment(rng, 1800)[:10_000],
        "one 10,000-letter word": "x" * 10_000,
        "thousands of group names": " ".join(rng.choice(GROUPS) for _ in range(1500))[:10_000],
        "group names and predicates, no punctuation": " ".join(
            f"{rng.choice(GROUPS)} are {rng.choice(['vermin', 'not criminals', 'welcome', 'rats'])}"
            for _ in range(400))[:10_000],
        "spaced letters": ("m u s l i m s a r e v e r m i n " * 400)[:10_000],
        "single letters": ("a " * 5000),
        "leet and digits": ("1m m1gr4nts 4r3 v3rm1n 9 8 7 $ @ ! " * 300)[:10_000],
        "mixed scripts": ("Иммигранты ｉｍｍｉｇｒａｎｔｓ 𝗺𝘂𝘀𝗹𝗶𝗺𝘀 ارهابي 移民 " * 300)[:10_000],
        "every Unicode category": every_category[:10_000],
        "zero-width joins": ("\u200b".join("muslims are vermin") + ". ") * 150,
        "joined words": ("killallmuslims " * 700)[:10_000],
        "quotes and negations": ('"not not never no" ' * 600)[:10_000],
        "pronouns and violence": ("they I will kill them should be shot " * 300)[:10_000],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from discuss import create_app, hatespeech
    from discuss.extensions import db
    from discuss.models import Site
    from discuss.moderation import screen_comment
    from discuss.testing import make_submission
    from discuss.textnorm import normalise

    texts = hostile_texts()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.db", "LOAD_ENTRY_POINTS": False,
                          "SECRET_KEY": secrets.token_urlsafe(48),
                          "IP_HASH_KEY": secrets.token_urlsafe(48)})
        with app.app_context():
            db.create_all()
            site = Site(slug="bench", name="Bench", allowed_origins=[], moderation={})
            db.session.add(site)
            db.session.commit()
            pm = app.extensions["discuss"]
            screen_comment(pm, make_submission("warm up the toxicity model", site="bench"), site)
            db.session.rollback()
            rows = []
            for label, text in texts.items():
                slowest: dict[str, float] = {}
                decision = ""
                for _ in range(args.rounds):
                    hatespeech._analyse_cached.cache_clear()
                    normalise.cache_clear()
                    screening = screen_comment(pm, make_submission(text, site="bench"), site)
                    db.session.rollback()
                    decision = screening.decision
                    for pv in screening.verdicts:
                        slowest[pv.plugin] = min(slowest.get(pv.plugin, float("inf")), pv.elapsed_ms)
                alone = float("inf")
                for _ in range(args.rounds):
                    normalise(text)
                    started = time.perf_counter()
                    hatespeech._analyse(text, ())
                    alone = min(alone, (time.perf_counter() - started) * 1000)
                plugin, worst = max(slowest.items(), key=lambda item: item[1])
                rows.append((label, len(text), decision, plugin, worst, slowest.get("hate", 0.0), alone))
    baseline = rows[0][6] or 1e-9
    print(f"{'input':44}{'chars':>7}{'decision':>10}  {'slowest plugin':16}{'ms':>8}{'hate ms':>9}"
          f"{'analysis ms':>13}{'x baseline':>11}")
    for label, chars, decision, plugin, worst, hate_ms, alone in rows:
        print(f"{label:44}{chars:7}{decision:>10}  {plugin:16}{worst:8.2f}{hate_ms:9.2f}{alone:13.2f}"
              f"{alone / baseline:11.1f}")


if __name__ == "__main__":
    main()
