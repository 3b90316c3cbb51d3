"""Caseload and dashboard figures against hand counts; statement counts; exports; access."""

import csv
import html as html_module
import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Provider, Role
from portfolio.assessment.models import Decision, Sample, SamplingPlan
from portfolio.db import db
from portfolio.enrolments.models import Cohort
from portfolio.progress import refresh
from portfolio.progress.models import EnrolmentProgress
from portfolio.units.models import Criterion, Unit
from tests.factories import accepted, make_enrolment, make_user, submitted
from tests.statements import assert_same_counts, page_statements
from tests.stories import signed_in


@pytest.fixture
def cohort_data(people, provider):
    """Three learners of one assessor: one half done, one with work waiting, one idle."""
    assessor, iqa = people[Role.ASSESSOR], people[Role.IQA]
    learners = [
        people[Role.LEARNER],
        people["learner2"],
        make_user(provider, Role.LEARNER, name="Zara Idle"),
    ]
    enrolments = [
        make_enrolment(learner, body="SFJ", assessor=assessor, iqa=iqa) for learner in learners
    ]
    accepted(learners[0], assessor, enrolments[0], ["1.1", "2.1"])
    submitted(learners[1], enrolments[1])
    db.session.commit()
    idle = db.session.get(EnrolmentProgress, enrolments[2].id)
    idle.last_activity_at = datetime.now(UTC) - timedelta(days=40)
    db.session.commit()
    return learners, enrolments


def test_progress_rows_follow_the_evidence(cohort_data):
    _learners, enrolments = cohort_data
    done, waiting, idle = (db.session.get(EnrolmentProgress, e.id) for e in enrolments)
    assert (done.criteria_met, done.criteria_total, done.items) == (2, 3, 1)
    assert (waiting.criteria_met, waiting.awaiting_marking, waiting.criteria_claimed) == (0, 1, 1)
    assert (idle.criteria_met, idle.items) == (0, 0)


def test_caseload_shows_each_learner_with_progress_waiting_work_and_status(
    client, auth, people, cohort_data
):
    auth.sign_in(people[Role.ASSESSOR])
    html = client.get("/caseload").get_data(as_text=True)
    assert "How the status is set." in html
    assert '67% <span class="muted">(2 of 3)</span>' in html
    assert "Zara Idle" in html
    row = html[html.index("Zara Idle") :]
    assert ">Red<" in row[: row.index("</tr>")]
    from portfolio.progress.queries import Filters, learner_rows

    # The total comes with the rows, and is still counted on a page past the last.
    filters = Filters(assessor=people[Role.ASSESSOR].id)
    provider_id = people[Role.ASSESSOR].provider_id
    total, rows = learner_rows(filters, provider_id, date.today(), 21, limit=2)
    assert (total, len(rows)) == (3, 2)
    assert learner_rows(filters, provider_id, date.today(), 21, limit=2, offset=10) == (3, [])
    auth.sign_out()
    auth.sign_in(people["assessor2"])
    assert "No learners are assigned to you yet" in client.get("/caseload").get_data(as_text=True)


def test_dashboard_figures_agree_with_a_hand_count(client, auth, people, cohort_data):
    auth.sign_in(people[Role.ADMIN])
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/dashboard/learners">3</a></span> learners' in html
    assert "22%</span> of criteria met on average" in html  # (2/3 + 0 + 0) / 3
    inactive = client.get("/dashboard/learners?risk=inactive").get_data(as_text=True)
    assert "Zara Idle" in inactive and people[Role.LEARNER].name not in inactive
    bucket = client.get("/dashboard/learners?bucket=50-74%25").get_data(as_text=True)
    assert people[Role.LEARNER].name in bucket and "Zara Idle" not in bucket
    criterion = db.session.scalar(select(Criterion).join(Criterion.criteria_set).where(Criterion.number == "3.1",
                                  Criterion.criteria_set_id == cohort_data[1][0].criteria_set_id))  # fmt: skip
    lacking = client.get(f"/dashboard/learners?lacking={criterion.id}").get_data(as_text=True)
    assert "3 learners" in lacking
    name = re.escape(people[Role.ASSESSOR].name)
    workload = re.search(
        name + r'</th><td data-label="Learners"><a [^>]+>(\d+)</a></td>'
        r'<td data-label="Awaiting marking"><a [^>]+>(\d+)</a></td>',
        html,
    )
    assert workload and workload.groups() == ("3", "1")  # three learners, one item waiting


