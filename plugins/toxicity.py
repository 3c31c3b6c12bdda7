"""Toxicity: a model's probability of abuse above a per-site threshold holds.

The model is alt-profanity-check's (a TF-IDF vectoriser and a calibrated linear
SVM, shipped inside its wheel: nothing is downloaded). It is loaded once per
process, on first use, under a lock. Scoring does not go through scikit-learn:
the model is linear, so its weights are read once into arrays and a comment is
scored with the same tokenisation, TF-IDF and calibration in a few dozen
microseconds instead of milliseconds (``tests/test_plugin_toxicity.py`` checks
the scores equal the library's).

What the model misses, measured: threats ("you should be shot" scores 0.14,
"I will find where you live and hurt you" 0.50) and dehumanising language about
groups ("immigrants are vermin" 0.26, "X are rats" 0.14). It also scores neutral
mentions of identities above zero ("I am a proud gay man" 0.58), which is why the
threshold stays high (0.8). It also weighs mild swearing heavily, so by default
the text is scored without the words the profanity plugin judges (that plugin
has its own tiers and modes; a site's "censor" mode would otherwise be undone
here) and without mild swear words councils accept. A short, readable list of threat and
dehumanisation patterns complements it (setting ``patterns``); both hold with the
same reason and the details say which fired.

Counter-speech is left alone: when the shared hate analysis
(:func:`discuss.hatespeech.analyse`, memoised per text, so the hate plugin's
parse is reused) finds that the comment quotes or reports hate in order to
reject it ("Someone wrote 'Travellers are vermin' on the bus shelter. That is
disgusting"), neither the patterns nor the model hold it: the quoted words and
the condemnation are what the model scores highest.

The model also scores the mere naming of a group as abuse ("I'm queer and I want
more inclusive events" 0.85, "I don't hate black people" above the threshold),
so by default the words the analysis reads as naming a group, and the attacks
it reads as denied ("are not criminals", "I don't hate"), are left out of the
text it scores (setting ``ignore_group_names``): attacks on groups are the hate
plugin's to judge, with their grammar, and insults stay in.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from functools import lru_cache
from itertools import filterfalse
from typing import Mapping

import marshmallow as ma
import re2

from discuss import Submission, Verdict, hookimpl
from discuss.hatespeech import analyse
from discuss.textnorm import normalise

name = "toxicity"
enabled_by_default = True
# The first screening in a process loads the model (about 4 s on two cores).
timeout = 30.0

REASON = "may break the house rules"

# Mild swearing councils accept (the profanity plugin lets it through); the model
# weighs these heavily ("What the hell ... Damn annoying." scores 0.96).
MILD_SWEARING = frozenset({
    "hell", "damn", "damned", "dammit", "damnit", "crap", "crappy", "bloody", "bugger", "sod",
    "god", "goddamn", "heck", "jeez", "arse", "arsed", "bollocks",
})

_GROUP = (r"(?:immigrants?|migrants?|refugees?|asylum\s+seekers?|foreigners?|muslims?|jews?|christians?|"
          r"hindus?|sikhs?|gypsies|gipsies|travell?ers|roma|blacks?|whites?|asians?|africans?|poles|"
          r"romanians?|gays?|lesbians?|trans(?:\s+people)?|women|men|disabled(?:\s+people)?|"
          r"(?:these|those|such)\s+people|they|them)")
_DEHUMANISING = (r"(?:vermin|rats|cockroaches|parasites|leeches|animals|savages|subhumans?|sub-humans?|"
                 r"scum|filth|a\s+plague|a\s+disease|a\s+cancer|an\s+infestation|a\s+virus|invaders|"
                 r"not\s+(?:even\s+)?human)")
_VIOLENT = (r"(?:shot|hanged|hung|killed|strung\s+up|gassed|exterminated|eradicated|wiped\s+out|"
            r"put\s+down|burned|burnt|sterili[sz]ed|culled|lynched)")
PATTERNS = {
    "threat": (
        r"\b(?:i|we)(?:'ll|\s+will|\s+am\s+going\s+to|\s+are\s+going\s+to|'m\s+going\s+to|\s+gonna)\s+"
        r"(?:find|hurt|kill|shoot|stab|burn|beat|smash|batter|get)\s+(?:where\s+)?(?:you|him|her|them|your)\b",
        r"\b(?:you|he|she|they|councillors?)\s+(?:should|ought\s+to|deserves?\s+to|needs?\s+to|will)\s+"
        rf"(?:be\s+)?{_VIOLENT}\b",
        r"\b(?:kill|hang|shoot)\s+yourself\b", r"\bkys\b", r"\bdie\s+in\s+a\s+fire\b",
        r"\bhope\s+(?:you|he|she|they)\s+(?:die|dies|get\s+cancer|rots?)\b",
        r"\b(?:i|we)\s+know\s+where\s+(?:you|he|she|they)\s+lives?\b", r"\bwatch\s+your\s+back\b",
    ),
    "dehumanising": (
        rf"\b{_GROUP}\s+(?:are|is)\s+(?:all\s+|just\s+|nothing\s+but\s+|like\s+)?{_DEHUMANISING}\b",
        rf"\b{_GROUP}\s+(?:should|must|need\s+to|ought\s+to)\s+(?:all\s+)?be\s+{_VIOLENT}\b",
        r"\bgo\s+back\s+to\s+(?:where\s+you\s+came\s+from|your\s+own\s+country|your\s+country)\b",
        r"\bsend\s+(?:them|'?em)\s+(?:all\s+)?back\b",
    ),
}
# Run by RE2 (google-re2): one linear pass per kind at C speed, with no need to
# look for hints first (Python's ``re`` took 0.3 ms a 500-word comment on the
# alternation of hints alone).
_PATTERNS = {kind: re2.compile("|".join(found)) for kind, found in PATTERNS.items()}
# Every kind at once, to ask first whether any pattern matches at all (most comments:
# none), in one pass instead of one per kind, over the normalised text's UTF-8
# (encoded once for every plugin that searches it).
_ANY_PATTERN = re2.compile("|".join(p for found in PATTERNS.values() for p in found).encode())


# Name-calling and strong dislike: what the model weighs most after swearing ("That
# councillor is a pathetic coward" scores 0.999). Said *about* a councillor, an officer,
# a service or a thing it is criticism, which councils must publish. Said to "you" it is
# one person insulting another: not hate, so by default it publishes too (readers can
# report it; swearing, threats and slurs hold through their own plugins). A site whose
# house rules forbid it sets hold_insults_to_commenters.
NAME_CALLING = frozenset("""
stupid stupidity idiot idiots idiotic fool fools foolish moron morons moronic coward cowards cowardly
pathetic disgrace disgraceful disgusting filthy rude useless incompetent incompetence arrogant clown
clowns joke shambles shambolic dimwit dimwits imbecile imbeciles cretin cretins dumb dumber hate hated
hates hating loser losers sick ugly awful appalling vile nasty horrible terrible worst liar liars lying
crook crooks clueless brainless spineless gutless die dies died dying ignorant worthless hypocrite
hypocrites hypocritical dishonest bigot bigots numpty muppet plonker wally halfwit nitwit buffoon buffoons
creep creepy weirdo selfish sad
""".split())
# A second-person word standing alone (letters, digits, "_" and "'" on neither side),
# found by RE2 in one pass (Python's re, with look-arounds, tried every position).
_SECOND_PERSON = re2.compile(r"(?i)(?:^|[^\pL\pN_'])(?:you|your|yours|yourself|yourselves|ya|u|ur|thou)"
                             r"(?:[^\pL\pN_']|$)")



class settings_schema(ma.Schema):
    """Per-site settings of the toxicity plugin."""

    threshold = ma.fields.Float(load_default=0.8, validate=ma.validate.Range(min=0.0, max=1.0),
                                metadata={"description": "model probability above which a comment holds"})
    model = ma.fields.Boolean(load_default=True, metadata={"description": "use the model"})
    patterns = ma.fields.Boolean(load_default=True,
                                 metadata={"description": "hold threats and dehumanising language"})
    counter_speech = ma.fields.Boolean(
        load_default=True,
        metadata={"description": "publish counter-speech the hate analysis recognises (quoted or reported hate)"})
    ignore_group_names = ma.fields.Boolean(
        load_default=True,
        metadata={"description": "score the text without the words that name a group (the hate plugin judges those)"})
    ignore_swearing = ma.fields.Boolean(
        load_default=True,
        metadata={"description": "score the text without the words the profanity plugin judges"})
    ignore_criticism = ma.fields.Boolean(
        load_default=True,
        metadata={"description": "score without name-calling (idiot, pathetic, disgrace ...): robust "
                                 "criticism of councillors, officers, services and things is political "
                                 "speech, and an insult to one person is for readers to report"})
    hold_insults_to_commenters = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "score name-calling when the comment addresses someone as 'you' (a "
                                 "commenter insulting another), so house rules against it hold"})


class LinearToxicityModel:
    """alt-profanity-check's model, scored directly from its weights."""

    def __init__(self) -> None:
        import numpy as np
        from profanity_check import profanity_check as library

        vectorizer, model = library.vectorizer, library.model
        self._np = np
        # scikit-learn's default pattern finds maximal runs of two or more word
        # characters; without the two \b checks Python's re finds the same runs
        # in about half the time (and :func:`word_counts` in less again).
        pattern = vectorizer.token_pattern
        self.default_tokens = pattern == r"(?u)\b\w\w+\b"
        self.token = re.compile(r"\w\w+" if self.default_tokens else pattern)
        self.vocabulary: dict[str, int] = dict(vectorizer.vocabulary_)
        self.idf = np.asarray(vectorizer.idf_, dtype=float)
        folds = model.calibrated_classifiers_
        self.coef = np.vstack([fold.estimator.coef_.ravel() for fold in folds]).T  # (words, folds)
        self.idf_coef = self.coef * self.idf[:, None]
        self.idf_squared = self.idf * self.idf
        self.intercept = np.array([float(fold.estimator.intercept_[0]) for fold in folds])
        self.a = np.array([float(fold.calibrators[0].a_) for fold in folds])
        self.b = np.array([float(fold.calibrators[0].b_) for fold in folds])
        # The vocabulary without each set of ignored words asked for.
        self._without: dict[frozenset[str], dict[str, int]] = {}

    def counts(self, text: str) -> Counter[str]:
        """The vectoriser's tokens of ``text`` (lower-cased) and how often each occurs."""
        if self.default_tokens:
            return word_counts(text)
        return Counter(self.token.findall(text.lower()))

    def probability(self, text: str, *, ignore: frozenset[str] = frozenset()) -> float:
        """Probability that ``text`` is abusive, as ``profanity_check.predict_prob`` computes it.

        Words in ``ignore`` are left out, as if they were not in the model's vocabulary.
        """
        np = self._np
        counts = self.counts(text)
        vocabulary = self._vocabulary_without(frozenset(ignore))
        words = counts.keys() & vocabulary.keys()
        if words:
            ids = np.fromiter(map(vocabulary.__getitem__, words), dtype=np.intp, count=len(words))
            tf = np.fromiter(map(counts.__getitem__, words), dtype=float, count=len(words))
            # x = tf * idf; decision = (x @ coef) / |x| + intercept, with idf folded in beforehand.
            decision = (tf @ self.idf_coef[ids]) / math.sqrt(float((tf * tf) @ self.idf_squared[ids])) \
                + self.intercept
        else:
            decision = self.intercept
        calibrated = 1.0 / (1.0 + np.exp(self.a * decision + self.b))
        return float(calibrated.mean())

    def _vocabulary_without(self, ignore: frozenset[str]) -> dict:
        """Token -> weight row, without the words in ``ignore`` (kept for the few sets plugins use)."""
        vocabulary = self._without.get(ignore)
        if vocabulary is None:
            vocabulary = {word: index for word, index in self.vocabulary.items() if word not in ignore}
            if len(self._without) >= 16:
                self._without.clear()
            self._without[ignore] = vocabulary
        return vocabulary


