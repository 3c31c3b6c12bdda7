"""``/api/docs``: the OpenAPI document as a readable page, served by us (no CDN, no JavaScript)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

bp = Blueprint("api_docs", __name__, template_folder="templates")


def _schema_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _describe(schema: dict[str, Any]) -> str:
    """A short type description of a JSON schema ("string", "array of Comment", "Comment")."""
    if "$ref" in schema:
        return _schema_name(schema["$ref"])
    kind = schema.get("type", "object")
    if kind == "array":
        return "array of " + _describe(schema.get("items", {}))
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if schema.get("format"):
        kind += f" ({schema['format']})"
    return kind


@bp.get("/api/docs")
def api_docs():
    """Every path, method, parameter, request and response of the API, and every schema."""
    spec = current_app.extensions["discuss_api"].spec.to_dict()
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, operation in methods.items():
            if method == "parameters":
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            operations.append({
                "path": path,
                "method": method.upper(),
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "parameters": operation.get("parameters", []) + methods.get("parameters", []),
                "body": _describe(body) if isinstance(body, dict) else (body or ""),
                "responses": [
                    (code, response.get("description", ""),
                     _describe(response.get("content", {}).get("application/json", {}).get("schema", {}))
                     if response.get("content") else "")
                    for code, response in sorted(operation.get("responses", {}).items())
                ],
                "tag": (operation.get("tags") or [""])[0],
            })
    schemas = []
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        fields = [
            (field, _describe(prop), field in required, prop.get("description", ""))
            for field, prop in schema.get("properties", {}).items()
        ]
        schemas.append((name, fields))
    return render_template("api_docs.html", spec=spec, operations=operations, schemas=schemas,
                           describe=_describe)
