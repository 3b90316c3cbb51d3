"""Form data for each kind of evidence, as a browser would send it."""

INCIDENT = {
    "title": "Gas smell reported at a block of flats",
    "reference": "INC-20261104-0042",
    "reported_at": "2026-11-04T14:05",
    "caller_reference": "Caller A",
    "channel": "phone",
    "incident_type": "safety",
    "location": "Communal stairwell, block C",
    "nature": "Caller reported a **strong smell of gas** on the stairs.",
    "impact": "high",
    "urgency": "high",
    "severity": "critical",
    "escalated": "y",
    "escalated_to": "Duty emergency engineer",
    "escalated_at": "2026-11-04T14:08",
    "escalation_reason": "Possible gas leak: P1 under our procedure.",
    "resources-0-resource": "Emergency engineer van 12",
    "resources-0-availability_confirmed": "y",
    "resources-0-dispatched_at": "2026-11-04T14:10",
    "resources-0-receipt_confirmed": "y",
    "communications-0-at": "2026-11-04T14:06",
    "communications-0-with_whom": "Caller",
    "communications-0-channel": "phone",
    "communications-0-summary": "Advised to leave the building and not use switches.",
    "communications-1-at": "2026-11-04T14:30",
    "communications-1-with_whom": "Housing officer",
    "communications-1-channel": "email",
    "communications-1-summary": "Informed of the incident and the engineer's arrival.",
    "customer_updates": "Called the caller back at 14:45 to confirm the area was safe.",
    "resolved_at": "2026-11-04T15:20",
    "root_cause": "A loose joint on the meter.",
    "lessons_learned": "Confirm the evacuation advice was followed on the callback.",
}

CALL_NOTE = {
    "title": "Billing dispute call",
    "call_date": "2026-11-03",
    "channel": "inbound_phone",
    "duration_minutes": "12",
    "notes": "The caller disputed a charge of £45.99 on reference INC-20261103-0007. "
    "I explained the tariff change, apologised for the confusion and raised a credit "
    "request with billing, then confirmed by email that the credit would arrive within "
    "five working days. The caller was happy with the outcome and thanked me.",
}

STAR = {
    "title": "Handling the gas smell report",
    "linked_item_id": "",
    "situation": "On a busy late shift a caller reported a strong smell of gas in the stairwell "
    "of a block of flats, with several residents still inside the building at the time.",
    "task": "I had to log the incident, classify it correctly and get an engineer there "
    "within our one hour target.",
    "action": "I logged the call straight away, classified it as a P1 because of the safety "
    "risk, and escalated it to the duty engineer. I confirmed the nearest van was available "
    "before dispatching it, and I kept the caller informed every fifteen minutes until the "
    "engineer arrived on site.",
    "result": "The engineer arrived within 35 minutes, found a loose meter joint and made "
    "the building safe. Our one hour target was met.",
    "reflection": "I followed the procedure well under pressure, but next time I would "
    "confirm earlier that every resident had left. I learned how much a clear log helps "
    "the engineer and my team leader understand the situation quickly.",
}
