"""The demo's progress reviews, one in each state: Aisha's first review signed by all three
(its PDF made by the worker) and her second being signed and overdue; Callum's first a
draft, its due date paused by his break in learning."""

from datetime import date, timedelta

from portfolio.apprenticeships import reviews
from portfolio.apprenticeships.reviews_models import Party, TargetState


def add_demo_reviews(people: dict, enrolments: dict, today: date) -> None:
    assessor, manager = people["assessor"], people["employer"]
    aisha = people["learner"]

    enrolment = enrolments["learner"]
    first = reviews.start_review(assessor, enrolment)
    reviews.add_target(assessor, first, "Log two contrasting incidents, with every timestamp",
                       None)  # fmt: skip
    reviews.add_target(assessor, first, "Shadow a team leader on an escalation", None)
    held = min(today, max(enrolment.starts_on, today - timedelta(weeks=13)))
    reviews.save_reviewer_part(
        assessor, first, held,
        "Aisha has settled in well and logs incidents carefully. We agreed two targets for the "
        "next twelve weeks; her off-the-job training is on plan.", {},
    )  # fmt: skip
    reviews.sign(assessor, first, Party.REVIEWER)
    reviews.save_comments(aisha, first, Party.APPRENTICE,
                          "I am enjoying the incident work and want more practice at escalation.")  # fmt: skip
    reviews.sign(aisha, first, Party.APPRENTICE)
    reviews.save_comments(manager, first, Party.EMPLOYER,
                          "Aisha is reliable on the phones; we will free time for shadowing.")  # fmt: skip
    reviews.sign(manager, first, Party.EMPLOYER)

    second = reviews.start_review(assessor, enrolment)
    met, carried = second.targets
    reviews.save_reviewer_part(
        assessor, second, today,
        "The first incident log awaits marking; shadowing is booked for next month.",
        {met.id: TargetState.MET, carried.id: TargetState.CARRIED},
    )  # fmt: skip
    reviews.sign(assessor, second, Party.REVIEWER)

    draft = reviews.start_review(assessor, enrolments["learner2"])
    reviews.add_target(assessor, draft, "Finish the incident log in draft", None)
