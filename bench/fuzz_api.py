"""A longer schemathesis run over /api/openapi.json than the test suite's, printing the counts.

An app on a fresh SQLite file (rate limits off, so the posting routes are fuzzed
past 429), seeded with a site, a published and a held comment and a moderator
whose token the moderation API is called with. Every operation gets positive
and negative examples; the run prints requests, operations, server errors and
schema mismatches (each listed), and the status codes seen.

    .venv/bin/python bench/fuzz_api.py [--examples 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="examples per operation and mode")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from discuss import create_app
    from discuss.auth import create_moderator, issue_token
    from discuss.extensions import db
    from discuss.models import Site
    from tests.fuzzing import fuzz_api

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{folder}/fuzz.db", "RATELIMIT_ENABLED": False,
                          "LOAD_ENTRY_POINTS": False, "SECRET_KEY": "fuzz", "TESTING": True})
        with app.app_context():
            upgrade()
            db.session.add(Site(slug="council", name="Council", allowed_origins=["https://council.example"],
                                moderation={}))
            db.session.commit()
            moderator = create_moderator("mod@fuzz.example", "Mod", "moderator", None, ("council",))
            db.session.commit()
            token = issue_token(moderator)
            db.session.commit()
        client = app.test_client()
        for body in ("A fair point.", "Another point, with a https://example.org link."):
            client.post("/api/v1/sites/council/threads/blog/post/comments",
                        json={"author_name": "Resident", "body": body})
        started = time.perf_counter()
        counts = fuzz_api(app, token, max_examples=args.examples)
        elapsed = time.perf_counter() - started
    print(f"schemathesis, {args.examples} examples per operation and mode, {elapsed:.0f}s")
    print(counts.summary())
    print("statuses:", dict(sorted(counts.statuses.items())))
    for line in counts.server_errors + counts.mismatches:
        print("  ", line)
    return 1 if counts.server_errors or counts.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
