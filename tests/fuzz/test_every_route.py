"""Every address of the app, asked by every role with real and hostile ids, arguments and
form fields, answers without a server error, and every page it shows has a body.

Each role has its own client. First every role visits every page it can with real ids, which
shows what it reaches and the forms on those pages; then every address is sent each class of
hostile value at least once, shared among the roles that reach it, with a real object's ids,
another provider's and ids that are not ids. Values come from a seeded generator, so that a
failure is found again on the next run; each is printed as the request that caused it.
"""

import json
import re
import time
import traceback
from urllib.parse import quote, urlencode, urlsplit

import pytest
from werkzeug.routing import IntegerConverter

from portfolio.db import db
from portfolio.progress.queries import FILTERS
from portfolio.progress.views import LEARNER_FIGURES
from tests.evidence.helpers import CALL_NOTE, INCIDENT, STAR
from tests.fuzz.dataset import ROLE_PASSWORD, ROLES, build_data_set
from tests.fuzz.forms import page_forms, view_form_fields
from tests.fuzz.hostile import (
    CLASSES,
    EACH,
    FILE,
    JSON,
    NOT_IDS,
    NOT_WORDS,
    REPEATED,
    UNKNOWN_IDS,
    VALUES,
    Hostile,
)

SEED = 20261104
QUERY_NAMES = {"page", "q", "next", "role", "table", "version", "criterion", "learner",
               *FILTERS, *LEARNER_FIGURES}  # fmt: skip
QUERY_CLASSES = [c for c in CLASSES if c not in (FILE, JSON)]
# Valid data for the forms that start empty, so that one hostile field among valid ones
# reaches the checks made after the form's own.
VALID = {
    ("evidence.new", "incident_log"): INCIDENT,
    ("evidence.new", "call_note"): CALL_NOTE,
    ("evidence.new", "star_account"): STAR,
    ("evidence.new", "observation"): {
        "title": "Observed on the emergency line", "observed_on": "2026-11-03",
        "context": "Live calls, late shift", "observed": "Logged three calls in full.",
        "judgement": "Accurate, complete logging under pressure.",
    },
    ("evidence.new", "professional_discussion"): {
        "title": "Discussion of escalation", "held_on": "2026-11-03", "duration_minutes": "20",
        "discussion": "Q: When do you escalate? A: At P1 and P2, at once.",
        "summary": "Knows the escalation procedure well.",
    },
    ("evidence.new", "witness_testimony"): {
        "title": "Team leader's account", "witness_name": "Sam Lee",
        "witness_role": "Team leader", "given_on": "2026-11-03",
        "testimony": "I saw the learner handle a gas leak call calmly and by the book.",
    },
    ("accounts.person_new", None): {
        "name": "Sam Patel", "email": "sam.patel@example.org", "role": "learner",
        "password": "a-fine-new-password-7",
    },
    ("enrolments.enrolment_new", None): {"starts_on": "2026-09-01", "planned_end_on": "2027-08-31"},
    ("enrolments.cohorts", None): {
        "name": "Evening intake", "starts_on": "2026-09-01", "ends_on": "2027-07-31",
    },
}  # fmt: skip
# Last, as they may take a learner from the assessor, or end a session or an account, that
# the other addresses need.
LAST = [
    "enrolments.cohort_remove",
    "hours.remove_activity",
    "enrolments.enrolment_edit",
    "accounts.person_edit",
    "accounts.change_password",
    "accounts.sign_out",
    "accounts.sign_in",
]
SCRIPT = VALUES["wrong type"][4].encode()  # shown escaped, never as markup
BASELINES = 4  # objects of one address whose forms each role sends as its page shows them
PARAMETER = re.compile(r"<(?:[^:<>]+:)?(\w+)>")


def shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}...({len(value)} long)"


def multipart(pairs, files) -> tuple[bytes, str]:
    boundary = "fuzz-boundary-7f3a9c"
    parts = []
    for name, value in pairs:
        data = value if isinstance(value, bytes) else value.encode("utf-8")
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(head.encode() + data + b"\r\n")
    for name, (content, filename) in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Role:
    """One role's client, and what it reaches."""

    def __init__(self, name, email, client):
        self.name, self.email, self.client = name, email, client
        self.forms: dict[str, list] = {}  # the forms of the pages it sees, by where they post
        self.reached: dict[str, list[dict]] = {}  # by rule: the ids of the pages it sees


