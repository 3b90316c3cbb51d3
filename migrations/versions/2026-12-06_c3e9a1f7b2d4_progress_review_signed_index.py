"""Progress reviews indexed by enrolment, status and day held, so that the last signed
review of each apprenticeship is read from the index alone; the index on the enrolment
alone goes, since the new one (and the unique number per enrolment) start with it.

Revision ID: c3e9a1f7b2d4
Revises: b6d1f3a8c205
Create Date: 2026-12-06 02:20:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c3e9a1f7b2d4"
down_revision = "b6d1f3a8c205"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_progress_review_enrolment_status_held",
        "progress_review",
        ["enrolment_id", "status", "held_on"],
    )
    op.drop_index("ix_progress_review_enrolment_id", table_name="progress_review")


def downgrade():
    op.create_index("ix_progress_review_enrolment_id", "progress_review", ["enrolment_id"])
    op.drop_index("ix_progress_review_enrolment_status_held", table_name="progress_review")
