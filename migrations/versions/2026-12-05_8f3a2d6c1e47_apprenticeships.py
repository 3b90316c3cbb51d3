"""Apprenticeships: employers and their line managers (the employer role), an enrolment's
apprenticeship, breaks in learning, and the progress rows' break figures.

Revision ID: 8f3a2d6c1e47
Revises: a3c7e19f5b42
Create Date: 2026-12-05 21:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '8f3a2d6c1e47'
down_revision = 'a3c7e19f5b42'
branch_labels = None
depends_on = None

ROLES = "'learner', 'assessor', 'iqa', 'admin', 'eqa'"


def _roles(roles):
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_account_role'), type_='check')
        batch_op.create_check_constraint('role', sa.text(f"role IN ({roles})"))
    with op.batch_alter_table('sso_connection', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sso_connection_sso_new_role'), type_='check')
        batch_op.create_check_constraint(
            'sso_new_role', sa.text(f"new_account_role IN ({roles})")
        )


def upgrade():
    op.create_table(
        'employer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('contact_name', sa.String(length=200), nullable=True),
        sa.Column('contact_email', sa.String(length=254), nullable=True),
        sa.Column('contact_phone', sa.String(length=40), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
                                name=op.f('fk_employer_provider_id_provider')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_employer')),
        sa.UniqueConstraint('provider_id', 'name', name=op.f('uq_employer_provider_id_name')),
    )
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employer_provider_id'), ['provider_id'],
                              unique=False)

    _roles(ROLES + ", 'employer'")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('employer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_account_employer_id'), ['employer_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_user_account_employer_id_employer'),
                                    'employer', ['employer_id'], ['id'])

    op.create_table(
        'apprenticeship',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('programme', sa.String(length=200), nullable=False),
        sa.Column('employer_id', sa.Integer(), nullable=False),
        sa.Column('line_manager_id', sa.Integer(), nullable=True),
        sa.Column('planned_otj_hours', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('planned_otj_hours >= 0',
                           name=op.f('ck_apprenticeship_planned_otj_hours')),
        sa.ForeignKeyConstraint(['employer_id'], ['employer.id'],
                                name=op.f('fk_apprenticeship_employer_id_employer')),
        sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'],
                                name=op.f('fk_apprenticeship_enrolment_id_enrolment')),
        sa.ForeignKeyConstraint(['line_manager_id'], ['user_account.id'],
                                name=op.f('fk_apprenticeship_line_manager_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_apprenticeship')),
        sa.UniqueConstraint('enrolment_id', name=op.f('uq_apprenticeship_enrolment_id')),
    )
    with op.batch_alter_table('apprenticeship', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apprenticeship_employer_id'), ['employer_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_apprenticeship_line_manager_id'),
                              ['line_manager_id'], unique=False)

    op.create_table(
        'break_in_learning',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('ended_by_id', sa.Integer(), nullable=True),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('ends_on >= starts_on',
                           name=op.f('ck_break_in_learning_ends_after_start')),
        sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'],
                                name=op.f('fk_break_in_learning_enrolment_id_enrolment')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f('fk_break_in_learning_recorded_by_id_user_account')),
        sa.ForeignKeyConstraint(['ended_by_id'], ['user_account.id'],
                                name=op.f('fk_break_in_learning_ended_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_break_in_learning')),
    )
    with op.batch_alter_table('break_in_learning', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_break_in_learning_enrolment_id'),
                              ['enrolment_id'], unique=False)

    with op.batch_alter_table('enrolment_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('break_days', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('break_since', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('break_reason', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('enrolment_progress', schema=None) as batch_op:
        batch_op.drop_column('break_reason')
        batch_op.drop_column('break_since')
        batch_op.drop_column('break_days')
    with op.batch_alter_table('break_in_learning', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_break_in_learning_enrolment_id'))
    op.drop_table('break_in_learning')
    with op.batch_alter_table('apprenticeship', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apprenticeship_line_manager_id'))
        batch_op.drop_index(batch_op.f('ix_apprenticeship_employer_id'))
    op.drop_table('apprenticeship')
    # Employer accounts have no role to go back to, and other tables (the audit trail)
    # name them: they are not deleted here, so a database holding some is not downgraded.
    employers = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM user_account WHERE role = 'employer'")
    )
    if employers:
        raise RuntimeError(
            f"{employers} employer accounts exist: this revision cannot be undone without losing "
            "them. Deactivate and remove them first, or restore a backup taken before it."
        )
    op.execute(sa.text("UPDATE sso_connection SET new_account_role = NULL "
                       "WHERE new_account_role = 'employer'"))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_account_employer_id_employer'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_account_employer_id'))
        batch_op.drop_column('employer_id')
    _roles(ROLES)
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employer_provider_id'))
    op.drop_table('employer')
