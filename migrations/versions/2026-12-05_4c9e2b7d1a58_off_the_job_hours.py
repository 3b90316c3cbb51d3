"""Off-the-job training hours: entries, their versions with the assessor's decisions, the
criteria and evidence each relates to, and each provider's own kinds of activity.

Revision ID: 4c9e2b7d1a58
Revises: 4c9e2b7a1d53
Create Date: 2026-12-05 22:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '4c9e2b7d1a58'
down_revision = '4c9e2b7a1d53'
branch_labels = None
depends_on = None

STATUSES = "'awaiting', 'verified', 'rejected'"


def upgrade():
    op.create_table(
        'otj_activity_kind',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
                                name=op.f('fk_otj_activity_kind_provider_id_provider')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_otj_activity_kind_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_otj_activity_kind')),
        sa.UniqueConstraint('provider_id', 'name',
                            name=op.f('uq_otj_activity_kind_provider_id_name')),
    )
    op.create_index(op.f('ix_otj_activity_kind_provider_id'), 'otj_activity_kind',
                    ['provider_id'], unique=False)
    op.create_table(
        'otj_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('learner_id', sa.Integer(), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=False),
        sa.Column('start_minute', sa.Integer(), nullable=True),
        sa.Column('end_minute', sa.Integer(), nullable=True),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('activity', sa.String(length=30), nullable=True),
        sa.Column('activity_kind_id', sa.Integer(), nullable=True),
        sa.Column('learned', sa.Text(), nullable=False),
        sa.Column('status', sa.Enum('awaiting', 'verified', 'rejected',
                                    name='otj_entry_status', native_enum=False, length=20,
                                    create_constraint=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('lock_version', sa.Integer(), nullable=False),
        sa.CheckConstraint('minutes > 0', name=op.f('ck_otj_entry_minutes_positive')),
        sa.CheckConstraint(
            '(start_minute IS NULL AND end_minute IS NULL) OR '
            '(start_minute >= 0 AND end_minute <= 1440 AND end_minute > start_minute)',
            name=op.f('ck_otj_entry_start_before_end')),
        sa.CheckConstraint('(activity IS NULL) <> (activity_kind_id IS NULL)',
                           name=op.f('ck_otj_entry_one_kind_of_activity')),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
                                name=op.f('fk_otj_entry_provider_id_provider')),
        sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'],
                                name=op.f('fk_otj_entry_enrolment_id_enrolment')),
        sa.ForeignKeyConstraint(['learner_id'], ['user_account.id'],
                                name=op.f('fk_otj_entry_learner_id_user_account')),
        sa.ForeignKeyConstraint(['activity_kind_id'], ['otj_activity_kind.id'],
                                name=op.f('fk_otj_entry_activity_kind_id_otj_activity_kind')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_otj_entry')),
    )
    with op.batch_alter_table('otj_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_otj_entry_provider_id'), ['provider_id'])
        batch_op.create_index(batch_op.f('ix_otj_entry_learner_id'), ['learner_id'])
        batch_op.create_index('ix_otj_entry_enrolment_on', ['enrolment_id', 'on_date'])
        batch_op.create_index('ix_otj_entry_enrolment_status', ['enrolment_id', 'status'])
    op.create_table(
        'otj_entry_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.Enum('awaiting', 'verified', 'rejected',
                                    name='otj_version_status', native_enum=False, length=20,
                                    create_constraint=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['entry_id'], ['otj_entry.id'],
                                name=op.f('fk_otj_entry_version_entry_id_otj_entry')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_otj_entry_version_created_by_id_user_account')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                                name=op.f('fk_otj_entry_version_decided_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_otj_entry_version')),
        sa.UniqueConstraint('entry_id', 'number',
                            name=op.f('uq_otj_entry_version_entry_id_number')),
    )
    op.create_index(op.f('ix_otj_entry_version_entry_id'), 'otj_entry_version', ['entry_id'],
                    unique=False)
    op.create_table(
        'otj_entry_criterion',
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('criterion_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['otj_entry.id'],
                                name=op.f('fk_otj_entry_criterion_entry_id_otj_entry')),
        sa.ForeignKeyConstraint(['criterion_id'], ['criterion.id'],
                                name=op.f('fk_otj_entry_criterion_criterion_id_criterion')),
        sa.PrimaryKeyConstraint('entry_id', 'criterion_id', name=op.f('pk_otj_entry_criterion')),
    )
    op.create_table(
        'otj_entry_evidence',
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['otj_entry.id'],
                                name=op.f('fk_otj_entry_evidence_entry_id_otj_entry')),
        sa.ForeignKeyConstraint(['item_id'], ['evidence_item.id'],
                                name=op.f('fk_otj_entry_evidence_item_id_evidence_item')),
        sa.PrimaryKeyConstraint('entry_id', 'item_id', name=op.f('pk_otj_entry_evidence')),
    )


def downgrade():
    op.drop_table('otj_entry_evidence')
    op.drop_table('otj_entry_criterion')
    op.drop_index(op.f('ix_otj_entry_version_entry_id'), table_name='otj_entry_version')
    op.drop_table('otj_entry_version')
    with op.batch_alter_table('otj_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_otj_entry_enrolment_status')
        batch_op.drop_index('ix_otj_entry_enrolment_on')
        batch_op.drop_index(batch_op.f('ix_otj_entry_learner_id'))
        batch_op.drop_index(batch_op.f('ix_otj_entry_provider_id'))
    op.drop_table('otj_entry')
    op.drop_index(op.f('ix_otj_activity_kind_provider_id'), table_name='otj_activity_kind')
    op.drop_table('otj_activity_kind')
