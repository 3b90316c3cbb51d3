"""Demo evidence at every stage: in progress, awaiting marking, returned, signed off and
countersigned, with IQA samples, so that a newcomer sees the whole lifecycle."""

from portfolio.assessment import marking, sampling, signoff
from portfolio.assessment.models import Outcome
from portfolio.evidence import operations
from portfolio.evidence.models import EvidenceKind

DEMO_INCIDENT = {
    "reference": "INC-20261104-0042",
    "reported_at": "2026-11-04T14:05",
    "caller_reference": "Caller A (resident)",
    "channel": "phone",
    "incident_type": "safety",
    "location": "Communal stairwell, block C",
    "nature": "A resident reported a **strong smell of gas** on the stairs of a block of flats.",
    "impact": "high",
    "urgency": "high",
    "severity": "critical",
    "escalated": True,
    "escalation": {"to": "Duty emergency engineer", "at": "2026-11-04T14:08",
                   "reason": "Possible gas leak: a P1 under our emergency procedure."},
    "resources": [{"resource": "Emergency engineer van 12", "availability_confirmed": True,
                   "dispatched_at": "2026-11-04T14:10", "receipt_confirmed": True}],
    "communications": [
        {"at": "2026-11-04T14:06", "with": "Caller", "channel": "phone",
         "summary": "Advised to leave the building, not to use switches and to wait outside."},
        {"at": "2026-11-04T14:30", "with": "Housing officer", "channel": "email",
         "summary": "Told them about the incident and the engineer's arrival time."},
    ],
    "customer_updates": "Rang the caller back at 14:45 to confirm the engineer had made it safe.",
    "resolved_at": "2026-11-04T15:20",
    "root_cause": "A loose joint on the gas meter.",
    "lessons_learned": "On the callback, check that the evacuation advice was followed.",
}  # fmt: skip

# Aisha's afternoon report of gas in a block of flats; Oluwaseun's log of a second gas
# smell, late one evening, keeps its facts and moves its times and reference.
LATE_GAS_INCIDENT = {
    **DEMO_INCIDENT,
    "reference": "INC-20261028-0051",
    "reported_at": "2026-10-28T22:40",
    "escalation": {**DEMO_INCIDENT["escalation"], "at": "2026-10-28T22:43"},
    "resources": [{**DEMO_INCIDENT["resources"][0], "dispatched_at": "2026-10-28T22:45"}],
    "communications": [
        {**DEMO_INCIDENT["communications"][0], "at": "2026-10-28T22:41"},
        {"at": "2026-10-28T23:05", "with": "Out-of-hours housing officer", "channel": "phone",
         "summary": "Told them about the incident and the engineer's arrival time."},
    ],
    "customer_updates": "Rang the caller back at 23:25 to confirm the engineer had made it safe.",
    "resolved_at": "2026-10-28T23:55",
}  # fmt: skip

# Chloe's log, returned for rework: the severity and the lessons learned are left out on
# purpose, as the assessor's feedback says.
WATER_LEAK_INCIDENT = {
    "reference": "INC-20261102-0019",
    "reported_at": "2026-11-02T09:12",
    "caller_reference": "Caller B (site engineer)",
    "channel": "phone",
    "incident_type": "equipment_failure",
    "location": "Server room, ground floor, head office",
    "nature": "A site engineer reported **water dripping through the ceiling** of the server "
              "room onto the top of a rack of servers.",
    "impact": "high",
    "urgency": "high",
    "severity": "",
    "escalated": True,
    "escalation": {"to": "Facilities duty manager", "at": "2026-11-02T09:15",
                   "reason": "Water near live equipment: a P1 under the building procedure."},
    "resources": [{"resource": "On-call facilities plumber", "availability_confirmed": True,
                   "dispatched_at": "2026-11-02T09:20", "receipt_confirmed": True}],
    "communications": [
        {"at": "2026-11-02T09:14", "with": "Caller", "channel": "phone",
         "summary": "Asked them to keep clear of the wet rack and not to touch the equipment."},
        {"at": "2026-11-02T09:25", "with": "IT service desk", "channel": "email",
         "summary": "Warned them that the servers in the wet rack might have to be shut down."},
    ],
    "customer_updates": "Rang the site engineer back at 10:05 to confirm the plumber had "
                        "stopped the leak.",
    "resolved_at": "2026-11-02T10:40",
    "root_cause": "A split overflow pipe from the air-conditioning unit above the ceiling.",
    "lessons_learned": "",
}  # fmt: skip

