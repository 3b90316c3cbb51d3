"""Forms of two-factor authentication: a code at sign-in, setting it up, and the provider's
policy."""

from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired

from portfolio.accounts.models import Provider, Role
from portfolio.forms import AppForm, MaxLength


class SignInCodeForm(AppForm):
    code = StringField(
        "Code",
        description="The 6-digit code your authenticator app shows now, or one of your "
        "recovery codes.",
        validators=[DataRequired("Enter the code from your authenticator app."), MaxLength(40)],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false",
                   "autocapitalize": "off"},
    )  # fmt: skip


class AppCodeForm(AppForm):
    """A current code of the person's authenticator app: to set it up, make new recovery
    codes, or turn it off."""

    code = StringField(
        "Code from your authenticator app",
        description="6 digits, such as 123456.",
        validators=[DataRequired("Enter the 6-digit code from your authenticator app."),
                    MaxLength(20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                   "spellcheck": "false"},
    )  # fmt: skip


class TwoFactorPolicyForm(AppForm):
    """On the provider settings page beside the time zone's form, so its fields and token
    are named apart."""

    require_admin = BooleanField(Role.ADMIN.label)
    require_assessor = BooleanField(Role.ASSESSOR.label)
    require_iqa = BooleanField(Role.IQA.label)
    require_eqa = BooleanField(Role.EQA.label)
    require_learner = BooleanField(Role.LEARNER.label)
    require_employer = BooleanField(Role.EMPLOYER.label)
    for_sso = BooleanField(
        "Ask for this app's code after a sign-in through your identity service (SSO) too"
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "two-factor")
        super().__init__(*args, **kwargs)

    def role_fields(self) -> list[BooleanField]:
        return [self.require_admin, self.require_assessor, self.require_iqa, self.require_eqa,
                self.require_learner, self.require_employer]  # fmt: skip

    def roles(self) -> set[Role]:
        return {role for role in Role if self[f"require_{role.value}"].data}

    @classmethod
    def for_provider(cls, provider: Provider) -> "TwoFactorPolicyForm":
        """The form showing the provider's current policy (not what a POST sent)."""
        form = cls(formdata=None, for_sso=provider.two_factor_for_sso)
        for role in provider.two_factor_role_set:
            form[f"require_{role.value}"].data = True
        return form
