"""What a moderation plugin is shown: a frozen :class:`Submission`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Mapping
from .pickling import reduce_frozen


@dataclass(frozen=True)
class Submission:
    """A reply about to be stored, as the plugins see it.

    Nothing in it is trusted: every string is what the client sent (after
    schema validation), except ``ip_hash``, ``site`` and ``received_at``.
    """

    def __reduce__(self) -> tuple:  # picklable despite its read-only mappings
        return reduce_frozen(self)

    body: str
    author_name: str
    author_email: str | None
    site: str                           # the site's slug
    thread_key: str                     # normalised page path, e.g. "/blog/post"
    thread_title: str = ""
    page_url: str = ""
    parent_id: int | None = None
    ip_hash: str | None = None          # keyed hash of the client's address
    user_agent: str = ""
    received_at: datetime | None = None
    # Extra form fields the client sent (the spam plugin's honeypot lives here).
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))
