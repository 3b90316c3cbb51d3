"""A load test: people of every role using the app at once, as they do, under gunicorn.

For each database (SQLite in a temporary folder, then PostgreSQL in a throwaway cluster),
build the demo and a small large provider with bench/harness.py's ``build``, serve it with its
``Server`` (gunicorn, sync workers, two per core) on a free loopback port, and run 20
clients (``--clients``) for 60 s (``--seconds``), each signed in as an account of its own:
learners, assessors, IQAs, admins and the EQA of both providers, taken in turn. Each client
finds its ids on the pages it reads and does what its role does, with no pause between
requests:

- reads: the pages of its role (home, portfolio, evidence, caseload, queue, sampling,
  dashboard, people, enrolments, audit trails);
- refused reads: another learner's evidence, another provider's enrolment, learner or
  person (404), a page of another role (403);
- writes: learners start call notes, save their drafts and claim criteria; assessors mark
  what their queue holds; everyone signs out and in again now and then, sometimes with a
  wrong password first.

Every form is read before it is posted, and posted with the CSRF token it carries: the
server runs with CSRF on, as in production. Each client sends from a loopback address of
its own (127.0.0.10, .11, ...), as people do from their own machines, so that the sign-in
throttle, which counts failures by address (50 in 15 minutes) as well as by account, counts
each client's apart; a client makes at most MAX_FAILED_SIGN_INS of them, each followed by
a sign-in with the right password. All traffic goes to 127.0.0.1.

Printed per database: requests and statuses by kind, with their p50 and p99; every 5xx
with its path and the start of its page; statuses a kind should not get (a refused read
that answered 200, a sign-in redirect that means a session was lost); and the errors in
gunicorn's log. Exits non-zero if any request got a 5xx or a refused read was answered.

Run: .venv/bin/python bench/load.py [--seconds 60] [--clients 20] [--databases sqlite,postgresql]
     [--learners 200] [--items 10] [--workers N]
"""

import argparse
import functools
import http.client
import http.cookiejar
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for bench.harness and tests.postgres when run as a script

from bench import harness  # noqa: E402
from bench.large_demo import ADMIN_EMAIL, DOMAIN  # noqa: E402
from portfolio.demo import PASSWORD, PEOPLE, demo_email  # noqa: E402

HOST = harness.HOST
FIRST_CLIENT_ADDRESS = 10  # client n sends from 127.0.0.(10 + n)
MAX_CLIENTS = 200
MAX_FAILED_SIGN_INS = 30  # per client: under the 50 from one address that the throttle counts
SIGN_IN_ATTEMPTS = 3  # before a client that cannot sign in stops
REQUESTS_PER_CLIENT_SECOND = 100  # the bound on a client's requests: far above what it does
EXCERPT = 160  # characters of a 5xx page's text shown

# Each client takes the next role of this cycle that still has an account free, or a learner.
ROLE_CYCLE = ("learner", "assessor", "learner", "admin", "learner", "iqa", "learner",
              "assessor", "learner", "eqa")  # fmt: skip

CALL_NOTE = {
    "title": "Billing dispute call",
    "call_date": date.today().isoformat(),
    "channel": "inbound_phone",
    "duration_minutes": "12",
    "notes": "The caller disputed a charge on their last bill. I explained the tariff "
    "change, apologised for the confusion and raised a credit request with billing, then "
    "confirmed by email that the credit would arrive within five working days.",
}


# -- forms ------------------------------------------------------------------------------------


