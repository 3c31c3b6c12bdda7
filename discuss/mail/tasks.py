"""Mail's jobs on the queue (discuss/jobs.py): delivery with retries, digests, the stale sweep.

:func:`deliver_mail` is enqueued by :func:`discuss.mail.outbox.add` once the
transaction that made the message due commits (``enqueue_after_commit``: the
job's message is stored in that same transaction). A failed attempt raises, so
the queue retries it: :data:`RETRIES` more times, the first after
:data:`RETRY_DELAY` seconds and each later one after twice the wait before it
(1, 2, 4 ... 128 minutes: about 4 h 15 min in all). The last attempt marks
the message ``failed`` instead of raising; the admin console lists it.
"""

from __future__ import annotations

from ..jobs import crontab, enqueue_after_commit, job, periodic
from . import moderators, outbox

RETRIES = outbox.ATTEMPTS - 1
RETRY_DELAY = 60


@job(retries=RETRIES, retry_delay=RETRY_DELAY, backoff=True, name="mail.deliver")
def deliver_mail(mail_id: int) -> str:
    """Send one message of the outbox (:func:`discuss.mail.outbox.deliver`)."""
    return outbox.deliver(mail_id)


@periodic(crontab(minute="0"), name="mail.digests")
def send_digests() -> int:
    """Every hour: each digest moderator's new held comments, per site (nothing new: no mail)."""
    return moderators.send_digests()


@periodic(crontab(minute="*/30"), name="mail.requeue_stale")
def requeue_stale_mail() -> int:
    """Every half hour: deliver pending messages nobody has tried for hours (a worker died mid-job)."""
    return len(outbox.requeue_stale())


def _deliver_after_commit(mail_id: int) -> None:
    enqueue_after_commit(deliver_mail, mail_id)


outbox._deliver_after_commit = _deliver_after_commit
