"""The cross-awarding-body crosswalk: coverage of one learner and of a cohort, access to the
pages, and the cohort page's fixed query count."""

import re
from contextlib import contextmanager

import pytest
import yaml
from markupsafe import escape

from portfolio.accounts.models import Role
from portfolio.assessment import marking
from portfolio.assessment.models import Outcome
from portfolio.assessment.signoff import met_criteria
from portfolio.db import db
from portfolio.enrolments.models import Cohort
from portfolio.evidence import operations
from portfolio.evidence.models import EvidenceKind
from portfolio.progress import crosswalk as cw
from portfolio.progress.crosswalk import CoverageState
from portfolio.units.crosswalks import load_crosswalks
from tests import factories
from tests.conftest import CRITERIA_DIR
from tests.factories import make_enrolment
from tests.statements import counting

SHIPPED = CRITERIA_DIR / "crosswalks" / "incidents.yaml"
BODIES = {"VTCT", "PEARSON", "CG", "SFJ", "BIIAB"}

CALL_NOTE = {
    "call_date": "2026-11-05",
    "channel": "inbound_phone",
    "duration_minutes": 11,
    "notes": "The caller was worried because the power had been off for two hours. I listened, "
    "apologised and checked the outage map, then explained that engineers were on site and "
    "gave the estimated restore time. I rang back within the hour with an update.",
}


# --- Helpers ------------------------------------------------------------------------------


def shipped_data() -> dict:
    return yaml.safe_load(SHIPPED.read_text())


def numbers_of(enrolment) -> dict[str, int]:
    return {c.number: c.id for c in enrolment.criteria_set.criteria}


def add_evidence(enrolment, claimed, met=(), *, decide=True):
    """An item claiming ``claimed``, submitted, and accepted with ``met`` judged met."""
    learner, ids = enrolment.learner, numbers_of(enrolment)
    item = operations.start_item(
        learner, enrolment, EvidenceKind.CALL_NOTE, "Power cut call", dict(CALL_NOTE)
    )
    operations.set_claims(learner, item, {ids[n]: "" for n in claimed})
    operations.submit_item(learner, item)
    if decide:
        marking.record_decision(
            enrolment.assessor,
            item,
            judgements=[marking.Judgement(ids[n], n in met) for n in claimed],
            outcome=Outcome.ACCEPTED,
            feedback="",
            lock_version=None,
        )
    db.session.commit()  # as each request does; the criterion states are brought up to date
    return item


def unit_of(coverage, body):
    return next(u for u in coverage if u.awarding_body_code == body)


def expected_states(crosswalk, source_body, met, claimed):
    """Each target (body, number) state, worked out from the concept data alone."""

    def concepts(body, number):
        return {c.code for c in crosswalk.concepts if number in c.criteria.get(body, ())}

    met_concepts = set().union(*(concepts(source_body, n) for n in met))
    claimed_concepts = set().union(*(concepts(source_body, n) for n in claimed))
    out = {}
    for unit in crosswalk.units:
        if unit.body_code == source_body:
            continue
        for criterion in unit.criteria:
            mine = concepts(unit.body_code, criterion.number)
            out[(unit.body_code, criterion.number)] = (
                CoverageState.MET
                if mine & met_concepts
                else CoverageState.CLAIMED
                if mine & claimed_concepts
                else CoverageState.NOT_COVERED
            )
    return out


def states_of(coverage):
    return {(u.awarding_body_code, c.number): c.state for u in coverage for c in u.criteria}


@contextmanager
def crosswalk_folder(app, path):
    app.config["CRITERIA_CROSSWALKS_PATH"] = str(path)
    try:
        yield
    finally:
        app.config.pop("CRITERIA_CROSSWALKS_PATH")


# --- One learner --------------------------------------------------------------------------


@pytest.fixture
def pearson(people):
    return make_enrolment(
        people[Role.LEARNER], body="PEARSON", assessor=people[Role.ASSESSOR], iqa=people[Role.IQA]
    )


def test_pearson_logging_met_would_meet_vtct_and_biiab_logging(app, pearson):
    add_evidence(pearson, ["1.1"], met=["1.1"])
    (crosswalk,) = load_crosswalks()
    coverage = cw.cover(pearson)

    assert {u.awarding_body_code for u in coverage} == BODIES - {"PEARSON"}
    assert states_of(coverage) == expected_states(crosswalk, "PEARSON", {"1.1"}, set())
    for body in ("VTCT", "BIIAB"):
        row = next(c for c in unit_of(coverage, body).criteria if c.number == "1.1")
        assert row.state is CoverageState.MET
        assert [s.number for s in row.met_by] == ["1.1"]
        assert {c.code for c in row.concepts} & {
            c.code for c in crosswalk.concepts_of("PEARSON", "1.1")
        }
    # Only criteria sharing a concept with Pearson 1.1 are met.
    logging_numbers = {
        body: {n for c in crosswalk.concepts_of("PEARSON", "1.1") for n in c.criteria.get(body, ())}
        for body in BODIES
    }
    for unit in coverage:
        assert unit.would_meet == len(logging_numbers[unit.awarding_body_code])


