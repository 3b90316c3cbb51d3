"""Two-factor authentication: a code after the password, set up at sign-in when the role
requires it or from Account security, recovery codes, throttling, an admin's reset, the
provider's policy, and the step an SSO sign-in ends in."""

import re
import time
from datetime import UTC, datetime

import pyotp
import pytest
from flask import session
from flask_login import current_user
from sqlalchemy import func, select

from portfolio.accounts import one_time_codes, two_factor
from portfolio.accounts.models import Role
from portfolio.accounts.one_time_codes import RecoveryCode
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from tests import factories

ADMIN_PAGES = ["/people", "/people/new", "/provider/settings", "/", "/account/security"]


def setup_code(secret: str) -> str:
    """A code that sets the secret up: the one of the step before now, which is accepted, so
    that the next two steps' codes are left for the test, however the clock turns."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(datetime.now(UTC)) - 1)


def turn_on(user) -> list[str]:
    """Set up two-factor authentication for ``user`` as the setup page does; its codes."""
    secret = one_time_codes.new_secret()
    codes = one_time_codes.set_up(user, secret, setup_code(secret), None)
    db.session.flush()
    return codes


def next_code(user) -> str:
    """The authenticator's code of the step after the last one accepted (within the window)."""
    db.session.refresh(user)
    return pyotp.TOTP(user.totp_secret).generate_otp(user.totp_last_step + 1)


def wrong_code(user) -> str:
    """A six-digit code that is none of the ones the account would accept now."""
    db.session.refresh(user)
    totp = pyotp.TOTP(user.totp_secret)
    step = user.totp_last_step
    near = {totp.generate_otp(s) for s in range(step - 2, step + 4)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def password(client, user, path="/sign-in"):
    return client.post(path, data={"email": user.email, "password": factories.PASSWORD})


def give_code(client, code):
    return client.post("/sign-in/code", data={"code": code})


def actions(user) -> list[str]:
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "user",
                                        AuditEvent.object_id == user.id).order_by(AuditEvent.seq)
    ))  # fmt: skip


def refused_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.location.startswith("/sign-in")


@pytest.fixture
def enforced(app):
    """A provider that requires two-factor authentication of admins, as a new one does; its
    admin has set it up."""
    provider = factories.make_provider(two_factor_roles=[Role.ADMIN])
    admin = factories.make_user(provider, Role.ADMIN)
    return provider, admin, turn_on(admin)


def test_a_new_provider_requires_two_factor_of_its_admins(app):
    from portfolio.accounts.models import Provider

    provider = Provider(name="Brand new college")
    db.session.add(provider)
    db.session.flush()
    assert provider.two_factor_role_set == {Role.ADMIN}
    assert not provider.two_factor_for_sso


def test_an_enforced_admin_reaches_no_admin_page_with_only_their_password(app, client, enforced):
    provider, admin, _codes = enforced
    other = factories.make_user(provider, Role.LEARNER)
    response = password(client, admin, "/sign-in?next=/people")
    assert response.status_code == 302
    assert response.location == "/sign-in/code"
    # Straight after the password, every page still asks to sign in.
    for url in [*ADMIN_PAGES, f"/people/{other.id}", "/enrolments", "/dashboard"]:
        assert refused_to_sign_in(client.get(url)), url
    changed = client.post("/provider/settings", data={"time_zone": "Europe/Paris"})
    assert refused_to_sign_in(changed)
    reset = client.post(f"/people/{other.id}/two-factor/reset")
    assert refused_to_sign_in(reset)
    db.session.refresh(provider)
    assert provider.time_zone == "Europe/London"
    assert "sign_in.second_factor" not in actions(admin)

    page = client.get("/sign-in/code")
    assert page.status_code == 200
    assert "Enter your code" in page.get_data(as_text=True)
    signed_in = give_code(client, next_code(admin))
    assert signed_in.status_code == 302
    assert signed_in.location == "/people"
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 200, url
    assert actions(admin)[-2:] == ["sign_in.succeeded", "sign_in.second_factor"]


def test_a_used_code_is_refused_and_so_is_an_earlier_one(app, client, enforced):
    _provider, admin, _codes = enforced
    password(client, admin)
    code = next_code(admin)
    assert give_code(client, code).status_code == 302
    client.post("/sign-out")

    password(client, admin)
    again = give_code(client, code)
    assert again.status_code == 401
    assert "That code is not right" in again.get_data(as_text=True)
    earlier = pyotp.TOTP(admin.totp_secret).generate_otp(admin.totp_last_step - 1)
    assert give_code(client, earlier).status_code == 401
    assert refused_to_sign_in(client.get("/people"))
    assert actions(admin).count("two_factor.failed") == 2


