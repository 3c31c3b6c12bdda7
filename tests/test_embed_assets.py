"""The widget script: one file with its CSS, small, cached by version, gzipped."""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import subprocess

import pytest

from discuss.embed.assets import CSS_PLACEHOLDER, build_bundle, minify_css, read_static

BUDGET = 15 * 1024  # bytes gzipped, script and styles together (the goal is 10 KB)


def test_embed_js_is_the_widget_with_its_css_and_a_short_cache(client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    text = response.get_data(as_text=True)
    assert CSS_PLACEHOLDER not in text
    assert ":host{display:block}" in text and ".discuss .replies{" in text
    assert "data-discuss-site" in text


def test_versioned_url_is_immutable_and_named_by_content(client):
    bundle = build_bundle()
    assert bundle.version == hashlib.sha256(bundle.text).hexdigest()[:12]
    response = client.get(f"/embed.v{bundle.version}.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.get_data() == client.get("/embed.js").get_data()


def test_an_old_version_redirects_to_the_current_one_uncached(client):
    response = client.get("/embed.v000000000000.js")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/embed.v{build_bundle().version}.js")
    assert response.headers["Cache-Control"] == "no-cache"


def test_gzip_when_asked_and_conditional_requests(client):
    plain = client.get("/embed.js")
    zipped = client.get("/embed.js", headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    again = client.get("/embed.js", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304


def test_widget_weighs_less_than_the_budget():
    bundle = build_bundle()
    assert len(bundle.gzipped) <= BUDGET, f"widget is {len(bundle.gzipped)} bytes gzipped"


def test_author_names_and_messages_never_go_through_innerHTML():
    # The API's sanitised body_html is the only HTML the widget inserts.
    source = read_static("widget.js")
    assert len(re.findall(r"\binnerHTML\b", source)) == 1
    assert "body.innerHTML = c.body_html;" in source
    assert "insertAdjacentHTML" not in source and "outerHTML" not in source and "document.write" not in source


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_served_script_is_valid_javascript(tmp_path):
    script = tmp_path / "embed.js"
    script.write_bytes(build_bundle().text)
    result = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_minify_css_keeps_meaning():
    css = "/* note */\n.discuss .a :focus ,\n.discuss  > b {\n  color: red ;\n  margin: 0 auto;\n}\n"
    assert minify_css(css) == ".discuss .a :focus,.discuss>b{color:red;margin:0 auto}"
