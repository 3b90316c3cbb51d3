"""Importing learners from the MIS in a real browser: the upload page and the dry run's
report are accessible, on a desk and on a phone."""

import pytest

from tests.stories import SIDEWAYS, check_accessibility, sign_in, sign_out, submit, visit

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
CSV = (
    "mis_id,uln,name,email,cohort,awarding_body,unit_code,start,planned_end,assessor_email,"
    "iqa_email\r\n"
    "B0001,9276308686,Imran Browser,imran.browser@example.org,Browser cohort,PEARSON,"
    "PEARSON-INCIDENTS,2026-09-07,2027-09-03,assessor@northgate.example.org,"
    "iqa@northgate.example.org\r\n"
    "B0002,,Bad Row,not-an-address,,PEARSON,PEARSON-INCIDENTS,2026-09-07,2027-09-03,,\r\n"
)


def test_the_admin_checks_a_file_and_reads_its_report_on_a_desk_and_on_a_phone(page, tmp_path):
    sign_in(page, "admin")
    visit(page, "/cohorts")
    with page.expect_navigation():
        page.get_by_role("link", name="Import learners from your MIS").click()
    assert page.locator("h1").inner_text() == "Import learners from your MIS"
    check_accessibility(page)
    path = tmp_path / "learners.csv"
    path.write_text(CSV, encoding="utf-8")
    page.get_by_label("CSV file from your MIS").set_input_files(str(path))
    assert submit(page, "Check the file").ok
    assert page.locator("h1").inner_text() == "Import of learners.csv"
    rows = page.locator("main table tbody tr")
    assert rows.count() == 2
    assert "Refused" in rows.first.inner_text()  # refused rows come first
    assert page.get_by_role("button", name="Import 1 row").is_visible()
    check_accessibility(page)
    report = page.url

    page.set_viewport_size(PHONE)
    for url in ("/onboarding", report):
        visit(page, url)
        width = page.evaluate(SIDEWAYS)
        assert width["scrollWidth"] <= width["innerWidth"], width["culprits"]
        check_accessibility(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_out(page)