def test_criteria_to_teach_next_leave_out_those_every_learner_has_met(
    client, auth, people, cohort_data
):
    learners, enrolments = cohort_data
    assessor = people[Role.ASSESSOR]
    for learner, enrolment in zip(learners[1:], enrolments[1:], strict=True):
        accepted(learner, assessor, enrolment, ["1.1"], title="Met by all")
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    html = client.get("/dashboard").get_data(as_text=True)
    table = html[html.index('aria-label="Criteria still lacking"'):]
    table = table[: table.index("</table>")]
    numbers = re.findall(r'<td data-label="Criterion"><strong>([\d.]+)</strong>', table)
    assert numbers and "1.1" not in numbers and "2.1" in numbers
    export = client.get("/dashboard/export.csv?table=criteria").get_data(as_text=True)
    assert ["1.1", "3", "0"] in [[r[2], r[4], r[5]] for r in csv.reader(io.StringIO(export))]


def test_signed_off_and_awaiting_marking_list_their_learners(client, auth, people, cohort_data):
    learners, enrolments = cohort_data
    db.session.get(EnrolmentProgress, enrolments[0].id).signed_off = True
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/dashboard/learners?status=signed+off">1</a></span> signed off' in html
    signed = client.get("/dashboard/learners?status=signed off").get_data(as_text=True)
    assert "<p>1 learner." in signed and learners[0].name in signed
    assert "<h1>Learners whose unit is signed off</h1>" in signed
    assessor = people[Role.ASSESSOR].id
    assert (
        f'href="/dashboard/learners?evidence=awaiting+marking&amp;assessor={assessor}">1</a>'
        in html
    )
    waiting = client.get(f"/dashboard/learners?evidence=awaiting+marking&assessor={assessor}")
    text = waiting.get_data(as_text=True)
    assert "<p>1 learner." in text and learners[1].name in text and learners[0].name not in text
    assert "<h1>Learners with evidence awaiting marking</h1>" in text
    assert f'<p class="muted">Assessor: {people[Role.ASSESSOR].name}</p>' in text
    for bad in ("status=withdrawn", "evidence=marked", "risk=bored", "bucket=1%25",
                "forecast=soon"):  # fmt: skip
        refused = client.get(f"/dashboard/learners?{bad}")
        assert refused.status_code == 400
        name, value = bad.split("=")
        assert f"The figure &#34;{name}&#34; may only be" in refused.get_data(as_text=True)
    refused = client.get("/dashboard/learners?risk=bored").get_data(as_text=True)
    assert (
        "&#34;inactive&#34;, &#34;behind plan&#34;, &#34;returned twice or more&#34;, "
        "&#34;behind on off-the-job hours&#34; or &#34;progress review overdue&#34;" in refused
    )


def test_the_learners_page_says_which_criterion_and_whose_decisions(
    client, auth, people, cohort_data
):
    learners, enrolments = cohort_data
    criterion = db.session.scalar(select(Criterion).where(
        Criterion.number == "3.1", Criterion.criteria_set_id == enrolments[0].criteria_set_id))  # fmt: skip
    auth.sign_in(people[Role.ADMIN])
    lacking = client.get(f"/dashboard/learners?lacking={criterion.id}").get_data(as_text=True)
    assert "<h1>Learners still lacking criterion 3.1 (SFJ Awards)</h1>" in lacking
    assessor = people[Role.ASSESSOR]
    decided = client.get(f"/dashboard/learners?decided_by={assessor.id}").get_data(as_text=True)
    assert f"<h1>Learners with evidence {assessor.name} decided on in the last 90 days</h1>" in decided
    assert "<p>1 learner." in decided and learners[0].name in decided
    stranger = make_user(people["other_admin"].provider, Role.ASSESSOR)
    db.session.commit()
    for figure in ("decided_by", "sampled_by"):
        assert client.get(f"/dashboard/learners?{figure}={stranger.id}").status_code == 404
        refused = client.get(f"/dashboard/learners?{figure}=someone")
        assert refused.status_code == 400
        assert f"The figure &#34;{figure}&#34; must be an id" in refused.get_data(as_text=True)
    assert client.get("/dashboard/learners?lacking=987654321").status_code == 404


