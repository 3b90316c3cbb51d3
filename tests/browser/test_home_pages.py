"""Each role's home page is a to-do list: at desktop and phone widths it passes axe-core,
fits the screen, and its first task leads to the page where that work is done."""

import re

import pytest

from tests.stories import SIDEWAYS, check_accessibility, first_href, sign_in, visit

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
TODO = "section[aria-labelledby='todo-h']"

# Who, the first task on their home page, and where it must lead: on the demo data, Aisha has
# a call note with personal data to resolve, Chloe evidence returned with feedback, Priya a
# queue, Tom a sample the IQA sent back, the IQA samples to review, the admin learners at risk.
# Other browser tests share the demo provider and may have done a task first: then the next
# one (or, for Tom, the queue the empty list names) is the first.
FIRST_TASKS = [
    ("learner", f"{TODO} a[href$='/check']", r"/evidence/\d+/check$", "Personal-data check"),
    ("learner3", f"{TODO} ul.todo a[href^='/evidence/']", r"/evidence/\d+$", "Returned for rework"),
    ("assessor", f"{TODO} a[href$='/mark']", r"/evidence/\d+/mark$", "Mark:"),
    ("assessor2", f"{TODO} a[href^='/samples/'], {TODO} a[href$='/queue']",
     r"/samples/\d+$|/queue$", "Sampled decision|Marking queue"),
    ("iqa", f"{TODO} a[href^='/samples/'], {TODO} ul.todo a[href$='#signoff-h']",
     r"/samples/\d+$|/portfolio#signoff-h$", "Sampled decision|Sign-off"),
    ("admin", f"{TODO} a[href^='/dashboard/learners?risk=']", r"/dashboard/learners\?risk=",
     "learner"),
]  # fmt: skip


def fits(page) -> None:
    width = page.evaluate(SIDEWAYS)
    assert width["scrollWidth"] <= width["innerWidth"], width["culprits"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("handle, link, lands, shows", FIRST_TASKS)
def test_each_home_page_leads_to_its_first_task(page, handle, link, lands, shows, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, handle)
    visit(page, "/")
    assert page.locator(TODO).count() == 1, f"{handle} has no to-do list"
    check_accessibility(page)
    fits(page)
    task = page.locator(link).first
    text = task.inner_text()
    href = first_href(page, link)
    with page.expect_navigation():
        task.click()
    assert re.search(lands, page.url), (text, page.url)
    assert re.search(shows, page.locator("main").inner_text(), re.I), (text, page.url)
    check_accessibility(page)
    fits(page)
    assert page.url == href


@pytest.mark.parametrize("width", WIDTHS)
def test_the_admins_figures_match_and_the_heatmap_says_what_to_choose(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "admin")
    visit(page, "/")
    risk = page.locator(f"{TODO} a[href^='/dashboard/learners?risk=']").first
    counted = int(risk.inner_text().split()[0])
    with page.expect_navigation():
        risk.click()
    assert f"{counted} learner" in page.locator("main").inner_text()
    visit(page, "/dashboard")
    empty = page.locator("section[aria-labelledby='heat-h'] .empty-state")
    assert "Choose the unit in “Unit” above" in empty.inner_text()
    check_accessibility(page)
    fits(page)
    with page.expect_navigation():
        empty.locator("a").first.click()
    assert page.locator("table.heatmap").count() == 1
    assert page.get_by_role("link", name="CSV").first.is_visible()
    check_accessibility(page)
    fits(page)
