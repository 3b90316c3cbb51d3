"""Forms of the off-the-job hours log: an entry, the assessor's decision, a provider's kind
of activity."""

from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from portfolio.apprenticeships.hours import KIND_NAME_LIMIT, LEARNED_LIMIT, REASON_LIMIT
from portfolio.forms import AppForm, InRange, MaxLength


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes; values are ids."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", int)
        super().__init__(label, validators, **kwargs)

    def pre_validate(self, form):
        # Whether each id is the enrolment's own is the domain function's check, which
        # names the field; an id that is no choice here is refused the same way.
        values = {value for value, *_ in self.iter_choices()}
        if any(v not in values for v in self.data or ()):
            raise ValidationError("Choose from the list only.")


class ClockField(TimeField):
    """A time of day as the browser's picker sends it (14:05)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Enter a time like 09:30 or 14:05.") from None


class EntryForm(AppForm):
    on = DateField("Date", validators=[InputRequired("Enter the day of the training.")],
                   description="The day of the training, not in the future.")  # fmt: skip
    start = ClockField("Start time", validators=[Optional()])
    end = ClockField("End time", validators=[Optional()])
    minutes = IntegerField(
        "Or the duration, in minutes",
        validators=[Optional(), InRange(1, 720, "Give a duration from 1 to 720 minutes.")],
        description="Leave the times empty to give a duration alone, such as 90 for an hour "
        "and a half of online learning.",
    )
    activity = SelectField(
        "Kind of activity",
        validators=[DataRequired("Choose the kind of activity.")],
        validate_choice=False,  # checked by the hours log, which says why
    )
    learned = TextAreaField(
        "What you learned",
        validators=[DataRequired("Say what you learned."), MaxLength(LEARNED_LIMIT)],
        render_kw={"rows": 5},
    )
    criteria = CheckboxesField("Criteria it relates to (optional)", validators=[Optional()])
    evidence = CheckboxesField("Evidence it relates to (optional)", validators=[Optional()])


class RejectForm(AppForm):
    reason = TextAreaField(
        "Reason for rejecting",
        validators=[DataRequired("Say why the entry is rejected."), MaxLength(REASON_LIMIT)],
        description="The apprentice sees this and can change the entry.",
        render_kw={"rows": 3},
    )


class ActivityKindForm(AppForm):
    name = StringField(
        "Name of the kind of activity",
        validators=[DataRequired("Enter the name."), MaxLength(KIND_NAME_LIMIT)],
    )
