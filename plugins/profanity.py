"""Profanity: strong swear words and slurs reject, mild swearing and ambiguous words hold.

The words are better-profanity's list, sorted into tiers here (strong, mild,
ambiguous, names, accepted) because the list mixes slurs with words a council
page needs ("erection" of a fence, road "humps", "stroke", a Cornish "pasty"),
plus mild British swearing, strong British words the list lacks and common swear
words of other languages (:mod:`discuss_builtins.profanity_lexicon`). Sites add and remove
words in their settings.

The matcher is our own. It normalises the text once (:mod:`discuss.textnorm`:
NFKC, invisible characters, homoglyphs), then matches *whole tokens* against
sets, which is what keeps Scunthorpe, Penistone and Cockermouth clean. A token
that is not a word as written is tried as leetspeak (``sh1t``, ``$h!t``), with
its repeated letters collapsed (``fuuuck``), with a known suffix (``wankers``),
as a masked word (``f*ck``, ``f***``), and runs of single letters or
separator-split pieces are joined (``f u c k``, ``s-h-i-t``, ``bull.shit``).
Nothing is precomputed per spelling: the sets hold each list word once, and
verdicts for tokens already seen are remembered (bounded) because comment
vocabulary repeats.

Proper nouns are not swearing (:mod:`discuss_builtins.proper_nouns`): a hit written as a
plain capitalised word is dropped when it is part of a UK place in the built-in
gazetteer (``Twatt``, ``Nob End``) or of a name in the site's ``names`` setting,
when it follows an honorific (``Cllr Dick Cox``, ``Mr Bastard``) or a word like
"in" or "near", or when it comes before a word like "Road" or "Lane". The
strongest words and slurs (:data:`~discuss_builtins.profanity_lexicon.NEVER_PROPER_STEMS`)
are never taken for names by those rules.

Verdict details: ``spans`` (``[[start, end], ...]`` into the original body),
``words`` (the list words matched) and ``tiers`` (``strong``, ``mild`` or ``ambiguous``).
"""

from __future__ import annotations

import operator
import re
import threading
from functools import lru_cache
from itertools import accumulate, compress, product
from pathlib import Path
from typing import Iterable, Mapping

import marshmallow as ma

from discuss import N_, Submission, Verdict, hookimpl
from discuss.textnorm import Normalised, normalise

from . import profanity_lexicon as lexicon
from .proper_nouns import ProperNouns

name = "profanity"
enabled_by_default = True

STRONG = "strong"
AMBIGUOUS = "ambiguous"
MILD = lexicon.MILD  # mild British swearing: holds by default (setting ``mild``)
NAME = "name"  # a name when capitalised (Dick, Fanny), ambiguous otherwise

PUBLIC_REASON = N_("Please rephrase your comment without swear words or slurs; "
                    "you are welcome to make the same point politely.")

# A list word containing one of these is strong (reject).
STRONG_STEMS = (
    "fuck", "fuk", "fack", "fcuk", "fvck", "fxck", "phuck", "phuk", "phuq", "cunt", "twat", "twunt",
    "wank", "shit", "shite", "nigg", "n1g", "motherf", "mothaf", "muthaf", "mthrf", "bitch",
    "biatch", "whore", "slut", "cocksuck", "dickhead", "prick", "bastard", "asshole",
    "arsehole", "knobhead", "knobend", "bellend", "pussy", "retard", "kike", "kyke", "spic",
    "spik", "wetback", "tosser", "shag", "gfy", "stfu", "cnut", "niglet", "fag", "dyke",
    "gook", "paki", "coon", "nob", "wh0re", "rtard", "reetard", "ritard",
)