def test_claimed_only_is_told_apart_from_met(app, pearson):
    # 1.1 met; 2.1 claimed on the same item but judged not met; 3.1 claimed, awaiting marking.
    add_evidence(pearson, ["1.1", "2.1"], met=["1.1"])
    add_evidence(pearson, ["3.1"], decide=False)
    met = met_criteria(pearson)
    assert {n for n, i in numbers_of(pearson).items() if i in met} == {"1.1"}

    (crosswalk,) = load_crosswalks()
    coverage = cw.cover(pearson)
    expected = expected_states(crosswalk, "PEARSON", {"1.1"}, {"2.1", "3.1"})
    assert states_of(coverage) == expected
    assert CoverageState.CLAIMED in expected.values()
    assert CoverageState.NOT_COVERED in expected.values()

    # CG's review criterion shares a concept with Pearson 3.1, which is only claimed.
    cg = unit_of(coverage, "CG")
    review = {c.code for c in crosswalk.concepts_of("PEARSON", "3.1")}
    cg_review = [c for c in cg.criteria if {x.code for x in c.concepts} & review]
    assert cg_review and all(c.state is CoverageState.CLAIMED for c in cg_review)
    for row in cg.criteria:
        if row.state is CoverageState.CLAIMED:
            assert row.met_by == () and row.covered_by == row.claimed_by
            assert {s.number for s in row.claimed_by} <= {"2.1", "3.1"}
    assert cg.claimed_only == sum(1 for c in cg.criteria if c.state is CoverageState.CLAIMED)


def test_nothing_gathered_yet_covers_nothing(app, pearson):
    coverage = cw.cover(pearson)
    assert coverage and all(u.would_meet == 0 and u.claimed_only == 0 for u in coverage)