# Callum's draft.
LIFT_INCIDENT = {
    "reference": "INC-20261106-0007",
    "reported_at": "2026-11-06T07:48",
    "caller_reference": "Caller C (depot supervisor)",
    "channel": "phone",
    "incident_type": "equipment_failure",
    "location": "Goods lift, north depot",
    "nature": "Two members of staff were **stuck in the goods lift** between floors.",
    "impact": "medium",
    "urgency": "high",
    "severity": "major",
    "escalated": True,
    "escalation": {"to": "Lift contractor's emergency line", "at": "2026-11-06T07:52",
                   "reason": "People trapped: the lift contract calls for an emergency visit."},
    "resources": [{"resource": "Lift engineer from the contractor", "availability_confirmed": True,
                   "dispatched_at": "2026-11-06T07:55", "receipt_confirmed": True}],
    "communications": [
        {"at": "2026-11-06T07:50", "with": "Caller", "channel": "phone",
         "summary": "Checked that both staff were unhurt and asked the supervisor to keep "
                    "talking to them through the lift's intercom."},
        {"at": "2026-11-06T08:05", "with": "Depot manager", "channel": "email",
         "summary": "Told them the lift was out of use and the engineer was on the way."},
    ],
    "customer_updates": "Rang the supervisor every 15 minutes until the engineer arrived at 08:31.",
    "resolved_at": "2026-11-06T08:40",
    "root_cause": "A faulty door interlock stopped the lift between floors.",
    "lessons_learned": "Put the lift contractor's emergency number at the top of the depot's "
                       "contact sheet.",
}  # fmt: skip

# Siobhan's log, in her signed-off and countersigned unit.
COLLISION_INCIDENT = {
    "reference": "INC-20261101-0003",
    "reported_at": "2026-11-01T17:22",
    "caller_reference": "Caller D (driver)",
    "channel": "phone",
    "incident_type": "safety",
    "location": "A40 westbound, near junction 3",
    "nature": "A driver reported a **collision between two cars** in the westbound lane; the "
              "other driver had neck pain.",
    "impact": "high",
    "urgency": "high",
    "severity": "major",
    "escalated": True,
    "escalation": {"to": "Ambulance and police control rooms", "at": "2026-11-01T17:24",
                   "reason": "Someone injured on a live road: a P1."},
    "resources": [
        {"resource": "Ambulance", "availability_confirmed": True,
         "dispatched_at": "2026-11-01T17:25", "receipt_confirmed": True},
        {"resource": "Police traffic unit", "availability_confirmed": True,
         "dispatched_at": "2026-11-01T17:27", "receipt_confirmed": True},
    ],
    "communications": [
        {"at": "2026-11-01T17:23", "with": "Caller", "channel": "phone",
         "summary": "Asked them to stay in the car with the hazard lights on, and not to move "
                    "the injured driver."},
        {"at": "2026-11-01T17:40", "with": "Highways control room", "channel": "phone",
         "summary": "Asked for the lane to be closed and warning signs set."},
    ],
    "customer_updates": "Rang the driver back at 17:50 to confirm the ambulance had arrived.",
    "resolved_at": "2026-11-01T18:35",
    "root_cause": "A car braked suddenly in slow traffic and the car behind could not stop.",
    "lessons_learned": "Ask for the nearest marker post at the start of the call: it saves "
                       "time finding the scene.",
}  # fmt: skip

