"""report.reader_hash: the keyed hash of the reporting browser's id

Revision ID: 0010_report_reader
Revises: 0005_moderator_session_version
Create Date: 2026-11-30 06:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_report_reader'
down_revision = '0005_moderator_session_version'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reader_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('reader_hash')
