"""Writing through the API: learners and enrolments created or brought up to date by MIS id,
idempotently and audited; cohorts created; read-only tokens refused."""

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import Role, User
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.enrolments.models import Cohort, Enrolment
from tests.api.conftest import make_token

ULN = "1000000019"


def events(provider_id: int) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.provider_id == provider_id).order_by(AuditEvent.seq)
    ).all()


def new_events(provider_id: int, since: int) -> list[AuditEvent]:
    return [e for e in events(provider_id) if e.seq > since]


def last_seq(provider_id: int) -> int:
    return db.session.scalar(
        select(func.coalesce(func.max(AuditEvent.seq), 0)).where(
            AuditEvent.provider_id == provider_id
        )
    )


@pytest.fixture
def writer(api, world):
    return api.as_token(world["mine"]["secret"])


LEARNER = {"name": "Aaliyah Brown", "email": "aaliyah.brown@example.org", "uln": ULN}


def test_putting_a_new_learner_creates_them_once_and_invites_them(writer, world):
    provider_id = world["mine"]["admin"].provider_id
    before = last_seq(provider_id)
    created = writer.put("/people/A0001", json=LEARNER)
    assert created.status_code == 201
    assert created.headers["Location"] == "/api/v1/people/A0001"
    body = created.get_json()
    assert body["mis_id"] == "A0001" and body["uln"] == ULN and body["role"] == "learner"
    learner = db.session.get(User, body["id"])
    assert learner.provider_id == provider_id and learner.password_hash is None
    actions = [e.action for e in new_events(provider_id, before)]
    assert actions == ["account.created", "account.invitation_sent"]
    created_event = new_events(provider_id, before)[0]
    assert created_event.actor_id == world["mine"]["admin"].id
    assert "the API (token “MIS sync”)" in created_event.summary

    again_before = last_seq(provider_id)
    again = writer.put("/people/A0001", json=LEARNER)
    assert again.status_code == 200 and again.get_json() == body
    assert new_events(provider_id, again_before) == []
    assert db.session.scalar(select(func.count()).where(User.mis_id == "A0001")) == 1


def test_a_change_is_recorded_once_and_sending_it_again_records_nothing(writer, world):
    learner = world["mine"]["learner"]
    provider_id = learner.provider_id
    values = {"name": "Renamed Learner", "email": learner.email, "uln": learner.uln}
    before = last_seq(provider_id)
    changed = writer.put(f"/people/{learner.mis_id}", json=values)
    assert changed.status_code == 200 and changed.get_json()["name"] == "Renamed Learner"
    (event,) = new_events(provider_id, before)
    assert event.action == "account.changed"
    assert event.before["name"] != "Renamed Learner" and event.after["name"] == "Renamed Learner"
    after_change = last_seq(provider_id)
    assert writer.put(f"/people/{learner.mis_id}", json=values).get_json() == changed.get_json()
    assert new_events(provider_id, after_change) == []


def test_a_learner_added_by_hand_is_given_the_mis_id_by_their_email(writer, world, people):
    learner = people["learner2"]
    response = writer.put("/people/B0002", json={"name": learner.name, "email": learner.email})
    assert response.status_code == 200
    assert response.get_json()["id"] == learner.id
    assert db.session.get(User, learner.id).mis_id == "B0002"


def test_bad_values_are_refused_naming_each_field_and_nothing_is_saved(writer, world):
    response = writer.put(
        "/people/C0003",
        json={"name": "", "email": "not an address", "uln": "1234567890", "phone": "0"},
    )
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["type"] == "urn:portfolio:problem:validation"
    assert {e["field"] for e in problem["errors"]} == {"name", "email", "uln", "phone"}
    assert db.session.scalar(select(User).where(User.mis_id == "C0003")) is None


def test_a_name_with_a_line_break_is_refused_naming_it(writer, world):
    response = writer.put("/people/C0005", json={"name": "A\nB", "email": "ab@example.org"})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "name"
    assert "one line of text" in response.get_json()["errors"][0]["message"]


