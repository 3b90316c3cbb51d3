"""Sign-in throttling by account and by network address, and which address counts."""

from sqlalchemy import select

from portfolio.accounts.models import Role, SignInFailure
from portfolio.db import db
from tests import factories
from tests.conftest import make_app

OFFICE = {"REMOTE_ADDR": "203.0.113.9"}  # one address: a guesser, or a proxy shared by many


def sign_in(client, email, password=factories.PASSWORD, **request):
    return client.post(
        "/sign-in", data={"email": email, "password": password}, environ_base=OFFICE, **request
    )


def fail_from_the_office(app, client, times: int) -> None:
    for n in range(times):
        assert sign_in(client, f"guess{n}@example.org", "wrong-guess-x").status_code == 401


def test_many_failures_from_one_address_do_not_lock_out_an_account_that_has_not_failed(
    app, client, people
):
    fail_from_the_office(app, client, 10 * app.config["SIGNIN_MAX_FAILURES"] + 5)
    assert sign_in(client, people[Role.LEARNER].email).status_code == 302


def test_past_the_address_limit_an_account_that_failed_gets_no_more_guesses_from_it(
    app, client, people
):
    learner = people[Role.LEARNER]
    fail_from_the_office(app, client, 10 * app.config["SIGNIN_MAX_FAILURES"])
    assert sign_in(client, learner.email, "wrong-guess-y").status_code == 401
    refused = sign_in(client, learner.email)
    assert refused.status_code == 429
    assert "Too many failed sign-in attempts" in refused.get_data(as_text=True)
    # From elsewhere the account keeps the per-account allowance.
    assert (
        client.post(
            "/sign-in", data={"email": learner.email, "password": factories.PASSWORD}
        ).status_code
        == 302
    )


def test_a_forwarded_address_from_a_client_is_not_believed(app, client, people):
    for n in range(3):
        forged = {"X-Forwarded-For": f"198.51.100.{n}"}
        sign_in(client, people[Role.LEARNER].email, "wrong-guess-x", headers=forged)
    keys = set(db.session.scalars(select(SignInFailure.key)))
    assert "addr:203.0.113.9" in keys
    assert not any(key.startswith("addr:198.51.100.") for key in keys)


def test_behind_one_trusted_proxy_the_forwarded_address_is_the_one_throttled(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'proxy.sqlite3'}", PROXY_COUNT=1)
    client = app.test_client()
    with app.app_context():
        for n in range(3):
            client.post(
                "/sign-in",
                data={"email": "nobody@example.org", "password": "wrong-guess-x"},
                # The proxy's own address; the client's, as the proxy appended it, comes last.
                environ_base={"REMOTE_ADDR": "10.0.0.2"},
                headers={"X-Forwarded-For": f"192.0.2.1, 198.51.100.{n}"},
            )
        keys = set(db.session.scalars(select(SignInFailure.key)))
        db.engine.dispose()
    assert {"addr:198.51.100.0", "addr:198.51.100.1", "addr:198.51.100.2"} <= keys
    assert "addr:10.0.0.2" not in keys and "addr:192.0.2.1" not in keys