# Words of the list a council page needs, or mild enough to accept (hell,
# damn, crap), or neutral mentions of identities and health.
ACCEPTED = frozenset("""
anal anus areole arian asanchez autoerotic bondage
boob boobs breasts buceta crap crotch cum damn dink dinks doofus dopey drunk dummy duche
enlargement erect erection erotic facial fart fat flange fondle foobar gae gai gay gays xx xxx
god god-dam godamn goddam goddamn goddamned goddammit godamnit hell hemp heroin herp herpes
herpy hitler hiv homey hooch hookah hootch hump humped humping jerk junky kill knob labia
len lech lesbians lmao lmfao loin loins lube lust lusting lusty maxi menses menstruate
menstruation meth moron murder napalm nappy nazi nazism nimrod ninny nipple nipples nude omg
opiate opium oral orally organ ovary ovum ovums pastie pasty pawn pecker pee penetrate penetration
penile penis perversion peyote pms poop pollock pot potty prig prude pube pubic pubis queer
queers racy rectal rectum rectus reich revue rum rump sadism sadist sandbar scantily screw
screwed screwing seaman seamen seduce semen sex sexual slave sleaze sleazy slope sniper
snatch snuff souse soused sperm steamy stoned strip stroke stupid suck sucked sucking tampon
teat teste testes testical testicle testis thrust thug tinkle tit toke toots tramp transsexual
trashy tush ugly undies unwed urinal urine uterus uzi valium vodka vomit vulgar vulva wad
weed weirdo whiz willies womb virgin vagina ejaculate ejaculated ejaculation ejaculates
ejaculating orgasm orgasms orgasmic horny kinky bimbo floozy hussy tart wench vixen
junkie lesbian inbred leper yury foreskin glans hymen incest molest busty
playboy booty oral pinko punky puss quicky sissy snuff skag stiffy wedgie weenie weewee
weiner wang woody willy prostitute ganja reefer hardon boner dildo dildos fingering
""".split())

# Capitalised, these are names (Dick Whittington, Fanny Burney, Paddy Ashdown).
NAMES = frozenset({"dick", "fanny", "paddy", "randy", "willy", "johnson", "knob", "guido"})

# Suffixes that keep a strong stem strong: "wankers", "shitty", "twatface".
SUFFIXES = ("s", "es", "er", "ers", "ing", "ings", "in", "ed", "y", "ey", "ier", "iest",
            "head", "heads", "face", "faces", "wit", "wits", "bag", "bags", "hole", "holes",
            "tard", "tards", "stain", "show", "storm", "off", "up", "ery", "wad", "nut")
# Stems that build compounds at the end of a word: "horseshit", "clusterfuck".
COMPOUND_STEMS = ("fuck", "shit", "cunt", "bitch")
# (classify_leet relies on no compound stem ending in a letter an ambiguous leet character can be)
assert not any(stem.endswith(("i", "l", "g", "b", "o")) for stem in COMPOUND_STEMS)
# Innocent words that a compound rule would catch.
NOT_COMPOUNDS = frozenset({"mishit", "mishits"})
_HAS_COMPOUND_STEM = re.compile("|".join(COMPOUND_STEMS)).search
_REPEAT_OR_COMPOUND = re.compile(r"(.)\1|" + "|".join(COMPOUND_STEMS)).search

_LEET = {"0": "o", "1": "i", "2": "z", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t",
         "8": "b", "9": "g", "@": "a", "$": "s", "!": "i", "|": "i", "+": "t", "€": "e"}
_LEET_AMBIGUOUS = {"1": "il", "|": "il", "!": "il", "6": "gb", "0": "o"}
_MASK = frozenset("*#")
_LEET_TABLE = str.maketrans({k: v for k, v in _LEET.items() if k not in "!+"})
_HAS_LEET = re.compile(r"[0-9@$|€]")  # "!" and "+" end words too often to count
_ENDINGS = ("", ".", ",", "!", "?", ";", ":", ")", '"', "'", "!!", "?!", "...")
MAX_SPELLED_OUT = 2000  # single letters searched for spelled-out words in one comment

_TOKEN = re.compile(r"[\w@$!|+*#]+")
# Punctuation that is no part of a token (none is \w or a character of _TOKEN).
_NOT_TOKEN = ".,;:?\"'()[]{}<>-/\\%&=~^`\u2026\u201c\u201d\u2018\u2019"
_TWO_WORDS = re.compile(r"([^\W\d_]+)[" + re.escape(_NOT_TOKEN) + r"]([^\W\d_]+)")
# Words too common to gate the phrase search on ("sod off" waits for "sod").
_COMMON = frozenset("you what a an the off it all this that of up em lot absolute complete total utter".split())
_REPEAT = re.compile(r"(.)\1+")
_FIRST_GROUP = operator.itemgetter(1)  # for _REPEAT.sub: as r"\1", without expanding a template each time
_CODE = re.compile(r"[a-z]{1,2}\d+")  # road and bus numbers: A55, B4056, M25
# Single characters separated by spaces or punctuation: "f u c k", "s - h - i - t".
_SINGLE_RUN = re.compile(r"\b\w(?:[ \t.\-*/·\u2022,~+:]{1,3}\w\b){2,}")

_WORDLIST_FILE = Path(__import__("better_profanity").__file__).with_name("profanity_wordlist.txt")


