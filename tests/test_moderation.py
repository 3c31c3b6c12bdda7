"""screen_comment: every enabled plugin, strictest verdict wins, fail-safe holds."""

from __future__ import annotations

import threading
import time

import marshmallow as ma
import pluggy
import pytest
import sqlalchemy as sa

from discuss import Submission, Verdict, hookimpl
from discuss.extensions import db
from discuss.models import PENDING, Comment, Site
from discuss.host import SiteFacts
from discuss.moderation import PLUGIN_ERROR, ScreeningThreads, screen_comment
from discuss.plugins import PluginSettingsError, get_plugin_manager
from discuss.verdict import HOLD, PUBLISH, REJECT, strictest
from tests.helpers import THREAD_URL, post


def submission(body="hello", **fields) -> Submission:
    base = dict(body=body, author_name="A", author_email=None, site="council", thread_key="/t")
    base.update(fields)
    return Submission(**base)


class Says:
    """A plugin that answers with a fixed verdict."""

    def __init__(self, verdict):
        self.verdict = verdict

    @hookimpl
    def discuss_screen_comment(self):
        return self.verdict


@pytest.mark.parametrize("decisions, expected", [
    ([], PUBLISH),
    ([PUBLISH], PUBLISH),
    ([PUBLISH, HOLD], HOLD),
    ([HOLD, REJECT, PUBLISH], REJECT),
    ([REJECT, HOLD], REJECT),
])
def test_strictest_verdict_wins(decisions, expected):
    verdicts = [Verdict(d, "r") for d in decisions]
    assert strictest(verdicts) == expected


def test_verdicts_are_frozen_and_validated():
    verdict = Verdict.hold("why", spans=[[0, 3]])
    with pytest.raises(Exception):
        verdict.reason = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        verdict.details["spans"] = []  # type: ignore[index]
    with pytest.raises(ValueError):
        Verdict("maybe")
    assert Verdict.reject("spam").public_reason == "spam"


def test_pipeline_combines_and_keeps_every_verdict(app, pm, site):
    pm.register(Says(Verdict.hold("check me")), name="holds")
    pm.register(Says(None), name="shrugs")
    result = screen_comment(pm, submission(), site)
    assert result.decision == HOLD
    by_plugin = {pv.plugin: pv.verdict for pv in result.verdicts}
    assert by_plugin["holds"].reason == "check me"
    assert by_plugin["shrugs"].decision == PUBLISH and by_plugin["shrugs"].details["no_opinion"]
    assert result.reasons() == ["check me"]
    pm.register(Says(Verdict.reject("nope", public_reason="Please don't.")), name="rejects")
    result = screen_comment(pm, submission(), site)
    assert result.decision == REJECT
    assert result.public_reason() == "Please don't."


def test_a_raising_plugin_holds_the_comment(app, pm, site, client):
    class Broken:
        @hookimpl
        def discuss_screen_comment(self):
            raise ZeroDivisionError("oops")

    pm.register(Broken(), name="broken")
    response = post(client, "an innocent comment")
    assert response.status_code == 202
    comment = db.session.execute(sa.select(Comment)).scalar_one()
    assert comment.status == PENDING  # kept, not lost, not published
    [verdict] = [v for v in comment.verdicts if v.plugin == "broken"]
    assert (verdict.decision, verdict.reason) == (HOLD, PLUGIN_ERROR)
    assert "ZeroDivisionError" in verdict.details["error"]