def test_a_learner_short_of_criteria_late_in_the_plan_is_behind_plan(
    client, auth, people, provider
):
    today = date.today()
    late = make_enrolment(make_user(provider, Role.LEARNER, name="Late Starter"), body="SFJ",
                          assessor=people[Role.ASSESSOR])  # fmt: skip
    early = make_enrolment(make_user(provider, Role.LEARNER, name="Early Days"), body="SFJ",
                           assessor=people[Role.ASSESSOR])  # fmt: skip
    late.starts_on, late.planned_end_on = today - timedelta(days=300), today + timedelta(days=65)
    early.starts_on, early.planned_end_on = today - timedelta(days=10), today + timedelta(days=355)
    refresh.enrolments([late.id, early.id])
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'risk=behind+plan">1</a></span> behind plan' in html
    assert 'forecast=behind+plan">1</a>' in html
    behind = client.get("/dashboard/learners?risk=behind plan").get_data(as_text=True)
    assert "Late Starter" in behind and "Early Days" not in behind
    auth.sign_out()
    auth.sign_in(people[Role.ASSESSOR])
    caseload = client.get("/caseload").get_data(as_text=True)
    row = caseload[caseload.index("Late Starter") :]
    assert '<span class="muted">behind plan</span>' in row[: row.index("</tr>")]
    row = caseload[caseload.index("Early Days") :]
    assert "behind plan" not in row[: row.index("</tr>")]


@pytest.mark.parametrize("filtered", [False, True])
def test_every_dashboard_figure_links_to_the_learners_behind_it(
    client, auth, people, provider, cohort_data, filtered
):
    other = make_user(provider, Role.ASSESSOR, name="Other Assessor")
    make_enrolment(make_user(provider, Role.LEARNER, name="Elsewhere"), body="VTCT", assessor=other)
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    assessor = people[Role.ASSESSOR].id
    page = client.get(f"/dashboard?assessor={assessor}" if filtered else "/dashboard")
    figures = re.findall(
        r'<a href="(/dashboard/learners[^"]*)">(\d+)</a>', page.get_data(as_text=True)
    )
    assert len(figures) > 15  # learners, buckets, forecasts, risks, criteria, workload
    for href, count in figures:
        href = html_module.unescape(href)
        listed = client.get(href).get_data(as_text=True)
        if "decided_by=" in href or "sampled_by=" in href:  # decisions, not learners
            # The row's assessor decided, whoever assesses the learners now.
            assert f"_by={assessor}" in href or not filtered, href
            shown = int(re.search(r"<p>(\d+) learners?\.", listed).group(1))
            assert (shown == 0) == (count == "0") and shown <= int(count), (href, count)
            continue
        if filtered:
            assert href.count("assessor=") == 1 and f"assessor={assessor}" in href, href
        if "evidence=awaiting+marking" in href:  # items awaiting marking, not learners
            waiting = re.findall(
                r"<td data-label=\"Awaiting marking\">(\d+)(?:, oldest \d+ days)?</td>", listed
            )
            assert sum(int(n) for n in waiting) == int(count), (href, count)
            assert f"<p>{len(waiting)} learner{'' if len(waiting) == 1 else 's'}." in listed
        else:
            assert f"<p>{count} learner{'' if count == '1' else 's'}." in listed, (href, count)


