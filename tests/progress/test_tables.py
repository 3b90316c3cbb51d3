"""The dashboard's workload and IQA coverage rows, made in Python: escaped, complete, linked."""

from markupsafe import Markup

from portfolio.progress.tables import coverage_rows, workload_rows
from portfolio.progress.workload import Coverage, Workload

PREFIX = Markup("/dashboard/learners?cohort=3&amp;assessor=")


def test_workload_rows_escape_names_and_flag_marking_over_target():
    html = workload_rows(
        [Workload(7, "<script>O'Neil & Co</script>", 3, 2, 5, 12.34), Workload(8, "Bo", 1, 0, None, None)],
        PREFIX,
        target=10,
    )  # fmt: skip
    assert "<script>" not in html
    assert "&lt;script&gt;O&#39;Neil &amp; Co&lt;/script&gt;" in html
    assert '<a href="/dashboard/learners?cohort=3&amp;assessor=7">3</a></td><td>2</td>' in html
    assert '12.3 <span class="tag tag-red">over target</span>' in html
    bo = html[html.index(">Bo<") :]
    assert "<td>—</td>" in bo and "over target" not in bo


def test_coverage_rows_escape_text_and_show_the_plan_met_or_short():
    html = coverage_rows(
        [Coverage(7, "<b>Ann</b>", True, "Unit <1>", 4, 1, 25), Coverage(8, "Bo", False, "", 4, 0, 25)],
        PREFIX,
    )  # fmt: skip
    assert "<b>" not in html and "&lt;b&gt;Ann&lt;/b&gt;" in html and "Unit &lt;1&gt;" in html
    ann, bo = html.split("</tr>")[:2]
    assert 'href="/dashboard/learners?cohort=3&amp;assessor=7"' in ann
    assert '<span class="tag tag-amber">New</span>' in ann and "1 (25%)" in ann
    assert '<span class="tag tag-green">Met</span>' in ann
    assert "New" not in bo and '<span class="tag tag-amber">Short</span>' in bo
