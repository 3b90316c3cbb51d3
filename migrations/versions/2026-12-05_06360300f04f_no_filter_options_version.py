"""The dashboard reads its filters' options on every page: no options version is kept.

Revision ID: 06360300f04f
Revises: 3e8f1a6c5d27
Create Date: 2026-12-05 14:00:00.000000

"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '06360300f04f'
down_revision = '3e8f1a6c5d27'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_column('filter_options_version')


def downgrade():
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('filter_options_version', sa.String(length=32),
                                      server_default='', nullable=False))
    connection = op.get_bind()
    provider = sa.table('provider', sa.column('id', sa.Integer),
                        sa.column('filter_options_version', sa.String))
    for (provider_id,) in connection.execute(sa.select(provider.c.id)).all():
        connection.execute(
            provider.update().where(provider.c.id == provider_id)
            .values(filter_options_version=secrets.token_hex(16))
        )