@pytest.mark.parametrize("period", [90, 30])
def test_marking_time_and_iqa_coverage_agree_with_a_hand_count(
    client, auth, people, provider, cohort_data, period
):
    """Marking time is over 90 days, sampling over the plan's period, whatever that is."""
    learners, enrolments = cohort_data
    assessor = people[Role.ASSESSOR]
    accepted(learners[1], assessor, enrolments[1], ["2.1"], title="Recent")
    accepted(learners[2], assessor, enrolments[2], ["2.1"], title="Older")
    accepted(learners[2], assessor, enrolments[2], ["3.1"], title="Oldest")
    db.session.commit()
    now = datetime.now(UTC)
    # (days ago, working days to mark) for the fixture's decision and the three above
    ages = {
        enrolments[0].id: [(0, 0)],
        enrolments[1].id: [(1, 2)],
        enrolments[2].id: [(40, 6), (120, 20)],
    }
    for enrolment_id, values in ages.items():
        found = db.session.scalars(select(Decision).where(Decision.enrolment_id == enrolment_id)
                                   .order_by(Decision.id)).all()  # fmt: skip
        for decision, (days, working_days) in zip(found, values, strict=True):
            decision.decided_at = now - timedelta(days=days)
            decision.marking_days = working_days
    recent = db.session.scalar(select(Decision).where(Decision.enrolment_id == enrolments[1].id))
    db.session.add(Sample(provider_id=provider.id, decision_id=recent.id, iqa_id=people[Role.IQA].id,
                          reasons=["chosen"]))  # fmt: skip
    db.session.add(SamplingPlan(provider_id=provider.id, period_days=period, share_percent=25,
                                new_assessor_share_percent=50))  # fmt: skip
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    workload = client.get("/dashboard/export.csv?table=workload").get_data(as_text=True)
    row = next(r for r in csv.reader(io.StringIO(workload)) if r[0] == assessor.name)
    assert row[1:] == ["3", "1", "0", "2.7"]  # (0 + 2 + 6) / 3 within 90 days
    exported = client.get("/dashboard/export.csv?table=coverage")
    assert exported.headers["Content-Type"] == "text/csv; charset=utf-8"
    coverage = exported.get_data(as_text=True)
    row = next(r for r in csv.reader(io.StringIO(coverage)) if r[0] == assessor.name)
    decided = {90: "3", 30: "2"}[period]
    assert row[4:] == [decided, "1", {90: "33", 30: "50"}[period], "25", "met"]
    html = client.get("/dashboard").get_data(as_text=True)
    links = re.search(r'<td data-label="Decisions"><a href="([^"]+)">(\d+)</a></td>'
                      r'<td data-label="Sampled"><a href="([^"]+)">(\d+)</a> '
                      r"\((\d+)%\)</td>", html)  # fmt: skip
    assert links and links.group(2, 4, 5) == (decided, "1", row[6])
    # The learners behind the counts: those whose evidence was decided on in the period, and
    # the one whose decision was sampled.
    behind = {90: learners, 30: learners[:2]}[period]
    for href, names in ((links.group(1), behind), (links.group(3), [learners[1]])):
        listed = client.get(html_module.unescape(href)).get_data(as_text=True)
        assert f"<p>{len(names)} learner{'' if len(names) == 1 else 's'}." in listed, href
        assert all(learner.name in listed for learner in names), href
    sampled = client.get(html_module.unescape(links.group(3))).get_data(as_text=True)
    assert f"with a decision by {assessor.name} sampled in the last {period} days" in sampled


