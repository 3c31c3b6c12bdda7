"""mail: reply subscriptions, moderators' mail preferences, the outbox

Revision ID: 0014_mail
Revises: 0013_job_queue
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_mail'
down_revision = '0013_job_queue'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mail_recipient',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('confirm_sent_at', sa.DateTime(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('unsubscribed_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('email'),
    )
    op.create_table(
        'reply_subscription',
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recipient_id'], ['mail_recipient.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('comment_id'),
    )
    with op.batch_alter_table('reply_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reply_subscription_recipient_id'), ['recipient_id'], unique=False)
    op.create_table(
        'moderator_mail',
        sa.Column('moderator_id', sa.Integer(), nullable=False),
        sa.Column('held', sa.String(length=16), nullable=False),
        sa.Column('last_digest_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['moderator_id'], ['moderator.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('moderator_id'),
    )
    op.create_table(
        'outbound_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=True),
        sa.Column('to_address', sa.String(length=320), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('headers', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('claimed_until', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['site_id'], ['site.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    with op.batch_alter_table('outbound_mail', schema=None) as batch_op:
        batch_op.create_index('ix_outbound_mail_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_mail_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_mail_to_address'), ['to_address'], unique=False)


def downgrade():
    with op.batch_alter_table('outbound_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_mail_to_address'))
        batch_op.drop_index(batch_op.f('ix_outbound_mail_site_id'))
        batch_op.drop_index('ix_outbound_mail_status_created')
    op.drop_table('outbound_mail')
    op.drop_table('moderator_mail')
    with op.batch_alter_table('reply_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reply_subscription_recipient_id'))
    op.drop_table('reply_subscription')
    op.drop_table('mail_recipient')
