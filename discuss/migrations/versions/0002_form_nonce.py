"""form_nonce: spent nonces of the no-JavaScript reply form's signed tokens

Revision ID: 0002_form_nonce
Revises: 0001
Create Date: 2026-11-25 11:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0002_form_nonce'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'form_nonce',
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('nonce'),
    )
    with op.batch_alter_table('form_nonce', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_nonce_used_at'), ['used_at'], unique=False)


def downgrade():
    with op.batch_alter_table('form_nonce', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_nonce_used_at'))
    op.drop_table('form_nonce')
