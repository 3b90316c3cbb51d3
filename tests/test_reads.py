"""Reads: independent read-only statements run together (in one round trip on PostgreSQL)
give the same rows, in the same types, as SQLAlchemy running each one."""

from datetime import date

import pytest
from sqlalchemy import (
    String,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)

from portfolio.accounts.models import Role, User
from portfolio.db import Reads, db
from tests.factories import make_provider, make_user
from tests.statements import counting


@pytest.fixture
def staff(app):
    provider = make_provider()
    people = [make_user(provider, role) for role in (Role.ASSESSOR, Role.IQA, Role.LEARNER)]
    return provider, people


def _people(provider_id):
    return (
        select(User.id, User.name, User.role, User.active, User.created_at,
               User.last_signed_in_at, User.access_expires_on, literal("person"))
        .where(User.provider_id == bindparam("provider"), User.role != Role.EQA)
        .order_by(User.id)
    ), {"provider": provider_id}  # fmt: skip


def _names(provider_id):
    # aggregate_strings writes its separator into the SQL as the statement runs.
    return select(func.aggregate_strings(cast(User.id, String), "|")).where(
        User.provider_id == bindparam("provider")
    ), {"provider": provider_id}


def test_rows_come_back_as_sqlalchemy_gives_them(staff):
    provider, people = staff
    people[1].access_expires_on = date(2027, 1, 31)
    db.session.flush()
    expected = [tuple(row) for row in db.session.execute(*_people(provider.id)).all()]
    reads = Reads()
    rows = reads.add(*_people(provider.id))
    assert rows() == expected
    assert [row[0] for row in expected] == [p.id for p in people]
    first = rows()[0]
    assert first[2] is Role.ASSESSOR and first[3] is True
    assert first[4].tzinfo is not None and first[4] == people[0].created_at  # aware UTC
    assert first[5] is None and first[7] == "person"
    assert type(rows()[1][6]) is date and rows()[1][6] == date(2027, 1, 31)  # SQLite: from text


def test_statements_run_together_and_once(staff):
    provider, people = staff
    reads = Reads()
    listed = reads.add(*_people(provider.id))
    joined = reads.add(*_names(provider.id))
    none = reads.add(*_people(-1))
    with counting(db.engine) as statements:
        assert sorted(joined()[0][0].split("|")) == sorted(str(p.id) for p in people)
        assert len(listed()) == 3 and none() == []
    assert len(statements) == 3  # every statement is seen by SQLAlchemy's listeners, once


def test_a_read_added_after_a_run_runs_when_asked_for(staff):
    provider, people = staff
    reads = Reads()
    first = reads.add(*_people(provider.id))
    assert len(first()) == 3
    later = reads.add(*_names(provider.id))
    with counting(db.engine) as statements:
        assert len(later()[0][0].split("|")) == 3
        assert len(first()) == 3
    assert len(statements) == 1


def test_the_same_read_added_twice_before_it_runs_is_sent_once(staff):
    provider, people = staff
    statement, parameters = _people(provider.id)
    reads = Reads()
    first = reads.add(statement, parameters)
    again = reads.add(statement, dict(parameters))
    other = reads.add(statement, {"provider": -1})
    with counting(db.engine) as statements:
        assert first() == again() and [row[0] for row in first()] == [p.id for p in people]
        assert other() == []
    assert len(statements) == 2


def test_the_same_read_added_after_it_ran_runs_again_and_sees_changes(staff):
    provider, people = staff
    statement, parameters = _people(provider.id)
    reads = Reads()
    assert len(reads.add(statement, parameters)()) == 3
    make_user(provider, Role.ADMIN)
    with counting(db.engine) as statements:
        assert len(reads.add(statement, parameters)()) == 4
    assert len(statements) == 1


def test_reads_whose_parameters_cannot_be_compared_are_each_sent(staff):
    provider, _ = staff
    statement, parameters = _people(provider.id)
    parameters = {**parameters, "unused": ["a list"]}  # no key to know the two reads by
    reads = Reads()
    first, second = reads.add(statement, parameters), reads.add(statement, parameters)
    with counting(db.engine) as statements:
        assert first() == second() and len(first()) == 3
    assert len(statements) == 2


def test_changes_not_yet_flushed_are_seen(staff):
    provider, _ = staff
    make_user(provider, Role.EQA, access_expires_on=date(2099, 1, 1))
    newcomer = User(provider_id=provider.id, email="new@example.org", name="Newcomer",
                    role=Role.ADMIN, password_hash="x")  # fmt: skip
    db.session.add(newcomer)
    rows = Reads().add(*_people(provider.id))
    assert [row[1] for row in rows()][-1] == "Newcomer"


def test_a_value_written_into_the_sql_cannot_come_with_each_request(app):
    roles = bindparam("roles", expanding=True)
    statement = select(User.id).where(User.role.in_(roles))
    with pytest.raises(ValueError, match="written into the SQL"):
        Reads().add(statement, {"roles": [Role.ADMIN]})


def test_parameters_go_to_the_database_as_their_types_send_them(staff):
    provider, people = staff
    from datetime import timedelta

    from sqlalchemy import Date

    people[0].access_expires_on = date(2030, 6, 1)
    db.session.flush()
    if db.engine.dialect.name == "postgresql":
        # A server away from UTC: an aware time sent as it is would be read in its zone.
        db.session.execute(text("SET LOCAL TIME ZONE 'Asia/Tokyo'"))
    created = people[1].created_at  # aware UTC, stored as naive UTC
    statement = (
        select(User.id)
        .where(User.provider_id == bindparam("provider"),
               or_(User.created_at == bindparam("created"),
                   User.access_expires_on > bindparam("day", type_=Date),
                   User.role == bindparam("role")))
        .order_by(User.id)
    )  # fmt: skip
    for shift, role in ((timedelta(0), Role.LEARNER), (timedelta(seconds=1), Role.EQA)):
        parameters = {"provider": provider.id, "created": created + shift,
                      "day": date(2030, 5, 31), "role": role}  # fmt: skip
        expected = [tuple(r) for r in db.session.execute(statement, parameters).all()]
        assert Reads().add(statement, parameters)() == expected
    assert expected == [(people[0].id,)]  # only the date matches once the time is off


def test_a_parameter_used_twice_and_a_percent_sign_in_the_sql(staff):
    provider, people = staff
    people[0].name = "Ada 100% Lovelace"
    db.session.flush()
    statement = (
        select(User.id, literal_column("'50%'", String), User.name.like(literal_column("'%Lovelace'")))
        .where(User.provider_id == bindparam("provider"),
               or_(User.id == bindparam("person"), User.id == bindparam("person") + 0))
    )  # fmt: skip
    parameters = {"provider": provider.id, "person": people[0].id}
    expected = [tuple(r) for r in db.session.execute(statement, parameters).all()]
    assert expected == [(people[0].id, "50%", True)]
    assert Reads().add(statement, parameters)() == expected
    assert Reads().add(statement, {**parameters, "person": people[1].id})() == [
        (people[1].id, "50%", False)
    ]
