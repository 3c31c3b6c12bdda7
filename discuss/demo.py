"""The demo: a council blog post (the seed page) with its discussion loaded."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources

import sqlalchemy as sa

from .extensions import db
from .models import PUBLISHED, Comment, Site, Thread
from .render import render_body
from .transactions import writing

DEMO_SITE = "demo"
DEMO_KEY = "/demo"
SEED_FILE = "councillors-and-social-media.txt"


@dataclass
class SeedComment:
    author: str
    body: str
    replies: list["SeedComment"] = field(default_factory=list)


@dataclass
class SeedPost:
    title: str
    date: str
    paragraphs: list[str]
    comments: list[SeedComment]


def read_seed() -> SeedPost:
    """Parse the seed page: title, date, article paragraphs and the nested comments."""
    text = resources.files("discuss.seed").joinpath(SEED_FILE).read_text(encoding="utf-8")
    lines = [line.rstrip() for line in text.splitlines()]
    content = [line for line in lines if line.strip() and line.strip() != "Skip to main content"]
    title = content[0].strip()
    date_match = re.search(r"By ([A-Z][a-z]+ \d{1,2}, \d{4})", text)
    date = date_match.group(1) if date_match else ""
    start = next(i for i, line in enumerate(content) if line.startswith("By "))
    end = next(i for i, line in enumerate(content) if line.startswith("Join the discussion"))
    paragraphs = [line.strip().replace("\u00ac\u2020", " ") for line in content[start + 1:end]]
    comments: list[SeedComment] = []
    current: SeedComment | None = None
    for line in lines[lines.index(next(l for l in lines if l.startswith("Join the discussion"))) + 1:]:
        stripped = line.strip()
        if not stripped or stripped.startswith("Leave a Reply"):
            continue
        bullet = stripped.startswith("\u2022")
        indent = len(line) - len(line.lstrip())
        stripped = stripped.lstrip("\u2022").strip()
        if bullet:
            says = re.match(r"(.+?) says:$", stripped)
            node = SeedComment(author=says.group(1) if says else "Public-i team", body="")
            if indent <= 2 or current is None:
                comments.append(node)
            else:
                comments[-1].replies.append(node)
            current = node
            if says:
                continue
        if current is not None:
            current.body += ("\n" if current.body else "") + stripped
    return SeedPost(title=title, date=date, paragraphs=paragraphs, comments=comments)


def load_demo(base_url: str = "") -> Thread:
    """Create the demo site and the seed post's thread with its comments (idempotent)."""
    post = read_seed()
    with writing():
        site, thread = _store_demo(post, base_url)
    if site is not None:
        seed_review_queue(site)
    return thread


def _store_demo(post: SeedPost, base_url: str) -> tuple[Site | None, Thread]:
    """The demo site and thread, created with the seed comments unless there; the site only when new."""
    site = db.session.execute(sa.select(Site).filter_by(slug=DEMO_SITE)).scalar_one_or_none()
    if site is None:
        site = Site(slug=DEMO_SITE, name="Demo Borough Council", allowed_origins=[], moderation={})
        db.session.add(site)
        db.session.flush()
    thread = db.session.execute(
        sa.select(Thread).filter_by(site_id=site.id, key=DEMO_KEY)
    ).scalar_one_or_none()
    if thread is not None:
        return None, thread
    thread = Thread(site_id=site.id, key=DEMO_KEY, title=post.title, url=base_url + DEMO_KEY)
    db.session.add(thread)
    db.session.flush()
    when = datetime.strptime(post.date, "%B %d, %Y") if post.date else datetime(2011, 12, 9)

    def add(node: SeedComment, parent: Comment | None, hour: int) -> None:
        comment = Comment(
            thread_id=thread.id, parent_id=parent.id if parent else None,
            root_id=parent.root_id if parent else None,
            author_name=node.author, author_email=None, body=node.body,
            body_html=render_body(node.body), status=PUBLISHED,
            created_at=when.replace(hour=hour), updated_at=when.replace(hour=hour),
        )
        db.session.add(comment)
        db.session.flush()
        if comment.root_id is None:
            comment.root_id = comment.id
        for offset, reply in enumerate(node.replies, start=1):
            add(reply, comment, min(hour + offset, 23))

    for index, node in enumerate(post.comments):
        add(node, None, 10 + index)
    return site, thread


#: Replies a resident might send, which the default plugins hold: the demo's
#: review queue has work in it from the start.
HELD_EXAMPLES = (
    ("Worried resident", "worried@demo.example",
     "Cllr Tim should ring me on 07700 900123, I live at 14 High Street, AB1 2CD."),
    ("Angry resident", "angry@demo.example",
     "Everyone knows the planning committee is corrupt and took a bribe from the developer."),
)


def seed_review_queue(site: Site) -> None:
    """Post :data:`HELD_EXAMPLES` through the real screening pipeline.

    Only the ones the plugins configured here do hold are posted: with plugins
    switched off the demo thread must not grow comments nobody wrote.
    """
    from flask import current_app

    from .comments import post_comment
    from .moderation import screen_comment
    from .submission import Submission
    from .verdict import HOLD

    host = current_app.extensions["discuss"]
    for number, (name, email, body) in enumerate(HELD_EXAMPLES):
        submission = Submission(
            body=body, author_name=name, author_email=email, site=site.slug,
            thread_key=DEMO_KEY, ip_hash=f"demo-resident-{number}",
        )
        if screen_comment(host, submission, site).decision == HOLD:
            post_comment(host, site, submission)