LATE_GAS_STAR = {
    "situation": "On a busy late shift a resident rang to report a strong smell of gas in the "
    "stairwell of a block of flats, with several neighbours still inside the building.",
    "task": "I had to log the incident, classify it correctly and get an engineer there within "
    "the one hour target for a P1.",
    "action": "I logged the call straight away, classified it as P1 because of the safety risk "
    "and escalated it to the duty engineer. I confirmed the nearest van was free before I "
    "dispatched it, and I kept the resident informed until the engineer arrived.",
    "result": "The engineer arrived in 35 minutes, found a loose meter joint and made the "
    "building safe, so we met the one hour target.",
    "reflection": "I stayed calm and followed the procedure, but next time I would check sooner "
    "that everyone had left the building. I learned how much a clear, timed log helps the "
    "engineer and my team leader understand an incident quickly.",
}

DEMO_STAR = {
    **LATE_GAS_STAR,
    "situation": "On a busy afternoon shift a resident rang to report a strong smell of gas in "
    "the stairwell of a block of flats, with several neighbours still inside the building.",
}

DEMO_CALL_NOTE = {
    "call_date": "2026-11-05",
    "channel": "inbound_phone",
    "duration_minutes": 9,
    "notes": "Caller Mrs Joan Whitfield rang from 07700 900461 about a bill of £82.40 that "
    "included a standing charge she did not expect. I explained the tariff, apologised for "
    "the confusion and raised a credit request under reference INC-20261105-0113, then "
    "promised an email confirmation within two working days.",
}


SIMPLE_CALL_NOTE = {
    "call_date": "2026-11-05",
    "channel": "inbound_phone",
    "duration_minutes": 11,
    "notes": "The caller was worried because the power had been off for two hours. I listened, "
    "apologised and checked the outage map, then explained that engineers were on site and "
    "gave the estimated restore time. I agreed to ring back within the hour with an update, "
    "which I did at the time promised, and the caller thanked me for keeping them informed.",
}


def _criteria(enrolment) -> dict[str, int]:
    return {c.number: c.id for c in enrolment.criteria_set.criteria}


def _submitted(learner, enrolment, kind, title, content, claims, **extra):
    item = operations.start_item(learner, enrolment, kind, title, content, **extra)
    ids = _criteria(enrolment)
    operations.set_claims(learner, item, {ids[n]: note for n, note in claims.items()})
    operations.submit_item(learner, item)
    return item


def _accept(assessor, item, feedback="Clear, timed and complete: well done."):
    judgements = [marking.Judgement(c.criterion_id, True, "Shown clearly") for c in item.claims]
    return marking.record_decision(assessor, item, judgements=judgements, outcome=Outcome.ACCEPTED,
                                   feedback=feedback, lock_version=None)  # fmt: skip


def _complete_unit(people, handle, enrolment, assessor, claims_by_item):
    """Evidence covering every criterion, accepted, declared and signed off."""
    learner = people[handle]
    for kind, title, content, claims in claims_by_item:
        item = _submitted(learner, enrolment, kind, title, content, claims)
        _accept(people[assessor], item)
    signoff.declare(learner, enrolment)
    return signoff.sign_off(people[assessor], enrolment)


