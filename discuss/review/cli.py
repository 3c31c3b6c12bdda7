"""``discuss moderators ...``: accounts for the people who work the review queue."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..auth import (MIN_PASSWORD_LENGTH, ROLES, create_moderator, end_sessions, find_moderator, hash_password,
                    issue_token)
from ..extensions import db
from ..models import ApiToken, Moderator
from ..staff import DISABLED, ENABLED, PASSWORD_SET, audit
from ..transactions import writing

#: The reason on audit entries for changes made here, where no moderator is signed in.
FROM_THE_COMMAND_LINE = "command line"


@click.group("moderators")
def moderators() -> None:
    """Manage moderator accounts and their API tokens."""


@moderators.command("add")
@click.argument("email")
@click.option("--name", required=True, help="The moderator's name, shown in the audit log.")
@click.option("--role", type=click.Choice(ROLES), default="moderator", show_default=True,
              help="An admin works on every site; a moderator on the sites given with --site; a "
                   "site_admin also configures those sites in /moderation/admin/.")
@click.option("--site", "sites", multiple=True, metavar="SLUG", help="A site this moderator works on (repeat).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@with_appcontext
def moderators_add(email: str, name: str, role: str, sites: tuple[str, ...], password_stdin: bool) -> None:
    """Add a moderator EMAIL, with a password (prompted unless --password-stdin)."""
    if role != "admin" and not sites:
        raise click.BadParameter(f"a {role} needs at least one --site (or use --role admin)",
                                 param_hint="--site")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"use at least {MIN_PASSWORD_LENGTH} characters", param_hint="password")
    try:
        with writing():
            moderator = create_moderator(email, name, role, password, sites)
            where = "every site" if role == "admin" else ", ".join(sorted(s.slug for s in moderator.sites))
            address = moderator.email
    except ValueError as exc:  # nothing is stored
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{role} {address} added ({where})")


@moderators.command("invite")
@click.argument("email")
@click.option("--name", default="", help="The moderator's name, shown in the audit log (default: the email).")
@click.option("--role", type=click.Choice(ROLES), default="moderator", show_default=True,
              help="The role the account gets (see 'moderators add').")
@click.option("--site", "sites", multiple=True, metavar="SLUG", help="A site they work on (repeat; not for admins).")
@with_appcontext
def moderators_invite(email: str, name: str, role: str, sites: tuple[str, ...]) -> None:
    """Invite EMAIL: print a one-time link (valid 72 hours) where they choose their password.

    Inviting an address again (before it has a password) prints a new link; the old one stops working.
    """
    from flask import current_app

    from ..invites import InviteRefused, invite
    from ..staff import StaffRefused

    try:
        made = invite(None, email, name, role, sites)
    except (StaffRefused, InviteRefused) as exc:  # nothing is stored
        raise click.ClickException(f"{exc.field}: {exc.message}") from exc
    base = (current_app.config.get("PUBLIC_URL") or "http://localhost:8000").rstrip("/")
    verb = "renewed (the earlier link no longer works)" if made.refreshed else "created"
    click.echo(f"Invitation for {made.email} {verb}; send them this link, valid until "
               f"{made.expires_at:%Y-%m-%d %H:%M} UTC and usable once:")
    click.echo(f"{base}/moderation/admin/invites/{made.token}")


@moderators.command("token")
@click.argument("email")
@with_appcontext
def moderators_token(email: str) -> None:
    """Print a new API token for EMAIL (the last line of output). Only its hash is kept."""
    with writing():
        moderator = _existing(email)
        if not moderator.active:
            raise click.ClickException(f"{moderator.email} is disabled")
        token = issue_token(moderator)
        address = moderator.email
    click.echo(f"API token for {address} (shown once; send it as 'Authorization: Bearer <token>'):")
    click.echo(token)


@moderators.command("list")
@with_appcontext
def moderators_list() -> None:
    """List moderators: email, name, role, state, sites, number of tokens, when one was last used."""
    tokens = {moderator_id: (count, last) for moderator_id, count, last in db.session.execute(
        sa.select(ApiToken.moderator_id, sa.func.count(), sa.func.max(ApiToken.last_used_at))
        .group_by(ApiToken.moderator_id)).all()}
    for moderator in db.session.execute(sa.select(Moderator).order_by(Moderator.email)).scalars():
        sites = "*" if moderator.role == "admin" else ",".join(sorted(s.slug for s in moderator.sites)) or "-"
        state = "active" if moderator.active else "disabled"
        count, last = tokens.get(moderator.id, (0, None))
        used = f"token last used {last:%Y-%m-%d %H:%M}" if last else "no token used"
        click.echo(f"{moderator.email}\t{moderator.name}\t{moderator.role}\t{state}\t{sites}\t"
                   f"{count} token(s)\t{used}")


@moderators.command("disable")
@click.argument("email")
@with_appcontext
def moderators_disable(email: str) -> None:
    """Disable EMAIL: their sessions and tokens stop working at once; tokens are revoked."""
    with writing():
        moderator = _existing(email)
        was_active = moderator.active
        moderator.active = False
        end_sessions(moderator)
        revoked = db.session.execute(sa.delete(ApiToken).where(ApiToken.moderator_id == moderator.id)).rowcount
        if was_active or revoked:
            after = {"active": False, **({"tokens_revoked": revoked} if revoked else {})}
            audit(None, DISABLED, moderator, {"active": was_active}, after, reason=FROM_THE_COMMAND_LINE)
        address = moderator.email
    click.echo(f"{address} disabled; {revoked} token(s) revoked")


@moderators.command("enable")
@click.argument("email")
@with_appcontext
def moderators_enable(email: str) -> None:
    """Enable EMAIL again (issue a new token with 'moderators token')."""
    with writing():
        moderator = _existing(email)
        if not moderator.active:
            moderator.active = True
            audit(None, ENABLED, moderator, {"active": False}, {"active": True}, reason=FROM_THE_COMMAND_LINE)
        address = moderator.email
    click.echo(f"{address} enabled")


@moderators.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@with_appcontext
def moderators_password(email: str, password_stdin: bool) -> None:
    """Set EMAIL's password."""
    _existing(email)  # before asking for a password
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="password") from exc
    with writing():
        moderator = _existing(email)
        moderator.password_hash = password_hash
        end_sessions(moderator)
        audit(None, PASSWORD_SET, moderator, {}, {"password": "changed"}, reason=FROM_THE_COMMAND_LINE)
        address = moderator.email
    click.echo(f"password set for {address}")


def _existing(email: str) -> Moderator:
    moderator = find_moderator(email)
    if moderator is None:
        raise click.ClickException(f"no moderator {email.strip().lower()}")
    return moderator
