"""How fast, and in how much memory, a signed portfolio PDF is made and served.

On a fresh SQLite database in a temporary folder (migrated, criteria imported), three
learners on the SFJ Awards unit each build a portfolio of 10, 50 and 100 accepted evidence
items through the domain functions (start, claim, attach, submit, accept; then declaration,
sign-off and the IQA's countersignature). The mix: 40% incident logs with 6-10
communications entries, 30% call notes of about 250 words, 30% STAR accounts of about 400
words (each reflecting on an earlier log); a PNG screenshot on one item in ten and a small
two-page PDF on one item in twenty-five (from the first item, so that 10 items have one),
attached with ``operations.attach_file``.

For each portfolio, the median of ``--repeat`` runs of:

- the export: ``service.build_pdf(sign_off, time_limit=None)``, in process, from a fresh
  database session: gather, Jinja, WeasyPrint, attached PDFs laid in and the signature
  added in one incremental update (pyHanko's ``IncrementalPdfFileWriter`` and ``PdfSigner``);
- WeasyPrint alone on the same HTML (``document.render_html`` with the same attachment
  page reservations, the same ``PortfolioFetcher`` and base URL):
  ``HTML(...).write_pdf(pdf_variant="pdf/ua-1")``; the two are run alternately;
- their ratio (target <= 1.15, judged on wall time; the same ratio in this process's CPU
  time is shown too, as other work on the machine disturbs wall times), and signing alone
  (``signing.sign_pdf`` on WeasyPrint's bytes: pyHanko reads the file, adds the field and
  the CMS signature in an incremental update; target under 5% of the export's time);
- pages, and pages per second of the export;
- peak memory of one export in a fresh child process (this script with ``--child``):
  ``ru_maxrss`` at its end, and its increase over the child's ``ru_maxrss`` just before the
  export (after imports, app, database and sign-off loaded). The target, 65 MiB + 1.1 MiB
  per page, is compared with that increase: the absolute figure is mostly the imported
  libraries (WeasyPrint, Pango, pyHanko, cryptography, SQLAlchemy, Flask), the same for
  any portfolio. The children are started by a small launcher process (see ``Launcher``:
  Linux hands a parent's peak RSS on to its children). WeasyPrint alone gets a child too.

A breakdown of one export (each step of ``build_pdf`` timed on its own) shows where the
time beyond WeasyPrint goes.

Serving (unless ``--skip-serving``): gunicorn, 4 sync workers, on a free loopback port over
the same database and instance folder; sign in as the admin through the form; request the
largest portfolio's PDF once (it is made in the background) and wait for its record to be
ready (watching the database: every GET of the page while it is pending starts another
render); then ``wrk -t2 -c20 -d<duration>s --latency`` with the session cookie against
``/enrolments/<id>/portfolio.pdf`` and against a copy of the same PDF in the static folder
(``static/bench-<random>.pdf``, always deleted), three rounds taking turns; req/s is the mean
of the rounds. Target: the stored PDF served at least as fast (req/s) as the static file. The CPU all gunicorn processes used per request is shown
too. All traffic stays on 127.0.0.1; wrk runs for a bounded time.

Run: .venv/bin/python bench/pdf.py [--sizes 10,50,100] [--repeat 3] [--duration 10]
     [--skip-serving]
A missed target is reported as MISS; the run exits non-zero only when something failed.
"""

import argparse
import contextlib
import io
import json
import os
import random
import re
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for bench.harness when run as a script

from bench import harness  # noqa: E402

HOST = "127.0.0.1"
BASE_URL = f"http://{HOST}:5000"
SECRET_KEY = "bench"  # noqa: S105  (a throwaway database's key)
PASSWORD = "bench-portfolio-pdf-Passw0rd!"  # noqa: S105
ADMIN_EMAIL = "admin@bench.example.org"
GENERATE_SECONDS = 600
WORKERS = 4
SERVING_ROUNDS = 3  # wrk runs of each URL, taking turns

RATIO_TARGET = 1.15
SIGN_SHARE_TARGET = 0.05  # signing alone, as a share of the export's time
MEMORY_BASE_MIB = 65.0
MEMORY_PER_PAGE_MIB = 1.1


# -- evidence text -----------------------------------------------------------------------------

CALL_SENTENCES = [
    "The caller rang because the heating in the flat had stopped working overnight.",
    "I introduced myself, confirmed the account with the security questions and listened "
    "without interrupting until the caller had explained everything.",
    "I repeated the key details back so that the caller knew I had understood the problem.",
    "I checked the repairs history on the system and saw that an engineer had visited the "
    "week before for the same fault.",
    "I apologised that the first repair had not fixed the fault and explained what would "
    "happen next.",
    "I raised a follow-up job with the repairs team and marked it as a repeat visit so that "
    "it would be prioritised.",
    "I gave the caller the job reference and the earliest appointment slot that was free.",
    "The caller was worried about an elderly relative living in the flat, so I asked "
    "whether anyone in the household was vulnerable.",
    "Because there was a vulnerable resident, I followed our procedure and upgraded the job "
    "to an emergency with a four hour response target.",
    "I offered temporary heaters from the depot and arranged for them to be delivered the "
    "same afternoon.",
    "I explained how long each step would take and what the caller could do if the "
    "engineer did not arrive on time.",
    "I agreed to ring back within two hours to confirm that the heaters had been delivered.",
    "I recorded the call in the customer record with the time, the fault, the actions taken "
    "and the promises made.",
    "I added a note for the team leader because the repeat visit suggested a wider problem "
    "with the boiler model in the block.",
    "When I rang back at the time promised, the heaters had arrived and the caller thanked "
    "me for keeping them informed.",
    "I kept my tone calm and friendly even when the caller became frustrated about the "
    "repeat fault.",
    "I checked that the caller was happy with the plan before closing the call and asked if "
    "there was anything else I could help with.",
    "I used plain language and avoided jargon so that the caller understood the priority "
    "and the response target.",
    "I confirmed that the contact details on the account were still correct without reading "
    "them out in full.",
    "After the call I updated the knowledge base article on repeat boiler faults with what "
    "I had learned.",
    "The call lasted longer than our average handling time, but the extra minutes prevented "
    "a complaint and a second call.",
    "I made sure the job notes told the engineer about the access arrangements and the "
    "vulnerable resident.",
]

