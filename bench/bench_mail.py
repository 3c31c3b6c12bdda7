"""Mail benchmark: what mail costs a reply, in CPU of the posting process.

Posts ``--replies`` replies through the JSON API (the test client, in-process, a
throwaway SQLite database and embedded queue) under one parent comment, four ways:

- off:              mail off (no ``MAIL_HOST``), the baseline;
- on, not followed: mail on, the parent's author did not opt in (one indexed query per reply);
- on, followed:     mail on, the parent's author opted in and confirmed: each reply makes a
                    notice due (composed, signed link, outbox row, delivery job enqueued after
                    the commit). Nothing is sent here: delivery is the worker's.

Prints CPU time per reply (``time.process_time``) and the ratio to the baseline of
the same run, twice (the second round shows the noise).

    .venv/bin/python bench/bench_mail.py [--replies 300]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from discuss import create_app  # noqa: E402
from discuss.extensions import db  # noqa: E402
from discuss.models import MailRecipient, Site, utcnow  # noqa: E402

URL = "/api/v1/sites/s/threads/t/comments"


def cpu_per_reply(mail: bool, followed: bool, replies: int) -> float:
    folder = tempfile.mkdtemp()
    config = {"DATABASE_URL": f"sqlite:///{folder}/bench.db", "QUEUE_URL": f"sqlite:///{folder}/queue.db",
              "TESTING": True, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "LOAD_ENTRY_POINTS": False}
    if mail:
        config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=25, MAIL_FROM="comments@council.example",
                      PUBLIC_URL="http://localhost", MAIL_SECURITY="none")
    app = create_app(config)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.session.add(Site(slug="s", name="S", allowed_origins=[], moderation={}))
        db.session.commit()
    client = app.test_client()
    parent = client.post(URL, json={"author_name": "P", "author_email": "p@example.org", "body": "The parent.",
                                    "notify_replies": followed}).json["comment"]["id"]
    with app.app_context():
        db.session.execute(db.update(MailRecipient).values(confirmed_at=utcnow()))
        db.session.commit()
    for i in range(20):  # warm up
        client.post(URL, json={"author_name": "W", "body": f"warming up {i}", "parent_id": parent},
                    environ_base={"REMOTE_ADDR": f"10.9.0.{i}"})
    start = time.process_time()
    for i in range(replies):
        response = client.post(URL, json={"author_name": f"R{i}", "body": f"Reply {i} about the bins.",
                                          "parent_id": parent},
                               environ_base={"REMOTE_ADDR": f"10.0.{i // 250}.{i % 250}"})
        assert response.status_code == 201, response.json
    return (time.process_time() - start) / replies * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replies", type=int, default=300)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    for round_ in (1, 2):
        off = cpu_per_reply(False, False, args.replies)
        quiet = cpu_per_reply(True, False, args.replies)
        followed = cpu_per_reply(True, True, args.replies)
        print(f"round {round_}: off {off:.2f} ms CPU/reply; on, not followed {quiet:.2f} ({quiet / off:.2f}x); "
              f"on, followed {followed:.2f} ({followed / off:.2f}x)")


if __name__ == "__main__":
    main()
