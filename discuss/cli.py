"""The ``discuss`` command. It reads the same ``DISCUSS_*`` environment as the service.

``discuss --help`` lists the commands; Flask-Migrate's ``discuss db ...`` is there too.
"""

from __future__ import annotations

import json
import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from .extensions import db
from .i18n import LANGUAGES
from .models import Site
from .sites import find_site
from .transactions import end_read, writing
from .values import SiteView


def main() -> None:
    """Entry point of the ``discuss`` console script."""
    from . import create_app

    def load_app():
        try:
            return create_app()
        except RuntimeError as exc:  # a setting that stops start-up: say which, without a traceback
            raise click.ClickException(str(exc)) from exc

    cli = FlaskGroup(create_app=load_app, add_default_commands=False,
                     add_version_option=False, help="discuss: comments with pluggable moderation.")
    cli.main(prog_name="discuss")


def register(app) -> None:
    from .importing.cli import export_command, import_group
    from .jobs_cli import jobs_group
    from .privacy_cli import privacy_group
    from .purge import purge_relay
    from .review.cli import moderators

    for command in (init_db, sites, threads, comments, screen, plugins_command, serve, worker, jobs_group, demo,
                    moderators, privacy_group, import_group, export_command, purge_relay):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database schema, or upgrade it to the newest migration."""
    from flask_migrate import upgrade

    upgrade()
    click.echo(f"database ready: {_safe_url(current_app.config['SQLALCHEMY_DATABASE_URI'])}")


def _safe_url(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


@click.group()
def sites() -> None:
    """Manage the sites (council websites) that embed discussions."""


@sites.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="The council's or site's name.")
@click.option("--origin", "origins", multiple=True, help="An origin allowed to embed, e.g. https://council.gov.uk")
@click.option("--settings", "settings_json", default=None, help="Per-plugin settings as JSON.")
@click.option("--privacy-notice", default=None,
              help="Shown under the reply form (empty: the default notice).")
@click.option("--language", default=None, type=click.Choice(LANGUAGES),
              help="The residents' default language when their page names none we ship (new sites: en).")
@with_appcontext
def sites_add(slug: str, name: str, origins: tuple[str, ...], settings_json: str | None,
              privacy_notice: str | None, language: str | None) -> None:
    """Add a site SLUG (or update the one that exists)."""
    from .origins import normalise_origin
    from .plugins import PluginSettingsError

    if not _valid_slug(slug):
        raise click.BadParameter("use 1-64 lower-case letters, digits and hyphens", param_hint="SLUG")
    try:
        allowed = [normalise_origin(origin) for origin in origins]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--origin") from exc
    settings = None
    if settings_json is not None:
        try:
            settings = json.loads(settings_json)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"not JSON: {exc}", param_hint="--settings") from exc
        if not isinstance(settings, dict):
            raise click.BadParameter("expected a JSON object", param_hint="--settings")
    with writing():
        site = db.session.execute(sa.select(Site).filter_by(slug=slug)).scalar_one_or_none()
        if site is None:
            site = Site(slug=slug, name=name, allowed_origins=allowed, moderation={})
            db.session.add(site)
        else:
            site.name = name
            site.allowed_origins = sorted(set(site.allowed_origins or []) | set(allowed))
        if settings is not None:
            site.moderation = settings
        if privacy_notice is not None:
            site.privacy_notice = privacy_notice.strip()
        if language is not None:
            site.language = language
        try:
            current_app.extensions["discuss"].check_site(site)
        except PluginSettingsError as exc:  # nothing is stored
            raise click.ClickException(str(exc)) from exc
        shown = ", ".join(site.allowed_origins) or "no other origins"
    click.echo(f"site {slug}: {name} ({shown})")


def _valid_slug(slug: str) -> bool:
    from .sites import valid_slug

    return valid_slug(slug)


@sites.command("list")
@with_appcontext
def sites_list() -> None:
    """List the sites."""
    for site in db.session.execute(sa.select(Site).order_by(Site.slug)).scalars():
        click.echo(f"{site.slug}\t{site.name}\t{' '.join(site.allowed_origins or [])}")


@click.group()
def threads() -> None:
    """Open or close a page's discussion."""


