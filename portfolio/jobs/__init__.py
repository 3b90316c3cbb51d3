"""Background jobs (see ``queue``): declare with ``@job``, start with ``enqueue``."""

from portfolio.jobs.models import Job, JobState
from portfolio.jobs.queue import Run, Transient, Wait, enqueue, job, periodic

__all__ = ["Job", "JobState", "Run", "Transient", "Wait", "enqueue", "job", "periodic"]

# The modules that declare jobs: a worker imports them all, so it knows every kind it is sent.
JOB_MODULES = (
    "portfolio.exports.jobs",
    "portfolio.mail.delivery",
    "portfolio.enrolments.jobs",
    "portfolio.notifications.digest",
    "portfolio.webhooks.delivery",
    "portfolio.apprenticeships.reviews_pdf",
    "portfolio.evidence.suggestion_jobs",
    "portfolio.evidence.suggestion_meaning",
)
