"""The rows of the long tables: learners (the caseload and the learners behind a figure),
and the dashboard's filter choices, criteria to teach next, heatmap, assessor workload and
IQA coverage.

A cohort's dashboard lists a row per assessor and per assessor and unit, a few hundred rows
in all, and a caseload fifty learners of seven cells; made in Python they cost a third of
what the same rows cost in Jinja, where each cell is an attribute look-up and an escape.
Text is escaped here; numbers are numbers.
"""

from collections.abc import Callable
from functools import lru_cache
from operator import itemgetter

from markupsafe import Markup, escape

from portfolio.progress.queries import CriterionGap, LearnerRow
from portfolio.progress.workload import Coverage, Settings, Workload
from portfolio.templating import format_date

OVER_TARGET = ' <span class="tag tag-red">over target</span>'
NEW_ASSESSOR = ' <span class="tag tag-amber">New</span>'
MET = '<span class="tag tag-green">Met</span>'
SHORT = '<span class="tag tag-amber">Short</span>'
HEAT_LABELS = {2: "● met", 1: "◐ claimed", 0: "○ not started", None: ""}


def learner_rows(rows: list[LearnerRow], portfolio_href: Callable[[int], str],
                 settings: Settings) -> Markup:  # fmt: skip
    """One row per learner: name (linked to the portfolio) and cohort, unit, criteria met,
    evidence awaiting marking, days since the last activity, planned end with the forecast,
    and the red/amber/green status with the risks behind it (by the provider's settings)."""
    target, inactive_days = settings.marking_target_days, settings.inactive_days
    out = []
    for r in rows:
        rag = r.rag(target, inactive_days)
        cohort = f'<br><span class="muted">{escape(r.cohort)}</span>' if r.cohort else ""
        if not r.awaiting:
            awaiting = "None"
        elif r.oldest_awaiting_days is None:
            awaiting = r.awaiting
        else:
            awaiting = f"{r.awaiting}, oldest {r.oldest_awaiting_days} days"
        inactive = "—" if r.inactive_days is None else r.inactive_days
        risks = f'<br><span class="muted">{escape(", ".join(r.risks))}</span>' if r.risks else ""
        out.append(
            f'<tr>\n    <td><a href="{escape(portfolio_href(r.enrolment_id))}">{escape(r.learner)}'
            f'</a>{cohort}</td>\n    <td>{escape(r.unit)}<br><span class="muted">'
            f'{escape(r.awarding_body)}</span></td>\n    <td><meter class="meter" min="0" '
            f'max="100" value="{r.percent}" aria-hidden="true"></meter> {r.percent}% <span '
            f'class="muted">({r.met} of {r.total})</span></td>\n    <td>{awaiting}</td>\n    '
            f"<td>{inactive}</td>\n    <td>{format_date(r.planned_end_on)}<br><span "
            f'class="muted">{escape(r.forecast)}</span></td>\n    <td><span class="tag '
            f'tag-{rag}">{rag.capitalize()}</span>{risks}</td>\n  </tr>'
        )
    return Markup("\n".join(out))  # noqa: S704  (every text field is escaped above)


def workload_rows(rows: list[Workload], by_assessor: Markup, awaiting_by_assessor: Markup,
                  target: int) -> Markup:  # fmt: skip
    """One row per assessor; the learner count links to the assessor's learners, and the
    count of evidence awaiting marking to those of them with evidence awaiting."""
    out = []
    for w in rows:
        oldest = "—" if w.oldest_days is None else w.oldest_days
        if w.average_marking_days is None:
            marking = "—"
        else:
            over = OVER_TARGET if w.average_marking_days > target else " "
            marking = f"{round(w.average_marking_days, 1)}{over}"
        out.append(
            f'<tr><th scope="row">{escape(w.name)}</th><td><a href="{by_assessor}{w.assessor_id}">'
            f'{w.learners}</a></td><td><a href="{awaiting_by_assessor}{w.assessor_id}">'
            f"{w.queue}</a></td>\n      <td>{oldest}</td>\n      "
            f"<td>{marking}</td></tr>"
        )
    return Markup("".join(out))  # noqa: S704  (every text field is escaped above)


def coverage_rows(rows: list[Coverage], by_assessor: Markup, decisions: Markup) -> Markup:
    """One row per assessor and unit; the assessor's name links to their learners, and the
    counts of decisions and of those sampled to the learners whose evidence they were on."""
    out = []
    units: dict[str, Markup] = {}  # a few units' titles over many rows, each escaped once
    for c in rows:
        percent = c.percent
        new = NEW_ASSESSOR if c.new_assessor else ""
        met = MET if percent >= c.share else SHORT
        unit = units.get(c.unit)
        if unit is None:
            unit = units[c.unit] = escape(c.unit)
        row = f"{decisions}unit={c.unit_id}&amp;"
        out.append(
            f'<tr><th scope="row"><a href="{by_assessor}{c.assessor_id}">{escape(c.name)}</a>{new}'
            f'</th><td>{unit}</td><td><a href="{row}decided_by={c.assessor_id}">{c.decisions}</a>'
            f'</td><td><a href="{row}sampled_by={c.assessor_id}">{c.sampled}</a> ({percent}%)'
            f"</td>\n      <td>{c.share}% {met}</td></tr>"
        )
    return Markup("".join(out))  # noqa: S704  (every text field is escaped above)


@lru_cache(maxsize=512)
def options(
    items: tuple[tuple, ...], chosen: int | None, label: Callable[[tuple], str] | None = None
) -> Markup:
    """A select's options after its "All": each item's id as the value, its label (or
    ``label(item)``) shown, the chosen one selected.

    Kept for each list of items and choice: the filters' options are kept until they change
    (``queries.filter_options``), and a large provider's assessors make a hundred options,
    a twentieth of what a cohort's dashboard costs to make."""
    label = label or itemgetter(1)
    return Markup(  # noqa: S704  (labels are escaped here; values are ids)
        "".join(
            f'<option value="{item[0]}"{" selected" if item[0] == chosen else ""}>'
            f"{escape(label(item))}</option>"
            for item in items
        )
    )


def unit_label(unit: tuple) -> str:
    """A unit among the filters' options: its awarding body, then its title."""
    return f"{unit[2]}: {unit[1]}"


def gap_rows(gaps: list[CriterionGap], lacking: Markup) -> Markup:
    """One row per criterion: its number and text, its unit's awarding body, and how many of
    the learners on that unit lack it, linked to them."""
    return Markup(  # noqa: S704  (every text field is escaped here)
        "".join(
            f"<tr><td><strong>{escape(g.number)}</strong> {escape(g.text)}</td><td>"
            f'{escape(g.awarding_body)}</td><td><a href="{lacking}{g.criterion_id}">{g.lacking}'
            f"</a> of {g.learners}</td></tr>"
            for g in gaps
        )
    )


def heat_rows(rows: dict[int, dict], portfolio_href: Callable[[int], str]) -> Markup:
    """One row per learner: the name linked to the portfolio, then a cell per criterion
    with the learner's state on it (met, claimed, not started, or none)."""
    return Markup(  # noqa: S704  (the name is escaped here; the states are our own labels)
        "".join(
            f'<tr><th scope="row"><a href="{escape(portfolio_href(enrolment_id))}">'
            f"{escape(row['name'])}</a></th>\n      "
            + "".join(f'<td class="heat-{s}">{HEAT_LABELS[s]}</td>' for s in row["states"])
            + "</tr>"
            for enrolment_id, row in rows.items()
        )
    )
