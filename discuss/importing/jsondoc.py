"""``discuss import json``: read back what ``discuss export`` wrote (format version 1).

The site is created from the document's settings when it does not exist (an
existing site keeps its own). Threads are found by key. A comment's source id
is a fingerprint of what identifies it (its page, its parent's fingerprint,
author, date and text), so importing the same document twice, or a later export
of the same site, creates only what is new. The document is read whole: it is
our own format, one site's worth.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import IO, Any, Iterator

from ..exporting import FORMAT, VERSION
from ..models import STATUSES
from ..threads import BadKey, normalise_key
from .dates import parse_date
from .records import BadImport, SourceComment, SourceThread

SOURCE = "discuss-json"


def load_document(file: IO[bytes]) -> dict[str, Any]:
    """The parsed document, its envelope checked.

    :raises BadImport: for a file that is not JSON or not a version-1 export.
    """
    try:
        document = json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadImport(f"not JSON: {exc}") from None
    except RecursionError:
        raise BadImport("not a discuss export: nested too deeply") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BadImport(f"not a discuss export: expected an object with \"format\": \"{FORMAT}\"")
    if document.get("version") != VERSION:
        raise BadImport(f"export version {document.get('version')!r} is not one this service reads ({VERSION})")
    site = document.get("site")
    if not isinstance(site, dict) or not isinstance(site.get("slug"), str) or not isinstance(site.get("name"), str):
        raise BadImport("site: expected an object with slug and name")
    if not isinstance(document.get("threads"), list):
        raise BadImport("threads: expected a list")
    return document


class Reader:
    """Yields the document's threads and comments as records."""

    source = SOURCE
    #: Read back into the site it came from, a comment already there is not made again.
    adopts_existing = True

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def records(self) -> Iterator[SourceThread | SourceComment]:
        fingerprints: dict[int, str] = {}
        for index, thread in enumerate(self.document["threads"], start=1):
            label = f"threads[{index - 1}]"
            if not isinstance(thread, dict):
                raise BadImport(f"{label}: expected an object")
            key = _string(thread, "key", label)
            try:
                key = normalise_key(key)
            except BadKey as exc:
                raise BadImport(f"{label}.key: {exc}") from None
            yield SourceThread(
                source_id=key, key=key, title=_string(thread, "title", label, ""),
                url=_string(thread, "url", label, ""), closed=bool(thread.get("closed", False)),
                created_at=_date(thread, "created_at", label), label=label,
            )
            comments = thread.get("comments", [])
            if not isinstance(comments, list):
                raise BadImport(f"{label}.comments: expected a list")
            seen: dict[str, int] = {}
            for position, comment in enumerate(comments):
                yield self._comment(comment, key, f"{label}.comments[{position}]", fingerprints, seen)

    def _comment(self, comment: Any, key: str, label: str, fingerprints: dict[int, str],
                 seen: dict[str, int]) -> SourceComment:
        if not isinstance(comment, dict):
            raise BadImport(f"{label}: expected an object")
        number = comment.get("id")
        if not isinstance(number, int) or isinstance(number, bool):
            raise BadImport(f"{label}.id: expected a number")
        label = f"{label} (comment {number})"
        if number in fingerprints:
            raise BadImport(f"{label}: the id {number} appears twice in the file")
        parent = comment.get("parent")
        parent_print = None
        if parent is not None:
            if parent not in fingerprints:
                raise BadImport(f"{label}: its parent {parent} is not an earlier comment of the document")
            parent_print = fingerprints[parent]
        status = comment.get("status")
        if status not in STATUSES:
            raise BadImport(f"{label}.status: expected one of {', '.join(STATUSES)}")
        author = _string(comment, "author_name", label)
        body = _string(comment, "body", label)
        created = _date(comment, "created_at", label)
        if created is None:
            raise BadImport(f"{label}.created_at: required")
        email = comment.get("author_email")
        if email is not None and not isinstance(email, str):
            raise BadImport(f"{label}.author_email: expected a string")
        identity = json.dumps([key, parent_print, author, created.isoformat(), body], ensure_ascii=False)
        fingerprint = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()
        # Two comments alike in every way are still two: count them apart.
        repeat = seen.get(fingerprint, 0)
        seen[fingerprint] = repeat + 1
        source_id = fingerprint if repeat == 0 else f"{fingerprint}#{repeat}"
        fingerprints[number] = source_id
        return SourceComment(
            source_id=source_id, thread_source_id=key, parent_source_id=parent_print,
            author_name=author, author_email=email or None, created_at=created, status=status, body=body,
            label=label, updated_at=_date(comment, "updated_at", label),
        )


def _string(item: dict[str, Any], name: str, label: str, default: str | None = None) -> str:
    value = item.get(name, default)
    if not isinstance(value, str):
        raise BadImport(f"{label}.{name}: expected a string")
    return value


def _date(item: dict[str, Any], name: str, label: str) -> datetime | None:
    value = item.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadImport(f"{label}.{name}: expected an ISO 8601 date")
    return parse_date(value, None, f"{label}.{name}")


def create_site_from(document: dict[str, Any]):
    """The document's site, added to the session (inside the import's transaction).

    :raises BadImport: for a slug, origins or plugin settings this service refuses.
    """
    import re

    from flask import current_app

    from ..extensions import db
    from ..i18n import LANGUAGES
    from ..models import Site
    from ..origins import normalise_origin
    from ..plugins import PluginSettingsError

    settings = document["site"]
    slug = settings["slug"]
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", slug):
        raise BadImport(f"site.slug: {slug!r} is not a site name (1-64 lower-case letters, digits and hyphens)")
    origins = settings.get("allowed_origins", [])
    moderation = settings.get("moderation", {})
    notice = settings.get("privacy_notice", "")
    if not isinstance(origins, list) or not all(isinstance(o, str) for o in origins):
        raise BadImport("site.allowed_origins: expected a list of origins")
    if not isinstance(moderation, dict):
        raise BadImport("site.moderation: expected an object")
    if not isinstance(notice, str):
        raise BadImport("site.privacy_notice: expected a string")
    language = settings.get("language", "en")
    if language not in LANGUAGES:
        raise BadImport(f"site.language: {language!r} is not a shipped language ({', '.join(LANGUAGES)})")
    try:
        origins = [o if o == "*" else normalise_origin(o) for o in origins]
    except ValueError as exc:
        raise BadImport(f"site.allowed_origins: {exc}") from None
    site = Site(slug=slug, name=settings["name"][:200], allowed_origins=origins, moderation=moderation,
                privacy_notice=notice, language=language)
    try:
        current_app.extensions["discuss"].check_site(site)
    except PluginSettingsError as exc:
        raise BadImport(f"site.moderation: {exc}") from None
    db.session.add(site)
    db.session.flush()
    return site
