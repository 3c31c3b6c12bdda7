"""Reading threads: GET /api/v1/sites/<site>/threads/<key>."""

from __future__ import annotations

import pytest

from discuss.extensions import db
from discuss.models import DELETED, PENDING, Comment
from tests.helpers import THREAD_URL, post


def ids(nodes):
    return [node["id"] for node in nodes]


def every_id(nodes):
    """Ids in the tree, depth first."""
    return [found for node in nodes for found in (node["id"], *every_id(node["replies"]))]


def test_a_page_without_comments_is_an_empty_thread(client, site):
    from discuss.privacy import DEFAULT_NOTICE

    response = client.get("/api/v1/sites/council/threads/never/commented")
    assert response.status_code == 200
    assert response.json == {
        "thread": {"key": "/never/commented", "title": "", "url": "", "closed": False, "comment_count": 0,
                   "privacy_notice": DEFAULT_NOTICE, "reply_mail": False},
        "comments": [],
        "next_cursor": None,
    }


def test_unknown_site_is_404_in_the_error_shape(client, site):
    response = client.get("/api/v1/sites/nowhere/threads/blog/post")
    assert response.status_code == 404
    assert response.json["code"] == 404
    assert response.json["status"] == "Not Found"
    assert "site" in response.json["errors"]


def test_replies_nest_to_any_depth_and_only_published_appear(client, site):
    top = post(client, "top").json["comment"]["id"]
    child = post(client, "child", parent_id=top).json["comment"]["id"]
    grandchild = post(client, "grandchild", parent_id=child).json["comment"]["id"]
    second = post(client, "second top").json["comment"]["id"]
    held = post(client, "held reply", parent_id=top).json["comment"]["id"]
    db.session.get(Comment, held).status = PENDING
    db.session.commit()

    thread = client.get(THREAD_URL).json
    assert thread["thread"]["comment_count"] == 4
    assert ids(thread["comments"]) == [top, second]
    first = thread["comments"][0]
    assert ids(first["replies"]) == [child]
    assert ids(first["replies"][0]["replies"]) == [grandchild]
    assert first["replies"][0]["replies"][0]["parent_id"] == child
    assert set(first) >= {"id", "parent_id", "author_name", "body_html", "created_at", "replies"}
    assert first["created_at"].endswith("Z")


def test_hidden_replies_without_replies_are_not_read(client, site, monkeypatch):
    """A page reads the rows of its discussions, but of those not published only the ones a
    placeholder may need (with replies): a flood of rejected replies never reaches memory."""
    import discuss.threads

    top = post(client, "top").json["comment"]["id"]
    middle = post(client, "removed, with a reply", parent_id=top).json["comment"]["id"]
    below = post(client, "a reply to the removed one", parent_id=middle).json["comment"]["id"]
    spam = [post(client, f"rejected {n}", parent_id=top).json["comment"]["id"] for n in range(5)]
    for comment_id in (middle, *spam):
        db.session.get(Comment, comment_id).status = DELETED
    db.session.commit()
    read = []
    original = discuss.threads._build_tree
    monkeypatch.setattr(discuss.threads, "_build_tree", lambda rows: read.extend(rows) or original(rows))

    [first] = client.get(THREAD_URL).json["comments"]
    assert sorted(row.id for row in read) == [top, middle, below]
    assert first["replies"][0]["removed"] is True
    assert first["replies"][0]["replies"][0]["id"] == below


def test_a_removed_comment_with_public_replies_becomes_a_placeholder(client, site):
    top = post(client, "top").json["comment"]["id"]
    reply = post(client, "reply", parent_id=top).json["comment"]["id"]
    lonely = post(client, "no replies").json["comment"]["id"]
    for comment_id in (top, lonely):
        db.session.get(Comment, comment_id).status = DELETED
    db.session.commit()

    thread = client.get(THREAD_URL).json
    assert thread["thread"]["comment_count"] == 1
    [placeholder] = thread["comments"]
    assert placeholder["removed"] is True
    assert placeholder["author_name"] is None and placeholder["body_html"] is None
    assert ids(placeholder["replies"]) == [reply]


@pytest.mark.parametrize("variant", ["blog/post/", "blog/post/index.html", "/blog//post", "blog/post?x=1"])
def test_key_variants_reach_the_same_thread(client, site, variant):
    post(client, "hello")
    response = client.get("/api/v1/sites/council/threads/" + variant, follow_redirects=True)
    assert response.json["thread"]["key"] == "/blog/post"
    assert response.json["thread"]["comment_count"] == 1


def test_key_with_dot_segments_is_refused(client, site):
    response = client.get("/api/v1/sites/council/threads/blog/../admin")
    assert response.status_code in (404, 422)
    response = client.get("/api/v1/sites/council/threads/blog/%2E%2E/admin")
    assert response.status_code == 422
    assert "key" in response.json["errors"]


