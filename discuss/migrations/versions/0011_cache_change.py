"""cache_change and the invalidation triggers on comment, thread and site

Every committed change to a thread's comments, the thread or its site names a
tag (``t:<thread id>``, ``n:<site id>``, ``s:<site id>``, ``*``) so that every
process can drop exactly the cached pages it affects (discuss/invalidation.py).
PostgreSQL: the triggers ``pg_notify('discuss_cache', tag)`` (delivered on
commit). SQLite: they record the tag in ``cache_change`` with a rising ``seq``
(AUTOINCREMENT: never reused, even after the rows are deleted).

Revision ID: 0011_cache_change
Revises: 0007_moderator_invites
Create Date: 2026-11-30 06:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_cache_change'
down_revision = '0007_moderator_invites'
branch_labels = None
depends_on = None

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION discuss_cache_notify() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('discuss_cache', '*');
  ELSIF TG_TABLE_NAME = 'comment' THEN
    IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('discuss_cache', 't:' || OLD.thread_id); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('discuss_cache', 't:' || NEW.thread_id); END IF;
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

TABLES = ("comment", "thread", "site")


def _sqlite_record(tag: str) -> str:
    # REPLACE deletes the tag's row and inserts it again: a new AUTOINCREMENT seq, which
    # never goes back (not even when every row is deleted).
    return f"INSERT OR REPLACE INTO cache_change (tag) VALUES ({tag});"


# (table, operation): the tags the row names, as SQL expressions.
SQLITE_TAGS = {
    ("comment", "INSERT"): ["'t:' || NEW.thread_id"],
    ("comment", "UPDATE"): ["'t:' || OLD.thread_id", "'t:' || NEW.thread_id"],
    ("comment", "DELETE"): ["'t:' || OLD.thread_id"],
    ("thread", "INSERT"): ["'n:' || NEW.site_id"],
    ("thread", "UPDATE"): ["'t:' || OLD.id", "'n:' || OLD.site_id", "'n:' || NEW.site_id"],
    ("thread", "DELETE"): ["'t:' || OLD.id", "'n:' || OLD.site_id"],
    ("site", "INSERT"): ["'s:' || NEW.id"],
    ("site", "UPDATE"): ["'s:' || OLD.id", "'s:' || NEW.id"],
    ("site", "DELETE"): ["'s:' || OLD.id"],
}


def upgrade():
    op.create_table(
        'cache_change',
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('tag', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('seq'),
        sa.UniqueConstraint('tag', name='uq_cache_change_tag'),
        sqlite_autoincrement=True,
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRES_FUNCTION)
        for table in TABLES:
            op.execute(f'CREATE TRIGGER discuss_cache_{table} AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                       'FOR EACH ROW EXECUTE FUNCTION discuss_cache_notify()')
        for table in ("comment", "thread"):
            op.execute(f'CREATE TRIGGER discuss_cache_{table}_truncate AFTER TRUNCATE ON "{table}" '
                       'FOR EACH STATEMENT EXECUTE FUNCTION discuss_cache_notify()')
    else:
        for (table, operation), tags in SQLITE_TAGS.items():
            body = " ".join(_sqlite_record(tag) for tag in tags)
            op.execute(f'CREATE TRIGGER discuss_cache_{table}_{operation.lower()} AFTER {operation} ON "{table}" '
                       f'BEGIN {body} END')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f'DROP TRIGGER IF EXISTS discuss_cache_{table} ON "{table}"')
        for table in ("comment", "thread"):
            op.execute(f'DROP TRIGGER IF EXISTS discuss_cache_{table}_truncate ON "{table}"')
        op.execute('DROP FUNCTION IF EXISTS discuss_cache_notify()')
    else:
        for table, operation in SQLITE_TAGS:
            op.execute(f'DROP TRIGGER IF EXISTS discuss_cache_{table}_{operation.lower()}')
    op.drop_table('cache_change')
