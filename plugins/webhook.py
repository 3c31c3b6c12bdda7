"""Webhook: tell a site's own systems when a comment is held, reported or decided.

Opt-in per site::

    {"webhook": {"enabled": true, "urls": ["https://hooks.council.example/discuss"],
                 "secret": "a long random string"}}

Each event is POSTed as JSON with ``X-Discuss-Event`` (``comment.held``,
``comment.reported``, ``moderation.decided``) and the three headers of the
Standard Webhooks scheme (https://www.standardwebhooks.com/):

* ``webhook-id``: a unique id for the delivery, the same on every retry (dedupe on it);
* ``webhook-timestamp``: when this attempt was sent, in whole seconds since 1970;
* ``webhook-signature`` (when a secret is set): ``v1,<base64 HMAC-SHA256>`` of
  ``"{id}.{timestamp}.{body}"`` keyed with the secret's UTF-8 bytes.

Receivers recompute the signature, compare in constant time and refuse a
timestamp more than a few minutes old: the timestamp is signed, so a captured
request cannot be replayed later. (The old ``X-Discuss-Signature`` over the body
alone could be replayed for ever, so it is no longer sent.)

Targets are checked after DNS resolution, at every attempt: an address that is
loopback, link-local (cloud metadata at 169.254.169.254), private, shared,
multicast, reserved or unspecified is refused unless the site's
``allow_private_targets`` is true, and the connection goes to the address that
was checked (no second lookup a rebinding DNS server could answer differently).
Redirects are not followed: a 3xx is a refusal.

Deliveries are durable jobs on discuss's queue (``discuss.job``, run by
``discuss worker``), never work in the request: each event makes one job per
URL, stored (``discuss.enqueue_after_commit``) before the hook returns, so a
restart loses none. A job makes one attempt with the site's ``timeout``; a
connection error, a timeout, a 429 or a 5xx is retried up to ``retries`` times,
``backoff`` seconds after the first attempt and twice as long before each
further one. A redirect, another 4xx or a refused address is not retried. A
delivery that fails for good is a dead letter that the site's admins see under
"Webhook deliveries" in the admin console, and can replay (same ``webhook-id``,
a fresh timestamp and signature). The secret, the timeout and whether the URL is
still wanted are read from the site's settings at each attempt (a rotated secret
applies to deliveries already waiting; a removed URL gets nothing more).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
import uuid
from datetime import datetime, timezone
from typing import Any, Mapping
from urllib.parse import urlsplit

import marshmallow as ma

from discuss import GiveUp, enqueue_after_commit, hookimpl, job, plugin_settings

name = "webhook"
enabled_by_default = False

log = logging.getLogger(__name__)

EVENT_HEADER = "X-Discuss-Event"
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"


class TargetRefused(Exception):
    """The URL's host resolves to an address webhooks may not reach."""


class settings_schema(ma.Schema):
    urls = ma.fields.List(ma.fields.Url(schemes={"http", "https"}, require_tld=False), load_default=list,
                          metadata={"description": "Where to POST events; empty: do nothing."})
    secret = ma.fields.String(load_default="", metadata={"description": "HMAC-SHA256 key for the signature.",
                                                         "secret": True})
    allow_private_targets = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Allow loopback, link-local, private and multicast addresses (an admin's "
                                 "explicit choice, e.g. a receiver on the same host)."})
    timeout = ma.fields.Float(load_default=5.0, validate=ma.validate.Range(min=0.1, max=60),
                              metadata={"description": "Seconds per attempt."})
    retries = ma.fields.Integer(load_default=3, validate=ma.validate.Range(min=0, max=10))
    backoff = ma.fields.Float(load_default=1.0, validate=ma.validate.Range(min=0, max=300),
                              metadata={"description": "Seconds before the first retry; doubles each time."})


    @ma.validates_schema
    def _public_literals(self, data, **_):
        """A URL naming a forbidden address outright is refused when saved; names are
        checked again after resolution at every delivery."""
        if data.get("allow_private_targets"):
            return
        for url in data.get("urls", ()):
            host = urlsplit(url).hostname or ""
            try:
                address = ipaddress.ip_address(host)
            except ValueError:
                continue
            if not is_public(address):
                raise ma.ValidationError(f"{host} is not a public address (allow_private_targets is false)",
                                         "urls")


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for an address on the public internet (a webhook may reach it)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if embedded is not None:
            return is_public(embedded)
    return not (address.is_loopback or address.is_link_local or address.is_private or address.is_multicast
                or address.is_reserved or address.is_unspecified or not address.is_global)


