"""The admin's form for adding a webhook."""

from wtforms import SelectMultipleField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

from portfolio.forms import AppForm, MaxLength
from portfolio.webhooks.models import EVENTS
from portfolio.webhooks.subscriptions import URL_LIMIT


class SubscriptionForm(AppForm):
    url = URLField(
        "Address",
        description="Where your system receives events: https://, such as "
        "https://mis.example.ac.uk/portfolio/events.",
        validators=[DataRequired("Enter the address to send events to."), MaxLength(URL_LIMIT)],
        render_kw={"spellcheck": "false", "autocomplete": "url"},
    )
    events = SelectMultipleField(
        "Events to send",
        choices=[
            SelectChoice(event, f"{event}: {description}") for event, description in EVENTS.items()
        ],
        validators=[DataRequired("Choose at least one event to send.")],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
