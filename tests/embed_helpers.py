"""Shared by the embed tests: a thread with a nested reply, and HTML parsing."""

from __future__ import annotations

from bs4 import BeautifulSoup

from discuss.extensions import db
from discuss.models import PUBLISHED, Comment, Site, Thread
from discuss.render import render_body


def add_comment(thread: Thread, author: str, body: str, *, parent: Comment | None = None,
                status: str = PUBLISHED) -> Comment:
    comment = Comment(thread_id=thread.id, parent_id=parent.id if parent else None,
                      root_id=parent.root_id if parent else None, author_name=author, body=body,
                      body_html=render_body(body), status=status)
    db.session.add(comment)
    db.session.flush()
    if comment.root_id is None:
        comment.root_id = comment.id
    db.session.commit()
    return comment


def make_thread(site: Site, key: str = "/blog/post", title: str = "Bin collections",
                url: str = "https://council.example/blog/post") -> Thread:
    thread = Thread(site_id=site.id, key=key, title=title, url=url)
    db.session.add(thread)
    db.session.commit()
    return thread


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")
