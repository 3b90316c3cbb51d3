"""``flask notifications``: the digest and the EQA check by hand."""

from sqlalchemy import select

from portfolio.db import db
from portfolio.jobs import Job


def test_the_digest_command_queues_each_providers_job(app, runner, people):
    result = runner.invoke(args=["notifications", "digest"])
    assert result.exit_code == 0, result.output
    assert (
        db.session.scalar(select(db.func.count()).select_from(Job).where(Job.kind == "digest")) == 2
    )
    result = runner.invoke(args=["notifications", "digest", "--provider", "999999"])
    assert result.exit_code == 1 and "No provider has the id 999999" in result.output
    result = runner.invoke(args=["notifications", "check-eqa"])
    assert result.exit_code == 0 and "Told 0 admins." in result.output
