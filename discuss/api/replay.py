"""Cached thread reads answered before Flask: the complete response, replayed.

A thread read that the page cache serves without a query still pays for
Flask's request machinery (routing, the query schema, sessions, the security
and CORS hooks). :class:`ReplayReads` wraps the WSGI app: the first time a read
goes through Flask, the whole answer (status, every header, body) is kept in
the page cache (:meth:`~discuss.api.page_cache.PageCache.put_response`) with the
thread's invalidation tags, keyed by everything a response depends on (path,
query string, Host, scheme, Origin, Accept-Language, forwarded headers and then
the peer address); the next identical read is answered from it while the cache
is trusted. A change to the thread drops it like any kept page; a cache that is
not trusted replays nothing. ``If-None-Match`` is answered here too: 304 when
it names the kept ETag, the kept body otherwise.

Only what the thread view marks replayable is kept (``environ["discuss.replay"]``:
a 200 thread read), and only when the request carried no cookie or credentials
and the answer sets no cookie; anything else (errors, 304s, other routes) goes
through Flask.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

PREFIX = "/api/v1/sites/"
MARK = "discuss.replay"

#: Request headers a thread read's answer depends on (besides path and query).
VARYING = ("HTTP_HOST", "wsgi.url_scheme", "HTTP_ORIGIN", "HTTP_ACCEPT_LANGUAGE")
FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
             "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


def request_key(environ: dict[str, Any]) -> tuple | None:
    """What the answer to this request depends on; ``None`` for requests never replayed."""
    if environ.get("REQUEST_METHOD") != "GET":
        return None
    path = environ.get("PATH_INFO", "")
    if not path.startswith(PREFIX) or "/threads" not in path:
        return None
    key = (path, environ.get("QUERY_STRING", ""), *(environ.get(name) for name in VARYING))
    forwarded = tuple(environ.get(name) for name in FORWARDED)
    if any(forwarded):  # believed or not depending on the peer (discuss.clients.TrustedProxies)
        key += (*forwarded, environ.get("REMOTE_ADDR"))
    return key


def _etag_matches(header: str, etag: str) -> bool:
    tags = [tag.strip() for tag in header.split(",")]
    return "*" in tags or etag in tags or f"W/{etag}" in tags


def _shareable(environ: dict[str, Any], headers: list[tuple[str, str]]) -> bool:
    """Whether an answer may be replayed to anyone: one to a request without credentials
    that sets no cookie (a signed-in moderator's refreshed session cookie must never be)."""
    if environ.get("HTTP_COOKIE") or environ.get("HTTP_AUTHORIZATION"):
        return False
    return not any(name.lower() == "set-cookie" for name, _ in headers)


class ReplayReads:
    """WSGI middleware: replays kept thread reads while the page cache is trusted."""

    def __init__(self, app: Callable, cache) -> None:
        self.app = app
        self.cache = cache

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        key = request_key(environ)
        if key is None:
            return self.app(environ, start_response)
        cache = self.cache
        if cache.trusted():
            kept = cache.response(key)
            if kept is not None:
                headers, body, etag = kept
                inm = environ.get("HTTP_IF_NONE_MATCH")
                if inm and _etag_matches(inm, etag):
                    start_response("304 NOT MODIFIED",
                                   [(k, v) for k, v in headers if k not in ("Content-Type", "Content-Length")])
                    return []
                start_response("200 OK", headers)
                return [body]
        mark = cache.mark()
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, capture)
        tags = environ.get(MARK)
        if tags is None or not captured.get("status", "").startswith("200") or not _shareable(environ, captured["headers"]):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = list(captured["headers"])
        etag = next((v for k, v in headers if k == "ETag"), None)
        if etag:
            cache.put_response(key, tags, (headers, body, etag), mark)
        return [body]