def add_lifecycle(people: dict, enrolments: dict) -> None:
    # Aisha (Pearson): a log awaiting marking, a STAR draft, and a call note that still
    # holds a customer's details, so the personal-data check has something to show.
    learner, enrolment = people["learner"], enrolments["learner"]
    log = _submitted(learner, enrolment, EvidenceKind.INCIDENT_LOG, "Gas smell in a block of flats",
                     DEMO_INCIDENT, {"1.1": "Reference, times, nature and impact at the top of the log",
                                     "2.1": "Dispatch of van 12 with receipt confirmed"})  # fmt: skip
    star = operations.start_item(learner, enrolment, EvidenceKind.STAR_ACCOUNT,
                                 "Reflecting on the gas smell report", DEMO_STAR, linked_item_id=log.id)  # fmt: skip
    operations.set_claims(learner, star, {_criteria(enrolment)["3.1"]: "The Reflection part"})
    operations.start_item(
        learner, enrolment, EvidenceKind.CALL_NOTE, "Unexpected standing charge", DEMO_CALL_NOTE
    )

    # Callum (BIIAB): in progress, one draft.
    operations.start_item(
        people["learner2"], enrolments["learner2"], EvidenceKind.INCIDENT_LOG, "Lift entrapment at the depot",
        LIFT_INCIDENT,
    )  # fmt: skip

    # Chloe (City & Guilds): evidence returned for rework with feedback.
    chloe = _submitted(people["learner3"], enrolments["learner3"], EvidenceKind.INCIDENT_LOG,
                       "Water leak in the server room",
                       WATER_LEAK_INCIDENT,
                       {"1.1": "The log itself", "1.2": "Priority section"})  # fmt: skip
    judgements = [marking.Judgement(c.criterion_id, c.criterion.number == "1.1",
                                    "" if c.criterion.number == "1.1" else "No severity recorded")
                  for c in chloe.claims]  # fmt: skip
    marking.record_decision(
        people["assessor"], chloe, judgements=judgements, outcome=Outcome.RETURNED, lock_version=None,
        feedback="Good, clear log. Please **classify the severity** and add the lessons learned, "
        "then resubmit: 1.2 needs the prioritisation to be justified.",
    )  # fmt: skip

    # Oluwaseun (VTCT): signed off, awaiting the IQA's countersignature.
    _complete_unit(people, "learner4", enrolments["learner4"], "assessor2", [
        (EvidenceKind.INCIDENT_LOG, "Gas smell report, late shift", LATE_GAS_INCIDENT,
         {"1.1": "The log", "1.2": "Type, severity and escalation", "2.1": "Resources and communications"}),
        (EvidenceKind.CALL_NOTE, "Keeping a caller informed during an outage", SIMPLE_CALL_NOTE,
         {"1.3": "The callback promised and made"}),
        (EvidenceKind.STAR_ACCOUNT, "What I learned from the gas smell report", LATE_GAS_STAR,
         {"3.1": "The Action part names the procedure"}),
    ])  # fmt: skip

    # Siobhan (SFJ Awards): signed off and countersigned: complete.
    done = _complete_unit(people, "learner5", enrolments["learner5"], "assessor2", [
        (EvidenceKind.INCIDENT_LOG, "Road traffic collision reported by a driver",
         COLLISION_INCIDENT,
         {"1.1": "The log", "2.1": "Dispatch and updates", "3.1": "Priority and escalation"}),
    ])  # fmt: skip
    signoff.countersign(people["iqa"], done.enrolment)

    # Wei (Pearson): the assessor's own observation record, confirmed.
    wei_enrolment = enrolments["learner6"]
    observation = operations.start_item(
        people["assessor2"], wei_enrolment, EvidenceKind.OBSERVATION, "Observed on the emergency line",
        {"observed_on": "2026-11-03", "context": "Live calls, emergency line, late shift",
         "observed": "Logged three calls in full while talking, with times and references.",
         "judgement": "Accurate, complete logging under pressure."},
    )  # fmt: skip
    operations.set_claims(
        people["assessor2"],
        observation,
        {_criteria(wei_enrolment)["1.1"]: "Three calls logged live"},
    )
    marking.confirm_record(people["assessor2"], observation)

    # Helen (IQA) samples by the plan: one agreed, and one sent back with an action, never on
    # Oluwaseun's unit, which awaits her countersignature (a sent-back decision would block it;
    # a sample of it left for her review asks her to review it before countersigning).
    samples = sampling.draw_samples(people["iqa"])
    if samples:
        sampling.review(
            people["iqa"],
            samples[0],
            agree=True,
            comment="Sound judgement, well evidenced.",
            actions="",
        )
    awaiting = enrolments["learner4"].id
    others = [s for s in samples[1:] if s.decision.enrolment_id != awaiting]
    if others:
        sampling.review(people["iqa"], others[0], agree=False, comment="",
                        actions="Add a comment to each criterion you judge met.")  # fmt: skip
