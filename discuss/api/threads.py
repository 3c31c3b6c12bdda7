"""Threads: read a thread, post a reply.

The views parse (schemas), call the read and write services, and shape the
answer: :func:`get_thread` serialises the service's tree and keeps the bytes
(:mod:`discuss.api.page_cache`); :func:`post_reply` turns the
:class:`~discuss.comments.Outcome` into 201, 202 or 422.
"""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import Response, current_app, g, request
from sqlalchemy.exc import SQLAlchemyError

from .. import i18n, idempotency
from ..clients import request_ip_hash
from ..comments import HELD_MESSAGE, Outcome, Posted, post_comment, submission_for
from ..errors import APIError, error_body
from ..extensions import db, limiter
from ..models import PENDING, Site
from ..origins import add_cors_headers, origin_allowed
from ..schemas import CommentCreate, ErrorResponse, PostedComment, PostedResponse, ThreadQuery, ThreadResponse
from ..sites import find_site
from ..invalidation import purge_key
from ..threads import BadKey, ThreadHead, ThreadPage, decode_cursor, normalise_key
from ..transactions import end_read
from .bodies import ApiBlueprint
from .page_cache import read_cached, tags_of
from .replay import MARK as REPLAY_MARK

blp = ApiBlueprint(
    "threads", __name__, url_prefix="/api/v1",
    description="Read a page's discussion and post replies to it.",
)


#: One instance of each for every request (webargs and a dump would build a schema, deep-copying
#: its fields, per request from the class).
THREAD_QUERY = ThreadQuery()
COMMENT_CREATE = CommentCreate()
POSTED_RESPONSE = PostedResponse()
POSTED_FIELDS = tuple(PostedComment().fields)


def _key(raw: str) -> str:
    try:
        return normalise_key(raw)
    except BadKey as exc:
        raise APIError(422, f"Invalid thread key: {exc}.", errors={"key": [str(exc)]}) from exc


def _post_limit() -> str:
    return current_app.config["RATELIMIT_POST"]


@blp.route("/sites/<site>/threads/", defaults={"key": ""}, methods=["GET"])
@blp.route("/sites/<site>/threads/<path:key>", methods=["GET"])
@blp.arguments(THREAD_QUERY, location="query", as_kwargs=True)
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
    cache = current_app.extensions.get("discuss_page_cache")
    found = read_cached(cache, site, thread_key, size, after_root,
                        max_comments=current_app.config["THREAD_PAGE_COMMENTS"],
                        variant=lambda head: i18n.use(i18n.api_language(head.language)),
                        localise=_localise)
    end_read()
    if found is None:
        raise APIError(404, f"No site called {site!r}.", errors={"site": ["Unknown site."]})
    head, page, language = found
    g.allowed_origins = head.allowed_origins
    headers = cache_headers(head, current_app.config)
    headers["ETag"] = f'"{page.etag}"'
    headers["Content-Language"] = language
    headers["Vary"] = "Accept-Language"  # the language is negotiated (discuss.i18n.api_language)
    if request.if_none_match.contains(page.etag):
        return Response(status=304, headers=headers)
    request.environ[REPLAY_MARK] = tags_of(head)  # the whole answer may be replayed (discuss.api.replay)
    return Response(page.body, 200, headers, mimetype="application/json")


def _localise(page: ThreadPage) -> None:
    """The default privacy notice in the reader's language (a site's own is shown as written)."""
    page.thread["privacy_notice"] = i18n.public_text(page.thread["privacy_notice"])


def surrogate_keys(head: ThreadHead) -> list[str]:
    """The keys a CDN or Varnish can purge a thread read by (docs/operations.md, Caching):
    ``discuss`` (everything), ``discuss-s<site id>`` (the site), and ``discuss-t<thread id>``
    (the thread; ``discuss-n<site id>`` for a page with no thread yet)."""
    return ["discuss", *(purge_key(tag) for tag in sorted(tags_of(head)))]


def cache_headers(head: ThreadHead, config: Any) -> dict[str, str]:
    """Cache-Control and surrogate keys of a public thread read."""
    max_age = config["THREAD_CACHE_SECONDS"]
    stale = config["THREAD_STALE_SECONDS"]
    if max_age:
        control = f"public, max-age={max_age}" + (f", stale-while-revalidate={stale}" if stale else "")
    else:
        control = "public, no-cache"
    keys = surrogate_keys(head)
    return {"Cache-Control": control, "Surrogate-Key": " ".join(keys), "Cache-Tag": ",".join(keys)}


def site_that_takes_posts(view: Callable[..., Any]) -> Callable[..., Any]:
    """Before the body is read: 422 for a bad key, 404 for an unknown site, 403 for a foreign origin.

    The view then receives the :class:`~discuss.models.Site` and the normalised key.
    """

    @wraps(view)
    def checked(*args: Any, site: str, key: str, **kwargs: Any):
        thread_key = _key(key)
        the_site = _site(site)
        i18n.use(i18n.api_language(the_site.language))
        if not origin_allowed(request.headers.get("Origin"), the_site.allowed_origins):
            raise APIError(403, "This page's origin may not post to this site.",
                           errors={"origin": [f"{request.headers.get('Origin')} is not allowed."]})
        return view(*args, site=the_site, key=thread_key, **kwargs)

    return checked


