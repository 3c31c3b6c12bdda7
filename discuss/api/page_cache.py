"""The JSON API's serialised thread pages, kept per process.

Only the JSON view serialises a thread page; it keeps the bytes here with the
head's signature (:class:`discuss.threads.ThreadHead`), so a hit costs the one
head query every read makes anyway and nothing is ever served stale.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from ..schemas import iso_utc
from ..threads import ThreadPage


@dataclass(frozen=True)
class SerialisedPage:
    """A thread page as the wire carries it, with its strong ETag."""

    body: bytes
    etag: str


class PageCache:
    """Serialised thread pages of this process, each valid while its signature holds."""

    def __init__(self, size: int = 512):
        self.size = size
        self._items: OrderedDict[tuple, tuple[tuple, SerialisedPage]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, signature: tuple) -> SerialisedPage | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] != signature:
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: tuple, signature: tuple, value: SerialisedPage) -> None:
        with self._lock:
            self._items[key] = (signature, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def serialise(page: ThreadPage) -> SerialisedPage:
    """The page as :class:`discuss.schemas.ThreadResponse` describes it, compact UTF-8 JSON."""
    body = json.dumps(
        {"thread": page.thread, "comments": page.comments, "next_cursor": page.next_cursor},
        # The tree's only values JSON cannot write are its datetimes.
        ensure_ascii=False, separators=(",", ":"), default=iso_utc,
    ).encode()
    return SerialisedPage(body, hashlib.blake2b(body, digest_size=16).hexdigest())
