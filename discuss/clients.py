"""Facts about the client making a request, kept private.

Who the client is: the peer that connected (``REMOTE_ADDR``), unless that peer is
one of ``TRUSTED_PROXIES``. Then ``X-Forwarded-For`` is read from the right (each
proxy appends the address it saw) and the first address that is not itself a
trusted proxy is the client; everything left of it was written by someone we do
not trust and is ignored. A direct client forging the header is therefore still
its own address, and behind a real proxy each client gets its own address.

:class:`TrustedProxies` also applies ``X-Forwarded-Proto`` and ``-Host`` from a
trusted peer, so ``request.scheme`` and the host are the outside ones.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from typing import Iterable

from flask import current_app, has_request_context, request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``["10.0.0.1", "172.16.0.0/12"]`` as networks.

    :raises ValueError: naming the value that is neither an address nor a network.
    """
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"not an IP address or network: {value!r}") from exc
    return tuple(networks)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def resolve_client(remote_addr: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The client's address, given the peer, its ``X-Forwarded-For`` and the trusted proxies."""
    peer = _address(remote_addr or "")
    if not _trusted(peer, networks) or not forwarded_for:
        return str(peer) if peer is not None else (remote_addr or "")
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            break  # garbage in the chain: stop believing it here
        if not _trusted(address, networks):
            return str(address)
        peer = address
    return str(peer)


class TrustedProxies:
    """WSGI middleware: the client's address, scheme and host as the trusted proxies saw them.

    Replaces ``REMOTE_ADDR`` (keeping the peer in ``discuss.peer_addr``), so Flask,
    Flask-Limiter and Flask-Login all see the same client; applies
    ``X-Forwarded-Proto``/``-Host`` only when the peer is trusted (their right-most value).
    """

    def __init__(self, wsgi_app, networks: tuple[Network, ...]):
        self.wsgi_app = wsgi_app
        self.networks = networks

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR", "")
        environ["discuss.peer_addr"] = peer
        if _trusted(_address(peer), self.networks):
            environ["REMOTE_ADDR"] = resolve_client(peer, environ.get("HTTP_X_FORWARDED_FOR", ""), self.networks)
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
            host = environ.get("HTTP_X_FORWARDED_HOST", "").split(",")[-1].strip()
            if host:
                environ["HTTP_HOST"] = host
        return self.wsgi_app(environ, start_response)


def client_ip() -> str:
    """The client's address (see the module docstring for how proxies are believed)."""
    return request.remote_addr or ""


def _hash_key() -> bytes:
    cfg = current_app.config
    # Debug and test apps may run without IP_HASH_KEY (discuss.keys refuses it elsewhere).
    return (cfg.get("IP_HASH_KEY") or f"ip-hash:{cfg['SECRET_KEY']}").encode()


def hashed_part(ip: str) -> str:
    """What of an address identifies a client: an IPv4 address whole, an IPv6 address by
    its /64 (one host usually owns a whole /64, so its addresses count as one)."""
    address = _address(ip)
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address) if address is not None else ip


def hash_ip(ip: str, secret: str | None = None) -> str:
    """A keyed hash of an IP address (its /64 for IPv6): stable per deployment,
    useless without ``IP_HASH_KEY``."""
    key = secret.encode() if secret else _hash_key()
    return hmac.new(key, hashed_part(ip).encode(), hashlib.sha256).hexdigest()[:32]


def hash_reader(reader: str | None) -> str | None:
    """A keyed hash of the random id a reader's browser keeps (None without one)."""
    if not reader:
        return None
    return hmac.new(_hash_key(), b"reader:" + reader.encode(), hashlib.sha256).hexdigest()[:32]


def request_ip_hash() -> str:
    return hash_ip(client_ip())


def rate_limit_key() -> str:
    """Flask-Limiter's key: the client's address, IPv6 by its /64."""
    return hashed_part(client_ip()) if has_request_context() else ""
