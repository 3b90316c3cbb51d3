"""The one access rule: which enrolments each role sees, at both providers, whether asked for
as a list or one at a time; and which sessions still sign someone in."""

from datetime import date, timedelta

import pytest
from werkzeug.exceptions import NotFound

from portfolio.accounts.auth import load_user
from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.enrolments.permissions import (
    enrolment_or_404,
    visible_enrolment_ids,
    visible_enrolments,
)
from tests.factories import make_enrolment


def test_each_role_sees_its_own_caseload_or_its_whole_provider(people):
    assessor, iqa = people[Role.ASSESSOR], people[Role.IQA]
    made = [
        make_enrolment(people[Role.LEARNER], assessor=assessor, iqa=iqa),
        make_enrolment(people["learner2"], body="BIIAB", assessor=people["assessor2"]),
        make_enrolment(people["learner2"], body="VTCT", assessor=assessor),
        make_enrolment(people["other_learner"], body="CG"),
    ]
    db.session.flush()

    def visible(who) -> set[int]:
        ids = set(db.session.scalars(visible_enrolment_ids(people[who])))
        assert {e.id for e in db.session.scalars(visible_enrolments(people[who]))} == ids
        return ids

    assert visible(Role.LEARNER) == {made[0].id}
    assert visible(Role.ASSESSOR) == {made[0].id, made[2].id}
    assert visible(Role.IQA) == {made[0].id}
    assert visible(Role.ADMIN) == visible(Role.EQA) == {m.id for m in made[:3]}
    assert visible("other_admin") == {made[3].id}
    assert visible("learner2") == {made[1].id, made[2].id}


def test_one_enrolment_follows_the_same_rule_and_comes_with_its_unit(people):
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
                    enrolment_or_404(user, enrolment.id)
                continue
            found = enrolment_or_404(user, enrolment.id)
            assert found is db.session.get(Enrolment, enrolment.id), who
            assert found.unit.awarding_body.name and found.criteria_set.version
    assert enrolment_or_404(people[Role.LEARNER], made[0].id).id == made[0].id
    with pytest.raises(NotFound):
        enrolment_or_404(people[Role.LEARNER], made[1].id)


def test_a_session_signs_in_only_with_its_token_while_the_account_is_active(people):
    eqa, learner = people[Role.EQA], people[Role.LEARNER]
    today = date.today()
    eqa.access_expires_on = today  # the last day still works
    db.session.flush()
    for who, user in people.items():
        assert load_user(user.get_id()) is user, who
        assert load_user(f"{user.id}:{user.session_token}x") is None, who
    assert load_user("999999:token") is None

    eqa.access_expires_on = today - timedelta(days=1)
    learner.active = False
    db.session.flush()
    for user in (eqa, learner):
        assert load_user(user.get_id()) is None
    assert load_user(people[Role.ADMIN].get_id()) is people[Role.ADMIN]
