"""An apprenticeship to test with: an employer, its line manager, and a learner's
enrolment made an apprenticeship naming them."""

from dataclasses import dataclass

from portfolio.accounts.models import Provider, Role, User
from portfolio.apprenticeships import operations
from portfolio.apprenticeships.models import Employer
from portfolio.enrolments.models import Enrolment
from tests import factories


@dataclass
class Apprentice:
    admin: User
    employer: Employer
    manager: User
    learner: User
    assessor: User
    enrolment: Enrolment


def make_apprentice(provider: Provider, employer_name: str = "Harbour Energy Ltd") -> Apprentice:
    admin = factories.make_user(provider, Role.ADMIN)
    employer = operations.create_employer(
        admin, name=employer_name, contact_name="Sam Okafor", contact_email=None,
        contact_phone=None,
    )  # fmt: skip
    manager = factories.make_user(provider, Role.EMPLOYER)
    manager.employer_id = employer.id
    learner = factories.make_user(provider, Role.LEARNER)
    assessor = factories.make_user(provider, Role.ASSESSOR)
    enrolment = factories.make_enrolment(learner, assessor=assessor)
    operations.set_apprenticeship(
        admin, enrolment, programme="Customer Service Practitioner (Level 2)",
        employer_id=employer.id, line_manager_id=manager.id, planned_otj_hours=278,
    )  # fmt: skip
    return Apprentice(admin, employer, manager, learner, assessor, enrolment)
