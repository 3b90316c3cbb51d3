"""Progress reviews: when they fall due (breaks in learning pause them), a review filled in
with what changed since the last, targets carried forward, each party's signature and what
it covers, edits refused once anyone has signed, who may see and do what, and the signed PDF
that /verify recognises."""

import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.apprenticeships import reviews, reviews_due
from portfolio.apprenticeships.models import Apprenticeship, BreakInLearning, Employer
from portfolio.apprenticeships.reviews_models import (
    Party,
    ProgressReview,
    ReviewDocument,
    ReviewDocumentStatus,
    ReviewStatus,
    TargetState,
)
from portfolio.assessment import marking
from portfolio.assessment.models import Outcome
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.enrolments.models import Enrolment
from portfolio.errors import Conflict, DomainError
from portfolio.evidence import operations
from portfolio.evidence.kinds import EvidenceKind
from portfolio.exports import signing
from portfolio.notifications.models import Notification
from portfolio.progress import refresh, reviews_overdue
from tests.factories import STAR_CONTENT, accepted, criteria_of, make_enrolment, make_user

START = date(2026, 9, 1)  # the factories' enrolments start here


def make_apprenticeship(enrolment, manager=None, employer=None):
    if employer is None:
        employer = Employer(provider_id=enrolment.provider_id, name=f"Employer {enrolment.id}")
        db.session.add(employer)
        db.session.flush()
    if manager is None:
        manager = make_user(enrolment.provider, Role.EMPLOYER)
        manager.employer_id = employer.id
    db.session.add(
        Apprenticeship(enrolment_id=enrolment.id, programme="Customer Service Practitioner",
                       employer_id=employer.id, line_manager_id=manager.id, planned_otj_hours=300)
    )  # fmt: skip
    db.session.flush()
    refresh.enrolments([enrolment.id])  # as operations.set_apprenticeship does
    return manager


@pytest.fixture
def cast(people):
    learner, assessor = people[Role.LEARNER], people[Role.ASSESSOR]
    enrolment = make_enrolment(learner, assessor=assessor)
    manager = make_apprenticeship(enrolment)
    return learner, assessor, enrolment, manager


def add_break(enrolment, admin, starts_on, ends_on):
    db.session.add(BreakInLearning(enrolment_id=enrolment.id, starts_on=starts_on,
                                   ends_on=ends_on, reason="Illness", recorded_by_id=admin.id))  # fmt: skip
    db.session.flush()
    refresh.enrolments([enrolment.id])  # as operations.record_break does


def overdue_on(enrolment, today) -> bool:
    rows = reviews_overdue.overdue_rows(Enrolment.id == enrolment.id, today)
    return db.session.scalar(select(rows.c.enrolment_id)) is not None


def returned(learner, assessor, enrolment, title):
    criterion = criteria_of(enrolment)[0]
    item = operations.start_item(learner, enrolment, EvidenceKind.STAR_ACCOUNT, title, STAR_CONTENT)
    operations.set_claims(learner, item, {criterion.id: ""})
    operations.submit_item(learner, item)
    marking.record_decision(assessor, item, judgements=[marking.Judgement(criterion.id, False)],
                            outcome=Outcome.RETURNED, feedback="Add the times.", lock_version=None)  # fmt: skip
    return item


def signed_review(cast, notes="Good progress.", targets=(), held_on=None):
    """A review started, written and signed by all three."""
    learner, assessor, enrolment, manager = cast
    review = reviews.start_review(assessor, enrolment)
    for text in targets:
        reviews.add_target(assessor, review, text, None)
    reviews.save_reviewer_part(assessor, review, held_on or review.held_on, notes, {})
    reviews.sign(assessor, review, Party.REVIEWER)
    reviews.save_comments(learner, review, Party.APPRENTICE, "I agree.")
    reviews.sign(learner, review, Party.APPRENTICE)
    reviews.save_comments(manager, review, Party.EMPLOYER, "Doing well at work.")
    reviews.sign(manager, review, Party.EMPLOYER)
    db.session.flush()
    return review


# When reviews are due ---------------------------------------------------------------------


