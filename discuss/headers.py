"""Security headers on every response, decided in one place.

Which headers a response gets depends on what it is:

* every response: ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``, and
  ``Strict-Transport-Security`` when the request came over https (as the app sees it,
  through a trusted proxy) and ``HSTS_SECONDS`` is not 0;
* moderation pages and the API docs: a CSP of ``default-src 'self'`` with
  ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``, so a signed-in queue
  cannot be framed and clickjacked;
* the no-JS thread page sets its own CSP, framable by the service itself and the
  site's allowed origins only (:func:`frame_ancestors`);
* JSON, feeds and anything else: ``default-src 'none'; frame-ancestors 'none'``;
* anything showing personal data (moderation pages, the moderation API, the audit
  CSV, the login page): ``Cache-Control: no-store``.

A view that sets its own ``Content-Security-Policy`` (the demo page, the no-JS page)
keeps it, and one that sets a stricter ``Referrer-Policy`` keeps that.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

#: Moderators' pages: nothing from elsewhere, never in a frame.
MODERATION_CSP = ("default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                  "frame-ancestors 'none'")
#: The API docs page carries its own small stylesheet inline.
API_DOCS_CSP = MODERATION_CSP.replace("default-src 'self';", "default-src 'self'; style-src 'self' 'unsafe-inline';")
#: Responses that are not pages (JSON, feeds, scripts): nothing may run or frame them.
NOT_A_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"

PERSONAL_DATA_PREFIXES = ("/moderation", "/api/v1/moderation")


def frame_ancestors(origins: list[str]) -> str:
    """The ``frame-ancestors`` directive for a page a site embeds: the service itself and
    the site's allowed origins (``*`` in them: anywhere)."""
    if "*" in origins:
        return "frame-ancestors *"
    return " ".join(["frame-ancestors 'self'", *sorted(set(origins))])


def policy_for(path: str) -> tuple[str, bool]:
    """``(CSP, deny framing outright)`` for a response to ``path`` that set no CSP itself."""
    if path.startswith("/moderation"):
        return MODERATION_CSP, True
    if path.startswith("/api/docs"):
        return API_DOCS_CSP, True
    return NOT_A_PAGE_CSP, True


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    csp, deny = policy_for(request.path)
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = csp
        if deny:
            headers.setdefault("X-Frame-Options", "DENY")
    seconds = current_app.config["HSTS_SECONDS"]
    if request.is_secure and seconds:
        headers.setdefault("Strict-Transport-Security", f"max-age={seconds}; includeSubDomains")
    if request.path.startswith(PERSONAL_DATA_PREFIXES):
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
