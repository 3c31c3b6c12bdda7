"""The request id: one string that follows a piece of work from request to job.

A request takes the id the proxy sent in ``X-Request-Id`` when it is a short
token of safe characters, else a new random one. Log records, the response
header and every job enqueued while handling the request carry it; a job binds
it again while it runs, so a comment can be followed from the POST that stored
it to the mail and webhooks it caused.

This module only holds the value. Where it is set (the request hooks) and
where it is read (logging, the job queue) is each of those modules' concern.
"""

from __future__ import annotations

import re
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

HEADER = "X-Request-Id"

_current: ContextVar[str | None] = ContextVar("discuss_request_id", default=None)
_SAFE = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def current() -> str | None:
    """The id of the work running now, or None outside any request or job."""
    return _current.get()


def accept(offered: str | None) -> str:
    """The proxy's id when it is a safe token, else a new one."""
    if offered and _SAFE.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


@contextmanager
def bound(request_id: str | None) -> Iterator[str]:
    """Run a block (a request, a job) under ``request_id`` (a new one when None)."""
    value = request_id or uuid.uuid4().hex
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)
