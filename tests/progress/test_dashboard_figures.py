"""The dashboard's figures and tables: each figure tile counts the learners its link lists,
the heatmap says what to choose and downloads like every other table, and IQA coverage names
each unit's awarding body."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.assessment import marking, sampling, signoff
from portfolio.assessment.models import Outcome
from portfolio.db import db
from portfolio.demo.lifecycle import DEMO_INCIDENT
from portfolio.evidence import operations
from portfolio.evidence.models import EvidenceKind
from portfolio.progress.models import EnrolmentProgress
from portfolio.units.models import Unit
from tests.factories import accepted, criteria_of, make_enrolment, make_user, submitted
from tests.statements import counting


def complete(learner, assessor, enrolment):
    """An accepted incident log meeting every criterion of an SFJ unit, declared."""
    criteria = criteria_of(enrolment)
    item = operations.start_item(learner, enrolment, EvidenceKind.INCIDENT_LOG, "Gas smell",
                                 DEMO_INCIDENT)  # fmt: skip
    operations.set_claims(learner, item, {c.id: "" for c in criteria})
    operations.submit_item(learner, item)
    marking.record_decision(assessor, item, judgements=[marking.Judgement(c.id, True) for c in criteria],
                            outcome=Outcome.ACCEPTED, feedback="", lock_version=None)  # fmt: skip
    signoff.declare(learner, enrolment)


@pytest.fixture
def provider_data(people, provider):
    """Learners at every stage on two awarding bodies' units: countersigned, signed off,
    complete but not signed off, half way, waiting for marking, idle."""
    assessor, iqa = people[Role.ASSESSOR], people[Role.IQA]
    made = {}
    for name, body in [("Countersigned", "SFJ"), ("Signed", "SFJ"), ("Declared", "SFJ"),
                       ("Halfway", "PEARSON"), ("Waiting", "PEARSON"), ("Idle", "SFJ")]:  # fmt: skip
        learner = make_user(provider, Role.LEARNER, name=f"{name} Learner")
        made[name] = (learner, make_enrolment(learner, body=body, assessor=assessor, iqa=iqa))
    for name in ("Countersigned", "Signed", "Declared"):
        complete(*made[name][:1], assessor, made[name][1])
    for name in ("Countersigned", "Signed"):
        signoff.sign_off(assessor, made[name][1])
    signoff.countersign(iqa, made["Countersigned"][1])
    accepted(made["Halfway"][0], assessor, made["Halfway"][1], ["1.1"])
    submitted(made["Waiting"][0], made["Waiting"][1])
    db.session.commit()
    idle = db.session.get(EnrolmentProgress, made["Idle"][1].id)
    idle.last_activity_at = datetime.now(UTC) - timedelta(days=60)
    db.session.commit()
    return made


def tiles(html: str) -> list[tuple[int, str, str]]:
    """Each figure tile of the page that links to learners: its figure, its address and
    what it counts."""
    found = []
    for block in re.findall(r'<ul class="stats">(.*?)</ul>', html, re.S):
        for href, figure, words in re.findall(
            r'<li><span class="stat"><a href="([^"]+)">(\d+)</a></span>\s*([^<]*)</li>', block
        ):
            found.append((int(figure), href.replace("&amp;", "&"), words.strip()))
    return found


def listed(client, href: str) -> int:
    html = client.get(href).get_data(as_text=True)
    return int(re.search(r"<p>(\d+) learners?\.", html).group(1))


@pytest.mark.parametrize("filters", ["", "?awarding_body={sfj}", "?assessor={assessor}"])
def test_each_figure_tile_counts_the_learners_its_link_lists(
    client, auth, people, provider_data, filters
):
    sfj = db.session.scalar(select(Unit).where(Unit.id == provider_data["Signed"][1].unit_id))
    url = "/dashboard" + filters.format(sfj=sfj.awarding_body_id, assessor=people[Role.ASSESSOR].id)
    auth.sign_in(people[Role.ADMIN])
    found = tiles(client.get(url).get_data(as_text=True))
    words = [w for _f, _h, w in found]
    assert "learners" in words and "signed off" in words and "complete (countersigned)" in words
    assert any("no activity" in w for w in words)
    for figure, href, what in found:
        assert listed(client, href) == figure, (what, href)
    if not filters:
        counted = {w: f for f, _h, w in found}
        assert (
            counted["learners"],
            counted["signed off"],
            counted["complete (countersigned)"],
        ) == (6, 2, 1)


def test_the_heatmap_says_which_unit_to_choose_and_shows_it_when_chosen(
    client, auth, people, provider_data
):
    auth.sign_in(people[Role.ADMIN])
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Choose the unit in “Unit” above" in html
    sfj_unit = provider_data["Signed"][1].unit
    link = re.search(
        rf'<a href="([^"]+)">{sfj_unit.awarding_body.name}: {sfj_unit.title}</a>', html
    ).group(1)
    chosen = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert 'class="heatmap"' in chosen and "Signed Learner" in chosen
    assert "Halfway Learner" not in chosen  # on the other body's unit
    assert "Choose the unit in" not in chosen


def test_the_heatmap_downloads_as_csv_and_xlsx_with_every_learner(
    client, auth, people, provider_data
):
    auth.sign_in(people[Role.ADMIN])
    unit = provider_data["Signed"][1].unit_id
    numbers = [c.number for c in criteria_of(provider_data["Signed"][1])]
    html = client.get(f"/dashboard?unit={unit}").get_data(as_text=True)
    assert f'href="/dashboard/export.csv?table=heatmap&amp;unit={unit}"' in html
    response = client.get(f"/dashboard/export.csv?table=heatmap&unit={unit}")
    assert response.status_code == 200 and "heatmap-" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Learner", *numbers]
    by_name = {row[0]: row[1:] for row in rows[1:]}
    assert set(by_name) == {
        "Countersigned Learner",
        "Signed Learner",
        "Declared Learner",
        "Idle Learner",
    }
    assert by_name["Signed Learner"] == ["met"] * len(numbers)
    assert by_name["Idle Learner"] == ["not started"] * len(numbers)
    xlsx = client.get(f"/dashboard/export.xlsx?table=heatmap&unit={unit}")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in next(sheet.iter_rows())] == ["Learner", *numbers]
    assert sheet.max_row == 5
    # Of several units, the heatmap needs one chosen; another provider's is not found.
    refused = client.get("/dashboard/export.csv?table=heatmap")
    assert refused.status_code == 400 and "choose the unit" in refused.get_data(as_text=True)
    other = make_user(people["other_admin"].provider, Role.LEARNER)
    other_unit = make_enrolment(other, body="BIIAB").unit_id
    db.session.commit()
    assert client.get(f"/dashboard/export.csv?table=heatmap&unit={other_unit}").status_code == 404


def test_iqa_coverage_names_each_units_awarding_body(client, auth, people, provider_data):
    sampling.draw_samples(people[Role.IQA])
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    html = client.get("/dashboard").get_data(as_text=True)
    coverage = html[html.index('id="iqa-h"') :]
    assert '<span class="muted">SFJ Awards</span>' in coverage
    assert '<span class="muted">Pearson</span>' in coverage
    rows = list(csv.reader(io.StringIO(
        client.get("/dashboard/export.csv?table=coverage").get_data(as_text=True))))  # fmt: skip
    assert rows[0][:4] == ["Assessor", "New assessor", "Awarding body", "Unit"]
    assert {row[2] for row in rows[1:]} == {"SFJ Awards", "Pearson"}


def test_the_heatmap_download_runs_as_many_statements_however_many_learners(
    client, auth, people, provider, provider_data
):
    auth.sign_in(people[Role.ADMIN])
    unit = provider_data["Signed"][1].unit_id
    url = f"/dashboard/export.csv?table=heatmap&unit={unit}"
    client.get(url)
    with counting(db.engine) as small:
        assert client.get(url).status_code == 200
    for i in range(12):
        make_enrolment(make_user(provider, Role.LEARNER, name=f"More {i}"), body="SFJ")
    db.session.commit()
    with counting(db.engine) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large)