def test_wrong_codes_are_throttled_like_passwords_and_a_new_password_does_not_reset_them(
    app, client, enforced
):
    _provider, admin, _codes = enforced
    limit = app.config["SIGNIN_MAX_FAILURES"]
    password(client, admin)
    for _ in range(limit):
        assert give_code(client, wrong_code(admin)).status_code == 401
    throttled = give_code(client, next_code(admin))
    assert throttled.status_code == 429
    assert "Too many wrong codes" in throttled.get_data(as_text=True)
    # Giving the password again does not give more guesses.
    password(client, admin)
    assert give_code(client, next_code(admin)).status_code == 429
    assert refused_to_sign_in(client.get("/people"))
    assert actions(admin).count("two_factor.failed") == limit


def test_a_recovery_code_signs_in_once(app, client, enforced):
    _provider, admin, codes = enforced
    code = codes[3]
    assert re.fullmatch(r"[0-9a-z]{4}(-[0-9a-z]{4}){3}", code)
    password(client, admin)
    # Typed with spaces and in capitals, it is the same code.
    signed_in = give_code(client, code.upper().replace("-", " "))
    assert signed_in.status_code == 302
    assert client.get("/people").status_code == 200
    assert one_time_codes.remaining_recovery_codes(admin) == 9
    assert "two_factor.recovery_code_used" in actions(admin)
    client.post("/sign-out")

    password(client, admin)
    assert give_code(client, code).status_code == 401
    assert refused_to_sign_in(client.get("/people"))


def test_recovery_codes_are_kept_only_as_hashes(app, enforced):
    _provider, admin, codes = enforced
    stored = set(db.session.scalars(select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == admin.id)))  # fmt: skip
    assert len(stored) == 10
    plain = {code.replace("-", "") for code in codes}
    assert not stored & plain
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in stored)


def test_a_role_that_requires_two_factor_sets_it_up_before_any_page(app, client):
    provider = factories.make_provider(two_factor_roles=[Role.ADMIN, Role.ASSESSOR])
    assessor = factories.make_user(provider, Role.ASSESSOR)
    response = password(client, assessor)
    assert response.location == "/sign-in/two-factor-setup"
    for url in ["/", "/caseload", "/account/security", "/account/security/two-factor"]:
        assert refused_to_sign_in(client.get(url)), url
    assert client.get("/sign-in/code").location == "/sign-in/two-factor-setup"

    page = client.get("/sign-in/two-factor-setup").get_data(as_text=True)
    assert f"{provider.name} requires two-factor authentication" in page
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'id="setup-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    wrong = client.post("/sign-in/two-factor-setup", data={"code": "12345"})
    assert wrong.status_code == 400
    assert refused_to_sign_in(client.get("/"))

    done = client.post("/sign-in/two-factor-setup", data={"code": setup_code(secret)})
    assert done.status_code == 200
    shown = re.findall(r"<code>([0-9a-z-]{19})</code>", done.get_data(as_text=True))
    assert len(set(shown)) == 10
    assert client.get("/").status_code == 200
    db.session.refresh(assessor)
    assert assessor.totp_secret == secret
    assert "two_factor.set_up" in actions(assessor)
    # Next time, a code.
    client.post("/sign-out")
    assert password(client, assessor).location == "/sign-in/code"


def test_a_session_from_before_the_provider_required_two_factor_ends(app, client, enforced):
    provider, admin, _codes = enforced
    learner = factories.make_user(provider, Role.LEARNER)
    learner_client = app.test_client()
    assert password(learner_client, learner).location == "/"
    assert learner_client.get("/").status_code == 200

    password(client, admin)
    give_code(client, next_code(admin))
    saved = client.post("/provider/settings/two-factor", data={
        "two-factor-require_admin": "y", "two-factor-require_learner": "y"})  # fmt: skip
    assert saved.status_code == 302
    db.session.refresh(provider)
    assert provider.two_factor_role_set == {Role.ADMIN, Role.LEARNER}
    assert "provider.two_factor_policy" in list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.provider_id == provider.id))
    )
    assert refused_to_sign_in(learner_client.get("/"))
    assert password(learner_client, learner).location == "/sign-in/two-factor-setup"
    # The admin's own session gave its code, and carries on.
    assert client.get("/provider/settings").status_code == 200


