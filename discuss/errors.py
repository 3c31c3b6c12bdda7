"""One error shape for every API error: ``{code, status, message, errors}``.

``errors`` maps a field name (or ``json``, ``content_type``, ``_schema``) to a
list of messages. HTML pages (the embed and moderation UIs) get a small HTML
page instead when the client asked for HTML.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, render_template_string, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from . import metrics
from .i18n import current, lazy_gettext, public_text

DEFAULT_MESSAGES = {
    400: "The request could not be understood.",
    401: "Authentication is required.",
    403: "You are not allowed to do that.",
    404: "Not found.",
    405: "That method is not allowed here.",
    409: "That conflicts with the current state.",
    413: "The request is too large.",
    415: "Unsupported content type.",
    422: "Some fields are invalid.",
    429: "Too many requests: please wait a little and try again.",
    500: "Something went wrong on our side.",
    503: "The service is briefly unavailable: please try again in a few seconds.",
}

#: Seconds a client is asked to wait when the database is unreachable.
RETRY_AFTER = 5

_HTML_ERROR = """<!doctype html><html lang="{{ lang }}"><meta charset="utf-8">
<title>{{ code }} {{ status }}</title>
<main style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto">
<h1>{{ status }}</h1><p>{{ message }}</p></main></html>"""


class Refusal(ValueError):
    """A service's "no" that names the culprit: ``field``, ``message`` and an HTTP ``code``.

    Services raise it (or a subclass) without knowing about HTTP responses; an API
    view that lets it through answers ``{code, status, message, errors: {field: [message]}}``.
    """

    code = 422

    def __init__(self, field: str, message: str, code: int | None = None):
        super().__init__(message)
        self.field = field
        self.message = message
        if code is not None:
            self.code = code


class APIError(HTTPException):
    """Raise to answer with the error shape: ``APIError(422, "...", errors={"body": [...]})``."""

    def __init__(self, code: int, message: str | None = None, *, errors: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.data = {"message": message or DEFAULT_MESSAGES.get(code, ""), "errors": errors or {}}
        if headers:
            self.data["headers"] = headers


def error_body(code: int, message: str | None = None, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "code": code,
        "status": HTTP_STATUS_CODES.get(code, "Error"),
        "message": message or DEFAULT_MESSAGES.get(code, ""),
        "errors": errors or {},
    }


def _flatten(errors: Any) -> dict[str, Any]:
    """webargs nests messages by location ({"json": {"body": [...]}}); fields are what matter."""
    if not isinstance(errors, dict):
        return {"_schema": errors if isinstance(errors, list) else [str(errors)]}
    flat: dict[str, Any] = {}
    for location, value in errors.items():
        if location in ("json", "query", "form", "querystring", "view_args") and isinstance(value, dict):
            flat.update(value)
        else:
            flat[location] = value
    return flat


class DiscussApi(Api):
    """flask-smorest's Api with our error shape and HTML errors for HTML pages."""

    def handle_http_exception(self, error: HTTPException):  # type: ignore[override]
        data = getattr(error, "data", None) or {}
        errors = data.get("errors", data.get("messages"))
        errors = _flatten(errors) if errors else {}
        message = data.get("message")
        if not message:
            message = DEFAULT_MESSAGES.get(error.code or 500) or error.description
            if error.code == 422 and errors:
                message = lazy_gettext("Invalid input: %(fields)s.", fields=", ".join(sorted(errors)))
            elif error.code == 429:
                message = f"Too many requests ({error.description}): please wait and try again."
        headers = dict(data.get("headers") or {})
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        if isinstance(error, HTTPException) and error.code == 429:
            response = error.get_response()
            for name in ("Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
                if name in response.headers:
                    headers[name] = response.headers[name]
        code = error.code or 500
        # Residents' answers are in the request's language (discuss.i18n.use); anything else stays as written.
        message = public_text(message)
        errors = {name: [public_text(m) for m in msgs] if isinstance(msgs, list) else msgs
                  for name, msgs in errors.items()}
        if _wants_html():
            body = render_template_string(_HTML_ERROR, code=code, status=HTTP_STATUS_CODES.get(code, "Error"),
                                          message=message, lang=current())
            return Response(body, code, headers, mimetype="text/html")
        response = jsonify(error_body(code, message, errors))
        response.status_code = code
        response.headers.update(headers)
        return response


def _wants_html() -> bool:
    if request.path.startswith("/api/"):
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.accept_mimetypes[best] > request.accept_mimetypes["application/json"]


def register_fallback(app) -> None:
    """Turn any unexpected exception into the error shape (500), logged with its traceback,
    and a :class:`Refusal` that reached the top into its 4xx."""

    @app.errorhandler(Refusal)
    def refused(exc: Refusal):
        error = APIError(exc.code, exc.message, errors={exc.field: [exc.message]})
        return current_app.extensions["discuss_api"].handle_http_exception(error)

    import sqlalchemy as sa

    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)
    @app.errorhandler(sa.exc.TimeoutError)
    @app.errorhandler(sa.exc.DisconnectionError)
    def database_unavailable(exc: Exception):
        # The database is down, restarting or out of connections (on SQLite: locked or
        # unreadable): a clean 503 the client may retry, never a 500. Logged in full, as
        # SQLite also reports a few programming errors as OperationalError.
        current_app.logger.error("database unavailable: %s", exc, exc_info=exc)
        metrics.database_unavailable()
        error = APIError(503, DEFAULT_MESSAGES[503], errors={"database": ["unavailable"]},
                         headers={"Retry-After": str(RETRY_AFTER)})
        return current_app.extensions["discuss_api"].handle_http_exception(error)

    @app.errorhandler(Exception)
    def internal_error(exc: Exception):
        # HTTPExceptions never get here: the more specific HTTPException handler wins.
        current_app.logger.exception("unhandled error")
        return current_app.extensions["discuss_api"].handle_http_exception(InternalServerError())
