"""Onboarding from a management information system: a learner's MIS id (unique within the
provider) and Unique Learner Number, and the uploaded CSV files awaiting import.

Revision ID: 427ce71bdca2
Revises: e5a7c3b1d920
Create Date: 2026-12-05 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '427ce71bdca2'
down_revision = 'e5a7c3b1d920'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mis_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('uln', sa.String(length=10), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_user_account_provider_id_mis_id'), ['provider_id', 'mis_id']
        )
    op.create_table(
        'onboarding_upload',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.Column('imported_by_id', sa.Integer(), nullable=True),
        sa.Column('import_requested_at', sa.DateTime(), nullable=True),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
                                name=op.f('fk_onboarding_upload_provider_id_provider')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'],
                                name=op.f('fk_onboarding_upload_uploaded_by_id_user_account')),
        sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'],
                                name=op.f('fk_onboarding_upload_imported_by_id_user_account')),
        sa.ForeignKeyConstraint(['job_id'], ['job.id'],
                                name=op.f('fk_onboarding_upload_job_id_job')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_onboarding_upload')),
    )
    with op.batch_alter_table('onboarding_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_onboarding_upload_provider_id'), ['provider_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('onboarding_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_onboarding_upload_provider_id'))
    op.drop_table('onboarding_upload')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_provider_id_mis_id'), type_='unique')
        batch_op.drop_column('uln')
        batch_op.drop_column('mis_id')
