"""The audit log: every moderator decision and every automatic hide, newest first."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator

import sqlalchemy as sa
from flask import Response, stream_with_context

from ..auth import find_moderator, site_ids
from ..errors import Refusal
from ..extensions import db
from ..models import Comment, Moderator, ModeratorAction, Site, Thread
from ..schemas import iso_utc

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
CSV_COLUMNS = ("id", "created_at", "site", "comment_id", "moderator", "action", "reason", "before", "after",
               "subject")


class AuditFilterError(Refusal):
    """A filter the audit log cannot apply: ``code`` 422 (invalid) or 404 (an unknown comment, or another site's)."""


@dataclass(frozen=True)
class AuditFilters:
    comment_id: int | None = None
    moderator: str | None = None   # a moderator's email
    since: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One decision or automatic hide, as the log shows it."""

    id: int
    comment_id: int | None
    site: str | None              # the comment's site slug
    moderator: str | None         # email; None for an automatic hide
    moderator_name: str | None
    action: str
    reason: str
    before: dict[str, Any]
    after: dict[str, Any]
    created_at: datetime
    subject: str | None = None    # an admin change's object: "moderator:<email>", "ban:<id>"


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    next_cursor: int | None


def load_audit(viewer: Moderator, filters: AuditFilters, *, before_id: int | None = None,
               limit: int = DEFAULT_PAGE_SIZE) -> AuditPage:
    """Audit entries ``viewer`` may see (their sites' comments; admins: all), newest first.

    Pages run by entry id: pass ``next_cursor`` back as ``before_id``.

    :raises AuditFilterError: for an unknown moderator email.
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = _query(viewer, filters)
    if before_id is not None:
        query = query.where(ModeratorAction.id < before_id)
    rows = db.session.execute(query.order_by(ModeratorAction.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    entries = [audit_entry(action, moderator, slug) for action, moderator, slug in rows[:limit]]
    return AuditPage(entries=entries, next_cursor=entries[-1].id if more and entries else None)


def iter_audit(viewer: Moderator, filters: AuditFilters, batch: int = 1000) -> Iterator[AuditEntry]:
    """Every entry ``viewer`` may see, newest first, read in batches (for CSV export)."""
    before_id = None
    while True:
        page = load_audit(viewer, filters, before_id=before_id, limit=batch)
        yield from page.entries
        if page.next_cursor is None:
            return
        before_id = page.next_cursor


def csv_lines(entries: Iterator[AuditEntry]) -> Iterator[str]:
    """The entries as CSV text, header first; before/after as JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for entry in entries:
        writer.writerow([
            entry.id, iso_utc(entry.created_at), entry.site or "", entry.comment_id or "",
            entry.moderator or "(automatic)", entry.action, _csv_safe(entry.reason),
            json.dumps(entry.before, ensure_ascii=False, sort_keys=True),
            json.dumps(entry.after, ensure_ascii=False, sort_keys=True),
            _csv_safe(entry.subject or ""),
        ])
        yield flush()


def csv_response(viewer: Moderator, filters: AuditFilters) -> Response:
    """The whole log matching ``filters``, streamed as a CSV download."""
    lines = stream_with_context(csv_lines(iter_audit(viewer, filters)))
    return Response(lines, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="discuss-audit.csv"'})


def audit_entry(action: ModeratorAction, moderator: Moderator | None, site_slug: str | None) -> AuditEntry:
    return AuditEntry(
        id=action.id, comment_id=action.comment_id, site=site_slug,
        moderator=moderator.email if moderator else None,
        moderator_name=moderator.name if moderator else None,
        action=action.action, reason=action.reason,
        before=action.before or {}, after=action.after or {}, created_at=action.created_at,
        subject=action.subject,
    )


def _query(viewer: Moderator, filters: AuditFilters):
    query = (
        sa.select(ModeratorAction, Moderator, Site.slug)
        .outerjoin(Moderator, ModeratorAction.moderator_id == Moderator.id)
        .outerjoin(Comment, ModeratorAction.comment_id == Comment.id)
        .outerjoin(Thread, Comment.thread_id == Thread.id)
        .outerjoin(Site, sa.func.coalesce(Thread.site_id, ModeratorAction.site_id) == Site.id)
    )
    allowed = site_ids(viewer)
    if allowed is not None:
        query = query.where(sa.func.coalesce(Thread.site_id, ModeratorAction.site_id).in_(allowed or [-1]))
    if filters.comment_id is not None:
        site_id = db.session.execute(
            sa.select(Thread.site_id).join(Comment, Comment.thread_id == Thread.id)
            .where(Comment.id == filters.comment_id)
        ).scalar_one_or_none()
        if site_id is None or (allowed is not None and site_id not in allowed):
            # Another site's comment answers as an unknown one does.
            raise AuditFilterError("comment_id", f"No comment {filters.comment_id}.", code=404)
        query = query.where(ModeratorAction.comment_id == filters.comment_id)
    if filters.moderator:
        who = find_moderator(filters.moderator)
        if who is None or not _works_beside(viewer, who):
            # The same answer for an unknown email and one moderating only elsewhere.
            raise AuditFilterError("moderator", f"No moderator {filters.moderator!r} on your sites.")
        query = query.where(ModeratorAction.moderator_id == who.id)
    if filters.since is not None:
        query = query.where(ModeratorAction.created_at >= filters.since)
    return query


def _works_beside(viewer: Moderator, other: Moderator) -> bool:
    """Whether ``other`` can act on a site ``viewer`` sees (admins act on every site)."""
    mine, theirs = site_ids(viewer), site_ids(other)
    return mine is None or theirs is None or bool(mine & theirs)


def _csv_safe(text: str) -> str:
    """Stop spreadsheets from running a reason as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