@dataclass
class Form:
    """A form as a browser would send it unchanged, and the choices it offers."""

    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    choices: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def data(self, changes: dict[str, str | list[str]]) -> list[tuple[str, str]]:
        """The fields with ``changes`` in place of (or added to) what the form holds."""
        kept = [(name, value) for name, value in self.fields if name not in changes]
        for name, value in changes.items():
            kept += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
        return kept


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: tuple[str, list[str], list[str]] | None = None  # name, options, selected
        self.textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = urllib.parse.urljoin(self.page, a.get("action") or self.page)
            self.form = Form(action=urllib.parse.urlsplit(action).path)
            self.forms.append(self.form)
        elif self.form is None or "name" not in a:
            if tag == "option" and self.select is not None:
                self._option(a)
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                self.form.choices[a["name"]].append(a.get("value", "on"))
                if "checked" in a:
                    self.form.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.form.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select = (a["name"], [], [])
        elif tag == "textarea":
            self.textarea = (a["name"], [])

    def _option(self, a: dict) -> None:
        _name, options, selected = self.select
        options.append(a.get("value", ""))
        if "selected" in a:
            selected.append(a.get("value", ""))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None:
            name, options, selected = self.select
            if self.form is not None:
                self.form.choices[name] = options
                chosen = selected[:1] or options[:1]
                self.form.fields += [(name, value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, parts = self.textarea
            if self.form is not None:
                self.form.fields.append((name, "".join(parts).removeprefix("\n")))
            self.textarea = None


def forms(page: str, html: str) -> list[Form]:
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms


def form_posting_to(page: str, html: str, action: str | None = None) -> Form | None:
    """The form of this page that posts to ``action`` (the page itself by default) with a
    CSRF token, or None."""
    wanted = action or urllib.parse.urlsplit(page).path
    for form in forms(page, html):
        if form.action == wanted and any(name == "csrf_token" for name, _ in form.fields):
            return form
    return None


def ids(pattern: str, html: str) -> list[int]:
    """The ids in the page's links matching ``pattern`` (with one group for the id)."""
    return sorted({int(n) for n in re.findall(f'href="{pattern}"', html)})


def page_text(html: str) -> str:
    main = re.search(r"<main.*?</main>", html, re.S)
    text = re.sub(r"<[^>]+>", " ", main.group(0) if main else html)
    return re.sub(r"\s+", " ", unescape(text)).strip()


# -- what was seen ---------------------------------------------------------------------------


@dataclass
class Stats:
    """Every request's kind, status and time, from all clients (a lock keeps them apart)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_errors: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    unexpected: Counter = field(default_factory=Counter)

    def add(self, kind: str, method: str, path: str, status: int | str, took: float,
            expected: tuple[int, ...], body: str) -> None:  # fmt: skip
        with self.lock:
            self.statuses[kind][status] += 1
            self.seconds[kind].append(took)
            if isinstance(status, int) and status >= 500:
                self.server_errors.append((kind, method, path, str(status), page_text(body)))
            elif status not in expected:
                self.unexpected[(kind, method, _shape(path), str(status))] += 1

    @property
    def requests(self) -> int:
        return sum(sum(c.values()) for c in self.statuses.values())

    def refused_but_answered(self) -> int:
        return sum(n for (kind, *_rest, status), n in self.unexpected.items()
                   if kind.startswith("refused") and status.startswith("2"))  # fmt: skip


def _shape(path: str) -> str:
    """A path with its ids as N, so that requests for different objects count together."""
    return re.sub(r"\d+", "N", path)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the value that ``share`` of them are at or under."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


# -- the people and what they know ---------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    email: str
    role: str

    @property
    def provider(self) -> str:
        return self.email.rpartition("@")[2]


def accounts(figures: dict) -> dict[str, list[Account]]:
    """Each role's accounts, the demo provider's and the large provider's taken in turn."""
    demo: dict[str, list[str]] = defaultdict(list)
    for handle, _name, role in PEOPLE:
        demo[role.value].append(demo_email(handle))
    large = {
        "admin": [ADMIN_EMAIL],
        "assessor": [f"assessor{n}@{DOMAIN}" for n in range(1, figures["assessors"] + 1)],
        "iqa": [f"iqa{n}@{DOMAIN}" for n in range(1, figures["iqas"] + 1)],
        "eqa": [],
        "learner": [f"learner{n}@{DOMAIN}" for n in range(1, figures["learners"] + 1)],
    }
    pools = {}
    for role, others in large.items():
        ours = demo.get(role, [])
        mixed = [e for pair in zip(ours, others, strict=False) for e in pair]
        mixed += ours[len(others) :] + others[len(ours) :]
        pools[role] = [Account(email, role) for email in mixed]
    return pools


def cast(count: int, pools: dict[str, list[Account]]) -> list[Account]:
    """One account for each client: the next role of ROLE_CYCLE with an account left."""
    free = {role: list(pool) for role, pool in pools.items()}
    chosen = []
    for n in range(count):
        role = ROLE_CYCLE[n % len(ROLE_CYCLE)]
        role = role if free[role] else "learner"
        if not free[role]:
            raise SystemExit(f"not enough accounts for {count} clients: use more --learners")
        chosen.append(free[role].pop(0))
    return chosen


class Catalogue:
    """What clients found on their pages, by provider, for the others' refused reads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.things: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.evidence_owner: dict[int, str] = {}

    def add(self, provider: str, what: str, found: list[int]) -> None:
        with self.lock:
            self.things[(provider, what)].update(found)

    def add_evidence(self, owner: str, found: list[int]) -> None:
        with self.lock:
            for item_id in found:
                self.evidence_owner[item_id] = owner

    def other_providers(self, provider: str, what: str) -> list[int]:
        with self.lock:
            return sorted(n for (p, w), found in self.things.items()
                          if w == what and p != provider for n in found)  # fmt: skip

    def others_evidence(self, account: Account) -> list[int]:
        """Evidence of other learners at the same provider."""
        with self.lock:
            return sorted(item_id for item_id, owner in self.evidence_owner.items()
                          if owner != account.email
                          and owner.rpartition("@")[2] == account.provider)  # fmt: skip


# -- one client --------------------------------------------------------------------------------


class Done(Exception):
    """The client's time or its number of requests is up."""


class _FromAddress(urllib.request.HTTPHandler):
    """Connections from one loopback address of the client's own."""

    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, req):
        connection = functools.partial(http.client.HTTPConnection, source_address=(self.address, 0))
        return self.do_open(connection, req)


class _LoopbackCookies(http.cookiejar.DefaultCookiePolicy):
    """Send Secure cookies to the loopback server over plain HTTP, as browsers do for
    127.0.0.1, which they count as a secure context."""

    def return_ok_secure(self, cookie, request):
        return urllib.parse.urlsplit(request.get_full_url()).hostname == HOST


class Client:
    """One person: their own cookies, their own address, their own pace (none)."""

    def __init__(self, number: int, account: Account, base: str, stats: Stats,
                 catalogue: Catalogue, deadline: float, max_requests: int):  # fmt: skip
        self.account = account
        self.base = base
        self.stats = stats
        self.catalogue = catalogue
        self.deadline = deadline
        self.max_requests = max_requests
        self.sent = 0
        self.failed_sign_ins = 0
        self.rng = random.Random(number)
        self.jar = http.cookiejar.CookieJar(policy=_LoopbackCookies())
        self.opener = urllib.request.build_opener(
            _FromAddress(f"127.0.0.{FIRST_CLIENT_ADDRESS + number}"),
            urllib.request.HTTPCookieProcessor(self.jar),
            harness.NoRedirect,
        )
        # What the client found on its pages.
        self.enrolments: list[int] = []
        self.evidence: list[int] = []
        self.learners: list[int] = []
        self.to_mark: list[int] = []
        self.samples: list[int] = []
        self.cohorts: list[int] = []
        self.people: list[int] = []
        self.units: list[str] = []
        self.drafts: list[int] = []  # call notes this learner started
        self.new_note: str | None = None

    # -- requests

    def request(self, kind: str, path: str, *, data: list | None = None,
                expected: tuple[int, ...] = (200,)) -> tuple[int | str, str, dict]:  # fmt: skip
        if self.sent >= self.max_requests or time.monotonic() >= self.deadline:
            raise Done
        self.sent += 1
        method = "GET" if data is None else "POST"
        started = time.perf_counter()
        try:
            status, body, headers = harness.fetch(self.base + path, data=data, opener=self.opener)
        except (OSError, http.client.HTTPException) as error:
            status, body, headers = f"no answer ({type(error).__name__})", str(error), {}
        took = time.perf_counter() - started
        self.stats.add(kind, method, path, status, took, expected, body)
        if status == 302 and "/sign-in" in (headers.get("Location") or "") and data is None:
            self.sign_in()  # the session was lost: counted as unexpected, then signed in again
        return status, body, headers

    def get(self, kind: str, path: str, expected: tuple[int, ...] = (200,)) -> str:
        status, body, _headers = self.request(kind, path, expected=expected)
        return body if status == 200 else ""

    def post_form(self, kind: str, page_kind: str, page: str, changes: dict,
                  action: str | None = None, expected: tuple[int, ...] = (302, 303)
                  ) -> tuple[int | str, dict] | None:  # fmt: skip
        """Read the page, then post its form with these changes and the token it carries."""
        html = self.get(page_kind, page)
        form = form_posting_to(self.base + page, html, action) if html else None
        if form is None:
            return None
        status, _body, headers = self.request(
            kind, form.action, data=form.data(changes(form) if callable(changes) else changes),
            expected=expected,
        )  # fmt: skip
        return status, headers

    # -- signing in and out

    def sign_in(self, wrong_first: bool = False) -> None:
        if wrong_first and self.failed_sign_ins < MAX_FAILED_SIGN_INS:
            self.failed_sign_ins += 1
            self.post_form("sign-in (wrong password)", "sign-in page", "/sign-in",
                           {"email": self.account.email, "password": "not-the-password"},
                           expected=(401,))  # fmt: skip
        for _attempt in range(SIGN_IN_ATTEMPTS):  # as a person tries again after an error
            status, html, _headers = self.request("sign-in page", "/sign-in")
            if status == 302:
                return  # still signed in: the sign-out before failed
            form = form_posting_to(self.base + "/sign-in", html) if status == 200 else None
            if form is None:
                continue
            changes = {"email": self.account.email, "password": PASSWORD}
            status, _html, _headers = self.request(
                "sign-in", form.action, data=form.data(changes), expected=(302,)
            )
            if status == 302:
                return
        raise Done  # cannot go on signed out; what it got is counted

    def sign_out_and_in(self) -> None:
        self.post_form("sign-out", f"{self.account.role}: home", "/", {}, action="/sign-out")
        self.sign_in(wrong_first=self.rng.random() < 0.5)

    # -- finding ids

    def read_home(self) -> None:
        html = self.get(f"{self.account.role}: home", "/")
        self.enrolments = ids(r"/enrolments/(\d+)/portfolio", html) or self.enrolments
        self.units = re.findall(r'href="(/criteria/units/\d+\?version=\d+)"', html) or self.units
        self.catalogue.add(self.account.provider, "enrolment", self.enrolments)

    def read_portfolio(self, enrolment_id: int | None = None) -> None:
        if not self.enrolments:
            return
        enrolment_id = enrolment_id or self.rng.choice(self.enrolments)
        html = self.get(f"{self.account.role}: portfolio", f"/enrolments/{enrolment_id}/portfolio")
        found = ids(r"/evidence/(\d+)", html)
        if found:
            self.evidence = sorted(set(self.evidence[-200:]) | set(found))
        self.learners = sorted(set(self.learners) | set(ids(r"/audit/learners/(\d+)", html)))
        self.catalogue.add(self.account.provider, "learner", self.learners)
        if self.account.role == "learner":
            self.catalogue.add_evidence(self.account.email, found)
            note = re.search(r'href="(/enrolments/\d+/evidence/new/call_note)"', html)
            self.new_note = note.group(1) if note else None

    def discover(self) -> None:
        """What a person opens first: home, then the pages that list what they work on."""
        self.read_home()
        role = self.account.role
        if role == "learner":
            self.read_portfolio()
        elif role == "assessor":
            self.read_queue()
        elif role == "iqa":
            self.read_sampling()
        elif role == "admin":
            self.read_people()
            self.read_enrolments()
            self.read_cohorts()
        elif role == "eqa":
            self.read_enrolments()
        if role != "learner":
            self.read_portfolio()

    def read_queue(self) -> None:
        html = self.get("assessor: queue", "/queue")
        self.to_mark = ids(r"/evidence/(\d+)/mark", html)

    def read_caseload(self) -> None:
        self.get("assessor: caseload", "/caseload")

    def read_cohorts(self) -> None:
        html = self.get("admin: cohorts", "/cohorts")
        self.cohorts = ids(r"/enrolments\?cohort=(\d+)", html) or self.cohorts

    def read_sampling(self) -> None:
        html = self.get("iqa: sampling", "/sampling")
        self.samples = ids(r"/samples/(\d+)", html) or self.samples

    def read_people(self) -> None:
        html = self.get("admin: people", self.rng.choice(["/people", "/people?role=learner"]))
        self.people = ids(r"/people/(\d+)", html) or self.people
        self.catalogue.add(self.account.provider, "person", self.people)

    def read_enrolments(self) -> None:
        html = self.get(f"{self.account.role}: enrolments", "/enrolments")
        found = ids(r"/enrolments/(\d+)", html)
        self.enrolments = sorted(set(self.enrolments) | set(found))
        self.catalogue.add(self.account.provider, "enrolment", found)

    # -- reads

    def read_evidence(self) -> None:
        if self.evidence:
            self.get(
                f"{self.account.role}: evidence", f"/evidence/{self.rng.choice(self.evidence)}"
            )

    def read_criteria(self) -> None:
        path = self.rng.choice(self.units) if self.units else "/criteria"
        self.get(f"{self.account.role}: criteria", path)

    def read_crosswalk(self) -> None:
        if self.enrolments:
            enrolment_id = self.rng.choice(self.enrolments)
            self.get(f"{self.account.role}: crosswalk", f"/enrolments/{enrolment_id}/crosswalk")

    def read_learner_trail(self) -> None:
        if self.learners:
            learner_id = self.rng.choice(self.learners)
            self.get(f"{self.account.role}: audit trail", f"/audit/learners/{learner_id}")

    def read_dashboard(self) -> None:
        if self.cohorts and self.rng.random() < 0.5:
            cohort = self.rng.choice(self.cohorts)
            self.get(f"{self.account.role}: dashboard, one cohort", f"/dashboard?cohort={cohort}")
        else:
            self.get(f"{self.account.role}: dashboard", "/dashboard")

    def read_enrolment(self) -> None:
        if self.enrolments:
            self.get("admin: enrolment", f"/enrolments/{self.rng.choice(self.enrolments)}")

    def read_person(self) -> None:
        if self.people:
            self.get("admin: person", f"/people/{self.rng.choice(self.people)}")

    def read_sample(self) -> None:
        if self.samples:
            self.get("iqa: sample", f"/samples/{self.rng.choice(self.samples)}")

    # -- refused reads

    def refused_other_learners_evidence(self) -> None:
        theirs = self.catalogue.others_evidence(self.account)
        if theirs:
            self.request("refused: another learner's evidence",
                         f"/evidence/{self.rng.choice(theirs)}", expected=(404,))  # fmt: skip

    def refused_other_providers(self) -> None:
        what = self.rng.choice(["enrolment", "learner", "person"])
        theirs = self.catalogue.other_providers(self.account.provider, what)
        if not theirs:
            return
        n = self.rng.choice(theirs)
        path = {
            "enrolment": f"/enrolments/{n}/portfolio",
            "learner": f"/audit/learners/{n}",
            "person": f"/people/{n}",
        }[what]
        # Pages a role may not open at all answer 403 before the object is looked up.
        refused = (403, 404) if what != "enrolment" else (404,)
        self.request(f"refused: another provider's {what}", path, expected=refused)

    def refused_other_role(self) -> None:
        path = {"learner": "/dashboard", "assessor": "/people", "iqa": "/people",
                "admin": "/queue", "eqa": "/people"}[self.account.role]  # fmt: skip
        self.request("refused: another role's page", path, expected=(403,))

    # -- writes

    def start_call_note(self) -> None:
        if not self.new_note:
            return
        note = dict(CALL_NOTE, title=f"Call note {self.rng.randrange(10**6)}")
        result = self.post_form("write: start a call note", "learner: new call note form",
                                self.new_note, note)  # fmt: skip
        if result and result[0] == 302:
            created = re.search(r"/evidence/(\d+)", result[1].get("Location") or "")
            if created:
                self.drafts.append(int(created.group(1)))

    def save_draft(self) -> None:
        if not self.drafts:
            return self.start_call_note()
        item_id = self.rng.choice(self.drafts)
        words = self.rng.choice(["the next day", "an hour later", "at the end of the shift"])
        changes = {"notes": CALL_NOTE["notes"] + f" I called back {words} to check."}
        self.post_form("write: save a draft", "learner: edit form", f"/evidence/{item_id}/edit",
                       changes)  # fmt: skip

    def claim(self) -> None:
        if not self.drafts:
            return self.start_call_note()
        item_id = self.rng.choice(self.drafts)

        def some_criteria(form: Form) -> dict:
            offered = form.choices.get("criterion") or []
            return {"criterion": self.rng.sample(offered, min(len(offered), 2))}

        self.post_form("write: claim criteria", "learner: claims form",
                       f"/evidence/{item_id}/claims", some_criteria)  # fmt: skip

    def mark(self) -> None:
        if not self.to_mark:
            return self.read_queue()
        item_id = self.to_mark.pop(self.rng.randrange(len(self.to_mark)))
        accept = self.rng.random() < 0.5

        def decision(form: Form) -> dict:
            changes = {name: "met" for name in form.choices if name.startswith("judgement_")}
            changes["outcome"] = "accepted" if accept else "returned"
            changes["feedback"] = "Clear and complete." if accept else "Add the times, please."
            return changes

        # 409: another assessor's decision or a change by the learner came first.
        self.post_form("write: mark evidence", "assessor: marking form",
                       f"/evidence/{item_id}/mark", decision, expected=(302, 303, 409))  # fmt: skip

    # -- the loop

    def actions(self) -> list[tuple[Callable[[], None], float]]:
        role = self.account.role
        common = [(self.read_home, 2), (self.read_criteria, 0.5),
                  (self.refused_other_providers, 1), (self.refused_other_role, 0.5),
                  (self.sign_out_and_in, 0.5)]  # fmt: skip
        by_role = {
            "learner": [(self.read_portfolio, 4), (self.read_evidence, 3),
                        (self.read_crosswalk, 0.5), (self.refused_other_learners_evidence, 1),
                        (self.start_call_note, 1), (self.save_draft, 2), (self.claim, 1.5)],
            "assessor": [(self.read_queue, 3), (self.read_caseload, 3), (self.read_portfolio, 4),
                         (self.read_evidence, 3), (self.read_learner_trail, 1), (self.mark, 2)],
            "iqa": [(self.read_sampling, 2), (self.read_dashboard, 2), (self.read_portfolio, 3),
                    (self.read_evidence, 2), (self.read_learner_trail, 1), (self.read_sample, 1)],
            "admin": [(self.read_dashboard, 4), (self.read_people, 2), (self.read_enrolments, 2),
                      (self.read_enrolment, 2), (self.read_person, 1), (self.read_cohorts, 1),
                      (self.read_learner_trail, 1), (self.read_portfolio, 1)],
            "eqa": [(self.read_dashboard, 3), (self.read_enrolments, 2), (self.read_portfolio, 3),
                    (self.read_evidence, 2)],
        }  # fmt: skip
        return common + by_role[role]

    def run(self, start: threading.Barrier) -> None:
        start.wait()
        try:
            self.sign_in()
            self.discover()
            actions = self.actions()
            chosen = [a for a, _ in actions]
            weights = [w for _, w in actions]
            while True:  # ends with Done: bounded by the deadline and max_requests
                self.rng.choices(chosen, weights)[0]()
        except Done:
            pass


# -- one database ---------------------------------------------------------------------------------


@contextmanager
def database(name: str) -> Iterator[tuple[str, Path]]:
    """A URL of an empty database and an instance folder, both removed afterwards."""
    instance = Path(tempfile.mkdtemp(prefix=f"portfolio-load-{name}-"))
    cluster = None
    try:
        if name == "sqlite":
            yield f"sqlite:///{instance / 'load.sqlite3'}", instance
        else:
            from tests.postgres import Cluster

            cluster = Cluster().start()
            yield cluster.create_database("portfolio_load"), instance
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(instance, ignore_errors=True)


def run_load(name: str, url: str, instance: Path, args) -> bool:
    """Build, serve and load one database; print what was seen; True when no 5xx and no
    refused read was answered."""
    print(f"\n== {name}: building the demo and {args.learners} learners x {args.items} items",
          flush=True)  # fmt: skip
    built = harness.build(url, instance, args.learners, args.items)
    harness.write_out(url)
    clients_accounts = cast(args.clients, accounts(built.figures))
    server = harness.Server(url, instance, args.workers)
    stats, catalogue = Stats(), Catalogue()
    try:
        server.wait_until_ready()
        start = threading.Barrier(args.clients + 1)
        deadline = time.monotonic() + args.seconds + 1  # clients start within the second
        clients = [
            Client(n, account, server.base, stats, catalogue, deadline,
                   REQUESTS_PER_CLIENT_SECOND * args.seconds)
            for n, account in enumerate(clients_accounts)
        ]  # fmt: skip
        threads = [threading.Thread(target=c.run, args=(start,), daemon=True) for c in clients]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.monotonic()
        for thread in threads:
            thread.join(timeout=args.seconds + 120)
        elapsed = time.monotonic() - began
        stuck = sum(thread.is_alive() for thread in threads)
    finally:
        server.stop()
    log = server.log_path.read_text(errors="replace") if server.log_path.exists() else ""
    report(name, args, clients_accounts, stats, elapsed, log, stuck)
    return not stats.server_errors and not stats.refused_but_answered() and not stuck


def report(name: str, args, cast_: list[Account], stats: Stats, elapsed: float, log: str,
           stuck: int) -> None:  # fmt: skip
    roles = Counter(account.role for account in cast_)
    print(
        f"\n{name}: {args.clients} clients ({', '.join(f'{n} {r}' for r, n in roles.items())}) "
        f"for {elapsed:.0f} s against gunicorn with {args.workers} sync workers: "
        f"{stats.requests:,} requests, {stats.requests / elapsed:,.1f} a second"
    )
    rows = [("kind", "requests", "statuses", "p50 ms", "p99 ms")]
    for kind in sorted(stats.statuses):
        counts = stats.statuses[kind]
        seconds = stats.seconds[kind]
        rows.append((
            kind, f"{sum(counts.values()):,}",
            " ".join(f"{status}x{n}" for status, n in sorted(counts.items(), key=str)),
            f"{percentile(seconds, 0.50) * 1000:.0f}", f"{percentile(seconds, 0.99) * 1000:.0f}",
        ))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for index, row in enumerate(rows):
        print(f"  {row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:<{widths[2]}}  "
              f"{row[3]:>{widths[3]}}  {row[4]:>{widths[4]}}")  # fmt: skip
        if index == 0:
            print("  " + "  ".join("-" * w for w in widths))
    if stats.server_errors:
        print(f"\n{name}: {len(stats.server_errors)} responses with a 5xx status:")
        for (kind, method, path, status, text), n in Counter(stats.server_errors).most_common():
            print(f"  {n:>4} x {status} {method} {path} ({kind}): {text[:EXCERPT]}")
    else:
        print(f"\n{name}: no 5xx responses")
    if stats.unexpected:
        print(f"\n{name}: statuses a kind should not get (other than 5xx):")
        for (kind, method, path, status), n in stats.unexpected.most_common():
            print(f"  {n:>4} x {status} {method} {path} ({kind})")
    if stuck:
        print(f"\n{name}: {stuck} clients had not finished {args.seconds + 120} s after starting")
    errors = log_errors(log)
    if errors:
        print(f"\n{name}: errors in gunicorn's log:")
        for line, n in errors.most_common():
            print(f"  {n:>4} x {line}")


def log_errors(log: str) -> Counter:
    """gunicorn's and the app's error lines, and the last line of each traceback with the
    database's DETAIL and statement when it gives them; numbers in paths and details as N,
    so that the same error counts together."""
    found: Counter = Counter()
    lines = log.splitlines()
    for index, line in enumerate(lines):
        if re.search(r"\] (ERROR|CRITICAL)|\[(ERROR|CRITICAL)\]", line):
            found[re.sub(r"/\d+", "/N", re.sub(r"^\[[^\]]*\] (\[\d+\] )?", "", line))] += 1
        elif (
            re.match(r"^[\w.]+(Error|Exception|Timeout)\b.*", line)
            and index > 0 and lines[index - 1].startswith((" ", "\t"))
        ):  # fmt: skip
            raised = "  raised: " + line[:200]
            following = lines[index + 1 : index + 12]
            detail = next((f for f in following if f.startswith("DETAIL:")), None)
            statement = None
            for n, f in enumerate(following):
                if f.startswith("[SQL:"):  # to the line that closes it
                    end = next(
                        (m for m in range(n, len(following)) if following[m].endswith("]")), n
                    )
                    statement = " ".join(" ".join(following[n : end + 1]).split())
                    break
            if detail:
                raised += "\n           " + re.sub(r"\d+", "N", " ".join(detail.split()))[:200]
            if statement:
                raised += "\n           " + statement[:200]
            found[raised] += 1
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--learners", type=int, default=200, help="of the large provider")
    parser.add_argument("--items", type=int, default=10, help="evidence items per learner")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    args = parser.parse_args(argv)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown or not databases:
        parser.error(f"--databases takes sqlite and/or postgresql, not {', '.join(unknown)}")
    if not 1 <= args.clients <= MAX_CLIENTS or args.seconds < 1 or args.learners < 1:
        parser.error(f"--clients from 1 to {MAX_CLIENTS}; --seconds and --learners at least 1")
    # The app answers only to its public address's host; here that is the loopback one.
    os.environ.setdefault("PORTFOLIO_PUBLIC_URL", f"http://{HOST}")
    ok = True
    for name in databases:
        label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[name]
        with database(name) as (url, instance):
            ok = run_load(label, url, instance, args) and ok
    if not ok:
        print("\nSome requests got a 5xx, or a refused read was answered: see above.",
              file=sys.stderr)  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
