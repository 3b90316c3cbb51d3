"""The form of a person's notification email choice."""

from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portfolio.forms import AppForm
from portfolio.notifications.models import EmailChoice


class EmailChoiceForm(AppForm):
    email = RadioField(
        "Email me about my notifications",
        choices=[SelectChoice(choice.value, choice.label) for choice in EmailChoice],
        validators=[InputRequired("Choose how to be emailed: at once, a daily digest, or off.")],
    )
