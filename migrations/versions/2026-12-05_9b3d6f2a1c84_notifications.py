"""Notifications: one row per event and person told, with when it was read and emailed; and
each person's choice of notification email (without a row, their role's default).

Revision ID: 9b3d6f2a1c84
Revises: d2f6a9c3e871
Create Date: 2026-12-05 19:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9b3d6f2a1c84'
down_revision = 'd2f6a9c3e871'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('facts', sa.JSON(), nullable=False),
        sa.Column('once_key', sa.String(length=100), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.Column('emailed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
                                name=op.f('fk_notification_provider_id_provider')),
        sa.ForeignKeyConstraint(['recipient_id'], ['user_account.id'],
                                name=op.f('fk_notification_recipient_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
        sa.UniqueConstraint('recipient_id', 'once_key',
                            name=op.f('uq_notification_recipient_id_once_key')),
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_recipient_id_id', ['recipient_id', 'id'],
                              unique=False)
        batch_op.create_index('ix_notification_unread', ['recipient_id'], unique=False,
                              sqlite_where=sa.text('read_at IS NULL'),
                              postgresql_where=sa.text('read_at IS NULL'))
        batch_op.create_index('ix_notification_to_email', ['provider_id', 'recipient_id'],
                              unique=False,
                              sqlite_where=sa.text('emailed_at IS NULL AND read_at IS NULL'),
                              postgresql_where=sa.text('emailed_at IS NULL AND read_at IS NULL'))
    op.create_table(
        'notification_setting',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.Enum('immediately', 'daily', 'off', name='email_choice',
                                   native_enum=False, length=16, create_constraint=True),
                  nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_notification_setting_user_id_user_account')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_setting')),
    )


def downgrade():
    op.drop_table('notification_setting')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_to_email')
        batch_op.drop_index('ix_notification_unread')
        batch_op.drop_index('ix_notification_recipient_id_id')
    op.drop_table('notification')
