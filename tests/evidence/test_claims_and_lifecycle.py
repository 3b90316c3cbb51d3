"""Claims against criteria, submission, read-only after submission, versions and the portfolio."""

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.evidence.models import CriterionClaim, EvidenceItem, EvidenceStatus
from tests.evidence.helpers import CALL_NOTE, INCIDENT
from tests.factories import criteria_of, unit_by_code


def make_log(client, enrolment, **changes):
    client.post(
        f"/enrolments/{enrolment.id}/evidence/new/incident_log", data={**INCIDENT, **changes}
    )
    return db.session.scalars(select(EvidenceItem).order_by(EvidenceItem.id.desc())).first()


def claim(client, item, criteria, note="In the timeline"):
    data = {"criterion": [str(c.id) for c in criteria]}
    data.update({f"note_{c.id}": note for c in criteria})
    return client.post(f"/evidence/{item.id}/claims", data=data)


def test_learner_claims_criteria_with_notes_after_seeing_suggestions(client, learner, enrolment):
    item = make_log(client, enrolment)
    page = client.get(f"/evidence/{item.id}/claims").get_data(as_text=True)
    assert "Suggested criteria" in page
    assert "matches <q>" in page
    criteria = criteria_of(enrolment)[:2]
    assert claim(client, item, criteria).status_code == 302
    saved = db.session.scalars(
        select(CriterionClaim).where(CriterionClaim.item_id == item.id)
    ).all()
    assert {c.criterion_id for c in saved} == {c.id for c in criteria}
    assert {c.note for c in saved} == {"In the timeline"}


def test_nothing_is_claimed_without_the_learners_choice(client, learner, enrolment):
    item = make_log(client, enrolment)
    client.get(f"/evidence/{item.id}/claims")
    assert db.session.scalars(select(CriterionClaim)).all() == []


def test_claiming_a_criterion_of_another_unit_is_refused(client, learner, enrolment):
    item = make_log(client, enrolment)
    foreign = unit_by_code("CG").current.criteria[0]
    response = claim(client, item, [foreign])
    assert response.status_code == 400
    assert "only claim criteria of the unit you are enrolled on" in response.get_data(as_text=True)
    assert db.session.scalars(select(CriterionClaim)).all() == []


def test_others_cannot_read_or_map_a_learners_evidence(client, auth, people, learner, enrolment):
    item = make_log(client, enrolment)
    criterion = criteria_of(enrolment)[0]
    for who in ("learner2", "other_learner", "other_admin", "assessor2"):
        auth.sign_out()
        auth.sign_in(people[who])
        assert client.get(f"/evidence/{item.id}").status_code == 404, who
        assert claim(client, item, [criterion]).status_code in (403, 404), who
    auth.sign_out()
    auth.sign_in(people[Role.ASSESSOR])
    assert client.get(f"/evidence/{item.id}").status_code == 200
    assert claim(client, item, [criterion]).status_code == 403
    assert db.session.scalars(select(CriterionClaim)).all() == []


def test_submission_needs_a_claim(client, learner, enrolment):
    item = make_log(client, enrolment)
    response = client.post(f"/evidence/{item.id}/submit")
    assert response.status_code == 400
    assert "Claim at least one criterion" in response.get_data(as_text=True)
    assert db.session.get(EvidenceItem, item.id).status is EvidenceStatus.DRAFT


def test_submitted_evidence_is_read_only_until_returned_then_edits_make_a_new_version(
    client, learner, enrolment
):
    item = make_log(client, enrolment)
    claim(client, item, criteria_of(enrolment)[:1])
    assert client.post(f"/evidence/{item.id}/submit").status_code == 302
    assert db.session.get(EvidenceItem, item.id).status is EvidenceStatus.SUBMITTED

    edit = client.post(f"/evidence/{item.id}/edit", data={**INCIDENT, "root_cause": "Changed"})
    assert edit.status_code == 302
    assert (
        db.session.get(EvidenceItem, item.id).current.content["root_cause"]
        == "A loose joint on the meter."
    )
    assert claim(client, item, criteria_of(enrolment)).status_code == 409
    # Submitted again from a page opened before: the learner's own earlier step, not blamed on
    # someone else; back to the evidence, saying it is submitted.
    again = client.post(f"/evidence/{item.id}/submit")
    assert again.status_code == 302 and again.location == f"/evidence/{item.id}"
    page = client.get(again.location).get_data(as_text=True)
    assert "This evidence is already submitted to your assessor." in page
    assert db.session.get(EvidenceItem, item.id).status is EvidenceStatus.SUBMITTED

    # The assessor returns it (their side of the lifecycle).
    item = db.session.get(EvidenceItem, item.id)
    item.status = EvidenceStatus.RETURNED
    db.session.flush()
    response = client.post(
        f"/evidence/{item.id}/edit", data={**INCIDENT, "root_cause": "A loose compression joint."}
    )
    assert response.status_code == 302
    item = db.session.get(EvidenceItem, item.id)
    assert [v.number for v in item.versions] == [1, 2]
    assert item.versions[0].content["root_cause"] == "A loose joint on the meter."
    assert item.versions[1].content["root_cause"] == "A loose compression joint."

    page = client.get(f"/evidence/{item.id}/versions/2").get_data(as_text=True)
    assert "What changed since version 1" in page
    assert "A loose <del>joint on the meter.</del> <ins>compression joint.</ins>" in page
    assert client.get(f"/evidence/{item.id}/versions/1").status_code == 200
    assert client.get(f"/evidence/{item.id}/versions/3").status_code == 404