def test_a_value_of_the_wrong_type_is_refused_naming_it(writer, world):
    response = writer.put("/people/C0004", json={"name": ["A"], "email": "a@example.org"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"field": "name", "message": "name must be a string."}]


def test_an_email_address_of_another_providers_account_is_refused(writer, world):
    taken = world["theirs"]["learner"].email
    response = writer.put("/people/D0005", json={"name": "Someone", "email": taken})
    assert response.status_code == 422
    assert response.get_json()["detail"] == f"The email address {taken} is already in use."
    assert response.get_json()["errors"][0]["field"] == "email"


def test_a_body_that_is_not_json_is_refused(writer, world):
    cohorts = db.session.scalar(select(func.count(Cohort.id)))
    response = writer.put("/people/E0006", data="name=A", content_type="text/plain")
    assert response.status_code == 415
    listed = writer.put("/people/E0006", json=["not", "an", "object"])
    assert listed.status_code == 400
    assert listed.get_json()["detail"] == "The body is not a JSON object."
    deep = writer.post("/cohorts", data='{"name": ' + "[" * 5000 + "]" * 5000 + "}",
                       content_type="application/json")  # fmt: skip
    assert deep.status_code == 400 and "nested too deeply" in deep.get_json()["detail"]
    # Half of a surrogate pair decodes from JSON, but to no character: refused, naming it.
    half = writer.post("/cohorts", data='{"name": "Evening \\ud800 intake"}',
                       content_type="application/json")  # fmt: skip
    assert half.status_code == 422 and half.get_json()["errors"][0]["field"] == "name"
    # A field given twice: JSON parsers keep either copy, so neither is guessed at.
    twice = writer.post("/cohorts", data='{"name": "Evening intake", "name": "Day intake"}',
                        content_type="application/json")  # fmt: skip
    assert twice.status_code == 422
    assert twice.get_json()["errors"] == [
        {"field": "name", "message": "This field is in the body more than once: send it once."}
    ]
    assert db.session.scalar(select(func.count(Cohort.id))) == cohorts


def test_a_read_only_token_cannot_write(api, world):
    reader = api.as_token(world["mine"]["read_secret"])
    response = reader.put("/people/F0007", json=LEARNER)
    assert response.status_code == 403
    assert response.get_json()["type"] == "urn:portfolio:problem:forbidden"
    assert reader.post("/cohorts", json={"name": "Read only"}).status_code == 403
    assert db.session.scalar(select(User).where(User.mis_id == "F0007")) is None
    assert reader.get("/people").status_code == 200


ENROLMENT = {"starts_on": "2026-09-07", "planned_end_on": "2027-09-03", "cohort": "Sept 2026"}


def test_putting_an_enrolment_enrols_the_learner_once(writer, world, people):
    learner = world["mine"]["learner"]
    provider_id = learner.provider_id
    url = f"/people/{learner.mis_id}/enrolments/SFJ/SFJ-INCIDENTS"
    body = {**ENROLMENT, "assessor_email": people[Role.ASSESSOR].email}
    before = last_seq(provider_id)
    created = writer.put(url, json=body)
    assert created.status_code == 201, created.get_json()
    enrolment = created.get_json()
    assert enrolment["awarding_body"] == "SFJ" and enrolment["unit"]["code"] == "SFJ-INCIDENTS"
    assert enrolment["cohort"]["name"] == "Sept 2026"
    assert enrolment["assessor"]["id"] == people[Role.ASSESSOR].id
    assert created.headers["Location"] == f"/api/v1/enrolments/{enrolment['id']}"
    assert [e.action for e in new_events(provider_id, before)] == ["enrolment.created"]

    unchanged = last_seq(provider_id)
    again = writer.put(url, json=body)
    assert again.status_code == 200, again.get_json()
    assert again.get_json() == enrolment
    assert new_events(provider_id, unchanged) == []

    moved = writer.put(url, json={**body, "planned_end_on": "2027-12-17"})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["planned_end_on"] == "2027-12-17"
    assert [e.action for e in new_events(provider_id, unchanged)] == ["enrolment.changed"]
    count = select(func.count()).select_from(Enrolment).where(Enrolment.learner_id == learner.id)
    assert db.session.scalar(count) == 2  # the world's Pearson enrolment, and this one


