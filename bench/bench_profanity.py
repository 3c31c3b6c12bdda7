"""Profanity plugin: false positives on ordinary text, and worst-case timings.

False positives (needs the ``bench`` extra: english-words, faker; whatever
else is on the machine is used when present):

* every word of an English dictionary (english-words' web2 + gcide), alone,
  and the hits that come from the foreign-word list (which must not collide
  with English);
* British names (faker ``en_GB``: first names and surnames, 3,000 people) after
  an honorific ("Cllr Ann Cox"), alone in a sentence, and the site ``names``
  setting;
* street and town names (faker ``en_GB``) after "in" and as a street;
* lines of ordinary prose: this repository's docs, the licences in
  /usr/share/common-licenses, and Vim's manual when present.

Worst cases: 10,000-character hostile comments (repeated strong words, leet,
invisible characters between every letter, spelled-out letters, mixed scripts,
one giant word, thousands of capitalised hits after honorifics and places,
phrases) through the plugin's hook, each timed against an ordinary
10,000-character comment in the same run (ratio of medians): median and
slowest of 7 runs after a warm-up, each with a word list that remembers nothing.

    .venv/bin/python bench/bench_profanity.py [--people 3000]

Set ``PROFANITY_ROOT`` to a checkout to measure another version of the plugin.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("PROFANITY_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))


def prose_lines() -> list[str]:
    sources = list((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
    sources += sorted(Path("/usr/share/common-licenses").glob("*"))
    sources += sorted(Path("/usr/share/vim").glob("vim*/doc/usr_*.txt"))
    lines = []
    for path in sources:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except (OSError, IsADirectoryError):
            continue
        lines += [line.strip() for line in text.splitlines() if len(line.split()) >= 4]
    return lines


def report(label: str, texts: list[str], find, show: int = 8) -> None:
    flagged = [(t, find(t)) for t in texts]
    flagged = [(t, h) for t, h in flagged if h]
    rate = 100 * len(flagged) / max(1, len(texts))
    print(f"{label:58}{len(flagged):6} of {len(texts):7} ({rate:5.2f}%)")
    for text, hits in flagged[:show]:
        print(f"    {text[:70]!r} -> {[h[2] for h in hits]}")


def false_positives(people: int) -> None:
    from discuss_builtins.profanity import find_words, wordlist

    words = wordlist()

    def find(text):
        return find_words(text, words)

    print("false positives (texts with any hit)")
    try:
        from english_words import get_english_words_set
    except ImportError:
        print("  (english-words not installed: pip install -e '.[bench]')")
    else:
        dictionary = sorted(get_english_words_set(["web2", "gcide"], lower=True))
        report("English dictionary words, each alone", dictionary, find, show=0)
        try:
            from discuss_builtins import profanity_lexicon as lexicon
            from discuss_builtins.profanity import _letters_of
            foreign = {_letters_of(w) for w in lexicon.FOREIGN_STRONG | lexicon.FOREIGN_MILD
                       | lexicon.FOREIGN_AMBIGUOUS}
            collisions = [w for w in dictionary if any(h[2] in foreign for h in find(w))]
            print(f"  dictionary words hit by the foreign list: {len(collisions)} {collisions[:20]}")
        except ImportError:
            pass
    try:
        from faker import Faker
    except ImportError:
        print("  (faker not installed: pip install -e '.[bench]')")
        return
    fake = Faker("en_GB")
    fake.seed_instance(2026)
    rng = random.Random(2026)
    honorifics = ["Cllr", "Councillor", "Mr", "Mrs", "Ms", "Dr", "Sir", "Dame", "Lord", "Lady", "Rev"]
    firsts = sorted(set(fake.first_name() for _ in range(people)))
    lasts = sorted(set(fake.last_name() for _ in range(people)))
    named = [f"Thanks to {rng.choice(honorifics)} {rng.choice(firsts)} {last} for the reply." for last in lasts]
    named += [f"Thanks to {rng.choice(honorifics)} {first} {rng.choice(lasts)}." for first in firsts]
    report("en_GB names after an honorific", named, find)
    report("en_GB names alone (\"X Y spoke at the meeting\")",
           [f"{f} {rng.choice(lasts)} spoke at the meeting." for f in firsts]
           + [f"{rng.choice(firsts)} {last} spoke at the meeting." for last in lasts], find)
    places = sorted(set(fake.city() for _ in range(people)))
    streets = sorted(set(fake.street_name() for _ in range(people)))
    report("en_GB towns after \"in\"", [f"The bins in {p} were not collected." for p in places], find)
    report("en_GB streets", [f"Potholes on {s} again." for s in streets], find)
    report("prose: repo docs, licences, Vim user manual", prose_lines(), find)


def worst_cases() -> None:
    from discuss.testing import load_settings, make_submission
    from discuss.textnorm import normalise
    from discuss_builtins import profanity

    rng = random.Random(7)
    size = 10_000
    ordinary = " ".join(rng.choice(["the", "council", "bins", "road", "please", "fix", "thanks", "park"])
                        for _ in range(2000))[:size]

    def fill(piece: str) -> str:
        return (piece * (size // len(piece) + 1))[:size]

    cases = {
        "ordinary words (baseline)": ordinary,
        "strong word repeated": fill("fuck "),
        "leet, masked and suffixed": fill("sh1t f*ck w4nkers $h!tty "),
        "zero-width joiner between every letter": fill("k\u200du\u200dr\u200dw\u200da "),
        "spelled-out letters": fill("b o l l o c k s "),
        "capitalised hits after honorifics": fill("Cllr Dick Bastard and Mr Cock "),
        "capitalised hits after locatives": fill("in Twatt near Nob End "),
        "mild phrases with leet": fill("s0d 0ff you kn0b "),
        "one giant word": "a" * size,
        "one giant leet word": fill("5h1t"),
        "mixed scripts and homoglyphs": fill("аѕѕhоlе ｆｕｃｋ 𝐜𝐮𝐧𝐭 "),
        "every Unicode category": "".join(chr(rng.randrange(0x20, 0x2FFFF)) for _ in range(size)),
        "invisible characters only": "\u200b" * size,
        "capitalised words only": fill("Twatt Cock Bastard Dick Balls "),
    }
    settings = {"names": sorted(["Cllr Ann Cockburn", "Twatt", "Nob End"])}
    try:
        loaded = load_settings(profanity, settings)
    except Exception:  # an older plugin without the names setting (PROFANITY_ROOT)
        settings = {"names": []}
        loaded = load_settings(profanity, {})
    print()
    print(f"worst cases: {size}-character comments through the hook; 7 runs after a warm-up, "
          f"each with a fresh word memory")
    print(f"{'':44}{'median ms':>10}{'slowest ms':>12}{'x baseline':>12}")
    baseline = None
    for label, text in cases.items():
        submission = make_submission(text)
        runs = []
        for _ in range(8):
            # A word list with nothing remembered, built before the clock starts
            # (a process builds it once); no normalisation remembered either.
            getattr(profanity, "_wordlist", profanity.wordlist).cache_clear()
            try:
                profanity.wordlist((), (), tuple(settings["names"]))
            except TypeError:  # an older plugin (PROFANITY_ROOT)
                profanity.wordlist((), ())
            profanity.find_words_cached.cache_clear()
            normalise.cache_clear()
            started = time.perf_counter()
            profanity.discuss_screen_comment(submission, loaded)
            runs.append((time.perf_counter() - started) * 1000)
        runs = sorted(runs[1:])  # the first run warms per-process caches (character folding)
        median = runs[len(runs) // 2]
        baseline = baseline or median
        print(f"{label:44}{median:10.2f}{runs[-1]:12.2f}{median / baseline:12.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--skip-fp", action="store_true")
    args = parser.parse_args()
    if not args.skip_fp:
        false_positives(args.people)
    worst_cases()


if __name__ == "__main__":
    main()
