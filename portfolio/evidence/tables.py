"""The rows of the portfolio page's two tables: criteria against evidence, and the items.

A portfolio lists every criterion of its unit with the latest items claiming it, and a page
of items; made in Python the rows cost a fraction of the same rows in Jinja, where each
cell is an attribute look-up and an escape. Text is escaped here; numbers are numbers.
"""

from markupsafe import Markup, escape

from portfolio.evidence.coverage import CLAIMED, MET, NOT_STARTED, ItemRow, Portfolio
from portfolio.templating import format_date

STATE_COLOURS = {MET: "green", CLAIMED: "blue", NOT_STARTED: "grey"}


def matrix_rows(portfolio: Portfolio, item_base: str, here: str) -> Markup:
    """Each learning outcome, then each of its criteria: its state, the latest items claiming
    it (linked: ``item_base`` and the item's id), and a link to all of them (``here``, the
    portfolio's address, filtered by the criterion) when there are more."""
    item_base, here = escape(item_base), escape(here)
    by_outcome: dict[int, list] = {}
    for row in portfolio.rows:
        by_outcome.setdefault(row.criterion.outcome_id, []).append(row)
    out = []
    for outcome in portfolio.outcomes:
        out.append(f'<tr class="outcome-row"><th scope="rowgroup" colspan="3">{outcome.number}. '
                   f"{escape(outcome.text)}</th></tr>")  # fmt: skip
        for row in by_outcome.get(outcome.id, ()):
            criterion, state = row.criterion, row.state
            number = escape(criterion.number)
            if row.claimed:
                links = "".join(f'<li><a href="{item_base}{item_id}">{escape(title)}</a></li>'
                                for item_id, title in row.recent)  # fmt: skip
                claimed = f'<ul class="claimed-by">{links}</ul>'
                if row.claimed > len(row.recent):
                    claimed += (f'\n        <a href="{here}?criterion={criterion.id}#items">All '
                                f"{row.claimed} items claiming {number}</a>")  # fmt: skip
            else:
                claimed = "—"
            out.append(
                f'<tr>\n      <th scope="row"><span class="criterion-number">{number}</span> '
                f"{escape(criterion.text)}</th>\n      <td><span class=\"tag "
                f'tag-{STATE_COLOURS[state]}">{state.capitalize()}</span></td>\n      '
                f"<td>{claimed}</td>\n    </tr>"
            )
    return Markup("\n    ".join(out))  # noqa: S704  (every text field is escaped above)


def item_rows(items: list[ItemRow], item_base: str) -> Markup:
    """One row per item: title (linked), kind, status, criteria claimed, files, last change."""
    item_base = escape(item_base)
    out = [
        f'<tr>\n      <td><a href="{item_base}{item.id}">{escape(item.title)}</a></td>\n      '
        f"<td>{escape(item.kind.label)}</td>\n      <td>{escape(item.status.label)}</td>\n      "
        f"<td>{escape(', '.join(item.criteria)) or '—'}</td>\n      <td>{item.files}</td>\n      "
        f"<td>{format_date(item.updated_at)}</td>\n    </tr>"
        for item in items
    ]
    return Markup("\n    ".join(out))  # noqa: S704  (every text field is escaped above)
