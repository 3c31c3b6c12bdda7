"""The admin dashboard's figures: per site (or every site the viewer sees) and period.

Each figure is one aggregate query (``GROUP BY`` in the database); only the
median time from hold to decision reads one row per decided comment (the first
decision's time), because a median is not a portable SQL aggregate.

A period is ``[start, end)`` in UTC, from whole days. "Held" comments are those
a plugin held (a ``hold`` verdict); their decision is the first moderator
action on them (approve, reject, edit, ban or delete) in the audit log.
"""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from .auth import site_ids
from .bounds import MAX_YEAR, MIN_YEAR
from .errors import Refusal
from .extensions import db
from .i18n import gettext as _
from .models import (DELETED, PENDING, PUBLISHED, REJECTED, Comment, Moderator, ModeratorAction, Report, Site,
                     Thread, VerdictRecord, utcnow)

PERIODS = {"7": 7, "30": 30, "90": 90}
DEFAULT_PERIOD = "30"
MAX_DAYS = 366 * 2
OUTCOMES = (PUBLISHED, PENDING, REJECTED, DELETED)
OUTCOME_LABELS = {PUBLISHED: "published", PENDING: "held", REJECTED: "rejected", DELETED: "deleted"}
DECISIONS = ("approve", "reject", "edit", "ban", "delete")
TOP_PLUGINS = 10


class DashboardRefused(Refusal):
    """A bad ``site`` (404) or period (422, naming ``period``, ``start`` or ``end``)."""


@dataclass(frozen=True)
class Period:
    start: date          # first day
    end: date            # last day, inclusive

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time())

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time())

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


@dataclass
class Figures:
    site: Site | None                          # None: every site the viewer sees
    period: Period
    outcomes: dict[str, int] = field(default_factory=dict)                 # status -> count
    daily: dict[date, dict[str, int]] = field(default_factory=dict)        # day -> status -> count
    queue_size: int = 0
    oldest_waiting: datetime | None = None
    decided: int = 0                                                       # held comments decided
    median_decision: timedelta | None = None
    plugins: list[tuple[str, int]] = field(default_factory=list)          # plugin, comments held
    reports: dict[str, int] = field(default_factory=dict)                 # reason -> count

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())

    def oldest_age(self, now: datetime | None = None) -> timedelta | None:
        return (now or utcnow()) - self.oldest_waiting if self.oldest_waiting else None


def parse_period(period: str | None, start: str | None = None, end: str | None = None,
                 today: date | None = None) -> Period:
    """``period`` "7", "30" or "90" (days up to today), or "custom" with ``start`` and ``end`` dates.

    :raises DashboardRefused: 422 naming the field.
    """
    today = today or utcnow().date()
    period = period or DEFAULT_PERIOD
    if period in PERIODS:
        return Period(today - timedelta(days=PERIODS[period] - 1), today)
    if period != "custom":
        raise DashboardRefused("period", _("Choose the last 7, 30 or 90 days, or dates from and to."))
    first, last = _day(start, "start"), _day(end, "end")
    if last < first:
        raise DashboardRefused("end", _("The period must end on or after the day it starts."))
    if (last - first).days + 1 > MAX_DAYS:
        raise DashboardRefused("end", _("Choose at most %(num)s days.", num=MAX_DAYS))
    return Period(first, last)


def _day(text: str | None, name: str) -> date:
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        raise DashboardRefused(name, _("Use a date like 2026-05-01.")) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise DashboardRefused(name, _("Use a year from %(first)s to %(last)s.", first=MIN_YEAR, last=MAX_YEAR))
    return day


def resolve_site(viewer: Moderator, slug: str | None) -> Site | None:
    """The site ``slug`` if ``viewer`` sees it (``None`` for every site). :raises DashboardRefused: 404."""
    if not slug:
        return None
    site = db.session.execute(sa.select(Site).where(Site.slug == slug)).scalar_one_or_none()
    allowed = site_ids(viewer)
    if site is None or (allowed is not None and site.id not in allowed):
        raise DashboardRefused("site", _("No site %(slug)r.", slug=slug), 404)
    return site


