"""Helpers and pytest fixtures for plugin authors.

Once ``discuss`` is installed, pytest loads this module as a plugin (entry point
``pytest11``), so the fixtures below are available in any test suite::

    from discuss.testing import make_submission, register_plugin, run_plugin, screen

    import my_plugin

    def test_shouting_is_held():
        verdict = run_plugin(my_plugin, make_submission(body="STOP THE BUS LANE NOW"))
        assert verdict.decision == "hold"

    def test_whole_pipeline(discuss_app, discuss_host):
        register_plugin(discuss_host, my_plugin)
        assert screen(discuss_host, "A fair point.").decision == "publish"

Fixtures: ``discuss_app`` (an app on a throwaway SQLite database, with an
application context pushed), ``discuss_host`` (a fresh plugin host with the
built-in plugins and nothing else, installed on that app), ``discuss_site``
(a saved site with default settings).

A plugin's background jobs (``discuss.job``) run with ``run_jobs(discuss_app)``:
every job due, in the test's process, through the app's real queue storage.

Plugins that ask ``history`` get the real one (:class:`discuss.History`) on the
``discuss_app`` database when an app context is active, and an empty one
(no past comments, no bans) otherwise.
"""

from __future__ import annotations

import inspect
from typing import Any, Iterator, Mapping

import pytest

from .submission import Submission
from .values import SiteView
from .verdict import Verdict

__all__ = ["make_submission", "load_settings", "run_plugin", "register_plugin", "screen", "make_test_app",
           "site_view", "run_jobs"]

_SUBMISSION_DEFAULTS: dict[str, Any] = {
    "body": "A fair point about the bins.",
    "author_name": "Resident",
    "author_email": "resident@example.org",
    "site": "council",
    "thread_key": "/blog/post",
    "thread_title": "Bin collections",
    "page_url": "https://council.example/blog/post",
    "parent_id": None,
    "ip_hash": "0" * 64,
    "user_agent": "pytest",
    "extra": {},
}


def make_submission(body: str | None = None, **overrides: Any) -> Submission:
    """A :class:`~discuss.Submission` with sensible defaults; pass any field to change it."""
    fields = dict(_SUBMISSION_DEFAULTS)
    if body is not None:
        fields["body"] = body
    fields.update(overrides)
    if fields.get("received_at") is None:
        from .models import utcnow

        fields["received_at"] = utcnow()
    return Submission(**fields)


def load_settings(plugin: Any, settings: Mapping[str, Any] | None = None, *, site: str = "council") -> dict:
    """``settings`` loaded through the plugin's ``settings_schema``, as the service would.

    :raises discuss.plugins.PluginSettingsError: naming the site, plugin and field.
    """
    from .plugins import PluginInfo, effective_settings, plugin_name

    schema_cls = getattr(plugin, "settings_schema", None)
    info = PluginInfo(
        name=plugin_name(plugin), plugin=plugin, hooks=(), schema=schema_cls() if schema_cls else None,
        enabled_by_default=True, timeout=None, distribution=None,
    )
    _, loaded = effective_settings(info, {k: v for k, v in (settings or {}).items() if k != "enabled"},
                                   site_label=site)
    return loaded


def site_view(slug: str = "council", name: str = "Test Council",
              origins: tuple[str, ...] = ("https://council.example",)) -> SiteView:
    """A :class:`~discuss.SiteView` as plugins receive it."""
    return SiteView(slug=slug, name=name, origins=tuple(origins))


def run_plugin(
    plugin: Any,
    submission: Submission | str | None = None,
    settings: Mapping[str, Any] | None = None,
    *,
    site: Any = None,
    history: Any = None,
) -> Verdict | None:
    """Call one plugin's ``discuss_screen_comment`` directly and return what it says.

    ``submission`` may be a body string. ``settings`` go through the plugin's
    schema first, so a wrong setting fails here as it would at start-up. ``site``
    is a Site row or a :class:`~discuss.SiteView` (default: :func:`site_view`).
    ``history`` defaults to the real history of ``site`` on the current app's
    database (an empty one outside an application context).
    """
    if submission is None or isinstance(submission, str):
        submission = make_submission(submission)
    loaded = load_settings(plugin, settings, site=submission.site)
    from .host import SiteFacts

    facts = SiteFacts.of(site if site is not None else site_view(slug=submission.site))
    own_history = history is None
    if own_history:
        history = _history_for(facts)
    hook = getattr(plugin, "discuss_screen_comment")
    offered = {"submission": submission, "site": facts.view, "settings": loaded, "history": history}
    wanted = inspect.signature(hook).parameters
    try:
        return hook(**{name: value for name, value in offered.items() if name in wanted})
    finally:
        if own_history:
            history.close()


