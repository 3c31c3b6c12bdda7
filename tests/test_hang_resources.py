"""What an abandoned plugin call holds: no pooled database connection a new screening
or a write needs (issue 12). The screening's History connection is given back before
a third-party plugin that does not take ``history`` is called, so a run abandoned in
such a plugin holds none while it hangs; the built-in plugins keep it, so the default
pipeline costs one checkout a screening."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from discuss import History, Submission, Verdict, hookimpl
from discuss.extensions import db
from discuss.host import SiteFacts
from discuss.moderation import screen_comment

POOL = 2


@pytest.fixture
def app_config():
    # A pool as small as the runs the test abandons: each run left holding a connection empties it.
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": POOL, "max_overflow": 0, "pool_timeout": 60}}


def submission() -> Submission:
    return Submission(body="hello", author_name="A", author_email="a@example.org", site="council",
                      thread_key="/t", ip_hash="a" * 64)


class Asks:
    """Asks history a question (taking a pooled connection), then has no opinion."""

    timeout = 30.0  # longer than the test waits: a wait for the pool must not hide behind it

    @hookimpl
    def discuss_screen_comment(self, submission, history: History):
        history.recent_activity(ip_hash=submission.ip_hash, within=timedelta(minutes=5))
        return Verdict.publish("asked")


class Hangs:
    """Takes no history; hangs until released, far past its budget."""

    timeout = 0.2

    def __init__(self) -> None:
        self.release = threading.Event()

    @hookimpl
    def discuss_screen_comment(self):
        self.release.wait(60)
        return None


def test_runs_abandoned_in_a_plugin_without_history_hold_no_connection(app, pm, site):
    hangs = Hangs()
    pm.register(hangs, name="hangs")
    pm.register(Asks(), name="asks")  # registered last, so pluggy calls it first: history is open at the hang
    assert pm.call_order("discuss_screen_comment")[:2] == ("asks", "hangs")
    facts = SiteFacts.of(site)
    db.session.commit()  # the test's own connection goes back too
    pool = db.engine.pool
    screened = []
    third = threading.Thread(target=lambda: screened.append(screen_comment(pm, submission(), facts)))
    try:
        for _ in range(POOL):  # as many abandoned runs as the pool has connections
            verdicts = {pv.plugin: pv.verdict for pv in screen_comment(pm, submission(), facts).verdicts}
            assert "timed out" in verdicts["hangs"].details["error"]
            assert verdicts["asks"].reason == "asked"
        held_while_hanging = pool.checkedout()
        # A new screening, while both runs still hang: its history must get a connection.
        third.start()
        third.join(20)
        finished_while_hanging = not third.is_alive() and not hangs.release.is_set()
    finally:
        hangs.release.set()
        third.join(70)
    assert held_while_hanging == 0
    assert finished_while_hanging
    verdicts = {pv.plugin: pv.verdict for pv in screened[0].verdicts}
    assert verdicts["asks"].reason == "asked"
    assert "earlier calls are still running" in verdicts["hangs"].details["error"]  # the stuck limit


def test_plugins_that_take_history_in_a_row_share_one_connection(app, pm, site):
    """Given back only before a plugin that takes no history: the questions of the plugins in
    a row that take it still cost one checkout."""
    checkouts = []

    class Counts:
        @hookimpl
        def discuss_screen_comment(self, history: History):
            history.recent_activity(ip_hash="a" * 64, within=timedelta(minutes=5))
            checkouts.append(id(history._connection))
            return None

    pm.register(Counts(), name="second")
    pm.register(Counts(), name="first")
    facts = SiteFacts.of(site)
    screen_comment(pm, submission(), facts)
    assert len(checkouts) == 2 and checkouts[0] == checkouts[1]


def test_the_built_in_plugins_screen_on_one_checkout(app, pm, site):
    """Giving the connection back before every plugin that takes no history would cost each
    reply a second checkout and ping (no_shouting, bans, flood, links, profanity... first_time)."""
    from sqlalchemy import event

    order = pm.call_order("discuss_screen_comment")
    # first_time (takes history) comes after profanity (does not): the connection is kept across.
    assert order.index("bans") < order.index("profanity") < order.index("first_time")
    site.moderation = {"first_time": {"enabled": True}}
    db.session.commit()
    facts = SiteFacts.of(site)
    checkouts = []
    listener = lambda *args: checkouts.append(1)  # noqa: E731
    event.listen(db.engine, "checkout", listener)
    try:
        screening = screen_comment(pm, submission(), facts)
    finally:
        event.remove(db.engine, "checkout", listener)
    assert {pv.plugin for pv in screening.verdicts} >= {"bans", "first_time", "profanity"}
    assert len(checkouts) == 1
