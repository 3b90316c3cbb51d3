"""Each evidence item's count of possible personal data still open, for the learner's to-do
list, counted now for the drafts and returned items that list shows.

Revision ID: b6d1f3a8c205
Revises: 7a4c2e9b5d16
Create Date: 2026-12-06 00:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b6d1f3a8c205"
down_revision = "7a4c2e9b5d16"
branch_labels = None
depends_on = None

item = sa.table(
    "evidence_item",
    sa.column("id", sa.Integer),
    sa.column("title", sa.String),
    sa.column("kind", sa.String),
    sa.column("status", sa.String),
    sa.column("personal_data_open", sa.Integer),
)
version = sa.table(
    "evidence_version",
    sa.column("item_id", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("content", sa.JSON),
)
dismissal = sa.table(
    "personal_data_dismissal",
    sa.column("item_id", sa.Integer),
    sa.column("field", sa.String),
    sa.column("finding_type", sa.String),
    sa.column("text", sa.Text),
)


def upgrade():
    with op.batch_alter_table("evidence_item") as batch_op:
        batch_op.add_column(
            sa.Column("personal_data_open", sa.Integer(), server_default="0", nullable=False)
        )
    _count_drafts()


def _count_drafts():
    # The check as it stands when this runs; the evidence operations keep the count after.
    from portfolio.evidence import kinds
    from portfolio.evidence.models import EvidenceKind
    from portfolio.evidence.pii import find_personal_data

    bind = op.get_bind()
    latest = (
        sa.select(version.c.item_id, sa.func.max(version.c.number).label("number"))
        .group_by(version.c.item_id)
        .subquery()
    )
    rows = bind.execute(
        sa.select(item.c.id, item.c.title, item.c.kind, version.c.content)
        .join(latest, latest.c.item_id == item.c.id)
        .join(
            version,
            sa.and_(version.c.item_id == item.c.id, version.c.number == latest.c.number),
        )
        .where(item.c.status.in_(["draft", "returned"]))
    ).all()
    dismissed: dict[int, set] = {}
    for d in bind.execute(sa.select(dismissal)):
        dismissed.setdefault(d.item_id, set()).add((d.field, d.finding_type, d.text))
    for row in rows:
        fields = {
            "title": row.title,
            **kinds.text_fields(EvidenceKind(row.kind), row.content or {}),
        }
        count = sum(
            1
            for path, text in fields.items()
            for finding in find_personal_data(text)
            if (path, finding.type, finding.text) not in dismissed.get(row.id, set())
        )
        if count:
            bind.execute(
                item.update().where(item.c.id == row.id).values(personal_data_open=count)
            )


def downgrade():
    with op.batch_alter_table("evidence_item") as batch_op:
        batch_op.drop_column("personal_data_open")
