"""What the moderation API returns, field by field (and what OpenAPI documents).

The services hand out values (queue items, decisions, audit entries, bans);
these schemas are the only place they become JSON.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from ..review.queue import QueueItem, spans_of
from ..schemas import AuditEntryOut, BanOut, Timestamp

SPANS = {"type": "array", "items": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}}


class ThreadRefOut(ma.Schema):
    key = fields.String()
    title = fields.String()
    url = fields.String()


class ParentOut(ma.Schema):
    id = fields.Integer()
    author_name = fields.String()
    body = fields.String()
    status = fields.String()


class QueueCommentOut(ma.Schema):
    """The comment of a queue item, read from the item (its comment, thread, site, parent)."""

    id = fields.Integer(attribute="comment.id")
    version = fields.Integer(attribute="comment.version",
                             metadata={"description": "Send it back with a decision."})
    status = fields.String(attribute="comment.status")
    hidden_by_reports = fields.Boolean(attribute="comment.hidden_by_reports")
    site = fields.String(attribute="site.slug")
    thread = fields.Nested(ThreadRefOut)
    parent = fields.Nested(ParentOut, allow_none=True)
    author_name = fields.String(attribute="comment.author_name")
    author_email = fields.String(attribute="comment.author_email", allow_none=True)
    ip_hash = fields.String(attribute="comment.ip_hash", allow_none=True)
    same_ip_count = fields.Integer(metadata={"description": "Other comments from the same hashed address."})
    body = fields.String(attribute="comment.body")
    body_html = fields.String(attribute="comment.body_html")
    spans = fields.Function(spans_of, metadata={"description": "[start, end] of every character range "
                                                "a plugin marked in the body.", **SPANS})
    urgent = fields.Boolean(attribute="comment.urgent",
                            metadata={"description": "A plugin marked it urgent (a threat): it sorts first."})
    categories = fields.List(fields.String(), metadata={
        "description": "Categories of the verdicts that held or rejected it (threat, slur, ...)."})
    targets = fields.List(fields.String(), metadata={"description": "Groups those verdicts say it is aimed at."})
    characteristics = fields.List(fields.String(), metadata={
        "description": "Protected characteristics those verdicts name (religion, race, ...)."})
    created_at = Timestamp(attribute="comment.created_at")


class VerdictOut(ma.Schema):
    plugin = fields.String()
    decision = fields.String(metadata={"description": "publish, hold or reject"})
    reason = fields.String()
    category = fields.String(allow_none=True, metadata={"description": "The verdict's category, if any."})
    details = fields.Function(lambda verdict: verdict.details or {},
                              metadata={"type": "object", "description": "The plugin's own data."})


class QueueReportOut(ma.Schema):
    id = fields.Integer()
    reason = fields.String()
    note = fields.String()
    created_at = Timestamp()


class QueueItemOut(ma.Schema):
    """Dumps a :class:`~discuss.review.queue.QueueItem`."""

    comment = fields.Nested(QueueCommentOut)
    verdicts = fields.List(fields.Nested(VerdictOut))
    reports = fields.List(fields.Nested(QueueReportOut))

    @ma.pre_dump
    def _spread(self, item: QueueItem, **_: Any) -> dict[str, Any]:
        # The comment's fields come from the whole item (site, thread, parent, spans).
        return {"comment": item, "verdicts": item.verdicts, "reports": item.reports}


class QueuePageOut(ma.Schema):
    items = fields.List(fields.Nested(QueueItemOut))
    next = fields.String(attribute="next_cursor", allow_none=True,
                         metadata={"description": "Pass back as cursor; null on the last page."})
    total = fields.Integer(metadata={"description": "Items matching the filters, counted up to 1000."})
    total_capped = fields.Boolean(metadata={"description": "True when more than 1000 match."})


class CommentDetailOut(QueueItemOut):
    """Dumps ``{"item": queue item, "audit": audit entries}``: one comment with its history."""

    audit = fields.List(fields.Nested(AuditEntryOut), metadata={"description": "Its history, newest first."})

    @ma.pre_dump
    def _spread(self, detail: dict[str, Any], **_: Any) -> dict[str, Any]:
        item, audit = detail["item"], detail["audit"]
        return {"comment": item, "verdicts": item.verdicts, "reports": item.reports, "audit": audit}


class LastActionOut(ma.Schema):
    action = fields.String()
    moderator = fields.String(allow_none=True)
    reason = fields.String()
    at = Timestamp()


class CommentStateOut(ma.Schema):
    id = fields.Integer()
    status = fields.String()
    version = fields.Integer()
    hidden_by_reports = fields.Boolean()
    updated_at = Timestamp()
    last_action = fields.Nested(LastActionOut, allow_none=True)


class DecidedCommentOut(CommentStateOut):
    body = fields.String()
    body_html = fields.String()


class DecisionOut(ma.Schema):
    comment = fields.Nested(DecidedCommentOut)
    audit = fields.Nested(AuditEntryOut)
    ban = fields.Nested(BanOut, allow_none=True)


class BulkResultOut(ma.Schema):
    id = fields.Integer()
    ok = fields.Boolean()
    comment = fields.Nested(CommentStateOut, metadata={"description": "When ok."})
    code = fields.Integer(metadata={"description": "When not ok: 403, 404 or 409."})
    message = fields.String()
    current = fields.Nested(CommentStateOut, allow_none=True, metadata={"description": "On a 409."})


class BulkOut(ma.Schema):
    results = fields.List(fields.Nested(BulkResultOut))


class AuditOut(ma.Schema):
    entries = fields.List(fields.Nested(AuditEntryOut))
    next = fields.Integer(attribute="next_cursor", allow_none=True)


class ConflictResponse(ma.Schema):
    """The error shape, plus the comment's state now."""

    code = fields.Integer()
    status = fields.String()
    message = fields.String()
    errors = fields.Dict()
    current = fields.Nested(CommentStateOut, allow_none=True)
