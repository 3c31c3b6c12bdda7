"""Reading JSON request bodies: one place for the content type, JSON and schema errors."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import request
from werkzeug.exceptions import BadRequest

from ..errors import APIError


def json_body() -> Any:
    """The request's JSON: 415 when it is not JSON, 400 when it does not parse."""
    if not request.is_json:
        raise APIError(415, "Send the body as JSON (Content-Type: application/json).",
                       errors={"content_type": [f"Expected application/json, got {request.mimetype or 'nothing'}."]})
    try:
        return request.get_json()
    except BadRequest as exc:
        raise APIError(400, "The body is not valid JSON.", errors={"json": ["Invalid JSON body."]}) from exc


def load_object(schema: ma.Schema, data: Any) -> dict[str, Any]:
    """Validate a JSON object with ``schema``: 422 naming each bad field."""
    if not isinstance(data, dict):
        raise APIError(422, "The body must be a JSON object.", errors={"json": ["Expected an object."]})
    try:
        return schema.load(data)
    except ma.ValidationError as exc:
        errors = exc.normalized_messages()
        raise APIError(422, "Invalid input: " + ", ".join(sorted(errors)) + ".", errors=errors) from exc
