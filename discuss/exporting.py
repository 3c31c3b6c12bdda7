"""``discuss export``: a site's settings, threads and comments as one JSON document.

The format (version 1) is documented in docs/import-export.md and read back by
:mod:`discuss.importing.jsondoc`. Comments are numbered 1, 2, ... in document
order (threads by key, comments by date); ``parent`` is the number of the
comment replied to. The document is written as it is read from the database,
one thread at a time, so a large site is never held in memory whole.
"""

from __future__ import annotations

import json
from typing import IO, Any

import sqlalchemy as sa

from .extensions import db
from .models import Comment, Site, Thread
from .schemas import iso_utc

FORMAT = "discuss-export"
VERSION = 1

_comment = Comment.__table__
_thread = Thread.__table__


class UnknownSite(LookupError):
    """No site has that slug."""


def site_settings(site: Site) -> dict[str, Any]:
    return {
        "slug": site.slug,
        "name": site.name,
        "allowed_origins": list(site.allowed_origins or []),
        "moderation": dict(site.moderation or {}),
        "privacy_notice": site.privacy_notice or "",
        "language": site.language or "en",
    }


def export_site(slug: str, out: IO[str], *, include_personal_data: bool = False) -> int:
    """Write the site ``slug`` to ``out``; return how many comments were written.

    Emails are written only with ``include_personal_data``; IP hashes never.

    :raises UnknownSite: when there is no such site.
    """
    site = db.session.execute(sa.select(Site).filter_by(slug=slug)).scalar_one_or_none()
    if site is None:
        raise UnknownSite(slug)
    head = {"format": FORMAT, "version": VERSION, "personal_data": include_personal_data,
            "site": site_settings(site)}
    text = _dumps(head)
    out.write(text[:-1] + ',\n"threads": [')
    threads = db.session.execute(
        sa.select(_thread.c.id, _thread.c.key, _thread.c.title, _thread.c.url, _thread.c.closed,
                  _thread.c.created_at).where(_thread.c.site_id == site.id).order_by(_thread.c.key)
    ).all()
    number = 0
    numbers: dict[int, int] = {}
    for index, thread in enumerate(threads):
        comments = []
        rows = db.session.execute(
            sa.select(_comment.c.id, _comment.c.parent_id, _comment.c.author_name, _comment.c.author_email,
                      _comment.c.status, _comment.c.created_at, _comment.c.updated_at, _comment.c.body)
            .where(_comment.c.thread_id == thread.id).order_by(_comment.c.created_at, _comment.c.id)
        )
        numbers.clear()
        for row in parents_first(list(rows)):
            number += 1
            numbers[row.id] = number
            comment = {
                "id": number,
                "parent": numbers.get(row.parent_id) if row.parent_id is not None else None,
                "author_name": row.author_name,
                "status": row.status,
                "created_at": iso_utc(row.created_at),
                "updated_at": iso_utc(row.updated_at),
                "body": row.body,
            }
            if include_personal_data:
                comment["author_email"] = row.author_email
            comments.append(comment)
        out.write(("\n" if index == 0 else ",\n") + _dumps({
            "key": thread.key, "title": thread.title, "url": thread.url, "closed": thread.closed,
            "created_at": iso_utc(thread.created_at), "comments": comments,
        }))
    out.write("\n]}\n")
    return number


def parents_first(rows: list[Any]) -> list[Any]:
    """Rows in date order, except that a reply dated before its parent (imported data can
    be like that) comes right after the parent: every ``parent`` names an earlier comment."""
    present = {row.id for row in rows}
    ordered: list[Any] = []
    emitted: set[int] = set()
    waiting: dict[int, list[Any]] = {}

    def emit(row: Any) -> None:
        ordered.append(row)
        emitted.add(row.id)
        for child in waiting.pop(row.id, []):
            emit(child)

    for row in rows:
        if row.parent_id is None or row.parent_id in emitted or row.parent_id not in present:
            emit(row)
        else:
            waiting.setdefault(row.parent_id, []).append(row)
    return ordered


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
