"""Atom feeds: ``/feeds/<site>/<key>.atom``, a thread's published comments, newest first.

Links in a feed are absolute: under ``PUBLIC_URL`` when it is set (a feed reader
may fetch through a proxy or cache that does not pass the public host on),
else under the host the request came to.
"""

from __future__ import annotations

import hashlib
import re
from xml.etree import ElementTree as ET

from flask import Response, current_app, request

from .. import i18n
from ..models import Site
from ..schemas import iso_utc
from ..origins import public_url
from ..threads import recent_comments
from ..transactions import end_read
from . import bp
from .pages import feed_url, load_site, page_url, safe_link, thread_key

ATOM = "http://www.w3.org/2005/Atom"
FEED_LENGTH = 50

ET.register_namespace("", ATOM)

# XML 1.0 cannot carry these control characters at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


@bp.get("/feeds/<site>.atom", defaults={"key": ""}, endpoint="thread_feed")
@bp.get("/feeds/<site>/<path:key>.atom", endpoint="thread_feed")
def thread_feed(site: str, key: str):
    """An Atom 1.0 feed of the thread's last :data:`FEED_LENGTH` published comments.

    An unknown site is 404; a page with no comments yet gives a valid, empty feed.
    Its titles are in ``?lang=``, else the reader's ``Accept-Language``, else the site's language.
    """
    the_site = load_site(site)
    i18n.use(i18n.page_language(the_site.language))
    key = thread_key(key)
    document = build_feed(the_site, key)
    end_read()
    body = ET.tostring(document, encoding="utf-8", xml_declaration=True)
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Content-Language"] = i18n.current()
    response.vary.add("Accept-Language")
    max_age = current_app.config["THREAD_CACHE_SECONDS"]
    response.headers["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-cache"
    response.set_etag(hashlib.blake2b(body, digest_size=16).hexdigest())
    return response.make_conditional(request)


def build_feed(site: Site, key: str) -> ET.Element:
    activity = recent_comments(site, key, limit=FEED_LENGTH)
    comments = activity.comments
    discussion = public_url(page_url(site.slug, key))
    self_url = public_url(feed_url(site.slug, key))
    title = activity.title or key
    created = activity.created_at or site.created_at

    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": i18n.current()})
    _sub(feed, "id", self_url)
    _sub(feed, "title", i18n.gettext("Comments on %(title)s", title=title))
    _sub(feed, "subtitle", site.name)
    updated = max((c.updated_at or c.created_at for c in comments), default=created)
    _sub(feed, "updated", iso_utc(updated))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=discussion)
    page = safe_link(activity.url) if activity.url else None
    if page and page.startswith("http"):
        _sub(feed, "link", rel="related", type="text/html", href=page)
    author = _sub(feed, "author")
    _sub(author, "name", site.name)
    _sub(feed, "generator", "discuss")
    for comment in comments:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{discussion}#comment-{comment.id}")
        _sub(entry, "title", i18n.gettext("%(name)s commented", name=comment.author_name))
        _sub(entry, "link", rel="alternate", type="text/html", href=f"{discussion}#comment-{comment.id}")
        _sub(entry, "published", iso_utc(comment.created_at))
        _sub(entry, "updated", iso_utc(comment.updated_at or comment.created_at))
        who = _sub(entry, "author")
        _sub(who, "name", comment.author_name)
        # Already sanitised HTML; Atom carries it escaped as text, type="html".
        _sub(entry, "content", comment.body_html, type="html")
    return feed
