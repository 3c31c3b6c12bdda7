"""Isolated plugins (discuss/isolation.py): a third-party plugin that spins in C code
holding the interpreter lock is killed with its process; the server keeps working."""

from __future__ import annotations

import threading

import pytest

from discuss.isolation import NotIsolatable, hook_target, isolated_names
from discuss.moderation import PLUGIN_ERROR
from discuss.testing import make_submission, screen
from tests.sample_plugins import counting, runaway
from tests.plugin_helpers import post_as

HOSTILE = "a" * 40 + "!"


@pytest.fixture
def isolating(app, pm):
    app.config["ISOLATE_PLUGINS"] = ["third-party"]
    pm.register(runaway)
    yield pm
    if pm._isolation is not None:
        pm._isolation.close()
    pm.unregister(runaway)


def test_a_runaway_plugin_is_killed_and_the_process_keeps_running(isolating, site):
    ticks = []
    stop = threading.Event()

    def tick():  # needs the interpreter lock: it stalls if a plugin holds it in this process
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    counter = threading.Thread(target=tick)
    counter.start()
    try:
        screening = screen(isolating, HOSTILE, site=site)
    finally:
        stop.set()
        counter.join()
    verdict = {pv.plugin: pv.verdict for pv in screening.verdicts}["runaway"]
    assert verdict.decision == "hold" and verdict.reason == PLUGIN_ERROR
    # Normally the pool's kill reports first; on a very busy machine the caller's own
    # deadline may ("timed out"). Either way the comment held and the child was killed.
    assert "isolated process (killed)" in verdict.details["error"] or "timed out" in verdict.details["error"]
    assert screening.decision == "hold"
    assert len(ticks) > 50  # this process ran other work the whole time
    # The pool replaced the killed process: the next comment is screened normally.
    again = {pv.plugin: pv.verdict for pv in screen(isolating, "aaaa", site=site).verdicts}["runaway"]
    assert again.reason == "all a's"


def test_an_isolated_plugin_that_asks_the_history_gets_its_own_connection(app, pm, site, client):
    app.config["ISOLATE_PLUGINS"] = ["counting"]
    pm.register(counting)
    try:
        assert post_as(client, "first", ip="198.51.100.30").status_code == 202
        response = post_as(client, "second", ip="198.51.100.30")
        assert response.status_code == 202
        from discuss.extensions import db
        from discuss.models import VerdictRecord
        import sqlalchemy as sa
        newest = db.session.scalars(sa.select(VerdictRecord).where(VerdictRecord.plugin == "counting")
                                    .order_by(VerdictRecord.id.desc())).first()
        assert newest.reason == "seen 1 before"
        assert newest.details["setting_keys"] == []
    finally:
        if pm._isolation is not None:
            pm._isolation.close()
        pm.unregister(counting)


def test_which_plugins_the_setting_names():
    plugins = [("profanity", True), ("runaway", False), ("counting", False)]
    assert isolated_names(["third-party"], plugins) == {"runaway", "counting"}
    assert isolated_names(["profanity", " "], plugins) == {"profanity"}
    assert isolated_names([], plugins) == frozenset()


def test_only_module_level_hooks_can_be_isolated():
    assert hook_target(runaway.discuss_screen_comment) == ("tests.sample_plugins.runaway", "discuss_screen_comment")

    class Plugin:
        def discuss_screen_comment(self, submission):
            return None

    with pytest.raises(NotIsolatable):
        hook_target(Plugin().discuss_screen_comment)


def test_a_plugin_that_cannot_be_isolated_holds_instead_of_failing_the_request(app, pm, site):
    from discuss import hookimpl

    class InstancePlugin:
        name = "instance"

        @hookimpl
        def discuss_screen_comment(self, submission):
            return None

    plugin = InstancePlugin()
    app.config["ISOLATE_PLUGINS"] = ["instance"]
    pm.register(plugin)
    try:
        verdict = {pv.plugin: pv.verdict for pv in screen(pm, make_submission("hello"), site=site).verdicts}
        assert verdict["instance"].reason == PLUGIN_ERROR
        assert "not a module-level function" in verdict["instance"].details["error"]
    finally:
        pm.unregister(plugin)
