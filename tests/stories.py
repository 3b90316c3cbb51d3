"""People using the product, shared by tests of several packages: the assessment cycle of one
enrolment through the pages, committed data for requests that run as in service, a
production app, and a person in a real browser."""

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page
from sqlalchemy import select
from werkzeug.serving import make_server

from portfolio import ROOT, create_app
from portfolio.accounts.models import Role
from portfolio.db import db
from portfolio.demo import PASSWORD, demo_email
from portfolio.evidence.models import EvidenceItem
from portfolio.units.models import Criterion
from tests import factories
from tests.evidence.helpers import CALL_NOTE, INCIDENT, STAR

# Through the pages, in the test's transaction ---------------------------------------------

# The evidence each unit needs to be complete: kind, form data, criteria it shows.
UNITS = {
    "SFJ": [("incident_log", INCIDENT, ["1.1", "2.1", "3.1"])],
    "PEARSON": [
        ("incident_log", INCIDENT, ["1.1", "2.1"]),
        ("call_note", CALL_NOTE, []),
        ("star_account", STAR, ["3.1"]),
    ],
}


class Cycle:
    """Acts as each person of one enrolment, through the pages."""

    def __init__(self, client, auth, people, body):
        self.client, self.auth, self.people = client, auth, people
        self.enrolment = factories.make_enrolment(
            people[Role.LEARNER], body=body, assessor=people[Role.ASSESSOR], iqa=people[Role.IQA]
        )
        self.criteria = {c.number: c.id for c in factories.criteria_of(self.enrolment)}
        self.who = None

    def be(self, who):
        if self.who != who:
            self.auth.sign_out()
            self.auth.sign_in(self.people[who])
            self.who = who

    def post(self, url, data=None):
        return self.client.post(url, data=data or {})

    def add(self, kind, data, numbers):
        self.be(Role.LEARNER)
        response = self.post(f"/enrolments/{self.enrolment.id}/evidence/new/{kind}", data)
        assert response.status_code == 302, response.get_data(as_text=True)
        item = db.session.scalars(select(EvidenceItem).order_by(EvidenceItem.id.desc())).first()
        ids = [self.criteria[n] for n in numbers] or [self.criteria["1.1"]]
        assert (
            self.post(
                f"/evidence/{item.id}/claims", {"criterion": [str(i) for i in ids]}
            ).status_code
            == 302
        )
        assert self.post(f"/evidence/{item.id}/submit").status_code == 302
        return item

    def mark(self, item, outcome, met=True, feedback="Well evidenced."):
        self.be(Role.ASSESSOR)
        item = db.session.get(EvidenceItem, item.id)
        data = {"outcome": outcome, "feedback": feedback, "lock_version": item.lock_version}
        for claim in item.claims:
            data[f"judgement_{claim.criterion_id}"] = "met" if met else "not_met"
        return self.post(f"/evidence/{item.id}/mark", data)

    def portfolio(self):
        return self.client.get(f"/enrolments/{self.enrolment.id}/portfolio").get_data(as_text=True)


def complete(c, body="SFJ"):
    """Every piece of evidence the unit needs, accepted; declared by the learner and signed off
    by the assessor (not yet countersigned)."""
    items = [c.add(kind, data, numbers) for kind, data, numbers in UNITS[body]]
    for item in items:
        assert c.mark(item, "accepted").status_code == 302
    c.be(Role.LEARNER)
    assert (
        c.post(f"/enrolments/{c.enrolment.id}/declaration", {"confirm": "yes"}).status_code == 302
    )
    c.be(Role.ASSESSOR)
    assert c.post(f"/enrolments/{c.enrolment.id}/sign-off").status_code == 302
    return items


def download(c):
    """The portfolio PDF's response, read and closed (a file response left open warns)."""
    url = f"/enrolments/{c.enrolment.id}/portfolio.pdf"
    response = c.client.get(url)
    if response.status_code == 302:
        response = c.client.get(url)
    with response:
        response.get_data()
    return response


# A learner's call note naming a customer, with their number, postcode and email.
LEAKY = (
    "Mrs Olivia Bennett rang from 07700 900123 about her bill. Her postcode is SW1A 1AA and "
    "her email is olivia.bennett@example.com. I apologised and raised a credit of £45.99 at 14:32."
)


def eqa_zip(client, sign_off_ids) -> bytes:
    """Ask for the EQA's ZIP of these sign-offs as an admin does, follow its job (run at once
    in the tests) to its page, and download what it made."""
    response = client.post("/exports/eqa", data={"sign_off": [str(i) for i in sign_off_ids]})
    assert response.status_code == 303, response.get_data(as_text=True)
    page = client.get(response.location)
    assert page.status_code == 200 and "Download the ZIP" in page.get_data(as_text=True)
    job_id = response.location.rstrip("/").rsplit("/", 1)[1]
    with client.get(f"/exports/eqa/{job_id}.zip") as download:
        assert download.status_code == 200 and download.mimetype == "application/zip"
        return download.get_data()


def leaky_note(client, enrolment):
    """The signed-in learner writes the call note of ``LEAKY`` and claims a criterion with it."""
    client.post(
        f"/enrolments/{enrolment.id}/evidence/new/call_note", data={**CALL_NOTE, "notes": LEAKY}
    )
    item = db.session.scalar(select(EvidenceItem))
    criterion = db.session.scalar(
        select(Criterion).where(Criterion.criteria_set_id == enrolment.criteria_set_id)
    )
    client.post(f"/evidence/{item.id}/claims", data={"criterion": [str(criterion.id)]})
    return item


# Committed data, for requests that run as in service -------------------------------------

TIMEOUT = 30  # seconds a thread may take before the test gives up on it


