"""Threads: key normalisation and the read path.

The read path never renders: it reads pre-rendered HTML in two queries (the
thread with its count, then the page of comments) and builds the tree in Python.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa

from .extensions import db
from .models import PUBLISHED, Comment, Site, Thread
from .privacy import notice_text

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


def find_thread(site: Site, key: str) -> Thread | None:
    return db.session.execute(
        sa.select(Thread).where(Thread.site_id == site.id, Thread.key == key)
    ).scalar_one_or_none()


_site = Site.__table__
_thread = Thread.__table__
_comment = Comment.__table__

# Built once: the compiled-statement cache then makes each read cheap.
_HEAD = (
    sa.select(
        _site.c.allowed_origins, _thread.c.id, _thread.c.title, _thread.c.url, _thread.c.closed,
        _site.c.privacy_notice,
        sa.func.count(_comment.c.id).filter(_comment.c.status == PUBLISHED),
        # The signature: changes whenever any comment of the thread is added or updated
        # (every ORM update bumps ``version`` and ``updated_at``).
        sa.func.count(_comment.c.id),
        sa.func.coalesce(sa.func.sum(_comment.c.version), 0),
        sa.func.max(_comment.c.updated_at),
    )
    .select_from(_site)
    .outerjoin(_thread, sa.and_(_thread.c.site_id == _site.c.id, _thread.c.key == sa.bindparam("key")))
    .outerjoin(_comment, _comment.c.thread_id == _thread.c.id)
    .where(_site.c.slug == sa.bindparam("slug"))
    .group_by(_site.c.id, _thread.c.id)
)

_ROOTS = (
    sa.select(_comment.c.root_id)
    .where(_comment.c.thread_id == sa.bindparam("thread_id"), _comment.c.status == PUBLISHED,
           _comment.c.root_id > sa.bindparam("after"))
    .group_by(_comment.c.root_id)
    .order_by(_comment.c.root_id)
    .limit(sa.bindparam("roots"))
)

_PAGE = (
    sa.select(
        _comment.c.id, _comment.c.parent_id, _comment.c.status,
        _comment.c.author_name, _comment.c.body_html, _comment.c.created_at,
    )
    .where(_comment.c.thread_id == sa.bindparam("thread_id"),
           _comment.c.root_id.in_(_ROOTS.scalar_subquery()))
    .order_by(_comment.c.id)
)


class PageCache:
    """Serialised thread pages of this process, each valid while its signature holds.

    The signature comes from the head query every read makes anyway, so a hit
    costs that one query and a miss costs two: nothing is ever served stale.
    """

    def __init__(self, size: int = 512):
        self.size = size
        self._items: OrderedDict[tuple, tuple[tuple, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, signature: tuple) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] != signature:
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: tuple, signature: tuple, value: Any) -> None:
        with self._lock:
            self._items[key] = (signature, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()



@dataclass(frozen=True)
class RenderedPage:
    """A thread page serialised for the wire, with its strong ETag."""

    body: bytes
    etag: str
    allowed_origins: list[str]


def read_thread(site_slug: str, key: str, *, limit: int, after_root: int | None,
                cache: PageCache | None = None) -> RenderedPage | None:
    """One page of a thread's published comments as a JSON tree, in at most two queries.

    Returns ``None`` when the site does not exist; a key with no thread yet gives
    an empty page. Pages run by top-level comment, oldest first. A published reply
    whose parent is no longer published is kept, under a placeholder
    ``{"removed": true}`` node, so moderating one comment does not silence the
    replies to it. Nothing is rendered here: ``body_html`` was made on write.
    """
    conn = db.session.connection()
    head = conn.execute(_HEAD, {"slug": site_slug, "key": key}).first()
    if head is None:
        return None
    origins, thread_id, title, url, closed, notice, count, total, versions, last_update = head
    origins = origins or []
    cache_key = (site_slug, key, limit, after_root)
    signature = (thread_id, title, url, closed, notice, count, total, versions, str(last_update))
    if cache is not None:
        cached = cache.get(cache_key, signature)
        if cached is not None:
            return RenderedPage(cached[0], cached[1], origins)
    comments: list[dict[str, Any]] = []
    next_root = None
    if thread_id is not None:
        rows = conn.execute(
            _PAGE, {"thread_id": thread_id, "after": after_root or 0, "roots": limit + 1}
        ).all()
        comments, next_root = _build_tree(rows, limit)
    thread = {"key": key, "title": title or "", "url": url or "", "closed": bool(closed), "comment_count": count,
              "privacy_notice": notice_text(notice)}
    body = json.dumps(
        {"thread": thread, "comments": comments,
         "next_cursor": encode_cursor(next_root) if next_root is not None else None},
        ensure_ascii=False, separators=(",", ":"),
    ).encode()
    etag = hashlib.blake2b(body, digest_size=16).hexdigest()
    if cache is not None:
        cache.put(cache_key, signature, (body, etag))
    return RenderedPage(body, etag, origins)


def _build_tree(rows: list[Any], limit: int) -> tuple[list[dict[str, Any]], int | None]:
    """Nest rows (ordered by id) under their parents; prune branches with nothing public."""
    nodes: dict[int, dict[str, Any]] = {}
    tops: list[dict[str, Any]] = []
    hidden = False
    for id_, parent_id, status, author, html, created in rows:
        if status == PUBLISHED:
            node = {
                "id": id_, "parent_id": parent_id, "author_name": author,
                "body_html": html, "created_at": _timestamp(created), "replies": [],
            }
        else:
            hidden = True
            node = {
                "id": id_, "parent_id": parent_id, "removed": True, "author_name": None,
                "body_html": None, "created_at": None, "replies": [],
            }
        nodes[id_] = node
        parent = nodes.get(parent_id) if parent_id is not None else None
        if parent is not None:
            parent["replies"].append(node)
        else:
            tops.append(node)
    if hidden:
        tops = [node for node in tops if _prune(node)]
    next_root = None
    if len(tops) > limit:
        tops = tops[:limit]
        next_root = tops[-1]["id"]
    return tops, next_root


def _prune(node: dict[str, Any]) -> bool:
    """Drop removed nodes that have no public reply below them; True if ``node`` stays."""
    node["replies"] = [kid for kid in node["replies"] if _prune(kid)]
    return not node.get("removed") or bool(node["replies"])


def _timestamp(value: Any) -> str:
    """ISO 8601 in UTC with a Z, from a datetime (or SQLite's text form of one)."""
    if isinstance(value, str):
        return value.replace(" ", "T") + "Z"
    return value.isoformat() + "Z"
