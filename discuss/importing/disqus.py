"""Disqus's XML export (Admin > Moderate > Export).

``disqus > category | thread | post``: each ``<thread dsq:id>`` has ``link``,
``title``, ``isClosed`` and ``isDeleted`` (a deleted thread is skipped with its
posts); each ``<post dsq:id>`` names its ``<thread dsq:id>`` and, for a reply,
its ``<parent dsq:id>``, with ``message`` (HTML), ``createdAt``, ``author``
(``name``, ``email``), ``isDeleted`` -> deleted and ``isSpam`` -> rejected;
the rest are published.
"""

from __future__ import annotations

from typing import IO, Iterator
from zoneinfo import ZoneInfo

from ..models import DELETED, PUBLISHED, REJECTED
from .dates import parse_date
from .markup import html_to_markdown
from .records import BadImport, SourceComment, SourceThread, Skipped, page_key
from .safexml import local, stream, text_of

NS = "{http://disqus.com}"
DSQ_ID = "{http://disqus.com/disqus-internals}id"


class Reader:
    """Reads one Disqus export; :meth:`records` yields threads, comments and skipped items."""

    def __init__(self, file: IO[bytes], *, zone: ZoneInfo | None = None) -> None:
        self.file = file
        self.zone = zone
        self.forum = ""

    @staticmethod
    def _check_root(root, namespaces: dict[str, str]) -> None:
        if root.tag != NS + "disqus":
            raise BadImport(f"not a Disqus export: the root element is <{local(root.tag)}>, "
                            "expected <disqus xmlns=\"http://disqus.com\">")

    @property
    def source(self) -> str:
        return "disqus:" + (self.forum or "-")

    def records(self) -> Iterator[SourceThread | SourceComment | Skipped]:
        threads = posts = 0
        for element in stream(self.file, 2, root_check=self._check_root):
            if element.tag == NS + "thread":
                threads += 1
                yield self._thread(element, threads)
            elif element.tag == NS + "post":
                posts += 1
                yield self._post(element, posts)
            elif element.tag == NS + "category" and not self.forum:
                self.forum = _text(element, "forum")

    def _thread(self, element, number: int) -> SourceThread | Skipped:
        thread_id = element.get(DSQ_ID, "").strip()
        title = _text(element, "title")
        label = f"thread {thread_id or '?'} (#{number}, {title or 'untitled'!r})"
        if not thread_id:
            raise BadImport(f"{label}: has no dsq:id")
        self.forum = self.forum or _text(element, "forum")
        if _flag(element, "isDeleted"):
            return Skipped(label, "thread deleted in Disqus", kind="thread", source_id=thread_id)
        link = _text(element, "link")
        key = page_key(label, link)
        return SourceThread(source_id=thread_id, key=key, title=title, url=link,
                            closed=_flag(element, "isClosed"),
                            created_at=parse_date(_text(element, "createdAt"), self.zone, label), label=label)

    def _post(self, element, number: int) -> SourceComment:
        post_id = element.get(DSQ_ID, "").strip()
        label = f"post {post_id or '?'} (#{number})"
        if not post_id:
            raise BadImport(f"{label}: has no dsq:id")
        thread = element.find(NS + "thread")
        thread_id = thread.get(DSQ_ID, "").strip() if thread is not None else ""
        if not thread_id:
            raise BadImport(f"{label}: names no <thread dsq:id>")
        parent = element.find(NS + "parent")
        parent_id = parent.get(DSQ_ID, "").strip() if parent is not None else ""
        created = parse_date(_text(element, "createdAt"), self.zone, label)
        if created is None:
            raise BadImport(f"{label}: has no createdAt")
        author = element.find(NS + "author")
        status = DELETED if _flag(element, "isDeleted") else REJECTED if _flag(element, "isSpam") else PUBLISHED
        return SourceComment(
            source_id=post_id, thread_source_id=thread_id, parent_source_id=parent_id or None,
            author_name=_text(author, "name") or _text(author, "username") or "Anonymous",
            author_email=_text(author, "email") or None,
            created_at=created, status=status,
            body=html_to_markdown(text_of(element.find(NS + "message"))), label=label,
        )


def _text(element, name: str) -> str:
    return text_of(element.find(NS + name)).strip() if element is not None else ""


def _flag(element, name: str) -> bool:
    return _text(element, name).lower() == "true"