class settings_schema(ma.Schema):
    """Per-site settings of the profanity plugin."""

    mode = ma.fields.String(load_default="reject", validate=ma.validate.OneOf(["reject", "hold", "censor"]),
                            metadata={"description": "what strong words do: reject, hold, or censor "
                                                     "(publish with the words masked)"})
    hold_ambiguous = ma.fields.Boolean(load_default=True,
                                       metadata={"description": "hold comments with ambiguous words"})
    add_words = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(min=1, max=60)),
                               values=ma.fields.String(validate=ma.validate.OneOf([STRONG, MILD, AMBIGUOUS])),
                               load_default=dict,
                               metadata={"description": "extra words: {word: 'strong' | 'mild' | 'ambiguous'}"})
    allow_words = ma.fields.List(ma.fields.String(), load_default=list,
                                 metadata={"description": "list words this site accepts"})
    mild = ma.fields.String(load_default="hold", validate=ma.validate.OneOf(["hold", "reject", "allow"]),
                            metadata={"description": "what mild British swearing (bollocks, bugger, sod off, "
                                                     "arse) does: hold, reject (as strong words do), or allow"})
    names = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=200)),
                           load_default=list, validate=ma.validate.Length(max=2000),
                           metadata={"description": "the site's councillors and places, as written "
                                                    "(\"Cllr Ann Cockburn\", \"Twatt\"): never profanity "
                                                    "where they appear capitalised"})
    context = ma.fields.Boolean(
        load_default=True,
        metadata={"description": "leave alone slur words the hate analysis reads as innocent (a dish, a "
                                 "cigarette, an embankment, reclaimed self-description) or as quoted to "
                                 "condemn them (counter-speech)"})


# -- the word list ----------------------------------------------------------

def _letters_of(word: str) -> str:
    """A list word as the matcher sees it: folded, leet undone, separators dropped."""
    folded = normalise(word).text
    if not any(c.isalpha() for c in folded):
        return ""
    return "".join(_LEET.get(c, c) for c in folded if c.isalnum() or c in _LEET)


def builtin_tiers() -> dict[str, str]:
    """better-profanity's words with our tier for each (accepted words left out)."""
    tiers: dict[str, str] = {}
    for raw in _WORDLIST_FILE.read_text(encoding="utf-8").split("\n"):
        raw = raw.strip().lower()
        if not raw or raw in ACCEPTED:
            continue
        phrase = " " in raw
        key = " ".join(_letters_of(part) for part in raw.split()) if phrase else _letters_of(raw)
        if not key or key in ACCEPTED:
            continue
        if key in NAMES:
            tier = NAME
        elif any(stem in key.replace(" ", "") for stem in STRONG_STEMS):
            tier = STRONG
        else:
            tier = AMBIGUOUS
        if tiers.get(key) != STRONG:
            tiers[key] = tier
    # Slurs and insults that have a common innocent meaning hold instead.
    for word in ("chink", "faggot", "faggots", "fagot", "fagots", "fag", "fags", "coon", "nob", "spic", "shag",
                 "shagging", "shagged", "dyke", "dykes", "paki", "pussy", "prick", "pricks", "cock"):
        if word in tiers:
            tiers[word] = AMBIGUOUS
    tiers["cock"] = AMBIGUOUS
    tiers.pop("niggle", None)  # a minor worry, not a slur
    tiers.pop("niggles", None)
    for group, tier in ((lexicon.MILD_WORDS, MILD), (lexicon.BRITISH_STRONG, STRONG),
                        (lexicon.FOREIGN_STRONG, STRONG), (lexicon.FOREIGN_MILD, MILD),
                        (lexicon.FOREIGN_AMBIGUOUS, AMBIGUOUS), (lexicon.FOREIGN_NAMES, NAME)):
        for word in group:
            tiers[_letters_of(word)] = tier
    for phrases, tier in ((lexicon.MILD_PHRASES, MILD), (lexicon.BRITISH_STRONG_PHRASES, STRONG)):
        for phrase in phrases:
            tiers[phrase] = tier
    tiers.update(lexicon.FOREIGN_PHRASES)
    return tiers


