"""Readers report a published comment: ``POST /api/v1/comments/<id>/reports``.

Public and anonymous like posting: rate-limited per hashed address
(``RATELIMIT_REPORT``), refused from origins the comment's site does not allow,
readable cross-origin by the origins it does.
"""

from __future__ import annotations


from functools import wraps
from typing import Any, Callable

import marshmallow as ma
from flask import Response, current_app, g, request
from marshmallow import fields, validate

from .. import i18n
from ..clients import hash_reader, request_ip_hash
from ..errors import APIError
from ..extensions import limiter
from ..origins import add_cors_headers, origin_allowed
from ..reports import MAX_NOTE_LENGTH, REASONS, report_comment, reportable_site
from ..schemas import ErrorResponse, ReportResponse, Text
from .bodies import ApiBlueprint

blp = ApiBlueprint(
    "reports", __name__, url_prefix="/api/v1",
    description="Readers report comments that break the rules.",
)


class ReportCreate(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    reason = fields.String(required=True, validate=validate.OneOf(REASONS))
    note = Text(load_default="", validate=validate.Length(max=MAX_NOTE_LENGTH),
                metadata={"description": "What is wrong, for the moderators (optional)."})
    reader = fields.String(
        load_default=None, validate=validate.Regexp(r"^[A-Za-z0-9_-]{16,64}$"),
        metadata={"description": "A random id the reader's browser keeps (the widget stores one in "
                                 "localStorage): reports from one browser count as one reader from "
                                 "however many addresses. Stored only as a keyed hash."})


def _report_limit() -> str:
    return current_app.config["RATELIMIT_REPORT"]


def reportable(view: Callable[..., Any]) -> Callable[..., Any]:
    """Before the body is read: 404 for a comment nobody can report, and the same 404 from
    an origin its site does not allow (whose pages cannot show it, so it is unknown there)."""

    @wraps(view)
    def checked(*args: Any, comment_id: int, **kwargs: Any):
        site = reportable_site(comment_id)
        if site is not None:
            g.allowed_origins = site.allowed_origins or []
        if site is None or not origin_allowed(request.headers.get("Origin"), g.allowed_origins):
            raise APIError(404, f"No published comment {comment_id}.", errors={"comment": ["Unknown comment."]})
        return view(*args, comment_id=comment_id, **kwargs)

    return checked


@blp.route("/comments/<int:comment_id>/reports", methods=["POST"])
@limiter.limit(_report_limit, key_func=request_ip_hash, methods=["POST"])
@reportable
@blp.arguments(ReportCreate)
@blp.response(201, ReportResponse, description="Report taken.")
@blp.alt_response(200, schema=ReportResponse, description="This address had already reported it.")
@blp.alt_response(400, schema=ErrorResponse, description="The body is not valid JSON.")
@blp.alt_response(404, schema=ErrorResponse, description="No published comment with that id that this origin may see.")
@blp.alt_response(415, schema=ErrorResponse, description="Not JSON.")
@blp.alt_response(422, schema=ErrorResponse, description="Unknown reason or over-long note.")
@blp.alt_response(429, schema=ErrorResponse, description="Reporting too often.")
def report(data: dict[str, Any], comment_id: int):
    """Report a published comment to the site's moderators.

    Enough reports from different readers (`REPORTS_TO_HIDE`, 3 by default)
    hide it until a moderator decides.
    """
    reported = report_comment(current_app.extensions["discuss"], comment_id, data["reason"], data["note"],
                              request_ip_hash(), hash_reader(data["reader"]))  # a ReportRefused answers 404/422
    i18n.use(i18n.api_language(None))  # the reader's Accept-Language, else English
    body = {"report": reported.report, "message": i18n.public_text(REPORTED)}
    return body, 200 if reported.duplicate else 201


#: What a reader who reported a comment is told.
REPORTED = i18n.N_("Thank you: the moderators will look at it.")


@blp.after_request
def _cors(response: Response) -> Response:
    allowed = g.get("allowed_origins")
    if allowed is None and request.view_args and "comment_id" in request.view_args:
        site = reportable_site(request.view_args["comment_id"])
        allowed = (site.allowed_origins if site else None) or []
    return add_cors_headers(response, allowed or [], methods="POST, OPTIONS")