def test_the_first_review_is_due_twelve_weeks_after_the_start(app, cast):
    enrolment = cast[2]
    due = START + timedelta(weeks=12)
    assert reviews_due.next_due(enrolment) == due
    assert not overdue_on(enrolment, due)
    assert overdue_on(enrolment, due + timedelta(days=1))


def test_a_break_in_learning_moves_the_due_date_on_by_its_days(app, cast, people):
    enrolment = cast[2]
    add_break(enrolment, people[Role.ADMIN], date(2026, 10, 1), date(2026, 10, 10))
    due = START + timedelta(weeks=12, days=10)
    assert reviews_due.next_due(enrolment) == due
    # The aggregate that lists and counts overdue reviews agrees with it, day by day.
    for offset in range(-3, 4):
        day = due + timedelta(days=offset)
        assert overdue_on(enrolment, day) == (day > due), day


def test_a_break_with_no_end_pauses_the_review_until_it_ends(app, cast, people):
    enrolment = cast[2]
    add_break(enrolment, people[Role.ADMIN], date(2026, 11, 1), None)
    assert reviews_due.next_due(enrolment) is None
    assert not overdue_on(enrolment, date(2027, 6, 1))


def test_a_review_already_overdue_when_a_break_begins_stays_overdue(app, cast, people):
    enrolment = cast[2]
    add_break(enrolment, people[Role.ADMIN], date(2026, 12, 1), date(2026, 12, 20))
    assert reviews_due.next_due(enrolment) == START + timedelta(weeks=12)
    assert overdue_on(enrolment, date(2026, 12, 10))


def test_the_provider_sets_the_interval_and_the_next_is_due_after_the_last_signed(
    app, cast, people
):
    learner, assessor, enrolment, manager = cast
    admin = people[Role.ADMIN]
    reviews_due.change_interval(admin, 8)
    assert reviews_due.next_due(enrolment) == START + timedelta(weeks=8)
    # The progress row moves with it: the lists of overdue reviews read it there.
    assert not overdue_on(enrolment, START + timedelta(weeks=8))
    assert overdue_on(enrolment, START + timedelta(weeks=8, days=1))
    review = signed_review(cast, held_on=date(2026, 10, 1))
    assert review.status is ReviewStatus.SIGNED
    assert reviews_due.next_due(enrolment) == date(2026, 10, 1) + timedelta(weeks=8)
    assert not overdue_on(enrolment, date(2026, 11, 26))
    assert overdue_on(enrolment, date(2026, 11, 27))
    with pytest.raises(DomainError):
        reviews_due.change_interval(admin, 0)
    with pytest.raises(DomainError):
        reviews_due.change_interval(assessor, 10)


# What a review is filled in with ----------------------------------------------------------


def test_a_review_opens_with_what_changed_since_the_last(app, cast):
    learner, assessor, enrolment, manager = cast
    first_number, second_number = (c.number for c in criteria_of(enrolment)[:2])
    accepted(learner, assessor, enrolment, [first_number], title="Gas leak account")
    returned(learner, assessor, enrolment, "Power cut log")
    first = signed_review(cast, targets=["Write up two incidents"])
    facts = first.facts
    assert [c["number"] for c in facts["criteria_met"]] == [first_number]
    assert facts["criteria_met_total"] == 1 and facts["criteria_total"] == len(
        criteria_of(enrolment)
    )
    assert facts["evidence"]["accepted"] == 1
    assert [i["title"] for i in facts["evidence"]["accepted_titles"]] == ["Gas leak account"]
    assert facts["evidence"]["returned"] == 1
    assert [i["title"] for i in facts["evidence"]["returned_titles"]] == ["Power cut log"]
    assert facts["period"]["from"] == START.isoformat()
    assert facts["previous_targets"] == []
    assert facts["hours"]["planned"] == 300 and facts["hours"]["verified"] == 0

    accepted(learner, assessor, enrolment, [second_number], title="Flood account")
    second = reviews.start_review(assessor, enrolment)
    facts = second.facts
    # The first criterion was met before the last review.
    assert [c["number"] for c in facts["criteria_met"]] == [second_number]
    assert facts["criteria_met_total"] == 2
    assert [i["title"] for i in facts["evidence"]["accepted_titles"]] == ["Flood account"]
    assert facts["evidence"]["returned"] == 0
    assert facts["period"]["from"] == first.held_on.isoformat()
    assert facts["previous_targets"] == [
        {"text": "Write up two incidents", "due_on": None, "state": "open"}
    ]


