"""Text normalisation for matching words however they are disguised.

:func:`normalise` turns a comment into lower-case Latin letters as far as it can:
Unicode compatibility forms (fullwidth, mathematical alphanumerics, ligatures,
circled letters) become plain letters, accents and stacked combining marks go,
invisible characters (zero-width characters, soft hyphens, bidi controls,
variation selectors, tags, and control characters other than line breaks and
tabs) are removed, and Cyrillic and Greek look-alikes are
folded onto the Latin letters they imitate. It keeps a map from every character
of the result back to the original text, so a match found in the normalised
text can be reported (and masked) in the body the resident wrote.

Leetspeak and separators are *not* undone here: whether ``1`` is a digit or an
``i`` depends on the word around it, so that belongs to the matcher
(``plugins/profanity.py``). Plugin authors may use this module too.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from itertools import chain, compress, repeat
from dataclasses import dataclass
from functools import cached_property, lru_cache

# Letters from other scripts that look like Latin ones, after lower-casing.
# NFKD already folds fullwidth, mathematical and accented letters; these are
# the look-alikes it leaves alone because they are real letters of their script.
HOMOGLYPHS: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "ѕ": "s", "і": "i", "ї": "i", "ј": "j",
    "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "ү": "y", "һ": "h", "ԁ": "d",
    "к": "k", "м": "m", "н": "h", "т": "t", "ԛ": "q", "ԝ": "w", "ѵ": "v", "ь": "b",
    "п": "n", "г": "r", "з": "3", "ч": "4", "ɡ": "g", "ӏ": "l",
    # Greek
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "γ": "y", "η": "n", "μ": "u", "ω": "w", "ς": "s",
    "σ": "o", "λ": "l", "δ": "d", "ϲ": "c", "ϳ": "j",
    # Latin letters NFKD does not decompose
    "ı": "i", "ȷ": "j", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ŧ": "t",
    "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ɑ": "a", "ɩ": "i", "ʋ": "u",
    "ɪ": "i", "ʏ": "y", "ʀ": "r", "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e",
    "ɢ": "g", "ʜ": "h", "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o",
    "ᴘ": "p", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z",
    # Symbols used as letters
    "€": "e", "¡": "i", "¢": "c", "©": "c", "®": "r", "×": "x",
}

# Format characters that NFKC keeps but that draw nothing; Unicode category Cf
# covers most (zero-width space/joiners, bidi controls, soft hyphen, tags).
_ALSO_INVISIBLE = {"\u034f", "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u17b4", "\u17b5"}

# Characters the fast path cannot copy as they are: anything beyond ASCII, and
# the ASCII control characters that draw nothing (tabs and line breaks are spaces).
_ASCII_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# A character of the original that did not become exactly one character.
_NOT_ONE = re.compile(rb"[^\x01]")
# One character that is not printable ASCII or ASCII spacing (what the fast paths fold).
_SPECIAL = re.compile(r"[^\x09-\x0d\x20-\x7e]")
# Control characters that separate words; the others are invisible.
_SPACING_CONTROLS = frozenset("\t\n\x0b\x0c\r\x85")
_CONFUSABLE_SCRIPTS = re.compile(r"[\u0370-\u03ff\u0400-\u052f]")
_MATH_LETTER = re.compile(r"[\U0001d400-\U0001d7ff]")
# Either of the two: one pass over a comment instead of two.
_CONFUSABLE_OR_MATH = re.compile(r"[\u0370-\u03ff\u0400-\u052f\U0001d400-\U0001d7ff]")
# In UTF-16 every character of those ranges has a high byte of 0x03 to 0x05, or (the
# mathematical letters, beyond the BMP) is a surrogate pair starting 0xD835: a text whose
# high bytes include none of these has none of them. Encoding is a copy and the test a
# translate, at C speed; the regex's character-class test per character is ten times
# the cost, and most comments (curly quotes, accents) have no such letter.
_NOT_CONFUSABLE_HIGH_BYTE = bytes(range(256)).translate(None, b"\x03\x04\x05\xd8")
# Look-alike letters of the confusable scripts (those HOMOGLYPHS folds), in
# either case (and signs such as U+2126 OHM that lower-case into them).
_LOOKALIKES = re.escape("".join(
    c for c in map(chr, range(0x3000))
    if any(low in HOMOGLYPHS and _CONFUSABLE_SCRIPTS.match(low) for low in c.lower())))
# A disguised word, found in one pass at C speed: from a word's start, either two
# mathematical letters or a Latin letter and a look-alike somewhere in the word.
# Each lookahead scans with a class that excludes what it looks for, so nothing
# backtracks and each word is read a bounded number of times.
_DISGUISED_WORD = re.compile(
    r"(?<![^\W_])(?:"
    r"(?=[^\W_\U0001d400-\U0001d7ff]*[\U0001d400-\U0001d7ff][^\W_\U0001d400-\U0001d7ff]*[\U0001d400-\U0001d7ff])"
    r"|(?=[^\W_A-Za-z]*[A-Za-z])(?=[^\W_" + _LOOKALIKES + r"]*[" + _LOOKALIKES + r"])"
    r")[^\W_]+")


@lru_cache(maxsize=16384)
def fold_char(char: str) -> str:
    """One character as plain lower-case text: '' for invisible, ' ' for controls and spaces."""
    if char in HOMOGLYPHS:
        return HOMOGLYPHS[char]
    category = unicodedata.category(char)
    if category in ("Cf", "Cs", "Co", "Cn") or char in _ALSO_INVISIBLE:
        return ""  # invisible, lone surrogate, private use, unassigned
    if category[0] == "M":
        return ""  # combining marks, variation selectors: accents and "zalgo" stacks
    if category == "Cc":
        # NUL, DEL, the C0 and C1 controls draw nothing: "ku\x7frwa" is one word.
        return " " if char in _SPACING_CONTROLS else ""
    if category in ("Zs", "Zl", "Zp"):
        return " "
    decomposed = unicodedata.normalize("NFKD", char)
    out = []
    for part in decomposed:
        if unicodedata.category(part)[0] == "M":
            continue
        lowered = part.lower()
        out.append("".join(HOMOGLYPHS.get(c, c) for c in lowered))
    return "".join(out)


@dataclass(frozen=True)
class Normalised:
    """A normalised text and the way back to the original.

    ``text`` is lower case; ``original`` is what was normalised. Use
    :meth:`original_span` to turn ``[start, end)`` in ``text`` into the matching
    range of ``original``.
    """

    text: str
    original: str
    # None: text is original.lower() character for character. Otherwise how
    # many characters of text each character of original became (bytes).
    _lengths: bytes | None = None

    @cached_property
    def utf8(self) -> bytes:
        """``text`` in UTF-8, encoded once for the plugins that search it with RE2 (which
        reads UTF-8; given ``str`` it encodes the text on every search) or split it as bytes."""
        return self.text.encode("utf-8", "surrogatepass")

    @cached_property
    def _map(self) -> tuple:
        """The way back, built on first use (most texts never ask: they have no hits).

        ``("dense", index)``: for each character of text, where in original it came
        from (built by C iterators). ``("sparse", starts, positions, lengths, shifts)``
        when few characters did not become exactly one: for each of those, where its
        folded characters start in text, its position in original, how many
        characters it became, and the shift (text minus original) after it.
        """
        lengths = self._lengths
        changed = [m.start() for m in _NOT_ONE.finditer(lengths)]
        if len(changed) * 8 > len(lengths):
            if max(lengths, default=0) <= 1:
                return ("dense", array("l", compress(range(len(lengths)), lengths)))
            return ("dense", array("l", chain.from_iterable(map(repeat, range(len(lengths)), lengths))))
        starts, widths, shifts = [], [], []
        shift = 0
        for position in changed:
            starts.append(position + shift)
            widths.append(lengths[position])
            shift += lengths[position] - 1
            shifts.append(shift)
        return ("sparse", starts, changed, widths, shifts)

    def original_index(self, index: int) -> int:
        """Where the character at ``index`` of ``text`` came from in ``original``."""
        if self._lengths is None:
            return index
        kind, *parts = self._map
        if kind == "dense":
            return parts[0][index]
        starts, positions, widths, shifts = parts
        k = bisect_right(starts, index) - 1
        if k < 0:
            return index
        if index < starts[k] + widths[k]:
            return positions[k]  # one of the characters this one became
        return index - shifts[k]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The range of ``original`` that ``text[start:end]`` was made from."""
        if self._lengths is None:
            return start, end
        if end <= start:
            here = self.original_index(start) if start < len(self.text) else len(self.original)
            return here, here
        return self.original_index(start), self.original_index(end - 1) + 1


