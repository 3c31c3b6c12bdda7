"""The review queue: held and reported comments a moderator may decide, a page at a time.

Urgent comments (a verdict marked a threat ``urgent``) come first, then the
rest, each group in the chosen date order. A page is a keyset query per comment
status and urgency (the ``(status, urgent, created_at)`` index serves each, so a
deep page costs what the first does), then one query each for the page's
verdicts, open reports, parents and same-address counts, whatever the queue's
length.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup, escape

from ..auth import may_act_on, site_ids
from ..bounds import MAX_ID
from ..errors import Refusal
from ..extensions import db
from ..models import PENDING, PUBLISHED, Comment, Moderator, Report, Site, Thread, VerdictRecord
from ..threads import BadKey, normalise_key
from ..verdict import PUBLISH
from ..labels import CATEGORY, labels_of, unique

STATUSES = ("all", "held", "reported")
ORDERS = ("oldest", "newest")
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
# Counting stops here: an exact count of 10,000 filtered rows costs more than
# the page itself, and "1000+ waiting" tells a moderator as much.
COUNT_CAP = 1000


class QueueFilterError(Refusal):
    """A filter the queue cannot apply: ``code`` 422 (invalid) or 403 (not your site)."""


@dataclass(frozen=True)
class QueueFilters:
    site: str | None = None          # site slug
    thread: str | None = None        # thread key (any form normalise_key accepts)
    plugin: str | None = None        # a plugin that held or rejected it
    reason: str | None = None        # a plugin's reason or a report's reason, exactly
    category: str | None = None      # a held or rejecting verdict's category (threat, slur, ...)
    status: str = "all"              # held | reported | all
    since: datetime | None = None    # created at or after
    until: datetime | None = None    # created before
    order: str = "oldest"


@dataclass
class QueueItem:
    comment: Comment
    thread: Thread
    site: Site
    parent: Comment | None = None
    verdicts: list[VerdictRecord] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    same_ip_count: int = 0

    @property
    def held_by(self) -> list[VerdictRecord]:
        """The verdicts that kept it from publishing."""
        return [v for v in self.verdicts if v.decision != PUBLISH]

    @property
    def with_opinion(self) -> list[VerdictRecord]:
        """The verdicts worth a moderator's eye: every one but "no opinion"."""
        return [v for v in self.verdicts if not (v.details or {}).get("no_opinion")]

    @property
    def no_opinion(self) -> list[VerdictRecord]:
        """The plugins that had nothing to say (folded away in the queue)."""
        return [v for v in self.verdicts if (v.details or {}).get("no_opinion")]

    @property
    def categories(self) -> list[str]:
        return unique(v.category for v in self.held_by if v.category)

    @property
    def targets(self) -> list[str]:
        """The groups the holding verdicts say the comment is aimed at."""
        return unique(t for v in self.held_by for t in labels_of(v.details, "targets"))

    @property
    def characteristics(self) -> list[str]:
        return unique(t for v in self.held_by for t in labels_of(v.details, "characteristics"))


@dataclass
class QueuePage:
    items: list[QueueItem]
    next_cursor: str | None
    total: int            # matching items, counted up to COUNT_CAP
    total_capped: bool = False  # True: there are more than COUNT_CAP


