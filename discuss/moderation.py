"""Screening: every enabled plugin judges every reply; the strictest verdict wins.

Fail-safe by construction: a plugin that raises, returns something that is not a
:class:`~discuss.verdict.Verdict`, or overruns its time budget counts as
``hold`` with reason "plugin error", so nothing is published unscreened.

Plugins run one after another on one of the host's worker threads, each called
through pluggy on its own (:class:`discuss.host.PluginHost`). The worker holds
one :class:`~discuss.history.History` connection for all of them. When a plugin
overruns its budget the worker is abandoned (it finishes in the background and
its results are ignored) and the plugins after it run on a fresh worker.

What bounds the abandoned calls: a plugin with ``PLUGIN_STUCK_LIMIT`` calls still
running past their budget in this process is not called again until one ends;
its verdict is then at once hold, "plugin error" (busy), and the other plugins
run as usual (:class:`RunningCalls`). So one plugin leaves at most that many
calls stuck, plus those already under way when it reached the limit (at most
the process's concurrent screenings: gunicorn's threads). The host's pool grows
past stuck threads (up to ``PluginHost.MAX_THREADS``), so they never make the
next screening wait.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


@dataclass
class _Job:
    name: str
    caller: Any
    kwargs: dict[str, Any]
    budget: float


class _Run:
    """One worker's pass over the remaining jobs; abandoned when a job overruns.

    The worker appends each job's outcome to ``results`` and publishes which job
    it is on and since when in ``current``; the caller sleeps until ``done`` is
    set, waking early only when the running job's budget ends. One wake-up per
    screening: waking for every plugin's result made the two threads take turns
    for the interpreter lock, which under load cost milliseconds a comment.
    """

    __slots__ = ("jobs", "results", "current", "abandoned", "done")

    def __init__(self, jobs: list[_Job]) -> None:
        self.jobs = jobs
        self.results: list[tuple[Any, float, BaseException | None]] = []
        # (index of the running job, when it started); the first job's budget
        # counts from the submission, as time spent waiting for a worker is the plugin's.
        self.current: tuple[int, float] = (0, time.perf_counter())
        self.abandoned = threading.Event()
        self.done = threading.Event()


def run_screening(host: "PluginHost", submission: Submission, facts: "SiteFacts") -> Screening:
    """The host's screening: build one job per enabled plugin, run them with budgets, combine."""
    enabled = {e.info.name: e for e in host.enabled(facts)}
    isolated = host.isolated()
    jobs = []
    for name in host.call_order(SCREEN_HOOK):
        chosen = enabled.get(name)
        if chosen is None:
            continue
        budget = float(chosen.info.timeout or host.default_timeout)
        if name in isolated:
            # The child is killed when its budget ends; the grace lets that answer arrive.
            caller, budget = host.isolated_caller(SCREEN_HOOK, name, budget), budget + ISOLATION_GRACE
        else:
            caller = host.caller(SCREEN_HOOK, name)
        jobs.append(_Job(
            name=name,
            caller=caller,
            kwargs={"submission": submission, "site": facts.view, "settings": chosen.settings},
            budget=budget,
        ))
    verdicts = tuple(_run_with_budgets(host, facts, jobs)) if jobs else ()
    decision = strictest(pv.verdict for pv in verdicts)
    body = submission.body
    if decision == PUBLISH:
        for pv in verdicts:
            if pv.verdict.body is not None:
                body = pv.verdict.body
    return Screening(decision=decision, verdicts=verdicts, body=body)


def _run_with_budgets(host: "PluginHost", facts: "SiteFacts", jobs: list[_Job]) -> list[PluginVerdict]:
    """Run jobs in order in a worker; abandon the worker when one overruns its budget."""
    results: list[PluginVerdict] = []
    engine = host.engine()
    index = 0
    while index < len(jobs):
        run = _Run(jobs[index:])
        host.executor.submit(_work, host, facts, engine, run)
        overran = _wait(run)
        finished = run.results[:overran]
        for job, outcome in zip(run.jobs, finished):
            results.append(_judge(job, *outcome))
        index += len(finished)
        if overran is None:
            # The worker stopped early only if it failed outside any plugin.
            results.extend(_failed(job, "not run: the screening worker failed", 0.0)
                           for job in run.jobs[len(finished):])
            index = len(jobs)
        else:
            job = jobs[index]
            run.abandoned.set()
            log.error("plugin %s overran its %.1fs budget", job.name, job.budget)
            results.append(_failed(job, f"timed out after {job.budget:g}s", job.budget * 1000))
            index += 1  # a fresh worker runs the jobs after the hung one
    return results


def _wait(run: _Run) -> int | None:
    """Wait for ``run`` to finish: None, or the position of the job that overran."""
    while True:
        position, started = run.current
        deadline = started + run.jobs[position].budget + 0.05
        if run.done.wait(max(0.0, deadline - time.perf_counter())):
            return None
        if run.current == (position, started) and not run.done.is_set():
            return position


def _work(host: "PluginHost", facts: "SiteFacts", engine: Any, run: _Run) -> None:
    # Plugins run inside an application context (for current_app and logging),
    # though all they need comes as arguments.
    try:
        with _app_context(host), host.history_for(facts, engine) as history:
            for position, job in enumerate(run.jobs):
                if run.abandoned.is_set():
                    return
                started = time.perf_counter()
                if position:
                    run.current = (position, started)
                try:
                    token = host.running.begin(job.name, job.budget)
                except PluginBusy as busy:
                    run.results.append((None, 0.0, busy))
                    continue
                try:
                    returned, error = job.caller(**job.kwargs, history=history), None
                except BaseException as exc:  # noqa: BLE001 - a plugin must never break screening
                    returned, error = None, exc
                finally:
                    host.running.end(job.name, token)
                run.results.append((returned, time.perf_counter() - started, error))
    except BaseException:  # noqa: BLE001 - e.g. no database connection for history
        log.exception("screening worker failed")
    finally:
        run.done.set()


def _app_context(host: "PluginHost") -> Any:
    return host.app.app_context() if host.app is not None else contextlib.nullcontext()


def _judge(job: _Job, returned: Any, elapsed: float, error: BaseException | None) -> PluginVerdict:
    elapsed_ms = elapsed * 1000
    if isinstance(error, PluginBusy):
        log.warning("plugin %s not called: %s", job.name, error)
        return _failed(job, str(error), 0.0)
    if error is not None:
        log.error("plugin %s raised while screening", job.name, exc_info=error)
        return _failed(job, f"raised {type(error).__name__}: {error}"[:300], elapsed_ms)
    if elapsed > job.budget:
        log.error("plugin %s took %.0f ms, over its %.1fs budget", job.name, elapsed_ms, job.budget)
        return _failed(job, f"took {elapsed:.2f}s, over its {job.budget:g}s budget", elapsed_ms)
    # pluggy gives a list of the non-None results: [] or [value].
    value = returned[0] if returned else None
    if value is None:
        return PluginVerdict(job.name, Verdict.publish("no opinion", no_opinion=True), elapsed_ms)
    if not isinstance(value, Verdict):
        return _failed(job, f"returned {type(value).__name__}, not a Verdict", elapsed_ms)
    return PluginVerdict(job.name, value, elapsed_ms)


def _failed(job: _Job, detail: str, elapsed_ms: float) -> PluginVerdict:
    return PluginVerdict(job.name, Verdict.hold(PLUGIN_ERROR, error=detail), elapsed_ms)
