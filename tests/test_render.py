"""Comment Markdown -> sanitised HTML."""

from html.parser import HTMLParser

import pytest

from discuss.render import ALLOWED_TAGS, render_body, sanitise


@pytest.mark.parametrize("source, html", [
    ("plain", "<p>plain</p>"),
    ("*em* and **strong**", "<p><em>em</em> and <strong>strong</strong></p>"),
    ("line one\nline two", "<p>line one<br>\nline two</p>"),
    ("para one\n\npara two", "<p>para one</p>\n<p>para two</p>"),
    ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
    ("1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>"),
    ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
    ("`x < y`", "<p><code>x &lt; y</code></p>"),
    ("[site](https://council.example/a)",
     '<p><a href="https://council.example/a" rel="nofollow ugc noopener">site</a></p>'),
    ("see https://council.example/bins.",
     '<p>see <a href="https://council.example/bins" rel="nofollow ugc noopener">https://council.example/bins</a>.</p>'),
])
def test_markdown_subset(source, html):
    assert render_body(source) == html


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox)",
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
    "# not a heading\n\n![img](https://evil.example/x.png)",
    '[x](https://ok.example "title" onclick="alert(1)")',
])
def test_nothing_dangerous_survives(source):
    html = render_body(source)
    for tag, attributes in elements(html):
        assert tag in ALLOWED_TAGS, (source, html)
        for name, value in attributes:
            assert (tag, name) in {("a", "href"), ("a", "rel")}, (source, html)
            if name == "href":
                assert value.split(":", 1)[0].lower() in ("http", "https", "mailto"), (source, html)


def elements(html):
    """Every (tag, attributes) in an HTML fragment, as a browser's parser sees them."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def test_links_carry_rel_and_no_other_attributes():
    html = render_body('[a](https://x.example "t")')
    assert html == '<p><a href="https://x.example" rel="nofollow ugc noopener">a</a></p>'


def test_sanitise_drops_tags_outside_the_allow_list_but_keeps_text():
    assert sanitise("<div><b>bold</b> <em>em</em></div>") == "bold <em>em</em>"
    assert sanitise('<a href="https://x.example" rel="me" target="_blank">x</a>') == \
        '<a href="https://x.example" rel="nofollow ugc noopener">x</a>'
