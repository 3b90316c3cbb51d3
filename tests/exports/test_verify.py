"""/verify after a withdrawal and a new sign-off of the same evidence: the manifest names the
portfolio in force, and the answer mentions the earlier, withdrawn one."""

import hashlib

from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.exports.models import DocumentStatus, PortfolioDocument
from tests.stories import download


def signed_off_again(c) -> tuple[bytes, bytes]:
    """The first PDF, withdrawn; the PDF of the new sign-off of the same evidence."""
    first = download(c).data
    c.be(Role.ASSESSOR)
    withdraw = f"/enrolments/{c.enrolment.id}/sign-off/withdraw"
    assert c.post(withdraw, {"reason": "The IQA asked for a clearer log."}).status_code == 302
    assert c.post(f"/enrolments/{c.enrolment.id}/sign-off").status_code == 302
    c.be(Role.IQA)
    assert c.post(f"/enrolments/{c.enrolment.id}/countersign").status_code == 302
    return first, download(c).data


def verify(client, digest: str) -> str:
    return client.post("/verify", data={"sha256": digest}).get_data(as_text=True)


def test_the_manifest_of_a_portfolio_signed_off_again_is_reported_in_force(
    client, auth, countersigned
):
    first, second = signed_off_again(countersigned)
    earlier, current = db.session.scalars(
        select(PortfolioDocument).order_by(PortfolioDocument.id)
    ).all()
    assert not earlier.in_force and current.in_force
    assert earlier.status is DocumentStatus.READY  # kept as issued, superseded
    assert earlier.manifest_hash == current.manifest_hash  # the same evidence, signed again
    auth.sign_out()

    html = verify(client, current.manifest_hash)
    assert "This manifest belongs to a portfolio this system issued" in html
    assert "<dt>Sign-off</dt><dd>In force</dd>" in html
    mentioned = html.split("Other portfolios issued for the same evidence")[1]
    assert "Withdrawn" in mentioned and "superseded" in mentioned

    html = verify(client, hashlib.sha256(second).hexdigest())
    assert "This is a document this system issued" in html
    assert "<dt>Sign-off</dt><dd>In force</dd>" in html

    html = verify(client, hashlib.sha256(first).hexdigest())  # the earlier PDF itself
    assert "<dt>Sign-off</dt><dd><strong>Withdrawn</strong>" in html
    assert "in force" in html.split("Other portfolios issued for the same evidence")[1]