def test_a_hanging_plugin_is_abandoned_after_its_budget(app, pm, site):
    release = threading.Event()

    class Hangs:
        timeout = 0.2

        @hookimpl
        def discuss_screen_comment(self):
            release.wait(10)
            return Verdict.publish()

    class After:
        @hookimpl
        def discuss_screen_comment(self):
            return Verdict.hold("still ran")

    pm.register(After(), name="after")
    pm.register(Hangs(), name="hangs")  # registered last, so pluggy calls it first
    started = time.monotonic()
    try:
        result = screen_comment(pm, submission(), site)
    finally:
        release.set()
    assert time.monotonic() - started < 5
    by_plugin = {pv.plugin: pv.verdict for pv in result.verdicts}
    assert by_plugin["hangs"].decision == HOLD and by_plugin["hangs"].reason == PLUGIN_ERROR
    assert "timed out" in by_plugin["hangs"].details["error"]
    assert by_plugin["after"].reason == "still ran"  # the plugins after it still judge
    assert result.decision == HOLD


def test_a_plugin_with_stuck_calls_is_not_called_again_until_one_ends(app, pm, site):
    """What bounds abandoned calls: with PLUGIN_STUCK_LIMIT (2) calls still running past
    their budget, the plugin is not called (held at once, "not run"); the others still
    judge, no screening waits behind the stuck threads, and once a stuck call ends the
    plugin is called again."""
    release = threading.Event()
    calls = []

    class Hangs:
        timeout = 0.2

        @hookimpl
        def discuss_screen_comment(self):
            calls.append(1)
            release.wait(10)
            return Verdict.publish()

    pm.register(Says(Verdict.hold("still ran")), name="after")
    pm.register(Hangs(), name="hangs")
    assert pm.running.limit == app.config["PLUGIN_STUCK_LIMIT"] == 2
    try:
        details = []
        for _ in range(4):
            by_plugin = {pv.plugin: pv.verdict for pv in screen_comment(pm, submission(), site).verdicts}
            assert by_plugin["hangs"].decision == HOLD and by_plugin["hangs"].reason == PLUGIN_ERROR
            assert by_plugin["after"].reason == "still ran"
            details.append(by_plugin["hangs"].details["error"])
        assert len(calls) == 2  # the third and fourth screenings did not call it
        assert [d.startswith("timed out") for d in details] == [True, True, False, False]
        assert "2 earlier calls are still running" in details[2]
        assert pm.running.overdue("hangs") == 2
    finally:
        release.set()
    for _ in range(100):
        if pm.running.overdue("hangs") == 0:
            break
        time.sleep(0.05)
    screen_comment(pm, submission(), site)
    assert len(calls) == 3  # called again once its stuck calls ended


def test_a_run_never_waits_behind_threads_stuck_in_plugins():
    threads = ScreeningThreads(max_threads=4)
    release, ran = threading.Event(), threading.Event()
    try:
        for _ in range(3):
            threads.submit(release.wait, 10)  # three threads stuck, as in abandoned calls
        threads.submit(ran.set)
        assert ran.wait(5)  # a fourth thread took it at once
        assert threads.threads == 4
    finally:
        release.set()


def test_a_slow_plugin_over_budget_holds_even_when_it_finishes(app, pm, site):
    class Slow:
        timeout = 0.05

        @hookimpl
        def discuss_screen_comment(self):
            time.sleep(0.08)
            return Verdict.publish()

    pm.register(Slow(), name="slow")
    result = screen_comment(pm, submission(), site)
    assert result.decision == HOLD


def test_a_plugin_returning_garbage_holds(app, pm, site):
    pm.register(Says("publish"), name="stringly")
    result = screen_comment(pm, submission(), site)
    assert result.decision == HOLD
    assert result.reasons() == [PLUGIN_ERROR]


def test_plugins_see_the_submission_and_their_settings(app, pm, site):
    seen = {}

    class Schema(ma.Schema):
        threshold = ma.fields.Integer(load_default=3)

    class Curious:
        name = "curious"
        settings_schema = Schema

        @hookimpl
        def discuss_screen_comment(self, submission, site, settings):
            seen.update(body=submission.body, site=site.slug, settings=dict(settings))

    pm.register(Curious(), name="curious")
    screen_comment(pm, submission("look"), site)
    assert seen == {"body": "look", "site": "council", "settings": {"threshold": 3}}
    site.moderation = {"curious": {"threshold": 9}}
    screen_comment(pm, submission("look"), site)
    assert seen["settings"] == {"threshold": 9}


