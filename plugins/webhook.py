"""Webhook: tell a site's own systems when a comment is held, reported or decided.

Opt-in per site::

    {"webhook": {"enabled": true, "urls": ["https://hooks.council.example/discuss"],
                 "secret": "a long random string"}}

Each event is POSTed as JSON with ``X-Discuss-Event`` (``comment.held``,
``comment.reported``, ``moderation.decided``), ``X-Discuss-Delivery`` (a unique
id, the same on every retry) and, when a secret is set, ``X-Discuss-Signature:
sha256=<hex>``: the HMAC-SHA256 of the raw request body keyed with the secret.
Receivers should recompute it and compare in constant time.

Deliveries run on background threads, never in the request: each has a
``timeout`` per attempt and up to ``retries`` retries after a connection error,
a timeout, a 429 or a 5xx, waiting ``backoff`` seconds and doubling each time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime, timezone
from typing import Any, Mapping

import marshmallow as ma

from discuss import hookimpl

name = "webhook"
enabled_by_default = False

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Discuss-Signature"
EVENT_HEADER = "X-Discuss-Event"
DELIVERY_HEADER = "X-Discuss-Delivery"
MAX_PENDING = 1000  # beyond this, new deliveries are dropped (and logged) rather than queued without end


class settings_schema(ma.Schema):
    urls = ma.fields.List(ma.fields.Url(schemes={"http", "https"}, require_tld=False), load_default=list,
                          metadata={"description": "Where to POST events; empty: do nothing."})
    secret = ma.fields.String(load_default="", metadata={"description": "HMAC-SHA256 key for the signature."})
    timeout = ma.fields.Float(load_default=5.0, validate=ma.validate.Range(min=0.1, max=60),
                              metadata={"description": "Seconds per attempt."})
    retries = ma.fields.Integer(load_default=3, validate=ma.validate.Range(min=0, max=10))
    backoff = ma.fields.Float(load_default=1.0, validate=ma.validate.Range(min=0, max=300),
                              metadata={"description": "Seconds before the first retry; doubles each time."})


_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="discuss-webhook")
_pending: set[Future] = set()
_lock = threading.Lock()


def sign(secret: str, body: bytes) -> str:
    """The signature header's value for ``body``: ``sha256=<hex HMAC>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def flush(timeout: float = 30.0) -> bool:
    """Wait for the deliveries queued so far; True when they all finished (for tests and shutdown)."""
    with _lock:
        pending = list(_pending)
    done, not_done = wait(pending, timeout=timeout)
    return not not_done


# -- hooks -------------------------------------------------------------------------

@hookimpl
def discuss_comment_held(comment, site, reasons, settings) -> None:
    _send(settings, "comment.held", site, comment, {"reasons": list(reasons)})


@hookimpl
def discuss_comment_reported(comment, site, report, hidden, settings) -> None:
    _send(settings, "comment.reported", site, comment,
          {"report": {"reason": report.reason, "note": report.note}, "hidden": hidden})


@hookimpl
def discuss_moderation_decided(comment, site, action, moderator, reason, settings) -> None:
    _send(settings, "moderation.decided", site, comment,
          {"action": action, "reason": reason, "moderator": moderator.email})


# -- delivery ----------------------------------------------------------------------

def _send(settings: Mapping[str, Any], event: str, site, comment, extra: dict[str, Any]) -> None:
    if not settings["urls"]:
        return
    # Build the body now, in the request's app context: the worker has none.
    payload = {
        "event": event,
        "sent_at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
        "site": {"slug": site.slug, "name": site.name},
        "comment": {
            "id": comment.id,
            "status": comment.status,
            "version": comment.version,
            "thread": {"key": comment.thread_key, "title": comment.thread_title, "url": comment.thread_url},
            "author_name": comment.author_name,
            "body": comment.body,
            "created_at": comment.created_at.isoformat() + "Z",
        },
        **extra,
    }
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "discuss-webhook/1", EVENT_HEADER: event}
    if settings["secret"]:
        headers[SIGNATURE_HEADER] = sign(settings["secret"], body)
    for url in settings["urls"]:
        delivery = {**headers, DELIVERY_HEADER: str(uuid.uuid4())}
        with _lock:
            if len(_pending) >= MAX_PENDING:
                log.error("webhook queue full: dropped %s for %s", event, url)
                continue
            future = _executor.submit(_deliver, url, body, delivery, float(settings["timeout"]),
                                      int(settings["retries"]), float(settings["backoff"]))
            _pending.add(future)
        future.add_done_callback(_forget)


def _forget(future: Future) -> None:
    with _lock:
        _pending.discard(future)


def _deliver(url: str, body: bytes, headers: dict[str, str], timeout: float, retries: int,
             backoff: float) -> bool:
    """POST until a 2xx (True) or the retries run out (False, logged)."""
    delay = backoff
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(delay)
            delay *= 2
        try:
            request = urllib.request.Request(url, data=body, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
                if 200 <= response.status < 300:
                    return True
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            log.warning("webhook %s attempt %d failed: %s", url, attempt + 1, exc)
            continue
        if status != 429 and status < 500:
            log.error("webhook %s refused %s with %d; not retrying", url, headers[EVENT_HEADER], status)
            return False
        log.warning("webhook %s attempt %d answered %d", url, attempt + 1, status)
    log.error("webhook %s: gave up on %s after %d attempts", url, headers[EVENT_HEADER], retries + 1)
    return False
