"""The sentence model's readings made before it met the criteria's words in context are
removed, so that the job worker reads every draft and returned item again (up to 500 a
minute) and the suggestions rank each the same way. Only derived data goes: until an item
is read again, its page suggests from the words alone, as for any new text.

Revision ID: ef22631b8b0a
Revises: 8c02688a2b26
Create Date: 2026-12-07 12:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "ef22631b8b0a"
down_revision = "8c02688a2b26"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("DELETE FROM evidence_meaning"))


def downgrade():
    pass  # the readings are read again by the worker whichever way the code runs