def test_coverage_follows_a_change_of_the_sampling_period_at_once(
    client, auth, people, provider, cohort_data
):
    """Decisions are counted over the plan's sampling period: a change of the plan between
    two pages shows on the second, not stale."""
    learners, enrolments = cohort_data
    assessor = people[Role.ASSESSOR]
    accepted(learners[2], assessor, enrolments[2], ["2.1"], title="Older")
    db.session.commit()
    older = db.session.scalar(select(Decision).where(Decision.enrolment_id == enrolments[2].id))
    older.decided_at = datetime.now(UTC) - timedelta(days=40)
    plan = SamplingPlan(provider_id=provider.id, period_days=90, share_percent=25,
                        new_assessor_share_percent=50)  # fmt: skip
    db.session.add(plan)
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])

    def decided() -> str:
        coverage = client.get("/dashboard/export.csv?table=coverage").get_data(as_text=True)
        return next(r for r in csv.reader(io.StringIO(coverage)) if r[0] == assessor.name)[4]

    assert decided() == "2"  # the fixture's decision today and this one 40 days ago
    plan.period_days = 30
    db.session.commit()
    assert decided() == "1"
    html = client.get("/dashboard").get_data(as_text=True)
    assert '>1</a></td><td data-label="Sampled"><a ' in html
    plan.period_days = 90
    db.session.commit()
    html = client.get("/dashboard").get_data(as_text=True)
    assert '>2</a></td><td data-label="Sampled"><a ' in html


def test_each_provider_sets_the_days_without_activity_that_put_a_learner_at_risk(
    client, auth, people, provider, cohort_data
):
    """Zara's last activity was 40 days ago: at risk (red) by the default 21 days, and not
    by 50 (still amber, as she is behind plan); the dashboard, the learners behind its
    figure, the caseload, its rule and the export all follow the provider's setting."""
    idle = "Zara Idle"

    def zara_on_caseload() -> str:
        html = client.get("/caseload").get_data(as_text=True)
        row = html[html.index(idle) :]
        return re.search(r'class="tag tag-(\w+)"', row[: row.index("</tr>")]).group(1)

    def at_risk() -> tuple[str, str]:
        html = client.get("/dashboard").get_data(as_text=True)
        figure = re.search(r'risk=inactive">(\d+)</a></span> no activity for (\d+) days', html)
        return figure.groups()

    def exported() -> tuple[str, str]:
        rows = client.get("/dashboard/export.csv?table=learners").get_data(as_text=True)
        header, *lines = csv.reader(io.StringIO(rows))
        found = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
        return found[idle]["Risks"], found[idle]["RAG"]

    auth.sign_in(people[Role.ADMIN])
    assert at_risk() == ("1", "21")
    listed = client.get("/dashboard/learners?risk=inactive").get_data(as_text=True)
    assert "Learners with no activity for 21 days or more" in listed and idle in listed
    assert exported() == ("inactive; behind plan", "red")
    provider.inactive_days = 50
    db.session.commit()
    assert at_risk() == ("0", "50")
    listed = client.get("/dashboard/learners?risk=inactive").get_data(as_text=True)
    assert "Learners with no activity for 50 days or more" in listed and idle not in listed
    assert exported() == ("behind plan", "amber")
    auth.sign_out()
    auth.sign_in(people[Role.ASSESSOR])
    assert zara_on_caseload() == "amber"
    caseload = client.get("/caseload").get_data(as_text=True)
    assert "Red: no activity for 50 days or more" in caseload
    assert "Amber: no activity for 33 days" in caseload
    provider.inactive_days = 21
    db.session.commit()
    assert zara_on_caseload() == "red"


def test_the_status_counts_days_without_activity_against_the_providers_setting():
    from portfolio.progress.queries import LearnerRow

    def status(inactive_for: int, at_risk_after: int) -> str:
        row = LearnerRow(1, "Zara", "Unit", "SFJ", None, None, 1, 5, 0, None, inactive_for,
                         date(2027, 6, 1), "on track", ())  # fmt: skip
        return row.rag(10, at_risk_after)

    assert [status(40, 21), status(40, 40), status(39, 40)] == ["red", "red", "amber"]
    assert [status(33, 50), status(32, 50), status(40, 70)] == ["amber", "green", "green"]


