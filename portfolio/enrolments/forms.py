"""Forms for cohorts and enrolments; the choices are filled from the provider's own data."""

from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from portfolio import listing
from portfolio.accounts.models import Role, User
from portfolio.db import db
from portfolio.enrolments.models import Cohort
from portfolio.forms import AppForm, MaxLength
from portfolio.units.models import AwardingBody, Qualification

NONE_CHOICE = SelectChoice("", "Not yet assigned")


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class CohortForm(AppForm):
    name = StringField(
        "Cohort name",
        description="For example 'Contact centre apprentices, September 2026'.",
        validators=[DataRequired("Enter a name for the cohort."), MaxLength(200)],
    )
    starts_on = DateField("Starts on", validators=[Optional()])
    ends_on = DateField("Ends on", validators=[Optional()])


class EnrolmentDetailsForm(AppForm):
    cohort_id = SelectField("Cohort", coerce=_optional_int)
    assessor_id = SelectField("Assessor", coerce=_optional_int)
    iqa_id = SelectField("IQA", coerce=_optional_int)
    starts_on = DateField("Start date", validators=[InputRequired("Enter the start date.")])
    planned_end_on = DateField(
        "Planned end date", validators=[InputRequired("Enter the planned end date.")]
    )

    def fill_choices(self, provider_id: int) -> None:
        staff = db.session.scalars(
            select(User)
            .where(
                User.provider_id == provider_id,
                User.active,
                User.role.in_([Role.ASSESSOR, Role.IQA]),
            )
            .order_by(User.name)
        ).all()
        cohorts = db.session.scalars(
            select(Cohort).where(Cohort.provider_id == provider_id).order_by(Cohort.name)
        ).all()
        # Each cohort's dates go with its option, for the script that fills empty dates in.
        self.cohort_id.choices = [SelectChoice("", "No cohort")] + [
            SelectChoice(c.id, c.name, render_kw=_dates(c)) for c in cohorts
        ]
        self.cohorts = {c.id: c for c in cohorts}
        self.assessor_id.choices = [NONE_CHOICE] + [
            SelectChoice(u.id, u.name) for u in staff if u.role is Role.ASSESSOR
        ]
        self.iqa_id.choices = [NONE_CHOICE] + [
            SelectChoice(u.id, u.name) for u in staff if u.role is Role.IQA
        ]


def _dates(cohort: Cohort) -> dict:
    return {
        "data-starts-on": cohort.starts_on.isoformat() if cohort.starts_on else "",
        "data-ends-on": cohort.ends_on.isoformat() if cohort.ends_on else "",
    }


def unit_choices() -> list[SelectChoice]:
    """Every unit of every qualification, grouped by awarding body, as 'qualification:unit'."""
    bodies = db.session.scalars(
        select(AwardingBody)
        .order_by(AwardingBody.name)
        .options(selectinload(AwardingBody.qualifications).selectinload(Qualification.units))
    ).all()
    return [SelectChoice("", "Choose a qualification and unit")] + [
        SelectChoice(
            f"{q.id}:{u.id}", f"{q.title}: {u.title} (Level {u.level})", optgroup=body.name
        )
        for body in bodies
        for q in body.qualifications
        for u in q.units
    ]


# Up to this many learners, the learner is chosen from all of them; a provider with more
# finds the learner by name or email first, and chooses among those found.
ALL_LEARNERS_UP_TO = 200
LEARNERS_FOUND = 50


class EnrolmentForm(EnrolmentDetailsForm):
    # A new enrolment's dates may be left for its cohort's to fill in.
    starts_on = DateField(
        "Start date",
        description="Leave empty to take the cohort's start date.",
        validators=[Optional()],
    )
    planned_end_on = DateField(
        "Planned end date",
        description="Leave empty to take the cohort's end date.",
        validators=[Optional()],
    )
    learner_id = SelectField(
        "Learner", coerce=_optional_int, validators=[InputRequired("Choose a learner.")]
    )
    unit = SelectField(
        "Qualification and unit", validators=[DataRequired("Choose a qualification and unit.")]
    )
    learners_total = 0  # the provider's active learners
    learners_found: int | None = None  # those the search found, when there are too many

    def fill_choices(self, provider_id: int, search: str = "",
                     chosen: int | None = None) -> None:  # fmt: skip
        """The staff, cohorts and units; and as learners, all of the provider's, or when there
        are more than ALL_LEARNERS_UP_TO, those whose name or email contains ``search`` (the
        first LEARNERS_FOUND) and the ``chosen`` one."""
        super().fill_choices(provider_id)
        self.cohort_id.render_kw = {"data-cohort-dates": ""}  # for static/cohort-dates.js
        self.unit.choices = unit_choices()
        learners = select(User).where(
            User.provider_id == provider_id, User.active, User.role == Role.LEARNER
        )
        self.learners_total = listing.count_of(learners)
        if self.learners_total > ALL_LEARNERS_UP_TO:
            ids = []
            self.learners_found = 0
            if search:
                found = learners.where(listing.matching(search, User.name, User.email))
                self.learners_found = listing.count_of(found)
                ids = db.session.scalars(
                    found.with_only_columns(User.id).order_by(User.name, User.id).limit(LEARNERS_FOUND)
                ).all()
            if chosen is not None:
                ids.append(chosen)
            learners = learners.where(User.id.in_(ids))
        self.learner_id.choices = [SelectChoice("", "Choose a learner")] + [
            SelectChoice(u.id, f"{u.name} ({u.email})")
            for u in db.session.scalars(learners.order_by(User.name, User.id))
        ]

    def default_dates(self, cohort_id: int | None) -> None:
        """Empty dates from the cohort's, as the page first shows them."""
        cohort = self.cohorts.get(cohort_id)
        if cohort is not None:
            self.starts_on.data = self.starts_on.data or cohort.starts_on
            self.planned_end_on.data = self.planned_end_on.data or cohort.ends_on

    def qualification_and_unit(self) -> tuple[int, int]:
        qualification_id, unit_id = self.unit.data.split(":")
        return int(qualification_id), int(unit_id)


class OnboardingUploadForm(AppForm):
    file = FileField(
        "CSV file from your MIS",
        description="UTF-8 CSV with the columns below, at most 5 MB and 10,000 rows.",
        validators=[FileRequired("Choose a CSV file to upload.")],
    )
