"""Sign-in and sign-out, the user's own password, and the provider admin's people pages."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import case, func, select

from portfolio import dates, listing
from portfolio.accounts import auth, invitations, people, providers, tokens, two_factor
from portfolio.accounts.access import get_in_provider_or_404, provider_scoped, roles_required
from portfolio.accounts.forms import (
    ChangePasswordForm,
    EditPersonForm,
    PersonForm,
    ProviderSettingsForm,
    SignInForm,
)
from portfolio.accounts.models import Role, User
from portfolio.accounts.two_factor_forms import TwoFactorPolicyForm
from portfolio.apprenticeships.operations import check_line_manager_change
from portfolio.dates import format_date, local_today
from portfolio.db import db, utcnow
from portfolio.enrolments.operations import check_staff_change
from portfolio.errors import DomainError
from portfolio.forms import EmptyForm, attach_error, form_status

bp = Blueprint("accounts", __name__)

SIGN_IN_REFUSED = "The email address or password is not right, or the account is not active."


def _safe_next(target: str | None) -> str:
    """Only same-site paths may be followed after sign-in."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("home.index")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = auth.authenticate(form.email.data, form.password.data, request.remote_addr)
        except auth.Throttled as throttled:
            form.form_errors.append(
                f"Too many failed sign-in attempts. Wait {throttled.minutes} minutes and try again."
            )
            return render_template("accounts/sign_in.html", form=form), 429
        except auth.AccessEnded as ended:
            db.session.commit()  # the refusal stays recorded
            form.form_errors.append(
                f"Your read-only access ended on {format_date(ended.ended_on)}. Ask the "
                "training provider to extend it if you still need it."
            )
            return render_template("accounts/sign_in.html", form=form), 403
        db.session.commit()
        if user is not None:
            # Signed in now, or once they give their second factor.
            return two_factor.after_first_factor(
                user, via_sso=False, next_url=_safe_next(request.args.get("next"))
            )
        form.form_errors.append(SIGN_IN_REFUSED)
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("accounts/sign_in.html", form=form), status


@bp.post("/sign-out")
def sign_out():
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("home.index")), 303
    if current_user.is_authenticated:
        auth.sign_out(current_user._get_current_object(), request.remote_addr)
        db.session.commit()
    logout_user()
    two_factor.forget()
    flash("You have signed out on this and every other device.", "info")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            people.change_own_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            # The token changed: sign in again on this device, out everywhere else.
            login_user(current_user._get_current_object())
            flash("Your password has been changed. Other devices have been signed out.", "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/change_password.html", form=form), form_status(form)


@bp.route("/provider/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def provider_settings():
    provider = current_user.provider
    form = ProviderSettingsForm(obj=provider)
    if form.validate_on_submit():
        try:
            providers.change_time_zone(current_user, form.time_zone.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Times are now shown in {provider.time_zone}.", "success")
            return redirect(url_for("accounts.provider_settings"))
    two_factor_form = TwoFactorPolicyForm.for_provider(provider)
    return render_template(
        "accounts/provider_settings.html", form=form, two_factor_form=two_factor_form,
        zone_names=dates.zone_names(), now=utcnow(),
    ), form_status(form)  # fmt: skip


@bp.get("/people")
@roles_required(Role.ADMIN)
def people_list():
    """The provider's people, by role and name, fifty a page; filtered by role or to those
    who have not accepted their invitation, and searched by name or email."""
    role_filter = request.args.get("role")
    if role_filter not in {r.value for r in Role}:
        role_filter = None
    invited_only = request.args.get("status") == "invited"
    search = listing.search_text()
    query = provider_scoped(User)
    if role_filter:
        query = query.where(User.role == Role(role_filter))
    if invited_only:
        query = query.where(User.password_hash.is_(None))
    if search:
        query = query.where(listing.matching(search, User.name, User.email))
    paging = listing.paginate(query.order_by(User.role, User.name, User.id))
    users = paging.items
    rows = db.session.execute(
        select(User.role, func.count(), func.count(case((User.password_hash.is_(None), 1))))
        .where(User.provider_id == current_user.provider_id)
        .group_by(User.role)
    ).all()
    counts = {role: count for role, count, _ in rows}
    # Only a page with someone who has not chosen a password yet reads their invitations.
    waiting = [user.id for user in users if user.password_hash is None]
    return render_template(
        "accounts/people.html",
        users=users,
        counts=counts,
        not_accepted=sum(row[2] for row in rows),
        invitations=tokens.pending_invitations(waiting),
        now=utcnow(),
        roles=list(Role),
        role_filter=role_filter,
        invited_only=invited_only,
        search=search,
        paging=paging,
    )


@bp.route("/people/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def person_new():
    form = PersonForm()
    if request.method == "GET" and request.args.get("role") in {r.value for r in Role}:
        form.role.data = request.args["role"]
    lookalikes = []
    if form.validate_on_submit():
        lookalikes = people.lookalikes(current_user.provider_id, form.name.data, form.email.data)
        same_name = [p for p in lookalikes if p.email != form.email.data.strip().lower()]
        if same_name and not form.same_name_confirmed.data:
            # Nothing is saved until the admin says this is someone else.
            form.form_errors.append(
                f"Your provider already has {'someone' if len(same_name) == 1 else 'people'} "
                f"called {form.name.data.strip()}. If this is a different person, tick the box to "
                "say so."
            )
            return render_template("accounts/person_new.html", form=form, lookalikes=lookalikes,
                                   confirm=True), 409  # fmt: skip
        try:
            user = people.create_person(
                current_user.provider,
                name=form.name.data,
                email=form.email.data,
                role=Role(form.role.data),
                access_expires_on=form.access_expires_on.data,
                actor=current_user,
            )
            invitations.invite(user, by=current_user)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            invited = (f"Account created for {user.name} ({user.role.label}); an invitation to "
                       f"choose their password has been emailed to {user.email}.")  # fmt: skip
            if user.role is Role.LEARNER:
                flash(f"{invited} Enrol them on a unit now, or later from Enrolments.", "success")
                return redirect(url_for("enrolments.enrolment_new", learner=user.id))
            flash(invited, "success")
            return redirect(url_for("accounts.people_list"))
    confirm = form.same_name_confirmed.data
    return render_template("accounts/person_new.html", form=form, lookalikes=lookalikes,
                           confirm=confirm), form_status(form)  # fmt: skip


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def person_edit(user_id: int):
    user = get_in_provider_or_404(User, user_id)
    form = EditPersonForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.role.data = user.role.value
    if form.validate_on_submit():
        try:
            check_staff_change(user, Role(form.role.data), form.active.data)
            check_line_manager_change(user, Role(form.role.data), form.active.data)
            people.update_person(
                current_user,
                user,
                name=form.name.data,
                role=Role(form.role.data),
                active=form.active.data,
                access_expires_on=form.access_expires_on.data,
                new_assessor=form.new_assessor.data,
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            ended = ""
            if user.role is Role.EQA and user.access_expired(local_today(user.provider.time_zone)):
                ended = (f" Their EQA access ended on {format_date(user.access_expires_on)}: they "
                         "cannot sign in until it is given a later date.")  # fmt: skip
            flash(f"Saved the changes to {user.name}'s account.{ended}", "success")
            return redirect(url_for("accounts.people_list"))
    invitation = tokens.pending_invitations([user.id]).get(user.id)
    return render_template(
        "accounts/person_edit.html", form=form, person=user, invitation=invitation, now=utcnow()
    ), form_status(form)