def _set_closed(site_slug: str, key: str, closed: bool) -> None:
    from .models import Thread
    from .threads import BadKey, normalise_key

    try:
        thread_key = normalise_key(key)
    except BadKey as exc:
        raise click.BadParameter(str(exc), param_hint="KEY") from exc
    with writing():
        site = _existing_site(site_slug, param_hint="SITE")
        thread = db.session.execute(
            sa.select(Thread).filter_by(site_id=site.id, key=thread_key)
        ).scalar_one_or_none()
        if thread is None:
            thread = Thread(site_id=site.id, key=thread_key, title="", url="")
            db.session.add(thread)
        thread.closed = closed
    click.echo(f"{site_slug} {thread_key}: {'closed' if closed else 'open'}")


@threads.command("close")
@click.argument("site_slug", metavar="SITE")
@click.argument("key")
@with_appcontext
def threads_close(site_slug: str, key: str) -> None:
    """Stop new comments on the page KEY of SITE (existing ones stay)."""
    _set_closed(site_slug, key, True)


@threads.command("open")
@click.argument("site_slug", metavar="SITE")
@click.argument("key")
@with_appcontext
def threads_open(site_slug: str, key: str) -> None:
    """Take comments on the page KEY of SITE again."""
    _set_closed(site_slug, key, False)


@click.group()
def comments() -> None:
    """Post comments from the command line (a council officer's reply, an import)."""


@comments.command("post")
@click.argument("site_slug", metavar="SITE")
@click.argument("key")
@click.option("--name", "author_name", required=True, help="The author's name, shown publicly.")
@click.option("--email", "author_email", default=None, help="The author's email (never shown).")
@click.option("--reply-to", "parent_id", type=int, default=None, help="The id of the comment replied to.")
@with_appcontext
def comments_post(site_slug: str, key: str, author_name: str, author_email: str | None,
                  parent_id: int | None) -> None:
    """Post the text on stdin to the page KEY of SITE, screened by the plugins like any reply.

    Exits 0 when published or held (and says which), 1 when the plugins reject it.
    """
    import marshmallow as ma

    from .comments import InvalidReply, Outcome, post_comment, submission_for
    from .schemas import CommentCreate
    from .threads import BadKey, normalise_key

    site = _existing_site(site_slug, param_hint="SITE")
    try:
        thread_key = normalise_key(key)
    except BadKey as exc:
        raise click.BadParameter(str(exc), param_hint="KEY") from exc
    fields = {"author_name": author_name, "body": sys.stdin.read(), "parent_id": parent_id}
    if author_email:
        fields["author_email"] = author_email
    try:
        reply = CommentCreate().load(fields)
    except ma.ValidationError as exc:
        problems = "; ".join(f"{name}: {' '.join(map(str, msgs))}" for name, msgs in exc.normalized_messages().items())
        raise click.ClickException(problems) from exc
    try:
        posted = post_comment(current_app.extensions["discuss"], site,
                              submission_for(site, thread_key, reply, ip_hash=None, user_agent="discuss-cli"))
    except InvalidReply as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}") from exc
    comment_id = posted.comment.id
    if posted.outcome is Outcome.PUBLISHED:
        click.echo(f"comment {comment_id} published")
    elif posted.outcome is Outcome.HELD:
        click.echo(f"comment {comment_id} held for moderation: {'; '.join(posted.screening.reasons())}")
    elif posted.outcome is Outcome.SILENTLY_REFUSED:
        # An operator may know what the author is not told.
        raise click.ClickException(f"comment {comment_id} refused silently: {'; '.join(posted.screening.reasons())}")
    else:
        raise click.ClickException(f"comment {comment_id} rejected: {posted.public_reason}")


@click.command("screen")
@click.option("--site", "site_slug", default=None, help="Use this site's plugin settings.")
@with_appcontext
def screen(site_slug: str | None) -> None:
    """Screen comments from stdin, one per line, through the plugins; write nothing.

    Each line is a JSON string, or a JSON object with "body" and optional
    "author_name", "author_email", "thread_key". Prints one JSON object per line.
    """
    from .moderation import screen_comment
    from .submission import Submission

    site = _site_or_transient(site_slug)
    host = current_app.extensions["discuss"]
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            click.echo(json.dumps({"line": number, "error": f"not JSON: {exc.msg}"}))
            continue
        if isinstance(item, str):
            item = {"body": item}
        if not isinstance(item, dict) or not isinstance(item.get("body"), str):
            click.echo(json.dumps({"line": number, "error": "expected a JSON string or an object with body"}))
            continue
        submission = Submission(
            body=item["body"],
            author_name=str(item.get("author_name") or "Resident"),
            author_email=item.get("author_email"),
            site=site.slug,
            thread_key=str(item.get("thread_key") or "/"),
            extra={"website": item.get("website", "")},
        )
        result = screen_comment(host, submission, site).as_dict()
        end_read()
        click.echo(json.dumps(result, ensure_ascii=False))


