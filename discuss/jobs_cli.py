"""``discuss jobs``: the job queue from a shell (docs/operations.md, Background jobs).

``discuss jobs stats`` prints :func:`discuss.jobs.queue_stats` as JSON;
``discuss jobs dead`` lists the newest dead letters; ``discuss jobs replay ID``
enqueues one again (admins replay webhook deliveries from the admin console,
which audits it; this is for operators and any job).
"""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from . import jobs
from .extensions import db
from .models import DeadJob
from .transactions import end_read, writing


@click.group("jobs")
def jobs_group() -> None:
    """The job queue: figures, dead letters, replays (the worker is `discuss worker`)."""


@jobs_group.command("stats")
@with_appcontext
def stats() -> None:
    """Pending, scheduled, the oldest pending job's age, dead letters and outbox rows, as JSON."""
    click.echo(json.dumps(jobs.queue_stats(current_app._get_current_object()), sort_keys=True))


@jobs_group.command("dead")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@with_appcontext
def dead(limit: int) -> None:
    """The newest dead letters: id, when, job, attempts, error."""
    rows = db.session.execute(sa.select(DeadJob).order_by(DeadJob.failed_at.desc(), DeadJob.id.desc())
                              .limit(limit)).scalars().all()
    end_read()
    if not rows:
        click.echo("no dead letters")
    for row in rows:
        click.echo(f"{row.id}\t{row.failed_at.isoformat(timespec='seconds')}Z\t{row.task}\t"
                   f"{row.attempts} attempt(s)\t{row.error}")


@jobs_group.command("replay")
@click.argument("dead_id", type=click.IntRange(1, 2**31 - 1))
@with_appcontext
def replay(dead_id: int) -> None:
    """Enqueue dead letter DEAD_ID's job again (the dead letter is removed)."""
    with writing():
        found = jobs.replay_dead_letter(dead_id)
    if not found:
        raise click.ClickException(f"no dead letter {dead_id}")
    current_app.logger.warning("dead letter %s replayed from the command line", dead_id)
    click.echo(f"dead letter {dead_id} queued again")
