"""In Chromium: an admin adds a webhook for a receiver on loopback, copies its secret, sees
its deliveries (delivered and failed) and sends one again; every page is axe-clean and
fits a phone."""


import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.webhooks import publish
from portfolio.webhooks.models import WebhookSubscription
from tests import factories
from tests.conftest import make_app
from tests.stories import SIDEWAYS, check_accessibility, serving, submit, visit
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.browser

ADMIN = "admin@hooks.example.org"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app with one provider's admin, served on a free port, its loopback allowed, and a
    receiver there."""
    folder = tmp_path_factory.mktemp("webhooks-browser")
    app = make_app("sqlite:///" + str(folder / "hooks.sqlite3"), WTF_CSRF_ENABLED=True,
                   WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"])  # fmt: skip
    with app.app_context():
        provider = factories.make_provider("Northgate College")
        factories.make_user(provider, Role.ADMIN, name="Grace Adeyemi", email=ADMIN)
        db.session.commit()
    with serving(app) as base:
        receiver = Receiver().start()
        try:
            yield app, base, receiver
        finally:
            receiver.stop()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(base_url=site[1])
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        page.close()
        context.close()


def test_an_admin_adds_a_webhook_and_sends_a_delivery_again(page, site):
    app, _base, receiver = site
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(ADMIN)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    submit(page, "Sign in")
    visit(page, "/provider/settings")
    with page.expect_navigation():
        page.get_by_role("link", name="webhooks").click()
    assert page.locator("h1").inner_text() == "Webhooks"
    check_accessibility(page)

    # Plain HTTP to a host not allowed: refused, with the message at the field.
    page.get_by_label("Address").fill("http://mis.example.org/events")
    page.get_by_label("unit.signed_off", exact=False).check()
    assert submit(page, "Add the webhook").status == 400
    assert "must start with https://" in page.locator(".error-summary").inner_text()
    check_accessibility(page)

    page.get_by_label("Address").fill(receiver.url)
    page.get_by_label("evidence.submitted", exact=False).check()
    assert submit(page, "Add the webhook").ok
    secret = page.get_by_label("Signing secret", exact=True).input_value()
    assert secret.startswith("whsec_")
    check_accessibility(page)
    with page.expect_navigation():
        page.get_by_role("link", name=receiver.url).click()
    assert "Nothing has been sent yet" in page.content()
    check_accessibility(page)

    with app.app_context():
        subscription = db.session.scalar(select(WebhookSubscription))
        receiver.answer(500)
        publish(subscription.provider_id, "unit.signed_off", {"sign_off": {"id": 1}})
        db.session.commit()
        publish(subscription.provider_id, "evidence.submitted", {"evidence": {"id": 2}})
        db.session.commit()
        db.session.remove()
    page.reload()
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    assert "Delivered" in rows.nth(0).inner_text()
    assert "The receiver answered 500" in rows.nth(1).inner_text()
    check_accessibility(page)
    page.set_viewport_size({"width": 375, "height": 740})  # a phone
    width = page.evaluate(SIDEWAYS)
    assert width["scrollWidth"] <= width["innerWidth"], width["culprits"]
    page.set_viewport_size({"width": 1280, "height": 800})

    with page.expect_navigation():
        rows.nth(1).get_by_role("button", name="Send again").click()
    assert "is being sent again" in page.locator(".flash").inner_text()
    assert "Delivered" in page.locator("tbody tr").nth(1).inner_text()
    assert len(receiver.received) == 3 and receiver.received[2].signed_with(secret)
    check_accessibility(page)
