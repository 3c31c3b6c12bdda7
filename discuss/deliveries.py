"""Failed webhook deliveries, as the admin console shows and replays them.

A webhook delivery is a job of the built-in webhook plugin
(``discuss_builtins.webhook.deliver``, arguments ``site, event, url, body,
delivery_id``). One that failed for good is a dead letter (:class:`discuss.models.DeadJob`);
this module lists those of the sites an admin administers and replays one
(:func:`discuss.jobs.replay_dead_letter`), with an audit entry. Deliveries still
being retried are counted from the queue's schedule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from .admin.access import administered_site_ids
from .errors import Refusal
from .extensions import db
from .models import DeadJob, Moderator, ModeratorAction, Site, utcnow
from .transactions import writing

#: The webhook plugin's delivery job, by its name in the queue.
WEBHOOK_TASK = "discuss_builtins.webhook.deliver"
#: Failed deliveries shown at most (newest first).
LIMIT = 200
REPLAYED = "webhook_replayed"
_PLAIN_ERRORS = ("DeliveryFailed: ", "GiveUp: ")


class DeliveryRefused(Refusal):
    """A replay that cannot be done (404: no such failed delivery for this admin)."""


@dataclass(frozen=True)
class FailedDelivery:
    id: int
    site: str
    event: str
    url: str
    delivery_id: str
    comment_id: int | None
    attempts: int
    error: str
    failed_at: datetime
    request_id: str | None

    @classmethod
    def of(cls, row: DeadJob) -> "FailedDelivery":
        site, event, url, body, delivery_id = (list(row.args) + [None] * 5)[:5]
        try:
            comment_id = json.loads(body)["comment"]["id"]
        except (TypeError, ValueError, KeyError):
            comment_id = None
        error = row.error
        for kind in _PLAIN_ERRORS:  # the webhook's own failures read as sentences; others keep their type
            if error.startswith(kind):
                error = error[len(kind):]
        return cls(id=row.id, site=str(site), event=str(event), url=str(url), delivery_id=str(delivery_id),
                   comment_id=comment_id, attempts=row.attempts, error=error, failed_at=row.failed_at,
                   request_id=row.request_id)


def _slugs(viewer: Moderator) -> list[str] | None:
    """Slugs of the sites ``viewer`` administers; None: every site."""
    ids = administered_site_ids(viewer)
    if ids is None:
        return None
    return list(db.session.execute(sa.select(Site.slug).where(Site.id.in_(ids or [-1]))).scalars())


def _visible(viewer: Moderator, site: str | None = None) -> sa.Select:
    query = sa.select(DeadJob).where(DeadJob.task == WEBHOOK_TASK)
    slugs = _slugs(viewer)
    if slugs is not None:
        query = query.where(DeadJob.args[0].as_string().in_(slugs or ["-"]))
    if site:
        query = query.where(DeadJob.args[0].as_string() == site)
    return query


def failed_deliveries(viewer: Moderator, site: str | None = None) -> list[FailedDelivery]:
    """The newest :data:`LIMIT` failed deliveries of ``viewer``'s sites (of ``site`` when given)."""
    rows = db.session.execute(_visible(viewer, site).order_by(DeadJob.failed_at.desc(), DeadJob.id.desc())
                              .limit(LIMIT)).scalars()
    return [FailedDelivery.of(row) for row in rows]


def waiting_for_retry(viewer: Moderator) -> int:
    """Deliveries of ``viewer``'s sites that failed an attempt and wait for their next one."""
    from flask import current_app

    from .jobs import huey

    slugs = _slugs(viewer)
    with current_app.app_context():
        tasks = huey.scheduled(1000)
    return sum(1 for task in tasks
               if huey._registry.task_to_string(type(task)) == WEBHOOK_TASK and task.args
               and (slugs is None or task.args[0] in slugs))


def replay(viewer: Moderator, dead_id: int) -> FailedDelivery:
    """Send failed delivery ``dead_id`` again (same ``webhook-id``), audited; the delivery replayed.

    :raises DeliveryRefused: 404 when there is none for ``viewer``.
    """
    from .jobs import replay_dead_letter

    with writing():
        actor = db.session.get(Moderator, viewer.id)
        row = db.session.execute(_visible(actor).where(DeadJob.id == dead_id)).scalar_one_or_none()
        if row is None:
            raise DeliveryRefused("delivery", f"no failed delivery {dead_id}", 404)  # a 404 page: not shown
        delivery = FailedDelivery.of(row)
        site = db.session.execute(sa.select(Site).filter_by(slug=delivery.site)).scalar_one_or_none()
        before: dict[str, Any] = {"state": "dead", "attempts": delivery.attempts, "error": delivery.error}
        replay_dead_letter(dead_id)
        db.session.add(ModeratorAction(
            moderator_id=actor.id, action=REPLAYED, subject=f"webhook:{delivery.delivery_id}",
            site_id=site.id if site is not None else None, reason=f"{delivery.event} to {delivery.url}"[:500],
            before=before, after={"state": "queued"}, created_at=utcnow()))
    return delivery
