"""Screening: every enabled plugin judges every reply; the strictest verdict wins.

Fail-safe by construction: a plugin that raises, returns something that is not a
:class:`~discuss.verdict.Verdict`, or overruns its time budget counts as
``hold`` with reason "plugin error", so nothing is published unscreened.

Plugins run one after another on one of the host's worker threads, each called
through pluggy on its own (:class:`discuss.host.PluginHost`). The plugins that take
``history`` share the run's :class:`~discuss.history.History` connection (opened on
the first question); it goes back to the pool before any third-party plugin that does
not take ``history`` is called, and when the run ends. The request's thread sleeps until the
running plugin's budget ends or, sooner, the shortest budget of the plugins after it
(the worker may have moved on to one of those meanwhile). When a plugin overruns its
budget the worker is abandoned (it finishes in the background and its results are
ignored) and the plugins after it run on a fresh worker.

What bounds the abandoned calls: a plugin with ``PLUGIN_STUCK_LIMIT`` calls still
running past their budget in this process is not called again until one ends;
its verdict is then at once hold, "plugin error" (busy), and the other plugins
run as usual (:class:`RunningCalls`). So one plugin leaves at most that many
calls stuck, plus those already under way when it reached the limit (at most
the process's concurrent screenings: gunicorn's threads). The host's pool grows
past stuck threads (up to ``PluginHost.MAX_THREADS``), so they never make the
next screening wait. A call stuck in a third-party plugin that does not take
``history`` holds no database connection; one stuck in a plugin that takes it, or in
a built-in one, holds the run's one connection until the call ends. So calls stuck
holding a connection are only those of plugins that take ``history`` and of the
built-in ones (which hang only when the database does not answer), each plugin
bounded as above (docs/operations.md, "A hung
plugin", on sizing the pool).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from . import requestid
from .i18n import N_
from .submission import Submission
from .verdict import PUBLISH, REJECT, Verdict, strictest

if TYPE_CHECKING:  # pragma: no cover
    from .host import PluginHost, SiteFacts

log = logging.getLogger(__name__)

PLUGIN_ERROR = "plugin error"
SCREEN_HOOK = "discuss_screen_comment"
#: Seconds an isolated plugin's caller waits beyond its budget for the pool to kill it and say so.
ISOLATION_GRACE = 2.0


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
        return N_("Your comment could not be published.")

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "reasons": [
                {"plugin": pv.plugin, "decision": pv.verdict.decision, "reason": pv.verdict.reason}
                for pv in self.verdicts
            ],
        }


def screen_comment(host: "PluginHost", submission: Submission, site: Any) -> Screening:
    """Run every enabled plugin's ``discuss_screen_comment`` and combine the verdicts.

    ``site`` is a Site row, a :class:`discuss.values.SiteView` or None (default
    settings). Returns a :class:`Screening` whose ``decision`` is the strictest
    verdict (publish when no plugin has an opinion).

    :raises discuss.plugins.PluginSettingsError: when the site's settings for a
        plugin do not validate (a configuration error, not the resident's).
    """
    return host.screen(submission, site)


def fire_event(host: "PluginHost", hook_name: str, site: Any, **kwargs: Any) -> None:
    """Call ``hook_name`` on every plugin enabled on ``site``; see :meth:`PluginHost.fire`."""
    host.fire(hook_name, site, **kwargs)


# -- the run ------------------------------------------------------------------

class ScreeningThreads:
    """The threads screening runs on: an idle thread takes the next run, and when none is
    idle a new one starts (up to ``max_threads``).

    Exact where ``concurrent.futures.ThreadPoolExecutor`` is not: its idle count is a
    semaphore released after every task, so with threads stuck in abandoned plugin calls it
    could count one as idle and queue a run behind it, the run then waiting out its first
    plugin's whole budget. The threads are daemons, so a process exiting does not wait for
    a plugin that hangs.
    """

    def __init__(self, max_threads: int, name: str = "discuss-plugin") -> None:
        self.max_threads = max_threads
        self.name = name
        self._queue: "queue.SimpleQueue[tuple[Any, tuple[Any, ...]]]" = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0      # threads waiting for a run, less the runs already promised to them
        self._threads = 0

    def submit(self, function: Any, *args: Any) -> None:
        start = False
        with self._lock:
            if self._idle:
                self._idle -= 1
            elif self._threads < self.max_threads:
                self._threads += 1
                start = True
        self._queue.put((function, args))
        if start:
            threading.Thread(target=self._serve, name=f"{self.name}-{self._threads}", daemon=True).start()

    def _serve(self) -> None:
        while True:
            function, args = self._queue.get()
            try:
                function(*args)
            except BaseException:  # noqa: BLE001 - _work catches its own; keep the thread alive
                log.exception("screening thread failed")
            with self._lock:
                self._idle += 1

    @property
    def threads(self) -> int:
        return self._threads


class PluginBusy(Exception):
    """The plugin was not called: too many of its earlier calls are still running past their budget."""


class RunningCalls:
    """Plugin calls running now in this process, by plugin, each with its deadline;
    refuses a new call to a plugin with ``limit`` calls past theirs (see the module docstring)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._calls: dict[str, dict[int, float]] = {}
        self._tokens = itertools.count()

    def begin(self, name: str, budget: float) -> int:
        """Record a call starting now; its token for :meth:`end`.

        :raises PluginBusy: when ``name`` has ``limit`` calls running past their budget.
        """
        now = time.perf_counter()
        with self._lock:
            calls = self._calls.setdefault(name, {})
            if calls and self.limit > 0:
                overdue = sum(1 for deadline in calls.values() if deadline < now)
                if overdue >= self.limit:
                    raise PluginBusy(f"not run: {overdue} earlier calls are still running past their budget")
            token = next(self._tokens)
            calls[token] = now + budget
            return token

    def end(self, name: str, token: int) -> None:
        with self._lock:
            self._calls[name].pop(token, None)

    def overdue(self, name: str | None = None) -> int:
        """How many calls (of ``name``, or of every plugin) are running past their budget."""
        now = time.perf_counter()
        with self._lock:
            groups = [self._calls.get(name, {})] if name else list(self._calls.values())
            return sum(1 for calls in groups for deadline in calls.values() if deadline < now)


@dataclass(frozen=True)
class Step:
    """One plugin's part in screening on a site: the same for every comment until the
    site's settings, the plugins or the host's configuration change
    (:meth:`discuss.host.PluginHost.screening_plan` remembers them)."""

    name: str
    caller: Any
    budget: float
    settings: Mapping[str, Any]
    #: Whether the screening's History connection goes back to the pool before this call:
    #: for a third-party plugin that does not take ``history`` (or runs isolated), so a
    #: call of it that hangs holds no connection. The built-in plugins are called with the
    #: connection kept (they hang only when the database does not answer, and giving it
    #: back and taking it again would cost every reply a checkout and a ping).
    release_history: bool = False


def plan_screening(host: "PluginHost", facts: "SiteFacts") -> tuple[Step, ...]:
    """The steps of screening on a site: each enabled plugin, in pluggy's order, with its budget."""
    enabled = {e.info.name: e for e in host.enabled(facts)}
    isolated = host.isolated()
    steps = []
    for name in host.call_order(SCREEN_HOOK):
        chosen = enabled.get(name)
        if chosen is None:
            continue
        budget = float(chosen.info.timeout or host.default_timeout)
        if name in isolated:
            # The child is killed when its budget ends; the grace lets that answer arrive.
            # It opens its own connection for history: it never uses this process's.
            caller, budget = host.isolated_caller(SCREEN_HOOK, name, budget), budget + ISOLATION_GRACE
            release = True
        else:
            caller = host.caller(SCREEN_HOOK, name)
            release = not chosen.info.builtin and not host.takes(SCREEN_HOOK, name, "history")
        steps.append(Step(name, caller, budget, chosen.settings, release))
    return tuple(steps)


class _Run:
    """One worker's pass over the remaining steps; abandoned when a step overruns.

    The worker appends each step's outcome to ``results`` and publishes which step
    it is on and since when in ``current``; the caller sleeps until the worker
    releases ``done`` (a lock held from the start: cheaper to wait on than an
    Event), waking early only when a budget may have ended (:func:`_wait`). One
    wake-up for a screening quicker than its plugins' budgets: waking for every plugin's
    result made the two threads take turns for the interpreter lock, which under
    load cost milliseconds a comment.
    """

    __slots__ = ("steps", "submission", "site", "results", "current", "abandoned", "finished", "done")

    def __init__(self, steps: tuple[Step, ...], submission: Submission, site: Any) -> None:
        self.steps = steps
        self.submission = submission
        self.site = site
        self.results: list[tuple[Any, float, BaseException | None]] = []
        # (index of the running step, when it started); the first step's budget
        # counts from the submission, as time spent waiting for a worker is the plugin's.
        self.current: tuple[int, float] = (0, time.perf_counter())
        self.abandoned = False
        self.finished = False
        self.done = threading.Lock()
        self.done.acquire()


def run_screening(host: "PluginHost", submission: Submission, facts: "SiteFacts") -> Screening:
    """The host's screening: each enabled plugin's verdict within its budget, combined."""
    steps = host.screening_plan(facts)
    verdicts = tuple(_run_with_budgets(host, facts, steps, submission)) if steps else ()
    decision = strictest(pv.verdict for pv in verdicts)
    body = submission.body
    if decision == PUBLISH:
        for pv in verdicts:
            if pv.verdict.body is not None:
                body = pv.verdict.body
    return Screening(decision=decision, verdicts=verdicts, body=body)


def _run_with_budgets(host: "PluginHost", facts: "SiteFacts", steps: tuple[Step, ...],
                      submission: Submission) -> list[PluginVerdict]:
    """Run steps in order in a worker; abandon the worker when one overruns its budget."""
    results: list[PluginVerdict] = []
    engine = host.engine()
    index = 0
    while index < len(steps):
        run = _Run(steps[index:] if index else steps, submission, facts.view)
        # Under the request's id, so the plugins' own log records carry it (discuss/logs.py).
        host.executor.submit(_under, requestid.current(), _work, host, facts, engine, run)
        overran = _wait(run)
        finished = run.results[:overran]
        for step, outcome in zip(run.steps, finished):
            results.append(_judge(step, *outcome))
        index += len(finished)
        if overran is None:
            # The worker stopped early only if it failed outside any plugin.
            results.extend(_failed(step, "not run: the screening worker failed", 0.0)
                           for step in run.steps[len(finished):])
            index = len(steps)
        else:
            step = steps[index]
            run.abandoned = True
            log.error("plugin %s overran its %.1fs budget", step.name, step.budget)
            results.append(_failed(step, f"timed out after {step.budget:g}s", step.budget * 1000))
            index += 1  # a fresh worker runs the steps after the hung one
    return results


#: How long past a step's budget its caller gives it before abandoning it.
_LATE = 0.05


def _wait(run: _Run) -> int | None:
    """Wait for ``run`` to finish: None, or the position of the step that overran.

    Sleeps until the running step's budget ends, but never longer than the shortest
    budget of the steps after it: the worker may move on to one of those while the
    caller sleeps, and that step's budget ends no earlier than that from now. (Sleeping
    to the running step's end alone, a caller that looked while a 10 s plugin ran slept
    through the 1 s budget of a hanging plugin after it: the post waited 10 s.)
    """
    steps = run.steps
    while True:
        position, started = run.current
        deadline = started + steps[position].budget + _LATE
        now = time.perf_counter()
        wake = deadline
        if position + 1 < len(steps):
            wake = min(deadline, now + min(step.budget for step in steps[position + 1:]) + _LATE)
        if run.done.acquire(timeout=max(0.0, wake - now)):
            return None
        if run.current == (position, started) and not run.finished and time.perf_counter() >= deadline:
            return position


def _work(host: "PluginHost", facts: "SiteFacts", engine: Any, run: _Run) -> None:
    # Plugins run inside an application context (for current_app and logging),
    # though all they need comes as arguments.
    results = run.results
    submission, site = run.submission, run.site
    clock = time.perf_counter
    try:
        with _app_context(host), host.history_for(facts, engine) as history:
            for position, step in enumerate(run.steps):
                if run.abandoned:
                    return
                started = clock()
                if position:
                    run.current = (position, started)
                try:
                    token = host.running.begin(step.name, step.budget)
                except PluginBusy as busy:
                    results.append((None, 0.0, busy))
                    continue
                if step.release_history:
                    # Give the connection back first: if this call hangs and the run is
                    # abandoned, it must not hold a pooled connection for as long as it hangs.
                    history.close()
                try:
                    returned, error = step.caller(submission=submission, site=site, settings=step.settings,
                                                  history=history), None
                except BaseException as exc:  # noqa: BLE001 - a plugin must never break screening
                    returned, error = None, exc
                finally:
                    host.running.end(step.name, token)
                results.append((returned, clock() - started, error))
    except BaseException:  # noqa: BLE001 - e.g. no database connection for history
        log.exception("screening worker failed")
    finally:
        run.finished = True
        run.done.release()


def _under(request_id: str | None, work: Any, *args: Any) -> None:
    # Only the id crosses to the worker thread: not the request itself, which stays its thread's.
    with requestid.bound(request_id):
        work(*args)


def _app_context(host: "PluginHost") -> Any:
    return host.app.app_context() if host.app is not None else contextlib.nullcontext()


# What a plugin without an opinion counts as (a Verdict is read-only, so one serves all).
NO_OPINION = Verdict.publish("no opinion", no_opinion=True)


def _judge(step: Step, returned: Any, elapsed: float, error: BaseException | None) -> PluginVerdict:
    elapsed_ms = elapsed * 1000
    if isinstance(error, PluginBusy):
        log.warning("plugin %s not called: %s", step.name, error)
        return _failed(step, str(error), 0.0)
    if error is not None:
        log.error("plugin %s raised while screening", step.name, exc_info=error)
        return _failed(step, f"raised {type(error).__name__}: {error}"[:300], elapsed_ms)
    if elapsed > step.budget:
        log.error("plugin %s took %.0f ms, over its %.1fs budget", step.name, elapsed_ms, step.budget)
        return _failed(step, f"took {elapsed:.2f}s, over its {step.budget:g}s budget", elapsed_ms)
    # pluggy gives a list of the non-None results: [] or [value].
    value = returned[0] if returned else None
    if value is None:
        return PluginVerdict(step.name, NO_OPINION, elapsed_ms)
    if not isinstance(value, Verdict):
        return _failed(step, f"returned {type(value).__name__}, not a Verdict", elapsed_ms)
    return PluginVerdict(step.name, value, elapsed_ms)


def _failed(step: Step, detail: str, elapsed_ms: float) -> PluginVerdict:
    return PluginVerdict(step.name, Verdict.hold(PLUGIN_ERROR, error=detail), elapsed_ms)