def figures(viewer: Moderator, site: Site | None, period: Period) -> Figures:
    """Every figure of the dashboard for ``site`` (``None``: all of ``viewer``'s sites) and ``period``."""
    scope = _site_filter(viewer, site)
    since, until = period.since, period.until
    result = Figures(site=site, period=period)
    in_period = sa.and_(Comment.created_at >= since, Comment.created_at < until)

    day = sa.func.date(Comment.created_at).label("day")
    rows = db.session.execute(
        sa.select(day, Comment.status, sa.func.count()).select_from(Comment)
        .join(Thread, Thread.id == Comment.thread_id).where(scope, in_period)
        .group_by(day, Comment.status)
    ).all()
    result.outcomes = {status: 0 for status in OUTCOMES}
    result.daily = {d: {status: 0 for status in OUTCOMES} for d in period.days()}
    for day_value, status, count in rows:
        result.outcomes[status] = result.outcomes.get(status, 0) + count
        key = day_value if isinstance(day_value, date) else date.fromisoformat(str(day_value)[:10])
        result.daily.setdefault(key, {s: 0 for s in OUTCOMES})[status] = count

    result.queue_size, result.oldest_waiting = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(Comment.created_at)).select_from(Comment)
        .join(Thread, Thread.id == Comment.thread_id).where(scope, Comment.status == PENDING)
    ).one()

    held = (sa.select(VerdictRecord.comment_id).where(VerdictRecord.decision == "hold")).scalar_subquery()
    first_decision = sa.func.min(ModeratorAction.created_at)
    waits = db.session.execute(
        sa.select(Comment.created_at, first_decision).select_from(Comment)
        .join(Thread, Thread.id == Comment.thread_id)
        .join(ModeratorAction, ModeratorAction.comment_id == Comment.id)
        .where(scope, in_period, Comment.id.in_(held), ModeratorAction.action.in_(DECISIONS))
        .group_by(Comment.id, Comment.created_at)
    ).all()
    durations = [(decided - created).total_seconds() for created, decided in waits]
    result.decided = len(durations)
    result.median_decision = timedelta(seconds=statistics.median(durations)) if durations else None

    held_count = sa.func.count(sa.distinct(VerdictRecord.comment_id))
    result.plugins = [(plugin, count) for plugin, count in db.session.execute(
        sa.select(VerdictRecord.plugin, held_count).select_from(VerdictRecord)
        .join(Comment, Comment.id == VerdictRecord.comment_id).join(Thread, Thread.id == Comment.thread_id)
        .where(scope, in_period, VerdictRecord.decision == "hold")
        .group_by(VerdictRecord.plugin).order_by(held_count.desc(), VerdictRecord.plugin).limit(TOP_PLUGINS)
    )]

    result.reports = {reason: count for reason, count in db.session.execute(
        sa.select(Report.reason, sa.func.count()).select_from(Report)
        .join(Comment, Comment.id == Report.comment_id).join(Thread, Thread.id == Comment.thread_id)
        .where(scope, Report.created_at >= since, Report.created_at < until)
        .group_by(Report.reason).order_by(Report.reason)
    )}
    return result


def _site_filter(viewer: Moderator, site: Site | None):
    if site is not None:
        return Thread.site_id == site.id
    allowed = site_ids(viewer)
    return sa.true() if allowed is None else Thread.site_id.in_(allowed or [-1])


def as_csv(result: Figures) -> str:
    """The same figures as CSV: one ``figure,key,value`` row each, daily counts last."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["figure", "key", "value"])
    writer.writerow(["site", "", result.site.slug if result.site else "(all)"])
    writer.writerow(["period", "start", result.period.start.isoformat()])
    writer.writerow(["period", "end", result.period.end.isoformat()])
    for status in OUTCOMES:
        writer.writerow(["comments", OUTCOME_LABELS[status], result.outcomes.get(status, 0)])
    writer.writerow(["queue", "size", result.queue_size])
    age = result.oldest_age()
    writer.writerow(["queue", "oldest_age_hours", f"{age.total_seconds() / 3600:.1f}" if age else ""])
    writer.writerow(["hold_to_decision", "decided", result.decided])
    writer.writerow(["hold_to_decision", "median_hours",
                     f"{result.median_decision.total_seconds() / 3600:.2f}" if result.median_decision else ""])
    for plugin, count in result.plugins:
        writer.writerow(["held_by_plugin", plugin, count])
    for reason, count in result.reports.items():
        writer.writerow(["reports", reason, count])
    for day, counts in sorted(result.daily.items()):
        for status in OUTCOMES:
            writer.writerow([f"daily_{OUTCOME_LABELS[status]}", day.isoformat(), counts.get(status, 0)])
    return buffer.getvalue()
