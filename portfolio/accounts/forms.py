"""Forms for signing in, passwords and the provider admin's people pages."""

from wtforms import BooleanField, DateField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Optional, ValidationError

from portfolio.accounts.models import ROLE_LABELS, Role
from portfolio.accounts.passwords import MAX_LENGTH, password_problem
from portfolio.dates import time_zone_problem
from portfolio.forms import AppForm, MaxLength

ROLE_CHOICES = [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]


class SignInForm(AppForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter your email address."), MaxLength(254)],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), MaxLength(MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


def check_new_password(form, field) -> None:
    if field.errors:  # too long, said once already
        return
    email = form.email.data if hasattr(form, "email") else ""
    name = form.name.data if hasattr(form, "name") else ""
    problem = password_problem(field.data or "", email=email or "", name=name or "")
    if problem:
        raise ValidationError(problem)


class ChangePasswordForm(AppForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password."), MaxLength(MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "New password",
        description="At least 8 characters. A few unrelated words make a strong password.",
        validators=[
            DataRequired("Enter a new password."),
            MaxLength(MAX_LENGTH),
            check_new_password,
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChoosePasswordForm(AppForm):
    """An invited person's first password, or a new one from a reset link; the rules are
    checked against the account's name and email by the domain function."""

    password = PasswordField(
        "Choose a password",
        description="At least 8 characters. A few unrelated words make a strong password.",
        validators=[DataRequired("Enter a password."), MaxLength(MAX_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )


class ForgotPasswordForm(AppForm):
    email = EmailField(
        "Email address",
        description="The address you sign in with.",
        validators=[
            DataRequired("Enter your email address."),
            Email("Enter an email address like name@example.org.", check_deliverability=False),
            MaxLength(254),
        ],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )


def check_expiry_for_eqa(form, field) -> None:
    typed = bool(field.raw_data and field.raw_data[0].strip())  # not a date: said already
    if form.role.data == Role.EQA.value and field.data is None and not typed:
        raise ValidationError("An EQA's access needs an end date.")


def not_employer(form, field) -> None:
    # An employer account belongs to an employer organisation: it is added there.
    if field.data == Role.EMPLOYER.value:
        raise ValidationError(
            "Line managers are added on their employer's page (Employers), which links them to it."
        )


class PersonForm(AppForm):
    name = StringField(
        "Full name",
        validators=[DataRequired("Enter the person's name."), MaxLength(200)],
        render_kw={"autocomplete": "off"},
    )
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter an email address."),
            Email("Enter an email address like name@example.org.", check_deliverability=False),
            MaxLength(254),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    # No employer: line managers are added on their employer's page (``not_employer`` says so
    # to a form sent with it all the same).
    role = SelectField(
        "Role",
        choices=[c for c in ROLE_CHOICES if c.value != Role.EMPLOYER.value],
        validators=[DataRequired(), not_employer],
    )
    access_expires_on = DateField(
        "Access ends on (EQA only)",
        description="External quality assurers get read-only access until the end of this day.",
        validators=[Optional(), check_expiry_for_eqa],
    )
    # Shown once the provider has someone of the same name: adding a second one is allowed,
    # as two people may share a name, but only when the admin says so.
    same_name_confirmed = BooleanField("They are a different person: add the account anyway")


class EditPersonForm(AppForm):
    name = StringField(
        "Full name", validators=[DataRequired("Enter the person's name."), MaxLength(200)]
    )
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    access_expires_on = DateField(
        "Access ends on (EQA only)", validators=[Optional(), check_expiry_for_eqa]
    )
    active = BooleanField("Account is active (can sign in)")
    new_assessor = BooleanField("New assessor (more of their decisions are sampled by IQAs)")


def check_time_zone(form, field) -> None:
    problem = time_zone_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class ProviderSettingsForm(AppForm):
    time_zone = StringField(
        "Time zone",
        description="Pages and PDFs show times in this zone, named (GMT or BST for "
        "Europe/London); PDFs and audit trails add UTC. An IANA name: a region, a slash, a city.",
        validators=[DataRequired("Enter a time zone, such as Europe/London."), MaxLength(64),
                    check_time_zone],
        render_kw={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"},
    )  # fmt: skip
