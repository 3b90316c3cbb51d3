"""Single sign-on: each provider's OpenID Connect settings, the email domains whose people
may sign in through it, and the identity (issuer and subject) each account is linked to.

Revision ID: 6b2e4d8f1a73
Revises: f81c2d7a4e36
Create Date: 2026-12-05 21:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6b2e4d8f1a73'
down_revision = 'f81c2d7a4e36'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sso_connection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('display_name', sa.String(length=100), nullable=False),
        sa.Column('issuer', sa.String(length=500), nullable=False),
        sa.Column('client_id', sa.String(length=255), nullable=False),
        sa.Column('client_secret_encrypted', sa.Text(), nullable=False),
        sa.Column('new_account_role', sa.Enum('learner', 'assessor', 'iqa', 'admin', 'eqa',
                                              name='sso_new_role', native_enum=False, length=16,
                                              create_constraint=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
                                name=op.f('fk_sso_connection_provider_id_provider')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_connection')),
        sa.UniqueConstraint('provider_id', name=op.f('uq_sso_connection_provider_id')),
    )
    op.create_table(
        'sso_domain',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('domain', sa.String(length=253), nullable=False),
        sa.ForeignKeyConstraint(['connection_id'], ['sso_connection.id'],
                                name=op.f('fk_sso_domain_connection_id_sso_connection')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_domain')),
        sa.UniqueConstraint('connection_id', 'domain',
                            name=op.f('uq_sso_domain_connection_id_domain')),
    )
    with op.batch_alter_table('sso_domain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_domain_domain'), ['domain'], unique=False)
    op.create_table(
        'sso_identity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('issuer', sa.String(length=500), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
                                name=op.f('fk_sso_identity_provider_id_provider')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_sso_identity_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_identity')),
        sa.UniqueConstraint('provider_id', 'issuer', 'subject',
                            name=op.f('uq_sso_identity_provider_id_issuer_subject')),
        sa.UniqueConstraint('user_id', name=op.f('uq_sso_identity_user_id')),
    )


def downgrade():
    op.drop_table('sso_identity')
    op.drop_table('sso_domain')
    op.drop_table('sso_connection')