@blp.route("/sites/<site>/threads/comments", defaults={"key": ""}, methods=["POST"])
@blp.route("/sites/<site>/threads/<path:key>/comments", methods=["POST"])
@limiter.limit(_post_limit, methods=["POST"])
@site_that_takes_posts
@blp.arguments(COMMENT_CREATE)
@blp.response(201, PostedResponse, description="Published.")
@blp.alt_response(202, schema=PostedResponse, description="Held for review.")
@blp.alt_response(400, schema=ErrorResponse, description="The body is not valid JSON.")
@blp.alt_response(403, schema=ErrorResponse, description="Origin not allowed for this site, or the thread is closed.")
@blp.alt_response(404, schema=ErrorResponse, description="Unknown site.")
@blp.alt_response(415, schema=ErrorResponse, description="Not JSON.")
@blp.alt_response(422, schema=ErrorResponse, description="Invalid fields, or rejected by moderation.")
@blp.alt_response(429, schema=ErrorResponse, description="Posting too often.")
@blp.doc(parameters=[{
    "in": "header", "name": "Idempotency-Key", "required": False,
    "description": "A random key per reply, sent again unchanged when retrying it: a repeat within "
                   "24 hours answers the first outcome and stores nothing. 16 to 128 of A-Z a-z 0-9 - _ . :",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_.:\\-]{16,128}$"},
}])
def post_reply(reply: dict[str, Any], site: Site, key: str):
    """Post a reply; every enabled moderation plugin screens it first.

    201 when published at once, 202 when held for a moderator, 422 with the
    reason when the moderation plugins reject it.

    Send a random `Idempotency-Key` header (16 to 128 letters, digits, `-`, `_`,
    `.` or `:`; a UUID will do) with each reply and the same key when retrying
    it: a repeat answers the first outcome again (same status and body) and
    stores nothing, for 24 hours. The same key with a different reply is 422
    naming `Idempotency-Key`.
    """
    claim = idempotency.claim(site.id, request.headers.get(idempotency.HEADER), {"thread": key, **reply})
    if claim is not None:
        first = idempotency.earlier(claim)
        if first is not None:
            end_read()
            return _json(first.status, first.response)
    submission = submission_for(site, key, reply, ip_hash=request_ip_hash(),
                                user_agent=request.headers.get("User-Agent", ""))

    def answer(posted: Posted) -> tuple[int, dict[str, Any]]:
        status, body = posted_answer(posted)
        if claim is not None:
            idempotency.remember(claim, status, body)
        return status, body

    try:
        # An InvalidReply (bad parent, closed thread) answers in the error shape by itself.
        posted = post_comment(current_app.extensions["discuss"], site, submission, answer=answer,
                              watch_replies=reply.get("notify_replies", False))
    except idempotency.KeyTaken:  # the same key, committed by a request at the same time
        first = idempotency.earlier(claim) if claim is not None else None
        end_read()
        if first is None:  # it expired in between: vanishingly rare, and safe to retry
            raise APIError(409, "A request with this Idempotency-Key is in progress; try again.",
                           errors={idempotency.HEADER: ["in use"]}) from None
        return _json(first.status, first.response)
    return _json(*posted.answer)


def _json(status: int, body: dict[str, Any]) -> Response:
    response = current_app.json.response(body)
    response.status_code = status
    return response


def _site(slug: str) -> Site:
    """The site a reply is posted to. While the page cache is trusted, a kept copy (detached
    from any session: read only, dropped by the site's invalidation tag) saves the query."""
    cache = current_app.extensions.get("discuss_page_cache")
    trusted = cache is not None and cache.trusted()
    site = cache.site(slug) if trusted else None
    if site is None:
        mark = cache.mark() if trusted else 0
        site = find_site(slug)
        if site is None:
            raise APIError(404, f"No site called {slug!r}.", errors={"site": ["Unknown site."]})
        if trusted:
            db.session.expunge(site)
            cache.put_site(slug, site.id, site, mark)
    g.allowed_origins = site.allowed_origins or []
    return site


def posted_answer(posted: Posted) -> tuple[int, dict[str, Any]]:
    """The status and JSON body for a stored reply, shaped inside its transaction:
    201 published; 202 held (a silent refusal is told the same); 422 rejected, with the reason."""
    if posted.outcome is Outcome.PUBLISHED:
        return 201, POSTED_RESPONSE.dump({"comment": posted.comment})
    if posted.outcome.shown_as_held:
        shown = {name: getattr(posted.comment, name) for name in POSTED_FIELDS}
        shown["status"] = PENDING
        return 202, POSTED_RESPONSE.dump({"comment": shown, "message": i18n.public_text(HELD_MESSAGE)})
    reason = i18n.public_text(posted.public_reason)
    return 422, error_body(422, reason, {"body": [reason]})


@blp.after_app_request
def _cors(response: Response) -> Response:
    if request.blueprint != blp.name and not request.path.startswith("/api/v1/sites/"):
        return response
    allowed = g.get("allowed_origins")
    if allowed is None and request.view_args and "site" in request.view_args:
        try:
            row = db.session.execute(
                db.select(Site.allowed_origins).filter_by(slug=request.view_args["site"])
            ).first()
        except SQLAlchemyError:  # the database is down: the answer (a 503) goes without CORS headers
            row = None
        allowed = (row[0] if row else None) or []
    return add_cors_headers(response, allowed or [])