def load_queue(moderator: Moderator, filters: QueueFilters, *, cursor: str | None = None,
               limit: int = DEFAULT_PAGE_SIZE) -> QueuePage:
    """One page of the queue ``moderator`` may work, filtered and ordered.

    :raises QueueFilterError: for an unknown site (422), another's site (403),
        a bad thread key, status, order or cursor (422).
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    conditions, needs_thread = _conditions(moderator, filters)
    newest = filters.order == "newest"
    after = decode_cursor(cursor) if cursor else None
    # The queue is a union of parts with one status and one urgency each, read
    # separately and merged: each part's keyset query then walks the
    # (status, urgent, created_at) index and stops after a page, where one
    # query with an OR over statuses would sort every match first.
    rows: list[Comment] = []
    total = 0
    ordering = (Comment.created_at.desc(), Comment.id.desc()) if newest else (Comment.created_at, Comment.id)
    for part in _parts(filters.status):
        counting = sa.select(Comment.id).where(*conditions, *part)
        if needs_thread:
            counting = counting.join(Thread, Comment.thread_id == Thread.id)
        counting = sa.select(sa.func.count()).select_from(counting.limit(COUNT_CAP + 1).subquery())
        total += db.session.execute(counting).scalar_one()
        for urgent in (True, False):
            if after is not None and after[0] is False and urgent:
                continue  # the cursor is past every urgent item
            query = sa.select(Comment).where(*conditions, *part, Comment.urgent.is_(urgent))
            if needs_thread:
                query = query.join(Thread, Comment.thread_id == Thread.id)
            if after is not None and after[0] is urgent:
                query = query.where(*_after(after[1:], newest))
            rows += db.session.execute(query.order_by(*ordering).limit(limit + 1)).scalars().all()
    rows.sort(key=lambda c: (c.created_at, c.id), reverse=newest)
    rows.sort(key=lambda c: not c.urgent)  # stable: urgent first, each group in date order
    more = len(rows) > limit
    rows = rows[:limit]
    threads = {t.id: t for t in db.session.execute(
        sa.select(Thread).where(Thread.id.in_({c.thread_id for c in rows}))).scalars()} if rows else {}
    sites = {s.id: s for s in db.session.execute(
        sa.select(Site).where(Site.id.in_({t.site_id for t in threads.values()}))).scalars()} if rows else {}
    items = [QueueItem(comment=c, thread=threads[c.thread_id], site=sites[threads[c.thread_id].site_id])
             for c in rows]
    _attach_details(items)
    next_cursor = encode_cursor(items[-1].comment) if more and items else None
    return QueuePage(items=items, next_cursor=next_cursor, total=min(total, COUNT_CAP),
                     total_capped=total > COUNT_CAP)


def _parts(status: str) -> list[list[Any]]:
    """The queue's parts for a status filter: disjoint, one comment status each."""
    reported = Comment.id.in_(_open_reports())
    if status == "held":
        return [[Comment.status == PENDING, Comment.hidden_by_reports.is_(False)]]
    if status == "reported":
        return [[Comment.status == PENDING, reported], [Comment.status == PUBLISHED, reported]]
    return [[Comment.status == PENDING], [Comment.status == PUBLISHED, reported]]


def _after(position: tuple[datetime, int], newest: bool) -> list[Any]:
    created, last_id = position
    if newest:
        return [Comment.created_at <= created, sa.or_(
            Comment.created_at < created, sa.and_(Comment.created_at == created, Comment.id < last_id))]
    return [Comment.created_at >= created, sa.or_(
        Comment.created_at > created, sa.and_(Comment.created_at == created, Comment.id > last_id))]


def load_item(moderator: Moderator, comment_id: int) -> QueueItem | None:
    """Any comment (queued or not) with its queue details, if ``moderator`` may see it.

    A comment on a site the moderator does not work on is ``None``, exactly like
    an unknown one, so ids cannot be used to learn about other sites.
    """
    row = db.session.execute(
        sa.select(Comment, Thread, Site)
        .join(Thread, Comment.thread_id == Thread.id).join(Site, Thread.site_id == Site.id)
        .where(Comment.id == comment_id)
    ).first()
    if row is None or not may_act_on(moderator, row[2].id):
        return None
    item = QueueItem(comment=row[0], thread=row[1], site=row[2])
    _attach_details([item])
    return item