def test_etag_gives_304_until_the_thread_changes(client, site):
    post(client, "first")
    first = client.get(THREAD_URL)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "no-cache" in first.headers["Cache-Control"] or "max-age" in first.headers["Cache-Control"]

    again = client.get(THREAD_URL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""

    post(client, "second")
    changed = client.get(THREAD_URL, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_pages_run_by_top_level_comment(client, site):
    tops = [post(client, f"top {n}").json["comment"]["id"] for n in range(5)]
    reply = post(client, "reply to the third", parent_id=tops[2]).json["comment"]["id"]

    page1 = client.get(THREAD_URL + "?limit=2").json
    assert ids(page1["comments"]) == tops[:2]
    assert page1["thread"]["comment_count"] == 6
    page2 = client.get(THREAD_URL + f"?limit=2&cursor={page1['next_cursor']}").json
    assert ids(page2["comments"]) == tops[2:4]
    assert ids(page2["comments"][0]["replies"]) == [reply]
    page3 = client.get(THREAD_URL + f"?limit=2&cursor={page2['next_cursor']}").json
    assert ids(page3["comments"]) == tops[4:]
    assert page3["next_cursor"] is None


@pytest.mark.parametrize("app_config", [{"THREAD_PAGE_COMMENTS": 4}])
def test_a_page_holds_few_comments_however_many_replies_the_early_ones_gathered(client, site):
    """Pages are bounded by comments as well as top-level comments: early comments of a long
    thread gather most replies, and a page must not grow with the thread. A first discussion
    bigger than the bound is still shown whole; every comment is on exactly one page."""
    big = post(client, "big").json["comment"]["id"]
    big_replies = [post(client, f"big reply {n}", parent_id=big).json["comment"]["id"] for n in range(5)]
    small = [post(client, f"small {n}").json["comment"]["id"] for n in range(5)]
    reply = post(client, "a reply", parent_id=small[1]).json["comment"]["id"]
    held_reply = post(client, "a held reply", parent_id=small[2]).json["comment"]["id"]
    db.session.get(Comment, held_reply).status = PENDING  # hidden: not counted, not shown
    db.session.commit()

    pages, cursor = [], None
    while True:
        page = client.get(THREAD_URL + (f"?cursor={cursor}" if cursor else "")).json
        pages.append(every_id(page["comments"]))
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages[0] == [big, *big_replies]  # six comments: over the bound, but one discussion
    assert pages[1] == [small[0], small[1], reply, small[2]]
    assert pages[2] == [small[3], small[4]]
    assert len(pages) == 3


@pytest.mark.parametrize("query, field", [("?cursor=nonsense!", "cursor"), ("?limit=0", "limit"),
                                          ("?limit=abc", "limit"), ("?limit=100000", "limit")])
def test_bad_paging_arguments_are_422(client, site, query, field):
    response = client.get(THREAD_URL + query)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_cors_only_for_the_sites_origins(client, site):
    allowed = client.get(THREAD_URL, headers={"Origin": "https://council.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://council.example"
    assert "Origin" in allowed.headers["Vary"]
    other = client.get(THREAD_URL, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_preflight_for_posting_from_an_allowed_origin(client, site):
    response = client.options(
        THREAD_URL + "/comments",
        headers={"Origin": "https://council.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://council.example"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


def test_reading_does_not_render(client, site, monkeypatch):
    post(client, "*rendered once*")
    import discuss.render

    def boom(*_args, **_kwargs):
        raise AssertionError("rendered on read")

    monkeypatch.setattr(discuss.render, "render_body", boom)
    monkeypatch.setattr("discuss.comments.render_body", boom)
    response = client.get(THREAD_URL)
    assert response.json["comments"][0]["body_html"] == "<p><em>rendered once</em></p>"


def test_reading_a_thread_takes_two_queries(client, site, app):
    top = post(client, "top").json["comment"]["id"]
    for n in range(10):
        post(client, f"reply {n}", parent_id=top)
    from sqlalchemy import event

    statements = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(THREAD_URL)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(response.json["comments"][0]["replies"]) == 10
    assert len(statements) == 2


def test_the_page_cache_never_serves_a_stale_thread(client, site):
    first = post(client, "first").json["comment"]["id"]
    assert client.get(THREAD_URL).json["thread"]["comment_count"] == 1
    client.get(THREAD_URL)  # now served from the cache

    comment = db.session.get(Comment, first)
    comment.status = DELETED  # an ORM update, as a moderator's decision makes
    db.session.commit()
    assert client.get(THREAD_URL).json["comments"] == []

    import sqlalchemy as sa

    db.session.execute(sa.update(Comment).where(Comment.id == first).values(status="published"))
    db.session.commit()  # a Core update still moves updated_at
    assert ids(client.get(THREAD_URL).json["comments"]) == [first]

    from discuss.models import Thread

    db.session.execute(sa.update(Thread).values(title="Renamed"))
    db.session.commit()
    assert client.get(THREAD_URL).json["thread"]["title"] == "Renamed"


def test_the_home_page_has_a_thread_too(client, site):
    response = client.post("/api/v1/sites/council/threads/comments", json={"author_name": "A", "body": "home"})
    assert response.status_code == 201
    thread = client.get("/api/v1/sites/council/threads/").json
    assert thread["thread"]["key"] == "/"
    assert thread["comments"][0]["body_html"] == "<p>home</p>"
    # a page whose path ends in "comments" is still its own thread
    assert post(client, "elsewhere", url="/api/v1/sites/council/threads/comments").status_code == 201
    assert client.get("/api/v1/sites/council/threads/comments").json["thread"]["comment_count"] == 1
