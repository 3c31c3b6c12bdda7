"""Mail: reply notifications residents opt in to, and moderators' notices of held comments.

Off while ``MAIL_HOST`` is empty: the reply forms offer no opt-in and nothing
is queued. Everything sent goes through the outbox (:mod:`.outbox`): a row
written in the transaction that makes the message due, delivered by a job with
retries (:mod:`.tasks`), so an SMTP outage delays mail and loses none.

- :mod:`.tokens`         signed, expiring confirm and unsubscribe links
- :mod:`.subscriptions`  opting in, confirming, unsubscribing; the reply notices
- :mod:`.moderators`     held-comment notices: at once, or in a digest
- :mod:`.compose`        the messages' words (gettext, the recipient's language)
- :mod:`.smtp`           one message over SMTP, failures classified
- :mod:`.outbox`         due messages, delivery, what is undelivered
- :mod:`.tasks`          the jobs: delivery with retries, the hourly digest, the stale sweep
- :mod:`.views`          /mail/confirm/<token>, /mail/unsubscribe/<token>
- :mod:`.account`        /moderation/mail: a moderator's choice of held-comment mail
- :mod:`.cli`            ``discuss mail send-test ADDRESS``, ``discuss mail status``
"""

from __future__ import annotations

from flask import Flask, current_app

SECURITY = ("starttls", "ssl", "none")


def enabled(app: Flask | None = None) -> bool:
    """Whether this service sends mail (``MAIL_HOST`` is set)."""
    return bool((app or current_app).config.get("MAIL_HOST"))


def check_settings(app: Flask) -> None:
    """Start-up: mail settings that cannot work stop the service, naming the variable."""
    cfg = app.config
    if cfg["MAIL_SECURITY"] not in SECURITY:
        raise RuntimeError(f"DISCUSS_MAIL_SECURITY: expected one of {', '.join(SECURITY)}, "
                           f"got {cfg['MAIL_SECURITY']!r}")
    if not enabled(app):
        return
    if not cfg["MAIL_FROM"]:
        raise RuntimeError("DISCUSS_MAIL_FROM: required when DISCUSS_MAIL_HOST is set "
                           "(e.g. 'Camden Council comments <comments@camden.gov.uk>')")
    if not cfg["PUBLIC_URL"]:
        raise RuntimeError("DISCUSS_PUBLIC_URL: required when DISCUSS_MAIL_HOST is set "
                           "(the confirm and unsubscribe links in mail are absolute)")


def init_app(app: Flask) -> None:
    """Check the settings and register the confirm/unsubscribe pages."""
    from ..extensions import csrf
    from . import tasks  # noqa: F401  (the jobs: delivery, digests)
    from .account import bp as account_bp
    from .views import bp

    check_settings(app)
    app.register_blueprint(bp)
    csrf.exempt(bp)  # the signed token in the link is the authority (RFC 8058 one-click)
    app.register_blueprint(account_bp)
    from .cli import mail_group

    app.cli.add_command(mail_group)
