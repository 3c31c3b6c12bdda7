"""Threads: key normalisation and the read path.

The read path never renders: it reads pre-rendered HTML in two queries (the
thread's head with its count, then the page of comments) and builds the tree in
Python. It returns values; the views serialise them (the JSON API keeps the
serialised pages: discuss/api/page_cache.py).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa

from .mail import enabled as mail_enabled
from .bounds import parse_id
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
    root_id = parse_id(raw[1:]) if raw.startswith("r") else None
    if root_id is None:
        raise ValueError("not a cursor")
    return root_id


_THREAD_BY_KEY = sa.select(Thread).where(Thread.site_id == sa.bindparam("site_id"), Thread.key == sa.bindparam("key"))


def find_thread(site: Site, key: str) -> Thread | None:
    return db.session.execute(_THREAD_BY_KEY, {"site_id": site.id, "key": key}).scalar_one_or_none()


_site = Site.__table__
_thread = Thread.__table__
_comment = Comment.__table__

# Built once: the compiled-statement cache then makes each read cheap.
_HEAD = (
    sa.select(
        _site.c.allowed_origins, _thread.c.id, _thread.c.title, _thread.c.url, _thread.c.closed,
        _site.c.privacy_notice, _site.c.language, _site.c.id,
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

# While the page cache is trusted (discuss/invalidation.py) no signature is needed: the
# published count alone, from the (thread_id, status, root_id) index, never the rows.
_PUBLISHED_COUNT = (
    sa.select(sa.func.count())
    .select_from(_comment)
    .where(_comment.c.thread_id == _thread.c.id, _comment.c.status == PUBLISHED)
    .scalar_subquery()
)
_HEAD_LIGHT = (
    sa.select(
        _site.c.allowed_origins, _thread.c.id, _thread.c.title, _thread.c.url, _thread.c.closed,
        _site.c.privacy_notice, _site.c.language, _site.c.id,
        sa.case((_thread.c.id.is_(None), 0), else_=_PUBLISHED_COUNT),
        sa.null(), sa.null(), sa.null(),
    )
    .select_from(_site)
    .outerjoin(_thread, sa.and_(_thread.c.site_id == _site.c.id, _thread.c.key == sa.bindparam("key")))
    .where(_site.c.slug == sa.bindparam("slug"))
)

# One statement reads a page. ``sized``: the next top-level comments (at most ``roots``) and
# how many published comments each gathers, an index-only range of (thread_id, status,
# root_id); ``running``: their running total; the page is the rows under the first ``limit``
# of them that fit in ``cap`` comments (the first always does). Every row also carries how
# many top-level comments ``sized`` found, so the reader knows whether a next page exists.
_SIZED = (
    sa.select(_comment.c.root_id, sa.func.count().label("n"))
    .where(_comment.c.thread_id == sa.bindparam("thread_id"), _comment.c.status == PUBLISHED,
           _comment.c.root_id > sa.bindparam("after"))
    .group_by(_comment.c.root_id)
    .order_by(_comment.c.root_id)
    .limit(sa.bindparam("roots"))
    .cte("sized")
)
_RUNNING = sa.select(
    _SIZED.c.root_id,
    sa.func.sum(_SIZED.c.n).over(order_by=_SIZED.c.root_id, rows=(None, 0)).label("running"),
    sa.func.row_number().over(order_by=_SIZED.c.root_id).label("k"),
).cte("running")
_KID = _comment.alias("kid")
_CHOSEN = sa.select(_RUNNING.c.root_id).where(
    _RUNNING.c.k <= sa.bindparam("limit"),
    sa.or_(_RUNNING.c.running <= sa.bindparam("cap"), _RUNNING.c.k == 1),
)
_PAGE = (
    sa.select(
        _comment.c.id, _comment.c.parent_id, _comment.c.status,
        _comment.c.author_name, _comment.c.body_html, _comment.c.created_at, _comment.c.root_id,
        sa.select(sa.func.count()).select_from(_RUNNING).scalar_subquery().label("found"),
    )
    # Root ids are comment ids of this thread: the roots alone pick the rows, through the
    # root_id index (a thread_id condition here lets the planner scan the whole thread).
    # Of the rows not published, only those with replies (placeholders may be needed for
    # them): a discussion's held or rejected replies, however many, never reach memory.
    .where(_comment.c.root_id.in_(_CHOSEN),
           sa.or_(_comment.c.status == PUBLISHED,
                  sa.exists().where(_KID.c.parent_id == _comment.c.id)))
    .order_by(_comment.c.id)
)

#: Published comments a page holds at most, unless its first top-level comment's discussion
#: alone is bigger (a page always shows at least one whole discussion).
PAGE_COMMENTS = 200


@dataclass(frozen=True)
class ThreadHead:
    """What the first read query says about a thread, before any comment is read.

    ``signature`` changes whenever anything a page of the thread shows changes,
    so a page kept from an earlier read is still true while it is the same.
    ``thread_id`` is ``None`` for a page with no comments yet.
    """

    site_slug: str
    key: str
    allowed_origins: list[str]
    thread_id: int | None
    title: str
    url: str
    closed: bool
    comment_count: int
    privacy_notice: str  # the site's own, or the default (in English: translate where shown)
    signature: tuple | None  # None: read without one (thread_head(signed=False))
    language: str = "en"  # the site's default language
    site_id: int = 0


@dataclass(frozen=True)
class ThreadPage:
    """One page of a thread: ``thread`` ({key, title, url, closed, comment_count}), the
    comment tree (see :func:`read_page`), and the cursor of the next page."""

    thread: dict[str, Any]
    comments: list[dict[str, Any]]
    next_cursor: str | None
    allowed_origins: list[str]


def thread_head(site_slug: str, key: str, *, signed: bool = True) -> ThreadHead | None:
    """The thread's head in one query; ``None`` when the site does not exist.

    ``signed=False``: without the signature (``None``), which costs reading every
    comment row of the thread; for a caller that learns of changes otherwise.
    """
    statement = _HEAD if signed else _HEAD_LIGHT
    head = db.session.connection().execute(statement, {"slug": site_slug, "key": key}).first()
    if head is None:
        return None
    origins, thread_id, title, url, closed, notice, language, site_id, count, total, versions, last_update = head
    signature = (thread_id, title, url, closed, notice, language, count, total, versions, str(last_update))
    return ThreadHead(
        site_slug=site_slug, key=key, allowed_origins=origins or [], thread_id=thread_id,
        title=title or "", url=url or "", closed=bool(closed), comment_count=count,
        privacy_notice=notice_text(notice), signature=signature if signed else None,
        language=language or "en", site_id=site_id,
    )


def read_page(head: ThreadHead, *, limit: int, after_root: int | None,
              max_comments: int = PAGE_COMMENTS) -> ThreadPage:
    """One page of the thread's published comments as a tree, in one query.

    Pages run by top-level comment, oldest first: at most ``limit`` of them, and no
    more than fit in ``max_comments`` published comments with their replies (the
    first always fits), so a page's size does not grow with the thread's: early
    comments of a long thread gather most replies. Each node is ``{id, parent_id,
    author_name, body_html, created_at (a datetime), replies}``. A published reply
    whose parent is no longer published is kept, under a placeholder
    ``{"removed": true}`` node, so moderating one comment does not silence the
    replies to it. Nothing is rendered here: ``body_html`` was made on write.
    """
    comments: list[dict[str, Any]] = []
    next_root = None
    if head.thread_id is not None:
        rows = db.session.connection().execute(_PAGE, {
            "thread_id": head.thread_id, "after": after_root or 0, "roots": limit + 1, "limit": limit,
            "cap": max_comments,
        }).all()
        if rows:
            roots = {row.root_id for row in rows}
            if rows[0].found > len(roots):
                next_root = max(roots)
            comments = _build_tree(rows)
    thread = {"key": head.key, "title": head.title, "url": head.url, "closed": head.closed,
              "comment_count": head.comment_count, "privacy_notice": head.privacy_notice,
              "reply_mail": mail_enabled()}
    return ThreadPage(thread, comments, encode_cursor(next_root) if next_root is not None else None,
                      head.allowed_origins)


def read_thread(site_slug: str, key: str, *, limit: int, after_root: int | None,
                max_comments: int = PAGE_COMMENTS) -> ThreadPage | None:
    """:func:`thread_head` then :func:`read_page`: ``None`` when the site does not exist;
    a key with no thread yet gives an empty page."""
    head = thread_head(site_slug, key)
    return None if head is None else read_page(head, limit=limit, after_root=after_root,
                                               max_comments=max_comments)


@dataclass(frozen=True)
class RecentComment:
    id: int
    author_name: str
    body_html: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ThreadActivity:
    """A thread's newest published comments, newest first (for feeds).

    ``title``, ``url`` and ``created_at`` are empty (``created_at`` ``None``) for
    a page that has no thread yet.
    """

    title: str
    url: str
    created_at: datetime | None
    comments: list[RecentComment]


def recent_comments(site: Site, key: str, *, limit: int) -> ThreadActivity:
    """The ``limit`` newest published comments of the thread ``key``, newest first."""
    thread = find_thread(site, key)
    if thread is None:
        return ThreadActivity("", "", None, [])
    rows = db.session.execute(
        sa.select(Comment.id, Comment.author_name, Comment.body_html, Comment.created_at, Comment.updated_at)
        .where(Comment.thread_id == thread.id, Comment.status == PUBLISHED)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    ).all()
    return ThreadActivity(thread.title or "", thread.url or "", thread.created_at,
                          [RecentComment(*row) for row in rows])


def _build_tree(rows: list[Any]) -> list[dict[str, Any]]:
    """Nest rows (ordered by id) under their parents; prune branches with nothing public."""
    nodes: dict[int, dict[str, Any]] = {}
    tops: list[dict[str, Any]] = []
    hidden = False
    for id_, parent_id, status, author, html, created, *_ in rows:
        if status == PUBLISHED:
            node = {
                "id": id_, "parent_id": parent_id, "author_name": author,
                "body_html": html, "created_at": created, "replies": [],
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
    return tops


def _prune(node: dict[str, Any]) -> bool:
    """Drop removed nodes that have no public reply below them; True if ``node`` stays."""
    node["replies"] = [kid for kid in node["replies"] if _prune(kid)]
    return not node.get("removed") or bool(node["replies"])
