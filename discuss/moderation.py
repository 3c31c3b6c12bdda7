"""Screening: every enabled plugin judges every reply; the strictest verdict wins.

Fail-safe by construction: a plugin that raises, returns something that is not a
:class:`~discuss.verdict.Verdict`, or overruns its time budget counts as
``hold`` with reason "plugin error", so nothing is published unscreened.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Mapping

import pluggy
from flask import Flask, current_app

from .models import Site
from .plugins import PluginInfo, describe_plugins, effective_settings
from .submission import Submission
from .verdict import PUBLISH, REJECT, Verdict, strictest

log = logging.getLogger(__name__)
trace_log = logging.getLogger("discuss.hooks")

PLUGIN_ERROR = "plugin error"

# Plugins run here so that one that hangs can be abandoned after its budget.
# A hung plugin keeps its thread until it returns; with every thread hung, new
# screenings time out and hold, which is the safe failure.
_executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="discuss-plugin")


@dataclass(frozen=True)
class PluginVerdict:
    """A plugin's verdict as stored: which plugin, what it said, how long it took."""

    plugin: str
    verdict: Verdict
    elapsed_ms: float


@dataclass(frozen=True)
class Screening:
    """The outcome of screening one submission."""

    decision: str
    verdicts: tuple[PluginVerdict, ...]
    body: str  # the text to store: the submission's, or a plugin's replacement

    def reasons(self, decision: str | None = None) -> list[str]:
        """Reasons of the verdicts with ``decision`` (default: the winning one)."""
        wanted = decision or self.decision
        return [pv.verdict.reason for pv in self.verdicts if pv.verdict.decision == wanted]

    @property
    def silent(self) -> bool:
        """A rejection the author must not learn about (a verdict said ``silent``)."""
        return self.decision == REJECT and any(
            pv.verdict.silent for pv in self.verdicts if pv.verdict.decision == REJECT
        )

    def public_reason(self) -> str:
        """What to tell the author when rejected: the first rejecting plugin's public reason."""
        for pv in self.verdicts:
            if pv.verdict.decision == self.decision and pv.verdict.public_reason:
                return pv.verdict.public_reason
        return "Your comment could not be published."

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "reasons": [
                {"plugin": pv.plugin, "decision": pv.verdict.decision, "reason": pv.verdict.reason}
                for pv in self.verdicts
            ],
        }


@dataclass
class _Job:
    info: PluginInfo
    function: Callable[..., Any]
    kwargs: dict[str, Any]
    budget: float


@dataclass
class _Run:
    """One worker's pass over the remaining jobs; abandoned when a job overruns."""

    jobs: list[_Job]
    results: "queue.Queue[tuple[int, Any, float, BaseException | None]]" = field(
        default_factory=queue.Queue
    )
    abandoned: threading.Event = field(default_factory=threading.Event)


def screen_comment(
    pm: pluggy.PluginManager,
    submission: Submission,
    site: Site,
    *,
    app: Flask | None = None,
) -> Screening:
    """Run every enabled plugin's ``discuss_screen_comment`` and combine the verdicts.

    Plugins run one after another in a worker thread with an application context;
    each has its own time budget. Returns a :class:`Screening` whose ``decision``
    is the strictest verdict (publish when no plugin has an opinion).

    :raises discuss.plugins.PluginSettingsError: when the site's settings for a
        plugin do not validate (a configuration error, not the resident's).
    """
    app = app or current_app._get_current_object()
    default_budget = float(app.config["PLUGIN_TIMEOUT"])
    jobs = []
    for info, settings in enabled_plugins(pm, site, app=app):
        if "discuss_screen_comment" not in info.hooks:
            continue
        for impl in pm.hook.discuss_screen_comment.get_hookimpls():
            if impl.plugin is info.plugin:
                offered = {"submission": submission, "site": site, "settings": settings}
                jobs.append(_Job(
                    info=info,
                    function=impl.function,
                    kwargs={name: offered[name] for name in impl.argnames},
                    budget=float(info.timeout or default_budget),
                ))
    results = _run_with_budgets(app, jobs)
    verdicts = tuple(results)
    decision = strictest(pv.verdict for pv in verdicts)
    body = submission.body
    if decision == PUBLISH:
        for pv in verdicts:
            if pv.verdict.body is not None:
                body = pv.verdict.body
    return Screening(decision=decision, verdicts=verdicts, body=body)


def enabled_plugins(
    pm: pluggy.PluginManager, site: Site | None, *, app: Flask | None = None
) -> list[tuple[PluginInfo, Mapping[str, Any]]]:
    """The plugins enabled on ``site`` with their effective settings, in call order."""
    app = app or current_app._get_current_object()
    disabled = set(app.config["DISABLED_PLUGINS"])
    moderation = (site.moderation if site is not None else None) or {}
    label = site.slug if site is not None else "?"
    enabled = []
    for info in _plugin_infos(pm):
        if info.name in disabled:
            continue
        is_enabled, settings = _settings_for(info, moderation.get(info.name), label)
        if is_enabled:
            enabled.append((info, settings))
    return enabled


