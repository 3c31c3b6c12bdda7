"""Comment bodies: a Markdown subset rendered to sanitised HTML, once, on write.

Supported: paragraphs, line breaks, *emphasis*, **strong**, [links](https://...),
bare https:// links, lists, > quotes and `inline code`. Raw HTML is shown as text;
everything passes an allow-list sanitiser (nh3) afterwards all the same.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

_markdown = (
    MarkdownIt("zero", {"breaks": True, "html": False, "linkify": False})
    .enable(["emphasis", "link", "autolink", "list", "blockquote", "backticks", "newline", "escape"])
)

# Bare URLs become links; markdown-it's linkify needs an extra package, and this
# conservative pattern is all comments need.
_BARE_URL = re.compile(r"(?<![(<\[\w/])(https?://[^\s<>()\[\]\"']+[^\s<>()\[\]\"'.,;:!?])")


def render_body(source: str) -> str:
    """Render comment Markdown to safe HTML.

    The result contains only :data:`ALLOWED_TAGS`; links keep only http(s) and
    mailto URLs and carry ``rel="nofollow ugc noopener"``.
    """
    html = _markdown.render(_BARE_URL.sub(r"<\1>", source))
    return sanitise(html)


def _only_allowed(tag: str, attribute: str, value: str) -> str | None:
    # nh3 keeps a few generic attributes (title, lang) by default; we keep none.
    # ``rel`` on links is the one nh3 itself sets (link_rel), so it passes.
    if attribute in ALLOWED_ATTRIBUTES.get(tag, ()) or (tag == "a" and attribute == "rel"):
        return value
    return None


def sanitise(html: str) -> str:
    """Clean any HTML with the comment allow-list."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_only_allowed,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()
