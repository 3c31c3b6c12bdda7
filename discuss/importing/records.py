"""What the readers yield and the writer stores: threads, comments, skipped items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo


class BadImport(Exception):
    """The file cannot be imported; the message names the item. Nothing is written."""


@dataclass(frozen=True)
class SourceThread:
    """A page of the exporting system: becomes (or joins) the thread with its ``key``."""

    source_id: str
    key: str
    title: str = ""
    url: str = ""
    closed: bool = False
    created_at: datetime | None = None  # naive UTC
    label: str = ""  # how errors name it: "item 2 ('Contact us', post 2)"


@dataclass(frozen=True)
class SourceComment:
    """One comment; ``body`` is already the stored Markdown (see :mod:`.markup`)."""

    source_id: str
    thread_source_id: str
    parent_source_id: str | None
    author_name: str
    author_email: str | None
    created_at: datetime  # naive UTC
    status: str  # one of discuss.models.STATUSES
    body: str
    label: str  # how errors name it: "comment 42 (post 12)"
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Skipped:
    """An item left out on purpose, and why (counted in the summary)."""

    label: str
    reason: str
    kind: str = "comment"
    source_id: str | None = None  # a skipped comment's id: its replies are skipped too


def to_utc(value: datetime, zone: ZoneInfo | None) -> datetime:
    """Naive UTC: an aware date is converted; a naive one is read in ``zone`` (UTC when None)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or timezone.utc)
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def page_key(label: str, link: str) -> str:
    """The thread key of the page at ``link`` (its URL path), or BadImport naming ``label``."""
    from urllib.parse import urlsplit

    from ..threads import BadKey, normalise_key

    if not link:
        raise BadImport(f"{label}: has no link, so no page to put its discussion on")
    try:
        return normalise_key(urlsplit(link).path or "/")
    except (BadKey, ValueError) as exc:
        raise BadImport(f"{label}: its link {link!r} has no usable path: {exc}") from None