class WordList:
    """Tiered words and a matcher over them; build once, use from any thread."""

    def __init__(self, tiers: Mapping[str, str], names: Iterable[str] = ()):
        self.words: dict[str, str] = {w: t for w, t in tiers.items() if " " not in w}
        phrases = sorted((w for w in tiers if " " in w), key=len, reverse=True)
        self.phrase_tiers = {p: tiers[p] for p in phrases}
        # The rarest-looking word of each phrase (the longest that is not a common
        # word): the phrase regex only runs when one is present.
        self.phrase_words = frozenset(
            max(p.split(), key=lambda w: (w not in _COMMON, len(w))) for p in phrases)
        # The same as whitespace-separated chunks may hold them: "knob!", "(sod".
        self.phrase_gate = self.phrase_words | {
            f"{a}{w}{b}" for w in self.phrase_words for a, b in product(("", "(", '"', "'"), _ENDINGS)}
        self.proper_nouns = ProperNouns(names)
        # Masked spellings (f*ck) are tried against English words only: "put*" is not "puto".
        self.maskable = frozenset(self.words) - {
            _letters_of(w) for w in lexicon.FOREIGN_STRONG | lexicon.FOREIGN_MILD}
        self.phrases = re.compile(
            r"(?<![^\W_])(?:" + "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases) + r")(?![^\W_])"
        ) if phrases else None
        self.collapsed: dict[str, list[str]] = {}
        for word in self.words:
            self.collapsed.setdefault(_REPEAT.sub(r"\1", word), []).append(word)
        # Longest listed word plus the longest suffix: no spelled-out word is longer.
        self.longest = max(map(len, self.words), default=0) + max(map(len, SUFFIXES))
        self.by_length: dict[int, list[str]] = {}
        for word, tier in self.words.items():
            if tier != NAME:
                self.by_length.setdefault(len(word), []).append(word)
        self.strong_stems = tuple(sorted(
            {w for w, t in self.words.items() if t == STRONG and len(w) >= 4} | set(COMPOUND_STEMS)))
        # Every beginning of a listed word (repeated letters collapsed, suffixed
        # strong stems included): a spelled-out word is only tried as long as
        # its letters could still become one.
        self.prefixes: frozenset[str] = frozenset(
            form[:k] for form in {_REPEAT.sub(r"\1", w) for w in self.words}
            | {_REPEAT.sub(r"\1", stem + suffix) for stem in self.strong_stems for suffix in SUFFIXES}
            for k in range(1, len(form) + 1))
        self._suffixed = re.compile(
            r"(?:" + "|".join(map(re.escape, self.strong_stems)) + r")(?:" + "|".join(SUFFIXES) + r")")
        self._head = min(map(len, self.strong_stems))  # 4: a suffixed word starts with a stem's head
        self._stem_heads = frozenset(stem[:self._head] for stem in self.strong_stems)
        self._compound = re.compile(
            r"[a-z]{2,}(" + "|".join(COMPOUND_STEMS) + r")(?:" + "|".join(SUFFIXES) + r")?")
        self._lock = threading.Lock()
        self._bad: dict[str, tuple[str, str]] = {}   # token -> (word, tier)
        self._clean: set[str] = set()
        # Chunks that read as a phrase's word once leet is undone ("s0d", "kn0b!").
        self.leet_phrase_chunks: set[str] = set()

    # Chunks (whitespace-separated pieces of the text) are classified once and
    # remembered: a comment costs a split and a few set operations.

    def bad_chunks(self, chunks: Iterable[str]) -> dict[str, list[tuple[int, int, str, str]]]:
        """The chunks containing listed words, with the hits inside each chunk."""
        unique = set(chunks)
        unknown = unique - self._clean
        unknown.difference_update(self._bad)
        if unknown:
            found = {chunk: self.classify_chunk(chunk) for chunk in unknown}
            leet = {chunk for chunk in unknown if not chunk.isalpha() and _HAS_LEET.search(chunk)
                    and chunk.translate(_LEET_TABLE) in self.phrase_gate}
            with self._lock:
                if len(self._clean) > 200_000:
                    self._clean.clear()  # bounded memory; it refills with common words
                    self.leet_phrase_chunks.clear()
                if len(self._bad) > 20_000:
                    self._bad.clear()
                    self.leet_phrase_chunks.clear()
                self.leet_phrase_chunks.update(leet)
                for chunk, hits in found.items():
                    if hits:
                        self._bad[chunk] = hits
                    else:
                        self._clean.add(chunk)
        bad = self._bad
        return {chunk: bad[chunk] for chunk in unique.intersection(bad)} if bad else {}

    def classify_chunk(self, chunk: str) -> list[tuple[int, int, str, str]]:
        """Hits inside one whitespace-free chunk such as ``sh1t,`` or ``s.h.i.t`` or ``bull-shit``."""
        # Most chunks are a plain word, perhaps in punctuation that is no part of a
        # token ("council.", "(bins)"): one token, classified as letters (what
        # :meth:`classify_tokens` finds for it, without the token loop).
        word = chunk if chunk.isalpha() else chunk.strip(_NOT_TOKEN)
        if word.isdigit():
            return []  # a number ("2024", "45."): no letter, so no word, leet or spelled out
        if word.isalpha():
            hit = self.classify_letters(word)
            if not hit:
                return []
            start = chunk.index(word) if word is not chunk else 0
            return [(start, start + len(word), *hit)]
        pair = _TWO_WORDS.fullmatch(word)
        if pair and pair[1].isalpha() and pair[2].isalpha() and (len(pair[1]) > 1 or len(pair[2]) > 1):
            # Two words joined by one punctuation mark ("isn't", "fly-tipping"): each
            # word, then (when neither is listed) the two read as one, as the token loop does.
            first, second = pair[1], pair[2]
            start = len(chunk) - len(chunk.lstrip(_NOT_TOKEN))
            hits = []
            hit = self.classify_letters(first)
            if hit:
                hits.append((start, start + len(first), *hit))
            hit = self.classify_letters(second)
            if hit:
                hits.append((start + len(first) + 1, start + len(word), *hit))
            if hits:
                return hits
            hit = self.classify_letters(first + second, compounds=False)
            return [(start, start + len(word), *hit)] if hit else []
        return self.classify_tokens(chunk)

    def classify_tokens(self, chunk: str) -> list[tuple[int, int, str, str]]:
        """:meth:`classify_chunk` token by token (any chunk)."""
        # One pass that keeps no match objects (a chunk can be a megabyte of
        # tokens): hits, how many tokens, whether all are single characters, and
        # the first few for a spelled-out search.
        hits = []
        seen: dict[str, tuple[str, str, int, int] | None] = {}  # hostile chunks repeat one token
        count, singles, first = 0, True, []
        start = end = 0
        for match in _TOKEN.finditer(chunk):
            value = match.group()
            at = match.start()
            if not count:
                start = at
            count += 1
            end = match.end()
            if len(value) != 1:
                singles = False
            if count <= MAX_SPELLED_OUT + 1:
                first.append((at, value))
            if value not in seen:
                seen[value] = self.classify_span(value)
            hit = seen[value]
            if hit:
                word, tier, a, b = hit
                hits.append((at + a, at + b, word, tier))
        if hits or count < 2:
            return hits
        if singles:
            hits = _spelled_out(first[:MAX_SPELLED_OUT], self)
            if count > MAX_SPELLED_OUT:
                # Nobody spells out thousands of letters; hold rather than search them all.
                hits.append((first[MAX_SPELLED_OUT][0], end, "spelled-out letters", AMBIGUOUS))
            return hits
        hit = self.classify_span("".join(_TOKEN.findall(chunk)), compounds=False)
        return [(start, end, *hit[:2])] if hit else []

    def classify(self, token: str) -> tuple[str, str] | None:
        """(word, tier) when ``token`` (lower case) is a listed word in disguise, else None."""
        hit = self.classify_span(token)
        return hit[:2] if hit else None

    def classify_span(self, token: str, *, compounds: bool = True) -> tuple[str, str, int, int] | None:
        """Like :meth:`classify`, with the part of ``token`` that matched (``!`` ending a sentence is not).

        ``compounds=False`` for pieces joined from several (``lines_hit`` is not ``lines`` + ``shit``).
        """
        if token.isalpha():
            hit = self.classify_letters(token, compounds=compounds)
            return (*hit, 0, len(token)) if hit else None
        if "_" in token:  # f_u_c_k: underscores separate letters
            joined = token.replace("_", "")
            compounds = False
            if joined.isalpha():
                hit = self.classify_letters(joined, compounds=False)
                return (*hit, 0, len(token)) if hit else None
            token = joined
        if not any(c.isalpha() for c in token) or _CODE.fullmatch(token):
            return None
        right = token.rstrip("!+*#")
        left = len(token) - len(token.lstrip("*#"))
        candidates = [(left, len(right)), (0, len(right)), (left, len(token)), (0, len(token))]
        for start, end in dict.fromkeys(candidates):
            candidate = token[start:end]
            if not candidate or not any(c.isalpha() for c in candidate):
                continue
            if candidate.isalpha():
                hit = self.classify_letters(candidate, compounds=compounds)
            elif _MASK.intersection(candidate):
                hit = self.classify_masked(candidate)
            else:
                hit = self.classify_leet(candidate, compounds=compounds)
            if hit:
                return (*hit, start, end)
        return None

    def classify_letters(self, letters: str, *, compounds: bool = True) -> tuple[str, str] | None:
        """Whole words, repeated letters, suffixed and (unless told not to) compound forms."""
        tier = self.words.get(letters)
        if tier:
            return letters, tier
        if not _REPEAT_OR_COMPOUND(letters):
            # Most words repeat no letter and hold no compound stem: only a suffixed
            # stem is left to look for (what the general case below finds for them).
            if len(letters) > 4 and letters[:self._head] in self._stem_heads and self._suffixed.fullmatch(letters):
                return next(s for s in sorted(self.strong_stems, key=len, reverse=True) if letters.startswith(s)), STRONG
            return None
        collapsed = _REPEAT.sub(_FIRST_GROUP, letters) if _REPEAT.search(letters) else letters
        if collapsed != letters:
            for word in self.collapsed.get(collapsed, ()):
                if _runs_cover(letters, word):
                    return word, self.words[word]
        if len(letters) > 4:
            for form in {letters, collapsed}:
                # Cheap looks first: a suffixed stem starts with the head of a stem,
                # a compound holds a compound stem.
                match = self._suffixed.fullmatch(form) if form[:self._head] in self._stem_heads else None
                if match:
                    stem = next(s for s in sorted(self.strong_stems, key=len, reverse=True) if form.startswith(s))
                    return stem, STRONG
                match = self._compound.fullmatch(form) if compounds and _HAS_COMPOUND_STEM(form) else None
                if match and form not in NOT_COMPOUNDS:
                    return match.group(1), STRONG
        return None

    def classify_leet(self, token: str, *, compounds: bool = True) -> tuple[str, str] | None:
        ambiguous = [i for i, c in enumerate(token) if c in _LEET_AMBIGUOUS]
        if ambiguous and ambiguous[0] and len(ambiguous) == len(token) - ambiguous[0]:
            # Only the end is ambiguous ("street!", "well!!"): every reading starts with
            # the same letters, and ends in letters (i, l, g, b, o) that end no compound
            # stem. When no listed word, suffixed stem or repeated spelling of one can
            # start so, and no compound stem is in them, no reading is a word.
            head = "".join(_LEET.get(c, c) for c in token[:ambiguous[0]])
            if (head.isalpha() and _REPEAT.sub(_FIRST_GROUP, head) not in self.prefixes
                    and not _HAS_COMPOUND_STEM(head)):
                return None
        if len(ambiguous) > 4:
            ambiguous = ambiguous[:4]
        base = [_LEET.get(c, c) for c in token]
        for choice in product(*(_LEET_AMBIGUOUS[token[i]] for i in ambiguous)):
            letters = base[:]
            for i, c in zip(ambiguous, choice):
                letters[i] = c
            word = "".join(letters)
            if word.isalpha():
                hit = self.classify_letters(word, compounds=compounds)
                if hit:
                    return hit
        return None

    def classify_masked(self, token: str) -> tuple[str, str] | None:
        """``f*ck``, ``f***``, ``c*nt``: a listed word of the same length and visible letters."""
        # "**it" is Markdown bold, and "x*" or "no*" are too short to say: masked
        # words start with a letter, have four characters or more, and are strong.
        if token[0] in _MASK or len(token) < 4:
            return None
        shown = [(i, _LEET.get(c, c)) for i, c in enumerate(token) if c not in _MASK]
        if not shown or len(shown) == len(token) or not all(c.isalpha() for _, c in shown):
            return None
        mild = None  # a strong word wins when both fit (b*****s: bastards before bollocks)
        for word in self.by_length.get(len(token), ()):
            tier = self.words[word]
            if tier in (STRONG, MILD) and word in self.maskable and all(word[i] == c for i, c in shown):
                if tier == STRONG:
                    return word, STRONG
                mild = mild or (word, MILD)
        return mild


