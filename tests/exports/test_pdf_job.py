"""The portfolio PDF's job, run as a worker runs it: sent from outside any request."""

from portfolio.accounts.models import Role
from portfolio.assessment.signoff import sign_off_in_force
from portfolio.db import db
from portfolio.exports import jobs, service
from portfolio.exports.models import DocumentStatus
from tests.evidence.helpers import CALL_NOTE, INCIDENT, STAR
from tests.stories import Cycle


def test_a_worker_makes_the_pdf_of_a_star_account_that_reflects_on_a_log(
    app, client, auth, people, exports_folder
):
    c = Cycle(client, auth, people, "PEARSON")
    log = c.add("incident_log", INCIDENT, ["1.1", "2.1"])
    items = [log, c.add("call_note", CALL_NOTE, []),
             c.add("star_account", {**STAR, "linked_item_id": str(log.id)}, ["3.1"])]  # fmt: skip
    assert items[2].linked_item_id == log.id
    for item in items:
        assert c.mark(item, "accepted").status_code == 302
    c.be(Role.LEARNER)
    c.post(f"/enrolments/{c.enrolment.id}/declaration", {"confirm": "yes"})
    c.be(Role.ASSESSOR)
    c.post(f"/enrolments/{c.enrolment.id}/sign-off")
    c.be(Role.IQA)
    assert c.post(f"/enrolments/{c.enrolment.id}/countersign").status_code == 302

    record = service.request_document(sign_off_in_force(c.enrolment))
    assert service.claim(record)
    job = jobs.start_document(record)
    db.session.commit()  # runs it at once here, with no request of the test's around it
    db.session.refresh(job)
    db.session.refresh(record)

    assert job.result == {"document": record.id, "status": "ready"}, record.error
    assert record.status is DocumentStatus.READY
    assert (exports_folder / record.stored_name).read_bytes().startswith(b"%PDF")
