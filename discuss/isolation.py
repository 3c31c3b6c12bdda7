"""Isolated plugins: screening in a separate process, killed when it overruns.

A plugin screens on one of the host's threads so that one that hangs can be
abandoned (:mod:`discuss.moderation`). That stops a plugin that waits, but not
one that spins inside C code holding the interpreter lock (a catastrophic
regular expression in Python's ``re``): the whole worker process waits with it,
``/healthz`` included. The built-in plugins are linear by construction
(docs/operations.md); a third-party plugin may not be, so the plugins named in
``ISOLATE_PLUGINS`` (``third-party`` names every plugin that is not built in)
screen in a pool of worker processes (`pebble`_), and a call that overruns its
budget has its process killed and replaced. The comment is held ("plugin error")
as for any failing plugin.

The child process is started from a clean fork server, imports the plugin's
module and calls its ``discuss_screen_comment`` function with the same values
(pickled: they are frozen values, never rows); a plugin that asks for
``history`` gets one on the child's own database connection. So an isolated
plugin's hook must be a module-level function (as entry-point plugins are);
pluggy's tracing does not see the call. It costs a process round trip per
comment (``bench/bench_screening.py`` prints it).

.. _pebble: https://pypi.org/project/Pebble/
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Callable, Iterable

from pebble import ProcessExpired, ProcessPool

log = logging.getLogger(__name__)

THIRD_PARTY = "third-party"


class NotIsolatable(ValueError):
    """The plugin's hook cannot be called in another process."""


def isolated_names(setting: Iterable[str], plugins: Iterable[tuple[str, bool]]) -> frozenset[str]:
    """Which of ``plugins`` (``(name, builtin)``) the ``ISOLATE_PLUGINS`` setting names."""
    wanted = {name.strip() for name in setting if name.strip()}
    third_party = THIRD_PARTY in wanted
    return frozenset(name for name, builtin in plugins if name in wanted or (third_party and not builtin))


def hook_target(function: Callable) -> tuple[str, str]:
    """``(module, name)`` by which a child process finds ``function``."""
    module, name = getattr(function, "__module__", None), getattr(function, "__qualname__", "")
    if not module or "." in name or "<" in name:
        raise NotIsolatable(f"{name or function!r} is not a module-level function, so it cannot be isolated")
    if getattr(importlib.import_module(module), name, None) is not function:
        raise NotIsolatable(f"{module}.{name} is not importable as itself")
    return module, name


class IsolatedRunner:
    """A pool of worker processes for isolated plugins, one per server process (made on first use)."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers
        self._pool: ProcessPool | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def _get_pool(self) -> ProcessPool:
        if self._pool is None or self._pid != os.getpid():
            with self._lock:
                if self._pool is None or self._pid != os.getpid():
                    # forkserver: children fork from a clean, single-threaded server process,
                    # never from this multi-threaded one.
                    self._pool = ProcessPool(max_workers=self.workers,
                                             context=multiprocessing.get_context("forkserver"))
                    self._pid = os.getpid()
        return self._pool

    def warm(self) -> None:
        """Start the pool and wait for a child to answer (importing discuss takes a second:
        that is not a plugin's budget)."""
        if self._pool is None or self._pid != os.getpid():
            self._get_pool().schedule(_ready).result(timeout=60)

    def call(self, target: tuple[str, str], kwargs: dict[str, Any], timeout: float,
             history: tuple[str, int | None] | None) -> Any:
        """Run the hook ``target`` with ``kwargs`` in a child; its return value.

        :raises TimeoutError: it overran ``timeout`` seconds (its process was killed).
        :raises RuntimeError: its process died.
        """
        future = self._get_pool().schedule(_run_in_child, args=(target, kwargs, history), timeout=timeout)
        try:
            return future.result()
        except FutureTimeout:
            raise TimeoutError(f"overran its {timeout:g}s budget in an isolated process (killed)") from None
        except ProcessExpired as exc:
            raise RuntimeError(f"its isolated process died ({exc})") from None

    def close(self) -> None:
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                self._pool.stop()
                self._pool.join(timeout=5)
            self._pool = None


# -- in the child ------------------------------------------------------------------

def _ready() -> bool:
    return True


_engines: dict[str, Any] = {}


def _run_in_child(target: tuple[str, str], kwargs: dict[str, Any], history: tuple[str, int | None] | None) -> Any:
    function = getattr(importlib.import_module(target[0]), target[1])
    if history is not None:
        import sqlalchemy as sa

        from .history import History

        url, site_id = history
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = sa.create_engine(url)
        with History(engine, site_id) as past:
            return function(**kwargs, history=past)
    return function(**kwargs)
