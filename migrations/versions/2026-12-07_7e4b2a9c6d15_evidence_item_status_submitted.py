"""On PostgreSQL, the items waiting to be marked indexed in the order they were submitted,
for an assessor's marking queue and its oldest item; PostgreSQL walked every item in the
order submitted to find them. Not on SQLite, whose planner, without statistics, would use
it for lookups that other indexes answer better.

Revision ID: 7e4b2a9c6d15
Revises: 5a7c3e1d9b42
Create Date: 2026-12-07 16:05:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "7e4b2a9c6d15"
down_revision = "5a7c3e1d9b42"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_evidence_item_status_submitted", "evidence_item", ["status", "submitted_at"]
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_evidence_item_status_submitted", table_name="evidence_item")
