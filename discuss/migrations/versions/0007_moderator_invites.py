"""moderator_invite (one-time links to set a password) and moderator_action.subject

Revision ID: 0007_moderator_invites
Revises: 0006_site_admin
Create Date: 2026-11-30 05:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_moderator_invites'
down_revision = '0006_site_admin'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'moderator_invite',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('moderator_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['invited_by_id'], ['moderator.id'], ),
        sa.ForeignKeyConstraint(['moderator_id'], ['moderator.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('moderator_id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('moderator_action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=400), nullable=True))


def downgrade():
    with op.batch_alter_table('moderator_action', schema=None) as batch_op:
        batch_op.drop_column('subject')
    op.drop_table('moderator_invite')