def test_a_unit_in_no_crosswalk_has_no_coverage(app, client, auth, people, tmp_path):
    data = shipped_data()
    data["units"] = [u for u in data["units"] if u["awarding_body"] in ("VTCT", "PEARSON")]
    for concept in data["concepts"]:
        concept["criteria"] = {
            b: n for b, n in concept["criteria"].items() if b in ("VTCT", "PEARSON")
        }
    data["concepts"] = [c for c in data["concepts"] if any(c["criteria"].values())]
    (tmp_path / "two.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    enrolment = make_enrolment(people[Role.LEARNER], body="BIIAB", assessor=people[Role.ASSESSOR])
    assert cw.cover(enrolment, load_crosswalks(tmp_path)) == []

    with crosswalk_folder(app, tmp_path):
        auth.sign_in(people[Role.LEARNER])
        page = client.get(f"/enrolments/{enrolment.id}/crosswalk")
    assert page.status_code == 200
    assert "No crosswalk covers BIIAB" in page.get_data(as_text=True)


# --- Pages and access ---------------------------------------------------------------------


def test_learner_sees_their_own_crosswalk_and_no_one_elses(app, client, auth, people, pearson):
    add_evidence(pearson, ["1.1"], met=["1.1"])
    auth.sign_in(people[Role.LEARNER])
    response = client.get(f"/enrolments/{pearson.id}/crosswalk")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for unit in cw.cover(pearson):
        body = escape(unit.awarding_body)
        assert f"{body}: would meet {unit.would_meet} of {unit.total} criteria" in page
    assert "Would be met" in page and "Not covered" in page
    assert 'class="table-scroll" role="region"' in page and '<th scope="row">' in page

    other = make_enrolment(people["learner2"], body="VTCT", assessor=people[Role.ASSESSOR])
    assert client.get(f"/enrolments/{other.id}/crosswalk").status_code == 404
    auth.sign_out()
    auth.sign_in(people["learner2"])
    assert client.get(f"/enrolments/{pearson.id}/crosswalk").status_code == 404
    empty = client.get(f"/enrolments/{other.id}/crosswalk").get_data(as_text=True)
    assert "no criteria met or claimed yet" in empty


def test_a_broken_crosswalk_says_so(app, client, auth, people, pearson, tmp_path):
    (tmp_path / "bad.yaml").write_text("format: [1\n")
    with crosswalk_folder(app, tmp_path):
        auth.sign_in(people[Role.LEARNER])
        response = client.get(f"/enrolments/{pearson.id}/crosswalk")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "The crosswalk cannot be shown" in page and "bad.yaml" not in page


@pytest.fixture
def cohort(provider):
    cohort = Cohort(provider_id=provider.id, name="Contact centre, Sept 2026")
    db.session.add(cohort)
    db.session.flush()
    return cohort


def test_cohort_page_is_for_this_providers_admins_only(app, client, auth, people, cohort):
    url = f"/cohorts/{cohort.id}/crosswalk"
    auth.sign_in(people["other_admin"])
    assert client.get(url).status_code == 404
    auth.sign_out()
    auth.sign_in(people[Role.ASSESSOR])
    assert client.get(url).status_code == 403
    auth.sign_out()
    auth.sign_in(people[Role.ADMIN])
    response = client.get(url)
    assert response.status_code == 200
    assert "No learners are enrolled in this cohort yet" in response.get_data(as_text=True)


def test_cohort_counts_match_a_hand_count(app, client, auth, people, provider, cohort):
    assessor = people[Role.ASSESSOR]
    learners = {
        name: factories.make_user(provider, Role.LEARNER, name=name)
        for name in ("Amara Pearson", "Ben Pearson", "Cleo Vtct", "Dev Biiab", "Eve Both")
    }

    def enrol(name, body):
        return make_enrolment(learners[name], body=body, assessor=assessor, cohort=cohort)

    amara, ben = enrol("Amara Pearson", "PEARSON"), enrol("Ben Pearson", "PEARSON")
    cleo, dev = enrol("Cleo Vtct", "VTCT"), enrol("Dev Biiab", "BIIAB")
    eve_pearson, eve_vtct = enrol("Eve Both", "PEARSON"), enrol("Eve Both", "VTCT")
    add_evidence(amara, ["1.1"], met=["1.1"])
    add_evidence(ben, ["1.1", "2.1"], met=["1.1", "2.1"])
    add_evidence(cleo, ["1.1", "1.3"], met=["1.1"])
    add_evidence(eve_pearson, ["3.1"], met=["3.1"])
    add_evidence(eve_vtct, ["2.1"], met=["2.1"])
    enrolments = [amara, ben, cleo, dev, eve_pearson, eve_vtct]

    coverage = {u.awarding_body_code: u for u in cw.cover_cohort(enrolments)}

    # The hand count: each enrolment through cover() (which uses met_criteria), per learner.
    hand: dict[tuple[str, str], set[str]] = {}
    for enrolment in enrolments:
        for unit in cw.cover(enrolment):
            for row in unit.criteria:
                if row.state is CoverageState.MET:
                    hand.setdefault((unit.awarding_body_code, row.number), set()).add(
                        enrolment.learner.name
                    )
    counted = {
        (body, row.number): {u.name for u in row.met}
        for body, unit in coverage.items()
        for row in unit.criteria
        if row.met
    }
    assert counted == hand

    # Spelled out: VTCT 1.1 (logging) from Amara's and Ben's Pearson 1.1; Cleo is on VTCT.
    vtct = {row.number: row for row in coverage["VTCT"].criteria}
    assert [u.name for u in vtct["1.1"].met] == ["Amara Pearson", "Ben Pearson"]
    assert {u.name for u in coverage["VTCT"].learners} == {
        "Amara Pearson", "Ben Pearson", "Dev Biiab", "Eve Both",
    }  # fmt: skip
    # Eve counts once for CG, though both of her enrolments are counted for it.
    assert len(coverage["CG"].learners) == 5
    # Cleo's 1.3 is claimed, not met: it covers the others' customer updates by claim only.
    cg = {row.number: row for row in coverage["CG"].criteria}
    assert [u.name for u in cg["1.3"].claimed] == ["Cleo Vtct"] and cg["1.3"].met == ()

    auth.sign_in(people[Role.ADMIN])
    page = client.get(f"/cohorts/{cohort.id}/crosswalk").get_data(as_text=True)
    vtct_section = page.split('id="unit-' + str(coverage["VTCT"].unit_id) + '"')[1]
    vtct_section = vtct_section.split("</section>")[0]
    assert re.search(
        r'<span class="count">2</span> of 4.*?<li>Amara Pearson</li><li>Ben Pearson</li>',
        vtct_section.replace("\n", "").replace("  ", ""),
    )


def test_grouped_met_query_agrees_with_met_criteria(app, pearson):
    add_evidence(pearson, ["1.1", "2.1"], met=["1.1"])
    add_evidence(pearson, ["3.1"], met=["3.1"])
    ids = numbers_of(pearson)
    expected = {n for n, i in ids.items() if i in met_criteria(pearson)}
    assert cw.met_numbers([pearson.id])[pearson.id] == expected == {"1.1", "3.1"}
    assert cw.claimed_numbers([pearson.id])[pearson.id] == {"1.1", "2.1", "3.1"}


def test_cohort_page_query_count_does_not_grow_with_learners(
    app, client, auth, people, provider, cohort
):
    assessor = people[Role.ASSESSOR]
    bodies = ["PEARSON", "VTCT", "BIIAB", "SFJ", "CG"]

    def add_learners(count, start):
        for n in range(start, start + count):
            learner = factories.make_user(provider, Role.LEARNER)
            enrolment = make_enrolment(
                learner, body=bodies[n % len(bodies)], assessor=assessor, cohort=cohort
            )
            add_evidence(enrolment, ["1.1"], met=["1.1"])
            if n % 2:
                add_evidence(enrolment, ["2.1"], decide=False)

    url = f"/cohorts/{cohort.id}/crosswalk"

    def statements():
        with counting(db.engine) as seen:
            response = client.get(url)
        assert response.status_code == 200
        return len(seen)

    auth.sign_in(people[Role.ADMIN])
    add_learners(2, 0)
    statements()  # warm up
    two = statements()
    add_learners(8, 2)
    ten = statements()
    assert two == ten
    assert client.get(url).get_data(as_text=True).count("<details>") > 0
