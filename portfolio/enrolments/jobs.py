"""The enrolments' background job: importing a CSV of learners from the MIS."""

from portfolio.accounts.models import User
from portfolio.db import db
from portfolio.enrolments import onboarding
from portfolio.enrolments.models import OnboardingUpload
from portfolio.jobs import Job, Run, enqueue, job


@job("onboarding", retries=0)
def import_learners(run: Run, upload_id: int) -> dict:
    """Apply an uploaded file's rows (``onboarding.import_upload``), reporting progress every
    hundred rows; each report commits the rows applied so far. Run again, it finds those rows
    unchanged and goes on with the rest."""
    upload = db.session.get(OnboardingUpload, upload_id)
    return onboarding.import_upload(upload, progress=run.progress)["counts"]


def start_import(admin: User, upload: OnboardingUpload) -> Job:
    """Queue the import of an upload whose dry run the admin has read; refuses a second."""
    onboarding.request_import(admin, upload)
    record = enqueue(
        import_learners, upload.id, provider_id=upload.provider_id, requested_by_id=admin.id,
        label=f"Import of learners from {upload.filename}",
    )  # fmt: skip
    upload.job_id = record.id
    db.session.flush()
    return record


def job_of(upload: OnboardingUpload) -> Job | None:
    return db.session.get(Job, upload.job_id) if upload.job_id else None
