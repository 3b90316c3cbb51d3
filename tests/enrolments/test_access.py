"""Who sees what: own things for learners, caseloads for assessors, nothing across providers."""

import pytest

from portfolio.accounts.models import Role
from tests.factories import make_enrolment


@pytest.fixture
def enrolments(people):
    assessor, iqa = people[Role.ASSESSOR], people[Role.IQA]
    return {
        "mine": make_enrolment(people[Role.LEARNER], assessor=assessor, iqa=iqa),
        "theirs": make_enrolment(people["learner2"], body="BIIAB", assessor=people["assessor2"]),
        "other_provider": make_enrolment(people["other_learner"], body="CG"),
    }


def page(client, enrolment):
    return client.get(f"/enrolments/{enrolment.id}")


def test_learner_sees_only_their_own_enrolment(client, auth, people, enrolments):
    auth.sign_in(people[Role.LEARNER])
    assert page(client, enrolments["mine"]).status_code == 200
    assert page(client, enrolments["theirs"]).status_code == 404
    assert page(client, enrolments["other_provider"]).status_code == 404
    home = client.get("/").get_data(as_text=True)
    assert "Deal with incidents through a contact centre" in home
    assert people["learner2"].name not in home


def test_assessor_sees_only_their_caseload(client, auth, people, enrolments):
    auth.sign_in(people[Role.ASSESSOR])
    assert page(client, enrolments["mine"]).status_code == 200
    assert page(client, enrolments["theirs"]).status_code == 404
    assert page(client, enrolments["other_provider"]).status_code == 404
    home = client.get("/").get_data(as_text=True)
    assert people[Role.LEARNER].name in home
    assert people["learner2"].name not in home


def test_iqa_sees_the_learners_they_quality_assure(client, auth, people, enrolments):
    auth.sign_in(people[Role.IQA])
    assert page(client, enrolments["mine"]).status_code == 200
    assert page(client, enrolments["theirs"]).status_code == 404


def test_admin_and_eqa_see_their_whole_provider_and_nothing_else(client, auth, people, enrolments):
    for role in (Role.ADMIN, Role.EQA):
        auth.sign_in(people[role])
        assert page(client, enrolments["mine"]).status_code == 200
        assert page(client, enrolments["theirs"]).status_code == 200
        assert page(client, enrolments["other_provider"]).status_code == 404
        listing = client.get("/enrolments").get_data(as_text=True)
        assert people["learner2"].name in listing
        assert people["other_learner"].name not in listing
        auth.sign_out()


def test_another_providers_person_answers_404_to_an_admin(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    assert client.get(f"/people/{people['other_learner'].id}").status_code == 404
    assert client.get(f"/people/{people[Role.LEARNER].id}").status_code == 200


def test_another_providers_enrolment_cannot_be_edited(client, auth, people, enrolments):
    auth.sign_in(people[Role.ADMIN])
    target = enrolments["other_provider"]
    response = client.post(
        f"/enrolments/{target.id}/edit",
        data={"starts_on": "2026-09-01", "planned_end_on": "2027-09-01", "cohort_id": "",
              "assessor_id": "", "iqa_id": ""},
    )  # fmt: skip
    assert response.status_code == 404


@pytest.mark.parametrize("url", ["/people", "/people/new", "/cohorts", "/enrolments/new"])
@pytest.mark.parametrize("role", [Role.LEARNER, Role.ASSESSOR, Role.IQA, Role.EQA])
def test_admin_pages_are_refused_to_other_roles(client, auth, people, url, role):
    auth.sign_in(people[role])
    assert client.get(url).status_code == 403
    if url != "/people":
        assert client.post(url, data={}).status_code == 403


def test_eqa_can_read_but_not_change(client, auth, people, enrolments):
    auth.sign_in(people[Role.EQA])
    assert client.get("/enrolments").status_code == 200
    assert client.get(f"/enrolments/{enrolments['mine'].id}/edit").status_code == 403


@pytest.mark.parametrize("url", ["/", "/criteria", "/people", "/enrolments/1", "/cohorts"])
def test_signed_out_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/sign-in" in response.location
