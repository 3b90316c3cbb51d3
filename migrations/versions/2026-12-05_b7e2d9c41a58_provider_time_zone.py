"""Each provider names the time zone its pages and PDFs show times in (Europe/London at first).

Revision ID: b7e2d9c41a58
Revises: 06360300f04f
Create Date: 2026-12-05 15:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7e2d9c41a58'
down_revision = '06360300f04f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64),
                                      server_default='Europe/London', nullable=False))


def downgrade():
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