def test_an_admin_cannot_require_it_of_admins_before_setting_up_their_own(
    app, client, auth, provider
):
    admin = factories.make_user(provider, Role.ADMIN)
    auth.sign_in(admin)
    page = client.get("/provider/settings").get_data(as_text=True)
    assert "Roles that must use it" in page
    refused = client.post("/provider/settings/two-factor", data={"two-factor-require_admin": "y"})
    assert refused.status_code == 400
    assert "Set up two-factor authentication for your own account first" in refused.get_data(
        as_text=True
    )
    db.session.refresh(provider)
    assert provider.two_factor_role_set == frozenset()


def test_an_admin_reset_is_audited_signs_them_out_and_makes_them_set_up_again(
    app, client, enforced
):
    provider, admin, _codes = enforced
    assessor = factories.make_user(provider, Role.ASSESSOR)
    turn_on(assessor)
    assessor_client = app.test_client()
    password(assessor_client, assessor)
    assert give_code(assessor_client, next_code(assessor)).status_code == 302
    assert assessor_client.get("/").status_code == 200

    password(client, admin)
    give_code(client, next_code(admin))
    page = client.get(f"/people/{assessor.id}").get_data(as_text=True)
    assert "Reset two-factor authentication" in page
    reset = client.post(f"/people/{assessor.id}/two-factor/reset")
    assert reset.location == f"/people/{assessor.id}"
    db.session.refresh(assessor)
    assert not assessor.two_factor_enabled
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == assessor.id)) == 0  # fmt: skip
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "two_factor.reset"))
    assert event.actor_id == admin.id and event.object_id == assessor.id

    assert refused_to_sign_in(assessor_client.get("/"))
    # Their role does not require it: they sign in with their password, and may set it up.
    assert password(assessor_client, assessor).location == "/"

    provider.two_factor_roles = "admin,assessor"
    turn_on(assessor)
    client.post(f"/people/{assessor.id}/two-factor/reset")
    assessor_client.post("/sign-out")
    assert password(assessor_client, assessor).location == "/sign-in/two-factor-setup"


def test_only_an_admin_of_the_persons_provider_resets_it(app, client, auth, enforced, people):
    provider, _admin, _codes = enforced
    learner = factories.make_user(provider, Role.LEARNER)
    turn_on(learner)
    auth.sign_in(people[Role.ADMIN])  # another provider's admin
    assert client.post(f"/people/{learner.id}/two-factor/reset").status_code == 404
    client.post("/sign-out")
    auth.sign_in(people[Role.ASSESSOR])
    assert client.post(f"/people/{learner.id}/two-factor/reset").status_code == 403
    db.session.refresh(learner)
    assert learner.two_factor_enabled