def encode_cursor(comment: Comment) -> str:
    raw = json.dumps([bool(comment.urgent), comment.created_at.isoformat(), comment.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[bool, datetime, int]:
    """``(urgent, created_at, id)`` of the last item shown; a cursor made before
    urgency (two values) continues among the non-urgent items."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list):
            raise ValueError
        urgent, created, last_id = values if len(values) == 3 else [False, *values]
        if (not isinstance(last_id, int) or isinstance(last_id, bool) or not 0 <= last_id <= MAX_ID
                or not isinstance(urgent, bool)):
            raise ValueError
        return urgent, datetime.fromisoformat(created), last_id
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        raise QueueFilterError("cursor", "Not a cursor this queue made.") from exc


def highlight(text: str, spans: list[Any] | None) -> Markup:
    """``text`` HTML-escaped, with each ``[start, end]`` span wrapped in ``<mark>``.

    Spans come from plugins: out-of-range, reversed or malformed ones are
    ignored, overlapping ones merged. Every piece is escaped on its own, so a
    span can never cut an entity or a tag in half.
    """
    cleaned: list[tuple[int, int]] = []
    for span in spans or []:
        if (isinstance(span, (list, tuple)) and len(span) == 2
                and all(isinstance(n, int) and not isinstance(n, bool) for n in span)):
            start, end = max(0, span[0]), min(len(text), span[1])
            if start < end:
                cleaned.append((start, end))
    merged: list[list[int]] = []
    for start, end in sorted(cleaned):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, position = [], 0
    for start, end in merged:
        out.append(str(escape(text[position:start])))
        out.append("<mark>" + str(escape(text[start:end])) + "</mark>")
        position = end
    out.append(str(escape(text[position:])))
    return Markup("".join(out))


def spans_of(item: QueueItem) -> list[Any]:
    """Every span any plugin marked in the comment's body."""
    spans: list[Any] = []
    for verdict in item.verdicts:
        found = (verdict.details or {}).get("spans")
        if isinstance(found, list):
            spans.extend(found)
    return spans


# -- internals -------------------------------------------------------------------

def _open_reports():
    return sa.select(Report.comment_id).where(Report.resolved.is_(False))


def _conditions(moderator: Moderator, filters: QueueFilters) -> tuple[list[Any], bool]:
    """The filters as WHERE conditions, and whether they need the thread joined."""
    if filters.status not in STATUSES:
        raise QueueFilterError("status", f"Use one of {', '.join(STATUSES)}.")
    if filters.order not in ORDERS:
        raise QueueFilterError("order", f"Use one of {', '.join(ORDERS)}.")
    conditions: list[Any] = []
    allowed = site_ids(moderator)
    if allowed is not None:
        conditions.append(Thread.site_id.in_(allowed or [-1]))
    if filters.site:
        site = db.session.execute(sa.select(Site).filter_by(slug=filters.site)).scalar_one_or_none()
        if site is None:
            raise QueueFilterError("site", f"No site {filters.site!r}.")
        if allowed is not None and site.id not in allowed:
            raise QueueFilterError("site", "You do not moderate that site.", code=403)
        conditions.append(Thread.site_id == site.id)
    if filters.thread:
        try:
            conditions.append(Thread.key == normalise_key(filters.thread))
        except BadKey as exc:
            raise QueueFilterError("thread", f"Invalid thread key: {exc}.") from exc
    if filters.plugin:
        conditions.append(sa.exists().where(
            VerdictRecord.comment_id == Comment.id, VerdictRecord.plugin == filters.plugin,
            VerdictRecord.decision != PUBLISH))
    if filters.category:
        if not CATEGORY.fullmatch(filters.category):
            raise QueueFilterError("category", "Use a category such as threat or slur "
                                               "(lower-case letters, digits, - and _).")
        # IN, not EXISTS: the (category, comment_id) index then yields the few
        # matching comments instead of every queued comment being probed.
        conditions.append(Comment.id.in_(
            sa.select(VerdictRecord.comment_id).where(VerdictRecord.category == filters.category)))
    if filters.reason:
        conditions.append(sa.or_(
            sa.exists().where(VerdictRecord.comment_id == Comment.id, VerdictRecord.reason == filters.reason,
                              VerdictRecord.decision != PUBLISH),
            sa.exists().where(Report.comment_id == Comment.id, Report.reason == filters.reason,
                              Report.resolved.is_(False)),
        ))
    if filters.since and filters.until and filters.since >= filters.until:
        raise QueueFilterError("until", "Must be after since.")
    needs_thread = bool(allowed is not None or filters.site or filters.thread)
    if filters.since:
        conditions.append(Comment.created_at >= filters.since)
    if filters.until:
        conditions.append(Comment.created_at < filters.until)
    return conditions, needs_thread


def _attach_details(items: list[QueueItem]) -> None:
    if not items:
        return
    by_id = {item.comment.id: item for item in items}
    ids = list(by_id)
    for verdict in db.session.execute(
        sa.select(VerdictRecord).where(VerdictRecord.comment_id.in_(ids)).order_by(VerdictRecord.id)
    ).scalars():
        by_id[verdict.comment_id].verdicts.append(verdict)
    for report in db.session.execute(
        sa.select(Report).where(Report.comment_id.in_(ids), Report.resolved.is_(False)).order_by(Report.id)
    ).scalars():
        by_id[report.comment_id].reports.append(report)
    parent_ids = {item.comment.parent_id for item in items if item.comment.parent_id}
    if parent_ids:
        parents = {c.id: c for c in db.session.execute(
            sa.select(Comment).where(Comment.id.in_(parent_ids))).scalars()}
        for item in items:
            item.parent = parents.get(item.comment.parent_id)
    hashes = {item.comment.ip_hash for item in items if item.comment.ip_hash}
    if hashes:
        # Counted within the comment's own site: a council's moderators learn
        # nothing about what the same address does on other councils' sites.
        counts = {(ip, site_id): n for ip, site_id, n in db.session.execute(
            sa.select(Comment.ip_hash, Thread.site_id, sa.func.count())
            .join(Thread, Comment.thread_id == Thread.id)
            .where(Comment.ip_hash.in_(hashes))
            .group_by(Comment.ip_hash, Thread.site_id)).all()}
        for item in items:
            item.same_ip_count = counts.get((item.comment.ip_hash, item.site.id), 0)