def _history_for(facts: Any) -> Any:
    from flask import current_app, has_app_context

    from .history import History

    if has_app_context() and "discuss" in current_app.extensions:
        return current_app.extensions["discuss"].history_for(facts)
    return History.empty()


def register_plugin(host: Any, plugin: Any) -> str:
    """Register ``plugin`` on a plugin host under its public name (its ``name`` attribute),
    as the service does, and return the name. Sites' settings are keyed by that name."""
    return host.register(plugin)


def screen(host: Any, body: str | Submission, *, site: Any = None,
           settings: Mapping[str, Any] | None = None, **fields: Any):
    """Run the whole screening pipeline (every enabled plugin) on one text.

    Needs an application context (the ``discuss_app`` fixture, or the service's
    own ``app`` fixture). ``site`` defaults to default settings; pass a saved
    site (``discuss_site``) to use its settings and history. ``settings`` sets
    plugins' settings for this call, as a site's configuration would:
    ``{"my_plugin": {"enabled": False}}``. Returns the
    :class:`~discuss.moderation.Screening`.
    """
    from .host import SiteFacts

    submission = body if isinstance(body, Submission) else make_submission(body, **fields)
    facts = SiteFacts.of(site if site is not None else
                         site_view(slug=submission.site, name="(default settings)", origins=()))
    if settings:
        facts = SiteFacts(facts.view, facts.id, {**facts.moderation, **settings})
    return host.screen(submission, facts)


def run_jobs(app: Any, *, now: Any = None, periodic: bool = False) -> list[dict[str, Any]]:
    """Run every job due now, in this process, through the app's real queue storage; what ran.

    Jobs run as under ``discuss worker``: each in a fresh app context, under the
    request id it was enqueued with. Retries whose time has come run in the same
    call; pass ``now`` (a UTC ``datetime``, later than the present) to run retries
    scheduled before it, e.g. to reach a dead letter without waiting. ``periodic``
    also runs the periodic jobs due at ``now``. Each entry of the result is
    ``{"task": "module.name", "args": [...], "kwargs": {...}, "ok": bool, "error": str | None}``.

    The test's own session commits first, so jobs see what the test stored.
    """
    import contextvars

    from flask import has_app_context

    from .extensions import db
    from .jobs import run_due

    if has_app_context():
        db.session.commit()
    return contextvars.Context().run(run_due, app, now=now, periodic_too=periodic)


def make_test_app(database_url: str, **config: Any):
    """An app for tests: no rate limits, no CSRF, entry points loaded unless told; its job queue
    is a SQLite file beside a SQLite database (else in the instance folder) unless ``QUEUE_URL`` is given."""
    from . import create_app

    if "QUEUE_URL" not in config and database_url.startswith("sqlite:///") and ":memory:" not in database_url:
        config["QUEUE_URL"] = database_url.rsplit(".", 1)[0] + "-queue.db"
    settings = {
        "DATABASE_URL": database_url,
        "TESTING": True,
        "SECRET_KEY": "test",
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
    }
    settings.update(config)
    return create_app(settings)


# -- pytest fixtures ----------------------------------------------------------

@pytest.fixture
def discuss_app(tmp_path) -> Iterator[Any]:
    """An app on a fresh SQLite database in ``tmp_path``, inside an application context."""
    from .extensions import db

    app = make_test_app("sqlite:///" + str(tmp_path / "discuss-plugin-test.db"))
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def discuss_host(discuss_app) -> Any:
    """A fresh plugin host with only the built-in plugins, used by ``discuss_app``.

    Register your plugin on it (``register_plugin(discuss_host, my_plugin)``) to
    see it run with the others.
    """
    from .host import PluginHost
    from .plugins import get_plugin_manager

    host = PluginHost.for_app(discuss_app, get_plugin_manager(load_entry_points=False))
    discuss_app.extensions["discuss"] = host
    return host


@pytest.fixture
def discuss_site(discuss_app) -> Any:
    """A saved site ``council`` with default plugin settings; change ``moderation`` to tune."""
    from .extensions import db
    from .models import Site

    site = Site(slug="council", name="Test Council", allowed_origins=["https://council.example"],
                moderation={})
    db.session.add(site)
    db.session.commit()
    return site