def test_a_stale_edit_is_a_conflict_and_changes_nothing(client, learner, enrolment):
    item = make_log(client, enrolment)
    stale = item.lock_version
    client.post(
        f"/evidence/{item.id}/edit", data={**INCIDENT, "lock_version": stale, "title": "First"}
    )
    response = client.post(
        f"/evidence/{item.id}/edit", data={**INCIDENT, "lock_version": stale, "title": "Second"}
    )
    assert response.status_code == 409
    assert db.session.get(EvidenceItem, item.id).title == "First"


def test_portfolio_lists_gaps_first_and_the_units_requirements(client, learner, enrolment):
    empty = client.get(f"/enrolments/{enrolment.id}/portfolio").get_data(as_text=True)
    assert "You have no evidence yet" in empty
    item = make_log(client, enrolment)
    criteria = criteria_of(enrolment)
    claim(client, item, criteria[:1])
    html = client.get(f"/enrolments/{enrolment.id}/portfolio").get_data(as_text=True)
    assert html.index("Gaps") < html.index("Criteria and evidence")
    for criterion in criteria[1:]:
        assert criterion.text.replace("'", "&#39;") in html
    claimed_by = html[html.index('<ul class="claimed-by">') :]
    assert item.title in claimed_by[: claimed_by.index("</ul>")]
    # BIIAB asks for two contrasting incidents. Only accepted evidence counts: drafts are
    # named beside the count, never counted, and the sign-off panel says the same.
    needs = html.split('id="requirements"')[1].split("</section>")[0]
    assert "0 different incident types accepted so far; 2 needed; not counted: 1 draft" in needs
    assert ">Not yet<" in needs and ">Met<" not in needs
    make_log(client, enrolment, incident_type="billing", title="Billing fault")
    html = client.get(f"/enrolments/{enrolment.id}/portfolio").get_data(as_text=True)
    needs = html.split('id="requirements"')[1].split("</section>")[0]
    assert "0 different incident types accepted so far; 2 needed; not counted: 2 drafts" in needs
    assert ">Met<" not in needs
    panel = html.split('id="signoff-h"')[1].split("</section>")[0]
    assert "0 different incident types accepted so far; 2 needed; not counted: 2 drafts" in panel


def test_assessor_sees_the_portfolio_but_cannot_add_evidence(client, auth, people, enrolment):
    auth.sign_in(people[Role.ASSESSOR])
    assert client.get(f"/enrolments/{enrolment.id}/portfolio").status_code == 200
    assert (
        client.post(
            f"/enrolments/{enrolment.id}/evidence/new/call_note", data=CALL_NOTE
        ).status_code
        == 403
    )


def test_learner_cannot_add_evidence_to_another_learners_enrolment(client, auth, people):
    from tests.factories import make_enrolment

    theirs = make_enrolment(people["learner2"], body="VTCT")
    auth.sign_in(people[Role.LEARNER])
    assert (
        client.post(f"/enrolments/{theirs.id}/evidence/new/call_note", data=CALL_NOTE).status_code
        == 404
    )
    assert client.get(f"/enrolments/{theirs.id}/portfolio").status_code == 404


@pytest.mark.parametrize("criterion", ["²", "٣", "１２", "-1", "1e3", "9" * 30])
def test_a_criterion_that_is_not_an_id_is_refused_and_nothing_is_claimed(
    client, learner, enrolment, criterion
):
    item = make_log(client, enrolment)
    response = client.post(
        f"/evidence/{item.id}/claims", data={"criterion": criterion, f"note_{criterion}": "x"}
    )
    assert response.status_code == 400
    assert "is not a criterion of this unit" in response.get_data(as_text=True)
    assert db.session.scalars(select(CriterionClaim)).all() == []
