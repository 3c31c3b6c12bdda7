"""Two moderators can never both decide the same comment.

Real concurrent requests: each thread has its own app context (so its own
database session and connection) and its own test client, and they all start
together at a barrier. On PostgreSQL (``DISCUSS_TEST_DATABASE_URL``) the
conditional UPDATE's row lock decides the race; on SQLite the write lock does.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from discuss.extensions import db
from discuss.models import ModeratorAction
from tests.reviewing import held, holding, other_site, people, status_of, version_of  # noqa: F401

RACERS = 8


def _race(app, requests):
    """Send ``requests`` [(headers, json, url)] at once; their status codes and bodies, in order."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index, headers, body, url):
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            response = client.post(url, json=body, headers=headers)
            results[index] = (response.status_code, response.json)
            db.session.remove()

    threads = [threading.Thread(target=run, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(result is not None for result in results), "a racer did not finish"
    return results


@pytest.mark.parametrize("round_", range(3))
def test_exactly_one_of_many_concurrent_decisions_wins(app, client, people, holding, round_):
    comment_id = held(client)
    seen = version_of(comment_id)
    db.session.commit()
    url = f"/api/v1/moderation/comments/{comment_id}/decision"
    requests = []
    for n in range(RACERS):
        who = people["mod"] if n % 2 else people["admin"]
        action = "approve" if n % 3 else "reject"
        requests.append((who, {"action": action, "version": seen, "reason": f"racer {n}"}, url))
    results = _race(app, requests)
    codes = sorted(code for code, _ in results)
    assert codes == [200] + [409] * (RACERS - 1), results
    winner = next(body for code, body in results if code == 200)
    losers = [body for code, body in results if code == 409]
    assert all(body["current"]["version"] == seen + 1 for body in losers)
    assert all(body["current"]["status"] == winner["comment"]["status"] for body in losers)
    assert status_of(comment_id) == winner["comment"]["status"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(ModeratorAction)).scalar_one() == 1


def test_concurrent_bulk_and_single_decisions_never_double_decide(app, client, people, holding):
    ids = [held(client, f"hold {n}") for n in range(4)]
    versions = {comment_id: version_of(comment_id) for comment_id in ids}
    db.session.commit()
    bulk = {"action": "approve", "items": [{"id": i, "version": versions[i]} for i in ids]}
    requests = [(people["mod"], bulk, "/api/v1/moderation/decisions")]
    for comment_id in ids:
        requests.append((people["admin"], {"action": "reject", "version": versions[comment_id], "reason": "spam"},
                         f"/api/v1/moderation/comments/{comment_id}/decision"))
    results = _race(app, requests)
    bulk_ok = {r["id"] for r in results[0][1]["results"] if r["ok"]}
    single_ok = {comment_id for comment_id, (code, _) in zip(ids, results[1:]) if code == 200}
    assert bulk_ok.isdisjoint(single_ok)
    assert bulk_ok | single_ok == set(ids)
    assert db.session.execute(sa.select(sa.func.count()).select_from(ModeratorAction)).scalar_one() == len(ids)
