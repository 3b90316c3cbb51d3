"""The progress rows carry when each apprenticeship's last progress review was signed and
when the next is due, so that lists and counts of overdue reviews read one column; filled
in here for the apprenticeships there are now, by the rule of
``portfolio.apprenticeships.breaks.due_after``.

Revision ID: d8a4f2c6e913
Revises: c3e9a1f7b2d4
Create Date: 2026-12-06 18:40:00.000000

"""

from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d8a4f2c6e913"
down_revision = "c3e9a1f7b2d4"
branch_labels = None
depends_on = None

progress = sa.table(
    "enrolment_progress",
    sa.column("enrolment_id", sa.Integer),
    sa.column("last_review_on", sa.Date),
    sa.column("review_due_on", sa.Date),
)
enrolment = sa.table(
    "enrolment",
    sa.column("id", sa.Integer),
    sa.column("provider_id", sa.Integer),
    sa.column("starts_on", sa.Date),
)
apprenticeship = sa.table("apprenticeship", sa.column("enrolment_id", sa.Integer))
provider = sa.table(
    "provider", sa.column("id", sa.Integer), sa.column("review_interval_weeks", sa.Integer)
)
review = sa.table(
    "progress_review",
    sa.column("enrolment_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("held_on", sa.Date),
)
pause = sa.table(
    "break_in_learning",
    sa.column("enrolment_id", sa.Integer),
    sa.column("starts_on", sa.Date),
    sa.column("ends_on", sa.Date),
)


def _due(start, days, periods):
    """The day ``days`` after ``start``, later by each break day from the day after it on (a
    break beginning by the day so reached pushes it on); None once a break with no end has
    begun by then."""
    due, after = start + timedelta(days=days), start + timedelta(days=1)
    for starts_on, ends_on in sorted(periods, key=lambda period: period[0]):
        if ends_on is not None and ends_on < after:
            continue
        if starts_on > due:
            break
        if ends_on is None:
            return None
        due += timedelta(days=(ends_on - max(starts_on, after)).days + 1)
    return due


def upgrade():
    with op.batch_alter_table("enrolment_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_review_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("review_due_on", sa.Date(), nullable=True))
    bind = op.get_bind()
    weeks = dict(bind.execute(sa.select(provider.c.id, provider.c.review_interval_weeks)).all())
    last = dict(
        bind.execute(
            sa.select(review.c.enrolment_id, sa.func.max(review.c.held_on))
            .where(review.c.status == "signed")
            .group_by(review.c.enrolment_id)
        ).all()
    )
    periods = defaultdict(list)
    for row in bind.execute(sa.select(pause.c.enrolment_id, pause.c.starts_on, pause.c.ends_on)):
        periods[row.enrolment_id].append((row.starts_on, row.ends_on))
    rows = [
        {
            "id": row.id,
            "last": last.get(row.id),
            "due": _due(last.get(row.id) or row.starts_on, 7 * (weeks[row.provider_id] or 12),
                        periods[row.id]),
        }
        for row in bind.execute(
            sa.select(enrolment.c.id, enrolment.c.provider_id, enrolment.c.starts_on).join(
                apprenticeship, apprenticeship.c.enrolment_id == enrolment.c.id
            )
        )
    ]  # fmt: skip
    if rows:
        bind.execute(
            progress.update()
            .where(progress.c.enrolment_id == sa.bindparam("id"))
            .values(last_review_on=sa.bindparam("last"), review_due_on=sa.bindparam("due")),
            rows,
        )


def downgrade():
    with op.batch_alter_table("enrolment_progress", schema=None) as batch_op:
        batch_op.drop_column("review_due_on")
        batch_op.drop_column("last_review_on")
