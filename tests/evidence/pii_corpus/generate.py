"""Generate the labelled corpus of contact-centre call notes for the personal-data check.

    .venv/bin/python tests/evidence/pii_corpus/generate.py   # rewrites corpus.jsonl beside it

Deterministic (random.Random(SEED)). Each note is written piece by piece: plain text, or a
``P(type, text)`` piece of personal data whose label is recorded at the moment it is written,
so text and labels cannot drift. See README.md beside this file for the label rules.

The people's names here are this file's own lists, written separately from the detector's
lists in portfolio/evidence/pii/data/; the evaluation reports recall separately for names none
of whose words are in any list the detector uses.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from string import Formatter

SEED = 20261104
NOTES = 660
HERE = Path(__file__).parent

# ---- people ------------------------------------------------------------------------------
# origin: (female given names, male given names, surnames, order)
# order "western": given then surname; "family": surname then given (Chinese, Korean);
# "vietnamese": surname, middle name, given name.
ORIGINS: dict[str, tuple[list[str], list[str], list[str], str]] = {
    "english": (
        "Olivia Jessica Hannah Lauren Bethany Jodie Kerry Tamsin Philippa Rosalind Hermione "
        "Clemmie Marjorie Josephine Gwendolyn Millicent".split(),
        "Oliver Callum Dominic Jasper Rupert Barnaby Crispin Gregory Nathaniel Tobias Wilfred "
        "Ambrose Percival Lionel Cedric Godfrey".split(),
        "Bennett Whitfield Ashworth Pemberton Hargreaves Fairbairn Cattermole Thistlethwaite "
        "Smith-Jones Entwistle Sidebottom Higginbottom Ramsbottom Winterbottom Greenhalgh "
        "Ackroyd Blenkinsop Featherstone Postlethwaite Openshaw".split(),
        "western",
    ),
    "irish": (
        "Siobhan Aoibhinn Caoilfhionn Eabha Fiadh Grainne Meabh Sadhbh Orlaith Ailbhe".split(),
        "Tadhg Cormac Diarmuid Fiachra Lorcan Ruairi Seosamh Odhran Donnacha Peadar".split(),
        "O'Neill O'Driscoll Mulcahy Breathnach O'Shaughnessy Cullinane Geraghty Scanlon Twomey "
        "Lenihan".split()
        + ["Ni Bhriain", "Mac Giolla Phadraig"],
        "western",
    ),
    "scottish": (
        "Eilidh Mhairi Seonaid Catriona Kirsteen Ishbel Marsaili Ailsa".split(),
        "Ruaraidh Seumas Torquil Hamish Somhairle Alasdair Fearchar Lachlann".split(),
        "MacLeod MacAulay McGlashan Urquhart MacKinnon Farquharson MacIver Gilchrist "
        "McCorquodale Lindsay Carmichael".split(),
        "western",
    ),
    "welsh": (
        "Bethan Cadi Heledd Llinos Meinir Nerys Gwenllian Eirlys Myfanwy Teleri".split(),
        "Dylan Iolo Emrys Gruffydd Cai Deiniol Caradog Idris Rhydian Trystan".split(),
        "Evans Prydderch Llywelyn Gwynedd Cadwaladr Meredith Bowen Pugh Vaughan-Thomas".split()
        + ["ap Rhys"],
        "western",
    ),
    "south_asian": (
        "Priya Thushara Nirmala Tharshini Shapla Rumana Mehwish Uzma Hiral Balvinder Parminder "
        "Aishwarya Lavanya Jaswinder Rupinder Sharmila".split(),
        "Kirubakaran Sivakumar Vithusan Tanvir Mahfuz Sohel Ahsan Shoaib Bhavesh Jignesh Dhruv "
        "Harjit Sukhwinder Gurdeep Abhishek Venkatesh".split(),
        "Patel Sivanesan Balasubramaniam Kandiah Talukder Bhuiyan Bhatti Chughtai Khokhar "
        "Sangha Bassi Khaira Lakhani Thakrar Vadgama Ranasinghe Jayawardena Karunaratne".split(),
        "western",
    ),
    "chinese": (
        "Xiuying Zihan Jiayi Yuxin Mingyu Shuang".split(),
        "Wei Haoran Yuxuan Zhiwei Junjie Jianguo".split(),
        "Zhang Xie Deng Feng Cao Tan Pang Qiu".split(),
        "family",
    ),
    "vietnamese": (
        "Quynh Thuy Nhung Khanh Ngoc Diep".split(),
        "An Khoa Phuc Tuan Vinh Hieu".split(),
        "Nguyen Trinh Quach Tran Pham Doan".split(),
        "vietnamese",
    ),
    "korean_japanese": (
        "Haeun Seoyeon Jiyoon Haruka Yua Mio".split(),
        "Seojun Dohyun Minho Sota Riku Daiki".split(),
        "Kim Yoon Hwang Matsumoto Fujiwara Kobayashi".split(),
        "western",
    ),
    "west_african": (
        "Chidinma Adaobi Ebunoluwa Olamide Ayomide Yaa Esi Chinonso Ifeyinwa Folasade "
        "Mosunmola Abimbola".split(),
        "Chukwuemeka Ifeanyichukwu Oluwatobiloba Somtochukwu Nnamdi Kehinde Kwadwo Ekow "
        "Kobina Oluwaseun Olusegun Adewale".split(),
        "Obi Okwuosa Nwankwo-Ibe Adeyinka Oyinlola Ogundipe Akintola Ezeoke Onwuachi Agbaje "
        "Kuffour Nkansah Antwi Frimpong Bakare Oyelaran".split(),
        "western",
    ),
    "east_african": (
        "Hibaaq Sagal Warsan Hirut Genet Wambui Nyokabi Fardowsa".split(),
        "Guled Abdirahman Mahad Kebede Abiy Kipchoge Odongo Wekesa".split(),
        "Hirsi Dirie Egal Samatar Gebremedhin Woldemariam Kiptoo Wafula".split(),
        "western",
    ),
    "arabic": (
        "Bushra Ghada Wafa Loubna Rawan Dalia Aisha".split(),
        "Ammar Tamer Hatem Mohammed Bassam Fadi Yazan".split(),
        "Al-Rashid Al-Khouri El-Masri Al-Hashimi Haddad Barakat Shalhoub Zidan".split(),
        "western",
    ),
    "polish": (
        "Katarzyna Grazyna Bozena Jadwiga Agnieszka Malgorzata Wieslawa Halina".split(),
        "Wojciech Przemyslaw Radoslaw Wieslaw Zdzislaw Krzysztof Slawomir Jaroslaw".split(),
        "Nowak Brzeczyszczykiewicz Wroblewski Szczepanska Golebiowski Chmielewski "
        "Przybylski Sobczak".split(),
        "western",
    ),
    "eastern_european": (
        "Catalina Gintare Rasa Ilze Halyna Tsvetelina Daiva Ligita".split(),
        "Bogdan Razvan Sorin Vytautas Saulius Janis Bohdan Yaroslav Stoyan Taras".split(),
        "Constantinescu Vasilescu Vaitkus Paulauskas Tkachenko Melnyk Kalnins Georgiev "
        "Dimitrov Moroz".split(),
        "western",
    ),
    "caribbean": (
        "Shevon Tavia Jhanelle Marcia Sharlene Kadian Nordia".split(),
        "Kemoy Rushane Odane Delroy Fitzroy Garfield Winston".split(),
        "Ffrench Wedderburn Anglin Campbell Grizzle Facey McFarlane Brissett".split(),
        "western",
    ),
    "turkish_kurdish": (
        "Zeynep Rojda Dilan Elif Sevgi".split(),
        "Emre Burak Serhat Kerem Baran".split(),
        "Yilmaz Ozturk Demirci Aydogan Kaplan Karakaya".split(),
        "western",
    ),
}
PARTICLE_NAMES = ["Maria da Silva", "Ahmad bin Ismail", "Joao dos Santos", "Pieter van der Berg"]


@dataclass(frozen=True)
class Person:
    given: str
    surname: str
    female: bool
    order: str
    middle: str = ""

    @property
    def full(self) -> str:
        if self.order == "family":
            return f"{self.surname} {self.given}"
        if self.order == "vietnamese":
            return f"{self.surname} {self.middle} {self.given}"
        return f"{self.given} {self.surname}"


@dataclass(frozen=True)
class P:
    """A labelled piece of personal data."""

    type: str
    text: str


class Note:
    def __init__(self, note_id: str, kind: str, scenario: str):
        self.id, self.kind, self.scenario = note_id, kind, scenario
        self.text = ""
        self.labels: list[dict] = []

    def add(self, piece) -> None:
        if isinstance(piece, list | tuple):
            for part in piece:
                self.add(part)
        elif isinstance(piece, P):
            start = len(self.text)
            self.text += piece.text
            self.labels.append({"type": piece.type, "start": start, "end": len(self.text)})
        else:
            self.text += str(piece)

    def line(self, template: str, **slots) -> None:
        for literal, field, _spec, _conv in Formatter().parse(template):
            self.add(literal)
            if field is not None:
                self.add(slots[field])
        self.add("\n")

    def record(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "scenario": self.scenario,
            "text": self.text.rstrip("\n"),
            "labels": self.labels,
        }


# ---- values ------------------------------------------------------------------------------
AREAS = (
    "AB B BD BN BS CB CF CM CV DN E EC EH G GL HU L LE LS M ME MK N NE NG NW OX PE PL PO RG "
    "S SE SO SW TN W WC WF YO BT CH DE HD HG KT NP SA ST TS WA WV".split()
)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
STREETS = (
    "Acacia Avenue|Baker Street|High Street|Mill Lane|Station Road|Church Lane|Victoria Road|"
    "Queens Road|Kingsway Drive|Oak Tree Close|Meadow View|Beech Grove|Elm Crescent|"
    "Windsor Gardens|Albert Terrace|Chapel Row|Orchard Way|Priory Walk|Market Square|"
    "Cavendish Mews|Hawthorn Rise|Riverside Court|St Mary's Road|Park Road|Cedar Dr|"
    "Granby St|Clifton Rd|Heathfield Ave|Ashgrove Place|Moorland Hill|Sycamore Lane|"
    "Ladysmith Road|Brookfield Park|Parkside Gardens|Thornbury Close|Wellington Street|"
    "Dnegembe Street|Okonjo Close|Tyn-y-Coed Road|Heol Ddu|Lon Isaf Lane|Crown Street"
).split("|")
HOUSE_NAMES = ["Rose Cottage", "The Old Forge House", "Ivy Cottage", "Meadow Farm",
               "Willow Lodge", "Hillside Barn", "Beech House"]  # fmt: skip
TOWNS = ["Leeds", "Bradford", "Kettering", "Harrogate", "Wrexham", "Paisley", "Swindon",
         "Lowestoft", "Skegness", "Bridgwater", "Dumfries", "Merthyr Tydfil", "Keswick"]  # fmt: skip
EMAIL_DOMAINS = ["gmail.com", "outlook.com", "hotmail.co.uk", "yahoo.co.uk", "btinternet.com",
                 "icloud.com", "mail.example.co.uk", "staff.northgate-housing.org.uk", "nhs.net",
                 "example.org", "students.example.ac.uk", "virginmedia.com"]  # fmt: skip
MONTHS = "January February March April May June July August September October November December"


def luhn_digit(partial: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(partial + "0")):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def nhs_check(nine: str) -> int:
    check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(nine)) % 11
    return 0 if check == 11 else check


class Values:
    """Random personal data in varied UK formats, and things that only look like it."""

    def __init__(self, rng: random.Random):
        self.r = rng

    def digits(self, n: int) -> str:
        return "".join(self.r.choice("0123456789") for _ in range(n))

    def person(self) -> Person:
        origin = self.r.choice(list(ORIGINS))
        female_names, male_names, surnames, order = ORIGINS[origin]
        female = self.r.random() < 0.5
        given = self.r.choice(female_names if female else male_names)
        surname = self.r.choice(surnames)
        middle = ""
        if order == "vietnamese":
            middle = "Thi" if female else self.r.choice(["Van", "Duc", "Minh"])
        if self.r.random() < 0.3 and order == "western":
            # mix origins: people marry, and names travel
            other = ORIGINS[self.r.choice(list(ORIGINS))]
            if other[3] == "western":
                surname = self.r.choice(other[2])
        return Person(given, surname, female, order, middle)

    def title(self, person: Person) -> str:
        r = self.r.random()
        if r < 0.12:
            return self.r.choice(["Dr", "Dr.", "Mx", "Prof", "Rev", "Sir" if not person.female
                                  else "Dame"])  # fmt: skip
        if person.female:
            return self.r.choice(["Mrs", "Ms", "Miss", "Mrs.", "Ms."])
        return self.r.choice(["Mr", "Mr", "Mr."])

    def phone(self) -> str:
        r = self.r
        kind = r.choice(["mobile", "mobile", "mobile", "london", "city", "area5", "free", "03"])
        if kind == "mobile":
            national = "07" + r.choice("1234579") + self.digits(8)
            a, b = national[:5], national[5:]
            forms = [f"{a} {b}", national, f"{a}-{b}", f"{a} {b[:3]} {b[3:]}",
                     f"+44 {a[1:]} {b}", f"+44 (0){a[1:]} {b}", f"0044 {a[1:]} {b}",
                     f"+44{national[1:]}", f"{a}.{b[:3]}.{b[3:]}"]  # fmt: skip
        elif kind == "london":
            national = "020" + r.choice("378") + self.digits(7)
            a, b, c = national[:3], national[3:7], national[7:]
            forms = [f"{a} {b} {c}", f"({a}) {b} {c}", national, f"{a}-{b}-{c}",
                     f"+44 20 {b} {c}", f"+44 (0)20 {b} {c}"]  # fmt: skip
        elif kind == "city":
            national = r.choice(["0161", "0113", "0121", "0114", "0117", "0131", "0141",
                                 "0151", "0191", "0115", "0116", "0118"]) + "4" + self.digits(6)  # fmt: skip
            a, b, c = national[:4], national[4:7], national[7:]
            forms = [f"{a} {b} {c}", f"{a}-{b}-{c}", national, f"({a}) {b} {c}",
                     f"{a} {b}{c}", f"+44 {a[1:]} {b} {c}", f"{a}.{b}.{c}"]  # fmt: skip
        elif kind == "area5":
            national = r.choice(["01632", "01423", "01904", "01524", "01226", "01792",
                                 "01224", "01473", "01603"]) + r.choice("2345689") + self.digits(5)  # fmt: skip
            a, b = national[:5], national[5:]
            forms = [f"{a} {b}", f"{a} {b[:3]} {b[3:]}", national, f"{a}-{b}", f"({a}) {b}"]
        elif kind == "free":
            national = r.choice(["0800", "0808"]) + self.digits(7)
            a, b, c = national[:4], national[4:7], national[7:]
            forms = [f"{a} {b} {c}", national, f"{a}-{b}-{c}"]
        else:
            national = r.choice(["0300", "0330", "0345", "0370", "0844", "0845"]) + self.digits(7)
            a, b, c = national[:4], national[4:7], national[7:]
            forms = [f"{a} {b} {c}", national, f"{a} {b}{c}"]
        return r.choice(forms)

    def email(self, person: Person | None) -> str:
        r = self.r
        if person is None:
            person = self.person()
        given = person.given.lower().replace("'", "")
        surname = person.surname.lower().replace("'", "").replace(" ", "")
        local = r.choice([f"{given}.{surname}", f"{given[0]}{surname}", f"{given}{r.randint(1, 99)}",
                          f"{surname}.{given[0]}", f"{given}_{surname}{r.randint(70, 99)}",
                          f"{given}.{surname}+bills", f"{given}+{r.choice(['parcels', 'gas'])}"])  # fmt: skip
        email = f"{local}@{r.choice(EMAIL_DOMAINS)}"
        return email.upper() if r.random() < 0.03 else email

    def postcode(self) -> str:
        r = self.r
        area = r.choice(AREAS)
        district = str(r.randint(1, 29 if len(area) == 2 else 9))
        if area in ("EC", "WC", "SW", "W", "E", "N") and r.random() < 0.3:
            district = str(r.randint(1, 2)) + r.choice("ABCHMNPRVWXY")
        inward = str(r.randint(0, 9)) + r.choice(INWARD_LETTERS) + r.choice(INWARD_LETTERS)
        code = f"{area}{district} {inward}"
        roll = r.random()
        if roll < 0.1:
            return code.replace(" ", "")
        if roll < 0.18:
            return code.lower()
        return code

    def address(self) -> str:
        r = self.r
        street = r.choice(STREETS)
        if r.random() < 0.05:
            return f"Apartment {r.randint(1, 80)}, {r.choice(['Riverside Court', 'Kingfisher House', 'Beacon Tower'])}"
        if r.random() < 0.05:
            n = r.randint(1, 100)
            return f"{n}-{n + 2} {street}"
        number = str(r.randint(1, 240)) + (r.choice("abc") if r.random() < 0.08 else "")
        roll = r.random()
        if roll < 0.15:
            return f"Flat {r.randint(1, 30)}, {number} {street}"
        if roll < 0.25:
            return f"{r.choice(HOUSE_NAMES)}, {street}"
        if roll < 0.3:
            return f"Unit {r.randint(1, 12)}, {number} {street}"
        return f"{number} {street}"

    def ni_number(self) -> str:
        r = self.r
        while True:
            a, b = r.choice("ABCEGHJKLMNOPRSTWXYZ"), r.choice("ABCEGHJKLMNPRSTWXYZ")
            if a + b not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
                break
        d = self.digits(6)
        s = r.choice("ABCD")
        form = r.choice(
            [f"{a}{b} {d[:2]} {d[2:4]} {d[4:]} {s}", f"{a}{b}{d}{s}", f"{a}{b} {d} {s}"]
        )
        return form.lower() if r.random() < 0.08 else form

    def nhs_number(self) -> str:
        while True:
            nine = self.r.choice("3456789") + self.digits(8)
            check = nhs_check(nine)
            if check != 10:
                break
        d = nine + str(check)
        return self.r.choice([f"{d[:3]} {d[3:6]} {d[6:]}", d, f"{d[:3]}-{d[3:6]}-{d[6:]}"])

    def ten_digit_not_nhs(self) -> str:
        while True:
            d = self.r.choice("123456789") + self.digits(9)
            if nhs_check(d[:9]) != int(d[9]):
                return d

    def card(self) -> str:
        r = self.r
        kind = r.choice(["visa", "visa", "mc", "mc2", "amex"])
        if kind == "amex":
            partial = r.choice(["34", "37"]) + self.digits(12)
            d = partial + luhn_digit(partial)
            return r.choice([f"{d[:4]} {d[4:10]} {d[10:]}", d, f"{d[:4]}-{d[4:10]}-{d[10:]}"])
        prefix = {"visa": "4", "mc": r.choice(["51", "52", "53", "54", "55"]), "mc2": "2221"}[kind]
        partial = prefix + self.digits(15 - len(prefix))
        d = partial + luhn_digit(partial)
        sep = r.choice([" ", " ", "-", ""])
        return sep.join(d[i : i + 4] for i in range(0, 16, 4))

    def luhn_failing_16(self) -> str:
        while True:
            d = self.r.choice("123456789") + self.digits(15)
            if luhn_digit(d[:15]) != d[15]:
                return self.r.choice([" ", ""]).join(d[i : i + 4] for i in range(0, 16, 4))

    def sort_code(self) -> str:
        a = self.r.choice(["20", "30", "40", "60", "77", "83", "09", "11", "16", "23", "04"])
        b, c = self.digits(2), self.digits(2)
        return self.r.choice([f"{a}-{b}-{c}", f"{a}-{b}-{c}", f"{a} {b} {c}"])

    def account(self) -> str:
        return self.r.choice("123456789") + self.digits(7)

    def dob(self) -> str:
        r = self.r
        y, m, d = r.randint(1936, 2006), r.randint(1, 12), r.randint(1, 28)
        month = MONTHS.split()[m - 1]
        suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(d, "th")
        return r.choice([f"{d:02d}/{m:02d}/{y}", f"{d}/{m}/{y}", f"{d:02d}-{m:02d}-{y % 100:02d}",
                         f"{d:02d}.{m:02d}.{y}", f"{d} {month} {y}", f"{month} {d}{suffix} {y}",
                         f"{y}-{m:02d}-{d:02d}", f"{d}{suffix} {month} {y}", f"{d} {month[:3]} {y}",
                         f"{d:02d}/{m:02d}/{y % 100:02d}"])  # fmt: skip

    def incident_date(self) -> str:
        r = self.r
        y, m, d = 2026, r.randint(1, 12), r.randint(1, 28)
        month = MONTHS.split()[m - 1]
        return r.choice([f"{d:02d}/{m:02d}/{y}", f"{d} {month} {y}", f"{y}-{m:02d}-{d:02d}",
                         f"{d}/{m}/{y % 100}", f"{d} {month[:3]}", f"{d:02d}.{m:02d}.{y}"])  # fmt: skip

    def vehicle(self, cued: bool) -> str:
        r = self.r
        letters = "ABCDEFGHJKLMNOPRSTUVWXY"
        while True:
            tail = "".join(r.choice(letters) for _ in range(3))
            if tail not in ("THE", "AND", "NHS", "SLA", "CAR", "VAN", "BUS", "ETA", "REF"):
                break
        roll = r.random()
        if roll < 0.7:
            age = r.choice([r.randint(2, 25), r.randint(51, 75)])
            plate = f"{r.choice('ABCDEFGHKLMNOPRSVWY')}{r.choice(letters)}{age:02d}"
            reg = r.choice([f"{plate} {tail}", f"{plate}{tail}"])
        elif roll < 0.85:
            reg = f"{r.choice('ABCDEFGHJKLMNPRSTVWXY')}{r.randint(1, 999)} {tail}"
        else:
            reg = f"{tail} {r.randint(1, 999)}{r.choice('ABCDEFGHJKLMNPRSTVWXY')}"
        return reg.lower() if cued and r.random() < 0.2 else reg

    def time(self) -> str:
        r = self.r
        h, m = r.randint(7, 21), r.choice([0, 5, 10, 12, 15, 20, 30, 32, 41, 45, 50, 55])
        return r.choice([f"{h:02d}:{m:02d}", f"{h % 12 or 12}.{m:02d}{'am' if h < 12 else 'pm'}",
                         f"{h:02d}.{m:02d}", f"{h:02d}{m:02d} hrs", f"{h % 12 or 12}{'am' if h < 12 else 'pm'}"])  # fmt: skip

    def reference(self) -> str:
        r = self.r
        return r.choice([f"INC-2026{r.randint(1, 12):02d}{r.randint(1, 28):02d}-{r.randint(1, 999):04d}",
                         f"INC{r.randint(0, 99999):07d}", f"REF {r.randint(10000, 99999)}",
                         f"CASE-{r.randint(1000, 9999)}", f"ticket #{r.randint(1000, 9999)}",
                         f"job {r.randint(10000, 99999)}", f"SR{r.randint(100000, 999999)}",
                         f"WO-{r.randint(10000, 99999)}"])  # fmt: skip

    def money(self) -> str:
        r = self.r
        return r.choice([f"£{r.randint(5, 300)}.{r.randint(0, 99):02d}", f"£{r.randint(1, 9)},{r.randint(0, 999):03d}",
                         f"{r.randint(5, 90)} pounds", f"GBP {r.randint(20, 900)}", f"£{r.randint(5, 500)}"])  # fmt: skip


# ---- the writer: personal data or its anonymised stand-ins --------------------------------
ROLES = ["the caller", "the customer", "the resident", "the account holder", "the tenant"]


class Writer:
    """Slot values for one note: labelled personal data in a 'pii' note, stand-ins otherwise."""

    def __init__(self, rng: random.Random, pii: bool):
        self.r, self.pii = rng, pii
        self.v = Values(rng)
        self.customer = self.v.person()
        self.colleagues = [self.v.person() for _ in range(3)]

    def _or(self, kind: str, value: str, stand_ins: list[str] | None = None):
        if self.pii:
            return P(kind, value)
        stand_ins = stand_ins or []
        from_placeholder = {"NAME": "[NAME]", "PHONE": "[PHONE]", "EMAIL": "[EMAIL]",
                            "POSTCODE": "[POSTCODE]", "ADDRESS": "[ADDRESS]", "NI_NUMBER": "[NI NUMBER]",
                            "NHS_NUMBER": "[NHS NUMBER]", "CARD_NUMBER": "[CARD NUMBER]",
                            "SORT_CODE": "[SORT CODE]", "ACCOUNT_NUMBER": "[ACCOUNT NUMBER]",
                            "DATE_OF_BIRTH": "[DATE OF BIRTH]", "VEHICLE_REG": "[VEHICLE REG]"}[kind]  # fmt: skip
        return self.r.choice([from_placeholder, from_placeholder, *stand_ins])

    # names
    def cust(self, style: str = "any"):
        """The customer's name as it might be written anywhere."""
        p, r = self.customer, self.r
        if style == "any":
            style = r.choice(["full", "full", "title", "title_full", "title_initial"])
        if r.random() < 0.03 and p.order == "western" and self.pii:
            return P("NAME", r.choice(PARTICLE_NAMES))
        text = {
            "full": p.full,
            "given": p.given,
            "surname": p.surname,
            "title": f"{self.v.title(p)} {p.surname}",
            "title_full": f"{self.v.title(p)} {p.full}",
            "title_initial": f"{self.v.title(p)} {p.given[0]}{r.choice(['.', ''])} {p.surname}",
        }[style]
        if p.order != "western" and style == "title_initial":
            text = f"{self.v.title(p)} {p.full}"
        return self._or("NAME", text, ROLES)

    def colleague(self, i: int = 0, style: str = "given"):
        p = self.colleagues[i]
        text = p.full if style == "full" else p.given
        if p.order == "family" and style == "given":
            text = p.full
        return self._or(
            "NAME", text, ["my team leader", "a colleague", "the engineer", "the duty manager"]
        )

    def name_of(self, person: Person, style: str = "full"):
        return self._or("NAME", person.full if style == "full" else person.given, ["a neighbour"])

    # other types
    def phone(self):
        return self._or(
            "PHONE", self.v.phone(), ["the number on the account", "the mobile on file"]
        )

    def email(self):
        return self._or("EMAIL", self.v.email(self.customer), ["the email on file"])

    def postcode(self):
        return self._or("POSTCODE", self.v.postcode(), ["the postcode on the account"])

    def address(self):
        return self._or("ADDRESS", self.v.address(), ["the property", "the customer's home"])

    def ni(self):
        return self._or("NI_NUMBER", self.v.ni_number())

    def nhs(self):
        return self._or("NHS_NUMBER", self.v.nhs_number())

    def card(self):
        return self._or("CARD_NUMBER", self.v.card(), ["the card ending ****"])

    def sort_code(self):
        return self._or("SORT_CODE", self.v.sort_code())

    def account(self):
        return self._or("ACCOUNT_NUMBER", self.v.account())

    def dob(self):
        return self._or("DATE_OF_BIRTH", self.v.dob())

    def reg(self, cued: bool = True):
        return self._or("VEHICLE_REG", self.v.vehicle(cued))


