"""Forgot your password: ask for a link by email, then choose a new password from it."""

from flask import Blueprint, flash, render_template, request

from portfolio.accounts import password_reset, two_factor
from portfolio.accounts.auth import Throttled
from portfolio.accounts.forms import ChoosePasswordForm, ForgotPasswordForm
from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.forms import attach_error, form_status

bp = Blueprint("password_reset", __name__)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    """Ask for a reset link. The answer is the same whether or not the address has an
    account, so the page tells no one who has one."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.request_reset(form.email.data, request.remote_addr)
        except Throttled as throttled:
            db.session.rollback()
            form.form_errors.append(
                f"Too many password reset requests. Wait {throttled.minutes} minutes and try again."
            )
            return render_template("accounts/forgot_password.html", form=form), 429
        db.session.commit()
        return render_template("accounts/forgot_password_sent.html", email=form.email.data.strip())
    return render_template("accounts/forgot_password.html", form=form), form_status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def choose(token: str):
    """Choose a new password from a reset link; every other session ends, this one is signed
    in."""
    reset = password_reset.find(token)
    if reset is None:
        return render_template(
            "accounts/link_expired.html", title="This password reset link does not work",
            message=password_reset.EXPIRED_OR_USED, ask_again=True,
        ), 404  # fmt: skip
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            user = password_reset.reset_password(token, form.password.data, request.remote_addr)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            # Signed in now, or once they give their second factor.
            response = two_factor.after_first_factor(user, via_sso=False)
            flash("Your password has been changed and every other device has been signed out.",
                  "success")  # fmt: skip
            return response
    return render_template(
        "accounts/reset_password.html", form=form, person=reset.user
    ), form_status(form)
