"""The rows of the long tables (learners, filter choices, criteria to teach next, heatmap,
workload and IQA coverage): escaped, complete, linked."""

from datetime import date

import pytest

from portfolio.progress.queries import (
    CriterionGap,
    Filters,
    HeatRow,
    LearnerRow,
    Option,
    UnitOption,
)
from portfolio.progress.workload import Coverage, Settings, Workload


@pytest.fixture
def macros(app):
    """The progress tables' macros, rendered as in a request."""
    with app.test_request_context():
        yield app.jinja_env.get_template("progress/macros.html").module


def test_workload_rows_escape_names_and_flag_marking_over_target(macros):
    html = macros.workload_rows(
        [Workload(7, "<script>O'Neil & Co</script>", 3, 2, 5, 12.34), Workload(8, "Bo", 1, 0, None, None)],
        Filters(cohort=3),
        10,
        "awaiting marking",
    )  # fmt: skip
    assert "<script>" not in html
    assert "&lt;script&gt;O&#39;Neil &amp; Co&lt;/script&gt;" in html
    assert (
        '<a href="/dashboard/learners?cohort=3&amp;assessor=7">3</a></td>'
        '<td data-label="Awaiting marking"><a href="/dashboard/'
        'learners?cohort=3&amp;evidence=awaiting+marking&amp;assessor=7">2</a></td>'
    ) in html
    # On a phone the age of the oldest item comes first (app.css: the "key" cell).
    assert '<td data-label="Oldest item (days)" class="key">5</td>' in html
    assert '12.3 <span class="tag tag-red">over target</span>' in html
    bo = html[html.index(">Bo<") :]
    assert '<td data-label="Oldest item (days)" class="key">—</td>' in bo
    assert "over target" not in bo


def test_coverage_rows_escape_text_and_show_the_plan_met_or_short(macros):
    html = macros.coverage_rows(
        [Coverage(7, "<b>Ann</b>", True, "Unit <1>", 4, 1, 25, 9, met=True),
         Coverage(8, "Bo", False, "", 4, 0, 25, 9)],
        Filters(cohort=3, assessor=8),
    )  # fmt: skip
    assert "<b>" not in html and "&lt;b&gt;Ann&lt;/b&gt;" in html and "Unit &lt;1&gt;" in html
    ann, bo = html.split("</tr>")[:2]
    assert 'href="/dashboard/learners?cohort=3&amp;assessor=7"' in ann
    assert '<span class="tag tag-amber">New</span>' in ann
    # The decisions are the row's assessor's, whoever the filters name.
    assert (
        '<td data-label="Decisions"><a href="/dashboard/learners?cohort=3&amp;unit=9&amp;'
        'decided_by=7">4</a></td><td data-label="Sampled"><a href="/dashboard/learners?cohort=3'
        '&amp;unit=9&amp;sampled_by=7">1</a> (25%)</td>'
    ) in ann
    # On a phone the plan, met or short, comes first.
    assert '<td data-label="Plan" class="key">25% <span class="tag tag-green">Met</span>' in ann
    assert "New" not in bo and '<span class="tag tag-amber">Short</span>' in bo


def test_learner_rows_escape_text_link_portfolios_and_show_the_status(macros):
    rows = [
        LearnerRow(5, "<i>Zoë</i> & Co", "Unit <1>", "BIIAB", "Cohort \"A\"", None, 2, 5, 3, 6, 1,
                   date(2027, 10, 7), "on track", ()),
        LearnerRow(6, "Bo", "Unit", "SFJ", None, None, 0, 5, 0, None, None, date(2027, 1, 2),
                   "behind plan", ("inactive", "returned twice or more")),
    ]  # fmt: skip
    settings = Settings(10, 21, 90, 25, 50)
    html = macros.learner_rows(rows, settings)
    first, second = html.split("</tr>")[:2]
    assert "<i>" not in html and "&lt;i&gt;Zoë&lt;/i&gt; &amp; Co" in first
    assert 'href="/enrolments/5/portfolio"' in first
    assert "Cohort &#34;A&#34;" in first and "Unit &lt;1&gt;" in first
    assert (
        '<meter class="meter" min="0" max="100" value="40" aria-hidden="true"></meter> 40% '
        '<span class="muted">(2 of 5)</span>'
    ) in first
    assert '<td data-label="Awaiting marking">3, oldest 6 days</td>' in first
    assert '<td data-label="Days since activity">1</td>' in first
    assert "7 Oct 2027" in first and '<span class="tag tag-green">Green</span></td>' in first
    assert '<td data-label="Awaiting marking">None</td>' in second
    assert '<td data-label="Days since activity">—</td>' in second
    # On a phone the status comes first (app.css: the "key" cell of a stacked row).
    assert '<td data-label="Status" class="key"><span class="tag tag-green">' in first
    assert '<span class="tag tag-amber">Amber</span>' in second  # behind plan
    assert '<span class="muted">inactive, returned twice or more</span>' in second


def test_filter_options_escape_labels_and_select_the_chosen(macros):
    html = macros.filter_options([Option(3, "<b>March</b> & co"), Option(4, "April")], 4)
    assert html == (
        '<option value="3">&lt;b&gt;March&lt;/b&gt; &amp; co</option>'
        '<option value="4" selected>April</option>'
    )
    units = macros.filter_options([UnitOption(9, "Deal with <incidents>", "SFJ", 2)], None,
                                  units=True)
    assert units == '<option value="9">SFJ: Deal with &lt;incidents&gt;</option>'
    assert macros.filter_options((), None) == ""


def test_gap_rows_escape_criteria_and_link_the_learners_lacking_them(macros):
    html = macros.gap_rows(
        [CriterionGap(12, "Unit", "SFJ <Awards>", "1.1", "Log <the> incident", 40, 7)],
        Filters(cohort=3),
    )
    assert html == (
        '<tr><td data-label="Criterion"><strong>1.1</strong> Log &lt;the&gt; incident</td>'
        '<td data-label="Unit">SFJ &lt;Awards&gt;</td><td data-label="Learners lacking it">'
        '<a href="/dashboard/learners?cohort=3&amp;lacking=12">7</a> of 40</td></tr>'
    )


def test_heat_rows_escape_names_and_label_each_state(macros):
    html = macros.heat_rows([HeatRow(5, "<i>Zoë</i>", [2, 1, 0, None])])
    assert html.startswith(
        '<tr><th scope="row"><a href="/enrolments/5/portfolio">&lt;i&gt;Zoë&lt;/i&gt;'
    )
    assert html.endswith(
        '<td class="heat-2">● met</td><td class="heat-1">◐ claimed</td>'
        '<td class="heat-0">○ not started</td><td class="heat-None"></td></tr>'
    )
