"""Two-factor authentication's pages: the code at sign-in, setting it up (at sign-in when the
role requires it, or from the account's security page), recovery codes, turning it off, an
admin's reset and the provider's policy."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from portfolio import dates
from portfolio.accounts import auth, one_time_codes, providers, two_factor
from portfolio.accounts.access import get_in_provider_or_404, roles_required
from portfolio.accounts.forms import ProviderSettingsForm
from portfolio.accounts.models import Role, User
from portfolio.accounts.two_factor_forms import AppCodeForm, SignInCodeForm, TwoFactorPolicyForm
from portfolio.db import db, utcnow
from portfolio.errors import DomainError
from portfolio.forms import EmptyForm, attach_error, form_status

bp = Blueprint("two_factor", __name__)

# The secret being set up, until the person confirms it with a code: {"user": id, "secret": s}.
NEW_SECRET = "two_factor_new_secret"  # noqa: S105  (a session key)

SIGN_IN_AGAIN = "Sign in again: it is more than ten minutes since you entered your password."


def _throttled_message(throttled: auth.Throttled) -> str:
    return (
        f"Too many wrong codes. Wait {throttled.minutes} minutes and try again, or ask your "
        "training provider's administrator to reset your two-factor authentication."
    )


def _new_secret(user: User) -> str:
    """The secret this session is setting up for ``user``, made on first asking."""
    state = session.get(NEW_SECRET)
    if not isinstance(state, dict) or state.get("user") != user.id:
        state = {"user": user.id, "secret": one_time_codes.new_secret()}
        session[NEW_SECRET] = state
    return state["secret"]


def _set_up_page(user: User, form: AppCodeForm, *, at_sign_in: bool, status: int):
    secret = _new_secret(user)
    return render_template(
        "accounts/two_factor_setup.html",
        form=form,
        person=user,
        at_sign_in=at_sign_in,
        required=two_factor.required_by_role(user),
        secret=one_time_codes.grouped(secret),
        qr_code=one_time_codes.qr_code(one_time_codes.provisioning_uri(user, secret)),
    ), status


def _set_up(user: User, form: AppCodeForm) -> list[str] | None:
    """Turn two-factor on from the setup form; None (the error on the form) if refused."""
    secret = _new_secret(user)
    try:
        codes = one_time_codes.set_up(user, secret, form.code.data, request.remote_addr)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return None
    db.session.commit()
    session.pop(NEW_SECRET, None)
    return codes


@bp.route("/sign-in/code", methods=["GET", "POST"])
def code():
    """The second step of signing in: the authenticator's code or a recovery code."""
    found = two_factor.pending()
    if found is None:
        flash(SIGN_IN_AGAIN, "info")
        return redirect(url_for("accounts.sign_in"))
    user, state = found
    if not user.two_factor_enabled:
        return redirect(url_for("two_factor.set_up_at_sign_in"))
    form = SignInCodeForm()
    status = form_status(form)
    if form.validate_on_submit():
        try:
            kind = one_time_codes.check_sign_in_code(user, form.code.data, request.remote_addr)
        except auth.Throttled as throttled:
            db.session.rollback()
            form.form_errors.append(_throttled_message(throttled))
            return render_template("accounts/two_factor_code.html", form=form), 429
        db.session.commit()
        if kind is not None:
            two_factor.complete_sign_in(user, via_sso=state["sso"], second_factor=True)
            if kind == "recovery":
                left = one_time_codes.remaining_recovery_codes(user)
                flash(f"You signed in with a recovery code, which now no longer works; you have "
                      f"{left} left. If you have lost your phone, set up two-factor "
                      "authentication again from Account security.", "info")  # fmt: skip
            return redirect(state["next"])
        form.code.errors.append(one_time_codes.WRONG_CODE_OR_RECOVERY)
        status = 401
    return render_template("accounts/two_factor_code.html", form=form), status


@bp.route("/sign-in/two-factor-setup", methods=["GET", "POST"])
def set_up_at_sign_in():
    """Setting two-factor up after the password, when the person's role requires it and
    they have not: they are signed in once it is on."""
    found = two_factor.pending()
    if found is None:
        flash(SIGN_IN_AGAIN, "info")
        return redirect(url_for("accounts.sign_in"))
    user, state = found
    if user.two_factor_enabled:
        return redirect(url_for("two_factor.code"))
    form = AppCodeForm()
    if form.validate_on_submit():
        codes = _set_up(user, form)
        if codes is not None:
            two_factor.complete_sign_in(user, via_sso=state["sso"], second_factor=True)
            return render_template(
                "accounts/two_factor_recovery_codes.html", codes=codes, next_url=state["next"],
                first=True,
            )  # fmt: skip
    return _set_up_page(user, form, at_sign_in=True, status=form_status(form))


