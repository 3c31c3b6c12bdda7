"""moderator.session_version: bumped on logout, password change and disable

Revision ID: 0005_moderator_session_version
Revises: 0004_site_privacy_notice
Create Date: 2026-11-30 04:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005_moderator_session_version'
down_revision = '0004_site_privacy_notice'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('moderator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('moderator', schema=None) as batch_op:
        batch_op.drop_column('session_version')