# ---- scenarios ---------------------------------------------------------------------------
def header(note: Note, w: Writer, title: str) -> None:
    v = w.v
    note.line(w.r.choice([
        "{title} - {ref} - logged {time}",
        "Call log {ref} ({title}), {date} {time}",
        "{ref} | {title} | {time}",
        "{title}. Ref {ref}. Call started {time}, lasted {mins} minutes.",
    ]), title=title, ref=v.reference(), time=v.time(), date=v.incident_date(), mins=w.r.randint(3, 40))  # fmt: skip


def caller_line(note: Note, w: Writer) -> None:
    r = w.r
    template = r.choice([
        "Caller: {name}", "Customer: {name}", "Caller name - {name}", "Name: {name}",
        "Account holder: {name}", "{name} called at {time} to report the problem.",
        "Spoke to {name} who confirmed the details.", "Call taken from {name} at {time}.",
        '"My name is {name}," the caller said.', "Customer gave her name as {name}.",
        "Then {name} rang back at {time}.", "Called by {name} just after {time}.",
        "{name} (customer) was calm but worried.", "Customer {name} wants a callback.",
        "Took a call from {name}, who sounded upset.", "Surname {surname}, first name {given}.",
        "Caller said \"Hi, I'm {given}\" and explained the issue.",
    ])  # fmt: skip
    name_style = "full" if "My name is" in template or "gave her name" in template else "any"
    note.line(template, name=w.cust(name_style), time=w.v.time(),
              surname=w.cust("surname"), given=w.cust("given"))  # fmt: skip


