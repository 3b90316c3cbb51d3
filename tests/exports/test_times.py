"""The portfolio PDF and /verify show times in the issuing provider's time zone, named; the
PDF gives UTC beside each time, as a record that must be exact."""

import hashlib
import re

from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.assessment.models import SignOff
from portfolio.db import db
from portfolio.exports import service
from tests.stories import download

IN_NEW_YORK_AND_UTC = r"\d+ \w{3} \d{4}, \d\d:\d\d E[SD]T \((\d+ \w{3} \d{4}, )?\d\d:\d\d UTC\)"


def test_the_pdf_names_the_providers_zone_and_gives_utc_beside_each_time(app, countersigned):
    countersigned.enrolment.provider.time_zone = "America/New_York"
    sign_off = db.session.scalar(select(SignOff))
    with app.test_request_context():
        html = service.prepare(sign_off).html
    assert "<dt>Times</dt><dd>In America/New_York, with UTC in brackets</dd>" in html
    signed = re.search(r"<dt>Signed off</dt><dd>([^<]+)</dd>", html).group(1)
    assert re.fullmatch(IN_NEW_YORK_AND_UTC, signed), signed
    trail = html.split('id="audit"')[1]
    times = re.findall(r"<tr><td>([^<]+)</td>", trail)
    assert times and all(re.fullmatch(IN_NEW_YORK_AND_UTC, t) for t in times), times
    assert "GMT" not in html
    # Its audit trail reads as sentences, as the pages do.
    assert f"{countersigned.people[Role.IQA].name} countersigned" in trail


def test_verify_shows_times_in_the_issuing_providers_zone_to_anyone(client, auth, countersigned):
    data = download(countersigned).data
    countersigned.enrolment.provider.time_zone = "Asia/Tokyo"
    db.session.flush()
    auth.sign_out()
    html = client.post("/verify", data={"sha256": hashlib.sha256(data).hexdigest()}).get_data(
        as_text=True
    )
    issued = re.search(r"<dt>Issued</dt><dd>([^<]+)</dd>", html).group(1)
    assert re.fullmatch(r"\d+ \w{3} \d{4}, \d\d:\d\d JST", issued), issued
