"""Forms of single sign-on: finding a person's identity provider, and the admin's settings."""

from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from portfolio.accounts.models import ROLE_LABELS
from portfolio.accounts.sso import NEW_ACCOUNT_ROLES
from portfolio.forms import AppForm, MaxLength


class SsoEmailForm(AppForm):
    email = EmailField(
        "Email address",
        description="The address your college or employer gave you.",
        validators=[DataRequired("Enter your email address."), MaxLength(254)],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )


class SsoSettingsForm(AppForm):
    enabled = BooleanField("Single sign-on is on: people can sign in through it")
    display_name = StringField(
        "Name on the button",
        description="The button reads “Sign in with …” this name, such as Northgate College.",
        validators=[DataRequired("Enter the name to show on the button."), MaxLength(100)],
    )
    issuer = URLField(
        "Issuer",
        description="Your identity provider's issuer address: for Microsoft Entra ID "
        "https://login.microsoftonline.com/<tenant id>/v2.0, for Google https://accounts.google.com.",
        validators=[DataRequired("Enter the issuer's address."), MaxLength(500)],
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    client_id = StringField(
        "Client ID",
        description="The application (client) ID the identity provider gave this app.",
        validators=[DataRequired("Enter the client ID."), MaxLength(255)],
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    client_secret = PasswordField(
        "Client secret",
        description="Kept encrypted and never shown again. Leave it blank to keep the one saved.",
        validators=[MaxLength(1000)],
        render_kw={"autocomplete": "new-password"},
    )
    domains = TextAreaField(
        "Email domains",
        description="One a line, such as northgate.ac.uk: only people whose address is at one "
        "of these can sign in this way.",
        validators=[MaxLength(5000)],
        render_kw={"rows": 3, "spellcheck": "false"},
    )
    new_account_role = SelectField(
        "Accounts for people who have none",
        choices=[SelectChoice("", "None: an admin adds each person first")]
        + [SelectChoice(role.value, f"Made on first sign-in as: {ROLE_LABELS[role]}")
           for role in NEW_ACCOUNT_ROLES],
    )  # fmt: skip
