"""The write service: post_comment returns what became of a reply; views map it."""

from __future__ import annotations

import pytest

from discuss import Verdict, hookimpl
from discuss.comments import Outcome, ThreadClosed, post_comment, submission_for
from discuss.extensions import db
from discuss.models import PENDING, PUBLISHED, REJECTED, Comment


class ByWord:
    """Decides by a word in the body: the test says which outcome it wants."""

    @hookimpl
    def discuss_screen_comment(self, submission):
        if "holdme" in submission.body:
            return Verdict.hold("asked to hold")
        if "rejectme" in submission.body:
            return Verdict.reject("asked to reject", public_reason="Not here, please.")
        if "botme" in submission.body:
            return Verdict.reject("honeypot", silent=True)
        return None


def _post(pm, site, body):
    reply = {"author_name": "Resident", "body": body, "author_email": "Resident@Example.org"}
    return post_comment(pm, site, submission_for(site, "/blog/post", reply, ip_hash="h", user_agent="t"))


@pytest.mark.parametrize("body, outcome, status, told_held", [
    ("fine words", Outcome.PUBLISHED, PUBLISHED, False),
    ("holdme please", Outcome.HELD, PENDING, True),
    ("rejectme please", Outcome.REJECTED, REJECTED, False),
    ("botme please", Outcome.SILENTLY_REFUSED, REJECTED, True),
])
def test_every_outcome_is_a_value_and_the_reply_is_kept(app, pm, site, body, outcome, status, told_held):
    pm.register(ByWord(), name="by-word")
    posted = _post(pm, site, body)
    assert posted.outcome is outcome
    assert posted.outcome.shown_as_held is told_held
    assert posted.public_reason == ("Not here, please." if outcome is Outcome.REJECTED else "")
    stored = db.session.get(Comment, posted.comment.id)
    assert stored.status == status
    assert stored.author_email == "resident@example.org"  # lower-cased once, for the lookups


def test_a_closed_thread_still_raises(app, pm, site, runner):
    assert _post(pm, site, "first").outcome is Outcome.PUBLISHED
    assert runner.invoke(args=["threads", "close", "council", "/blog/post"]).exit_code == 0
    with pytest.raises(ThreadClosed):
        _post(pm, site, "second")
