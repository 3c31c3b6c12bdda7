"""queue categories: comment.urgent and verdict.category, indexed for the review queue

Revision ID: 0003_queue_categories
Revises: 0002_form_nonce
Create Date: 2026-11-30 03:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003_queue_categories'
down_revision = '0002_form_nonce'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_comment_status_urgent_created', ['status', 'urgent', 'created_at'], unique=False)
    with op.batch_alter_table('verdict', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=40), nullable=True))
        batch_op.create_index('ix_verdict_category_comment', ['category', 'comment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('verdict', schema=None) as batch_op:
        batch_op.drop_index('ix_verdict_category_comment')
        batch_op.drop_column('category')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_status_urgent_created')
        batch_op.drop_column('urgent')
