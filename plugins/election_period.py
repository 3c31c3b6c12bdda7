"""Election period (purdah): during one, political comments wait for a person.

In the weeks before an election a council must not be seen to give candidates
or parties a platform. During any of a site's configured periods, comments
written by listed councillors or candidates (by email), or naming a listed
candidate or party, hold with reason "pre-election period". Outside the
periods, and on sites with none configured, the plugin has no opinion.

Settings example::

    {"periods": [{"start": "2027-04-01", "end": "2027-05-06", "name": "local elections"}],
     "candidates": [{"name": "Jane Smith", "email": "jane@example.org"}],
     "councillor_emails": ["cllr.jones@council.example"],
     "parties": ["Green Party", "Reform UK"]}
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Mapping

import marshmallow as ma

from discuss import Submission, Verdict, hookimpl
from discuss.textnorm import normalise

name = "election_period"
enabled_by_default = True

REASON = "pre-election period"


class PeriodSchema(ma.Schema):
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)
    name = ma.fields.String(load_default="election period")

    @ma.validates_schema
    def _ordered(self, data, **_):
        if data["end"] < data["start"]:
            raise ma.ValidationError("end is before start", "end")


class CandidateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=2))
    email = ma.fields.Email(load_default=None)


class settings_schema(ma.Schema):
    """Per-site settings of the election period plugin."""

    periods = ma.fields.List(ma.fields.Nested(PeriodSchema), load_default=list,
                             metadata={"description": "inclusive date ranges"})
    candidates = ma.fields.List(ma.fields.Nested(CandidateSchema), load_default=list)
    councillor_emails = ma.fields.List(ma.fields.Email(), load_default=list)
    parties = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=2)), load_default=list)


def current_period(periods, today: date):
    """The period containing ``today``, or None."""
    for period in periods:
        if period["start"] <= today <= period["end"]:
            return period
    return None


@lru_cache(maxsize=256)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    """Whole-word, case-blind, any-whitespace pattern for names (normalised like the text)."""
    parts = [r"\s+".join(map(re.escape, normalise(n).text.split())) for n in names if n.strip()]
    if not parts:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(sorted(parts, key=len, reverse=True)) + r")(?![^\W_])")


@hookimpl
def discuss_screen_comment(submission: Submission, settings: Mapping) -> Verdict | None:
    """During a period, hold comments by or naming candidates, councillors or parties."""
    if not settings["periods"]:
        return None
    today = (submission.received_at or datetime.now(timezone.utc)).date()
    period = current_period(settings["periods"], today)
    if period is None:
        return None
    email = (submission.author_email or "").lower()
    authors = {c["email"].lower() for c in settings["candidates"] if c.get("email")}
    authors |= {e.lower() for e in settings["councillor_emails"]}
    if email and email in authors:
        return Verdict.hold(REASON, period=period["name"], by="candidate or councillor")
    names = tuple(c["name"] for c in settings["candidates"]) + tuple(settings["parties"])
    pattern = _names_pattern(names)
    if pattern is None:
        return None
    norm = normalise(submission.body)
    found = [norm.original_span(*m.span()) for m in pattern.finditer(norm.text)]
    if found:
        named = sorted({submission.body[a:b] for a, b in found})
        return Verdict.hold(REASON, period=period["name"], spans=[list(s) for s in found], named=named)
    return None
