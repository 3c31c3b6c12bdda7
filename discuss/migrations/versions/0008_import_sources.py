"""import_source: what imports brought in, so an import run twice creates nothing twice

Revision ID: 0008_import_sources
Revises: 0009_site_language
Create Date: 2026-11-30 06:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_import_sources'
down_revision = '0009_site_language'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_source',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=300), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('source_id', sa.String(length=500), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=True),
        sa.Column('comment_id', sa.Integer(), nullable=True),
        sa.Column('depth', sa.Integer(), nullable=False),
        sa.Column('run', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], ),
        sa.ForeignKeyConstraint(['site_id'], ['site.id'], ),
        sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('site_id', 'source', 'kind', 'source_id'),
    )
    with op.batch_alter_table('import_source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_source_comment_id'), ['comment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_source_thread_id'), ['thread_id'], unique=False)


def downgrade():
    with op.batch_alter_table('import_source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_source_thread_id'))
        batch_op.drop_index(batch_op.f('ix_import_source_comment_id'))
    op.drop_table('import_source')