def test_anyone_sets_it_up_from_account_security_makes_new_codes_and_turns_it_off(
    app, client, auth, provider
):
    learner = factories.make_user(provider, Role.LEARNER)
    elsewhere = app.test_client()
    password(elsewhere, learner)
    auth.sign_in(learner)
    assert "Off: signing in asks only for your password" in client.get(
        "/account/security"
    ).get_data(as_text=True)
    page = client.get("/account/security/two-factor").get_data(as_text=True)
    secret = re.search(r'id="setup-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    # The same secret until it is confirmed.
    assert secret in client.get("/account/security/two-factor").get_data(as_text=True).replace(
        " ", ""
    )
    done = client.post("/account/security/two-factor", data={"code": setup_code(secret)})
    codes = re.findall(r"<code>([0-9a-z-]{19})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    # This session carries on; the one signed in elsewhere with only the password ends.
    assert "You have 10 of 10 recovery codes left" in client.get("/account/security").get_data(
        as_text=True
    )
    assert refused_to_sign_in(elsewhere.get("/"))

    wrong = client.post("/account/security/recovery-codes",
                        data={"new-codes-code": wrong_code(learner)})  # fmt: skip
    assert wrong.status_code == 400
    assert actions(learner).count("two_factor.failed") == 1
    fresh = client.post("/account/security/recovery-codes",
                        data={"new-codes-code": next_code(learner)})  # fmt: skip
    new_codes = re.findall(r"<code>([0-9a-z-]{19})</code>", fresh.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    assert not one_time_codes.use_recovery_code(learner, codes[0])

    off = client.post("/account/security/two-factor/off", data={"off-code": next_code(learner)})
    assert off.status_code == 302
    db.session.refresh(learner)
    assert not learner.two_factor_enabled
    assert actions(learner)[-4:] == [
        "two_factor.set_up", "two_factor.failed", "two_factor.recovery_codes_regenerated",
        "two_factor.turned_off",
    ]  # fmt: skip
    client.post("/sign-out")
    assert password(client, learner).location == "/"


def test_it_cannot_be_turned_off_when_the_role_requires_it(app, client, enforced):
    _provider, admin, _codes = enforced
    password(client, admin)
    give_code(client, next_code(admin))
    page = client.get("/account/security").get_data(as_text=True)
    assert "so it stays on" in page
    refused = client.post("/account/security/two-factor/off", data={"off-code": next_code(admin)})
    assert refused.status_code == 400
    assert "so it cannot be turned off" in refused.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.two_factor_enabled


def test_the_code_step_lasts_ten_minutes(app, client, enforced):
    _provider, admin, _codes = enforced
    password(client, admin)
    with client.session_transaction() as state:
        pending = state[two_factor.PENDING]
        state[two_factor.PENDING] = {
            **pending,
            "at": int(time.time()) - two_factor.PENDING_SECONDS - 1,
        }
    expired = give_code(client, next_code(admin))
    assert refused_to_sign_in(expired)
    assert refused_to_sign_in(client.get("/people"))


def test_a_password_reset_or_invitation_still_asks_for_the_second_factor(app, client, enforced):
    from portfolio.accounts import tokens
    from portfolio.accounts.tokens import TokenPurpose

    provider, admin, _codes = enforced
    _row, token = tokens.issue(admin, TokenPurpose.PASSWORD_RESET)
    reset = client.post(f"/password/reset/{token}", data={"password": "a-new-pass-phrase-7"})
    assert reset.location == "/sign-in/code"
    assert refused_to_sign_in(client.get("/people"))

    newcomer = factories.make_user(provider, Role.ADMIN, password=None)
    _row, token = tokens.issue(newcomer, TokenPurpose.INVITATION)
    accepted = client.post(f"/invitation/{token}", data={"password": "another-pass-phrase-8"})
    assert accepted.location == "/sign-in/two-factor-setup"
    assert refused_to_sign_in(client.get("/people"))


def test_after_an_sso_sign_in_the_identity_services_second_factor_is_relied_on_unless_asked(
    app, enforced
):
    provider, admin, _codes = enforced
    with app.test_request_context():
        response = two_factor.after_first_factor(admin, via_sso=True, next_url="/people")
        assert response.location == "/people"
        assert current_user.id == admin.id
        assert two_factor.session_allowed(admin)
        # The provider starts asking for this app's code after SSO too: the session ends.
        provider.two_factor_for_sso = True
        assert not two_factor.session_allowed(admin)

    with app.test_request_context():
        response = two_factor.after_first_factor(admin, via_sso=True, next_url="/people")
        assert response.location == "/sign-in/code"
        assert not current_user.is_authenticated
        assert session[two_factor.PENDING]["sso"] is True

    learner = factories.make_user(provider, Role.LEARNER)
    with app.test_request_context():
        assert two_factor.after_first_factor(learner, via_sso=True).location == "/"
        assert current_user.id == learner.id
    with app.test_request_context():
        # A role that must use it, without it set up: set it up first.
        response = two_factor.after_first_factor(admin_without_it(provider), via_sso=True)
        assert response.location == "/sign-in/two-factor-setup"


def admin_without_it(provider):
    return factories.make_user(provider, Role.ADMIN)


def test_a_code_through_the_sso_step_signs_in_and_the_session_stays(app, client, enforced):
    provider, admin, _codes = enforced
    provider.two_factor_for_sso = True
    db.session.flush()
    with client.session_transaction() as state:
        state[two_factor.PENDING] = {"user": admin.id, "token": admin.session_token,
                                     "at": int(time.time()), "sso": True, "next": "/people"}  # fmt: skip
    assert refused_to_sign_in(client.get("/people"))
    assert give_code(client, next_code(admin)).location == "/people"
    assert client.get("/people").status_code == 200
    with client.session_transaction() as state:
        assert state[two_factor.SIGNED_IN] == {"user": admin.id, "sso": True, "second_factor": True}