def resolve_target(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to for ``host``: the first one DNS gives, after every
    address it gives has been checked (a name that also resolves to a private
    address is refused: which one the client would pick is not ours to guess)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {host}: {exc}") from exc
    addresses = [info[4][0] for info in infos]
    if not allow_private:
        for text in addresses:
            if not is_public(ipaddress.ip_address(text.split("%")[0])):
                raise TargetRefused(f"{host} resolves to {text}, which is not a public address")
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to an address checked beforehand, keeping the URL's host in the Host header."""

    def __init__(self, host: str, address: str, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """As :class:`_PinnedHTTP`, with TLS verified against the URL's host name."""

    def __init__(self, host: str, address: str, **kwargs):
        super().__init__(host, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: Mapping[str, str], *, timeout: float, allow_private: bool) -> int:
    """POST ``body`` to ``url`` once, without following redirects; the status code.

    :raises TargetRefused: the host resolves to an address webhooks may not reach.
    :raises OSError: the connection failed or timed out.
    """
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_target(parts.hostname or "", port, allow_private=allow_private)
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = kind(parts.hostname, address, port=port, timeout=timeout)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body=body, headers=dict(headers))
        response = connection.getresponse()
        response.read(65536)
        return response.status
    except http.client.HTTPException as exc:
        raise OSError(f"bad answer: {exc}") from exc
    finally:
        connection.close()


def sign(secret: str | bytes, delivery_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``.

    A ``str`` secret (the setting) keys the HMAC with its UTF-8 bytes; Standard
    Webhooks' own ``whsec_`` secrets are base64 bytes, which callers may pass as such."""
    key = secret.encode() if isinstance(secret, str) else secret
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


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

class DeliveryFailed(Exception):
    """One attempt failed in a way worth retrying (a connection error, a timeout, a 429 or a 5xx)."""


def _send(settings: Mapping[str, Any], event: str, site, comment, extra: dict[str, Any]) -> None:
    if not settings["urls"]:
        return
    # The body is built now, from the values the hook was given: the job sends exactly this.
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
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    for url in settings["urls"]:
        enqueue_after_commit(deliver, site.slug, event, url, body, "msg_" + uuid.uuid4().hex,
                             retries=int(settings["retries"]), retry_delay=float(settings["backoff"]))


@job(backoff=True)
def deliver(site: str, event: str, url: str, body: str, delivery_id: str) -> int | None:
    """POST one event to one URL once; the status on a 2xx.

    Retried (by the queue, with the site's ``retries`` and doubling ``backoff``)
    when :class:`DeliveryFailed` is raised; a refusal raises :class:`discuss.GiveUp`.
    Nothing is sent when the site has switched the webhook off or no longer lists the URL.
    """
    settings = plugin_settings(site, name)
    if settings is None or url not in settings["urls"]:
        log.warning("webhook %s no longer wanted by site %s: %s %s not sent", url, site, event, delivery_id)
        return None
    data = body.encode()
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json", "User-Agent": "discuss-webhook/1", EVENT_HEADER: event,
               ID_HEADER: delivery_id, TIMESTAMP_HEADER: str(timestamp)}
    if settings["secret"]:
        headers[SIGNATURE_HEADER] = sign(settings["secret"], delivery_id, timestamp, data)
    try:
        status = post(url, data, headers, timeout=float(settings["timeout"]),
                      allow_private=bool(settings["allow_private_targets"]))
    except TargetRefused as exc:
        raise GiveUp(f"refused: {exc}") from exc
    except socket.timeout as exc:
        raise DeliveryFailed(f"no answer within {settings['timeout']:g} s") from exc
    except OSError as exc:  # refused connections, resets, bad answers
        raise DeliveryFailed(f"could not deliver: {exc}") from exc
    if 200 <= status < 300:
        log.info("webhook %s: %s %s delivered (%d)", url, event, delivery_id, status)
        return status
    if 300 <= status < 400:
        raise GiveUp(f"answered {status}: redirects are not followed")
    if status != 429 and status < 500:
        raise GiveUp(f"answered {status}: refused, not retried")
    raise DeliveryFailed(f"answered {status}")
