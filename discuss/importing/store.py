"""The one writer every import goes through: idempotent, batched, one transaction.

:func:`run_import` takes the records a reader yields and writes them inside
:func:`discuss.transactions.writing`: the whole import commits at the end or,
on any error, nothing does. Comments are inserted in batches of
:data:`BATCH` (a multi-row ``INSERT ... RETURNING`` per generation of
replies), each remembered in ``import_source`` with its source id, so a second
run of the same file finds them and creates nothing. Parents are looked up in
``import_source`` too, not in memory: memory follows the batch, not the file.
A reply that arrives before its parent waits (in memory) until the parent comes.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import sqlalchemy as sa

from ..comments import MAX_DEPTH
from ..extensions import db
from ..labels import category_of, is_urgent
from ..models import DELETED, PENDING, PUBLISHED, REJECTED, Comment, ImportSource, ModeratorAction, Site, Thread, lower_email, utcnow
from ..render import render_body
from ..schemas import _FORBIDDEN
from ..transactions import writing
from .records import BadImport, SourceComment, SourceThread, Skipped

BATCH = 1000

_comment = Comment.__table__
_thread = Thread.__table__
_source = ImportSource.__table__
#: How strict a status is: --screen never makes a comment less strict than the source had it.
_RANK = {PUBLISHED: 0, PENDING: 1, REJECTED: 2, DELETED: 3}


@dataclass
class Summary:
    """What an import did; printed by the command."""

    source: str
    threads_created: int = 0
    threads_joined: int = 0  # a thread with the page's key was there already
    threads_already: int = 0  # imported by an earlier run
    comments: Counter = field(default_factory=Counter)  # created, by status
    comments_already: int = 0
    skipped: Counter = field(default_factory=Counter)  # reason -> count
    skipped_examples: dict[str, str] = field(default_factory=dict)  # reason -> first item's label

    @property
    def created(self) -> int:
        return sum(self.comments.values())

    def as_record(self, site_slug: str) -> dict[str, Any]:
        """What the audit log keeps: counts only, never names."""
        return {"site": site_slug, "threads_created": self.threads_created, "threads_joined": self.threads_joined,
                "comments": dict(self.comments), "already_imported": self.comments_already,
                "skipped": dict(self.skipped)}

    def lines(self) -> list[str]:
        out = [f"threads: {self.threads_created} created, {self.threads_joined} joined existing, "
               f"{self.threads_already} already imported"]
        by_status = ", ".join(f"{count} {status}" for status, count in sorted(self.comments.items())) or "none"
        out.append(f"comments: {self.created} created ({by_status}), {self.comments_already} already imported")
        for reason, count in sorted(self.skipped.items()):
            out.append(f"skipped: {count} {reason} (first: {self.skipped_examples[reason]})")
        return out


def run_import(site_slug: str, reader: Any, *, screen_with: Any = None,
               create_site: Callable[[], Site] | None = None) -> Summary:
    """Write what ``reader.records()`` yields to the site ``site_slug`` in one transaction.

    ``reader.source`` names the export (read when the first record arrives: a WXR
    file names its blog before its first item). ``screen_with``: a
    :class:`~discuss.host.PluginHost` to screen every new comment with the site's
    plugins (``--screen``); the stricter of the source's status and the verdict wins.

    ``create_site`` makes the site, in the same transaction, when there is none
    (``discuss import json``). The import is audited (a ``ModeratorAction`` "import").

    :raises BadImport: naming the item; nothing is written.
    """
    with writing():
        site = db.session.execute(sa.select(Site).filter_by(slug=site_slug)).scalar_one_or_none()
        if site is None and create_site is not None:
            site = create_site()
        if site is None:
            raise BadImport(f"no site {site_slug!r}: add it first with `discuss sites add {site_slug} --name ...`")
        writer = None
        for record in reader.records():
            if writer is None:
                writer = Writer(site, reader.source, screen_with,
                                adopt_existing=getattr(reader, "adopts_existing", False))
            if isinstance(record, SourceComment):
                writer.comment(record)
            elif isinstance(record, SourceThread):
                writer.thread(record)
            elif isinstance(record, Skipped):
                writer.skip(record)
        if writer is None:
            writer = Writer(site, reader.source, screen_with)
        writer.finish()
        db.session.add(ModeratorAction(
            comment_id=None, moderator_id=None, action="import", reason=writer.summary.source[:500],
            before={}, after=writer.summary.as_record(site_slug), created_at=utcnow(),
        ))
    return writer.summary


@dataclass(frozen=True)
class _Placed:
    """A comment already in the database, as a reply needs it."""

    comment_id: int
    thread_id: int
    root_id: int
    parent_id: int | None
    depth: int


class Writer:
    def __init__(self, site: Site, source: str, screen_with: Any = None, *, adopt_existing: bool = False) -> None:
        self.site = site
        # Our own export read back into the site it came from: a comment already there
        # (same page, parent, author, date and text) is that comment, not a new one.
        self.adopt_existing = adopt_existing
        self.source = source[:300]
        self.run = uuid.uuid4().hex
        self.host = screen_with
        self.summary = Summary(source=self.source)
        self.threads: dict[str, int | None] = {}  # source id -> thread id (None: skipped)
        self.thread_facts: dict[int, tuple[str, str, str]] = {}  # thread id -> key, title, url (--screen)
        self.buffer: list[SourceComment] = []
        self.waiting: list[SourceComment] = []  # replies whose parent has not come yet
        self.skipped_comments: set[str] = set()
        self.now = utcnow()

    # -- threads -------------------------------------------------------------------
    def thread(self, record: SourceThread) -> None:
        label = record.label or f"thread {record.source_id}"
        _check_text(record.source_id, record.key, record.title, record.url, label=label)
        if record.source_id in self.threads:
            raise BadImport(f"{label}: the id {record.source_id} appears twice in the file")
        known = self._mapped("thread", [record.source_id])
        if record.source_id in known:
            thread_id = known[record.source_id][0]
            self.summary.threads_already += 1
        else:
            row = db.session.execute(
                sa.select(_thread.c.id, _thread.c.title, _thread.c.url)
                .where(_thread.c.site_id == self.site.id, _thread.c.key == record.key)
            ).first()
            if row is not None:
                thread_id = row.id
                changes = {}
                if not row.title and record.title:
                    changes["title"] = record.title[:300]
                if not row.url and record.url:
                    changes["url"] = record.url[:1000]
                if changes:
                    db.session.execute(sa.update(_thread).where(_thread.c.id == thread_id).values(**changes))
                self.summary.threads_joined += 1
            else:
                thread_id = db.session.execute(sa.insert(_thread).values(
                    site_id=self.site.id, key=record.key, title=record.title[:300], url=record.url[:1000],
                    closed=record.closed, created_at=record.created_at or self.now,
                ).returning(_thread.c.id)).scalar_one()
                self.summary.threads_created += 1
            db.session.execute(sa.insert(_source).values(
                site_id=self.site.id, source=self.source, kind="thread", source_id=record.source_id,
                thread_id=thread_id, depth=0, run=self.run, created_at=self.now,
            ))
        self.threads[record.source_id] = thread_id
        if self.host is not None and thread_id not in self.thread_facts:  # what screening tells plugins
            facts = db.session.execute(sa.select(_thread.c.key, _thread.c.title, _thread.c.url)
                                       .where(_thread.c.id == thread_id)).one()
            self.thread_facts[thread_id] = tuple(facts)

    # -- comments ------------------------------------------------------------------
    def skip(self, record: Skipped) -> None:
        if record.kind == "thread" and record.source_id is not None:
            self.threads[record.source_id] = None
        if record.kind == "comment" and record.source_id is not None:
            self.skipped_comments.add(record.source_id)
        self.summary.skipped[record.reason] += 1
        self.summary.skipped_examples.setdefault(record.reason, record.label)

    def comment(self, record: SourceComment) -> None:
        _check_text(record.source_id, record.author_name, record.author_email or "", record.body, label=record.label)
        if record.status not in _RANK:
            raise BadImport(f"{record.label}: unknown status {record.status!r}")
        thread_id = self._thread_of(record)
        if thread_id is None:
            self.skip(Skipped(record.label, "on a page that was skipped", source_id=record.source_id))
            return
        if record.parent_source_id is not None and record.parent_source_id in self.skipped_comments:
            self.skip(Skipped(record.label, "replies to a skipped comment", source_id=record.source_id))
            return
        self.buffer.append(record)
        if len(self.buffer) >= BATCH:
            self._flush()

    def _thread_of(self, record: SourceComment) -> int | None:
        if record.thread_source_id in self.threads:
            return self.threads[record.thread_source_id]
        known = self._mapped("thread", [record.thread_source_id])
        if record.thread_source_id not in known:
            raise BadImport(f"{record.label}: its thread {record.thread_source_id} is not in the file")
        thread_id = known[record.thread_source_id][0]
        self.threads[record.thread_source_id] = thread_id
        return thread_id

    def finish(self) -> None:
        self._flush()
        while self.waiting:
            before = len(self.waiting)
            self._flush()
            if len(self.waiting) == before:
                first = self.waiting[0]
                raise BadImport(f"{first.label}: its parent {first.parent_source_id} is not in the file")

    def _flush(self) -> None:
        batch, self.buffer = self.waiting + self.buffer, []
        self.waiting = []
        if not batch:
            return
        if self.skipped_comments:  # a reply that came before its (skipped) parent goes the same way
            kept = []
            for record in batch:
                if record.parent_source_id in self.skipped_comments:
                    self.skip(Skipped(record.label, "replies to a skipped comment", source_id=record.source_id))
                else:
                    kept.append(record)
            batch = kept
        ids = [c.source_id for c in batch]
        if len(set(ids)) != len(ids):
            seen: set[str] = set()
            for record in batch:
                if record.source_id in seen:
                    raise BadImport(f"{record.label}: the id {record.source_id} appears twice in the file")
                seen.add(record.source_id)
        known = self._mapped("comment", ids)
        fresh = []
        for record in batch:
            if record.source_id in known:
                if known[record.source_id][1] == self.run:
                    raise BadImport(f"{record.label}: the id {record.source_id} appears twice in the file")
                self.summary.comments_already += 1
            else:
                fresh.append(record)
        in_batch = {c.source_id for c in fresh}
        placed = self._placed([c.parent_source_id for c in fresh
                               if c.parent_source_id is not None and c.parent_source_id not in in_batch])
        remaining = fresh
        while remaining:
            ready, later = [], []
            for record in remaining:
                (ready if record.parent_source_id is None or record.parent_source_id in placed else later).append(record)
            if not ready:
                break
            if self.adopt_existing:
                adopted = self._adopt(ready, placed)
                placed.update(adopted)
                ready = [record for record in ready if record.source_id not in adopted]
            if ready:
                placed.update(self._insert(ready, placed))
            remaining = later
        self.waiting = remaining

    def _insert(self, records: list[SourceComment], placed: dict[str, _Placed]) -> dict[str, _Placed]:
        rows, where = [], []
        screenings = []
        for record in records:
            thread_id = self.threads[record.thread_source_id]
            assert thread_id is not None
            parent = placed.get(record.parent_source_id) if record.parent_source_id is not None else None
            depth = 1
            if parent is not None:
                if parent.thread_id != thread_id:
                    raise BadImport(f"{record.label}: its parent {record.parent_source_id} is on another page")
                depth = parent.depth + 1
                if depth > MAX_DEPTH:  # replies nest at most MAX_DEPTH deep: hang it beside its parent
                    depth = parent.depth
                    parent = _Placed(parent.parent_id or parent.comment_id, thread_id, parent.root_id, None,
                                     parent.depth - 1)
            status, body, verdicts = record.status, record.body, ()
            if self.host is not None:
                status, body, verdicts = self._screen(record, thread_id, parent, status)
            rows.append({
                "thread_id": thread_id,
                "parent_id": parent.comment_id if parent else None,
                "root_id": parent.root_id if parent else None,
                "author_name": record.author_name[:200] or "Anonymous",
                "author_email": (lower_email(record.author_email) or None)[:320] if record.author_email else None,
                "body": body,
                "body_html": render_body(body),
                "status": status,
                "ip_hash": None,
                "created_at": record.created_at,
                "updated_at": record.updated_at or record.created_at,
                "version": 1,
                "hidden_by_reports": False,
                "urgent": any(is_urgent(pv.verdict.decision, pv.verdict.details) for pv in verdicts),
            })
            where.append(depth)
            screenings.append(verdicts)
        new_ids = db.session.execute(
            sa.insert(_comment).returning(_comment.c.id, sort_by_parameter_order=True), rows
        ).scalars().all()
        tops = [cid for cid, row in zip(new_ids, rows) if row["root_id"] is None]
        if tops:
            # updated_at named so its onupdate does not stamp the import time on old comments
            db.session.execute(sa.update(_comment).where(_comment.c.id.in_(tops))
                               .values(root_id=_comment.c.id, updated_at=_comment.c.updated_at))
        db.session.execute(sa.insert(_source), [
            {"site_id": self.site.id, "source": self.source, "kind": "comment", "source_id": record.source_id,
             "thread_id": row["thread_id"], "comment_id": cid, "depth": depth, "run": self.run,
             "created_at": self.now}
            for record, row, cid, depth in zip(records, rows, new_ids, where)
        ])
        verdict_rows = [
            {"comment_id": cid, "plugin": pv.plugin, "decision": pv.verdict.decision,
             "reason": pv.verdict.reason[:500], "details": _jsonable(dict(pv.verdict.details)),
             "elapsed_ms": round(pv.elapsed_ms, 3), "category": category_of(pv.verdict.decision, pv.verdict.details)}
            for cid, verdicts in zip(new_ids, screenings) for pv in verdicts
        ]
        if verdict_rows:
            from ..models import VerdictRecord

            db.session.execute(sa.insert(VerdictRecord.__table__), verdict_rows)
        for row in rows:
            self.summary.comments[row["status"]] += 1
        return {
            record.source_id: _Placed(cid, row["thread_id"], row["root_id"] or cid, row["parent_id"], depth)
            for record, row, cid, depth in zip(records, rows, new_ids, where)
        }

    def _adopt(self, records: list[SourceComment], placed: dict[str, _Placed]) -> dict[str, _Placed]:
        """The comments of ``records`` that are in the site already, remembered as imported."""
        wanted = {}
        for record in records:
            parent = placed.get(record.parent_source_id) if record.parent_source_id is not None else None
            key = (self.threads[record.thread_source_id], parent.comment_id if parent else None,
                   record.created_at, record.author_name, record.body)
            wanted[key] = (record, parent)
        rows = db.session.execute(
            sa.select(_comment.c.id, _comment.c.thread_id, _comment.c.parent_id, _comment.c.created_at,
                      _comment.c.author_name, _comment.c.body, _comment.c.root_id)
            .where(_comment.c.thread_id.in_({key[0] for key in wanted}),
                   _comment.c.created_at.in_({key[2] for key in wanted}))
        )
        adopted: dict[str, _Placed] = {}
        for row in rows:
            match = wanted.pop((row.thread_id, row.parent_id, row.created_at, row.author_name, row.body), None)
            if match is None:
                continue
            record, parent = match
            adopted[record.source_id] = _Placed(row.id, row.thread_id, row.root_id or row.id, row.parent_id,
                                                parent.depth + 1 if parent else 1)
        if adopted:
            db.session.execute(sa.insert(_source), [
                {"site_id": self.site.id, "source": self.source, "kind": "comment", "source_id": sid,
                 "thread_id": p.thread_id, "comment_id": p.comment_id, "depth": p.depth, "run": self.run,
                 "created_at": self.now}
                for sid, p in adopted.items()
            ])
            self.summary.comments_already += len(adopted)
        return adopted

    def _screen(self, record: SourceComment, thread_id: int, parent: _Placed | None, status: str):
        from ..moderation import screen_comment
        from ..submission import Submission
        from ..verdict import HOLD, PUBLISH

        key, title, url = self.thread_facts[thread_id]
        submission = Submission(
            body=record.body, author_name=record.author_name[:200], author_email=lower_email(record.author_email),
            site=self.site.slug, thread_key=key, thread_title=title, page_url=url,
            parent_id=parent.comment_id if parent else None, ip_hash=None, user_agent="discuss-import",
        )
        screening = screen_comment(self.host, submission, self.site)
        verdict_status = {PUBLISH: PUBLISHED, HOLD: PENDING}.get(screening.decision, REJECTED)
        chosen = max(status, verdict_status, key=_RANK.__getitem__)
        body = screening.body if chosen == PUBLISHED else record.body
        return chosen, body, screening.verdicts

    # -- import_source ---------------------------------------------------------------
    def _mapped(self, kind: str, source_ids: list[str]) -> dict[str, tuple[int, str]]:
        """source id -> (thread or comment id, run) for what earlier runs (or this one) wrote."""
        target = _source.c.thread_id if kind == "thread" else _source.c.comment_id
        found: dict[str, tuple[int, str]] = {}
        for start in range(0, len(source_ids), 500):
            rows = db.session.execute(
                sa.select(_source.c.source_id, target, _source.c.run).where(
                    _source.c.site_id == self.site.id, _source.c.source == self.source,
                    _source.c.kind == kind, _source.c.source_id.in_(source_ids[start:start + 500]))
            )
            found.update({row[0]: (row[1], row[2]) for row in rows})
        return found

    def _placed(self, source_ids: list[str]) -> dict[str, _Placed]:
        """Parents already in the database (this run's earlier batches or an earlier run)."""
        placed: dict[str, _Placed] = {}
        unique = sorted(set(source_ids))
        for start in range(0, len(unique), 500):
            rows = db.session.execute(
                sa.select(_source.c.source_id, _comment.c.id, _comment.c.thread_id, _comment.c.root_id,
                          _comment.c.parent_id, _source.c.depth)
                .join(_comment, _comment.c.id == _source.c.comment_id)
                .where(_source.c.site_id == self.site.id, _source.c.source == self.source,
                       _source.c.kind == "comment", _source.c.source_id.in_(unique[start:start + 500]))
            )
            for sid, cid, thread_id, root_id, parent_id, depth in rows:
                placed[sid] = _Placed(cid, thread_id, root_id or cid, parent_id, depth or 1)
        return placed


def _check_text(*values: str, label: str | None = None) -> None:
    for value in values:
        if _FORBIDDEN.search(value):
            raise BadImport(f"{label or values[0]}: contains characters that cannot be stored (NUL or lone surrogates)")


def _jsonable(value: Any) -> Any:
    from ..comments import _jsonable as coerce

    return coerce(value)