# Every ASCII byte that is not a word character (letter, digit, "_") becomes a space and
# every ASCII capital its small letter; the bytes of other characters (0x80 and up) stay,
# to be read by the regex.
_ASCII_NOT_WORD_TO_SPACE = bytes(
    c if c >= 0x80 else ord(chr(c).lower()) if chr(c).isalnum() or c == 0x5F else 0x20 for c in range(256))
_WORD_RUN = re.compile(r"\w\w+")


def word_counts(text: str) -> Counter[str]:
    """How often each maximal run of word characters occurs in ``text.lower()``: the
    counts of ``re.findall(r"\\w\\w+", text.lower())``, plus single ASCII characters (no
    word of the vocabulary). ``tests/test_plugin_toxicity.py`` checks it on generated texts.

    ASCII characters that cannot be in a run become spaces and capitals small letters
    (one C-speed translate), so a split gives the runs; only the distinct pieces still
    holding other characters (accented words, curly quotes, other scripts) are
    lower-cased and go through the regex: lower-casing a whole text that is not
    ASCII is slow. A capital sigma lower-cases according to its neighbours, which a
    piece may not hold, so a text with one is lower-cased whole first. About twice
    as fast as lower-casing and the regex on the whole text (three times on plain ASCII).
    """
    whole = "\u03a3" in text
    if whole:
        text = text.lower()
    data = text.encode("utf-8", "surrogatepass").translate(_ASCII_NOT_WORD_TO_SPACE)
    if text.isascii():
        return Counter(data.decode("ascii").split())
    counts = Counter(data.decode("utf-8", "surrogatepass").split())
    for piece in list(filterfalse(str.isascii, counts)):
        times = counts.pop(piece)
        for run in _WORD_RUN.findall(piece if whole else piece.lower()):
            counts[run] += times
    return counts


