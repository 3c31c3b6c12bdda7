"""WordPress eXtended RSS (WXR), as WordPress's Tools > Export writes it (versions 1.0-1.2).

``rss > channel > item``: each published post or page (``wp:post_type``,
``wp:status``) becomes a thread keyed by the path of its ``link``, with its
``title``; ``wp:comment_status`` closed closes it. Each ``wp:comment`` keeps
``wp:comment_id``, ``wp:comment_parent`` (0: none), author, email, date and
``wp:comment_approved``: 1 -> published, 0 -> held, spam -> rejected,
trash/post-trashed -> deleted. Pingbacks and trackbacks are skipped unless asked for.
"""

from __future__ import annotations

import re
from typing import IO, Iterator
from zoneinfo import ZoneInfo

from ..models import DELETED, PENDING, PUBLISHED, REJECTED
from .dates import parse_date
from .markup import html_to_markdown
from .records import BadImport, SourceComment, SourceThread, Skipped, page_key
from .safexml import local, stream, text_of

WP_NAMESPACE = "http://wordpress.org/export/"
STATUS = {"1": PUBLISHED, "approve": PUBLISHED, "0": PENDING, "hold": PENDING, "spam": REJECTED,
          "trash": DELETED, "post-trashed": DELETED}
#: Post types that are not pages anyone comments on.
NOT_PAGES = {"attachment", "nav_menu_item", "revision", "custom_css", "customize_changeset", "oembed_cache",
             "user_request", "wp_block", "wp_template", "wp_template_part", "wp_global_styles", "wp_navigation",
             "wp_font_family", "wp_font_face"}


class Reader:
    """Reads one WXR file; :meth:`records` yields threads, comments and skipped items.

    After reading, :attr:`source` names the blog (``wordpress:<base_blog_url>``).
    """

    def __init__(self, file: IO[bytes], *, zone: ZoneInfo | None = None, include_pingbacks: bool = False) -> None:
        self.file = file
        self.zone = zone
        self.include_pingbacks = include_pingbacks
        self.wp = ""
        self.blog = ""

    def _check_root(self, root, namespaces: dict[str, str]) -> None:
        wp = [uri for uri in namespaces.values() if re.fullmatch(r"http://wordpress\.org/export/1\.\d+/", uri)]
        if local(root.tag) != "rss" or not wp:
            raise BadImport(f"not a WordPress export (WXR): the root element is <{local(root.tag)}>"
                            f"{'' if wp else ' without the WordPress export namespace'}; "
                            "expected <rss> with xmlns:wp=\"http://wordpress.org/export/1.2/\"")
        self.wp = "{" + wp[0] + "}"

    def _w(self, element, name: str) -> str:
        return text_of(element.find(self.wp + name)).strip()

    def records(self) -> Iterator[SourceThread | SourceComment | Skipped]:
        items = 0
        for element in stream(self.file, 3, root_check=self._check_root):
            name = local(element.tag)
            if element.tag == self.wp + "base_blog_url" and not self.blog:
                self.blog = text_of(element).strip()
            elif element.tag == "link" and not self.blog:
                self.blog = text_of(element).strip()
            elif name == "item":
                items += 1
                yield from self._item(element, items)
        if self.wp == "":  # pragma: no cover - the root check runs first
            raise BadImport("not a WordPress export (WXR)")

    @property
    def source(self) -> str:
        return "wordpress:" + (self.blog.rstrip("/") or "-")

    def _item(self, item, number: int) -> Iterator[SourceThread | SourceComment | Skipped]:
        post_id = self._w(item, "post_id")
        title = text_of(item.find("title")).strip()
        label = f"item {number} ({title or 'untitled'!r}, post {post_id or '?'})"
        if not post_id:
            raise BadImport(f"{label}: has no wp:post_id")
        post_type = self._w(item, "post_type") or "post"
        status = self._w(item, "status") or "publish"
        comments = item.findall(self.wp + "comment")
        reason = None
        if post_type in NOT_PAGES:
            reason = f"{post_type} (not a page)"
        elif status != "publish":
            reason = f"page not published ({status})"
        if reason is not None:
            yield Skipped(label, reason, kind="thread", source_id=post_id)
            for comment in comments:
                yield Skipped(f"comment {self._w(comment, 'comment_id')} ({label})", f"on a {reason}",
                              source_id=self._w(comment, "comment_id"))
            return
        link = text_of(item.find("link")).strip()
        key = page_key(label, link)
        created = (parse_date(self._w(item, "post_date_gmt"), self.zone, label, utc=True)
                   or parse_date(self._w(item, "post_date"), self.zone, label))
        yield SourceThread(source_id=post_id, key=key, title=title, url=link,
                           closed=self._w(item, "comment_status") == "closed", created_at=created, label=label)
        for comment in comments:
            yield self._comment(comment, post_id, label)

    def _comment(self, comment, post_id: str, item_label: str) -> SourceComment | Skipped:
        comment_id = self._w(comment, "comment_id")
        label = f"comment {comment_id or '?'} ({item_label})"
        if not comment_id:
            raise BadImport(f"{label}: has no wp:comment_id")
        kind = self._w(comment, "comment_type") or "comment"
        if kind in ("pingback", "trackback") and not self.include_pingbacks:
            return Skipped(label, f"{kind}s (--include-pingbacks to import them)", source_id=comment_id)
        if kind not in ("comment", "pingback", "trackback"):
            return Skipped(label, f"comment type {kind!r} (not a reader's comment)", source_id=comment_id)
        approved = self._w(comment, "comment_approved")
        status = STATUS.get(approved)
        if status is None:
            raise BadImport(f"{label}: unknown wp:comment_approved {approved!r}")
        created = (parse_date(self._w(comment, "comment_date_gmt"), self.zone, label, utc=True)
                   or parse_date(self._w(comment, "comment_date"), self.zone, label))
        if created is None:
            raise BadImport(f"{label}: has no date")
        parent = self._w(comment, "comment_parent")
        return SourceComment(
            source_id=comment_id, thread_source_id=post_id,
            parent_source_id=parent if parent and parent != "0" else None,
            author_name=self._w(comment, "comment_author") or "Anonymous",
            author_email=self._w(comment, "comment_author_email") or None,
            created_at=created, status=status,
            body=html_to_markdown(text_of(comment.find(self.wp + "comment_content"))),
            label=label,
        )
