"""Hate: threats, dehumanisation, slurs and hatred aimed at people for who they are.

The analysis lives in :mod:`discuss.hatespeech` (lexicons of groups, slurs and
predicates; a small grammar over clauses; spelling repairs; counter-speech and
negation); this module only turns its findings into a verdict.

Holds by default, with reason "may be hateful" (or "possible threat", which the
queue sorts first: ``urgent`` is true). A site can make threats and/or slurs
reject instead; the public reason then names no group. Details:

* ``category``: the most serious finding: ``threat``, ``dehumanisation``,
  ``slur``, ``exclusion``, ``hatred`` or ``derogation``; ``categories`` lists all;
* ``targets``: the groups targeted (``["muslims"]``) and ``characteristics``
  (``["religion"]``);
* ``spans``: ``[[start, end], ...]`` into the original body;
* ``urgent``: true for threats;
* ``functions``: the finer reading of each finding ("normative threat",
  "negated positive", "implicit derogation").
"""

from __future__ import annotations

from typing import Mapping

import marshmallow as ma

from discuss import N_, Submission, Verdict, hookimpl
from discuss.hatespeech import analyse

name = "hate"
enabled_by_default = True

REASON = "may be hateful"
THREAT_REASON = "possible threat"
PUBLIC_REASON = N_("Please rephrase your comment: it may break our rules on hateful or threatening language. "
                    "You are welcome to make your point respectfully.")


class settings_schema(ma.Schema):
    """Per-site settings of the hate plugin."""

    reject_threats = ma.fields.Boolean(load_default=False,
                                       metadata={"description": "threats reject instead of holding"})
    reject_slurs = ma.fields.Boolean(load_default=False,
                                     metadata={"description": "slurs reject instead of holding"})
    public_reason = ma.fields.String(load_default=PUBLIC_REASON, validate=ma.validate.Length(min=1, max=500),
                                     metadata={"description": "told to residents when a comment is rejected"})
    extra_targets = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=2, max=60)),
                                   load_default=list,
                                   metadata={"description": "the site's own group terms, one word each"})
    categories = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(
            ["threat", "dehumanisation", "slur", "exclusion", "hatred", "derogation"])),
        load_default=lambda: ["threat", "dehumanisation", "slur", "exclusion", "hatred", "derogation"],
        metadata={"description": "the categories that hold (or reject)"})


@hookimpl
def discuss_screen_comment(submission: Submission, settings: Mapping) -> Verdict | None:
    """Hold (or reject) a comment that attacks a group; ``None`` otherwise."""
    extra = tuple(sorted({term.strip().lower() for term in settings["extra_targets"] if term.strip()}))
    analysis = analyse(submission.body, extra)
    wanted = set(settings["categories"])
    hits = [hit for hit in analysis.hits if hit.category in wanted]
    if not hits:
        return None
    categories = [c for c in ("threat", "dehumanisation", "slur", "exclusion", "hatred", "derogation")
                  if any(hit.category == c for hit in hits)]
    targets = list(dict.fromkeys(t.label for hit in hits for t in hit.targets))
    characteristics = sorted({t.characteristic for hit in hits for t in hit.targets})
    details = {
        "category": categories[0],
        "categories": categories,
        "targets": targets,
        "characteristics": characteristics,
        "spans": [list(hit.span) for hit in hits],
        "urgent": "threat" in categories,
        "functions": sorted({hit.function for hit in hits}),
    }
    reason = THREAT_REASON if details["urgent"] else REASON
    if (settings["reject_threats"] and "threat" in categories) or (settings["reject_slurs"] and "slur" in categories):
        return Verdict.reject(reason, public_reason=settings["public_reason"], **details)
    return Verdict.hold(reason, **details)