def _runs_cover(token: str, word: str) -> bool:
    """True when ``token`` is ``word`` with some letters repeated more (never fewer)."""
    runs_token = [(m.group(1), len(m.group())) for m in _REPEAT_ANY.finditer(token)]
    runs_word = [(m.group(1), len(m.group())) for m in _REPEAT_ANY.finditer(word)]
    return len(runs_token) == len(runs_word) and all(
        a == b and n >= k for (a, n), (b, k) in zip(runs_token, runs_word))


_REPEAT_ANY = re.compile(r"(.)\1*")


def wordlist(add: tuple[tuple[str, str], ...] = (), allow: tuple[str, ...] = (),
             names: tuple[str, ...] = ()) -> WordList:
    """The built-in list with a site's additions, removals and own names (cached per combination,
    however the arguments are passed: the toxicity plugin shares the default list)."""
    return _wordlist(add, allow, names)


@lru_cache(maxsize=64)
def _wordlist(add: tuple[tuple[str, str], ...], allow: tuple[str, ...], names: tuple[str, ...]) -> WordList:
    tiers = builtin_tiers()
    for word in allow:
        key = _letters_of(word.lower()) if " " not in word else " ".join(map(_letters_of, word.lower().split()))
        tiers.pop(key, None)
    for word, tier in add:
        key = _letters_of(word.lower()) if " " not in word else " ".join(map(_letters_of, word.lower().split()))
        if key:
            tiers[key] = tier
    return WordList(tiers, names)


