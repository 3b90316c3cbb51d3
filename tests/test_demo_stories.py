"""The demo data reads true: each item's kind, incident type, title and story agree, and the
README names every demo account."""

import json
import re

from sqlalchemy import select

from portfolio import ROOT
from portfolio.accounts.models import Provider, User
from portfolio.db import db
from portfolio.demo import PEOPLE, PROVIDER, build_demo, demo_email
from portfolio.evidence.models import EvidenceItem

# Every demo item by title: its kind, its incident type (incident logs only), words its
# story must contain, and words it must not (another story's).
STORIES = {
    "Gas smell in a block of flats": ("incident_log", "safety", ["gas", "flats"], ["water", "lift"]),
    "Reflecting on the gas smell report": ("star_account", None, ["gas", "afternoon"], ["late shift"]),
    "Unexpected standing charge": ("call_note", None, ["standing charge", "bill"], ["gas"]),
    "Lift entrapment at the depot": ("incident_log", "equipment_failure", ["lift", "stuck", "depot"],
                                     ["gas", "flats"]),
    "Water leak in the server room": ("incident_log", "equipment_failure",
                                      ["water", "server room", "leak"], ["gas", "flats"]),
    "Gas smell report, late shift": ("incident_log", "safety", ["gas", "22:40"], ["14:05"]),
    "Keeping a caller informed during an outage": ("call_note", None, ["power", "informed"], ["gas"]),
    "What I learned from the gas smell report": ("star_account", None, ["gas", "late shift"], []),
    "Road traffic collision reported by a driver": ("incident_log", "safety",
                                                    ["collision", "driver", "ambulance"],
                                                    ["gas", "flats", "meter"]),
    "Observed on the emergency line": ("observation", None, ["emergency line"], ["gas"]),
}  # fmt: skip


def _text(content) -> str:
    return json.dumps(content, ensure_ascii=False).lower()


def test_every_demo_item_has_the_kind_type_and_story_its_title_promises(app):
    assert build_demo()
    items = db.session.scalars(
        select(EvidenceItem).join(Provider).where(Provider.name == PROVIDER)
    ).all()
    assert sorted(i.title for i in items) == sorted(STORIES)
    references = {}
    for item in items:
        kind, incident_type, words, foreign = STORIES[item.title]
        content = item.current.content
        text = _text(content)
        assert item.kind.value == kind, item.title
        assert content.get("incident_type") == incident_type, item.title
        for word in words:
            assert word in text, f"{item.title!r} does not mention {word!r}"
        for word in foreign:
            assert word not in text, f"{item.title!r} tells another story ({word!r})"
        if kind == "incident_log":
            # INC-YYYYMMDD-NNNN names the day the incident was reported.
            day = re.fullmatch(r"INC-(\d{4})(\d{2})(\d{2})-\d{4}", content["reference"]).groups()
            assert content["reported_at"].startswith("-".join(day)), item.title
            references.setdefault(content["reference"], item.title)
            assert references[content["reference"]] == item.title, "two incidents share a reference"


def test_the_readme_lists_every_demo_account_with_its_name(app):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 150
    for handle, name, _role in PEOPLE:
        assert f"`{demo_email(handle)}`" in readme, handle
        assert name in readme, name


def test_the_demo_people_in_the_readme_have_those_accounts(app):
    build_demo()
    accounts = dict(db.session.execute(select(User.email, User.name)).all())
    for handle, name, _role in PEOPLE:
        assert accounts[demo_email(handle)] == name
