"""Places and people's names that contain listed words: not profanity.

A council page names Twatt in Orkney, Nob End in Bolton, Cock Bridge in
Aberdeenshire, Councillor Dick Cox and Mr Bastard. The profanity matcher finds
the words; this module decides, for each hit, whether it is a proper noun:

1. it is written as a plain capitalised word (ASCII letters, ``Twatt``, not
   ``TWATT``, ``Tw4tt`` or a word with invisible or look-alike characters: a
   disguise is never a name), and
2. it is part of a place in the built-in gazetteer or of a name in the site's
   ``names`` setting; or, unless it is one of the strongest words or slurs,
   it follows an honorific (``Cllr``, ``Mr``, ``Dr`` ...) or a word that comes
   before places (``in``, ``at``, ``near`` ...), possibly over other capitalised
   words (``Cllr Ann Dick``, ``near Great Cockup``), or directly a common
   British given name (``Alan Cock``), or it comes before a word that ends
   street and place names (``Lane``, ``Road``, ``End`` ...).

Only comments with hits are looked at, and each hit only at the few words
around it, so the cost stays linear in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterable, Sequence

from .profanity_lexicon import FIRST_NAMES, HONORIFICS, LOCATIVES, NEVER_PROPER_STEMS, PLACE_ELEMENTS, PLACES

# A capitalised word as a name is written: "Twatt", "Offa's", "Cockburn-Smith".
_TITLE = re.compile(r"[A-Z][a-z]+(?:['\u2019][a-z]+)*(?:-[A-Z][a-z]+)*")
_INITIAL = re.compile(r"[A-Z]\.?")
_WORD = re.compile(r"\S+")
_LEADING = "\"'\u2018\u201c([{"
_TRAILING = ".,;:!?)]}\"'\u2019\u201d"
_CLAUSE_END = frozenset(".,;:!?")
MAX_WALK = 3  # capitalised words walked over to reach an honorific, a locative or a place element

Hit = tuple[int, int, str, str]
Token = tuple[int, str, str]  # start in the text, as written, without surrounding punctuation


class ProperNouns:
    """The built-in gazetteer plus one site's names; :meth:`drop` filters hits."""

    def __init__(self, names: Iterable[str] = ()):
        site = [name.split() for name in names if name.split()]
        # Every known name as its words, by first word: "Cock Bridge" -> ("Cock", "Bridge").
        self.sequences: dict[str, list[tuple[str, ...]]] = {}
        for words in [place.split() for place in PLACES] + site:
            words = tuple(_strip(w) for w in words)
            self.sequences.setdefault(words[0], []).append(words)
        # A site's names also count word by word, honorifics left out: listing
        # "Cllr Ann Cockburn" covers "Councillor Cockburn" too.
        self.site_words = frozenset(_strip(w) for words in site for w in words
                                    if _TITLE.fullmatch(_strip(w)) and _strip(w).lower() not in HONORIFICS)
        self.longest = max(map(len, (s for seqs in self.sequences.values() for s in seqs)), default=1)

    def drop(self, text: str, hits: Sequence[Hit]) -> list[Hit]:
        """``hits`` (spans into ``text``) without those that are proper nouns."""
        if text == text.lower():  # nothing capitalised, nothing to excuse (one pass in C)
            return list(hits)
        tokens: list[Token] | None = None
        starts: list[int] = []
        raws: list[str] = []
        kept = []
        answers: dict[tuple, bool] = {}  # hostile text repeats itself: same context, same answer
        for hit in hits:
            start, end = hit[0], hit[1]
            if not text[start:start + 1].isupper():
                kept.append(hit)
                continue
            if tokens is None:
                tokens = [(m.start(), m.group(), _strip(m.group())) for m in _WORD.finditer(text)]
                starts = [t[0] for t in tokens]
                raws = [t[1] for t in tokens]
            first = bisect_right(starts, start) - 1
            last = bisect_right(starts, end - 1) - 1
            if first < 0:
                kept.append(hit)
                continue
            begin = max(0, first - MAX_WALK - 1)
            key = (hit[2], first - begin, last - first, tuple(raws[begin:last + MAX_WALK + 2]))
            if key not in answers:
                answers[key] = self.is_proper(tokens, first, last, hit[2])
            if not answers[key]:
                kept.append(hit)
        return kept

    def is_proper(self, tokens: list[Token], first: int, last: int, word: str) -> bool:
        """Whether tokens ``first..last`` (holding a hit on list word ``word``) are a name or a place."""
        if last - first > MAX_WALK or not all(_TITLE.fullmatch(t[2]) for t in tokens[first:last + 1]):
            return False
        if self._known(tokens, first, last):
            return True
        if all(t[2] in self.site_words for t in tokens[first:last + 1]):
            return True
        if any(stem in word for stem in NEVER_PROPER_STEMS):
            return False
        return _after_title_or_locative(tokens, first) or _before_place_element(tokens, last)

    def _known(self, tokens: list[Token], first: int, last: int) -> bool:
        """Tokens ``first..last`` lie inside a gazetteer place or a site's name."""
        for begin in range(max(0, first - self.longest + 1), first + 1):
            for words in self.sequences.get(tokens[begin][2], ()):
                stop = begin + len(words)
                if stop > last and stop <= len(tokens) and all(
                        tokens[begin + k][2] == w for k, w in enumerate(words)) and not any(
                        _ends_clause(tokens[k][1]) for k in range(begin, stop - 1)):
                    return True
        return False


def _after_title_or_locative(tokens: list[Token], first: int) -> bool:
    """An honorific or a locative comes before, over at most MAX_WALK capitalised words or initials."""
    index = first - 1
    for _ in range(MAX_WALK + 1):
        if index < 0:
            return False
        raw, word = tokens[index][1], tokens[index][2].lower()
        if word in HONORIFICS and not raw.endswith((",", ";", ":", "!", "?")):
            return True
        if _INITIAL.fullmatch(raw):  # "Cllr J. Dick"
            index -= 1
            continue
        if _ends_clause(raw):
            return False
        if word in LOCATIVES:
            return True
        if word in FIRST_NAMES and index == first - 1:  # "Alan Cock": a given name, then a surname
            return True
        if not _TITLE.fullmatch(tokens[index][2]):
            return False
        index -= 1
    return False


def _before_place_element(tokens: list[Token], last: int) -> bool:
    """A place element ("Lane", "Road", "End") follows, over at most MAX_WALK capitalised words."""
    index = last
    for _ in range(MAX_WALK + 1):
        if _ends_clause(tokens[index][1]) or index + 1 >= len(tokens):
            return False
        index += 1
        word = tokens[index][2]
        if word in PLACE_ELEMENTS:
            return True
        if not _TITLE.fullmatch(word):
            return False
    return False


def _strip(word: str) -> str:
    return word.lstrip(_LEADING).rstrip(_TRAILING)


def _ends_clause(raw: str) -> bool:
    stripped = raw.rstrip(")]}\"'\u2019\u201d")
    return bool(stripped) and stripped[-1] in _CLAUSE_END
