"""Invitations: the invited person chooses their password; the admin resends or revokes."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portfolio.accounts import invitations, two_factor
from portfolio.accounts.access import get_in_provider_or_404, roles_required
from portfolio.accounts.forms import ChoosePasswordForm
from portfolio.accounts.models import Role, User
from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.forms import EmptyForm, attach_error, form_status

bp = Blueprint("invitations", __name__)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept(token: str):
    """Choose a password from an invitation link, then go home signed in."""
    invitation = invitations.find(token)
    if invitation is None:
        return render_template(
            "accounts/link_expired.html", title="This invitation link does not work",
            message=invitations.EXPIRED_OR_USED,
        ), 404  # fmt: skip
    person = invitation.user
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            user = invitations.accept(token, form.password.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            # Signed in now (anyone else signed in on this browser is signed out), or once
            # they set up two-factor authentication, when their role requires it.
            response = two_factor.after_first_factor(user, via_sso=False)
            flash(f"Welcome, {user.name}. Your password is set.", "success")
            return response
    return render_template(
        "accounts/accept_invitation.html",
        form=form,
        person=person,
        invitation=invitation,
        time_zone=person.provider.time_zone,
    ), form_status(form)


@bp.post("/people/<int:user_id>/invitation")
@roles_required(Role.ADMIN)
def send(user_id: int):
    """Send an invitation, or a new one in place of the last."""
    user = get_in_provider_or_404(User, user_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            invitations.invite(user, by=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"A new invitation has been emailed to {user.name} at {user.email}. "
                  "Any earlier link no longer works.", "success")  # fmt: skip
    return redirect(_back(user))


@bp.post("/people/<int:user_id>/invitation/revoke")
@roles_required(Role.ADMIN)
def revoke(user_id: int):
    user = get_in_provider_or_404(User, user_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            invitations.revoke(user, by=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"{user.name}'s invitation link no longer works. Send a new invitation when "
                  "they should have access.", "success")  # fmt: skip
    return redirect(_back(user))


def _back(user: User) -> str:
    """Back to the people list or the person's page, whichever the button was on."""
    if request.form.get("from") == "person":
        return url_for("accounts.person_edit", user_id=user.id)
    return url_for("accounts.people_list", status="invited")
