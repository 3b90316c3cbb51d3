"""Apprenticeships' progress reviews: reviews, their targets, each party's signature, the
signed PDF of a signed review, and the provider's review interval.

Revision ID: 9d1e5a3c7b20
Revises: 8f3a2d6c1e47
Create Date: 2026-12-05 23:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d1e5a3c7b20'
down_revision = '8f3a2d6c1e47'
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=20, create_constraint=True)


def upgrade():
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_interval_weeks', sa.Integer(), server_default='12',
                                      nullable=False))

    op.create_table(
        'progress_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('status', _enum('progress_review_status', 'draft', 'signing', 'signed'),
                  nullable=False),
        sa.Column('facts', sa.JSON(), nullable=False),
        sa.Column('reviewer_notes', sa.Text(), nullable=False),
        sa.Column('apprentice_comments', sa.Text(), nullable=False),
        sa.Column('employer_comments', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('signed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
                                name=op.f('fk_progress_review_provider_id_provider')),
        sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'],
                                name=op.f('fk_progress_review_enrolment_id_enrolment')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_progress_review_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_review')),
        sa.UniqueConstraint('enrolment_id', 'number',
                            name=op.f('uq_progress_review_enrolment_id_number')),
    )
    with op.batch_alter_table('progress_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_review_provider_id'), ['provider_id'])
        batch_op.create_index(batch_op.f('ix_progress_review_enrolment_id'), ['enrolment_id'])

    op.create_table(
        'progress_review_target',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('state', _enum('review_target_state', 'open', 'met', 'not_met', 'carried'),
                  nullable=False),
        sa.Column('carried_from_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['review_id'], ['progress_review.id'],
                                name=op.f('fk_progress_review_target_review_id_progress_review')),
        sa.ForeignKeyConstraint(
            ['carried_from_id'], ['progress_review_target.id'],
            name=op.f('fk_progress_review_target_carried_from_id_progress_review_target')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_review_target')),
    )
    with op.batch_alter_table('progress_review_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_review_target_review_id'), ['review_id'])

    op.create_table(
        'progress_review_signature',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('party', _enum('review_party', 'reviewer', 'apprentice', 'employer'),
                  nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('signed_at', sa.DateTime(), nullable=False),
        sa.Column('content_sha256', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ['review_id'], ['progress_review.id'],
            name=op.f('fk_progress_review_signature_review_id_progress_review')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_progress_review_signature_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_review_signature')),
        sa.UniqueConstraint('review_id', 'party',
                            name=op.f('uq_progress_review_signature_review_id_party')),
    )
    with op.batch_alter_table('progress_review_signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_review_signature_review_id'),
                              ['review_id'])

    op.create_table(
        'progress_review_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('status', _enum('review_document_status', 'pending', 'ready', 'failed'),
                  nullable=False),
        sa.Column('content_sha256', sa.String(length=64), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('stored_name', sa.String(length=80), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('pages', sa.Integer(), nullable=True),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('generated_at', sa.DateTime(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
                                name=op.f('fk_progress_review_document_provider_id_provider')),
        sa.ForeignKeyConstraint(
            ['review_id'], ['progress_review.id'],
            name=op.f('fk_progress_review_document_review_id_progress_review')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_review_document')),
        sa.UniqueConstraint('review_id', name=op.f('uq_progress_review_document_review_id')),
        sa.UniqueConstraint('sha256', name=op.f('uq_progress_review_document_sha256')),
    )
    with op.batch_alter_table('progress_review_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_review_document_provider_id'),
                              ['provider_id'])
        batch_op.create_index(batch_op.f('ix_progress_review_document_content_sha256'),
                              ['content_sha256'])


def downgrade():
    with op.batch_alter_table('progress_review_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_review_document_content_sha256'))
        batch_op.drop_index(batch_op.f('ix_progress_review_document_provider_id'))
    op.drop_table('progress_review_document')
    with op.batch_alter_table('progress_review_signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_review_signature_review_id'))
    op.drop_table('progress_review_signature')
    with op.batch_alter_table('progress_review_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_review_target_review_id'))
    op.drop_table('progress_review_target')
    with op.batch_alter_table('progress_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_review_enrolment_id'))
        batch_op.drop_index(batch_op.f('ix_progress_review_provider_id'))
    op.drop_table('progress_review')
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_column('review_interval_weeks')
