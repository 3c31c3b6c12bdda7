"""Atom feeds of a thread's published comments: /feeds/<site>/<key>.atom."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from discuss.models import PENDING
from tests.embed_helpers import add_comment, make_thread

A = "{http://www.w3.org/2005/Atom}"
FEED = "/feeds/council/blog/post.atom"


def parse(response) -> ET.Element:
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.get_data())


def check_atom(feed: ET.Element) -> None:
    """The elements RFC 4287 requires, with RFC 3339 dates."""
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{A}{name}")) == 1, name
    datetime.fromisoformat(feed.findtext(f"{A}updated").replace("Z", "+00:00"))
    assert feed.find(f"{A}link[@rel='self']") is not None
    for entry in feed.findall(f"{A}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{A}{name}")) == 1, name
        assert entry.findtext(f"{A}author/{A}name")
        datetime.fromisoformat(entry.findtext(f"{A}updated").replace("Z", "+00:00"))


def test_feed_lists_published_comments_newest_first(client, site):
    thread = make_thread(site)
    first = add_comment(thread, "Dave Griffin", "Very *interesting* video.")
    second = add_comment(thread, "Public-i team", "Good point.", parent=first)
    add_comment(thread, "Held", "not yet", status=PENDING)
    feed = parse(client.get(FEED))
    check_atom(feed)
    assert feed.findtext(f"{A}title") == "Comments on Bin collections"
    entries = feed.findall(f"{A}entry")
    assert [e.findtext(f"{A}author/{A}name") for e in entries] == ["Public-i team", "Dave Griffin"]
    assert entries[0].findtext(f"{A}id").endswith(f"/embed/council/blog/post#comment-{second.id}")
    content = entries[1].find(f"{A}content")
    assert content.get("type") == "html"
    assert content.text == "<p>Very <em>interesting</em> video.</p>"
    alternate = feed.find(f"{A}link[@rel='alternate']").get("href")
    assert alternate == "http://localhost/embed/council/blog/post"


def test_markup_and_control_characters_stay_text(client, site):
    thread = make_thread(site, title="<b>Bins</b> & more")
    add_comment(thread, "<script>alert(1)</script>\x07", "Fine")
    feed = parse(client.get(FEED))
    assert feed.findtext(f"{A}title") == "Comments on <b>Bins</b> & more"
    assert feed.findtext(f"{A}entry/{A}author/{A}name") == "<script>alert(1)</script>"


def test_a_page_without_comments_has_an_empty_valid_feed(client, site):
    feed = parse(client.get("/feeds/council/not/yet.atom"))
    check_atom(feed)
    assert feed.findall(f"{A}entry") == []
    assert feed.findtext(f"{A}title") == "Comments on /not/yet"


def test_home_page_feed_and_unknown_site(client, site):
    thread = make_thread(site, key="/", title="Home")
    add_comment(thread, "Ann", "Hello")
    feed = parse(client.get("/feeds/council.atom"))
    assert feed.findtext(f"{A}entry/{A}author/{A}name") == "Ann"
    assert client.get("/feeds/nowhere/blog/post.atom").status_code == 404


def test_feed_answers_304_to_its_etag(client, site):
    make_thread(site)
    first = client.get(FEED)
    again = client.get(FEED, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_links_use_public_url_when_it_is_set(client, site, app):
    thread = make_thread(site)
    first = add_comment(thread, "Dave Griffin", "A comment.")
    # Behind a proxy the request's host is internal; PUBLIC_URL is what readers reach.
    app.config["PUBLIC_URL"] = "https://comments.council.example/"
    feed = parse(client.get(FEED, base_url="http://10.0.0.7:8000"))
    assert feed.findtext(f"{A}id") == "https://comments.council.example" + FEED
    assert feed.find(f"{A}link[@rel='self']").get("href") == "https://comments.council.example" + FEED
    alternate = feed.find(f"{A}link[@rel='alternate']").get("href")
    assert alternate == "https://comments.council.example/embed/council/blog/post"
    [entry] = feed.findall(f"{A}entry")
    assert entry.findtext(f"{A}id") == f"{alternate}#comment-{first.id}"
    assert "10.0.0.7" not in client.get(FEED, base_url="http://10.0.0.7:8000").get_data(as_text=True)


def test_links_fall_back_to_the_request_host_without_public_url(client, site):
    make_thread(site)
    feed = parse(client.get(FEED, base_url="http://comments.example:8000"))
    assert feed.find(f"{A}link[@rel='self']").get("href") == "http://comments.example:8000" + FEED
