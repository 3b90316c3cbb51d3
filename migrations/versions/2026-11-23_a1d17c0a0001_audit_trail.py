"""Audit trail: one hash-linked chain of events per provider.

Revision ID: a1d17c0a0001
Revises: df6373cb063c
Create Date: 2026-11-23 06:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1d17c0a0001'
down_revision = 'df6373cb063c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=16), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('learner_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['learner_id'], ['user_account.id'], name=op.f('fk_audit_event_learner_id_user_account')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_audit_event_provider_id_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event')),
    sa.UniqueConstraint('provider_id', 'seq', name=op.f('uq_audit_event_provider_id_seq'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_object_type_object_id'), ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_provider_id'), ['provider_id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_provider_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_object_type_object_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_learner_id'))

    op.drop_table('audit_event')
