"""Comment HTML from another system -> the Markdown body every comment here keeps.

WordPress stores a comment as text with a little HTML (blank lines make
paragraphs, single newlines line breaks); Disqus as HTML. Both become the
Markdown subset of :mod:`discuss.render`, so the imported comment is rendered,
sanitised and edited exactly like one written here. Tags the subset has
(paragraphs, line breaks, emphasis, strong, links, lists, quotes, code) carry
over; any other tag leaves its text; ``script``, ``style`` and the like leave
nothing; links keep only http(s) and mailto addresses. Text is escaped, so
a ``*`` or ``[`` in a comment stays a character.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ..render import _BARE_URL

_DROP = {"script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math", "head", "title",
         "textarea", "select"}
_VOID = {"br", "img", "hr", "input", "meta", "link", "area", "base", "col", "source", "track", "wbr"}
_BLOCK = {"p", "div", "blockquote", "ul", "ol", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr",
          "section", "article", "hr"}
# Inline elements and the Markdown that opens and closes them.
_INLINE_MARKS = {"em": "*", "i": "*", "cite": "*", "strong": "**", "b": "**", "code": "`"}
_ESCAPE = re.compile(r"([\\`*_\[\]<>&])")
_LINE_START = re.compile(r"^([ \t]*)([-+]|\d+[.)])(?=[ \t]|$)", re.MULTILINE)
_SAFE_HREF = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)


def escape_text(text: str) -> str:
    """Markdown-escape plain text, leaving bare URLs alone (they become links as in a new comment)."""
    out = []
    last = 0
    for match in _BARE_URL.finditer(text):
        out.append(_ESCAPE.sub(r"\\\1", text[last:match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_ESCAPE.sub(r"\\\1", text[last:]))
    return _LINE_START.sub(lambda m: m.group(1) + (m.group(2)[:-1] + "\\" + m.group(2)[-1]
                                                      if m.group(2)[-1] in ".)" else "\\" + m.group(2)),
                           "".join(out))


class _ToMarkdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.dropping = 0
        self.links: list[str | None] = []
        self.lists: list[list] = []  # [kind, counter]
        self.quote = 0

    # -- helpers ------------------------------------------------------------------
    def emit(self, text: str) -> None:
        if self.dropping:
            return
        if self.quote and "\n" in text:
            text = text.replace("\n", "\n" + "> " * self.quote)
        self.out.append(text)

    def block_break(self) -> None:
        if self.dropping:
            return
        current = "".join(self.out)
        if not current.strip():
            return
        stripped = current.rstrip(" \t")
        if stripped.endswith("\n\n" + "> " * self.quote) or stripped.endswith("\n\n"):
            return
        self.out = [stripped]
        self.emit("\n\n")

    # -- parser events -------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            self.dropping += tag not in _VOID
            return
        if self.dropping:
            return
        if tag == "br":
            self.emit("\n")
        elif tag in _INLINE_MARKS:
            self.emit(_INLINE_MARKS[tag])
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            href = href.strip()
            if _SAFE_HREF.match(href) and not re.search(r"[\s<>]", href):
                self.links.append(href)
                self.emit("[")
            else:
                self.links.append(None)
        elif tag == "blockquote":
            self.block_break()
            self.quote += 1
            self.emit("> ")
        elif tag in ("ul", "ol"):
            self.block_break()
            self.lists.append([tag, 0])
        elif tag == "li":
            if self.lists:
                kind = self.lists[-1]
                kind[1] += 1
                prefix = f"{kind[1]}. " if kind[0] == "ol" else "- "
            else:
                prefix = "- "
            current = "".join(self.out)
            if current and not current.endswith("\n"):
                self.emit("\n")
            self.emit(prefix)
        elif tag in _BLOCK:
            self.block_break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            if self.dropping:
                self.dropping -= 1
            return
        if self.dropping:
            return
        if tag in _INLINE_MARKS:
            self.emit(_INLINE_MARKS[tag])
        elif tag == "a":
            href = self.links.pop() if self.links else None
            if href is not None:
                self.emit(f"](<{href}>)" if " " in href else f"]({href})")
        elif tag == "blockquote":
            if self.quote:
                self.quote -= 1
            self.block_break()
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.block_break()
        elif tag in _BLOCK and tag != "li":
            self.block_break()

    def handle_data(self, data: str) -> None:
        self.emit(escape_text(data))


def html_to_markdown(html: str) -> str:
    """The Markdown body for a comment written as HTML (or as WordPress's text-with-HTML)."""
    parser = _ToMarkdown()
    parser.feed(html.replace("\r\n", "\n").replace("\r", "\n"))
    parser.close()
    text = "".join(parser.out)
    # Trailing spaces would be hard line breaks in Markdown; runs of blank lines are one.
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
