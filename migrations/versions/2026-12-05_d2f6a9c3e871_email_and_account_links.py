"""Outgoing email, and the single-use links of invitations and password resets; an invited
person's account has no password until they choose one.

Revision ID: d2f6a9c3e871
Revises: 427ce71bdca2
Create Date: 2026-12-05 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd2f6a9c3e871'
down_revision = '427ce71bdca2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outgoing_email',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('to_name', sa.String(length=200), nullable=True),
        sa.Column('template', sa.String(length=64), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('text_body', sa.Text(), nullable=True),
        sa.Column('html_body', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
                                name=op.f('fk_outgoing_email_provider_id_provider')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_email')),
    )
    with op.batch_alter_table('outgoing_email', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_email_provider_id'), ['provider_id'],
                              unique=False)

    op.create_table(
        'account_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.Enum('invitation', 'password_reset', name='token_purpose',
                                     native_enum=False, length=20, create_constraint=True),
                  nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_account_token_created_by_id_user_account')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_account_token_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_account_token_token_hash')),
    )
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_token_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('password_hash', existing_type=sa.String(length=200),
                              nullable=True)


def downgrade():
    # An account still waiting for its person to choose a password gets a hash no password
    # matches (Argon2 refuses it as malformed): an admin sets one, as before invitations.
    op.drop_table('account_token')
    op.drop_table('outgoing_email')
    op.execute(sa.text("UPDATE user_account SET password_hash = '!' WHERE password_hash IS NULL"))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('password_hash', existing_type=sa.String(length=200),
                              nullable=False)