@lru_cache(maxsize=8)
def normalise(text: str) -> Normalised:
    """Fold ``text`` for matching; see the module docstring for what is undone.

    Never raises on any ``str`` (lone surrogates, controls, huge inputs); plain
    ASCII text takes a fast path with no per-character work. The last few
    results are remembered: several plugins normalise the same comment.
    """
    if text.isascii() and not _ASCII_INVISIBLE.search(text):
        return Normalised(text.lower(), text)
    # Each character beyond ASCII takes two to four bytes in UTF-8: an upper bound on how
    # many there are, at C speed (the ASCII controls are few wherever they matter).
    if (len(text.encode("utf-8", "surrogatepass")) - len(text)) * 16 < len(text):
        return _normalise_mostly_ascii(text)
    return _normalise_each(text)


def _normalise_each(text: str) -> Normalised:
    """:func:`normalise` character by character (any text)."""
    # Every character is folded by a dictionary lookup mapped at C speed, and
    # the map back is built by C iterators when asked: no Python code runs per
    # character, so alternating shapes ("a\u200b" * n) cost what plain ones do.
    global _FOLDS
    folds = _FOLDS
    missing = set(text).difference(folds)
    if missing:
        if len(folds) + len(missing) > _MAX_FOLDS:
            # Bounded memory: start a new table (never clear one another thread reads).
            folds = _FOLDS = dict(_ASCII_FOLDS)
        folds.update((c, _fold(c)) for c in missing)
    folded = list(map(folds.__getitem__, text))
    joined = "".join(folded)
    lengths = bytes(map(len, folded))  # no character folds to 256 or more
    if len(joined) == len(text) and 0 not in lengths:
        return Normalised(joined, text)  # one character for one throughout
    return Normalised(joined, text, lengths)


