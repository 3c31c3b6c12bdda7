"""The moderation JSON API: the review queue, decisions and the audit log.

Every route needs ``Authorization: Bearer <token>`` (``discuss moderators token
EMAIL`` prints one): 401 without a valid token, 404 for a comment on a site the
moderator does not work on (exactly as for an unknown id), 403 for such a site
moderator does not work on. Views parse, call :mod:`discuss.decisions` or the
queue and audit readers, and shape the response.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any

import marshmallow as ma
from flask import Response, current_app, jsonify
from marshmallow import fields, validate

from ..auth import require_token
from ..bounds import MAX_ID, MAX_YEAR, MIN_YEAR, date_in_range
from ..decisions import (
    ACTIONS, BULK_ACTIONS, MAX_REASON_LENGTH, BanRequest, DecisionRefused, comment_state, decide, decide_many,
)
from ..errors import APIError, error_body
from ..review.audit import AuditFilters, audit_entry, csv_response, load_audit
from ..labels import CATEGORY
from ..review.queue import (
    DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ORDERS, STATUSES, QueueFilters, QueueItem, load_item, load_queue,
)
from ..schemas import ErrorResponse, Id, StrictInteger
from .bodies import ApiBlueprint
from .moderation_schemas import (
    AuditOut, BulkOut, CommentDetailOut, CommentStateOut, ConflictResponse, DecisionOut, QueuePageOut,
)

blp = ApiBlueprint(
    "moderation", __name__, url_prefix="/api/v1/moderation",
    description="For moderators (bearer token): the review queue, decisions, the audit log.",
)
SECURITY = [{"bearerAuth": []}]


@blp.before_request
def _authenticate() -> None:
    # Before argument parsing, so an anonymous request is a 401 whatever it sends.
    require_token()


# -- schemas -----------------------------------------------------------------------

class When(fields.Field):
    """An ISO 8601 date (``2026-05-01``, midnight UTC) or date-time; naive means UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ma.ValidationError("Expected an ISO 8601 date or date-time.")
        try:
            if len(value) == 10:
                parsed = datetime.combine(date.fromisoformat(value), time())
            else:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ma.ValidationError("Expected an ISO 8601 date or date-time.") from exc
        if not date_in_range(parsed):
            raise ma.ValidationError(f"Use a year from {MIN_YEAR} to {MAX_YEAR}.")
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
        return parsed


