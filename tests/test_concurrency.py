"""Concurrent first replies create one thread and lose no comment (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from discuss.extensions import db
from discuss.models import Comment, Thread


def test_simultaneous_first_replies_share_one_thread(app, site):
    posters = 8
    barrier = threading.Barrier(posters)
    statuses: list[int] = []
    lock = threading.Lock()

    def post(n: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/sites/council/threads/news/new-bins/comments",
                               json={"author_name": f"Resident {n}", "body": f"First! ({n})"})
        with lock:
            statuses.append(response.status_code)

    workers = [threading.Thread(target=post, args=(n,)) for n in range(posters)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(statuses) == [201] * posters
    db.session.rollback()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Thread)).scalar_one() == 1
    assert db.session.execute(sa.select(sa.func.count()).select_from(Comment)).scalar_one() == posters
    roots = db.session.execute(sa.select(Comment.id, Comment.root_id)).all()
    assert all(comment_id == root_id for comment_id, root_id in roots)