def test_per_site_disable_and_global_disable(app, pm, site):
    pm.register(Says(Verdict.reject("no")), name="strict")
    site.moderation = {"strict": {"enabled": False}}
    assert screen_comment(pm, submission(), site).decision == PUBLISH
    site.moderation = {}
    assert screen_comment(pm, submission(), site).decision == REJECT
    app.config["DISABLED_PLUGINS"] = ["strict"]
    assert screen_comment(pm, submission(), site).decision == PUBLISH


def test_what_runs_is_worked_out_again_when_plugins_or_settings_change(app, pm, site):
    # The host remembers each site's screening plan; every change must show at once.
    assert screen_comment(pm, submission(), site).decision == PUBLISH
    pm.register(Says(Verdict.hold("late")), name="late")
    assert screen_comment(pm, submission(), site).reasons() == ["late"]
    site.moderation = {"late": {"enabled": False}}
    assert screen_comment(pm, submission(), site).decision == PUBLISH
    site.moderation = {}
    assert screen_comment(pm, submission(), site).decision == HOLD
    pm.unregister(name="late")
    assert screen_comment(pm, submission(), site).decision == PUBLISH


def test_opt_in_plugins_run_only_where_enabled(app, pm, site):
    class OptIn:
        enabled_by_default = False

        @hookimpl
        def discuss_screen_comment(self):
            return Verdict.hold("opted in")

    pm.register(OptIn(), name="optin")
    assert screen_comment(pm, submission(), site).decision == PUBLISH
    site.moderation = {"optin": {"enabled": True}}
    assert screen_comment(pm, submission(), site).decision == HOLD


def test_bad_settings_name_the_site_the_plugin_and_the_field(app, pm, site):
    class Schema(ma.Schema):
        limit = ma.fields.Integer(load_default=2)

    class Configurable:
        settings_schema = Schema

        @hookimpl
        def discuss_screen_comment(self):
            return None

    pm.register(Configurable(), name="configurable")
    site.moderation = {"configurable": {"limit": "lots"}}
    with pytest.raises(PluginSettingsError, match=r"site 'council', plugin 'configurable': limit"):
        screen_comment(pm, submission(), site)
    site.moderation = {"configurable": {"enabled": "yes"}}
    with pytest.raises(PluginSettingsError, match="enabled"):
        screen_comment(pm, submission(), site)


def test_bad_site_settings_are_a_start_up_error(app, database_url):
    from tests.conftest import make_app

    db.session.add(Site(slug="broken", name="B", allowed_origins=[], moderation={"profanity": {"nonsense": 1}}))
    db.session.commit()
    with pytest.raises(PluginSettingsError, match=r"site 'broken', plugin 'profanity'.*nonsense"):
        make_app(database_url)


def test_a_misspelt_hook_is_a_start_up_error():
    with pytest.raises(pluggy.PluginValidationError, match="discuss_screen_coment"):
        get_plugin_manager(builtins=("tests.sample_plugins.misspelt",), load_entry_points=False)


