"""Forms for employers, an enrolment's apprenticeship and breaks in learning."""

from sqlalchemy import select
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Optional

from portfolio.accounts.models import Role, User
from portfolio.apprenticeships.models import Employer
from portfolio.apprenticeships.operations import MAX_OTJ_HOURS
from portfolio.db import db
from portfolio.forms import AppForm, InRange, MaxLength


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class EmployerForm(AppForm):
    name = StringField(
        "Employer name",
        description="The organisation the apprentices work for, such as 'Harbour Energy Ltd'.",
        validators=[DataRequired("Enter the employer's name."), MaxLength(200)],
    )
    contact_name = StringField("Contact's name (optional)", validators=[MaxLength(200)])
    contact_email = EmailField(
        "Contact's email address (optional)",
        validators=[
            Optional(),
            Email("Enter an email address like name@example.org.", check_deliverability=False),
            MaxLength(254),
        ],
    )
    contact_phone = StringField("Contact's phone number (optional)", validators=[MaxLength(40)])

    def details(self) -> dict:
        return {name: getattr(self, name).data for name in
                ("name", "contact_name", "contact_email", "contact_phone")}  # fmt: skip


class LineManagerForm(AppForm):
    name = StringField(
        "Full name", validators=[DataRequired("Enter the person's name."), MaxLength(200)]
    )
    email = EmailField(
        "Email address",
        description="They are emailed an invitation to choose a password.",
        validators=[
            DataRequired("Enter an email address."),
            Email("Enter an email address like name@example.org.", check_deliverability=False),
            MaxLength(254),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class ApprenticeshipForm(AppForm):
    programme = StringField(
        "Apprenticeship programme",
        description="The apprenticeship standard, such as 'Customer Service Practitioner (Level 2)'.",
        validators=[DataRequired("Enter the apprenticeship programme."), MaxLength(200)],
    )
    employer_id = SelectField(
        "Employer", coerce=_optional_int, validators=[InputRequired("Choose the employer.")]
    )
    line_manager_id = SelectField(
        "Line manager",
        coerce=_optional_int,
        validate_choice=False,  # checked by set_apprenticeship, which says why
        description="They see this apprentice's progress and evidence. Add line managers on "
        "their employer's page.",
    )
    planned_otj_hours = IntegerField(
        "Planned off-the-job training hours",
        description="Agreed at the start, from the funding rules in force.",
        validators=[
            InputRequired("Enter the planned hours as a whole number, such as 278."),
            InRange(0, MAX_OTJ_HOURS, f"Enter a whole number from 0 to {MAX_OTJ_HOURS}."),
        ],
    )

    def fill_choices(self, provider_id: int) -> None:
        employers = db.session.scalars(
            select(Employer).where(Employer.provider_id == provider_id).order_by(Employer.name)
        ).all()
        self.employer_id.choices = [SelectChoice("", "Choose an employer")] + [
            SelectChoice(e.id, e.name) for e in employers
        ]
        managers = db.session.execute(
            select(User.id, User.name, Employer.name.label("employer"))
            .join(Employer, Employer.id == User.employer_id)
            .where(User.provider_id == provider_id, User.role == Role.EMPLOYER, User.active)
            .order_by(Employer.name, User.name)
        ).all()
        self.line_manager_id.choices = [SelectChoice("", "None yet")] + [
            SelectChoice(m.id, f"{m.name} ({m.employer})") for m in managers
        ]


class BreakForm(AppForm):
    starts_on = DateField(
        "First day of the break", validators=[InputRequired("Enter the first day of the break.")]
    )
    ends_on = DateField(
        "Last day of the break (if it has ended)",
        description="Leave empty while the break lasts; end it when the learner returns.",
        validators=[Optional()],
    )
    reason = TextAreaField(
        "Reason",
        description="Agreed with the learner, such as 'Illness' or 'Parental leave'.",
        validators=[DataRequired("Enter the reason for the break."), MaxLength(500)],
    )


class EndBreakForm(AppForm):
    ends_on = DateField(
        "Last day of the break", validators=[InputRequired("Enter the last day of the break.")]
    )
