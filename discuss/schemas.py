"""marshmallow schemas: what the API accepts and returns (and what OpenAPI documents)."""

from __future__ import annotations

import re

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate

_FORBIDDEN = re.compile(r"[\x00\ud800-\udfff]")


def no_bad_characters(value: str) -> None:
    """Refuse NUL and lone surrogates: no database can store them faithfully."""
    if _FORBIDDEN.search(value):
        raise ma.ValidationError("Contains characters that are not allowed (NUL or lone surrogates).")


class Text(fields.String):
    """A string, stripped of surrounding white space, with forbidden characters refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        no_bad_characters(text)
        return text.strip()


class NonEmptyText(Text):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text:
            raise ma.ValidationError("Must not be empty.")
        return text


class StrictInteger(fields.Integer):
    """An integer that refuses booleans and numeric strings."""

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._validated(value)


class CommentCreate(ma.Schema):
    """A reply, as posted by the widget or any client."""

    class Meta:
        unknown = ma.RAISE

    author_name = NonEmptyText(required=True, metadata={"description": "Shown publicly, as plain text."})
    author_email = fields.Email(
        load_default=None, allow_none=True, validate=validate.Length(max=320),
        metadata={"description": "Never published; used for bans, flood limits and replies."},
    )
    body = NonEmptyText(required=True, metadata={"description": "Markdown subset."})
    parent_id = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(min=1))
    page_title = Text(load_default="", validate=validate.Length(max=300))
    page_url = fields.Url(load_default="", validate=validate.Length(max=1000), schemes={"http", "https"})
    website = fields.String(
        load_default="",
        metadata={"description": "Honeypot: leave empty. Bots that fill it are refused."},
    )

    @ma.validates("author_name")
    def _name_length(self, value: str, **_: object) -> None:
        limit = current_app.config["MAX_NAME_LENGTH"]
        if len(value) > limit:
            raise ma.ValidationError(f"Must be at most {limit} characters.")

    @ma.validates("body")
    def _body_length(self, value: str, **_: object) -> None:
        limit = current_app.config["MAX_BODY_LENGTH"]
        if len(value) > limit:
            raise ma.ValidationError(f"Must be at most {limit} characters.")

    @ma.pre_load
    def _empty_strings_are_absent(self, data, **_: object):
        if isinstance(data, dict):
            data = dict(data)
            for name in ("author_email", "page_url"):
                if data.get(name) == "":
                    data.pop(name)
        return data


class ThreadQuery(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    limit = fields.Integer(validate=validate.Range(min=1, max=500), load_default=None)
    cursor = fields.String(load_default=None, validate=validate.Length(max=64))


class CommentOut(ma.Schema):
    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    author_name = fields.String(allow_none=True)
    body_html = fields.String(allow_none=True, metadata={"description": "Sanitised HTML."})
    created_at = fields.String(allow_none=True, metadata={"description": "ISO 8601, UTC."})
    removed = fields.Boolean(metadata={"description": "Present and true for a placeholder "
                                       "whose own text is no longer public but whose replies are."})
    replies = fields.List(fields.Nested(lambda: CommentOut()))


class ThreadOut(ma.Schema):
    key = fields.String()
    title = fields.String()
    url = fields.String()
    closed = fields.Boolean()
    comment_count = fields.Integer()
    privacy_notice = fields.String(metadata={"description": "Shown under the reply form (the site's own or the default)."})


class ThreadResponse(ma.Schema):
    thread = fields.Nested(ThreadOut)
    comments = fields.List(fields.Nested(CommentOut))
    next_cursor = fields.String(allow_none=True)


class PostedComment(ma.Schema):
    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    author_name = fields.String()
    body_html = fields.String()
    created_at = fields.String()
    status = fields.String(metadata={"description": "published or pending"})


class PostedResponse(ma.Schema):
    comment = fields.Nested(PostedComment)
    message = fields.String()


class ErrorResponse(ma.Schema):
    code = fields.Integer()
    status = fields.String()
    message = fields.String()
    errors = fields.Dict(metadata={"description": "Field name -> list of messages."})
