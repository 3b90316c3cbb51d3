"""Addresses of the learners behind each dashboard figure, built once per page.

A dashboard links a few hundred figures to the learners behind them. Building each address
with ``url_for`` costs more than the rest of the cell, so the address of the learners page
with the page's filters is built once and each figure only appends its own argument.
"""

from urllib.parse import quote_plus, urlencode

from flask import url_for
from markupsafe import Markup, escape

from portfolio.progress.queries import AWAITING_MARKING, Filters


class LearnerLinks:
    """``all``: every learner the filters select; ``figure(risk=...)``: those behind a figure;
    ``by_assessor``, ``awaiting_by_assessor`` (those of an assessor's learners with evidence
    awaiting marking) and ``lacking``: prefixes to which an assessor's or a criterion's id
    is appended; ``decisions``: the prefix of an IQA coverage row's links, to which its unit
    and the assessor whose decisions (or samples) it counts are appended."""

    def __init__(self, filters: Filters):
        self._base = url_for("progress.learners")
        self._args = filters.args()
        self._query = urlencode(self._args)
        self.all = self.figure()
        self.by_assessor = self._prefix("assessor")
        self.awaiting_by_assessor = self._prefix("assessor", evidence=AWAITING_MARKING)
        self.lacking = self._prefix("lacking")
        # The row names the unit and the assessor who decided, whoever assesses the learner now.
        rest = {k: v for k, v in self._args.items() if k not in ("assessor", "unit")}
        self.decisions = escape(f"{self._base}?{urlencode(rest) + '&' if rest else ''}")

    def figure(self, **figure) -> Markup:
        """The filters' query, then the figure's arguments (which no filter shares a name with)."""
        parts = [self._query] if self._query else []
        parts += [
            f"{quote_plus(k)}={quote_plus(str(v))}" for k, v in figure.items() if v is not None
        ]
        return escape(f"{self._base}?{'&'.join(parts)}" if parts else self._base)

    def _prefix(self, name: str, **figure) -> Markup:
        args = {**{k: v for k, v in self._args.items() if k != name}, **figure}
        return escape(f"{self._base}?{urlencode(args) + '&' if args else ''}{name}=")


class ExportLinks:
    """``export(fmt, table)``: the address of a table's CSV or XLSX download with the page's
    filters, from one ``url_for`` per format."""

    def __init__(self, filters: Filters):
        query = urlencode(filters.args())
        self._filters = f"&{query}" if query else ""
        self._base = {fmt: url_for("progress.export", fmt=fmt) for fmt in ("csv", "xlsx")}

    def __call__(self, fmt: str, table: str) -> Markup:
        return escape(f"{self._base[fmt]}?table={quote_plus(table)}{self._filters}")


MARKER = 987_654_321_123  # an id no table will reach, so it marks the one place it occurs


def address_maker(endpoint: str, name: str):
    """A function from an id to the endpoint's address: ``url_for`` once, then formatting.

    The address is built once with a marker id and split around it; tables of learners link
    every row to a portfolio, and this keeps that to a string join per row.
    """
    prefix, _marker, suffix = url_for(endpoint, **{name: MARKER}).rpartition(str(MARKER))
    return lambda value: f"{prefix}{value}{suffix}"
