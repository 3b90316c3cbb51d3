"""A version of what each provider's dashboard filters offer, so pages can keep the options.

Revision ID: 7c3e5a9d2b61
Revises: 5b0d2c7e91a4
Create Date: 2026-12-04 14:15:00.000000

"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c3e5a9d2b61'
down_revision = '5b0d2c7e91a4'
branch_labels = None
depends_on = None


def upgrade():
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


def downgrade():
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_column('filter_options_version')
