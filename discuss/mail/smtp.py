"""One message over SMTP (the standard library's smtplib), its failure classified.

Nothing here retries: :mod:`.outbox` counts attempts and the job queue waits
between them. Every failure becomes :class:`NotSent` with a one-line reason
fit for the admin console: ``refused`` (the server answered 4xx/5xx) or
``unreachable`` (no connection, TLS failure, timeout).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from typing import Any, Mapping


class NotSent(Exception):
    """The server did not take the message; ``kind`` is ``refused`` or ``unreachable``."""

    def __init__(self, kind: str, reason: str):
        super().__init__(f"{kind}: {reason}")
        self.kind = kind
        self.reason = reason


def send(message: EmailMessage, config: Mapping[str, Any]) -> None:
    """Hand ``message`` to the server of ``MAIL_HOST``; returns when the server has accepted it.

    :raises NotSent: when it has not (for every recipient).
    """
    host, port, timeout = config["MAIL_HOST"], int(config["MAIL_PORT"]), float(config["MAIL_TIMEOUT"])
    security = config["MAIL_SECURITY"]
    try:
        if security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                client.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            refused = client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        raise NotSent("refused", f"{code} {_text(text)}") from exc
    except smtplib.SMTPResponseException as exc:  # MAIL FROM, DATA, AUTH, STARTTLS refused
        raise NotSent("refused", f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
    except (OSError, smtplib.SMTPException, socket.timeout) as exc:  # refused connection, DNS, TLS, timeout
        raise NotSent("unreachable", f"{host}:{port}: {exc.__class__.__name__}: {exc}"[:400]) from exc
    if refused:  # some recipients refused; we send one recipient per message, so this is all of them
        code, text = next(iter(refused.values()))
        raise NotSent("refused", f"{code} {_text(text)}")


def _text(value: bytes | str) -> str:
    return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))[:300]
