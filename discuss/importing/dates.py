"""Dates in exports, and the rule for those without a time zone.

WordPress gives each comment ``comment_date_gmt`` (UTC, though written without a
zone) and ``comment_date`` (the blog's local time, also without one). We use the
GMT one; when it is missing or all zeros (WordPress writes ``0000-00-00 00:00:00``
for some drafts and pending comments) the local one is read in the zone given by
``--timezone`` (an IANA name such as ``Europe/London``; UTC by default). Disqus
writes ISO 8601 with ``Z``; a Disqus date without a zone follows the same rule.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from .records import BadImport, to_utc

_ZERO = "0000-00-00 00:00:00"


def parse_date(value: str, zone: ZoneInfo | None, label: str, *, utc: bool = False) -> datetime | None:
    """Naive UTC from ``YYYY-MM-DD HH:MM:SS`` or ISO 8601; None for empty or zero dates.

    ``utc``: a date without a zone is UTC (WordPress's ``*_gmt`` fields) rather than in ``zone``.

    :raises BadImport: naming ``label`` for anything else.
    """
    value = value.strip()
    if not value or value.startswith(_ZERO[:10]):
        return None
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadImport(f"{label}: {value!r} is not a date") from None
    if not 1900 <= parsed.year <= 9000:
        raise BadImport(f"{label}: {value!r} is out of range")
    return to_utc(parsed, None if utc else zone)
