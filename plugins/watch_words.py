"""Watch words: per-site word lists with wildcards, each entry with an action.

An entry is ``{"pattern": "fly-tip*", "action": "hold", "reason": "..."}``;
``*`` stands for any letters and ``?`` for one, and a pattern may be several
words. Actions: ``reject``, ``hold``, or ``flag`` (publish, but record the match
so the review queue can find it). Patterns match whole words of the normalised
text, so disguised spellings of a watch word are caught too.

The default legal-risk list holds allegations that could be defamatory if made
about a named person ("corrupt", "fraud", "bribe" ...) with reason "possible
legal risk", so a person reads them before they are public.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping

import marshmallow as ma
import re2

from discuss import N_, Submission, Verdict, hookimpl
from discuss.textnorm import normalise

name = "watch_words"
enabled_by_default = True

LEGAL_RISK = "possible legal risk"
REJECT, HOLD, FLAG = "reject", "hold", "flag"
_RANK = {FLAG: 0, HOLD: 1, REJECT: 2}
# Matches listed in a verdict's details; past these only a stricter entry is
# looked for, so a comment of thousands of watch words costs a few searches.
MAX_MATCHES = 100

# Allegations of crime or dishonesty: the usual subjects of defamation claims.
LEGAL_RISK_WORDS = (
    "corrupt*", "fraud*", "brib*", "embezzl*", "backhander*", "kickback*", "crook", "crooks", "swindl*",
    "money launder*", "launder* money", "on the take", "in the pocket of", "fiddl* the books",
    "fiddl* expenses", "liar", "liars", "perjur*", "paedo*", "pedo*", "paedophile*", "nonce",
    "nonces", "criminal record", "rigged", "vote rigging", "stole", "stolen from",
)


def _one_star_per_word(pattern: str) -> None:
    """Refuse a word with two ``*`` apart ("a*b*c"): a backtracking regex needs time
    that grows with the square of a long word's length to match it, and with each
    further ``*`` one power more. One ``*`` per word keeps matching linear."""
    for word in re.split(r"[\s\-]+", pattern):
        if len(re.findall(r"\*+", word)) > 1:
            raise ma.ValidationError(f"at most one * in each word ({word!r} has more)")


class EntrySchema(ma.Schema):
    pattern = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=100), _one_star_per_word])
    action = ma.fields.String(load_default=HOLD, validate=ma.validate.OneOf([REJECT, HOLD, FLAG]))
    reason = ma.fields.String(load_default="")


class settings_schema(ma.Schema):
    """Per-site settings of the watch words plugin."""

    words = ma.fields.List(ma.fields.Nested(EntrySchema), load_default=list,
                           metadata={"description": "the site's own entries"})
    legal_risk = ma.fields.Boolean(load_default=True,
                                   metadata={"description": "also hold the built-in legal-risk list"})
    public_reason = ma.fields.String(load_default=N_("Please rephrase your comment."),
                                     metadata={"description": "told to residents when an entry rejects"})


def pattern_regex(pattern: str) -> str:
    """A watch-word pattern as a regular expression over normalised text."""
    words = re.split(r"[\s\-]+", normalise(pattern).text.strip())
    parts = []
    for word in words:
        word = re.sub(r"\*+", "*", word)  # "**" is one wildcard
        piece = "".join(r"[^\W\d_]*" if c == "*" else r"[^\W\d_]" if c == "?" else re.escape(c) for c in word)
        parts.append(piece)
    return r"[\s\-]+".join(parts)


@lru_cache(maxsize=128)
def _compiled(entries: tuple[tuple[str, str, str], ...]):
    """One regex with a named group per entry (a single pass over the text), the entries, and
    the literal pieces: the longest literal piece of each entry occurs in any text it matches.
    The last is an RE2 set of those pieces (None when an entry has none: always run) that
    says in one linear pass which pieces a text holds."""
    usable = [(p, a, r) for p, a, r in entries if normalise(p).text.strip(" *?")]
    if not usable:
        return None
    groups = "|".join(f"(?P<e{i}>{pattern_regex(p)})" for i, (p, _, _) in enumerate(usable))
    # The longest literal piece of each pattern must occur in any text it matches.
    prefixes = tuple(max(re.split(r"[*?\s\-]+", normalise(p).text.strip()), key=len) for p, _, _ in usable)
    if any(not prefix for prefix in prefixes):
        prefixes = ("",)  # a pattern with no literal letters: always run
    pieces = None
    if prefixes != ("",):
        # Which pieces a text holds, at C speed: a substring search per piece costs
        # a scan of the text each; the set scans once however many entries there are.
        pieces = re2.Set.SearchSet(re2.Options())
        for prefix in prefixes:
            pieces.Add(re2.escape(prefix))
        pieces.Compile()
    regex = re.compile(r"(?<![^\W_])(?:" + groups + r")(?![^\W_])")
    return regex, usable, prefixes, pieces


@lru_cache(maxsize=1024)
def _present(entries: tuple[tuple[str, str, str], ...], present: tuple[int, ...]):
    """The regex of :func:`_compiled` over only the entries with index in ``present``
    (group names keep their index). An entry whose literal piece is not in a text
    cannot match there, so leaving it out changes no match: the regex runs over a
    few alternatives, not all of a site's entries."""
    usable = _compiled(entries)[1]
    groups = "|".join(f"(?P<e{i}>{pattern_regex(usable[i][0])})" for i in present)
    return re.compile(r"(?<![^\W_])(?:" + groups + r")(?![^\W_])")


