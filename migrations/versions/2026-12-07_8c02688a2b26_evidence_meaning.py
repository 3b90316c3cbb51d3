"""How close each version's text is in meaning to each criterion of its unit, as the job
worker's sentence model read it, for the criteria suggestions.

Revision ID: 8c02688a2b26
Revises: d8a4f2c6e913
Create Date: 2026-12-07 08:50:42.940814

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8c02688a2b26"
down_revision = "d8a4f2c6e913"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "evidence_meaning",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("closeness", sa.Double(), nullable=False),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["criterion_id"], ["criterion.id"],
            name=op.f("fk_evidence_meaning_criterion_id_criterion"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["evidence_version.id"],
            name=op.f("fk_evidence_meaning_version_id_evidence_version"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "criterion_id", name=op.f("pk_evidence_meaning")),
    )  # fmt: skip


def downgrade():
    op.drop_table("evidence_meaning")