def test_the_review_page_shows_what_changed(app, client, auth, cast):
    learner, assessor, enrolment, manager = cast
    accepted(
        learner, assessor, enrolment, [criteria_of(enrolment)[0].number], title="Gas leak account"
    )
    db.session.commit()
    auth.sign_in(assessor)
    response = client.post(f"/enrolments/{enrolment.id}/reviews")
    review = db.session.scalar(select(ProgressReview))
    assert response.headers["Location"].endswith(f"/reviews/{review.id}")
    html = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "Gas leak account" in html and "1 met since the last review" in html
    assert "Save and sign as the reviewer" in html


def test_open_targets_are_carried_forward_with_their_state_to_set(app, client, auth, cast):
    learner, assessor, enrolment, manager = cast
    signed_review(cast, targets=["Log two incidents", "Shadow a team leader"])
    second = reviews.start_review(assessor, enrolment)
    carried = {t.text: t for t in second.targets}
    assert set(carried) == {"Log two incidents", "Shadow a team leader"}
    assert all(t.carried_from_id and t.state is TargetState.OPEN for t in carried.values())
    reviews.add_target(assessor, second, "Finish the STAR account", date(2027, 3, 1))
    reviews.save_reviewer_part(
        assessor, second, second.held_on, "Half done.",
        {carried["Log two incidents"].id: TargetState.MET,
         carried["Shadow a team leader"].id: TargetState.CARRIED},
    )  # fmt: skip
    for party, who, text in ((Party.APPRENTICE, learner, "Yes."), (Party.EMPLOYER, manager, "Ok.")):
        reviews.save_comments(who, second, party, text)
    for party, who in ((Party.REVIEWER, assessor), (Party.APPRENTICE, learner),
                       (Party.EMPLOYER, manager)):  # fmt: skip
        reviews.sign(who, second, party)
    third = reviews.start_review(assessor, enrolment)
    assert {t.text for t in third.targets} == {"Shadow a team leader", "Finish the STAR account"}
    assert {t["text"]: t["state"] for t in third.facts["previous_targets"]} == {
        "Log two incidents": "met", "Shadow a team leader": "carried",
        "Finish the STAR account": "open",
    }  # fmt: skip
    # The page names each state as the targets list and the PDF do, from the stored facts too.
    db.session.commit()
    auth.sign_in(assessor)
    html = client.get(f"/reviews/{third.id}").get_data(as_text=True)
    assert "Carried forward</span>" in html and ">Carried</span>" not in html


def test_only_one_unsigned_review_at_a_time_and_only_for_apprenticeships(app, cast, people):
    learner, assessor, enrolment, manager = cast
    reviews.start_review(assessor, enrolment)
    with pytest.raises(Conflict):
        reviews.start_review(assessor, enrolment)
    plain = make_enrolment(people["learner2"], assessor=assessor)
    with pytest.raises(DomainError, match="apprenticeships"):
        reviews.start_review(assessor, plain)
    with pytest.raises(DomainError):
        reviews.start_review(learner, enrolment)


# Signatures -------------------------------------------------------------------------------