def colleague_line(note: Note, w: Writer) -> None:
    r = w.r
    template = r.choice([
        "Passed to {c0} in the network team.", "{c0} said the engineer was on the way.",
        "Transferred to {c0} at {time}.", "My team leader {c0} agreed the goodwill payment.",
        "Engineer {c0f} attended at {time}.", "{c0} from billing confirmed the refund.",
        "{c0} and {c1} are handling the follow-up.", "Asked for {c0} but she was on a break.",
        "Spoke with {c0} (supervisor) who approved it.", "Escalated to {c0f}, duty manager.",
        "Thanks to {c0} for the quick handover.", "Added to {c0}'s queue for tomorrow.",
        "cc {c0}, {c1}",
        "{c0f} rang the customer back and apologised.", "{c0} said the fault was cleared.",
    ])  # fmt: skip
    note.line(template, c0=w.colleague(0), c1=w.colleague(1), c0f=w.colleague(0, "full"),
              time=w.v.time())  # fmt: skip


def more_names_line(note: Note, w: Writer) -> None:
    """Names where there is little or no cue: the hard cases."""
    r = w.r
    p = w.v.person()
    template = r.choice([
        "Left a voicemail for {g}.", "Emailed {g} the form at {time}.", "Waiting on {g} to confirm the slot.",
        "According to {g}, the fault is upstream.", "Per {g}: no further action.",
        "Met {f} at the door; all fine.", "Booked {g}'s visit for {date}.", "Told {g} I would chase it.",
        "{g}: please chase tomorrow.", "Checked with {g} in the back office.",
        "Reminder for {g} - customer prefers email.", "Handed over to {f} on the late shift.",
        "Callback for {t} at {time}.", "Note from {g}: meter was replaced.",
        "The customer's son, {g}, will be there.", "Visit by engineer {f}.",
        "Complaint about {g} handled by QA.", "{f} is the named contact for the block.",
        "Key holder {f}, flat 2.", "Landlord is {t}.", "Invoice addressed to {f}.",
        "{g} from the network team confirmed at {time}.", "Shadowed {g} for the first hour.",
        "spoke to {lower}", "caller: {lower}", "SURNAME: {upper}", "Customer is {f}'s mother.",
    ])  # fmt: skip
    given = p.full if p.order == "family" else p.given
    title = f"{w.v.title(p)} {p.surname}"
    note.line(template, g=w.name_of(p, "given") if given == p.given else w.name_of(p), f=w.name_of(p),
              t=w._or("NAME", title, ["the landlord"]), time=w.v.time(), date=w.v.incident_date(),
              lower=w._or("NAME", p.full.lower(), ["the customer"]),
              upper=w._or("NAME", p.surname.upper(), ["[NAME]"]))  # fmt: skip


