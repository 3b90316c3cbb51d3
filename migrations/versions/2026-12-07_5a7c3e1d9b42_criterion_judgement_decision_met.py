"""Whether a decision met any criterion, read from an index alone (decision, met), for the
provider's overview of its suggestions; it replaces the index on the decision alone, which
it starts with.

Revision ID: 5a7c3e1d9b42
Revises: ef22631b8b0a
Create Date: 2026-12-07 15:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "5a7c3e1d9b42"
down_revision = "ef22631b8b0a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_criterion_judgement_decision_met", "criterion_judgement", ["decision_id", "met"]
    )
    op.drop_index("ix_criterion_judgement_decision_id", table_name="criterion_judgement")


def downgrade():
    op.create_index("ix_criterion_judgement_decision_id", "criterion_judgement", ["decision_id"])
    op.drop_index("ix_criterion_judgement_decision_met", table_name="criterion_judgement")