@dataclass
class Cast:
    provider_id: int
    learner: str  # email addresses, to sign in with
    assessor: str
    enrolment_id: int
    criteria: list[int]  # the unit's criterion ids, in order


def cast(app, body: str = "SFJ") -> Cast:
    """A provider with a learner enrolled on a unit of ``body`` and their assessor, committed."""
    with app.app_context():
        provider = factories.make_provider()
        assessor = factories.make_user(provider, Role.ASSESSOR)
        learner = factories.make_user(provider, Role.LEARNER)
        enrolment = factories.make_enrolment(learner, body=body, assessor=assessor)
        criteria = [c.id for c in factories.criteria_of(enrolment)]
        made = Cast(provider.id, learner.email, assessor.email, enrolment.id, criteria)
        db.session.commit()
    return made


def signed_in(app, email: str):
    """A client of its own, signed in as ``email``."""
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def new_log(client, enrolment_id: int, **changes) -> int:
    """The learner writes an incident log through the form; returns its id."""
    response = client.post(
        f"/enrolments/{enrolment_id}/evidence/new/incident_log", data={**INCIDENT, **changes}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


# Requests sent at the same moment ----------------------------------------------------


def race(app, email: str, posts: list[tuple[str, dict]]):
    """Each POST from its own client signed in as ``email``, all sent at the same moment.

    Every thread signs in first, then waits at the barrier, so that the POSTs start together.
    Returns the responses in the order of ``posts``.
    """
    barrier = threading.Barrier(len(posts))
    responses: list = [None] * len(posts)
    failures: list[BaseException] = []

    def run(index: int, url: str, data: dict) -> None:
        try:
            client = signed_in(app, email)
            barrier.wait(timeout=TIMEOUT)
            response = client.post(url, data=data)
            response.get_data()  # read the body inside the thread
            responses[index] = response
        except BaseException as error:  # reported by the test, not lost in the thread
            barrier.abort()
            failures.append(error)

    threads = [
        threading.Thread(target=run, args=(i, url, data), name=f"race-{i}")
        for i, (url, data) in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a racing request did not finish"
    if failures:
        raise failures[0]
    return responses


def winner_and_loser(responses, conflict_statuses=(409,)):
    statuses = [r.status_code for r in responses]
    assert sorted(statuses) in ([302, s] for s in conflict_statuses), statuses
    winner = statuses.index(302)
    return winner, 1 - winner


# A deployment ---------------------------------------------------------------------------

PUBLIC = "https://portfolio.example.org"


def production_app(tmp_path, **config):
    """An app as gunicorn would make it: not debugging, not testing."""
    settings = {"SECRET_KEY": "deployment-test-key",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}", **config}  # fmt: skip
    return create_app(settings)


# In a real browser (a Playwright page of tests/browser) ------------------------------------

AXE = Path(ROOT) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}


def check_accessibility(page: Page) -> None:
    """Run axe-core on the page; fail listing every serious or critical violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the pages' content security policy refuses
        # a script tag added inline, as it should.
        page.evaluate(AXE.read_text())
    results = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }""",
        AXE_TAGS,
    )
    failing = [v for v in results if v["impact"] in FAILING_IMPACTS]
    if failing:
        lines = [f"{len(failing)} serious/critical accessibility violation(s) on {page.url}:"]
        for v in failing:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
            lines.extend(f"    {target}" for target in v["targets"])
        pytest.fail("\n".join(lines), pytrace=False)


def visit(page: Page, url: str):
    """Open a URL; assert it did not fail; return the response."""
    response = page.goto(url)
    assert response is not None, url
    assert response.status < 400, f"{url} gave {response.status}"
    return response


def submit(page: Page, button: str):
    """Click a form's submit button and return the response of the page it leads to."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button, exact=True).click()
    return navigation.value


def sign_in(page: Page, handle: str, password: str = PASSWORD):
    """Sign in through the form as the demo person ``handle``."""
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(demo_email(handle))
    page.get_by_label("Password", exact=True).fill(password)
    return submit(page, "Sign in")


def open_menu(page: Page) -> None:
    """On a phone the header's links are behind the Menu button: open it if it is closed."""
    summary = page.locator("details.site-menu:not([open]) > summary")
    if summary.count() and summary.is_visible():
        summary.click()


def sign_out(page: Page) -> None:
    open_menu(page)
    submit(page, "Sign out")
    assert page.url.endswith("/sign-in"), page.url


def hrefs(page: Page, selector: str) -> list[str]:
    """The absolute addresses of the links matching a selector, in order, without repeats."""
    found = page.eval_on_selector_all(selector, "links => links.map(a => a.href)")
    return list(dict.fromkeys(found))


def first_href(page: Page, selector: str) -> str:
    found = hrefs(page, selector)
    assert found, f"no link matches {selector!r} on {page.url}"
    return found[0]


# Where a page sticks out of a narrow window: its width, the window's, and what sticks out.
SIDEWAYS = """() => {
    const width = window.innerWidth;
    const culprits = [];
    for (const el of document.body.querySelectorAll('*')) {
        const right = el.getBoundingClientRect().right;
        const position = getComputedStyle(el).position;
        // Wide tables may overflow inside their own scrolling region; anything else that
        // sticks out (or escapes that region by absolute positioning) widens the page.
        if (right > width + 0.5
            && (!el.closest('.table-scroll') || ['absolute', 'fixed'].includes(position))) {
            const text = el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40);
            culprits.push(`${el.tagName.toLowerCase()}${el.className ? '.' + el.className : ''}`
                + ` (position: ${position}, right edge ${Math.round(right)}px): "${text}"`);
        }
    }
    return {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: width,
            culprits: culprits.slice(0, 5)};
}"""


@contextmanager
def serving(app):
    """Serves the app on a free local port in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()
