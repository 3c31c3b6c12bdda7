"""marshmallow schemas: what the API accepts and returns (and what OpenAPI documents).

Every date-time on the wire is :func:`iso_utc`: ISO 8601 in UTC with
microseconds and a ``Z`` (``2026-05-01T09:30:00.000000Z``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate

from .bounds import MAX_ID
from .config import DEFAULTS
from .i18n import N_, lazy_gettext
from .threads import MAX_KEY_LENGTH

#: marshmallow's own messages a resident can meet on the reply form, for the catalogue
#: (they are translated where they are shown, by :func:`discuss.i18n.public_text`).
RESIDENT_MESSAGES = (
    N_("Missing data for required field."),
    N_("Not a valid email address."),
    N_("Not a valid string."),
    N_("Not a valid integer."),
    N_("Unknown field."),
)

_FORBIDDEN = re.compile(r"[\x00\ud800-\udfff]")


def no_bad_characters(value: str) -> None:
    """Refuse NUL and lone surrogates: no database can store them faithfully."""
    if _FORBIDDEN.search(value):
        raise ma.ValidationError(N_("Contains characters that are not allowed (NUL or lone surrogates)."))


def iso_utc(value: datetime) -> str:
    """The one wire format of a date-time; stored date-times are naive UTC."""
    return value.isoformat(timespec="microseconds") + "Z"


class Timestamp(fields.DateTime):
    """A date-time written as :func:`iso_utc`; read as ISO 8601 (naive means UTC)."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else iso_utc(value)


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
            raise ma.ValidationError(N_("Must not be empty."))
        return text


class StrictInteger(fields.Integer):
    """An integer that refuses booleans and numeric strings."""

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._validated(value)


class Id(StrictInteger):
    """A row id sent by a client: a JSON integer from 1 to 2^31-1 (what every database's id column holds)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_ID))
        super().__init__(**kwargs)


#: How OpenAPI describes a thread key in a path: a page path, at most this long.
KEY_PARAMETER = {"type": "string", "maxLength": MAX_KEY_LENGTH, "pattern": r"^[^\x00-\x1f\x7f]*$",
                 "description": "The page's path; slashes, index.html, query and fragment do not matter."}


class CommentCreate(ma.Schema):
    """A reply, as posted by the widget or any client."""

    class Meta:
        unknown = ma.RAISE

    author_name = NonEmptyText(required=True, metadata={
        "description": "Shown publicly, as plain text; at most MAX_NAME_LENGTH characters.",
        "maxLength": DEFAULTS["MAX_NAME_LENGTH"]})
    author_email = fields.Email(
        load_default=None, allow_none=True, validate=validate.Length(max=320),
        metadata={"description": "Never published; used for bans, flood limits and replies."},
    )
    body = NonEmptyText(required=True, metadata={
        "description": "Markdown subset; at most MAX_BODY_LENGTH characters.",
        "maxLength": DEFAULTS["MAX_BODY_LENGTH"]})
    parent_id = Id(load_default=None, allow_none=True)
    page_title = Text(load_default="", validate=validate.Length(max=300))
    page_url = fields.Url(load_default="", validate=validate.Length(max=1000), schemes={"http", "https"})
    website = fields.String(
        load_default="", validate=validate.Length(max=1000),
        metadata={"description": "Honeypot: leave empty. Bots that fill it are refused."},
    )
    notify_replies = fields.Boolean(load_default=False, metadata={
        "description": "Email the author (author_email, required then) when a reply to this comment is "
                       "published. The first time an address asks it is mailed a link to confirm, and gets "
                       "nothing else until it does. Ignored when the thread's reply_mail is false."})

    @ma.validates_schema
    def _notify_needs_email(self, data: dict, **_: object) -> None:
        if data.get("notify_replies") and not data.get("author_email"):
            raise ma.ValidationError([lazy_gettext("Give your email address to be told of replies.")],
                                     "author_email")

    @ma.validates("author_name")
    def _name_length(self, value: str, **_: object) -> None:
        limit = current_app.config["MAX_NAME_LENGTH"]
        if len(value) > limit:
            raise ma.ValidationError([lazy_gettext("Must be at most %(limit)d characters.", limit=limit)])

    @ma.validates("body")
    def _body_length(self, value: str, **_: object) -> None:
        limit = current_app.config["MAX_BODY_LENGTH"]
        if len(value) > limit:
            raise ma.ValidationError([lazy_gettext("Must be at most %(limit)d characters.", limit=limit)])

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
    created_at = Timestamp(allow_none=True, metadata={"description": "ISO 8601, UTC."})
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
    reply_mail = fields.Boolean(metadata={"description": "Whether the service emails reply notifications: "
                                          "when true the reply form offers notify_replies."})


class ThreadResponse(ma.Schema):
    thread = fields.Nested(ThreadOut)
    comments = fields.List(fields.Nested(CommentOut))
    next_cursor = fields.String(allow_none=True)


class PostedComment(ma.Schema):
    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    author_name = fields.String()
    body_html = fields.String()
    created_at = Timestamp()
    status = fields.String(metadata={"description": "published or pending"})


class PostedResponse(ma.Schema):
    comment = fields.Nested(PostedComment)
    message = fields.String()


class ReportCreated(ma.Schema):
    id = fields.Integer()
    comment_id = fields.Integer()
    reason = fields.String()


class ReportResponse(ma.Schema):
    report = fields.Nested(ReportCreated)
    message = fields.String()


class BanOut(ma.Schema):
    id = fields.Integer()
    email = fields.String(allow_none=True)
    ip_hash = fields.String(allow_none=True)
    site_id = fields.Integer(allow_none=True, metadata={"description": "null: every site."})
    expires_at = Timestamp(allow_none=True, metadata={"description": "null: never."})


class AuditEntryOut(ma.Schema):
    id = fields.Integer()
    comment_id = fields.Integer(allow_none=True)
    site = fields.String(allow_none=True)
    moderator = fields.String(allow_none=True, metadata={"description": "Email; null for an automatic hide."})
    moderator_name = fields.String(allow_none=True)
    action = fields.String()
    reason = fields.String()
    before = fields.Dict(metadata={"description": "status, version, hidden_by_reports (and body) before."})
    after = fields.Dict(metadata={"description": "The same after (and the ban, for ban)."})
    created_at = Timestamp()
    subject = fields.String(allow_none=True, metadata={
        "description": "What an admin change was made to: moderator:<email>, ban:<id>; null for comments."})


class ErrorResponse(ma.Schema):
    code = fields.Integer()
    status = fields.String()
    message = fields.String()
    errors = fields.Dict(metadata={"description": "Field name -> list of messages."})
