"""Two-factor authentication: each person's authenticator secret and the step of the last
code accepted, their single-use recovery codes (as SHA-256), and which roles each provider
requires it of: provider admins, at every provider but the demonstration one, whose
admin's password is published to try the app with.

Revision ID: f81c2d7a4e36
Revises: 9b3d6f2a1c84
Create Date: 2026-12-05 21:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f81c2d7a4e36'
down_revision = '9b3d6f2a1c84'
branch_labels = None
depends_on = None

DEMO_PROVIDER = 'Northgate Training (demo)'


def upgrade():
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('two_factor_roles', sa.String(length=100),
                                      server_default='admin', nullable=False))
        batch_op.add_column(sa.Column('two_factor_for_sso', sa.Boolean(), server_default='0',
                                      nullable=False))
    op.execute(sa.text("UPDATE provider SET two_factor_roles = '' WHERE name = :name")
               .bindparams(name=DEMO_PROVIDER))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('two_factor_since', sa.DateTime(), nullable=True))

    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_recovery_code_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_recovery_code_code_hash')),
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('recovery_code')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('two_factor_since')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_column('two_factor_for_sso')
        batch_op.drop_column('two_factor_roles')
