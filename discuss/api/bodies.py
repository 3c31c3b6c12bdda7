"""Request bodies: every API blueprint reads JSON through flask-smorest's ``@blp.arguments``.

:class:`ApiBlueprint` is flask-smorest's ``Blueprint`` with a webargs parser
that refuses what is not JSON before any schema runs: 415 when the content type
is not JSON, 400 when it does not parse (webargs), 422 when it is not a JSON
object. Schema errors are webargs' 422. :class:`discuss.errors.DiscussApi`
turns each into the error shape, naming the field.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Request
from flask_smorest import Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser

from ..bounds import MAX_JSON_DEPTH, too_deep
from ..errors import APIError


class JsonBodyParser(FlaskParser):
    """webargs' Flask parser, strict about JSON bodies."""

    def load_json(self, req: Request, schema: ma.Schema) -> Any:
        if not req.is_json:
            raise APIError(415, "Send the body as JSON (Content-Type: application/json).",
                           errors={"content_type": [f"Expected application/json, got {req.mimetype or 'nothing'}."]})
        try:
            data = super().load_json(req, schema)
            deep = data is not core.missing and too_deep(data)
        except RecursionError:
            deep = True
        except ValueError as exc:  # e.g. an integer longer than Python's 4,300-digit limit
            raise APIError(400, "The body is not valid JSON.", errors={"json": [str(exc)[:200]]}) from exc
        if deep:
            raise APIError(400, "The body nests too deeply.",
                           errors={"json": [f"Nest objects and arrays at most {MAX_JSON_DEPTH} deep."]})
        if data is not core.missing and not isinstance(data, dict):
            raise APIError(422, "The body must be a JSON object.", errors={"json": ["Expected an object."]})
        return data


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose ``@arguments`` use :class:`JsonBodyParser`."""

    ARGUMENTS_PARSER = JsonBodyParser()
