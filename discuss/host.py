"""The plugin host: the one object between discuss and its plugins.

The app keeps one in ``app.extensions["discuss"]``. It owns the plugin manager,
works out which plugins are enabled on a site and with which settings, builds
the values plugins see (:mod:`discuss.values`, :mod:`discuss.history`), runs
screening with per-plugin time budgets (:mod:`discuss.moderation`) and
dispatches event hooks.

Every hook is called through pluggy, one plugin at a time (a subset hook caller
per plugin), in pluggy's order: ``tryfirst``/``trylast`` and last-registered-first
apply, and ``pm.enable_tracing()`` and ``pm.add_hookcall_monitoring()`` see each
call. One plugin at a time is what lets each get its own settings, its own time
budget and its own failure; hook wrappers, which would then wrap a single
plugin, are refused at registration (:class:`discuss.plugins.DiscussPluginManager`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .isolation import IsolatedRunner, NotIsolatable, hook_target, isolated_names
from .moderation import RunningCalls, ScreeningThreads
from .plugins import DiscussPluginManager, PluginInfo, describe_plugins, effective_settings
from .values import ActionView, CommentView, ModeratorView, ReportView, SiteView

if TYPE_CHECKING:  # pragma: no cover
    from flask import Flask

    from .moderation import Screening, Step
    from .submission import Submission

log = logging.getLogger(__name__)
trace_log = logging.getLogger("discuss.hooks")

@dataclass(frozen=True)
class SiteFacts:
    """What the host needs of a site: the value plugins see, and (privately) its
    database id for history and its per-plugin settings."""

    view: SiteView
    id: int | None
    moderation: Mapping[str, Any]

    @classmethod
    def of(cls, site: Any) -> "SiteFacts":
        if isinstance(site, SiteFacts):
            return site
        if site is None:
            return cls(SiteView(slug="?", name="(default settings)"), None, {})
        if isinstance(site, SiteView):
            return cls(site, None, {})
        return cls(SiteView.of(site), getattr(site, "id", None) or None, dict(site.moderation or {}))


@dataclass(frozen=True)
class Enabled:
    """One plugin enabled on a site, with its loaded settings (read-only)."""

    info: PluginInfo
    settings: Mapping[str, Any]


class PluginHost:
    """discuss's side of the plugin contract; see the module docstring."""

    #: Screening threads per process at most. A thread starts only when none is idle; one
    #: stuck in an abandoned call is not idle, so the next screening gets another.
    MAX_THREADS = 64

    def __init__(self, pm: DiscussPluginManager, *, default_timeout: float = 5.0,
                 disabled: Iterable[str] = (), workers: int = MAX_THREADS, app: "Flask | None" = None,
                 stuck_limit: int = 2) -> None:
        self.pm = pm
        self.app = app
        self.default_timeout = float(default_timeout)
        self._disabled = frozenset(disabled)
        # Plugins screen on these threads so that one that hangs can be abandoned.
        self.executor = ScreeningThreads(workers)
        # Bounds the calls left running by abandoned workers (discuss/moderation.py).
        self.running = RunningCalls(stuck_limit)
        self._seen_changes = -1
        self._infos: dict[str, PluginInfo] = {}
        self._callers: dict[tuple[str, str], Any] = {}
        self._order: dict[str, tuple[str, ...]] = {}
        self._settings = lru_cache(maxsize=1024)(self._load_settings)
        self._untrace: Any = None
        self._engine: Any = None
        self._isolation: IsolatedRunner | None = None
        self._plans: dict[tuple, tuple] = {}

    @classmethod
    def for_app(cls, app: "Flask", pm: DiscussPluginManager) -> "PluginHost":
        host = cls(pm, default_timeout=float(app.config["PLUGIN_TIMEOUT"]),
                   disabled=app.config["DISABLED_PLUGINS"], app=app,
                   stuck_limit=int(app.config["PLUGIN_STUCK_LIMIT"]))
        if app.config.get("TRACE_HOOKS"):
            host.trace_calls()
        return host

    @property
    def disabled(self) -> frozenset[str]:
        """Plugins switched off on every site (the ``DISABLED_PLUGINS`` setting)."""
        if self.app is not None:
            return frozenset(self.app.config["DISABLED_PLUGINS"])
        return self._disabled

    # -- registration (delegated to the plugin manager, which checks the contract)

    def register(self, plugin: Any, name: str | None = None) -> str:
        """Register a plugin under its public name (its ``name`` attribute by default)."""
        return self.pm.register(plugin, name=name) or ""

    def unregister(self, plugin: Any = None, name: str | None = None) -> Any:
        return self.pm.unregister(plugin, name=name)

    # -- what runs ---------------------------------------------------------------

    def infos(self) -> list[PluginInfo]:
        """Every registered plugin, by name."""
        self._refresh()
        return list(self._infos.values())

    def enabled(self, site: Any) -> list[Enabled]:
        """The plugins enabled on ``site`` (a Site row, a :class:`SiteView` or None for the
        defaults) with their settings, in name order.

        :raises discuss.plugins.PluginSettingsError: when the site's settings do not validate.
        """
        facts = SiteFacts.of(site)
        self._refresh()
        chosen = []
        disabled = self.disabled
        for info in self._infos.values():
            if info.name in disabled:
                continue
            raw = facts.moderation.get(info.name)
            key = json.dumps(raw, sort_keys=True, default=str) if raw else ""
            is_enabled, settings = self._settings(info.name, key, facts.view.slug)
            if is_enabled:
                chosen.append(Enabled(info, settings))
        return chosen

    def call_order(self, hook_name: str) -> tuple[str, ...]:
        """Names of the plugins implementing ``hook_name``, in the order pluggy calls them."""
        self._refresh()
        order = self._order.get(hook_name)
        if order is None:
            impls = getattr(self.pm.hook, hook_name).get_hookimpls()
            order = self._order[hook_name] = tuple(impl.plugin_name for impl in reversed(impls))
        return order

    def caller(self, hook_name: str, name: str) -> Any:
        """A pluggy hook caller that calls only plugin ``name``'s implementation."""
        self._refresh()
        key = (hook_name, name)
        caller = self._callers.get(key)
        if caller is None:
            hook = getattr(self.pm.hook, hook_name)
            impls = self._impls(hook_name, name)
            if hook.is_historic() or len(impls) != 1:
                only = self.pm.get_plugin(name)
                others = [p for _, p in self.pm.list_name_plugin() if p is not None and p is not only]
                caller = self.pm.subset_hook_caller(hook_name, others)
            else:
                caller = _OnePlugin(hook, impls[0])
            self._callers[key] = caller
        return caller

    def takes(self, hook_name: str, name: str, argument: str) -> bool:
        """Whether plugin ``name``'s implementation of ``hook_name`` takes ``argument``
        (True when that cannot be told: a plugin implementing the hook more than once)."""
        impls = self._impls(hook_name, name)
        return len(impls) != 1 or argument in _arguments(impls[0])

    def _impls(self, hook_name: str, name: str) -> list[Any]:
        """Plugin ``name``'s implementations of ``hook_name``."""
        return [impl for impl in getattr(self.pm.hook, hook_name).get_hookimpls() if impl.plugin_name == name]

    def isolated(self) -> frozenset[str]:
        """Plugins that screen in a separate process (the ``ISOLATE_PLUGINS`` setting)."""
        setting = self.app.config["ISOLATE_PLUGINS"] if self.app is not None else ()
        if not setting:
            return frozenset()
        return isolated_names(setting, ((info.name, info.builtin) for info in self.infos()))

    def isolated_caller(self, hook_name: str, name: str, timeout: float) -> Any:
        """Like :meth:`caller`, but the call runs in an isolated process killed after ``timeout``."""
        if self._isolation is None:
            workers = int(self.app.config["ISOLATION_WORKERS"]) if self.app is not None else 2
            self._isolation = IsolatedRunner(workers)
        impl = self._impls(hook_name, name)[0]
        try:
            target = hook_target(impl.function)
        except NotIsolatable as exc:
            problem = exc

            def refuse(**_kwargs: Any) -> list[Any]:
                raise problem  # judged like any failing plugin: the comment holds

            return refuse
        self._isolation.warm()
        wants = _arguments(impl)
        engine = self.engine()
        url = engine.url.render_as_string(hide_password=False) if engine is not None else None
        runner = self._isolation

        def call(history: Any = None, **kwargs: Any) -> list[Any]:
            values = {key: (dict(value) if key == "settings" else value)
                      for key, value in kwargs.items() if key in wants}
            past = (url, history._site_id) if "history" in wants and url and history is not None else None
            value = runner.call(target, values, timeout, past)
            return [] if value is None else [value]

        return call

    def engine(self) -> Any:
        """The app's database engine (None for a host without an app)."""
        if self.app is None:
            return None
        if self._engine is None:
            from .extensions import db

            with self.app.app_context():
                self._engine = db.engine
        return self._engine

    def history_for(self, site: Any, engine: Any = None):
        """A :class:`discuss.history.History` for ``site`` (empty without a database)."""
        from .history import History

        return History(engine if engine is not None else self.engine(), SiteFacts.of(site).id)

    def screening_plan(self, site: Any) -> tuple["Step", ...]:
        """Each plugin that screens comments on ``site``: name, hook caller, budget and
        settings, in call order (:func:`discuss.moderation.plan_screening`).

        Remembered per site settings, plugins and configuration (``DISABLED_PLUGINS``,
        the default timeout), so that a comment costs none of the work of choosing;
        worked out afresh while any plugin runs isolated (its caller holds a process pool).

        :raises discuss.plugins.PluginSettingsError: when the site's settings do not validate.
        """
        from .moderation import plan_screening

        facts = SiteFacts.of(site)
        self._refresh()
        if self.isolated():
            return plan_screening(self, facts)
        moderation = json.dumps(facts.moderation, sort_keys=True, default=str) if facts.moderation else ""
        key = (facts.view.slug, moderation, self.disabled, self.default_timeout)
        plan = self._plans.get(key)
        if plan is None:
            plan = plan_screening(self, facts)
            if len(self._plans) >= 256:
                self._plans.clear()  # bounded: sites are few, but settings can be edited
            self._plans[key] = plan
        return plan

    # -- calling -----------------------------------------------------------------

    def screen(self, submission: "Submission", site: Any) -> "Screening":
        """Every enabled plugin's verdict on ``submission``; see :func:`discuss.moderation.screen_comment`."""
        from .moderation import run_screening

        return run_screening(self, submission, SiteFacts.of(site))

    def fire(self, hook_name: str, site: Any, **kwargs: Any) -> None:
        """Call event hook ``hook_name`` on every plugin enabled on ``site``.

        Rows passed as ``comment``, ``moderator``, ``record`` or ``report`` are shown
        to plugins as values. An exception is logged and never reaches the caller.
        """
        try:
            facts = SiteFacts.of(site)
            enabled = {e.info.name: e.settings for e in self.enabled(facts)}
            offered = _as_values(kwargs)
            offered["site"] = facts.view
        except Exception:
            log.exception("could not prepare %s for the plugins", hook_name)
            return
        for name in self.call_order(hook_name):
            if name not in enabled:
                continue
            try:
                self.caller(hook_name, name)(**offered, settings=enabled[name])
            except Exception:
                log.exception("plugin %s failed in %s", name, hook_name)

    def check_site(self, site: Any) -> None:
        """Load every plugin's settings for ``site``; raises PluginSettingsError if one is wrong."""
        self.enabled(site)

    def trace_calls(self) -> None:
        """Log every hook call, naming the plugin, its arguments and its result (TRACE_HOOKS)."""
        if self._untrace is not None:
            return

        def before(hook_name, impls, kwargs):
            trace_log.info("%s %s(%s)", ",".join(i.plugin_name for i in impls), hook_name,
                           ", ".join(sorted(kwargs)))

        def after(outcome, hook_name, impls, kwargs):
            result = outcome.exception if outcome.exception is not None else outcome.get_result()
            trace_log.info("%s %s -> %r", ",".join(i.plugin_name for i in impls), hook_name, result)

        self._untrace = self.pm.add_hookcall_monitoring(before, after)

    # -- internals ---------------------------------------------------------------

    def _refresh(self) -> None:
        changes = self.pm.changes
        if changes != self._seen_changes:
            self._infos = {info.name: info for info in describe_plugins(self.pm)}
            self._callers.clear()
            self._order.clear()
            self._settings.cache_clear()
            self._plans.clear()
            self._seen_changes = changes

    def _load_settings(self, name: str, raw_json: str, site_label: str) -> tuple[bool, Mapping[str, Any]]:
        raw = json.loads(raw_json) if raw_json else None
        enabled, settings = effective_settings(self._infos[name], raw, site_label=site_label)
        return enabled, MappingProxyType(settings)


