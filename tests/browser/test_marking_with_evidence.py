"""The marking page in a real browser: the evidence beside the criteria on a wide screen and
above them on a phone, axe-clean at both widths. Only reads: Aisha's log stays in the queue
for the other tests."""

import pytest

from tests.stories import check_accessibility, sign_in, visit

pytestmark = pytest.mark.browser

AISHAS_LOG = "Gas smell in a block of flats"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_evidence_is_beside_the_criteria_on_a_screen_and_above_them_on_a_phone(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "assessor")
    visit(page, "/queue")
    row = page.locator("tbody tr", has_text=AISHAS_LOG).first
    visit(page, row.locator("a[href$='/mark']").first.evaluate("a => a.href"))
    evidence = page.locator(".marking-evidence")
    criteria = page.locator(".marking-criteria")
    assert evidence.locator("ol.timeline li").count() >= 3
    assert "Reference" in evidence.locator("dl.summary").inner_text()
    left, right = evidence.bounding_box(), criteria.bounding_box()
    if width >= 1024:
        assert left["x"] + left["width"] <= right["x"], (left, right)
        assert abs(left["y"] - right["y"]) < 5  # side by side, tops aligned
        # The criteria scroll while the evidence stays in view in its own column.
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(200)
        assert evidence.bounding_box()["y"] >= -1
    else:
        assert left["y"] + left["height"] <= right["y"], (left, right)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    check_accessibility(page)
