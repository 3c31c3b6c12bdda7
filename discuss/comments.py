"""The write path: validate, screen, store with every verdict, then announce.

:func:`post_comment` returns a :class:`Posted` whose ``outcome`` says what
became of the reply; the JSON API, the no-JavaScript page and the CLI each
turn that into their own answer.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import has_request_context
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from . import metrics
from .errors import Refusal
from .extensions import db
from .i18n import N_, current as i18n_current, lazy_gettext
from .mail import events as mail_events
from .host import PluginHost, SiteFacts
from .models import PENDING, PUBLISHED, REJECTED, Comment, Site, Thread, VerdictRecord, lower_email, utcnow
from .moderation import Screening, fire_event, screen_comment
from .origins import normalise_origin, own_origin
from .render import render_body
from .labels import category_of, is_urgent
from .submission import Submission
from .threads import _THREAD_BY_KEY
from .transactions import end_read, writing
from .verdict import HOLD, PUBLISH, REJECT

MAX_DEPTH = 30  # how deep replies may nest

log = logging.getLogger(__name__)

_STATUS_FOR = {PUBLISH: PUBLISHED, HOLD: PENDING, REJECT: REJECTED}


class InvalidReply(Refusal):
    """The reply cannot be stored as asked; ``field`` names the culprit."""


class ThreadClosed(InvalidReply):
    """The discussion no longer takes replies."""

    code = 403

    def __init__(self) -> None:
        super().__init__("thread", N_("This discussion is closed to new comments."))


#: What the author is told when the reply waits for a moderator (or is silently refused).
HELD_MESSAGE = N_("Thanks, your comment is awaiting moderation.")
#: What the author is told when the reply is published at once.
PUBLISHED_MESSAGE = N_("Your comment is published.")


class Outcome(enum.Enum):
    """What became of a reply, as its author may learn it."""

    PUBLISHED = "published"
    HELD = "held"                    # waits for a moderator
    REJECTED = "rejected"            # refused; the author is told ``public_reason``
    SILENTLY_REFUSED = "silent"      # refused, but the author is told it awaits review (a bot)

    @property
    def shown_as_held(self) -> bool:
        """Whether the author is told the reply awaits moderation."""
        return self in (Outcome.HELD, Outcome.SILENTLY_REFUSED)


@dataclass(frozen=True)
class Posted:
    """A stored reply, its screening, and its :class:`Outcome`."""

    outcome: Outcome
    comment: Comment
    screening: Screening
    public_reason: str = ""  # for REJECTED: what to tell the author
    #: What the caller's ``answer`` made of it inside the transaction (see :func:`post_comment`).
    answer: Any = None


def outcome_of(screening: Screening) -> Outcome:
    if screening.decision == PUBLISH:
        return Outcome.PUBLISHED
    if screening.decision == HOLD:
        return Outcome.HELD
    return Outcome.SILENTLY_REFUSED if screening.silent else Outcome.REJECTED


def submission_for(site: Site, thread_key: str, reply: Mapping[str, Any], *, ip_hash: str | None,
                   user_agent: str = "") -> Submission:
    """The :class:`Submission` the plugins screen, from a reply :class:`~discuss.schemas.CommentCreate` loaded."""
    email = reply.get("author_email") or None
    return Submission(
        body=reply["body"],
        author_name=reply["author_name"],
        author_email=email.lower() if email else None,
        site=site.slug,
        thread_key=thread_key,
        thread_title=reply.get("page_title") or "",
        page_url=reply.get("page_url") or "",
        parent_id=reply.get("parent_id"),
        ip_hash=ip_hash,
        user_agent=user_agent[:300],
        extra={"website": reply.get("website", "")},
    )


def check_parent(thread: Any, parent_id: int | None) -> None:
    """A reply's parent must exist, be in the same thread (``thread``: anything with an ``id``, or
    ``None``), be published, and not too deep.

    :raises InvalidReply: naming ``parent_id``.
    """
    if parent_id is None:
        return
    parent = db.session.get(Comment, parent_id)
    if parent is None or thread is None or parent.thread_id != thread.id:
        raise InvalidReply("parent_id", N_("no such comment in this thread"))
    if parent.status != PUBLISHED:
        raise InvalidReply("parent_id", N_("that comment is not published"))
    depth = 1
    while parent.parent_id is not None:
        depth += 1
        if depth >= MAX_DEPTH:
            raise InvalidReply("parent_id", lazy_gettext("replies can nest at most %(depth)d deep", depth=MAX_DEPTH))
        parent = db.session.get(Comment, parent.parent_id)


def check_page_url(site: Site, page_url: str) -> None:
    """A reply's ``page_url`` must be a page of the site: on one of its allowed origins
    (or this service's own pages, such as the demo page).

    The URL may become the thread's link on public pages and feeds, so a page
    elsewhere (a phishing site) is refused rather than stored.

    :raises InvalidReply: naming ``page_url``.
    """
    if not page_url:
        return
    try:
        parts = urlsplit(page_url)
        origin = normalise_origin(f"{parts.scheme}://{parts.netloc}")
    except ValueError:
        raise InvalidReply("page_url", N_("Not a web page address.")) from None
    allowed = set(site.allowed_origins or [])
    if origin in allowed or "*" in allowed or (has_request_context() and origin == own_origin()):
        return
    raise InvalidReply("page_url", N_("The page is not on one of this site's addresses."))


def post_comment(host: PluginHost, site: Site, submission: Submission,
                 answer: Callable[[Posted], Any] | None = None, *, watch_replies: bool = False) -> Posted:
    """Screen a reply and store it with its verdicts in one transaction; say what became of it.

    The thread is created on its first comment. Rejected replies are kept (status
    ``rejected``) for the audit and the queue. A rejection is an outcome, not an
    exception: see :class:`Outcome`.

    ``answer``, when given, is called inside the write transaction with the
    :class:`Posted` and its result kept as :attr:`Posted.answer`: a view shapes
    its response there (and stores it with an idempotency key, which rolls the
    comment back if it raises), so nothing that can fail runs between the
    commit and the response. After the commit only the event hooks run, and a
    failure there (a plugin, a database gone away) is logged, never raised: the
    comment is stored and its author must be told so.

    :raises InvalidReply: for a parent that does not exist, is elsewhere or unpublished,
        a ``page_url`` off the site's origins, and :class:`ThreadClosed` when the thread is closed.

    ``watch_replies``: the author asked to be mailed replies (discuss/mail); the mail
    this makes due (a confirmation, a reply notice, moderators' notices) is written
    to the outbox in the same transaction and sent by a job after it.
    """
    thread = db.session.connection().execute(
        _THREAD_STATE, {"site_id": site.id, "key": submission.thread_key}).first()
    if thread is not None and thread.closed:
        raise ThreadClosed()
    check_parent(thread, submission.parent_id)
    check_page_url(site, submission.page_url)
    # Give the connection back while the plugins run: they use a connection of their
    # own (History), and a request holding one through screening could starve the
    # pool under load. The host reads what it needs of the site first.
    facts = SiteFacts.of(site)
    end_read()
    screening = screen_comment(host, submission, facts)
    outcome = outcome_of(screening)
    reason = screening.public_reason() if outcome is Outcome.REJECTED else ""
    with writing(keep_loaded=True):  # the answer and the events use what was just written
        comment = _store(site, submission, screening)
        comment_id = comment.id
        mail_events.comment_stored(comment, site, watch_replies=watch_replies, language=i18n_current(),
                                   reasons=screening.reasons())
        posted = Posted(outcome, comment, screening, reason)
        if answer is not None:
            posted = replace(posted, answer=answer(posted))
    metrics.comment_posted(outcome.value, screening)
    try:
        _announce(host, facts, comment, screening)
    except Exception:  # noqa: BLE001 - the reply is stored; its author must hear so
        log.exception("announcing comment %s failed after it was stored", comment_id)
    return posted


def _store(site: Site, submission: Submission, screening: Screening) -> Comment:
    """The comment's row and its verdicts: the thread's SELECT, one INSERT of the comment
    (its id, and its ``root_id`` from the parent's, made by the same statement) and one of
    the verdicts. Prebuilt Core statements, no unit-of-work flush; the returned
    :class:`Comment` is attached to the session as if read back, without reading it."""
    session = db.session
    thread = _get_or_create_thread(site, submission, screening.decision == PUBLISH)
    now = utcnow()
    values = {
        "thread_id": thread.id,
        "parent_id": submission.parent_id,
        "author_name": submission.author_name,
        "author_email": lower_email(submission.author_email),
        "body": screening.body,
        "body_html": render_body(screening.body),
        "status": _STATUS_FOR[screening.decision],
        "ip_hash": submission.ip_hash,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "hidden_by_reports": False,
        "urgent": any(is_urgent(pv.verdict.decision, pv.verdict.details) for pv in screening.verdicts),
    }
    connection = session.connection()
    comment_id, root_id = connection.execute(_insert_comment(connection.dialect), values).one()
    comment = Comment(id=comment_id, root_id=root_id, **values)
    make_transient_to_detached(comment)  # its row is what was just written: nothing to load
    session.add(comment)
    set_committed_value(comment, "thread", thread)
    if screening.verdicts:
        # Every verdict row in one INSERT (executemany / multi-row VALUES), not one per plugin.
        connection.execute(_INSERT_VERDICT, [
            {
                "comment_id": comment_id,
                "plugin": pv.plugin,
                "decision": pv.verdict.decision,
                "reason": pv.verdict.reason[:500],
                "details": _jsonable(dict(pv.verdict.details)),
                "elapsed_ms": round(pv.elapsed_ms, 3),
                "category": category_of(pv.verdict.decision, pv.verdict.details),
            }
            for pv in screening.verdicts
        ])
    return comment


_comment = Comment.__table__
_thread = Thread.__table__
_INSERT_VERDICT = sa.insert(VerdictRecord.__table__)
_COMMENT_VALUES = ("thread_id", "parent_id", "author_name", "author_email", "body", "body_html", "status",
                   "ip_hash", "created_at", "updated_at", "version", "hidden_by_reports", "urgent")
_insert_comment_by_dialect: dict[str, sa.Insert] = {}


def _insert_comment(dialect: Any) -> sa.Insert:
    """``INSERT INTO comment (id, root_id, ...) SELECT n, coalesce(parent's root_id, n), ...
    RETURNING id, root_id``: a top-level comment is its own root, known in the same statement
    (the id comes from the sequence on PostgreSQL; on SQLite, which writes one transaction at a
    time under ``BEGIN IMMEDIATE``, it is the next rowid, as SQLite would choose it)."""
    statement = _insert_comment_by_dialect.get(dialect.name)
    if statement is not None:
        return statement
    if dialect.name == "postgresql":
        next_id = sa.select(sa.func.nextval(sa.func.pg_get_serial_sequence("comment", "id")).label("n"))
    else:
        next_id = sa.select((sa.func.coalesce(sa.func.max(_comment.c.id), 0) + 1).label("n"))
    n = next_id.subquery("next_id")
    parent = _comment.alias("parent")
    parent_root = sa.select(parent.c.root_id).where(parent.c.id == sa.bindparam("parent_id", type_=sa.Integer))
    source = sa.select(
        n.c.n, sa.func.coalesce(parent_root.scalar_subquery(), n.c.n),
        *(sa.bindparam(name, type_=_comment.c[name].type) for name in _COMMENT_VALUES),
    )
    statement = (sa.insert(_comment)
                 .from_select(["id", "root_id", *_COMMENT_VALUES], source)
                 .returning(_comment.c.id, _comment.c.root_id))
    _insert_comment_by_dialect[dialect.name] = statement
    return statement


def _get_or_create_thread(site: Site, submission: Submission, published: bool) -> Thread:
    """The reply's thread, created if need be.

    Only a published reply names the thread (its title and link appear on public
    pages, feeds and the queue): a held or rejected one creates it untitled, so
    a rejected post cannot put a council-branded title or link in front of readers.
    """
    title = submission.thread_title[:300] if published else ""
    url = submission.page_url[:1000] if published else ""
    identity = sa.inspect(site).identity  # its id without reading the expired row again
    site_id = identity[0] if identity else site.id
    row = db.session.connection().execute(_THREAD_FOR_WRITE, {"site_id": site_id, "key": submission.thread_key}).first()
    if row is not None:
        changes = {}
        if not row.title and title:
            changes["title"] = title
        if not row.url and url:
            changes["url"] = url
        if changes:
            db.session.connection().execute(_thread.update().where(_thread.c.id == row.id).values(**changes))
        # What the answer and the event hooks read of it (key, title, url): a value, not a
        # loaded row (the session's own copy, if any, is expired and stays so).
        return Thread(**{**row._asdict(), **changes})
    thread = Thread(site_id=site_id, key=submission.thread_key, title=title, url=url)
    try:
        with db.session.begin_nested():
            db.session.add(thread)
    except IntegrityError:  # another request created it first
        thread = _thread_of(site_id, submission.thread_key)
        assert thread is not None
    return thread


#: What a reply needs to know of its thread before it is screened.
_THREAD_STATE = sa.select(_thread.c.id, _thread.c.closed).where(
    _thread.c.site_id == sa.bindparam("site_id"), _thread.c.key == sa.bindparam("key"))
_THREAD_FOR_WRITE = sa.select(*_thread.c).where(
    _thread.c.site_id == sa.bindparam("site_id"), _thread.c.key == sa.bindparam("key"))


def _thread_of(site_id: int, key: str) -> Thread | None:
    return db.session.execute(_THREAD_BY_KEY, {"site_id": site_id, "key": key}).scalar_one_or_none()


def _announce(host: PluginHost, site: SiteFacts, comment: Comment, screening: Screening) -> None:
    if screening.decision == PUBLISH:
        fire_event(host, "discuss_comment_published", site, comment=comment)
    elif screening.decision == HOLD:
        fire_event(host, "discuss_comment_held", site, comment=comment, reasons=screening.reasons())
    else:
        fire_event(host, "discuss_comment_rejected", site, comment=comment, reasons=screening.reasons())


def _jsonable(value: Any) -> Any:
    """Plugin details, coerced to what a JSON column can hold."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
