"""Input bounds shared by every way in: ids, form integers, dates, JSON depth.

Ids are ``INTEGER`` columns: 64-bit on SQLite but 32-bit on PostgreSQL, and
Python's ``datetime`` stops
at years 1 and 9999; a value beyond either would reach the driver or the
standard library and fail there (``OverflowError``, a 500). Everything a client
sends is held to these bounds first, so it is answered with a 4xx naming the
field instead.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from werkzeug.routing import IntegerConverter, PathConverter

#: The largest id, version or cursor every supported database can hold: PostgreSQL's
#: ``integer`` (signed 32 bits); SQLite's would take 2^63-1. Moving the id columns to
#: ``bigint`` would need a migration; until then a larger number names no row anyway.
MAX_ID = 2**31 - 1
#: The earliest and latest dates a filter or expiry may name.
MIN_YEAR, MAX_YEAR = 1900, 9000
#: How deep a JSON body may nest (ours nest two levels at most).
MAX_JSON_DEPTH = 32

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(text: str | None) -> int | None:
    """A positive id written in ASCII digits and at most :data:`MAX_ID`, else ``None``.

    ``str.isdigit()`` accepts superscripts and other Unicode digits that ``int()``
    then refuses, so forms are held to ``[0-9]`` instead.
    """
    text = (text or "").strip()
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def parse_count(text: str | None, maximum: int) -> int | None:
    """A whole number ``0..maximum`` written in ASCII digits, else ``None``."""
    text = (text or "").strip()
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= maximum else None


def date_in_range(value: datetime) -> bool:
    return MIN_YEAR <= value.year <= MAX_YEAR


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON nests deeper than ``limit`` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a positive integer up to :data:`MAX_ID` (else the route does not match: 404)."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):  # noqa: A002 - Werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class KeyPathConverter(PathConverter):
    """``<path:...>`` (thread keys): any path, doubled and leading slashes included.

    Werkzeug's own refuses a leading slash, which together with slash merging
    turned ``/threads//blog//post`` into a 308 HTML redirect; here the key
    normaliser decides what such a path means.
    """

    regex = "/*[^/].*?"
