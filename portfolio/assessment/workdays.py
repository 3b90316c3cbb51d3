"""Working days, for marking targets: Monday to Friday (bank holidays are not modelled)."""

from datetime import date, timedelta


def working_days_between(start: date, end: date) -> int:
    """Whole working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, extra = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, extra + 1):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def first_day_within(end: date, days: int) -> date:
    """The first day from which no more than ``days`` working days have passed by ``end``:
    anything from before it is more than ``days`` working days old."""
    day = end
    while working_days_between(day - timedelta(days=1), end) <= days:
        day -= timedelta(days=1)
    return day