_model: LinearToxicityModel | None = None
_model_lock = threading.Lock()


def get_model() -> LinearToxicityModel:
    """The process's model, loaded on first use (thread-safe, once)."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = LinearToxicityModel()
    return _model


def find_patterns(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of threat and dehumanisation patterns in ``text``."""
    norm = normalise(text)
    if _ANY_PATTERN.search(norm.utf8) is None:
        return []
    found = []
    for kind, regex in _PATTERNS.items():
        for match in regex.finditer(norm.text):
            found.append((*norm.original_span(*match.span()), kind))
    return sorted(found)


def _without_spans(text: str, spans) -> str:
    """``text`` with each ``[start, end)`` span replaced by spaces (offsets stay the same)."""
    parts, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        parts.append(text[last:start])
        parts.append(" " * (end - start))
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _addresses_someone(text: str) -> bool:
    """Whether the comment speaks to a person ("you idiot", "I hate you"): what a site that
    holds insults to commenters (hold_insults_to_commenters) scores with its name-calling."""
    try:
        return _SECOND_PERSON.search(text) is not None
    except UnicodeEncodeError:  # lone surrogates: RE2 reads UTF-8
        return _SECOND_PERSON.search(text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")) is not None


@lru_cache(maxsize=4)
def _with_name_calling(ignore: frozenset[str]) -> frozenset[str]:
    # One set object per combination, so the model's per-set vocabulary is found by identity.
    return ignore | NAME_CALLING


def _without_swearing(text: str) -> str:
    """``text`` with the profanity plugin's words blanked out (it has its own modes)."""
    from .profanity import find_words_cached, wordlist

    hits = find_words_cached(text, wordlist((), ()))
    if not hits:
        return text
    parts, last = [], 0
    for start, end, _, _ in hits:
        parts.append(text[last:start])
        parts.append(" ")
        last = end
    parts.append(text[last:])
    return "".join(parts)


@hookimpl
def discuss_screen_comment(submission: Submission, settings: Mapping) -> Verdict | None:
    """Hold when the model's probability exceeds the threshold or a pattern matches."""
    analysis = analyse(submission.body)
    if settings["counter_speech"] and analysis.counter_speech:
        return None
    details: dict = {}
    if settings["patterns"]:
        found = find_patterns(submission.body)
        if found:
            details["spans"] = [[a, b] for a, b, _ in found]
            details["patterns"] = sorted({kind for _, _, kind in found})
    if settings["model"]:
        text, ignore = submission.body, frozenset()
        if settings["ignore_group_names"] and (analysis.group_names or analysis.denied):
            text = _without_spans(text, analysis.group_names + analysis.denied)
        if settings["ignore_swearing"]:
            text, ignore = _without_swearing(text), MILD_SWEARING
        if settings["ignore_criticism"] and not (settings["hold_insults_to_commenters"]
                                                 and _addresses_someone(text)):
            ignore = _with_name_calling(ignore)
        probability = get_model().probability(text, ignore=ignore)
        details["probability"] = round(probability, 4)
        if probability > settings["threshold"]:
            details["source"] = "model"
            return Verdict.hold(REASON, threshold=settings["threshold"], **details)
    if details.get("patterns"):
        details["source"] = "patterns"
        return Verdict.hold(REASON, **details)
    return None
