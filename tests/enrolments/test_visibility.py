"""The access rules written once in Python and once as a single SQL condition give the same
answers, for every role, at both providers, and for accounts that may no longer sign in."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased
from werkzeug.exceptions import NotFound

from portfolio.accounts.auth import load_user, signed_in_as
from portfolio.accounts.models import Role, User
from portfolio.db import db
from portfolio.enrolments.caseload import (
    visible_enrolment_ids,
    visible_enrolment_view,
    visible_to_viewer,
)
from portfolio.enrolments.models import Enrolment
from tests.factories import make_enrolment


def visible_in_sql(user: User) -> set[int]:
    viewer = aliased(User)
    return set(
        db.session.scalars(
            select(Enrolment.id)
            .join(viewer, viewer.id == user.id)
            .where(visible_to_viewer(viewer))
        )
    )


def test_sql_rule_sees_exactly_what_the_python_rule_sees(people):
    assessor, iqa = people[Role.ASSESSOR], people[Role.IQA]
    made = [
        make_enrolment(people[Role.LEARNER], assessor=assessor, iqa=iqa),
        make_enrolment(people["learner2"], body="BIIAB", assessor=people["assessor2"]),
        make_enrolment(people["learner2"], body="VTCT", assessor=assessor),
        make_enrolment(people["other_learner"], body="CG"),
    ]
    db.session.flush()
    for who, user in people.items():
        python = set(db.session.scalars(visible_enrolment_ids(user)))
        assert visible_in_sql(user) == python, who
    # The rules do tell people apart: not everyone sees everything.
    assert visible_in_sql(people[Role.LEARNER]) == {made[0].id}
    assert visible_in_sql(people[Role.ASSESSOR]) == {made[0].id, made[2].id}
    assert visible_in_sql(people[Role.IQA]) == {made[0].id}
    assert visible_in_sql(people[Role.ADMIN]) == {m.id for m in made[:3]}
    assert visible_in_sql(people["other_admin"]) == {made[3].id}


def test_the_enrolment_view_follows_the_same_rule_and_names_the_unit(people):
    made = [
        make_enrolment(people[Role.LEARNER], assessor=people[Role.ASSESSOR], iqa=people[Role.IQA]),
        make_enrolment(people["learner2"], body="BIIAB", assessor=people["assessor2"]),
        make_enrolment(people["other_learner"], body="CG"),
    ]
    db.session.flush()
    for who, user in people.items():
        visible = set(db.session.scalars(visible_enrolment_ids(user)))
        for enrolment in made:
            if enrolment.id not in visible:
                with pytest.raises(NotFound):
                    visible_enrolment_view(user, enrolment.id)()
                continue
            view = visible_enrolment_view(user, enrolment.id)()
            assert (view.id, view.learner_id, view.assessor_id, view.iqa_id) == (
                enrolment.id, enrolment.learner_id, enrolment.assessor_id, enrolment.iqa_id
            ), who
            assert view.learner_name == enrolment.learner.name
            assert view.unit_title == enrolment.unit.title
            assert view.awarding_body_name == enrolment.unit.awarding_body.name
            assert view.qualification_title == enrolment.qualification.title
            assert view.criteria_version == enrolment.criteria_set.version
            assert view.evidence_requirements == enrolment.criteria_set.evidence_requirements
            assert view.locked is False
    assert visible_enrolment_view(people[Role.LEARNER], made[0].id)().id == made[0].id
    with pytest.raises(NotFound):
        visible_enrolment_view(people[Role.LEARNER], made[1].id)()


def signed_in_in_sql(user_id: int, token: str, today: date) -> bool:
    viewer = aliased(User)
    found = db.session.scalar(select(viewer.id).where(signed_in_as(viewer, user_id, token, today)))
    return found is not None


def test_sql_sign_in_check_agrees_with_the_user_loader(people):
    eqa = people[Role.EQA]
    today = date.today()
    cases = []
    for who, user in people.items():
        cases.append((who, user.id, user.session_token))
        cases.append((f"{who} with another token", user.id, user.session_token + "x"))
    cases.append(("nobody", 999_999, "token"))
    eqa.access_expires_on = today  # the last day still works
    db.session.flush()
    for label, user_id, token in cases:
        assert signed_in_in_sql(user_id, token, today) == (
            load_user(f"{user_id}:{token}") is not None
        ), label

    eqa.access_expires_on = today - timedelta(days=1)
    learner = people[Role.LEARNER]
    learner.active = False
    db.session.flush()
    for user in (eqa, learner):
        assert load_user(user.get_id()) is None
        assert not signed_in_in_sql(user.id, user.session_token, today)
    assert signed_in_in_sql(people[Role.ADMIN].id, people[Role.ADMIN].session_token, today)
