"""Hate-speech analysis: who a comment targets for who they are, and how.

``analyse(text)`` reads a comment once and returns an :class:`Analysis`: the
findings (threats, dehumanisation, derogation, expressed hatred, exclusion,
slurs) with the groups targeted and the spans in the original text, and
whether the comment quotes or reports hate in order to reject it
(counter-speech). The hate plugin turns findings into verdicts; the toxicity
plugin uses the same analysis (memoised per text, so one parse serves both) to
leave counter-speech alone.

The pieces: :mod:`.lexicon` (groups, slurs, predicates), :mod:`.tokens`
(spelling repairs), :mod:`.grammar` (the rules). Everything is rules over
lexicons: no model, nothing downloaded, and time linear in the comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import re2

from discuss.textnorm import normalise

from . import grammar, lexicon
from .lexicon import SITE, Target
from .tokens import _COMMON, CONTENT_WORDS, GUARD, KNOWN, _TOKEN, _phrase_words, read_word, tokenise

__all__ = ["Analysis", "Hit", "analyse", "CATEGORIES", "Target"]

# The categories, most serious first (the order a verdict reports them in).
CATEGORIES = ("threat", "dehumanisation", "slur", "exclusion", "hatred", "derogation")
# Longer comments are analysed but not remembered.
MAX_CACHED_LENGTH = 20_000
MAX_HITS = 50
# Comments are at most 10,000 characters (MAX_BODY_LENGTH), and only the
# sentences around group names are read; past this many tokens of those, the
# rest is not (no conversation names groups in 600 words of its sentences).
MAX_TOKENS = 600


@dataclass(frozen=True)
class Hit:
    """One finding, as plugins see it."""

    category: str
    function: str  # finer: "direct threat", "negated positive", "implicit derogation", ...
    targets: tuple[Target, ...]
    span: tuple[int, int]  # into the original text
    severity: str = ""  # slurs: high | medium
    suppressed_by: str = ""  # counter-speech: quotation | counter frame | reported speech

    @property
    def urgent(self) -> bool:
        return self.category == "threat"


@dataclass(frozen=True)
class Analysis:
    """What the comment does to which groups."""

    hits: tuple[Hit, ...]  # findings that stand
    counter: tuple[Hit, ...]  # findings the comment quotes or reports to reject
    innocent: tuple[Hit, ...] = ()  # slur words read as a homonym, a proper name or reclaimed self-description
    group_names: tuple[tuple[int, int], ...] = ()  # where groups are named (not slurs), in the original text
    denied: tuple[tuple[int, int], ...] = ()  # attacks the comment denies ("are NOT criminals", "I don't HATE")

    @property
    def innocent_spans(self) -> list[tuple[int, int]]:
        """Where a word that is a slur elsewhere is innocent here ("faggots and peas", "the dyke along the fen
        road", "as a queer woman"): for word filters such as the profanity plugin to leave alone."""
        return [hit.span for hit in self.innocent]

    @property
    def counter_speech(self) -> bool:
        """The comment quotes or reports hate in order to reject it (and asserts none itself)."""
        return bool(self.counter) and not self.hits

    @property
    def categories(self) -> list[str]:
        present = {hit.category for hit in self.hits}
        return [category for category in CATEGORIES if category in present]

    @property
    def urgent(self) -> bool:
        return any(hit.urgent for hit in self.hits)


def analyse(text: str, extra_targets: tuple[str, ...] = ()) -> Analysis:
    """The analysis of ``text``; ``extra_targets`` are a site's own group terms (lower case)."""
    if len(text) <= MAX_CACHED_LENGTH:
        return _analyse_cached(text, tuple(extra_targets))
    return _analyse(text, tuple(extra_targets))


@lru_cache(maxsize=512)
def _analyse_cached(text: str, extra_targets: tuple[str, ...]) -> Analysis:
    return _analyse(text, extra_targets)


# Adjectives too common to read a sentence for on their own: they name a group
# only before a person noun ("old people", but "the old gas holder").
COMMON_ADJECTIVES = frozenset({"old", "white", "black", "foreign", "illegal", "blind", "deaf", "elderly",
                               "coloured", "indian", "irish", "chinese", "turkish", "polish"})
# Adjectives that also name a people after "the" (not "the old bridge", "the white van").
_NOUN_ADJECTIVES = frozenset({"irish", "chinese", "turkish", "polish", "elderly", "deaf", "blind"})
_GENERIC = frozenset({"the", "of", "a", "with", "in", "people", "folk", "men", "women", "community", "man",
                      "woman", "centre", "site", "camp", "hotel", "bar", "club", "march", "parade", "kids"})


def _trigger_words() -> frozenset[str]:
    """Words at least one of which a sentence needs before the grammar reads it: names of groups.

    For a phrase ("asylum seekers", "islamic centre") its distinctive words count;
    common adjectives count only before a person noun (see ``_triggered``).
    """
    words: set[str] = set()
    for table in (lexicon.GROUP_NOUNS, lexicon.GROUP_ADJECTIVES, lexicon.GROUP_PLACES, lexicon.SLURS):
        for key in table:
            parts = _phrase_words(key)
            if len(parts) == 1:
                words.add(parts[0])
            else:
                words.update(p for p in parts if p not in _GENERIC and p not in lexicon.PERSON_NOUNS)
    return frozenset(words - COMMON_ADJECTIVES)


TRIGGERS = _trigger_words()
# First pieces of a word split in two ("immi grants", "mus lims"), never an everyday word.
_PREFIXES = frozenset(w[:i] for w in CONTENT_WORDS for i in range(3, len(w) - 1)) - KNOWN - GUARD - _COMMON
# For each such piece, the rest of the words it begins.
_REST: dict[str, set[str]] = {}
for _word in CONTENT_WORDS:
    for _i in range(3, len(_word) - 1):
        if _word[:_i] in _PREFIXES:
            _REST.setdefault(_word[:_i], set()).add(_word[_i:])
_WORDS = re.compile(r"[a-z0-9@$]+")
# The same words as _WORDS.findall, three times as fast: every byte that is not one of
# those characters (UTF-8 bytes of other characters included) becomes a space.
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789@$")
_NOT_WORD_TO_SPACE = bytes(c if c in _WORD_BYTES else 32 for c in range(256))


def _words(text: str, encoded: bytes | None = None) -> list[str]:
    """The words of ``text`` (``encoded``: its UTF-8, when already at hand)."""
    if encoded is None:
        encoded = text.encode("utf-8", "surrogatepass")
    return encoded.translate(_NOT_WORD_TO_SPACE).decode("ascii").split()


_SINGLE_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789@$")
_ADJECTIVE_HEADS = lexicon.PERSON_NOUNS | {"behaviour", "scum", "filth", "vermin", "trash", "rubbish", "lot",
                                           "ppl", "peeps"}
_SPACED = re.compile(r"(?<![a-z0-9@$])[a-z0-9@$](?:[ .\-_/~]{1,3}[a-z0-9@$](?![a-z0-9@$])){2,}")
# Whether three letters stand apart anywhere ("m u s l i m s"): RE2, a linear pass at
# C speed (Python's re tried every position of every comment).
_SPACED_HINT = re2.compile(r"[a-z0-9@$][ .\-_/~]{1,3}[a-z0-9@$][ .\-_/~]{1,3}[a-z0-9@$](?:[^a-z0-9@$]|$)")
# The same, for the text's UTF-8 when it is at hand (whether it matches is all that is asked).
_SPACED_HINT_UTF8 = re2.compile(_SPACED_HINT.pattern.encode())
_SENTENCES = re.compile(r"[^.!?\n\u2026]*(?:[.!?\n\u2026]+|$)")
# Distinct words already seen to be nothing the grammar needs (bounded; cleared when full).
_PLAIN: set[str] = set()
_PLAIN_LIMIT = 200_000


def _triggered(text: str, extra: frozenset[str], encoded: bytes | None = None) -> bool:
    """Whether ``text`` (normalised; ``encoded``: its UTF-8, when at hand) names a group at all,
    however spelt: most comments do not."""
    words = _words(text, encoded)
    if not words:
        return False
    distinct = set(words)
    if distinct & TRIGGERS or (extra and distinct & extra):
        return True
    fresh = distinct - _PLAIN
    for word in fresh:
        read = read_word(word)
        if any(part in TRIGGERS for part in read) or (read[0] != word and read[0] in COMMON_ADJECTIVES):
            return True
    adjectives = distinct & COMMON_ADJECTIVES
    if adjectives and "typical" in distinct:
        for before, first, second in zip([""] + words, words, words[1:]):
            if first in COMMON_ADJECTIVES and (second in _ADJECTIVE_HEADS or second in TRIGGERS
                                               or before == "typical"):
                return True
    elif adjectives:  # an adjective directly before a person noun: "typical", "those foreign people"
        if not _ADJECTIVE_HEADS.isdisjoint(distinct) and _followed_by(words, adjectives, _ADJECTIVE_HEADS):
            return True
    if not adjectives.isdisjoint(_NOUN_ADJECTIVES) and _followed_by(words, {"the"}, _NOUN_ADJECTIVES):
        return True  # a people named by its adjective: "the Irish are ...", "the deaf"
    if len(_PLAIN) > _PLAIN_LIMIT:
        _PLAIN.clear()
    _PLAIN.update(fresh)
    spaced = len(distinct & _SINGLE_LETTERS) >= 3 and (
        _SPACED_HINT.search(text) if encoded is None else _SPACED_HINT_UTF8.search(encoded))
    for count, run in enumerate(_SPACED.finditer(text) if spaced else ()):
        letters = "".join(c for c in run.group() if c not in " .-_/~")
        if len(letters) <= 40 and any(part in TRIGGERS for part in read_word(letters)):
            return True
        if count > 200:
            break
    if any(_REST[p] & distinct for p in distinct & _PREFIXES):  # two pieces of one word: "immi grants"
        for first, second in zip(words, words[1:]):
            if first in _PREFIXES and first + second in CONTENT_WORDS:
                return True
    return False


def _followed_by(words: list[str], firsts: set[str], seconds: frozenset[str]) -> bool:
    """Whether a word in ``firsts`` stands directly before one in ``seconds`` in ``words``.

    ``any((a, b) in set(zip(words, words[1:])) ...)`` in effect, but visiting only where
    a word of ``firsts`` stands (``list.index``, at C speed): a comment has a few.
    """
    end = len(words) - 1
    for first in firsts:
        at = -1
        try:
            while True:
                at = words.index(first, at + 1, end)
                if words[at + 1] in seconds:
                    return True
        except ValueError:
            continue
    return False


# Words without which a sentence cannot name a group (see ``_sentence_ranges``).
_MAY_TRIGGER = TRIGGERS | COMMON_ADJECTIVES | _PREFIXES


def _sentence_ranges(text: str, extra: frozenset[str], encoded: bytes | None = None) -> list[tuple[int, int]]:
    """The sentences that name a group, the one before each and the two after (pronouns, reports).

    ``_triggered`` decides for each sentence, but only for those holding a word that
    could make it true: a group name or a site's term, a common adjective, the first
    piece of a split word, or a word not yet known to be plain (its spelling may be
    repaired into a group name). A sentence's words are the text's, and a sentence's
    spaced-letter hint is one the whole text has too; a sentence with none of those
    words would be judged plain and remembered nothing new. (``encoded``: the text's
    UTF-8, when at hand.)
    """
    spans = [(m.start(), m.end()) for m in _SENTENCES.finditer(text) if m.end() > m.start()]
    may_trigger: frozenset[str] | set[str] | None = None  # None: ask about every sentence
    hint = _SPACED_HINT.search(text) if encoded is None else _SPACED_HINT_UTF8.search(encoded)
    if hint is None:
        words = set(_words(text, encoded))
        may_trigger = (words & _MAY_TRIGGER) | (words & extra) | (words - _PLAIN)
    wanted: set[int] = set()
    seen: set[str] = set()
    for index, (start, end) in enumerate(spans):
        sentence = text[start:end].strip()
        if sentence in seen:
            continue  # a repeated sentence says nothing new (hostile repetition)
        seen.add(sentence)
        if may_trigger is not None and may_trigger.isdisjoint(_words(sentence)):
            continue
        if _triggered(sentence, extra):
            wanted.update(range(max(0, index - 1), min(len(spans), index + 3)))
    ranges: list[tuple[int, int]] = []
    for index in sorted(wanted):
        start, end = spans[index]
        if ranges and ranges[-1][1] == start:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
    return ranges


def _analyse(text: str, extra_targets: tuple[str, ...]) -> Analysis:
    norm = normalise(text)
    extra_words = frozenset(term.lower() for term in extra_targets if term)
    if not _triggered(norm.text, extra_words, norm.utf8):
        return Analysis((), ())
    ranges = _sentence_ranges(norm.text, extra_words, norm.utf8)
    tokens = tokenise(norm.text, norm.original, norm.original_index, ranges, MAX_TOKENS)[:MAX_TOKENS]
    if not tokens:
        return Analysis((), ())
    extra = {term.lower(): Target(term.lower(), SITE) for term in extra_targets if term}
    sentences, found = grammar.analyse_tokens(tokens, extra)
    hits: list[Hit] = []
    counter: list[Hit] = []
    innocent: list[Hit] = []
    denied: list[tuple[int, int]] = []
    for si, finding in found[: MAX_HITS * 2]:
        sentence = grammar_sentence_tokens(sentences, si, finding)
        start_token, end_token = sentence
        start, _ = norm.original_span(start_token.start, start_token.end)
        _, end = norm.original_span(end_token.start, end_token.end)
        hit = Hit(finding.category, finding.function, tuple(dict.fromkeys(finding.targets)), (start, end),
                  finding.severity, finding.suppressed_by)
        if finding.suppressed_by == "denied":
            denied.append(hit.span)
        elif finding.suppressed_by in ("homonym", "proper name", "reclaimed", "mention"):
            innocent.append(hit)
        else:
            (counter if finding.suppressed_by else hits).append(hit)
    names = []
    for sentence in sentences:
        for mention in sentence.mentions:
            if mention.kind == "slur" and mention.severity != "low":
                continue
            first, last = sentence.tokens[mention.start], sentence.tokens[mention.end - 1]
            start, _ = norm.original_span(first.start, first.end)
            _, end = norm.original_span(last.start, last.end)
            names.append((start, end))
    return Analysis(tuple(hits[:MAX_HITS]), tuple(counter[:MAX_HITS]), tuple(innocent[:MAX_HITS]),
                    tuple(names[:MAX_HITS * 4]), tuple(denied[:MAX_HITS]))


def grammar_sentence_tokens(sentences, si, finding):
    """First and last token a finding covers (a negative start reaches into the sentence before)."""
    sentence = sentences[si]
    if finding.start < 0 and si > 0:
        before = sentences[si - 1].tokens
        first = before[max(0, len(before) + finding.start)]
    else:
        first = sentence.tokens[max(0, finding.start)]
    last = sentence.tokens[min(len(sentence.tokens), max(finding.end, 1)) - 1]
    return first, last


def describe(hit: Hit) -> dict:
    """A hit as plain data (for verdict details and scripts)."""
    return {"category": hit.category, "function": hit.function,
            "targets": [t.label for t in hit.targets],
            "characteristics": sorted({t.characteristic for t in hit.targets}),
            "span": list(hit.span), "severity": hit.severity, "suppressed_by": hit.suppressed_by}


__all__ += ["describe", "lexicon"]