class _OnePlugin:
    """Calls one plugin's implementation of a hook as pluggy's subset hook caller does:
    through the plugin manager's hook execution, which ``enable_tracing`` and
    ``add_hookcall_monitoring`` wrap, so they see each call. What the subset caller
    works out on every call (which implementations, the spec's defaults and options)
    is worked out once: screening calls a hook per plugin for every comment, and this
    halves pluggy's part of it (the caller is rebuilt when plugins change)."""

    __slots__ = ("name", "impls", "execute", "defaults", "firstresult")

    def __init__(self, hook: Any, impl: Any) -> None:
        self.name = hook.name
        self.impls = (impl,)
        self.execute = hook._hookexec  # the plugin manager's: what tracing and monitoring replace
        spec = hook.spec
        self.defaults = dict(getattr(spec, "kwargdefaults", None) or {}) if spec is not None else {}
        self.firstresult = bool(spec.opts.get("firstresult", False)) if spec is not None else False

    def __call__(self, **kwargs: Any) -> Any:
        if self.defaults:
            kwargs = {**self.defaults, **kwargs}
        return self.execute(self.name, list(self.impls), kwargs, self.firstresult)


def _arguments(impl: Any) -> frozenset[str]:
    """The arguments a hook implementation takes (pluggy passes it only those)."""
    return frozenset(impl.argnames) | frozenset(impl.kwargnames)


_VALUE_OF = {"comment": CommentView, "moderator": ModeratorView, "record": ActionView, "report": ReportView}


def _as_values(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    shown = {}
    for key, value in kwargs.items():
        view = _VALUE_OF.get(key)
        shown[key] = view.of(value) if view is not None and not isinstance(value, view) else value
    return shown


def get_host(app: "Flask | None" = None) -> PluginHost:
    """The current app's plugin host."""
    if app is None:
        from flask import current_app

        app = current_app
    return app.extensions["discuss"]




def plugin_settings(site: str, plugin: str) -> Mapping[str, Any] | None:
    """The settings ``plugin`` has on site ``site`` now (read-only), or None when it is not
    enabled there or the site is gone. For a plugin's jobs, which run outside any hook and
    so are handed no ``settings``: a job reads them when it runs, so a changed secret or a
    switched-off plugin applies to work already queued. Needs an app context (jobs have one)."""
    import sqlalchemy as sa

    from .extensions import db
    from .models import Site

    row = db.session.execute(sa.select(Site).filter_by(slug=site)).scalar_one_or_none()
    if row is None:
        return None
    for enabled in get_host().enabled(row):
        if enabled.info.name == plugin:
            return enabled.settings
    return None
