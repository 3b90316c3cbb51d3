"""The IQA's sampling page: coverage against hand counts, and a fixed number of statements."""

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from portfolio import listing
from portfolio.accounts.models import Role
from portfolio.assessment import sampling
from portfolio.assessment.models import Decision, Sample, SampleStatus
from portfolio.db import db, utcnow
from portfolio.enrolments.models import Enrolment
from tests.factories import accepted, make_enrolment, make_user
from tests.statements import counting


def learners_marked(provider, people, n, iqa=None, start=0):
    """n learners of the assessor, each with one accepted item (one decision)."""
    for i in range(start, start + n):
        learner = make_user(provider, Role.LEARNER, name=f"Learner {i:03d}")
        enrolment = make_enrolment(learner, body="SFJ", assessor=people[Role.ASSESSOR],
                                   iqa=iqa or people[Role.IQA])  # fmt: skip
        accepted(learner, people[Role.ASSESSOR], enrolment, ["1.1"], title=f"Account {i}")
    db.session.commit()


def coverage_row(html: str, name: str) -> list[str]:
    """The cells of the coverage table's row for this assessor, as text."""
    table = html[html.index('aria-label="Sampling coverage"') :]
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", table, re.S) if name in r)
    cells = re.findall(r"<td\b[^>]*>(.*?)</td>", row, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_coverage_counts_the_iqas_learners_decisions_this_period(client, auth, people, provider):
    assessor, iqa = people[Role.ASSESSOR], people[Role.IQA]
    learners_marked(provider, people, 6)
    other_iqa = make_user(provider, Role.IQA)
    learners_marked(provider, people, 2, iqa=other_iqa, start=6)  # not this IQA's learners
    oldest = db.session.scalars(
        select(Decision).where(Decision.assessor_id == assessor.id).order_by(Decision.id)
    ).first()
    oldest.decided_at -= timedelta(days=91)  # before the plan's 90-day period
    db.session.commit()

    auth.sign_in(iqa)
    before = coverage_row(client.get("/sampling").get_data(as_text=True), assessor.name)
    assert before == [assessor.name, "5", "0 (0%)", "25%: 2 needed Short", "0 of 1"]

    assert client.post("/sampling/draw").status_code == 302
    sampled = db.session.scalar(select(func.count(Sample.id)))
    assert sampled == 2  # 25% of 5 decisions, rounded up
    after = coverage_row(client.get("/sampling").get_data(as_text=True), assessor.name)
    assert after == [assessor.name, "5", "2 (40%)", "25%: 2 needed Met", "1 of 1"]
    figures = {c.assessor.id: c for c in sampling.coverage(iqa, sampling.plan_for(iqa.provider_id))}
    assert (figures[assessor.id].decisions, figures[assessor.id].sampled) == (5, 2)


def test_the_plan_is_met_only_when_every_unit_has_a_sample_on_both_pages(
    client, auth, people, provider
):
    """Both the IQA's page and the dashboard judge an assessor by the plan's two rules: their
    share sampled, and a sample of every unit they decided on."""
    assessor, iqa = people[Role.ASSESSOR], people[Role.IQA]
    learners_marked(provider, people, 3)  # SFJ
    learner = make_user(provider, Role.LEARNER, name="Learner 100")
    enrolment = make_enrolment(learner, body="PEARSON", assessor=assessor, iqa=iqa)
    accepted(learner, assessor, enrolment, ["1.1"], title="Account 100")
    first = db.session.scalars(select(Decision).order_by(Decision.id)).first()
    db.session.add(Sample(provider_id=provider.id, decision_id=first.id, iqa_id=iqa.id,
                          reasons=["chosen"]))  # fmt: skip
    db.session.commit()

    def plan_cells():
        auth.sign_in(iqa)
        page = coverage_row(client.get("/sampling").get_data(as_text=True), assessor.name)
        auth.sign_in(people[Role.ADMIN])
        export = client.get("/dashboard/export.csv?table=coverage").get_data(as_text=True)
        rows = sorted((r[2], r[-1]) for r in csv.reader(io.StringIO(export)) if r[0] == assessor.name)
        return page, rows

    page, dashboard = plan_cells()
    # One of four decisions is the plan's 25%, but the Pearson unit has no sample.
    assert page == [assessor.name, "4", "1 (25%)", "25%: 1 needed Short", "1 of 2"]
    assert dashboard == [("Pearson", "short"), ("SFJ Awards", "met")]

    auth.sign_in(iqa)
    assert client.post("/sampling/draw").status_code == 302
    drawn = db.session.scalars(select(Sample).where(Sample.decision_id != first.id)).all()
    assert [s.decision.item.title for s in drawn] == ["Account 100"]
    page, dashboard = plan_cells()
    assert page == [assessor.name, "4", "2 (50%)", "25%: 1 needed Met", "2 of 2"]
    assert dashboard == [("Pearson", "met"), ("SFJ Awards", "met")]


def test_the_page_reads_as_many_statements_with_more_decisions_and_samples(
    client, auth, people, provider
):
    iqa = people[Role.IQA]
    learners_marked(provider, people, 2)
    auth.sign_in(iqa)
    client.post("/sampling/draw")
    client.get("/sampling")  # warm caches (templates)
    with counting(db.engine) as small:
        assert client.get("/sampling").status_code == 200
    learners_marked(provider, people, 12, start=2)
    client.post("/sampling/draw")
    assert db.session.scalar(select(func.count(Sample.id))) > 1
    with counting(db.engine) as large:
        assert client.get("/sampling").status_code == 200
    assert len(small) == len(large), "\n\n".join(large)


def test_the_queue_reads_as_many_statements_with_more_items_and_samples_sent_back(
    client, auth, people, provider
):
    from tests.factories import submitted

    assessor, iqa = people[Role.ASSESSOR], people[Role.IQA]

    def more(n, start):
        learners_marked(provider, people, n, start=start)
        for enrolment in db.session.scalars(
            select(Enrolment).where(Enrolment.assessor_id == assessor.id)
        ).all()[-n:]:
            submitted(enrolment.learner, enrolment, title=f"Waiting {enrolment.id}")
        db.session.commit()
        auth.sign_in(iqa)
        client.post("/sampling/draw")
        for sample in db.session.scalars(select(Sample).where(Sample.status == "open")):
            client.post(
                f"/samples/{sample.id}", data={"verdict": "send_back", "actions": "Add comments."}
            )
        auth.sign_out()

    def queue():
        auth.sign_in(assessor)
        client.get("/queue")  # warm caches (templates)
        with counting(db.engine) as statements:
            html = client.get("/queue").get_data(as_text=True)
        auth.sign_out()
        return html, statements

    more(2, 0)
    small_html, small = queue()
    more(12, 2)
    large_html, large = queue()
    assert large_html.count("Add comments.") > small_html.count("Add comments.") >= 1
    assert large_html.count("Waiting ") > small_html.count("Waiting ") >= 2
    assert len(small) == len(large), "\n\n".join(large)


def test_the_iqas_samples_come_awaiting_review_first_a_page_at_a_time(
    client, auth, people, provider, monkeypatch
):
    monkeypatch.setattr(listing, "PAGE_SIZE", 5)
    iqa = people[Role.IQA]
    learners_marked(provider, people, 8)
    decisions = db.session.scalars(select(Decision).order_by(Decision.id)).all()
    # Accounts 0 and 1 await review, 2 and 5 were sent back; the rest are agreed or closed.
    statuses = [SampleStatus.CLOSED, SampleStatus.AGREED, SampleStatus.ACTIONS_REQUIRED]
    now = utcnow()
    for i, decision in enumerate(decisions):  # each sample a day newer than the one before
        db.session.add(Sample(
            provider_id=provider.id, decision_id=decision.id, iqa_id=iqa.id, reasons=["random"],
            status=SampleStatus.OPEN if i < 2 else statuses[i % 3],
            created_at=now - timedelta(days=10 - i),
        ))  # fmt: skip
    db.session.commit()
    auth.sign_in(iqa)

    def shown(html: str) -> list[tuple[str, str]]:
        table = html[html.index('aria-label="Samples"') :]
        return re.findall(r"Accepted: (Account \d)</a>.*?"
                          r'<td data-label="Status" class="key">([^<]+)</td>', table, re.S)  # fmt: skip

    first = client.get("/sampling").get_data(as_text=True)
    assert "8 samples: those awaiting your review first" in first
    assert "Showing 1 to 5." in first and 'href="/sampling?page=2#samples-h"' in first
    assert shown(first)[:4] == [
        ("Account 1", "Awaiting IQA review"), ("Account 0", "Awaiting IQA review"),
        ("Account 5", "Sent back with actions"), ("Account 2", "Sent back with actions"),
    ]  # fmt: skip
    rest = shown(first)[4:] + shown(client.get("/sampling?page=2").get_data(as_text=True))
    assert [account for account, _ in rest] == ["Account 7", "Account 6", "Account 4", "Account 3"]
    assert {status for _, status in rest} == {"Agreed", "Closed after assessor&#39;s response"}
