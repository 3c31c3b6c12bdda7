"""Review-queue benchmark: the queue with 10,000 held comments.

Builds a throwaway database with the migrations (SQLite in a temp folder, and
PostgreSQL too when ``--postgres URL`` is given or ``DISCUSS_TEST_DATABASE_URL``
is set: a database ``discuss_bench`` is created beside it), fills it with
10,000 held comments over 3 sites and 50 threads, each with two plugin verdicts
(one holding, with highlight spans; one in 50 is an urgent threat with a
category, targets and a "no opinion" verdict), plus 300 reported published comments, then
times, in-process with Flask's test client (the server's own time: routing,
queries, templates, JSON):

- the queue page (HTML) for an admin, first page;
- the same page for a one-site moderator, filtered by plugin;
- the queue API, first page and a deep page (after 9,000 items, by cursor);
- the queue filtered by category (page and API), and its deep page.

Prints the median and the 95th percentile of ``--repeat`` runs each.

    .venv/bin/python bench/bench_queue.py [--comments 10000] [--repeat 30] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password"
WORDS = ("council bins parking library park road consultation budget meeting councillor ward "
         "residents planning school bus route potholes recycling housing community centre "
         "thanks agree disagree evidence question answer report survey blog darn").split()


def fill(db, comments: int, rng: random.Random) -> None:
    import sqlalchemy as sa

    from discuss.auth import create_moderator, issue_token
    from discuss.models import PENDING, PUBLISHED, Comment, Report, Site, Thread, VerdictRecord

    sites = [Site(slug=f"council-{n}", name=f"Council {n}", allowed_origins=[], moderation={}) for n in range(3)]
    db.session.add_all(sites)
    db.session.flush()
    threads = [Thread(site_id=sites[n % 3].id, key=f"/news/item-{n}", title=f"News item {n}", url="")
               for n in range(50)]
    db.session.add_all(threads)
    db.session.flush()
    start = datetime(2026, 1, 1)
    rows, verdicts = [], []
    for n in range(comments):
        words = [rng.choice(WORDS) for _ in range(rng.randint(10, 60))]
        body = " ".join(words)
        rows.append({
            "thread_id": threads[n % 50].id, "parent_id": None, "root_id": None,
            "author_name": f"Resident {n % 700}", "author_email": f"r{n % 700}@example.org",
            "body": body, "body_html": f"<p>{body}</p>", "status": PENDING,
            "ip_hash": f"{n % 900:032x}", "created_at": start + timedelta(seconds=37 * n),
            "updated_at": start + timedelta(seconds=37 * n), "version": 1, "hidden_by_reports": False,
            "urgent": n % 50 == 7,
        })
    reported = []
    for n in range(300):
        reported.append({**rows[n], "status": PUBLISHED, "urgent": False,
                         "created_at": start - timedelta(hours=n),
                         "updated_at": start - timedelta(hours=n)})
    db.session.execute(sa.insert(Comment.__table__), rows + reported)
    ids = db.session.execute(
        sa.select(Comment.id, Comment.body, Comment.status, Comment.urgent).order_by(Comment.id)).all()
    for comment_id, body, status, urgent in ids:
        position = body.find("darn")
        spans = [[position, position + 4]] if position >= 0 else []
        verdicts.append({"comment_id": comment_id, "plugin": "profanity", "decision": "publish",
                         "reason": "no opinion", "details": {"no_opinion": True}, "elapsed_ms": 0.1,
                         "category": None})
        if status == PENDING:
            verdicts.append({"comment_id": comment_id, "plugin": rng.choice(["toxicity", "links", "spam"]),
                             "decision": "hold", "reason": "looks suspicious", "details": {"spans": spans},
                             "elapsed_ms": 1.0, "category": None})
        if urgent:
            verdicts.append({"comment_id": comment_id, "plugin": "hate", "decision": "hold",
                             "reason": "threat", "category": "threat", "elapsed_ms": 1.0,
                             "details": {"category": "threat", "targets": ["travellers"], "urgent": True}})
    db.session.execute(sa.insert(VerdictRecord.__table__), verdicts)
    published_ids = [i for i, _, status, _ in ids if status == PUBLISHED]
    db.session.execute(sa.insert(Report.__table__), [
        {"comment_id": i, "reason": "spam", "note": "", "ip_hash": f"{k:032x}", "resolved": False,
         "created_at": start} for i in published_ids for k in range(2)])
    admin = create_moderator("admin@bench.example", "Admin", "admin", PASSWORD, ())
    mod = create_moderator("mod@bench.example", "Mod", "moderator", PASSWORD, ("council-1",))
    db.session.flush()
    tokens = {"admin": issue_token(admin), "mod": issue_token(mod)}
    db.session.commit()
    return tokens


def timed(client, url: str, repeat: int, **kwargs) -> tuple[float, float]:
    samples = []
    for _ in range(repeat + 2):
        started = time.perf_counter()
        response = client.get(url, **kwargs)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
    samples = sorted(samples[2:])  # the first two warm caches
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def run(url: str, label: str, comments: int, repeat: int) -> None:
    from discuss import create_app
    from discuss.extensions import db
    from discuss.models import Comment
    from discuss.review.queue import encode_cursor

    app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False, "LOAD_ENTRY_POINTS": False,
                      "SECRET_KEY": secrets.token_urlsafe(48), "IP_HASH_KEY": secrets.token_urlsafe(48)})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        started = time.perf_counter()
        tokens = fill(db, comments, random.Random(5))
        print(f"[{label}] built {comments} held comments in {time.perf_counter() - started:.1f}s")
        import sqlalchemy as sa

        deep = db.session.execute(
            sa.select(Comment).where(Comment.status == "pending")
            .order_by(Comment.urgent.desc(), Comment.created_at, Comment.id).offset(9000).limit(1)).scalar_one()
        deep_cursor = encode_cursor(deep)
        threats = db.session.execute(
            sa.select(Comment).where(Comment.status == "pending", Comment.urgent.is_(True))
            .order_by(Comment.created_at, Comment.id)).scalars().all()
        threat_cursor = encode_cursor(threats[len(threats) * 9 // 10])
        db.session.remove()

    def page_client(email):
        import re

        client = app.test_client()
        form = client.get("/moderation/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        response = client.post("/moderation/login", data={"email": email, "password": PASSWORD,
                                                          "csrf_token": token})
        assert response.status_code == 302, response.status_code
        return client

    results = []
    admin_ui, mod_ui = page_client("admin@bench.example"), page_client("mod@bench.example")
    results.append(("queue page (HTML), admin, first page", timed(admin_ui, "/moderation/", repeat)))
    results.append(("queue page (HTML), moderator, ?plugin=toxicity",
                    timed(mod_ui, "/moderation/?plugin=toxicity", repeat)))
    results.append(("queue page (HTML), admin, deep page",
                    timed(admin_ui, f"/moderation/?cursor={deep_cursor}", repeat)))
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {tokens['admin']}"}
    results.append(("queue API, first page (25)", timed(api, "/api/v1/moderation/queue", repeat, headers=bearer)))
    results.append(("queue API, deep page (after 9,000)",
                    timed(api, f"/api/v1/moderation/queue?cursor={deep_cursor}", repeat, headers=bearer)))
    results.append(("queue page (HTML), admin, ?category=threat",
                    timed(admin_ui, "/moderation/?category=threat", repeat)))
    results.append(("queue API, ?category=threat",
                    timed(api, "/api/v1/moderation/queue?category=threat", repeat, headers=bearer)))
    results.append(("queue API, ?category=threat, deep page (90%)",
                    timed(api, f"/api/v1/moderation/queue?category=threat&cursor={threat_cursor}", repeat,
                          headers=bearer)))
    results.append(("queue API, 100 per page, status=held",
                    timed(api, "/api/v1/moderation/queue?limit=100&status=held", repeat, headers=bearer)))
    for name, (median, p95) in results:
        print(f"[{label}] {name:<48} median {median:7.1f} ms   p95 {p95:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--postgres", default=os.environ.get("DISCUSS_TEST_DATABASE_URL", ""))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.db", "sqlite", args.comments, args.repeat)
    if args.postgres:
        import sqlalchemy as sa

        base = sa.engine.make_url(args.postgres)
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("DROP DATABASE IF EXISTS discuss_bench WITH (FORCE)"))
            conn.execute(sa.text("CREATE DATABASE discuss_bench"))
        try:
            run(base.set(database="discuss_bench").render_as_string(hide_password=False), "postgresql",
                args.comments, args.repeat)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text("DROP DATABASE IF EXISTS discuss_bench WITH (FORCE)"))
            admin.dispose()


if __name__ == "__main__":
    main()
