"""The second labelled corpus for the personal-data check, made differently from the first.

    .venv/bin/python tests/evidence/pii_corpus/second.py   # rewrites second.jsonl

The first corpus (``generate.py``) builds call-log notes line by line from fields. This one
was written before any tuning for it, in other voices: learners' reflective accounts,
call transcripts, handover emails and free-text log entries, each a hand-written frame
whose personal data is marked in place as ``{TYPE}`` slots. Values come from lists written
for this corpus alone: real UK street-type words (steps, wynd, garth, brow, loan, chare,
twitten ...; most of them in none of the detector's lists), place names and people's names
that the first corpus does not use, and addresses in shapes the first corpus lacks (a flat
with no house number, "The" streets, a town and postcode after the street, lower case after
a cue). Frames also name places of business the incident itself involves (a station, a
depot, a gate, a bay), times, references and money, which must be left alone.

Deterministic (``random.Random(31)``); a test checks the committed file is what this makes.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

OUT = Path(__file__).with_name("second.jsonl")

STREET_TYPES = (
    "Steps Wynd Garth Brow Loan Chare Twitten Vennel Ginnel Nook Bank Side Dene Causeway "
    "Approach Mount Ride Spur Circle Hey Leys Fields Meadow Holme Mead Paddock Orchard Shaw "
    "Knoll Hollow Dale Crest Edge Path Passage Alley Street Road Lane Gait Fold Croft Green "
    "Way Walk Row Terrace Close Gardens Place Court Drive Avenue Crescent Yard Wharf"
).split()
STREET_HEADS = (
    "Quarry Kiln Tanner Pinfold Beck Bridle Ropewalk Foundry Chantry Abbey Cinder Weavers "
    "Lime Tithe Saddlers Glebe Bracken Heather Larch Rowan Otter Heron Falcon Moss Clough "
    "Sandy Long Netherby Pennine Wharfe Calder Aire Swale Ure Nidd Brunswick Providence "
    "Salem Bethel Zion Jubilee Coronation Armley Holbeck Cross Green Gipton Tinshill "
    "Bramley Farsley Ravenscar Eskdale Ullswater Cragg Scar Fell Tarn Ghyll"
).split()
THE_STREETS = ["The Stray", "The Nook", "The Leys", "The Rise", "The Ridings", "The Close",
               "The Garth", "The Paddock", "The Copse", "The Fairway"]  # fmt: skip
HOUSE_NAMES = ["Glebe House", "Tarn Cottage", "Old School House", "Beck Farm", "Heron Lodge"]
TOWNS = ["Otley", "Hexham", "Penrith", "Truro", "Ripon", "Selby", "Barnsley", "Wakefield",
         "Huddersfield", "Keighley", "Morpeth", "Kendal", "Bangor", "Perth", "Stirling",
         "Grimsby", "Crewe", "Stroud", "Lewes", "Whitby"]  # fmt: skip
AREAS = "LS BD HD HX WF HG YO NE CA LA TR DL HU DN S SK CW GL BN LL PH FK".split()
INWARD = "ABDEFGHJLNPQRSTUWXYZ"
GIVEN = (
    "Bethany Callum Dervla Eamon Farah Gethin Hamza Ines Jolene Kwame Lowri Mairead "
    "Nkechi Orla Pawel Qasim Rhiannon Saoirse Tomasz Uzma Viktor Wenonah Xiu Yusra "
    "Zainab Alasdair Bronwen Cormac Delyth Ewan Fionnuala Gurpreet Harjit Isla Jasvinder "
    "Kerry-Ann Lachlan Morag Niall Oluwatobi Parminder Rafferty Shereen Tegan"
).split()
SURNAMES = (
    "Ackroyd Bairstow Cockcroft Dobson Entwistle Fairclough Greenwood Haigh Illingworth "
    "Jowett Kershaw Lumb Midgley Normanton Oddie Pickles Rushworth Sutcliffe Tetley "
    "Uttley Varley Waddington Yeadon Appiah Bhamra Chaudhry Dhillon Eze Fofana Gill "
    "Hussain Iqbal Jandu Kaur Lungu Mensah Nwosu Okoro Przybylski Quraishi Rehman "
    "Sandhu Tkachenko Wiśniewski Zielinski"
).split()
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr", "Mx"]

# Places and businesses the incident itself names, with numbers beside them: never labelled.
BUSINESS = [
    "Platform 4 at Huddersfield Station",
    "Bay 3 at Stourton Depot",
    "Gate 2, Drax Power Station",
    "Ward 12 at Airedale Hospital",
    "Junction 27 of the M62",
    "the Kirkstall Road depot",
    "Holbeck Depot",
    "Leeds Station",
    "Stand 9 at the Bradford Interchange",
    "Unit 4 of the Cross Green Industrial Estate control room",
    "Route 36",
    "Gate 5 at Elland Road",
]
NOISE = [
    "Logged at 14:32 under INC0045521.", "Credit of £12.50 applied.", "Hold time 4 minutes.",
    "Ticket 4471 closed at 16:05.", "2 crews attended by 09:40.", "SLA P2 within 8 hours.",
    "Refund of £45 agreed.", "3 calls in 20 minutes.", "Job 88213 raised.", "Ext 4412 for the duty manager.",
]  # fmt: skip


class Note:
    def __init__(self):
        self.text = ""
        self.labels: list[dict] = []

    def add(self, frame: str, values: dict[str, tuple[str | None, str]]) -> None:
        """Append ``frame`` with each ``{slot}`` filled; a slot of a type is labelled."""
        pos = 0
        for m in re.finditer(r"\{(\w+)\}", frame):
            self.text += frame[pos : m.start()]
            kind, value = values[m.group(1)]
            if kind:
                self.labels.append({"type": kind, "start": len(self.text),
                                    "end": len(self.text) + len(value)})  # fmt: skip
            self.text += value
            pos = m.end()
        self.text += frame[pos:]


class Values:
    def __init__(self, r: random.Random):
        self.r = r

    def postcode(self) -> str:
        r = self.r
        code = f"{r.choice(AREAS)}{r.randint(1, 29)} {r.randint(1, 9)}{r.choice(INWARD)}{r.choice(INWARD)}"
        return code.lower() if r.random() < 0.1 else code

    def street(self) -> str:
        r = self.r
        if r.random() < 0.12:
            return r.choice(THE_STREETS)
        head = r.choice(STREET_HEADS)
        if r.random() < 0.15:
            head += " " + r.choice(STREET_HEADS)
        return f"{head} {r.choice(STREET_TYPES)}"

    def address(self) -> str:
        """From the flat or house number (or house name) to the street word."""
        r = self.r
        street, n = self.street(), r.randint(1, 240)
        shape = r.random()
        if shape < 0.25:
            return f"Flat {r.randint(1, 40)}, {street}"  # no house number
        if shape < 0.35:
            return f"Flat {r.randint(1, 9)}{r.choice('ABC')}, {n} {street}"
        if shape < 0.42:
            return f"{n}{r.choice('ab')} {street}"
        if shape < 0.48:
            return f"{n}-{n + 2} {street}"
        if shape < 0.53:
            return f"{r.choice(HOUSE_NAMES)}, {street}"
        if shape < 0.58:
            return f"Apartment {r.randint(1, 80)}, {street}"
        return f"{n} {street}"

    def person(self) -> str:
        r = self.r
        given, surname = r.choice(GIVEN), r.choice(SURNAMES)
        shape = r.random()
        if shape < 0.45:
            return f"{given} {surname}"
        if shape < 0.75:
            return f"{r.choice(TITLES)} {surname}"
        if shape < 0.9:
            return f"{r.choice(TITLES)} {given} {surname}"
        return f"{r.choice(TITLES)} {given[0]}. {surname}"

    def phone(self) -> str:
        r = self.r
        tail = f"{r.randint(0, 999):03d}"
        return r.choice([f"07700 900{tail}", f"07700900{tail}", f"+44 7700 900{tail}",
                         f"0113 496 0{tail}", f"(0113) 496 0{tail}", f"0161-496-0{tail}",
                         f"01632 960{tail}", f"0808 157 0{tail}"])  # fmt: skip

    def email(self, name: str) -> str:
        r = self.r
        local = re.sub(r"[^a-z]", "", name.split()[-1].lower()) or "someone"
        return f"{local}{r.randint(1, 99)}@{r.choice(['gmail.com', 'btinternet.com', 'yahoo.co.uk', 'proton.me'])}"

    def ni(self) -> str:
        r = self.r
        prefix = r.choice(["AB", "JK", "PR", "WL", "ZE", "CE", "HT"])
        d = f"{r.randint(0, 999999):06d}"
        return r.choice(
            [
                f"{prefix}{d}{r.choice('ABCD')}",
                f"{prefix} {d[:2]} {d[2:4]} {d[4:]} {r.choice('ABCD')}",
            ]
        )

    def nhs(self) -> str:
        r = self.r
        while True:
            nine = "".join(str(r.randint(0, 9)) for _ in range(9))
            if nine[0] == "0":
                continue
            check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(nine)) % 11
            check = 0 if check == 11 else check
            if check != 10:
                digits = nine + str(check)
                return r.choice([digits, f"{digits[:3]} {digits[3:6]} {digits[6:]}"])

    def card(self) -> str:
        r = self.r
        partial = r.choice(["4", "5", "2"]) + "".join(str(r.randint(0, 9)) for _ in range(14))
        total = 0
        for i, ch in enumerate(reversed(partial + "0")):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        digits = partial + str((10 - total % 10) % 10)
        return r.choice([digits, " ".join(digits[i : i + 4] for i in range(0, 16, 4))])

    def sort_code(self) -> str:
        r = self.r
        return "-".join(f"{r.randint(0, 99):02d}" for _ in range(3))

    def account(self) -> str:
        return f"{self.r.randint(10000000, 99999999)}"

    def dob(self) -> str:
        r = self.r
        day, month, year = r.randint(1, 28), r.randint(1, 12), r.randint(1935, 2004)
        months = "January February March April May June July August September October November December".split()
        return r.choice([f"{day:02d}/{month:02d}/{year}", f"{day} {months[month - 1]} {year}",
                         f"{day}.{month}.{year % 100:02d}"])  # fmt: skip

    def reg(self) -> str:
        r = self.r
        letters = "ABCDEFGHJKLMNOPRSTUVWXY"
        age = r.choice([r.randint(2, 25), r.randint(51, 75)])
        return f"{r.choice(letters)}{r.choice(letters)}{age:02d} {''.join(r.choice('ABCDEFGHJKLMNPRSTUVWXYZ') for _ in range(3))}"


# Frames in several voices. Slots: name, name2, addr, pc, town, phone, email, ni, nhs, card,
# sort, acct, dob, reg, biz (a place of business: not labelled), noise (not labelled).
FRAMES = [
    # reflective accounts
    "I took a call from {name}, who told me there was a leak at {addr}, {pc}. I checked the "
    "outage map, confirmed the priority and sent a crew from {biz}. {noise}",
    "Situation: {name} rang because water was coming through the ceiling of {addr}, {town}. "
    "Task: log it and get a plumber out. Action: I raised the job and phoned back on {phone}. "
    "Result: the leak was isolated within the hour. {noise}",
    "The caller said she lives at {addr} and had no heating since the morning. I asked for "
    "her postcode, which was {pc}, and her date of birth, {dob}, to pass security. {noise}",
    "The caller explained that her father had moved to {addr} and the meter was still in "
    "the old tenant's name. I updated the account and read back the new address. {noise}",
    "When I asked, the customer said the address is {addr}, {town} {pc}. I confirmed the "
    "booking and the engineer was at the door by 11:20. {noise}",
    "I logged a gas smell reported at {addr}, {pc} and told the caller, {name}, to open the "
    "windows and leave the property. The emergency team met them outside. {noise}",
    "Reflection: I should have checked the address earlier. {name} gave it as {addr} but the "
    "system had {addr2}, so the first crew went to the wrong door. {noise}",
    "A neighbour, {name}, rang about a burst main outside {addr}. I put the job on the map "
    "and called {biz} to confirm a crew was free. {noise}",
    # transcripts
    "Agent: Can I take the first line of the address?\nCaller: It's {addr}.\nAgent: And the "
    "postcode?\nCaller: {pc}.\nAgent: Thank you, {name}. {noise}",
    "Agent: Who am I speaking to?\nCaller: {name}.\nAgent: Best number to reach you?\n"
    "Caller: {phone}.\nAgent: And your email?\nCaller: {email}. {noise}",
    "Caller: My card {card} was used in a shop I've never been to.\nAgent: I've stopped it. "
    "Can you confirm your date of birth?\nCaller: {dob}. {noise}",
    "Agent: Which account is the refund for?\nCaller: Sort code {sort}, account {acct}.\n"
    "Agent: That's in your name, {name}? {noise}",
    # handover emails
    "Hi team, handing over the lift entrapment at {biz}. The resident trapped was {name} of "
    "{addr}. Their daughter is on {phone} if anything changes. {noise}",
    "Handover: {name} (NHS {nhs}) was triaged as urgent; the ambulance went to {addr}, "
    "{town}. DOB {dob}. {noise}",
    "Please note the benefits query for {name}, NI number {ni}, is waiting on a letter to "
    "{addr}, {pc}. {noise}",
    "FYI the abandoned car outside {addr} is reg {reg}; {name} reported it twice this week. "
    "{noise}",
    # free-text log entries
    "Leak reported at {addr}, {pc}. Crew from {biz} attended. {noise}",
    "Tenant {name} moved to {addr}; new tenancy starts Monday. {noise}",
    "Customer's home address is {addr}, {town}. Callback on {phone}. {noise}",
    "Engineer sent to {addr}. Key holder is {name}. {noise}",
    "Van {reg} blocking access to {biz}; driver not found. {noise}",
    "Fraud team: card ending in the number {card} blocked at 10:05; customer {name}. {noise}",
    "Payment taken from sort code {sort} account {acct} twice. {noise}",
    "Resident at {addr}, {pc} is on the Priority Services Register. {noise}",
    "Patient {name}, NHS number {nhs}, DOB {dob}, collected from {addr}. {noise}",
    "Noise complaint from {addr} about the flat above; caller gave email {email}. {noise}",
    "Lives at {addr_lower} with two children; landline {phone}. {noise}",
    "Staying at {addr} until the repairs are done. {noise}",
]
# Notes with no personal data, full of things that look like it (not labelled).
CLEAN = [
    "Crew from {biz} confirmed the leak was on the main, not a property. {noise}",
    "Lift at {biz} stuck between floors 3 and 4; cleared at 15:10. {noise}",
    "I sent 2 engineers to {biz} and logged the outage against the street, not a house. {noise}",
    "Burst main on Quarry Steps near {biz}; 40 properties affected. {noise}",
    "Flooding along Beck Side and Kiln Garth; the council closed the road. {noise}",
    "Paid £25 Morrisons vouchers to 3 customers for the delay. {noise}",
    "The caller [NAME] gave [ADDRESS], [POSTCODE] and [PHONE]; all replaced. {noise}",
    "Flat rate of £12 per visit agreed with {biz}. {noise}",
    "Reflection: 12 Step Programme training helped me stay calm on the call. {noise}",
    "Train 14 Leeds to York cancelled; staff rerouted via {biz}. {noise}",
    "Case 2231 Pennine Water escalated to the duty manager at 13:45. {noise}",
]


def generate(seed: int = 31, notes: int = 300) -> list[dict]:
    r = random.Random(seed)
    v = Values(r)
    out = []
    for i in range(notes):
        note = Note()
        clean = i % 5 == 4
        frame = r.choice(CLEAN if clean else FRAMES)
        name = v.person()
        addr_lower = (
            f"{r.randint(1, 99)} {r.choice(STREET_HEADS).lower()} {r.choice(STREET_TYPES).lower()}"
        )
        values = {
            "name": ("NAME", name), "name2": ("NAME", v.person()), "addr": ("ADDRESS", v.address()),
            "addr2": ("ADDRESS", v.address()), "addr_lower": ("ADDRESS", addr_lower),
            "pc": ("POSTCODE", v.postcode()), "town": (None, r.choice(TOWNS)),
            "phone": ("PHONE", v.phone()), "email": ("EMAIL", v.email(name)), "ni": ("NI_NUMBER", v.ni()),
            "nhs": ("NHS_NUMBER", v.nhs()), "card": ("CARD_NUMBER", v.card()),
            "sort": ("SORT_CODE", v.sort_code()), "acct": ("ACCOUNT_NUMBER", v.account()),
            "dob": ("DATE_OF_BIRTH", v.dob()), "reg": ("VEHICLE_REG", v.reg()),
            "biz": (None, r.choice(BUSINESS)), "noise": (None, r.choice(NOISE)),
        }  # fmt: skip
        note.add(frame, values)
        out.append({"id": f"second-{i:04d}", "kind": "clean" if clean else "pii",
                    "text": note.text, "labels": note.labels})  # fmt: skip
    return out


def main() -> None:
    with OUT.open("w", encoding="utf-8") as file:
        for note in generate():
            file.write(json.dumps(note, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