def fire_event(
    pm: pluggy.PluginManager, hook_name: str, site: Site, *, app: Flask | None = None, **kwargs: Any
) -> None:
    """Call ``hook_name`` on every plugin enabled on ``site``; log and swallow exceptions."""
    app = app or current_app._get_current_object()
    enabled = {info.name: settings for info, settings in enabled_plugins(pm, site, app=app)}
    for impl in getattr(pm.hook, hook_name).get_hookimpls():
        if impl.plugin_name not in enabled:
            continue
        offered = {"site": site, "settings": enabled[impl.plugin_name], **kwargs}
        try:
            _trace(app, hook_name, impl.plugin_name, offered)
            impl.function(**{name: offered[name] for name in impl.argnames})
        except Exception:
            log.exception("plugin %s failed in %s", impl.plugin_name, hook_name)


# -- internals -------------------------------------------------------------

def _run_with_budgets(app: Flask, jobs: list[_Job]) -> list[PluginVerdict]:
    """Run jobs in order in a worker; abandon the worker when one overruns its budget."""
    results: list[PluginVerdict] = []
    index = 0
    while index < len(jobs):
        run = _Run(jobs=jobs[index:])
        _executor.submit(_work, app, run)
        while index < len(jobs):
            job = jobs[index]
            try:
                _, value, elapsed, error = run.results.get(timeout=job.budget + 0.05)
            except queue.Empty:
                run.abandoned.set()
                log.error("plugin %s overran its %.1fs budget", job.info.name, job.budget)
                results.append(_failed(job, f"timed out after {job.budget:g}s", job.budget * 1000))
                index += 1
                break  # start a fresh worker for the jobs after the hung one
            results.append(_judge(app, job, value, elapsed, error))
            index += 1
    return results


def _work(app: Flask, run: _Run) -> None:
    with app.app_context():
        for position, job in enumerate(run.jobs):
            if run.abandoned.is_set():
                return
            started = time.perf_counter()
            try:
                value, error = job.function(**job.kwargs), None
            except BaseException as exc:  # noqa: BLE001 - a plugin must never break screening
                value, error = None, exc
            run.results.put((position, value, time.perf_counter() - started, error))


def _judge(app: Flask, job: _Job, value: Any, elapsed: float, error: BaseException | None) -> PluginVerdict:
    elapsed_ms = elapsed * 1000
    name = job.info.name
    if error is not None:
        log.error("plugin %s raised while screening", name, exc_info=error)
        return _failed(job, f"raised {type(error).__name__}: {error}"[:300], elapsed_ms)
    if elapsed > job.budget:
        log.error("plugin %s took %.0f ms, over its %.1fs budget", name, elapsed_ms, job.budget)
        return _failed(job, f"took {elapsed:.2f}s, over its {job.budget:g}s budget", elapsed_ms)
    if value is None:
        verdict = None
    elif isinstance(value, Verdict):
        verdict = value
    else:
        return _failed(job, f"returned {type(value).__name__}, not a Verdict", elapsed_ms)
    _trace(app, "discuss_screen_comment", name, job.kwargs, verdict)
    if verdict is None:
        verdict = Verdict.publish("no opinion", no_opinion=True)
    return PluginVerdict(name, verdict, elapsed_ms)


def _failed(job: _Job, detail: str, elapsed_ms: float) -> PluginVerdict:
    return PluginVerdict(job.info.name, Verdict.hold(PLUGIN_ERROR, error=detail), elapsed_ms)


def _trace(app: Flask, hook: str, plugin: str, kwargs: Mapping[str, Any], result: Any = "-") -> None:
    if app.config.get("TRACE_HOOKS"):
        trace_log.info("%s %s(%s) -> %r", plugin, hook, ", ".join(sorted(kwargs)), result)


_infos_cache: dict[int, tuple[pluggy.PluginManager, list[PluginInfo]]] = {}


def _plugin_infos(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """describe_plugins(pm), cached while the registered plugins stay the same."""
    registered = tuple(id(p) for _, p in pm.list_name_plugin())
    key = id(pm)
    cached = _infos_cache.get(key)
    if cached is None or cached[0] is not pm or cached[1] != registered:
        _infos_cache[key] = (pm, registered, describe_plugins(pm))  # type: ignore[assignment]
    return _infos_cache[key][2]  # type: ignore[index]


def _settings_for(info: PluginInfo, raw: Any, site_label: str) -> tuple[bool, Mapping[str, Any]]:
    """effective_settings, cached on the plugin and the settings' JSON."""
    key = json.dumps(raw, sort_keys=True, default=str) if raw else ""
    return _cached_settings(info, key, site_label)


@lru_cache(maxsize=1024)
def _cached_settings(info: PluginInfo, raw_json: str, site_label: str) -> tuple[bool, Mapping[str, Any]]:
    raw = json.loads(raw_json) if raw_json else None
    enabled, settings = effective_settings(info, raw, site_label=site_label)
    from types import MappingProxyType
    return enabled, MappingProxyType(settings)
