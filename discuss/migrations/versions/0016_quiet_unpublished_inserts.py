"""quiet unpublished inserts: a held or rejected reply no longer invalidates its thread's pages

A thread page shows published comments only (and a placeholder for an unpublished
comment that has published replies, which a new row never has). So a comment
*inserted* held or rejected changes nothing anyone reads, yet the triggers of
0011_cache_change named its thread, and every worker dropped and rebuilt that
thread's page (and a CDN purged it). While a plugin hangs, or a spammer floods a
thread, every post is held or rejected: those rebuilds were most of the read
path's work. Now a comment insert names its thread only when it is published;
updates and deletes still always do (an approval, an edit, a removal).

Revision ID: 0016_quiet_unpublished_inserts
Revises: 0015_comment_signature_index
Create Date: 2026-11-30 11:40:00

"""
from alembic import op


revision = '0016_quiet_unpublished_inserts'
down_revision = '0015_comment_signature_index'
branch_labels = None
depends_on = None


def _postgres_function(insert_condition: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION discuss_cache_notify() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('discuss_cache', '*');
  ELSIF TG_TABLE_NAME = 'comment' THEN
    IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('discuss_cache', 't:' || OLD.thread_id); END IF;
    IF TG_OP = 'UPDATE' OR (TG_OP = 'INSERT' AND {insert_condition}) THEN
      PERFORM pg_notify('discuss_cache', 't:' || NEW.thread_id);
    END IF;
  ELSIF TG_TABLE_NAME = 'thread' THEN
    IF TG_OP <> 'INSERT' THEN
      PERFORM pg_notify('discuss_cache', 't:' || OLD.id);
      PERFORM pg_notify('discuss_cache', 'n:' || OLD.site_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('discuss_cache', 'n:' || NEW.site_id); END IF;
  ELSE
    IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('discuss_cache', 's:' || OLD.id); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('discuss_cache', 's:' || NEW.id); END IF;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def _sqlite_insert_trigger(when: str) -> str:
    # REPLACE: a new AUTOINCREMENT seq for the tag (see 0011_cache_change).
    return ('CREATE TRIGGER discuss_cache_comment_insert AFTER INSERT ON "comment" '
            f"{when}BEGIN INSERT OR REPLACE INTO cache_change (tag) VALUES ('t:' || NEW.thread_id); END")


def _replace(insert_condition: str | None) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_postgres_function(insert_condition or "TRUE"))
    else:
        op.execute('DROP TRIGGER IF EXISTS discuss_cache_comment_insert')
        op.execute(_sqlite_insert_trigger(f"WHEN {insert_condition} " if insert_condition else ""))


def upgrade():
    _replace("NEW.status = 'published'")


def downgrade():
    _replace(None)