def contact_lines(note: Note, w: Writer, kinds: list[str]) -> None:
    r = w.r
    for kind in kinds:
        if kind == "phone":
            note.line(r.choice(["Callback number {x}.", "Mobile: {x}", "Tel {x} (best after 5pm).",
                                "Asked to be called on {x}.", "Landline {x}, mobile withheld.",
                                "Rang from {x} at {t}.", "Contact no. {x}"]), x=w.phone(), t=w.v.time())  # fmt: skip
        elif kind == "email":
            note.line(r.choice(["Email: {x}", "Confirmation sent to {x}.", "Customer emailed from {x}.",
                                "Will reply to {x} by {t}."]), x=w.email(), t=w.v.time())  # fmt: skip
        elif kind == "outward":
            outward = w.v.postcode().upper().replace(" ", "")[:-3]
            note.line(r.choice(["Outage in postcode district {x}.", "Customer only gave postcode {x}.",
                                "Postcode area {x} affected."]), x=w._or("POSTCODE", outward))  # fmt: skip
        elif kind == "postcode":
            note.line(r.choice(["Postcode {x}.", "Area affected: {x} and around.", "Checked outage map for {x}.",
                                "Post code given as {x}.", "Property is in {x}."]), x=w.postcode())  # fmt: skip
        elif kind == "address" and r.random() < 0.08 and w.pii:
            street = r.choice(STREETS).lower()
            note.line(r.choice(["Lives at {x}.", "Address is {x}, {town}."]),
                      x=P("ADDRESS", f"{r.randint(1, 99)} {street}"), town=r.choice(TOWNS))  # fmt: skip
        elif kind == "address":
            note.line(r.choice(["Address: {x}, {town} {pc}", "Lives at {x}, {town}.", "Engineer sent to {x}.",
                                "Property: {x}", "Parcel was for {x}, {pc}.", "Repair needed at {x}."]),
                      x=w.address(), town=r.choice(TOWNS), pc=w.postcode())  # fmt: skip
        elif kind == "ni":
            note.line(r.choice(["NI number {x} confirmed.", "National Insurance no: {x}",
                                "Verified with NINO {x}.", "NI {x}"]), x=w.ni())  # fmt: skip
        elif kind == "nhs":
            note.line(r.choice(["NHS number {x}.", "NHS no: {x}", "Patient NHS number is {x}.",
                                "Checked record {x} on the spine."]), x=w.nhs())  # fmt: skip
        elif kind == "card":
            note.line(r.choice(["Card {x} reported stolen.", "Disputed payment on card number {x}.",
                                "Customer read out {x} before I could stop her.", "Blocked card: {x}"]), x=w.card())  # fmt: skip
        elif kind == "bank":
            note.line(r.choice(["Sort code {s}, account {a}.", "Bank details: {s} {a}",
                                "Account number {a}, sort code {s}.", "a/c {a} s/c {s}",
                                "Refund to {s} / acc no. {a}", "Sort code {s} acct {a}"]),
                      s=w.sort_code(), a=w.account())  # fmt: skip
        elif kind == "sort":
            note.line(
                r.choice(["Sort code {s}.", "Paying-in branch {s}.", "Bank sort code is {s}."]),
                s=w.sort_code(),
            )
        elif kind == "account":
            note.line(r.choice(["Account number: {a}", "Acc {a} checked.", "Customer account {a} credited {m}.",
                                "A/C no {a}"]), a=w.account(), m=w.v.money())  # fmt: skip
        elif kind == "born_in":
            note.line(r.choice(["Born in {x}, lives alone.", "Caller was born in {x}."]),
                      x=w._or("DATE_OF_BIRTH", str(r.randint(1930, 2005))))  # fmt: skip
        elif kind == "long_account":
            note.line(r.choice(["Customer account number {a}.", "Account no. {a} on the bill.",
                                "Acc no {a} (old system)."]),
                      a=w._or("ACCOUNT_NUMBER", r.choice("123456789") + w.v.digits(r.choice([6, 9]))))  # fmt: skip
        elif kind == "dob":
            note.line(r.choice(["DOB {x}.", "D.O.B: {x}", "Date of birth {x} confirmed.", "dob {x}",
                                "Security: date of birth given as {x}.", "Born on {x}.",
                                "Verified identity (DOB {x}).", "Her birthday is {x}."]), x=w.dob())  # fmt: skip
        elif kind == "reg":
            note.line(r.choice(["Vehicle reg {x}.", "Registration: {x}", "Abandoned car, reg {x}.",
                                "Van {x} blocking the access road.", "Driver's vehicle: {x}"]), x=w.reg())  # fmt: skip
        elif kind == "reg_uncued":
            note.line(r.choice(["{x} parked on the pavement again.", "CCTV shows {x} leaving at {t}."]),
                      x=w.reg(cued=False) if not w.pii else P("VEHICLE_REG", w.v.vehicle(False).upper()),
                      t=w.v.time())  # fmt: skip
        elif kind == "relative":
            p = w.v.person()
            note.line(r.choice(["Her husband {x} was also on the line.", "Son {x} is the carer.",
                                "Neighbour {x} has a spare key.", "Her daughter {g} called on her behalf."]),
                      x=w.name_of(p), g=w.name_of(p, "given"))  # fmt: skip


