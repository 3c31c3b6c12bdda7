"""site.privacy_notice: the notice shown under a site's reply form

Revision ID: 0004
Revises: 0003 (pointed at 0002_form_nonce until 0003 is merged: see down_revision)
Create Date: 2026-11-30 04:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
# Another branch adds 0003 (down_revision 0002_form_nonce); when it is merged, this
# becomes '0003'. Until then it follows 0002 so that the chain has one head.
down_revision = '0002_form_nonce'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_notice', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('privacy_notice')
