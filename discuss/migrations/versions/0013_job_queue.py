"""job_queue: the job outbox and dead letters (discuss/jobs.py)

Revision ID: 0013_job_queue
Revises: 0012_idempotency_key
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_job_queue'
down_revision = '0012_idempotency_key'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_outbox',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('task', sa.String(length=200), nullable=False),
        sa.Column('message', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('job_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_outbox_created_at'), ['created_at'], unique=False)
    op.create_table(
        'dead_job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task', sa.String(length=200), nullable=False),
        sa.Column('args', sa.JSON(), nullable=False),
        sa.Column('kwargs', sa.JSON(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.String(length=128), nullable=True),
        sa.Column('failed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('dead_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dead_job_failed_at'), ['failed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dead_job_task'), ['task'], unique=False)


def downgrade():
    with op.batch_alter_table('dead_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dead_job_task'))
        batch_op.drop_index(batch_op.f('ix_dead_job_failed_at'))
    op.drop_table('dead_job')
    with op.batch_alter_table('job_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_outbox_created_at'))
    op.drop_table('job_outbox')
