"""Import benchmark: a generated WordPress export of 10,000 and 50,000 comments.

For each size, a fresh SQLite database (built by the migrations) and a WXR file
written on the fly (100 comments to a post, one in three a reply, HTML in every
body): the time ``discuss import wordpress`` takes end to end (parse, convert,
render and sanitise, insert, commit), and in a second fresh run the peak of
Python's memory (tracemalloc) during the import. The CPU time this process spent
is printed beside the wall time: on a busy machine it is the steadier figure. The peaks of the two sizes show
that memory does not grow with the file.

    .venv/bin/python bench/bench_import.py [--sizes 10000 50000] [--database-url URL]

``--database-url`` runs against another database (an empty PostgreSQL one, say)
instead of a temporary SQLite file; its tables are emptied between runs.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.import_files import write_large_wxr  # noqa: E402


def _app(url: str):
    os.environ.setdefault("DISCUSS_SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("DISCUSS_IP_HASH_KEY", secrets.token_urlsafe(48))
    from discuss import create_app

    return create_app({"DATABASE_URL": url, "LOAD_ENTRY_POINTS": False})


def _fresh(app) -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from discuss.extensions import db
    from discuss.models import Site

    upgrade()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    db.session.add(Site(slug="bench", name="Bench Council", allowed_origins=[], moderation={}))
    db.session.commit()
    db.session.execute(sa.select(1))
    db.session.rollback()


def one_run(url: str, wxr: Path, *, trace: bool) -> tuple[float, float, int, str]:
    from discuss.extensions import db
    from discuss.importing import run_import
    from discuss.importing.wxr import Reader

    app = _app(url)
    with app.app_context():
        _fresh(app)
        if trace:
            tracemalloc.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        with open(wxr, "rb") as file:
            summary = run_import("bench", Reader(file))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
        db.engine.dispose()
    return elapsed, cpu, peak, summary.lines()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            wxr = Path(tmp) / f"export-{size}.xml"
            with open(wxr, "wb") as out:
                write_large_wxr(out, size)
            url = args.database_url or f"sqlite:///{Path(tmp) / f'bench-{size}-a.db'}"
            elapsed, cpu, _, line = one_run(url, wxr, trace=False)
            url = args.database_url or f"sqlite:///{Path(tmp) / f'bench-{size}-b.db'}"
            _, _, peak, _ = one_run(url, wxr, trace=True)
            print(f"{size:>7,} comments, file {wxr.stat().st_size / 1e6:5.1f} MB: {elapsed:6.1f} s "
                  f"({size / elapsed:,.0f} comments/s; CPU {cpu:.1f} s), peak Python memory {peak / 1e6:5.1f} MB  [{line}]",
                  flush=True)


if __name__ == "__main__":
    main()
