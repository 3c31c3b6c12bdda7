"""Facts about the client making a request, kept private."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request


def client_ip() -> str:
    """The client's address as Flask sees it (ProxyFix applies X-Forwarded-For when configured)."""
    return request.remote_addr or ""


def hash_ip(ip: str, secret: str | None = None) -> str:
    """A keyed hash of an IP address: stable per deployment, useless without the secret key."""
    key = (secret or current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()[:32]


def request_ip_hash() -> str:
    return hash_ip(client_ip())
