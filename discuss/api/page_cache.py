"""The JSON API's thread heads and serialised thread pages, kept per process.

Two ways to know a kept page is still true:

* **trusted** (the usual case): the process's :class:`~discuss.invalidation.Watcher`
  hears every committed change to a thread, its comments or its site, and drops
  the pages tagged with it (:meth:`PageCache.invalidate`); while it vouches for
  the cache (:meth:`PageCache.trusted`), a kept head and page are served
  without a database query;
* **checking** (the watcher's channel is down, or there is none): every read
  queries the thread's head and serves a kept page only while the head's
  signature (:class:`discuss.threads.ThreadHead`) is the one it was kept with.

A read that missed races the writes: it takes a :meth:`PageCache.mark` before
reading, and :meth:`PageCache.put_page` refuses to keep what it read if a tag
of that thread was invalidated since the mark (the write may have committed
after the read's snapshot). Nothing is ever served stale.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Callable, Iterable

from ..invalidation import ALL, CheckingWatcher, Watcher
from ..schemas import iso_utc
from ..threads import PAGE_COMMENTS, ThreadHead, ThreadPage, read_page, thread_head


@dataclass(frozen=True)
class SerialisedPage:
    """A thread page as the wire carries it, with its strong ETag."""

    body: bytes
    etag: str


def tags_of(head: ThreadHead) -> frozenset[str]:
    """The invalidation tags (discuss.invalidation) a page of this thread is kept under."""
    thread = f"t:{head.thread_id}" if head.thread_id is not None else f"n:{head.site_id}"
    return frozenset((thread, f"s:{head.site_id}"))


class PageCache:
    """Heads (by site and key) and serialised pages of this process, each with its tags."""

    LOG = 4096  # invalidations remembered for marks; a read older than that keeps nothing

    def __init__(self, size: int = 512, watcher: Watcher | None = None):
        self.size = size
        self.watcher = watcher or CheckingWatcher()
        self.watcher.attach(self)
        self._heads: OrderedDict[tuple, tuple[frozenset, ThreadHead]] = OrderedDict()
        self._items: OrderedDict[tuple, tuple[frozenset, tuple, SerialisedPage]] = OrderedDict()
        # Whole answers for discuss.api.replay, valid only while trusted.
        self._responses: OrderedDict[tuple, tuple[frozenset, tuple]] = OrderedDict()
        # Sites a reply is posted to (detached rows, read only), valid only while trusted.
        self._sites: OrderedDict[str, tuple[frozenset, object]] = OrderedDict()
        self._lock = threading.Lock()
        self._seq = 0
        self._log: deque[tuple[int, frozenset[str]]] = deque(maxlen=self.LOG)

    # -- validity ---------------------------------------------------------------------
    def trusted(self) -> bool:
        """Whether kept heads and pages may be served without asking the database."""
        return self.watcher.trusted()

    def mark(self) -> int:
        """Taken before reading the database; see :meth:`put_page`."""
        with self._lock:
            return self._seq

    def invalidate(self, tags: Iterable[str]) -> None:
        """Drop every head and page carrying one of ``tags`` (``*``: all)."""
        tags = frozenset(tags)
        if ALL in tags:
            self.reset()
            return
        with self._lock:
            self._seq += 1
            self._log.append((self._seq, tags))
            for store in (self._heads, self._items, self._responses, self._sites):
                for key in [key for key, item in store.items() if item[0] & tags]:
                    del store[key]

    def reset(self) -> None:
        """Drop everything (the watcher resynchronising)."""
        with self._lock:
            self._seq += 1
            self._log.append((self._seq, frozenset([ALL])))
            self._heads.clear()
            self._items.clear()
            self._responses.clear()
            self._sites.clear()

    def _changed_since(self, mark: int, tags: frozenset[str]) -> bool:
        if mark == self._seq:
            return False
        if not self._log or self._log[0][0] > mark + 1:
            return True  # forgotten: assume the worst
        for seq, changed in reversed(self._log):  # newest first: stop at the mark
            if seq <= mark:
                return False
            if changed & tags or ALL in changed:
                return True
        return False

    # -- heads ------------------------------------------------------------------------
    def head(self, site: str, key: str) -> ThreadHead | None:
        """A kept head; only meaningful while :meth:`trusted`."""
        with self._lock:
            item = self._heads.get((site, key))
            if item is None:
                return None
            self._heads.move_to_end((site, key))
            return item[1]

    def put_head(self, head: ThreadHead, mark: int) -> None:
        tags = tags_of(head)
        with self._lock:
            if self._changed_since(mark, tags):
                return
            self._heads[(head.site_slug, head.key)] = (tags, head)
            self._heads.move_to_end((head.site_slug, head.key))
            while len(self._heads) > self.size:
                self._heads.popitem(last=False)

    # -- sites (the write path's) --------------------------------------------------------
    def site(self, slug: str) -> object | None:
        """A kept site row; only meaningful while :meth:`trusted`."""
        with self._lock:
            item = self._sites.get(slug)
            return None if item is None else item[1]

    def put_site(self, slug: str, site_id: int, site: object, mark: int) -> None:
        """Keep a site row (detached from its session: read only) under its tag ``s:<id>``."""
        tags = frozenset((f"s:{site_id}",))
        with self._lock:
            if self._changed_since(mark, tags):
                return
            self._sites[slug] = (tags, site)
            while len(self._sites) > self.size:
                self._sites.popitem(last=False)

    # -- pages ------------------------------------------------------------------------
    def get(self, key: tuple, signature: tuple | None = None) -> SerialisedPage | None:
        """A kept page: any (trusted mode, ``signature`` None) or one kept with ``signature``."""
        with self._lock:
            item = self._items.get(key)
            if item is None or (signature is not None and item[1] != signature):
                # (a page kept without a signature, while trusted, never matches one)
                return None
            self._items.move_to_end(key)
            return item[2]

    def put_page(self, key: tuple, head: ThreadHead, value: SerialisedPage, mark: int) -> None:
        """Keep a page read after ``mark``, unless its thread changed since."""
        tags = tags_of(head)
        with self._lock:
            if self._changed_since(mark, tags):
                return
            self._items[key] = (tags, head.signature, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    # -- whole responses (discuss.api.replay) -------------------------------------------
    def response(self, key: tuple) -> tuple | None:
        """A kept answer; only meaningful while :meth:`trusted`."""
        with self._lock:
            item = self._responses.get(key)
            return None if item is None else item[1]

    def put_response(self, key: tuple, tags: frozenset[str], value: tuple, mark: int) -> None:
        with self._lock:
            if self._changed_since(mark, tags):
                return
            self._responses[key] = (tags, value)
            while len(self._responses) > self.size * 4:
                self._responses.popitem(last=False)

    def clear(self) -> None:
        self.reset()

    def __len__(self) -> int:
        return len(self._items)


def read_cached(cache: PageCache | None, site: str, key: str, size: int, after_root: int | None, *,
                max_comments: int = PAGE_COMMENTS, variant: Callable[[ThreadHead], str] = lambda head: "",
                localise: Callable[[ThreadPage], None] | None = None,
                ) -> tuple[ThreadHead, SerialisedPage, str] | None:
    """The thread's head, its serialised page and the page's variant; ``None`` for an unknown site.

    ``variant(head)`` names the version of the page to serve (the reader's language)
    and is part of the page's key; ``localise`` adjusts a page read from the database
    before it is serialised. Trusted cache: a kept head and page cost no query.
    Otherwise the head is read (one query) and a kept page is served only while its
    signature holds. A page read from the database is kept unless its thread changed
    while it was being read (the mark). The caller ends the read transaction.
    """
    trusted = cache is not None and cache.trusted()
    mark = cache.mark() if cache is not None else 0
    head = cache.head(site, key) if trusted else None
    if head is None:
        head = thread_head(site, key, signed=not trusted)
        if head is None:
            return None
        if cache is not None:
            cache.put_head(head, mark)
    chosen = variant(head)
    page_key = (site, key, size, max_comments, after_root, chosen)
    page = None
    if cache is not None:
        page = cache.get(page_key) if trusted else cache.get(page_key, head.signature)
    if page is None:
        read = read_page(head, limit=size, after_root=after_root, max_comments=max_comments)
        if localise is not None:
            localise(read)
        page = serialise(read)
        if cache is not None:
            cache.put_page(page_key, head, page, mark)
    return head, page, chosen


def serialise(page: ThreadPage) -> SerialisedPage:
    """The page as :class:`discuss.schemas.ThreadResponse` describes it, compact UTF-8 JSON."""
    body = json.dumps(
        {"thread": page.thread, "comments": page.comments, "next_cursor": page.next_cursor},
        # The tree's only values JSON cannot write are its datetimes.
        ensure_ascii=False, separators=(",", ":"), default=iso_utc,
    ).encode()
    return SerialisedPage(body, hashlib.blake2b(body, digest_size=16).hexdigest())
