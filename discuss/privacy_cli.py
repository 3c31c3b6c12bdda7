"""``discuss privacy``: residents' data rights from the command line (see :mod:`discuss.privacy`)."""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from . import privacy
from .extensions import db
from .models import Moderator, lower_email


@click.group("privacy")
def privacy_group() -> None:
    """Export or erase what is held about an email; apply the retention period."""


def _email(value: str) -> str:
    email = lower_email(value) or ""
    if "@" not in email or len(email) > 320:
        raise click.BadParameter("expected an email address", param_hint="EMAIL")
    return email


@privacy_group.command("export")
@click.argument("email")
@with_appcontext
def export_command(email: str) -> None:
    """Print everything held about EMAIL as JSON (comments, verdicts, moderation, bans)."""
    click.echo(json.dumps(privacy.export(_email(email)), ensure_ascii=False, indent=2, default=str))


@privacy_group.command("erase")
@click.argument("email")
@click.option("--remove-bodies", is_flag=True, help="Also replace the comments' text with a removal notice.")
@click.option("--by", "by_email", default=None, help="The moderator carrying out the request (for the audit log).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase_command(email: str, remove_bodies: bool, by_email: str | None, yes: bool) -> None:
    """Remove EMAIL's email, name and IP hashes from their comments; lift bans on it."""
    email = _email(email)
    by = None
    if by_email:
        by = db.session.execute(sa.select(Moderator).where(Moderator.email == lower_email(by_email))
                                ).scalar_one_or_none()
        if by is None:
            raise click.BadParameter("no such moderator", param_hint="--by")
    if not yes:
        click.confirm(f"Erase the personal data of {email}{' and their comments text' if remove_bodies else ''}?",
                      abort=True)
    done = privacy.erase(email, remove_bodies=remove_bodies, by=by)
    click.echo(f"erased: {done.comments} comments, {done.bodies_removed} bodies removed, "
               f"{done.bans_lifted} bans lifted, {done.audit_entries_scrubbed} audit entries scrubbed, "
               f"{done.mail_rows} mail rows deleted (audit entry #{done.record_id})")


@privacy_group.command("purge")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Retention in days (default: PRIVACY_RETENTION_DAYS; 0 keeps everything).")
@with_appcontext
def purge_command(days: int | None) -> None:
    """Clear IP hashes, and rejected comments' emails and bodies, older than the retention period."""
    done = privacy.purge(days)
    if done.days == 0:
        click.echo("retention is 0 (keep): nothing purged")
        return
    click.echo(f"purged (older than {done.days} days): {done.ip_hashes} comment IP hashes, "
               f"{done.report_ip_hashes} report IP hashes, {done.rejected_comments} rejected comments' "
               f"emails and bodies, {done.dead_letters} dead letters, {done.mail_rows} mail rows")