def _normalise_mostly_ascii(text: str) -> Normalised:
    """:func:`normalise` for prose with the odd curly quote or accent: the ASCII
    stretches are lower-cased whole and only the few other characters are folded
    one by one (the general path maps every character)."""
    parts: list[str] = []
    lengths: bytearray | None = None
    last = 0
    for match in _SPECIAL.finditer(text):
        here = match.start()
        char = match.group()
        folded = _FOLDS.get(char)
        if folded is None:
            folded = _fold(char)
        parts.append(text[last:here].lower())
        parts.append(folded)
        if len(folded) != 1:
            if lengths is None:
                lengths = bytearray(b"\x01") * len(text)
            lengths[here] = len(folded)
        last = here + 1
    parts.append(text[last:].lower())
    joined = "".join(parts)
    return Normalised(joined, text, None if lengths is None else bytes(lengths))


@lru_cache(maxsize=16384)
def _fold(char: str) -> str:
    """:func:`fold_char`, except that printable ASCII and ASCII spacing are only lower-cased."""
    if "\x09" <= char <= "\x0d" or "\x20" <= char <= "\x7e":
        return char.lower()
    return fold_char(char)


def _may_have_confusable_letters(text: str) -> bool:
    """False when ``text`` has no Greek, Cyrillic or mathematical letter (see
    ``_NOT_CONFUSABLE_HIGH_BYTE``); True when it may have one."""
    high_bytes = text.encode("utf-16-le", "surrogatepass")[1::2]
    return bool(high_bytes.translate(None, _NOT_CONFUSABLE_HIGH_BYTE))


def disguised_words(text: str) -> list[tuple[int, int]]:
    """Spans of words written to dodge filters rather than to be read.

    A word is disguised when it mixes Latin letters with Cyrillic or Greek
    look-alikes (``aѕѕhole``), or is spelt in mathematical alphanumeric symbols
    (``𝗯𝗼𝗹𝗱``: also unreadable for screen readers). Whole words in Cyrillic or
    Greek are ordinary writing and are not reported.
    """
    if text.isascii() or not _may_have_confusable_letters(text) or not _CONFUSABLE_OR_MATH.search(text):
        return []
    return [m.span() for m in _DISGUISED_WORD.finditer(text)]


# Every character seen so far, folded (a dictionary lookup is cheaper than an
# lru_cache call); ASCII is always there, and the rest is bounded.
_ASCII_FOLDS = {chr(c): _fold(chr(c)) for c in range(128)}
_FOLDS: dict[str, str] = dict(_ASCII_FOLDS)
_MAX_FOLDS = 65_536