def _site_or_transient(slug: str | None) -> Site | SiteView:
    if slug is None:
        return SiteView(slug="-", name="(default settings)")
    return _existing_site(slug)


def _existing_site(slug: str, param_hint: str = "--site") -> Site:
    site = find_site(slug)
    if site is None:
        raise click.BadParameter(f"no site {slug!r}", param_hint=param_hint)
    return site


@click.command("plugins")
@click.option("--site", "site_slug", default=None, help="Show effective settings for this site.")
@with_appcontext
def plugins_command(site_slug: str | None) -> None:
    """List the loaded plugins, their hooks and effective settings."""
    from .plugins import effective_settings

    host = current_app.extensions["discuss"]
    site = _site_or_transient(site_slug)
    moderation = getattr(site, "moderation", None) or {}
    enabled = {e.info.name: e.settings for e in host.enabled(site)}
    for info in host.infos():
        state = "enabled" if info.name in enabled else "disabled"
        click.echo(f"{info.name} ({info.origin}, {state})")
        click.echo(f"  hooks: {', '.join(info.hooks) or '-'}")
        if info.name in enabled:
            settings, label = enabled[info.name], "settings"
        else:  # what it would use if the site switched it on
            _, settings = effective_settings(info, moderation.get(info.name), site_label=site.slug)
            label = "settings when enabled"
        if settings:
            click.echo(f"  {label}: {json.dumps(_masked(info, settings), default=str, sort_keys=True)}")


def _masked(info, settings) -> dict:
    """The settings with every field its schema marks ``metadata={"secret": True}`` shown as
    ``********`` when set: a signing secret, once saved, is never printed again."""
    fields = info.schema.fields if info.schema is not None else {}
    return {key: "********" if value and key in fields and fields[key].metadata.get("secret") else value
            for key, value in dict(settings).items()}


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--debug/--no-debug", default=False)
@with_appcontext
def serve(host: str, port: int, debug: bool) -> None:
    """Run the development server (use gunicorn in production: see docs/operations.md)."""
    from werkzeug.serving import run_simple

    # Flask's app.run() refuses to start inside its own CLI; run_simple is what it calls.
    run_simple(host, port, current_app._get_current_object(), threaded=True,
               use_debugger=debug, use_reloader=False)


@click.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Jobs run at once.")
@click.option("--worker-type", type=click.Choice(["thread", "process"]), default="thread", show_default=True,
              help="Run them on threads of this process, or in child processes.")
@with_appcontext
def worker(workers: int, worker_type: str) -> None:
    """Run the job queue's consumer: jobs, their retries, and periodic jobs (docs/operations.md)."""
    from .jobs import run_worker
    from .metrics import serve_worker_metrics

    serve_worker_metrics(current_app._get_current_object())  # WORKER_METRICS_PORT, when set
    run_worker(current_app._get_current_object(), workers=workers, worker_type=worker_type)


@click.group()
def demo() -> None:
    """The demo council page."""


@demo.command("load")
@with_appcontext
def demo_load() -> None:
    """Create the demo site and load the seed post's discussion (idempotent)."""
    from .demo import load_demo

    thread = load_demo()
    click.echo(f"demo thread {thread.key} loaded: open /demo")


DEMO_MODERATOR_EMAIL = "moderator@demo.example"
DEMO_MODERATOR_PASSWORD = "demo-moderator"
# The demo council's own admin (site_admin of the demo site): the admin console to try.
DEMO_ADMIN_EMAIL = "admin@demo.example"
DEMO_ADMIN_PASSWORD = "demo-admin"


@demo.command("moderator")
@with_appcontext
def demo_moderator() -> None:
    """Create the demo site's moderator and site admin (idempotent); prints the logins. Demo use only."""
    from .auth import create_moderator, find_moderator

    with writing():
        if find_moderator(DEMO_MODERATOR_EMAIL) is None:
            create_moderator(DEMO_MODERATOR_EMAIL, "Demo moderator", "moderator", DEMO_MODERATOR_PASSWORD,
                             site_slugs=["demo"])
        if find_moderator(DEMO_ADMIN_EMAIL) is None:
            create_moderator(DEMO_ADMIN_EMAIL, "Demo council admin", "site_admin", DEMO_ADMIN_PASSWORD,
                             site_slugs=["demo"])
    click.echo(f"demo moderator: {DEMO_MODERATOR_EMAIL} / {DEMO_MODERATOR_PASSWORD}")
    click.echo(f"demo council admin: {DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD}")
