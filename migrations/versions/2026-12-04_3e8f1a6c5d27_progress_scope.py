"""The progress rows, the criterion states and the decisions each carry the enrolment's
cohort, qualification, unit and assessor that the dashboard filters by.

Revision ID: 3e8f1a6c5d27
Revises: 9d41c7b2e3f0
Create Date: 2026-12-04 19:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3e8f1a6c5d27'
down_revision = '9d41c7b2e3f0'
branch_labels = None
depends_on = None

SCOPE = ('cohort_id', 'qualification_id', 'unit_id', 'assessor_id')


def _copied(table, columns):
    """Each row's copy of its enrolment's columns."""
    op.execute(
        f"UPDATE {table} SET "
        + ", ".join(
            f"{c} = (SELECT enrolment.{c} FROM enrolment WHERE enrolment.id = {table}.enrolment_id)"
            for c in columns
        )
    )


def upgrade():
    with op.batch_alter_table('enrolment_progress', schema=None) as batch_op:
        for column in SCOPE:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('planned_end_on', sa.Date(), nullable=True))
    _copied('enrolment_progress', (*SCOPE, 'starts_on', 'planned_end_on'))
    with op.batch_alter_table('enrolment_progress', schema=None) as batch_op:
        for column in SCOPE:
            batch_op.create_index(f'ix_enrolment_progress_provider_{column}',
                                  ['provider_id', column], unique=False)

    with op.batch_alter_table('criterion_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_id', sa.Integer(), nullable=True))
        for column in SCOPE:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
    _copied('criterion_state', ('provider_id', *SCOPE))
    with op.batch_alter_table('criterion_state', schema=None) as batch_op:
        for column in SCOPE:
            covered = [c for c in ('criterion_id', 'unit_id', 'state') if c != column]
            batch_op.create_index(f'ix_criterion_state_provider_{column}',
                                  ['provider_id', column, *covered], unique=False)

    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cohort_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('qualification_id', sa.Integer(), nullable=True))
    _copied('decision', ('cohort_id', 'qualification_id'))
    with op.batch_alter_table('decision', schema=None) as batch_op:
        for column in ('cohort_id', 'qualification_id'):
            batch_op.create_index(
                f'ix_decision_provider_{column}_decided',
                ['provider_id', column, 'decided_at', 'assessor_id', 'unit_id', 'marking_days',
                 'id'],
                unique=False,
            )


def downgrade():
    # The indexes first: each covers columns of the others.
    with op.batch_alter_table('decision', schema=None) as batch_op:
        for column in ('qualification_id', 'cohort_id'):
            batch_op.drop_index(f'ix_decision_provider_{column}_decided')
        batch_op.drop_column('qualification_id')
        batch_op.drop_column('cohort_id')
    with op.batch_alter_table('criterion_state', schema=None) as batch_op:
        for column in reversed(SCOPE):
            batch_op.drop_index(f'ix_criterion_state_provider_{column}')
        for column in ('provider_id', *SCOPE):
            batch_op.drop_column(column)
    with op.batch_alter_table('enrolment_progress', schema=None) as batch_op:
        for column in reversed(SCOPE):
            batch_op.drop_index(f'ix_enrolment_progress_provider_{column}')
        for column in (*SCOPE, 'starts_on', 'planned_end_on'):
            batch_op.drop_column(column)