STAR_SENTENCES = {
    "situation": [
        "It was a busy late shift in the contact centre and the queue had more than twenty "
        "calls waiting.",
        "An alarm from the monitoring system showed that the pumps at one of our sites had "
        "failed and water was rising in the plant room.",
        "At the same time several customers rang to report low water pressure in the area "
        "served by that site.",
        "Two of my colleagues were on breaks, so I was one of only three people taking calls.",
        "The incident management plan was open on my second screen, as it always is on shift.",
        "The duty manager was in a meeting on another floor and could only be reached by radio.",
    ],
    "task": [
        "My task was to log the incident, decide its priority and make sure the right "
        "engineers were sent within the response target.",
        "I also had to keep callers informed and make sure nobody was left waiting for an "
        "update for longer than our standard allowed.",
        "It was my responsibility to escalate the incident if it met the criteria in the plan.",
        "I needed to record every action with its time so that the incident report would be "
        "complete.",
        "I had to protect customers' details when sharing information with the field teams.",
    ],
    "action": [
        "I opened a new incident in the logging system and recorded the time of the alarm, "
        "the site and the nature of the fault.",
        "I assessed the impact as high because many properties were affected, and the urgency "
        "as high because the water was rising.",
        "The matrix gave a priority of P1, so I escalated the incident to the duty manager by "
        "radio and confirmed that the escalation had been received.",
        "I checked the resource board, confirmed that the nearest pump crew was free and "
        "dispatched them with the site access details.",
        "I asked the crew to confirm receipt of the job and noted the time they replied.",
        "I recorded a short message on the phone system so that callers from the affected "
        "area heard an update before reaching an adviser.",
        "I sent an update to the customer service team by internal messaging so that every "
        "adviser gave the same information.",
        "I updated the incident log every time something changed, so that anyone picking it up "
        "could see the whole picture.",
        "When the crew reported that the pumps were running again, I confirmed the time and "
        "asked them to monitor the site for an hour.",
        "I rang back the customers who had asked for a callback and confirmed that pressure "
        "was returning to normal.",
        "I completed the incident report with the root cause, the timeline and the actions "
        "taken, and sent it to the duty manager.",
    ],
    "result": [
        "The crew arrived within forty minutes, well inside the one hour target for a P1.",
        "The plant room was pumped out before any equipment was damaged.",
        "Pressure returned to normal for all affected customers within three hours.",
        "No complaints were received about the incident, and two customers left positive "
        "feedback about the updates they had been given.",
        "The duty manager used my log to brief the operations director the next morning.",
        "The incident report was accepted without changes at the weekly review.",
    ],
    "reflection": [
        "I stayed calm and followed the plan step by step, which kept the incident under "
        "control even though the centre was busy.",
        "Next time I would record the phone message sooner, because the first few callers "
        "had to wait for an adviser to hear the news.",
        "I learned how much a clear and timed log helps other people understand an incident "
        "quickly and make good decisions.",
        "I realised that confirming receipt of every dispatch is as important as sending it, "
        "because it closes the loop.",
        "I would like to shadow a field crew so that I understand better what they need from "
        "the contact centre during an incident.",
        "I have since suggested a checklist for pump failures, which the team leader has "
        "agreed to trial on the next rota.",
        "Sharing only the details the crew needed, and nothing more, kept customers' "
        "information safe.",
    ],
}

INCIDENTS = [
    ("service_outage", "Loss of water pressure across an estate",
     "Pumping station, east site", "A monitoring alarm showed **both duty pumps stopped** at "
     "the pumping station, and customers began to report low pressure."),
    ("safety", "Gas smell reported in a stairwell", "Communal stairwell, block C",
     "A resident reported a **strong smell of gas** on the stairs of a block of flats, with "
     "several households still inside."),
    ("equipment_failure", "Lift entrapment at the depot", "Goods lift, north depot",
     "Two members of staff were **stuck in the goods lift** between floors after a power dip."),
    ("security", "Suspected card skimming at a ticket machine", "Ticket hall, central station",
     "A customer reported a **loose card reader** on a ticket machine and a declined payment."),
    ("it_data", "Booking system unavailable", "Online booking platform",
     "Callers reported that the **booking website was showing an error** on every page."),
    ("delivery", "Missed deliveries on a rural route", "Delivery route 14, west district",
     "Several customers reported that **parcels due yesterday had not arrived**, and the van "
     "tracker had stopped updating."),
    ("safeguarding", "Welfare concern for a lone caller", "Sheltered housing scheme, block A",
     "A support worker reported that a resident had **not answered the door** for two days."),
]  # fmt: skip

COMMUNICATIONS = [
    ("Caller", "phone", "Took the details, read them back and gave safety advice while the "
     "crew was on its way."),
    ("Duty manager", "radio", "Escalated as a P1 under the incident management plan; the "
     "manager confirmed and asked for updates every thirty minutes."),
    ("Field crew", "radio", "Dispatched the crew with the access details and asked them to "
     "confirm receipt, which they did two minutes later."),
    ("Customer service team", "email", "Shared the agreed wording for callers so that every "
     "adviser gave the same update."),
    ("Caller", "sms", "Sent the incident reference and the expected arrival time of the crew."),
    ("Field crew", "radio", "Crew on site; they confirmed the cause and estimated the time "
     "needed for the repair."),
    ("Duty manager", "email", "Sent the thirty minute update with the crew's estimate and the "
     "number of customers affected."),
    ("Communications team", "email", "Asked for a message on the website and social media "
     "channels about the incident."),
    ("Caller", "phone", "Rang back as promised to confirm that the service had been restored."),
    ("Field crew", "radio", "Crew confirmed the repair was complete and the site was safe."),
]  # fmt: skip

CHANNELS = ["phone", "email", "alarm", "radio", "web_chat", "sms"]
LEVELS = ["high", "medium", "low"]
SEVERITIES = ["critical", "major", "moderate", "minor"]


