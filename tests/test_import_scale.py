"""A generated WordPress export: memory follows the batch, not the file."""

from __future__ import annotations

import tracemalloc

import sqlalchemy as sa

from discuss.extensions import db
from discuss.importing import run_import
from discuss.importing.wxr import Reader
from discuss.models import Comment
from tests.import_files import write_large_wxr


def _peak_import(path, site_slug) -> int:
    tracemalloc.start()
    try:
        with open(path, "rb") as file:
            summary = run_import(site_slug, Reader(file))
        return tracemalloc.get_traced_memory()[1], summary
    finally:
        tracemalloc.stop()


def test_peak_memory_does_not_grow_with_the_file(app, site, tmp_path, monkeypatch):
    """2,000 comments (twenty batches) take no more memory than 400 (four): a reader that
    kept the file, the comments or their ids would need about five times as much.
    (bench/bench_import.py does the same with 10,000 and 50,000.)"""
    from discuss.importing import store
    from discuss.models import Site

    monkeypatch.setattr(store, "BATCH", 100)
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    with open(small, "wb") as out:
        write_large_wxr(out, 400, per_post=50)
    with open(large, "wb") as out:
        write_large_wxr(out, 2_000, per_post=50)
    assert large.stat().st_size > 4.5 * small.stat().st_size
    _peak_import(small, "council")  # warm: imports, compiled statements, caches
    db.session.add_all([Site(slug=slug, name=slug, allowed_origins=[], moderation={}) for slug in ("two", "three")])
    db.session.commit()
    small_peak, _ = _peak_import(small, "two")
    large_peak, summary = _peak_import(large, "three")
    assert summary.comments == {"published": 2_000}
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)
    replies = db.session.execute(
        sa.select(sa.func.count()).select_from(Comment).where(Comment.parent_id.is_not(None))
    ).scalar_one()
    def replies_in(size: int) -> int:  # one in three replies to the one before, unless first of its post
        return sum(1 for n in range(1, size + 1) if n % 3 == 0 and (n - 1) % 50 != 0)

    assert replies == 2 * replies_in(400) + replies_in(2_000)
