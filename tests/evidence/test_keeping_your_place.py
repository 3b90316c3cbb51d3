"""Forms that keep the learner's place: a log row added in place (or, without script, the page
brought back to it), STAR parts that name their word targets, and suggestions accepted with
one click."""

import re

from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.evidence.models import CriterionClaim, EvidenceItem
from portfolio.evidence.quality import STAR_MIN_WORDS
from tests.evidence.helpers import INCIDENT
from tests.factories import criteria_of, unit_by_code


def new_log(client, enrolment) -> EvidenceItem:
    assert (
        client.post(
            f"/enrolments/{enrolment.id}/evidence/new/incident_log", data=INCIDENT
        ).status_code
        == 302
    )
    return db.session.scalars(select(EvidenceItem).order_by(EvidenceItem.id.desc())).first()


def claims_of(item) -> dict[int, str]:
    return {
        c.criterion_id: c.note
        for c in db.session.scalars(select(CriterionClaim).where(CriterionClaim.item_id == item.id))
    }


def test_adding_a_log_row_without_script_returns_to_the_new_row(client, learner, enrolment):
    url = f"/enrolments/{enrolment.id}/evidence/new/incident_log"
    response = client.post(url, data={**INCIDENT, "add_row": "communications"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Two entries typed, a third added: the row is there to land on, and what was typed stays.
    assert 'id="communications-row-3"' in html
    assert 'name="communications-2-at"' in html
    assert "Advised to leave the building" in html
    # The button that adds the fourth entry brings the page back to it in turn.
    assert f'formaction="{url}#communications-row-4"' in html
    assert f'formaction="{url}#resources-row-2"' in html
    assert "rows.js" in html
    assert db.session.scalar(select(EvidenceItem)) is None


def test_editing_a_log_adds_rows_at_the_edit_address(client, learner, enrolment):
    item = new_log(client, enrolment)
    url = f"/evidence/{item.id}/edit"
    html = client.get(url).get_data(as_text=True)
    # Two entries saved and a spare one: the next added is the fourth.
    assert f'formaction="{url}#communications-row-4"' in html
    response = client.post(url, data={**INCIDENT, "add_row": "resources"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="resources-row-2"' in html
    assert f'formaction="{url}#resources-row-3"' in html


def test_star_parts_name_their_word_targets(client, learner, enrolment):
    html = client.get(f"/enrolments/{enrolment.id}/evidence/new/star_account").get_data(
        as_text=True
    )
    for key, target in STAR_MIN_WORDS.items():
        tag = re.search(rf'<textarea[^>]*name="{key}"[^>]*>', html).group()
        assert f'data-word-target="{target}"' in tag
        assert f"Aim for at least {target} words." in html
    assert "word-count.js" in html


def test_a_suggestion_is_claimed_with_one_click(client, learner, enrolment):
    item = new_log(client, enrolment)
    page = client.get(f"/evidence/{item.id}/claims").get_data(as_text=True)
    buttons = re.findall(
        r'<button type="submit" form="claims-form" name="accept" value="(\d+)"[^>]*>Claim ([\d.]+)<',
        page,
    )
    assert buttons, "no suggestion offers a Claim button"
    criteria = {c.id: c for c in criteria_of(enrolment)}
    for criterion_id, number in buttons:
        assert criteria[int(criterion_id)].number == number

    first, number = int(buttons[0][0]), buttons[0][1]
    other = next(c for c in criteria.values() if c.id != first)
    # A claim saved before with its note is kept when a suggestion is accepted.
    client.post(f"/evidence/{item.id}/claims",
                data={"criterion": [str(other.id)], f"note_{other.id}": "In the timeline"})  # fmt: skip
    response = client.post(f"/evidence/{item.id}/claims", data={"accept": str(first)})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/evidence/{item.id}/claims#suggested"
    assert claims_of(item) == {other.id: "In the timeline", first: ""}

    page = client.get(f"/evidence/{item.id}/claims").get_data(as_text=True)
    assert f"Claimed {number}: this evidence claims 2 criteria." in page
    # As the page's form sends it: the boxes as ticked now and their notes, saved or not.
    third = next(c for c in criteria.values() if c.id not in (first, other.id))
    response = client.post(f"/evidence/{item.id}/claims", data={
        "boxes": "sent", "criterion": [str(third.id), str(first)], f"note_{third.id}": "Typed",
        f"note_{other.id}": "In the timeline", "accept": str(first)})  # fmt: skip
    assert response.status_code == 302
    assert claims_of(item) == {third.id: "Typed", first: ""}  # other was unticked
    assert f'name="accept" value="{first}"' not in page
    assert re.search(
        rf"<strong>{re.escape(number)}</strong>: matches .*?Claimed</span>", page, re.S
    )


def test_accepting_a_criterion_of_another_unit_is_refused_and_changes_nothing(
    client, learner, enrolment
):
    item = new_log(client, enrolment)
    mine = criteria_of(enrolment)[0]
    client.post(f"/evidence/{item.id}/claims", data={"criterion": [str(mine.id)]})
    foreign = unit_by_code("CG").current.criteria[0]
    response = client.post(f"/evidence/{item.id}/claims", data={"accept": str(foreign.id)})
    assert response.status_code == 400
    assert "only claim criteria of the unit you are enrolled on" in response.get_data(as_text=True)
    assert claims_of(item) == {mine.id: ""}
    response = client.post(f"/evidence/{item.id}/claims", data={"accept": "1.1"})
    assert response.status_code == 400
    assert claims_of(item) == {mine.id: ""}


def test_only_the_author_can_accept_a_suggestion(client, auth, people, learner, enrolment):
    item = new_log(client, enrolment)
    criterion = criteria_of(enrolment)[0]
    auth.sign_out()
    auth.sign_in(people[Role.ASSESSOR])
    response = client.post(f"/evidence/{item.id}/claims", data={"accept": str(criterion.id)})
    assert response.status_code == 403
    assert claims_of(item) == {}
    auth.sign_out()
    auth.sign_in(people["other_learner"])
    response = client.post(f"/evidence/{item.id}/claims", data={"accept": str(criterion.id)})
    assert response.status_code == 404
    assert claims_of(item) == {}