def _paragraphs(rng: random.Random, pool: list[str], words: int, parts: int = 3) -> str:
    """Sentences from the pool, none twice until all are used, to about ``words`` words."""
    out: list[str] = []
    order: list[str] = []
    count = 0
    while count < words:
        if not order:
            order = pool[:]
            rng.shuffle(order)
        sentence = order.pop()
        out.append(sentence)
        count += len(sentence.split())
    size = max(1, len(out) // parts)
    return "\n\n".join(" ".join(out[i : i + size]) for i in range(0, len(out), size))


def incident_content(rng: random.Random, index: int) -> tuple[str, dict]:
    kind, title, location, nature = INCIDENTS[index % len(INCIDENTS)]
    start = datetime(2026, 9, 7, 8, 0) + timedelta(days=index, minutes=rng.randint(0, 600))
    at = start
    entries = []
    for n in range(rng.randint(6, 10)):
        at += timedelta(minutes=rng.randint(2, 25))
        who, channel, summary = COMMUNICATIONS[n % len(COMMUNICATIONS)]
        entries.append({"at": at.isoformat(timespec="minutes"), "with": who,
                        "channel": channel, "summary": summary})  # fmt: skip
    impact, urgency = rng.choice(LEVELS[:2]), rng.choice(LEVELS)
    content = {
        "reference": f"INC-{start:%Y%m%d}-{index:04d}",
        "reported_at": start.isoformat(timespec="minutes"),
        "caller_reference": "Caller A (customer)",
        "channel": rng.choice(CHANNELS),
        "incident_type": kind,
        "location": location,
        "nature": nature,
        "impact": impact,
        "urgency": urgency,
        "severity": rng.choice(SEVERITIES),
        "escalated": True,
        "escalation": {"to": "Duty manager", "at": (start + timedelta(minutes=3)).isoformat(
            timespec="minutes"), "reason": "A P1 or P2 under the incident management plan."},
        "resources": [{"resource": f"Response crew {rng.randint(1, 30)}",
                       "availability_confirmed": True,
                       "dispatched_at": (start + timedelta(minutes=5)).isoformat(timespec="minutes"),
                       "receipt_confirmed": True}],
        "communications": entries,
        "customer_updates": "Updated the caller by phone at each stage and confirmed the "
        "outcome on the callback; the customer service team used the agreed wording.",
        "resolved_at": (at + timedelta(minutes=10)).isoformat(timespec="minutes"),
        "root_cause": "A fault found by the crew on site; details are in the crew's report.",
        "lessons_learned": "Record the phone message for the affected area sooner, and confirm "
        "receipt of every dispatch before moving on to the next call.",
    }  # fmt: skip
    return f"{title} ({index + 1})", content


def call_note_content(rng: random.Random, index: int) -> tuple[str, dict]:
    day = date(2026, 9, 7) + timedelta(days=index)
    content = {
        "call_date": day.isoformat(),
        "channel": rng.choice(["inbound_phone", "outbound_phone"]),
        "duration_minutes": rng.randint(6, 25),
        "notes": _paragraphs(rng, CALL_SENTENCES, 250),
    }
    return f"Keeping a caller informed about a repeat repair ({index + 1})", content


def star_content(rng: random.Random, index: int) -> tuple[str, dict]:
    words = {"situation": 70, "task": 50, "action": 140, "result": 60, "reflection": 80}
    content = {
        part: _paragraphs(rng, STAR_SENTENCES[part], n, parts=1 if n < 100 else 2)
        for part, n in words.items()
    }
    return f"Reflecting on a pump failure on a busy shift ({index + 1})", content


# -- files ---------------------------------------------------------------------------------------


def screenshot_png(index: int) -> bytes:
    """A made-up 1280x800 screenshot of an incident system: bars, a table, text."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(index)
    image = Image.new("RGB", (1280, 800), (246, 247, 249))
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.load_default(size=15)
    except TypeError:
        font = ImageFont.load_default()
    draw.rectangle((0, 0, 1280, 56), fill=(11, 79, 138))
    draw.text((24, 18), f"Incident manager - INC-{20260907 + index}-{index:04d}", fill="white",
              font=font)  # fmt: skip
    draw.rectangle((0, 56, 220, 800), fill=(230, 233, 238))
    for n, label in enumerate(["Dashboard", "Incidents", "Resources", "Dispatch", "Reports"]):
        draw.text((24, 80 + 36 * n), label, fill=(20, 20, 20), font=font)
    columns = [240, 420, 640, 860, 1060]
    for row in range(18):
        y = 80 + row * 38
        draw.rectangle((236, y, 1260, y + 34), fill=(255, 255, 255) if row % 2 else (238, 242, 247))
        cells = [f"{8 + row // 4:02d}:{rng.randint(0, 59):02d}",
                 rng.choice(["Dispatched", "Escalated", "Updated", "Resolved", "Logged"]),
                 f"Crew {rng.randint(1, 30)}", rng.choice(["Radio", "Phone", "Email", "SMS"]),
                 rng.choice(["P1", "P2", "P3"])]  # fmt: skip
        for x, text in zip(columns, cells, strict=True):
            draw.text((x, y + 9), text, fill=(30, 30, 30), font=font)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def procedure_pdf(index: int) -> bytes:
    """A small two-page PDF: an escalation procedure, as a learner might attach one."""
    from weasyprint import HTML

    steps = "".join(f"<li>{s}</li>" for s in COMMUNICATIONS_STEPS)
    html = (
        "<style>@page{size:A4;margin:20mm} body{font-family:'DejaVu Sans';font-size:11pt}"
        "h1{font-size:18pt} .p2{break-before:page}</style>"
        f"<h1>Escalation procedure, issue {index + 1}</h1><ol>{steps}</ol>"
        f"<div class='p2'><h1>Priority matrix</h1><p>{CALL_SENTENCES[8]}</p>"
        "<table border='1'><tr><th></th><th>High</th><th>Medium</th><th>Low</th></tr>"
        "<tr><th>High</th><td>P1</td><td>P2</td><td>P3</td></tr>"
        "<tr><th>Medium</th><td>P2</td><td>P3</td><td>P4</td></tr>"
        "<tr><th>Low</th><td>P3</td><td>P4</td><td>P5</td></tr></table></div>"
    )
    return HTML(string=html).write_pdf()


COMMUNICATIONS_STEPS = [
    "Log the incident with the time, nature, impact and urgency.",
    "Set the priority from the matrix and note the response target.",
    "Escalate every P1 and P2 to the duty manager by radio and confirm receipt.",
    "Dispatch the nearest free resource and confirm receipt of the job.",
    "Update the caller and the customer service team at every stage.",
    "Complete the incident report with the root cause and the lessons learned.",
]


# -- building the portfolios ----------------------------------------------------------------------


@dataclass
class Built:
    size: int
    enrolment_id: int
    sign_off_id: int
    kinds: dict = field(default_factory=dict)
    pngs: int = 0
    pdfs: int = 0
    words: int = 0


def build(app, sizes: list[int]) -> tuple[list[Built], float, int]:
    """One provider, one assessor and IQA, and a learner with a countersigned unit per size."""
    from werkzeug.datastructures import FileStorage

    from portfolio.accounts.models import Provider, Role
    from portfolio.accounts.people import create_person
    from portfolio.assessment import marking, signoff
    from portfolio.assessment.models import Outcome
    from portfolio.db import db
    from portfolio.enrolments.operations import enrol_learner
    from portfolio.evidence import kinds as evidence_kinds
    from portfolio.evidence import operations
    from portfolio.evidence.models import EvidenceKind
    from portfolio.units.models import AwardingBody, Unit

    started = time.perf_counter()
    replaced = 0
    provider = Provider(name="Northgate Training (bench)")
    db.session.add(provider)
    db.session.flush()

    def person(role: Role, name: str, email: str):
        return create_person(provider, name=name, email=email, role=role, password=PASSWORD)

    admin = person(Role.ADMIN, "Bench Admin", ADMIN_EMAIL)
    assessor = person(Role.ASSESSOR, "Priya Assessor", "assessor@bench.example.org")
    iqa = person(Role.IQA, "Helen Quality", "iqa@bench.example.org")
    unit = db.session.scalar(
        db.select(Unit).join(AwardingBody).where(AwardingBody.code == "SFJ")
    )  # fmt: skip
    results = []
    for number, size in enumerate(sizes, start=1):
        rng = random.Random(size)
        learner = person(
            Role.LEARNER, f"Learner Number{number}", f"learner{number}@bench.example.org"
        )
        enrolment = enrol_learner(
            admin, learner_id=learner.id, qualification_id=unit.qualifications[0].id,
            unit_id=unit.id, starts_on=date(2026, 9, 1), planned_end_on=date(2027, 8, 31),
            cohort_id=None, assessor_id=assessor.id, iqa_id=iqa.id,
        )  # fmt: skip
        criteria = {c.number: c.id for c in enrolment.criteria_set.criteria}
        built = Built(size, enrolment.id, 0)
        last_log = None
        for i in range(size):
            slot = i % 10
            if slot in (0, 3, 6, 9):
                kind, (title, content) = EvidenceKind.INCIDENT_LOG, incident_content(rng, i)
                claims = {"1.1": "The log: time, nature, impact and urgency at the top",
                          "2.1": "Dispatch with receipt confirmed, and the updates sent",
                          "3.1": "Priority from the matrix and the escalation to the manager"}  # fmt: skip
            elif slot in (1, 4, 7):
                kind, (title, content) = EvidenceKind.CALL_NOTE, call_note_content(rng, i)
                claims = {"1.1": "Calm, clear call with the details captured"}
            else:
                kind, (title, content) = EvidenceKind.STAR_ACCOUNT, star_content(rng, i)
                claims = {"3.1": "The Action part follows the plan step by step",
                          "1.1": "The Situation and Task parts"}  # fmt: skip
            linked = last_log.id if kind is EvidenceKind.STAR_ACCOUNT and last_log else None
            item = operations.start_item(learner, enrolment, kind, title, content,
                                         linked_item_id=linked)  # fmt: skip
            if kind is EvidenceKind.INCIDENT_LOG:
                last_log = item
            built.kinds[kind.value] = built.kinds.get(kind.value, 0) + 1
            built.words += sum(
                len(t.split()) for t in evidence_kinds.text_fields(kind, content).values()
            )
            operations.set_claims(learner, item, {criteria[n]: note for n, note in claims.items()})
            if i % 10 == 5:
                upload = FileStorage(io.BytesIO(screenshot_png(i)), filename=f"screen-{i + 1}.png",
                                     content_type="image/png")  # fmt: skip
                operations.attach_file(learner, item, upload, "The incident system after dispatch")
                built.pngs += 1
            if i % 25 == 0:
                upload = FileStorage(io.BytesIO(procedure_pdf(i)), filename=f"procedure-{i + 1}.pdf",
                                     content_type="application/pdf")  # fmt: skip
                operations.attach_file(learner, item, upload, "The escalation procedure I followed")
                built.pdfs += 1
            # The text is written to pass the personal-data check; should a phrase ever be
            # flagged, replace it as a learner would rather than fail the benchmark.
            replaced += operations.replace_all_findings(learner, item)
            operations.submit_item(learner, item)
            judgements = [
                marking.Judgement(c.criterion_id, True, "Shown clearly") for c in item.claims
            ]
            marking.record_decision(
                assessor, item, judgements=judgements, outcome=Outcome.ACCEPTED,
                feedback="Clear, timed and complete: **well done**.", lock_version=None,
            )  # fmt: skip
        signoff.declare(learner, enrolment)
        record = signoff.sign_off(assessor, enrolment)
        signoff.countersign(iqa, enrolment)
        db.session.commit()
        built.sign_off_id = record.id
        results.append(built)
    return results, time.perf_counter() - started, replaced


# -- measuring in this process ---------------------------------------------------------------------


@dataclass
class Prepared:
    html: str
    images: dict
    attachments: dict
    pages: dict


def prepare(sign_off) -> Prepared:
    """What build_pdf hands WeasyPrint: the HTML with the same page reservations, and files."""
    from portfolio.exports import service

    p = service.prepare(sign_off)
    return Prepared(p.html, p.images, p.attachments, p.pages)


def fresh_sign_off(sign_off_id: int):
    """The sign-off in a new session, as a request that exports it would find it."""
    from portfolio.assessment.models import SignOff
    from portfolio.db import db

    db.session.remove()
    return db.session.get(SignOff, sign_off_id)


def weasyprint_alone(prepared: Prepared) -> bytes:
    from weasyprint import HTML

    from portfolio.exports.pdf import SCHEME, PortfolioFetcher

    fetcher = PortfolioFetcher(prepared.images)
    return HTML(string=prepared.html, base_url=SCHEME + "/", url_fetcher=fetcher).write_pdf(
        pdf_variant="pdf/ua-1"
    )


def stages(sign_off_id: int) -> dict[str, float]:
    """Each step of build_pdf timed on its own, in its order (one run)."""
    from flask import current_app
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from portfolio.exports import pdf, service, signing
    from portfolio.exports.pdf import SCHEME, PortfolioFetcher, PortfolioHTML

    out: dict[str, float] = {}
    sign_off = fresh_sign_off(sign_off_id)
    t = time.perf_counter()
    prepared = service.prepare(sign_off)
    images, attachments = prepared.images, prepared.attachments
    out["gather, attachment pages, Jinja template (service.prepare)"] = time.perf_counter() - t
    t = time.perf_counter()
    fetcher = PortfolioFetcher(images)
    rendered = PortfolioHTML(
        string=prepared.html, base_url=SCHEME + "/", url_fetcher=fetcher
    ).render()
    pdf.xml_safe_metadata(rendered.metadata)
    out["WeasyPrint: parse, style, layout"] = time.perf_counter() - t
    t = time.perf_counter()
    reserved = pdf.attachment_pages(rendered)
    data = rendered.write_pdf(pdf_variant="pdf/ua-1")
    out["WeasyPrint: write_pdf"] = time.perf_counter() - t
    t = time.perf_counter()
    signature = signing.pdf_signer(
        signing.load_signer(current_app.config, current_app.instance_path), reason="bench"
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    out["pyHanko: read the PDF (IncrementalPdfFileWriter)"] = time.perf_counter() - t
    t = time.perf_counter()
    if reserved:
        pdf.lay_in_attachments(writer, reserved, attachments)
    out["lay attached PDFs in (pdf.lay_in_attachments)"] = time.perf_counter() - t
    t = time.perf_counter()
    signing.sign(writer, signature)
    out["sign and write the update (pyHanko PdfSigner)"] = time.perf_counter() - t
    return out


@dataclass
class SizeResult:
    built: Built
    pages: int
    pdf_bytes: int
    export: list[float]  # wall seconds
    weasy: list[float]
    export_cpu: list[float]  # this process's CPU seconds (user + system)
    weasy_cpu: list[float]
    sign: list[float]
    stages: dict
    child_export: dict | None = None
    child_weasy: dict | None = None

    @property
    def export_median(self) -> float:
        return statistics.median(self.export)

    @property
    def weasy_median(self) -> float:
        return statistics.median(self.weasy)

    @property
    def ratio(self) -> float:
        return self.export_median / self.weasy_median

    @property
    def cpu_ratio(self) -> float:
        return statistics.median(self.export_cpu) / statistics.median(self.weasy_cpu)

    @property
    def sign_median(self) -> float:
        return statistics.median(self.sign)

    @property
    def sign_share(self) -> float:
        return self.sign_median / self.export_median


def timed(function, *args, **kwargs):
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def measure(app, built: Built, repeat: int) -> SizeResult:
    from flask import current_app

    from portfolio.exports import service, signing

    export, weasy, export_cpu, weasy_cpu = [], [], [], []
    pages = size = 0
    for _ in range(repeat):
        # Interleaved, so drift (caches, other load on the machine) touches both alike.
        sign_off = fresh_sign_off(built.sign_off_id)
        (signed, pages), wall, cpu = timed(service.build_pdf, sign_off, time_limit=None)
        export.append(wall)
        export_cpu.append(cpu)
        size = len(signed)
        prepared = prepare(fresh_sign_off(built.sign_off_id))
        _, wall, cpu = timed(weasyprint_alone, prepared)
        weasy.append(wall)
        weasy_cpu.append(cpu)
    prepared = prepare(fresh_sign_off(built.sign_off_id))
    unsigned = weasyprint_alone(prepared)
    signature = signing.pdf_signer(
        signing.load_signer(current_app.config, current_app.instance_path), reason="bench"
    )
    sign_times = []
    for _ in range(max(repeat, 3)):
        t = time.perf_counter()
        signing.sign_pdf(unsigned, signature)
        sign_times.append(time.perf_counter() - t)
    return SizeResult(built, pages, size, export, weasy, export_cpu, weasy_cpu, sign_times,
                      stages(built.sign_off_id))  # fmt: skip


# -- the child that measures memory ------------------------------------------------------------------


def child_main(mode: str, url: str, instance: str, sign_off_id: int) -> None:
    """One export (or WeasyPrint alone) in this fresh process; prints its figures as JSON."""
    os.environ["PORTFOLIO_INSTANCE_PATH"] = instance
    started = time.perf_counter()
    import weasyprint  # noqa: F401  (imported up front, as a server process would have it)

    from portfolio import create_app
    from portfolio.exports import service

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY,
                      "PUBLIC_URL": BASE_URL, "EXPORTS_SYNCHRONOUS": True})  # fmt: skip
    with app.app_context(), app.test_request_context(base_url=BASE_URL):
        sign_off = fresh_sign_off(sign_off_id)
        _ = sign_off.enrolment.learner.name, sign_off.declaration.manifest_hash
        prepared = prepare(sign_off) if mode == "weasyprint" else None
        before_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        before_rss = status_kib("VmRSS")
        ready = time.perf_counter() - started
        t = time.perf_counter()
        if mode == "weasyprint":
            weasyprint_alone(prepared)
            pages = None
        else:
            _data, pages = service.build_pdf(sign_off, time_limit=None)
        seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"mode": mode, "baseline_max_kib": before_max, "baseline_rss_kib": before_rss,
                      "peak_kib": peak, "hwm_kib": status_kib("VmHWM"), "seconds": seconds,
                      "startup_seconds": ready, "pages": pages}))  # fmt: skip


def status_kib(name: str) -> int:
    """A figure of /proc/self/status, such as VmHWM (this address space's peak RSS)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return 0


class Launcher:
    """A small process, started before this one grows, that starts the measuring children.

    Linux carries a process's peak RSS across fork and exec: a child's ru_maxrss starts at
    the peak of the process that started it. Started from this benchmark after it has
    rendered PDFs, a child would report the benchmark's peak (about 280 MiB), not its own;
    started from this launcher (about 15 MiB), it reports its own.
    """

    def __init__(self):
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, str(Path(__file__).resolve()), "--launcher"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    def run(self, mode: str, url: str, instance: Path, sign_off_id: int) -> dict:
        request = ["--child", mode, "--db", url, "--instance", str(instance),
                   "--sign-off", str(sign_off_id)]  # fmt: skip
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline() or '{"error": "launcher ended"}')
        if "error" in answer:
            raise RuntimeError(f"the {mode} child failed: {answer['error']}")
        return answer

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def launcher_main() -> None:
    """Runs this script with each request's arguments; answers with its last line of JSON."""
    for line in sys.stdin:
        command = [sys.executable, str(Path(__file__).resolve()), *json.loads(line)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603
        if done.returncode != 0:
            answer = {"error": f"exit {done.returncode}:\n{done.stderr[-3000:]}"}
        else:
            answer = json.loads(done.stdout.strip().splitlines()[-1])
            answer["launcher_peak_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps(answer), flush=True)


# -- serving -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    mib_per_s: float
    server_cpu_ms: float = 0.0  # CPU of all gunicorn processes per request


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
_UNITS_MIB = {"B": 1 / 1048576, "KB": 1 / 1024, "MB": 1.0, "GB": 1024.0}


def session_cpu_seconds(session: int) -> float:
    """CPU (user + system) used so far by the live processes of a session, from /proc."""
    total = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == session:
                    total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def run_wrk(url: str, cookie: str, duration: int, server_session: int) -> WrkResult:
    command = ["wrk", "-t2", "-c20", f"-d{duration}s", "--latency", "-H",
               f"User-Agent: {harness.USER_AGENT}", "-H", f"Cookie: {harness.COOKIE}={cookie}", url]  # fmt: skip
    cpu = session_cpu_seconds(server_session)
    done = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=duration + 60, check=False
    )
    cpu = session_cpu_seconds(server_session) - cpu
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    out = done.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    transfer = re.search(r"Transfer/sec:\s+([\d.]+)(B|KB|MB|GB)", out)
    latencies = {
        p: float(v) * _UNITS_MS[u]
        for p, v, u in re.findall(r"^\s*(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    }
    if not rps or "50" not in latencies or "99" not in latencies:
        raise RuntimeError(f"could not read wrk's report:\n{out}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    requests = re.search(r"(\d+) requests in", out)
    count = int(requests.group(1)) if requests else 0
    return WrkResult(float(rps.group(1)), latencies["50"], latencies["99"], count, errors,
                     float(transfer.group(1)) * _UNITS_MIB[transfer.group(2)] if transfer else 0.0,
                     cpu * 1000 / count if count else 0.0)  # fmt: skip


@dataclass
class Serving:
    pdf: WrkResult
    static: WrkResult
    size: int
    first_request_status: int
    generation_seconds: float
    rounds: list[tuple[WrkResult, WrkResult]]


def combined(runs: list[WrkResult]) -> WrkResult:
    """Runs of equal length as one: mean req/s, median latencies, summed counts."""
    requests = sum(r.requests for r in runs)
    return WrkResult(
        statistics.mean(r.rps for r in runs),
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
        requests,
        sum(r.errors for r in runs),
        statistics.mean(r.mib_per_s for r in runs),
        sum(r.server_cpu_ms * r.requests for r in runs) / requests if requests else 0.0,
    )


def wait_until_stored(app, server: "harness.Server", enrolment_id: int, deadline: float) -> None:
    """Watch the document record (not the page, whose every GET would start another render)."""
    from portfolio.db import db
    from portfolio.exports.models import DocumentStatus, PortfolioDocument

    while time.monotonic() < deadline:
        db.session.remove()
        record = db.session.scalar(
            db.select(PortfolioDocument).where(PortfolioDocument.enrolment_id == enrolment_id)
        )
        if record is not None and record.status is DocumentStatus.READY:
            return
        if record is not None and record.status is DocumentStatus.FAILED:
            raise RuntimeError(f"the PDF could not be made: {record.error}")
        if server.failed():  # an exception other than DomainError leaves it pending
            raise RuntimeError("the background export raised an exception (log below)")
        time.sleep(0.5)
    raise RuntimeError(f"the PDF was not ready within {GENERATE_SECONDS} s")


def serve(app, url: str, instance: Path, built: Built, duration: int) -> Serving:
    server = harness.Server(url, instance, WORKERS)
    static_path = None
    try:
        server.wait_until_ready()
        cookie = harness.sign_in(server.base, ADMIN_EMAIL, PASSWORD)
        path = f"/enrolments/{built.enrolment_id}/portfolio.pdf"
        t = time.monotonic()
        first, _, _ = harness.fetch(server.base + path, cookie=cookie)
        if first not in (200, 202, 302):
            raise RuntimeError(f"GET {path} answered {first}:\n{server.log_tail()}")
        with app.app_context():
            wait_until_stored(app, server, built.enrolment_id, t + GENERATE_SECONDS)
        generation = time.monotonic() - t
        status, body, headers = harness.fetch(server.base + path, cookie=cookie, text=False)
        if status != 200 or headers.get("Content-Type") != "application/pdf":
            raise RuntimeError(f"GET {path} answered {status} {headers.get('Content-Type')}")
        static_path = ROOT / "static" / f"bench-{secrets.token_hex(8)}.pdf"
        static_path.write_bytes(body)
        status, copy, _ = harness.fetch(
            server.base + "/static/" + static_path.name, cookie=cookie, text=False
        )
        if status != 200 or copy != body:
            raise RuntimeError(f"GET /static/{static_path.name} answered {status}")
        # Rounds alternate between the two, so that drift in what else the machine is doing
        # falls on both alike.
        rounds: list[tuple[WrkResult, WrkResult]] = []
        for _ in range(SERVING_ROUNDS):
            stored = run_wrk(server.base + path, cookie, duration, server.process.pid)
            static = run_wrk(
                server.base + "/static/" + static_path.name, cookie, duration, server.process.pid
            )
            rounds.append((stored, static))
        return Serving(combined([r[0] for r in rounds]), combined([r[1] for r in rounds]),
                       len(body), first, generation, rounds)  # fmt: skip
    except Exception:
        print(f"gunicorn log (last lines):\n{server.log_tail()}", file=sys.stderr)
        raise
    finally:
        if static_path is not None:
            static_path.unlink(missing_ok=True)
        server.stop()


# -- the report ----------------------------------------------------------------------------------


def mib(kib: float) -> float:
    return kib / 1024


def memory_target(pages: int) -> float:
    return MEMORY_BASE_MIB + MEMORY_PER_PAGE_MIB * pages


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                        enumerate(zip(row, widths, strict=True))).rstrip())  # fmt: skip
        if n == 0:
            print("  ".join("-" * w for w in widths))


def report(results: list[SizeResult], serving: Serving | None, args, build_seconds: float) -> bool:
    """Prints the tables; True when every target was met."""
    met = []
    print("\n== Portfolio PDF export: figures")
    rows = [["", *[f"{r.built.size} items" for r in results], "target"]]

    def add(label, cells, target=""):
        rows.append([label, *cells, target])

    add("evidence (log/call/STAR)", [f"{r.built.kinds.get('incident_log', 0)}/"
        f"{r.built.kinds.get('call_note', 0)}/{r.built.kinds.get('star_account', 0)}"
        for r in results])  # fmt: skip
    add("words of evidence", [f"{r.built.words:,}" for r in results])
    add("PNG / attached PDFs", [f"{r.built.pngs} / {r.built.pdfs}" for r in results])
    add("pages", [str(r.pages) for r in results])
    add("PDF size", [f"{r.pdf_bytes / 1048576:.2f} MiB" for r in results])
    add(f"export, median of {args.repeat} (s)", [f"{r.export_median:.2f}" for r in results])
    add(
        f"WeasyPrint alone, median of {args.repeat} (s)", [f"{r.weasy_median:.2f}" for r in results]
    )
    cells = []
    for r in results:
        met.append(r.ratio <= RATIO_TARGET)
        cells.append(f"{r.ratio:.3f} {verdict(r.ratio <= RATIO_TARGET)}")
    add("export / WeasyPrint alone (wall)", cells, f"<= {RATIO_TARGET}")
    add("  the same in CPU time (info)", [
        f"{r.cpu_ratio:.3f} {verdict(r.cpu_ratio <= RATIO_TARGET)}" for r in results])  # fmt: skip
    add("export CPU, median (s)", [f"{statistics.median(r.export_cpu):.2f}" for r in results])
    add(
        "WeasyPrint alone CPU, median (s)",
        [f"{statistics.median(r.weasy_cpu):.2f}" for r in results],
    )
    add("signing alone, median (s)", [f"{r.sign_median:.3f}" for r in results])
    cells = []
    for r in results:
        met.append(r.sign_share < SIGN_SHARE_TARGET)
        cells.append(f"{r.sign_share:.1%} {verdict(r.sign_share < SIGN_SHARE_TARGET)}")
    add("  as a share of the export", cells, f"< {SIGN_SHARE_TARGET:.0%}")
    add("pages per second (export)", [f"{r.pages / r.export_median:.1f}" for r in results])
    add("export runs (s)", [" ".join(f"{x:.2f}" for x in r.export) for r in results])
    add("WeasyPrint runs (s)", [" ".join(f"{x:.2f}" for x in r.weasy) for r in results])
    if all(r.child_export for r in results):
        add("child: baseline RSS before export", [
            f"{mib(r.child_export['baseline_max_kib']):.1f} MiB" for r in results])  # fmt: skip
        add("child: peak RSS, absolute", [f"{mib(r.child_export['peak_kib']):.1f} MiB"
                                          for r in results])  # fmt: skip
        cells = []
        for r in results:
            increase = mib(r.child_export["peak_kib"] - r.child_export["baseline_max_kib"])
            ok = increase < memory_target(r.pages)
            met.append(ok)
            cells.append(f"{increase:.1f} MiB {verdict(ok)}")
        add("child: peak increase in export", cells, "< 65 MiB + 1.1 MiB/page")
        add("  target for these pages", [f"{memory_target(r.pages):.1f} MiB" for r in results])
        add("  absolute peak vs target (info)", [
            f"{mib(r.child_export['peak_kib']) / memory_target(r.pages):.0%} of it" for r in results])  # fmt: skip
        add("child: export wall, cold process (s)", [f"{r.child_export['seconds']:.2f}"
                                                     for r in results])  # fmt: skip
    if all(r.child_weasy for r in results):
        add("child: WeasyPrint alone, peak increase", [
            f"{mib(r.child_weasy['peak_kib'] - r.child_weasy['baseline_max_kib']):.1f} MiB"
            for r in results])  # fmt: skip
    table(rows)
    print(
        "\nMemory: the target is compared with the peak RSS increase during the export over "
        "the child's peak just before it (after imports, app, database and sign-off loaded), "
        "because the absolute RSS is dominated by the imported libraries (the baseline row), "
        "which every process has whatever the portfolio. ru_maxrss, KiB on Linux."
    )

    print("\n== Where the export's time goes (one run each; WeasyPrint alone = the two "
          "WeasyPrint rows)")  # fmt: skip
    names = list(results[0].stages)
    rows = [["stage", *[f"{r.built.size} items" for r in results]]]
    for name in names:
        rows.append([name, *[f"{r.stages[name]:.3f} s ({r.stages[name] / sum(r.stages.values()):.0%})"
                             for r in results]])  # fmt: skip
    rows.append(["total", *[f"{sum(r.stages.values()):.3f} s" for r in results]])
    table(rows)

    if serving:
        print(f"\n== Serving the stored {results[-1].built.size}-item PDF "
              f"({serving.size / 1048576:.2f} MiB): gunicorn {WORKERS} sync workers, "
              f"wrk -t2 -c20 -d{args.duration}s, {SERVING_ROUNDS} rounds taking turns")  # fmt: skip
        print(f"first request answered {serving.first_request_status}; made and stored in "
              f"{serving.generation_seconds:.1f} s (in the background, forked render)")  # fmt: skip
        rows = [["URL", "req/s", "MiB/s", "p50 ms", "p99 ms", "requests", "errors",
                 "gunicorn CPU/request"]]  # fmt: skip
        for label, w in (("stored PDF /enrolments/<id>/portfolio.pdf", serving.pdf),
                         ("static copy /static/bench-<random>.pdf", serving.static)):  # fmt: skip
            rows.append([label, f"{w.rps:,.1f}", f"{w.mib_per_s:,.0f}", f"{w.p50_ms:.1f}",
                         f"{w.p99_ms:.1f}", f"{w.requests:,}", str(w.errors),
                         f"{w.server_cpu_ms:.2f} ms"])  # fmt: skip
        table(rows)
        print("req/s by round (stored, static): " + "; ".join(
            f"{a.rps:,.0f}, {b.rps:,.0f}" for a, b in serving.rounds))  # fmt: skip
        ok = serving.pdf.rps >= serving.static.rps and not serving.pdf.errors
        met.append(ok)
        print(f"stored PDF at {serving.pdf.rps / serving.static.rps:.1%} of the static file's "
              f"req/s; target: at least as fast (>= 100%): {verdict(ok)}")  # fmt: skip

    load = os.getloadavg()
    print(f"\nMachine: {os.cpu_count()} CPUs; load average {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f} at the end; Python {sys.version.split()[0]}; {versions()}; data built "
          f"in {build_seconds:.0f} s")  # fmt: skip
    if max(load[0], args.start_load) > 0.5:
        print("Other work was running on the machine: it slows wall times at random, so the "
              "wall ratio can swing either way; the CPU-time ratio (this process's CPU only) is "
              "the steadier guide. Targets are judged on wall time, as specified.")  # fmt: skip
    print(f"Overall: {sum(met)} of {len(met)} targets met")
    return all(met)


def versions() -> str:
    from importlib.metadata import version

    return ", ".join(f"{p} {version(p)}" for p in ("weasyprint", "pyHanko", "pypdf", "gunicorn"))


# -- main ------------------------------------------------------------------------------------------


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # so that finally blocks stop gunicorn and remove files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,50,100", help="evidence items per portfolio")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per URL")
    parser.add_argument("--skip-serving", action="store_true")
    parser.add_argument("--skip-memory", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--launcher", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=["export", "weasyprint"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    parser.add_argument("--sign-off", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.launcher:
        launcher_main()
        return 0
    if args.child:
        child_main(args.child, args.db, args.instance, args.sign_off)
        return 0
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes takes numbers separated by commas, e.g. 10,50,100")
    if not sizes or min(sizes) < 1 or args.repeat < 1 or not 1 <= args.duration <= 120:
        parser.error("sizes and --repeat must be at least 1, --duration between 1 and 120")
    if not args.skip_serving and not shutil.which("wrk"):
        parser.error("wrk was not found (apt-get install wrk), or use --skip-serving")
    signal.signal(signal.SIGTERM, _terminate)

    # Started first, while this process is small: see Launcher.
    launcher = None if args.skip_memory else Launcher()
    instance = Path(tempfile.mkdtemp(prefix="portfolio-bench-pdf-"))
    os.environ["PORTFOLIO_INSTANCE_PATH"] = str(instance)  # nothing lands in the repository
    url = f"sqlite:///{instance / 'bench.sqlite3'}"
    app = None
    try:
        from flask_migrate import upgrade

        from portfolio import ROOT as APP_ROOT
        from portfolio import create_app
        from portfolio.db import db
        from portfolio.exports import service
        from portfolio.units.library import import_criteria

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY,
                          "PUBLIC_URL": BASE_URL, "EXPORTS_SYNCHRONOUS": True})  # fmt: skip
        load = os.getloadavg()
        args.start_load = load[0]
        print(f"Portfolio PDF benchmark: sizes {sizes}, repeat {args.repeat}; {os.cpu_count()} "
              f"CPUs, load average {load[0]:.2f} at the start; {versions()}", flush=True)  # fmt: skip
        with app.app_context(), app.test_request_context(base_url=BASE_URL):
            upgrade()
            import_criteria(APP_ROOT / "criteria")
            db.session.commit()
            built, build_seconds, replaced = build(app, sizes)
            print(
                f"built {len(built)} countersigned portfolios in {build_seconds:.1f} s"
                + (f" ({replaced} flagged phrases replaced)" if replaced else ""),
                flush=True,
            )
            # Warm up (not measured): fonts, the signer, the template's compilation.
            service.build_pdf(fresh_sign_off(built[0].sign_off_id), time_limit=None)
            results = []
            for b in built:
                result = measure(app, b, args.repeat)
                print(f"{b.size} items: {result.pages} pages, export {result.export_median:.2f} s, "
                      f"WeasyPrint {result.weasy_median:.2f} s, ratio {result.ratio:.3f} "
                      f"(CPU {result.cpu_ratio:.3f}), sign {result.sign_median:.3f} s", flush=True)  # fmt: skip
                results.append(result)
            db.session.remove()
        if launcher:
            for result in results:
                sign_off_id = result.built.sign_off_id
                result.child_export = launcher.run("export", url, instance, sign_off_id)
                result.child_weasy = launcher.run("weasyprint", url, instance, sign_off_id)
                c = result.child_export
                print(f"{result.built.size} items, fresh child: peak {mib(c['peak_kib']):.1f} MiB "
                      f"(VmHWM {mib(c['hwm_kib']):.1f}), baseline {mib(c['baseline_max_kib']):.1f} "
                      f"MiB", flush=True)  # fmt: skip
        serving = None
        if not args.skip_serving:
            serving = serve(app, url, instance, built[-1], args.duration)
        report(results, serving, args, build_seconds)
        return 0
    finally:
        if launcher:
            launcher.close()
        if app is not None:
            with contextlib.suppress(Exception), app.app_context():
                from portfolio.db import db

                db.engine.dispose()
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
