"""In Chromium, through a real OpenID Connect provider on loopback: an admin sets up single
sign-on; a learner signs in with their organisation's account and lands on their home page;
a wrong email domain, an unverified address, a deactivated account, a changed answer and a
replayed one are refused, signing nobody in. Every page of ours is axe-clean."""

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest

from portfolio.accounts.models import Role
from portfolio.db import db
from tests import factories
from tests.conftest import make_app
from tests.oidc import provider as oidc
from tests.stories import check_accessibility, serving, submit, visit

pytestmark = pytest.mark.browser

DOMAIN = "northgate.example.org"


@dataclass
class Site:
    base: str
    idp: oidc.IdentityProvider
    provider_id: int


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app with one provider and its people, served on a free port, and an identity
    provider that knows it as a client."""
    folder = tmp_path_factory.mktemp("sso-browser")
    app = make_app("sqlite:///" + str(folder / "sso.sqlite3"), WTF_CSRF_ENABLED=True)
    with app.app_context():
        provider = factories.make_provider("Northgate College")
        factories.make_user(provider, Role.ADMIN, name="Grace Adeyemi", email=f"admin@{DOMAIN}")
        factories.make_user(provider, Role.LEARNER, name="Aisha Khan", email=f"learner@{DOMAIN}")
        factories.make_user(provider, Role.LEARNER, name="Unverified", email=f"unverified@{DOMAIN}")
        left = factories.make_user(provider, Role.LEARNER, name="Left", email=f"left@{DOMAIN}")
        left.active = False
        provider_id = provider.id
        db.session.commit()
    with serving(app) as base:
        idp = oidc.start([base + "/sso/callback"])
        try:
            yield Site(base, idp, provider_id)
        finally:
            idp.stop()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(base_url=site.base)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        page.close()
        context.close()


@pytest.fixture(scope="module")
def configured(browser, site):
    """The admin sets single sign-on up on its page, with the identity provider's details."""
    context = browser.new_context(base_url=site.base)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/sign-in")
        page.get_by_label("Email address", exact=True).fill(f"admin@{DOMAIN}")
        page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
        assert submit(page, "Sign in").ok
        assert urlsplit(page.url).path != "/sign-in", page.locator("main").inner_text()
        visit(page, "/provider/settings")
        assert page.locator("h1").inner_text() == "Provider settings", page.url
        page.get_by_role("link", name="single sign-on").click()
        assert page.locator("h1").inner_text() == "Single sign-on"
        assert f"{site.base}/sso/callback" in page.locator("main").inner_text()
        check_accessibility(page)
        page.get_by_label("Single sign-on is on").check()
        page.get_by_label("Name on the button", exact=True).fill("Northgate College")
        page.get_by_label("Issuer", exact=True).fill(site.idp.issuer)
        page.get_by_label("Client ID", exact=True).fill(site.idp.client_id)
        page.get_by_label("Client secret", exact=True).fill(site.idp.client_secret)
        page.get_by_label("Email domains", exact=True).fill(DOMAIN)
        assert submit(page, "Save single sign-on").ok
        assert "Single sign-on with Northgate College is on" in page.locator("main").inner_text()
        assert site.idp.client_secret not in page.content()
        check_accessibility(page)
    finally:
        page.close()
        context.close()


def sign_in_at_provider(page, login: str | None = None):
    """On the identity provider's own sign-in form (its login pre-filled from the email
    address given, or typed), sign in; return the app's response to the provider's answer."""
    page.wait_for_selector("input[name=login]")
    if login is not None:
        page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any password")
    with page.expect_response(lambda response: "/sso/callback" in response.url) as answer:
        page.click("button[type=submit]")
    page.wait_for_load_state()
    return answer.value


def test_a_learner_signs_in_with_their_organisations_account(page, site, configured):
    page.goto("/sign-in")
    with page.expect_navigation():
        page.get_by_role("link", name="Sign in with your organisation's account").click()
    check_accessibility(page)
    page.get_by_label("Email address", exact=True).fill(f"learner@{DOMAIN}")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    check_accessibility(page)
    page.get_by_role("link", name="Sign in with Northgate College").click()
    response = sign_in_at_provider(page)
    assert response.status == 302
    page.wait_for_url(f"{site.base}/")
    assert "Aisha Khan" in page.locator(".who").inner_text()
    check_accessibility(page)


@pytest.mark.parametrize(
    "login, message",
    [
        ("someone@elsewhere.example", "Accounts at elsewhere.example cannot sign in here"),
        ("unverified", "has not verified your email address"),
        (f"left@{DOMAIN}", "Your account here is not active"),
    ],
)
def test_people_the_rules_refuse_are_told_why_and_not_signed_in(
    page, site, configured, login, message
):
    page.goto(f"/sso/{site.provider_id}")  # the start address a provider's intranet links to
    response = sign_in_at_provider(page, login)
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Sign-in refused"
    assert message in page.locator("main").inner_text()
    check_accessibility(page)
    page.goto("/")
    assert urlsplit(page.url).path == "/sign-in"


def is_answer(url: str) -> bool:
    return urlsplit(url).path == "/sso/callback"


def captured_answer(page, site, login: str) -> str:
    """Sign in at the provider, but keep its answer from reaching the app: return it.

    The answer is a redirect, which the browser follows without asking a route, so the
    provider's sign-in form is sent and its redirects followed with the page's cookies here."""
    answers = []

    def hold(route):
        response = route.fetch(max_redirects=0)
        location = urljoin(route.request.url, response.headers["location"])
        while not is_answer(location):
            response = page.context.request.get(location, max_redirects=0)
            location = urljoin(location, response.headers["location"])
        answers.append(location)
        route.fulfill(status=200, content_type="text/plain", body="held")

    page.goto(f"/sso/{site.provider_id}")
    page.wait_for_selector("input[name=login]")
    page.route(lambda url: url.startswith(site.idp.issuer + "/interaction/"), hold)
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any password")
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.unroute_all()
    assert answers, "the identity provider did not answer"
    return answers[0]


def test_a_changed_answer_is_refused_and_signs_nobody_in(page, site, configured):
    answer = captured_answer(page, site, f"learner@{DOMAIN}")
    parts = urlsplit(answer)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    changed = f"{parts.path}?{urlencode({**query, 'code': query['code'][::-1]})}"
    response = page.goto(changed)
    assert response.status == 400
    assert "refused this sign-in answer" in page.locator("main").inner_text()
    check_accessibility(page)
    # The real answer after it: the sign-in it belonged to has ended.
    assert page.goto(answer).status == 400
    page.goto("/")
    assert urlsplit(page.url).path == "/sign-in"


def test_a_replayed_answer_is_refused_and_signs_nobody_in(page, browser, site, configured):
    answer = captured_answer(page, site, f"learner@{DOMAIN}")
    assert page.goto(answer).status == 200  # followed to the home page
    assert urlsplit(page.url).path == "/"
    # The same answer in another browser, which has started a sign-in of its own.
    other = browser.new_context(base_url=site.base)
    try:
        replay = other.new_page()
        replay.route(is_answer, lambda route: route.abort())
        replay.goto(f"/sso/{site.provider_id}")
        replay.wait_for_selector("input[name=login]")
        replay.unroute(is_answer)
        response = replay.goto(answer)
        assert response.status == 400
        assert (
            "does not match the one this browser asked for" in replay.locator("main").inner_text()
        )
        check_accessibility(replay)
        replay.goto("/")
        assert urlsplit(replay.url).path == "/sign-in"
    finally:
        other.close()
