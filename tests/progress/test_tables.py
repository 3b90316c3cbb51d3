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


def test_learner_rows_escape_text_link_portfolios_and_show_the_status():
    from datetime import date

    from portfolio.progress.queries import LearnerRow
    from portfolio.progress.tables import learner_rows

    rows = [
        LearnerRow(5, "<i>Zoë</i> & Co", "Unit <1>", "BIIAB", "Cohort \"A\"", None, 2, 5, 3, 6, 1,
                   date(2027, 10, 7), "on track", ()),
        LearnerRow(6, "Bo", "Unit", "SFJ", None, None, 0, 5, 0, None, None, date(2027, 1, 2),
                   "behind plan", ("inactive", "returned twice or more")),
    ]  # fmt: skip
    html = learner_rows(rows, lambda i: f"/enrolments/{i}/portfolio?a=1&b=2", target=10)
    first, second = html.split("</tr>")[:2]
    assert "<i>" not in html and "&lt;i&gt;Zoë&lt;/i&gt; &amp; Co" in first
    assert 'href="/enrolments/5/portfolio?a=1&amp;b=2"' in first
    assert "Cohort &#34;A&#34;" in first and "Unit &lt;1&gt;" in first
    assert '<span style="width: 40%"></span></span> 40% <span class="muted">(2 of 5)</span>' in first
    assert "<td>3, oldest 6 days</td>" in first and "<td>1</td>" in first
    assert "7 October 2027" in first and '<span class="tag tag-green">Green</span></td>' in first
    assert "<td>None</td>" in second and "<td>—</td>" in second
    assert '<span class="tag tag-amber">Amber</span>' in second  # behind plan
    assert '<span class="muted">inactive, returned twice or more</span>' in second
