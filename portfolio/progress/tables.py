"""The rows of the dashboard's two long tables, assessor workload and IQA coverage.

A cohort's dashboard lists a row per assessor and per assessor and unit, a few hundred rows
in all; made in Python they cost a third of what the same rows cost in Jinja, where each
cell is an attribute look-up and an escape. Text is escaped here; numbers are numbers.
"""

from markupsafe import Markup, escape

from portfolio.progress.workload import Coverage, Workload

OVER_TARGET = ' <span class="tag tag-red">over target</span>'
NEW_ASSESSOR = ' <span class="tag tag-amber">New</span>'
MET = '<span class="tag tag-green">Met</span>'
SHORT = '<span class="tag tag-amber">Short</span>'


def workload_rows(rows: list[Workload], by_assessor: Markup, target: int) -> Markup:
    """One row per assessor; the learner count links to the assessor's learners."""
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
            f"{w.learners}</a></td><td>{w.queue}</td>\n      <td>{oldest}</td>\n      "
            f"<td>{marking}</td></tr>"
        )
    return Markup("".join(out))  # noqa: S704  (every text field is escaped above)


def coverage_rows(rows: list[Coverage], by_assessor: Markup) -> Markup:
    """One row per assessor and unit; the assessor's name links to their learners."""
    out = []
    for c in rows:
        percent = c.percent
        new = NEW_ASSESSOR if c.new_assessor else ""
        met = MET if percent >= c.share else SHORT
        out.append(
            f'<tr><th scope="row"><a href="{by_assessor}{c.assessor_id}">{escape(c.name)}</a>{new}'
            f"</th><td>{escape(c.unit)}</td><td>{c.decisions}</td><td>{c.sampled} ({percent}%)"
            f"</td>\n      <td>{c.share}% {met}</td></tr>"
        )
    return Markup("".join(out))  # noqa: S704  (every text field is escaped above)
