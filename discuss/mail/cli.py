"""``discuss mail``: check the SMTP settings, and see what has not been delivered."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from . import enabled, outbox, smtp


@click.group("mail")
def mail_group() -> None:
    """Mail: send a test message, list undelivered mail."""


@mail_group.command("send-test")
@click.argument("address")
@with_appcontext
def send_test(address: str) -> None:
    """Send one message to ADDRESS now, through DISCUSS_MAIL_HOST (not through the queue), and say what happened."""
    if not enabled():
        raise click.ClickException("mail is off: set DISCUSS_MAIL_HOST (docs/operations.md, Mail)")
    from email.message import EmailMessage

    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = address
    message["Subject"] = "discuss: test message"
    message.set_content(f"This is a test message from discuss at {config['PUBLIC_URL']}.\n")
    try:
        smtp.send(message, config)
    except smtp.NotSent as exc:
        raise click.ClickException(f"not sent: {exc}") from exc
    click.echo(f"sent to {address} through {config['MAIL_HOST']}:{config['MAIL_PORT']}")


@mail_group.command("status")
@with_appcontext
def status() -> None:
    """Counts of undelivered mail, and the newest undelivered messages with their last error."""
    found = outbox.undelivered(limit=20)
    click.echo(f"mail {'on: ' + current_app.config['MAIL_HOST'] if enabled() else 'off'}; "
               f"retrying {found.retrying}, waiting {found.waiting}, given up {found.failed}")
    for row in found.rows:
        click.echo(f"#{row.id} {row.status} {row.kind} to {row.to_address}, {row.attempts} attempt(s): "
                   f"{row.last_error or '-'}")

