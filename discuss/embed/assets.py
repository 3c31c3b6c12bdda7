"""The widget script: ``widget.js`` with ``discuss.css`` inlined, served gzipped.

``/embed.v<version>.js`` is immutable and cached for a year: the version is a
hash of the content, so a new release gets a new URL. ``/embed.js`` (the URL in
councils' snippets) is the same file with a short cache, so a release reaches
every page within minutes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from flask import Response, current_app, redirect, request, url_for

from ..origins import public_url
from . import bp

SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=31536000, immutable"
CSS_PLACEHOLDER = '"/*CSS*/"'
# Inside the shadow root the host element is the widget's box; inherited font
# and colour come through it from the page.
HOST_CSS = ":host{display:block}"


@dataclass(frozen=True)
class Bundle:
    """The built widget: its text, gzipped bytes and content version."""

    text: bytes
    gzipped: bytes
    version: str


def read_static(name: str) -> str:
    return resources.files("discuss.embed").joinpath("static", name).read_text(encoding="utf-8")


def minify_css(css: str) -> str:
    """Drop comments and white space that carries no meaning."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    css = re.sub(r"\s*([{};,>])\s*", r"\1", css)
    css = re.sub(r":\s+", ":", css)  # only declarations have ": "; selectors never do
    return css.replace(";}", "}").strip()


def minify_js(js: str) -> str:
    """Drop indentation, blank lines and whole-line ``//`` comments.

    Safe for widget.js because it has no multi-line strings or template
    literals; line breaks stay, so automatic semicolon insertion is unchanged.
    """
    lines = (line.strip() for line in js.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//")) + "\n"


def build_bundle() -> Bundle:
    js = minify_js(read_static("widget.js"))
    if CSS_PLACEHOLDER not in js:
        raise RuntimeError("widget.js lost its CSS placeholder")
    css = HOST_CSS + minify_css(read_static("discuss.css"))
    text = js.replace(CSS_PLACEHOLDER, json.dumps(css), 1).encode()
    return Bundle(
        text=text,
        gzipped=gzip.compress(text, compresslevel=9, mtime=0),
        version=hashlib.sha256(text).hexdigest()[:12],
    )


_cached_bundle = lru_cache(maxsize=1)(build_bundle)


def bundle() -> Bundle:
    """The widget as served; rebuilt on every call in debug mode, so edits show at once."""
    return build_bundle() if current_app.debug else _cached_bundle()


def script_url(external: bool = False) -> str:
    """The versioned (long-cached) URL of the widget script, for pages we render;
    ``external``: absolute, under ``PUBLIC_URL`` when set (never the request's Host)."""
    path = url_for("embed.script_versioned", version=bundle().version)
    return public_url(path) if external else path


def _serve(cache_control: str) -> Response:
    built = bundle()
    compressed = "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(built.gzipped if compressed else built.text, mimetype="text/javascript")
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Cache-Control"] = cache_control
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Any page may load it, also with crossorigin/integrity attributes or under
    # Cross-Origin-Embedder-Policy; the script holds nothing private.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.vary.add("Accept-Encoding")
    response.set_etag(built.version + ("-gz" if compressed else ""))
    return response.make_conditional(request)


@bp.get("/embed.js")
def script():
    """The widget, for councils' snippets: short cache so updates spread quickly."""
    return _serve(SHORT_CACHE)


@bp.get("/embed.v<version>.js")
def script_versioned(version: str):
    """The widget at a content-versioned URL, cached for a year; an old version
    redirects (uncached) to the current one rather than breaking a page."""
    if version != bundle().version:
        response = redirect(url_for("embed.script_versioned", version=bundle().version), 302)
        response.headers["Cache-Control"] = "no-cache"
        return response
    return _serve(LONG_CACHE)

