"""Write discuss/hatespeech/data/fuzzy_guard.txt: English words the spelling repairs must leave alone.

The hate analysis reads a misspelt word ("vremin", "immigrnat") as the lexicon
word one edit away. A real English word one edit away from a lexicon word
("muslin", "gaps", "raps") must stay itself, and so must an English word that
happens to split into a group and an attack ("therapist"). This script lists
those words from the `english-words` package (web2 and GCIDE word lists) and the toxicity model's vocabulary so that
nothing but a small text file ships and nothing is loaded at run time.

    .venv/bin/python -m pip install -e ".[hate-guard]"
    .venv/bin/python scripts/build_hate_guard.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "discuss" / "hatespeech" / "data" / "fuzzy_guard.txt"

# English words the lists lack but councils write (British spellings, plurals).
EXTRA = """
councillors organisers organiser neighbours colours favours harbours labours behaviours
grandad grandads travellers's roadworks carpark carparks bin bins jewellers
""".split()


def inflections(word: str) -> set[str]:
    """Regular English inflections of ``word`` (the dictionaries list mostly base forms): swamp -> swamped."""
    forms = {word + "s", word + "es", word + "ed", word + "d", word + "ing", word + "er", word + "ers"}
    if word.endswith("e"):
        forms |= {word[:-1] + "ing", word + "d", word + "r", word + "rs"}
    if word.endswith("y"):
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if len(word) >= 3 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing", word + word[-1] + "er"}
    return forms


def main() -> None:
    from english_words import get_english_words_set

    import discuss.hatespeech.tokens as tokens

    english = get_english_words_set(["web2", "gcide"], lower=True, alpha=True) | set(EXTRA)
    # Inflected and everyday forms the dictionaries lack ("gaps", "councillors"):
    # the vocabulary of the toxicity plugin's model, learnt from real comments.
    from profanity_check import profanity_check as library

    common = {w for w in library.vectorizer.vocabulary_ if w.isalpha() and not tokens.fuzzy_word(w) == w}
    # Inflections of everyday words only: web2's rare words inflected ("lesbia" -> "lesbias") would
    # shadow real misspellings.
    english |= common | {form for word in common if 3 <= len(word) <= 12 for form in inflections(word)}
    # Verb forms of every dictionary word ("swamp" -> "swamped"); their plurals only for everyday words.
    english |= {form for word in list(english) if 3 <= len(word) <= 12 for form in inflections(word)
                if form.endswith(("ed", "ing"))}
    tokens.GUARD = frozenset()  # judge every word afresh
    guarded = set()
    for word in english:
        if word in tokens.KNOWN or word in tokens.CONTENT_WORDS or len(word) < 3 or len(word) > tokens.MAX_FUZZY_LENGTH:
            continue
        if tokens.fuzzy_word(word) or tokens.split_joined(word):
            guarded.add(word)
    guarded -= tokens.CONTENT_WORDS | tokens.KNOWN
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("# English words never read as a lexicon word: made by scripts/build_hate_guard.py\n"
                   + "\n".join(sorted(guarded)) + "\n", encoding="utf-8")
    print(f"{len(guarded)} words -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