class Fuzzer:
    """Sends the requests, and keeps those answered with a server error."""

    def __init__(self, app, data):
        self.app, self.data = app, data
        self.hostile = Hostile(SEED)
        self.failures: dict[str, list[str]] = {}  # the requests that failed, by where
        self.requests = 0
        rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
        self.rules = sorted(rules, key=lambda r: (LAST.index(r.endpoint) if r.endpoint in LAST
                                                  else -1, r.rule))  # fmt: skip
        self.roles = [Role(name, email, app.test_client()) for name, email in ROLES]

    # Sending, and what counts as a failure.

    def send(self, role, method, url, pairs=(), files=(), json_body=None):
        self.requests += 1
        what = f"{role.name}: {method} {shown(url)}"
        if json_body is not None:
            body, content_type = json.dumps(json_body), "application/json"
            what += " JSON " + shown(body)
        elif method == "GET":
            url += "?" + urlencode(list(pairs)) if pairs else ""
            body, content_type = None, None
            what += " " + "&".join(f"{n}={shown(v)}" for n, v in pairs)
        else:
            if files:
                body, content_type = multipart(pairs, files)
            else:
                body, content_type = urlencode(list(pairs)), "application/x-www-form-urlencoded"
            what += " " + ", ".join(f"{n}={shown(v)}" for n, v in pairs)
            what += "".join(f", {n}=<file {shown(f)}: {len(c)} bytes>" for n, (c, f) in files)
        try:
            response = role.client.open(url, method=method, data=body, content_type=content_type)
        except Exception as error:  # noqa: BLE001  (the testing app raises what a 500 would hide)
            db.session.rollback()
            where = traceback.extract_tb(error.__traceback__)[-1]
            place = f"{type(error).__name__} at {where.filename}:{where.lineno}"
            self.fail(place, f"{what}\n    raised {type(error).__name__}: {str(error)[:300]}")
            return None
        with response:
            page = response.get_data()
        path = urlsplit(url).path
        if response.status_code >= 500:
            self.fail(f"{response.status_code} at {path}", f"{what}\n    answered 500")
        elif response.status_code == 200 and not page:
            self.fail(f"empty page at {path}", f"{what}\n    answered 200 with no body")
        elif SCRIPT in page and "html" in response.headers.get("Content-Type", ""):
            self.fail(f"unescaped text at {path}", f"{what}\n    shows {SCRIPT!r} unescaped")
        location = urlsplit(response.headers.get("Location", "")).path
        if role.email and location == "/sign-in":  # signed out by what it sent: sign in again
            self.sign_in(role)
        return response.status_code, response.headers, page

    def sign_in(self, role):
        response = role.client.post(
            "/sign-in", data={"email": role.email, "password": ROLE_PASSWORD}
        )
        assert response.status_code == 302, f"{role.name} cannot sign in"

    def fail(self, place: str, request: str) -> None:
        self.failures.setdefault(place, []).append(request)

    def report(self) -> str:
        lines = []
        for place, requests in self.failures.items():
            paths = sorted({r.split(" ")[2] for r in requests})
            lines.append(f"{place}: {len(requests)} requests to {', '.join(paths)[:500]}")
            lines.append(f"  the first: {requests[0][:2000]}")
        return "\n".join(lines)

    # Addresses, and what each role reaches.

    @staticmethod
    def url(rule, values) -> str:
        """The rule's address with these values, quoted but not checked by its converters."""

        def value(m):
            found = values[m[1]]
            return quote(found if isinstance(found, bytes) else str(found), safe="")

        return PARAMETER.sub(value, rule.rule)

    def own(self, rule) -> list[dict]:
        """The ids of the demo provider's objects for the rule's parameters."""
        return self.data.combinations(set(rule.arguments)) if rule.arguments else [{}]

    def visit_all(self):
        """Every role sees every page it can, with the ids of each object it may reach."""
        for role in self.roles:
            if role.email:
                self.sign_in(role)
            for rule in self.rules:
                if "GET" not in rule.methods:
                    continue
                for values in self.own(rule)[: None if role.email else 1]:
                    url = self.url(rule, values)
                    result = self.send(role, "GET", url)
                    if result is None or result[0] != 200:
                        continue
                    role.reached.setdefault(rule.rule, []).append(values)
                    for form in self.forms_of(url, result):
                        role.forms.setdefault(form.action, []).append(form)
        for role in self.roles:  # what a role may post: the forms its pages show
            for rule in self.rules:
                if "POST" in rule.methods:
                    found = [v for v in self.own(rule) if self.url(rule, v) in role.forms]
                    role.reached.setdefault(rule.rule, []).extend(
                        v for v in found if v not in role.reached.get(rule.rule, [])
                    )

    @staticmethod
    def forms_of(url, result) -> list:
        if "html" not in result[1].get("Content-Type", ""):
            return []
        return page_forms(url, result[2].decode("utf-8", "replace"))

    def refresh_forms(self, role, url):
        """The forms posting to ``url`` as their pages show them now, where they carry hidden
        values (a lock version moves on when the object changes)."""
        pages = {form.page for form in role.forms.get(url, []) if form.hidden}
        fresh = []
        for page in sorted(pages):
            result = self.send(role, "GET", page)
            if result and result[0] == 200:
                fresh += [f for f in self.forms_of(page, result) if f.action == url]
        if pages:
            kept = [f for f in role.forms.get(url, []) if f.page not in pages]
            role.forms[url] = kept + fresh

    def fuzz_all(self):
        for rule in self.rules:
            own = self.own(rule)
            reaching = [r for r in self.roles if r.reached.get(rule.rule)]
            self.wrong_ids(rule, own, reaching)
            if not own:
                continue
            if "GET" in rule.methods:
                self.fuzz_query(rule, own, reaching)
            if "POST" in rule.methods:
                self.fuzz_form(rule, own, reaching)

    def wrong_ids(self, rule, own, reaching):
        """Ids that are not ids, and unknown ones, once each; another provider's by every role
        that reaches the address."""
        method = "GET" if "GET" in rule.methods else "POST"
        askers = reaching or self.roles
        for name in sorted(rule.arguments):
            numeric = isinstance(rule._converters[name], IntegerConverter)
            base = dict(own[0]) if own else {n: 1 for n in rule.arguments}
            wrong = [*NOT_IDS, *UNKNOWN_IDS] if numeric else NOT_WORDS
            for i, value in enumerate(wrong):
                self.send(askers[i % len(askers)], method, self.url(rule, base | {name: value}))
            for value in self.data.other.get(name, []):
                for role in askers:
                    self.send(role, method, self.url(rule, base | {name: value}))

    def fuzz_query(self, rule, own, reaching):
        """Each class of hostile value in every argument a page reads (the values of a class
        in turn), shared among the roles that see the page."""
        askers = reaching or self.roles
        for i, kind in enumerate(QUERY_CLASSES):
            role = askers[i % len(askers)]
            combos = role.reached.get(rule.rule) or own
            url = self.url(rule, combos[i % len(combos)])
            names = set(QUERY_NAMES)
            for form in role.forms.get(url, []):
                if form.method == "get":
                    names |= form.names
            self.send(role, "GET", url, self.values_for(sorted(names), kind))

    @staticmethod
    def plan(each: bool) -> list[tuple[str, int | None]]:
        """(class, value) to send: every value of the classes in EACH if ``each``, else one
        value of each class."""
        return [
            (kind, variant)
            for kind in CLASSES
            for variant in (range(len(VALUES[kind])) if each and kind in EACH else [None])
        ]

    def values_for(self, names, kind, variant=None):
        """A value of the class for each name: the given one, or one chosen for each."""
        if kind == REPEATED:
            return [(n, v) for n in names for v in (self.any_value(), self.any_value())]
        if kind == "huge":  # one field of each request 100,000 characters long is enough
            long = self.hostile.choice(names)
            return [(n, self.hostile.value(kind) if n == long else "x" * 2000) for n in names]
        values = VALUES[kind]
        if variant is not None:
            return [(n, values[variant]) for n in names]
        # Each value of the class in turn, from a seeded start: every one is sent somewhere.
        start = self.hostile.choice(range(len(values)))
        return [(n, values[(start + k) % len(values)]) for k, n in enumerate(names)]

    def any_value(self):
        return self.hostile.value(self.hostile.choice([c for c in VALUES if c != "huge"]))

    def fuzz_form(self, rule, own, reaching):
        """Each form a role posts here, as its page shows it now; then each form that answers
        (one role's, where several roles have the same form) with each class of hostile value
        in every field, and in the text fields among valid values; by each role that is
        refused, one class in every field."""
        view = self.app.view_functions[rule.endpoint]
        class_fields = view_form_fields(view)
        targets = []  # (role, the ids of objects whose forms are alike and answer alike)
        shapes, posting = set(), set()
        for role in reaching:
            groups = {}
            for values in role.reached[rule.rule][:BASELINES]:
                url = self.url(rule, values)
                self.refresh_forms(role, url)
                result = self.post(role, rule, values, class_fields, None)
                if result and not self.refused(result):
                    posting.add(role.name)
                    groups.setdefault((self.form_shape(role, url), result[0]), []).append(values)
            targets += [(role, combos) for shape, combos in groups.items() if shape not in shapes]
            shapes |= set(groups)
        for j, (role, combos) in enumerate(targets):
            names, files, texts = self.fields(role, self.url(rule, combos[0]), class_fields)
            fields = names - {"csrf_token"}
            # Every date, number and digit where there are fields that read them.
            for i, (kind, variant) in enumerate(self.plan(each=bool(fields - files - texts))):
                values = combos[(i + j) % len(combos)]
                self.post(role, rule, values, class_fields, kind, variant, every=True)
                if variant in (None, 0) and fields:  # among valid values: once for each class
                    self.post(role, rule, values, class_fields, kind, every=False)
        if not targets:
            for i, (kind, _variant) in enumerate(self.plan(each=False)):
                role = self.roles[i % len(self.roles)]
                self.post(role, rule, own[i % len(own)], class_fields, kind, every=True)
        for i, role in enumerate(r for r in self.roles if r.name not in posting):
            kind = self.hostile.choice(CLASSES)
            self.post(role, rule, own[i % len(own)], class_fields, kind, every=True)

    def form_shape(self, role, url) -> frozenset:
        """The names of the fields a form posting to ``url`` has, numbers in them made alike."""
        return frozenset(
            re.sub(r"\d+", "#", name)
            for form in role.forms.get(url, [])
            if form.method == "post"
            for name in form.names
        )

    @staticmethod
    def refused(result) -> bool:
        status, headers, _page = result
        location = urlsplit(headers.get("Location", "")).path
        return status in (401, 403, 404, 405) or location == "/sign-in"

    @staticmethod
    def fields(role, url, class_fields) -> tuple[set, set, set]:
        """The names of the fields of the forms posting to ``url`` and of the view's form
        classes: all, those that take files, and those that take free text."""
        forms = [f for f in role.forms.get(url, []) if f.method == "post"]
        names, files, texts = (set(found) for found in class_fields)
        for form in forms:
            names |= form.names
            files |= form.files
            texts |= form.texts
        return names, files, texts

    def post(self, role, rule, values, class_fields, kind, variant=None, every=True):
        """The form to ``url`` with hostile values of a class: in every field, or else in
        every text field (or one field, for the classes that are not text) among valid ones."""
        url = self.url(rule, values)
        forms = [f for f in role.forms.get(url, []) if f.method == "post"]
        form = self.hostile.choice(forms) if forms else None
        names, files, texts = self.fields(role, url, class_fields)
        valid = VALID.get((rule.endpoint, values.get("kind")), {})
        base = [(n, v) for n, v in (form.pairs if form else []) if n not in valid]
        base = [(n, str(v)) for n, v in [*base, *valid.items()] if n not in files]
        if kind is None:  # as the page sends it, and as JSON that is not even an object
            result = self.send(role, "POST", url, base)
            self.send(role, "POST", url, json_body=[1, 2])
            return result
        everything = sorted(names | files) or ["x"]
        if every:
            chosen = everything
        elif kind in EACH or not texts:
            chosen = [self.hostile.choice(everything)]
        else:
            chosen = sorted(texts)
        if kind == JSON:
            body = dict(base) | {n: self.hostile.json_value() for n in chosen}
            return self.send(role, "POST", url, json_body=body)
        pairs = [(n, v) for n, v in base if n not in chosen]
        uploads = []
        if kind == FILE:
            uploads = [(name, self.hostile.file()) for name in chosen]
        else:
            pairs += self.values_for(chosen, kind, variant)
            # A form that takes files gets a wrong one with the other values.
            uploads = [(name, self.hostile.file()) for name in files if name not in chosen]
        return self.send(role, "POST", url, pairs, uploads)


@pytest.fixture
def folders(app, client, tmp_path):
    """Files and PDFs in the test's own folders; PDFs made in the request that asks, as the
    test's data is not committed where another thread would see it. (``client`` makes the
    app's test clients isolated ones.)"""
    app.config.update(EXPORTS_PATH=str(tmp_path / "exports"), EXPORTS_SYNCHRONOUS=True,
                      EVIDENCE_FILES_PATH=str(tmp_path / "files"))  # fmt: skip
    yield
    app.config.update(EXPORTS_PATH=None, EXPORTS_SYNCHRONOUS=False, EVIDENCE_FILES_PATH=None)


def test_no_request_of_any_role_gets_a_server_error(app, folders):
    data = build_data_set()
    db.session.commit()
    fuzzer = Fuzzer(app, data)
    started, cpu = time.perf_counter(), time.process_time()
    fuzzer.visit_all()
    fuzzer.fuzz_all()
    print(
        f"\n{fuzzer.requests} requests in {time.perf_counter() - started:.1f} s "
        f"({time.process_time() - cpu:.1f} s of this process's CPU)"
    )
    assert not fuzzer.failures, (
        f"server errors in {len(fuzzer.failures)} places:\n{fuzzer.report()}"
    )
