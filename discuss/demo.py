"""The demo: a council blog post (the seed page) with its discussion loaded from a WordPress export."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources

import sqlalchemy as sa

from .extensions import db
from .models import Site, Thread
from .transactions import writing

DEMO_SITE = "demo"
DEMO_KEY = "/demo"
SEED_FILE = "councillors-and-social-media.txt"
#: The seed post's discussion as a WordPress export (WXR), loaded through the importer.
SEED_WXR = "councillors-and-social-media.wxr"


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
    """Create the demo site and load the seed post's discussion (idempotent).

    The two seed comments come from :data:`SEED_WXR`, a WordPress export, through
    the WordPress importer (:mod:`discuss.importing`), as a council's own would.
    """
    from .importing import run_import
    from .importing.wxr import Reader

    with writing():
        if db.session.execute(sa.select(Site.id).filter_by(slug=DEMO_SITE)).first() is None:
            db.session.add(Site(slug=DEMO_SITE, name="Demo Borough Council", allowed_origins=[], moderation={}))
    with resources.files("discuss.seed").joinpath(SEED_WXR).open("rb") as file:
        summary = run_import(DEMO_SITE, Reader(file))
    with writing():
        site = db.session.execute(sa.select(Site).filter_by(slug=DEMO_SITE)).scalar_one()
        thread = db.session.execute(
            sa.select(Thread).filter_by(site_id=site.id, key=DEMO_KEY)
        ).scalar_one()
        if summary.threads_created:
            thread.url = base_url + DEMO_KEY  # the demo page is served here, not at the export's blog
    if summary.created:
        seed_review_queue(site)
    return thread


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