# -- matching ---------------------------------------------------------------

def find_words(text: str, words: WordList | None = None) -> list[tuple[int, int, str, str]]:
    """Listed words in ``text``: ``(start, end, word, tier)`` into ``text``, in order.

    Names (tier ``name``) come back as ``ambiguous`` unless written capitalised
    (``Dick`` is a name; ``dick`` and ``DICK`` are not), in which case they are left out.
    """
    words = words or wordlist()
    norm = normalise(text)
    n = norm.text
    chunks = n.split()
    unique = set(chunks)
    hits: list[tuple[int, int, str, str]] = []
    for chunk, inside in words.bad_chunks(unique).items():
        for at in _occurrences(n, chunk):
            hits.extend((at + a, at + b, w, t) for a, b, w, t in inside)
    # Letters spelt out one by one across spaces: only look when there are some.
    singles = {c for c in unique if len(c) == 1 and c.isalpha()} - {"a", "i"}
    if len(singles) >= 2:
        budget = MAX_SPELLED_OUT
        for match in _SINGLE_RUN.finditer(n):
            run = match.group()
            keep = list(map(str.isalnum, run))  # C iterators: runs can be the whole comment
            pieces = list(zip(compress(range(match.start(), match.end()), keep), compress(run, keep)))
            searched = max(budget, 0)
            hits.extend(_spelled_out(pieces[:searched], words))
            budget -= len(pieces)
            if budget < 0:
                # Nobody spells out thousands of letters; hold rather than search them all.
                hits.append((pieces[searched][0], match.end(), "spelled-out letters", AMBIGUOUS))
                break
    if words.phrases is not None and not words.phrase_gate.isdisjoint(unique):
        for match in words.phrases.finditer(n):
            key = " ".join(match.group().split())
            hits.append((match.start(), match.end(), key, words.phrase_tiers[key]))
    if words.phrases is not None and not words.leet_phrase_chunks.isdisjoint(unique):
        # Leet inside phrases ("s0d 0ff"): a chunk read as a phrase's word once its
        # leet is undone was remembered by bad_chunks; search the text with every
        # leet character read as its letter (one character for one: spans hold).
        for match in words.phrases.finditer(n.translate(_LEET_TABLE)):
            written = n[match.start():match.end()]
            if written != match.group() and all(any(c.isalpha() for c in w) for w in written.split()):
                key = " ".join(match.group().split())
                hits.append((match.start(), match.end(), key, words.phrase_tiers[key]))
    kept = _resolve(norm, hits)
    return words.proper_nouns.drop(norm.original, kept) if kept else kept


