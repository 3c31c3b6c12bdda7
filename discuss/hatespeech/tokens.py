"""Tokens as the grammar reads them: spelling undone, offsets kept.

:func:`tokenise` takes the normalised comment (:mod:`discuss.textnorm` has
already folded look-alike letters and removed invisible characters) and gives
:class:`Token` objects with the word the writer *meant*:

* contractions are split ("can't" -> "can not", "they're" -> "they are");
* leetspeak is undone when that makes a known word ("verm1n", "h8", "k1ll");
* stretched letters are shrunk ("muuuslims");
* a word one edit away from a lexicon word (a dropped, swapped, added or
  changed letter: "vremin", "immigrnat", "blakc") is read as that word, unless
  it is itself an English word ("muslin" stays cloth): the English words one
  edit away from the lexicon are listed in ``data/fuzzy_guard.txt``, made by
  ``scripts/build_hate_guard.py``;
* runs of single letters are joined ("m u s l i m s"), and so are two pieces
  of one lexicon word ("immi grants");
* a long unknown token is split into known words ("killallmuslims").

Every step only ever maps to words of the lexicon, so ordinary words are left
alone, and all of it is bounded: fuzzy search looks up a word's one-letter
deletions in an index built once at import, tokens longer than
``MAX_FUZZY_LENGTH`` are only looked up exactly, and results per token are
remembered in a bounded cache.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import lexicon as lx

MAX_FUZZY_LENGTH = 40
MAX_SPACED_RUN = 40

_TOKEN = re.compile(r"[a-z0-9@$]+(?:[!|*][a-z0-9@$]+)*(?:['\u2019][a-z]+)?")
_SENTENCE_END = re.compile(r"[.!?\n\u2026]")
_CLAUSE_END = re.compile(r"[,;:()\[\]\u2014\u2013]|\s-\s")
_QUOTES = "\"\u201c\u201d\u00ab\u00bb\u2018"
# Anything in a gap between words that can end a sentence or clause or open a quotation.
_GAP_SPECIAL = re.compile("[.!?\n\u2026,;:()\\[\\]\u2014\u2013\"\u201c\u201d\u00ab\u00bb\u2018'\u2019-]")

CONTRACTIONS = {
    "n't": ("not",), "'re": ("are",), "'m": ("am",), "'ll": ("will",), "'ve": ("have",), "'d": ("would",),
}
WHOLE_CONTRACTIONS = {
    "can't": ("can", "not"), "cant": ("can", "not"), "won't": ("will", "not"), "wont": ("will", "not"),
    "shan't": ("shall", "not"), "ain't": ("is", "not"), "aint": ("is", "not"), "dont": ("do", "not"),
    "doesnt": ("does", "not"), "didnt": ("did", "not"), "isnt": ("is", "not"), "arent": ("are", "not"),
    "wasnt": ("was", "not"), "werent": ("were", "not"), "shouldnt": ("should", "not"),
    "wouldnt": ("would", "not"), "couldnt": ("could", "not"), "mustnt": ("must", "not"),
    "havent": ("have", "not"), "hasnt": ("has", "not"), "im": ("i", "am"), "ive": ("i", "have"),
    "theyre": ("they", "are"), "youre": ("you", "are"), "u": ("you",), "ur": ("you", "are"),
    "r": ("are",), "gonna": ("going", "to"), "wanna": ("want", "to"), "gotta": ("got", "to"),
    "it's": ("it", "is"), "that's": ("that", "is"), "there's": ("there", "is"), "he's": ("he", "is"),
    "she's": ("she", "is"), "what's": ("what", "is"), "who's": ("who", "is"), "here's": ("here", "is"),
    "let's": ("let", "us"), "lets": ("let", "us"), "thats": ("that", "is"), "whats": ("what", "is"),
    "theres": ("there", "is"), "dem": ("them",), "da": ("the",), "tha": ("the",), "dat": ("that",),
    "ppl": ("people",), "em": ("them",), "'em": ("them",), "innit": ("is", "it", "not"),
}

_LEET = {"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "|": "i", "0": "o", "5": "s", "$": "s",
         "7": "t", "+": "t", "9": "g", "6": "g", "2": "z", "8": "b", "*": ""}
_LEET_ALTERNATIVES = {"1": "l", "|": "l", "8": "ate", "0": "u", "*": "u"}


def _phrase_words(phrase: str) -> tuple[str, ...]:
    """A lexicon phrase as the tokeniser would give it ("can't stand" -> can not stand)."""
    words: list[str] = []
    for raw in phrase.replace("-", " ").split():
        words.extend(split_contraction(raw.replace("\u2019", "'")))
    return tuple(words)


def split_contraction(word: str) -> tuple[str, ...]:
    """``word`` as the words it stands for: "don't" -> ("do", "not")."""
    if word in WHOLE_CONTRACTIONS:
        return WHOLE_CONTRACTIONS[word]
    if "'" in word:
        for suffix, words in CONTRACTIONS.items():
            if word.endswith(suffix) and len(word) > len(suffix):
                stem = word[: -len(suffix)]
                if suffix == "n't":
                    stem = {"ca": "can", "wo": "will", "sha": "shall"}.get(stem, stem)
                return (stem, *words)
        if word.endswith("'s"):
            return (word[:-2],)
        return (word.replace("'", ""),)
    return (word,)


# -- the vocabulary the spelling repairs may map onto ---------------------------

def _content_words() -> frozenset[str]:
    """Single words of the lexicon worth repairing a misspelling into."""
    words: set[str] = set()
    for table in (lx.GROUP_NOUNS, lx.GROUP_ADJECTIVES, lx.GROUP_PLACES, lx.SLURS):
        for key in table:
            words.update(_phrase_words(key))
    for table in (lx.DEHUMANISING, lx.NEGATIVE_ATTRIBUTES, lx.VIOLENCE, lx.HATE_VERBS, lx.EXCLUSION_ACTS,
                  lx.DISGUST_VERBS, lx.WEAPONS):
        for key in table:
            words.update(_phrase_words(key))
    return frozenset(w for w in words if len(w) >= 4 and w.isalpha() and w not in _COMMON)


# Short everyday words the spelling repairs never produce or touch.
_COMMON = frozenset("""
that this them they their there then than have will with what when were your from been were more
most some like just only also very much many such over into onto upon each both even ever here
make made take took came come went goes gone give gave good well back down away said says know
knew want need time year week days long last next must dont does done doing being able about
after again ally also area away best call care case city cost does door drop else ends fact
fair feel fine form four free full game girl grow half hall hand hard head hear help high hold
home hope hour idea item keep kind land lane late lead left less life line list live look lose
lost love mail main mark mean meet mind miss move name near news note once open part pass past
plan play poor post pull push rate read real rest ride ring rise road room rule runs safe sale
same save seat seem seen self sell send sent ship shop show shut side sign site size slow some
soon sort stay step stop sure talk tall team tell term test text than thus told town tree trip
true turn type unit used user vote wait walk wall ward warm wash wear wide wife wind wish word
work yard yeah zone dire date dates lines mine rate deal dial
""".split())

CONTENT_WORDS = _content_words()
# Words the joiner and splitter may use besides content words.
FUNCTION_WORDS = frozenset("""
i me my we us our you your he him his she her it its they them their these those this that the a an
all every each any some most many no not never only just really so such are is am was were be been
being will would shall should must can could to of in on at by for from with and or but out back
off up down go get got kill hate want need let lets let's more less than like as too very am i'm
""".split())
SPLIT_VOCABULARY = CONTENT_WORDS | FUNCTION_WORDS | frozenset(
    w for table in (lx.DEHUMANISING, lx.NEGATIVE_ATTRIBUTES, lx.VIOLENCE, lx.HATE_VERBS,
                    lx.GROUP_NOUNS.keys(), lx.GROUP_ADJECTIVES.keys(), lx.PERSON_NOUNS)
    for phrase in table for w in _phrase_words(phrase) if w.isalpha())
_TARGET_WORDS = frozenset(w for table in (lx.GROUP_NOUNS, lx.GROUP_ADJECTIVES, lx.SLURS) for key in table
                          for w in _phrase_words(key))
_ATTACK_WORDS = frozenset(w for table in (lx.DEHUMANISING, lx.NEGATIVE_ATTRIBUTES, lx.VIOLENCE, lx.HATE_VERBS,
                                          lx.EXCLUSION_ACTS) for key in table for w in _phrase_words(key)
                          if len(w) >= 3 and w not in {"the", "all", "not", "out", "off", "get", "them", "their",
                                                       "and", "for", "you", "with", "our", "back", "down"})
KNOWN = SPLIT_VOCABULARY | lx.PERSON_NOUNS


def _load_guard() -> frozenset[str]:
    path = Path(__file__).with_name("data") / "fuzzy_guard.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:  # pragma: no cover - the file ships with the package
        return frozenset()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


GUARD = _load_guard()


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _build_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for word in CONTENT_WORDS:
        index.setdefault(word, set()).add(word)
        for deleted in _deletions(word):
            index.setdefault(deleted, set()).add(word)
    return {key: frozenset(value) for key, value in index.items()}


_DELETION_INDEX = _build_index()


def fuzzy_word(token: str) -> str | None:
    """The one lexicon word within one edit of ``token``, if exactly one fits.

    Four- and five-letter words must keep their first letter and may only lose
    or swap a letter ("rts", "hte"); longer ones may also gain or change one.
    English words (``GUARD``) and everyday short words are never repaired.
    """
    if token in GUARD or token in _COMMON or len(token) < 3 or len(token) > MAX_FUZZY_LENGTH:
        return None
    candidates: set[str] = set(_DELETION_INDEX.get(token, ()))  # a letter dropped from the word
    for deleted in _deletions(token):
        candidates.update(_DELETION_INDEX.get(deleted, ()))
    fitting = set()
    for word in candidates:
        if word == token:
            return word
        if len(word) <= 5:
            if word[0] != token[0]:
                continue
            dropped = len(token) == len(word) - 1 and token in _deletions(word)
            swapped = len(token) == len(word) and sorted(token) == sorted(word)
            if not (dropped or swapped):
                continue
        elif abs(len(word) - len(token)) > 1:
            continue
        fitting.add(word)
    same_start = {word for word in fitting if word[0] == token[0]}
    if same_start:
        fitting = same_start
    if len(fitting) == 1:
        return fitting.pop()
    if fitting and len({_reading(word) for word in fitting}) == 1:
        # "womn" is woman or women: the same group either way; prefer a dropped letter.
        return max(fitting, key=lambda w: (token in _deletions(w), len(w), w))
    return None


def _reading(word: str) -> str:
    """What a repaired word would mean to the grammar: its group, or the word itself."""
    for table in (lx.GROUP_NOUNS, lx.GROUP_ADJECTIVES, lx.SLURS):
        if word in table:
            found = table[word]
            return getattr(found, "label", None) or found.target.label
    return word.rstrip("s")


def _leet_variants(token: str) -> list[str]:
    first = "".join(_LEET.get(c, c) for c in token)
    variants = [first]
    if any(c in _LEET_ALTERNATIVES for c in token):
        variants.append("".join(_LEET_ALTERNATIVES.get(c, _LEET.get(c, c)) for c in token))
    return variants


_STRETCH = re.compile(r"(.)\1{2,}")


def split_joined(token: str) -> tuple[str, ...] | None:
    """``token`` as several known words if it is words run together with a group and an attack in it."""
    n = len(token)
    if n < 5 or n > MAX_FUZZY_LENGTH or token in GUARD:
        return None
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for end in range(1, n + 1):
        for start in range(max(0, end - 16), end):
            previous = best[start]
            if previous is None:
                continue
            piece = token[start:end]
            if piece in SPLIT_VOCABULARY and (len(piece) > 1 or piece in ("i", "a")):
                candidate = previous + (piece,)
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    words = best[n]
    if not words or len(words) < 2:
        return None
    attack = any(w in _ATTACK_WORDS for w in words)
    if attack and any(w in _TARGET_WORDS or w in lx.GROUP_PLACES for w in words):
        return words
    if attack and all(w in _ATTACK_WORDS or w in FUNCTION_WORDS for w in words):
        return words  # "ihate", "killall": the group follows as a word of its own
    return None


@lru_cache(maxsize=32768)
def _read_cached(raw: str) -> tuple[str, ...]:
    return _read(raw)


def read_word(raw: str) -> tuple[str, ...]:
    """The word(s) ``raw`` stands for; ``raw`` itself when nothing better is known."""
    if len(raw) > MAX_FUZZY_LENGTH:
        return (raw,)
    return _read_cached(raw)


# Frame words a threat or a denial turns on, with two neighbouring letters swapped
# ("shuold", "deserev"): swaps only, and never onto a real word (GUARD).
_FRAME_WORDS = ("should", "shouldnt", "would", "could", "must", "deserve", "deserves", "going", "gonna",
                "needs", "ought", "never", "allowed")


def _frame_swaps() -> dict[str, str]:
    swaps: dict[str, str] = {}
    for word in _FRAME_WORDS:
        for i in range(1, len(word) - 1):  # the first letter stays
            swapped = word[:i] + word[i + 1] + word[i] + word[i + 2:]
            if swapped != word and swapped not in GUARD and swapped not in KNOWN:
                swaps[swapped] = word
    return swaps


FRAME_SWAPS = _frame_swaps()


def _read(raw: str) -> tuple[str, ...]:
    words = split_contraction(raw.replace("\u2019", "'"))
    if len(words) > 1 or words[0] != raw:
        return tuple(w for part in words for w in (read_word(part) if part != raw else (part,)))
    if raw in KNOWN or raw in lx.SLURS:
        return (raw,)
    alphabetic = raw.isalpha()
    if not alphabetic:
        if raw.isdigit():
            return (raw,)
        for variant in _leet_variants(raw):
            if variant in KNOWN or variant in lx.SLURS:
                return (variant,)
        variant = _leet_variants(raw)[0]
        if variant.isalpha():
            repaired = fuzzy_word(variant)
            if repaired:
                return (repaired,)
        return (raw,)
    if raw in FRAME_SWAPS:
        return (FRAME_SWAPS[raw],)
    if raw.endswith("z") and raw[:-1] + "s" in KNOWN:  # "gayz"
        return (raw[:-1] + "s",)
    shrunk = _STRETCH.sub(r"\1\1", raw)
    if shrunk != raw:
        for candidate in (shrunk, _STRETCH.sub(r"\1", raw)):
            if candidate in KNOWN or candidate in lx.SLURS:
                return (candidate,)
    repaired = fuzzy_word(shrunk)
    if repaired:
        return (repaired,)
    joined = split_joined(raw)
    if joined:
        return joined
    return (raw,)


@dataclass(slots=True)
class Token:
    """One word as meant, where it came from, and where it stands."""

    word: str
    start: int  # offsets into the normalised text
    end: int
    sentence: int
    clause: int
    quoted: bool
    possessive: bool = False
    capitalised: bool = False


def _is_single(raw: str) -> bool:
    return len(raw) == 1


def _joined_run(raws: list[str]) -> tuple[str, ...] | None:
    """Single letters written apart ("m u s l i m s"), read as one word when that is a lexicon word."""
    return _joined_text("".join(_LEET.get(r, r) for r in raws))


@lru_cache(maxsize=4096)
def _joined_text(text: str) -> tuple[str, ...] | None:
    for candidate in (text, _STRETCH.sub(r"\1", text)):
        if candidate in CONTENT_WORDS or candidate in lx.SLURS:
            return (candidate,)
    repaired = fuzzy_word(text)
    if repaired:
        return (repaired,)
    return split_joined(text)


def tokenise(text: str, original: str, original_index,
             ranges: list[tuple[int, int]] | None = None, limit: int = 1 << 30) -> list[Token]:
    """Tokens of normalised ``text``; ``original_index`` maps an offset back (for capitals).

    With ``ranges``, only those stretches of ``text`` are read (each starts a
    new sentence); the quotation state at each start is counted from the text
    before it.
    """
    tokens: list[Token] = []
    sentence = clause = 0
    for range_start, range_end in ranges or [(0, len(text))]:
        if len(tokens) >= limit:
            break
        range_end = min(range_end, range_start + 12 * (limit - len(tokens)))  # a token takes 12 characters at most on average
        quoted = range_start > 0 and sum(text.count(q, 0, range_start) for q in "\"\u201c") % 2 == 1
        sentence, clause = _tokenise_range(text, original, original_index, range_start, range_end, sentence,
                                           clause, quoted, tokens, limit)
        sentence, clause = sentence + 1, clause + 1
    return tokens


def _tokenise_range(text, original, original_index, range_start, range_end, sentence, clause, quoted,
                    tokens, limit=1 << 30) -> tuple[int, int]:
    matches = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, range_start, range_end)]
    previous_end = range_start
    i = 0
    count = len(matches)
    while i < count and len(tokens) < limit:
        start, end, raw = matches[i]
        gap = text[previous_end:start]
        if gap and gap != " " and _GAP_SPECIAL.search(gap):
            if _SENTENCE_END.search(gap) and not _is_decimal_gap(text, previous_end, start):
                sentence += 1
                clause += 1
            elif _CLAUSE_END.search(gap):
                clause += 1
            if any(q in gap for q in _QUOTES) or _single_quote_gap(gap, quoted):
                quoted = not quoted
                clause += 1
        # Runs of single letters separated by spaces or dots: try to join them.
        if _is_single(raw) and i + 2 < count:
            j = i
            while (j + 1 < count and _is_single(matches[j + 1][2]) and j - i < MAX_SPACED_RUN
                   and _letter_gap(text[matches[j][1]:matches[j + 1][0]])):
                j += 1
            if j - i >= 2:
                for first, last in ((i, j), (i + 1, j), (i, j - 1)):
                    if last - first < 2:
                        continue
                    words = _joined_run([matches[k][2] for k in range(first, last + 1)])
                    if words:
                        for k in range(i, first):
                            tokens.append(_token(matches[k][2], matches[k][0], matches[k][1], sentence, clause,
                                                 quoted, text, original, original_index))
                        span_start, span_end = matches[first][0], matches[last][1]
                        for word in words:
                            tokens.append(Token(word, span_start, span_end, sentence, clause, quoted))
                        for k in range(last + 1, j + 1):
                            tokens.append(_token(matches[k][2], matches[k][0], matches[k][1], sentence, clause,
                                                 quoted, text, original, original_index))
                        previous_end = matches[j][1]
                        i = j + 1
                        break
                else:
                    words = None
                if words:
                    continue
                # Not a word spelt out: read the run as it stands, once.
                for k in range(i, j + 1):
                    tokens.extend(_tokens_for(matches[k][2], matches[k][0], matches[k][1], sentence, clause, quoted,
                                              text, original, original_index))
                previous_end = matches[j][1]
                i = j + 1
                continue
        # Two pieces of one lexicon word ("immi grants", "mus lims").
        if i + 1 < count and raw.isalpha() and raw not in KNOWN and text[end:matches[i + 1][0]] == " ":
            joined = raw + matches[i + 1][2]
            if len(joined) >= 5 and joined in CONTENT_WORDS and matches[i + 1][2] not in KNOWN:
                tokens.append(Token(joined, start, matches[i + 1][1], sentence, clause, quoted))
                previous_end = matches[i + 1][1]
                i += 2
                continue
        tokens.extend(_tokens_for(raw, start, end, sentence, clause, quoted, text, original, original_index))
        previous_end = end
        i += 1
    return sentence, clause


def _is_decimal_gap(text: str, start: int, end: int) -> bool:
    return text[start:end] == "." and start > 0 and text[start - 1].isdigit() and end < len(text) and text[end].isdigit()


def _single_quote_gap(gap: str, quoted: bool) -> bool:
    """A straight or curly single quote used as a quotation mark (not an apostrophe)."""
    stripped = gap.strip()
    if stripped in ("'", "\u2019'", "\u2019") and quoted:
        return gap.startswith(("'", "\u2019"))
    return gap.endswith(("'", "\u2018")) and not quoted and (len(gap) == 1 or gap[-2] in " \t\n(:")


def _letter_gap(gap: str) -> bool:
    return 0 < len(gap) <= 3 and all(c in " .-_/\\~\t" for c in gap)


def _token(raw, start, end, sentence, clause, quoted, text, original, original_index) -> Token:
    tokens = _tokens_for(raw, start, end, sentence, clause, quoted, text, original, original_index)
    return tokens[0] if len(tokens) == 1 else Token(raw, start, end, sentence, clause, quoted)


def _tokens_for(raw, start, end, sentence, clause, quoted, text, original, original_index) -> list[Token]:
    possessive = False
    if raw.endswith(("'s", "\u2019s")) and raw[:-2] not in ("it", "that", "there", "he", "she", "what", "who",
                                                              "here", "let", "where", "how"):
        raw = raw[:-2]
        possessive = True
    elif end < len(text) and text[end] in "'\u2019" and (end + 1 >= len(text) or not text[end + 1].isalpha()) \
            and raw.endswith("s"):
        possessive = True
    words = read_word(raw)
    first = original[original_index(start)] if original else ""
    capitalised = first.isupper()
    out = [Token(word, start, end, sentence, clause, quoted, False, capitalised) for word in words]
    if possessive and out:
        out[-1].possessive = True
    return out
