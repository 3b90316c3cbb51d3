"""Webhooks: a provider's subscriptions, the events each chose, and each delivery sent.

Revision ID: 4c9e2b7a1d53
Revises: 9d1e5a3c7b20
Create Date: 2026-12-05 22:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '4c9e2b7a1d53'
down_revision = '9d1e5a3c7b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'webhook_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('secret_encrypted', sa.Text(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
                                name=op.f('fk_webhook_subscription_provider_id_provider')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_webhook_subscription_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_subscription')),
    )
    with op.batch_alter_table('webhook_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_subscription_provider_id'), ['provider_id'],
                              unique=False)
    op.create_table(
        'webhook_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('event_type', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ['subscription_id'], ['webhook_subscription.id'], ondelete='CASCADE',
            name=op.f('fk_webhook_event_subscription_id_webhook_subscription')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_event')),
        sa.UniqueConstraint('subscription_id', 'event_type',
                            name=op.f('uq_webhook_event_subscription_id_event_type')),
    )
    op.create_table(
        'webhook_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('event_type', sa.String(length=40), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_status_code', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
                                name=op.f('fk_webhook_delivery_provider_id_provider')),
        sa.ForeignKeyConstraint(
            ['subscription_id'], ['webhook_subscription.id'], ondelete='CASCADE',
            name=op.f('fk_webhook_delivery_subscription_id_webhook_subscription')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_delivery')),
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_delivery_provider_id'), ['provider_id'],
                              unique=False)
        batch_op.create_index('ix_webhook_delivery_subscription_created',
                              ['subscription_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_delivery_subscription_created')
        batch_op.drop_index(batch_op.f('ix_webhook_delivery_provider_id'))
    op.drop_table('webhook_delivery')
    op.drop_table('webhook_event')
    with op.batch_alter_table('webhook_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_subscription_provider_id'))
    op.drop_table('webhook_subscription')
