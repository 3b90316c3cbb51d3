"""A provider's people indexed by role: its staff found without reading every learner.

Revision ID: 5b0d2c7e91a4
Revises: 65cce4d35e74
Create Date: 2026-12-03 14:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b0d2c7e91a4'
down_revision = '65cce4d35e74'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index('ix_user_account_provider_role', ['provider_id', 'role'], unique=False)
        batch_op.drop_index('ix_user_account_provider_id')


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index('ix_user_account_provider_id', ['provider_id'], unique=False)
        batch_op.drop_index('ix_user_account_provider_role')
