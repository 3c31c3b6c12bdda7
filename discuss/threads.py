"""Threads: key normalisation and the read path.

The read path never renders: it reads pre-rendered HTML in two queries (the
thread with its count, then the page of comments) and builds the tree in Python.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa

from .extensions import db
from .models import PUBLISHED, Comment, Site, Thread

MAX_KEY_LENGTH = 500


class BadKey(ValueError):
    """A thread key that cannot name a page."""


def normalise_key(raw: str) -> str:
    """The canonical thread key of a page path.

    Query strings and fragments are dropped, leading and trailing slashes and a
    trailing ``index.html`` don't matter: ``blog/post/``, ``/blog/post`` and
    ``/blog/post/index.html`` are all ``/blog/post``; the home page is ``/``.

    :raises BadKey: for control characters, ``..`` segments or an over-long key.
    """
    path = urlsplit(raw).path if ("?" in raw or "#" in raw) else raw
    path = unquote(path)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        raise BadKey("must not contain control characters")
    segments = [segment for segment in path.split("/") if segment]
    if segments and segments[-1] in ("index.html", "index.htm"):
        segments.pop()
    if any(segment in (".", "..") for segment in segments):
        raise BadKey("must not contain '.' or '..' segments")
    key = "/" + "/".join(segments)
    if len(key) > MAX_KEY_LENGTH:
        raise BadKey(f"must be at most {MAX_KEY_LENGTH} characters")
    return key


def encode_cursor(root_id: int) -> str:
    return base64.urlsafe_b64encode(f"r{root_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """:raises ValueError: for a cursor this service did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor") from exc
    if not raw.startswith("r") or not raw[1:].isdigit():
        raise ValueError("not a cursor")
    return int(raw[1:])


@dataclass(frozen=True)
class ThreadPage:
    thread: dict[str, Any]
    comments: list[dict[str, Any]]
    next_cursor: str | None
    allowed_origins: list[str]


def find_thread(site: Site, key: str) -> Thread | None:
    return db.session.execute(
        sa.select(Thread).where(Thread.site_id == site.id, Thread.key == key)
    ).scalar_one_or_none()


def read_thread(site_slug: str, key: str, *, limit: int, after_root: int | None) -> ThreadPage | None:
    """One page of a thread's published comments as a tree, in two queries.

    Returns ``None`` when the site does not exist; a key with no thread yet gives
    an empty page. Pages run by top-level comment, oldest first. A published reply
    whose parent is no longer published is kept, under a placeholder
    ``{"removed": true}`` node, so moderating one comment does not silence the
    replies to it.
    """
    published = sa.func.count(Comment.id).filter(Comment.status == PUBLISHED)
    head = db.session.execute(
        sa.select(Site.allowed_origins, Thread.id, Thread.title, Thread.url, Thread.closed, published)
        .select_from(Site)
        .outerjoin(Thread, sa.and_(Thread.site_id == Site.id, Thread.key == key))
        .outerjoin(Comment, Comment.thread_id == Thread.id)
        .where(Site.slug == site_slug)
        .group_by(Site.id, Thread.id)
    ).first()
    if head is None:
        return None
    origins, thread_id, title, url, closed, count = head
    if thread_id is None:
        return ThreadPage(_thread_dict(key, "", "", False, 0), [], None, origins or [])

    roots = (
        sa.select(Comment.root_id)
        .where(Comment.thread_id == thread_id, Comment.status == PUBLISHED)
        .group_by(Comment.root_id)
        .order_by(Comment.root_id)
        .limit(limit + 1)
    )
    if after_root is not None:
        roots = roots.where(Comment.root_id > after_root)
    rows = db.session.execute(
        sa.select(
            Comment.id, Comment.parent_id, Comment.root_id, Comment.status,
            Comment.author_name, Comment.body_html, Comment.created_at,
        )
        .where(Comment.thread_id == thread_id, Comment.root_id.in_(roots.scalar_subquery()))
        .order_by(Comment.id)
    ).all()
    comments, next_root = _build_tree(rows, limit)
    return ThreadPage(
        _thread_dict(key, title, url, closed, count),
        comments,
        encode_cursor(next_root) if next_root is not None else None,
        origins or [],
    )


def _thread_dict(key: str, title: str, url: str, closed: bool, count: int) -> dict[str, Any]:
    return {"key": key, "title": title, "url": url, "closed": closed, "comment_count": count}


def _build_tree(rows: list[Any], limit: int) -> tuple[list[dict[str, Any]], int | None]:
    """Nest rows (ordered by id) under their parents; prune branches with nothing public."""
    nodes: dict[int, dict[str, Any]] = {}
    children: dict[int | None, list[dict[str, Any]]] = {}
    for id_, parent_id, root_id, status, author, html, created in rows:
        if status == PUBLISHED:
            node = {
                "id": id_, "parent_id": parent_id, "author_name": author,
                "body_html": html, "created_at": created.isoformat() + "Z", "replies": [],
            }
        else:
            node = {
                "id": id_, "parent_id": parent_id, "removed": True, "author_name": None,
                "body_html": None, "created_at": None, "replies": [],
            }
        nodes[id_] = node
        children.setdefault(parent_id, []).append(node)
    for parent_id, kids in children.items():
        if parent_id is not None and parent_id in nodes:
            nodes[parent_id]["replies"] = kids

    def visible(node: dict[str, Any]) -> bool:
        node["replies"] = [kid for kid in node["replies"] if visible(kid)]
        return not node.get("removed") or bool(node["replies"])

    tops = [node for node in children.get(None, []) if visible(node)]
    next_root = None
    if len(tops) > limit:
        tops = tops[:limit]
        next_root = tops[-1]["id"]
    return tops, next_root
