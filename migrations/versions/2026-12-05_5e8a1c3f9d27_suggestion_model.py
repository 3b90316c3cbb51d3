"""Each provider's criteria-suggestion model for a unit, learned from its assessors' decisions.

Revision ID: 5e8a1c3f9d27
Revises: 5d1e7a2c9f40
Create Date: 2026-12-05 16:45:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e8a1c3f9d27'
down_revision = '5d1e7a2c9f40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'suggestion_model',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('examples', sa.Integer(), nullable=False),
        sa.Column('trained_at', sa.DateTime(), nullable=False),
        sa.Column('evaluated', sa.Integer(), nullable=False),
        sa.Column('top3_hits', sa.Integer(), nullable=False),
        sa.Column('cold_top3_hits', sa.Integer(), nullable=False),
        sa.Column('model', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
                                name=op.f('fk_suggestion_model_provider_id_provider')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                name=op.f('fk_suggestion_model_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_model')),
        sa.UniqueConstraint('provider_id', 'unit_id',
                            name=op.f('uq_suggestion_model_provider_id_unit_id')),
    )
    with op.batch_alter_table('suggestion_model', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_model_provider_id'), ['provider_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('suggestion_model', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_model_provider_id'))
    op.drop_table('suggestion_model')
