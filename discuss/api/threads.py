"""Threads and comments: read a thread, post a reply."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, request
from flask_smorest import Blueprint

from ..clients import request_ip_hash
from .bodies import json_body, load_object
from ..comments import Posted, post_comment
from ..errors import APIError
from ..extensions import db, limiter
from ..models import PENDING, Site
from ..origins import add_cors_headers, origin_allowed
from ..schemas import CommentCreate, ErrorResponse, PostedResponse, ThreadQuery, ThreadResponse
from ..submission import Submission
from ..threads import BadKey, decode_cursor, normalise_key, read_thread
from ..verdict import HOLD, PUBLISH

blp = Blueprint(
    "threads", __name__, url_prefix="/api/v1",
    description="Read a page's discussion and post replies to it.",
)

HELD_MESSAGE = "Thanks, your comment is awaiting moderation."


def _key(raw: str) -> str:
    try:
        return normalise_key(raw)
    except BadKey as exc:
        raise APIError(422, f"Invalid thread key: {exc}.", errors={"key": [str(exc)]}) from exc


def _post_limit() -> str:
    return current_app.config["RATELIMIT_POST"]


@blp.route("/sites/<site>/threads/", defaults={"key": ""}, methods=["GET"])
@blp.route("/sites/<site>/threads/<path:key>", methods=["GET"])
@blp.arguments(ThreadQuery, location="query", as_kwargs=True)
@blp.response(200, ThreadResponse)
@blp.alt_response(304, description="Not modified (If-None-Match matched the ETag).")
@blp.alt_response(404, schema=ErrorResponse, description="Unknown site.")
def get_thread(site: str, key: str, limit: int | None, cursor: str | None):
    """A thread and its published comments, nested.

    A page with no comments yet gives an empty thread. Pages run by top-level
    comment: pass `next_cursor` back as `cursor` for the next page.
    """
    thread_key = _key(key)
    size = limit or current_app.config["THREAD_PAGE_SIZE"]
    size = min(size, current_app.config["THREAD_MAX_PAGE_SIZE"])
    try:
        after_root = decode_cursor(cursor) if cursor else None
    except ValueError as exc:
        raise APIError(422, "Invalid cursor.", errors={"cursor": [str(exc)]}) from exc
    page = read_thread(site, thread_key, limit=size, after_root=after_root,
                       cache=current_app.extensions.get("discuss_page_cache"))
    db.session.rollback()
    if page is None:
        raise APIError(404, f"No site called {site!r}.", errors={"site": ["Unknown site."]})
    g.allowed_origins = page.allowed_origins
    max_age = current_app.config["THREAD_CACHE_SECONDS"]
    headers = {
        "ETag": f'"{page.etag}"',
        "Cache-Control": f"public, max-age={max_age}" if max_age else "no-cache",
    }
    if request.if_none_match.contains(page.etag):
        return Response(status=304, headers=headers)
    return Response(page.body, 200, headers, mimetype="application/json")


@blp.route("/sites/<site>/threads/comments", defaults={"key": ""}, methods=["POST"])
@blp.route("/sites/<site>/threads/<path:key>/comments", methods=["POST"])
@limiter.limit(_post_limit, methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": "CommentCreate"}}})
@blp.response(201, PostedResponse, description="Published.")
@blp.alt_response(202, schema=PostedResponse, description="Held for review.")
@blp.alt_response(403, schema=ErrorResponse, description="Origin not allowed for this site, or the thread is closed.")
@blp.alt_response(404, schema=ErrorResponse, description="Unknown site.")
@blp.alt_response(415, schema=ErrorResponse, description="Not JSON.")
@blp.alt_response(422, schema=ErrorResponse, description="Invalid fields, or rejected by moderation.")
@blp.alt_response(429, schema=ErrorResponse, description="Posting too often.")
def post_reply(site: str, key: str):
    """Post a reply; every enabled moderation plugin screens it first.

    201 when published at once, 202 when held for a moderator, 422 with the
    reason when the moderation plugins reject it.
    """
    thread_key = _key(key)
    the_site = load_site(site)
    if not origin_allowed(request.headers.get("Origin"), the_site.allowed_origins):
        raise APIError(403, "This page's origin may not post to this site.",
                       errors={"origin": [f"{request.headers.get('Origin')} is not allowed."]})
    data = parse_reply(json_body())
    submission = build_submission(the_site, thread_key, data)
    # An InvalidReply (bad parent, closed thread) answers in the error shape by itself.
    return posted_response(post_comment(current_app.extensions["discuss"], the_site, submission))


def load_site(slug: str) -> Site:
    site = db.session.execute(db.select(Site).filter_by(slug=slug)).scalar_one_or_none()
    if site is None:
        raise APIError(404, f"No site called {slug!r}.", errors={"site": ["Unknown site."]})
    g.allowed_origins = site.allowed_origins or []
    return site


def parse_reply(data: Any) -> dict[str, Any]:
    """Validate a reply with :class:`CommentCreate`; 422 naming each bad field."""
    return load_object(CommentCreate(), data)


def build_submission(site: Site, thread_key: str, data: dict[str, Any]) -> Submission:
    return Submission(
        body=data["body"],
        author_name=data["author_name"],
        author_email=(data.get("author_email") or None) and data["author_email"].lower(),
        site=site.slug,
        thread_key=thread_key,
        thread_title=data.get("page_title") or "",
        page_url=data.get("page_url") or "",
        parent_id=data.get("parent_id"),
        ip_hash=request_ip_hash(),
        user_agent=request.headers.get("User-Agent", "")[:300],
        extra={"website": data.get("website", "")},
    )


def comment_json(comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author_name": comment.author_name,
        "body_html": comment.body_html,
        "created_at": comment.created_at.isoformat() + "Z",
        "status": comment.status,
    }


def posted_response(posted: Posted):
    """201 published / 202 held / 422 rejected (202 for a silent rejection, e.g. a honeypot)."""
    screening, comment = posted.screening, posted.comment
    if screening.decision == PUBLISH:
        return {"comment": comment_json(comment)}, 201
    if screening.decision == HOLD or screening.silent:
        shown = comment_json(comment)
        shown["status"] = PENDING
        return {"comment": shown, "message": HELD_MESSAGE}, 202
    reason = screening.public_reason()
    raise APIError(422, reason, errors={"body": [reason]})


@blp.after_app_request
def _cors(response: Response) -> Response:
    if request.blueprint != blp.name and not request.path.startswith("/api/v1/sites/"):
        return response
    allowed = g.get("allowed_origins")
    if allowed is None and request.view_args and "site" in request.view_args:
        row = db.session.execute(
            db.select(Site.allowed_origins).filter_by(slug=request.view_args["site"])
        ).first()
        allowed = (row[0] if row else None) or []
    return add_cors_headers(response, allowed or [])
