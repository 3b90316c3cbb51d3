"""Reading through the API: each resource as the provider's own systems see it, and never
another provider's."""

import pytest

from portfolio.db import db


def _ids(rows):
    return [row["id"] for row in rows]


def test_people_come_with_their_mis_id_and_uln(api, world):
    mine = world["mine"]
    client = api.as_token(mine["secret"])
    learner = mine["learner"]
    rows = client.walk("/people")
    assert learner.id in _ids(rows)
    assert world["theirs"]["learner"].id not in _ids(rows)
    found = client.get(f"/people/{learner.mis_id}").get_json()
    assert found == {
        "id": learner.id, "mis_id": learner.mis_id, "uln": "9276308686", "name": learner.name,
        "email": learner.email, "role": "learner", "active": True,
        "created_at": learner.created_at.isoformat(),
    }  # fmt: skip
    learners = client.walk("/people?role=learner")
    assert {row["role"] for row in learners} == {"learner"}


def test_cohorts_count_their_enrolments(api, world):
    mine = world["mine"]
    client = api.as_token(mine["secret"])
    rows = client.walk("/cohorts")
    assert _ids(rows) == [mine["cohort"].id]
    cohort = client.get(f"/cohorts/{mine['cohort'].id}").get_json()
    assert cohort["name"] == mine["cohort"].name and cohort["enrolments"] == 1


def test_an_enrolment_names_its_learner_unit_cohort_and_assessor(api, world):
    mine = world["mine"]
    client = api.as_token(mine["secret"])
    enrolment = mine["enrolment"]
    shown = client.get(f"/enrolments/{enrolment.id}").get_json()
    assert shown["learner"]["mis_id"] == mine["learner"].mis_id
    assert shown["awarding_body"] == "PEARSON" and shown["unit"]["code"] == enrolment.unit.code
    assert shown["cohort"] == {"id": mine["cohort"].id, "name": mine["cohort"].name}
    assert shown["assessor"]["id"] == mine["assessor"].id and shown["iqa"] is None
    assert shown["starts_on"] == "2026-09-01" and shown["locked"] is False
    assert _ids(client.walk("/enrolments")) == [enrolment.id]
    assert _ids(client.walk(f"/enrolments?cohort_id={mine['cohort'].id}")) == [enrolment.id]
    assert client.walk(f"/enrolments?learner_id={mine['assessor'].id}") == []


def test_progress_gives_criteria_met_evidence_counts_and_status(api, world):
    mine = world["mine"]
    client = api.as_token(mine["secret"])
    enrolment = mine["enrolment"]
    progress = client.get(f"/enrolments/{enrolment.id}/progress").get_json()
    assert progress["enrolment_id"] == enrolment.id
    assert progress["criteria"]["met"] == 0 and progress["criteria"]["claimed"] == 1
    assert progress["criteria"]["total"] > 1
    assert progress["evidence"]["items"] == 1 and progress["evidence"]["awaiting_marking"] == 1
    assert progress["status"] == "in_progress"
    assert progress["rag"] in ("red", "amber", "green")
    assert client.walk("/progress") == [progress]


def test_evidence_is_metadata_without_its_content(api, world):
    mine = world["mine"]
    client = api.as_token(mine["secret"])
    item = mine["item"]
    shown = client.get(f"/evidence/{item.id}").get_json()
    assert shown["kind"] == "star_account" and shown["status"] == "submitted"
    assert shown["title"] == item.title and shown["versions"] == 1 and shown["files"] == 0
    assert shown["criteria_claimed"] == ["1.1"]
    assert "content" not in shown and "situation" not in str(shown).lower()
    assert _ids(client.walk(f"/evidence?enrolment_id={mine['enrolment'].id}")) == [item.id]


def test_a_unit_not_signed_off_has_no_sign_offs(api, world):
    client = api.as_token(world["mine"]["secret"])
    assert client.walk("/sign-offs") == []


@pytest.mark.parametrize(
    "path",
    [
        "/people/{learner.mis_id}",
        "/cohorts/{cohort.id}",
        "/enrolments/{enrolment.id}",
        "/enrolments/{enrolment.id}/progress",
        "/evidence/{item.id}",
    ],
)
def test_another_providers_object_is_not_found(api, world, path):
    theirs = world["theirs"]
    url = path.format(**theirs)
    assert api.as_token(theirs["secret"]).get(url).status_code == 200
    response = api.as_token(world["mine"]["secret"]).get(url)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"] == "urn:portfolio:problem:not-found"


@pytest.mark.parametrize(
    "path",
    [
        "/enrolments?cohort_id={cohort.id}",
        "/enrolments?learner_id={learner.id}",
        "/evidence?enrolment_id={enrolment.id}",
        "/sign-offs?enrolment_id={enrolment.id}",
        "/progress?cohort_id={cohort.id}",
    ],
)
def test_filtering_by_another_providers_id_finds_nothing(api, world, path):
    response = api.as_token(world["mine"]["secret"]).get(path.format(**world["theirs"]))
    assert response.status_code == 200 and response.get_json()["data"] == []


def test_a_filter_that_is_not_an_id_is_refused_naming_it(api, world):
    response = api.as_token(world["mine"]["secret"]).get("/enrolments?cohort_id=first")
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"field": "cohort_id", "message": "cohort_id must be a whole number, an id."}
    ]


def test_a_learners_staff_are_people_without_an_mis_id(api, world):
    client = api.as_token(world["mine"]["secret"])
    assessor = next(r for r in client.walk("/people") if r["id"] == world["mine"]["assessor"].id)
    assert assessor["mis_id"] is None and assessor["role"] == "assessor"
    assert client.get("/people/nobody").status_code == 404
    db.session.rollback()
