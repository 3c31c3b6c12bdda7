"""Which browser origins may use a site's discussion: CORS and the posting check."""

from __future__ import annotations

from typing import Iterable
from urllib.parse import urlsplit

from flask import Response, current_app, request


def normalise_origin(value: str) -> str:
    """``https://Council.gov.uk/`` -> ``https://council.gov.uk``; raises ValueError when not an origin."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) origin: {value!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"an origin has no path, query or fragment: {value!r}")
    origin = f"{parts.scheme}://{parts.hostname.lower()}"
    if parts.port and parts.port != {"http": 80, "https": 443}[parts.scheme]:
        origin += f":{parts.port}"
    return origin


def own_origin() -> str:
    return request.host_url.rstrip("/")


def public_url(path: str) -> str:
    """An absolute link to ``path`` (as ``url_for`` makes it): under ``PUBLIC_URL``
    when it is set, else under the host this request came to."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + path


def origin_allowed(origin: str | None, allowed: Iterable[str]) -> bool:
    """A request may act for a site when it has no Origin (not a browser), comes from
    the service itself, or from one of the site's allowed origins."""
    if not origin:
        return True
    if origin == own_origin():
        return True
    try:
        origin = normalise_origin(origin)
    except ValueError:
        return False
    return origin in set(allowed) or "*" in set(allowed)


def add_cors_headers(response: Response, allowed: Iterable[str], *, methods: str = "GET, POST, OPTIONS") -> Response:
    """Let exactly the site's allowed origins read the response from their pages."""
    origin = request.headers.get("Origin")
    response.vary.add("Origin")
    if origin and origin != own_origin() and origin_allowed(origin, allowed):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = methods
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, If-None-Match, Idempotency-Key"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After"
        response.headers["Access-Control-Max-Age"] = "600"
    return response