SCENARIOS = {
    "power_outage": (
        "Power outage",
        [
            "Whole street off since {time}; estimated restore {time2}.",
            "Priority Services Register customer, uses a stair lift.",
            "Advised the caller of the {hours}-hour estimate.",
            "Checked the outage map: {pct}% of the area restored.",
            "Network team in the Manchester depot confirmed a cable fault.",
            "Will call back if the restore time changes.",
        ],
        ["postcode", "address", "phone", "reg_uncued"],
    ),
    "gas_leak": (
        "Gas leak",
        [
            "Caller smelt gas in the kitchen at {time}.",
            "Advised to turn off the meter, open windows, no switches.",
            "P1 raised; engineer ETA {mins} minutes.",
            "Cadent engineer confirmed safe at {time2}.",
            "Grace period for the safety check is 4 hours.",
            "Logged on the Gas Safe form.",
        ],
        ["address", "postcode", "phone", "dob"],
    ),
    "lift_failure": (
        "Lift failure",
        [
            "Lift stuck between floors 3 and 4 with one person inside.",
            "Otis engineer dispatched at {time}.",
            "Resident trapped for {mins} minutes; fire service not needed.",
            "Block manager informed; lift out of service until {date}.",
            "Next inspection booked for {date}.",
        ],
        ["address", "phone", "reg"],
    ),
    "billing_dispute": (
        "Billing dispute",
        [
            "Customer disputes the {money} charge on the last bill.",
            "Explained the tariff change from {date}.",
            "Raised a credit of {money}.",
            "Order number {ten} checked against the bill.",
            "Will call back by Friday with the outcome.",
            "Bill is overdue by {days} days; hold applied.",
        ],
        ["account", "email", "dob", "phone", "bank"],
    ),
    "lost_parcel": (
        "Lost parcel",
        [
            "Parcel marked delivered at {time} but not received.",
            "Tracking number {luhnfail} shows the Kettering hub.",
            "Evri driver photo shows a different door.",
            "Reissued the order; refund of {money} if not found by {date}.",
            "Royal Mail depot checked; nothing there.",
        ],
        ["address", "postcode", "email", "phone", "reg_uncued"],
    ),
    "nhs_111": (
        "NHS 111 triage",
        [
            "Chest pain for {mins} minutes, no shortness of breath.",
            "Pathway: chest pain; disposition speak to GP within 2 hours.",
            "Advised to call 999 if it gets worse.",
            "Clinician callback booked for {time}.",
            "Patient is on the Priority Services Register for oxygen.",
        ],
        ["nhs", "dob", "address", "phone", "relative"],
    ),
    "council_repair": (
        "Council repair",
        [
            "Damp and mould in the back bedroom since {date}.",
            "Repair job {job} raised, priority 3 (28 days).",
            "Tenant has a child with asthma, so upgraded to priority 2.",
            "Contractor visit booked for {date}.",
            "Housing officer to check the extractor fan.",
        ],
        ["address", "postcode", "ni", "phone", "reg"],
    ),
    "card_fraud": (
        "Card fraud",
        [
            "Three payments of {money} to an online retailer the customer does not recognise.",
            "Card blocked at {time}; new card in 5 working days.",
            "Fraud case {case} opened.",
            "Customer advised not to share one-time passcodes.",
            "Reference {luhnfail} from the merchant does not match.",
        ],
        ["card", "bank", "dob", "phone", "email"],
    ),
    "it_service_desk": (
        "IT service desk",
        [
            "User cannot log in to Teams since the Windows 11 update (build 22631).",
            "Reset the MFA token; Outlook working again at {time}.",
            "VPN client v2.3.1 reinstalled.",
            "Asset tag {ten} checked in ServiceNow.",
            "Call back on ext 4412 if it recurs.",
            "Mark as resolved once the user confirms.",
        ],
        ["email", "phone", "ni"],
    ),
}
TRICKY = [
    "Grace period ends on {date}.", "Will call back tomorrow morning.", "Mark as resolved if no reply.",
    "Bill is overdue; reminder sent.", "May is our busiest month for outages.",
    "Rose Court residents were all affected, not just one flat.", "Frank conversation with the caller about costs.",
    "Teams call with the Microsoft partner at {time}.", "British Gas engineer attended, not ours.",
    "Told the caller to ring NHS 111 or 999 in an emergency; 101 for non-emergency police.",
    "Manchester depot and the Leeds office both closed on Monday.", "Openreach fault ref {ref}.",
    "Order number {ten} does not match any account.", "Tracking number {luhnfail} not recognised.",
    "Incident opened {date} at {time}; closed {date2}.", "SLA: P1 within 4 hours, P2 within 8 hours.",
    "Call lasted 00:{mm}:{ss}; hold time {mins} minutes.", "{pct}% of calls answered within 20 seconds.",
    "Credit of {money} applied, and {money2} refunded.", "Ext 4412 for the duty manager.",
    "Version 4.12.3 of the app has the bug.", "Meter reading {reading} submitted.",
    "Dublin Road substation tripped at {time}.", "Called from Milton Keynes hub; rerouted via Swindon.",
    "Thames Water and Severn Trent both reported low pressure.", "Ticket #{four} merged into {ref}.",
    "Priority Services Register updated; 3 vulnerable customers on the street.",
    "Hello, thanks for calling - script followed.", "Sent the Trustpilot link after the call.",
    "Customer Service Director copied in.", "Met Office amber warning for wind from {date}.",
    "Virgin Media outage in the Stoke-on-Trent area.", "Moved to the Harrogate queue at {time}.",
    "Job {job} reassigned to the Kettering team.", "Happy with the outcome, thanked me.",
    "Customer read the serial {luhnfail} off the meter.", "Next review date: {date}.",
    "Invoice {ten} queried; paid {money}.",
    "Customer ordered from Screwfix and Wickes; both parcels late.", "Bupa authorised the claim at {time}.",
    "Lowell sent a debt letter in error.", "Parcel went to Bridgwater by mistake.",
    "Driver came from the Lowestoft depot.", "Flooding reported on Kennedy Close and Ashgrove Place.",
    "Rang Zurich Insurance for the policy details.", "Asked Alexa to reset the heating schedule.",
    "Deliveroo said the rider could not find the flat.", "Sky Q box rebooted twice.",
    "Sent via Royal Mail Tracked 24.", "Spoke to Customer Services at the bank.", "Passed to Billing.",
    "Transferred to Collections at {time}.", "Escalated to Tier 2.", "Christmas Eve outage, Boxing Day callback.",
    "St Albans office covering for Newcastle upon Tyne.", "Order 48213377 delayed.",
    "Policy number 87654321 renewed.", "Meter serial 12345678 replaced.", "Visit was on 04-11-26, not 05-11-26.",
    "Caller aged 84, lives alone; vulnerable flag added.", "Halfords fitted the wrong part.",
    "Hope Street depot sent a crew.", "Victoria line delays made the engineer late.",
    "Called back at 14:05, no answer, left voicemail.", "Quoted 0800 number from the website.",
    "Checked the Wi-Fi router; Hub 3 firmware v7.2.", "Gas Safe engineer ID checked on the register.",
    "Care Quality Commission report mentioned.", "Used Language Line for a Polish interpreter.",
    "Paid by Apple Pay; Barclaycard declined first.", "Lift engineer from Stannah on site by {time}.",
    # brands, places and products that the detector's lists do not hold
    "Cuvva said the policy had lapsed.", "Zilch confirmed the refund on {date}.",
    "Vanquis card statement queried.", "Customer uses Laybuy and Clearpay for the orders.",
    "Pennine Plumbing attended instead of our contractor.", "Acorn Lifts quoted {money} for the repair.",
    "Parcel sat in the Whitstable sorting office.", "Crew travelled from Hexham, then Penrith.",
    "Router is a Netgear Orbi; swapped for a Hub 4.", "Fitbit and Kindle orders both missing.",
    "Action Taken: reset password. Next Steps: monitor.", "Dear Sir or Madam letter template used.",
    "Water main burst on Dorking Road, no properties named.", "Cedar Dr junction closed for the repair.",
    "Will ring again on Friday if the part arrives.", "Bill and statement both wrong for March.",
    "Frank discussion about the arrears; Hope this helps, wrote the customer.",
    "Head of Customer Experience to review.", "Sue the company, the customer threatened.",
    "Pat testing of the appliance was done in June.", "Joy of the day: the heating came back.",
    "Matlock and Buxton depots share the van.", "Hiscox policy covers the landlord's liability.",
    "Tymit said the card would be replaced.", "Moneybox withdrawal pending.",
    "Huawei phone would not pair with the Tado app.", "Xiaomi scooter charger overheated.",
    "Thirsk office closed early; Malton took the calls.", "Chip and Plum accounts linked.",
]  # fmt: skip


