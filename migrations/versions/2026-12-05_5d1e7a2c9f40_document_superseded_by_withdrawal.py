"""A portfolio document is superseded when its sign-off is withdrawn: read from the sign-off,
not kept as a status of its own.

Revision ID: 5d1e7a2c9f40
Revises: c4f1a8e2b937
Create Date: 2026-12-05 16:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d1e7a2c9f40'
down_revision = 'c4f1a8e2b937'
branch_labels = None
depends_on = None

STATUSES = "'pending', 'generating', 'ready', 'failed'"


def upgrade():
    # A superseded document was made and kept; one that never was made failed.
    op.execute(sa.text(
        "UPDATE portfolio_document SET status = CASE WHEN stored_name IS NULL "
        "THEN 'failed' ELSE 'ready' END WHERE status = 'superseded'"
    ))
    with op.batch_alter_table('portfolio_document', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_portfolio_document_document_status'), type_='check')
        batch_op.create_check_constraint('document_status', sa.text(f"status IN ({STATUSES})"))
        batch_op.drop_column('superseded_at')


def downgrade():
    with op.batch_alter_table('portfolio_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_at', sa.DateTime(), nullable=True))
        batch_op.drop_constraint(op.f('ck_portfolio_document_document_status'), type_='check')
        batch_op.create_check_constraint(
            'document_status', sa.text(f"status IN ({STATUSES}, 'superseded')")
        )
    op.execute(sa.text(
        "UPDATE portfolio_document SET status = 'superseded', superseded_at = "
        "(SELECT withdrawn_at FROM sign_off WHERE sign_off.id = portfolio_document.sign_off_id) "
        "WHERE sign_off_id IN (SELECT id FROM sign_off WHERE withdrawn_at IS NOT NULL)"
    ))
