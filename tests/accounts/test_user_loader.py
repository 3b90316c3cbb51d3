"""The user loader builds the signed-in user from its row: the same object, with the same
values, that the ORM would load, and one that changes and relationships work on."""

from datetime import date

import pytest

from portfolio.accounts.auth import load_user
from portfolio.accounts.models import Role, User
from portfolio.db import db


def _values(user: User) -> dict:
    return {a.key: getattr(user, a.key) for a in User.__mapper__.column_attrs}


def test_the_loaded_user_is_as_the_orm_loads_it(people):
    eqa = people[Role.EQA]
    eqa.access_expires_on = date(2099, 1, 31)
    db.session.commit()
    user_id, token = eqa.id, eqa.session_token
    db.session.expunge_all()
    orm_loaded = _values(db.session.get(User, user_id))
    db.session.expunge_all()

    user = load_user(f"{user_id}:{token}")

    assert user is not None and user is not eqa
    assert _values(user) == orm_loaded
    assert user.role is Role.EQA and type(user.access_expires_on) is date
    assert user.created_at.tzinfo is not None
    assert user.provider.id == eqa.provider_id  # a relationship loads as on any user
    assert db.session.get(User, user_id) is user  # the session's one copy of that row
    assert load_user(f"{user_id}:{token}") is user


def test_a_change_to_the_loaded_user_is_saved(people):
    learner = people[Role.LEARNER]
    db.session.commit()
    user_id, token = learner.id, learner.session_token
    db.session.expunge_all()

    user = load_user(f"{user_id}:{token}")
    user.name = "Renamed Learner"
    db.session.commit()
    db.session.expunge_all()

    assert db.session.get(User, user_id).name == "Renamed Learner"


def test_an_unknown_id_or_a_stale_token_loads_nobody(people):
    learner = people[Role.LEARNER]
    db.session.commit()
    user_id, token = learner.id, learner.session_token
    db.session.expunge_all()
    assert load_user(f"{user_id}:{token}x") is None
    assert load_user("999999:token") is None
    assert load_user("not-a-number:token") is None


@pytest.mark.parametrize("ident", ["²", "٣", "-1", "9" * 30, ""])
def test_a_session_naming_a_user_id_that_is_not_one_signs_no_one_in(people, ident):
    learner = people[Role.LEARNER]
    db.session.commit()
    assert load_user(f"{ident}:{learner.session_token}") is None