class QueueQuery(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    site = fields.String(load_default=None, validate=validate.Length(max=64))
    thread = fields.String(load_default=None, validate=validate.Length(max=500))
    plugin = fields.String(load_default=None, validate=validate.Length(max=100))
    reason = fields.String(load_default=None, validate=validate.Length(max=500))
    category = fields.String(load_default=None, validate=validate.Regexp(
        CATEGORY.pattern + r"\Z",
        error="Use a category such as threat or slur (lower-case letters, digits, - and _)."),
        metadata={"description": "Only comments a plugin held or rejected with this category "
                                 "(threat, dehumanisation, slur, derogation, hatred, exclusion, ...)."})
    status = fields.String(load_default="all", validate=validate.OneOf(STATUSES),
                           metadata={"description": "held (by plugins), reported (open reader reports), or all."})
    since = When(load_default=None, metadata={"description": "Created at or after (ISO date or date-time, UTC)."})
    until = When(load_default=None, metadata={"description": "Created before (ISO date or date-time, UTC)."})
    order = fields.String(load_default="oldest", validate=validate.OneOf(ORDERS))
    cursor = fields.String(load_default=None, validate=validate.Length(max=200))
    limit = fields.Integer(load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class BanSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    email = fields.Boolean(load_default=True, metadata={"description": "Ban the author's email."})
    ip = fields.Boolean(load_default=False, metadata={"description": "Ban the author's hashed address."})
    expires_at = When(load_default=None, metadata={"description": "When the ban ends; none: never."})
    all_sites = fields.Boolean(load_default=False, metadata={"description": "Every site (admins only)."})


class DecisionBody(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    version = Id(required=True,
                            metadata={"description": "The comment version you saw (from the queue item)."})
    reason = fields.String(load_default="", validate=validate.Length(max=MAX_REASON_LENGTH),
                           metadata={"description": "Required to reject."})
    body = fields.String(load_default=None, metadata={"description": "The edited text, for edit."})
    ban = fields.Nested(BanSchema, load_default=None, metadata={"description": "For ban; default: the email."})


class BulkItem(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    id = Id(required=True)
    version = Id(required=True)


class BulkBody(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    action = fields.String(required=True, validate=validate.OneOf(BULK_ACTIONS))
    reason = fields.String(load_default="", validate=validate.Length(max=MAX_REASON_LENGTH))
    items = fields.List(fields.Nested(BulkItem), required=True, validate=validate.Length(min=1, max=MAX_PAGE_SIZE))


class AuditQuery(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    comment_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))
    moderator = fields.String(load_default=None, validate=validate.Length(max=320),
                              metadata={"description": "A moderator's email (one who works on your sites)."})
    since = When(load_default=None)
    cursor = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


# -- routes ------------------------------------------------------------------------

@blp.route("/queue", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.arguments(QueueQuery, location="query", as_kwargs=True, unknown=ma.RAISE)
@blp.response(200, QueuePageOut)
@blp.alt_response(401, schema=ErrorResponse, description="No valid token.")
@blp.alt_response(403, schema=ErrorResponse, description="Not your site.")
def queue(cursor: str | None, limit: int, **filters: Any):
    """Held and reported comments, urgent ones (threats) first, then oldest first; filter by site,
    thread, plugin, reason, category, date."""
    moderator = require_token()
    return load_queue(moderator, QueueFilters(**filters), cursor=cursor, limit=limit)


@blp.route("/comments/<int:comment_id>", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.alt_response(401, schema=ErrorResponse, description="No valid token.")
@blp.alt_response(404, schema=ErrorResponse, description="No such comment on your sites.")
@blp.response(200, CommentDetailOut)
def comment(comment_id: int):
    """One comment as the queue shows it, whatever its status, with its audit history."""
    moderator = require_token()
    item = _item_or_error(moderator, comment_id)
    return {"item": item, "audit": load_audit(moderator, AuditFilters(comment_id=comment_id), limit=500).entries}


@blp.route("/comments/<int:comment_id>/decision", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(DecisionBody)
@blp.response(200, DecisionOut)
@blp.alt_response(401, schema=ErrorResponse, description="No valid token.")
@blp.alt_response(403, schema=ErrorResponse, description="A ban on every site by a non-admin.")
@blp.alt_response(404, schema=ErrorResponse, description="No such comment on your sites.")
@blp.alt_response(409, schema=ConflictResponse, description="The comment is no longer at that version or "
                  "in a state the action applies to; `current` holds its state now.")
@blp.alt_response(422, schema=ErrorResponse, description="Invalid action, reason, body or ban.")
def decision(data: dict[str, Any], comment_id: int):
    """Approve, reject, edit (and publish), ban the author, delete or restore a comment.

    Send the `version` from the queue item: if anyone changed the comment since,
    the answer is 409 with its current state and nothing changes.
    """
    moderator = require_token()
    ban = BanRequest(**data["ban"]) if data.get("ban") else None
    try:
        made = decide(current_app.extensions["discuss"], comment_id, moderator, data["action"],
                      expected_version=data["version"], reason=data["reason"], body=data["body"], ban=ban)
    except DecisionRefused as refused:
        return refusal_response(refused)
    state = comment_state(made.comment)
    return {
        "comment": {**vars(state), "body": made.comment.body, "body_html": made.comment.body_html},
        "audit": audit_entry(made.record, moderator, made.site.slug),
        "ban": made.ban,
    }


@blp.route("/decisions", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(BulkBody)
@blp.response(200, BulkOut)
@blp.alt_response(401, schema=ErrorResponse, description="No valid token.")
@blp.alt_response(422, schema=ErrorResponse, description="Invalid action, reason or items.")
def bulk_decision(data: dict[str, Any]):
    """Approve or reject several comments; each result says `ok` or why not (404/409)."""
    moderator = require_token()
    items = [(item["id"], item["version"]) for item in data["items"]]
    outcomes = decide_many(current_app.extensions["discuss"], items, moderator, data["action"],
                           reason=data["reason"])
    results: list[dict[str, Any]] = []
    for outcome in outcomes:
        if outcome.decision is not None:
            results.append({"id": outcome.comment_id, "ok": True, "comment": comment_state(outcome.decision.comment)})
        else:
            results.append({"id": outcome.comment_id, "ok": False, "code": outcome.refused.code,
                            "message": outcome.refused.message, "current": outcome.refused.current})
    return {"results": results}


@blp.route("/audit", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.arguments(AuditQuery, location="query", as_kwargs=True, unknown=ma.RAISE)
@blp.response(200, AuditOut)
@blp.alt_response(401, schema=ErrorResponse, description="No valid token.")
@blp.alt_response(404, schema=ErrorResponse, description="No comment comment_id on your sites.")
@blp.alt_response(422, schema=ErrorResponse, description="Invalid filters (e.g. no such moderator on your sites).")
def audit(comment_id: int | None, moderator: str | None, since: datetime | None, cursor: int | None, limit: int):
    """The audit log, newest first: who, when, action, reason, and before/after states."""
    viewer = require_token()
    return load_audit(viewer, AuditFilters(comment_id, moderator, since), before_id=cursor, limit=limit)


@blp.route("/audit.csv", methods=["GET"])
@blp.doc(security=SECURITY, responses={"200": {"description": "CSV", "content": {"text/csv": {}}}})
@blp.arguments(AuditQuery, location="query", as_kwargs=True, unknown=ma.RAISE)
def audit_csv(comment_id: int | None, moderator: str | None, since: datetime | None, cursor: int | None,
              limit: int):
    """The whole audit log matching the filters, as CSV (cursor and limit are ignored)."""
    viewer = require_token()
    filters = AuditFilters(comment_id, moderator, since)
    load_audit(viewer, filters, limit=1)  # validate the filters before streaming
    return csv_response(viewer, filters)


# -- shaping ---------------------------------------------------------------------

def refusal_response(refused: DecisionRefused) -> Response:
    """The error shape, plus ``current`` (the comment's state now) on a 409."""
    body = error_body(refused.code, refused.message, {refused.field: [refused.message]})
    if refused.current is not None:
        body["current"] = CommentStateOut().dump(refused.current)
    response = jsonify(body)
    response.status_code = refused.code
    return response


def _item_or_error(moderator, comment_id: int) -> QueueItem:
    item = load_item(moderator, comment_id)
    if item is None:
        raise APIError(404, f"No comment {comment_id}.", errors={"comment": ["Unknown comment."]})
    return item
