"""The demo's apprenticeships: an employer with a line manager, two learners made its
apprentices, one of them on a break in learning."""

from datetime import date, timedelta

from portfolio.apprenticeships import operations

EMPLOYER = "Northgate Water Services Ltd"
PROGRAMME = "Customer Service Practitioner (Level 2)"
# learner, planned off-the-job hours
APPRENTICES = [("learner", 278), ("learner2", 278)]


def add_apprenticeships(people: dict, enrolments: dict, today: date) -> None:
    admin = people["admin"]
    employer = operations.create_employer(
        admin, name=EMPLOYER, contact_name="Ruth Pemberton",
        contact_email="apprenticeships@northgate-water.example.org", contact_phone="0161 496 0000",
    )  # fmt: skip
    manager = people["employer"]
    manager.employer_id = employer.id
    for handle, hours in APPRENTICES:
        operations.set_apprenticeship(
            admin, enrolments[handle], programme=PROGRAMME, employer_id=employer.id,
            line_manager_id=manager.id, planned_otj_hours=hours,
        )  # fmt: skip
    # Callum is off sick: his expected progress is paused from a fortnight ago.
    enrolment = enrolments["learner2"]
    operations.record_break(
        admin, enrolment, starts_on=max(enrolment.starts_on, today - timedelta(days=14)),
        ends_on=None, reason="Illness, agreed with Callum and his line manager", today=today,
    )  # fmt: skip
