"""Over the marking target: an item is overdue once more working days than the provider's
target have passed since it was submitted, counted in SQL for the whole queue."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from portfolio.accounts.models import Role
from portfolio.assessment.marking import queue_summary
from portfolio.assessment.workdays import first_day_within, working_days_between
from portfolio.db import db
from tests.factories import make_enrolment, submitted

# A Monday, a Wednesday, a Saturday and a Sunday.
ENDS = [date(2026, 11, 30), date(2026, 12, 2), date(2026, 12, 5), date(2026, 12, 6)]


@pytest.mark.parametrize("end", ENDS, ids=lambda end: end.strftime("%a"))
@pytest.mark.parametrize("days", [1, 2, 5, 10, 60])
def test_the_first_day_within_the_target_splits_the_days_as_counting_each_would(end, days):
    within = first_day_within(end, days)
    for back in range(0, 120):
        day = end - timedelta(days=back)
        assert (working_days_between(day, end) > days) == (day < within), day


def test_the_queue_counts_over_the_target_what_each_items_age_says(people):
    learner, assessor = people[Role.LEARNER], people[Role.ASSESSOR]
    enrolment = make_enrolment(learner, body="SFJ", assessor=assessor)
    today = date(2026, 12, 2)
    ages = []
    for back in range(0, 21):  # one item a day, at midnight and just before the next
        for at in (time(0, 0), time(23, 59, 59)):
            item = submitted(learner, enrolment, title=f"{back} days back at {at}")
            item.submitted_at = datetime.combine(today - timedelta(days=back), at, tzinfo=UTC)
            ages.append(working_days_between(item.submitted_at.date(), today))
    db.session.commit()

    for target in (1, 3, 10):
        assessor.provider.marking_target_days = target
        waiting, overdue = queue_summary(assessor, today)
        assert waiting == len(ages) == 42
        assert overdue == sum(1 for age in ages if age > target), target
        assert 0 < overdue < waiting
