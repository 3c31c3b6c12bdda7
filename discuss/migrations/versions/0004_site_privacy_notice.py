"""site.privacy_notice: the notice shown under a site's reply form

Revision ID: 0004_site_privacy_notice
Revises: 0003_queue_categories
Create Date: 2026-11-30 04:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004_site_privacy_notice'
down_revision = '0003_queue_categories'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_notice', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('privacy_notice')
