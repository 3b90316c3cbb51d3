"""The progress rows' off-the-job hours: planned, logged and verified minutes.

Revision ID: 7a4c2e9b5d16
Revises: e3b8c1d4f702
Create Date: 2026-12-05 23:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7a4c2e9b5d16"
down_revision = "e3b8c1d4f702"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enrolment_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("otj_planned_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("otj_logged_minutes", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("otj_verified_minutes", sa.Integer(), nullable=False, server_default="0")
        )
    # The rows there are now, from the apprenticeships and the hours log.
    op.execute(
        "UPDATE enrolment_progress SET "
        "otj_planned_minutes = (SELECT a.planned_otj_hours * 60 FROM apprenticeship a "
        "WHERE a.enrolment_id = enrolment_progress.enrolment_id), "
        "otj_logged_minutes = (SELECT COALESCE(SUM(e.minutes), 0) FROM otj_entry e "
        "WHERE e.enrolment_id = enrolment_progress.enrolment_id "
        "AND e.status IN ('awaiting', 'verified')), "
        "otj_verified_minutes = (SELECT COALESCE(SUM(e.minutes), 0) FROM otj_entry e "
        "WHERE e.enrolment_id = enrolment_progress.enrolment_id AND e.status = 'verified')"
    )


def downgrade():
    with op.batch_alter_table("enrolment_progress", schema=None) as batch_op:
        batch_op.drop_column("otj_verified_minutes")
        batch_op.drop_column("otj_logged_minutes")
        batch_op.drop_column("otj_planned_minutes")