def test_each_party_signs_what_they_read_and_the_third_makes_the_signed_pdf(
    app, client, auth, cast, tmp_path
):
    learner, assessor, enrolment, manager = cast
    review = reviews.start_review(assessor, enrolment)
    db.session.commit()
    auth.sign_in(assessor)
    response = client.post(f"/reviews/{review.id}/targets",
                           data={"text": "Log two incidents", "due_on": "2027-02-01"})  # fmt: skip
    assert response.status_code == 302
    response = client.post(f"/reviews/{review.id}/reviewer", data={
        "held_on": review.held_on.isoformat(), "notes": "On track.", "sign": "1"})  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert review.status is ReviewStatus.SIGNING
    signature = review.signature(Party.REVIEWER)
    assert signature.user_id == assessor.id
    assert signature.content_sha256 == reviews.canonical_hash(
        reviews.signed_content(review, Party.REVIEWER)
    )
    # The other two are told, and their home pages list the review until they have signed.
    told = db.session.scalars(select(Notification).where(Notification.kind == "review_to_sign"))
    assert sorted(n.recipient_id for n in told) == sorted([learner.id, manager.id])
    link = f'href="/reviews/{review.id}">Progress review {review.number}'
    for who, text in ((learner, "I agree <b>fully</b>."), (manager, "Doing well.")):
        auth.sign_out()
        auth.sign_in(who)
        home = client.get("/").get_data(as_text=True)
        assert "Progress reviews to sign (1)" in home and link in home
        response = client.post(f"/reviews/{review.id}/comments", data={
            "comments": text, "sign": "1", "read": reviews.read_hash(review)})  # fmt: skip
        assert response.status_code == 302, response.get_data(as_text=True)
        assert "Progress reviews to sign" not in client.get("/").get_data(as_text=True)
    db.session.expire_all()
    assert review.status is ReviewStatus.SIGNED and review.signed_at is not None
    assert {s.party: s.user_id for s in review.signatures} == {
        Party.REVIEWER: assessor.id, Party.APPRENTICE: learner.id, Party.EMPLOYER: manager.id}  # fmt: skip
    assert all(reviews.signature_holds(review, s) for s in review.signatures)
    # The employer's comments are not in what the apprentice signed, nor the other way round.
    assert "Doing well." not in str(reviews.signed_content(review, Party.APPRENTICE))
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "progress_review")
    ).all()
    assert actions.count("review.signed") == 3

    html = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "I agree &lt;b&gt;fully&lt;/b&gt;." in html
    record = db.session.scalar(select(ReviewDocument))
    assert record.status is ReviewDocumentStatus.READY, record.error
    assert record.content_sha256 == reviews.canonical_hash(reviews.record_content(review))
    response = client.get(f"/reviews/{review.id}.pdf")
    with response:
        data = response.get_data()
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert hashlib.sha256(data).hexdigest() == record.sha256
    check = signing.validate(data, signing.certificate_pem(app.config, app.instance_path).encode())
    assert check.intact and check.valid

    auth.sign_out()
    page = client.post("/verify", data={"sha256": record.sha256}).get_data(as_text=True)
    assert "This is a progress review this system issued" in page and learner.name in page
    page = client.post("/verify", data={"sha256": record.content_sha256}).get_data(as_text=True)
    assert "This content hash belongs to a progress review" in page
    page = client.post("/verify", data={"sha256": "0" * 64}).get_data(as_text=True)
    assert "Not a document this system issued" in page


def test_nothing_signed_can_change_until_the_reviewer_reopens_the_review(app, client, auth, cast):
    learner, assessor, enrolment, manager = cast
    review = reviews.start_review(assessor, enrolment)
    reviews.save_reviewer_part(assessor, review, review.held_on, "First notes.", {})
    reviews.save_comments(learner, review, Party.APPRENTICE, "Agreed.")
    reviews.sign(learner, review, Party.APPRENTICE)
    db.session.commit()

    auth.sign_in(assessor)
    response = client.post(f"/reviews/{review.id}/reviewer",
                           data={"held_on": review.held_on.isoformat(), "notes": "Changed."})  # fmt: skip
    assert response.status_code == 409
    assert "reopen the review" in response.get_data(as_text=True)
    assert client.post(f"/reviews/{review.id}/targets", data={"text": "New"}).status_code == 409
    db.session.expire_all()
    assert review.reviewer_notes == "First notes." and not review.targets
    with pytest.raises(Conflict):
        reviews.save_comments(learner, review, Party.APPRENTICE, "Changed my mind.")
    # The employer has not signed: their own comments are theirs to write still.
    reviews.save_comments(manager, review, Party.EMPLOYER, "Fine.")
    db.session.commit()

    assert client.post(f"/reviews/{review.id}/reopen").status_code == 302
    db.session.expire_all()
    assert review.status is ReviewStatus.DRAFT and not review.signatures
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "review.reopened"))
    assert event.before["signatures"][0]["party"] == "apprentice"
    reviews.save_reviewer_part(assessor, review, review.held_on, "Changed.", {})


