"""The admin's form for making an API token."""

from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from portfolio.api.models import TokenScope
from portfolio.api.tokens import NAME_LIMIT
from portfolio.forms import AppForm, MaxLength


class TokenForm(AppForm):
    name = StringField(
        "Name",
        description="What the token is for, such as “MIS sync” or “Reporting”.",
        validators=[DataRequired("Enter a name for the token."), MaxLength(NAME_LIMIT)],
    )
    scope = RadioField(
        "What it may do",
        choices=[SelectChoice(scope.value, scope.label) for scope in TokenScope],
        default=TokenScope.READ.value,
        validators=[DataRequired("Choose what the token may do.")],
    )