def test_an_admin_sets_the_days_to_at_risk_with_the_sampling_plan(client, auth, people, provider):
    auth.sign_in(people[Role.ADMIN])
    form = {"share_percent": "25", "new_assessor_share_percent": "50", "period_days": "90",
            "marking_target_days": "10", "inactive_days": "30"}  # fmt: skip
    assert client.post("/sampling/plan", data=form).status_code == 302
    page = client.get("/sampling").get_data(as_text=True)
    assert "at-risk days saved" in page
    assert 'name="inactive_days" type="number" min="7" max="120" value="30"' in page
    db.session.expire_all()
    assert db.session.get(Provider, provider.id).inactive_days == 30
    range_refused = "The days without activity before a learner is at risk must be from 7 to 120."
    for wrong, said in (("6", range_refused), ("121", range_refused),
                        ("soon", "Enter whole numbers for every setting.")):  # fmt: skip
        response = client.post("/sampling/plan", data={**form, "inactive_days": wrong,
                                                       "marking_target_days": "12"})  # fmt: skip
        assert response.status_code == 303
        assert said in client.get("/sampling").get_data(as_text=True)
        db.session.expire_all()
        saved = db.session.get(Provider, provider.id)
        assert (saved.inactive_days, saved.marking_target_days) == (30, 10)  # nothing saved
    auth.sign_out()
    auth.sign_in(people[Role.IQA])
    assert client.post("/sampling/plan", data=form).status_code == 403


def test_coverage_names_an_assessor_whose_learners_have_all_moved_on(
    client, auth, people, cohort_data
):
    """Workload and coverage rows carry ids, named from the filters' options; an assessor
    no longer assessing anyone is not among those, and is named all the same."""
    _learners, enrolments = cohort_data
    former = people[Role.ASSESSOR]
    former.new_assessor = True
    successor = make_user(former.provider, Role.ASSESSOR, name="Successor Assessor")
    for enrolment in enrolments:
        enrolment.assessor_id = successor.id
    refresh.enrolments(e.id for e in enrolments)
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    coverage = client.get("/dashboard/export.csv?table=coverage").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(coverage)))[1:]
    assert [r[:5] for r in rows] == [[former.name, "yes", "SFJ Awards", rows[0][3], "1"]]
    assert rows[0][3]  # the unit is named too, with its awarding body
    workload = client.get("/dashboard/export.csv?table=workload").get_data(as_text=True)
    assert [r[:2] for r in list(csv.reader(io.StringIO(workload)))[1:]] == [
        ["Successor Assessor", "3"]
    ]
    html = client.get("/dashboard").get_data(as_text=True)
    assert f'>{former.name}</a> <span class="tag tag-amber">New</span></th>' in html


def test_dashboard_filters_and_another_providers_cohort(client, auth, people, cohort_data):
    from tests.factories import make_provider

    other = make_provider()
    from portfolio.enrolments.models import Cohort

    foreign = Cohort(provider_id=other.id, name="Theirs")
    db.session.add(foreign)
    db.session.flush()
    auth.sign_in(people[Role.ADMIN])
    assert client.get(f"/dashboard?cohort={foreign.id}").status_code == 404
    assert client.get(f"/dashboard/export.csv?cohort={foreign.id}").status_code == 404
    assessor = people[Role.ASSESSOR].id
    assert client.get(f"/dashboard?assessor={assessor}").status_code == 200


def test_the_assessor_filter_lists_the_staff_who_assess_someone(people, provider, cohort_data):
    from portfolio.progress.queries import filter_options
    from tests.factories import make_provider

    idle = make_user(provider, Role.ASSESSOR, name="Idle Assessor")
    moved = make_user(provider, Role.ASSESSOR, name="Moved Assessor")
    make_enrolment(make_user(provider, Role.LEARNER), assessor=moved)
    moved.role = Role.IQA  # a change of role leaves their learners with them
    elsewhere = make_provider()
    make_enrolment(make_user(elsewhere, Role.LEARNER), assessor=make_user(elsewhere, Role.ASSESSOR))
    db.session.flush()
    listed = filter_options(provider.id)["assessors"]
    assessor = people[Role.ASSESSOR]
    assert list(listed) == sorted([(moved.id, "Moved Assessor"), (assessor.id, assessor.name)],
                            key=lambda a: a[1])  # fmt: skip
    assert idle.id not in {a for a, _ in listed}