def test_signing_needs_each_partys_own_words_and_happens_once(app, cast):
    learner, assessor, enrolment, manager = cast
    review = reviews.start_review(assessor, enrolment)
    with pytest.raises(DomainError, match="notes"):
        reviews.sign(assessor, review, Party.REVIEWER)
    with pytest.raises(DomainError, match="comments"):
        reviews.sign(learner, review, Party.APPRENTICE)
    with pytest.raises(DomainError):
        reviews.sign(learner, review, Party.EMPLOYER)
    reviews.save_comments(manager, review, Party.EMPLOYER, "Good.")
    # Before the reviewer has written the notes there is nothing to sign; a signature then
    # would stop them writing it.
    with pytest.raises(DomainError, match="has not written the review's notes yet"):
        reviews.sign(manager, review, Party.EMPLOYER)
    reviews.save_reviewer_part(assessor, review, review.held_on, "Going well.", {})
    reviews.sign(manager, review, Party.EMPLOYER)
    with pytest.raises(Conflict):
        reviews.sign(manager, review, Party.EMPLOYER)


def test_the_apprentice_is_offered_signing_only_once_the_notes_are_written(app, client, auth,
                                                                            cast):  # fmt: skip
    learner, assessor, enrolment, _manager = cast
    review = reviews.start_review(assessor, enrolment)
    db.session.commit()
    auth.sign_in(learner)
    html = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "You can sign once the reviewer has written the review's notes." in html
    assert "Save and sign" not in html
    auth.sign_out()
    reviews.save_reviewer_part(assessor, review, review.held_on, "Going well.", {})
    db.session.commit()
    auth.sign_in(learner)
    html = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "Save and sign" in html and "You can sign once" not in html


def test_a_refused_signature_answers_400_on_the_page_saying_why(app, client, auth, cast):
    _learner, assessor, enrolment, _manager = cast
    review = reviews.start_review(assessor, enrolment)
    db.session.commit()
    auth.sign_in(assessor)
    response = client.post(f"/reviews/{review.id}/sign", data={"read": reviews.read_hash(review)})
    assert response.status_code == 400
    assert "Write the review&#39;s notes before signing." in response.get_data(as_text=True)
    assert db.session.get(ProgressReview, review.id).signatures == []


def test_a_signature_no_longer_holds_if_what_it_covers_is_changed_behind_its_back(app, cast):
    review = signed_review(cast)
    signature = review.signature(Party.APPRENTICE)
    assert reviews.signature_holds(review, signature)
    review.apprentice_comments = "Tampered."
    assert not reviews.signature_holds(review, signature)
    assert reviews.signature_holds(review, review.signature(Party.EMPLOYER))


# Who may see and do what ------------------------------------------------------------------


def test_reviews_are_seen_by_those_who_see_the_enrolment_and_no_one_else(
    app, client, auth, cast, people
):
    learner, assessor, enrolment, manager = cast
    review = reviews.start_review(assessor, enrolment)
    colleague = make_user(learner.provider, Role.EMPLOYER)
    colleague.employer_id = manager.employer_id
    other = make_enrolment(people["learner2"], assessor=assessor)
    make_apprenticeship(
        other, manager=colleague, employer=db.session.get(Employer, manager.employer_id)
    )
    db.session.commit()
    urls = [f"/reviews/{review.id}", f"/enrolments/{enrolment.id}/reviews"]
    for who in (people["learner2"], colleague, people["other_admin"], people["assessor2"]):
        auth.sign_in(who)
        for url in urls:
            assert client.get(url).status_code == 404, (who.role, url)
        auth.sign_out()
    for who in (learner, manager, assessor, people[Role.ADMIN], people[Role.EQA]):
        auth.sign_in(who)
        for url in urls:
            assert client.get(url).status_code == 200, (who.role, url)
        auth.sign_out()
    # The employer cannot write the reviewer's part, nor the apprentice the employer's.
    auth.sign_in(manager)
    assert client.post(f"/reviews/{review.id}/reviewer", data={"notes": "x"}).status_code == 403
    auth.sign_out()
    auth.sign_in(people["learner2"])
    assert client.post(f"/reviews/{review.id}/comments", data={"comments": "x"}).status_code == 404
    auth.sign_out()
    auth.sign_in(people[Role.EQA])
    assert client.post(f"/reviews/{review.id}/comments", data={"comments": "x"}).status_code == 403
    # An enrolment that is not an apprenticeship has no reviews.
    plain = make_enrolment(people[Role.LEARNER], body="VTCT", assessor=assessor)
    db.session.commit()
    auth.sign_out()
    auth.sign_in(assessor)
    assert client.get(f"/enrolments/{plain.id}/reviews").status_code == 404


