"""What a list of apprentices shows beside each: the programme, planned hours, progress and
any break, read for the whole page in one statement."""

from collections.abc import Iterable

from sqlalchemy import bindparam, select

from portfolio.apprenticeships.models import Apprenticeship
from portfolio.db import db
from portfolio.progress.models import EnrolmentProgress


def apprentice_figures(enrolment_ids: Iterable[int]) -> dict[int, object]:
    """By enrolment: programme, planned_otj_hours, criteria_met, criteria_total, and the
    progress row's break columns (``breaks.row_paused_days`` reads them)."""
    ids = list(enrolment_ids)
    if not ids:
        return {}
    rows = db.session.execute(_FIGURES, {"enrolment_ids": ids})
    return {row.enrolment_id: row for row in rows}


# Built once, as the module is imported, and run with the page's enrolments bound
# (docs/performance.md, "Statements built once").
_FIGURES = (
    select(
        EnrolmentProgress.enrolment_id,
        Apprenticeship.programme,
        Apprenticeship.planned_otj_hours,
        EnrolmentProgress.criteria_met,
        EnrolmentProgress.criteria_total,
        EnrolmentProgress.starts_on,
        EnrolmentProgress.planned_end_on,
        EnrolmentProgress.break_days,
        EnrolmentProgress.break_since,
        EnrolmentProgress.break_reason,
    )
    .outerjoin(Apprenticeship, Apprenticeship.enrolment_id == EnrolmentProgress.enrolment_id)
    .where(EnrolmentProgress.enrolment_id.in_(bindparam("enrolment_ids", expanding=True)))
)
