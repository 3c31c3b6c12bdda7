"""Profanity: refuse strong swear words, using better-profanity's word list."""

from __future__ import annotations

import re
from functools import lru_cache

import marshmallow as ma
from better_profanity import profanity as _bp

from discuss import Submission, Verdict, hookimpl

name = "profanity"

_WORD = re.compile(r"[\w']+")


class settings_schema(ma.Schema):
    extra_words = ma.fields.List(ma.fields.String(), load_default=list)
    allowed_words = ma.fields.List(ma.fields.String(), load_default=list)


@lru_cache(maxsize=1)
def _wordlist() -> frozenset[str]:
    _bp.load_censor_words()
    return frozenset(str(word).lower() for word in _bp.CENSOR_WORDSET)


@hookimpl
def discuss_screen_comment(submission: Submission, settings) -> Verdict | None:
    words = (_wordlist() | {w.lower() for w in settings["extra_words"]}) - {
        w.lower() for w in settings["allowed_words"]
    }
    spans = [[m.start(), m.end()] for m in _WORD.finditer(submission.body) if m.group().lower() in words]
    if spans:
        return Verdict.reject("profanity", public_reason="Please rephrase your comment without swear words.",
                              spans=spans)
    return None
