"""The provider admin's webhooks pages: add one (its secret shown once), see its recent
deliveries and send one again, make a new secret, turn it off or on, remove it."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portfolio.accounts.access import get_in_provider_or_404, roles_required
from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.forms import EmptyForm, attach_error, form_status
from portfolio.webhooks import delivery, subscriptions
from portfolio.webhooks.forms import SubscriptionForm
from portfolio.webhooks.models import EVENTS, WebhookDelivery, WebhookSubscription

bp = Blueprint("webhooks", __name__)


@bp.route("/webhooks", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index():
    form = SubscriptionForm()
    secret, made = None, None
    if form.validate_on_submit():
        try:
            made, secret = subscriptions.create_subscription(
                current_user, form.url.data, form.events.data
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            form = SubscriptionForm(formdata=None)
    # The secret is in this answer only (and the page is not cached).
    return render_template(
        "webhooks/index.html", form=form, secret=secret, made=made,
        subscriptions=subscriptions.provider_subscriptions(current_user.provider_id),
        allowed_hosts=sorted(subscriptions.allowed_hosts()),
    ), (200 if secret else form_status(form))  # fmt: skip


@bp.get("/webhooks/<int:subscription_id>")
@roles_required(Role.ADMIN)
def subscription_page(subscription_id: int):
    return _subscription_page(get_in_provider_or_404(WebhookSubscription, subscription_id))


def _subscription_page(subscription: WebhookSubscription, secret: str | None = None):
    return render_template(
        "webhooks/subscription.html", subscription=subscription, events=EVENTS, secret=secret,
        deliveries=subscriptions.recent_deliveries(subscription), button=EmptyForm(),
    )  # fmt: skip


def _posted() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400, "The form had expired: go back, reload the page and try again.")


@bp.post("/webhooks/<int:subscription_id>/secret")
@roles_required(Role.ADMIN)
def new_secret(subscription_id: int):
    subscription = get_in_provider_or_404(WebhookSubscription, subscription_id)
    _posted()
    secret = subscriptions.new_secret(current_user, subscription)
    db.session.commit()
    return _subscription_page(subscription, secret=secret)


@bp.post("/webhooks/<int:subscription_id>/on")
@roles_required(Role.ADMIN)
def turn_on(subscription_id: int):
    return _set_active(subscription_id, True, "The webhook is on: events are sent to it again.")


@bp.post("/webhooks/<int:subscription_id>/off")
@roles_required(Role.ADMIN)
def turn_off(subscription_id: int):
    return _set_active(subscription_id, False, "The webhook is off: nothing more is sent to it.")


def _set_active(subscription_id: int, active: bool, done: str):
    subscription = get_in_provider_or_404(WebhookSubscription, subscription_id)
    _posted()
    try:
        subscriptions.set_active(current_user, subscription, active)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("webhooks.subscription_page", subscription_id=subscription.id))


@bp.post("/webhooks/<int:subscription_id>/remove")
@roles_required(Role.ADMIN)
def remove(subscription_id: int):
    subscription = get_in_provider_or_404(WebhookSubscription, subscription_id)
    _posted()
    url = subscription.url
    subscriptions.remove(current_user, subscription)
    db.session.commit()
    flash(f"The webhook {url} is removed: nothing more is sent to it.", "success")
    return redirect(url_for("webhooks.index"))


@bp.post("/webhooks/deliveries/<int:delivery_id>/send-again")
@roles_required(Role.ADMIN)
def send_again(delivery_id: int):
    record = get_in_provider_or_404(WebhookDelivery, delivery_id)
    _posted()
    try:
        delivery.send_again(current_user, record)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"The {record.event_type} event is being sent again.", "success")
    return redirect(url_for("webhooks.subscription_page", subscription_id=record.subscription_id))
