"""A provider admin chooses the time zone the provider's pages show times in."""

import re

import pytest
from sqlalchemy import select

from portfolio.accounts import providers
from portfolio.accounts.models import Role
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.errors import DomainError


def zone_events(provider_id: int) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.provider_id == provider_id, AuditEvent.action == "provider.changed"
        )
    ).all()


def last_signed_in(html: str) -> str:
    return re.search(r"last signed in ([^<]+?)</p>", html).group(1)


def test_times_are_shown_in_london_until_the_admin_chooses_another_zone(client, auth, people):
    admin, learner = people[Role.ADMIN], people[Role.LEARNER]
    auth.sign_in(learner)
    auth.sign_out()
    auth.sign_in(admin)
    page = client.get("/provider/settings").get_data(as_text=True)
    assert 'value="Europe/London"' in page and '<option value="America/New_York">' in page
    shown = last_signed_in(client.get(f"/people/{learner.id}").get_data(as_text=True))
    assert re.fullmatch(r"\d+ \w{3} \d{4}, \d\d:\d\d (GMT|BST)", shown), shown

    response = client.post("/provider/settings", data={"time_zone": " America/New_York "})
    assert response.status_code == 302
    assert admin.provider.time_zone == "America/New_York"
    (event,) = zone_events(admin.provider_id)
    assert (event.actor_id, event.object_type, event.object_id) == (
        admin.id, "provider", admin.provider_id,
    )  # fmt: skip
    assert event.before == {"time_zone": "Europe/London"}
    assert event.after == {"time_zone": "America/New_York"}
    assert "Times are now shown in America/New_York." in client.get("/provider/settings").get_data(
        as_text=True
    )
    shown = last_signed_in(client.get(f"/people/{learner.id}").get_data(as_text=True))
    assert re.fullmatch(r"\d+ \w{3} \d{4}, \d\d:\d\d E[SD]T", shown), shown


def test_another_providers_pages_keep_their_own_zone(client, auth, people):
    people[Role.ADMIN].provider.time_zone = "Asia/Tokyo"
    db.session.flush()
    other = people["other_admin"]
    auth.sign_in(other)
    shown = last_signed_in(client.get(f"/people/{other.id}").get_data(as_text=True))
    assert shown.endswith(("GMT", "BST")), shown


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ("Europe/Londn", "“Europe/Londn” is not a time zone name"),
        ("../../etc/localtime", "is not a time zone name"),
        ("", "Enter a time zone, such as Europe/London."),
        ("x" * 65, "64 characters"),
    ],
)
def test_a_name_that_is_not_a_zone_is_refused_where_it_was_typed(
    client, auth, people, sent, message
):
    admin = people[Role.ADMIN]
    auth.sign_in(admin)
    response = client.post("/provider/settings", data={"time_zone": sent})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="time_zone-error"' in html and message in html
    assert admin.provider.time_zone == "Europe/London"
    assert zone_events(admin.provider_id) == []


@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.IQA, Role.EQA, Role.LEARNER])
def test_only_the_admin_changes_the_providers_settings(client, auth, people, role):
    auth.sign_in(people[role])
    assert client.get("/provider/settings").status_code == 403
    assert client.post("/provider/settings", data={"time_zone": "UTC"}).status_code == 403
    assert people[Role.ADMIN].provider.time_zone == "Europe/London"


def test_the_rule_holds_without_the_form(people):
    with pytest.raises(DomainError) as refused:
        providers.change_time_zone(people[Role.ADMIN], "Atlantis/Capital")
    assert refused.value.field == "time_zone"
    with pytest.raises(DomainError):
        providers.change_time_zone(people[Role.ASSESSOR], "UTC")
    assert people[Role.ADMIN].provider.time_zone == "Europe/London"