def test_events_fire_after_commit_with_settings(app, pm, site, client):
    events = []

    class Listener:
        @hookimpl
        def discuss_comment_published(self, comment, site, settings):
            # visible from a separate connection: the transaction has committed
            with db.engine.connect() as conn:
                status = conn.execute(sa.select(Comment.status).where(Comment.id == comment.id)).scalar_one()
            events.append(("published", comment.id, status, site.slug, dict(settings)))

        @hookimpl
        def discuss_comment_held(self, comment, reasons):
            events.append(("held", comment.id, reasons))

        @hookimpl
        def discuss_comment_rejected(self, comment, reasons):
            events.append(("rejected", comment.id, reasons))

    class Judge:
        @hookimpl
        def discuss_screen_comment(self, submission):
            if "hold" in submission.body:
                return Verdict.hold("held by judge")
            if "reject" in submission.body:
                return Verdict.reject("rejected by judge")
            return None

    pm.register(Listener(), name="listener")
    pm.register(Judge(), name="judge")
    published = post(client, "fine").json["comment"]["id"]
    held = post(client, "hold this").json["comment"]["id"]
    post(client, "reject this")
    rejected = db.session.execute(sa.select(sa.func.max(Comment.id))).scalar_one()
    assert events == [
        ("published", published, "published", "council", {}),
        ("held", held, ["held by judge"]),
        ("rejected", rejected, ["rejected by judge"]),
    ]


def test_a_failing_event_hook_does_not_undo_the_post(app, pm, site, client):
    class Noisy:
        @hookimpl
        def discuss_comment_published(self):
            raise RuntimeError("listener broke")

    pm.register(Noisy(), name="noisy")
    assert post(client, "still here").status_code == 201
    assert client.get(THREAD_URL).json["thread"]["comment_count"] == 1


def test_censoring_plugin_replaces_the_published_body(app, pm, site, client):
    class Censor:
        @hookimpl
        def discuss_screen_comment(self, submission):
            return Verdict.publish("masked", body=submission.body.replace("darn", "d**n"))

    pm.register(Censor(), name="censor")
    response = post(client, "darn potholes")
    assert response.json["comment"]["body_html"] == "<p>d**n potholes</p>"


def test_trace_hooks_logs_each_plugin_call_and_result(app, pm, site, caplog):
    pm.trace_calls()  # what TRACE_HOOKS=true does at start-up
    pm.register(Says(Verdict.hold("traced")), name="traced")
    with caplog.at_level("INFO", logger="discuss.hooks"):
        screen_comment(pm, submission(), site)
    messages = [r.getMessage() for r in caplog.records]
    assert "traced discuss_screen_comment(history, settings, site, submission)" in messages
    assert any(m.startswith("traced discuss_screen_comment -> [Verdict(decision='hold'") for m in messages)


def test_a_hang_after_a_plugin_with_a_longer_budget_is_abandoned_on_its_own_budget(app, pm, site):
    """The caller sleeps until the running plugin's budget ends; when the worker moves on
    to a plugin with a shorter budget, that one's end must wake it. (It slept on: a post
    behind a 10 s plugin and a hanging 1 s one waited the 10 s, past its client's timeout.)"""
    release = threading.Event()

    class Patient:
        timeout = 60.0  # far longer than this test waits

        @hookimpl
        def discuss_screen_comment(self):
            time.sleep(0.2)  # well within its budget: the caller is asleep by now
            return None

    class Hangs:
        timeout = 0.2

        @hookimpl
        def discuss_screen_comment(self):
            release.wait(60)
            return None

    pm.register(Says(Verdict.hold("still ran")), name="after")
    pm.register(Hangs(), name="hangs")
    pm.register(Patient(), name="patient")  # registered last, so pluggy calls it first
    assert pm.call_order("discuss_screen_comment")[:3] == ("patient", "hangs", "after")
    facts = SiteFacts.of(site)
    screened = []
    screening = threading.Thread(target=lambda: screened.append(screen_comment(pm, submission(), facts)))
    try:
        screening.start()
        screening.join(20)  # a third of the patient plugin's budget: it must not be waited out
        finished_while_hanging = not screening.is_alive() and not release.is_set()
    finally:
        release.set()
        screening.join(70)
    assert finished_while_hanging
    by_plugin = {pv.plugin: pv.verdict for pv in screened[0].verdicts}
    assert by_plugin["patient"].decision == PUBLISH and by_plugin["patient"].details["no_opinion"]
    assert "timed out" in by_plugin["hangs"].details["error"]
    assert by_plugin["after"].reason == "still ran"
