"""What plugins are shown: frozen values, never database rows.

Hooks receive these instead of ORM objects, so that a migration cannot break a
plugin, a plugin cannot write to the database by accident, and a value can be
read from any thread after its transaction has ended. Each is built once, in the
service that fires the hook, with :meth:`of`.

Part of the plugin contract (``docs/plugins.md``): fields are only ever added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Mapping
from .pickling import reduce_frozen


@dataclass(frozen=True)
class SiteView:
    """The council site a comment belongs to."""

    def __reduce__(self) -> tuple:  # picklable despite its read-only mappings
        return reduce_frozen(self)

    slug: str
    name: str
    origins: tuple[str, ...] = ()

    @classmethod
    def of(cls, site: Any) -> "SiteView":
        """From a :class:`discuss.models.Site` (or anything with the same attributes)."""
        if isinstance(site, SiteView):
            return site
        return cls(slug=site.slug, name=site.name or site.slug, origins=tuple(site.allowed_origins or ()))


@dataclass(frozen=True)
class CommentView:
    """A stored comment, as event hooks see it."""

    def __reduce__(self) -> tuple:  # picklable despite its read-only mappings
        return reduce_frozen(self)

    id: int
    thread_key: str
    thread_title: str
    thread_url: str
    parent_id: int | None
    status: str
    author_name: str
    author_email: str | None
    body: str
    body_html: str
    created_at: datetime
    version: int
    hidden_by_reports: bool = False

    @classmethod
    def of(cls, comment: Any) -> "CommentView":
        """From a :class:`discuss.models.Comment` (reads its thread)."""
        thread = comment.thread
        return cls(
            id=comment.id, thread_key=thread.key, thread_title=thread.title or "", thread_url=thread.url or "",
            parent_id=comment.parent_id, status=comment.status, author_name=comment.author_name,
            author_email=comment.author_email, body=comment.body, body_html=comment.body_html,
            created_at=comment.created_at, version=comment.version,
            hidden_by_reports=bool(comment.hidden_by_reports),
        )


@dataclass(frozen=True)
class ModeratorView:
    """The moderator who made a decision."""

    def __reduce__(self) -> tuple:  # picklable despite its read-only mappings
        return reduce_frozen(self)

    id: int
    email: str
    name: str
    role: str

    @classmethod
    def of(cls, moderator: Any) -> "ModeratorView":
        return cls(id=moderator.id, email=moderator.email, name=moderator.name, role=moderator.role)


@dataclass(frozen=True)
class ActionView:
    """An audit entry: one moderator action with the comment's state before and after."""

    def __reduce__(self) -> tuple:  # picklable despite its read-only mappings
        return reduce_frozen(self)

    id: int
    action: str
    reason: str
    before: Mapping[str, Any] = field(default_factory=dict)
    after: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "before", MappingProxyType(dict(self.before)))
        object.__setattr__(self, "after", MappingProxyType(dict(self.after)))

    @classmethod
    def of(cls, record: Any) -> "ActionView":
        return cls(id=record.id, action=record.action, reason=record.reason or "",
                   before=record.before or {}, after=record.after or {}, created_at=record.created_at)


@dataclass(frozen=True)
class ReportView:
    """A reader's report of a published comment."""

    def __reduce__(self) -> tuple:  # picklable despite its read-only mappings
        return reduce_frozen(self)

    id: int
    reason: str
    note: str
    created_at: datetime | None = None

    @classmethod
    def of(cls, report: Any) -> "ReportView":
        return cls(id=report.id, reason=report.reason, note=report.note or "", created_at=report.created_at)
