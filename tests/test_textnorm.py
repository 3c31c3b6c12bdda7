"""discuss.textnorm: the quick path for mostly-ASCII prose folds exactly as the
character-by-character path does, map back to the original included."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from discuss.textnorm import (_CONFUSABLE_OR_MATH, _DISGUISED_WORD, _may_have_confusable_letters, _normalise_each,
                              _normalise_mostly_ascii, disguised_words, normalise)

# Mostly ASCII prose, with the characters councils' residents really paste
# (curly quotes, ellipses, accents, ligatures, zero-width spaces, Cyrillic look-alikes).
SPECIALS = "“”‘’…éÉçñß\ufb01\u200b\u00ad\u0430\u0441𝐛ᴀ\x00\x7f\u2028 "
prose = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCXYZ .,!?'-\t\n0123456789" + SPECIALS),
                max_size=300)


def _same(a, b) -> None:
    assert a.text == b.text
    for start in range(len(a.text) + 1):
        for end in (start, min(len(a.text), start + 1), len(a.text)):
            assert a.original_span(start, end) == b.original_span(start, end)


@settings(max_examples=300, deadline=None)
@given(prose)
def test_mostly_ascii_path_folds_as_the_general_path(text):
    _same(_normalise_mostly_ascii(text), _normalise_each(text))


def test_prose_with_a_curly_quote_takes_the_quick_path_and_maps_back():
    text = "The “Bins” … Café next to St Mary’s " * 20
    norm = normalise(text)
    assert norm.text.startswith('the “bins” ... cafe next to st mary’s')
    start = norm.text.index("cafe")
    assert text[slice(*norm.original_span(start, start + 4))] == "Café"
    _same(norm, _normalise_each(text))


def _dense_index(norm):
    """Where each character of norm.text came from, the obvious way."""
    if norm._lengths is None:
        return list(range(len(norm.text)))
    return [position for position, length in enumerate(norm._lengths) for _ in range(length)]


@settings(max_examples=300, deadline=None)
@given(prose)
def test_the_way_back_matches_the_obvious_index(text):
    norm = normalise(text)
    assert [norm.original_index(i) for i in range(len(norm.text))] == _dense_index(norm)


def test_a_long_comment_with_a_few_ellipses_maps_back_through_the_sparse_map():
    text = "Bins… again… " + "the council should collect them " * 100 + "“Muslims”"
    norm = normalise(text)
    assert norm._map[0] == "sparse"
    start = norm.text.index("muslims")
    assert text[slice(*norm.original_span(start, start + 7))] == "Muslims"
    assert [norm.original_index(i) for i in range(len(norm.text))] == _dense_index(norm)


# Characters each side of the ranges the disguised-letter check looks for (Greek and
# Coptic, Cyrillic and its supplement, mathematical letters), and others that share
# a byte with them in UTF-8 or UTF-16.
_EDGES = "\u036f\u0370\u03ff\u0400\u052f\u0530\u0303\u0403\u0503\u0603\u1d400\U0001d3ff\U0001d400" \
         "\U0001d7ff\U0001d800\U0001f600\ud835\udc00\ud800\u2019\u00e9\u0105\u0430\u03bf"


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(alphabet=st.sampled_from("abc .'" + _EDGES), max_size=40), st.text(max_size=40)))
def test_the_byte_test_never_misses_a_letter_the_regex_finds(text):
    if _CONFUSABLE_OR_MATH.search(text):
        assert _may_have_confusable_letters(text)
    straightforward = [] if text.isascii() or not _CONFUSABLE_OR_MATH.search(text) \
        else [m.span() for m in _DISGUISED_WORD.finditer(text)]
    assert disguised_words(text) == straightforward
