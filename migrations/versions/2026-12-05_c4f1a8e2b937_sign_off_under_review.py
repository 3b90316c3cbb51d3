"""A countersigned sign-off whose sampled decision the IQA sends back is "under IQA review"
until the assessor answers; the progress rows carry it for the dashboard.

Existing data: a countersigned sign-off in force with a sampled decision sent back and not yet
answered is put under review from the time of that review, and its progress row with it.

Revision ID: c4f1a8e2b937
Revises: b7e2d9c41a58
Create Date: 2026-12-05 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4f1a8e2b937'
down_revision = 'b7e2d9c41a58'
branch_labels = None
depends_on = None

# The earliest unanswered sent-back sample of the sign-off's enrolment, if any.
SENT_BACK = """
    SELECT min(sample.reviewed_at) FROM sample
    JOIN decision ON decision.id = sample.decision_id
    WHERE decision.enrolment_id = sign_off.enrolment_id
      AND sample.status = 'actions_required'
"""


def upgrade():
    with op.batch_alter_table('sign_off', schema=None) as batch_op:
        batch_op.add_column(sa.Column('under_review_since', sa.DateTime(), nullable=True))
    with op.batch_alter_table('enrolment_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('under_review', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.execute(
        f"UPDATE sign_off SET under_review_since = ({SENT_BACK}) "
        "WHERE withdrawn_at IS NULL AND countersigned_at IS NOT NULL"
    )
    op.execute(
        "UPDATE enrolment_progress SET under_review = TRUE WHERE enrolment_id IN ("
        "SELECT enrolment_id FROM sign_off WHERE withdrawn_at IS NULL "
        "AND under_review_since IS NOT NULL)"
    )


def downgrade():
    with op.batch_alter_table('enrolment_progress', schema=None) as batch_op:
        batch_op.drop_column('under_review')
    with op.batch_alter_table('sign_off', schema=None) as batch_op:
        batch_op.drop_column('under_review_since')