def test_the_signed_pdf_is_for_those_who_see_the_enrolment(app, client, auth, cast, people):
    review = signed_review(cast)
    db.session.commit()
    auth.sign_in(people["other_admin"])
    assert client.get(f"/reviews/{review.id}.pdf").status_code == 404
    auth.sign_out()
    auth.sign_in(cast[3])
    response = client.get(f"/reviews/{review.id}.pdf")
    with response:
        assert response.status_code == 200 and response.get_data().startswith(b"%PDF")


def test_the_provider_admin_sets_the_review_interval(app, client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    response = client.post("/provider/reviews", data={"review_interval_weeks": "0"})
    assert response.status_code == 400 and "from 1 to 52" in response.get_data(as_text=True)
    # Not a whole number: said once, not followed by the range as well.
    response = client.post("/provider/reviews", data={"review_interval_weeks": "2.5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter a whole number" in html and "from 1 to 52" not in html
    assert client.post("/provider/reviews", data={"review_interval_weeks": "10"}).status_code == 302
    db.session.expire_all()
    assert people[Role.ADMIN].provider.review_interval_weeks == 10
    auth.sign_out()
    auth.sign_in(people[Role.ASSESSOR])
    assert client.get("/provider/reviews").status_code == 403


def test_the_audit_trail_reads_each_review_event_as_a_sentence(app, cast):
    from flask import get_template_attribute

    from portfolio.assessment import trail_reading

    learner, assessor, enrolment, manager = cast
    review = reviews.start_review(assessor, enrolment)
    target = reviews.add_target(assessor, review, "Log two incidents", None)
    reviews.remove_target(assessor, review, target)
    reviews.refresh_facts(assessor, review)
    reviews.save_reviewer_part(assessor, review, review.held_on, "Notes.", {})
    reviews.save_comments(learner, review, Party.APPRENTICE, "Agreed.")
    reviews.sign(learner, review, Party.APPRENTICE)
    reviews.reopen(assessor, review)
    reviews.save_comments(manager, review, Party.EMPLOYER, "Fine.")
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "progress_review")
        .order_by(AuditEvent.seq)
    ).all()
    with app.test_request_context():
        macro = get_template_attribute("audit/_sentences.html", "sentence")
        read = [" ".join(str(macro(r)).split()) for r in trail_reading.read(events)]
    name = learner.name
    assert read == [
        f"{assessor.name} started progress review 1 for {name}",
        f"{assessor.name} set a target in progress review 1 for {name}: “Log two incidents”",
        f"{assessor.name} removed the target “Log two incidents” from progress review 1 for {name}",
        f"{assessor.name} brought the figures of progress review 1 for {name} up to date",
        f"{assessor.name} wrote the reviewer's part of progress review 1 for {name}, held on "
        + read[4].rsplit("held on ", 1)[1],
        f"{name} wrote the apprentice's comments on progress review 1 for {name}",
        f"{name} signed progress review 1 for {name} as the apprentice",
        f"{assessor.name} reopened progress review 1 for {name}, clearing 1 signatures so that "
        "each party signs again",
        f"{manager.name} wrote the employer's comments on progress review 1 for {name}",
    ], read
