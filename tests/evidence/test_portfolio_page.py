"""The portfolio page of a learner with many items: pages of items, the criterion filter,
counts against a hand count, and a number of SQL statements that does not grow with items."""

import re

from portfolio.db import db
from portfolio.evidence import operations
from portfolio.evidence.coverage import ITEMS_PAGE, LATEST_CLAIMS
from portfolio.evidence.models import EvidenceKind
from tests.factories import STAR_CONTENT, criteria_of, submitted
from tests.statements import counting


def add_items(learner, enrolment, n, claims, first=0):
    """n STAR accounts titled "Account <number>", each claiming the given criteria."""
    items = []
    for i in range(first, first + n):
        item = operations.start_item(
            learner, enrolment, EvidenceKind.STAR_ACCOUNT, f"Account {i:03d}", STAR_CONTENT
        )
        operations.set_claims(learner, item, {c.id: "" for c in claims})
        items.append(item)
    db.session.commit()
    return items


def titles(html):
    return re.findall(r">(Account \d{3})</a></td>", html)


def test_items_come_in_pages_newest_first(client, learner, enrolment):
    criteria = criteria_of(enrolment)
    add_items(learner, enrolment, ITEMS_PAGE + 5, criteria[:1])
    url = f"/enrolments/{enrolment.id}/portfolio"
    first = client.get(url).get_data(as_text=True)
    assert "30</span> evidence items" in first
    assert len(titles(first)) == ITEMS_PAGE
    assert titles(first)[0] == f"Account {ITEMS_PAGE + 4:03d}"  # the latest change first
    assert "Page 1 of 2" in first and "?page=2#items" in first
    second = client.get(url + "?page=2").get_data(as_text=True)
    assert titles(second) == [f"Account {i:03d}" for i in range(4, -1, -1)]
    assert set(titles(first)).isdisjoint(titles(second))
    missing = client.get(url + "?page=3")
    assert missing.status_code == 404
    assert "There is no page 3 of this evidence list." in missing.get_data(as_text=True)
    for bad in ("?page=0", "?page=two", "?criterion=x"):
        response = client.get(url + bad)
        assert response.status_code == 400, bad
        assert "whole numbers" in response.get_data(as_text=True)


def test_each_criterion_shows_its_count_and_links_to_every_item_claiming_it(
    client, learner, enrolment
):
    criteria = criteria_of(enrolment)
    many, few = criteria[0], criteria[1]
    add_items(learner, enrolment, LATEST_CLAIMS + 2, [many])
    add_items(learner, enrolment, 2, [many, few], first=50)
    url = f"/enrolments/{enrolment.id}/portfolio"
    html = client.get(url).get_data(as_text=True)
    assert f"All {LATEST_CLAIMS + 4} items claiming {many.number}" in html
    assert f"items claiming {few.number}<" not in html  # both of its items are listed already
    lists = re.findall(r'<ul class="claimed-by">(.*?)</ul>', html)
    assert len(re.findall("<li>", lists[0])) == LATEST_CLAIMS
    assert re.findall(r">(Account \d{3})<", lists[1]) == ["Account 051", "Account 050"]

    # Each item lists the criteria it claims, in the unit's order.
    row = html[html.index(">Account 050</a></td>") :]
    row = row[: row.index("</tr>")]
    assert f'<td data-label="Criteria claimed">{many.number}, {few.number}</td>' in row
    lone = html[html.index(">Account 000</a></td>") :]
    assert f'<td data-label="Criteria claimed">{many.number}</td>' in lone[: lone.index("</tr>")]

    filtered = client.get(f"{url}?criterion={few.id}").get_data(as_text=True)
    assert sorted(titles(filtered)) == ["Account 050", "Account 051"]
    assert f"2 items claim criterion {few.number}" in filtered
    assert "Show all 7 items" in filtered
    everything = client.get(f"{url}?criterion={many.id}").get_data(as_text=True)
    assert len(titles(everything)) == LATEST_CLAIMS + 4
    unclaimed = client.get(f"{url}?criterion={criteria[2].id}").get_data(as_text=True)
    assert "No item claims this criterion yet." in unclaimed


def test_the_tiles_count_criteria_awaiting_judgement_apart_from_those_claimed_in_drafts(
    client, learner, enrolment
):
    criteria = criteria_of(enrolment)
    url = f"/enrolments/{enrolment.id}/portfolio"

    def tiles():
        html = client.get(url).get_data(as_text=True)
        return dict((label, int(n)) for n, label in re.findall(
            r'<li><span class="stat">(\d+)(?:/\d+)?</span> ([^<]+)</li>', html))  # fmt: skip

    add_items(learner, enrolment, 2, criteria[:2])  # drafts
    counted = tiles()
    assert counted["claimed, awaiting judgement"] == 0
    assert counted["claimed in drafts or not met yet"] == 2
    waiting = submitted(learner, enrolment)  # claims the first criterion
    db.session.commit()
    counted = tiles()
    assert counted["claimed, awaiting judgement"] == 1
    assert counted["claimed in drafts or not met yet"] == 1
    assert counted["not started"] == len(criteria) - 2
    assert waiting.status.value == "submitted"


def test_a_criterion_of_another_unit_is_not_a_filter(client, learner, enrolment):
    from tests.factories import unit_by_code

    add_items(learner, enrolment, 1, criteria_of(enrolment)[:1])
    foreign = unit_by_code("CG").current.criteria[0]
    response = client.get(f"/enrolments/{enrolment.id}/portfolio?criterion={foreign.id}")
    assert response.status_code == 404
    assert "That criterion is not part of this unit." in response.get_data(as_text=True)


def test_statement_count_does_not_grow_with_items(client, learner, enrolment):
    criteria = criteria_of(enrolment)
    url = f"/enrolments/{enrolment.id}/portfolio"
    add_items(learner, enrolment, 2, criteria[:2])
    client.get(url)  # warm caches (templates)
    with counting(db.engine) as small:
        assert client.get(url).status_code == 200
    add_items(learner, enrolment, 40, criteria, first=2)
    with counting(db.engine) as large:
        assert client.get(url).status_code == 200
    second_page = f"{url}?criterion={criteria[0].id}&page=2"
    with counting(db.engine) as filtered:
        assert client.get(second_page).status_code == 200
    assert len(small) == len(large) == len(filtered), (len(small), len(large), len(filtered))


def test_titles_criteria_and_outcomes_are_escaped_in_both_tables(client, learner, enrolment):
    criteria = criteria_of(enrolment)
    item = operations.start_item(learner, enrolment, EvidenceKind.STAR_ACCOUNT,
                                 '<img src=x onerror="alert(1)"> & co', STAR_CONTENT)  # fmt: skip
    operations.set_claims(learner, item, {criteria[0].id: ""})
    db.session.commit()
    html = client.get(f"/enrolments/{enrolment.id}/portfolio").get_data(as_text=True)
    assert "<img src=x" not in html
    escaped = "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; co"
    matrix, items = html.split('id="items"')
    assert f'<li><a href="/evidence/{item.id}">{escaped}</a></li>' in matrix
    assert f'<td data-label="Title"><a href="/evidence/{item.id}">{escaped}</a></td>' in items
    assert f'<td data-label="Criteria claimed">{criteria[0].number}</td>' in items
    assert '<td data-label="Kind">STAR reflective account</td>' in items
    assert '<span class="tag tag-blue">Claimed</span>' in matrix
