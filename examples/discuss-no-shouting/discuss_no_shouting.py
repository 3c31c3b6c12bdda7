"""No shouting: comments written mostly in capital letters wait for a moderator.

A third-party discuss plugin, installed with pip and found through the
``discuss`` entry-point group. Settings per site::

    {"no_shouting": {"min_letters": 20, "max_capitals": 0.7}}
"""

from __future__ import annotations

import marshmallow as ma

from discuss import Submission, Verdict, hookimpl

name = "no_shouting"
enabled_by_default = True


class settings_schema(ma.Schema):
    min_letters = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1),
                                    metadata={"description": "shorter comments are never shouting"})
    max_capitals = ma.fields.Float(load_default=0.7, validate=ma.validate.Range(min=0.0, max=1.0),
                                   metadata={"description": "share of capital letters above which it holds"})


def capitals_share(text: str) -> tuple[int, float]:
    """(number of letters, share of them in upper case)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0, 0.0
    return len(letters), sum(c.isupper() for c in letters) / len(letters)


@hookimpl
def discuss_screen_comment(submission: Submission, settings) -> Verdict | None:
    """Hold comments of at least ``min_letters`` letters that are mostly capitals."""
    letters, share = capitals_share(submission.body)
    if letters >= settings["min_letters"] and share > settings["max_capitals"]:
        return Verdict.hold("mostly in capitals", capitals=round(share, 2))
    return None
