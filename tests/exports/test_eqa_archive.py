"""The EQA's ZIP of signed portfolios: every entry a safe, readable, distinct file name,
whatever the learners' names hold."""

import csv
import io
import unicodedata
import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.assessment.models import SignOff
from portfolio.db import db
from portfolio.exports.archive import EntryNames
from tests.stories import Cycle, complete, eqa_zip

UNIT = "Deal with incidents through a contact centre"
DAY = date(2026, 3, 14)


def assert_safe(name: str) -> None:
    assert "/" not in name and "\\" not in name and ".." not in name, name
    assert not name.startswith((".", "-")), name
    assert all(unicodedata.category(c)[0] not in "CZ" for c in name), ascii(name)
    assert len(name.encode()) <= 160, name
    assert name.endswith(".pdf") and name.count(".") == 1, name


@pytest.mark.parametrize(
    "learner, expected",
    [
        ("Siobhan O'Neill", "siobhan-o-neill-deal-with-incidents-through-a-contact-centre-2026-03-14.pdf"),
        ("../../x", "x-deal-with-incidents-through-a-contact-centre-2026-03-14.pdf"),
        ("a/b\\c", "a-b-c-deal-with-incidents-through-a-contact-centre-2026-03-14.pdf"),
        ("\u202eevil\u202c fdp.exe", "evil-fdp-exe-deal-with-incidents-through-a-contact-centre-2026-03-14.pdf"),
        ("Nul\x00Bell\x07Esc\x1b\x7f\u0085", "nul-bell-esc-deal-with-incidents-through-a-contact-centre-2026-03-14.pdf"),
        ("....", "learner-deal-with-incidents-through-a-contact-centre-2026-03-14.pdf"),
        ("Zo\u0065\u0301 Ch\u00e1vez", "zoé-chávez-deal-with-incidents-through-a-contact-centre-2026-03-14.pdf"),
    ],
)  # fmt: skip
def test_entry_names_keep_the_learner_unit_and_date_and_nothing_unsafe(learner, expected):
    name = EntryNames().add(learner, UNIT, DAY)
    assert name == expected
    assert_safe(name)


def test_entry_names_are_bounded_and_distinct():
    names = EntryNames()
    long = names.add("Ω" * 500, "U" * 500, DAY)
    assert_safe(long)
    same = [names.add("Sam Patel", UNIT, DAY) for _ in range(3)]
    assert same[0].endswith("-2026-03-14.pdf")
    assert same[1].endswith("-2026-03-14-2.pdf") and same[2].endswith("-2026-03-14-3.pdf")
    # Distinct also where the archive is unpacked on a file system that ignores case.
    assert names.add("SAM PATEL", UNIT, DAY).endswith("-4.pdf")


def test_the_eqa_zip_of_two_learners_with_the_same_hostile_name(
    client, auth, people, exports_folder
):
    hostile = "../../Sam\u202e\x07 Patel"
    people[Role.LEARNER].name = people["learner2"].name = hostile
    for learner in (Role.LEARNER, "learner2"):
        c = Cycle(client, auth, {**people, Role.LEARNER: people[learner]}, "SFJ")
        complete(c)
        c.be(Role.IQA)
        assert c.post(f"/enrolments/{c.enrolment.id}/countersign").status_code == 302
    auth.sign_out()
    auth.sign_in(people[Role.ADMIN])
    chosen = [str(i) for i in db.session.scalars(select(SignOff.id))]
    archive = zipfile.ZipFile(io.BytesIO(eqa_zip(client, chosen)))
    pdfs = [n for n in archive.namelist() if n != "index.csv"]
    assert len(pdfs) == 2 and len({n.casefold() for n in pdfs}) == 2
    for name in pdfs:
        assert_safe(name)
        assert name.startswith("sam-patel-")
        assert archive.read(name).startswith(b"%PDF")
    rows = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode())))
    assert sorted(row["file"] for row in rows) == sorted(pdfs)
    assert all(row["learner"] == hostile for row in rows)  # the index keeps the name as given