def _occurrences(text: str, chunk: str) -> Iterable[int]:
    """Where ``chunk`` stands as a whole whitespace-separated chunk of ``text``
    (``str.find``: no regex compiled from a chunk that may be a megabyte long)."""
    at = text.find(chunk)
    while at >= 0:
        end = at + len(chunk)
        if (at == 0 or text[at - 1].isspace()) and (end == len(text) or text[end].isspace()):
            yield at
            at = text.find(chunk, end)
        else:
            at = text.find(chunk, at + 1)


@lru_cache(maxsize=8)
def find_words_cached(text: str, words: WordList) -> tuple[tuple[int, int, str, str], ...]:
    """:func:`find_words`, remembered for the last few texts: the toxicity plugin asks
    about the same comment right after this plugin did. (Small on purpose: it is
    not a cache of comments.)"""
    return tuple(find_words(text, words))


def _spelled_out(pieces: list[tuple[int, str]], words: WordList) -> list[tuple[int, int, str, str]]:
    """The longest listed words spelt out in single characters ``[(position, char), ...]``."""
    letters = "".join(_LEET.get(c, c) for _, c in pieces)
    # Letters among the first k pieces (as written: a digit read as leet is not
    # one), so that each candidate's count is a subtraction, not a loop.
    alphas = [0, *accumulate(c.isalpha() for _, c in pieces)]
    found = []
    prefixes = words.prefixes
    # Hostile runs repeat themselves ("a.a.a.a..."): each candidate is classified once.
    verdicts: dict[str, tuple[str, str] | None] = {}
    i = 0
    # What is found from position i depends only on the characters written from
    # i on (as far as the longest word reaches): a window already searched in
    # vain is skipped at once, so a repeated run costs one search per distinct window.
    written = "".join(c for _, c in pieces)
    searched: set[str] = set()
    while i < len(letters):
        window = written[i:i + words.longest]
        if window in searched:
            i += 1
            continue
        # How far the letters from i could still spell a listed word.
        reach, collapsed = i, ""
        for k in range(i, min(len(letters), i + words.longest)):
            if not collapsed.endswith(letters[k]):
                collapsed += letters[k]
                if collapsed not in prefixes:
                    break
            reach = k + 1
        for j in range(reach, i + 2, -1):
            piece = letters[i:j]
            if not piece.isalpha() or alphas[j] - alphas[i] < 2:
                continue
            if piece not in verdicts:
                verdicts[piece] = words.classify_letters(piece, compounds=False)
            hit = verdicts[piece]
            if hit:
                found.append((pieces[i][0], pieces[j - 1][0] + 1, *hit))
                i = j - 1
                break
        else:
            searched.add(window)
        i += 1
    return found