def test_an_enrolment_for_an_unknown_learner_or_unit_is_refused(writer, world):
    assert (
        writer.put("/people/NOBODY/enrolments/SFJ/SFJ-INCIDENTS", json=ENROLMENT).status_code == 404
    )
    their = world["theirs"]["learner"].mis_id
    assert (
        writer.put(f"/people/{their}/enrolments/SFJ/SFJ-INCIDENTS", json=ENROLMENT).status_code
        == 404
    )
    mine = world["mine"]["learner"].mis_id
    response = writer.put(f"/people/{mine}/enrolments/SFJ/NO-SUCH-UNIT", json=ENROLMENT)
    assert response.status_code == 422
    assert "has no unit “NO-SUCH-UNIT”" in response.get_json()["detail"]
    assert response.get_json()["errors"][0]["field"] == "unit_code"


def test_enrolment_dates_are_checked_naming_the_field(writer, world):
    url = f"/people/{world['mine']['learner'].mis_id}/enrolments/SFJ/SFJ-INCIDENTS"
    response = writer.put(url, json={"starts_on": "07/09/2026", "planned_end_on": "2026-01-01"})
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["starts_on"]
    backwards = writer.put(url, json={"starts_on": "2026-09-07", "planned_end_on": "2026-01-01"})
    assert backwards.status_code == 422
    assert backwards.get_json()["errors"][0]["field"] == "planned_end_on"


def test_an_assessor_of_another_provider_is_not_found_or_named(writer, world):
    url = f"/people/{world['mine']['learner'].mis_id}/enrolments/SFJ/SFJ-INCIDENTS"
    other = world["theirs"]["assessor"]
    response = writer.put(url, json={**ENROLMENT, "assessor_email": other.email})
    assert response.status_code == 422
    assert other.name not in response.get_data(as_text=True)
    assert response.get_json()["errors"][0]["field"] == "assessor_email"


def test_a_cohort_is_created_and_audited_naming_the_token(writer, world):
    provider_id = world["mine"]["admin"].provider_id
    before = last_seq(provider_id)
    response = writer.post("/cohorts", json={"name": "Jan 2027", "starts_on": "2027-01-11"})
    assert response.status_code == 201
    cohort = response.get_json()
    assert cohort["name"] == "Jan 2027" and cohort["starts_on"] == "2027-01-11"
    assert cohort["enrolments"] == 0 and cohort["ends_on"] is None
    (event,) = new_events(provider_id, before)
    assert event.action == "cohort.created" and "token “MIS sync”" in event.summary
    twice = writer.post("/cohorts", json={"name": "Jan 2027"})
    assert twice.status_code == 422 and twice.get_json()["errors"][0]["field"] == "name"
    count = select(func.count()).select_from(Cohort).where(Cohort.name == "Jan 2027")
    assert db.session.scalar(count) == 1


def test_a_cohort_ending_before_it_starts_is_refused(writer, world):
    response = writer.post(
        "/cohorts", json={"name": "Backwards", "starts_on": "2027-01-11", "ends_on": "2026-01-11"}
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "ends_on"


def test_writes_of_one_provider_never_touch_anothers(api, world):
    theirs = world["theirs"]
    mis_id = theirs["learner"].mis_id
    # The same MIS id at another provider is another learner: a new one is created here.
    response = api.as_token(world["mine"]["secret"]).put(f"/people/{mis_id}", json=LEARNER)
    assert response.status_code == 201
    assert response.get_json()["id"] != theirs["learner"].id
    assert db.session.get(User, theirs["learner"].id).name == theirs["learner"].name


def test_a_token_made_for_one_provider_writes_as_its_admin(api, world, people):
    token_secret = make_token(people[Role.ADMIN], name="Second system")
    db.session.commit()
    response = api.as_token(token_secret).put("/people/G0008", json=LEARNER)
    assert response.status_code == 201
    event = events(people[Role.ADMIN].provider_id)[-2]
    assert event.action == "account.created" and "“Second system”" in event.summary
