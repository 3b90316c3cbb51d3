"""Each provider sets after how many days without activity a learner is at risk.

Revision ID: 9d41c7b2e3f0
Revises: 7c3e5a9d2b61
Create Date: 2026-12-04 17:50:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d41c7b2e3f0'
down_revision = '7c3e5a9d2b61'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inactive_days', sa.Integer(), server_default='21',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_column('inactive_days')
