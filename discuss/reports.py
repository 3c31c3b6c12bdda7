"""Readers' reports: "this published comment breaks the rules".

Reports from distinct readers add up. A reader is known by the hashed address
and, when the widget sends one, the hashed id its browser keeps: reports that
share either are one reader. So one address is one reader whatever browser it
uses (an IPv6 /64 is one address, see :func:`discuss.clients.hash_ip`), and one
browser is one reader from however many addresses (a phone moving between
networks, or someone hopping through a VPN). When a comment's open reports reach
the site's threshold (set in the admin area; default ``REPORTS_TO_HIDE``)
it goes back to ``pending`` with ``hidden_by_reports`` set,
so the public thread stops showing it until a moderator decides. The hide is
recorded in the audit log as an automatic action (no moderator).

Once a moderator has published the comment (approved, edited or restored it),
readers can no longer take it down by themselves: further reports leave it up
and put it in the review queue as *reported*, for a person to weigh again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from .errors import Refusal
from .extensions import db
from .models import PENDING, PUBLISHED, Comment, ModeratorAction, Report, Site, utcnow
from .host import PluginHost
from .moderation import fire_event
from .transactions import writing

REASONS = ("spam", "abuse", "personal-data", "off-topic", "other")
MAX_NOTE_LENGTH = 1000
HIDE = "hide"  # the audit action of an automatic hide
#: Decisions by which a moderator published a comment: after one, reports queue it instead of hiding it.
PUBLISHING_DECISIONS = ("approve", "edit", "restore")


class ReportRefused(Refusal):
    """The report was not taken: ``code`` 404 (nothing public to report) or 422."""

    def __init__(self, code: int, message: str, field: str = "comment"):
        super().__init__(field, message, code)


@dataclass(frozen=True)
class Reported:
    report: Report
    comment: Comment
    site: Site
    hidden: bool      # this report hid the comment
    queued: bool      # a moderator had published it: it stays up, in the queue as reported
    duplicate: bool   # this address had already reported it; nothing new was stored


def reportable_site(comment_id: int) -> Site | None:
    """The site of a comment readers can report (published, or hidden by reports)."""
    row = db.session.execute(
        sa.select(Comment.status, Comment.hidden_by_reports, Site)
        .select_from(Comment).join(Comment.thread).join(Site)
        .where(Comment.id == comment_id)
    ).first()
    if row is None or not (row[0] == PUBLISHED or (row[0] == PENDING and row[1])):
        return None
    return row[2]


def reports_to_hide(site: Site) -> int:
    """How many readers' reports hide a comment of ``site``: its own threshold (set in the
    admin area), else the service's ``REPORTS_TO_HIDE``; 0 means reports never hide."""
    if site.reports_to_hide is not None:
        return int(site.reports_to_hide)
    return int(current_app.config["REPORTS_TO_HIDE"])


def report_comment(host: PluginHost, comment_id: int, reason: str, note: str,
                   ip_hash: str, reader_hash: str | None = None) -> Reported:
    """Store a reader's report; hide the comment when the reports reach the threshold.

    A second report from the same address, or the same browser (``reader_hash``),
    while the first is open stores nothing and counts once. Fires
    ``discuss_comment_reported`` after commit.

    :raises ReportRefused: for an unknown reason, an over-long note, or a comment
        that is not public (unknown, held, rejected, deleted).
    """
    if reason not in REASONS:
        raise ReportRefused(422, f"Choose a reason: {', '.join(REASONS)}.", field="reason")
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ReportRefused(422, f"The note may have at most {MAX_NOTE_LENGTH} characters.", field="note")
    site = reportable_site(comment_id)
    if site is None:
        raise ReportRefused(404, f"No published comment {comment_id}.")
    site_id = site.id

    threshold = reports_to_hide(site)
    with writing():
        same_reader = Report.ip_hash == ip_hash
        if reader_hash:
            same_reader = sa.or_(same_reader, Report.reader_hash == reader_hash)
        existing = db.session.execute(
            sa.select(Report).where(Report.comment_id == comment_id, same_reader,
                                    Report.resolved.is_(False)).order_by(Report.id).limit(1)
        ).scalar_one_or_none()
        hidden = queued = False
        if existing is not None:
            report, duplicate = existing, True
        else:
            report, duplicate = Report(comment_id=comment_id, reason=reason, note=note, ip_hash=ip_hash,
                                       reader_hash=reader_hash, resolved=False, created_at=utcnow()), False
            db.session.add(report)
            db.session.flush()
            if threshold > 0 and _open_reporters(comment_id) >= threshold:
                if _published_by_a_moderator(comment_id):
                    queued = True
                else:
                    hidden = _hide(comment_id, threshold)
    comment = db.session.get(Comment, comment_id, populate_existing=True)
    site = db.session.get(Site, site_id)
    if not duplicate:
        fire_event(host, "discuss_comment_reported", site, comment=comment, report=report, hidden=hidden)
    return Reported(report=report, comment=comment, site=site, hidden=hidden, queued=queued,
                    duplicate=duplicate)


def _published_by_a_moderator(comment_id: int) -> bool:
    """Whether a person has decided this comment should be public (readers may not overrule that)."""
    return db.session.execute(
        sa.select(ModeratorAction.id).where(ModeratorAction.comment_id == comment_id,
                                            ModeratorAction.moderator_id.is_not(None),
                                            ModeratorAction.action.in_(PUBLISHING_DECISIONS)).limit(1)
    ).first() is not None


def _open_reporters(comment_id: int) -> int:
    """How many distinct readers have open reports on the comment."""
    rows = db.session.execute(
        sa.select(Report.id, Report.ip_hash, Report.reader_hash)
        .where(Report.comment_id == comment_id, Report.resolved.is_(False))
    ).all()
    return count_readers(rows)


def count_readers(reports) -> int:
    """Distinct readers among ``(report key, ip_hash, reader_hash)`` triples: reports
    that share an address or a browser are one reader (connected components)."""
    parent: dict[tuple[str, Any], tuple[str, Any]] = {}

    def root(node: tuple[str, Any]) -> tuple[str, Any]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    owns = []
    for own, ip_hash, reader_hash in reports:
        owns.append(("report", own))
        root(owns[-1])
        for link in (("ip", ip_hash), ("reader", reader_hash)):
            if link[1]:
                parent[root(link)] = root(owns[-1])
    return len({root(own) for own in owns})


def _hide(comment_id: int, threshold: int) -> bool:
    """Take a published comment down pending review; False when it was not published any more.

    The change goes through the ORM like a moderator's decision, so the mapper's
    versioned UPDATE refuses it when a decision got there first.
    """
    comment = db.session.get(Comment, comment_id, populate_existing=True)
    if comment is None or comment.status != PUBLISHED:
        return False
    version = comment.version
    try:
        with db.session.begin_nested():
            comment.status = PENDING
            comment.hidden_by_reports = True
            comment.updated_at = utcnow()
    except StaleDataError:
        return False
    db.session.add(ModeratorAction(
        comment_id=comment_id, moderator_id=None, action=HIDE,
        reason=f"hidden after {threshold} reader reports",
        before={"status": PUBLISHED, "version": version, "hidden_by_reports": False},
        after={"status": PENDING, "version": comment.version, "hidden_by_reports": True},
        created_at=utcnow(),
    ))
    return True