def _resolve(norm: Normalised, hits: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Map to the original text, apply the name rule, drop overlaps (longest first)."""
    resolved = []
    for start, end, word, tier in hits:
        o_start, o_end = norm.original_span(start, end)
        if tier == NAME:
            shown = norm.original[o_start:o_end]
            if shown[:1].isupper() and shown[1:].islower():
                continue
            tier = AMBIGUOUS
        resolved.append((o_start, o_end, word, tier))
    resolved.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    kept: list[tuple[int, int, str, str]] = []
    for hit in resolved:
        if kept and hit[0] < kept[-1][1]:
            if hit[3] == STRONG and kept[-1][3] != STRONG:
                kept[-1] = (kept[-1][0], max(kept[-1][1], hit[1]), hit[2], STRONG)
            continue
        kept.append(hit)
    return kept


def mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with each span's characters after the first replaced by ``*``."""
    out = []
    last = 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out.append(text[last:start])
        out.append(text[start:start + 1] + "*" * max(0, end - start - 1))
        last = end
    out.append(text[last:])
    return "".join(out)


# -- the hook ----------------------------------------------------------------

@hookimpl
def discuss_screen_comment(submission: Submission, settings: Mapping) -> Verdict | None:
    """Reject (or hold, or mask) strong words; hold mild swearing and ambiguous words."""
    words = wordlist(tuple(sorted(settings["add_words"].items())), tuple(sorted(settings["allow_words"])),
                     tuple(sorted(settings["names"])))
    hits = list(find_words_cached(submission.body, words))
    if hits and settings["context"]:
        hits = _outside(hits, _innocent_spans(submission.body))
    if not settings["hold_ambiguous"]:
        hits = [h for h in hits if h[3] != AMBIGUOUS]
    if settings["mild"] == "allow":
        hits = [h for h in hits if h[3] != MILD]
    if not hits:
        return None
    # With ``mild: reject`` mild swearing is treated as strong words are (mode included).
    as_strong = {STRONG, MILD} if settings["mild"] == "reject" else {STRONG}
    strong = [h for h in hits if h[3] in as_strong]
    details = {
        "spans": [[h[0], h[1]] for h in hits],
        "words": sorted({h[2] for h in hits}),
        "tiers": [h[3] for h in hits],
    }
    mode = settings["mode"]
    if strong and mode == "reject":
        return Verdict.reject("profanity", public_reason=PUBLIC_REASON, **details)
    if len(strong) < len(hits) or mode == "hold":
        reason = "profanity" if strong else (
            "mild swearing" if all(h[3] == MILD for h in hits) else "possible profanity")
        return Verdict.hold(reason, **details)
    masked = mask(submission.body, ((h[0], h[1]) for h in strong))
    return Verdict.publish("profanity masked", body=masked, **details)


def _innocent_spans(body: str) -> list[tuple[int, int]]:
    """Where the hate analysis (shared with the hate plugin: one parse per text) reads a
    slur word as innocent, or as a slur quoted or reported in order to condemn it."""
    from discuss.hatespeech import analyse

    analysis = analyse(body)
    spans = list(analysis.innocent_spans)
    if analysis.counter_speech:
        spans += [hit.span for hit in analysis.counter if hit.category == "slur"]
    return spans


def _outside(hits: list, spans: list[tuple[int, int]]) -> list:
    """The hits that overlap none of ``spans``."""
    if not spans:
        return hits
    return [h for h in hits if not any(h[0] < end and start < h[1] for start, end in spans)]
