"""Comments on evidence items by the learner, their assessor and their line manager.

Revision ID: e3b8c1d4f702
Revises: 4c9e2b7d1a58
Create Date: 2026-12-05 23:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e3b8c1d4f702"
down_revision = "4c9e2b7d1a58"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "evidence_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["provider.id"], name=op.f("fk_evidence_comment_provider_id_provider")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["evidence_item.id"],
            name=op.f("fk_evidence_comment_item_id_evidence_item"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_evidence_comment_author_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_comment")),
    )
    with op.batch_alter_table("evidence_comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_comment_provider_id"), ["provider_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evidence_comment_item_id"), ["item_id"], unique=False)


def downgrade():
    with op.batch_alter_table("evidence_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_comment_item_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_comment_provider_id"))
    op.drop_table("evidence_comment")
