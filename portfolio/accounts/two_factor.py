"""Two-factor authentication at sign-in: who must give a second factor, and the step between
the first factor (a password, or a sign-in through the provider's identity service) and
being signed in.

After the first factor a person who must give a second is not signed in: the session holds
only whose first factor was right, when, and that account's session token. They are signed
in (Flask-Login's ``login_user``) once they give a code, or set two-factor up if their role
requires it and they have not. And the user loader accepts a session only if it gave every
factor the account needs now (``session_allowed``), so a session from before the provider
required it, or any other way of signing in, reaches no page without the code.
"""

import time

from flask import has_request_context, redirect, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from portfolio.accounts.models import User
from portfolio.db import db

# The session keys: the first factor given and the second awaited; then, once signed in,
# which factors the session gave.
PENDING = "two_factor_pending"
SIGNED_IN = "signed_in_with"
# How long after the first factor the second may be given.
PENDING_SECONDS = 10 * 60


def required_by_role(user: User) -> bool:
    """Whether the provider requires two-factor authentication of the person's role."""
    return user.role in user.provider.two_factor_role_set


def needs_second_factor(user: User, *, via_sso: bool) -> bool:
    """Whether signing in needs this app's second factor: it does for anyone who has set it
    up or whose role requires it, except through SSO, where the identity service's own
    second factor is relied on unless the provider requires this one too."""
    if via_sso and not user.provider.two_factor_for_sso:
        return False
    return user.two_factor_enabled or required_by_role(user)


def after_first_factor(user: User, *, via_sso: bool, next_url: str | None = None) -> Response:
    """What follows a correct first factor: sign the person in and go to ``next_url`` (a
    same-site path the caller has checked; home by default), or, when they must give a
    second factor, go to the page that asks for their code, or that sets two-factor up
    first when their role requires it and they have not.

    Password sign-in, invitations, password resets and SSO sign-in all end here; the caller
    has committed what it recorded. Writes nothing to the database."""
    if current_user.is_authenticated:
        logout_user()  # someone else, or this person's older session, on this browser
    session.pop(SIGNED_IN, None)
    session.pop(PENDING, None)
    next_url = next_url or url_for("home.index")
    if not needs_second_factor(user, via_sso=via_sso):
        complete_sign_in(user, via_sso=via_sso, second_factor=False)
        return redirect(next_url)
    session[PENDING] = {
        "user": user.id,
        "token": user.session_token,
        "at": int(time.time()),
        "sso": via_sso,
        "next": next_url,
    }
    if user.two_factor_enabled:
        return redirect(url_for("two_factor.code"))
    return redirect(url_for("two_factor.set_up_at_sign_in"))


def pending() -> tuple[User, dict] | None:
    """The person whose first factor this session gave, with what was kept of it, while the
    second may still be given: within ten minutes, the account active and its session token
    unchanged (no password change, sign-out everywhere or admin reset since)."""
    state = session.get(PENDING)
    if not isinstance(state, dict) or time.time() - state.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, state.get("user"))
    if user is None or user.session_token != state.get("token") or not user.is_active:
        session.pop(PENDING, None)
        return None
    return user, state


def complete_sign_in(user: User, *, via_sso: bool, second_factor: bool) -> None:
    """Sign the person in, noting which factors this session gave."""
    session.pop(PENDING, None)
    login_user(user)
    session[SIGNED_IN] = {"user": user.id, "sso": via_sso, "second_factor": second_factor}


def note_second_factor(user: User) -> None:
    """The signed-in person just gave a code (setting two-factor up): this session keeps
    working now that the account needs one."""
    state = session.get(SIGNED_IN) or {}
    session[SIGNED_IN] = {"user": user.id, "sso": bool(state.get("sso")), "second_factor": True}


def session_allowed(user: User) -> bool:
    """Whether this session gave every factor ``user`` needs now; the user loader refuses
    it otherwise."""
    if not needs_second_factor(user, via_sso=False):
        return True  # nor through SSO, which needs no more than a password does
    if not has_request_context():
        return False  # no session, so no factor given
    state = session.get(SIGNED_IN)
    if not isinstance(state, dict) or state.get("user") != user.id:
        state = {}
    if not needs_second_factor(user, via_sso=bool(state.get("sso"))):
        return True
    return bool(state.get("second_factor"))


def forget() -> None:
    """Forget this session's sign-in state (at sign-out)."""
    session.pop(SIGNED_IN, None)
    session.pop(PENDING, None)
