"""Helpers for the review-queue tests: moderators, tokens, held comments, a second site."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from discuss import Verdict, hookimpl
from discuss.auth import create_moderator, issue_token
from discuss.extensions import db
from discuss.models import Comment, Moderator, Site
from tests.conftest import COUNCIL_ORIGIN
from tests.helpers import THREAD_URL, post

PASSWORD = "correct horse battery"
OTHER_URL = "/api/v1/sites/other/threads/news/item"


class HoldWordPlugin:
    """Holds any reply containing "hold", marking each occurrence as a span."""

    @hookimpl
    def discuss_screen_comment(self, submission):
        spans = [[m.start(), m.end()] for m in re.finditer(r"hold", submission.body)]
        if spans:
            return Verdict.hold("asked to be held", spans=spans)
        return None


@pytest.fixture
def holding(pm):
    pm.register(HoldWordPlugin(), name="holdword")
    return pm


@pytest.fixture
def other_site(app) -> Site:
    site = Site(slug="other", name="Other Council", allowed_origins=["https://other.example"], moderation={})
    db.session.add(site)
    db.session.commit()
    return site


def add_moderator(email: str, role: str = "moderator", sites=("council",), password: str | None = None) -> Moderator:
    """A moderator; without a password (scrypt is slow on purpose) unless one is given."""
    moderator = create_moderator(email, email.split("@")[0].title(), role, password, sites)
    db.session.commit()
    return moderator


def bearer(moderator: Moderator) -> dict[str, str]:
    token = issue_token(moderator)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def people(app, site, other_site):
    """Tokens for: a council moderator, an other-site moderator, an admin."""
    mod = add_moderator("mod@council.example")
    outsider = add_moderator("outsider@other.example", sites=("other",))
    admin = add_moderator("admin@discuss.example", role="admin", sites=())
    return {
        "mod": bearer(mod), "outsider": bearer(outsider), "admin": bearer(admin),
        "anonymous": {},
        "models": {"mod": mod, "outsider": outsider, "admin": admin},
    }


def held(client, body: str = "please hold this one", *, url: str = THREAD_URL, ip: str = "203.0.113.7",
         **fields) -> int:
    """Post a reply the HoldWordPlugin holds; its id."""
    response = client.post(url + "/comments", json={"author_name": "Resident", "body": body, **fields},
                           environ_base={"REMOTE_ADDR": ip})
    assert response.status_code == 202, response.json
    return response.json["comment"]["id"]


def published(client, body: str = "A fair point about the bins.", **fields) -> int:
    response = post(client, body, **fields)
    assert response.status_code == 201, response.json
    return response.json["comment"]["id"]


def version_of(comment_id: int) -> int:
    return db.session.execute(sa.select(Comment.version).where(Comment.id == comment_id)).scalar_one()


def status_of(comment_id: int) -> str:
    db.session.commit()  # end the test's transaction: on SQLite it keeps its snapshot
    db.session.expire_all()
    return db.session.execute(sa.select(Comment.status).where(Comment.id == comment_id)).scalar_one()


__all__ = ["COUNCIL_ORIGIN"]
