"""A real SMTP server for the mail tests: aiosmtpd's ``Controller`` on a free port.

It keeps every message it accepts (parsed); ``refuse`` makes it answer every
recipient with that reply instead (``"550 5.1.1 No such mailbox"``); ``stop()``
closes the port, so a client meets a refused connection, and ``start()`` opens
it again on the same port.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.servers import free_port


class _Handler:
    def __init__(self, server: "MailServer"):
        self.server = server

    async def handle_RCPT(self, _server, _session, envelope, address, _options):
        if self.server.refuse:
            return self.server.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server, _session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.server.messages.append(message)
        return "250 Message accepted for delivery"


class MailServer:
    """``tls``: an ``ssl.SSLContext`` with the server's certificate, offered through STARTTLS,
    which the server then requires before any mail."""

    def __init__(self, tls=None) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.refuse: str | None = None
        self.tls = tls
        self._controller: Controller | None = None

    def start(self) -> "MailServer":
        options = {"tls_context": self.tls, "require_starttls": True} if self.tls is not None else {}
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings(self) -> dict:
        """The app settings that send to this server."""
        return {"MAIL_HOST": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_SECURITY": "none", "MAIL_TIMEOUT": 5.0,
                "MAIL_FROM": "Test Council comments <comments@council.example>",
                "PUBLIC_URL": "http://localhost"}

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def self_signed(directory) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key (files in ``directory``), made with openssl."""
    import subprocess

    cert, key = str(directory / "cert.pem"), str(directory / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key
