"""Helpers and pytest fixtures for plugin authors.

Once ``discuss`` is installed, pytest loads this module as a plugin (entry point
``pytest11``), so the fixtures below are available in any test suite::

    from discuss.testing import make_submission, register_plugin, run_plugin, screen

    import my_plugin

    def test_shouting_is_held():
        verdict = run_plugin(my_plugin, make_submission(body="STOP THE BUS LANE NOW"))
        assert verdict.decision == "hold"

    def test_whole_pipeline(discuss_app, discuss_pm):
        register_plugin(discuss_pm, my_plugin)
        assert screen(discuss_pm, "A fair point.").decision == "publish"

Fixtures: ``discuss_app`` (an app on a throwaway SQLite database, with an
application context pushed), ``discuss_pm`` (a fresh plugin manager with the
built-in plugins and nothing else, installed on that app), ``discuss_site``
(a saved site with default settings).
"""

from __future__ import annotations

import inspect
from typing import Any, Iterator, Mapping

import pytest

from .submission import Submission
from .verdict import Verdict

__all__ = ["make_submission", "load_settings", "run_plugin", "register_plugin", "screen", "make_test_app"]

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


def run_plugin(
    plugin: Any,
    submission: Submission | str | None = None,
    settings: Mapping[str, Any] | None = None,
    *,
    site: Any = None,
) -> Verdict | None:
    """Call one plugin's ``discuss_screen_comment`` directly and return what it says.

    ``submission`` may be a body string. ``settings`` go through the plugin's
    schema first, so a wrong setting fails here as it would at start-up. Plugins
    that query the database need an application context (``discuss_app``).
    """
    if submission is None or isinstance(submission, str):
        submission = make_submission(submission)
    loaded = load_settings(plugin, settings, site=submission.site)
    if site is None:
        from .models import Site

        site = Site(slug=submission.site, name=submission.site, allowed_origins=[], moderation={})
    hook = getattr(plugin, "discuss_screen_comment")
    offered = {"submission": submission, "site": site, "settings": loaded}
    wanted = inspect.signature(hook).parameters
    return hook(**{name: value for name, value in offered.items() if name in wanted})


def register_plugin(pm: Any, plugin: Any) -> str:
    """Register ``plugin`` under its public name (its ``name`` attribute), as the service does.

    Sites' settings are keyed by that name; a bare ``pm.register(module)`` would
    use the module's import path instead. Returns the name.
    """
    from .plugins import plugin_name

    name = plugin_name(plugin)
    pm.register(plugin, name=name)
    return name


def screen(pm: Any, body: str | Submission, *, site: Any = None, **fields: Any):
    """Run the whole screening pipeline (every enabled plugin) on one text.

    Needs an application context (the ``discuss_app`` fixture, or the service's
    own ``app`` fixture). ``site`` defaults to an unsaved site with default
    settings; pass a saved :class:`~discuss.models.Site` to use its settings.
    Returns the :class:`~discuss.moderation.Screening`.
    """
    from .models import Site
    from .moderation import screen_comment

    submission = body if isinstance(body, Submission) else make_submission(body, **fields)
    if site is None:
        site = Site(id=0, slug=submission.site, name="(default settings)", allowed_origins=[], moderation={})
    return screen_comment(pm, submission, site)


def make_test_app(database_url: str, **config: Any):
    """An app for tests: no rate limits, no CSRF, entry points loaded unless told."""
    from . import create_app

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
def discuss_pm(discuss_app) -> Any:
    """A fresh plugin manager with only the built-in plugins, used by ``discuss_app``.

    Register your plugin on it (``register_plugin(discuss_pm, my_plugin)``) to
    see it run with the others.
    """
    from .plugins import get_plugin_manager

    manager = get_plugin_manager(load_entry_points=False)
    discuss_app.extensions["discuss"] = manager
    return manager


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

