"""Hostile strings for the screening plugins, shared by the property tests and
bench/fuzz_plugins.py: the shapes that make backtracking regular expressions
slow (long runs of one punctuation mark, label-dot chains, spaced-out letters,
long words) and text from every Unicode category."""

from __future__ import annotations

from hypothesis import strategies as st

# Units whose repetition has made (or could make) a regex backtrack: dotted
# labels, at-signs, slashes, hyphens, digit groups, spaced letters, URL starts.
UNITS = (
    "a.", "a-a.", "aA1.", "a-", "a.-", ".", "@", "a@", "a.b@", "w@w.", "/", "//", "http://", "www.", "x.com.",
    "1", "1 ", "1-", "0.", "(0", "+44 ", "a", "a ", "ab", "f u c k ", "s.h.i.t ", "flat 1 ", "1 Ab ", "A1 1AA ",
    "*", "_", "-", " ", "\n", "\t", "casino ", "work from home ", "fly tip ", "corrupt", "aа", "ı", "İ", "ß",
    "𝐚", "é", "\u200b", "\u0301", "🙂", "<", "&", "[", "](", "**",
)

MAX_BODY = 10_000


def _repeat(unit: str, times: int) -> str:
    return (unit * times)[:MAX_BODY]


# A unit repeated up to the body limit, possibly followed by a different tail:
# the tail is what makes a nearly-matching run fail at its very end.
repeated_units = st.builds(
    lambda unit, times, tail: _repeat(unit, times) + tail,
    st.sampled_from(UNITS), st.integers(min_value=1, max_value=MAX_BODY), st.sampled_from(["", "!", "1", "a", ".com", "@x"]),
).map(lambda text: text[:MAX_BODY] or "a")

# Two units interleaved in blocks: "a.a.a.a-1-1-1..." and so on.
mixed_units = st.lists(st.tuples(st.sampled_from(UNITS), st.integers(min_value=1, max_value=2500)),
                       min_size=2, max_size=6).map(
    lambda parts: "".join(u * n for u, n in parts)[:MAX_BODY] or "a")

# Any characters of any Unicode category (surrogates excluded: not valid text).
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=2000)

hostile = st.one_of(repeated_units, mixed_units, any_text)