@lru_cache(maxsize=128)
def _stricter_than(entries: tuple[tuple[str, str, str], ...], rank: int):
    """The regex of :func:`_compiled` over only the entries whose action is stricter
    than ``rank`` (group names keep their index), or None when there are none."""
    compiled = _compiled(entries)
    if compiled is None:
        return None
    usable = compiled[1]
    chosen = [i for i, (_, action, _) in enumerate(usable) if _RANK[action] > rank]
    if not chosen:
        return None
    groups = "|".join(f"(?P<e{i}>{pattern_regex(usable[i][0])})" for i in chosen)
    return re.compile(r"(?<![^\W_])(?:" + groups + r")(?![^\W_])")


_LEGAL_ENTRIES = tuple((w, HOLD, LEGAL_RISK) for w in LEGAL_RISK_WORDS)


@lru_cache(maxsize=1)
def _compiled_legal():
    return _compiled(_LEGAL_ENTRIES)


def _entries(settings: Mapping) -> tuple[tuple[str, str, str], ...]:
    own = tuple((e["pattern"], e["action"], e["reason"]) for e in settings["words"]) if settings["words"] else ()
    return own + _LEGAL_ENTRIES if settings["legal_risk"] else own


@hookimpl
def discuss_screen_comment(submission: Submission, settings: Mapping) -> Verdict | None:
    """The strictest action among the entries found; flag-only matches publish with details."""
    key = _entries(settings)
    # (The default list is the same tuple each time: no need to hash it for the cache.)
    compiled = _compiled_legal() if key is _LEGAL_ENTRIES else _compiled(key)
    if compiled is None:
        return None
    regex, entries, prefixes, pieces = compiled
    norm = normalise(submission.body)
    if pieces is not None:
        # (RE2 reads bytes faster than it converts a str; the normalised text's UTF-8
        # is encoded once for every plugin that searches it)
        present = pieces.Match(norm.utf8)
        if not present:
            return None
        if len(present) < len(entries):
            regex = _present(key, tuple(sorted(present)))
    found = []

    def record(match: re.Match) -> None:
        pattern, action, reason = entries[int(match.lastgroup[1:])]
        start, end = norm.original_span(*match.span())
        found.append((start, end, pattern, action, reason or f"watch word: {pattern}"))

    rest = None
    for match in regex.finditer(norm.text):
        record(match)
        if len(found) >= MAX_MATCHES:
            rest = match.end()
            break
    if not found:
        return None
    while rest is not None:
        # Enough listed: the rest of the text only matters if it holds an entry
        # stricter than any found so far (one search each, at most two).
        stricter = _stricter_than(key, max(_RANK[f[3]] for f in found))
        match = stricter.search(norm.text, rest) if stricter is not None else None
        rest = None
        if match:
            record(match)
            rest = match.end()
    details = {
        "spans": [[f[0], f[1]] for f in found],
        "words": sorted({submission.body[f[0]:f[1]] for f in found}),
        "patterns": sorted({f[2] for f in found}),
    }
    for action in (REJECT, HOLD):
        chosen = [f for f in found if f[3] == action]
        if chosen:
            reasons = sorted({f[4] for f in chosen})
            if action == REJECT:
                return Verdict.reject("; ".join(reasons), public_reason=settings["public_reason"], **details)
            return Verdict.hold("; ".join(reasons), **details)
    return Verdict.publish("watch word flagged", flagged=True, **details)
