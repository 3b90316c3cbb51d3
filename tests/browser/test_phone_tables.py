"""Every table on a phone (390 px wide): each becomes a block per row, every cell under its
column's name and the key column (status, state, age) first, so that no page and no table
scrolls sideways; the heatmap alone stays a grid that scrolls inside its own region. Each
page is visited by the role that uses it, on the demo data, and is axe-clean."""

import pytest
from playwright.sync_api import Page

from tests.stories import SIDEWAYS, check_accessibility, first_href, sign_in, sign_out, visit

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Each table of the page: how its rows are laid out, which cells lack their column's name,
# whether the column headings still show, how far it sticks out of its scrolling region,
# the columns marked as the key of its rows, and how many rows show another cell above the key.
TABLES = """() => [...document.querySelectorAll('main table')].map(table => {
    const region = table.closest('.table-scroll');
    const rows = [...table.tBodies].flatMap(body => [...body.rows]);
    const cells = rows.flatMap(row => [...row.cells]).filter(cell => cell.tagName === 'TD');
    const keys = [...table.querySelectorAll('tbody .key')];
    const top = cell => cell.getBoundingClientRect().top;
    return {
        name: region ? region.getAttribute('aria-label') : table.textContent.slice(0, 40),
        heatmap: table.classList.contains('heatmap'),
        rows: rows.length,
        layout: getComputedStyle(rows[0]).display + ' ' + getComputedStyle(rows[0]).flexDirection,
        unlabelled: cells.filter(cell => !cell.dataset.label).length,
        shown: [cells[0].dataset.label, getComputedStyle(cells[0], '::before').content],
        headings: table.tHead.getBoundingClientRect().width > 1,
        overflow: region ? region.scrollWidth - region.clientWidth : 0,
        keys: [...new Set(keys.map(key => key.dataset.label))].sort(),
        keyNotFirst: rows.filter(row => {
            const key = row.querySelector('.key');
            return key && [...row.cells].some(cell => cell !== key && top(cell) < top(key));
        }).length,
    };
})"""


def assert_fits(page: Page) -> None:
    """axe-clean, and the page no wider than the phone."""
    check_accessibility(page)
    width = page.evaluate(SIDEWAYS)
    assert width["scrollWidth"] <= width["innerWidth"], (page.url, width["culprits"])


def assert_stacks(page: Page, keys: list[str] | None, tables: int = 1) -> list[dict]:
    """The page fits the phone and each of its tables but the heatmap is a block per row:
    every cell labelled with its column's name, the headings hidden, nothing sticking out,
    the key shown first, and (unless None) the columns ``keys`` across the page marked key."""
    assert_fits(page)
    found = page.evaluate(TABLES)
    assert len(found) >= tables, (page.url, found)
    for table in found:
        if table["heatmap"]:
            continue
        where = (page.url, table["name"])
        assert table["layout"] == "flex column", where
        assert table["unlabelled"] == 0, where
        label, shown = table["shown"]
        assert shown == f'"{label}: "', where
        assert not table["headings"], where
        assert table["overflow"] <= 0, (where, table["overflow"])
        assert table["keyNotFirst"] == 0, where
    if keys is not None:
        assert sorted({key for table in found for key in table["keys"]}) == sorted(keys), page.url
    return found


@pytest.fixture
def phone(page: Page) -> Page:
    page.set_viewport_size(PHONE)
    return page


def test_an_admin_reads_every_list_and_the_dashboard_on_a_phone(phone):
    sign_in(phone, "admin")
    visit(phone, "/enrolments")
    assert_stacks(phone, [])
    visit(phone, "/enrolments?assessor=none")
    assert_fits(phone)
    visit(phone, "/people")
    assert_stacks(phone, ["Status"])
    visit(phone, "/exports/eqa")
    assert_stacks(phone, [])
    visit(phone, "/cohorts")
    assert_stacks(phone, [])
    visit(phone, first_href(phone, "main a[href$='/crosswalk']"))
    assert_stacks(phone, [])
    # The units library is a list, not a table: it only has to fit.
    visit(phone, "/criteria")
    assert_fits(phone)
    assert phone.locator("main table").count() == 0

    visit(phone, "/dashboard")
    found = assert_stacks(phone, ["Oldest item (days)", "Plan"], tables=5)
    assert {t["name"] for t in found} >= {"Progress distribution", "Completion forecast",
                                          "Criteria still lacking", "Assessor workload",
                                          "IQA coverage"}  # fmt: skip
    visit(phone, "/dashboard/learners")
    assert_stacks(phone, ["Status"])


def test_the_heatmap_stays_a_grid_that_scrolls_in_its_own_region_on_a_phone(phone):
    sign_in(phone, "admin")
    visit(phone, "/dashboard")
    visit(phone, first_href(phone, ".empty-state a[href*='unit=']"))
    found = assert_stacks(phone, None, tables=4)
    (heatmap,) = [t for t in found if t["heatmap"]]
    assert heatmap["layout"].startswith("table-row"), heatmap
    assert heatmap["headings"] and heatmap["overflow"] > 0, heatmap


@pytest.mark.parametrize("handle", ["assessor", "iqa", "eqa"])
def test_a_home_pages_learners_stack_on_a_phone(phone, handle):
    sign_in(phone, handle)
    found = assert_stacks(phone, [])
    assert [t["name"] for t in found if t["name"].startswith(("Your caseload", "Learners"))]


def test_an_iqa_reads_the_dashboard_and_an_eqa_the_enrolments_on_a_phone(phone):
    sign_in(phone, "iqa")
    visit(phone, "/dashboard")
    assert_stacks(phone, ["Oldest item (days)", "Plan"], tables=5)
    sign_out(phone)
    sign_in(phone, "eqa")
    visit(phone, "/enrolments")
    assert_stacks(phone, [])


@pytest.mark.parametrize("handle", ["learner", "assessor"])
def test_the_crosswalk_of_an_enrolment_stacks_on_a_phone_its_state_first(phone, handle):
    sign_in(phone, handle)
    portfolio = first_href(phone, "main a[href$='/portfolio']")
    visit(phone, portfolio.removesuffix("/portfolio") + "/crosswalk")
    found = assert_stacks(phone, ["State"])
    assert all(t["rows"] for t in found)