@bp.get("/account/security")
@login_required
def security():
    """The person's sign-in security: whether two-factor authentication is on, their
    recovery codes left, and making new ones or turning it off."""
    user = current_user._get_current_object()
    return _security_page(user, AppCodeForm(prefix="new-codes", formdata=None),
                          AppCodeForm(prefix="off", formdata=None), 200)  # fmt: skip


def _security_page(user: User, codes_form: AppCodeForm, off_form: AppCodeForm, status: int):
    left = one_time_codes.remaining_recovery_codes(user) if user.two_factor_enabled else 0
    return render_template(
        "accounts/security.html",
        codes_form=codes_form,
        off_form=off_form,
        left=left,
        required=two_factor.required_by_role(user),
    ), status


@bp.route("/account/security/two-factor", methods=["GET", "POST"])
@login_required
def set_up():
    user = current_user._get_current_object()
    if user.two_factor_enabled:
        flash("Two-factor authentication is already on for your account.", "info")
        return redirect(url_for("two_factor.security"))
    form = AppCodeForm()
    if form.validate_on_submit():
        codes = _set_up(user, form)
        if codes is not None:
            # This session gave the code; the account's others must now give one.
            two_factor.note_second_factor(user)
            return render_template(
                "accounts/two_factor_recovery_codes.html", codes=codes,
                next_url=url_for("two_factor.security"), first=True,
            )  # fmt: skip
    return _set_up_page(user, form, at_sign_in=False, status=form_status(form))


@bp.post("/account/security/recovery-codes")
@login_required
def new_recovery_codes():
    user = current_user._get_current_object()
    form = AppCodeForm(prefix="new-codes")
    off_form = AppCodeForm(prefix="off", formdata=None)
    if form.validate_on_submit():
        try:
            codes = one_time_codes.regenerate_recovery_codes(
                user, form.code.data, request.remote_addr
            )
        except auth.Throttled as throttled:
            db.session.rollback()
            form.form_errors.append(_throttled_message(throttled))
            return _security_page(user, form, off_form, 429)
        except DomainError as error:
            db.session.commit()  # the wrong code is counted and audited
            attach_error(form, error)
        else:
            db.session.commit()
            return render_template(
                "accounts/two_factor_recovery_codes.html", codes=codes,
                next_url=url_for("two_factor.security"), first=False,
            )  # fmt: skip
    return _security_page(user, form, off_form, 400)


@bp.post("/account/security/two-factor/off")
@login_required
def turn_off():
    user = current_user._get_current_object()
    codes_form = AppCodeForm(prefix="new-codes", formdata=None)
    form = AppCodeForm(prefix="off")
    if form.validate_on_submit():
        try:
            one_time_codes.turn_off(user, form.code.data, request.remote_addr)
        except auth.Throttled as throttled:
            db.session.rollback()
            form.form_errors.append(_throttled_message(throttled))
            return _security_page(user, codes_form, form, 429)
        except DomainError as error:
            db.session.commit()  # a wrong code is counted and audited; nothing else changed
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Two-factor authentication is off: signing in needs only your password.",
                  "success")  # fmt: skip
            return redirect(url_for("two_factor.security"))
    return _security_page(user, codes_form, form, 400)


@bp.post("/people/<int:user_id>/two-factor/reset")
@roles_required(Role.ADMIN)
def admin_reset(user_id: int):
    """A provider admin resets a person's two-factor authentication, for a lost phone."""
    user = get_in_provider_or_404(User, user_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            one_time_codes.reset_by_admin(current_user, user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            then = ("must set it up again" if two_factor.required_by_role(user)
                    else "can set it up again")  # fmt: skip
            flash(f"{user.name}'s two-factor authentication has been reset and they have been "
                  f"signed out; they {then} when they next sign in.", "success")  # fmt: skip
    return redirect(url_for("accounts.person_edit", user_id=user.id))


@bp.post("/provider/settings/two-factor")
@roles_required(Role.ADMIN)
def provider_policy():
    """Which roles must use two-factor authentication, and whether after SSO too."""
    provider = current_user.provider
    form = TwoFactorPolicyForm()
    if form.validate_on_submit():
        try:
            providers.change_two_factor_policy(
                current_user, form.roles(), for_sso=form.for_sso.data
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Saved who must use two-factor authentication. Anyone it now applies to sets "
                  "it up when they next sign in.", "success")  # fmt: skip
            return redirect(url_for("accounts.provider_settings"))
    return render_template(
        "accounts/provider_settings.html",
        form=ProviderSettingsForm(formdata=None, obj=provider),
        two_factor_form=form,
        zone_names=dates.zone_names(),
        now=utcnow(),
    ), 400