def fill(w: Writer, template: str) -> dict:
    v, r = w.v, w.r
    return dict(time=v.time(), time2=v.time(), date=v.incident_date(), date2=v.incident_date(),
                money=v.money(), money2=v.money(), mins=r.randint(3, 59), hours=r.randint(2, 8),
                pct=r.randint(10, 99), days=r.randint(3, 40), ten=v.ten_digit_not_nhs(),
                luhnfail=v.luhn_failing_16(), job=r.randint(10000, 99999), case=v.reference(),
                ref=v.reference(), mm=f"{r.randint(0, 59):02d}", ss=f"{r.randint(0, 59):02d}",
                reading=f"{r.randint(0, 99999):05d}", four=r.randint(1000, 9999))  # fmt: skip


def make_note(rng: random.Random, index: int, kind: str) -> Note:
    scenario = rng.choice(list(SCENARIOS))
    title, body, contact_kinds = SCENARIOS[scenario]
    w = Writer(rng, pii=kind == "pii")
    note = Note(f"note-{index:04d}", kind, scenario)
    header(note, w, title)
    lines = []
    if kind == "pii":
        chosen = rng.sample(contact_kinds, k=rng.randint(2, len(contact_kinds)))
        extra = rng.sample(["phone", "email", "postcode", "address", "ni", "nhs", "card", "bank",
                            "sort", "account", "dob", "reg", "reg_uncued", "relative", "outward",
                            "born_in", "long_account"], k=rng.randint(0, 3))  # fmt: skip
        lines.append(lambda: caller_line(note, w))
        lines.append(lambda: contact_lines(note, w, list(dict.fromkeys(chosen + extra))))
        if rng.random() < 0.75:
            lines.append(lambda: colleague_line(note, w))
        if rng.random() < 0.6:
            lines.append(lambda: more_names_line(note, w))
    elif kind == "clean":
        lines.append(lambda: caller_line(note, w))
        lines.append(lambda: contact_lines(note, w, rng.sample(contact_kinds, k=2)))
        if rng.random() < 0.5:
            lines.append(lambda: colleague_line(note, w))
        if rng.random() < 0.3:
            lines.append(lambda: more_names_line(note, w))
    for template in rng.sample(body, k=min(len(body), rng.randint(2, 4))):
        lines.append(lambda t=template: note.line(t, **fill(w, t)))
    if kind == "tricky" or rng.random() < 0.35:
        for template in rng.sample(TRICKY, k=rng.randint(1, 4 if kind == "tricky" else 2)):
            lines.append(lambda t=template: note.line(t, **fill(w, t)))
    head, rest = lines[:1], lines[1:]
    rng.shuffle(rest)
    for write in head + rest:
        write()
    return note


def generate(seed: int = SEED, count: int = NOTES) -> list[dict]:
    rng = random.Random(seed)
    kinds = ["pii"] * 11 + ["clean"] * 5 + ["tricky"] * 4
    return [make_note(rng, i, kinds[i % len(kinds)]).record() for i in range(count)]


def main() -> None:
    notes = generate()
    with (HERE / "corpus.jsonl").open("w", encoding="utf-8") as out:
        for note in notes:
            out.write(json.dumps(note, ensure_ascii=False) + "\n")
    labels = sum(len(n["labels"]) for n in notes)
    print(f"wrote {len(notes)} notes with {labels} labelled spans to {HERE / 'corpus.jsonl'}")


if __name__ == "__main__":
    main()
