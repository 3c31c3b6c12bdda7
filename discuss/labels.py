"""What a verdict tells the review queue beyond hold or reject: a convention for plugins.

Any plugin may put these keys in a verdict's ``details`` (the hate plugin does):

``category``
    What kind of problem: ``threat``, ``dehumanisation``, ``slur``,
    ``derogation``, ``hatred``, ``exclusion`` or a word of the plugin's own
    (lower case letters, digits, ``-`` and ``_``, at most 40 characters).
    Stored with the verdict so that the queue can filter by it.
``targets``
    The groups the text is aimed at, as short labels (``["muslims"]``).
``characteristics``
    The protected characteristics involved (``["religion"]``).
``urgent``
    ``True`` for what a moderator must see first (threats): the comment is
    marked urgent and sorts first in the queue.
``spans``
    ``[[start, end], ...]`` into the body, highlighted in the queue.

Only verdicts that hold or reject count: a plugin that lets a comment through
has nothing to put in front of a moderator.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from .verdict import PUBLISH

#: The categories the built-in plugins use, offered by the queue's filter.
KNOWN_CATEGORIES = ("threat", "dehumanisation", "slur", "derogation", "hatred", "exclusion")

CATEGORY = re.compile(r"[a-z][a-z0-9_-]{0,39}")


def category_of(decision: str, details: Mapping[str, Any] | None) -> str | None:
    """The verdict's category when it held or rejected and named a well-formed one."""
    value = (details or {}).get("category")
    if decision == PUBLISH or not isinstance(value, str):
        return None
    value = value.strip().lower()
    return value if CATEGORY.fullmatch(value) else None


def is_urgent(decision: str, details: Mapping[str, Any] | None) -> bool:
    """Whether a verdict that held or rejected marked the comment urgent."""
    return decision != PUBLISH and (details or {}).get("urgent") is True


def labels_of(details: Mapping[str, Any] | None, key: str) -> list[str]:
    """``details[key]`` as a list of short strings (targets, characteristics); anything else ignored."""
    value = (details or {}).get(key)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return []
    return [str(v)[:60] for v in value if isinstance(v, (str, int)) and not isinstance(v, bool) and str(v)]


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
