"""site.reports_to_hide and moderator_action.site_id: the admin area's per-site threshold and site audit

Revision ID: 0006_site_admin
Revises: 0008_import_sources
Create Date: 2026-11-30 05:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_site_admin'
down_revision = '0008_import_sources'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reports_to_hide', sa.Integer(), nullable=True))
    with op.batch_alter_table('moderator_action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_moderator_action_site_id_site', 'site', ['site_id'], ['id'])
        batch_op.create_index('ix_moderator_action_site_id', ['site_id'], unique=False)


def downgrade():
    with op.batch_alter_table('moderator_action', schema=None) as batch_op:
        batch_op.drop_index('ix_moderator_action_site_id')
        batch_op.drop_constraint('fk_moderator_action_site_id_site', type_='foreignkey')
        batch_op.drop_column('site_id')
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('reports_to_hide')