@pytest.mark.parametrize("role", [Role.LEARNER, Role.ASSESSOR])
def test_dashboard_is_for_providers_and_iqas(client, auth, people, role):
    auth.sign_in(people[role])
    assert client.get("/dashboard").status_code == 403


def test_exports_neutralise_formulas(client, auth, people, provider):
    evil = make_user(provider, Role.LEARNER, name='=HYPERLINK("http://evil.example","x")')
    make_enrolment(evil, body="SFJ", assessor=people[Role.ASSESSOR])
    for prefix in ("+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        make_enrolment(make_user(provider, Role.LEARNER, name=f"{prefix} name"), body="VTCT")
    db.session.commit()
    auth.sign_in(people[Role.ADMIN])
    text = client.get("/dashboard/export.csv?table=learners").get_data(as_text=True)
    names = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert names and all(not n.startswith(("=", "+", "-", "@", "\t", "\r")) for n in names)
    assert "'=HYPERLINK" in text
    xlsx = client.get("/dashboard/export.xlsx?table=learners").data
    sheet = zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no cell is a formula...
    assert "=HYPERLINK" in sheet and "'=HYPERLINK" not in sheet  # ...and the name is as typed


def add_learners(provider, people, n, body="SFJ"):
    for i in range(n):
        learner = make_user(provider, Role.LEARNER, name=f"Learner {i:03d}")
        enrolment = make_enrolment(
            learner, body=body, assessor=people[Role.ASSESSOR], iqa=people[Role.IQA]
        )
        accepted(learner, people[Role.ASSESSOR], enrolment, ["1.1"], title=f"Account {i}")
        submitted(learner, enrolment, title=f"Waiting {i}")
    db.session.commit()


def test_statement_count_does_not_grow_with_learners(app, client, people, provider):
    admin = signed_in(app, people[Role.ADMIN].email)
    pages = {url: (admin, url) for url in ("/dashboard", "/dashboard/learners",
                                           "/dashboard/export.csv?table=learners")}  # fmt: skip
    pages["/caseload"] = (signed_in(app, people[Role.ASSESSOR].email), "/caseload")
    add_learners(provider, people, 2)
    small = page_statements(pages, db.engine)  # warmed: criteria, templates
    add_learners(provider, people, 4)
    assert_same_counts(small, page_statements(pages, db.engine))


def test_filter_options_show_every_change_at_once(client, auth, people, provider, cohort_data):
    """What the filters offer is read with every page: a new or renamed cohort, an assessor
    newly assessing someone, a renamed person or unit shows on the next page."""
    learners, enrolments = cohort_data
    auth.sign_in(people[Role.ADMIN])
    client.get("/dashboard")
    cohort = Cohort(provider_id=provider.id, name="Spring intake")
    db.session.add(cohort)
    db.session.commit()
    assert ">Spring intake</option>" in client.get("/dashboard").get_data(as_text=True)

    def shown_after(change) -> str:
        change()
        db.session.commit()
        return client.get("/dashboard").get_data(as_text=True)

    def rename_cohort():
        cohort.name = "Summer intake"

    assert ">Summer intake</option>" in shown_after(rename_cohort)
    newcomer = make_user(provider, Role.ASSESSOR, name="Newly Assessing")
    db.session.commit()

    def reassign():
        enrolments[0].assessor_id = newcomer.id

    assert ">Newly Assessing</option>" in shown_after(reassign)

    def rename_person():
        newcomer.name = "Renamed Assessor"

    assert ">Renamed Assessor</option>" in shown_after(rename_person)

    assessor = people[Role.ASSESSOR]  # whose decision the coverage table counts

    def flag_new():
        assessor.new_assessor = True

    assert f'>{assessor.name}</a> <span class="tag tag-amber">New</span>' in shown_after(flag_new)
    unit = db.session.get(Unit, enrolments[0].unit_id)

    def retitle_unit():
        unit.title = "Deal with incidents, retitled"

    assert "Deal with incidents, retitled</option>" in shown_after(retitle_unit)

    def drop_cohort():
        db.session.delete(cohort)

    assert "Summer intake" not in shown_after(drop_cohort)


def test_figures_follow_a_learner_moved_to_another_cohort_assessor_and_dates(
    client, auth, people, provider, cohort_data
):
    """Progress rows, criterion states and decisions keep copies of what the filters select
    by; moving a learner moves every figure of theirs at once."""
    from portfolio.enrolments.operations import create_cohort, update_enrolment

    learners, enrolments = cohort_data
    admin = people[Role.ADMIN]
    first, second = (create_cohort(admin, name, None, None) for name in ("First", "Second"))

    def move(enrolment, cohort, assessor, planned_end_on=date(2027, 8, 31)):
        update_enrolment(admin, enrolment, cohort_id=cohort.id, assessor_id=assessor.id,
                         iqa_id=enrolment.iqa_id, starts_on=date(2026, 9, 1),
                         planned_end_on=planned_end_on)  # fmt: skip

    for enrolment in enrolments:
        move(enrolment, first, people[Role.ASSESSOR])
    db.session.commit()
    other = make_user(provider, Role.ASSESSOR, name="Other Assessor")
    moved = enrolments[0]  # met 1.1 and 2.1 in one decision of the first assessor
    move(moved, second, other, planned_end_on=date(2026, 10, 1))  # now past its planned end
    db.session.commit()
    auth.sign_in(admin)

    def table(name, cohort):
        csv_text = client.get(f"/dashboard/export.csv?table={name}&cohort={cohort.id}")
        return list(csv.reader(io.StringIO(csv_text.get_data(as_text=True))))[1:]

    (row,) = table("learners", second)
    assert (row[0], row[3], row[4], row[10], row[11]) == (
        learners[0].name, "Second", "Other Assessor", "2026-10-01", "past planned end"
    )
    assert sorted(r[0] for r in table("learners", first)) == sorted(learner.name for learner in learners[1:])
    lacking = {(r[2], int(r[4]), int(r[5])) for r in table("criteria", second)}
    assert {("1.1", 1, 0), ("2.1", 1, 0), ("3.1", 1, 1)} == lacking
    assert {(r[2], int(r[4]), int(r[5])) for r in table("criteria", first)} == {
        ("1.1", 2, 2), ("2.1", 2, 2), ("3.1", 2, 2)
    }
    assert [r[:2] for r in table("workload", second)] == [["Other Assessor", "1"]]
    assert [r[:2] for r in table("workload", first)] == [[people[Role.ASSESSOR].name, "2"]]
    # The decision stays the first assessor's, and goes with the learner's cohort.
    assert [(r[0], r[4]) for r in table("coverage", second)] == [(people[Role.ASSESSOR].name, "1")]
    assert table("coverage", first) == []
    html = client.get(f"/dashboard?cohort={second.id}").get_data(as_text=True)
    assert f'href="/dashboard/learners?cohort={second.id}">1</a></span> learner' in html
    assessed = client.get(f"/dashboard?assessor={other.id}").get_data(as_text=True)
    assert f'href="/dashboard/learners?assessor={other.id}">1</a></span> learner' in assessed


@pytest.mark.parametrize("url", ["/dashboard", "/dashboard/export.csv", "/dashboard/learners"])
def test_a_filter_that_is_not_one_of_the_choices_is_refused_not_ignored(client, auth, people, url):
    auth.sign_in(people[Role.ADMIN])
    for given in ("abc", "-1", "99999999999999999999"):
        response = client.get(f"{url}?cohort={given}")
        assert response.status_code == 400, given
        assert "is not one of the list&#39;s choices" in response.get_data(as_text=True)
    assert client.get(f"{url}?cohort=").status_code == 200  # "All" sends it empty
